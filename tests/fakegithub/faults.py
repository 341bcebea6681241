"""Fault injection: what can go wrong between a client and GitHub, on demand.

Set on a running server (``fake.faults.update(error_rate=0.2, seed=7)``) or
queue exact faults for the next requests (``fake.faults.next("502", "reset")``).
Random faults are deterministic: request number n (counted from the last
reset) draws from ``random.Random(f"{seed}:{n}")``, whatever the threads do.

Kinds: "500", "502", "503" (server errors; 502 has an HTML body as GitHub's
front end sends), "reset" (connection closed without an answer), "malformed"
(a JSON body cut in half, status 200), "secondary" (403 + retry-after and the
secondary rate limit message), "secondary429", "exhausted" (primary limit
spent: REST 403 (or ``primary_status`` 429) with remaining 0 and the reset,
GraphQL 200 with RATE_LIMITED), "slow" (waits ``slow_seconds`` before
answering), "truncated" (the full Content-Length is announced, half the body
is sent, the connection closes), "html200" (status 200 with an HTML page, as
a proxy or captive portal sends), "partial" (GraphQL only: an answer with
``data`` and ``errors``, in the shape ``partial_shape`` names, see
:func:`make_partial`). ``always`` gives every request one kind.

Too heavy a query: ``heavy_above=N`` makes every GraphQL query that asks
for more than N repositories or owners fail the way GitHub answers a query
over its limits, one of ``heavy_kind``:

* "node_limit": 200, ``{"errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED",
  "message": "This query requests up to 1,010,000 possible nodes which
  exceeds the maximum limit of 500,000."}]}``, no data, nothing spent
  (GitHub's documented node limit; message as in semantic-release/github#911);
* "resource_limits": 200 with partial data: the aliases after the N-th lose
  their ``root`` listing (null) and each gets ``{"type":
  "RESOURCE_LIMITS_EXCEEDED", "path": [alias, "root"], "message": "Resource
  limits for this query exceeded."}`` (GitHub changelog 2025-09-01 "GraphQL API
  resource limits": partial results with errors; shape as reported in
  yoshi389111/github-profile-3d-contrib#163);
* "timeout": 502 with a JSON body ``{"data": null, "errors": [{"message":
  "Something went wrong while executing your query. This may be the result of
  a timeout, or it could be a GitHub bug. Please include `ID` when reporting
  this issue."}]}`` (as decaporg/decap-cms#6570 and sorenlouv/backport#479
  recorded it); the points are spent (GitHub changelog 2025-07-21).
"""

from __future__ import annotations

import random
import re
import threading
from collections import deque
from dataclasses import dataclass, field, fields
from typing import Any

HEAVY_KINDS = ("node_limit", "resource_limits", "timeout")
KINDS = ("500", "502", "503", "reset", "malformed", "secondary", "secondary429", "exhausted", "slow",
         "truncated", "html200", "partial")
PARTIAL_SHAPES = ("node", "nested", "general")


