"""subpath_exists on hand-made facts: one test per case, plus its registration."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from auditor.checking import CheckContext, discover_checks
from auditor.config import DEFAULT_WEIGHTS, AuditConfig, parse_config
from auditor.evaluate import evaluate_paper
from auditor.links import find_links
from auditor.models import Facts, Link, Paper, Target
from checks.subpath_exists import subpath_exists, subpath_key

AS_OF = date(2026, 11, 23)
KEY = "github:acme/model"
PAPER = Paper(paper_id="p1", title="A paper", abstract="...", published_on=date(2024, 5, 1))
TARGET = Target(key=KEY, kind="github_repo", host="github.com", url="https://github.com/acme/model", owner="acme", name="model")


def link(item: str | None = "tree", ref: str | None = "main", subpath: str | None = "src/foo",
         target: Target = TARGET) -> Link:
    tail = "/".join(p for p in (item, ref, subpath) if p)
    url = f"{target.url}/{tail}" if tail else target.url
    return Link(raw=url, url=url, target=target, item=item, ref=ref, subpath=subpath)


def facts(status: str = "ok", subpaths: dict[str, Any] | None = None, default_branch: str | None = "main",
          **kw: Any) -> Facts:
    data: dict[str, Any] = {"name_with_owner": "acme/model", "default_branch": default_branch, "stars": 3}
    if subpaths is not None:
        data["subpaths"] = subpaths
    return Facts(target_key=KEY, status=status, fetched_at=datetime(2026, 11, 23, tzinfo=timezone.utc),  # type: ignore[arg-type]
                 data=data, **kw)


def run(lk: Link | None, f: Facts | None):
    return subpath_exists(CheckContext(paper=PAPER, as_of=AS_OF, link=lk, facts=f, links=(lk,) if lk else ()))


# --------------------------------------------------------------------------- judged


def test_pass_when_the_folder_exists():
    r = run(link(), facts(subpaths={"main:src/foo": True}))
    assert (r.status, r.score) == ("pass", 10.0)
    assert "tree/main/src/foo" in r.reason and "folder" in r.reason
    assert r.evidence["exists"] is True and r.evidence["key"] == "main:src/foo"


def test_pass_for_a_blob_file():
    r = run(link("blob", "v1.2", "train.py"), facts(subpaths={"v1.2:train.py": True}))
    assert r.status == "pass" and "file blob/v1.2/train.py" in r.reason


def test_fail_when_the_path_is_gone_on_the_default_branch():
    r = run(link(), facts(subpaths={"main:src/foo": False}))
    assert (r.status, r.score) == ("fail", 0.0)
    assert r.reason == "links to tree/main/src/foo, which no longer exists on main"
    assert r.evidence["exists"] is False and r.evidence["default_branch"] == "main"


def test_fail_on_another_ref_names_the_ref_as_a_possible_cause():
    r = run(link("blob", "dev", "configs/a.yaml"), facts(subpaths={"dev:configs/a.yaml": False}))
    assert r.status == "fail"
    assert "blob/dev/configs/a.yaml" in r.reason and "'dev'" in r.reason and "ref" in r.reason


def test_fail_when_the_default_branch_is_not_reported():
    r = run(link(), facts(subpaths={"main:src/foo": False}, default_branch=None))
    assert r.status == "fail" and "ref 'main'" in r.reason


def test_reads_only_its_own_key_among_several():
    f = facts(subpaths={"main:src/foo": False, "main:src/bar": True})
    assert run(link(subpath="src/bar"), f).status == "pass"
    assert run(link(subpath="src/foo"), f).status == "fail"


def test_moved_repository_is_still_judged():
    f = facts("moved", subpaths={"main:src/foo": True}, canonical_key="github:acme2/model")
    assert run(link(), f).status == "pass"


# --------------------------------------------------------------------------- unknown


def test_unknown_when_the_key_is_missing():
    r = run(link(), facts(subpaths={"main:other": True}))
    assert r.status == "unknown" and r.score is None
    assert "tree/main/src/foo" in r.reason and r.evidence["key"] == "main:src/foo"


@pytest.mark.parametrize("subpaths", [None, {}, {"main:src/foo": None}])
def test_unknown_when_subpaths_not_reported(subpaths):
    assert run(link(), facts(subpaths=subpaths)).status == "unknown"


def test_unknown_without_facts():
    r = run(link(), None)
    assert r.status == "unknown" and KEY in r.reason


@pytest.mark.parametrize("status,error", [("unknown", "rate limited until 14:05 UTC"), ("error", "HTTP 502 after 4 attempts")])
def test_unknown_when_facts_not_known_says_why(status, error):
    r = run(link(), facts(status, subpaths={"main:src/foo": True}, error=error))
    assert r.status == "unknown" and error in r.reason


# --------------------------------------------------------------------------- skip


@pytest.mark.parametrize("lk", [
    link(None, None, None),  # the repository root
    link("tree", "main", None),  # a branch, no path
    link("pull", None, None),
    link("releases", "v1", None),
    link("commits", "main", "src"),  # not a tree/blob path
], ids=["root", "tree-no-path", "pull", "release", "commits"])
def test_skip_for_links_without_a_path(lk):
    r = run(lk, facts(subpaths={"main:src": True}))
    assert r.status == "skip" and r.score is None


def test_skip_without_a_path_even_when_facts_are_missing():
    assert run(link(None, None, None), None).status == "skip"


@pytest.mark.parametrize("kind", ["forge_repo", "huggingface_model", "web", "project_page", "doi"])
def test_skip_for_other_kinds(kind):
    target = Target(key="web:x/y", kind=kind, host="x", url="https://x/y")  # type: ignore[arg-type]
    assert run(link(target=target), facts(subpaths={"main:src/foo": True})).status == "skip"


@pytest.mark.parametrize("status", ["not_found", "blocked"])
def test_skip_when_the_repository_itself_is_missing(status):
    r = run(link(), facts(status, subpaths={}))
    assert r.status == "skip" and "repo_exists" in r.reason


def test_skip_at_paper_scope():
    assert run(None, None).status == "skip"


# --------------------------------------------------------------------------- wiring


def test_key_matches_what_the_extractor_gives():
    """The check reads the key the pipeline asks the collector for (ref:subpath of a tree/blob link)."""
    text = "Code: https://github.com/acme/model/tree/main/projects/foo and https://github.com/acme/model/blob/v2/a/b.py"
    keys = {subpath_key(lk) for lk in find_links(text)}
    assert keys == {"main:projects/foo", "v2:a/b.py"}


def test_registered_as_an_entry_point_with_its_default_weight():
    found = discover_checks()
    assert found["subpath_exists"] is subpath_exists
    assert subpath_exists.weight == DEFAULT_WEIGHTS["subpath_exists"] == 1.0
    from auditor.config import registered_check_names

    assert "subpath_exists" in registered_check_names()
    cfg = parse_config({"weights": {"subpath_exists": 0.5}}, known_checks=registered_check_names())
    assert cfg.weights["subpath_exists"] == 0.5


def test_engine_runs_it_and_a_broken_path_lowers_the_link_score():
    from auditor.scoring import score_link

    checks = {"subpath_exists": discover_checks()["subpath_exists"]}
    lk = link()
    ok = evaluate_paper(PAPER, [lk], [], {KEY: facts(subpaths={"main:src/foo": True})}, AS_OF, checks, AuditConfig())
    gone = evaluate_paper(PAPER, [lk], [], {KEY: facts(subpaths={"main:src/foo": False})}, AS_OF, checks, AuditConfig())
    assert [o.result.status for o in ok] == ["pass"] and ok[0].weight == 1.0
    assert score_link(ok).score == 10.0 and score_link(gone).score == 0.0
    assert score_link(gone).worst_reason == "links to tree/main/src/foo, which no longer exists on main"
