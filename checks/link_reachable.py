"""Does a web link (project page, page, DOI, Zenodo record, anonymous repository) still answer?

Reads the web and anonymous collectors' facts (``reachable``,
``reachable_reason``): a 404/410, a parked domain, a "not found" page served
with 200, a host that no longer resolves, or a URL refused as unsafe all
fail. A site that refuses automated clients (401/403/429) or facts that
could not be collected give ``unknown``, never a guess.
"""

from __future__ import annotations

from typing import Any

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import Result
from checks._common import Gate, gate, unknown

KINDS = frozenset({"project_page", "web", "doi", "zenodo", "anonymous_repo"})


def _evidence(data: dict[str, Any], status: str) -> dict[str, Any]:
    ev = {"facts_status": status}
    for key in ("final_url", "status_code", "reachable_reason", "redirects", "parked", "soft_404", "refused"):
        if data.get(key) not in (None, [], False):
            ev[key] = data[key]
    if data.get("code_links"):
        ev["code_links"] = list(data["code_links"])
    return ev


@check(
    "link_reachable",
    description="A project page, web page, DOI, Zenodo record or anonymous repository link still answers with real content.",
    weight=DEFAULT_WEIGHTS["link_reachable"],
)
def link_reachable(ctx: CheckContext) -> Result:
    gated = gate(ctx, KINDS, needs_target=False)
    if not isinstance(gated, Gate):
        return gated
    facts, data = gated.facts, dict(gated.data)
    ev = _evidence(data, facts.status)
    reachable = data.get("reachable")
    reason = data.get("reachable_reason") or facts.error
    if reachable is True:
        final = data.get("final_url")
        moved = final and data.get("redirects")
        return Result("pass", f"reachable{f' (now at {final})' if moved else ''}", 10.0, ev)
    if reachable is False or (reachable is None and facts.status == "not_found"):
        return Result("fail", f"not reachable: {reason or 'no reason given'}", 0.0, ev)
    return unknown(f"reachability unknown: {reason or 'the host did not say'}", **ev)
