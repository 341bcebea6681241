"""`audit extract` streams: the same papers, links and order as extracting everything first,
with one process or a pool, with or without --db."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from auditor.extract import extract
from auditor.extract_output import extraction_row
from auditor.extract_stream import SeenIds
from auditor.ingest import read_records
from auditor.pipeline import RunSummary, ingest_and_extract
from auditor.store import Store

from conftest import shared_path
from inprocess import audit


def extracted_first(dumps: list[Path], db: str | None = None) -> list[dict]:
    """What `audit extract` printed before it streamed: every record read, each distinct paper
    extracted once (its first record), then one row per paper with every dump it was seen in.
    With ``db``, the file is also written the way `audit run` writes it (batch upserts)."""
    if db is not None:
        summary = RunSummary(run_id="")
        with Store.open(db) as store:
            run_id = store.start_run({"command": "extract"}, date.today())
            ingest_and_extract(store, run_id, dumps, summary)
            store.finish_run(run_id, "done")
    first: dict[str, tuple] = {}
    sources: dict[str, list[str]] = {}
    for path in dumps:
        for record in read_records(path):
            pid = record.paper.paper_id
            seen = sources.setdefault(pid, [])
            if record.sighting.source not in seen:
                seen.append(record.sighting.source)
            if pid not in first:
                first[pid] = (record.paper, extract(record.paper.abstract))
    return [extraction_row(p, ex, sources[pid]) for pid, (p, ex) in first.items()]


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    fields = ["paper_id", "title", "published", "raw", "url", "target", "kind", "owner", "name", "ref",
              "subpath", "number", "source", "via", "claim", "object", "placeholder"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        for link in row["links"]:
            writer.writerow({"paper_id": row["paper_id"], "title": row["title"], "published": row["published"], **link})
    return out.getvalue()


@pytest.fixture
def repeated_dumps(tmp_path, example_dumps) -> list[Path]:
    """The bundled dumps plus the first one again under another name: every paper of it is seen twice."""
    again = tmp_path / "again.txt"
    again.write_bytes(example_dumps[0].read_bytes())
    return [*example_dumps, again]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_streamed_jsonl_and_csv_equal_extracting_first(example_dumps, repeated_dumps, jobs):
    for dumps in (example_dumps, repeated_dumps):
        expected = extracted_first(dumps)
        out = audit("extract", "--jobs", jobs, *map(str, dumps))
        assert out.returncode == 0, out.stderr
        assert [json.loads(line) for line in out.stdout.splitlines()] == expected
        out = audit("extract", "--format", "csv", "--jobs", jobs, *map(str, dumps))
        assert out.stdout == as_csv(expected)
    # The repeated dump shows in the sources of its papers, and adds no paper.
    rows = extracted_first(repeated_dumps)
    assert len(rows) == len(extracted_first(example_dumps))
    assert sum(r["sources"][-1:] == ["again.txt"] for r in rows) > 0


@pytest.mark.shared
def test_streamed_equals_extracting_first_on_real_abstracts(tmp_path):
    sample = shared_path("abstracts", "arxiv-2025-2026-sample.jsonl")
    expected = extracted_first([sample])
    out = audit("extract", "--jobs", "2", str(sample))
    assert out.returncode == 0, out.stderr
    got = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(got) == len(expected) > 1000
    assert got == expected


TABLES = {
    "papers": "SELECT * EXCLUDE (first_seen_run) FROM papers ORDER BY ALL",
    "sightings": "SELECT * EXCLUDE (run_id) FROM sightings ORDER BY ALL",
    "targets": "SELECT * FROM targets ORDER BY ALL",
    "links": "SELECT * FROM links ORDER BY ALL",
    "claims": "SELECT * FROM claims ORDER BY ALL",
    "run_papers": "SELECT count(*), count(DISTINCT paper_id) FROM run_papers",
}


def tables(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    finally:
        con.close()


def test_db_bulk_load_stores_what_the_batch_upserts_store(repeated_dumps, tmp_path, monkeypatch):
    import auditor.extract_stream

    monkeypatch.setattr(auditor.extract_stream, "BATCH", 50)  # the repeated dump: batches of records alone too
    reference = tmp_path / "reference.duckdb"
    extracted_first(repeated_dumps, str(reference))
    streamed = tmp_path / "streamed.duckdb"
    out = audit("extract", "--db", str(streamed), "--jobs", "2", *map(str, repeated_dumps))
    assert out.returncode == 0, out.stderr
    assert [json.loads(line) for line in out.stdout.splitlines()] == extracted_first(repeated_dumps)
    want, got = tables(reference), tables(streamed)
    assert got == want
    assert len(got["links"]) > 10 and len(got["sightings"]) > len(got["papers"])
    # A second load into the same file changes nothing and leaves no staging tables behind.
    assert audit("extract", "--db", str(streamed), *map(str, repeated_dumps)).returncode == 0
    assert tables(streamed)["links"] == want["links"]
    con = duckdb.connect(str(streamed), read_only=True)
    names = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    con.close()
    assert not any(n.startswith("stage_") for n in names)


def test_db_merge_replaces_a_changed_extraction(example_dumps, tmp_path):
    """A paper extracted again with fewer links loses the links it no longer has."""
    db = tmp_path / "a.duckdb"
    assert audit("extract", "--db", str(db), *map(str, example_dumps)).returncode == 0
    row = next(r for r in extracted_first(example_dumps) if len(r["links"]) >= 2)
    dump = tmp_path / "one.jsonl"
    dump.write_text(json.dumps({"id": row["paper_id"], "title": row["title"],
                                "abstract": "Code: https://github.com/only/one"}) + "\n")
    out = audit("extract", "--db", str(db), str(dump))
    assert out.returncode == 0, out.stderr
    con = duckdb.connect(str(db), read_only=True)
    urls = con.execute("SELECT url FROM links WHERE paper_id = ? ORDER BY ordinal", [row["paper_id"]]).fetchall()
    title = con.execute("SELECT title FROM papers WHERE paper_id = ?", [row["paper_id"]]).fetchone()
    con.close()
    assert urls == [("https://github.com/only/one",)]
    assert title == (row["title"],)


def test_seen_ids_remember_across_merges():
    seen = SeenIds(merge_at=3)
    for i in range(10):
        assert f"p{i}" not in seen
        seen.add(f"p{i}")
    assert len(seen) == 10
    assert all(f"p{i}" in seen for i in range(10))
    assert "p10" not in seen and "" not in seen


@pytest.mark.parametrize("jobs", [1, 2])
def test_tasks_are_emitted_in_order_and_a_barrier_waits_for_those_before_it(tmp_path, jobs):
    """The one ordered loop of both paths: results in submission order (a pool finishes them in
    any order: the long abstracts take longer), nothing after a barrier taken before all before
    it were emitted, and a task's error raised where its result is asked for."""
    from auditor.extract_chunks import ChunkTask
    from auditor.extract_stream import run_in_order
    from auditor.models import Paper

    log: list[str] = []

    def tasks():
        for i in range(6):
            log.append(f"take {i}")
            abstract = "Code: https://github.com/o/r. " + "word " * (4000 if i % 2 == 0 else 1)
            yield ([(Paper(paper_id=f"{i:016x}", title=f"Paper {i}", abstract=abstract), ["d"], "d")], "jsonl"), i
            if i == 2:
                yield None
        yield ChunkTask(str(tmp_path / "gone.jsonl"), 0, 10, None, "gone.jsonl", "gone.jsonl", "jsonl"), "gone"

    def emit(result, tag):
        if tag == "gone":
            with pytest.raises(FileNotFoundError):
                result()
        else:
            assert f'"Paper {tag}"' in result()[0]
        log.append(f"emit {tag}")

    run_in_order(tasks(), jobs, emit)
    assert [e for e in log if e.startswith("emit")] == [f"emit {i}" for i in range(6)] + ["emit gone"]
    assert log.index("take 3") > log.index("emit 2")


