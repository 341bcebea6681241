"""`audit extract` on JSON Lines: the workers read their own byte ranges, and print exactly what
the records read one by one by the table reader (DuckDB) give: the same papers, links, order,
sources, notes of cut abstracts and skipped records, in the same order.

The reference is tests/reference_extract.py's :class:`ReadDumps` (every record read by ingest's
reader in one process, each distinct paper extracted once). Ranges are made tiny so that every
case below falls on a range boundary somewhere.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import pickle
import random
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from auditor import extract_chunks, extract_stream
from auditor.extract import extract
from auditor.extract_output import extraction_row, paper_json
from auditor.extract_stream import SeenIds
from auditor.ingest import fields, json_lines, read_records
from auditor.ingest.oversized import RECORD_LIMIT
from auditor.models import Claim, Extraction, Link, Paper, Target
from inprocess import audit
from reference_extract import ReadDumps, staged


def reference(paths: list[Path], fmt: str = "jsonl") -> tuple[str, list[str]]:
    """stdout and the stderr lines of the one-by-one read."""
    out = io.StringIO()
    opened = ReadDumps(paths)
    opened.stream(fmt, out.write)
    return out.getvalue(), [f"audit: skipped {s}" for s in opened.skipped] + [f"audit: cut {c}" for c in opened.cuts]


def streamed(paths: list[Path], *args: str) -> tuple[str, list[str]]:
    result = audit("extract", "-q", *args, *map(str, paths))
    assert result.returncode == 0, result.stderr
    return result.stdout, result.stderr.splitlines()


def row(title: str, abstract: str, i: int, **extra: object) -> dict:
    return {"id": f"2401.{i:05d}", "submitter": "A", "authors": "A, B", "title": title, "comments": extra.pop("comments", None),
            "journal-ref": None, "doi": None, "categories": "cs.LG", "abstract": abstract,
            "versions": [{"version": "v1", "created": "Mon, 1 Jan 2024 00:00:00 GMT"}],
            "update_date": "2024-01-02", "authors_parsed": [["A", "", ""], ["B", "", ""]], **extra}


def line(obj: dict) -> bytes:
    return json.dumps(obj).encode()


@pytest.fixture
def papers(example_dumps) -> list[tuple[str, str]]:
    """(title, abstract) of the bundled dumps' papers: real links and claims."""
    return [(r.paper.title, r.paper.abstract) for p in example_dumps for r in read_records(p)]


FILLER = 20_500  # rows before the odd ones: beyond what DuckDB samples for the columns


def odd_lines(papers: list[tuple[str, str]]) -> list[bytes]:
    """Lines DuckDB and Python's json may read differently: the workers hand them to DuckDB."""
    t, a = papers[0]
    return [
        b'{"title": "cut", "abstract": ',  # malformed
        b"[1, 2]", b"null", b"\x0c", b"   \t",
        b'{"title": "first", "title": "second", "abstract": "Code: https://github.com/dup/key"}',
        b'{"title": 12.50, "abstract": "A number for a title"}',
        b'{"title": {"a": 1}, "abstract": "An object for a title"}',
        b'{"title": "nan", "abstract": "x", "versions": NaN}',
        b'{"title": "trailing comma", "abstract": "Code at https://github.com/trail/comma",}',
        b'{"title": "lone \\ud800 surrogate", "abstract": "x"}',
        b'{"title": "pair \\ud83d\\ude00", "abstract": "Code: https://github.com/emoji/pair"}',
        b'{"title": "not utf-8 \xff", "abstract": "x"}',
        b'{"title": "odd date", "abstract": "x", "versions": [{"created": "2024/01/05"}]}',
        b'{"title": "weekday", "abstract": "x", "versions": [{"created": "Tue, 31 Feb 2024 00:00:00 GMT"}]}',
        b'{"title": "iso date", "abstract": "x", "versions": [], "update_date": "2024-1-5"}',
        b'{"title": "bad date", "abstract": "x", "versions": null, "update_date": "garbage"}',
        b'{"title": "numbered date", "abstract": "x", "versions": [{"created": 5}]}',
        b'{"title": "versions text", "abstract": "x", "versions": "v1", "update_date": "2023-03-04"}',
        b'{"title": "authors text", "abstract": "x", "authors_parsed": "A and B"}',
        b'{"title": "late key", "abstract": "x", "summary": "ignored", "Title": "ignored too"}',
        b'{"title": "doi given", "abstract": "x", "doi": "10.1234/ABC", "journal-ref": "J. 1"}',
        b'{"title": "big number", "abstract": "x", "n": 123456789012345678901234567890}',
        b'{"title": "", "abstract": "no title"}',
        b'{"title": "no abstract", "abstract": "  "}',
        line(row(t, a + " (the same paper again, another abstract)", 7)),  # a repeat, far from its first
        b'{"title": "deep", "abstract": "x", "z": ' + b"[" * 120 + b"]" * 120 + b"}",
        line(dict(row("Crowded", "Code: https://github.com/many/authors", 8), authors_parsed=[["A", "", ""]] * 120)),
    ]


