"""A Record from the fields of one table row (what the DuckDB readers select, or the same
fields taken from a JSON line by :mod:`auditor.ingest.json_lines`), with no DuckDB import."""

from __future__ import annotations

from typing import Any, Sequence

from auditor.discover.identity import identity_changes, normalise_doi
from auditor.ingest.fields import arxiv_id, count_authors, normalise_title, parse_date, parse_int
from auditor.models import Paper, Record, Sighting, paper_id_for


def to_record(row: Sequence[Any], source: str, position: int) -> Record | str:
    """A Record from one selected row, or the reason it cannot be one."""
    paper = paper_of(row)
    if isinstance(paper, str):
        return paper
    return Record(paper, Sighting(paper.paper_id, source, None, position))


def paper_of(row: Sequence[Any], identified: bool = False) -> Paper | str:
    """The Paper of one selected row, or the reason it cannot be one. ``identified``: with what
    its text says of its identity too, as :func:`auditor.discover.identity.with_identity`
    makes it (built once, not built and copied)."""
    title, abstract, date, sql_date, authors, ident, upvotes, doi, comments, journal_ref = row
    if all(value is None for value in row):
        return "empty or malformed row"
    title = normalise_title(title or "")
    if not title:
        return "no title"
    if abstract is None or not abstract.strip():
        return f"no abstract for {title[:60]!r}"
    fields: dict[str, Any] = {
        "arxiv_id": arxiv_id(ident), "doi": normalise_doi(doi), "comments": _text(comments),
        "journal_ref": _text(journal_ref),
    }
    if identified:
        fields.update(identity_changes(fields["arxiv_id"], None, fields["doi"], fields["comments"],
                                       fields["journal_ref"], abstract))
    return Paper(
        paper_id=paper_id_for(title),
        title=title,
        abstract=abstract,
        published_on=sql_date if sql_date is not None else parse_date(date),
        authors=count_authors(authors),
        upvotes=parse_int(upvotes),
        **fields,
    )


def _text(value: Any) -> str | None:
    """A free-text field with its line wrapping collapsed; None when empty."""
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None
