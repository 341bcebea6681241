"""The collector replays hand-written vcrpy cassettes (cassettes/github/) without a network.

Bodies are modelled on real recorded GitHub answers; GraphQL requests are
matched on their body (query and variables), so a query change shows here.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import vcr
from test_github_collector import Clock  # one fake clock for the collector's tests

from auditor.hosts.base import TargetRequest
from auditor.hosts.github import GitHubCollector
from auditor.hosts.github_client import GitHubSettings, make_client
from auditor.models import GITHUB_REPO_FACTS, Target
from auditor.retry import FAST

CASSETTES = Path(__file__).resolve().parent.parent / "cassettes" / "github"
RESET = datetime(2026, 11, 23, 16, 20, tzinfo=timezone.utc)


def graphql_body(r1, r2) -> None:
    """GraphQL requests are all POST /graphql: tell them apart by query and variables."""
    if r1.method == "POST" or r2.method == "POST":
        assert json.loads(r1.body) == json.loads(r2.body)


REPLAY = vcr.VCR(
    cassette_library_dir=str(CASSETTES),
    record_mode="none",
    filter_headers=["authorization"],
    decode_compressed_response=True,
    match_on=["method", "scheme", "host", "port", "path", "query", "graphql_body"],
)
REPLAY.register_matcher("graphql_body", graphql_body)


def request(owner: str, name: str, **kw) -> TargetRequest:
    key = f"github:{owner}/{name}".lower()
    return TargetRequest(Target(key=key, kind="github_repo", host="github.com", url=f"https://github.com/{owner}/{name}", owner=owner, name=name), **kw)


def replay(cassette: str, requests: list[TargetRequest], *, token: bool = False):
    clock = Clock()

    async def go():
        settings = GitHubSettings.from_env({"GITHUB_TOKEN": "ghp_cassetteTOKEN"} if token else {})
        async with make_client(settings) as client:
            collector = GitHubCollector(settings, client, retry=FAST, clock=clock, sleep=clock.sleep)
            facts = [f async for f in collector.collect(requests)]
        return facts, collector

    with REPLAY.use_cassette(cassette) as cassette_:
        facts, collector = asyncio.run(go())
        assert cassette_.all_played, f"{cassette}: not every recorded answer was asked for"
    return {f.target_key: f for f in facts}, collector, clock


def test_cassettes_hold_no_token():
    for path in CASSETTES.glob("*.yaml"):
        text = path.read_text()
        assert "ghp_" not in text and "authorization" not in text.lower(), path.name


def test_existing_repository_without_token():
    got, collector, _ = replay("rest_existing.yaml", [request("octokit-fixture-org", "hello-world")])
    facts = got["github:octokit-fixture-org/hello-world"]
    assert facts.status == "ok" and facts.etag == 'W/"24874e5968a8c097a2217e95cbeb7fcf"'
    data = facts.data
    assert set(data) <= set(GITHUB_REPO_FACTS)
    assert data["topics"] == ["fixtures", "hello", "hello-world"]
    assert data["readme"] == {"name": "README.md", "size": 13, "text": "# hello-world"}
    assert data["root_files"] == [{"name": "README.md", "type": "file", "size": 13}]
    assert data["commit_count"] == 3 and data["last_commit_at"] == "2017-12-29T02:41:15Z"
    assert data["is_empty"] is False and data["releases_count"] == 0 and data["license_spdx"] is None
    assert collector.stats.rest_requests == 6


def test_renamed_repository_follows_the_redirect_and_skips_extras_when_budget_is_spent():
    got, collector, _ = replay("rest_renamed.yaml", [request("kennethreitz", "requests")])
    facts = got["github:kennethreitz/requests"]
    assert facts.status == "moved"
    assert facts.canonical_key == "github:requests/requests"
    assert facts.data["moved_from"] == "kennethreitz/requests"
    assert facts.data["name_with_owner"] == "requests/requests"
    assert "readme" not in facts.data and "root_files" not in facts.data
    assert facts.data["skipped"] and all("budget" in s for s in facts.data["skipped"])
    assert collector.stats.rest_requests == 2


def test_missing_repository():
    got, _, _ = replay("rest_missing.yaml", [request("pengwynn", "octokit")])
    assert got["github:pengwynn/octokit"].status == "not_found"


def test_empty_repository():
    got, _, _ = replay("rest_empty.yaml", [request("octokit-fixture-org", "empty-repo")])
    data = got["github:octokit-fixture-org/empty-repo"].data
    assert data["is_empty"] is True and data["commit_count"] == 0 and data["last_commit_at"] is None
    assert data["readme"] is None and data["root_files"] == []


def test_graphql_batch_with_a_missing_alias_and_a_rename():
    reqs = [request("octokit-fixture-org", "hello-world", subpaths=frozenset({("master", "README.md"), ("master", "nope.txt")})),
            request("pengwynn", "octokit"), request("kennethreitz", "requests")]
    got, collector, _ = replay("graphql_batch.yaml", reqs, token=True)
    hello = got["github:octokit-fixture-org/hello-world"]
    assert hello.status == "ok" and hello.data["subpaths"] == {"master:README.md": True, "master:nope.txt": False}
    assert hello.data["readme"]["text"] == "# hello-world" and hello.data["commit_count"] == 3
    assert got["github:pengwynn/octokit"].status == "not_found"
    moved = got["github:kennethreitz/requests"]
    assert moved.status == "moved" and moved.canonical_key == "github:psf/requests"
    assert moved.data["license_spdx"] == "Apache-2.0" and moved.data["latest_release"]["tag"] == "v2.32.3"
    assert collector.stats.graphql_requests == 1 and collector.stats.graphql_points == 1


def test_graphql_primary_limit_stops_with_unknown_facts():
    reqs = [request("octokit-fixture-org", "hello-world"), request("kennethreitz", "requests")]
    got, collector, clock = replay("graphql_rate_limited.yaml", reqs, token=True)
    assert {f.status for f in got.values()} == {"unknown"}
    assert all(f.error == "rate limited until 16:20 UTC" for f in got.values())
    assert collector.rate_limited_until == RESET and clock.slept == []


def test_secondary_limit_is_retried_after_retry_after():
    got, collector, clock = replay("rest_secondary_limit.yaml", [request("sigmavirus24", "github3.py")])
    facts = got["github:sigmavirus24/github3.py"]
    assert facts.status == "ok" and facts.data["stars"] == 744
    assert collector.stats.retries == 1 and clock.slept == [pytest.approx(FAST.max_retry_after)]
