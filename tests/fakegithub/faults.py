"""Fault injection: what can go wrong between a client and GitHub, on demand.

Set on a running server (``fake.faults.update(error_rate=0.2, seed=7)``) or
queue exact faults for the next requests (``fake.faults.next("502", "reset")``).
Random faults are deterministic: request number n (counted from the last
reset) draws from ``random.Random(f"{seed}:{n}")``, whatever the threads do.

Kinds: "500", "502", "503" (server errors; 502 has an HTML body as GitHub's
front end sends), "reset" (connection closed without an answer), "malformed"
(a JSON body cut in half, status 200), "secondary" (403 + retry-after and the
secondary rate limit message), "secondary429", "exhausted" (primary limit
spent: REST 403 with remaining 0, GraphQL 200 with RATE_LIMITED), "slow"
(waits ``slow_seconds`` before answering).
"""

from __future__ import annotations

import random
import re
import threading
from collections import deque
from dataclasses import dataclass, field, fields
from typing import Any

KINDS = ("500", "502", "503", "reset", "malformed", "secondary", "secondary429", "exhausted", "slow")


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
    _queue: deque[str] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def update(self, **changes: Any) -> "Faults":
        names = {f.name for f in fields(self) if not f.name.startswith("_")}
        for key, value in changes.items():
            if key not in names:
                raise AttributeError(f"unknown fault setting {key!r}; known: {sorted(names)}")
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

    def clear(self) -> None:
        """No faults at all (what a new test starts with)."""
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
