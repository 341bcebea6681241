"""Kaplan-Meier on hand-computed cases: censored promises stay at risk until they leave."""

from __future__ import annotations

import pytest

from auditor.promises import Step, kaplan_meier, kept_within, median_days


def test_kaplan_meier_with_censoring_between_deliveries() -> None:
    rows = [(10, True), (20, False), (30, True), (30, True), (40, False)]
    steps = kaplan_meier(rows)
    assert [(s.days, s.at_risk, s.delivered, s.censored) for s in steps] == [(10, 5, 1, 0), (30, 3, 2, 0)]
    assert steps[0].still_open == pytest.approx(0.8)
    assert steps[1].still_open == pytest.approx(0.8 / 3)  # 0.8 * (1 - 2/3)
    assert median_days(steps) == 30
    assert kept_within(rows, (10, 29, 30, 365)) == {10: 1, 29: 1, 30: 3, 365: 3}


def test_ties_deliver_before_censoring_and_a_curve_that_stays_high_has_no_median() -> None:
    assert kaplan_meier([(10, True), (10, False)]) == [Step(10, 2, 1, 1, 0.5)]
    steps = kaplan_meier([(5, True), (50, False), (60, False), (70, False)])
    assert steps[-1].still_open == pytest.approx(0.75) and median_days(steps) is None


def test_no_promise_kept_is_an_empty_curve() -> None:
    assert kaplan_meier([(100, False)]) == [] and median_days([]) is None
