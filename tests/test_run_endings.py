"""Every command that starts a run ends it: `failed` (the error in its notes) or `interrupted`
(Ctrl-C, SIGTERM, a closed output), never left `running` for the next run to find."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from auditor import exitcodes
from auditor.store import Store
from auditor.store.staging import Staging
from inprocess import audit
from test_run_e2e import query


def runs(db) -> list[tuple[str, list[str]]]:
    """(status, notes) of each run in the file, oldest first."""
    rows = query(db, "SELECT status, notes FROM runs ORDER BY started_at")
    return [(status, json.loads(notes) if notes else []) for status, notes in rows]


# --------------------------------------------------------------------------- the store's part


@pytest.mark.parametrize(("error", "status", "words"), [
    (KeyboardInterrupt(), "interrupted", "interrupted (Ctrl-C)"),
    (BrokenPipeError(32, "Broken pipe"), "interrupted", "output was closed"),
    (RuntimeError("the disk\nis full"), "failed", "the run failed: the disk is full;"),
])
def test_a_block_that_raises_ends_the_run_and_the_error_goes_on(error, status, words):
    with Store.open(":memory:") as store:
        run_id = store.start_run({"command": "extract"}, date(2026, 12, 3))
        with pytest.raises(type(error)):
            with store.ending_on_error(run_id):
                raise error
        info = store.run_info(run_id)
    assert info.status == status and info.finished_at is not None
    assert len(info.notes) == 1 and words in info.notes[0] and "run the same command again" in info.notes[0]


def test_a_block_that_ends_normally_leaves_the_run_to_its_command():
    with Store.open(":memory:") as store:
        run_id = store.start_run({"command": "extract"}, date(2026, 12, 3))
        with store.ending_on_error(run_id):
            pass
        assert store.run_info(run_id).status == "running"


def test_the_error_quoted_in_the_notes_is_redacted():
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0" * 2
    with Store.open(":memory:") as store:
        run_id = store.start_run({"command": "run"}, date(2026, 12, 3))
        with pytest.raises(RuntimeError):
            with store.ending_on_error(run_id):
                raise RuntimeError(f"server said: Authorization: token {token}")
        (note,) = store.run_info(run_id).notes
    assert token not in note and "server said" in note


def test_a_store_that_refuses_to_record_the_end_does_not_hide_the_error(monkeypatch):
    with Store.open(":memory:") as store:
        run_id = store.start_run({"command": "run"}, date(2026, 12, 3))

        def refuses(*_args, **_kwargs):
            raise duckdb.TransactionException("Current transaction is aborted (please ROLLBACK)")

        monkeypatch.setattr(type(store.runs), "finish_run", refuses)
        with pytest.raises(ValueError, match="the run's own error"):
            with store.ending_on_error(run_id):
                raise ValueError("the run's own error")


# --------------------------------------------------------------------------- audit extract --db


def test_extract_whose_merge_fails_ends_its_run_failed(example_dumps, tmp_path, monkeypatch):
    def disk_full(self, run_id):
        raise duckdb.IOException("Could not write file: No space left on device")

    monkeypatch.setattr(Staging, "merge_staged", disk_full)
    db = tmp_path / "a.duckdb"
    out = audit("extract", "-q", "--db", str(db), *map(str, example_dumps))
    assert out.returncode == exitcodes.USAGE_OR_INPUT
    assert out.stderr.strip().splitlines() == ["audit: error: the database failed: Could not write file: No space left on device"]
    [(status, notes)] = runs(db)
    assert status == "failed" and "No space left on device" in notes[0]


def test_extract_interrupted_while_staging_ends_its_run_interrupted(example_dumps, tmp_path, monkeypatch):
    staged = []

    def ctrl_c_after_one_batch(self, tables):
        staged.append(tables)
        if len(staged) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(Staging, "stage_tables", ctrl_c_after_one_batch)
    monkeypatch.setattr("auditor.extract_stream.BATCH", 50)
    db = tmp_path / "a.duckdb"
    out = audit("extract", "--db", str(db), "--jobs", "1", *map(str, example_dumps))
    assert out.returncode == exitcodes.INTERRUPTED, out.stderr
    assert "interrupted" in out.stderr and "Traceback" not in out.stderr
    assert runs(db) == [("interrupted", ["the run was interrupted (Ctrl-C): run the same command again to finish"])]
    # The same command again finishes, and the file holds every paper.
    monkeypatch.undo()
    again = audit("extract", "--db", str(db), *map(str, example_dumps))
    assert again.returncode == 0, again.stderr
    assert [status for status, _ in runs(db)] == ["interrupted", "done"]
    [(papers,)] = query(db, "SELECT count(*) FROM papers")
    assert papers == len(again.stdout.splitlines()) > 100


# --------------------------------------------------------------------------- audit merge


@pytest.fixture
def shard(example_dumps, tmp_path):
    """One offline shard 1/1 of one dump: a whole split that collects nothing."""
    db = tmp_path / "s1.duckdb"
    done = audit("run", "--offline", "--quiet", "--db", str(db), "--out", str(tmp_path / "s1"), "--shard", "1/1",
                 str(example_dumps[0]))
    assert done.returncode == 0, done.stderr
    return db


def test_merge_whose_copy_fails_ends_its_run_failed_and_copies_nothing(shard, tmp_path):
    con = duckdb.connect(str(shard))
    con.execute("DROP TABLE claims")  # a shard file another program damaged
    con.close()
    merged = tmp_path / "m.duckdb"
    out = audit("merge", str(merged), str(shard), "--out", str(tmp_path / "m"), "--quiet")
    assert out.returncode == exitcodes.USAGE_OR_INPUT and len(out.stderr.strip().splitlines()) == 1, out.stderr
    [(status, notes)] = runs(merged)
    assert status == "failed" and "claims" in notes[0]
    assert query(merged, "SELECT count(*) FROM papers") == [(0,)]  # one transaction: all of it or none


def test_merge_interrupted_while_scoring_ends_its_run_interrupted(shard, tmp_path, monkeypatch):
    def ctrl_c(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("auditor.pipeline.audit_stored_papers", ctrl_c)
    merged = tmp_path / "m.duckdb"
    out = audit("merge", str(merged), str(shard), "--out", str(tmp_path / "m"), "--quiet")
    assert out.returncode == exitcodes.INTERRUPTED, out.stderr
    [(status, notes)] = runs(merged)
    assert status == "interrupted" and "interrupted (Ctrl-C)" in notes[0]
