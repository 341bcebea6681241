"""Links and code-availability claims of one abstract, in one call."""

from __future__ import annotations

from collections.abc import Sequence

from auditor.claims import claims_from_spans, link_spans, lowered
from auditor.links import find_links
from auditor.models import Claim, ClaimKind, Extraction, Link

__all__ = ["claim_for", "extract"]


_NOTHING = Extraction()  # most abstracts: one shared immutable value


def extract(abstract: str) -> Extraction:
    """Find the abstract's links and claims; pure, never raises on odd text."""
    masked = lowered(abstract)  # claims read it; one search in it tells whether "www." / "WWW." stands anywhere
    links = find_links(abstract) if "/" in abstract or "www." in masked else ()
    claims = claims_from_spans(abstract, link_spans(abstract, links) if links else (), masked)
    return Extraction(links, claims) if links or claims else _NOTHING


def claim_for(link: Link, claims: Sequence[Claim]) -> ClaimKind | None:
    """The kind of the first claim attached to ``link``'s target; None when none is."""
    key = link.target.key
    for claim in claims:
        if claim.target_key == key:
            return claim.kind
    return None
