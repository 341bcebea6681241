"""Fetching links that strangers wrote, without being turned against ourselves.

A link in an abstract may point at ``http://169.254.169.254/`` (cloud
metadata), ``http://localhost:8080/admin``, a host name that resolves to a
private address, or a page that redirects to one of those. It may also serve
a body of many gigabytes or trickle bytes forever. The rules here:

* only ``http`` and ``https`` URLs are ever requested;
* the host is resolved (with the event loop's ``getaddrinfo``) and EVERY
  address it resolves to must be global: no loopback, private, link-local,
  multicast, reserved, unspecified or shared (CGNAT) address. The check runs
  in the connection layer (an httpcore network backend), which then connects
  to the very address it checked: no second DNS lookup, so DNS rebinding
  cannot slip through. Every redirect hop opens its connection through that
  layer, and :func:`fetch` follows redirects itself, re-checking the scheme of
  each ``Location``;
* bodies are streamed and reading stops at ``max_bytes`` (declared
  ``Content-Length`` beyond the bound is not read at all);
* connect, read, write and pool timeouts, and a total deadline per fetch;
  the collectors give each target that same deadline for all its fetches and
  retries (a server that trickles one byte a second costs one deadline, not
  one per attempt).

``FetchPolicy(allow_private_hosts=True)`` lifts the address rule (CLI flag
``--allow-private-hosts``), only so tests can talk to servers on 127.0.0.1;
``allowed_networks`` lifts it for chosen networks only, which lets a test
prove that a redirect from an allowed local server to another forbidden
address is still refused.

gzip and deflate bodies are decoded with a bound on every step, so a
compressed "bomb" never expands beyond ``max_bytes`` in memory; other
encodings are left to httpx (we only ever ask for gzip).
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import json
import socket
import ssl
import zlib
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping
from urllib.parse import urljoin

import httpcore
import httpx

from auditor import __version__
from auditor.origins import origin_of
from auditor.retry import DEFAULT as DEFAULT_RETRY
from auditor.retry import DeadlineExceeded, RetryPolicy, TransientError, retry_after_seconds, within_deadline

USER_AGENT = f"repro-auditor/{__version__} (reproducibility audit of research papers)"
ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
MiB = 1024 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """What the fetcher may do. Defaults are safe for stranger-written links."""

    allow_private_hosts: bool = False  # --allow-private-hosts: tests only
    allowed_networks: tuple[str, ...] = ()  # e.g. ("127.0.0.1/32",): exceptions to the address rule
    max_bytes: int = 2 * MiB
    connect_timeout: float = 10.0
    read_timeout: float = 15.0
    total_timeout: float = 40.0  # one fetch, all hops, body included; also one target's retries in all
    max_redirects: int = 10
    user_agent: str = USER_AGENT

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=self.read_timeout,
            pool=self.connect_timeout,
        )

    def networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(n, strict=False) for n in self.allowed_networks)


# --------------------------------------------------------------------------- errors


class UnsafeURLError(Exception):
    """Refused before any connection: wrong scheme or a forbidden address."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"refused {url}: {reason}")


class HostNotFound(Exception):
    """The host name does not resolve (NXDOMAIN): the site is gone, not our network."""

    def __init__(self, host: str, detail: str = "") -> None:
        self.host = host
        super().__init__(f"host {host} does not resolve{': ' + detail if detail else ''}")


class BodyTooLarge(Exception):
    """A body beyond ``max_bytes`` was asked for in full (e.g. to parse JSON)."""


class FetchTimeout(httpx.TimeoutException):
    """The total deadline of one fetch passed (retried like any httpx timeout)."""


