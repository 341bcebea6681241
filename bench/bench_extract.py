"""Benchmark: link and claim extraction over a generated corpus of abstracts.

Generates N abstracts (about 30% with links, mixing the breakages real
abstracts show: LaTeX \\href/\\url, {url}{url}, "https: //", URLs cut at
arXiv's 80-column line ends, .git endings, scheme-less github.com / hf.co /
www., markdown and angle brackets, DOIs), writes them as JSON Lines to a temp
file, streams them back (auditor.ingest.read_records when present, else plain
line-by-line json) and extracts every abstract.

Each corpus size runs in a fresh child process so that its peak memory
(ru_maxrss) is its own: equal peaks for two sizes show that memory does not
grow with the corpus. Printed per size: abstracts/s of extraction alone
(the corpus is streamed in batches of 5,000: read, then extract, each timed),
abstracts/s end to end (reading + extracting), links and claims found, peak RSS.

    .venv/bin/python bench/bench_extract.py                 # 100,000 and 300,000 abstracts
    .venv/bin/python bench/bench_extract.py --sizes 20000   # quick
    .venv/bin/python bench/bench_extract.py --sizes 100000 --repeat 5   # median of 5 children (shared VMs vary)
    .venv/bin/python bench/bench_extract.py --end-to-end --sizes 1000000 2700000 [--db] [--jobs 2]
    AUDITOR_PURE_PYTHON=1 .venv/bin/python bench/bench_extract.py ...   # without the compiled modules (A/B)

The first line printed says how many of the compiled modules (auditor/compiled.py) run compiled.

--end-to-end writes arXiv metadata snapshot rows (id, title, abstract,
versions, update_date, authors_parsed) and runs the `audit extract` command on
them as a user does, output to /dev/null (with --db, also into a new DuckDB
file), printing wall time, CPU time (the command and its worker processes),
abstracts/s and the peak RSS of the whole process tree (sampled every 0.1 s:
the main process and its workers together).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = (
    "model models learning neural network training data dataset benchmark performance method approach task tasks "
    "language vision graph reasoning inference robust efficient scalable large small representation attention "
    "transformer diffusion generation retrieval alignment evaluation accuracy results experiments baseline "
    "state-of-the-art novel framework propose introduce demonstrate improve reduce achieve across multiple "
    "real-world settings challenging domain adaptation fine-tuning pre-trained parameters tokens latency memory"
).split()
OPENERS = (
    "We propose", "In this work, we introduce", "This paper studies", "We present", "Recent advances in",
    "Existing methods for", "To address this gap, we develop", "We investigate",
)
PLAIN_EXTRAS = (
    "We evaluate on publicly available datasets, e.g. ImageNet and MS~MARCO (Deng et al. 2009).",
    "Accuracy improves by 3.5% on v1.5 of the benchmark and/or reduces cost by 1/2.",
    "Our code is publicly available.",
    "The code will be released upon acceptance.",
    "Data are available upon reasonable request.",
    "Results hold for both open-source and proprietary models.",
)
OWNERS = ("openlab", "VITA-Group", "microsoft", "hkust-nlp", "Graph-COM", "cat-wwh", "zjunlp", "PowerInfer")


def _name(rng: random.Random) -> str:
    """A repository name; "§" becomes the abstract's number, so every copy links elsewhere."""
    return rng.choice(("Fast", "Deep", "Open", "Meta", "Sparse", "Mix")) + rng.choice(("Net", "Bench", "RL", "Diff", "Seg")) + "§"


def _link_sentence(rng: random.Random) -> tuple[str, bool]:
    """A sentence with a link in one of the shapes real abstracts have; True when it must be wrapped by hand."""
    o, n = rng.choice(OWNERS), _name(rng)
    gh = f"https://github.com/{o}/{n}"
    shapes = (
        (f"The code is available at {gh}.", False),
        (f"Code will be released at https: //github.com/{o}/{n}.", False),
        (f"Our code is available at \\href{{{gh}}}{{{gh}}}.", False),
        (f"Code is available at: {{\\footnotesizeblue{{{gh}}}}}.", False),
        (f"Source code: \\url{{{gh}}}.", False),
        (f"Our code is publicly available at~{gh}.git.", False),
        (f"Models are available at hf.co/{o}/{n}-7B and github.com/{o}/{n}.", False),
        (f"The dataset is at https://huggingface.co/datasets/{o}/{n}.", False),
        (f"Project page: https://{o.lower()}.github.io/{n}/.", False),
        (f"Code is available at {gh}/tree/main/src.", False),
        (f"All resources are released ([code]({gh})).", False),
        (f"See <{gh}>.", False),
        (f"Data are deposited on Zenodo (doi:10.5281/zenodo.{rng.randint(10**6, 10**8)}).", False),
        (f"Code: https://anonymous.4open.science/r/{n}-{rng.randint(1000, 9999)}.", False),
        (f"The code will be available at https://github.\ncom/{o}/{n}.", True),
        (f"Our benchmark is publicly available at https://github.com/{o}/{n}-\nChallenge.", True),
        (f"Demo at www.{n.lower()}.org.", False),
        (f"{gh}{{{gh}}}.", False),
    )
    return rng.choice(shapes)