@pytest.mark.parametrize("failing", [1, 3], ids=["the first batch's output", "the large batch's own wait"])
def test_an_error_while_a_large_batch_is_still_being_sent_ends_the_pool(tmp_path, failing):
    """`audit extract ... | head` could hang: the closed stdout raised while the pool's task thread was
    still pickling a batch bigger than the pipe's buffer, with every worker busy, and Pool.terminate()
    stopped the workers and the reading, then waited for that thread for good. Here both workers are
    busy for 0.6 s with a task each, the third batch (~220 kB) is then pickled for 0.3 s, and the output
    fails as soon as both workers are busy: the error must come out (after the batches handed over are done).
    The error comes while emitting the first batch (the large one still waits in the window), or while
    waiting for the large batch itself (a Ctrl-C during ``result()``: the task in hand is settled too)."""
    import threading

    from auditor.extract_stream import run_in_order
    from auditor.models import Paper

    from pool_timing import SlowPaper, wait_for_files

    busy = tmp_path / "busy"
    busy.mkdir()

    def paper(i: int, words: int = 1) -> Paper:
        return Paper(paper_id=f"{i:016x}", title=f"Paper {i}", abstract="Code: https://github.com/o/r. " + "word " * words)

    def tasks():
        for i in (1, 2):
            yield ([(SlowPaper(paper(i), unpickling=0.6, busy=busy), ["d"], "d")], "jsonl"), i
        large = [(paper(i, words=200), ["d"], "d") for i in range(3, 200)]
        yield ([(SlowPaper(paper(200), pickling=0.3, after=(busy, 2)), ["d"], "d"), *large], "jsonl"), 3
        if failing == 1:
            yield ([(paper(201), ["d"], "d")], "jsonl"), 4  # fills the window: batch 1 is emitted at once

    emitted: list[int] = []

    def emit(result, tag):
        emitted.append(tag)
        wait_for_files(busy, 2)  # both workers hold a task: nothing reads the third batch now
        if tag == failing:
            raise BrokenPipeError(32, "Broken pipe")

    raised: list[BaseException] = []

    def run() -> None:
        try:
            run_in_order(tasks(), 2, emit)
        except BaseException as exc:  # noqa: BLE001 - what the thread ended with is the test's answer
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)  # a hung pool must not hang the suite
    thread.start()
    thread.join(30)
    assert not thread.is_alive(), "the pool did not end after the error"
    assert len(list(busy.iterdir())) == 2
    assert emitted == list(range(1, failing + 1)) and [type(e) for e in raised] == [BrokenPipeError]
