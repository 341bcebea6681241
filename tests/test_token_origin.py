"""A secret goes only to the origin it belongs to.

Every test runs two servers on 127.0.0.1: the configured API and "elsewhere"
(another port is another origin). The API answers with a redirect whose
Location points elsewhere; elsewhere records whether anything, and
Authorization in particular, reached it.

Shapes: GitHub answers a renamed repository with ``301`` and
``{"message": "Moved Permanently", "url": "https://api.github.com/repositories/ID",
"documentation_url": "https://docs.github.com/v3/#http-redirects"}`` and the same URL in
``Location`` (octokit/fixtures, scenarios/api.github.com/rename-repository/raw-fixture.json).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from localhosts import fakehub
from localhosts.server import LocalServer, Reply

from auditor.hosts.base import TargetRequest
from auditor.hosts.github import GitHubCollector
from auditor.hosts.github_client import GitHubSettings, OffOriginRedirect, RecordingAPI, make_client, origin_of
from auditor.hosts.huggingface import HubSettings, HuggingFaceCollector
from auditor.models import Facts, Target
from auditor.retry import FAST
from auditor.safefetch import FetchPolicy

# A made-up token of GitHub's shape, assembled so that no token-like literal sits in the repository.
TOKEN = "ghp_" + "originTESTtoken" + "0" * 18
HF_TOKEN = "hf_originTESTtoken00000000000000000"


def repo_request(full: str) -> TargetRequest:
    owner, name = full.split("/")
    return TargetRequest(Target(key=f"github:{full}", kind="github_repo", host="github.com", url=f"https://github.com/{full}", owner=owner, name=name))


def moved(location: str, status: int = 301) -> Reply:
    body = {"message": "Moved Permanently", "url": location, "documentation_url": "https://docs.github.com/v3/#http-redirects"}
    reply = Reply.json(body, status=status)
    return Reply(status=status, body=reply.body, headers={**reply.headers, "location": location})


def repo_body(full: str) -> dict[str, Any]:
    return {"id": 42, "full_name": full, "html_url": f"https://github.com/{full}", "private": False, "fork": False,
            "archived": False, "disabled": False, "stargazers_count": 1, "default_branch": "main", "size": 10}


def collect(api: LocalServer, requests: list[TargetRequest], token: str | None = TOKEN) -> dict[str, Facts]:
    settings = GitHubSettings(api_url=api.base, graphql_url=api.base + "/graphql", token=token)

    async def go() -> dict[str, Facts]:
        async with make_client(settings, timeout=5) as client:
            collector = GitHubCollector(settings, client, retry=FAST)
            return {f.target_key: f async for f in collector.collect(requests)}

    return asyncio.run(go())


@pytest.fixture
def two_servers() -> Any:
    with LocalServer() as api, LocalServer({"*": lambda seen: Reply.json(repo_body("evil/copy"))}) as elsewhere:
        yield api, elsewhere


def test_origin_fills_in_default_ports_and_ignores_case() -> None:
    assert origin_of("https://API.github.com/x") == origin_of("https://api.github.com:443/y") == ("https", "api.github.com", 443)
    assert origin_of("http://127.0.0.1:8080") != origin_of("http://127.0.0.1:8081")
    assert origin_of("http://api.github.com") != origin_of("https://api.github.com")
    # The reachability key of a service is the same parse: host, with the port only when it is not the default.
    from auditor.origins import host_key
    assert host_key("https://Zenodo.org:443/api") == host_key("https://zenodo.org/x") == "zenodo.org"
    assert host_key("http://127.0.0.1:8080/a") == "127.0.0.1:8080" and host_key("http://h:notaport/") == "h"


@pytest.mark.parametrize("token", [TOKEN, None], ids=["token", "anonymous"])
def test_rest_redirect_off_the_api_host_is_not_followed(two_servers: Any, token: str | None) -> None:
    api, elsewhere = two_servers
    # Without a token the collector uses REST; with one, a cached ETag sends it through REST revalidation first.
    off = elsewhere.url("/repositories/42")
    api.routes["/repos/lab/old"] = moved(off)
    request = repo_request("lab/old")
    if token:
        cached = Facts(target_key=request.target.key, status="ok", fetched_at=__import__("datetime").datetime(2026, 1, 1), data={})
        request = TargetRequest(request.target, etag='W/"v1"', cached=cached)
        api.routes["/graphql"] = lambda seen: Reply.json({"data": {}})
    facts = collect(api, [request], token=token)["github:lab/old"]
    assert elsewhere.seen == []  # nothing reached the other host: no token, no request
    assert facts.status == "error"
    assert facts.error == f"redirected off the API host to {off}: not followed"
    assert [s.headers.get("authorization") for s in api.seen] == ([f"token {token}"] if token else [None])


def test_rest_redirect_on_the_api_host_is_followed(two_servers: Any) -> None:
    api, elsewhere = two_servers
    api.routes["/repos/lab/old"] = moved(api.url("/repositories/42"))
    api.routes["/repositories/42"] = Reply.json(repo_body("lab/new"))
    api.routes["*"] = Reply.json({"message": "Not Found"}, status=404)
    facts = collect(api, [repo_request("lab/old")], token=None)["github:lab/old"]
    assert facts.status == "moved" and facts.canonical_key == "github:lab/new"
    assert elsewhere.seen == []


def test_graphql_redirect_off_the_graphql_host_is_not_followed(two_servers: Any) -> None:
    api, elsewhere = two_servers
    off = elsewhere.url("/graphql")
    api.routes["/graphql"] = Reply(status=307, headers={"location": off})
    got = collect(api, [repo_request("lab/a"), repo_request("lab/b")])
    assert elsewhere.seen == []
    assert {f.status for f in got.values()} == {"error"}
    assert all(f.error == f"redirected off the API host to {off}: not followed" for f in got.values())
    assert all(s.headers.get("authorization") == f"token {TOKEN}" for s in api.seen)


def test_a_request_built_for_another_origin_is_never_sent(two_servers: Any) -> None:
    """The guard under every path (Location, Link, a URL from a body): refuse before sending."""
    api, elsewhere = two_servers
    settings = GitHubSettings(api_url=api.base, graphql_url=api.base + "/graphql", token=TOKEN)

    async def go() -> None:
        async with make_client(settings, timeout=5) as client:
            await RecordingAPI(client, settings).getitem(elsewhere.url("/repos/lab/a"))

    with pytest.raises(OffOriginRedirect):
        asyncio.run(go())
    assert elsewhere.seen == [] and api.seen == []


def test_graphql_on_its_own_configured_origin_gets_the_token() -> None:
    """GITHUB_GRAPHQL_URL may name another origin (a proxy): configured, so it is home too."""
    with LocalServer() as api, LocalServer() as gql:
        gql.routes["/graphql"] = lambda seen: Reply.json({"data": {"r0": None}, "errors": [
            {"type": "NOT_FOUND", "path": ["r0"], "message": "Could not resolve to a Repository with the name 'lab/a'."}]})
        settings = GitHubSettings(api_url=api.base, graphql_url=gql.url("/graphql"), token=TOKEN)

        async def go() -> list[Facts]:
            async with make_client(settings, timeout=5) as client:
                return [f async for f in GitHubCollector(settings, client, retry=FAST).collect([repo_request("lab/a")])]

        facts = asyncio.run(go())
    assert facts[0].status == "not_found"
    assert gql.seen[0].headers["authorization"] == f"token {TOKEN}" and api.seen == []


def test_hugging_face_token_is_stripped_on_a_redirect_to_another_origin() -> None:
    """The Hub's collector fetches through safefetch, which drops Authorization across origins."""
    with LocalServer(fakehub.routes()) as hub, LocalServer() as elsewhere:
        good = json.loads(Reply.json(fakehub.GOOD_MODEL).body)
        elsewhere.routes["*"] = Reply.json(good)
        hub.routes["/api/models/org/away"] = Reply.redirect(elsewhere.url("/api/models/org/good"), 302)
        settings = HubSettings(endpoint=hub.base, token=HF_TOKEN, fetch_readme=False)
        request = TargetRequest(Target(key="huggingface:model:org/away", kind="huggingface_model", host="huggingface.co", url="https://huggingface.co/org/away"))

        async def go() -> list[Facts]:
            policy = FetchPolicy(allow_private_hosts=True, total_timeout=5)
            async with HuggingFaceCollector(settings=settings, policy=policy, retry=FAST) as collector:
                return [f async for f in collector.collect([request])]

        asyncio.run(go())
    assert hub.seen[0].headers["authorization"] == f"Bearer {HF_TOKEN}"
    assert elsewhere.seen and all("authorization" not in s.headers for s in elsewhere.seen)
    assert HF_TOKEN not in repr(settings)
