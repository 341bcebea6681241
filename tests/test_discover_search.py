"""The opt-in ``github_search`` source against the fake GitHub's search endpoint and its own limit.

The fake (tests/fakegithub/rest_api.py ``search_repositories``) answers
``GET /search/repositories`` as GitHub does: ``{total_count, incomplete_results, items}`` with
repository items plus ``score`` (the recorded github3py__GitHub_search_repositories__00.json), and
spends the ``search`` resource (30 a minute with a token, 10 without, reset every minute, with
``x-ratelimit-resource: search``), as GitHub's "REST API endpoints for search" documents.
"""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import duckdb

from auditor.config import load_config
from auditor.discover.search import GitHubSearch, SearchBudget
from auditor.pipeline import RunOptions, run_audit
from auditor.retry import FAST

PAPERS = [(f"2611.1000{i}", f"Searched Paper {i}") for i in range(5)]


def snapshot(path: Path) -> Path:
    import json

    path.write_text("".join(json.dumps({"id": i, "title": t, "abstract": "We study a method and report results."}) + "\n"
                            for i, t in PAPERS))
    return path


def add_implementations(fake) -> None:
    for i, (ident, _) in enumerate(PAPERS):
        fake.world.add_repo({"repo": f"impl-lab/paper-{i}", "preset": "code",
                             "readme": f"# Implementation\n\nCode for arXiv:{ident} ({ident}).\n", "stars": 10 + i})


def options(tmp_path: Path, dump: Path, **kw) -> RunOptions:
    return RunOptions(dumps=[dump], db=tmp_path / "audit.duckdb", out=tmp_path / "out", as_of=date(2026, 11, 30),
                      config=load_config(None, cwd=tmp_path), hosts=("github",), jobs=1,
                      discover=("abstract", "github_search"), **kw)


def searches(fake) -> int:
    return fake.stats.count("GET /search/repositories")


def test_search_finds_the_repositories_naming_the_arxiv_id_and_caches_them(fake_github, tmp_path, without_scorecards):
    add_implementations(fake_github)
    dump = snapshot(tmp_path / "arxiv.jsonl")
    env = fake_github.env(fake_github.token)
    summary = run_audit(options(tmp_path, dump), env=env)
    assert searches(fake_github) == 5  # one per paper
    con = duckdb.connect(str(tmp_path / "audit.duckdb"), read_only=True)
    try:
        links = con.execute("SELECT p.arxiv_id, l.target_key, l.source FROM links l JOIN papers p USING (paper_id) "
                            "ORDER BY 1").fetchall()
        code = dict(con.execute("SELECT p.arxiv_id, r.reason FROM results r JOIN papers p USING (paper_id) "
                                "WHERE r.check_name = 'code_linked'").fetchall())
        stored = con.execute("SELECT DISTINCT source, outcome FROM discovery WHERE source = 'github_search'").fetchall()
    finally:
        con.close()
    assert links == [(ident, f"github:impl-lab/paper-{i}", "github_search") for i, (ident, _) in enumerate(PAPERS)]
    assert code["2611.10000"] == ("github.com/impl-lab/paper-0 mentions the paper's arXiv id (found by GitHub search); "
                                  "the abstract names no code")
    assert stored == [("github_search", "searched")]
    assert summary.discovery.links["github_search"] == 5
    fake_github.stats.clear()
    run_audit(options(tmp_path, dump), env=env)
    assert searches(fake_github) == 0  # cached as facts github-search:ID


def test_a_spent_search_budget_that_resets_too_late_leaves_the_rest_unknown_and_says_how_many(fake_github, tmp_path,
                                                                                              without_scorecards):
    add_implementations(fake_github)
    fake_github.limits.search = 3  # three searches a minute for this token
    dump = snapshot(tmp_path / "arxiv.jsonl")
    summary = run_audit(options(tmp_path, dump, max_wait=0), env=fake_github.env(fake_github.token))
    assert searches(fake_github) == 3  # never a request the budget did not cover
    assert summary.discovery.not_reached["github_search"] == 2
    assert summary.discovery.reasons["github_search"].startswith("rate limited until ")
    assert "GitHub search allows 3 a minute" in summary.discovery.reasons["github_search"]


def test_the_budget_is_waited_for_when_it_resets_within_max_wait(fake_github):
    """On one fake clock, the fake's and the budget's: it moves only when the budget sleeps."""
    now = [1_800_000_000.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds
        await asyncio.sleep(0.001)  # the answers in flight come in on the real loop

    fake_github.limits.search_anonymous = 2  # anonymous: 2 a minute
    fake_github.limits.clock = lambda: now[0]

    async def go():
        budget = SearchBudget(max_wait=120, clock=lambda: now[0], sleep=sleep)
        async with GitHubSearch(fake_github.url, None, budget, retry=FAST) as search:
            # One more than a window allows: one wait for the fake's next window, not two.
            got = await asyncio.gather(*(search.paper(f"2611.2000{i}") for i in range(3)))
        return got, budget

    got, budget = asyncio.run(go())
    assert [f.status for f in got] == ["ok"] * 3
    assert 60 < budget.waited <= 62 and now[0] - 1_800_000_000 < 120  # waited once, for the window's reset
    assert fake_github.stats.rate_limited == 0  # planned from the headers: no request was refused
