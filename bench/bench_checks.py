"""How fast the checks and scores run over a large corpus (prints figures; not a test).

    .venv/bin/python bench/bench_checks.py [N_PAPERS]        (default 50,000)

Builds, seeded, N papers whose abstracts carry plausible link sentences
(GitHub roots and tree/blob paths, Hugging Face models/datasets/Spaces,
project pages, DOIs, Zenodo, GitLab, anonymous review links) and claims
("available", "will be released", "upon request", some with no link), runs
the real extraction on them, and hand-makes facts per distinct target with
the variety a real run meets: ok / moved / not_found / blocked / unknown /
error; long, brief, stub and placeholder READMEs; OSI, non-OSI, unrecognised
and missing licenses; code, skeleton and empty repositories; gated Hub
repositories; reachable and dead pages; present and gone sub-paths; and
REST extras skipped for budget (missing keys).

Then times :func:`auditor.evaluate.evaluate_paper` with every check that
:func:`auditor.checking.discover_checks` finds, and the pipeline's scoring
(:func:`auditor.scoring.score_links` and :func:`~auditor.scoring.score_paper`)
over the outcomes, and prints papers/s plus the status mix per check (a check
that crashed on any input is counted and named).
"""

from __future__ import annotations

import random
import sys
import time
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

from auditor.checking import discover_checks
from auditor.config import AuditConfig
from auditor.evaluate import evaluate_paper
from auditor.extract import extract
from auditor.models import Claim, Facts, Link, Paper, paper_id_for
from auditor.scoring import score_links, score_paper

SEED = 20261123
AS_OF = date(2026, 11, 23)
FETCHED = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)

# --------------------------------------------------------------------------- abstracts

_OPENING = [
    "We propose {m}, a method for efficient long-context reasoning in large language models.",
    "We introduce {m}, a benchmark for evaluating multimodal agents on real-world tasks.",
    "This paper presents {m}, a diffusion model for high-resolution video generation.",
    "We study the scaling behaviour of {m} across model sizes and data regimes.",
    "{m} is a training-free approach to speculative decoding that needs no draft model.",
]
_MIDDLE = [
    "Experiments on six benchmarks show consistent gains over strong baselines.",
    "Our analysis reveals that most of the gains come from better data curation.",
    "The method reduces memory use by 40% while matching the accuracy of full fine-tuning.",
]
# (template, claim the sentence should carry); {u} is a URL
_LINKED = [
    ("Code is available at {u}.", "available"),
    ("Our code and models are publicly available at {u}.", "available"),
    ("The code will be released at {u}.", "promised"),
    ("Code and checkpoints will be made available at {u}.", "promised"),
    ("Project page: {u}", None),
    ("More results can be found at {u}.", None),
    ("Code: {u}", "available"),
]
_UNLINKED = [
    "We will release the code and models soon.",
    "Code is available upon request.",
    "The source code will be made publicly available.",
]
_OWNERS = [f"{a}{b}" for a in ("acme", "deep", "nlp", "vision", "ml", "ai", "robo", "bio", "gen", "data")
           for b in ("-lab", "group", "-research", "-ai", "x", "hub", "-team", "org", "-uni", "kit")]
_NAMES = ["llm", "diffusion", "bench", "agent", "vit", "rlhf", "nerf", "asr", "tts", "retriever", "moe", "lora"]
_PATHS = ["src", "projects/demo", "examples/train.py", "research/model", "configs/base.yaml", "tools"]
_LICENSES = ["MIT"] * 30 + ["Apache-2.0"] * 25 + ["BSD-3-Clause"] * 5 + ["GPL-3.0"] * 4 + \
    ["CC-BY-NC-4.0"] * 6 + ["NOASSERTION"] * 6 + [None] * 24


