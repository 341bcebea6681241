"""Without a token, a rate-limited audit finishes on a later run, asking only for what it lacks.

REST spends one request per repository on its core facts and fetches the extras
(README, root listing, the citation files it shows, commits, languages, releases,
sub-paths) while the hourly
budget allows; what it left out is named in ``data["skipped"]``. Such facts are
not fresh: the next run asks for exactly those extras, without the repository's
core request while its core facts are within --max-age. Against the fake GitHub
(tests/fakegithub), whose 60-an-hour anonymous budget is cut down here.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone

import duckdb
import pytest

from auditor.hosts.github_resume import missing_parts, skipped_extras
from auditor.links import find_links
from auditor.models import Facts
from auditor.pipeline import plan_collection

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
SUFFIX = {"readme": "/readme", "root_files": "/contents", "commits": "/commits", "languages": "/languages",
          "releases": "/releases"}


def test_skipped_extras_make_facts_incomplete_and_the_plan_asks_only_for_them():
    links = find_links("Code: https://github.com/a/part and https://github.com/a/whole/tree/main/src "
                       "and https://github.com/a/done and https://github.com/a/old")
    hour_ago = NOW - timedelta(hours=1)
    cached = {
        "github:a/part": Facts("github:a/part", "ok", hour_ago, {"stars": 1, "skipped": [
            "readme: REST budget kept for core facts", "releases: HTTP 500 from GitHub"]}),
        "github:a/whole": Facts("github:a/whole", "ok", hour_ago, {"subpaths": {}}),
        "github:a/done": Facts("github:a/done", "ok", hour_ago, {"readme": None}),
        "github:a/old": Facts("github:a/old", "ok", NOW - timedelta(days=3), {"skipped": ["readme: rate limited"]}),
    }
    requests, fresh = plan_collection(links, cached, now=NOW, max_age=timedelta(hours=24), refresh=False)
    assert set(fresh) == {"github:a/done"}
    resume = {r.target.key: r.resume for r in requests}
    assert resume == {"github:a/part": {"readme", "releases"}, "github:a/whole": {"subpaths"},
                      # beyond --max-age the core facts are asked again (an ETag revalidation): collected whole
                      "github:a/old": frozenset()}
    assert skipped_extras({"skipped": ["nonsense", "commits: x"]}) == {"commits"}
    assert missing_parts(Facts("k", "not_found", NOW, {"skipped": ["readme: x"]})) == frozenset()


def _dump(tmp_path, names):
    dump = tmp_path / "papers.csv"
    rows = [f'Paper {i},"Our code: https://github.com/{n}"' for i, n in enumerate(names)]
    dump.write_text("title,abstract\n" + "\n".join(rows) + "\n")
    return dump


def _github_requests(fake) -> Counter:
    """Paths asked of the fake since its counters were cleared, without the free /rate_limit."""
    return Counter(e["path"].rstrip("/") for e in fake.stats.log if e["path"] != "/rate_limit")


def _unknown_results(db) -> int:
    con = duckdb.connect(str(db), read_only=True)
    try:
        latest = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchall()[0][0]
        return con.execute("SELECT count(*) FROM results WHERE run_id = ? AND status = 'unknown'", [latest]).fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.network
def test_rate_limited_rest_run_finishes_on_the_next_run_asking_only_for_what_is_missing(fake_github_rest, tmp_path,
                                                                                        without_scorecards):
    from auditor.checking import discover_checks
    from auditor.config import load_config
    from auditor.pipeline import RunOptions, run_audit
    from auditor.store import Store

    fake = fake_github_rest
    names = [f"lab/r{i}" for i in range(10)]
    cited = set(names[::3])  # their root listing shows a CITATION.cff: one request more each (the citation extra)
    for i, full in enumerate(names):
        files = {"requirements.txt": "numpy\n", "train.py": "x = 1\n"}
        if full in cited:
            files["CITATION.cff"] = f"cff-version: 1.2.0\ntitle: r{i}\ndoi: 10.5281/zenodo.{1000000 + i}\n"
        fake.world.add_repo({"repo": full, "stars": i, "readme": f"# {full}\n", "languages": {"Python": 100},
                             "files": files, "commits": {"count": 4}, "license": "MIT"})
    options = RunOptions(dumps=[_dump(tmp_path, names)], db=tmp_path / "a.duckdb", out=tmp_path / "out",
                         as_of=date(2026, 11, 20), config=load_config(None, cwd=tmp_path), hosts=("github",),
                         discover=("abstract",), max_wait=0,
                         # only GitHub is asked: the archive pass's checks would stay unknown by choice
                         checks=[c for c in discover_checks() if c not in ("archived", "artifact_badge")])
    fake.limits.anonymous = 8  # the core facts of 8 repositories, then the limit
    first = run_audit(options, env=fake.env())
    assert first.status == "partial" and first.rate_limited_until is not None
    assert _unknown_results(options.db) > 0

    with Store.open(options.db) as store:
        stored = store.load_facts({f"github:{n}" for n in names})
    expected: Counter = Counter()
    for full in names:
        facts = stored.get(f"github:{full}")
        if facts is None or not facts.known:  # never collected: the whole repository
            expected[f"/repos/{full}"] += 1
            extras = set(SUFFIX) | {"citation_files"}
        else:
            extras = skipped_extras(facts.data)
        for extra in extras:
            if extra != "citation_files":
                expected[f"/repos/{full}{SUFFIX[extra]}"] += 1
            elif full in cited:  # asked only for a file the listing shows
                expected[f"/repos/{full}/contents/CITATION.cff"] += 1
    assert any(f is not None and f.known and "citation_files" in skipped_extras(f.data) for f in stored.values())
    assert any(f is not None and f.known and f.data.get("skipped") for f in stored.values()), "a partial REST run"

    fake.limits.reset()  # the hour has passed (the fake clock below says so too): a fresh budget
    fake.limits.anonymous = 60
    fake.stats.clear()
    later = first.rate_limited_until + timedelta(seconds=1)
    second = run_audit(options, env=fake.env(), clock=lambda: later)
    assert second.status == "done", second.partial_reasons
    assert _github_requests(fake) == expected  # exactly what was missing, no core request for the rest
    assert _unknown_results(options.db) == 0
    with Store.open(options.db) as store:
        done = store.load_facts({f"github:{n}" for n in names})
    assert all(f.status == "ok" and "skipped" not in f.data and f.data["readme"]["text"] for f in done.values())
    assert {k for k, f in done.items() if f.data["citation_files"]} == {f"github:{n}" for n in cited}
    assert all(f.data["citation_files"] == {} for k, f in done.items() if k.removeprefix("github:") not in cited)
    # facts that had their core: fetched_at kept (the core facts are as old as they were)
    for key, facts in stored.items():
        if facts.known:
            assert done[key].fetched_at == facts.fetched_at and done[key].data["stars"] == facts.data["stars"]

    fake.stats.clear()
    third = run_audit(options, env=fake.env(), clock=lambda: later)
    assert third.status == "done" and _github_requests(fake) == Counter()  # complete and fresh: nothing asked


@pytest.mark.network
def test_stale_incomplete_facts_are_revalidated_then_only_their_missing_extras_asked(fake_github_rest):
    from test_github_e2e import add_repos, collect, req

    fake = fake_github_rest
    (name,) = add_repos(fake, 1)
    fake.limits.anonymous = 1  # the core request only
    first = collect(fake, [req(name)])[0][f"github:{name}"]
    assert first.status == "ok" and skipped_extras(first.data) == set(SUFFIX) | {"citation_files"}
    fake.limits.reset()
    fake.limits.anonymous = 60
    fake.stats.clear()
    # Beyond --max-age (no ``resume``): the core facts are revalidated with their ETag; a 304 says
    # they are unchanged, and only the extras they lack follow.
    got, _ = collect(fake, [req(name, etag=first.etag, cached=first)])
    facts = got[f"github:{name}"]
    assert fake.stats.not_modified == 1
    assert _github_requests(fake) == Counter([f"/repos/{name}"] + [f"/repos/{name}{s}" for s in SUFFIX.values()])
    assert "skipped" not in facts.data and facts.data["readme"]["text"] == f"# {name}\n" and facts.data["stars"] == 0
    assert facts.data["citation_files"] == {}  # its listing shows none: known without a request


@pytest.mark.network
def test_with_a_token_incomplete_facts_are_completed_by_graphql_not_by_rest(fake_github):
    from test_github_e2e import add_repos, collect, req

    (name,) = add_repos(fake_github, 1)
    cached = Facts(f"github:{name}", "ok", datetime.now(timezone.utc), {"stars": 0, "skipped": ["readme: rate limited"]},
                   etag='W/"x"')
    got, _ = collect(fake_github, [req(name, etag=cached.etag, cached=cached, resume=frozenset({"readme"}))],
                     token=fake_github.token)
    assert dict(fake_github.stats.requests) == {"POST /graphql": 1}  # one query holds everything; no 304 of the old facts
    assert got[f"github:{name}"].data["readme"]["text"] == f"# {name}\n"
