"""A small hand-made store (papers, links, facts, results, scores) shared by the
store and report tests; built from models only, not from the extractor or checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from auditor.models import Claim, Extraction, Facts, Link, Paper, Record, Result, Sighting, Target, paper_id_for
from auditor.store import Store

GOOD = Target(key="github:good/repo", kind="github_repo", host="github.com", url="https://github.com/good/repo", owner="good", name="repo")
GONE = Target(key="github:gone/repo", kind="github_repo", host="github.com", url="https://github.com/gone/repo", owner="gone", name="repo")

TITLES = {
    "good": "A Good Paper",
    "bad": "Bad | Paper\nwith *stars* and a newline",
    "html": "<script>alert('x')</script> & Co",
}
IDS = {k: paper_id_for(v) for k, v in TITLES.items()}


@dataclass(frozen=True)
class Outcome:  # what auditor.evaluate.CheckOutcome looks like
    paper_id: str
    link_ordinal: int | None
    target_key: str
    check: str
    result: Result


@dataclass(frozen=True)
class Score:  # what auditor.scoring.LinkScore/PaperScore look like
    score: float | None
    coverage: float | None
    judged: int
    applicable: int
    worst_reason: str | None
    worst_status: str | None = None
    worst_check: str | None = None
    target_key: str = ""
    link_ordinal: int | None = None


def records(source: str = "2024-06-03.txt", dump_date: date = date(2024, 6, 3)) -> list[Record]:
    out = []
    for pos, (k, title) in enumerate(TITLES.items()):
        paper = Paper(
            paper_id=IDS[k], title=title, abstract=f"Abstract of {k}. Code: https://github.com/{k}/repo",
            published_on=date(2024, 6, 1), authors=3, organisation="org", upvotes=10 + pos, arxiv_id=f"2406.0000{pos}",
        )
        out.append(Record(paper=paper, sighting=Sighting(paper_id=IDS[k], source=source, dump_date=dump_date, position=pos)))
    return out


def extractions() -> dict[str, Extraction]:
    return {
        IDS["good"]: Extraction(
            links=(
                Link(raw="https://github.com/good/repo", url="https://github.com/good/repo", target=GOOD, ordinal=0),
                Link(
                    raw="https://github.com/good/repo/tree/main/src", url="https://github.com/good/repo/tree/main/src",
                    target=GOOD, ordinal=1, ref="main", subpath="src", item="tree",
                ),
            ),
            claims=(Claim(kind="available", sentence="Code is at https://github.com/good/repo.", target_key=GOOD.key),),
        ),
        IDS["bad"]: Extraction(
            links=(Link(raw="github.com/gone/repo.", url="https://github.com/gone/repo", target=GONE, ordinal=0),),
            claims=(
                Claim(kind="promised", sentence="Code will be released at github.com/gone/repo.", target_key=GONE.key),
                Claim(kind="on_request", sentence="Data on request.", target_key=None),
            ),
        ),
        IDS["html"]: Extraction(),
    }


FETCHED = datetime(2024, 6, 4, 12, 30, tzinfo=timezone.utc)


def facts() -> list[Facts]:
    return [
        Facts(target_key=GOOD.key, status="ok", fetched_at=FETCHED, data={"stars": 12, "topics": ["ml"], "readme": None}, etag='W/"abc"'),
        Facts(target_key=GONE.key, status="not_found", fetched_at=FETCHED, error="404"),
    ]


def outcomes() -> list[Outcome]:
    g, b, h = IDS["good"], IDS["bad"], IDS["html"]
    return [
        Outcome(g, 0, GOOD.key, "reachable", Result("pass", "repository answers", 10.0, {"status": 200})),
        Outcome(g, 0, GOOD.key, "license", Result("pass", "MIT license", 10.0)),
        Outcome(g, 1, GOOD.key, "reachable", Result("pass", "repository answers", 10.0)),
        Outcome(g, 1, GOOD.key, "subpath", Result("warn", "tree/main/src | not on the default branch", 5.0)),
        Outcome(g, None, "", "claim_kept", Result("pass", "claimed code is there", 10.0)),
        Outcome(b, 0, GONE.key, "reachable", Result("fail", "repository not found (404)", 0.0)),
        Outcome(b, 0, GONE.key, "license", Result("unknown", "no facts: repository not found")),
        Outcome(b, None, "", "claim_kept", Result("fail", "promised code never appeared <b>", 0.0)),
        Outcome(h, None, "", "code_link", Result("fail", "no code link in the abstract", 0.0)),
    ]


def scores() -> list[tuple[str, list[Score], Score]]:
    subpath = "tree/main/src | not on the default branch"
    gone = "repository not found (404)"
    return [
        (
            IDS["good"],
            [Score(10.0, 1.0, 2, 2, None, None, None, GOOD.key, 0), Score(7.5, 1.0, 2, 2, subpath, "warn", "subpath", GOOD.key, 1)],
            Score(9.2, 1.0, 5, 5, subpath, "warn", "subpath"),
        ),
        (
            IDS["bad"],
            [Score(0.0, 0.5, 1, 2, gone, "fail", "reachable", GONE.key, 0)],
            Score(0.0, 2 / 3, 2, 3, gone, "fail", "reachable"),
        ),
        (IDS["html"], [], Score(0.0, 1.0, 1, 1, "no code link in the abstract", "fail", "code_link")),
    ]


def build_sample(path: Path | str = ":memory:", *, runs: int = 1) -> tuple[Store, list[str]]:
    """A store with `runs` complete runs over the same dump (the last one is the newest)."""
    store = Store.open(path)
    run_ids = []
    for _ in range(runs):
        run_id = store.start_run({"dumps": ["2024-06-03.txt"], "offline": False}, date(2024, 6, 5))
        store.add_records(records(), run_id)
        store.add_extractions(extractions().items())
        store.save_facts(facts())
        store.save_outcomes(run_id, outcomes())
        for paper_id, link_scores, paper_score in scores():
            store.save_scores(run_id, paper_id, link_scores, paper_score)
        store.finish_run(run_id, "done")
        run_ids.append(run_id)
    return store, run_ids


def test_sample_builds():
    store, (run_id,) = build_sample()
    with store:
        assert store.latest_run_id() == run_id
        assert len(store.papers_for_run(run_id)) == 3
