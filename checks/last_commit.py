"""Was the code committed when the paper says it was (or since its promise)?

Judged against the paper's date and the audit's as-of date, not against
"today's activity": a finished research repository that has been quiet
since publication passes. What is flagged:

* no commit at all: fail;
* a promise ("code will be released") with no commit since the paper date:
  warn within ``grace_days``, fail after;
* a last commit well before the paper (more than ``before_paper_tolerance_days``):
  warn, the code may not match the paper;
* without a paper date: quiet for more than ``stale_days`` warns.
"""

from __future__ import annotations

from datetime import timedelta

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS, setting
from auditor.models import Result
from checks._common import ANY_REPO_KINDS, Gate, gate, missing_key, parse_day


@check(
    "last_commit",
    description="Last commit judged against the paper date (and any promise), not against today.",
    weight=DEFAULT_WEIGHTS["last_commit"],
)
def last_commit(ctx: CheckContext) -> Result:
    gated = gate(ctx, ANY_REPO_KINDS)
    if not isinstance(gated, Gate):
        return gated
    data = gated.data
    if "last_commit_at" not in data:
        return missing_key("last_commit_at")
    raw = data["last_commit_at"]
    paper_day = ctx.paper.published_on
    as_of = ctx.as_of
    ev = {
        "last_commit_at": raw,
        "paper_date": paper_day.isoformat() if paper_day else None,
        "as_of": as_of.isoformat(),
        "commit_count": data.get("commit_count"),
    }
    if raw is None:
        return Result("fail", "no commit at all on the default branch", 0.0, ev)
    last = parse_day(raw)
    if last is None:
        return Result("unknown", f"unreadable last commit date {raw!r}", None, ev)
    promised = any(c.kind == "promised" for c in ctx.claims)
    ev["promised"] = promised

    if paper_day is None:
        quiet = (as_of - last).days
        stale = setting(ctx.settings, "last_commit", "stale_days")
        if quiet > stale:
            return Result(
                "warn", f"last commit {last} ({quiet} days before {as_of}); paper date unknown", 6.0, ev
            )
        return Result("pass", f"last commit {last}; paper date unknown", 10.0, ev)

    if promised and last < paper_day:
        grace = setting(ctx.settings, "last_commit", "grace_days")
        waited = (as_of - paper_day).days
        if waited <= grace:
            return Result(
                "warn",
                f"promised on {paper_day}; last commit {last}, none since yet "
                f"({waited} of {grace} grace days)",
                5.0,
                ev,
            )
        return Result(
            "fail", f"promised on {paper_day}; no commit since (last {last}, as of {as_of})", 1.0, ev
        )

    tolerance = timedelta(days=setting(ctx.settings, "last_commit", "before_paper_tolerance_days"))
    if last < paper_day - tolerance:
        return Result(
            "warn",
            f"last commit {last} is {(paper_day - last).days} days before the paper ({paper_day}): "
            "the code may not match the paper",
            5.0,
            ev,
        )
    if last >= paper_day:
        quiet = (as_of - last).days
        note = f", quiet for {quiet} days since (fine for a finished research repo)" if quiet > 90 else ""
        return Result("pass", f"last commit {last}, after the paper ({paper_day}){note}", 10.0, ev)
    return Result("pass", f"last commit {last}, just before the paper ({paper_day})", 10.0, ev)