def write_dump(path: Path, papers: list[tuple[str, str]], *, filler: int = 0, crlf: bool = False,
               bom: bool = False, last_newline: bool = True, long_line: bool = False, bad_first: bool = False) -> Path:
    rng = random.Random(7)
    lines = [line(row("Filler", "Nothing to see.", i)) for i in range(filler)]
    body = [line(row(t, a, i, comments="Code: https://github.com/from/comments" if i % 5 == 0 else None))
            for i, (t, a) in enumerate(papers)]
    body += [line(row(t, a, 900 + i)) for i, (t, a) in enumerate(rng.sample(papers, 5))]  # repeats
    body.append(line(row("A long one", "Code: https://github.com/long/one. " + "word " * 2_500, 999)))
    body.insert(3, b"")
    if filler:
        body[10:10] = odd_lines(papers)
    if long_line:
        body.insert(12, line(row("Too long", "x" * (RECORD_LIMIT + 10), 998)))
    if bad_first:  # reported when the dump is opened, before the records of the dumps before it
        body[:0] = [b'{"title": "", "abstract": "no title", "versions": []}', b'{"title": "x", "abstract": " "}']
    data = (b"\r\n" if crlf else b"\n").join(lines + body)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data + ((b"\r\n" if crlf else b"\n") if last_newline else b""))
    return path


@pytest.fixture
def tiny_ranges(monkeypatch):
    monkeypatch.setattr(extract_stream, "CHUNK_BYTES", 700)


@pytest.fixture
def duckdb_lines(monkeypatch):
    """Counts the lines the workers hand to DuckDB (in-process with --jobs 1)."""
    calls: list[bytes] = []
    real = extract_chunks.rows_by_duckdb

    def counting(data, *args):
        calls.append(data)
        return real(data, *args)

    monkeypatch.setattr(extract_chunks, "rows_by_duckdb", counting)
    return calls


def test_line_ranges_end_at_line_ends_and_cover_the_file(tmp_path):
    path = tmp_path / "x.jsonl"
    data = b"".join(b"{}" + b" " * (i % 13) + b"\n" for i in range(200)) + b'{"last": 1}'
    path.write_bytes(data)
    for size in (1, 7, 64, 10_000):
        ranges = list(extract_chunks.line_ranges(path, size))
        assert b"".join(data[a:b] for a, b in ranges) == data
        assert all(data[b - 1:b] == b"\n" for _, b in ranges[:-1])
        assert all(a < b for a, b in ranges)


