"""Tables (CSV, JSON Lines, JSON arrays, Parquet, the arXiv metadata snapshot) read through DuckDB.

DuckDB parses the file in parallel and hands rows over in batches
(``fetchmany``), so a file of millions of rows streams with flat memory and
only the columns we need are converted. Column names are matched without
regard to case, spaces or dashes, against the aliases below or the names the
caller gives.

The arXiv metadata snapshot (JSON Lines with ``id``, ``title``, ``abstract``,
``versions``, ``update_date``, ``authors_parsed``) needs no options: its
``id`` is the arXiv id (its ``doi``, ``comments`` and ``journal-ref`` are kept too), the paper's date is the first version's ``created``
(else ``update_date``) and the author count is the length of ``authors_parsed``.

Rows that cannot be used (a malformed JSON line, a CSV line with the wrong
number of fields, a row without title or abstract) go to ``on_skip`` and the
rest is read. ``position`` is the 0-based index of the row among the rows
DuckDB read (blank JSON lines are not rows).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import duckdb

from auditor.errors import InputError
from auditor.ingest.oversized import readable_copy
from auditor.ingest.fields import arxiv_id, count_authors, normalise_title, parse_date, parse_int
from auditor.discover.identity import normalise_doi
from auditor.models import Paper, Record, Sighting, paper_id_for

OnSkip = Callable[[str, int, str], None]

#: Rows handed from DuckDB to Python at a time.
BATCH_SIZE = 10_000

#: Column aliases per field, in order of preference (compared after :func:`_key`).
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "paper_title", "papertitle", "article_title", "document_title"),
    "abstract": ("abstract", "summary", "paper_abstract", "abstract_text", "abstracttext", "description"),
    "date": ("published_on", "published", "date", "publication_date", "published_date",
             "published_at", "pub_date", "submitted", "update_date"),
    "authors": ("authors", "author", "author_names", "num_authors", "n_authors", "author_count"),
    "arxiv_id": ("arxiv_id", "arxivid", "arxiv", "id", "paper_id"),
    "upvotes": ("upvotes", "num_upvotes", "upvote_count", "votes"),
    "doi": ("doi",),
    "comments": ("comments", "comment", "arxiv_comments"),
    "journal_ref": ("journal_ref", "journalref", "journal"),
}

SCANS = {
    "csv": "read_csv(?, all_varchar = true, header = true, store_rejects = true)",
    "jsonl": "read_json(?, format = 'newline_delimited', ignore_errors = true)",
    "json_array": "read_json(?, format = 'array', ignore_errors = true)",
    "parquet": "read_parquet(?)",
}
RFC2822_GMT = "%a, %d %b %Y %H:%M:%S GMT"  # arXiv's versions[].created
KIND = {"csv": "CSV", "jsonl": "JSON Lines", "json_array": "JSON", "parquet": "Parquet"}


@dataclass(frozen=True)
class Plan:
    """Which column of the file feeds which field, and the SQL that reads them."""

    sql: str
    arxiv_snapshot: bool


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _one_line(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"^[A-Za-z ]*Error: ", "", first)


def plan(columns: Sequence[tuple[str, str]], scan: str, shown: str,
         title_column: str | None, abstract_column: str | None) -> Plan:
    """Match the file's (name, DuckDB type) columns to our fields; fail in one line if we cannot."""
    by_key: dict[str, tuple[str, str]] = {}
    for name, type_ in columns:
        by_key.setdefault(_key(name), (name, type_))

    def find(field: str, given: str | None = None) -> tuple[str, str] | None:
        if given is not None:
            return by_key.get(_key(given))
        return next((by_key[a] for a in ALIASES[field] if a in by_key), None)

    title, abstract = find("title", title_column), find("abstract", abstract_column)
    if title is None or abstract is None:
        names = ", ".join(name for name, _ in columns) or "none"
        missing = []
        if title is None:
            missing.append(f"title column {title_column!r}" if title_column else "title column")
        if abstract is None:
            missing.append(f"abstract column {abstract_column!r}" if abstract_column else "abstract column")
        hint = "" if (title_column or abstract_column) else " (name them with --title-column/--abstract-column)"
        raise InputError(f"{shown}: has no {' or '.join(missing)}; its columns are: {names}{hint}")

    versions, parsed = by_key.get("versions"), by_key.get("authors_parsed")
    snapshot = "id" in by_key and versions is not None
    exprs = [f"CAST({_quote(title[0])} AS VARCHAR)", f"CAST({_quote(abstract[0])} AS VARCHAR)"]

    date = find("date")
    date_expr = f"CAST({_quote(date[0])} AS VARCHAR)" if date else "NULL"
    if versions is not None:
        first = f"json_extract_string(to_json({_quote(versions[0])}), '$[0].created')"
        date_expr = f"COALESCE({first}, {date_expr})"
    exprs.append(date_expr)

    authors = find("authors")
    if parsed is not None:
        exprs.append(f"json_array_length(to_json({_quote(parsed[0])}))")
    elif authors is not None and authors[1].endswith("[]"):
        exprs.append(f"len({_quote(authors[0])})")
    elif authors is not None:
        exprs.append(f"CAST({_quote(authors[0])} AS VARCHAR)")
    else:
        exprs.append("NULL")

    for field in ("arxiv_id", "upvotes", "doi", "comments", "journal_ref"):
        found = find(field)
        exprs.append(f"CAST({_quote(found[0])} AS VARCHAR)" if found else "NULL")
    # DuckDB parses the common date shapes (ISO, arXiv's RFC 2822 in GMT) far faster
    # than Python; the raw text goes along for the rest (parse_date).
    inner = ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(exprs))
    sql_date = f"COALESCE(TRY_CAST(c2 AS DATE), CAST(try_strptime(c2, '{RFC2822_GMT}') AS DATE))"
    return Plan(f"SELECT c0, c1, c2, {sql_date}, c3, c4, c5, c6, c7, c8 FROM (SELECT {inner} FROM {scan})", snapshot)


