"""`audit extract --db` stages batches in files and merges them once: loading the same dumps
twice, or again after an interrupted load or merge, leaves the rows one load leaves."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

import auditor.extract_stream
import auditor.store.staging as staging
from auditor.store.staging import Staging

from inprocess import audit

#: Every table `audit extract` writes, without the run ids (a second load is another run).
TABLES = {
    "papers": "SELECT * EXCLUDE (first_seen_run) FROM papers ORDER BY ALL",
    "first_seen": "SELECT count(DISTINCT first_seen_run) FROM papers",
    "sightings": "SELECT * EXCLUDE (run_id) FROM sightings ORDER BY ALL",
    "targets": "SELECT * FROM targets ORDER BY ALL",
    "links": "SELECT * FROM links ORDER BY ALL",
    "claims": "SELECT * FROM claims ORDER BY ALL",
    # each finished run covered every paper
    "run_papers": "SELECT r.status, count(*), count(DISTINCT rp.paper_id) FROM runs r "
                  "LEFT JOIN run_papers rp USING (run_id) WHERE r.status = 'done' GROUP BY ALL",
}


def rows(db: Path) -> dict[str, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()


@pytest.fixture
def dumps(tmp_path, example_dumps) -> list[Path]:
    """The bundled dumps plus the first again under another name (every paper of it read twice)."""
    again = tmp_path / "again.txt"
    again.write_bytes(example_dumps[0].read_bytes())
    return [*example_dumps, again]


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Many batches and row groups from a small input, so that order across them counts."""
    monkeypatch.setattr(auditor.extract_stream, "BATCH", 50)
    monkeypatch.setattr(staging, "ROW_GROUP", 70)


def extract(db: Path, dumps: list[Path]) -> None:
    out = audit("extract", "--jobs", "1", "--db", str(db), *map(str, dumps))
    assert out.returncode == 0, out.stderr


def test_loading_twice_leaves_the_same_rows(dumps, tmp_path):
    db = tmp_path / "a.duckdb"
    extract(db, dumps)
    once = rows(db)
    assert len(once["papers"]) > 100 and len(once["links"]) > 10 and len(once["sightings"]) > len(once["papers"])
    assert not Path(f"{db}.staging").exists()
    extract(db, dumps)
    twice = rows(db)
    assert twice["run_papers"] == [("done", len(once["papers"]) * 2, len(once["papers"]))]
    assert {k: v for k, v in twice.items() if k != "run_papers"} == {k: v for k, v in once.items() if k != "run_papers"}


def test_a_load_interrupted_while_staging_is_redone_whole(dumps, tmp_path, monkeypatch):
    reference = tmp_path / "reference.duckdb"
    extract(reference, dumps)
    db = tmp_path / "b.duckdb"
    calls = []
    stage = Staging.stage_tables

    def killed(self, tables):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        stage(self, tables)

    monkeypatch.setattr(Staging, "stage_tables", killed)
    out = audit("extract", "--jobs", "1", "--db", str(db), *map(str, dumps))
    assert out.returncode != 0 and len(calls) == 3
    monkeypatch.setattr(Staging, "stage_tables", stage)
    assert list(Path(f"{db}.staging").iterdir())  # what the load had staged is left behind
    assert rows(db)["papers"] == []  # and the tables are untouched
    extract(db, dumps)
    assert rows(db) == rows(reference)
    assert not Path(f"{db}.staging").exists()


def test_a_failed_merge_leaves_the_tables_as_they_were(dumps, example_dumps, tmp_path, monkeypatch):
    db = tmp_path / "c.duckdb"
    extract(db, example_dumps[:2])
    before = rows(db)
    upsert = staging._upsert

    def broken_claims(con, table, rows, key, updates, *args, **kwargs):  # the merge's last step fails
        upsert(con, table, rows, key, {"no_such_column": "1"} if table == "claims" else updates, *args, **kwargs)

    monkeypatch.setattr(staging, "_upsert", broken_claims)
    out = audit("extract", "--jobs", "1", "--db", str(db), *map(str, dumps))
    assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
    last = out.stderr.strip().splitlines()[-1]  # one line says what DuckDB refused
    assert last.startswith("audit: error: the database failed: ") and "no_such_column" in last
    monkeypatch.setattr(staging, "_upsert", upsert)
    after = rows(db)
    assert after == before
    extract(db, dumps)
    reference = tmp_path / "reference.duckdb"
    extract(reference, example_dumps[:2])
    extract(reference, dumps)
    assert rows(db)["papers"] == rows(reference)["papers"] and rows(db)["links"] == rows(reference)["links"]


