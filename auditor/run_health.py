"""Whether a run judged enough to be trusted, and what its exit code must say. Pure.

A run that could not collect (a rate limit, unreachable hosts, a large share
of targets in ``error`` or ``unknown``) is *partial*, whatever its scores; a
``--fail-under`` verdict is given only when enough papers could be scored.
Every reason is one line a user can act on, shown in the summary, stored
with the run and printed on the scorecards' banner.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Literal

from auditor.models import Facts

#: Defaults of the configuration keys max_error_share and min_judged_share (documented in the README).
MAX_ERROR_SHARE = 0.25
MIN_JUDGED_SHARE = 0.5
UNJUDGED = ("error", "unknown")


@dataclass(frozen=True)
class TargetHealth:
    total: int
    unjudged: int  # ended in error or unknown
    reasons: tuple[tuple[str, int], ...]  # most common first

    @property
    def share(self) -> float:
        return self.unjudged / self.total if self.total else 0.0


def target_health(facts: Iterable[Facts]) -> TargetHealth:
    total, bad, reasons = 0, 0, Counter[str]()
    for f in facts:
        total += 1
        if f.status in UNJUDGED:
            bad += 1
            reasons[" ".join((f.error or f.status).split())[:120]] += 1
    return TargetHealth(total, bad, tuple(reasons.most_common(3)))


def partial_reasons(
    health: TargetHealth,
    *,
    rate_limited_until: datetime | None = None,
    max_error_share: float = MAX_ERROR_SHARE,
) -> list[str]:
    """Why the run's results are partial (empty: they are not)."""
    reasons: list[str] = []
    if rate_limited_until is not None:
        reasons.append(f"rate limited until {rate_limited_until:%H:%M} UTC: run the same command then to finish")
    if health.total and health.share > max_error_share:
        why = "; ".join(f"{text} ({n})" for text, n in health.reasons)
        reasons.append(
            f"{health.unjudged} of {health.total} targets ({health.share:.0%}) ended in error or unknown, "
            f"more than the allowed {max_error_share:.0%}: {why}"
        )
    return reasons


Verdict = Literal["pass", "fail", "undecided"]


def fail_under_verdict(
    score: float | None, scored: int, papers: int, fail_under: float, min_judged_share: float = MIN_JUDGED_SHARE
) -> tuple[Verdict, str]:
    """Compare the mean score only when at least ``min_judged_share`` of the papers were scored."""
    if papers == 0 or score is None or scored / papers < min_judged_share:
        return "undecided", (
            f"--fail-under {fail_under:g} not decided: {scored} of {papers} papers could be scored, "
            f"fewer than the {min_judged_share:.0%} needed (min_judged_share)"
        )
    if score < fail_under:
        return "fail", f"mean paper score {score} is under --fail-under {fail_under:g} ({scored} of {papers} papers scored)"
    return "pass", ""
