"""Did the paper keep its word about code availability?

Link scope (the claims attached to one link):

* ``available``: passes when the target holds what was claimed; fails when
  it is missing, blocked, empty, README-only or a skeleton ("claimed
  available, repository is empty"); a links-only repository warns.
* ``promised``: passes when delivered, with the evidence ("promised,
  delivered: 12 commits, last 2025-03-02"); when not delivered, warns within
  ``grace_days`` of the paper date and fails after ("promised on 2024-05-01,
  still empty on 2026-11-23").
* ``on_request``: warns: nothing can be verified.
* any claim at a placeholder link (a forge's root or an owner page,
  ``https://github.com/anonymous``): warns, "promised at a placeholder
  link, no repository named"; the link is never judged as the repository.
* no claim attached to the link: skip (code_present judges the contents).
  (The engine hands a paper's unlinked claims to its only code link.)

Paper scope (``ctx.link`` is None, all the paper's claims and links):

* a claim with no link, in a paper with no code link (repository or Hub) to
  judge it by: warn, score 3, "unverifiable" (with code links, it is judged
  at the link: the engine hands it to the abstract's sole code link, else to
  the sole repository discovery found, and the reason says where it was found);
* nothing else is judged at paper scope; in particular a paper with no code
  link and no availability claim gives ``skip`` with the reason "no code
  link and no availability claim" (filter on that reason; scoring leaves
  every skip out, so such a paper has no score).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS, setting
from auditor.models import Claim, Facts, Result
from auditor.evaluate import claim_home
from checks._common import ANY_REPO_KINDS, HF_REPO_KINDS, Gate, gate, parse_day, skip, where_found
from checks.code_present import DELIVERED, classify

NO_LINK_NO_CLAIM = "no code link and no availability claim"

#: The strongest claim decides: available > promised > on_request.
_STRENGTH = {"available": 0, "promised": 1, "on_request": 2}


_CLAIMED = {"available": "claimed available", "promised": "promised", "on_request": "offered on request"}


def _strongest(claims: tuple[Claim, ...]) -> Claim:
    return min(claims, key=lambda c: _STRENGTH.get(c.kind, 9))


def _delivery(facts: Facts, kind: str, settings: Mapping[str, Any]) -> tuple[bool, str, dict]:
    """(delivered?, what the target holds, evidence).

    When not delivered, the state is an adjective that reads after
    "repository is" and after "still": empty, README-only, not found ...
    """
    data = facts.data or {}
    if facts.status == "not_found":
        return False, "not found", {"facts_status": "not_found"}
    if data.get("gated"):  # Hugging Face: published, but access must be requested
        return False, "gated", {"facts_status": facts.status, "gated": data.get("gated")}
    if facts.status == "blocked":
        return False, "private or blocked", {"facts_status": "blocked"}
    if kind in HF_REPO_KINDS:
        empty = bool(data.get("is_empty"))
        return not empty, ("empty" if empty else "published"), {"is_empty": data.get("is_empty")}
    contents = classify(data, settings)
    ev = {"contents": contents.kind}
    if contents.kind == "unknown" or contents.kind in DELIVERED:
        return contents.kind != "unknown", contents.label, ev
    state = {"empty": "empty", "readme_only": "README-only", "skeleton": "a skeleton",
             "no_code": "without code", "links_only": "links only"}[contents.kind]
    return False, state, ev


def _activity(data: Mapping[str, Any]) -> str:
    parts = []
    if data.get("commit_count") is not None:
        parts.append(f"{data['commit_count']} commits")
    last = parse_day(data.get("last_commit_at"))
    if last:
        parts.append(f"last {last}")
    return ", ".join(parts)


def _link_scope(ctx: CheckContext) -> Result:
    result = _judged_at_link(ctx)
    link = ctx.link
    if link is not None and link.source != "abstract" and result.status in ("pass", "warn", "fail"):
        # A claim the abstract made without a URL, judged against code found elsewhere: say where.
        where = f"{link.target.key} found {where_found(link)}"
        return Result(result.status, f"{result.reason} ({where})", result.score,
                      {**result.evidence, "found": link.source, "found_via": link.via})
    return result


def _judged_at_link(ctx: CheckContext) -> Result:
    if not ctx.claims:
        return skip("no availability claim attached to this link")
    if ctx.link.placeholder:  # a forge's root or an owner page: never judged as the paper's repository
        claim = _strongest(ctx.claims)
        ev = {"claim": claim.kind, "sentence": claim.sentence, "placeholder": ctx.link.url}
        return Result("warn", f"{_CLAIMED[claim.kind]} at a placeholder link, no repository named", 3.0, ev)
    gated = gate(ctx, ANY_REPO_KINDS, needs_target=False)
    if not isinstance(gated, Gate):
        if gated.status == "skip":
            return skip(f"a claim cannot be verified against a {ctx.link.target.kind.replace('_', ' ')}")
        return gated
    facts, data = gated.facts, gated.data
    claim = _strongest(ctx.claims)
    delivered, holds, ev = _delivery(facts, ctx.link.target.kind, ctx.settings)
    ev.update(claim=claim.kind, sentence=claim.sentence, claim_in_link_sentence=claim.target_key is not None)
    if ev.get("contents") == "unknown":
        return Result("unknown", "cannot tell what the repository holds (no language statistics)", None, ev)
    activity = _activity(data)
    ev.update(commit_count=data.get("commit_count"), last_commit_at=data.get("last_commit_at"))

    if holds == "gated":
        return Result("warn", f"{_CLAIMED[claim.kind]}, but gated: access must be requested", 6.0, ev)
    if claim.kind == "on_request" and not delivered:
        return Result("warn", "code only on request: nothing to verify", 3.0, ev)
    if claim.kind in ("available", "on_request"):
        if delivered:
            return Result("pass", f"{_CLAIMED[claim.kind]}, delivered: {activity or holds}", 10.0, ev)
        if ev.get("contents") == "links_only":
            return Result("warn", "claimed available, repository holds links only, no code", 4.0, ev)
        verb = "" if holds == "not found" else "is "
        return Result("fail", f"claimed available, repository {verb}{holds}", 0.0, ev)

    # promised
    if delivered:
        return Result("pass", f"promised, delivered: {activity or holds}", 10.0, ev)
    paper_day: date | None = ctx.paper.published_on
    grace = setting(ctx.settings, "claim_kept", "grace_days")
    if paper_day is None:
        return Result("warn", f"promised (paper date unknown), still {holds} on {ctx.as_of}", 4.0, ev)
    waited = (ctx.as_of - paper_day).days
    ev.update(paper_date=paper_day.isoformat(), days_since_paper=waited, grace_days=grace)
    if waited <= grace:
        return Result(
            "warn", f"promised on {paper_day}, not delivered yet ({holds}; day {waited} of {grace} grace days)",
            5.0, ev,
        )
    return Result("fail", f"promised on {paper_day}, still {holds} on {ctx.as_of}", 0.0, ev)


def _paper_scope(ctx: CheckContext) -> Result:
    code_links = [link for link in ctx.links if link.target.kind in ANY_REPO_KINDS]
    home = claim_home(ctx.links)
    unlinked = [c for c in ctx.claims if c.target_key is None]
    if not ctx.links and not ctx.claims:
        return skip(NO_LINK_NO_CLAIM)
    if not unlinked:
        if not ctx.claims:
            return skip("no availability claim; the links are judged one by one")
        return skip("every claim is judged at its link")
    if home is not None and home.source != "abstract":
        return skip(f"claim without a link: judged at {home.target.key}, found {where_found(home)}")
    if home is not None:
        return skip("claim without a link: judged at the paper's only code link")
    if code_links:
        return skip("claim without a link and several code links: cannot tell which it speaks of")
    claim = _strongest(tuple(unlinked))
    ev = {"claim": claim.kind, "sentence": claim.sentence, "unlinked_claims": len(unlinked)}
    if claim.kind == "on_request":
        return Result("warn", "code only on request: unverifiable", 3.0, ev)
    return Result("warn", f"claims code is {claim.kind} but gives no code link: unverifiable", 3.0, ev)


@check(
    "claim_kept",
    description="The paper's code-availability claim (available / promised) holds against the target.",
    weight=DEFAULT_WEIGHTS["claim_kept"],
    scopes=("link", "paper"),
)
def claim_kept(ctx: CheckContext) -> Result:
    if ctx.link is None:
        return _paper_scope(ctx)
    return _link_scope(ctx)