def _url(rng: random.Random, popular: list[str]) -> str:
    """A URL of a realistic kind (weights roughly as seen in Daily Papers abstracts)."""
    if rng.random() < 0.1:
        return rng.choice(popular)  # widely shared targets (the same repository in many papers)
    owner = rng.choice(_OWNERS)
    name = f"{rng.choice(_NAMES)}-{rng.randrange(20_000)}"
    r = rng.random()
    if r < 0.46:
        return f"https://github.com/{owner}/{name}"
    if r < 0.58:
        item = rng.choice(["tree", "blob"])
        ref = rng.choice(["main", "main", "master", "v1.0", "dev"])
        return f"https://github.com/{owner}/{name}/{item}/{ref}/{rng.choice(_PATHS)}"
    if r < 0.62:
        return f"https://github.com/{owner}"
    if r < 0.70:
        return f"https://huggingface.co/{owner}/{name}"
    if r < 0.74:
        return f"https://huggingface.co/datasets/{owner}/{name}"
    if r < 0.77:
        return f"https://huggingface.co/spaces/{owner}/{name}"
    if r < 0.88:
        return f"https://{owner}.github.io/{name}/"
    if r < 0.91:
        return f"https://doi.org/10.5281/zenodo.{rng.randrange(1_000_000, 9_999_999)}"
    if r < 0.92:
        return f"https://zenodo.org/records/{rng.randrange(1_000_000, 9_999_999)}"
    if r < 0.93:
        return f"https://doi.org/10.18653/v1/2024.acl-long.{rng.randrange(1, 900)}"
    if r < 0.96:
        return f"https://gitlab.com/{owner}/{name}"
    if r < 0.98:
        return f"https://anonymous.4open.science/r/{name.upper()}-{rng.randrange(1000):03d}"
    return f"https://www.{owner}.org/{name}"


def make_papers(n: int, rng: random.Random) -> list[tuple[Paper, tuple[Link, ...], tuple[Claim, ...]]]:
    """Papers with the links and claims the real extraction finds in their abstracts."""
    popular = [f"https://github.com/{o}/{m}" for o, m in zip(_OWNERS, _NAMES * 9)][:80]
    out = []
    for i in range(n):
        method = f"{rng.choice(['Flash', 'Omni', 'Hyper', 'Sparse', 'Meta'])}{rng.choice(['Former', 'GPT', 'Bench', 'Net'])}-{i}"
        parts = [rng.choice(_OPENING).format(m=method), rng.choice(_MIDDLE)]
        n_links = rng.choices([0, 1, 2, 3], weights=[12, 58, 22, 8])[0]
        parts += [rng.choice(_LINKED)[0].format(u=_url(rng, popular)) for _ in range(n_links)]
        if rng.random() < 0.15:
            parts.append(rng.choice(_UNLINKED))
        abstract = " ".join(parts)
        title = f"{method}: {rng.choice(['Efficient', 'Scalable', 'Robust'])} Learning at Scale"
        published = date(2021, 1, 1) + timedelta(days=rng.randrange(2140))  # up to Nov 2026
        paper = Paper(paper_id=paper_id_for(title), title=title, abstract=abstract, published_on=published,
                      authors=rng.randint(1, 15), upvotes=rng.randrange(50))
        ex = extract(abstract)
        out.append((paper, ex.links, ex.claims))
    return out


# --------------------------------------------------------------------------- facts

_LONG_README = "# {n}\n\n" + "\n".join(
    f"Step {i}: run `python train.py --stage {i}` to reproduce table {i} of the paper." for i in range(20)
)
_READMES = [
    (_LONG_README, 40),
    ("# {n}\n\n## Install\n\n```\npip install -e .\n```\n\n## Usage\n\nRun `python demo.py`.\n", 20),
    ("# {n}\n\nOfficial code of our paper.\n\nCode coming soon. Stay tuned!\n", 15),
    ("# {n}\n", 10),
    ("# Awesome {n}\n\n" + "\n".join(f"- [Paper {i}](https://arxiv.org/abs/2401.{i:05d})" for i in range(200)), 5),
    (None, 10),
]


