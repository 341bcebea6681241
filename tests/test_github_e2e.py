"""End to end: the GitHub collector against the fake GitHub (tests/fakegithub) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone

import pytest

from auditor.hosts.base import TargetRequest
from auditor.hosts.github import GitHubCollector
from auditor.hosts.github_client import GitHubSettings, make_client
from auditor.models import GITHUB_REPO_FACTS, Facts, Target
from auditor.retry import FAST

pytestmark = pytest.mark.network


def req(full: str, **kw) -> TargetRequest:
    owner, name = full.split("/")
    target = Target(key=f"github:{full}".lower(), kind="github_repo", host="github.com", url=f"https://github.com/{full}", owner=owner, name=name)
    return TargetRequest(target=target, **kw)


def collect(fake, requests, *, token: str | None = None, timeout: float = 5, **kw) -> tuple[dict[str, Facts], GitHubCollector]:
    settings = GitHubSettings.from_env(fake.env(token=token))

    async def go():
        async with make_client(settings, timeout=timeout) as client:
            collector = GitHubCollector(settings, client, retry=kw.pop("retry", FAST), **kw)
            facts = [f async for f in collector.collect(requests)]
        return facts, collector

    facts, collector = asyncio.run(go())
    assert len(facts) == len(requests)
    # The fake records a request just after answering it: let its counters catch up.
    deadline = time.monotonic() + 2
    while fake.stats.total < collector.stats.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    return {f.target_key: f for f in facts}, collector


def add_repos(fake, n: int, prefix: str = "lab/r") -> list[str]:
    names = [f"{prefix}{i}" for i in range(n)]
    for i, full in enumerate(names):
        fake.world.add_repo({"repo": full, "stars": i, "readme": f"# {full}\n", "languages": {"Python": 100 + i},
                             "files": {"requirements.txt": "numpy\n", "src/train.py": "x = 1\n"}, "commits": {"count": 3 + i},
                             "license": "MIT"})
    return names


def test_batch_with_a_missing_and_a_renamed_repository(fake_github):
    add_repos(fake_github, 3)
    fake_github.world.add_repo({"repo": "lab/new-name", "stars": 5, "readme": "# new\n"})
    fake_github.world.add_repo({"repo": "lab/old-name", "renamed_to": "lab/new-name"})
    reqs = [req("lab/r0", subpaths=frozenset({("main", "src/train.py"), ("main", "src/missing.py")})), req("lab/r1"), req("lab/r2"),
            req("lab/gone"), req("lab/old-name")]
    got, collector = collect(fake_github, reqs, token=fake_github.token)
    r0 = got["github:lab/r0"]
    assert r0.status == "ok" and set(r0.data) <= set(GITHUB_REPO_FACTS)
    assert r0.data["readme"]["text"] == "# lab/r0\n" and r0.data["license_spdx"] == "MIT"
    assert r0.data["subpaths"] == {"main:src/train.py": True, "main:src/missing.py": False}
    assert {f["name"] for f in r0.data["root_files"]} >= {"requirements.txt", "src"}
    assert r0.data["commit_count"] == 3 and r0.data["languages"] == {"Python": 100}
    assert got["github:lab/gone"].status == "not_found"
    moved = got["github:lab/old-name"]
    assert moved.status == "moved" and moved.canonical_key == "github:lab/new-name" and moved.data["moved_from"] == "lab/old-name"
    assert fake_github.stats.count("POST /graphql") == 1 == collector.stats.requests
    assert collector.stats.graphql_points == fake_github.stats.graphql_points >= 1


def test_no_token_costs_exactly_one_core_request_per_repository(fake_github_rest):
    fake_github = fake_github_rest
    names = add_repos(fake_github, 12)
    fake_github.world.add_repo({"repo": "lab/new-name", "stars": 5})
    fake_github.world.add_repo({"repo": "lab/old-name", "renamed_to": "lab/new-name"})
    fake_github.limits.anonymous = 30  # core for 14 repositories + a redirect, then a few extras
    reqs = [req(n) for n in names] + [req("lab/gone"), req("lab/old-name")]
    got, collector = collect(fake_github, reqs)
    assert fake_github.stats.requests["GET /repos/{owner}/{repo}"] == len(reqs)
    assert fake_github.stats.requests["GET /repositories/{id}"] == 1  # the rename's redirect, followed
    assert fake_github.stats.rate_limited == 0
    assert all(f.status in ("ok", "moved", "not_found") for f in got.values())
    assert got["github:lab/old-name"].status == "moved" and got["github:lab/gone"].status == "not_found"
    assert fake_github.stats.total <= 30
    skipped = [f for f in got.values() if f.data.get("skipped")]
    assert skipped, "a 30-request budget cannot hold every extra"
    for f in skipped:
        for note in f.data["skipped"]:
            assert note.split(":")[0] not in f.data or note.startswith("subpaths")


def test_primary_limit_without_token_gives_partial_results(fake_github_rest):
    fake_github = fake_github_rest
    names = add_repos(fake_github, 8)
    fake_github.limits.anonymous = 3
    got, collector = collect(fake_github, [req(n) for n in names], concurrency=2, max_wait=300)
    statuses = [got[f"github:{n}"].status for n in names]
    assert statuses.count("ok") == 3 and statuses.count("unknown") == 5
    until = collector.rate_limited_until
    assert until is not None and until > datetime.now(timezone.utc)
    assert all(f.error == f"rate limited until {until:%H:%M} UTC" for f in got.values() if f.status == "unknown")


def test_graphql_limit_spent_midway_gives_partial_results(fake_github):
    names = add_repos(fake_github, 6)
    fake_github.faults.next("ok", "exhausted")
    got, collector = collect(fake_github, [req(n) for n in names], token=fake_github.token, batch_size=2, concurrency=1)
    statuses = [got[f"github:{n}"].status for n in names]
    assert statuses == ["ok", "ok", "unknown", "unknown", "unknown", "unknown"]
    assert collector.rate_limited_until is not None
    assert fake_github.stats.count("POST /graphql") == 2


@pytest.mark.parametrize("token", [True, False], ids=["graphql", "rest"])
def test_every_repository_ends_with_facts_or_an_explicit_error_under_faults(fake_github, token):
    names = add_repos(fake_github, 40)
    fake_github.limits.anonymous = 10_000
    fake_github.faults.update(error_rate=0.2, reset_rate=0.05, malformed_rate=0.03, seed=11)
    got, collector = collect(fake_github, [req(n) for n in names], token=fake_github.token if token else None, batch_size=10)
    assert set(got) == {f"github:{n}" for n in names}
    for facts in got.values():
        assert facts.status in ("ok", "error"), facts
        if facts.status == "error":
            assert facts.error and "\n" not in facts.error
    assert sum(f.status == "ok" for f in got.values()) >= 36
    assert collector.stats.retries > 0 and sum(fake_github.stats.faults.values()) > 0


def revalidate(first: dict[str, Facts], names: list[str]) -> list[TargetRequest]:
    return [req(n, etag=first[f"github:{n}"].etag, cached=first[f"github:{n}"]) for n in names]


def test_etag_revalidation_without_token_returns_cached_facts(fake_github_rest):
    fake_github = fake_github_rest
    names = add_repos(fake_github, 4)
    first, _ = collect(fake_github, [req(n) for n in names])  # REST facts carry ETags
    assert all(f.etag for f in first.values())
    fake_github.stats.clear()
    got, collector = collect(fake_github, revalidate(first, names))
    assert fake_github.stats.not_modified == 4 == collector.stats.not_modified
    assert fake_github.stats.total == 4
    for n in names:
        assert got[f"github:{n}"].data == first[f"github:{n}"].data
        assert got[f"github:{n}"].fetched_at > first[f"github:{n}"].fetched_at


def test_etag_revalidation_with_token(fake_github):
    """ETags vary with Authorization: an anonymous one misses once, then the token's own ETag hits."""
    names = add_repos(fake_github, 4)
    anonymous, _ = collect(fake_github, [req(n) for n in names])
    second, collector = collect(fake_github, revalidate(anonymous, names), token=fake_github.token)
    assert collector.stats.not_modified == 0 and collector.stats.graphql_requests == 1
    assert all(f.status == "ok" and f.etag and f.data["readme"] for f in second.values())
    fake_github.stats.clear()
    third, collector = collect(fake_github, revalidate(second, names), token=fake_github.token)
    assert fake_github.stats.not_modified == 4 == collector.stats.not_modified
    assert fake_github.stats.total == 4 and collector.stats.graphql_requests == 0
    assert all(third[k].data == second[k].data for k in third)