@pytest.mark.parametrize("shape", [{}, {"crlf": True, "bom": True, "last_newline": False}])
def test_workers_print_what_the_table_reader_gives(tmp_path, papers, tiny_ranges, duckdb_lines, shape, monkeypatch):
    path = write_dump(tmp_path / "snap.jsonl", papers, **shape)
    assert json_lines.line_plan(path, str(path), None, None) is not None  # read by the workers
    if shape:  # described by DuckDB in a process of its own, as a large file is
        monkeypatch.setattr(json_lines, "DESCRIBE_APART", 0)
    for fmt in ("jsonl", "csv"):
        assert streamed([path], "--jobs", "1", "--format", fmt) == reference([path], fmt)
    out, err = streamed([path], "--jobs", "1")
    assert len(out.splitlines()) > 20 and any('"claims": [{' in x for x in out.splitlines())
    assert any("audit: cut snap.jsonl record" in e for e in err)


def test_odd_lines_beyond_the_sample_are_read_as_duckdb_reads_them(tmp_path, papers, duckdb_lines, monkeypatch):
    monkeypatch.setattr(extract_stream, "CHUNK_BYTES", 64 << 10)
    monkeypatch.setattr(json_lines, "HEAD_LINES", 100)  # the record over the limit is then past the head
    path = write_dump(tmp_path / "snap.jsonl", papers, filler=FILLER, long_line=True)
    assert json_lines.line_plan(path, str(path), None, None) is not None
    want = reference([path])
    assert streamed([path], "--jobs", "1") == want
    skipped = [e for e in want[1] if "skipped" in e]
    assert any("over the 1,048,576-byte limit" in e for e in skipped) and any("malformed" in e for e in skipped)
    assert 10 <= len(duckdb_lines) <= 25  # the odd ones only


