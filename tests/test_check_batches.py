"""Checks and scoring on a process pool store the same outcomes and scores, in the same order."""

from __future__ import annotations

from datetime import date, datetime, timezone

from auditor.check_batches import scored_papers
from auditor.checking import discover_checks
from auditor.config import AuditConfig
from auditor.extract import extract
from auditor.ingest import read_records
from auditor.models import Facts
from auditor.run_facts import RunFacts

AS_OF = date(2026, 11, 20)


def papers_and_facts(example_dumps):
    papers, facts = {}, {}
    for path in example_dumps:
        for record in read_records(path):
            ex = extract(record.paper.abstract)
            papers.setdefault(record.paper.paper_id, (record.paper, ex))
            for i, link in enumerate(ex.links):
                if link.target.kind == "github_repo" and i % 3 != 2:  # some targets have no facts: unknown
                    facts[link.target.key] = Facts(
                        target_key=link.target.key, status="ok" if i % 2 == 0 else "not_found",
                        fetched_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                        data={"stars": i, "license": "MIT" if i % 2 else None, "readme_chars": 900},
                    )
    return list(papers.values()), facts


def test_pool_equals_one_process(example_dumps):
    papers, whole = papers_and_facts(example_dumps)
    facts = RunFacts.held(whole.values())
    checks, config = discover_checks(), AuditConfig()
    one = list(scored_papers(papers, facts, AS_OF, checks, config, jobs=1))
    pooled = list(scored_papers(papers, facts, AS_OF, checks, config, jobs=2, papers_count=len(papers), pool_min=0))
    assert len(one) == len(papers) > 200
    assert [p for p, *_ in pooled] == [paper.paper_id for paper, _ in papers]
    assert pooled == one
    assert sum(len(outcomes) for _, outcomes, _, _ in one) > len(papers)
