"""Parser of the Hugging Face Daily Papers text dump (the reference input format).

A dump is the text of the Daily Papers page copied out of a browser::

    new / Get trending papers in your email inbox! / Subscribe / Daily Papers /
    byAK and the research community / Oct 28            <- header; the last line is
                                                           the dump's own date
    <title>                                             <- one record
    <abstract, one line>
      • 8 authors          (or an organisation line: "openbmb OpenBMB", or both)
    ·
    Dec 12, 2023           (or "Jul 28"; a trailing number is the upvotes: "Sep 4, 2024 2")

Paragraphs are separated by blank lines. The author/date block is optional:
some records end right after their abstract and the next title follows. Any
header line may be missing ("Daily Papers" is, in one real dump).

A record's ``position`` is its 0-based number in the dump, counting the broken
records that were skipped (and reported through ``on_skip`` with their line),
so positions stay put when one record is damaged.

Which year a yearless date belongs to
-------------------------------------
Hugging Face prints a date without its year when it falls in the year the page
was viewed, and with the year otherwise. So the dump's year (the year of the
viewing) is settled in this order:

1. ``dump_year`` given by the caller (the CLI's option): the user knows best;
2. a year on the header's date line, should a dump ever carry one;
3. the records: every explicit year is earlier than the viewing year, so the
   dump's year is the latest explicit year + 1. Papers from the year before are
   in almost every dump, which makes this the tightest bound the content gives;
4. the file's modification date (``saved_on``), when no record carries a year:
   a page is saved on or after its date, so a dump date later in the year than
   the save date belongs to the year before;
5. otherwise unknown: ``dump_date`` and yearless paper dates are None.

A yearless paper date later in the year than the dump's date belongs to the
year before (a page never lists papers from its future), which keeps dumps
viewed early in January right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from auditor.ingest.fields import normalise_title, parse_hf_date
from auditor.models import Paper, Record, Sighting, paper_id_for

OnSkip = Callable[[str, int, str], None]

HEADER_LINES = frozenset({
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
})
HEADER_MARKERS = ("byAK and the research community", "Get trending papers in your email inbox")

_AUTHORS = re.compile(r"^[•·*\-]?\s*(\d+)\s+authors?$")
_DOT = "·"

#: Titles in the real dumps are at most 148 characters, abstracts at least 1,377:
#: a "title" longer than this is an abstract that lost its title.
MAX_TITLE = 400


@dataclass(frozen=True)
class _Para:
    line: int  # 1-based number of its first line
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


@dataclass(frozen=True)
class _Meta:
    year: int | None
    month: int
    day: int
    upvotes: int | None
    authors: int | None
    organisation: str | None


@dataclass
class Dump:
    """What :func:`parse_dump` found: the records and how the dump dated itself."""

    records: list[Record]
    dump_date: date | None
    dump_year_from: str | None  # "argument", "header", "records", "file date" or None
    has_header: bool
    author_blocks: int
    skipped: list[tuple[int, str]] = field(default_factory=list)


def looks_like_dump(head: str) -> bool:
    """True when the first characters of a text carry the Daily Papers header."""
    return any(marker in head for marker in HEADER_MARKERS)


def parse_dump(
    text: str,
    source: str,
    *,
    dump_year: int | None = None,
    saved_on: date | None = None,
    on_skip: OnSkip | None = None,
) -> Dump:
    """Parse a whole dump. Broken records are reported through ``on_skip`` and left out."""
    paras = _paragraphs(text)
    skipped: list[tuple[int, str]] = []

    def skip(position: int, message: str) -> None:
        skipped.append((position, message))
        if on_skip is not None:
            on_skip(source, position, message)

    i, has_header = 0, False
    while i < len(paras) and len(paras[i].lines) == 1 and paras[i].text.lower() in HEADER_LINES:
        i, has_header = i + 1, True
    header_date = None
    if has_header and i < len(paras) and len(paras[i].lines) == 1:
        parsed = parse_hf_date(paras[i].text)
        if parsed is not None and parsed[3] is None:
            header_date, i = parsed, i + 1

    raw: list[tuple[int, _Para, _Para, _Meta | None]] = []
    position, blocks = 0, 0
    n = len(paras)
    while i < n:
        title = paras[i]
        if _is_meta(title):
            skip(position, f"line {title.line}: author/date block without a title")
            position, i = position + 1, i + 1
            continue
        if len(title.text) > MAX_TITLE:
            skip(position, f"line {title.line}: text without a title (too long to be one)")
            position, i = position + 1, i + 1
            continue
        if i + 1 >= n or _is_meta(paras[i + 1]) or _lost_abstract(paras, i):
            skip(position, f"line {title.line}: title without an abstract")
            position, i = position + 1, i + 1 + (i + 1 < n and _is_meta(paras[i + 1]))
            continue
        abstract, meta, j = paras[i + 1], None, i + 2
        if j < n and _is_meta(paras[j]):
            blocks += 1
            meta_or_error = _parse_meta(paras[j])
            j += 1
            if isinstance(meta_or_error, str):
                skip(position, meta_or_error)
                position, i = position + 1, j
                continue
            meta = meta_or_error
        raw.append((position, title, abstract, meta))
        position, i = position + 1, j

    year, year_from = _dump_year(dump_year, header_date, raw, saved_on)
    dump_date = None
    if header_date is not None and year is not None:
        dump_date = _date_or_none(year, header_date[1], header_date[2])

    records = []
    for position, title_para, abstract_para, meta in raw:
        title = normalise_title(title_para.text)
        published_on = None
        if meta is not None:
            published_on = _paper_date(meta, year, header_date)
        paper = Paper(
            paper_id=paper_id_for(title),
            title=title,
            abstract=abstract_para.text,
            published_on=published_on,
            authors=meta.authors if meta else None,
            organisation=meta.organisation if meta else None,
            upvotes=meta.upvotes if meta else None,
        )
        records.append(Record(paper, Sighting(paper.paper_id, source, dump_date, position)))
    return Dump(records, dump_date, year_from, has_header, blocks, skipped)


# --------------------------------------------------------------------------- pieces


def _paragraphs(text: str) -> list[_Para]:
    paras: list[_Para] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
        elif current:
            paras.append(_Para(start, tuple(current)))
            current = []
    if current:
        paras.append(_Para(start, tuple(current)))
    return paras


def _is_meta(para: _Para) -> bool:
    stripped = [line.strip() for line in para.lines]
    if any(line == _DOT or _AUTHORS.match(line) for line in stripped):
        return True
    return len(stripped) == 1 and parse_hf_date(stripped[0]) is not None


def _lost_abstract(paras: list[_Para], i: int) -> bool:
    # title, short paragraph, long paragraph: the short one is the next title,
    # so the title at i has no abstract (real abstracts are far longer).
    nxt = paras[i + 1]
    after = paras[i + 2] if i + 2 < len(paras) else None
    return (
        len(nxt.text) <= MAX_TITLE
        and after is not None
        and not _is_meta(after)
        and len(after.text) > MAX_TITLE
    )


def _parse_meta(para: _Para) -> _Meta | str:
    lines = [line.strip() for line in para.lines]
    parsed = parse_hf_date(lines[-1])
    if parsed is None:
        return f"line {para.line + len(lines) - 1}: date not understood: {lines[-1][:60]!r}"
    authors, organisations = None, []
    for line in lines[:-1]:
        match = _AUTHORS.match(line)
        if match:
            authors = int(match[1])
        elif line != _DOT:
            organisations.append(line)
    year, month, day, upvotes = parsed
    return _Meta(year, month, day, upvotes, authors, "; ".join(organisations) or None)


def _dump_year(
    given: int | None,
    header_date: tuple[int | None, int, int, int | None] | None,
    raw: list[tuple[int, _Para, _Para, _Meta | None]],
    saved_on: date | None,
) -> tuple[int | None, str | None]:
    if given is not None:
        return given, "argument"
    if header_date is not None and header_date[0] is not None:
        return header_date[0], "header"
    years = [meta.year for *_, meta in raw if meta is not None and meta.year is not None]
    if years:
        return max(years) + 1, "records"
    if saved_on is not None:
        year = saved_on.year
        if header_date is not None and (header_date[1], header_date[2]) > (saved_on.month, saved_on.day):
            year -= 1
        return year, "file date"
    return None, None


def _paper_date(
    meta: _Meta, dump_year: int | None, header_date: tuple[int | None, int, int, int | None] | None
) -> date | None:
    if meta.year is not None:
        return _date_or_none(meta.year, meta.month, meta.day)
    if dump_year is None:
        return None
    year = dump_year
    if header_date is not None and (meta.month, meta.day) > (header_date[1], header_date[2]):
        year -= 1
    return _date_or_none(year, meta.month, meta.day)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # Feb 29 of a year that has none
        return None
