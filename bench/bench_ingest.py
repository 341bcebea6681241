"""How fast ingest reads, and whether its memory grows with the corpus (prints figures; not a test).

    .venv/bin/python bench/bench_ingest.py [--jsonl 100000,1000000] [--dump 10000,100000] [--keep DIR]

Generates, in a temporary folder, Hugging Face Daily Papers text dumps and
JSON Lines tables of realistic records (sentences of the real abstracts in
``examples/dumps``, varied titles, dates, author counts, organisations,
upvotes, and code/model/project links in about a third of the abstracts;
at most ``BLOCK`` distinct papers, repeated beyond that), then reads each
file with :func:`auditor.ingest.read_records` in a fresh child process, so
each peak RSS (``resource.getrusage``, a high-water mark) belongs to that
one read alone. CPU seconds (user + system, all of DuckDB's threads) are
shown beside wall seconds: on a busy machine the wall clock overstates.

What to expect: JSON Lines streams through DuckDB in batches, so its peak
stays flat from 100k to 1M rows. The text dump is parsed whole (a real dump
holds ~100 papers, so that is by design) and its memory follows its size;
its sizes are therefore kept smaller by default.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "dumps"
SEED = 20261123

# --------------------------------------------------------------------------- realistic records

_FALLBACK = [
    "Large language models have shown strong performance on a wide range of reasoning tasks.",
    "However, their cost at inference time limits deployment on commodity hardware.",
    "We propose a simple method that reduces memory use while keeping accuracy.",
    "Experiments on standard benchmarks show consistent gains over strong baselines.",
    "We further analyse the trade-off between model size and latency.",
    "Our approach requires no additional training data.",
]
_METHODS = ["Flash", "Sparse", "Meta", "Hyper", "Omni", "Neuro", "Quant", "Diff", "Graph", "Vision", "Token", "Mix"]
_SUFFIX = ["Former", "Net", "GPT", "Bench", "LoRA", "Fusion", "Gen", "Align", "Mamba", "Diff", "RL", "Agent"]
_ADJ = ["Efficient", "Scalable", "Robust", "Training-Free", "Self-Supervised", "Multimodal", "Adaptive",
        "Hierarchical", "Sparse", "Long-Context", "Unified", "Lightweight"]
_NOUN = ["Attention", "Retrieval", "Distillation", "Quantization", "Alignment", "Reasoning", "Planning",
         "Tokenization", "Pretraining", "Fine-Tuning", "Decoding", "Evaluation"]
_TASK = ["Large Language Models", "Video Generation", "3D Scene Reconstruction", "Speech Recognition",
         "Code Generation", "Protein Design", "Autonomous Driving", "Medical Imaging", "Recommendation",
         "Time Series Forecasting", "Robot Manipulation", "Document Understanding"]
_ORGS = ["openbmb OpenBMB", "google Google", "meta-llama Meta Llama", "microsoft Microsoft",
         "nvidia NVIDIA", "Qwen Qwen", "allenai Ai2", "stanford-crfm Stanford CRFM"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_LINKS = [
    "Code is available at https://github.com/{o}/{n}.",
    "Our code and models are publicly available at https://github.com/{o}/{n}.",
    "The code will be released at https://github.com/{o}/{n}.",
    "Code: github.com/{o}/{n}",
    "Code and data are available at https://github.com/{o}/{n}/tree/main/{p}.",
    "See https://github.com/{o}/{n}/blob/main/{p}/README.md for instructions.",
    "Models are released at https://huggingface.co/{o}/{n}.",
    "The dataset is available at https://huggingface.co/datasets/{o}/{n}.",
    "Project page: https://{o}.github.io/{n}/.",
    "Code will be made available upon request.",
    "We will release the code and models soon.",
]
_OWNERS = ["acme-lab", "THUDM", "facebookresearch", "google-research", "microsoft", "OpenGVLab", "hustvl",
           "sail-sg", "mit-han-lab", "NVlabs", "allenai", "huggingface", "kaist-ai", "bytedance"]
_PATHS = ["src", "projects/demo", "examples", "research/model", "tools", "experiments/v2"]


def sentence_pool() -> list[str]:
    """Sentences of the real abstracts in examples/dumps (a fixed list when they are absent)."""
    from auditor.ingest import read_records

    pool: list[str] = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        for record in read_records(path):
            pool += [s for s in re.split(r"(?<=[.!?])\s+", record.paper.abstract)
                     if 40 <= len(s) <= 400 and "http" not in s and "github" not in s]
    return pool or _FALLBACK


class Papers:
    """An endless, seeded stream of plausible papers as plain dicts."""

    def __init__(self, pool: list[str], seed: int = SEED) -> None:
        self.pool = pool
        self.rng = random.Random(seed)

    def __iter__(self) -> Iterator[dict]:
        rng, pool = self.rng, self.pool
        day0 = date(2021, 1, 1)
        i = 0
        while True:
            acronym = rng.choice(_METHODS) + rng.choice(_SUFFIX)
            title = f"{acronym}: {rng.choice(_ADJ)} {rng.choice(_NOUN)} for {rng.choice(_TASK)}"
            if rng.random() < 0.3:
                title += f" at {rng.choice(['Scale', 'Low Cost', 'the Edge', 'Test Time'])}"
            sentences = rng.sample(pool, rng.randint(6, 11))
            if rng.random() < 0.35:
                o, n = rng.choice(_OWNERS), acronym.lower() + rng.choice(["", "-v2", "_code", "-official"])
                sentences.append(rng.choice(_LINKS).format(o=o, n=n, p=rng.choice(_PATHS)))
            published = day0 + timedelta(days=rng.randrange(1800))
            yield {
                "arxiv_id": f"{published:%y%m}.{i % 100_000:05d}",
                "title": title,
                "abstract": " ".join(sentences),
                "published_on": published.isoformat(),
                "authors": [f"Author {rng.randrange(100_000)}" for _ in range(rng.randint(1, 12))],
                "organisation": rng.choice(_ORGS) if rng.random() < 0.15 else None,
                "upvotes": rng.randrange(60) if rng.random() < 0.5 else None,
            }
            i += 1


#: Distinct papers generated per file; larger files repeat them (one paper seen in many dumps),
#: which costs ingest the same per row and keeps generating 1M rows to seconds.
BLOCK = 50_000


def _cycle(items: list[str], n: int) -> Iterator[str]:
    for i in range(n):
        yield items[i % len(items)]


def jsonl_lines(papers: list[dict]) -> list[str]:
    return [json.dumps(p, ensure_ascii=False) + "\n" for p in papers]


def dump_blocks(papers: list[dict]) -> list[str]:
    """Records of a Daily Papers page as copied from a browser: title / abstract / author-date block."""
    rng = random.Random(SEED + 1)
    blocks = []
    for p in papers:
        text = f"{p['title']}\n\n{p['abstract']}\n\n"
        if rng.random() >= 0.08:  # else the record ends after its abstract (seen in real dumps)
            day = date.fromisoformat(p["published_on"])
            when = f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"
            if p["upvotes"]:
                when += f" {p['upvotes']}"
            who = p["organisation"] or f"  \u2022 {len(p['authors'])} authors"
            text += f"{who}\n\u00b7\n{when}\n\n"
        blocks.append(text)
    return blocks


DUMP_HEADER = ("new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
               "byAK and the research community\n\nOct 28\n\n")


def generate(folder: Path, dump_sizes: list[int], jsonl_sizes: list[int]) -> list[tuple[str, int, str]]:
    """Write every file; (format label, rows, path) for each."""
    biggest = max(dump_sizes + jsonl_sizes)
    papers = [p for _, p in zip(range(min(biggest, BLOCK)), Papers(sentence_pool()))]
    jobs: list[tuple[str, int, str]] = []
    blocks = dump_blocks(papers)
    for n in dump_sizes:
        path = folder / f"dump_{n}.txt"
        with path.open("w", encoding="utf-8") as out:
            out.write(DUMP_HEADER)
            out.writelines(_cycle(blocks, n))
        jobs.append(("HF text dump", n, str(path)))
    lines = jsonl_lines(papers)
    for n in jsonl_sizes:
        path = folder / f"papers_{n}.jsonl"
        with path.open("w", encoding="utf-8") as out:
            out.writelines(_cycle(lines, n))
        jobs.append(("JSON Lines", n, str(path)))
    return jobs


# --------------------------------------------------------------------------- measuring (child process)


def _maxrss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def measure(path: str) -> None:
    """Read one file, print one JSON line: records, seconds, RSS after imports and peak RSS."""
    from auditor.ingest import read_records

    base = _maxrss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    n = chars = 0
    for record in read_records(path):
        n += 1
        chars += len(record.paper.abstract)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"records": n, "chars": chars, "seconds": seconds, "cpu": cpu, "base_mb": base,
                      "peak_mb": _maxrss_mb()}))


# --------------------------------------------------------------------------- main


def child(*args: str) -> dict | list:
    """Run this script with ``args`` in a fresh process; its last stdout line, as JSON.

    Generating in a child too keeps this parent small: Linux carries the
    parent's RSS high-water mark into a child's ``ru_maxrss`` across exec.
    """
    out = subprocess.run([sys.executable, __file__, *args], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _sizes(text: str) -> list[int]:
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jsonl", default="100000,1000000", help="JSON Lines sizes (rows), comma-separated")
    ap.add_argument("--dump", default="10000,100000", help="text dump sizes (records), comma-separated")
    ap.add_argument("--keep", type=Path, help="write the files here and keep them")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--generate", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        measure(args.measure)
        return
    if args.generate:
        print(json.dumps(generate(Path(args.generate), _sizes(args.dump), _sizes(args.jsonl))))
        return

    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        jobs = child("--generate", str(folder), "--dump", args.dump, "--jsonl", args.jsonl)
        print(f"generated {len(jobs)} files in {time.perf_counter() - t0:.1f} s "
              f"(at most {BLOCK:,} distinct papers each, repeated beyond)\n")
        print(f"{'format':<14} {'rows':>10} {'file MB':>8} {'read s':>7} {'records/s':>10} {'MB/s':>6} "
              f"{'CPU s':>6} {'RSS base MB':>11} {'peak MB':>8} {'peak-base':>9}")
        for label, n, path in jobs:
            r = child("--measure", path)
            mb = Path(path).stat().st_size / 1e6
            assert r["records"] == n, f"{path}: read {r['records']} of {n} records"
            print(f"{label:<14} {n:>10,} {mb:>8.0f} {r['seconds']:>7.1f} {n / r['seconds']:>10,.0f} "
                  f"{mb / r['seconds']:>6.1f} {r['cpu']:>6.1f} {r['base_mb']:>11.0f} {r['peak_mb']:>8.0f} "
                  f"{r['peak_mb'] - r['base_mb']:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
