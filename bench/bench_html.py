"""How big the HTML scorecard gets and how fast a browser opens it (prints figures; not a test).

    .venv/bin/python bench/bench_html.py [N_PAPERS] [--keep DIR]

Builds a store of N papers (default 50,000): 30% with one or two GitHub links,
eleven checks per link with mixed statuses and reasons, the rest with nothing
to judge. Prints the render time and file size, then, when Chromium and
Playwright are here, the time until the first rows show, until a filter and a
sort answer, and until the first paper expands.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from auditor.models import Extraction, Facts, Link, Paper, Record, Result, Sighting, Target  # noqa: E402
from auditor.store import Store  # noqa: E402

CHECKS = ("repo_exists", "code_present", "claim_kept", "license", "readme", "last_commit", "subpath_exists",
          "stars", "archived", "link_reachable", "anonymous_link")
STATUSES = ("pass",) * 6 + ("warn", "fail", "unknown", "skip", "skip")


def build(store: Store, n_papers: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    run_id = store.start_run({"bench": True}, date(2026, 11, 20))
    records, items, facts, outcomes, scores = [], [], [], [], []
    now = datetime.now(timezone.utc)
    for i in range(n_papers):
        pid = f"p{i:07d}"
        records.append(Record(
            Paper(pid, f"Paper {i}: a study of {rng.choice(['vision', 'language', 'graphs', 'robots'])} models",
                  "", published_on=date(2024, 1 + i % 12, 1 + i % 28), arxiv_id=f"2406.{i % 100000:05d}"),
            Sighting(pid, f"dump-{i // 5000:02d}.txt", None, i)))
        n_links = rng.choice((0, 0, 0, 0, 0, 0, 0, 1, 1, 2))
        links = []
        for j in range(n_links):
            key = f"github:o{i}/r{j}"
            links.append(Link(raw=f"https://github.com/o{i}/r{j}", url=f"https://github.com/o{i}/r{j}", ordinal=j,
                              target=Target(key=key, kind="github_repo", host="github.com",
                                            url=f"https://github.com/o{i}/r{j}", owner=f"o{i}", name=f"r{j}")))
            facts.append(Facts(target_key=key, status="ok", fetched_at=now, data={"stars": i}))
            for check in CHECKS:
                status = rng.choice(STATUSES)
                outcomes.append({"paper_id": pid, "link_ordinal": j, "target_key": key, "check": check,
                                 "result": Result(status, f"{check} says {status} ({rng.randint(1, 40)})",
                                                  {"pass": 10.0, "warn": 5.0, "fail": 0.0}.get(status),
                                                  {"seen": rng.randint(0, 999)})})
        items.append((pid, Extraction(links=tuple(links))))
        scores.append({"paper_id": pid, "target_key": "", "link_ordinal": None,
                       "score": round(rng.uniform(0, 10), 1) if n_links else None, "coverage": 1.0 if n_links else None,
                       "judged": 8 * n_links, "applicable": 9 * n_links, "top_reason": "license says fail" if n_links else None})
    store.add_records(records, run_id)
    store.add_extractions(items)
    store.save_facts(facts)
    store.save_outcomes(run_id, outcomes)
    store.save_score_rows(run_id, scores)
    store.flush()
    return run_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("papers", nargs="?", type=int, default=50_000)
    parser.add_argument("--keep", help="write scorecard.html into this folder and keep it")
    args = parser.parse_args()
    from auditor.report.data import load
    from auditor.report.html import render_html

    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.duckdb") as store:
        start = time.perf_counter()
        run_id = build(store, args.papers)
        print(f"{args.papers} papers built in {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        data = load(store, run_id)
        loaded = time.perf_counter() - start
        page = render_html(data)
        print(f"load {loaded:.2f} s, render_html {time.perf_counter() - start - loaded:.2f} s, "
              f"{len(page.encode()) / 1e6:.1f} MB")
        out = Path(args.keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        path = out / "scorecard.html"
        path.write_text(page, encoding="utf-8")
        open_in_browser(path)


def open_in_browser(path: Path) -> None:
    from browser.chromium import browser_context, unavailable_reason

    reason = unavailable_reason()
    if reason:
        print(f"browser figures skipped: {reason}")
        return
    with browser_context(1400, 900) as context:
        page = context.new_page()  # type: ignore[attr-defined]
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("#paper-rows tr[data-row]")
        first = time.perf_counter() - start
        rows = page.locator("#paper-rows tr").count()
        start = time.perf_counter()
        page.uncheck("#f-problems")
        page.select_option("#f-status", "pass")
        filtered = time.perf_counter() - start
        start = time.perf_counter()
        page.click("th[data-sort=title] button")
        sorted_ = time.perf_counter() - start
        start = time.perf_counter()
        page.locator("#paper-rows button.toggle").first.click()
        page.wait_for_selector("tr.detail")
        expanded = time.perf_counter() - start
        print(f"browser: first rows {first:.2f} s ({rows} rows in the DOM), filter {filtered:.2f} s, "
              f"sort {sorted_:.2f} s, first expand (parses the details) {expanded:.2f} s")


if __name__ == "__main__":
    main()
