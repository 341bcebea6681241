"""The collector's behaviour on scripted answers (httpx.MockTransport, no network)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from auditor.hosts.base import TargetRequest
from auditor.hosts.github import GitHubCollector
from auditor.hosts.github_client import GitHubSettings
from auditor.models import Facts, Target
from auditor.retry import FAST

TOKEN = "ghp_testTOKENnotreal0000"
T0 = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)


class Clock:
    """A clock that only moves when the collector sleeps."""

    def __init__(self) -> None:
        self.now = T0
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


def repo_request(name: str, owner: str = "o", **kw) -> TargetRequest:
    target = Target(key=f"github:{owner}/{name}".lower(), kind="github_repo", host="github.com", url=f"https://github.com/{owner}/{name}", owner=owner, name=name)
    return TargetRequest(target=target, **kw)


def rest_repo(full: str, **over) -> dict:
    body = {"full_name": full, "html_url": f"https://github.com/{full}", "private": False, "fork": False, "archived": False,
            "disabled": False, "stargazers_count": 1, "forks_count": 0, "default_branch": "main", "created_at": "2020-01-01T00:00:00Z",
            "pushed_at": "2024-01-01T00:00:00Z", "language": "Python", "size": 10, "license": None, "topics": []}
    body.update(over)
    return body


def rate_headers(remaining: int, reset: datetime = T0 + timedelta(minutes=30), limit: int = 60) -> dict:
    return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": str(int(reset.timestamp()))}


def gql_node(full: str) -> dict:
    return {"nameWithOwner": full, "url": f"https://github.com/{full}", "isEmpty": False, "stargazerCount": 1, "forkCount": 0,
            "defaultBranchRef": {"name": "main", "target": {"committedDate": "2024-01-01T00:00:00Z", "history": {"totalCount": 3}}}}


def gql_answer(request: httpx.Request, *, missing=(), renamed=None, cost=1, remaining=4000) -> httpx.Response:
    variables = json.loads(request.content)["variables"]
    data = {"rateLimit": {"cost": cost, "remaining": remaining, "resetAt": "2026-11-23T16:00:00Z", "limit": 5000}}
    errors = []
    i = 0
    while f"o{i}" in variables:
        full = f"{variables[f'o{i}']}/{variables[f'n{i}']}"
        if variables[f"n{i}"] in missing:
            data[f"r{i}"] = None
            errors.append({"type": "NOT_FOUND", "path": [f"r{i}"], "message": f"Could not resolve to a Repository with the name '{full}'."})
        else:
            data[f"r{i}"] = gql_node((renamed or {}).get(full, full))
        i += 1
    body = {"data": data, **({"errors": errors} if errors else {})}
    return httpx.Response(200, json=body)


async def run(handler, requests, *, token=None, clock=None, **kw) -> tuple[list[Facts], GitHubCollector, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    clock = clock or Clock()
    settings = GitHubSettings.from_env({"GITHUB_TOKEN": TOKEN} if token else {})
    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as client:
        collector = GitHubCollector(settings, client, retry=FAST, clock=clock, sleep=clock.sleep, **kw)
        facts = [f async for f in collector.collect(requests)]
    return facts, collector, seen


def by_key(facts: list[Facts]) -> dict[str, Facts]:
    return {f.target_key: f for f in facts}


def test_graphql_batch_one_missing_one_renamed():
    reqs = [repo_request(n) for n in ("a", "gone", "old")]
    facts, collector, seen = asyncio.run(run(lambda r: gql_answer(r, missing={"gone"}, renamed={"o/old": "neo/New"}), reqs, token=True))
    got = by_key(facts)
    assert got["github:o/a"].status == "ok"
    assert got["github:o/gone"].status == "not_found"
    assert got["github:o/old"].status == "moved" and got["github:o/old"].canonical_key == "github:neo/new"
    assert got["github:o/old"].data["moved_from"] == "o/old"
    assert len(seen) == 1 and collector.stats.graphql_points == 1
    assert seen[0].headers["authorization"] == f"token {TOKEN}"
    assert seen[0].headers["accept-encoding"] == "gzip"
    assert seen[0].headers["user-agent"].startswith("repro-auditor/")


def test_batches_respect_batch_size():
    reqs = [repo_request(f"r{i}") for i in range(120)]
    facts, collector, seen = asyncio.run(run(gql_answer, reqs, token=True, batch_size=50))
    assert len(facts) == 120 and all(f.status == "ok" for f in facts)
    assert len(seen) == 3


def test_batch_halves_on_502_and_every_repo_still_gets_facts():
    def handler(request):
        n = len(json.loads(request.content)["variables"]) // 2
        if n > 10:
            return httpx.Response(502, json={"message": "Server Error"})
        return gql_answer(request)

    reqs = [repo_request(f"r{i}") for i in range(40)]
    facts, collector, seen = asyncio.run(run(handler, reqs, token=True, batch_size=40))
    assert sorted(f.target_key for f in facts) == sorted(r.target.key for r in reqs)
    assert all(f.status == "ok" for f in facts)
    assert collector.stats.batch_splits >= 2
    # It keeps probing upward after successes (additive increase), so a few batches above 10 fail again.
    sizes = [len(json.loads(r.content)["variables"]) // 2 for r in seen]
    assert sizes[:2] == [40, 20] and len(seen) <= 12, sizes


def test_persistent_5xx_ends_in_error_on_that_target_only():
    def handler(request):
        if request.url.path == "/repos/o/bad":
            return httpx.Response(503, text="<html>unavailable</html>", headers={"content-type": "text/html"})
        return httpx.Response(200, json=rest_repo("o/" + request.url.path.split("/")[3]), headers=rate_headers(50, limit=5000))

    facts, collector, _ = asyncio.run(run(handler, [repo_request("good"), repo_request("bad")]))
    got = by_key(facts)
    assert got["github:o/good"].status == "ok"
    assert got["github:o/bad"].status == "error" and "503" in got["github:o/bad"].error
    assert "\n" not in got["github:o/bad"].error
    assert collector.stats.retries >= 4


def test_truncated_json_is_retried():
    calls = {"n": 0}

    def handler(request):
        if request.url.path == "/repos/o/a":
            calls["n"] += 1
            if calls["n"] == 1:
                return httpx.Response(200, content=b'{"full_name": "o/a", "sta', headers={"content-type": "application/json"})
            return httpx.Response(200, json=rest_repo("o/a"), headers=rate_headers(50))
        return httpx.Response(404, json={"message": "Not Found"}, headers=rate_headers(50))

    facts, collector, _ = asyncio.run(run(handler, [repo_request("a")]))
    assert facts[0].status == "ok" and collector.stats.retries == 1


def test_secondary_limit_honours_retry_after_then_succeeds():
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(403, json={"message": "You have exceeded a secondary rate limit."}, headers={"retry-after": "0.05", **rate_headers(4000)})
        return gql_answer(request)

    clock = Clock()
    facts, collector, seen = asyncio.run(run(handler, [repo_request("a")], token=True, clock=clock))
    assert facts[0].status == "ok" and len(seen) == 2
    assert clock.slept == [0.05] and collector.stats.retries == 1


def test_primary_limit_beyond_max_wait_gives_partial_results():
    reset = T0 + timedelta(hours=1)

    def handler(request):
        name = request.url.path.split("/")[3]
        if name in ("a", "b"):
            return httpx.Response(200, json=rest_repo(f"o/{name}"), headers=rate_headers(0 if name == "b" else 1, reset))
        return httpx.Response(403, json={"message": "API rate limit exceeded for 127.0.0.1."}, headers=rate_headers(0, reset))

    reqs = [repo_request(n) for n in ("a", "b", "c", "d")]
    facts, collector, seen = asyncio.run(run(handler, reqs, concurrency=1, max_wait=300))
    got = by_key(facts)
    assert len(facts) == 4
    assert got["github:o/a"].status == "ok" and got["github:o/b"].status == "ok"
    assert got["github:o/c"].status == "unknown" and got["github:o/c"].error == f"rate limited until {reset:%H:%M} UTC"
    assert got["github:o/d"].status == "unknown"
    assert collector.rate_limited_until == reset
    # the core facts of a and b took the whole budget: their extras were skipped, not guessed
    assert "readme" not in got["github:o/b"].data and any("readme" in s for s in got["github:o/b"].data["skipped"])


def test_primary_limit_within_max_wait_is_waited_for():
    reset = T0 + timedelta(seconds=100)
    state = {"limited": True}

    def handler(request):
        body = json.loads(request.content)
        if state["limited"]:
            state["limited"] = False
            return httpx.Response(200, json={"data": None, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]},
                                  headers=rate_headers(0, reset, 5000))
        assert body["variables"]["n0"] == "a"
        return gql_answer(request)

    clock = Clock()
    facts, collector, seen = asyncio.run(run(handler, [repo_request("a")], token=True, clock=clock, max_wait=300))
    assert facts[0].status == "ok" and collector.rate_limited_until is None
    assert len(seen) == 2 and clock.slept and 100 <= sum(clock.slept) <= 102


def test_graphql_rate_limited_beyond_max_wait_stops():
    reset = T0 + timedelta(hours=1)

    def handler(request):
        return httpx.Response(200, json={"data": None, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded"}]}, headers=rate_headers(0, reset, 5000))

    facts, collector, _ = asyncio.run(run(handler, [repo_request("a"), repo_request("b")], token=True))
    assert [f.status for f in facts] == ["unknown", "unknown"]
    assert collector.rate_limited_until == reset


def test_no_token_one_core_request_per_repo_and_extras_within_budget():
    def handler(request):
        path = request.url.path
        h = rate_headers(5000, limit=5000)
        if path.startswith("/repositories/"):
            path = path.replace("/repositories/7", "/repos/o/new")
        parts = path.split("/")
        full = f"{parts[2]}/{parts[3]}"
        tail = parts[4] if len(parts) > 4 else None
        if path == "/repos/o/old":
            return httpx.Response(301, json={"message": "Moved Permanently", "url": "https://api.github.com/repositories/7"},
                                  headers={"location": "https://api.github.com/repositories/7", **h})
        if request.url.path == "/repositories/7":
            return httpx.Response(200, json=rest_repo("o/new"), headers=h)
        if full == "o/gone":
            return httpx.Response(404, json={"message": "Not Found"}, headers=h)
        if tail is None:
            return httpx.Response(200, json=rest_repo(full), headers={"etag": '"abc"', **h})
        if tail == "readme":
            return httpx.Response(200, json={"name": "README.md", "size": 5, "content": "aGVsbG8=\n", "encoding": "base64"}, headers=h)
        if tail == "contents" and len(parts) > 5 and parts[5]:
            return httpx.Response(404 if parts[5] == "nope" else 200, json={"message": "x"} if parts[5] == "nope" else {"name": parts[5]}, headers=h)
        if tail == "contents":
            return httpx.Response(200, json=[{"name": "README.md", "type": "file", "size": 5}], headers=h)
        if tail == "commits":
            if full == "o/empty":
                return httpx.Response(409, json={"message": "Git Repository is empty."}, headers=h)
            return httpx.Response(200, json=[{"commit": {"committer": {"date": "2024-02-02T00:00:00Z"}}}],
                                  headers={"link": '<https://api.github.com/repositories/1/commits?per_page=1&page=9>; rel="last"', **h})
        if tail == "languages":
            return httpx.Response(200, json={"Python": 10}, headers=h)
        if tail == "releases":
            return httpx.Response(200, json=[], headers=h)
        return httpx.Response(404, json={"message": "Not Found"}, headers=h)

    reqs = [repo_request("a", subpaths=frozenset({("main", "src"), ("main", "nope")})), repo_request("old"), repo_request("gone"), repo_request("empty")]
    facts, collector, seen = asyncio.run(run(handler, reqs))
    got = by_key(facts)
    a = got["github:o/a"]
    assert a.status == "ok" and a.etag == '"abc"'
    assert a.data["readme"] == {"name": "README.md", "size": 5, "text": "hello"}
    assert a.data["commit_count"] == 9 and a.data["languages"] == {"Python": 10} and a.data["releases_count"] == 0
    assert a.data["subpaths"] == {"main:src": True, "main:nope": False}
    assert "skipped" not in a.data
    assert got["github:o/old"].status == "moved" and got["github:o/old"].canonical_key == "github:o/new"
    assert got["github:o/gone"].status == "not_found"
    assert got["github:o/empty"].data["is_empty"] is True and got["github:o/empty"].data["commit_count"] == 0
    core = [r for r in seen if r.url.path.count("/") == 3 and r.url.path.startswith("/repos/")]
    assert sorted(r.url.path for r in core) == ["/repos/o/a", "/repos/o/empty", "/repos/o/gone", "/repos/o/old"]
    assert collector.stats.core_requests == 5  # four repositories + the rename's redirect
    assert all("authorization" not in r.headers for r in seen)


def test_etag_304_returns_cached_facts_with_fresh_time():
    cached = Facts(target_key="github:o/a", status="ok", fetched_at=T0 - timedelta(days=3), data={"stars": 9}, etag='"v1"')

    def handler(request):
        assert request.headers["if-none-match"] == '"v1"'
        return httpx.Response(304, headers=rate_headers(4999, limit=5000))

    for token in (None, True):
        facts, collector, seen = asyncio.run(run(handler, [repo_request("a", etag='"v1"', cached=cached)], token=token))
        assert facts[0].data == {"stars": 9} and facts[0].etag == '"v1"'
        assert facts[0].fetched_at == T0
        assert collector.stats.not_modified == 1 and len(seen) == 1


def test_etag_changed_with_token_goes_on_to_graphql_and_keeps_new_etag():
    cached = Facts(target_key="github:o/a", status="ok", fetched_at=T0, data={}, etag='"v1"')

    def handler(request):
        if request.url.path == "/graphql":
            return gql_answer(request)
        return httpx.Response(200, json=rest_repo("o/a"), headers={"etag": '"v2"', **rate_headers(4999, limit=5000)})

    facts, collector, seen = asyncio.run(run(handler, [repo_request("a", etag='"v1"', cached=cached)], token=True))
    assert facts[0].status == "ok" and facts[0].etag == '"v2"' and facts[0].data["commit_count"] == 3
    assert [r.url.path for r in seen] == ["/repos/o/a", "/graphql"]


def test_token_never_reaches_facts_or_errors():
    def handler(request):
        return httpx.Response(401, json={"message": f"Bad credentials {TOKEN}"})

    facts, collector, _ = asyncio.run(run(handler, [repo_request("a")], token=True))
    assert facts[0].status == "error"
    assert TOKEN not in repr(facts) and TOKEN not in repr(collector.settings)


def test_private_repository_is_blocked_and_owner_targets_work():
    def handler(request):
        variables = json.loads(request.content)["variables"]
        data = {"rateLimit": {"cost": 1, "remaining": 10, "resetAt": "2026-11-23T16:00:00Z"},
                "r0": {**gql_node("o/secret"), "isPrivate": True},
                "r1": {"__typename": "User", "login": variables["l1"], "url": "u", "repositories": {"totalCount": 4}}}
        return httpx.Response(200, json={"data": data})

    owner = Target(key="github:octo", kind="github_owner", host="github.com", url="https://github.com/octo", owner="octo")
    facts, _, _ = asyncio.run(run(handler, [repo_request("secret"), TargetRequest(target=owner)], token=True))
    got = by_key(facts)
    assert got["github:o/secret"].status == "blocked"
    assert got["github:octo"].status == "ok" and got["github:octo"].data["public_repos"] == 4


def test_concurrency_is_bounded():
    async def scenario():
        inflight = {"now": 0, "max": 0}

        async def handler(request):
            inflight["now"] += 1
            inflight["max"] = max(inflight["max"], inflight["now"])
            await asyncio.sleep(0.005)
            inflight["now"] -= 1
            return httpx.Response(404, json={"message": "Not Found"}, headers=rate_headers(5000, limit=5000))

        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            collector = GitHubCollector(GitHubSettings(), client, retry=FAST, concurrency=3)
            facts = [f async for f in collector.collect([repo_request(f"r{i}") for i in range(12)])]
        return facts, inflight["max"]

    facts, peak = asyncio.run(scenario())
    assert len(facts) == 12 and all(f.status == "not_found" for f in facts)
    assert peak == 3


def test_rejects_unbounded_concurrency():
    with pytest.raises(ValueError):
        GitHubCollector(GitHubSettings(), httpx.AsyncClient(), concurrency=500)


def test_a_single_repository_that_keeps_timing_out_ends_in_error():
    def handler(request):
        n = len(json.loads(request.content)["variables"]) // 2
        if n == 1 and json.loads(request.content)["variables"]["n0"] == "slow":
            return httpx.Response(502, text="<html><body><h1>502 Bad Gateway</h1></body></html>", headers={"content-type": "text/html"})
        if n > 1:
            return httpx.Response(504, json={"message": "We couldn't respond to your request in time."})
        return gql_answer(request)

    facts, collector, seen = asyncio.run(run(handler, [repo_request("slow"), repo_request("fine")], token=True))
    got = by_key(facts)
    assert got["github:o/slow"].status == "error" and "502" in got["github:o/slow"].error
    assert got["github:o/fine"].status == "ok"
    assert collector.stats.batch_splits == 1


def test_a_query_error_without_path_is_reported_on_every_alias():
    def handler(request):
        return httpx.Response(200, json={"errors": [{"message": "Field 'nope' doesn't exist on type 'Repository'", "locations": [{"line": 1, "column": 2}]}]})

    facts, _, _ = asyncio.run(run(handler, [repo_request("a"), repo_request("b")], token=True))
    assert all(f.status == "error" and "nope" in f.error for f in facts)


def test_graphql_501_falls_back_to_rest():
    def handler(request):
        if request.url.path == "/graphql":
            return httpx.Response(501, json={"message": "no GraphQL here"})
        if request.url.path == "/repos/o/a":
            return httpx.Response(200, json=rest_repo("o/a"), headers=rate_headers(4000, limit=5000))
        return httpx.Response(404, json={"message": "Not Found"}, headers=rate_headers(4000, limit=5000))

    facts, collector, seen = asyncio.run(run(handler, [repo_request("a")], token=True))
    assert facts[0].status == "ok" and facts[0].data["readme"] is None
    assert [r.url.path for r in seen][:2] == ["/graphql", "/repos/o/a"] and collector.stats.retries == 0