def open_table(path: Path, fmt: str, shown: str, *, title_column: str | None = None,
               abstract_column: str | None = None, on_skip: OnSkip | None = None) -> Iterator[Record]:
    """Check the columns now (errors surface at the call) and return a lazy reader.

    A line over oversized.RECORD_LIMIT in a CSV or JSON Lines table is reported
    to ``on_skip`` with its line number and the rest is read (from a copy
    without it, deleted when the reader ends).
    """
    copy = readable_copy(path, 1 if fmt == "csv" else 0, path.name, on_skip) if fmt in ("csv", "jsonl") else None
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    scan = SCANS[fmt]
    try:
        columns = [(row[0], row[1]) for row in
                   con.execute(f"DESCRIBE SELECT * FROM {scan}", [str(copy or path)]).fetchall()]
        the_plan = plan(columns, scan, shown, title_column, abstract_column)
    except duckdb.Error as exc:
        con.close()
        _remove(copy)
        raise InputError(f"{shown}: cannot be read as {KIND[fmt]}: {_one_line(exc)}") from None
    except InputError:
        con.close()
        _remove(copy)
        raise
    return _rows(con, the_plan, path, fmt, shown, on_skip, copy)


def _remove(copy: Path | None) -> None:
    if copy is not None:
        copy.unlink(missing_ok=True)


def _rows(con: duckdb.DuckDBPyConnection, the_plan: Plan, path: Path, fmt: str, shown: str,
          on_skip: OnSkip | None, copy: Path | None = None) -> Iterator[Record]:
    source = path.name
    position = 0
    read = copy or path
    try:
        try:
            cursor = con.execute(the_plan.sql, [str(read)])
            for batch in _batches(cursor, BATCH_SIZE):
                for row in batch:
                    result = to_record(row, source, position)
                    if isinstance(result, str):
                        if on_skip is not None:
                            on_skip(source, position, result)
                    else:
                        yield result
                    position += 1
        except duckdb.Error as exc:
            raise InputError(f"{shown}: cannot be read as {KIND[fmt]} after row {position}: "
                             f"{_one_line(exc)}") from None
        if fmt == "csv" and on_skip is not None:
            for line, error in con.execute(
                    "SELECT line, arg_min(error_message, column_idx) FROM reject_errors GROUP BY line ORDER BY line").fetchall():
                on_skip(source, max(int(line) - 2, 0), f"line {line}: {_one_line(Exception(error))}")
    finally:
        con.close()
        _remove(copy)


def _batches(cursor: duckdb.DuckDBPyConnection, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """Rows in batches of ``size``: DuckDB streams the result, we never hold it whole."""
    while True:
        batch = cursor.fetchmany(size)
        if not batch:
            return
        yield batch


def to_record(row: Sequence[Any], source: str, position: int) -> Record | str:
    """A Record from one selected row, or the reason it cannot be one."""
    title, abstract, date, sql_date, authors, ident, upvotes, doi, comments, journal_ref = row
    if all(value is None for value in row):
        return "empty or malformed row"
    title = normalise_title(title or "")
    if not title:
        return "no title"
    if abstract is None or not abstract.strip():
        return f"no abstract for {title[:60]!r}"
    paper = Paper(
        paper_id=paper_id_for(title),
        title=title,
        abstract=abstract,
        published_on=sql_date if sql_date is not None else parse_date(date),
        authors=count_authors(authors),
        upvotes=parse_int(upvotes),
        arxiv_id=arxiv_id(ident),
        doi=normalise_doi(doi),
        comments=_text(comments),
        journal_ref=_text(journal_ref),
    )
    return Record(paper, Sighting(paper.paper_id, source, None, position))


def _text(value: Any) -> str | None:
    """A free-text field with its line wrapping collapsed; None when empty."""
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
