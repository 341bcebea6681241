"""Peak memory and time of `audit run` over a large generated corpus (prints figures; not a test).

    .venv/bin/python bench/bench_run.py [--sizes 20000 100000] [--no-facts]

For each size: bench_checks' seeded corpus (abstracts with varied links and
claims) is written as a JSON Lines dump; the facts of every target it links
(bench_checks.make_facts: READMEs, licenses, sub-paths, every status) are put
in a new DuckDB file first, as a re-audit finds them; then the `audit run`
command runs on the dump with ``--offline`` as a user runs it, so the checks
read those cached facts and nothing goes to the network. Printed: wall time,
CPU time and peak RSS of the whole process tree (the command and any check
workers, sampled every 0.1 s), papers/s, and the database size. Equal peaks
for two sizes show that memory does not grow with the corpus.

``--stages`` runs the same audit in one child process that prints its resident
memory (now and peak so far) after each stage of the pipeline, to show which
stage a peak belongs to (check workers, if any, are not counted there).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_checks import AS_OF, SEED, make_facts, make_papers  # noqa: E402
from bench_extract import watch  # noqa: E402


def write_world(tmp: Path, n: int, with_facts: bool) -> tuple[Path, Path]:
    """The dump and a database holding the facts of its targets (none with ``with_facts`` False)."""
    from auditor.store import Store

    rng = random.Random(SEED)
    papers = make_papers(n, rng)
    dump = tmp / f"papers-{n}.jsonl"
    with dump.open("w", encoding="utf-8") as f:
        for paper, _, _ in papers:
            f.write(json.dumps({"title": paper.title, "abstract": paper.abstract,
                                "published": paper.published_on.isoformat(), "upvotes": paper.upvotes}) + "\n")
    db = tmp / f"audit-{n}.duckdb"
    db.unlink(missing_ok=True)
    if with_facts:
        facts = make_facts(papers, rng)
        with Store.open(db) as store:
            store.save_facts(facts.values())
    return dump, db


def run(dump: Path, db: Path, out: Path, jobs: int | None) -> dict:
    cmd = [sys.executable, "-c", "from auditor.cli import main; main()", "run", str(dump), "--db", str(db),
           "--out", str(out), "--offline", "--as-of", AS_OF.isoformat(), "-q"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return watch(cmd)


STAGES = ("ingest_and_extract", "discover_links", "gather_facts", "add_links_through_pages", "check_and_score",
          "write_run_reports")


def _stages_child(dump: Path, db: Path, out: Path, jobs: int | None) -> None:
    """run_audit in this process, printing VmRSS and VmHWM after each stage."""
    import functools

    import auditor.pipeline as pipeline
    from auditor.config import load_config

    opened: list = []
    open_store = pipeline.Store.open

    def remembered(path):  # type: ignore[no-untyped-def]
        opened.append(open_store(path))
        return opened[-1]

    pipeline.Store.open = remembered  # type: ignore[method-assign]

    def memory() -> str:
        status = Path("/proc/self/status").read_text()
        now, peak = (int(status.split(f"{k}:")[1].split()[0]) // 1024 for k in ("VmRSS", "VmHWM"))
        duck = ""
        if opened:  # what DuckDB's buffer manager holds (cached blocks of the file, query state)
            ((held,),) = opened[-1].db.con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchall()
            duck = f", DuckDB {int(held or 0) // 2**20:4d} MB"
        return f"RSS {now:5d} MB, peak so far {peak:5d} MB{duck}"

    def timed(name: str):  # type: ignore[no-untyped-def]
        fn = getattr(pipeline, name)

        @functools.wraps(fn)
        def call(*args, **kwargs):  # type: ignore[no-untyped-def]
            t = time.perf_counter()
            out = fn(*args, **kwargs)
            print(f"  after {name:<24} {time.perf_counter() - t:6.1f} s  {memory()}", flush=True)
            return out

        return call

    for name in STAGES:
        setattr(pipeline, name, timed(name))
    print(f"  start {'':<30}{memory()}", flush=True)
    options = pipeline.RunOptions(dumps=[dump], db=db, out=out, as_of=AS_OF, config=load_config(None),
                                  offline=True, jobs=jobs)
    pipeline.run_audit(options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--no-facts", action="store_true", help="no cached facts: every check reads unknown facts")
    parser.add_argument("--jobs", type=int, help="audit run --jobs")
    parser.add_argument("--stages", action="store_true", help="memory after each stage, in one process (see above)")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _stages_child(*args.child, args.jobs)
        return
    print(f"audit run --offline on generated papers{'' if args.no_facts else ' (facts of every target cached)'}; "
          f"{os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            t = time.perf_counter()
            dump, db = write_world(Path(tmp), n, not args.no_facts)
            made = time.perf_counter() - t
            if args.stages:
                print(f"{n:>8,} papers, memory by stage:", flush=True)
                subprocess.run([sys.executable, __file__, "--child", str(dump), str(db), str(Path(tmp) / f"out-{n}"),
                                *(["--jobs", str(args.jobs)] if args.jobs else [])], check=True)
                continue
            r = run(dump, db, Path(tmp) / f"out-{n}", args.jobs)
            if r["rc"] not in (0, 3):  # --offline: partial (3) when facts are missing
                print(f"{n:>8,} papers: audit run failed ({r['rc']}): {r['err'].strip()[-400:]}")
                continue
            print(f"{n:>8,} papers (world made in {made:.0f} s): wall {r['wall']:6.1f} s, CPU {r['cpu']:6.1f} s, "
                  f"{n / r['wall']:>6,.0f} papers/s, peak RSS {r['peak_mb']:5.0f} MB (all processes), "
                  f"database {db.stat().st_size / 1e6:,.0f} MB; exit {r['rc']}; "
                  f"load average {os.getloadavg()[0]:.1f}")
            dump.unlink()
            db.unlink()


if __name__ == "__main__":
    main()
