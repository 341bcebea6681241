"""What a repository's REST facts still lack, and how what is fetched later joins them. Pure.

Without a token the collector spends one request per repository on its core
facts and fetches the extras (README, root listing, the citation files it
shows, commits, languages, releases, sub-paths) only while the hourly budget
allows; whatever it left
out, to save budget or because it failed, is named in ``data["skipped"]``
("readme: rate limited"). Such facts are not complete: the next run asks for
exactly the missing parts and merges them in, so that a rate-limited audit
finishes on a later run instead of keeping its ``unknown`` results forever.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from auditor.models import Facts

#: Extra REST requests per repository (no token), in order of value to checks.
#: ``citation_files`` follows ``root_files``: it asks only for the files the listing shows.
REST_EXTRAS = ("readme", "root_files", "citation_files", "commits", "languages", "releases", "subpaths")


def skipped_extras(data: Mapping[str, Any]) -> frozenset[str]:
    """The extras ``data["skipped"]`` names ("readme: rate limited" -> "readme")."""
    notes = data.get("skipped") or ()
    names = {str(note).split(":", 1)[0].strip() for note in notes}
    return frozenset(n for n in names if n in REST_EXTRAS)


def known_subpaths(data: Mapping[str, Any]) -> frozenset[tuple[str, str]]:
    """The (ref, path) pairs whose existence the facts already say."""
    found = data.get("subpaths") or {}
    return frozenset(tuple(k.split(":", 1)) for k in found if ":" in k)  # type: ignore[misc]


def missing_parts(facts: Facts, wanted_subpaths: Iterable[tuple[str, str]] = ()) -> frozenset[str]:
    """The extras still to fetch for known repository facts; empty when they are complete.

    A missing or blocked repository has nothing more to ask; neither have facts
    that say nothing (they are fetched again whole).
    """
    if facts.status not in ("ok", "moved"):
        return frozenset()
    missing = set(skipped_extras(facts.data))
    if not frozenset(wanted_subpaths) <= known_subpaths(facts.data):
        missing.add("subpaths")
    return frozenset(missing)
