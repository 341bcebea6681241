"""A migration that fails midway leaves the file as it was, says so in one line, and the next
open migrates it; a migration that succeeds says it rewrote the file. A COMMIT that fails is
said to have failed (not to have been rolled back), and a failing run is still recorded."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from auditor.errors import AuditorError
from auditor.store import SCHEMA_VERSION, Store
from auditor.store.core import CommitFailed, Db
from auditor.store import papers as papers_module
from inprocess import audit
from test_store import as_schema_3
from test_store_sample import records


class Faulty:
    """A connection that raises DuckDB's out-of-memory error on the first statement starting with
    ``prefix`` (what a large copy meets on a small machine), and passes everything else on."""

    def __init__(self, con: duckdb.DuckDBPyConnection, prefix: str) -> None:
        self.con, self.prefix = con, prefix

    def execute(self, sql: str, *args):
        if sql.startswith(self.prefix):
            raise duckdb.OutOfMemoryException("Out of Memory Error: failed to allocate (injected)")
        return self.con.execute(sql, *args)


class CommitFails:
    """A connection whose COMMIT fails as DuckDB's does when the commit itself fails (a unique key
    violated at commit, the WAL not written): the transaction is ended, then the error raised."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def __getattr__(self, name: str):
        return getattr(self.con, name)

    def commit(self):
        self.con.rollback()
        raise duckdb.TransactionException("TransactionContext Error: Failed to commit: (injected)")


def state(path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return (con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall(),
                con.execute("SELECT constraint_type FROM duckdb_constraints() WHERE table_name = 'papers' "
                            "AND constraint_type = 'PRIMARY KEY'").fetchall(),
                sorted(con.execute("SELECT table_name FROM duckdb_tables()").fetchall()),
                con.execute("SELECT * FROM papers ORDER BY paper_id").fetchall(),
                con.execute("SELECT * FROM sightings ORDER BY ALL").fetchall())
    finally:
        con.close()


def test_a_failed_migration_keeps_the_schema_3_file_and_a_second_attempt_succeeds(tmp_path, monkeypatch):
    path = tmp_path / "audit.duckdb"
    with Store.open(path) as store:
        store.add_records(records(), store.start_run({}, date(2024, 6, 5)))
    as_schema_3(path)
    before = state(path)
    assert before[0] == [("3",)] and before[1] == [("PRIMARY KEY",)] and len(before[3]) == len(records())
    real = papers_module.migrate_from_v3
    monkeypatch.setattr(papers_module, "migrate_from_v3", lambda con, shown: real(Faulty(con, "ALTER TABLE papers_v4"), shown))  # the old table dropped

    failed = audit("vacuum", "--db", str(path))
    assert failed.returncode == 1 and failed.stdout == ""
    notice, error = failed.stderr.splitlines()
    assert notice == f"audit: migrating {path} from schema 3 to {SCHEMA_VERSION}"
    assert error.startswith(f"audit: error: migrating {path} from schema 3 to {SCHEMA_VERSION} failed and was rolled back")
    assert error.endswith("(injected)")
    assert state(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.duckdb"]  # no WAL left to replay

    monkeypatch.setattr(papers_module, "migrate_from_v3", real)
    connect = Db._connect
    monkeypatch.setattr(Db, "_connect", staticmethod(lambda shown, config: CommitFails(connect(shown, config))))
    with pytest.raises(AuditorError) as commit_failed:
        Store.open(path)
    assert str(commit_failed.value) == (
        f"migrating {path} from schema 3 to {SCHEMA_VERSION} failed at its COMMIT (TransactionContext Error: Failed to "
        "commit: (injected)): DuckDB then had no transaction open (it ends one whose commit fails); the file reads "
        "as schema 3; run the command again")
    assert state(path) == before
    monkeypatch.setattr(Db, "_connect", staticmethod(connect))
    again = audit("vacuum", "--db", str(path))
    assert again.returncode == 0, again.stderr
    assert again.stderr == f"audit: migrating {path} from schema 3 to {SCHEMA_VERSION}\n"
    after = state(path)
    assert after[0] == [(str(SCHEMA_VERSION),)] and after[1] == [] and after[2:] == before[2:]
    assert audit("vacuum", "--db", str(path)).stderr == ""  # said once: a migrated file opens silently


def test_a_run_whose_results_cannot_be_committed_is_recorded_failed_not_left_running():
    with Store.open(":memory:") as store:
        run_id = store.start_run({}, date(2024, 6, 5))
        store.save_outcomes(run_id, [{"paper_id": "p", "check": "license", "status": "pass", "score": 10.0}])
        real, store.db.con = store.db.con, CommitFails(store.db.con)
        with pytest.raises(CommitFailed, match=r"^the database failed to commit \(.*\(injected\)\): DuckDB then had no"):
            store.finish_run(run_id, "done")  # a run is not recorded done without its results
        store.finish_run(run_id, "failed")  # recorded, and the commit that failed is not tried again
        store.db.con = real
        info = store.run_info(run_id)
        assert info.status == "failed" and info.notes == (
            "its last results could not be committed: the database failed to commit (TransactionContext Error: "
            "Failed to commit: (injected)): DuckDB then had no transaction open (it ends one whose commit fails)",)
        assert store.db.rows("SELECT count(*) FROM results_stored") == [(0,)]
