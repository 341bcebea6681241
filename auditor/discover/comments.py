"""Links in the arXiv snapshot's ``comments`` field ("Code: https://...", "Project page at ...").

Read with the abstract's own extractor, no network. A target the abstract
already links is not added again: the abstract's link is the one judged.
DOIs and arXiv links there name the paper itself (kept as its identity, not
as links).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from auditor.links import find_links
from auditor.models import Extraction, Link, Paper


def merged(extraction: Extraction, found: Iterable[Link], source: str, via: str | None = None,
           limit: int | None = None) -> Extraction:
    """``extraction`` with the new targets of ``found`` appended, marked with ``source``.

    Ordinals continue after the paper's last link; ``limit`` caps how many are added.
    """
    known = {link.target.key for link in extraction.links}
    ordinal = max((link.ordinal for link in extraction.links), default=-1) + 1
    added: list[Link] = []
    for link in found:
        if link.target.key in known or (limit is not None and len(added) >= limit):
            continue
        known.add(link.target.key)
        added.append(replace(link, ordinal=ordinal, source=source, via=via if via is not None else link.via))
        ordinal += 1
    if not added:
        return extraction
    return replace(extraction, links=extraction.links + tuple(added))


def with_comment_links(paper: Paper, extraction: Extraction) -> Extraction:
    """The abstract's extraction plus the links of the paper's comments (source ``comments``)."""
    text = paper.comments
    if not text or ("/" not in text and "www." not in text.lower()):
        return extraction
    found = [link for link in find_links(text) if not _the_paper_itself(link)]
    return merged(extraction, found, "comments")


def _the_paper_itself(link: Link) -> bool:
    """DOIs and arXiv links in the comments name the paper (or its versions), not its code."""
    return link.target.kind == "doi" or link.target.host.lower().endswith("arxiv.org")
