"""Retries that recover, deadlines that hold: malformed bodies and slow hosts, collector by collector.

Servers: httpx.MockTransport for GitHub (scripted answers), tests/localhosts
on 127.0.0.1 for the Hub and web pages. A body "cut in half" is what a reset
connection leaves: a multi-byte UTF-8 character cut short is not even text.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from localhosts import fakehub
from localhosts.server import LocalServer, Reply, Seen

from auditor.hosts.base import TargetRequest
from auditor.hosts.huggingface import HubSettings, HuggingFaceCollector
from auditor.hosts.web import WebCollector, WebSettings
from auditor.models import Target
from auditor.retry import Deadline, RetryPolicy, deadline_scope, within_deadline, DeadlineExceeded

from test_github_collector import gql_answer, rate_headers, repo_request, rest_repo, run

CUT_UTF8 = b'{"full_name": "o/a", "description": "caf\xc3'  # 'caf\xc3\xa9' cut after its first byte
PATIENT = RetryPolicy(attempts=5, initial=0.01, maximum=0.02, total=30)


def once_then(first: Reply, then: Any) -> Any:
    """A route answering ``first`` once, then as ``then`` (a Reply or a route)."""
    calls = {"n": 0}

    def route(seen: Seen) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return first
        return then if isinstance(then, Reply) else then(seen)

    return route


# --------------------------------------------------------------------------- malformed bodies


def test_rest_body_that_is_not_utf8_is_retried():
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(200, content=CUT_UTF8, headers={"content-type": "application/json; charset=utf-8"})
        if request.url.path == "/repos/o/a":
            return httpx.Response(200, json=rest_repo("o/a"), headers=rate_headers(50))
        return httpx.Response(404, json={"message": "Not Found"}, headers=rate_headers(50))

    facts, collector, _ = asyncio.run(run(handler, [repo_request("a")]))
    assert facts[0].status == "ok", facts[0].error
    assert collector.stats.retries == 1


def test_graphql_body_that_is_not_utf8_is_retried_without_splitting():
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        if calls["n"] == 1:
            return httpx.Response(200, content=b'{"data": {"r0": {"nameWithOwner": "caf\xc3', headers={"content-type": "application/json"})
        return gql_answer(request)

    reqs = [repo_request(f"r{i}") for i in range(4)]
    facts, collector, seen = asyncio.run(run(handler, reqs, token=True))
    assert all(f.status == "ok" for f in facts)
    assert len(seen) == 2 and collector.stats.retries == 1 and collector.stats.batch_splits == 0


def test_hub_answer_cut_short_is_retried() -> None:
    routes = fakehub.routes()
    good = routes["/api/models/org/good"]
    routes["/api/models/org/good"] = once_then(Reply(200, CUT_UTF8, headers={"content-type": "application/json"}), good)
    with LocalServer(routes) as hub:
        async def go():
            from auditor.safefetch import FetchPolicy

            settings = HubSettings(endpoint=hub.base)
            async with HuggingFaceCollector(settings=settings, policy=FetchPolicy(allow_private_hosts=True, total_timeout=5), retry=PATIENT) as c:
                target = Target(key="huggingface:model:org/good", kind="huggingface_model", host="huggingface.co", url="https://huggingface.co/org/good")
                return [f async for f in c.collect([TargetRequest(target)])]

        facts = asyncio.run(go())
        assert facts[0].status == "ok", facts[0].error
        assert [s.path for s in hub.seen].count("/api/models/org/good") == 2


def test_zenodo_record_that_is_not_json_is_retried_then_an_explicit_error() -> None:
    record = {"id": 5, "metadata": {"title": "T", "access_right": "open"}, "files": []}
    routes = {
        "/api/records/5": once_then(Reply(200, b'{"id": 5, "meta', headers={"content-type": "application/json"}), Reply.json(record)),
        "/api/records/6": Reply(200, b"<html>maintenance</html>", headers={"content-type": "application/json"}),
    }
    with LocalServer(routes) as site:
        got = collect_web(site, [("zenodo", "zenodo:5", ""), ("zenodo", "zenodo:6", "")])
    assert got["zenodo:5"].status == "ok" and got["zenodo:5"].data["title"] == "T"
    assert got["zenodo:6"].status == "error" and "unreadable JSON" in got["zenodo:6"].error
    assert [s.path for s in site.seen].count("/api/records/6") == PATIENT.attempts


# --------------------------------------------------------------------------- slow hosts


def collect_web(site: LocalServer, targets: list[tuple[str, str, str]], policy=None,
                retry: RetryPolicy = PATIENT) -> dict[str, Any]:
    from auditor.safefetch import FetchPolicy

    policy = policy or FetchPolicy(allowed_networks=("127.0.0.1/32",), total_timeout=5, read_timeout=5)

    async def go():
        settings = WebSettings(doi_base=site.base, zenodo_base=site.base)
        async with WebCollector(settings=settings, policy=policy, retry=retry) as collector:
            requests = [TargetRequest(Target(key=key, kind=kind, host="127.0.0.1", url=url)) for kind, key, url in targets]  # type: ignore[arg-type]
            return {f.target_key: f async for f in collector.collect(requests)}

    return asyncio.run(go())


def test_a_trickling_page_costs_one_deadline_not_one_per_retry() -> None:
    """One byte every 0.1 s never trips the read timeout; the target's deadline stops it, once."""
    from auditor.safefetch import FetchPolicy

    trickle = Reply(body=b"x", chunks=200, chunk_delay=0.1, headers={"content-type": "text/html"})
    policy = FetchPolicy(allowed_networks=("127.0.0.1/32",), total_timeout=0.5, read_timeout=5)
    with LocalServer({"/a": trickle, "/b": trickle}) as site:
        got = collect_web(site, [("web", "web:a", site.url("/a")), ("web", "web:b", site.url("/b"))], policy=policy)
        seen = [s.path for s in site.seen]
    for key in ("web:a", "web:b"):  # no host answered in full: unknown, never a verdict
        assert got[key].status == "unknown" and "0.5 s" in got[key].error, got[key].error
    # Retried on every timeout, each link was asked PATIENT.attempts times (5 deadlines); now once.
    assert seen.count("/a") == 1 and seen.count("/b") == 1