@dataclass
class Faults:
    seed: int = 0
    latency: float = 0.0  # seconds added to every answer
    latency_jitter: float = 0.0  # plus up to this much, drawn per request
    error_rate: float = 0.0  # fraction answered with a 5xx from error_statuses
    error_statuses: tuple[int, ...] = (502, 503, 500)
    reset_rate: float = 0.0  # fraction whose connection is closed without an answer
    malformed_rate: float = 0.0  # fraction whose JSON body is cut short
    secondary_rate: float = 0.0  # fraction hit by the secondary rate limit
    secondary_status: int = 403  # 403 or 429
    retry_after: int = 60  # seconds, sent with secondary limits
    exhausted: bool = False  # the primary rate limit is spent for everyone
    slow_seconds: float = 2.0  # how long a "slow" fault waits
    first_n: int | None = None  # random faults only for the first N requests
    paths: tuple[str, ...] = ()  # random faults only where a regex matches the path
    graphql_rate_limit_type: str = "RATE_LIMITED"  # newer GitHub sends "RATE_LIMIT"
    heavy_above: int | None = None  # GraphQL queries for more repositories than this are too heavy
    heavy_kind: str = "node_limit"  # how GitHub says so: one of HEAVY_KINDS
    primary_status: int = 403  # a spent REST limit: GitHub documents 403 or 429
    partial_shape: str = "node"  # what a "partial" GraphQL answer looks like (PARTIAL_SHAPES)
    always: str | None = None  # this fault on every request not given a queued one
    _queue: deque[str] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _released: threading.Event = field(default_factory=threading.Event, repr=False)

    def update(self, **changes: Any) -> "Faults":
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        for key, value in changes.items():
            if key not in names:
                raise AttributeError(f"unknown fault setting {key!r}; known: {sorted(names)}")
            if key == "heavy_kind" and value not in HEAVY_KINDS:
                raise ValueError(f"unknown heavy_kind {value!r}; known: {HEAVY_KINDS}")
            if key == "always" and value is not None and value not in KINDS:
                raise ValueError(f"unknown fault {value!r}; known: {KINDS}")
            if key == "partial_shape" and value not in PARTIAL_SHAPES:
                raise ValueError(f"unknown partial shape {value!r}; known: {PARTIAL_SHAPES}")
            if key in ("error_statuses", "paths") and not isinstance(value, tuple):
                value = tuple(value) if not isinstance(value, (str, int)) else (value,)
            setattr(self, key, value)
        return self

    def next(self, *kinds: str) -> "Faults":
        """Queue faults for the next requests, in order (None or "ok" = no fault)."""
        for kind in kinds:
            kind = "ok" if kind is None else str(kind)
            if kind not in KINDS + ("ok",):
                raise ValueError(f"unknown fault {kind!r}; known: {KINDS}")
            with self._lock:
                self._queue.append(kind)
        return self

    def hold(self, seconds: float) -> None:
        """Wait as a "slow" answer does: ``seconds``, or until :meth:`release`."""
        self._released.wait(seconds)

    def release(self) -> None:
        """End every "slow" wait now (a test that killed the client lets the server's threads go)."""
        self._released.set()

    def clear(self) -> None:
        """No faults at all (what a new test starts with)."""
        self._released.set()  # a wait left from the last test ends
        self._released = threading.Event()
        defaults = Faults()
        for f in fields(self):
            if not f.name.startswith("_"):
                setattr(self, f.name, getattr(defaults, f.name))
        with self._lock:
            self._queue.clear()

    @property
    def pending(self) -> int:
        return len(self._queue)

    def decide(self, n: int, path: str) -> tuple[str | None, float]:
        """The fault (or None) and the latency for request number ``n`` (0-based)."""
        rng = random.Random(f"{self.seed}:{n}")
        delay = self.latency + (rng.random() * self.latency_jitter if self.latency_jitter else 0.0)
        with self._lock:
            if self._queue:
                kind = self._queue.popleft()
                return (None if kind == "ok" else kind), delay
        if self.always is not None:
            return self.always, delay
        if self.exhausted:
            return "exhausted", delay
        if self.first_n is not None and n >= self.first_n:
            return None, delay
        if self.paths and not any(re.search(p, path) for p in self.paths):
            return None, delay
        draw = rng.random()
        for rate, kind in (
            (self.reset_rate, "reset"),
            (self.error_rate, str(rng.choice(self.error_statuses)) if self.error_statuses else "502"),
            (self.malformed_rate, "malformed"),
            (self.secondary_rate, "secondary" if self.secondary_status == 403 else "secondary429"),
        ):
            if draw < rate:
                return kind, delay
            draw -= rate
        return None, delay


BAD_GATEWAY_HTML = """<html><body><h1>502 Bad Gateway</h1>
The server returned an invalid or incomplete response.
</body></html>
"""

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID {request_id}."
)
SECONDARY_DOC = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
PRIMARY_DOC = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"


def primary_message(authenticated: bool, client: str, user_id: int) -> str:
    """GitHub's REST message when the primary limit is spent."""
    if authenticated:
        return f"API rate limit exceeded for user ID {user_id}."
    address = client.split(":", 1)[-1]
    return (
        f"API rate limit exceeded for {address}. (But here's the good news: Authenticated requests get a "
        "higher rate limit. Check out the documentation for more details.)"
    )


#: A 200 that is not GitHub's: what a proxy, captive portal or login wall answers instead.
PROXY_HTML = """<!DOCTYPE html><html><head><title>Network login required</title></head>
<body><p>Sign in to the network to continue.</p></body></html>
"""

#: The message GitHub gives a field that failed while the rest of the query stood (its request id varies).
SOMETHING_WRONG = ("Something went wrong while executing your query. This may be the result of a timeout, or it "
                   "could be a GitHub bug. Please include `{request_id}` when reporting this issue.")


def make_partial(body: dict[str, Any], shape: str, request_id: str) -> dict[str, Any]:
    """A GraphQL answer with some of its data failed, in one of GitHub's partial shapes.

    GraphQL keeps what resolved and nulls what failed, up to the nearest nullable
    field, listing each failure in ``errors`` (spec section 6.4.4; GitHub's answer
    to a missing repository is the same shape with ``type: NOT_FOUND``):

    * ``node``: the first repository alias that had data is null, with an error
      whose ``path`` is that alias and that is not NOT_FOUND (the node failed);
    * ``nested``: in that alias, ``defaultBranchRef.target`` is null (the commit
      history under it failed: ``history`` is non-null, so the null reaches
      ``target``), with the error's path down to ``history``;
    * ``general``: that alias is null and the only error has no ``path``.
    """
    data = body.get("data")
    if not isinstance(data, dict):
        return body
    alias = next((k for k, v in data.items() if k != "rateLimit" and isinstance(v, dict)), None)
    if alias is None:
        return body
    message = SOMETHING_WRONG.format(request_id=request_id)
    errors = list(body.get("errors") or [])
    node = data[alias]
    if shape == "nested" and isinstance(node.get("defaultBranchRef"), dict):
        node["defaultBranchRef"] = {**node["defaultBranchRef"], "target": None}
        errors.append({"path": [alias, "defaultBranchRef", "target", "history"], "locations": [{"line": 1, "column": 1}],
                       "message": message})
    elif shape == "general":
        data[alias] = None
        errors.append({"message": message})
    else:
        data[alias] = None
        errors.append({"path": [alias], "locations": [{"line": 1, "column": 1}], "message": message})
    return {**body, "data": data, "errors": errors}
