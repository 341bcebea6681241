"""The fake GitHub: a threaded HTTP server on 127.0.0.1 serving REST and GraphQL over a World.

Everything a test may change lives on the :class:`FakeGitHub` object while it
runs: ``world``, ``faults``, ``limits``; ``stats`` counts what happened and
``reset()`` puts it all back. Rate limits, ETags, conditional requests and
faults are handled here, around the pure handlers in rest_api/graphql_api.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import limits as rl
from . import issues_api, rest_api
from .faults import (BAD_GATEWAY_HTML, PRIMARY_DOC, PROXY_HTML, SECONDARY_DOC, SECONDARY_MESSAGE, Faults, make_partial,
                     primary_message)
from .world import DEFAULT_WORLD, World

TOKEN = "test-token"  # a token tests can use; any token is accepted except ones starting with "bad"

EXPOSE = ("ETag, Link, Location, Retry-After, X-GitHub-OTP, X-RateLimit-Limit, X-RateLimit-Remaining, "
          "X-RateLimit-Used, X-RateLimit-Resource, X-RateLimit-Reset, X-OAuth-Scopes, X-Accepted-OAuth-Scopes, "
          "X-Poll-Interval, X-GitHub-Media-Type, X-GitHub-SSO, X-GitHub-Request-Id, Deprecation, Sunset")


@dataclass
class Stats:
    """What the server saw since the last reset (read by tests, thread-safe enough for counters)."""

    requests: Counter = field(default_factory=Counter)  # "GET /repos/{owner}/{repo}" -> n
    clients: Counter = field(default_factory=Counter)  # "token:x" / "anon:127.0.0.1" -> n
    statuses: Counter = field(default_factory=Counter)  # 200 -> n
    faults: Counter = field(default_factory=Counter)  # "502" -> n
    graphql_points: int = 0
    graphql_queries: int = 0
    graphql_nodes: int = 0
    graphql_repos: Counter = field(default_factory=Counter)  # "owner/name" (lower case) -> times a query asked for it
    not_modified: int = 0
    rate_limited: int = 0  # answers refused for a spent primary limit
    log: list[dict[str, Any]] = field(default_factory=list)  # one entry per request, in order
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def count(self, route_part: str) -> int:
        """Requests whose route contains ``route_part`` (e.g. "/readme", "POST /graphql")."""
        return sum(n for r, n in self.requests.items() if route_part in r)

    def record(self, method: str, path: str, route: str, client: str, status: int | None,
               fault: str | None) -> None:
        with self._lock:
            self.requests[route or f"{method} {path}"] += 1
            self.clients[client] += 1
            if status is not None:
                self.statuses[status] += 1
            if len(self.log) < 100_000:
                self.log.append({"method": method, "path": path, "route": route, "client": client,
                                 "status": status, "fault": fault})

    def note_fault(self, kind: str) -> None:
        """Counted when decided, before any wait: a client that timed out still sees it."""
        with self._lock:
            self.faults[kind] += 1

    def clear(self) -> None:
        with self._lock:
            for c in (self.requests, self.clients, self.statuses, self.faults, self.graphql_repos):
                c.clear()
            self.graphql_points = self.graphql_queries = self.graphql_nodes = 0
            self.not_modified = self.rate_limited = 0
            self.log.clear()

    def as_dict(self) -> dict[str, Any]:
        return {"requests": dict(self.requests), "clients": dict(self.clients), "statuses": dict(self.statuses),
                "faults": dict(self.faults), "graphql_points": self.graphql_points,
                "graphql_queries": self.graphql_queries, "not_modified": self.not_modified,
                "rate_limited": self.rate_limited, "total": self.total}


def etag_of(body: bytes) -> str:
    return 'W/"' + hashlib.md5(body).hexdigest() + '"'


def etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == wanted for t in header.split(","))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes: no 40 ms delayed-ACK stalls
    server_version = "GitHub.com"
    sys_version = ""

    def do_GET(self) -> None:  # noqa: N802
        self.server.fake._dispatch(self)  # type: ignore[attr-defined]

    do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True


class FakeGitHub:
    """A GitHub-compatible server on 127.0.0.1 for tests and benchmarks."""

    def __init__(self, world: World | str | Path | dict | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, schema: Any = None, latency: float = 0.0) -> None:
        """``schema``: None serves GraphQL on the project's schema (fakegithub/schema.graphql), a path
        reads that SDL file (GitHub's full schema, say), a GraphQLSchema is used as is, False serves
        REST only."""
        if isinstance(world, World):
            self.world = world
        elif isinstance(world, dict):
            self.world = World(world)
        else:
            self.world = World.from_file(world or DEFAULT_WORLD)
        self._initial_world = self.world.snapshot()
        self.faults = Faults(latency=latency)
        self._initial_latency = latency
        self.limits = rl.Limits()
        self.stats = Stats()
        self.comments = issues_api.Comments()  # issue and pull-request comments posted (the Action's)
        self.token = TOKEN
        self.schema_error: str | None = None
        if schema is False:  # REST only (fast start; /graphql answers 501)
            schema, self.schema_error = None, "GraphQL disabled"
        elif schema is None or isinstance(schema, (str, Path)):
            from .graphql_api import load_schema

            try:
                schema = load_schema(schema)
            except FileNotFoundError as err:
                schema, self.schema_error = None, str(err)
        self.schema = schema
        self._counter = itertools.count()
        self._httpd = _Server((host, port), _Handler)
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}"

    @property
    def graphql_url(self) -> str:
        return self.url + "/graphql"

    def start(self) -> "FakeGitHub":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fakegithub:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeGitHub":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def reset(self) -> None:
        """Back to the state of start-up: world, faults, limits, counters."""
        self.world.restore(self._initial_world)
        self.faults.clear()
        self.faults.latency = self._initial_latency
        self.limits.reset(defaults=True)
        self.stats.clear()
        self.comments.reset()
        self._counter = itertools.count()

    def env(self, token: str | None = None) -> dict[str, str]:
        """Environment variables that point the product at this server (no GITHUB_TOKEN without a token)."""
        env = {"GITHUB_API_URL": self.url, "GITHUB_GRAPHQL_URL": self.graphql_url}
        if token:
            env["GITHUB_TOKEN"] = token
        return env

    def apply_env(self, monkeypatch: Any, token: str | None = None) -> dict[str, str]:
        """Set :meth:`env` with pytest's monkeypatch, removing GITHUB_TOKEN when there is no token."""
        env = self.env(token)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        if not token:
            monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        return env

    def exhaust(self, token: str | None = None, resource: str = "core") -> None:
        """Spend a client's primary limit (REST "core" or "graphql")."""
        client = f"token:{token}" if token else "anon:127.0.0.1"
        self.limits.exhaust(client, resource, token is not None)

    # ------------------------------------------------------------- requests

    def _dispatch(self, h: _Handler) -> None:
        n = next(self._counter)
        parts = urlsplit(h.path)
        path = unquote(parts.path) or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        token = _token(h.headers.get("Authorization"))
        client = f"token:{token}" if token else f"anon:{h.client_address[0]}"
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        is_graphql = path.rstrip("/") == "/graphql"
        route = "POST /graphql" if is_graphql else ""

        fault, delay = self.faults.decide(n, path)
        if fault:
            self.stats.note_fault(fault)
        # Counters are updated just before the answer is written, so a client
        # that has its answer always sees it counted.
        h.fg_meta = {"method": h.command, "path": path, "client": client, "fault": fault,  # type: ignore[attr-defined]
                     "route": route or f"{h.command} {path}"}
        if delay > 0:
            time.sleep(delay)
        if fault == "slow":
            self.faults.hold(self.faults.slow_seconds)
        if fault == "reset":
            self.stats.record(h.command, path, route or f"{h.command} {path}", client, None, fault)
            _reset_connection(h)
            return
        if fault in ("500", "502", "503"):
            status = int(fault)
            if status == 502:
                self._send(h, 502, BAD_GATEWAY_HTML.encode(), {"Content-Type": "text/html"})
            else:
                msg = "Server Error" if status == 500 else "Service Unavailable"
                self._send_json(h, status, {"message": msg, "documentation_url": rest_api.DOCS, "status": str(status)})
            return
        if fault == "html200":
            self._send(h, 200, PROXY_HTML.encode(), {"Content-Type": "text/html; charset=utf-8"})
            return

        authenticated = token is not None
        if token is not None and token.startswith("bad"):
            self._send_json(h, 401, {"message": "Bad credentials", "documentation_url": rest_api.DOCS, "status": "401"})
            return
        user_id = int(self.world.tokens.get(token or "", {}).get("user_id", 1))

        if is_graphql:
            self._graphql(h, raw, token, client, user_id, fault)
        else:
            self._rest(h, path, query, token, client, authenticated, user_id, fault, raw)

    def _rest(self, h: _Handler, path: str, query: dict[str, list[str]], token: str | None, client: str,
              authenticated: bool, user_id: int, fault: str | None, raw: bytes = b"") -> tuple[int, str]:
        ctx = rest_api.Ctx(self.url, self.world, token, h.headers.get("Accept") or "")
        if issues_api.matches(path):
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            reply = issues_api.handle(self.comments, self.url, h.command, path, query, raw, token, now)
        else:
            reply = rest_api.handle(ctx, "GET" if h.command == "HEAD" else h.command, path, query)
        if reply.route:
            h.fg_meta["route"] = reply.route  # type: ignore[attr-defined]
        resource = reply.resource  # "core", or "search" with its own per-minute budget
        bucket = self.limits.bucket(client, resource, authenticated)
        rate_headers = rl.headers(bucket, resource)
        if fault in ("secondary", "secondary429"):
            request_id = uuid.uuid4().hex[:20].upper()
            status = 403 if fault == "secondary" else 429
            body = {"message": SECONDARY_MESSAGE.format(request_id=request_id), "documentation_url": SECONDARY_DOC}
            self._send_json(h, status, body, {**rate_headers, "retry-after": str(self.faults.retry_after)})
            return status, reply.route
        if reply.free:  # /rate_limit
            body = self._rate_limit_body(client, authenticated)
            self._send_json(h, 200, body, rate_headers)
            return 200, reply.route
        if fault == "exhausted" or bucket.remaining == 0:
            return self._primary_limit(h, bucket, fault, authenticated, client, user_id, resource), reply.route
        data = _encode(reply.body)
        etag = etag_of(data) if reply.status == 200 else None
        if etag and _not_modified(h.headers, etag, reply.headers.get("Last-Modified")):
            with self.stats._lock:
                self.stats.not_modified += 1
            extra = {"Last-Modified": reply.headers["Last-Modified"]} if "Last-Modified" in reply.headers else {}
            self._send(h, 304, b"", {**rl.headers(bucket, resource), "ETag": etag, **extra, **_cache(authenticated)})
            return 304, reply.route
        ok, bucket = self.limits.spend(client, resource, authenticated)
        if not ok:  # spent by a concurrent request since the check above
            return self._primary_limit(h, bucket, None, authenticated, client, user_id, resource), reply.route
        headers = {**rl.headers(bucket, resource), **reply.headers}
        if etag:
            headers.update({"ETag": etag, **_cache(authenticated)})
        if fault == "malformed" and data:
            data = data[: max(1, len(data) // 2)]
        self._send(h, reply.status, data, {"Content-Type": "application/json; charset=utf-8", **headers})
        return reply.status, reply.route

    def _primary_limit(self, h: _Handler, bucket: rl.Bucket, fault: str | None, authenticated: bool, client: str,
                       user_id: int, resource: str = "core") -> int:
        """403 with x-ratelimit-remaining: 0, as GitHub answers a spent REST limit."""
        if fault == "exhausted":
            bucket = rl.Bucket(bucket.limit, bucket.reset, bucket.limit)
        with self.stats._lock:
            self.stats.rate_limited += 1
        body = {"message": primary_message(authenticated, client, user_id), "documentation_url": PRIMARY_DOC}
        status = self.faults.primary_status
        self._send_json(h, status, body, rl.headers(bucket, resource))
        return status

    def _graphql(self, h: _Handler, raw: bytes, token: str | None, client: str, user_id: int,
                 fault: str | None) -> int:
        from . import graphql_api

        if h.command != "POST":
            self._send_json(h, 404, {"message": "Not Found", "documentation_url": "https://docs.github.com/graphql"})
            return 404
        if token is None:
            self._send_json(h, 401, {"message": "This endpoint requires you to be authenticated.",
                                     "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"})
            return 401
        if self.schema is None:
            self._send_json(h, 501, {"message": f"fake GitHub has no GraphQL schema: {self.schema_error}"})
            return 501
        bucket = self.limits.bucket(client, "graphql", True)
        if fault in ("secondary", "secondary429"):
            status = 403 if fault == "secondary" else 429
            body = {"message": SECONDARY_MESSAGE.format(request_id=uuid.uuid4().hex[:20].upper()),
                    "documentation_url": SECONDARY_DOC}
            self._send_json(h, status, body, {**rl.headers(bucket, "graphql"), "retry-after": str(self.faults.retry_after)})
            return status
        if fault == "exhausted" or bucket.remaining == 0:
            with self.stats._lock:
                self.stats.rate_limited += 1
            spent = rl.Bucket(bucket.limit, bucket.reset, bucket.limit)
            body = {"errors": [{"type": self.faults.graphql_rate_limit_type,
                                "message": f"API rate limit already exceeded for user ID {user_id}."}]}
            self._send_json(h, 200, body, rl.headers(spent, "graphql"))
            return 200
        try:
            payload = json.loads(raw or b"null")
        except ValueError:
            self._send_json(h, 400, {"message": "Problems parsing JSON",
                                     "documentation_url": "https://docs.github.com/graphql", "status": "400"})
            return 400

        variables = payload.get("variables") if isinstance(payload, dict) else None
        if isinstance(variables, dict):  # which repositories the query asks for (aliases rN: $oN/$nN)
            with self.stats._lock:
                for key, owner in variables.items():
                    if key[:1] == "o" and key[1:].isdigit() and f"n{key[1:]}" in variables:
                        self.stats.graphql_repos[f"{owner}/{variables[f'n{key[1:]}']}".lower()] += 1

        def spend(points: int) -> tuple[bool, rl.Bucket]:
            if points == 0:
                return True, self.limits.bucket(client, "graphql", True)
            return self.limits.spend(client, "graphql", True, points)

        answer = graphql_api.run(self.schema, self.world, payload, token=token, base=self.url, spend=spend,
                                 user_id=user_id, limited_type=self.faults.graphql_rate_limit_type,
                                 heavy=(self.faults.heavy_above, self.faults.heavy_kind),
                                 request_id=uuid.uuid4().hex[:24].upper())
        with self.stats._lock:
            self.stats.graphql_queries += 1
            self.stats.graphql_points += answer.points
            self.stats.graphql_nodes += answer.nodes
            self.stats.rate_limited += answer.limited
        body = answer.body
        if fault == "partial" and answer.status == 200:
            body = make_partial(json.loads(json.dumps(body)), self.faults.partial_shape, uuid.uuid4().hex[:20].upper())
        data = _encode(body)
        if fault == "malformed":
            data = data[: max(1, len(data) // 2)]
        bucket = self.limits.bucket(client, "graphql", True)
        self._send(h, answer.status, data, {"Content-Type": "application/json; charset=utf-8",
                                            **rl.headers(bucket, "graphql")})
        return answer.status

    def _rate_limit_body(self, client: str, authenticated: bool) -> dict[str, Any]:
        core = self.limits.bucket(client, "core", authenticated).as_json()
        resources = {
            "core": core,
            "search": self.limits.bucket(client, "search", authenticated).as_json(),
            "graphql": self.limits.bucket(client, "graphql", authenticated).as_json(),
        }
        return {"resources": resources, "rate": core}

    # ------------------------------------------------------------- writing

    def _send_json(self, h: _Handler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = _encode(body)
        hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        self._send(h, status, data, hdrs)

    def _send(self, h: _Handler, status: int, data: bytes, headers: dict[str, str]) -> None:
        meta = getattr(h, "fg_meta", None)
        if meta is not None:
            self.stats.record(meta["method"], meta["path"], meta["route"], meta["client"], status, meta["fault"])
        accept = h.headers.get("Accept-Encoding") or ""
        if data and status != 304 and "gzip" in accept and len(data) > 256:
            data = gzip.compress(data, compresslevel=1)
            headers = {**headers, "Content-Encoding": "gzip"}
        try:
            h.send_response(status)
            base = {
                "X-GitHub-Media-Type": "github.v3; format=json",
                "X-GitHub-Api-Version-Selected": "2022-11-28",
                "X-GitHub-Request-Id": uuid.uuid4().hex[:24].upper(),
                "Access-Control-Expose-Headers": EXPOSE,
                "Access-Control-Allow-Origin": "*",
                "Vary": "Accept-Encoding, Accept, X-Requested-With",
                "X-Content-Type-Options": "nosniff",
            }
            for key, value in {**base, **headers}.items():
                h.send_header(key, value)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            if data and h.command != "HEAD":
                if meta is not None and meta["fault"] == "truncated" and status < 300:
                    h.wfile.write(data[: max(1, len(data) // 2)])  # Content-Length promised more
                    h.wfile.flush()
                    h.close_connection = True
                    try:
                        h.connection.shutdown(socket.SHUT_WR)  # a clean end, short of what was announced
                    except OSError:
                        pass
                    return
                h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True


def _not_modified(headers: Any, etag: str, last_modified: str | None) -> bool:
    """RFC 9110: If-None-Match decides when present; otherwise If-Modified-Since."""
    if headers.get("If-None-Match"):
        return etag_matches(headers.get("If-None-Match"), etag)
    since, modified = headers.get("If-Modified-Since"), last_modified
    if not since or not modified:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def _encode(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body, ensure_ascii=False).encode()


def _cache(authenticated: bool) -> dict[str, str]:
    return {"Cache-Control": ("private" if authenticated else "public") + ", max-age=60, s-maxage=60"}


def _token(header: str | None) -> str | None:
    """The token of ``Authorization: token X`` or ``Bearer X``."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() in ("token", "bearer") and value.strip():
        return value.strip()
    return None


def _reset_connection(h: _Handler) -> None:
    """Close the socket with an RST (SO_LINGER 0): the client sees a reset, no answer."""
    h.close_connection = True
    try:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
    except OSError:
        pass