def _sentence(rng: random.Random) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 24)))
    return f"{rng.choice(OPENERS)} {words}."


def _wrap(text: str, width: int = 80) -> str:
    """arXiv-style wrapping at spaces (existing newlines kept)."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word.split("\n", 1)[0]) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
        if "\n" in line:
            head, _, line = line.rpartition("\n")
            lines.append(head)
    lines.append(line)
    return "\n".join(lines)


def make_abstract(rng: random.Random, link_share: float, bodies: list[str]) -> str:
    """One abstract: a real link-free arXiv abstract when ``bodies`` holds some (else
    generated sentences), with link sentences added to ``link_share`` of them."""
    if bodies:
        parts = rng.choice(bodies).rstrip().rstrip(".").split(". ")
    else:
        parts = [_sentence(rng) for _ in range(rng.randint(5, 9))]
        if rng.random() < 0.25:
            parts.insert(rng.randint(1, len(parts)), rng.choice(PLAIN_EXTRAS))
    if rng.random() < link_share:
        for _ in range(1 if rng.random() < 0.8 else 2):
            sentence, _ = _link_sentence(rng)
            parts.insert(rng.randint(len(parts) // 2, len(parts)), sentence.rstrip("."))
    if bodies:
        return ". ".join(parts) + "."  # arXiv's own line breaks kept
    text = " ".join(parts)
    return _wrap(text) if rng.random() < 0.5 else text  # half arXiv-wrapped, half one line (HF dumps)


SHARED = Path(os.environ.get("AUDITOR_SHARED", ROOT.parent / "shared"))
SAMPLE = SHARED / "abstracts" / "arxiv-2025-2026-sample.jsonl"
_URL_SHAPED = re.compile(r"://|\bwww\.|\.(?:com|org|io|co|science|net|edu|ai)/|\b10\.\d{4,}/", re.IGNORECASE)


def real_bodies() -> list[str]:
    """The link-free real arXiv abstracts of ../shared (read in place), or [] without it."""
    if not SAMPLE.exists():
        return []
    with SAMPLE.open(encoding="utf-8") as f:
        abstracts = [json.loads(line)["abstract"] for line in f]
    return [a for a in abstracts if not _URL_SHAPED.search(a)]


POOL = 20_000  # distinct generated abstracts; each copy gets its own number (and repository names)


def numbered_abstracts(n: int, link_share: float, seed: int, bodies: list[str]):
    """(i, abstract) for N abstracts: a pool of up to 20,000 is made, each copy numbered."""
    rng = random.Random(seed)
    pool = [make_abstract(rng, link_share, bodies) for _ in range(min(n, POOL))]
    for i in range(n):
        yield i, pool[i % len(pool)].replace("§", str(i))


def write_corpus(path: Path, n: int, link_share: float, seed: int, bodies: list[str]) -> None:
    """N abstracts as JSON Lines (title and abstract only)."""
    with path.open("w", encoding="utf-8") as f:
        for i, abstract in numbered_abstracts(n, link_share, seed, bodies):
            f.write(json.dumps({"title": f"Paper {i}", "abstract": abstract}) + "\n")


def write_snapshot(path: Path, n: int, link_share: float, seed: int, bodies: list[str]) -> None:
    """N rows shaped like the arXiv metadata snapshot (the fields the reader uses, and some it skips)."""
    with path.open("w", encoding="utf-8") as f:
        for i, abstract in numbered_abstracts(n, link_share, seed, bodies):
            day = f"20{15 + i % 11:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            f.write(json.dumps({
                "id": f"{15 + i % 11:02d}{1 + i % 12:02d}.{i % 100000:05d}", "submitter": "A. Author",
                "authors": "A. Author, B. Author", "title": f"Paper {i}: a study", "comments": "10 pages",
                "journal-ref": None, "doi": None, "categories": "cs.LG", "abstract": abstract,
                "versions": [{"version": "v1", "created": "Mon, 1 Jan 2024 00:00:00 GMT"}],
                "update_date": day, "authors_parsed": [["Author", "A.", ""], ["Author", "B.", ""]],
            }) + "\n")


def _tree(pid: int, cpu: dict[int, float]) -> int:
    """Resident memory of ``pid`` and every descendant, in KB (Linux /proc); ``cpu`` gets each
    one's CPU seconds so far (user + system), so that workers that exit still count."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, ()))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[p] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


