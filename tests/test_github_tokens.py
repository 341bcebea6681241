"""GITHUB_TOKENS: several tokens used in turn against the fake GitHub, each with its own budget."""

from __future__ import annotations

import asyncio
import time

import pytest

from auditor.hosts.github import GitHubCollector
from auditor.hosts.github_client import GitHubSettings, make_client
from auditor.hosts.github_tokens import TokenRing, parse_tokens
from auditor.retry import FAST
from test_github_e2e import add_repos, req

pytestmark = pytest.mark.network

A, B, C = "tok-aaaa-0001", "tok-bbbb-0002", "tok-cccc-0003"


def collect(fake, env, requests, **kw):
    settings = GitHubSettings.from_env({**fake.env(), **env})

    async def go():
        async with make_client(settings, timeout=5) as client:
            collector = GitHubCollector(settings, client, retry=FAST, **kw)
            return [f async for f in collector.collect(requests)], collector

    facts, collector = asyncio.run(go())
    deadline = time.monotonic() + 2
    while fake.stats.total < collector.stats.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    return {f.target_key: f for f in facts}, collector


def test_tokens_are_parsed_once_each_and_never_shown():
    assert parse_tokens(" a, b,,a ,c ") == ("a", "b", "c")
    s = GitHubSettings.from_env({"GITHUB_TOKEN": "t0", "GITHUB_TOKENS": "t1,t0, t2"})
    assert (s.token, s.tokens) == ("t0", ("t0", "t1", "t2"))
    assert "t1" not in repr(s) and "tokens=3" in repr(s)
    assert GitHubSettings.from_env({"GITHUB_TOKENS": "only"}).tokens == ()  # one token: as GITHUB_TOKEN
    assert GitHubSettings.from_env({"GITHUB_TOKENS": "only"}).token == "only"
    assert len(TokenRing(s)) == 3 and len(TokenRing(GitHubSettings())) == 1


def test_a_spent_token_hands_over_to_the_next_and_the_run_completes(fake_github):
    names = add_repos(fake_github, 120)
    fake_github.exhaust(A, "graphql")
    got, collector = collect(fake_github, {"GITHUB_TOKENS": f"{A},{B}"}, [req(n) for n in names], max_wait=0, batch_size=50)
    assert all(f.status == "ok" for f in got.values()) and len(got) == 120
    assert collector.rate_limited_until is None
    assert collector.stats.token_switches == 1
    clients = fake_github.stats.clients
    assert clients[f"token:{B}"] >= 3  # every batch went with B once A was known to be spent
    # A is only tried by the first requests, sent together before any answer said it was spent.
    assert 1 <= clients[f"token:{A}"] <= 3


def test_every_token_spent_stops_with_partial_results(fake_github):
    names = add_repos(fake_github, 10)
    for t in (A, B, C):
        fake_github.exhaust(t, "graphql")
    got, collector = collect(fake_github, {"GITHUB_TOKENS": f"{A},{B},{C}"}, [req(n) for n in names], max_wait=0)
    assert collector.rate_limited_until is not None
    assert all(f.status == "unknown" for f in got.values())
    assert all(fake_github.stats.clients[f"token:{t}"] >= 1 for t in (A, B, C))  # each tried: none is known spent first
    assert sum(fake_github.stats.clients[f"token:{t}"] for t in (A, B, C)) <= 3


def test_tokens_only_go_to_the_api_origin(fake_github):
    """The same guard as for one token: a token never leaves the configured origins."""
    s = GitHubSettings.from_env({**fake_github.env(), "GITHUB_TOKENS": f"{A},{B}"})
    for one in TokenRing(s).settings:
        assert one.allowed_origins() == s.allowed_origins()
        assert one.token in (A, B)