def test_several_dumps_keep_first_seen_order_and_every_source(tmp_path, papers, example_dumps, tiny_ranges):
    a = write_dump(tmp_path / "a.jsonl", papers[: len(papers) // 2])
    b = write_dump(tmp_path / "b.jsonl", papers[len(papers) // 3:], crlf=True, bad_first=True)
    dumps = [a, example_dumps[0], b, example_dumps[1]]
    assert streamed(dumps, "--jobs", "2", "--format", "csv") == reference(dumps, "csv")  # on the pool
    out, err = streamed(dumps, "--jobs", "1")
    assert (out, err) == reference(dumps)
    rows = [json.loads(x) for x in out.splitlines()]
    assert any(r["sources"] == ["a.jsonl", example_dumps[0].name, "b.jsonl"] for r in rows)
    assert err[0].startswith("audit: skipped b.jsonl record 0: no title")


def test_a_table_whose_columns_are_not_text_is_read_by_its_reader(tmp_path, papers):
    path = tmp_path / "n.jsonl"
    path.write_bytes(b"\n".join([line(row(t, a, i)) for i, (t, a) in enumerate(papers[:5])]
                                + [b'{"title": 5, "abstract": "a number in the sample"}']) + b"\n")
    assert json_lines.line_plan(path, str(path), None, None) is None
    assert streamed([path], "--jobs", "1") == reference([path])


def test_seen_ids_in_bulk_and_one_by_one_agree():
    rng = random.Random(3)
    seen, kept = SeenIds(merge_at=50), set()
    for round_ in range(40):
        ids = list({f"{rng.getrandbits(64):016x}" if rng.random() < 0.5 else rng.choice(sorted(kept) or ["0" * 16])
                    for _ in range(rng.randint(1, 120))})
        if round_ % 3 == 0:
            for pid in ids:
                assert (pid in seen) == (pid in kept)
                seen.add(pid)
                kept.add(pid)
        else:
            new = seen.add_new(b"".join(bytes.fromhex(p) for p in ids))
            assert new == [p not in kept for p in ids]
            kept.update(ids)
        assert len(seen) == len(kept)
    assert all(p in seen for p in kept) and "not-hex-at-all!!" not in seen


_NONE_OR_TEXT = st.none() | st.text(max_size=8)
_TARGETS = st.builds(Target, key=st.sampled_from(["github:a/b", "hf:c/d", "web:e\u2028f"]), kind=st.text(max_size=5),
                     host=st.just("h"), url=st.just("u"), owner=_NONE_OR_TEXT, name=_NONE_OR_TEXT)
_LINKS = st.builds(Link, raw=st.text(max_size=12), url=st.text(max_size=12), target=_TARGETS, ref=_NONE_OR_TEXT,
                   subpath=_NONE_OR_TEXT, number=st.none() | st.integers(), via=_NONE_OR_TEXT, placeholder=st.booleans(),
                   source=st.sampled_from(["abstract", "comments"]))
_CLAIMS = st.builds(Claim, kind=st.sampled_from(["available", "promised"]), sentence=st.text(max_size=12),
                    target_key=st.none() | st.sampled_from(["github:a/b", "hf:c/d"]), object=st.text(max_size=5))


@settings(max_examples=150, deadline=None)
@given(title=st.text(min_size=1), doi=st.none() | st.text(), sources=st.lists(st.text(), min_size=1, max_size=3),
       published=st.none() | st.dates(), links=st.lists(_LINKS, max_size=3), claims=st.lists(_CLAIMS, max_size=3))
def test_the_template_writes_what_json_dumps_writes(title, doi, sources, published, links, claims):
    paper = Paper(paper_id="0123456789abcdef", title=title, abstract="Nothing here.", doi=doi, arxiv_id="2401.00001",
                  published_on=published)
    for ex in (extract(paper.abstract), Extraction(tuple(links), tuple(claims))):
        assert paper_json(paper, ex, sources) == json.dumps(extraction_row(paper, ex, sources), ensure_ascii=False)


@functools.lru_cache(maxsize=1)
def snapshot_plan() -> json_lines.LinePlan:
    """The plan of a small arXiv-snapshot-shaped file (text columns, versions, a DATE column)."""
    folder = Path(tempfile.mkdtemp(prefix="audit-plan-"))
    path = folder / "snap.jsonl"
    path.write_bytes(b"\n".join(line(row(f"T {i}", "A b c.", i, comments="c")) for i in range(30)) + b"\n")
    plan = json_lines.line_plan(path, str(path), None, None)
    path.unlink()
    folder.rmdir()
    assert plan is not None and plan.date_typed
    return plan


_FINE = st.none() | st.text(max_size=12)
_TEXTISH = st.one_of(_FINE, _FINE, _FINE, _FINE, _FINE, st.integers() | st.floats(allow_nan=False, allow_infinity=False)
                     | st.booleans() | st.lists(st.text(max_size=3), max_size=2))  # mostly what json and DuckDB agree on
_DATES = st.none() | st.sampled_from(["Mon, 1 Jan 2024 00:00:00 GMT", "Sun, 29 Feb 2004 23:59:59 GMT",
                                      "Fri, 31 Apr 2020 10:00:00 GMT", "2024-02-29", "2023-02-29", "0999-01-01",
                                      "2024-1-5", "garbage", ""])


@settings(max_examples=120, deadline=None)
@given(obj=st.fixed_dictionaries({}, optional={
    "title": _TEXTISH, "abstract": _TEXTISH, "comments": _TEXTISH, "doi": _TEXTISH, "id": _TEXTISH,
    "journal-ref": _TEXTISH, "update_date": _DATES | _TEXTISH, "extra": _TEXTISH,
    "versions": st.none() | st.text(max_size=3) | st.lists(
        st.none() | st.fixed_dictionaries({}, optional={"created": _DATES | _TEXTISH, "version": _TEXTISH}), max_size=2),
    "authors_parsed": st.none() | st.text(max_size=3) | st.lists(st.none() | st.lists(st.none() | st.text(max_size=3), max_size=3), max_size=3),
}), ascii_only=st.booleans())
def test_a_line_read_in_python_is_the_row_duckdb_reads(obj, ascii_only):
    plan = snapshot_plan()
    data = json.dumps(obj, ensure_ascii=ascii_only).encode()
    mine = json_lines.row_of(data, plan)
    if mine is not None:  # else DuckDB reads it anyway
        assert [mine] == json_lines.rows_by_duckdb(data, plan, "t", 0)


@settings(max_examples=200, deadline=None)
@given(data=st.lists(st.sampled_from([b"{", b"[", b"}", b"x", b'"', b"\\"]), max_size=260).map(b"".join),
       limit=st.integers(0, 120))
def test_counting_brackets_by_find_is_counting_them(data, limit):
    assert json_lines._brackets_over(data, limit) == (data.count(b"{") + data.count(b"[") > limit)


def test_a_crowded_line_is_read_in_python_and_a_deep_one_by_duckdb():
    """Many authors make many brackets, not deep nesting: their row is DuckDB's, read in Python."""
    plan = snapshot_plan()
    crowded = dict(row("Many authors", "A b c.", 1), authors_parsed=[[f"A{i}", "B", ""] for i in range(150)],
                   tags=[{"k": "{[" * 30}])
    for depth, in_python in ((3, True), (json_lines.NESTING, True), (json_lines.NESTING + 1, False), (120, False)):
        obj = dict(crowded, z=functools.reduce(lambda inner, _: [inner], range(depth - 1), "x"))  # obj is level 1
        data = line(obj)
        mine = json_lines.row_of(data, plan)
        assert (mine is not None) == in_python, depth
        if mine is not None:
            assert [mine] == json_lines.rows_by_duckdb(data, plan, "t", 0) and mine[4] == 150


def test_a_rows_stored_values_are_the_papers_fields():
    """--db workers store a row's values without building its Paper, and paper_from builds its
    Paper from them by position: both must put each of the row's values in its own field."""
    from operator import attrgetter

    from auditor.ingest.fields import count_authors, parse_int
    from auditor.ingest.rows import PAPER_FIELDS, head_of, paper_from, paper_values
    from auditor.models import Paper

    plan = snapshot_plan()
    objs = [row("Plain", "A b c.", 1), row("With  comments\n", "See arXiv:2401.00002.", 2, comments=" 10\npages "),
            dict(row("Authors", "x", 3), authors_parsed=[["A", "", ""]] * 7, doi="https://doi.org/10.1/X"),
            dict(row("No date", "y", 4), update_date=None, versions=None, authors_parsed=None)]
    for obj in objs:
        fields = json_lines.row_of(line(obj), plan)
        for identified in (False, True):
            head = head_of(fields, identified=identified)
            by_name = Paper(paper_id=head.paper_id, title=head.title, abstract=head.abstract,
                            published_on=head.published_on, authors=count_authors(fields[4]),
                            upvotes=parse_int(fields[6]), arxiv_id=head.arxiv_id, doi=head.doi,
                            comments=head.comments, journal_ref=head.journal_ref, arxiv_id_via=head.arxiv_id_via)
            assert paper_from(head, fields) == by_name
            assert paper_values(head, fields) == attrgetter(*PAPER_FIELDS)(by_name)


def test_a_line_duckdb_refuses_is_named_by_its_row_in_the_whole_file(tmp_path, tiny_ranges, monkeypatch):
    """A worker counts rows from the start of its own range; the error names the row in the file,
    as the table reader does (the rows of the ranges before it included)."""
    path = tmp_path / "refused.jsonl"
    good = [line(row(f"Paper {i}", "Nothing to see.", i)) for i in range(30)]
    path.write_bytes(b"\n".join([*good, b'{"title": "first", "title": "second", "abstract": "dup"}', *good[:2]]) + b"\n")
    real = extract_chunks.rows_by_duckdb

    def refusing(data, plan, shown, position):
        if b'"second"' in data:
            raise json_lines.RowError(shown, position, "refused here")
        return real(data, plan, shown, position)

    monkeypatch.setattr(extract_chunks, "rows_by_duckdb", refusing)
    result = audit("extract", "-q", "--jobs", "1", str(path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].endswith(": cannot be read as JSON Lines after row 30: refused here")
    crossed = pickle.loads(pickle.dumps(json_lines.RowError("a.jsonl", 4, "why")))  # from a pool's worker
    assert str(crossed.counted_from(26)) == "a.jsonl: cannot be read as JSON Lines after row 30: why"


def test_the_workers_store_what_the_one_process_reader_stores(tmp_path, papers, example_dumps, tiny_ranges):
    """`audit extract --db` on JSON Lines: the store rows the workers build range by range (a paper
    met again in a later range or dump keeps its first extraction) are the rows that reading
    record by record stores, in every table, in process (--jobs 1) and across a pool (--jobs 2)."""
    from datetime import date

    from auditor.store import Store
    from test_extract_db import rows

    a = write_dump(tmp_path / "a.jsonl", papers[: len(papers) // 2])
    b = write_dump(tmp_path / "b.jsonl", papers[len(papers) // 3:], crlf=True, bad_first=True)
    dumps = [a, example_dumps[0], b]
    db, ref = tmp_path / "workers.duckdb", tmp_path / "reader.duckdb"
    assert audit("extract", "-q", "--jobs", "1", "--db", str(db), *map(str, dumps)).returncode == 0
    with Store.open(ref) as store:
        run_id = store.start_run({"command": "extract"}, date.today())
        store.begin_staging()
        ReadDumps(dumps).stream("jsonl", lambda text: None, staged(store))
        store.merge_staged(run_id)
        store.finish_run(run_id, "done")
    stored = rows(db)
    assert len(stored["sightings"]) > len(stored["papers"]) > 50 and stored["links"]  # repeats were read
    assert stored == rows(ref)
    # The same through a real pool: each batch's Arrow tables are pickled back from a worker process.
    pooled = tmp_path / "pool.duckdb"
    assert audit("extract", "-q", "--jobs", "2", "--db", str(pooled), *map(str, dumps)).returncode == 0
    assert rows(pooled) == stored


def test_a_later_dump_is_read_for_its_ids_by_the_workers(tmp_path, tiny_ranges, monkeypatch):
    """The dumps after the first are read once beforehand for their ids (the sources of the papers
    before them), by the workers as the stream reads them: a line DuckDB refuses there fails the
    command before anything is written, named by its row in the whole file."""
    first = tmp_path / "first.jsonl"
    first.write_bytes(line(row("Paper 0", "Nothing to see.", 0)) + b"\n")
    path = tmp_path / "refused.jsonl"
    good = [line(row(f"Paper {i}", "Nothing to see.", i)) for i in range(30)]
    path.write_bytes(b"\n".join([*good, b'{"title": "first", "title": "second", "abstract": "dup"}', *good[:2]]) + b"\n")
    real = extract_chunks.rows_by_duckdb
    calls = []

    def refusing(data, plan, shown, position):
        calls.append(shown)
        if b'"second"' in data:
            raise json_lines.RowError(shown, position, "refused here")
        return real(data, plan, shown, position)

    monkeypatch.setattr(extract_chunks, "rows_by_duckdb", refusing)
    result = audit("extract", "-q", "--jobs", "1", str(first), str(path))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines()[-1].endswith(": cannot be read as JSON Lines after row 30: refused here")
    assert calls == [str(path)]


def test_a_papers_sources_name_each_dump_once_on_both_paths(tmp_path, papers):
    """A paper's sources are its first dump's name, then each later dump's that holds it, each
    name once: two dumps of one name in two folders are one source. The workers' path and the
    one-by-one read agree (they share extract_stream.sources_of)."""
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    first = write_dump(tmp_path / "x" / "a.jsonl", papers[:10])
    again = write_dump(tmp_path / "y" / "a.jsonl", papers[6:16])
    other = write_dump(tmp_path / "b.jsonl", papers[8:14])
    dumps = [first, other, again]
    out, err = streamed(dumps, "--jobs", "1")
    assert (out, err) == reference(dumps)
    sources = {json.loads(x)["title"]: json.loads(x)["sources"] for x in out.splitlines()}
    assert sources[papers[8][0]] == ["a.jsonl", "b.jsonl"]
    assert sources[papers[6][0]] == ["a.jsonl"] and sources[papers[12][0]] == ["b.jsonl", "a.jsonl"]
    assert extract_stream.sources_of("p", "a", [("b", {"p"}), ("a", {"p"}), ("c", set()), ("b", {"p"})]) == ["a", "b"]


_JSONISH = st.lists(st.sampled_from(['{', '}', '[', ']', '"a"', '"a"', ': ', ', ', '1', 'x', ' ', '\t', '\r', '\n', '\x0c',
                                     'null', '"\\u00e9"']), max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_JSONISH | st.builds(lambda obj, tail: json.dumps(obj) + tail,
                                  st.dictionaries(st.text(max_size=3), st.none() | st.text(max_size=3), max_size=3),
                                  st.sampled_from(["", " ", "\r", " \t\n", " x", "{}", "\x0c"])))
def test_decoding_by_the_scanner_is_decoding_by_decode(text):
    def outcome(decode):
        try:
            return decode(text)
        except ValueError:  # what row_of catches (JSONDecodeError is one)
            return "refused"
    assert outcome(json_lines._decoded) == outcome(json_lines._DECODE)


def _rfc2822_plain(text: str):
    """The RFC 2822 reading _date_of stands for: the pattern of \\d groups, the clock checked by int()."""
    match = re.fullmatch(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                         r" (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT", text)
    if not match or int(match[3]) < 1000 or int(match[4]) > 23 or int(match[5]) > 59 or int(match[6]) > 59:
        return "odd"
    try:
        return datetime.date(int(match[3]), ("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split().index(match[2])
                                              + 1), int(match[1]))
    except ValueError:
        return "odd"


_DIGITS = st.text("0123456789", min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(day=_DIGITS, month=st.sampled_from(["Jan", "Feb", "Apr", "Dec", "jan", "Foo"]), year=st.text("0129", min_size=3, max_size=5),
       clock=st.tuples(_DIGITS, _DIGITS, _DIGITS).map(":".join), weekday=st.sampled_from(["Mon", "Sun", "Xyz"]))
def test_an_rfc2822_date_is_read_as_the_plain_pattern_reads_it(day, month, year, clock, weekday):
    text = f"{weekday}, {day} {month} {year} {clock} GMT"
    try:
        mine = json_lines._date_of(text)
    except json_lines._Odd:
        mine = "odd"
    assert mine == _rfc2822_plain(text)


def test_an_rfc2822_date_in_other_digits_is_duckdbs_to_read():
    with pytest.raises(json_lines._Odd):
        json_lines._date_of("Mon, \u0661 Jan 2024 00:00:00 GMT")  # ARABIC-INDIC DIGIT ONE: \d, but not ASCII


def test_a_date_read_again_is_read_as_the_first_time():
    """_date_of keeps each day it has read: a day met again gives what it gave, an ISO or RFC 2822 one."""
    texts = ["2024-02-30", "2024-01-02", "0999-01-01", "2024-13-01", "Mon, 30 Feb 2024 00:00:00 GMT",
             "Tue, 2 Jan 2024 10:11:12 GMT", "Tue, 2 Jan 2024 23:59:59 GMT", "Tue, 2 Jan 0999 23:59:59 GMT"]

    def read(text):
        try:
            return json_lines._date_of(text)
        except json_lines._Odd:
            return "odd"
    json_lines._DAYS.clear()
    first = [read(text) for text in texts]
    assert first == [None, datetime.date(2024, 1, 2), "odd", None, "odd", datetime.date(2024, 1, 2),
                     datetime.date(2024, 1, 2), "odd"]
    assert [read(text) for text in texts] == first


@pytest.mark.parametrize("value", ["2401.01234", "2401.1234", "2401.123", "2401.123456", "2401-01234", "240a.01234",
                                   "\u0662401.01234", "２401.01234", " 2401.01234\n", "2401.01234v2", "hep-th/9901001"])
def test_a_new_style_arxiv_id_is_what_the_pattern_finds(value):
    match = fields._ARXIV_ID.match(value.strip())
    assert fields.arxiv_id(value) == (match["id"] if match else None)