def test_changed_repository_is_collected_again_after_revalidation(fake_github):
    add_repos(fake_github, 1)
    first, _ = collect(fake_github, [req("lab/r0")])
    fake_github.world.add_repo({"repo": "lab/r0", "stars": 999})
    got, collector = collect(fake_github, [req("lab/r0", etag=first["github:lab/r0"].etag, cached=first["github:lab/r0"])], token=fake_github.token)
    facts = got["github:lab/r0"]
    assert facts.data["stars"] == 999 and facts.etag and facts.etag != first["github:lab/r0"].etag
    assert collector.stats.not_modified == 0


def test_bad_token_is_an_error_without_the_token(fake_github):
    add_repos(fake_github, 1)
    got, _ = collect(fake_github, [req("lab/r0")], token="bad-secret-token-123")
    assert got["github:lab/r0"].status == "error" and "bad-secret-token-123" not in repr(got)


@pytest.mark.parametrize("token", [True, False], ids=["graphql", "rest"])
def test_owner_targets(fake_github, token):
    add_repos(fake_github, 3, prefix="someorg/r")
    fake_github.world.add_owner("someorg", type="Organization")
    add_repos(fake_github, 3, prefix="someorg/r")
    owners = [TargetRequest(Target(key=f"github:{login}", kind="github_owner", host="github.com", url=f"https://github.com/{login}", owner=login))
              for login in ("someorg", "nobody-here")]
    got, _ = collect(fake_github, owners, token=fake_github.token if token else None)
    org = got["github:someorg"]
    assert org.status == "ok" and org.data["login"] == "someorg" and org.data["type"] == "Organization"
    assert org.data["public_repos"] == 3
    assert got["github:nobody-here"].status == "not_found"