def reference_seconds() -> float:
    """CPU seconds of a fixed loop: how fast this core runs right now (shared VMs vary run to run)."""
    c = time.thread_time()
    sum(range(10_000_000))
    return time.thread_time() - c


def compiled_note() -> str:
    """How many of auditor's compiled modules run compiled (the children inherit AUDITOR_PURE_PYTHON)."""
    try:
        from auditor.compiled import MODULES, compiled_modules
    except ImportError:  # a tree from before the Cython build
        return "no compiled modules"
    return f"{len(compiled_modules())} of {len(MODULES)} modules compiled"


def end_to_end(path: Path, n: int, db: bool, jobs: int | None, tmp: Path) -> None:
    """Run `audit extract` on the file and print its figures."""
    cmd = [sys.executable, "-c", "from auditor.cli import main; main()", "extract", str(path)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if db:
        target = tmp / f"bench-{n}.duckdb"
        target.unlink(missing_ok=True)
        cmd += ["--db", str(target)]
    reference = reference_seconds()
    got = watch(cmd)
    if got["rc"] != 0:
        # the one-line error is the last line: progress lines come before it
        last = got["err"].strip().splitlines()[-1:] or [""]
        print(f"audit extract failed ({got['rc']}): {last[0][:300]}")
        return
    wall = got["wall"]
    print(f"{n:>10,} snapshot rows ({path.stat().st_size / 1e6:,.0f} MB){' --db' if db else ''}: wall {wall:6.1f} s, "
          f"CPU {got['cpu']:6.1f} s, {n / wall:>8,.0f} abstracts/s, peak RSS {got['peak_mb']:5.0f} MB (all processes); "
          f"load average {os.getloadavg()[0]:.1f}; sum(range(10**7)) took {reference:.2f}s before")
    if db:
        print(f"{'':>10} database {target.stat().st_size / 1e6:,.0f} MB")
        target.unlink(missing_ok=True)


def watch(cmd: list[str]) -> dict:
    """Run ``cmd`` (stdout to /dev/null) and measure it: wall s, CPU s and peak RSS (MB) of its whole process tree."""
    cpu_of: dict[int, float] = {}
    t = time.perf_counter()
    with open(os.devnull, "w") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.PIPE, text=True)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree(proc.pid, cpu_of))
            time.sleep(0.1)
        err = proc.stderr.read() if proc.stderr else ""
    return {"wall": time.perf_counter() - t, "cpu": sum(cpu_of.values()), "peak_mb": peak / 1024,
            "rc": proc.returncode, "err": err}


def _abstracts(path: Path, reader: str):
    """Stream abstracts back: the project's reader when there is one (and asked for)."""
    read_records = None
    if reader == "auto":
        try:
            from auditor.ingest import read_records
        except ImportError:
            pass
    if read_records is not None:
        for record in read_records(path):
            yield record.paper.abstract
        return
    with path.open(encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)["abstract"]


BATCH = 5_000  # abstracts read, then extracted, at a time (as the pipeline does per transaction)