def test_staged_files_hold_every_record_in_order(dumps, tmp_path, monkeypatch):
    """Batches are appended as they come (a row group once ROW_GROUP rows wait), numbered in the order read."""
    db = tmp_path / "d.duckdb"
    seen = {}
    merge = Staging.merge_staged

    def look(self, run_id):
        self.finish_staging()
        for name in ("papers", "sightings"):
            path = self.staging_dir() / f"{name}.parquet"
            seen[name] = (pq.read_table(path).column("seq").to_pylist(), pq.ParquetFile(path).num_row_groups)
        merge(self, run_id)

    monkeypatch.setattr(Staging, "merge_staged", look)
    extract(db, dumps)
    seq, groups = seen["sightings"]
    assert len(seq) == len(rows(db)["sightings"])  # one per record: the repeated dump has its own name
    assert seq == sorted(seq) and len(set(seq)) == len(seq) and 1 < groups <= len(seq) // 70  # written as it went
    assert len(seen["papers"][0]) == len(seq)


def test_a_long_run_of_papers_met_before_is_staged_in_batches_of_records(example_dumps):
    """A dump read three times: its later readings meet no new paper, and their records (each one
    staged) go on in batches of at most BATCH, not held until the dump ends."""
    from auditor.extract_stream import BATCH, RecordDump, SeenIds, _record_batches
    from auditor.ingest import read_records

    records = list(read_records(example_dumps[0])) * 3
    papers = len({r.paper.paper_id for r in records})
    assert len(records) - papers > 2 * BATCH
    batches = [task for task, _ in _record_batches(RecordDump(0, records[0], iter(records[1:])), SeenIds(), [],
                                                   "jsonl", lambda n: None, staged=object())]
    held = [len(task[2]) for task in batches]
    assert max(held) <= BATCH and sum(held) == len(records)
    assert [r for task in batches for r in task[2]] == records
    assert sum(len(task[0]) for task in batches) == papers and not batches[-1][0]  # the repeats: records alone


def test_a_memory_store_leaves_no_staging_folder_when_its_load_fails(example_dumps):
    """The Python API's ``:memory:`` store stages in a temporary folder: closing the store after a
    load that failed midway closes its Parquet files and removes the folder."""
    from auditor.store import Store

    from reference_extract import ReadDumps, staged

    store = Store.open(":memory:")
    store.begin_staging()
    folder = store.staging.staging_dir()
    calls = []
    stage = staged(store)

    def failing(records, extractions):
        calls.append(1)
        stage(records, extractions)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        ReadDumps(example_dumps).stream("jsonl", lambda text: None, failing)
    assert list(folder.iterdir()) and store.staging._writers  # files written and still open
    store.close()
    assert not folder.exists()


def test_the_merge_memory_floor_and_its_growth_with_the_papers_of_a_load():
    assert staging.merge_memory(0) == staging.merge_memory(1_000_000) == "512MB"  # 1 M papers merge under 512 MB
    # All of arXiv (2.7 M papers) failed under 768 MB, the other tables' key indexes held; it needs
    # less than the 1,159 MB it had while papers had a key too.
    assert 768 < int(staging.merge_memory(2_700_000).removesuffix("MB")) < 1_159


def _bytes(setting: str) -> float:
    number, unit = setting.split()
    return float(number) * {"KiB": 2**10, "MiB": 2**20, "GiB": 2**30}[unit]


def test_the_merge_runs_under_a_limit_sized_by_the_papers_staged(dumps, tmp_path, monkeypatch):
    monkeypatch.setattr(staging, "MERGE_BYTES_PER_PAPER", 4 * 2**20)  # so that this small load needs more than the floor
    limits = []
    upsert = staging._upsert

    def look(con, *args, **kwargs):
        limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        upsert(con, *args, **kwargs)

    monkeypatch.setattr(staging, "_upsert", look)
    db = tmp_path / "e.duckdb"
    extract(db, dumps)
    staged = len(rows(db)["sightings"])  # one staged paper row per record read
    assert len(set(limits)) == 1 and _bytes(limits[0]) == pytest.approx(staged * 4e6, rel=0.04)  # shown to 0.1 GiB
