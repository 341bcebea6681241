"""Reachability per host: GitHub answering proves nothing about the web.

Name resolution is replaced in-process (``socket.getaddrinfo``, which asyncio
calls), so no test sends a DNS query: only 127.0.0.1 resolves, as on an
egress-restricted CI runner whose resolver knows no public name, or one whose
resolver is down. GitHub is the fake on 127.0.0.1 and answers throughout.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import date
from typing import Any

import pytest
from localhosts.server import LocalServer, Reply

from auditor.hosts.base import TargetRequest
from auditor.hosts.reachability import DEFAULT_WITNESSES, Reachability
from auditor.hosts.web import WebCollector, WebSettings
from auditor.models import Target
from auditor.retry import RetryPolicy
from auditor.safefetch import FetchPolicy
from auditor.store import Store

FAST = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, total=5)
LOCAL = FetchPolicy(allowed_networks=("127.0.0.1/32",), total_timeout=5, read_timeout=2, connect_timeout=1)

ABSTRACTS = [
    ("Healthy paper", "Code: https://github.com/fixture-lab/healthy and project page https://healthy-paper.github.io."),
    ("Page only", "See our project page at https://page-only.example.org/ for videos."),
    ("Zenodo and DOI", "Data: https://zenodo.org/records/4242 and https://doi.org/10.5281/zenodo.4242 ."),
    ("Missing repo", "Code is available at https://github.com/fixture-lab/missing and https://missing-lab.net/demo."),
]


def only_loopback_resolves(error: int, message: str):
    real = socket.getaddrinfo

    def fake(host: Any, *args: Any, **kw: Any) -> Any:
        if host in ("127.0.0.1", "localhost", None):
            return real(host, *args, **kw)
        raise socket.gaierror(error, message)

    return fake


def write_dump(tmp_path) -> Any:
    import csv

    path = tmp_path / "papers.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["title", "abstract"])
        w.writerows(ABSTRACTS)
    return path


@pytest.mark.network
def test_github_answers_the_web_does_not_every_web_link_unknown_none_failing(fake_github, tmp_path, monkeypatch):
    """The resolver knows no public name (every one is NXDOMAIN): no web link may fail for it."""
    from auditor.config import load_config
    from auditor.pipeline import RunOptions, run_audit

    monkeypatch.setattr(socket, "getaddrinfo", only_loopback_resolves(socket.EAI_NONAME, "Name or service not known"))
    db = tmp_path / "audit.duckdb"
    options = RunOptions(dumps=[write_dump(tmp_path)], db=db, out=tmp_path / "out", as_of=date(2026, 11, 20),
                         config=load_config(None, cwd=tmp_path), hosts=("github", "web"))
    summary = run_audit(options, env=fake_github.env(fake_github.token))

    with Store.open(db) as store:
        facts = store.query("SELECT target_key, status, error FROM facts")
        results = store.query("SELECT target_key, status, reason FROM results WHERE check_name = 'link_reachable'")
    by_key = dict(zip(facts["target_key"], facts["status"]))
    assert by_key["github:fixture-lab/healthy"] == "ok" and by_key["github:fixture-lab/missing"] == "not_found"
    web = {k: s for k, s in by_key.items() if not k.startswith("github:")}
    assert len(web) == 4 and set(web.values()) == {"unknown"}, facts  # the Zenodo DOI is the Zenodo record
    web_results = results[~results["target_key"].str.startswith("github:")]
    assert len(web_results) == 4 and set(web_results["status"]) == {"unknown"}, results
    assert all("resolver resolves no public name" in r for r in web_results["reason"])
    assert summary.offline_reasons  # the run says why the web was not judged


def test_nxdomain_is_believed_only_from_a_resolver_that_resolves_public_names(monkeypatch):
    real = socket.getaddrinfo
    working = {"yes": True}

    def fake(host: Any, *args: Any, **kw: Any) -> Any:
        if host in DEFAULT_WITNESSES and working["yes"]:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
        if host in ("127.0.0.1", None):
            return real(host, *args, **kw)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    request = TargetRequest(Target(key="web:gone.example", kind="web", host="gone.example", url="http://gone.example/"))
    assert collect_web([request])["web:gone.example"].status == "not_found"
    working["yes"] = False
    got = collect_web([request])["web:gone.example"]
    assert got.status == "unknown" and "resolver resolves no public name" in got.error


def collect_web(requests, reach: Reachability | None = None) -> dict[str, Any]:
    async def go():
        async with WebCollector(settings=WebSettings(), policy=LOCAL, retry=FAST, reachability=reach) as c:
            return {f.target_key: f async for f in c.collect(requests)}

    return asyncio.run(go())


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when we return: connecting is refused


def refused(n: int) -> list[TargetRequest]:
    out = []
    for i in range(n):
        url = f"http://127.0.0.1:{closed_port()}/p{i}"
        out.append(TargetRequest(Target(key=f"web:refused{i}", kind="web", host="127.0.0.1", url=url)))
    return out


def test_refused_connections_are_unknown_while_no_host_answers_and_errors_once_one_does():
    alone = collect_web(refused(3))
    assert {f.status for f in alone.values()} == {"unknown"}
    assert all("no web host answered" in f.error for f in alone.values())

    with LocalServer({"/": Reply.html("<title>Lab</title><p>hello</p>")}) as site:
        live = TargetRequest(Target(key="web:live", kind="web", host="localhost", url=site.url("/").replace("127.0.0.1", "localhost")))
        reach = Reachability()
        got = collect_web(refused(3) + [live], reach)
    assert got["web:live"].status == "ok"
    # A peer answered: the refusals are these hosts' own errors (retried next run), still never "dead".
    assert {got[f"web:refused{i}"].status for i in range(3)} == {"error"}
    assert not any(f.data.get("reachable") is False for f in got.values())


def test_after_enough_hosts_fail_with_none_answering_the_rest_are_not_tried():
    reach = Reachability(offline_after=3)
    with LocalServer({"/": Reply.html("<p>never asked</p>")}) as site:
        # Per-host limits let all start at once; the offline verdict stops the ones not yet started.
        requests = refused(3)
        got = collect_web(requests, reach)
        assert reach.offline and {f.status for f in got.values()} == {"unknown"}
        later = TargetRequest(Target(key="web:later", kind="web", host="localhost", url=site.url("/").replace("127.0.0.1", "localhost")))
        assert collect_web([later], reach)["web:later"].status == "unknown"
        assert site.seen == []


def test_resolver_down_every_link_unknown(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", only_loopback_resolves(socket.EAI_AGAIN, "Temporary failure in name resolution"))
    requests = [TargetRequest(Target(key=f"web:h{i}.example", kind="web", host=f"h{i}.example", url=f"https://h{i}.example/")) for i in range(3)]
    got = collect_web(requests)
    assert {f.status for f in got.values()} == {"unknown"}
    assert all("no web host answered" in f.error and "resolve" in f.error for f in got.values())
