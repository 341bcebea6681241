"""Helpers every built-in check shares: applicability, unknown facts, dates.

A check first asks :func:`gate` whether it applies (``skip``) and whether
the facts say anything (``unknown``); only then does it judge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Collection, Mapping

from auditor.checking import CheckContext
from auditor.models import REPOSITORY_KINDS, Facts, Link, Result

#: Hugging Face repositories (they have files, commits, a card, a license).
HF_REPO_KINDS = frozenset({"huggingface_model", "huggingface_dataset", "huggingface_space"})
#: Targets whose facts describe a repository of files on some host.
ANY_REPO_KINDS = REPOSITORY_KINDS | HF_REPO_KINDS


def skip(reason: str) -> Result:
    return Result(status="skip", reason=reason)


def unknown(reason: str, **evidence: Any) -> Result:
    return Result(status="unknown", reason=reason, evidence=evidence)


def unknown_facts_reason(ctx: CheckContext) -> str:
    """Why nothing is known, in the collector's own words when it gave some."""
    facts = ctx.facts
    key = ctx.link.target.key if ctx.link else "the target"
    if facts is None:
        return f"no facts collected for {key}"
    why = facts.error or "no reason given"
    if facts.status == "error":
        return f"facts could not be collected: {why}"
    return f"facts unknown: {why}"


@dataclass(frozen=True)
class Gate:
    """What :func:`gate` hands back when a check may judge."""

    facts: Facts
    data: Mapping[str, Any]


def gate(
    ctx: CheckContext,
    kinds: Collection[str],
    *,
    needs_target: bool = True,
) -> Result | Gate:
    """Skip for kinds that do not apply, unknown without facts, else the facts.

    ``needs_target``: the check judges the target's contents, so a target that
    is not found or blocked has nothing to judge (repo_exists reports that).
    """
    if ctx.link is None:
        return skip("applies to links, not to the paper as a whole")
    kind = ctx.link.target.kind
    if kind not in kinds:
        return skip(f"does not apply to a {kind.replace('_', ' ')}")
    facts = ctx.facts
    if facts is None or not facts.known:
        return unknown(
            unknown_facts_reason(ctx),
            facts_status=None if facts is None else facts.status,
        )
    if needs_target and facts.status in ("not_found", "blocked"):
        return skip(f"target {facts.status.replace('_', ' ')}: nothing to judge (see repo_exists)")
    return Gate(facts=facts, data=facts.data or {})


def missing_key(key: str) -> Result:
    """A fact the host did not give: could not be had, never 'no'."""
    return unknown(f"the host did not report {key!r}", missing=key)


def parse_day(value: Any) -> date | None:
    """The calendar day of an ISO 8601 date or timestamp (None when unreadable)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return None


def new_home(facts: Facts) -> str | None:
    """Where a moved target lives now, as owner/name when known."""
    data = facts.data or {}
    for key in ("name_with_owner", "repo_id"):  # GitHub / Hugging Face
        if data.get(key):
            return str(data[key])
    if facts.canonical_key:  # github:o/n, huggingface:model:o/n, git:host/o/n
        return facts.canonical_key.rsplit(":", 1)[-1]
    return None


def where_found(link: Link) -> str:
    """Where a link not in the abstract was found, as it reads after "found"."""
    via = (link.via or "").removeprefix("https://").removeprefix("http://")
    return {
        "comments": "in the arXiv comments",
        "hf_paper": "on the paper's Hugging Face page",
        "github_search": "by GitHub search for the paper's arXiv id",
        "page": f"on the project page {via}" if via else "on a project page",
    }.get(link.source, "in the abstract")
