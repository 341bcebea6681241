"""Scoring math: weighted means over judged results, coverage, paper summary."""

from __future__ import annotations

import pytest

from auditor.config import AuditConfig
from auditor.evaluate import CheckOutcome
from auditor.models import Result
from auditor.scoring import below_fail_under, score_links, score_paper, score_papers, weights_for
from auditor.checking import discover_checks


def o(check: str, status: str, score: float | None, ordinal: int | None = 0, paper: str = "p1", reason: str = "") -> CheckOutcome:
    return CheckOutcome(paper, ordinal, "" if ordinal is None else f"github:x/{ordinal}", check,
                        Result(status, reason or f"{check} {status}", score))  # type: ignore[arg-type]


def test_link_score_is_weighted_mean_of_judged_only():
    outcomes = [o("a", "pass", 10.0), o("b", "fail", 0.0), o("c", "unknown", None), o("d", "skip", None),
                o("e", "warn", 4.0)]
    [s] = score_links(outcomes, {"a": 2.0, "b": 1.0, "e": 1.0})
    assert s.score == round((20 + 0 + 4) / 4, 1) == 6.0
    assert (s.judged, s.applicable, s.coverage) == (3, 4, 0.75)
    assert (s.worst_check, s.worst_status, s.worst_reason) == ("b", "fail", "b fail")


def test_unknowns_do_not_count_as_zero():
    [s] = score_links([o("a", "pass", 10.0), o("b", "unknown", None)], {})
    assert s.score == 10.0 and s.coverage == 0.5


def test_missing_weight_is_one_and_zero_weight_moves_nothing():
    [s] = score_links([o("a", "pass", 10.0), o("b", "fail", 0.0), o("archived", "pass", 10.0)], {"archived": 0.0})
    assert s.score == 5.0 and s.judged == 3


def test_only_unknown_or_zero_weight_gives_no_score():
    [s] = score_links([o("a", "unknown", None)], {})
    assert s.score is None and s.coverage == 0.0 and s.judged == 0
    [s] = score_links([o("archived", "pass", 10.0)], {"archived": 0})
    assert s.score is None and s.coverage == 1.0


def test_worst_reason_prefers_fail_then_lowest_score_then_weight():
    outs = [o("w", "warn", 2.0), o("f1", "fail", 1.0), o("f2", "fail", 1.0), o("f3", "fail", 3.0)]
    [s] = score_links(outs, {"f1": 1.0, "f2": 2.0})
    assert s.worst_check == "f2"
    [s] = score_links([o("a", "pass", 10.0)], {})
    assert s.worst_reason is None and s.worst_status is None


def test_information_results_are_the_top_reason_only_when_nothing_scored_is_wrong():
    outs = [o("a", "pass", 10.0, 0), o("w", "warn", 5.0, 0), o("artifact_badge", "fail", 0.0, None)]
    p = score_paper(outs, None, {"artifact_badge": 0.0})
    assert p.score == 7.5 and p.worst_check == "w"  # the weight-0 fail neither scores nor hides the warning
    p = score_paper([o("a", "pass", 10.0, 0), o("artifact_badge", "fail", 0.0, None)], None, {"artifact_badge": 0.0})
    assert p.score == 10.0 and (p.worst_check, p.worst_status) == ("artifact_badge", "fail")


def test_links_are_grouped_per_paper_and_ordinal():
    outs = [o("a", "pass", 10.0, 0), o("a", "fail", 0.0, 1), o("a", "pass", 8.0, 0, paper="p2")]
    scores = score_links(outs, {})
    assert [(s.paper_id, s.link_ordinal, s.score) for s in scores] == [("p1", 0, 10.0), ("p1", 1, 0.0), ("p2", 0, 8.0)]


def test_paper_score_is_mean_of_links_plus_paper_results():
    outs = [o("a", "pass", 10.0, 0), o("b", "fail", 0.0, 0),  # link 0: 5.0
            o("a", "pass", 9.0, 1),  # link 1: 9.0
            o("claim_kept", "skip", None, None)]
    p = score_paper(outs, None, {})
    assert p.score == 7.0 and p.links == 2
    assert (p.judged, p.applicable, p.coverage) == (3, 3, 1.0)
    assert p.worst_check == "b"


def test_paper_scope_result_is_folded_in_with_its_weight():
    outs = [o("a", "pass", 9.0, 0), o("claim_kept", "warn", 3.0, None, reason="claims code is promised but gives no code link: unverifiable")]
    p = score_paper(outs, None, {"claim_kept": 2.0})
    assert p.score == round((9 + 2 * 3) / 3, 1) == 5.0
    assert p.worst_reason.endswith("unverifiable")


def test_paper_with_nothing_judged_has_no_score():
    p = score_paper([o("claim_kept", "skip", None, None)], None, {})
    assert p.score is None and p.applicable == 0 and p.coverage == 0.0 and p.links == 0
    p = score_paper([o("a", "unknown", None, 0)], None, {})
    assert p.score is None and (p.judged, p.applicable) == (0, 1)


def test_score_paper_reads_only_its_own_outcomes_and_given_link_scores():
    outs = [o("a", "pass", 10.0, 0), o("a", "fail", 0.0, 0, paper="p2")]
    links = score_links(outs, {})
    assert score_paper(outs, links, {}, paper_id="p1").score == 10.0
    with pytest.raises(ValueError, match="pass paper_id"):
        score_paper(outs, links, {})
    assert score_paper([], [], {}).score is None
    assert [p.score for p in score_papers(outs, {})] == [10.0, 0.0]


def test_weights_for_prefers_config_over_check_default():
    checks = discover_checks()
    w = weights_for(checks, AuditConfig(weights={"stars": 2.0}))
    assert w["stars"] == 2.0 and w["license"] == checks["license"].weight


@pytest.mark.parametrize("fail_under,expected", [(None, []), (5.0, ["p2"]), (0.0, [])])
def test_below_fail_under(fail_under, expected):
    scores = score_papers([o("a", "pass", 8.0), o("a", "fail", 1.0, paper="p2"), o("a", "unknown", None, paper="p3")], {})
    assert [s.paper_id for s in below_fail_under(scores, fail_under)] == expected


def test_outcome_weight_is_used_unless_weights_say_otherwise():
    heavy = CheckOutcome("p1", 0, "k", "third_party", Result("fail", "x", 0.0), weight=3.0)
    light = o("a", "pass", 10.0)
    [s] = score_links([heavy, light])
    assert s.score == 2.5
    [s] = score_links([heavy, light], {"third_party": 1.0})
    assert s.score == 5.0


def test_top_reason_names_the_check():
    [s] = score_links([o("license", "fail", 0.0, reason="no license")])
    assert s.top_reason == "license: no license"
    assert score_paper([o("a", "pass", 10.0)]).top_reason is None
