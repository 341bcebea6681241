"""Pure planning pieces of the pipeline: what to fetch, what pages lead to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from auditor.links import find_links
from auditor.models import Extraction, Facts
from auditor.pipeline import links_through_pages, plan_collection
from auditor.store import Store

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


def facts(key: str, status: str = "ok", age_hours: float = 1, **data) -> Facts:
    return Facts(target_key=key, status=status, fetched_at=NOW - timedelta(hours=age_hours), data=data)


def test_plan_fetches_missing_stale_and_unknown_but_not_fresh():
    links = find_links(
        "Code: https://github.com/a/fresh, https://github.com/a/stale, https://github.com/a/unknown, "
        "https://github.com/a/new and https://github.com/a/fresh/tree/main/src"
    )
    cached = {
        "github:a/fresh": facts("github:a/fresh", subpaths={"main:src": True}),
        "github:a/stale": facts("github:a/stale", age_hours=48),
        "github:a/unknown": facts("github:a/unknown", status="unknown"),
    }
    requests, fresh = plan_collection(links, cached, now=NOW, max_age=timedelta(hours=24), refresh=False)
    assert set(fresh) == {"github:a/fresh"}
    assert {r.target.key for r in requests} == {"github:a/stale", "github:a/unknown", "github:a/new"}
    stale = next(r for r in requests if r.target.key == "github:a/stale")
    assert stale.cached is cached["github:a/stale"]  # kept for a 304 revalidation

    requests, fresh = plan_collection(links, cached, now=NOW, max_age=timedelta(hours=24), refresh=True)
    assert fresh == {} and len(requests) == 4


def test_plan_fetches_again_when_a_new_subpath_is_asked():
    links = find_links("See https://github.com/a/repo/tree/dev/docs")
    cached = {"github:a/repo": facts("github:a/repo", subpaths={"main:src": True})}
    requests, fresh = plan_collection(links, cached, now=NOW, max_age=timedelta(hours=24), refresh=False)
    assert fresh == {}
    assert requests[0].subpaths == frozenset({("dev", "docs")})


def test_links_through_pages_adds_repositories_once_marked_via():
    links = find_links("Project page: https://smerf-3d.github.io. Code: https://github.com/a/known")
    page = links[0].target.key
    facts_by_key = {
        page: facts(page, code_links=["https://github.com/google/smerf", "https://github.com/a/known"]),
    }
    found = links_through_pages(links, facts_by_key)
    assert [(link.target.key, link.via) for link in found] == [("github:google/smerf", "https://smerf-3d.github.io")]
    assert found[0].ordinal == max(link.ordinal for link in links) + 1
    # Unknown page facts lead nowhere; nothing is guessed.
    assert links_through_pages(links, {page: facts(page, status="unknown")}) == []


def test_via_survives_the_store():
    links = find_links("Project page: https://smerf-3d.github.io.")
    page = links[0].target.key
    found = links_through_pages(links, {page: facts(page, code_links=["https://github.com/google/smerf"])})
    with Store.open(":memory:") as store:
        store.add_extractions([("p1", Extraction(links=links + tuple(found)))])
        stored = store.links_with_targets(["p1"])["p1"]
    assert [link.via for link in stored] == [None, "https://smerf-3d.github.io"]


def test_run_audits_a_repository_found_through_a_project_page(tmp_path):
    """From cached facts alone (--offline): the page's code link becomes a judged link marked via."""
    import csv
    from datetime import date

    from auditor.config import load_config
    from auditor.pipeline import RunOptions, run_audit

    dump = tmp_path / "papers.csv"
    dump.write_text('title,abstract\nSMERF,"Explore it at our project website: https://smerf-3d.github.io."\n')
    db = tmp_path / "audit.duckdb"
    fresh = datetime.now(timezone.utc)
    repo_data = {
        "name_with_owner": "google/smerf", "is_archived": False, "is_disabled": False, "is_empty": False,
        "license_spdx": "Apache-2.0", "stars": 300, "readme": {"name": "README.md", "size": 4000, "text": "# SMERF\n" * 400},
    }
    with Store.open(db) as store:
        store.save_facts([
            Facts("web:smerf-3d.github.io", "ok", fresh, {"reachable": True, "reachable_reason": "ok",
                                                          "code_links": ["https://github.com/google/smerf"]}),
            Facts("github:google/smerf", "ok", fresh, repo_data),
        ])
    options = RunOptions(dumps=[dump], db=db, out=tmp_path / "out", as_of=date(2026, 11, 23),
                         config=load_config(None, cwd=tmp_path), offline=True)
    summary = run_audit(options, env={})
    assert summary.links == 2
    with Store.open(db) as store:
        links = next(iter(store.links_with_targets(store.query("SELECT paper_id FROM papers")["paper_id"]).values()))
        results = store.query("SELECT check_name, status FROM results WHERE target_key = 'github:google/smerf'")
    assert [(l.target.key, l.via) for l in links] == [
        ("web:smerf-3d.github.io", None), ("github:google/smerf", "https://smerf-3d.github.io")]
    assert dict(zip(results["check_name"], results["status"]))["license"] == "pass"
    rows = list(csv.DictReader(open(tmp_path / "out" / "links.csv")))
    assert {r["via"] for r in rows if r["target_key"] == "github:google/smerf"} == {"https://smerf-3d.github.io"}
