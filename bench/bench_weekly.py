"""Ten weekly runs over the same papers: how much the DuckDB file grows per unchanged run.

    .venv/bin/python bench/bench_weekly.py [N_PAPERS] [RUNS] [--discover SOURCES]
                                        (default 20,000 papers, 10 runs, no discovery)

Each run does what `audit run` writes: the papers and their sightings again
(bench_checks' generated corpus: real extraction, varied links and claims),
their links and claims, the facts of every target collected again (same
content, a new fetch time, as a weekly re-audit finds), then every check and
score through the pipeline's own check_and_score. The file is closed after
each run and its size printed; the last line compares the growth per
unchanged run with the first run's size (target: under 5 %), and shows what
`audit vacuum` makes of the file at the end.

``--discover comments,hf_paper`` (any of ``comments``, ``hf_paper``, ``github_search``) runs the
pipeline's discovery stage too, 5,000 papers at a time as `audit run` does: every paper gets an
arXiv id and 30 % a "Code: ..." comment; ``hf_paper`` asks a fake Hugging Face Hub on 127.0.0.1
(tests/localhosts: 60 % of the papers indexed, a third of those declaring a repository) and
``github_search`` the fake GitHub's repository search (a README names a quarter of the papers).
The first run fetches every answer; later runs read them from the cache, and the bench writes
them again with a new fetch time, as a weekly re-fetch of the same answers would.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_checks import AS_OF, SEED, make_facts, make_papers  # noqa: E402

from auditor.checking import discover_checks  # noqa: E402
from auditor.config import AuditConfig  # noqa: E402
from auditor.models import Extraction, Record, Sighting  # noqa: E402
from auditor.pipeline import check_and_score  # noqa: E402
from auditor.run_facts import RunFacts  # noqa: E402
from auditor.store import Store  # noqa: E402
from auditor.store.compact import compact_file  # noqa: E402

NETWORK_SOURCES = ("hf_paper", "github_search")
BATCH = 5_000  # papers per discovery batch, as `audit run` reads them
TOKEN = "bench-token"


def with_identity(papers: list, rng: random.Random) -> list:
    """Every paper an arXiv id, 30 % a comment naming a repository (read at ingest, as `audit run` does)."""
    out = []
    for i, (p, links, claims) in enumerate(papers):
        comments = f"12 pages. Code: https://github.com/lab{i % 89}/impl-{i}" if rng.random() < 0.3 else "12 pages"
        out.append((replace(p, arxiv_id=f"{2000 + i // 90_000}.{i % 90_000 + 10_000:05d}", arxiv_id_via="dump",
                            comments=comments), links, claims))
    return out


def servers(papers: list, sources: tuple[str, ...]) -> tuple[dict[str, str], list]:
    """The fake Hub and fake GitHub the network sources ask; (env, things to stop)."""
    env: dict[str, str] = {}
    stop: list = []
    if "hf_paper" in sources:
        from localhosts import fakehub
        from localhosts.fakehub import HubPaper
        from localhosts.server import LocalServer

        hub = [HubPaper(p.arxiv_id, p.title, indexed=i % 10 < 6, linked={},
                        github_repo=f"https://github.com/hub{i % 71}/paper-{i}" if i % 10 < 2 else None)
               for i, (p, _, _) in enumerate(papers)]
        server = LocalServer(fakehub.paper_routes(hub)).__enter__()
        env["HF_ENDPOINT"] = server.base
        stop.append(lambda: server.__exit__(None, None, None))
    if "github_search" in sources:
        from fakegithub.server import FakeGitHub

        world = {"repos": [{"repo": f"impl{i % 53}/paper-{i}", "readme": f"# Code\n\nFor arXiv {p.arxiv_id}.\n"}
                           for i, (p, _, _) in enumerate(papers) if i % 4 == 0],
                 "tokens": {TOKEN: {"login": "bench", "user_id": 7}}}
        github = FakeGitHub(world, schema=False).start()
        github.limits.search = 10 * len(papers) + 100  # GitHub's real 30 a minute would measure its limit, not the store
        env.update(GITHUB_API_URL=github.url, GITHUB_TOKEN=TOKEN)
        stop.append(github.stop)
    return env, stop


def discovered(store: Store, run_id: str, items: list, sources: tuple[str, ...], env: dict[str, str],
               cached: set[str]) -> list:
    """The pipeline's discovery stage over ``items``, a batch at a time: outcomes stored, links grown."""
    from auditor.discover.stage import discover

    def save(facts: list) -> None:
        cached.update(f.target_key for f in facts)
        store.save_facts(facts)

    out = []
    for start in range(0, len(items), BATCH):
        batch = {p.paper_id: (p, ex) for p, ex in items[start:start + BATCH]}
        found, _ = discover(batch, sources=("abstract", *sources), load=store.load_facts, save=save, env=env,
                            max_age_seconds=30 * 24 * 3600, allow_private_hosts=True, max_wait=60)
        store.save_discovery(run_id, [p for p, _ in found.values()])
        grown = [(pid, ex) for pid, (_, ex) in found.items() if len(ex.links) != len(batch[pid][1].links)]
        if grown:
            store.add_extractions(grown)
        out.extend(found.values())
    return out


