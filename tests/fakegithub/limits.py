"""Primary rate limits per client and resource, as GitHub keeps them.

A client is a token (``token:...``) or, without one, the caller's address
(``anon:127.0.0.1``). REST requests spend the ``core`` bucket (60/h anonymous,
5000/h with a token); GraphQL spends points from ``graphql`` (5000/h); the
search API spends ``search`` (30 a minute with a token, 10 without; it resets
every minute), as GitHub's docs say ("Rate limit" in REST API endpoints for search).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Bucket:
    limit: int
    reset: int  # epoch seconds
    used: int = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def as_json(self) -> dict[str, int]:
        return {"limit": self.limit, "used": self.used, "remaining": self.remaining, "reset": self.reset}


@dataclass
class Limits:
    """Configurable limits; change them on a running server (``fake.limits.anonymous = 5``)."""

    anonymous: int = 60
    authenticated: int = 5000
    graphql: int = 5000
    search: int = 30  # a minute with a token; 10 without (GitHub's search resource)
    search_anonymous: int = 10
    window: int = 3600  # seconds until a bucket resets
    search_window: int = 60  # the search resource resets every minute
    clock: Callable[[], float] = time.time  # epoch seconds; a test may give a fake one
    _buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _limit(self, resource: str, authenticated: bool) -> int:
        if resource == "graphql":
            return self.graphql if authenticated else 0
        if resource == "search":
            return self.search if authenticated else self.search_anonymous
        return self.authenticated if authenticated else self.anonymous

    def bucket(self, client: str, resource: str, authenticated: bool) -> Bucket:
        """The client's bucket, renewed when its window has passed."""
        now = int(self.clock())
        with self._lock:
            b = self._buckets.get((client, resource))
            if b is None or b.reset <= now:
                window = self.search_window if resource == "search" else self.window
                b = Bucket(self._limit(resource, authenticated), now + window)
                self._buckets[(client, resource)] = b
            return b

    def spend(self, client: str, resource: str, authenticated: bool, points: int = 1) -> tuple[bool, Bucket]:
        """Spend points if the bucket holds them; (ok, bucket after)."""
        b = self.bucket(client, resource, authenticated)
        with self._lock:
            if b.remaining < points or b.remaining == 0:
                return False, b
            b.used += points
            return True, b

    def exhaust(self, client: str, resource: str, authenticated: bool) -> Bucket:
        """Spend everything left (what a test does to see the limit hit)."""
        b = self.bucket(client, resource, authenticated)
        with self._lock:
            b.used = b.limit
        return b

    def reset(self, *, defaults: bool = False) -> None:
        """Forget every bucket (and, with ``defaults``, the configured limits too)."""
        with self._lock:
            self._buckets.clear()
            if defaults:
                fresh = Limits()
                self.anonymous, self.authenticated, self.graphql = fresh.anonymous, fresh.authenticated, fresh.graphql
                self.search, self.window = fresh.search, fresh.window
                self.search_anonymous, self.search_window = fresh.search_anonymous, fresh.search_window
                self.clock = fresh.clock

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {f"{c}|{r}": b.as_json() for (c, r), b in self._buckets.items()}


def headers(b: Bucket, resource: str) -> dict[str, str]:
    """The x-ratelimit-* headers GitHub sends with every answer."""
    return {
        "x-ratelimit-limit": str(b.limit),
        "x-ratelimit-remaining": str(b.remaining),
        "x-ratelimit-reset": str(b.reset),
        "x-ratelimit-used": str(b.used),
        "x-ratelimit-resource": resource,
    }