def _readme(rng: random.Random, name: str) -> dict | None:
    text = rng.choices([t for t, _ in _READMES], weights=[w for _, w in _READMES])[0]
    if text is None:
        return None
    text = text.format(n=name)
    return {"name": "README.md", "size": len(text), "text": text}


def _contents(rng: random.Random) -> dict[str, Any]:
    """Languages and root listing of a code / skeleton / docs-only / empty repository."""
    r = rng.random()
    if r < 0.72:
        return {"languages": {"Python": rng.randrange(2_000, 2_000_000), "Shell": rng.randrange(0, 5_000),
                              "Jupyter Notebook": rng.randrange(0, 500_000)},
                "root_files": [{"name": "README.md", "type": "file", "size": 2000},
                               {"name": "LICENSE", "type": "file", "size": 1000},
                               {"name": "train.py", "type": "file", "size": 9000},
                               {"name": "src", "type": "dir", "size": 0}],
                "commit_count": rng.randrange(2, 800), "is_empty": False}
    if r < 0.84:
        return {"languages": {}, "root_files": [{"name": "README.md", "type": "file", "size": 300},
                                                {"name": "LICENSE", "type": "file", "size": 1000}],
                "commit_count": rng.randrange(1, 4), "is_empty": False}
    if r < 0.93:
        return {"languages": {"TeX": 30_000, "HTML": 12_000}, "root_files": [
            {"name": "README.md", "type": "file", "size": 900}, {"name": "paper.pdf", "type": "file", "size": 10**6}],
            "commit_count": 3, "is_empty": False}
    return {"languages": {}, "root_files": [], "commit_count": 0, "is_empty": True, "default_branch": None,
            "last_commit_at": None}


def _github_data(rng: random.Random, key: str, subpaths: set[str], paper_day: date | None) -> dict[str, Any]:
    owner_name = key.split(":", 1)[1]
    created = (paper_day or date(2023, 1, 1)) - timedelta(days=rng.randrange(10, 400))
    last = (paper_day or date(2024, 1, 1)) + timedelta(days=rng.randrange(-200, 700))
    last = min(last, AS_OF)
    spdx = rng.choice(_LICENSES)
    data: dict[str, Any] = {
        "name_with_owner": owner_name, "html_url": f"https://github.com/{owner_name}",
        "description": "Official implementation", "topics": ["deep-learning"],
        "stars": int(rng.paretovariate(0.6)) - 1, "forks": rng.randrange(200), "open_issues": rng.randrange(40),
        "license_spdx": spdx, "license_name": None if spdx is None else f"{spdx} License",
        "default_branch": "main", "is_archived": rng.random() < 0.06, "archived_at": None,
        "is_fork": rng.random() < 0.05, "is_disabled": False, "is_private": False,
        "created_at": f"{created}T10:00:00Z", "pushed_at": f"{last}T12:00:00Z",
        "last_commit_at": f"{last}T12:00:00Z", "primary_language": "Python",
        "readme": _readme(rng, owner_name), "releases_count": rng.randrange(4),
    }
    if data["is_archived"]:
        data["archived_at"] = f"{last + timedelta(days=30)}T00:00:00Z"
    data.update(_contents(rng))
    if subpaths:
        data["subpaths"] = {sp: rng.random() < 0.8 for sp in subpaths if rng.random() < 0.95}
    if rng.random() < 0.1:  # REST extras skipped for budget: these keys could not be had
        for k in ("readme", "root_files", "commit_count", "languages", "subpaths"):
            data.pop(k, None)
        data["skipped"] = ["readme: REST budget kept for core facts"]
    return data


