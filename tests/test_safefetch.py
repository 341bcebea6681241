"""Safe fetching: every refusal happens before a connection is opened.

Only servers on 127.0.0.1 are ever contacted. A recording network backend
proves that refused addresses (10.0.0.1, 169.254.169.254, ::1) were never
connected to.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
from typing import Any

import httpcore
import httpx
import pytest
from localhosts.server import LocalServer, Reply

from auditor.retry import RetryPolicy, TransientError
from auditor.safefetch import (
    FetchPolicy,
    FetchTimeout,
    HostLimiter,
    UnsafeURLError,
    check_url,
    describe_failure,
    fetch,
    fetch_retrying,
    forbidden_reason,
    safe_client,
)

LOCAL_ONLY = FetchPolicy(allowed_networks=("127.0.0.1/32",), total_timeout=5, read_timeout=2, connect_timeout=2)


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Connects only to 127.0.0.1 and records every connect attempt."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, **kw: Any) -> httpcore.AsyncNetworkStream:
        self.connects.append((host, port))
        assert host == "127.0.0.1", f"test tried to connect to {host}"
        return await self.inner.connect_tcp(host, port, **kw)

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _get(url: str, policy: FetchPolicy, backend: RecordingBackend | None = None, **kw: Any):
    async with safe_client(policy, network_backend=backend) as client:
        return await fetch(client, url, policy, **kw)


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "gopher://example.org/", "data:text/html,hi"],
)
def test_non_http_schemes_are_refused(url: str) -> None:
    backend = RecordingBackend()
    with pytest.raises(UnsafeURLError, match="scheme"):
        run(_get(url, FetchPolicy(), backend))
    assert backend.connects == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:{port}/", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]:{port}/", "loopback"),
        ("http://0.0.0.0:{port}/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[::ffff:127.0.0.1]:{port}/", "loopback"),
        ("http://2130706433:{port}/", "loopback"),  # 127.0.0.1 written as one number
        ("http://localhost:{port}/", "loopback"),  # a name that resolves to loopback
    ],
)
def test_forbidden_addresses_are_refused_before_connecting(url: str, reason: str) -> None:
    backend = RecordingBackend()
    with LocalServer({"*": Reply.html("secret")}) as srv:
        with pytest.raises(UnsafeURLError, match=reason):
            run(_get(url.format(port=srv.port), FetchPolicy(), backend))
        assert srv.seen == []
    assert backend.connects == []


def test_allow_private_hosts_reaches_local_server() -> None:
    with LocalServer({"/": Reply.html("<title>hi</title>")}) as srv:
        result = run(_get(srv.url("/"), FetchPolicy(allow_private_hosts=True)))
    assert result.status_code == 200
    assert result.content_type == "text/html"
    assert b"hi" in result.content
    assert srv.seen[0].headers["user-agent"].startswith("repro-auditor/")


@pytest.mark.parametrize(
    "target",
    ["http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:{port}/", "file:///etc/passwd"],
)
def test_redirect_to_forbidden_address_is_refused(target: str) -> None:
    backend = RecordingBackend()
    with LocalServer({}) as srv:
        srv.routes["/start"] = Reply.redirect(target.format(port=srv.port))
        with pytest.raises(UnsafeURLError):
            run(_get(srv.url("/start"), LOCAL_ONLY, backend))
        assert [s.path for s in srv.seen] == ["/start"]
    assert all(host == "127.0.0.1" for host, _ in backend.connects)


def test_redirect_chain_is_followed_and_recorded() -> None:
    with LocalServer({"/a": Reply.redirect("/b", 301), "/b": Reply.redirect("/c"), "/c": Reply.html("end")}) as srv:
        result = run(_get(srv.url("/a"), LOCAL_ONLY))
    assert result.status_code == 200
    assert result.final_url == srv.url("/c")
    assert result.redirects == (srv.url("/a"), srv.url("/b"))


def test_redirect_loop_stops() -> None:
    with LocalServer({"/loop": Reply.redirect("/loop")}) as srv:
        with pytest.raises(httpx.TooManyRedirects):
            run(_get(srv.url("/loop"), FetchPolicy(allowed_networks=("127.0.0.1/32",), max_redirects=3)))
        assert len(srv.seen) == 4


def test_oversized_streamed_body_is_cut_at_the_bound() -> None:
    policy = FetchPolicy(allow_private_hosts=True, max_bytes=256 * 1024)
    with LocalServer({"/big": Reply(body=b"x" * 65536, chunks=200)}) as srv:  # 12.5 MiB, no length
        result = run(_get(srv.url("/big"), policy))
    assert result.truncated
    assert len(result.content) == 256 * 1024


def test_oversized_declared_body_is_not_read() -> None:
    policy = FetchPolicy(allow_private_hosts=True, max_bytes=1000)
    with LocalServer({"/big": Reply(body=b"y" * 5000)}) as srv:
        result = run(_get(srv.url("/big"), policy))
    assert result.truncated and result.content == b""
    assert result.size == 5000
    with pytest.raises(Exception, match="larger than the limit"):
        result.json()


def test_slow_server_hits_read_timeout() -> None:
    policy = FetchPolicy(allow_private_hosts=True, read_timeout=0.2, total_timeout=5)
    with LocalServer({"/slow": Reply.html("late", delay=1.0)}) as srv:
        with pytest.raises(httpx.ReadTimeout):
            run(_get(srv.url("/slow"), policy))


def test_trickling_server_hits_total_deadline() -> None:
    policy = FetchPolicy(allow_private_hosts=True, read_timeout=2, total_timeout=0.4)
    with LocalServer({"/trickle": Reply(body=b"z", chunks=50, chunk_delay=0.05)}) as srv:
        with pytest.raises(FetchTimeout):
            run(_get(srv.url("/trickle"), policy))


def test_5xx_is_retried_then_succeeds() -> None:
    answers = iter([Reply(503, "busy"), Reply(502, "bad"), Reply.html("ok")])
    fast = RetryPolicy(attempts=4, initial=0.01, maximum=0.02, total=5)

    async def go(url: str):
        async with safe_client(LOCAL_ONLY) as client:
            return await fetch_retrying(client, url, LOCAL_ONLY, fast)

    with LocalServer({"/flaky": lambda seen: next(answers)}) as srv:
        result = run(go(srv.url("/flaky")))
    assert result.status_code == 200 and len(srv.seen) == 3


def test_5xx_gives_up_after_attempts() -> None:
    fast = RetryPolicy(attempts=3, initial=0.01, maximum=0.02, total=5)

    async def go(url: str):
        async with safe_client(LOCAL_ONLY) as client:
            return await fetch_retrying(client, url, LOCAL_ONLY, fast)

    with LocalServer({"/down": Reply(500, "down")}) as srv:
        with pytest.raises(TransientError) as info:
            run(go(srv.url("/down")))
        assert len(srv.seen) == 3
    assert describe_failure(info.value)[0] == "http"


def test_check_url_without_connecting() -> None:
    assert run(check_url("https://93.184.215.14/x", FetchPolicy())).host == "93.184.215.14"
    with pytest.raises(UnsafeURLError):
        run(check_url("http://192.168.1.1/", FetchPolicy()))


def test_forbidden_reason_table() -> None:
    assert forbidden_reason(ipaddress.ip_address("8.8.8.8")) is None
    assert forbidden_reason(ipaddress.ip_address("2606:4700::1111")) is None
    assert forbidden_reason(ipaddress.ip_address("100.64.0.1")) is not None  # CGNAT
    assert forbidden_reason(ipaddress.ip_address("fd00::1")) is not None
    assert forbidden_reason(ipaddress.ip_address("fe80::1")) is not None
    assert forbidden_reason(ipaddress.ip_address("240.0.0.1")) is not None
    assert forbidden_reason(ipaddress.ip_address("64:ff9b::a00:1")) is not None  # NAT64 of 10.0.0.1
    assert forbidden_reason(ipaddress.ip_address("64:ff9b::808:808")) is None  # NAT64 of 8.8.8.8
    assert forbidden_reason(ipaddress.ip_address("fec0::1")) is not None
    assert forbidden_reason(ipaddress.ip_address("2002:a00:1::1")) is not None  # 6to4 of 10.0.0.1


def test_host_limiter_gives_one_semaphore_per_host() -> None:
    limiter = HostLimiter(per_host=2)
    assert limiter("GitLab.com") is limiter("gitlab.com")
    assert limiter("gitlab.com") is not limiter("codeberg.org")


def test_credentials_are_not_sent_across_origins_on_redirect() -> None:
    with LocalServer({"/end": Reply.html("end")}) as other, LocalServer({}) as first:
        first.routes["/same"] = Reply.redirect("/next")
        first.routes["/next"] = Reply.redirect(other.url("/end"))
        result = run(_get(first.url("/same"), LOCAL_ONLY, headers={"authorization": "Bearer s3cret"}))
        assert result.final_url == other.url("/end")
        assert [s.headers.get("authorization") for s in first.seen] == ["Bearer s3cret", "Bearer s3cret"]
        assert "authorization" not in other.seen[0].headers


def test_gzip_bomb_is_cut_while_decoding() -> None:
    bomb = gzip.compress(bytes(16 * 1024 * 1024), compresslevel=9)  # 16 MiB in ~16 KiB
    assert len(bomb) < 40_000
    policy = FetchPolicy(allow_private_hosts=True, max_bytes=256 * 1024)
    with LocalServer({"/bomb": Reply(body=bomb, headers={"content-encoding": "gzip", "content-type": "text/html"})}) as srv:
        result = run(_get(srv.url("/bomb"), policy))
    assert result.truncated and len(result.content) == 256 * 1024 and set(result.content) == {0}


def test_gzip_body_is_decoded() -> None:
    body = gzip.compress(b"<title>zipped</title>")
    with LocalServer({"/z": Reply(body=body, headers={"content-encoding": "gzip", "content-type": "text/html"})}) as srv:
        result = run(_get(srv.url("/z"), FetchPolicy(allow_private_hosts=True)))
    assert result.content == b"<title>zipped</title>" and not result.truncated
