"""JSON Lines rows read in Python, line by line, with the DuckDB reader's results.

`audit extract` hands byte ranges of a JSON Lines file to its workers, which
turn each line into the row the table reader (:mod:`auditor.ingest.tables`)
would have selected: the same fields, so :func:`auditor.ingest.rows.to_record`
makes the same Record. The file's columns and their types come from DuckDB
(``DESCRIBE``, as the table reader does), once, in the parent.

Python's ``json`` and DuckDB agree on an ordinary line; where they might not,
the line is handed to DuckDB itself, read with the file's columns fixed (one
line alone, ``ignore_errors`` as in the table reader): a line that is not
valid UTF-8 or JSON, not an object, has a key twice (DuckDB keeps the first),
a non-string value in a field we read (DuckDB writes its own JSON text),
NaN, long numbers, lone surrogates, deep nesting, or a date in a shape other
than ISO ``YYYY-MM-DD`` and arXiv's ``Mon, 2 Apr 2007 19:18:42 GMT``. A file
whose columns are not plain text (numbers in the title column, say), or with a
record over the size limit where DuckDB samples the columns, is read by the
table reader instead (:func:`line_plan` says None).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from itertools import chain
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from auditor.errors import InputError, one_line
from auditor.ingest.fields import MONTHS
from auditor.ingest.oversized import RECORD_LIMIT

#: Rows (non-blank lines) at the head of a file checked for records over the limit: DuckDB
#: samples the first 20,480 rows for the columns, and the table reader gives it a copy
#: without such records.
HEAD_LINES = 40_000

#: The fields of a selected row, in the table reader's order (after title and abstract:
#: the date text, then these), and which of them come from a column of text.
TEXT_FIELDS = ("arxiv_id", "upvotes", "doi", "comments", "journal_ref")

_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE = re.compile("[\ud800-\udfff]")  # what json leaves of an escaped surrogate without its pair
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
#: The clock's ranges checked by the pattern, not by three int() calls; ASCII digits only (another
#: script's digits are DuckDB's to read).
_RFC2822 = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                      r" (\d{4}) (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d GMT", re.ASCII)
_MONTH_OF = {name.title(): number for name, number in MONTHS.items()}
_STRUCT_OF_TEXT = re.compile(r'STRUCT\(((?:"?\w+"? VARCHAR)(?:, "?\w+"? VARCHAR)*)\)\[\]')


@dataclass(frozen=True)
class LinePlan:
    """Which JSON key feeds each field of the row, and the SQL that reads one line as the
    table reader would (a file's ``?``)."""

    title: str | None
    abstract: str | None
    date: str | None
    versions: str | None  # the snapshot's versions: the first one's "created" is the date
    authors: str | None  # a text column of authors
    authors_parsed: str | None  # the snapshot's list of authors
    text: tuple[str | None, ...]  # the keys of TEXT_FIELDS
    sql: str
    date_typed: bool = False  # DuckDB read the date column as DATE (its values ISO dates)
    text_keys: tuple[str | None, ...] = field(init=False, repr=False, compare=False)  # title, abstract, text

    def __post_init__(self) -> None:
        object.__setattr__(self, "text_keys", (self.title, self.abstract, *self.text))  # once, not per row


class _Odd(Exception):
    """This line is DuckDB's to read."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Odd  # a key twice: DuckDB keeps the first, json the last
    return found


def _constant(name: str) -> Any:
    raise _Odd


def _int(text: str) -> int:
    if len(text) > 18:
        raise _Odd
    return int(text)


def _float(text: str) -> float:
    if len(text) > 20 or "e" in text or "E" in text:
        raise _Odd
    return float(text)


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_constant, parse_int=_int,
                            parse_float=_float)
_DECODE = _DECODER.decode
_SCAN = _DECODER.scan_once  # the C scanner decode() calls
_JSON_SPACE = " \t\n\r"


def _decoded(text: str) -> Any:
    """``_DECODE(text)`` for a line that starts with its object: the C scanner called directly,
    without decode()'s two Python frames and two whitespace regexes."""
    if text[:1] != "{":
        return _DECODE(text)
    try:
        obj, end = _SCAN(text, 0)
    except StopIteration:  # a value missing inside: decode() makes it a JSONDecodeError
        raise ValueError("expecting value") from None
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        raise ValueError("extra data")
    return obj


def _date_of(text: str | None) -> date | None:
    """What the table reader's SQL makes of the date text (``TRY_CAST`` to DATE, else
    ``try_strptime`` of arXiv's RFC 2822); _Odd for any other shape."""
    if text is None:
        return None
    match = _ISO.fullmatch(text) if len(text) == 10 else None  # \d is one character: ISO's are 10
    if match:
        day = match.group(1, 2, 3)
    else:
        match = _RFC2822.fullmatch(text)
        if not match:
            raise _Odd
        day = match.group(3, 2, 1)
    try:
        return _DAYS[day]  # a file's papers share their days: the ints and the date once a day
    except KeyError:
        pass
    found = _day_of(day, rfc=match.re is _RFC2822)
    if len(_DAYS) >= _DAYS_KEPT:
        _DAYS.clear()
    _DAYS[day] = found
    return found


def _day_of(day: tuple[str, str, str], rfc: bool) -> date | None:
    """The date of (year, month, day) texts; _Odd where DuckDB decides."""
    year, month, number = int(day[0]), _MONTH_OF[day[1]] if rfc else int(day[1]), int(day[2])
    if year < 1000:
        raise _Odd
    try:
        return date(year, month, number)
    except ValueError:
        if rfc:
            raise _Odd from None
        return None  # DuckDB: NULL; then parse_date: not a date either


_DAYS: dict[tuple[str, str, str], date | None] = {}
_DAYS_KEPT = 20_000


def _lone_surrogate(value: Any) -> bool:
    if type(value) is str:
        return _LONE.search(value) is not None
    if type(value) is dict:
        return any(_lone_surrogate(k) or _lone_surrogate(v) for k, v in value.items())
    if type(value) is list:
        return any(_lone_surrogate(v) for v in value)
    return False


def _brackets_over(line: bytes, limit: int) -> bool:
    """``line.count(b"{") + line.count(b"[") > limit``, by find (memchr, vectorised) from one
    bracket to the next: count tests every byte, and a line has a handful of brackets."""
    found = 0
    for bracket in (b"{", b"["):
        at = line.find(bracket)
        while at != -1:
            found += 1
            if found > limit:
                return True
            at = line.find(bracket, at + 1)
    return False


def _nested_deeper(obj: dict[str, Any], levels: int) -> bool:
    """Whether containers nest more than ``levels`` deep in ``obj`` (itself the first level)."""
    level, todo = 1, [obj]
    while todo:
        if level > levels:
            return True
        inner = []
        for value in todo:
            for item in (value.values() if type(value) is dict else value):
                if type(item) is dict or type(item) is list:
                    inner.append(item)
        todo, level = inner, level + 1
    return False


#: Nesting that Python's json and DuckDB both read (DuckDB refuses more than 128 levels).
NESTING = 100


def row_of(line: bytes, plan: LinePlan) -> tuple[Any, ...] | None:
    """The row the table reader selects for this (non-blank) line; None: ask DuckDB."""
    crowded = _brackets_over(line, NESTING)  # else it cannot nest deeper than that
    try:
        obj = _decoded(line.decode("utf-8"))
        if type(obj) is not dict:
            return None
        if crowded and _nested_deeper(obj, NESTING):  # a paper of 150 authors is crowded, not deep
            return None
        if _SURROGATE.search(line) and _lone_surrogate(obj):  # one search: memchr for its backslash
            return None  # DuckDB reads no row from it (a pair, an emoji written escaped, is fine)
        get = obj.get
        created = None
        if plan.versions is not None:
            versions = get(plan.versions)
            if versions is not None:
                if type(versions) is not list:
                    return None
                if versions:
                    first = versions[0]
                    if first is not None:
                        if type(first) is not dict:
                            return None
                        created = first.get("created")
                        if created is not None and type(created) is not str:
                            return None
        when = created
        if when is None and plan.date is not None:
            when = get(plan.date)
            if when is not None:
                if type(when) is not str:
                    return None  # DuckDB's VARCHAR of a number or an object is its own JSON text
                if plan.date_typed:
                    match = _ISO.fullmatch(when)  # DuckDB's DATE of it, as text: the same when it is one
                    if not match or int(match[1]) < 1000:
                        return None
                    date(int(match[1]), int(match[2]), int(match[3]))  # ValueError (DuckDB: NULL) -> DuckDB
        authors: Any = None
        if plan.authors_parsed is not None:
            parsed = get(plan.authors_parsed)
            if parsed is not None:
                if type(parsed) is not list:
                    return None
                # each author a list of texts (or null): DuckDB's VARCHAR[][]
                if not (_LIST_OR_NONE.issuperset(map(type, parsed))
                        and _TEXT_OR_NONE.issuperset(map(type, chain.from_iterable(filter(None, parsed))))):
                    return None
                authors = len(parsed)
        elif plan.authors is not None:
            authors = get(plan.authors)
            if authors is not None and type(authors) is not str:
                return None
        texts = list(map(get, plan.text_keys))  # no key: get(None) is None
        if not _TEXT_OR_NONE.issuperset(map(type, texts)):
            return None  # DuckDB's VARCHAR of a number or an object is its own JSON text
        return (texts[0], texts[1], when, _date_of(when), authors, *texts[2:])
    except (_Odd, ValueError, RecursionError):
        return None


_NONE = type(None)
_TEXT_OR_NONE = frozenset((str, _NONE))
_LIST_OR_NONE = frozenset((list, _NONE))


class RowError(InputError):
    """A line DuckDB refuses, ``position`` rows into the part of the file read so far.

    A worker reads one byte range and counts its rows from there; the parent, which
    knows the rows of the ranges before, names the row in the whole file
    (:meth:`counted_from`). The fields are the exception's args so that it crosses
    a process pool whole.
    """

    def __init__(self, shown: str, position: int, detail: str) -> None:
        super().__init__(shown, position, detail)
        self.shown, self.position, self.detail = shown, position, detail

    def __str__(self) -> str:
        return f"{self.shown}: cannot be read as JSON Lines after row {self.position}: {self.detail}"

    def counted_from(self, rows_before: int) -> "RowError":
        return RowError(self.shown, rows_before + self.position, self.detail)


_CON: Any = None


def rows_by_duckdb(line: bytes, plan: LinePlan, shown: str, position: int) -> list[tuple[Any, ...]]:
    """The rows DuckDB reads from this one line with the file's columns (0 for a blank one)."""
    global _CON
    import duckdb  # only a worker that meets such a line pays for it

    if _CON is None:
        _CON = duckdb.connect()
        _CON.execute("SET enable_progress_bar = false")
    fd, name = tempfile.mkstemp(prefix="audit-line-", suffix=".jsonl")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(line + b"\n")
        return _CON.execute(plan.sql, [name]).fetchall()
    except duckdb.Error as exc:
        raise RowError(shown, position, one_line(exc)) from None
    finally:
        os.unlink(name)


def _head_is_plain(path: Path, date_key: str | None) -> bool:
    """No record over the size limit among the rows DuckDB samples, and (``date_key``) every
    date there an ISO date, so that the format DuckDB detected for the column is ISO's."""
    rows = 0
    with path.open("rb") as f:
        while rows < HEAD_LINES:
            line = f.readline(RECORD_LIMIT + 2)  # a longer line is not read whole
            if not line:
                break
            if len(line.rstrip(b"\n")) > RECORD_LIMIT:
                return False
            if not line.strip():
                continue  # not a row
            rows += 1
            if date_key is not None:
                try:
                    value = json.loads(line).get(date_key)
                except (ValueError, AttributeError, RecursionError):
                    continue
                if isinstance(value, str) and not _ISO.fullmatch(value):
                    return False
    return True


#: Files from this size on have their columns described by DuckDB in a short-lived process:
#: DuckDB's import and its sampling buffers (~100 MB) leave with it, instead of staying for the
#: whole run in the process that de-duplicates and writes (a small file is described here).
DESCRIBE_APART = 64 << 20


def line_plan(path: Path, shown: str, title_column: str | None, abstract_column: str | None) -> LinePlan | None:
    """How to read ``path`` (JSON Lines) line by line; None when the table reader must.

    Raises the table reader's InputError for a file it could not read at all.
    """
    if path.stat().st_size < DESCRIBE_APART:
        return _line_plan(path, shown, title_column, abstract_column)
    from auditor.pools import process_pool

    with process_pool(1) as pool:  # its InputError is raised here
        return pool.apply(_line_plan, (path, shown, title_column, abstract_column))


def _line_plan(path: Path, shown: str, title_column: str | None, abstract_column: str | None) -> LinePlan | None:
    if not _head_is_plain(path, None):
        return None
    import duckdb

    from auditor.ingest.tables import KIND, SCANS, columns_for, plan

    con = duckdb.connect()
    try:
        con.execute("SET enable_progress_bar = false")
        columns = [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {SCANS['jsonl']}", [str(path)]).fetchall()]
    except duckdb.Error as exc:
        raise InputError(f"{shown}: cannot be read as {KIND['jsonl']}: {one_line(exc)}") from None
    finally:
        con.close()
    found = columns_for(columns, shown, title_column, abstract_column)
    names = {name.lower() for name, _ in columns}
    keys: dict[str, str | None] = {}
    date_typed = False
    for field, column in found.items():
        keys[field] = None
        if column is None:
            continue
        name, type_ = column
        renamed = re.fullmatch(r"(.*)_\d+", name)
        if renamed and renamed[1].lower() in names:
            return None  # DuckDB's name for a second spelling of a key ("Title" beside "title")
        if type_ == '"NULL"':
            continue  # null in every row DuckDB sampled: NULL in every row it reads
        keys[field] = name
        if field == "versions":
            fields = _STRUCT_OF_TEXT.fullmatch(type_)
            if not fields or "created" not in {f.split()[0].strip('"') for f in fields[1].split(", ")}:
                return None
        elif field == "authors_parsed":
            if type_ != "VARCHAR[][]":
                return None
        elif field == "date" and type_ == "DATE":
            date_typed = True
        elif field == "id" or (field == "authors" and found["authors_parsed"] is not None):
            continue
        elif type_ != "VARCHAR":
            return None
    if date_typed and not _head_is_plain(path, keys["date"]):
        return None
    used = {c[0]: c[1] for c in found.values() if c is not None}
    spec = ", ".join(f"{_literal(name)}: {_literal(type_)}" for name, type_ in columns if name in used)
    extra = ", dateformat = '%Y-%m-%d'" if date_typed else ""
    scan = SCANS["jsonl"].replace("ignore_errors = true", f"ignore_errors = true{extra}, columns = {{{spec}}}")
    sql = plan(columns, scan, shown, title_column, abstract_column).sql
    parsed_present = found["authors_parsed"] is not None  # then the table reader counts it, null or not
    return LinePlan(title=keys["title"], abstract=keys["abstract"], date=keys["date"], versions=keys["versions"],
                    authors=None if parsed_present else keys["authors"], authors_parsed=keys["authors_parsed"],
                    text=tuple(keys[f] for f in TEXT_FIELDS), sql=sql, date_typed=date_typed)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
