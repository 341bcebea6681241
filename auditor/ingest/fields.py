"""Field parsers shared by every reader: titles, dates, author counts, arXiv ids.

Pure functions over strings (or the plain values DuckDB hands back), so the
text-dump parser and the table readers agree on what a field means.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

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

MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}

#: "Dec 12, 2023", "Jul 28", "Sep 4, 2024 2" (the trailing number: upvotes).
HF_DATE = re.compile(
    r"^(?P<mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?: (?P<upvotes>\d+))?$"
)

_ARXIV_ID = re.compile(
    r"^(?:arxiv:)?(?P<id>\d{4}\.\d{4,5}|[a-z][a-z.\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE
)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3})[a-z]*\.? (\d{4})$")


def normalise_title(title: str) -> str:
    """Collapse whitespace, including arXiv's hard line wrapping ("Foo\\n  bar")."""
    return " ".join(title.split())


def parse_date(value: Any) -> date | None:
    """A date from whatever a table or dump holds, or None when it is not one.

    Understands date/datetime objects, ISO 8601 ("2023-12-12", "2023-12-12T10:00:00Z",
    "2023-12-12 10:00:00"), RFC 2822 as in arXiv's versions ("Mon, 2 Apr 2007
    19:18:42 GMT"), "Dec 12, 2023" and "12 Dec 2023". Yearless dates are the text
    dump's business (:func:`parse_hf_date`), not this function's.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    match = HF_DATE.match(text)
    if match and match["year"] and not match["upvotes"]:
        return _safe_date(int(match["year"]), MONTHS[match["mon"].lower()], int(match["day"]))
    match = _DAY_MONTH_YEAR.match(text)
    if match and match[2].lower()[:3] in MONTHS:
        return _safe_date(int(match[3]), MONTHS[match[2].lower()[:3]], int(match[1]))
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_hf_date(line: str) -> tuple[int | None, int, int, int | None] | None:
    """(year or None, month, day, upvotes or None) of a dump's date line, or None.

    The caller settles the year of a yearless date; the day is checked against
    the month (Feb 30 is None) using a leap year so "Feb 29" passes here.
    """
    match = HF_DATE.match(line.strip())
    if not match:
        return None
    year = int(match["year"]) if match["year"] else None
    month, day = MONTHS[match["mon"].lower()], int(match["day"])
    if _safe_date(year or 2024, month, day) is None:
        return None
    upvotes = int(match["upvotes"]) if match["upvotes"] else None
    return year, month, day, upvotes


def arxiv_id(value: Any) -> str | None:
    """The arXiv identifier (without version) if ``value`` is one, else None."""
    if value is None:
        return None
    text = str(value).strip()
    if len(text) in (9, 10) and text[4] == "." and text[:4].isdecimal() and text[5:].isdecimal():
        return text  # a new-style id without version, most of them: the pattern's match, without the pattern
    match = _ARXIV_ID.match(text)
    return match["id"] if match else None


def count_authors(value: Any) -> int | None:
    """Number of authors from a count, a list, or a "A, B and C" string."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, (list, tuple)):
        return len(value)
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    match = re.match(r"^(\d+) authors?$", text)
    if match:
        return int(match[1])
    parts = [p for p in re.split(r",|;|\band\b", text) if p.strip()]
    return len(parts) or None


def parse_int(value: Any) -> int | None:
    """A non-negative whole number, or None ("12", 12, 12.0 -> 12)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 0 else None