def main(n_papers: int = 20_000, runs: int = 10, sources: tuple[str, ...] = ()) -> None:
    rng = random.Random(SEED)
    papers = make_papers(n_papers, rng)
    facts = make_facts(papers, rng)
    if sources:
        papers = with_identity(papers, rng)
    checks, config = discover_checks(), AuditConfig()
    records = [Record(p, Sighting(p.paper_id, "dump.jsonl", AS_OF, i)) for i, (p, _, _) in enumerate(papers)]
    extractions = [(p.paper_id, Extraction(links=links, claims=claims)) for p, links, claims in papers]
    if "comments" in sources:
        from auditor.discover.comments import merged
        from auditor.links import find_links

        extractions = [(pid, merged(ex, find_links(p.comments), "comments")) for (p, _, _), (pid, ex) in zip(papers, extractions)]
    items = [(replace(p, abstract=""), ex) for (p, _, _), (_, ex) in zip(papers, extractions)]
    print(f"{n_papers:,} papers, {sum(len(ex.links) for _, ex in extractions):,} links, {len(facts):,} targets with facts"
          + (f"; discovery: {','.join(sources)}" if sources else ""))
    env, stop = servers(papers, tuple(s for s in sources if s in NETWORK_SOURCES)) if sources else ({}, [])
    cached: set[str] = set()  # the discovery answers' cache keys (facts hf-paper:ID, github-search:ID)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "audit.duckdb"
            sizes = []
            start = datetime.now(timezone.utc)
            for week in range(runs):
                t, cpu = time.perf_counter(), time.process_time()
                with Store.open(path) as store:
                    run_id = store.start_run({"bench": "weekly", "week": week}, AS_OF)
                    store.add_records(records, run_id)
                    store.add_extractions(extractions)
                    at = start + timedelta(days=7 * week)
                    run_items = items
                    if sources:
                        if cached:  # the same answers fetched again this week
                            store.save_facts(replace(f, fetched_at=at) for f in store.load_facts(cached).values())
                        run_items = discovered(store, run_id, items, tuple(sources), env, cached)
                    store.save_facts(replace(f, fetched_at=at) for f in facts.values())
                    check_and_score(store, run_id, run_items, RunFacts.held(facts.values()), AS_OF, checks, config)
                    store.finish_run(run_id, "done")
                    kept = "discovery_stored" if store.db.rows(
                        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'discovery_stored'")[0][0] else "discovery"
                    rows = store.db.rows(f"SELECT (SELECT count(*) FROM discovery WHERE run_id = ?), "
                                         f"(SELECT count(*) FROM {kept})", [run_id])[0]
                sizes.append(path.stat().st_size)
                grew = "" if week == 0 else f"  (+{(sizes[-1] - sizes[-2]) / 1e6:6.2f} MB, {100 * (sizes[-1] - sizes[-2]) / sizes[0]:5.1f} % of run 1)"
                shown = f"  discovery: {rows[0]:,} rows in the run, {rows[1]:,} stored" if sources else ""
                print(f"run {week + 1:>2}: {sizes[-1] / 1e6:7.2f} MB  {time.perf_counter() - t:5.1f} s wall "
                      f"{time.process_time() - cpu:5.1f} s CPU{grew}{shown}")
            per_run = (sizes[-1] - sizes[0]) / max(1, runs - 1)
            print(f"growth per unchanged run: {per_run / 1e6:.2f} MB = {100 * per_run / sizes[0]:.1f} % of the first run's "
                  f"{sizes[0] / 1e6:.2f} MB (target < 5 %)")
            before, after = compact_file(path)
            print(f"audit vacuum: {before / 1e6:.2f} MB -> {after / 1e6:.2f} MB")
    finally:
        for done in stop:
            done()
    import resource

    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("n_papers", nargs="?", type=int, default=20_000)
    ap.add_argument("runs", nargs="?", type=int, default=10)
    ap.add_argument("--discover", default="", help="comma-separated: comments, hf_paper, github_search (default: none)")
    args = ap.parse_args()
    chosen = tuple(s for s in args.discover.split(",") if s)
    unknown = set(chosen) - {"comments", *NETWORK_SOURCES}
    if unknown:
        ap.error(f"--discover: unknown source(s) {', '.join(sorted(unknown))}")
    main(args.n_papers, args.runs, chosen)
