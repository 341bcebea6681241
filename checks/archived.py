"""Is the repository archived (read-only)? Information, never a failure.

A finished research repository is often archived on purpose; the reviewer
should know (no issues or fixes will be taken), so it passes with a note and
the date. Its default weight is 0: it does not move the score.
"""

from __future__ import annotations

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import Result
from checks._common import Gate, gate, missing_key, parse_day

KINDS = frozenset({"github_repo", "forge_repo"})


@check(
    "archived",
    description="Notes whether the repository is archived (read-only); never fails.",
    weight=DEFAULT_WEIGHTS["archived"],
)
def archived(ctx: CheckContext) -> Result:
    gated = gate(ctx, KINDS)
    if not isinstance(gated, Gate):
        return gated
    data = gated.data
    if data.get("is_archived") is None:
        return missing_key("is_archived")
    if not data["is_archived"]:
        return Result("pass", "not archived", 10.0, {"is_archived": False})
    day = parse_day(data.get("archived_at"))
    when = f"on {day.isoformat()}" if day else "(date not reported)"
    return Result(
        "pass",
        f"archived {when}: read-only, no fixes or issues will be taken",
        10.0,
        {"is_archived": True, "archived_at": data.get("archived_at")},
    )
