"""Promises over time: how many were kept, how fast, as a survival curve (pure).

Each promise is (days, kept): days from the paper date to delivery, or to the
as-of date of the latest run when still open (right-censored). The
Kaplan-Meier estimator gives the share still open after t days with censored
promises counted at risk until they leave, never as failures or successes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

WINDOWS = (30, 90, 180, 365)


@dataclass(frozen=True)
class Step:
    """The survival curve at one day on which a promise was kept."""

    days: int
    at_risk: int  # promises still open (and not yet censored) just before this day
    delivered: int  # promises kept on this day
    censored: int  # open promises whose observation ends on this day
    still_open: float  # S(t): estimated share of promises not yet kept after this day


def kaplan_meier(promises: Iterable[tuple[int, bool]]) -> list[Step]:
    """The Kaplan-Meier steps of (days, kept) pairs; ties: deliveries before censoring."""
    rows = sorted((max(0, int(d)), bool(k)) for d, k in promises)
    at_risk = len(rows)
    survival = 1.0
    steps: list[Step] = []
    i = 0
    while i < len(rows):
        day = rows[i][0]
        delivered = censored = 0
        while i < len(rows) and rows[i][0] == day:
            delivered += rows[i][1]
            censored += not rows[i][1]
            i += 1
        if delivered:
            survival *= 1 - delivered / at_risk
            steps.append(Step(day, at_risk, delivered, censored, survival))
        at_risk -= delivered + censored
    return steps


def median_days(steps: Sequence[Step]) -> int | None:
    """The first day the curve reaches 50% or below; None: not reached (fewer than half kept, as far as seen)."""
    return next((s.days for s in steps if s.still_open <= 0.5), None)


def kept_within(promises: Iterable[tuple[int, bool]], windows: Sequence[int] = WINDOWS) -> dict[int, int]:
    """How many promises were kept within each window (days after the paper date)."""
    rows = list(promises)
    return {w: sum(1 for d, k in rows if k and d <= w) for w in windows}
