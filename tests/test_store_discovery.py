"""What discovery did for each paper is stored once per distinct content, as results are: an
unchanged weekly run adds no discovery rows, the view ``discovery`` still gives every run its rows,
an older file's per-run table is moved under set ids, and merged shards hold what one run holds."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date

import duckdb

from auditor.models import Paper
from auditor.store import SCHEMA_VERSION, Store
from auditor.store import discovery as family
from test_store_sample import IDS, TITLES, records


def papers() -> list[Paper]:
    """The sample's three papers with what three sources said of each; two say the same thing."""
    said = {
        "good": ((("abstract", "searched"), ("comments", "searched"), ("hf_paper", "searched")),
                 (("hf_paper", "github:good/repo"), ("comments", "github:good/repo"))),
        "bad": ((("abstract", "searched"), ("comments", "absent: the dump has no comments"), ("hf_paper", "not_indexed")),
                ()),
        "html": ((("abstract", "searched"), ("comments", "absent: the dump has no comments"), ("hf_paper", "not_indexed")),
                 ()),
    }
    return [Paper(paper_id=IDS[k], title=TITLES[k], abstract="", discovery=d, declared=f) for k, (d, f) in said.items()]


def one_run(store: Store, found: list[Paper]) -> str:
    run_id = store.start_run({}, date(2024, 6, 5))
    store.add_records(records(), run_id)
    store.save_discovery(run_id, found)
    store.finish_run(run_id, "done")
    time.sleep(0.002)  # runs are ordered by start time
    return run_id


def stored(store: Store) -> int:
    return store.db.rows("SELECT count(*) FROM discovery_stored")[0][0]


def view(store_or_con, run_id: str) -> list[tuple]:
    rows = getattr(store_or_con, "db", None)
    sql = "SELECT paper_id, source, outcome, found FROM discovery WHERE run_id = ? ORDER BY ALL"
    return rows.rows(sql, [run_id]) if rows else store_or_con.execute(sql, [run_id]).fetchall()


EXPECTED = sorted(
    (p.paper_id, s, o, [k for src, k in p.declared if src == s]) for p in papers() for s, o in p.discovery)


def test_an_unchanged_run_adds_no_discovery_rows_and_each_run_reads_its_own(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        first = one_run(store, papers())
        # Two papers said the same thing: they share one set (3 rows), the third has its own.
        assert stored(store) == 6
        second = one_run(store, papers())
        assert stored(store) == 6
        assert view(store, first) == view(store, second) == EXPECTED
        assert store.discovery_counts(second) == {"comments": {"absent": 2, "searched": 1},
                                                  "hf_paper": {"not_indexed": 2, "searched": 1}}
        outcomes, declared = store.discovery_for_run(second)[IDS["good"]]
        assert outcomes == (("abstract", "searched"), ("comments", "searched"), ("hf_paper", "searched"))
        assert set(declared) == {("comments", "github:good/repo"), ("hf_paper", "github:good/repo")}


def test_a_changed_outcome_adds_only_that_papers_new_set(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        first = one_run(store, papers())
        changed = [replace(p, discovery=(*p.discovery[:2], ("hf_paper", "unknown: HTTP 503 from the Hub")))
                   if p.paper_id == IDS["bad"] else p for p in papers()]
        second = one_run(store, changed)
        assert stored(store) == 6 + 3  # the one paper's new set; the other two are unchanged
        rows = {(p, s): o for p, s, o, _ in view(store, second)}
        assert rows[(IDS["bad"], "hf_paper")] == "unknown: HTTP 503 from the Hub"
        assert rows[(IDS["html"], "hf_paper")] == "not_indexed"
        assert view(store, first) == EXPECTED  # the earlier run keeps what it found
        # The same change found again in a third run is stored already.
        one_run(store, changed)
        assert stored(store) == 9
        # A resumed run writing a paper again replaces its outcomes in that run, not in others.
        store.save_discovery(second, [p for p in papers() if p.paper_id == IDS["bad"]])
        assert view(store, second) == view(store, first)


def test_forgotten_runs_take_their_sets_with_them(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        one_run(store, [replace(p, discovery=(("abstract", "searched"), ("hf_paper", "unknown: offline")))
                        for p in papers()])
        kept = one_run(store, papers())
        assert store.keep_runs(1) == 1
        assert stored(store) == 6 and view(store, kept) == EXPECTED


def old_layout(path, runs: dict[str, list[Paper]]) -> None:
    """A file as schema 2 wrote it: the table ``discovery``, one row per run, paper and source."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '2')")
    con.execute("CREATE TABLE run_papers (run_id VARCHAR NOT NULL, paper_id VARCHAR NOT NULL, set_id BIGINT, "
                "PRIMARY KEY (run_id, paper_id))")
    con.execute("""CREATE TABLE discovery (run_id VARCHAR NOT NULL, paper_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
        outcome VARCHAR NOT NULL, found VARCHAR[], PRIMARY KEY (run_id, paper_id, source))""")
    for run_id, found in runs.items():
        for p in found:
            con.execute("INSERT INTO run_papers VALUES (?, ?, NULL)", [run_id, p.paper_id])
            for s, o in p.discovery:
                con.execute("INSERT INTO discovery VALUES (?, ?, ?, ?, ?)",
                            [run_id, p.paper_id, s, o, [k for src, k in p.declared if src == s]])
    con.close()


def test_a_file_with_the_old_discovery_table_is_migrated(tmp_path):
    path = tmp_path / "v2.duckdb"
    old_layout(path, {"r1": papers(), "r2": papers()})
    with Store.open(path) as store:
        assert view(store, "r1") == view(store, "r2") == EXPECTED
        assert stored(store) == 6  # both runs and the two alike papers share their sets
        assert store.db.rows("SELECT table_type FROM information_schema.tables WHERE table_name = 'discovery'") == [("VIEW",)]
        assert store.db.rows("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
        third = one_run(store, papers())  # a new run finds the migrated sets
        assert stored(store) == 6 and view(store, third) == EXPECTED


def test_merged_shards_hold_what_one_run_holds_from_either_layout(tmp_path):
    one = tmp_path / "one.duckdb"
    with Store.open(one) as store:
        whole = view(store, one_run(store, papers()))
    new_shard = tmp_path / "shard1.duckdb"
    with Store.open(new_shard) as store:
        one_run(store, papers())
    old_layout(tmp_path / "shard2.duckdb", {"s2": papers()})  # a shard written by the previous version
    with Store.open(tmp_path / "merged.duckdb") as store:
        run_id = store.start_run({"command": "merge"}, date(2024, 6, 5))
        con = store.db.con
        for alias, path, shard_run in (("a", new_shard, None), ("b", tmp_path / "shard2.duckdb", "s2")):
            con.execute(f"ATTACH '{path}' AS {alias} (READ_ONLY)")
            shard_run = shard_run or con.execute(f"SELECT run_id FROM {alias}.runs").fetchone()[0]
            con.execute(f"INSERT INTO run_papers (run_id, paper_id) SELECT ?, paper_id FROM {alias}.run_papers "
                        "ON CONFLICT DO NOTHING", [run_id])
            family.copy_run(con, alias, shard_run, run_id)
            con.execute(f"DETACH {alias}")
        assert view(store, run_id) == whole == EXPECTED
        assert stored(store) == 6
