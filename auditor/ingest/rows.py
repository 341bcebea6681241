"""A Record from the fields of one table row (what the DuckDB readers select, or the same
fields taken from a JSON line by :mod:`auditor.ingest.json_lines`), with no DuckDB import."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any, NamedTuple, Sequence

from auditor.discover.identity import identity_changes, normalise_doi
from auditor.ingest.fields import arxiv_id, count_authors, parse_date, parse_int
from auditor.models import Paper, Record, Sighting, paper_id_for


class Head(NamedTuple):
    """What `audit extract` prints of a paper and reads its links from: the Paper's fields
    but the author count and upvotes, as cheap to build as a tuple (a Paper, a frozen
    dataclass of 17 fields, costs several times more, and a worker builds one per row)."""

    paper_id: str
    title: str
    abstract: str
    published_on: date | None
    arxiv_id: str | None
    doi: str | None
    comments: str | None
    journal_ref: str | None
    arxiv_id_via: str | None


_new_head = tuple.__new__  # Head(...) without the Python frame of the namedtuple's __new__: one per row


def to_record(row: Sequence[Any], source: str, position: int) -> Record | str:
    """A Record from one selected row, or the reason it cannot be one."""
    paper = paper_of(row)
    if isinstance(paper, str):
        return paper
    return Record(paper, Sighting(paper.paper_id, source, None, position))


def head_of(row: Sequence[Any], identified: bool = False) -> Head | str:
    """The Head of one selected row, or the reason it cannot be a paper. ``identified``: with
    what its text says of its identity too, as :func:`auditor.discover.identity.with_identity`
    makes it."""
    title, abstract, date_text, sql_date, _, ident, _, doi, comments, journal_ref = row
    title = " ".join(title.split()) if title else ""  # fields.normalise_title
    if not title:
        return "empty or malformed row" if all(value is None for value in row) else "no title"
    if abstract is None or abstract.isspace() or not abstract:  # not abstract.strip(): no copy
        return f"no abstract for {title[:60]!r}"
    found_id, doi, comments, journal_ref = arxiv_id(ident), normalise_doi(doi), _text(comments), _text(journal_ref)
    via = None
    if identified:
        changes = identity_changes(found_id, None, doi, comments, journal_ref, abstract)
        if changes:
            found_id, doi, via = changes.get("arxiv_id", found_id), changes.get("doi", doi), changes.get("arxiv_id_via")
    return _new_head(Head, (paper_id_for(title), title, abstract,
                            sql_date if sql_date is not None else parse_date(date_text),
                            found_id, doi, comments, journal_ref, via))


def paper_of(row: Sequence[Any], identified: bool = False) -> Paper | str:
    """The Paper of one selected row, or the reason it cannot be one. ``identified``: with what
    its text says of its identity too, as :func:`auditor.discover.identity.with_identity`
    makes it (built once, not built and copied)."""
    head = head_of(row, identified)
    if isinstance(head, str):
        return head
    return paper_from(head, row)


def paper_from(head: Head, row: Sequence[Any]) -> Paper:
    """The Paper of a row whose Head is made (the store's fields the Head leaves out added)."""
    return Paper(*paper_values(head, row))


#: The stored fields of a Paper, in the order :func:`paper_values` gives them: Paper's first fields.
PAPER_FIELDS = ("paper_id", "title", "abstract", "published_on", "authors", "organisation", "upvotes", "arxiv_id",
                "doi", "comments", "journal_ref", "arxiv_id_via", "arxiv_id_match")
if tuple(f.name for f in fields(Paper))[:len(PAPER_FIELDS)] != PAPER_FIELDS:
    raise TypeError("Paper's first fields are no longer PAPER_FIELDS: paper_values would fill the wrong ones")


def paper_values(head: Head, row: Sequence[Any]) -> tuple[Any, ...]:
    """The :data:`PAPER_FIELDS` of a row's Paper, without building it: what `audit extract --db`
    stores of every row (a tuple costs a fraction of the frozen dataclass, whose fields the
    store then read back one by one), and what :func:`paper_from` builds its Paper from."""
    return (head.paper_id, head.title, head.abstract, head.published_on, count_authors(row[4]), None,
            parse_int(row[6]), head.arxiv_id, head.doi, head.comments, head.journal_ref, head.arxiv_id_via, None)


def _text(value: Any) -> str | None:
    """A free-text field with its line wrapping collapsed; None when empty."""
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
