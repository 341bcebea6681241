"""A tiny HTTP server on 127.0.0.1 for tests: fake Hub, forges, web pages.

Routes map a path (without query) to a function of the request that returns
a :class:`Reply`. The server runs in a thread, so async code under test talks
to it over a real socket, exactly like to a remote host.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Mapping
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    chunks: int = 0  # >0: stream the body this many times (chunked encoding), no length
    chunk_delay: float = 0.0
    cut: bool = False  # announce the whole Content-Length, send half the body, close (a truncated answer)
    reset: bool = False  # close the connection with an RST, no answer at all

    @classmethod
    def json(cls, data: Any, status: int = 200, **kw: Any) -> "Reply":
        headers = {"content-type": "application/json", **kw.pop("headers", {})}
        return cls(status=status, body=json.dumps(data), headers=headers, **kw)

    @classmethod
    def html(cls, text: str, status: int = 200, **kw: Any) -> "Reply":
        return cls(status=status, body=text, headers={"content-type": "text/html; charset=utf-8"}, **kw)

    @classmethod
    def redirect(cls, location: str, status: int = 302) -> "Reply":
        return cls(status=status, headers={"location": location})


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes = b""  # a POST's body, read in full so the connection can be reused


Route = Callable[[Seen], Reply]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that hung up early: expected in bound/timeout tests
        super().handle_error(request, client_address)


class LocalServer:
    """``with LocalServer(routes) as srv: srv.url('/x')``; ``srv.seen`` lists requests."""

    def __init__(self, routes: Mapping[str, Route | Reply] | None = None) -> None:
        self.routes: dict[str, Route | Reply] = dict(routes or {})
        self.seen: list[Seen] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall between headers and body

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length > 0 else b""
                seen = Seen(self.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body)
                owner.seen.append(seen)
                route = owner.routes.get(parts.path) or owner.routes.get("*")
                reply = Reply(404, "not here") if route is None else (route if isinstance(route, Reply) else route(seen))
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                if reply.reset:
                    self.close_connection = True
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    return
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    if reply.chunks:
                        self.send_header("transfer-encoding", "chunked")
                        self.end_headers()
                        for _ in range(reply.chunks):
                            self.wfile.write(f"{len(body):x}\r\n".encode() + body + b"\r\n")
                            self.wfile.flush()
                            if reply.chunk_delay:
                                time.sleep(reply.chunk_delay)
                        self.wfile.write(b"0\r\n\r\n")
                    else:
                        self.send_header("content-length", str(len(body)))
                        self.end_headers()
                        if self.command != "HEAD" and reply.cut:
                            self.wfile.write(body[: max(1, len(body) // 2)])
                            self.wfile.flush()
                            self.close_connection = True
                            self.connection.shutdown(socket.SHUT_WR)
                        elif self.command != "HEAD":
                            self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client stopped reading: that is what some tests want

            do_GET = _serve
            do_HEAD = _serve
            do_POST = _serve

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def __enter__(self) -> "LocalServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


# --------------------------------------------------------------------------- faults

#: What can go wrong between a client and a host, as :class:`Faulty` injects it.
FAULT_KINDS = ("500", "502", "503", "reset", "truncated", "malformed", "html200", "timeout", "429", "429-window")

#: Seconds a "timeout" fault waits before answering (tests set the client's read timeout below it).
TIMEOUT_DELAY = 0.5


def fault_reply(kind: str, good: Reply) -> Reply:
    """The answer ``kind`` gives instead of ``good`` (what the route would have said)."""
    body = good.body.encode() if isinstance(good.body, str) else good.body
    if kind in ("500", "503"):
        return Reply.json({"error": "Internal Error" if kind == "500" else "Service Unavailable"}, status=int(kind))
    if kind == "502":
        return Reply.html("<html><body><h1>502 Bad Gateway</h1></body></html>", status=502)
    if kind == "reset":
        return Reply(reset=True)
    if kind == "truncated":
        return Reply(good.status, body, headers=good.headers, cut=True)
    if kind == "malformed":  # a JSON body cut in half, with a length that matches what is sent
        return Reply(good.status, body[: max(1, len(body) // 2)], headers=good.headers)
    if kind == "html200":  # a proxy's or captive portal's page instead of the API's answer
        return Reply.html("<!DOCTYPE html><html><head><title>Network login required</title></head><body>Sign in.</body></html>")
    if kind == "timeout":
        return replace(good, delay=TIMEOUT_DELAY)
    if kind == "429":  # a rate limit that says when to come back
        return Reply.json({"error": "Too Many Requests"}, status=429, headers={"retry-after": "1"})
    if kind == "429-window":  # the Hub's own shape: IETF RateLimit headers, no retry-after
        return Reply(429, "Too Many Requests", headers={"ratelimit": '"api";r=0;t=1',
                                                       "ratelimit-policy": '"fixed window";"api";q=1000;w=300'})
    raise ValueError(f"unknown fault {kind!r}; known: {FAULT_KINDS}")


class Faulty:
    """A route that answers with faults first: ``next(...)`` queues kinds in order, ``always`` hits every request."""

    def __init__(self, route: Route | Reply) -> None:
        self.route = route
        self.queue: list[str] = []
        self.always: str | None = None
        self.faults = 0

    def next(self, *kinds: str) -> "Faulty":
        for kind in kinds:
            fault_reply(kind, Reply())  # unknown kinds fail here, not in the server thread
        self.queue.extend(kinds)
        return self

    def __call__(self, seen: Seen) -> Reply:
        good = self.route if isinstance(self.route, Reply) else self.route(seen)
        kind = self.queue.pop(0) if self.queue else self.always
        if kind is None:
            return good
        self.faults += 1
        return fault_reply(kind, good)
