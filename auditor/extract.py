"""Links and code-availability claims of one abstract, in one call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from auditor.claims import claims_from_spans, link_spans, lowered
from auditor.links import find_links, has_link_hint
from auditor.models import Claim, ClaimKind, Extraction, Link

__all__ = ["MAX_ABSTRACT_CHARS", "claim_for", "claim_object_for", "cut", "cut_note", "extract"]

#: Extraction reads at most this many characters of an abstract (arXiv allows 1,920): the work
#: per abstract stays bounded whatever a dump holds. A longer abstract is cut, not rejected, and
#: its Extraction says so (``cut_from``: the length it had).
MAX_ABSTRACT_CHARS = 10_000


_NOTHING = Extraction()  # most abstracts: one shared immutable value


def cut(abstract: str, limit: int = MAX_ABSTRACT_CHARS) -> str:
    """The first ``limit`` characters of ``abstract``, ending at a space when one stands in the
    last 200 (a URL or word is not cut in two where it can be helped)."""
    if len(abstract) <= limit:
        return abstract
    head = abstract[:limit]
    space = max(head.rfind(" ", limit - 200), head.rfind("\n", limit - 200))
    return head[:space] if space > 0 else head


def extract(abstract: str) -> Extraction:
    """Find the abstract's links and claims; pure, never raises on odd text. An abstract longer
    than :data:`MAX_ABSTRACT_CHARS` is read up to there (see :func:`cut`)."""
    if len(abstract) > MAX_ABSTRACT_CHARS:
        return replace(_extract(cut(abstract)), cut_from=len(abstract))
    return _extract(abstract)


def cut_note(extraction: Extraction) -> str:
    """What a run reports about an abstract that was cut."""
    return f"abstract of {extraction.cut_from:,} characters, read up to {MAX_ABSTRACT_CHARS:,} (the maximum)"


def _extract(abstract: str) -> Extraction:
    masked = lowered(abstract)  # claims read it; link hints are looked for in it too
    links = find_links(abstract, masked) if has_link_hint(abstract, masked) else ()
    claims = claims_from_spans(abstract, link_spans(abstract, links) if links else (), masked)
    return Extraction(links, claims) if links or claims else _NOTHING


def claim_for(link: Link, claims: Sequence[Claim]) -> ClaimKind | None:
    """The kind of the first claim attached to ``link``'s target; None when none is."""
    key = link.target.key
    for claim in claims:
        if claim.target_key == key:
            return claim.kind
    return None


def claim_object_for(link: Link, claims: Sequence[Claim]) -> str | None:
    """What the first claim attached to ``link``'s target is about (see :func:`claim_for`)."""
    key = link.target.key
    for claim in claims:
        if claim.target_key == key:
            return claim.object
    return None