def _hf_data(rng: random.Random, key: str) -> dict[str, Any]:
    repo_id = key.rsplit(":", 1)[1]
    lic = rng.choice(["apache-2.0", "mit", "cc-by-4.0", "cc-by-nc-4.0", "llama3", "other", None])
    last = AS_OF - timedelta(days=rng.randrange(1, 900))
    return {
        "repo_id": repo_id, "repo_type": key.split(":")[1], "private": False, "disabled": False,
        "gated": rng.choices([False, "auto", "manual"], weights=[85, 8, 7])[0],
        "last_modified": f"{last}T08:00:00Z", "last_commit_at": f"{last}T08:00:00Z",
        "stars": rng.randrange(300), "likes": 0, "license": lic,
        "license_spdx": {"apache-2.0": "Apache-2.0", "mit": "MIT", "cc-by-4.0": "CC-BY-4.0",
                         "cc-by-nc-4.0": "CC-BY-NC-4.0", "other": "NOASSERTION", "llama3": "NOASSERTION"}.get(lic or ""),
        "files_count": rng.randrange(1, 40), "readme": _readme(rng, repo_id), "is_archived": False,
        "root_files": [{"name": "config.json", "type": "file", "size": 700},
                       {"name": "model.safetensors", "type": "file", "size": 10**9}],
    }


def _web_data(rng: random.Random, key: str) -> tuple[str, dict[str, Any]]:
    url = "https://" + key.split(":", 1)[1]
    r = rng.random()
    if r < 0.75:
        links = [f"https://github.com/{rng.choice(_OWNERS)}/{rng.choice(_NAMES)}"] if rng.random() < 0.5 else []
        return "ok", {"url": url, "final_url": url, "redirects": [], "status_code": 200, "reachable": True,
                      "reachable_reason": "ok", "code_links": links}
    if r < 0.9:
        why = rng.choice(["HTTP 404", "soft 404 (title 'Page not found')", "parked domain (sedoparking)",
                          "host x does not resolve"])
        return "not_found", {"url": url, "reachable": False, "reachable_reason": why, "status_code": 404}
    return "blocked", {"url": url, "reachable": None, "reachable_reason": "HTTP 403 (the site refused us)",
                       "status_code": 403}


def make_facts(papers: list, rng: random.Random) -> dict[str, Facts]:
    """One Facts per distinct target, statuses mixed as in a real run."""
    subpaths: dict[str, set[str]] = defaultdict(set)
    targets: dict[str, tuple[str, date | None]] = {}
    for paper, links, _ in papers:
        for link in links:
            targets.setdefault(link.target.key, (link.target.kind, paper.published_on))
            if link.item in ("tree", "blob") and link.ref and link.subpath:
                subpaths[link.target.key].add(f"{link.ref}:{link.subpath}")
    facts: dict[str, Facts] = {}
    for key, (kind, day) in targets.items():
        r = rng.random()
        if r < 0.06:  # never collected: rate limit, budget, offline
            if r < 0.04:
                facts[key] = Facts(key, "unknown", FETCHED, {}, error="rate limited until 14:05 UTC")
            continue  # and some not in the cache at all
        if r < 0.08:
            facts[key] = Facts(key, "error", FETCHED, {}, error="HTTP 502 after 4 attempts")
            continue
        if kind in ("github_repo", "forge_repo"):
            if r < 0.17:
                facts[key] = Facts(key, "not_found", FETCHED, {})
                continue
            if r < 0.19:
                facts[key] = Facts(key, "blocked", FETCHED, {"is_disabled": True}, error="HTTP 451 DMCA takedown")
                continue
            data = _github_data(rng, key, subpaths.get(key, set()), day)
            if r < 0.27:
                old = key.split(":", 1)[1]
                new = f"{old.split('/')[0]}-renamed/{old.split('/')[1]}"
                data.update(name_with_owner=new, moved_from=old)
                facts[key] = Facts(key, "moved", FETCHED, data, canonical_key=f"github:{new}", etag='W/"abc"')
            else:
                facts[key] = Facts(key, "ok", FETCHED, data, etag='W/"abc"')
        elif kind.startswith("huggingface_") and kind != "huggingface_owner":
            if r < 0.18:
                facts[key] = Facts(key, "not_found", FETCHED, {"private_or_missing": True})
            else:
                facts[key] = Facts(key, "ok", FETCHED, _hf_data(rng, key))
        elif kind in ("github_owner", "huggingface_owner"):
            facts[key] = Facts(key, "ok" if r < 0.9 else "not_found", FETCHED, {"owner": key.split(":")[-1]})
        elif kind == "anonymous_repo":
            expired = r < 0.5
            facts[key] = Facts(key, "not_found" if expired else "ok", FETCHED,
                               {"expired": expired, "reachable": not expired,
                                "reachable_reason": "expired" if expired else "ok"})
        else:  # project_page, web, doi, zenodo
            status, data = _web_data(rng, key)
            facts[key] = Facts(key, status, FETCHED, data)  # type: ignore[arg-type]
    return facts


