"""Scores per link and per paper from check outcomes (pure).

Rules (shown beside every score so a reader can weigh it):

* **link score** = weighted mean of the scores of its *judged* results
  (pass, warn, fail). ``unknown`` and ``skip`` are left out: an unknown is
  not a zero. A check's weight is ``weights[name]`` when given, else the
  weight the engine put on the outcome (configured, else the check's own
  default), else 1; a check weighted 0 is judged and counted but moves nothing.
  No judged result, or only weight-0 ones: score None.
* **coverage** = judged / applicable, where applicable = every result but
  ``skip``. A link scored 9.0 on 2 of 7 applicable checks is not a link
  scored 9.0 on 7 of 7.
* **paper score** = weighted mean over its scored links (weight 1 each, but
  the links found through project pages, source ``page``, share one
  weight no larger than the other links' together, so a page never outweighs
  the abstract) and its judged paper-scope results (with their check weight, e.g. claim_kept
  on an unlinked claim). A paper with nothing judged (no links and no
  claims, or only unknowns) has score None.
* **worst reason** = the most severe judged result: fail before warn, then
  the lowest score, then the heaviest weight, then the check name; results
  weighted 0 (information) only when no weighted result failed or warned.

Scores are rounded to one decimal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from auditor.checking import Check
from auditor.config import AuditConfig
from auditor.evaluate import CheckOutcome

JUDGED = frozenset({"pass", "warn", "fail"})
_SEVERITY = {"fail": 0, "warn": 1}


@dataclass(frozen=True)
class LinkScore:
    paper_id: str
    link_ordinal: int
    target_key: str
    score: float | None  # 0-10, one decimal; None when nothing weighed was judged
    coverage: float  # judged / applicable, 0-1
    judged: int
    applicable: int
    worst_check: str | None = None
    worst_status: str | None = None  # "fail" | "warn" | None when all passed
    worst_reason: str | None = None

    @property
    def top_reason(self) -> str | None:
        """The scorecard's "top reason": the worst result, named by its check."""
        return _top(self.worst_check, self.worst_reason)


@dataclass(frozen=True)
class PaperScore:
    paper_id: str
    score: float | None
    coverage: float
    judged: int
    applicable: int
    links: int  # links scored (with a score)
    worst_check: str | None = None
    worst_status: str | None = None
    worst_reason: str | None = None

    @property
    def top_reason(self) -> str | None:
        """The scorecard's "top reason": the worst result, named by its check."""
        return _top(self.worst_check, self.worst_reason)


def _top(check: str | None, reason: str | None) -> str | None:
    return f"{check}: {reason}" if check and reason else None


def weights_for(checks: Mapping[str, Check], config: AuditConfig) -> dict[str, float]:
    """Each check's weight: the configured one, else the check's own default."""
    return {name: config.weight_for(name, chk.weight) for name, chk in checks.items()}


def _weight(weights: Mapping[str, float], outcome: CheckOutcome) -> float:
    if outcome.check in weights:
        return float(weights[outcome.check])
    return float(getattr(outcome, "weight", 1.0))  # a stored outcome may not carry one


def _mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Weighted mean of (score, weight) pairs; None when the weights sum to 0."""
    total = weighted = 0.0
    for score, weight in pairs:
        total += weight
        weighted += score * weight
    return round(weighted / total, 1) if total > 0 else None


def _worst(outcomes: Sequence[CheckOutcome], weights: Mapping[str, float]) -> CheckOutcome | None:
    bad = [o for o in outcomes if o.result.status in _SEVERITY]
    if not bad:
        return None
    return min(
        bad,
        key=lambda o: (
            _weight(weights, o) <= 0,  # information (weight 0) is the top reason only when nothing scored is wrong
            _SEVERITY[o.result.status],
            o.result.score if o.result.score is not None else 10.0,
            -_weight(weights, o),
            o.check,
        ),
    )


def _judged(outcomes: Sequence[CheckOutcome]) -> list[CheckOutcome]:
    return [o for o in outcomes if o.result.status in JUDGED and o.result.score is not None]


def _counts(outcomes: Sequence[CheckOutcome]) -> tuple[int, int]:
    judged = sum(1 for o in outcomes if o.result.status in JUDGED)
    applicable = sum(1 for o in outcomes if o.result.status != "skip")
    return judged, applicable


def _coverage(judged: int, applicable: int) -> float:
    return round(judged / applicable, 3) if applicable else 0.0


def score_link(outcomes: Sequence[CheckOutcome], weights: Mapping[str, float] | None = None) -> LinkScore:
    """Score one link's outcomes (all with the same paper and ordinal)."""
    weights = weights or {}
    first = outcomes[0]
    judged, applicable = _counts(outcomes)
    worst = _worst(outcomes, weights)
    return LinkScore(
        paper_id=first.paper_id,
        link_ordinal=first.link_ordinal,  # type: ignore[arg-type]
        target_key=first.target_key,
        score=_mean((o.result.score, _weight(weights, o)) for o in _judged(outcomes)),  # type: ignore[misc]
        coverage=_coverage(judged, applicable),
        judged=judged,
        applicable=applicable,
        worst_check=worst.check if worst else None,
        worst_status=worst.result.status if worst else None,
        worst_reason=worst.result.reason if worst else None,
    )


