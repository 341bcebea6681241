"""The file stays small across runs: a paper's unchanged results are stored once, old runs can be
forgotten, the file can be rewritten without free space; the views and README queries keep working."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from auditor.models import Result
from auditor.store import EXAMPLE_QUERIES, SCHEMA_VERSION, Store
from auditor.store.compact import compact_file
from inprocess import audit
from test_store_sample import IDS, outcomes


def count(store: Store, table: str) -> int:
    return store.db.rows(f"SELECT count(*) FROM {table}")[0][0]


def one_run(store: Store, outs) -> str:
    run_id = store.start_run({}, date(2024, 6, 5))
    store.save_outcomes(run_id, outs)
    for pid in {o.paper_id for o in outs}:
        store.save_score_rows(run_id, [{"paper_id": pid, "link_ordinal": None, "score": 5.0, "judged": 1, "applicable": 1}])
    store.finish_run(run_id, "done")
    time.sleep(0.002)  # runs are ordered by start time
    return run_id


def test_unchanged_results_are_stored_once_and_read_per_run(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        first = one_run(store, outcomes())
        stored = count(store, "results_stored")
        second = one_run(store, outcomes())
        assert count(store, "results_stored") == stored == len(outcomes())
        assert count(store, "scores_stored") == len({o.paper_id for o in outcomes()})
        assert count(store, "results") == 2 * len(outcomes())
        a = sorted((o.paper_id, o.link_ordinal or -1, o.check, o.result) for o in store.outcomes_for_run(first))
        b = sorted((o.paper_id, o.link_ordinal or -1, o.check, o.result) for o in store.outcomes_for_run(second))
        assert a == b and len(a) == len(outcomes())
        # One paper changes: only its set is written again.
        changed = [replace(o, result=Result("fail", "gone now", 0.0)) if o.paper_id == IDS["good"] and o.check == "reachable"
                   else o for o in outcomes()]
        third = one_run(store, changed)
        good = sum(o.paper_id == IDS["good"] for o in outcomes())
        assert count(store, "results_stored") == stored + good
        got = {(o.paper_id, o.link_ordinal, o.check): o.result for o in store.outcomes_for_run(third)}
        assert got[(IDS["good"], 0, "reachable")] == Result("fail", "gone now", 0.0)
        assert {(o.paper_id, o.link_ordinal, o.check): o.result for o in store.outcomes_for_run(first)}[
            (IDS["good"], 0, "reachable")].status == "pass"


def test_a_paper_flushed_in_two_parts_keeps_both(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        run_id = store.start_run({}, date(2024, 6, 5))
        outs = [o for o in outcomes() if o.paper_id == IDS["good"]]
        assert len(outs) >= 2
        store.save_outcomes(run_id, outs[:1])
        store.flush()
        store.save_outcomes(run_id, outs[1:])
        store.flush()
        assert len(store.outcomes_for_run(run_id)) == len(outs)
        store.drop_orphans()  # the first part's set is no run's any more
        assert count(store, "results_stored") == len(outs)


def test_keep_runs_forgets_old_runs_and_their_sets_only(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        runs = [one_run(store, outcomes())]
        runs.append(one_run(store, [replace(o, result=Result("warn", f"r{i}", 5.0)) for i, o in enumerate(outcomes())]))
        runs.append(one_run(store, outcomes()))
        assert store.keep_runs(2) == 1
        assert [r[0] for r in store.db.rows("SELECT run_id FROM runs ORDER BY started_at")] == runs[1:]
        assert count(store, "results_stored") == 2 * len(outcomes())  # run 3 shares run 1's sets
        assert store.outcomes_for_run(runs[0]) == []
        assert len(store.outcomes_for_run(runs[2])) == len(outcomes())
        assert store.keep_runs(1) == 1
        assert count(store, "results_stored") == len(outcomes())


def test_compact_file_shrinks_after_deletes_and_keeps_everything(tmp_path):
    path = tmp_path / "a.duckdb"
    with Store.open(path) as store:
        for i in range(4):
            one_run(store, [replace(o, result=Result("warn", f"reason {i} " + "x" * 2000, 5.0))
                            for o in outcomes() * 1])
        store.db.con.execute("CREATE TABLE filler AS SELECT range AS i, repeat('y', 200) AS s FROM range(200000)")
        store.db.con.execute("DROP TABLE filler")
        before_rows = store.db.rows("SELECT * FROM results ORDER BY ALL")
    before, after = compact_file(path)
    assert after < before
    with Store.open(path) as store:
        assert store.db.rows("SELECT * FROM results ORDER BY ALL") == before_rows
        assert store.latest_run_id() is not None
        # the copy keeps the schema's table definitions: papers without a key, its abstracts in zstd
        (sql,), = store.db.rows("SELECT sql FROM duckdb_tables() WHERE table_name = 'papers'")
        assert "PRIMARY KEY" not in sql and "abstract VARCHAR USING COMPRESSION ZSTD" in sql
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_schema_1_file_is_migrated(tmp_path):
    """A file written before results were de-duplicated keeps every run's results."""
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute("CREATE TABLE run_papers (run_id VARCHAR NOT NULL, paper_id VARCHAR NOT NULL, PRIMARY KEY (run_id, paper_id))")
    con.execute("""CREATE TABLE results (run_id VARCHAR NOT NULL, paper_id VARCHAR NOT NULL, target_key VARCHAR NOT NULL,
        link_ordinal INTEGER NOT NULL, check_name VARCHAR NOT NULL, status VARCHAR NOT NULL, score DOUBLE,
        reason VARCHAR, evidence JSON, PRIMARY KEY (run_id, paper_id, target_key, link_ordinal, check_name))""")
    con.execute("""CREATE TABLE scores (run_id VARCHAR NOT NULL, paper_id VARCHAR NOT NULL, target_key VARCHAR NOT NULL,
        link_ordinal INTEGER NOT NULL, score DOUBLE, coverage DOUBLE, judged INTEGER, applicable INTEGER,
        worst_check VARCHAR, worst_status VARCHAR, top_reason VARCHAR, PRIMARY KEY (run_id, paper_id, target_key, link_ordinal))""")
    for run in ("r1", "r2"):
        con.execute("INSERT INTO run_papers VALUES (?, 'p')", [run])
        con.execute("INSERT INTO results VALUES (?, 'p', 'github:a/b', 0, 'license', 'pass', 10, 'MIT', '{}')", [run])
        con.execute("INSERT INTO scores VALUES (?, 'p', '', -1, 7.5, 1, 1, 1, NULL, NULL, NULL)", [run])
    con.close()
    with Store.open(path) as store:
        assert store.db.rows("SELECT run_id, check_name, status FROM results ORDER BY run_id") == [
            ("r1", "license", "pass"), ("r2", "license", "pass")]
        assert store.db.rows("SELECT run_id, score FROM scores ORDER BY run_id") == [("r1", 7.5), ("r2", 7.5)]
        assert store.db.rows("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]




def test_readme_trend_queries_work_over_deduplicated_and_forgotten_runs(example_dumps, tmp_path):
    out = tmp_path / "out"
    dump = str(example_dumps[0])  # ~100 papers: enough for every query, a quarter of the runs' cost
    for _ in range(2):
        done = audit("run", "--offline", "--quiet", "--out", str(out), dump)
        assert done.returncode == 0, done.stderr
    db = out / "audit.duckdb"
    con = duckdb.connect(str(db), read_only=True)
    ((stored,),) = con.execute("SELECT count(*) FROM results_stored").fetchall()
    ((results,),) = con.execute("SELECT count(*) FROM results").fetchall()
    con.close()
    assert results == 2 * stored > 0  # two unchanged runs, one copy of their results
    done = audit("run", "--offline", "--quiet", "--keep-runs", "2", "--out", str(out), dump)  # the first is forgotten
    assert done.returncode == 0, done.stderr
    done = audit("vacuum", "--db", str(db))
    assert done.returncode == 0 and "MB" in done.stdout, done.stderr
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    sql = "\n".join(re.findall(r"```sql\n(.*?)```", readme, flags=re.S))
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM runs").fetchall() == [(2,)]
        for statement in [s for s in sql.split(";") if s.strip()] + list(EXAMPLE_QUERIES.values()):
            con.execute(statement).fetchall()
        history = con.execute(
            "SELECT paper_id, count(*), count(DISTINCT score) FROM paper_scorecard_all GROUP BY ALL"
        ).fetchall()
        assert history and all(n == 2 and distinct <= 1 for _, n, distinct in history)
    finally:
        con.close()
