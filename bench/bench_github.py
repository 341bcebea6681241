"""Benchmark of the GitHub collector against the fake GitHub (tests/fakegithub).

Starts ``python -m fakegithub`` in its own process with 100 ms latency on every
answer, generates worlds of 1,000 and 10,000 repositories and collects them
with a token (GraphQL batches) and without (REST). Prints requests sent,
GraphQL points spent, requests per repository and wall time.

Targets: with a token at most 1 request per 25 repositories, at most 2
GraphQL points per 50 repositories (the query lists the root tree and one
level below it, for ml_completeness) and 1,000 repositories in under 10 s; without a token exactly 1 request per repository
for the core facts (extras only while the budget allows).

With ``--store`` every fact also goes where `audit run` puts it: the
pipeline's FactsWriter (a thread appending to ``facts_staged`` in a new DuckDB
file), merged into ``facts`` at the end. Printed then: the store's share of
the wall time (what the event loop spent handing facts over, plus the final
write and merge, which nothing overlaps) and its CPU per fact (the writer
thread's and the merge's); targets: under 5 % of the wall time at 20,000
repositories, CPU per fact flat from 5,000 to 20,000.

    .venv/bin/python bench/bench_github.py [--sizes 1000,10000] [--latency 0.1]
    .venv/bin/python bench/bench_github.py --sizes 5000,20000 --modes token --store
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.hosts.base import TargetRequest  # noqa: E402
from auditor.hosts.github import GitHubCollector  # noqa: E402
from auditor.hosts.github_client import GitHubSettings, make_client  # noqa: E402
from auditor.models import Target  # noqa: E402

TOKEN = "bench-token"


def world(n: int) -> tuple[dict, list[TargetRequest]]:
    """n requested repositories: 96% plain, 2% renamed, 2% missing."""
    repos, requests = [], []
    for i in range(n):
        owner, name = f"lab{i % 97}", f"model-{i}"
        if i % 50 == 7:
            repos.append({"repo": f"{owner}/{name}", "renamed_to": f"{owner}/{name}-v2"})
            repos.append({"repo": f"{owner}/{name}-v2", "stars": i % 300, "readme": f"# {name}\n\nCode for the paper.",
                          "languages": {"Python": 1000 + i}, "license": "MIT", "commits": {"count": 1 + i % 40}})
        elif i % 50 == 13:
            pass  # missing: not in the world
        else:
            repos.append({"repo": f"{owner}/{name}", "stars": i % 300, "topics": ["ml"],
                          "readme": f"# {name}\n\nCode for the paper. pip install -r requirements.txt",
                          "files": {"requirements.txt": "torch\n", "src/train.py": "print(1)\n", "src/eval.py": "print(2)\n",
                                    "configs/base.yaml": "lr: 1\n", "checkpoints/README.md": "weights\n"},
                          "languages": {"Python": 1000 + i, "Shell": 20}, "license": "Apache-2.0" if i % 3 else None,
                          "commits": {"count": 1 + i % 40}})
        target = Target(key=f"github:{owner}/{name}".lower(), kind="github_repo", host="github.com",
                        url=f"https://github.com/{owner}/{name}", owner=owner, name=name)
        requests.append(TargetRequest(target=target))
    return {"repos": repos, "tokens": {TOKEN: {"login": "bench", "user_id": 7}}}, requests


def start_fake(world_file: Path, latency: float, anonymous_limit: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "fakegithub", "--world", str(world_file), "--latency", str(latency),
         "--anonymous-limit", str(anonymous_limit), "--authenticated-limit", "1000000"],
        cwd=ROOT / "tests", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    if "fake GitHub on " not in line:
        proc.kill()
        raise SystemExit(f"fake GitHub did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, line.split("fake GitHub on ", 1)[1].split(" ", 1)[0]


class StoreTimer:
    """The pipeline's FactsWriter on a new DuckDB file, with the store's own time measured."""

    def __init__(self, path: Path) -> None:
        from auditor.facts_writer import FactsWriter
        from auditor.store import Store

        self.store = Store.open(path)
        self.writer = FactsWriter(self.store)
        self.put_wall = self.thread_cpu = self.thread_wall = self.merge_wall = self.merge_cpu = self.close_wall = 0.0
        self.facts = 0
        staged = self.writer._facts.stage_facts  # timed inside the writer thread: its own CPU

        def timed_stage(batch):  # type: ignore[no-untyped-def]
            w, c = time.perf_counter(), time.thread_time()
            out = staged(batch)
            self.thread_wall += time.perf_counter() - w
            self.thread_cpu += time.thread_time() - c
            return out

        self.writer._facts.stage_facts = timed_stage  # type: ignore[method-assign]
        merge = self.store.merge_staged_facts

        def timed_merge():  # type: ignore[no-untyped-def]
            # Process CPU: the merge runs alone (the loop has finished) and DuckDB may use its own threads.
            w, c = time.perf_counter(), time.process_time()
            out = merge()
            self.merge_wall += time.perf_counter() - w
            self.merge_cpu += time.process_time() - c
            return out

        self.store.merge_staged_facts = timed_merge  # type: ignore[method-assign]

    def put(self, facts) -> None:  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        self.writer.put(facts)
        self.put_wall += time.perf_counter() - t
        self.facts += 1

    def close(self) -> None:
        t = time.perf_counter()
        self.writer.close()
        self.close_wall = time.perf_counter() - t
        rows = self.store.db.rows("SELECT count(*) FROM facts")[0][0]
        self.store.close()
        if rows != self.facts:
            raise SystemExit(f"the store holds {rows} facts of {self.facts} collected")


async def collect(url: str, requests: list[TargetRequest], token: str | None, concurrency: int,
                  store: StoreTimer | None = None) -> dict:
    env = {"GITHUB_API_URL": url, **({"GITHUB_TOKEN": token} if token else {})}
    settings = GitHubSettings.from_env(env)
    async with make_client(settings) as client:
        collector = GitHubCollector(settings, client, concurrency=concurrency, max_wait=0)
        started, cpu = time.perf_counter(), time.process_time()
        statuses: dict[str, int] = {}
        async for facts in collector.collect(requests):
            statuses[facts.status] = statuses.get(facts.status, 0) + 1
            if store is not None:
                store.put(facts)
        if store is not None:
            store.close()  # the rest written, then one merge: on the run's critical path
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    s = collector.stats
    return {"wall": wall, "cpu": cpu, "stats": s, "statuses": statuses, "batch_size": collector.batch_size}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--modes", default="token,anonymous")
    parser.add_argument("--store", action="store_true", help="write every fact through the pipeline's FactsWriter (see above)")
    args = parser.parse_args()
    print(f"fake GitHub latency {args.latency * 1000:.0f} ms, concurrency {args.concurrency}; "
          "cpu s = the collector's own CPU time (the fake runs GraphQL in Python in another process)")
    print(f"{'repos':>6} {'mode':>9} {'requests':>8} {'core':>6} {'extras':>6} {'points':>6} {'pts/50':>6} {'req/repo':>8} {'wall s':>7} {'cpu s':>6}  statuses")
    ok = True
    for n in (int(x) for x in args.sizes.split(",")):
        data, requests = world(n)
        with tempfile.TemporaryDirectory() as tmp:
            world_file = Path(tmp) / "world.json"
            world_file.write_text(json.dumps(data))
            # Anonymous budget: every core request fits, plus 100 for extras.
            proc, url = start_fake(world_file, args.latency, anonymous_limit=n + n // 50 + 100)
            try:
                for mode in args.modes.split(","):
                    token = TOKEN if mode == "token" else None
                    timer = StoreTimer(Path(tmp) / f"facts-{mode}.duckdb") if args.store else None
                    r = asyncio.run(collect(url, requests, token, args.concurrency, timer))
                    s = r["stats"]
                    core = s.core_requests if not token else s.graphql_requests
                    extras = s.rest_requests - s.core_requests
                    per = s.requests / n
                    per50 = s.graphql_points * 50 / n
                    print(f"{n:>6} {mode:>9} {s.requests:>8} {core:>6} {extras:>6} {s.graphql_points:>6} {per50:>6.2f} {per:>8.3f} {r['wall']:>7.2f} {r['cpu']:>6.2f}  "
                          f"{r['statuses']} retries={s.retries} final_batch={r['batch_size']}")
                    if token:
                        ok &= per <= 1 / 25 and per50 <= 2 and (n != 1000 or r["wall"] < 10)
                    if timer is not None:
                        on_path = timer.put_wall + timer.close_wall
                        cpu = timer.thread_cpu + timer.merge_cpu
                        print(f"{'':>6} {'store':>9} {100 * on_path / r['wall']:5.2f} % of the wall time on the run's path "
                              f"(handing over {timer.put_wall:.2f} s, last write + merge {timer.close_wall:.2f} s); "
                              f"writer thread {timer.thread_wall:.2f} s wall, {timer.thread_cpu:.2f} s CPU; merge "
                              f"{timer.merge_wall:.2f} s; CPU per fact {1e6 * cpu / max(1, timer.facts):,.0f} µs "
                              f"({timer.facts:,} facts)")
            finally:
                proc.terminate()
                proc.wait(timeout=10)
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
