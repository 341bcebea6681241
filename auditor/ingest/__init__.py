"""Read papers from dumps and tables: one call, any supported format.

:func:`read_records` picks the reader from the file's content (then its name):

* Hugging Face Daily Papers text dump (``.txt``, the reference format), see
  :mod:`auditor.ingest.hf_dump` for the format and how yearless dates are dated;
* CSV, JSON Lines (``.jsonl``/``.ndjson``/``.json``), a JSON array, Parquet, and
  the arXiv metadata snapshot, all read through DuckDB in batches, see
  :mod:`auditor.ingest.tables`.

A file that cannot be used at all raises :class:`~auditor.errors.InputError`
with one line naming it, at the call (not at the first ``next``), so a
command can check every file before it writes anything. A single bad record
inside a good file goes to ``on_skip(source, position, message)`` instead.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from dataclasses import replace

from auditor.discover.identity import with_identity
from auditor.errors import InputError
from auditor.ingest.hf_dump import parse_dump
from auditor.ingest.sniff import Format, detect, not_utf8
from auditor.models import Record

__all__ = ["read_records", "detect_format"]

OnSkip = Callable[[str, int, str], None]


def read_records(
    path: str | Path,
    *,
    title_column: str | None = None,
    abstract_column: str | None = None,
    on_skip: OnSkip | None = None,
    dump_year: int | None = None,
) -> Iterator[Record]:
    """The records of one file, lazily; raises InputError at once for an unusable file.

    ``title_column``/``abstract_column`` name the columns of a table (any case);
    by default common names are tried (title, paper_title, abstract, summary...).
    ``dump_year`` fixes the year of a text dump whose dates carry none.
    """
    shown = str(path)
    path = Path(path)
    fmt = detect(path, shown)
    if fmt == "hf_dump":
        return _identified(iter(_read_dump(path, shown, dump_year, on_skip)))
    from auditor.ingest.tables import open_table  # DuckDB, imported only by what reads a table

    return _identified(open_table(path, fmt, shown, title_column=title_column,
                                  abstract_column=abstract_column, on_skip=on_skip))


def _identified(records: Iterator[Record]) -> Iterator[Record]:
    """Each record with the identifiers its text gives (an arXiv link, a DOI in the comments)."""
    for record in records:
        paper = with_identity(record.paper)
        yield record if paper is record.paper else replace(record, paper=paper)


def detect_format(path: str | Path) -> Format:
    """The format :func:`read_records` would read ``path`` as (InputError if none)."""
    return detect(Path(path), str(path))


def _read_dump(path: Path, shown: str, dump_year: int | None, on_skip: OnSkip | None) -> list[Record]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(not_utf8(shown, exc)) from None
    saved_on = _modified_on(path)
    dump = parse_dump(text, path.name, dump_year=dump_year, saved_on=saved_on, on_skip=on_skip)
    if not dump.has_header and dump.author_blocks == 0:
        raise InputError(f"{shown}: does not look like a Hugging Face Daily Papers dump "
                         "(no page header, no author/date lines)")
    if not dump.records:
        raise InputError(f"{shown}: holds no papers")
    return dump.records


def _modified_on(path: Path) -> date | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).date()
    except (OSError, ValueError, OverflowError):
        return None