# --------------------------------------------------------------------------- main


def main(n_papers: int = 50_000) -> None:
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    papers = make_papers(n_papers, rng)
    facts = make_facts(papers, rng)
    n_links = sum(len(links) for _, links, _ in papers)
    n_claims = sum(len(claims) for _, _, claims in papers)
    kinds = Counter(link.target.kind for _, links, _ in papers for link in links)
    print(f"built {n_papers:,} papers, {n_links:,} links, {n_claims:,} claims, {len(facts):,} facts "
          f"in {time.perf_counter() - t0:.1f} s (extraction included)")
    print("  link kinds: " + ", ".join(f"{k} {v:,}" for k, v in kinds.most_common()))
    print("  facts: " + ", ".join(f"{k} {v:,}" for k, v in Counter(f.status for f in facts.values()).most_common()))

    checks = discover_checks()
    config = AuditConfig()
    print(f"checks ({len(checks)}): {', '.join(checks)}\n")

    wall, cpu = time.perf_counter(), time.process_time()
    all_outcomes = [evaluate_paper(p, links, claims, facts, AS_OF, checks, config) for p, links, claims in papers]
    t_eval, c_eval = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    scored = 0
    for outcomes in all_outcomes:
        link_scores = score_links(outcomes, config.weights)
        if score_paper(outcomes, link_scores, config.weights).score is not None:
            scored += 1
    t_score, c_score = time.perf_counter() - wall, time.process_time() - cpu
    n_out = sum(len(o) for o in all_outcomes)
    print("(CPU time is shown too: on a busy machine wall time is not the code's own cost)")
    print(f"{'':<28} {'wall s':>7} {'papers/s':>9} {'CPU s':>7} {'papers/CPU-s':>12}")
    for label, t, c in (("evaluate_paper (all checks)", t_eval, c_eval), ("scoring (links + paper)", t_score, c_score),
                        ("checks + scoring", t_eval + t_score, c_eval + c_score)):
        print(f"{label:<28} {t:>7.2f} {n_papers / t:>9,.0f} {c:>7.2f} {n_papers / c:>12,.0f}")
    print(f"{n_out:,} results ({n_out / c_eval:,.0f} per CPU-second), {scored:,} papers with a score\n")

    mix: dict[str, Counter] = defaultdict(Counter)
    crashed: Counter = Counter()
    for outcomes in all_outcomes:
        for o in outcomes:
            mix[o.check][o.result.status] += 1
            if o.result.reason.startswith("check crashed"):
                crashed[(o.check, o.result.reason)] += 1
    statuses = ("pass", "warn", "fail", "unknown", "skip")
    print(f"{'check':<16}" + "".join(f"{s:>9}" for s in statuses))
    for name in sorted(mix):
        print(f"{name:<16}" + "".join(f"{mix[name][s]:>9,}" for s in statuses))
    print(f"\nchecks crashed: {sum(crashed.values())}")
    for (name, reason), count in crashed.most_common(5):
        print(f"  {name}: {reason} ({count}x)")


if __name__ == "__main__":
    main(int(sys.argv[1].replace("_", "")) if len(sys.argv) > 1 else 50_000)
