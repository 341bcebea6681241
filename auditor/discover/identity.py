"""A paper's identifiers from its text: arXiv ids, DOIs, normalised titles (pure).

The dump's own id (a column, the arXiv snapshot's ``id``) always wins; the
text is read only when the dump gives none: an ``arxiv.org/abs|pdf/ID`` link
or an ``arXiv:ID`` mention, in the abstract or the comments.
"""

from __future__ import annotations

import re
from dataclasses import replace

from auditor.models import Paper

# New-style ids (2312.01234, 0704.0001) and old-style ones (hep-th/9901001, math.GT/0309136).
_ID = r"(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
_ARXIV_LINK = re.compile(rf"arxiv\.org/(?:abs|pdf)/{_ID}(?![\d/])", re.IGNORECASE)
_ARXIV_MENTION = re.compile(rf"\barxiv:\s?{_ID}(?![\d/])", re.IGNORECASE)
_DOI = re.compile(r"(?:doi\.org/|\bdoi:\s?)(10\.\d{4,9}/[^\s\"<>{}]+)", re.IGNORECASE)
_DOI_TRAILING = ".,;:)]}'\""


def arxiv_ids_in(text: str | None) -> list[str]:
    """Every distinct arXiv id the text links or mentions, in order, without versions."""
    if not text or ("arxiv" not in text and "arXiv" not in text and "ARXIV" not in text.upper()):
        return []
    found: dict[str, None] = {}
    for pattern in (_ARXIV_LINK, _ARXIV_MENTION):
        for match in pattern.finditer(text):
            found.setdefault(match["id"], None)
    return list(found)


def doi_in(text: str | None) -> str | None:
    """The first DOI the text links (``doi.org/10.x/y``) or names (``doi:10.x/y``), lower-cased."""
    if not text or "10." not in text:
        return None
    match = _DOI.search(text)
    return match[1].rstrip(_DOI_TRAILING).lower() if match else None


def normalise_doi(value: object) -> str | None:
    """'https://doi.org/10.1/X' or '10.1/X' -> '10.1/x'; None when it is not a DOI."""
    if value is None:
        return None
    text = str(value).strip()
    text = re.sub(r"(?i)^(?:https?://(?:dx\.)?doi\.org/|doi:\s?)", "", text)
    return text.lower() if re.match(r"^10\.\d{4,9}/\S+$", text) else None


def with_identity(paper: Paper) -> Paper:
    """The paper with what its text says of its identity, where the dump said nothing.

    Only a single arXiv id in the text counts: an abstract that cites two
    papers names neither as its own.
    """
    changes = identity_changes(paper.arxiv_id, paper.arxiv_id_via, paper.doi, paper.comments, paper.journal_ref,
                               paper.abstract)
    return replace(paper, **changes) if changes else paper  # type: ignore[arg-type]


def identity_changes(arxiv_id: str | None, arxiv_id_via: str | None, doi: str | None, comments: str | None,
                     journal_ref: str | None, abstract: str) -> dict[str, str]:
    """The fields :func:`with_identity` changes, from a paper's fields (for a reader that builds
    the Paper once)."""
    changes: dict[str, str] = {}
    if arxiv_id is not None:
        if arxiv_id_via is None:
            changes["arxiv_id_via"] = "dump"
    else:
        ids = arxiv_ids_in(comments) or arxiv_ids_in(abstract)
        if len(ids) == 1:
            changes.update(arxiv_id=ids[0], arxiv_id_via="text")
    if doi is None:
        found = doi_in(comments) or (doi_in(journal_ref) if journal_ref else None)
        if found:
            changes["doi"] = found
    return changes


