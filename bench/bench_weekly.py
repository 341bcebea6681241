"""Ten weekly runs over the same papers: how much the DuckDB file grows per unchanged run.

    .venv/bin/python bench/bench_weekly.py [N_PAPERS] [RUNS]      (default 20,000 papers, 10 runs)

Each run does what `audit run` writes: the papers and their sightings again
(bench_checks' generated corpus: real extraction, varied links and claims),
their links and claims, the facts of every target collected again (same
content, a new fetch time, as a weekly re-audit finds), then every check and
score through the pipeline's own check_and_score. The file is closed after
each run and its size printed; the last line compares the growth per
unchanged run with the first run's size (target: under 5 %), and shows what
`audit vacuum` makes of the file at the end.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_checks import AS_OF, SEED, make_facts, make_papers  # noqa: E402

from auditor.checking import discover_checks  # noqa: E402
from auditor.config import AuditConfig  # noqa: E402
from auditor.models import Extraction, Record, Sighting  # noqa: E402
from auditor.pipeline import check_and_score  # noqa: E402
from auditor.store import Store  # noqa: E402
from auditor.store.compact import compact_file  # noqa: E402


def main(n_papers: int = 20_000, runs: int = 10) -> None:
    rng = random.Random(SEED)
    papers = make_papers(n_papers, rng)
    facts = make_facts(papers, rng)
    checks, config = discover_checks(), AuditConfig()
    records = [Record(p, Sighting(p.paper_id, "dump.jsonl", AS_OF, i)) for i, (p, _, _) in enumerate(papers)]
    extractions = [(p.paper_id, Extraction(links=links, claims=claims)) for p, links, claims in papers]
    items = [(replace(p, abstract=""), ex) for (p, _, _), (_, ex) in zip(papers, extractions)]
    print(f"{n_papers:,} papers, {sum(len(ex.links) for _, ex in extractions):,} links, {len(facts):,} targets with facts")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.duckdb"
        sizes = []
        start = datetime.now(timezone.utc)
        for week in range(runs):
            t = time.perf_counter()
            with Store.open(path) as store:
                run_id = store.start_run({"bench": "weekly", "week": week}, AS_OF)
                store.add_records(records, run_id)
                store.add_extractions(extractions)
                at = start + timedelta(days=7 * week)
                store.save_facts(replace(f, fetched_at=at) for f in facts.values())
                check_and_score(store, run_id, items, facts, AS_OF, checks, config)
                store.finish_run(run_id, "done")
            sizes.append(path.stat().st_size)
            grew = "" if week == 0 else f"  (+{(sizes[-1] - sizes[-2]) / 1e6:6.2f} MB, {100 * (sizes[-1] - sizes[-2]) / sizes[0]:5.1f} % of run 1)"
            print(f"run {week + 1:>2}: {sizes[-1] / 1e6:7.2f} MB  {time.perf_counter() - t:5.1f} s{grew}")
        per_run = (sizes[-1] - sizes[0]) / max(1, runs - 1)
        print(f"growth per unchanged run: {per_run / 1e6:.2f} MB = {100 * per_run / sizes[0]:.1f} % of the first run's "
              f"{sizes[0] / 1e6:.2f} MB (target < 5 %)")
        before, after = compact_file(path)
        print(f"audit vacuum: {before / 1e6:.2f} MB -> {after / 1e6:.2f} MB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