def test_github_job_that_hangs_costs_one_deadline_and_sends_nothing_more():
    async def handler(request):
        if request.url.path == "/repos/o/slow":
            await asyncio.sleep(30)
        if request.url.path.endswith("/readme"):
            await asyncio.sleep(30)
        name = request.url.path.split("/")[3]
        return httpx.Response(200, json=rest_repo(f"o/{name}"), headers=rate_headers(4000, limit=5000))

    facts, collector, seen = asyncio.run(run(handler, [repo_request("slow"), repo_request("fine")], deadline=0.3))
    got = {f.target_key: f for f in facts}
    assert got["github:o/slow"].status == "error" and "0.3 s" in got["github:o/slow"].error
    assert [r.url.path for r in seen].count("/repos/o/slow") == 1  # not retried: another attempt passes the deadline too
    fine = got["github:o/fine"]
    # Its core facts came in time; the README hung: it and every later extra are skipped, none sent.
    assert fine.status == "ok"
    assert any(s.startswith("readme:") and "0.3 s" in s for s in fine.data["skipped"]), fine.data["skipped"]
    assert [r.url.path for r in seen if r.url.path.startswith("/repos/o/fine")] == ["/repos/o/fine", "/repos/o/fine/readme"]


def test_deadline_stops_retries_whose_wait_would_pass_it():
    clock = {"t": 0.0}
    attempts = []

    async def go():
        policy = RetryPolicy(attempts=10, initial=1.0, maximum=1.0, total=100)

        async def fake_sleep(seconds):
            clock["t"] += seconds

        with deadline_scope(2.5) as deadline:
            deadline._clock = lambda: clock["t"]  # the deadline reads the same fake clock as the sleeps
            deadline.ends = 2.5
            async for attempt in policy.retrying(sleep=fake_sleep):
                with attempt:
                    async with within_deadline():
                        attempts.append(clock["t"])
                        raise httpx.ConnectError("refused")

    with pytest.raises(httpx.ConnectError):
        asyncio.run(go())
    assert len(attempts) <= 3 and clock["t"] < 2.5


def test_a_wait_the_server_asked_for_is_given_back_to_the_deadline():
    from auditor.retry import TransientError

    async def go():
        policy = RetryPolicy(attempts=3, initial=0.01, maximum=0.01, total=100, max_retry_after=50)
        slept = []

        async def fake_sleep(seconds):
            slept.append(seconds)

        with deadline_scope(1.0):
            n = 0
            async for attempt in policy.retrying(sleep=fake_sleep):
                with attempt:
                    n += 1
                    if n == 1:
                        raise TransientError("secondary rate limit", retry_after=30)
                    return slept

    assert asyncio.run(go()) == [30]


def test_deadline_exceeded_is_final():
    from auditor.retry import is_transient

    assert not is_transient(DeadlineExceeded("x"))
    assert is_transient(UnicodeDecodeError("utf-8", b"\xc3", 0, 1, "cut"))
    d = Deadline(5, clock=lambda: 0.0)
    d.extend(3)
    assert d.remaining() == 8