def test_token_with_an_api_without_graphql_falls_back_to_rest(fake_github_rest):
    fake = fake_github_rest
    names = add_repos(fake, 3)
    settings_env = fake.env(token=fake.token)
    settings_env["GITHUB_GRAPHQL_URL"] = fake.url + "/no-graphql-here"
    settings = GitHubSettings.from_env(settings_env)

    async def go():
        async with make_client(settings, timeout=5) as client:
            collector = GitHubCollector(settings, client, retry=FAST)
            return [f async for f in collector.collect([req(n) for n in names])], collector

    facts, collector = asyncio.run(go())
    assert [f.status for f in facts] == ["ok"] * 3
    assert all(f.data["readme"] for f in facts)
    assert collector.stats.graphql_requests == 1 and collector.stats.core_requests == 3


def test_graphql_lists_one_level_below_the_root_for_two_points_per_fifty(fake_github):
    """ml_completeness reads sub-folder names; the batch asks for them without another request or point."""
    names = add_repos(fake_github, 50)
    fake_github.world.add_repo({"repo": "lab/deep", "files": {"scripts/train.py": "x", "scripts/configs/a.yaml": "y",
                                                             "weights/model.safetensors": 9, "README.md": "# deep\n"}})
    reqs = [req(n) for n in names[:49]] + [req("lab/deep")]
    got, collector = collect(fake_github, reqs, token=fake_github.token)
    deep = got["github:lab/deep"].data
    assert deep["subdir_files"] == {"scripts": ["configs/", "train.py"], "weights": ["model.safetensors"]}
    assert got["github:lab/r0"].data["subdir_files"] == {"src": ["train.py"]}
    assert collector.stats.graphql_requests == 1
    assert collector.stats.graphql_points == fake_github.stats.graphql_points <= 2


def test_citation_files_come_in_the_same_batched_query(fake_github):
    """CITATION.cff and .zenodo.json are read by the repository batch itself: no request, no point more."""
    cff = "cff-version: 1.2.0\ntitle: Acme\ndoi: 10.5281/zenodo.1234567\n"
    fake_github.world.add_repo({"repo": "lab/cited", "readme": "# cited\n",
                                "files": {"CITATION.cff": cff, ".zenodo.json": '{"title": "Acme"}', "a.py": "x = 1\n"}})
    fake_github.world.add_repo({"repo": "lab/plain", "readme": "# plain\n", "files": {"a.py": "x = 1\n"}})
    got, collector = collect(fake_github, [req("lab/cited"), req("lab/plain")], token=fake_github.token)
    assert got["github:lab/cited"].data["citation_files"] == {"CITATION.cff": cff, ".zenodo.json": '{"title": "Acme"}'}
    assert got["github:lab/plain"].data["citation_files"] == {}
    assert fake_github.stats.count("POST /graphql") == 1 and collector.stats.graphql_points == 1
