"""The adaptive GraphQL batch size: halves once for batches that failed together, grows back after successes."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from auditor.hosts.batching import AdaptiveBatchSize

from test_github_collector import gql_answer, repo_request, run


def test_concurrent_failures_of_one_generation_halve_once():
    sizer = AdaptiveBatchSize(50)
    taken = [sizer.generation for _ in range(8)]  # eight batches cut at 50, in flight together
    halved = [sizer.failed(g, sent=50) for g in taken]
    assert halved.count(True) == 1 and sizer.size == 25


def test_successes_grow_back_to_the_maximum_and_no_further():
    sizer = AdaptiveBatchSize(50)
    sizer.failed(sizer.generation)
    sizer.failed(sizer.generation)
    assert sizer.size == 12
    for _ in range(8):
        sizer.succeeded()
    assert sizer.size == 50  # step 5: 12 -> 17 -> ... -> capped at 50


def test_a_short_last_batch_halves_from_its_own_length():
    sizer = AdaptiveBatchSize(50)
    assert sizer.failed(sizer.generation, sent=6) and sizer.size == 3


def test_pinned_size_does_not_move():
    sizer = AdaptiveBatchSize(50)
    sizer.pin(1)
    sizer.succeeded()
    assert not sizer.failed(sizer.generation) and sizer.size == 1


def test_bounds_are_checked():
    with pytest.raises(ValueError):
        AdaptiveBatchSize(0)


def test_eight_concurrent_502s_halve_the_batch_once_and_it_recovers():
    """Eight batches of 50 fail together (a GitHub hiccup): once halved, back to 50, nothing lost."""
    calls = {"n": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        n = calls["n"]
        await asyncio.sleep(0.005)  # so that the eight workers' requests are in flight together
        if n <= 8:
            return httpx.Response(502, json={"message": "Server Error"})
        return gql_answer(request)

    reqs = [repo_request(f"r{i}") for i in range(600)]
    facts, collector, seen = asyncio.run(run(handler, reqs, token=True, batch_size=50))
    assert sorted(f.target_key for f in facts) == sorted(r.target.key for r in reqs)
    assert all(f.status == "ok" for f in facts)
    assert collector.stats.batch_splits == 1
    assert collector.batch_size == 50
    sizes = [len(json.loads(r.content)["variables"]) // 2 for r in seen[8:]]
    assert min(sizes) >= 25
    assert len(seen) <= 8 + 600 // 25  # the old controller halved eight times: 50 -> 1, ~600 requests


@pytest.mark.network
def test_batch_size_recovers_under_random_502s_on_the_fake_github(fake_github):
    """About one GraphQL answer in seven is a 502: within twice the requests of a clean run.

    The old controller only ever halved: a few 502s drove 50 down to 1 for the
    rest of the run (58 times the requests of a clean run in a fault run).
    Request counts are the assertion, so a slow answer on a loaded machine must not
    turn into a timeout and a retry: the client waits up to 60 s.
    """
    from test_github_e2e import add_repos, collect, req

    names = add_repos(fake_github, 300)
    clean, _ = collect(fake_github, [req(n) for n in names], token=fake_github.token, batch_size=10, timeout=60)
    assert all(f.status == "ok" for f in clean.values())
    clean_requests = fake_github.stats.count("POST /graphql")
    assert clean_requests == 30

    for seed in (0, 3):
        fake_github.stats.clear()
        fake_github.faults.update(error_rate=0.15, error_statuses=(502,), paths=("/graphql",), seed=seed)
        got, collector = collect(fake_github, [req(n) for n in names], token=fake_github.token, batch_size=10, timeout=60)
        assert all(f.status == "ok" for f in got.values()), {f.error for f in got.values() if f.error}
        assert fake_github.stats.faults["502"] >= 3 and collector.stats.batch_splits >= 1
        faulty_requests = fake_github.stats.count("POST /graphql")
        assert faulty_requests <= 2 * clean_requests, (seed, faulty_requests, clean_requests)


@pytest.mark.network
@pytest.mark.parametrize("kind", ["node_limit", "resource_limits", "timeout"])
def test_a_batch_over_githubs_limits_is_halved_and_every_repository_ends_with_its_facts(fake_github, kind):
    """GitHub answers a query for more than 5 repositories as over its node or resource limits, or with a
    502 timeout (shapes: tests/fakegithub/faults.py): the batch halves until it passes, and the facts
    are those of a clean run, not the partial answers."""
    from test_github_e2e import add_repos, collect, req

    names = add_repos(fake_github, 16)
    clean, _ = collect(fake_github, [req(n) for n in names], token=fake_github.token, batch_size=16)
    fake_github.stats.clear()
    fake_github.faults.update(heavy_above=5, heavy_kind=kind)
    got, collector = collect(fake_github, [req(n) for n in names], token=fake_github.token, batch_size=16)
    assert {k: (f.status, f.data) for k, f in got.items()} == {k: (f.status, f.data) for k, f in clean.items()}
    assert all(f.data["root_files"] for f in got.values())
    assert collector.stats.batch_splits >= 2 and collector.batch_size <= 16
    assert fake_github.stats.count("POST /graphql") <= 12


@pytest.mark.network
def test_one_repository_over_the_node_limit_alone_is_an_error_on_it(fake_github):
    from test_github_e2e import add_repos, collect, req

    names = add_repos(fake_github, 2)
    fake_github.faults.update(heavy_above=0, heavy_kind="node_limit")
    got, collector = collect(fake_github, [req(n) for n in names], token=fake_github.token, batch_size=2)
    assert all(f.status == "error" and "MAX_NODE_LIMIT_EXCEEDED" in f.error for f in got.values()), got
    assert fake_github.stats.count("POST /graphql") == 3  # 2, then 1 and 1: never the same refused query again