# --------------------------------------------------------------------------- address rule


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def forbidden_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not be contacted, or None when it is a public one."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            inner = forbidden_reason(mapped)
            return f"{inner} (inside {ip})" if inner else None
        if ip.teredo is not None:
            return "teredo address"
        if ip in _NAT64:  # 64:ff9b::a00:1 reaches 10.0.0.1 through a NAT64 gateway
            inner = forbidden_reason(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
            return f"{inner} (inside {ip})" if inner else None
        if ip.is_site_local:
            return "site-local address"
    for attr, reason in (
        ("is_unspecified", "unspecified address"),
        ("is_loopback", "loopback address"),
        ("is_link_local", "link-local address"),
        ("is_multicast", "multicast address"),
        ("is_private", "private address"),
        ("is_reserved", "reserved address"),
    ):
        if getattr(ip, attr):
            return reason
    if not ip.is_global:
        return "non-global address"
    return None


def address_refusal(address: str, policy: FetchPolicy) -> str | None:
    """Why ``address`` (an IP literal) is refused under ``policy``, or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if policy.allow_private_hosts:
        return None
    if any(ip in net for net in policy.networks()):
        return None
    return forbidden_reason(ip)


def check_scheme(url: str | httpx.URL) -> httpx.URL:
    """Parse ``url`` and refuse anything but http(s) with a host."""
    text = str(url).strip()
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise UnsafeURLError(text, f"not a valid URL ({exc})") from None
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(text, f"scheme {parsed.scheme or '(none)'!r} is not http(s)")
    if not parsed.host:
        raise UnsafeURLError(text, "no host")
    return parsed


async def resolve_checked(host: str, port: int, policy: FetchPolicy, timeout: float | None = None) -> list[str]:
    """Resolve ``host`` and return its addresses, all of them allowed.

    Raises :class:`UnsafeURLError` when any address is forbidden (a name that
    mixes public and private addresses is refused whole) and
    :class:`HostNotFound` when the name does not exist.
    """
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
        addresses = [bare]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(bare, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP),
                timeout,
            )
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                raise HostNotFound(bare, exc.strerror or "") from None
            raise httpx.ConnectError(f"cannot resolve {bare}: {exc}") from None
        except asyncio.TimeoutError:
            raise httpx.ConnectTimeout(f"resolving {bare} timed out") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise HostNotFound(bare)
    for address in addresses:
        reason = address_refusal(address, policy)
        if reason:
            shown = bare if address == bare else f"{bare} ({address})"
            raise UnsafeURLError(f"//{shown}:{port}", reason)
    return addresses


async def check_url(url: str, policy: FetchPolicy) -> httpx.URL:
    """Scheme and address checks without connecting (for tools like ``git``)."""
    parsed = check_scheme(url)
    await resolve_checked(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), policy, policy.connect_timeout)
    return parsed


# --------------------------------------------------------------------------- transport


class SafeNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks, then connects to the checked address itself."""

    def __init__(self, policy: FetchPolicy, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_checked(host, port, self.policy, timeout)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError("unix socket", "unix sockets are never used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client (loading the CA bundle costs ~30 ms)."""
    return httpx.create_ssl_context()


class SafeTransport(httpx.AsyncHTTPTransport):
    """httpx transport whose every connection goes through :class:`SafeNetworkBackend`."""

    def __init__(
        self,
        policy: FetchPolicy,
        limits: httpx.Limits | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,  # tests: record connects
    ) -> None:
        # No super().__init__: it would build a pool (and an SSL context) only to be
        # replaced. No proxies from the environment either: they would bypass the check.
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        self.policy = policy
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=SafeNetworkBackend(policy, network_backend),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_scheme(request.url)
        return await super().handle_async_request(request)


def safe_client(
    policy: FetchPolicy | None = None,
    headers: Mapping[str, str] | None = None,
    network_backend: httpcore.AsyncNetworkBackend | None = None,
) -> httpx.AsyncClient:
    """An AsyncClient that can only reach what ``policy`` allows. Redirects are not
    followed by httpx (it would read redirect bodies in full): use :func:`fetch`."""
    policy = policy or FetchPolicy()
    base = {"user-agent": policy.user_agent, "accept-encoding": "gzip"}
    base.update(headers or {})
    return httpx.AsyncClient(
        transport=SafeTransport(policy, network_backend=network_backend),
        timeout=policy.timeout(),
        follow_redirects=False,
        headers=base,
        trust_env=False,
    )


# --------------------------------------------------------------------------- fetch


@dataclass(frozen=True)
class FetchResult:
    """One fetched URL after redirects, with at most ``max_bytes`` of its body."""

    url: str  # as asked
    final_url: str
    status_code: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes
    truncated: bool  # the body was longer than max_bytes (or declared so) and was cut
    redirects: tuple[str, ...] = ()  # the URLs redirected through, in order
    declared_size: int | None = None  # Content-Length, when given
    elapsed: float = 0.0
    parsed: Any = field(default=None, compare=False, repr=False)  # the JSON body, once parsed (expect_json)

    @property
    def content_type(self) -> str | None:
        value = self.headers.get("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    @property
    def size(self) -> int:
        """Bytes read, or the declared length when the body was cut."""
        if self.truncated and self.declared_size:
            return self.declared_size
        return len(self.content)

    @property
    def location(self) -> str | None:
        loc = self.headers.get("location")
        return urljoin(self.final_url, loc) if loc else None

    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";", 1)[0].strip().strip('"') or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        if self.parsed is not None:
            return self.parsed
        if self.truncated:
            raise BodyTooLarge(f"{self.final_url}: body larger than the limit, not parsed")
        return json.loads(self.content)


SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


async def _read_bounded(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    """At most ``max_bytes`` of the (decoded) body, and whether there was more.

    gzip/deflate are decoded here with a bound on every step, so a small
    compressed body cannot expand to gigabytes (a "zip bomb") in memory.
    """
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        return b"", True
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    out = bytearray()
    if encoding in ("gzip", "x-gzip", "deflate"):
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib or gzip header, auto-detected
        started = False
        async for raw in response.aiter_raw():
            data = raw
            while data:
                try:
                    piece = inflater.decompress(data, max_bytes - len(out) + 1)
                except zlib.error:
                    if started or encoding != "deflate":
                        raise httpx.DecodingError("body is not valid " + encoding) from None
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate without header
                    piece = inflater.decompress(data, max_bytes - len(out) + 1)
                started = True
                out += piece
                if len(out) > max_bytes:
                    return bytes(out[:max_bytes]), True
                data = inflater.unconsumed_tail
        return bytes(out), False
    iterator = response.aiter_raw() if encoding == "identity" else response.aiter_bytes()
    async for chunk in iterator:
        room = max_bytes - len(out)
        if len(chunk) > room:
            out += chunk[:room]
            return bytes(out), True
        out += chunk
    return bytes(out), False


async def _fetch(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    method: str,
    headers: Mapping[str, str] | None,
    follow_redirects: bool,
    read_body: bool,
) -> FetchResult:
    loop = asyncio.get_running_loop()
    started = loop.time()
    current = check_scheme(url)
    hops: list[str] = []
    while True:
        request = client.build_request(method, current, headers=dict(headers or {}))
        try:
            response = await client.send(request, stream=True, follow_redirects=False)
        except UnsafeURLError as exc:  # refused at connect: name the hop, not the bare address
            raise UnsafeURLError(str(current), exc.reason) from None
        try:
            location = response.headers.get("location")
            if follow_redirects and response.status_code in REDIRECT_CODES and location:
                if len(hops) >= policy.max_redirects:
                    raise httpx.TooManyRedirects(f"more than {policy.max_redirects} redirects", request=request)
                nxt = urljoin(str(current), location.strip())
                hops.append(str(current))
                previous, current = current, check_scheme(nxt)  # next hop: scheme now, address at connect
                if origin_of(previous) != origin_of(current):
                    headers = {k: v for k, v in (headers or {}).items() if k.lower() not in SECRET_HEADERS}
                if response.status_code == 303:
                    method = "GET"
                continue
            if read_body and method != "HEAD":
                content, truncated = await _read_bounded(response, policy.max_bytes)
            else:
                content, truncated = b"", False
            declared = response.headers.get("content-length")
            return FetchResult(
                url=url,
                final_url=str(current),
                status_code=response.status_code,
                headers={k.lower(): v for k, v in response.headers.items()},
                content=content,
                truncated=truncated,
                redirects=tuple(hops),
                declared_size=int(declared) if declared and declared.isdigit() else None,
                elapsed=loop.time() - started,
            )
        finally:
            await response.aclose()


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    follow_redirects: bool = True,
    read_body: bool = True,
) -> FetchResult:
    """One request (and its redirects, each re-checked) within the total deadline.

    ``client`` should come from :func:`safe_client` so that addresses are
    checked at connect time; the scheme of every hop is checked here anyway.
    """
    try:
        async with asyncio.timeout(policy.total_timeout):
            return await _fetch(client, url, policy, method, headers, follow_redirects, read_body)
    except TimeoutError:
        raise FetchTimeout(f"{url}: no complete answer within {policy.total_timeout:g} s") from None


async def fetch_retrying(
    client: httpx.AsyncClient,
    url: str,
    policy: FetchPolicy,
    retry: RetryPolicy = DEFAULT_RETRY,
    *,
    expect_json: bool = False,
    **kwargs: Any,
) -> FetchResult:
    """:func:`fetch` under the shared retry policy: 5xx, 429 and timeouts are
    retried; after the last attempt the TransientError (or httpx error) is raised.

    ``expect_json``: a 200 whose body is not JSON (cut short, not UTF-8) is a
    transient fault too, retried like a 502; the parsed body is kept on the
    result. Each attempt is bounded by the current target's deadline
    (:func:`auditor.retry.deadline_scope`), and no retry starts past it.
    """
    async for attempt in retry.retrying():
        with attempt:
            async with within_deadline():
                result = await fetch(client, url, policy, **kwargs)
            if result.status_code >= 500 or result.status_code == 429:
                raise TransientError(
                    f"HTTP {result.status_code} from {result.final_url}",
                    retry_after=retry_after_seconds(result.headers),
                )
            if expect_json and result.status_code == 200 and not result.truncated:
                try:
                    parsed = json.loads(result.content)
                except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
                    raise TransientError(f"unreadable JSON from {result.final_url} ({type(exc).__name__})") from None
                return replace(result, parsed=parsed)
            return result
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- concurrency


@dataclass
class HostLimiter:
    """One semaphore per host, so one slow host cannot take every slot."""

    per_host: int = 4
    _semaphores: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    def __call__(self, host: str) -> asyncio.Semaphore:
        key = host.lower()
        if key not in self._semaphores:
            self._semaphores[key] = asyncio.Semaphore(self.per_host)
        return self._semaphores[key]


def describe_failure(exc: BaseException) -> tuple[str, str]:
    """(kind, one-line reason) for a fetch that raised.

    kind is ``refused`` (unsafe URL), ``dns`` (host does not exist),
    ``timeout``, ``too_large``, ``http`` (5xx/429 after retries) or ``network``.
    """
    if isinstance(exc, UnsafeURLError):
        return "refused", f"refused: {exc.reason}"
    if isinstance(exc, HostNotFound):
        return "dns", f"host {exc.host} does not resolve"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", f"timed out ({exc})" if str(exc) else "timed out"
    if isinstance(exc, BodyTooLarge):
        return "too_large", str(exc)
    if isinstance(exc, DeadlineExceeded):
        return "timeout", str(exc)
    if isinstance(exc, TransientError):
        return "http", f"{exc} (after retries)"
    if isinstance(exc, httpx.TooManyRedirects):
        return "redirects", str(exc)
    return "network", f"{type(exc).__name__}: {exc}"

