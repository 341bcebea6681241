"""How fast the store writes and reads in bulk (prints figures; not a test).

    .venv/bin/python bench/bench_store.py [N_LINKS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from auditor.models import Extraction, Facts, Link, Paper, Record, Result, Sighting, Target
from auditor.store import Store


def main(n_links: int = 100_000) -> None:
    per_paper = 2
    n_papers = n_links // per_paper
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.duckdb") as store:
        run_id = store.start_run({"bench": True}, date.today())
        records = [
            Record(
                paper=Paper(paper_id=f"p{i:07d}", title=f"Paper {i}", abstract="x" * 500, published_on=date(2024, 6, 1)),
                sighting=Sighting(paper_id=f"p{i:07d}", source="bench.txt", dump_date=date(2024, 6, 1), position=i),
            )
            for i in range(n_papers)
        ]
        items = []
        for i in range(n_papers):
            links = tuple(
                Link(
                    raw=f"https://github.com/o{i}/r{j}", url=f"https://github.com/o{i}/r{j}", ordinal=j,
                    target=Target(key=f"github:o{i}/r{j}", kind="github_repo", host="github.com",
                                  url=f"https://github.com/o{i}/r{j}", owner=f"o{i}", name=f"r{j}"),
                )
                for j in range(per_paper)
            )
            items.append((f"p{i:07d}", Extraction(links=links)))
        now = datetime.now(timezone.utc)
        facts = [Facts(target_key=f"github:o{i}/r{j}", status="ok", fetched_at=now, data={"stars": i})
                 for i in range(n_papers) for j in range(per_paper)]
        outcomes = [
            {"paper_id": f"p{i:07d}", "link_ordinal": j, "target_key": f"github:o{i}/r{j}", "check": "reachable",
             "result": Result("pass", "ok", 10.0)}
            for i in range(n_papers) for j in range(per_paper)
        ]

        def timed(label: str, fn, *args) -> None:  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            fn(*args)
            print(f"{label:<42} {time.perf_counter() - start:6.2f} s")

        print(f"{n_papers} papers, {n_links} links")
        timed("add_records", store.add_records, records, run_id)
        timed("add_records again (idempotent)", store.add_records, records, run_id)
        timed("add_extractions", store.add_extractions, items)
        timed("add_extractions again (replace)", store.add_extractions, items)
        timed("save_facts", store.save_facts, facts)
        timed("load_facts", store.load_facts, [f.target_key for f in facts])
        timed("save_outcomes", store.save_outcomes, run_id, outcomes)
        timed("links_with_targets", store.links_with_targets, [p for p, _ in items])
        scores = [
            {"paper_id": f"p{i:07d}", "target_key": "", "link_ordinal": None, "score": float(i % 11),
             "coverage": 1.0, "judged": 2, "applicable": 2, "top_reason": None}
            for i in range(n_papers)
        ]
        timed("save_score_rows (papers)", store.save_score_rows, run_id, scores)
        timed("flush", store.flush)
        timed("paper_scorecard frame", store.paper_scorecard, run_id)
        timed("link_scorecard frame", store.link_scorecard, run_id)
        from auditor.report import write_reports

        timed("write_reports (all five files)", write_reports, store, Path(tmp) / "out", run_id)
        for f in sorted((Path(tmp) / "out").iterdir()):
            print(f"  {f.name:<20} {f.stat().st_size / 1e6:8.2f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
