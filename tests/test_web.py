"""Web, project page, DOI and Zenodo facts against pages served on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from typing import Any

import pytest
from localhosts.server import LocalServer, Reply, Seen

from auditor.hosts.base import TargetRequest
from auditor.hosts.reachability import DEFAULT_WITNESSES
from auditor.hosts.web import WebCollector, WebSettings, code_links_in, hrefs, judge_page, soft_404_reason
from auditor.models import Facts, Target
from auditor.retry import RetryPolicy
from auditor.safefetch import FetchPolicy, FetchResult

FAST = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, total=5)
LOCAL = FetchPolicy(allowed_networks=("127.0.0.1/32",), total_timeout=10, read_timeout=5, max_bytes=64 * 1024)
IMPATIENT = FetchPolicy(allowed_networks=("127.0.0.1/32",), total_timeout=5, read_timeout=0.3)

PROJECT = """<!doctype html><html><head><title>DeepThing: project page</title></head><body>
<h1>DeepThing</h1><p>Code: <a href="https://github.com/Org/DeepThing">GitHub</a>,
mirror <a href='https://gitlab.com/group/sub/deepthing/-/tree/main'>GitLab</a>,
again <a href=https://github.com/Org/DeepThing/tree/main/src>src</a>,
<a href="https://github.com/features">not a repo</a>, <a href="/paper.pdf">paper</a>,
<a href="https://huggingface.co/org/model">weights</a>
<a href="javascript:alert(1)">x</a></p></body></html>"""

PARKED = "<html><head><title>deepthing.ai</title></head><body>This domain is for sale! sedoparking.com</body></html>"
SOFT = "<html><head><title>Page Not Found</title></head><body>Sorry.</body></html>"
GH_PAGES = (
    "<html><head><title>Site not found &middot; GitHub Pages</title></head>"
    "<body><h1>404</h1><p><strong>There isn't a GitHub Pages site here.</strong></p></body></html>"
)
ZENODO = {
    "id": 123,
    "doi": "10.5281/zenodo.123",
    "updated": "2024-01-02T00:00:00+00:00",
    "metadata": {
        "title": "DeepThing v1.0",
        "access_right": "open",
        "license": {"id": "mit"},
        "publication_date": "2024-01-01",
        "related_identifiers": [
            {"identifier": "https://github.com/Org/DeepThing/tree/v1.0", "relation": "isSupplementTo", "scheme": "url"}
        ],
    },
    "files": [{"key": "DeepThing-v1.0.zip", "size": 100}],
}


def etag_route(seen: Seen) -> Reply:
    if seen.headers.get("if-none-match") == '"v1"':
        return Reply(304, headers={"etag": '"v1"'})
    return Reply(200, PROJECT, headers={"etag": '"v1"', "content-type": "text/html"})


def routes() -> dict[str, Any]:
    return {
        "/ok": Reply.html(PROJECT),
        "/missing": Reply.html("nope", status=404),
        "/gone": Reply.html("gone", status=410),
        "/soft": Reply.html(SOFT),
        "/ghpages": Reply.html(GH_PAGES),
        "/parked": Reply.html(PARKED),
        "/r1": Reply.redirect("/r2", 301),
        "/r2": Reply.redirect("/ok", 302),
        "/big": Reply(body=PROJECT.encode() + b" " * 65536, chunks=100, headers={"content-type": "text/html"}),
        "/slow": Reply.html(PROJECT, delay=2.0),
        "/to-private": Reply.redirect("http://10.0.0.1/admin"),
        "/to-metadata": Reply.redirect("http://169.254.169.254/latest/meta-data/"),
        "/down": Reply(503, "busy"),
        "/forbidden": Reply.html("cloudflare", status=403),
        "/etag": etag_route,
        "/10.1234/abc": Reply.redirect("https://publisher.example/article/abc", 302),
        "/10.9999/missing": Reply.json({"responseCode": 100}, status=404),
        "/api/records/123": Reply.json(ZENODO),
        "/api/records/999": Reply.json({"status": 410, "message": "PID has been deleted."}, status=410),
        "/api/records/404": Reply.json({"status": 404}, status=404),
    }


def target(kind: str, key: str, url: str) -> TargetRequest:
    return TargetRequest(Target(key=key, kind=kind, host="h", url=url))  # type: ignore[arg-type]


def page(srv: LocalServer, path: str, kind: str = "project_page") -> TargetRequest:
    return target(kind, f"web:127.0.0.1{path}", srv.url(path))


def collect(srv: LocalServer, requests: list[TargetRequest], policy: FetchPolicy = LOCAL) -> dict[str, Facts]:
    async def go() -> dict[str, Facts]:
        settings = WebSettings(doi_base=srv.base, zenodo_base=srv.base)
        async with WebCollector(settings=settings, policy=policy, retry=FAST) as collector:
            return {f.target_key: f async for f in collector.collect(requests)}

    return asyncio.run(go())


@pytest.fixture(scope="module")
def site() -> Any:
    with LocalServer(routes()) as srv:
        yield srv


@pytest.fixture(scope="module")
def pages(site: LocalServer) -> dict[str, Facts]:
    paths = ["/ok", "/missing", "/gone", "/soft", "/ghpages", "/parked", "/r1", "/big",
             "/to-private", "/to-metadata", "/down", "/forbidden"]
    got = collect(site, [page(site, p) for p in paths])
    return {k.removeprefix("web:127.0.0.1"): v for k, v in got.items()}


def test_reachable_page_with_code_links(pages: dict[str, Facts]) -> None:
    f = pages["/ok"]
    assert f.status == "ok"
    assert f.data["reachable"] is True and f.data["reachable_reason"] == "ok"
    assert f.data["status_code"] == 200 and f.data["content_type"] == "text/html"
    assert f.data["title"] == "DeepThing: project page"
    assert f.data["code_links"] == ["https://github.com/Org/DeepThing", "https://gitlab.com/group/sub/deepthing"]


@pytest.mark.parametrize(("path", "reason"), [("/missing", "HTTP 404"), ("/gone", "HTTP 410")])
def test_404_and_410(pages: dict[str, Facts], path: str, reason: str) -> None:
    assert pages[path].status == "not_found"
    assert pages[path].data["reachable"] is False and pages[path].data["reachable_reason"] == reason


@pytest.mark.parametrize("path", ["/soft", "/ghpages"])
def test_soft_404_served_with_200(pages: dict[str, Facts], path: str) -> None:
    f = pages[path]
    assert f.data["status_code"] == 200
    assert f.data["reachable"] is False and f.data["soft_404"] is True
    assert f.data["reachable_reason"].startswith("soft 404")
    assert f.status == "not_found"


def test_parked_domain(pages: dict[str, Facts]) -> None:
    f = pages["/parked"]
    assert f.data["parked"] is True and f.data["reachable"] is False
    assert "parked domain" in f.data["reachable_reason"]


def test_redirect_chain(pages: dict[str, Facts], site: LocalServer) -> None:
    f = pages["/r1"]
    assert f.data["reachable"] is True
    assert f.data["final_url"] == site.url("/ok")
    assert f.data["redirects"] == [site.url("/r1"), site.url("/r2")]


def test_oversized_page_is_cut_but_judged(pages: dict[str, Facts]) -> None:
    f = pages["/big"]
    assert f.data["truncated"] is True and f.data["reachable"] is True
    assert f.data["size"] == 64 * 1024
    assert "https://github.com/Org/DeepThing" in f.data["code_links"]


def test_slow_page_is_an_error_not_a_verdict(site: LocalServer) -> None:
    got = collect(site, [page(site, "/slow"), page(site, "/ok")], policy=IMPATIENT)
    f = got["web:127.0.0.1/slow"]
    assert f.status == "error" and "timed out" in (f.error or "")
    # Alone, with no other host answering in the run, a timeout says even less: unknown.
    alone = collect(site, [page(site, "/slow")], policy=IMPATIENT)["web:127.0.0.1/slow"]
    assert alone.status == "unknown" and "no web host answered" in (alone.error or "")


@pytest.mark.parametrize("path", ["/to-private", "/to-metadata"])
def test_redirect_to_forbidden_address_is_refused(pages: dict[str, Facts], path: str) -> None:
    f = pages[path]
    assert f.status == "blocked"
    assert f.data["reachable"] is False and f.data["refused"] is True
    assert f.data["reachable_reason"].startswith("refused:")
    assert f.data["final_url"].startswith(("http://10.0.0.1/", "http://169.254.169.254/"))


def test_5xx_after_retries_is_error(pages: dict[str, Facts]) -> None:
    assert pages["/down"].status == "error" and "503" in (pages["/down"].error or "")


def test_403_says_nothing_about_reachability(pages: dict[str, Facts]) -> None:
    f = pages["/forbidden"]
    assert f.status == "blocked" and f.data["reachable"] is None


def test_unsafe_target_url_is_refused_without_contact() -> None:
    with LocalServer({"*": Reply.html("secret")}) as srv:
        got = collect(srv, [target("web", "web:x", srv.url("/admin")), target("web", "web:f", "file:///etc/passwd")],
                      policy=FetchPolicy())
        assert srv.seen == []
    assert got["web:x"].data["reachable_reason"] == "refused: loopback address"
    assert got["web:f"].status == "blocked" and "scheme" in got["web:f"].data["reachable_reason"]


def test_unknown_host_is_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def fake(host: Any, *args: Any, **kw: Any) -> Any:  # no resolver traffic, a definite NXDOMAIN
        if host == "no-such-host.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if host in DEFAULT_WITNESSES:  # a resolver that resolves public names: its NXDOMAIN is believed
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443))]
        return real(host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    with LocalServer({}) as srv:
        got = collect(srv, [target("web", "web:nx", "http://no-such-host.invalid/")])
    assert got["web:nx"].status == "not_found"
    assert "does not resolve" in got["web:nx"].data["reachable_reason"]


def test_etag_revalidation_returns_cached_facts(site: LocalServer) -> None:
    first = collect(site, [page(site, "/etag")])["web:127.0.0.1/etag"]
    assert first.etag == '"v1"'
    request = dataclasses.replace(page(site, "/etag"), etag=first.etag, cached=first)
    again = collect(site, [request])["web:127.0.0.1/etag"]
    assert again.data == first.data and again.etag == first.etag
    assert again.fetched_at > first.fetched_at
    assert site.seen[-1].headers["if-none-match"] == '"v1"'


def test_doi(site: LocalServer) -> None:
    got = collect(site, [target("doi", "doi:10.1234/abc", "https://doi.org/10.1234/abc"),
                         target("doi", "doi:10.9999/missing", "https://doi.org/10.9999/missing")])
    ok = got["doi:10.1234/abc"]
    assert ok.status == "ok" and ok.data["reachable"] is True
    assert ok.data["final_url"] == "https://publisher.example/article/abc"  # not fetched: only 127.0.0.1 is contacted
    missing = got["doi:10.9999/missing"]
    assert missing.status == "not_found" and "not registered" in missing.data["reachable_reason"]


def test_zenodo(site: LocalServer) -> None:
    got = collect(site, [target("zenodo", f"zenodo:{i}", f"https://zenodo.org/records/{i}") for i in (123, 999, 404)])
    ok = got["zenodo:123"]
    assert ok.status == "ok" and ok.data["title"] == "DeepThing v1.0"
    assert ok.data["zenodo"]["access_right"] == "open" and ok.data["zenodo"]["files_count"] == 1
    assert ok.data["license_spdx"] == "MIT"
    assert ok.data["code_links"] == ["https://github.com/Org/DeepThing"]
    assert got["zenodo:999"].status == "not_found" and "deleted" in got["zenodo:999"].data["reachable_reason"]
    assert got["zenodo:404"].status == "not_found"


def test_pure_helpers() -> None:
    assert hrefs('<a href="../x">', "https://a.github.io/p/q/") == ["https://a.github.io/p/x"]
    assert code_links_in(["https://github.com/a/b.git", "https://github.com/A/B", "https://example.org/a/b"]) == [
        "https://github.com/a/b"
    ]
    assert soft_404_reason("<title>Results on 4 benchmarks</title>" + "word " * 10) is None
    long_page = "<title>Project</title><p>" + "text " * 2000 + " page not found in old browsers</p>"
    assert soft_404_reason(long_page) is None  # body markers only count on small pages
    res = FetchResult("u", "https://x.org/", 200, {"content-type": "application/pdf"}, b"%PDF", False)
    assert judge_page(res)["reachable"] is True


def test_per_host_concurrency_is_bounded() -> None:
    import threading
    import time

    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def counted(seen: Seen) -> Reply:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return Reply.html("<title>ok</title>")

    async def go(srv: LocalServer) -> list[Facts]:
        settings = WebSettings(doi_base=srv.base, zenodo_base=srv.base, per_host=2)
        async with WebCollector(settings=settings, policy=LOCAL, retry=FAST) as collector:
            return [f async for f in collector.collect([page(srv, f"/p{i}") for i in range(8)])]

    with LocalServer({"*": counted}) as srv:
        got = asyncio.run(go(srv))
    assert len(got) == 8 and all(f.status == "ok" for f in got)
    assert state["peak"] == 2
