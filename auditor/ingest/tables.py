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

from auditor.errors import InputError, one_line
from auditor.ingest.oversized import readable_copy
from auditor.ingest.fields import ALIASES
from auditor.ingest.rows import to_record
from auditor.models import Record

OnSkip = Callable[[str, int, str], None]

#: Rows handed from DuckDB to Python at a time.
BATCH_SIZE = 10_000

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


def columns_for(columns: Sequence[tuple[str, str]], shown: str, title_column: str | None,
                abstract_column: str | None) -> dict[str, tuple[str, str] | None]:
    """The (name, DuckDB type) column feeding each field (None: no column), plus ``versions``
    and ``authors_parsed`` (the snapshot's); fail in one line without a title or abstract."""
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
    found: dict[str, tuple[str, str] | None] = {"title": title, "abstract": abstract}
    for field in ("date", "authors", "arxiv_id", "upvotes", "doi", "comments", "journal_ref"):
        found[field] = find(field)
    found["versions"], found["authors_parsed"] = by_key.get("versions"), by_key.get("authors_parsed")
    found["id"] = by_key.get("id")
    return found


def plan(columns: Sequence[tuple[str, str]], scan: str, shown: str,
         title_column: str | None, abstract_column: str | None) -> Plan:
    """Match the file's (name, DuckDB type) columns to our fields; fail in one line if we cannot."""
    found = columns_for(columns, shown, title_column, abstract_column)
    title, abstract = found["title"], found["abstract"]
    assert title is not None and abstract is not None
    versions, parsed = found["versions"], found["authors_parsed"]
    snapshot = found["id"] is not None and versions is not None
    exprs = [f"CAST({_quote(title[0])} AS VARCHAR)", f"CAST({_quote(abstract[0])} AS VARCHAR)"]

    date = found["date"]
    date_expr = f"CAST({_quote(date[0])} AS VARCHAR)" if date else "NULL"
    if versions is not None:
        first = f"json_extract_string(to_json({_quote(versions[0])}), '$[0].created')"
        date_expr = f"COALESCE({first}, {date_expr})"
    exprs.append(date_expr)

    authors = found["authors"]
    if parsed is not None:
        exprs.append(f"json_array_length(to_json({_quote(parsed[0])}))")
    elif authors is not None and authors[1].endswith("[]"):
        exprs.append(f"len({_quote(authors[0])})")
    elif authors is not None:
        exprs.append(f"CAST({_quote(authors[0])} AS VARCHAR)")
    else:
        exprs.append("NULL")

    for field in ("arxiv_id", "upvotes", "doi", "comments", "journal_ref"):
        column = found[field]
        exprs.append(f"CAST({_quote(column[0])} AS VARCHAR)" if column else "NULL")
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
        raise InputError(f"{shown}: cannot be read as {KIND[fmt]}: {one_line(exc)}") from None
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
                             f"{one_line(exc)}") from None
        if fmt == "csv" and on_skip is not None:
            for line, error in con.execute(
                    "SELECT line, arg_min(error_message, column_idx) FROM reject_errors GROUP BY line ORDER BY line").fetchall():
                on_skip(source, max(int(line) - 2, 0), f"line {line}: {one_line(Exception(error))}")
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
