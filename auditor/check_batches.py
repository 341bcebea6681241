"""Checks and scoring over many papers, in batches, on a process pool when it pays.

Checks and scoring are pure (no I/O), so a batch of papers with the facts of
their own targets is all a worker needs; the results come back in the order
the batches went out, so what is stored is the same as a one-process run's.
Small runs (under :data:`POOL_MIN_PAPERS`) stay in this process: starting
workers costs more than it saves there.
"""

from __future__ import annotations

import pickle
from collections import deque
from datetime import date
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from auditor.checking import Check
from auditor.config import AuditConfig
from auditor.iterutil import chunks
from auditor.models import Extraction, Facts, Paper
from auditor.pools import process_pool

if TYPE_CHECKING:
    from auditor.run_facts import RunFacts

#: Papers per batch, and the fewest papers for which a pool is started.
BATCH = 500
POOL_MIN_PAPERS = 5_000

Scored = tuple[str, list[Any], list[Any], Any]  # paper_id, outcomes, link scores, paper score

_worker: dict[str, Any] = {}


def score_batch(
    batch: Sequence[tuple[Paper, Extraction]],
    facts_by_key: Mapping[str, Facts],
    as_of: date,
    checks: Mapping[str, Check],
    config: AuditConfig,
) -> list[Scored]:
    """Outcomes and scores of each paper of the batch."""
    from auditor.evaluate import evaluate_paper
    from auditor.scoring import score_links, score_paper

    out: list[Scored] = []
    for paper, extraction in batch:
        outcomes = evaluate_paper(paper, extraction.links, extraction.claims, facts_by_key, as_of, checks, config)
        link_scores = score_links(outcomes, config.weights)
        sources = {link.ordinal: link.source for link in extraction.links}  # page links are weighed down
        out.append((paper.paper_id, outcomes, link_scores,
                    score_paper(outcomes, link_scores, config.weights, sources=sources)))
    return out


def _init(checks: Mapping[str, Check], config: AuditConfig, as_of: date) -> None:
    _worker.update(checks=checks, config=config, as_of=as_of)


def _score_in_worker(args: tuple[Sequence[tuple[Paper, Extraction]], Mapping[str, Facts]]) -> list[Scored]:
    batch, facts = args
    return score_batch(batch, facts, _worker["as_of"], _worker["checks"], _worker["config"])


def _picklable(*values: Any) -> bool:
    try:
        pickle.dumps(values)
    except Exception:  # a check defined in a test or a notebook: stay in this process
        return False
    return True


def scored_papers(
    papers: Iterable[tuple[Paper, Extraction]],
    facts_by_key: "RunFacts",
    as_of: date,
    checks: Mapping[str, Check],
    config: AuditConfig,
    *,
    jobs: int = 1,
    papers_count: int | None = None,
    pool_min: int = POOL_MIN_PAPERS,
) -> Iterator[Scored]:
    """(paper_id, outcomes, link scores, paper score) of every paper, in order.

    With ``jobs`` > 1, at least ``pool_min`` papers (``papers_count``, when
    known) and picklable checks, batches go to ``jobs`` processes, each with
    the facts of its own papers' targets; at most ``2 x jobs`` batches wait. Each batch's
    facts are read with one query (:meth:`auditor.run_facts.RunFacts.load`).
    """
    use_pool = jobs > 1 and (papers_count or 0) >= pool_min and _picklable(checks, config)
    if not use_pool:
        for batch in chunks(papers, BATCH):
            yield from score_batch(batch, facts_by_key.load(_keys(batch)), as_of, checks, config)
        return
    with process_pool(jobs, initializer=_init, initargs=(checks, config, as_of)) as pool:
        window: deque[Any] = deque()
        for batch in chunks(papers, BATCH):
            window.append(pool.apply_async(_score_in_worker, ((batch, facts_by_key.load(_keys(batch))),)))
            if len(window) >= 2 * jobs:
                yield from window.popleft().get()
        while window:
            yield from window.popleft().get()


def _keys(batch: Sequence[tuple[Paper, Extraction]]) -> list[str]:
    """The target keys a batch's checks read: its links' targets, in link order."""
    return list(dict.fromkeys(link.target.key for _, ex in batch for link in ex.links))