def child(path: Path, reader: str) -> dict:
    """Stream the corpus in batches; time the reading and the extraction of each
    batch apart (two timer reads per batch, none per abstract). Memory holds one
    batch of abstracts at most."""
    from auditor.extract import extract

    n = links = claims = 0
    read_wall = read_cpu = ext_wall = ext_cpu = 0.0
    stream = _abstracts(path, reader)
    # CPU time of this thread only: the reader (DuckDB) may keep other threads busy meanwhile
    while True:
        w, c = time.perf_counter(), time.thread_time()
        batch = [a for _, a in zip(range(BATCH), stream)]
        w2, c2 = time.perf_counter(), time.thread_time()
        read_wall += w2 - w
        read_cpu += c2 - c
        if not batch:
            break
        for abstract in batch:
            result = extract(abstract)
            links += len(result.links)
            claims += len(result.claims)
        ext_wall += time.perf_counter() - w2
        ext_cpu += time.thread_time() - c2
        n += len(batch)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reference = reference_seconds()
    return {
        "abstracts": n, "links": links, "claims": claims, "reference_s": reference,
        "extract_wall_s": ext_wall, "extract_cpu_s": ext_cpu,
        "total_wall_s": ext_wall + read_wall, "total_cpu_s": ext_cpu + read_cpu,
        "peak_rss_mb": rss_kb / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000])
    parser.add_argument("--link-share", type=float, default=0.30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each size this many times (a fresh child each) and print the median and best rates")
    parser.add_argument("--base", choices=("real", "synthetic"), default="real",
                        help="real: link-free arXiv abstracts of ../shared/abstracts as the text (when present); "
                             "synthetic: generated sentences")
    parser.add_argument("--reader", choices=("auto", "json"), default="auto",
                        help="auto: auditor.ingest.read_records when present; json: plain line-by-line json")
    parser.add_argument("--end-to-end", action="store_true", help="run `audit extract` on snapshot rows (see above)")
    parser.add_argument("--db", action="store_true", help="with --end-to-end: also --db into a new DuckDB file")
    parser.add_argument("--jobs", type=int, help="with --end-to-end: audit extract --jobs")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.end_to_end:
        bodies = real_bodies() if args.base == "real" else []
        print(f"audit extract end to end; text: {len(bodies):,} real link-free arXiv abstracts" if bodies else
              "audit extract end to end; text: generated sentences", f"on {os.cpu_count()} CPUs; {compiled_note()}")
        with tempfile.TemporaryDirectory() as tmp:
            for size in args.sizes:
                path = Path(tmp) / f"snapshot-{size}.jsonl"
                write_snapshot(path, size, args.link_share, args.seed, bodies)
                end_to_end(path, size, args.db, args.jobs, Path(tmp))
                path.unlink()
        return
    if args.child:
        print(json.dumps(child(args.child, args.reader)))
        return
    reader = "json lines"
    if args.reader == "auto":
        try:
            from auditor.ingest import read_records  # noqa: F401

            reader = "auditor.ingest.read_records"
        except ImportError:
            pass
    bodies = real_bodies() if args.base == "real" else []
    base = f"{len(bodies):,} real link-free arXiv abstracts" if bodies else "generated sentences"
    print(f"text: {base}; reader: {reader}; link share {args.link_share:.0%}; python {sys.version.split()[0]}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; {compiled_note()}")
    print(f"read {BATCH:,} abstracts, extract them, repeat: extraction timed apart (CPU time of the extracting thread; wall beside it)")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"corpus-{size}.jsonl"
            t = time.perf_counter()
            write_corpus(path, size, args.link_share, args.seed, bodies)
            made = time.perf_counter() - t
            rates, refs = [], []
            for _ in range(max(1, args.repeat)):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(path), "--reader", args.reader],
                    check=True, capture_output=True, text=True,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                n = r["abstracts"]
                rates.append(n / r["extract_cpu_s"])
                refs.append(r["reference_s"])
                print(
                    f"{n:>9,} abstracts ({path.stat().st_size / 1e6:.0f} MB, generated in {made:.1f}s): "
                    f"extract {n / r['extract_cpu_s']:>8,.0f}/s CPU, {n / r['extract_wall_s']:>8,.0f}/s wall; "
                    f"end to end {n / r['total_wall_s']:>7,.0f}/s; {r['links']:,} links, {r['claims']:,} claims; "
                    f"peak RSS {r['peak_rss_mb']:.0f} MB; load average {os.getloadavg()[0]:.1f}; "
                    f"sum(range(10**7)) took {r['reference_s']:.2f}s"
                )
            if len(rates) > 1:
                print(
                    f"{size:>9,} abstracts, {len(rates)} runs: extract median {statistics.median(rates):,.0f}/s CPU, "
                    f"best {max(rates):,.0f}/s, worst {min(rates):,.0f}/s; "
                    f"sum(range(10**7)) median {statistics.median(refs):.2f}s"
                )
            path.unlink()


if __name__ == "__main__":
    main()
