"""read_records: format detection, one-line InputErrors, tables through DuckDB, streaming."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from auditor.errors import InputError
from auditor.ingest import detect_format, read_records, tables
from auditor.models import paper_id_for

from conftest import shared_path

DATA = Path(__file__).parent / "data" / "ingest"


def _fails(path: Path, **kwargs) -> str:
    """The InputError message of read_records(path), raised at the call itself."""
    with pytest.raises(InputError) as info:
        read_records(path, **kwargs)  # no list(): errors come before the first record
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


# --------------------------------------------------------------------------- unusable files


def test_missing_file(tmp_path):
    assert "no such file" in _fails(tmp_path / "nope.txt")


def test_directory(tmp_path):
    assert "directory" in _fails(tmp_path)


@pytest.mark.parametrize("content", [b"", b"  \n\n\t\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert "is empty" in _fails(path)


def test_binary_file(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_bytes(bytes(range(256)) * 10)
    assert "binary" in _fails(path)


@pytest.mark.parametrize("name", ["dump.txt", "table.csv"])
def test_latin1_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes("title,abstract\nCafé société,résumé\n".encode("latin-1"))
    assert "not UTF-8" in _fails(path)


def test_latin1_beyond_the_sniffed_head_of_a_dump(tmp_path):
    path = tmp_path / "dump.txt"
    body = "Title\n\n" + "abstract " * 10_000 + "\n\n"
    path.write_bytes(("new\n\nbyAK and the research community\n\nMar 3\n\n" + body).encode() + "Café".encode("latin-1"))
    assert "not UTF-8" in _fails(path)


@pytest.mark.parametrize("html", [
    "<!DOCTYPE html>\n<html><head><title>Daily Papers</title></head><body>x</body></html>",
    "\n  <html lang='en'>\n<body>byAK and the research community</body></html>",
])
def test_html_page(tmp_path, html):
    path = tmp_path / "dump.txt"
    path.write_text(html, encoding="utf-8")
    assert "HTML page" in _fails(path)


def test_csv_without_title_and_abstract_columns_names_the_columns_it_has(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text("name,text,year\na,b,2020\n", encoding="utf-8")
    message = _fails(path)
    assert "no title column or abstract column" in message
    assert "name, text, year" in message


def test_custom_column_that_is_absent(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text("title,abstract\na,b\n", encoding="utf-8")
    message = _fails(path, abstract_column="Body")
    assert "'Body'" in message and "title, abstract" in message


@pytest.mark.parametrize("name,content,expected", [
    ("notes.dat", "just some words\nand more words\n", "unknown format"),
    ("notes.txt", "just some words\n\nand more words\n", "does not look like a Hugging Face"),
    ("data.jsonl", "title,abstract\n", "not JSON Lines"),
    ("data.parquet", "title,abstract\n", "not a Parquet file"),
])
def test_unknown_or_mislabelled_format(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert expected in _fails(path)


def test_gzip_and_utf16_are_named(tmp_path):
    import gzip

    gz = tmp_path / "papers.jsonl.gz"
    gz.write_bytes(gzip.compress(b'{"title": "a", "abstract": "b"}\n'))
    assert "gzip" in _fails(gz)
    utf16 = tmp_path / "papers.csv"
    utf16.write_bytes("title,abstract\na,b\n".encode("utf-16"))
    assert "UTF-16" in _fails(utf16)


# --------------------------------------------------------------------------- tables


def test_csv_with_default_column_names_any_case(tmp_path):
    path = tmp_path / "papers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ID", "Title", "Abstract", "Date", "Authors", "Upvotes"])
        writer.writerow(["2312.07541v2", "SMERF:  Streamable\n  Memory", "Code: https://x.io,\nwrapped",
                         "2023-12-12", "A, B and C", "7"])
        writer.writerow(["not-an-id", "Second", "Abstract 2", "Dec 1, 2023", "4", ""])
    first, second = read_records(path)
    assert first.paper.title == "SMERF: Streamable Memory"
    assert first.paper.abstract == "Code: https://x.io,\nwrapped"  # abstracts are kept as they are
    assert (first.paper.arxiv_id, first.paper.published_on, first.paper.authors, first.paper.upvotes) == (
        "2312.07541", date(2023, 12, 12), 3, 7)
    assert first.paper.paper_id == paper_id_for("SMERF: Streamable Memory")
    assert (first.sighting.source, first.sighting.position, first.sighting.dump_date) == ("papers.csv", 0, None)
    assert (second.paper.arxiv_id, second.paper.published_on, second.paper.authors, second.paper.upvotes) == (
        None, date(2023, 12, 1), 4, None)
    assert second.sighting.position == 1


def test_csv_with_aliases_and_tabs(tmp_path):
    path = tmp_path / "papers.tsv"
    path.write_text("Paper Title\tSummary\tpublished\nA paper\tIts summary\t2024-01-02T10:00:00Z\n", encoding="utf-8")
    [record] = read_records(path)
    assert (record.paper.title, record.paper.abstract, record.paper.published_on) == (
        "A paper", "Its summary", date(2024, 1, 2))


def test_csv_with_custom_column_names(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("headline,body,title\nReal title,Real abstract,not this one\n", encoding="utf-8")
    [record] = read_records(path, title_column="HEADLINE", abstract_column="Body")
    assert (record.paper.title, record.paper.abstract) == ("Real title", "Real abstract")


def test_csv_bad_rows_are_skipped_and_reported(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_text("title,abstract,upvotes\na,b,1\nbroken row\n,no title,3\nc,d,4\ne,,5\n", encoding="utf-8")
    skips = []
    records = list(read_records(path, on_skip=lambda *a: skips.append(a)))
    assert [r.paper.title for r in records] == ["a", "c"]
    assert [r.paper.upvotes for r in records] == [1, 4]
    messages = [m for _, _, m in skips]
    assert len(skips) == 3 and all(s == "papers.csv" for s, _, _ in skips)
    assert "no title" in messages and any(m.startswith("no abstract for 'e'") for m in messages)
    assert any(m.startswith("line 3:") for m in messages)


def test_jsonl_with_default_and_custom_columns(tmp_path):
    path = tmp_path / "papers.jsonl"
    rows = [
        {"paper_title": "One", "summary": "S1", "published_on": "2024-05-06", "authors": ["a", "b"], "upvotes": 12},
        {"paper_title": "Two", "summary": "S2", "published_on": None, "authors": [], "upvotes": None},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    one, two = read_records(path)
    assert (one.paper.title, one.paper.abstract, one.paper.published_on, one.paper.authors, one.paper.upvotes) == (
        "One", "S1", date(2024, 5, 6), 2, 12)
    assert (two.paper.published_on, two.paper.authors, two.paper.upvotes) == (None, 0, None)

    custom = tmp_path / "custom.ndjson"
    custom.write_text(json.dumps({"Name": "Three", "Text": "T3"}) + "\n", encoding="utf-8")
    [three] = read_records(custom, title_column="name", abstract_column="text")
    assert (three.paper.title, three.paper.abstract) == ("Three", "T3")


def test_jsonl_malformed_lines_are_skipped_and_reported(tmp_path):
    path = tmp_path / "papers.jsonl"
    lines = [json.dumps({"title": f"T{i}", "abstract": "A"}) for i in range(5)]
    lines[2] = '{"title": oops'
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    skips = []
    records = list(read_records(path, on_skip=lambda *a: skips.append(a)))
    assert [(r.sighting.position, r.paper.title) for r in records] == [(0, "T0"), (1, "T1"), (3, "T3"), (4, "T4")]
    assert skips == [("papers.jsonl", 2, "empty or malformed row")]


def test_json_array(tmp_path):
    path = tmp_path / "papers.json"
    path.write_text(json.dumps([{"title": "A", "abstract": "B"}, {"title": "C", "abstract": "D"}]), encoding="utf-8")
    assert [r.paper.title for r in read_records(path)] == ["A", "C"]
    assert detect_format(path) == "json_array"


def test_parquet_with_default_and_custom_columns(tmp_path):
    path = tmp_path / "papers.parquet"
    pq.write_table(pa.table({
        "Title": ["P1", "P2"],
        "Abstract": ["A1", "A2"],
        "authors": [["x", "y", "z"], None],
        "date": pa.array([date(2025, 1, 2), None], pa.date32()),
        "arxiv_id": ["2501.00001", None],
        "upvotes": pa.array([3, None], pa.int64()),
    }), path)
    p1, p2 = read_records(path)
    assert (p1.paper.title, p1.paper.authors, p1.paper.published_on, p1.paper.arxiv_id, p1.paper.upvotes) == (
        "P1", 3, date(2025, 1, 2), "2501.00001", 3)
    assert (p2.paper.authors, p2.paper.published_on, p2.paper.arxiv_id, p2.paper.upvotes) == (None, None, None, None)

    custom = tmp_path / "custom.data"  # no telling extension: the PAR1 signature decides
    pq.write_table(pa.table({"h": ["P3"], "b": ["A3"]}), custom)
    [p3] = read_records(custom, title_column="h", abstract_column="b")
    assert (p3.paper.title, p3.paper.abstract) == ("P3", "A3")


def _snapshot_row(ident: str, title: str, created: str, update: str, n_authors: int) -> dict:
    return {
        "id": ident, "submitter": "Someone", "authors": "A. One and B. Two", "title": title,
        "comments": "10 pages", "journal-ref": None, "doi": None, "report-no": None,
        "categories": "cs.LG", "license": None, "abstract": "  An abstract with a link\nhttps://github.com/a/b\n",
        "versions": [{"version": "v1", "created": created}, {"version": "v2", "created": "Tue, 1 Jan 2019 00:00:00 GMT"}],
        "update_date": update, "authors_parsed": [["Last", "First", ""]] * n_authors,
    }


def test_arxiv_snapshot_is_recognised_without_options(tmp_path):
    path = tmp_path / "arxiv-metadata-oai-snapshot.json"
    rows = [
        _snapshot_row("0704.0001", "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
                      "Mon, 2 Apr 2007 19:18:42 GMT", "2008-11-13", 4),
        _snapshot_row("math/0406456", "An old-style identifier", "Wed, 23 Jun 2004 10:00:00 GMT", "2009-01-01", 1),
        _snapshot_row("2401.12345", "A new one", "", "2024-01-25", 2),
    ]
    rows[2]["versions"] = []
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert detect_format(path) == "jsonl"
    first, old, new = read_records(path)
    assert first.paper.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert first.paper.abstract == rows[0]["abstract"]
    assert (first.paper.arxiv_id, first.paper.published_on, first.paper.authors) == ("0704.0001", date(2007, 4, 2), 4)
    assert (old.paper.arxiv_id, old.paper.published_on, old.paper.authors) == ("math/0406456", date(2004, 6, 23), 1)
    assert (new.paper.arxiv_id, new.paper.published_on) == ("2401.12345", date(2024, 1, 25))  # no versions: update_date
    assert tables.plan([(k, "VARCHAR") for k in rows[0]], "t", "f", None, None).arxiv_snapshot


@pytest.mark.shared
def test_real_arxiv_sample_reads_whole():
    path = shared_path("abstracts", "arxiv-2025-2026-sample.jsonl")
    records = list(read_records(path))
    assert len(records) == 2000
    assert all(r.paper.arxiv_id and "\n" not in r.paper.title for r in records)
    assert sum("\n" in r.paper.abstract for r in records) > 1000  # arXiv's wrapping kept for the extractor


# --------------------------------------------------------------------------- streaming


def test_a_big_jsonl_streams_lazily(tmp_path, monkeypatch):
    path = tmp_path / "big.jsonl"
    rows = 200_000
    line = '{"title": "Paper %d", "abstract": "An abstract.", "upvotes": %d}\n'
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(line % (i, i) for i in range(rows))

    fetched = []
    real_batches = tables._batches

    def counting(cursor, size):
        for batch in real_batches(cursor, size):
            fetched.append(len(batch))
            yield batch

    monkeypatch.setattr(tables, "_batches", counting)
    monkeypatch.setattr(tables, "BATCH_SIZE", 1_000)
    reader = read_records(path)
    assert fetched == []  # opening checks columns but reads no rows
    first = next(reader)
    assert first.paper.title == "Paper 0" and first.sighting.position == 0
    assert fetched == [1_000]  # one batch handed over, not 200k rows
    second = next(reader)
    assert second.paper.upvotes == 1 and fetched == [1_000]
    for _ in range(999):  # the 1,001st record needs the second batch, and only that
        last = next(reader)
    assert last.sighting.position == 1_000 and fetched == [1_000, 1_000]
    reader.close()


def test_abandoned_reader_releases_its_file(tmp_path):
    path = tmp_path / "papers.jsonl"
    path.write_text('{"title": "a", "abstract": "b"}\n' * 10, encoding="utf-8")
    reader = read_records(path)
    next(reader)
    reader.close()  # the DuckDB connection closes with the generator
    with pytest.raises(StopIteration):
        next(reader)


def test_corrupt_parquet(tmp_path):
    path = tmp_path / "papers.parquet"
    path.write_bytes(b"PAR1" + b"not really parquet" * 10)
    assert "cannot be read as Parquet" in _fails(path)


def test_csv_saved_as_txt_is_read_as_csv(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text("title;abstract\nA;B\n", encoding="utf-8")
    assert detect_format(path) == "csv"
    assert [(r.paper.title, r.paper.abstract) for r in read_records(path)] == [("A", "B")]


def test_headerless_dump_whose_first_title_has_a_comma_stays_a_dump(tmp_path):
    path = tmp_path / "dump.txt"
    path.write_text("Summary, Title and Beyond: A Study\n\nAn abstract.\n\n  • 2 authors\n·\nMar 3, 2024\n", encoding="utf-8")
    assert detect_format(path) == "hf_dump"
    [record] = read_records(path, dump_year=2025)
    assert (record.paper.title, record.paper.authors, record.sighting.dump_date) == ("Summary, Title and Beyond: A Study", 2, None)