def score_links(outcomes: Iterable[CheckOutcome], weights: Mapping[str, float] | None = None) -> list[LinkScore]:
    """One LinkScore per (paper, link) among the link-scope outcomes, in input order."""
    groups: dict[tuple[str, int], list[CheckOutcome]] = defaultdict(list)
    for o in outcomes:
        if o.link_ordinal is not None:
            groups[(o.paper_id, o.link_ordinal)].append(o)
    return [score_link(group, weights) for group in groups.values()]


def score_paper(
    outcomes: Iterable[CheckOutcome],
    link_scores: Sequence[LinkScore] | None = None,
    weights: Mapping[str, float] | None = None,
    *,
    paper_id: str | None = None,
    sources: Mapping[int, str] | None = None,
) -> PaperScore:
    """Summarise one paper (see the module docstring for the rule).

    ``outcomes`` are one paper's (as :func:`~auditor.evaluate.evaluate_paper`
    returns them); when they mix papers, pass ``paper_id`` to pick one.
    ``link_scores``: from :func:`score_links`, computed here when None.
    ``sources``: link ordinal -> the link's source (``page`` links are weighed down).
    """
    outcomes = list(outcomes)
    weights = weights or {}
    if paper_id is None:
        ids = {o.paper_id for o in outcomes} | {s.paper_id for s in link_scores or ()}
        if len(ids) > 1:
            raise ValueError(f"outcomes of {len(ids)} papers: pass paper_id")
        paper_id = ids.pop() if ids else ""
    mine = [o for o in outcomes if o.paper_id == paper_id]
    if link_scores is None:
        link_scores = score_links(mine, weights)
    else:
        link_scores = [s for s in link_scores if s.paper_id == paper_id]
    paper_level = [o for o in mine if o.link_ordinal is None]
    pairs = _link_pairs(link_scores, sources or {})
    pairs += [(o.result.score, _weight(weights, o)) for o in _judged(paper_level)]  # type: ignore[misc]
    p_judged, p_applicable = _counts(paper_level)
    judged = p_judged + sum(s.judged for s in link_scores)
    applicable = p_applicable + sum(s.applicable for s in link_scores)
    worst = _worst(mine, weights)
    return PaperScore(
        paper_id=paper_id,
        score=_mean(pairs),
        coverage=_coverage(judged, applicable),
        judged=judged,
        applicable=applicable,
        links=sum(1 for s in link_scores if s.score is not None),
        worst_check=worst.check if worst else None,
        worst_status=worst.result.status if worst else None,
        worst_reason=worst.result.reason if worst else None,
    )


def _link_pairs(link_scores: Sequence[LinkScore], sources: Mapping[int, str]) -> list[tuple[float, float]]:
    """(score, weight) of each scored link: 1 each, page links sharing at most the others' weight."""
    scored = [s for s in link_scores if s.score is not None]
    page = [s for s in scored if sources.get(s.link_ordinal) == "page"]
    own = len(scored) - len(page)
    share = min(1.0, max(own, 1) / len(page)) if page else 1.0
    return [(s.score, share if sources.get(s.link_ordinal) == "page" else 1.0) for s in scored]  # type: ignore[misc]


def score_papers(outcomes: Iterable[CheckOutcome], weights: Mapping[str, float] | None = None) -> list[PaperScore]:
    """A PaperScore for every paper among the outcomes, in first-seen order."""
    by_paper: dict[str, list[CheckOutcome]] = defaultdict(list)
    for o in outcomes:
        by_paper[o.paper_id].append(o)
    return [score_paper(group, None, weights, paper_id=pid) for pid, group in by_paper.items()]


def below_fail_under(scores: Iterable[PaperScore], fail_under: float | None) -> list[PaperScore]:
    """Papers whose score is below ``fail_under`` (unscored papers never are)."""
    if fail_under is None:
        return []
    return [s for s in scores if s.score is not None and s.score < fail_under]
