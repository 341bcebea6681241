"""Benchmark of discovery: a Daily Papers listing of 1,000 papers with every source on.

Starts the fake Hugging Face Hub (tests/localhosts/fakehub.py, paper endpoints) and the fake
GitHub (tests/fakegithub, its search endpoint) on 127.0.0.1, both answering after ``--latency``
(100 ms by default), reads ``hf-daily:2026-11-30`` (paged, 50 a page) and runs the discovery
stage with ``comments,hf_paper,github_search``, then runs it again on the same cache. Prints the
wall time of each step and the requests per paper per source.

The fake's search budget is raised for the benchmark (GitHub's real 30 searches a minute would
make 1,000 papers a 33-minute pass by design, which measures GitHub's limit, not this code):
``--search-limit`` sets it. Target: the first pass well under a minute; the second sends nothing.

    .venv/bin/python bench/bench_discover.py [--papers 1000] [--latency 0.1] [--search-limit 100000]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from auditor.discover.daily import read_daily  # noqa: E402
from auditor.discover.stage import discover  # noqa: E402
from auditor.extract import extract  # noqa: E402
from auditor.models import Facts  # noqa: E402
from fakegithub.server import FakeGitHub  # noqa: E402
from localhosts import fakehub  # noqa: E402
from localhosts.fakehub import HubPaper  # noqa: E402
from localhosts.server import LocalServer, Reply  # noqa: E402

TOKEN = "bench-token"
DAY = "2026-11-30"


def hub_papers(n: int) -> list[HubPaper]:
    """n papers of one day: 40% declare a repository, 10% a project page, 10% lack linked repos (4 requests)."""
    out = []
    for i in range(n):
        ident = f"2611.{10000 + i:05d}"
        out.append(HubPaper(
            ident, f"Benchmark Paper Number {i}", summary=f"We study problem {i} and release nothing in this abstract.",
            github_repo=f"https://github.com/lab{i % 97}/paper-{i}" if i % 5 < 2 else None,
            project_page=f"https://lab{i % 13}.example.org/paper-{i}" if i % 10 == 3 else None,
            linked=None if i % 10 == 7 else {"models": [{"id": f"lab{i % 97}/model-{i}", "likes": i % 50}]},
            citing={"models": [{"id": f"lab{i % 97}/model-{i}", "likes": 3}]}, daily=DAY))
    return out


def slow(routes: dict[str, object], latency: float) -> dict[str, object]:
    """Every route answering after ``latency`` seconds."""
    def wrap(route: object) -> object:
        def call(seen):
            reply = route(seen) if callable(route) else route
            return Reply(reply.status, reply.body, reply.headers, delay=latency)
        return call
    return {path: wrap(route) for path, route in routes.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--search-limit", type=int, default=100_000)
    args = ap.parse_args()

    papers = hub_papers(args.papers)
    world = {"repos": [{"repo": f"impl{i % 53}/paper-{i}", "readme": f"# Code\n\nFor arXiv {p.arxiv_id}.\n"}
                       for i, p in enumerate(papers) if i % 4 == 0],
             "tokens": {TOKEN: {"login": "bench", "user_id": 7}}}
    github = FakeGitHub(world, latency=args.latency, schema=False).start()
    github.limits.search = args.search_limit
    try:
        with LocalServer(slow(fakehub.paper_routes(papers), args.latency)) as hub:
            env = {"HF_ENDPOINT": hub.base, "GITHUB_API_URL": github.url, "GITHUB_TOKEN": TOKEN}
            t0 = time.perf_counter()
            records = list(read_daily(f"hf-daily:{DAY}", env, allow_private_hosts=True))
            t_list = time.perf_counter() - t0
            listing = sum(1 for s in hub.seen if s.path == "/api/daily_papers")
            given = {r.paper.paper_id: (r.paper, extract(r.paper.abstract)) for r in records}
            cache: dict[str, Facts] = {}

            def load(keys: set[str]) -> dict[str, Facts]:
                return {k: cache[k] for k in keys if k in cache}

            def save(facts: list[Facts]) -> None:
                cache.update({f.target_key: f for f in facts})

            def one_pass() -> tuple[float, object, Counter[str], int]:
                hub.seen.clear()
                github.stats.clear()
                t = time.perf_counter()
                _, report = discover(given, sources=("abstract", "comments", "hf_paper", "github_search"), load=load,
                                     save=save, env=env, allow_private_hosts=True, max_wait=60)
                wall = time.perf_counter() - t
                by_kind = Counter("hf_paper" if s.path.startswith("/api/papers/") else
                                  "hf_listing" if "filter" in s.query else "other" for s in hub.seen)
                return wall, report, by_kind, github.stats.count("GET /search/repositories")

            wall, report, by_kind, searches = one_pass()
            again, report2, by_kind2, searches2 = one_pass()
    finally:
        github.stop()
    n = len(records)
    print(f"papers: {n} from hf-daily:{DAY} ({listing} listing pages, {t_list:.1f} s), latency {args.latency * 1000:.0f} ms")
    print(f"first pass: {wall:.1f} s wall")
    print(f"  hf_paper: {by_kind['hf_paper'] / n:.2f} page requests/paper + {by_kind['hf_listing'] / n:.2f} listing "
          f"requests/paper (papers whose page lists no linked repositories)")
    print(f"  github_search: {searches / n:.2f} requests/paper")
    print(f"  links found: {dict(report.links)}; not reached: {dict(report.not_reached) or 'none'}")
    print(f"second pass (cached, --max-age): {again:.2f} s wall, {sum(by_kind2.values()) + searches2} requests")


if __name__ == "__main__":
    main()
