"""What every collector offers the pipeline.

A collector knows one host and nothing of checks. It is given many targets
at once so that it can batch (GraphQL aliases, one listing per organisation)
and yields Facts as they arrive, so the pipeline can store them at once and
an interrupted run loses nothing already fetched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import AsyncIterator, Protocol, Sequence

from auditor.models import Facts, Target
from auditor.redaction import redact


@dataclass(frozen=True)
class TargetRequest:
    """A target to collect, with the tree/blob paths its links ask about."""

    target: Target
    subpaths: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # (ref, path)
    etag: str | None = None  # from the cached facts, for a conditional request
    cached: Facts | None = None  # returned as is when the host answers 304
    #: Extras (github_resume.REST_EXTRAS) still missing from ``cached``, whose core facts are
    #: within --max-age: only these are fetched and merged in. Empty: collect the target whole.
    resume: frozenset[str] = field(default_factory=frozenset)


class RateLimited(Exception):
    """The host's primary rate limit is spent until ``reset_at`` (beyond --max-wait)."""

    def __init__(self, reset_at: datetime, message: str = "") -> None:
        self.reset_at = reset_at
        super().__init__(message or f"rate limited until {reset_at:%H:%M} UTC")


class Collector(Protocol):
    """One host's fact collector."""

    #: Target kinds this collector serves.
    kinds: frozenset[str]

    def collect(self, requests: Sequence[TargetRequest]) -> AsyncIterator[Facts]:
        """Yield one Facts per request, in any order.

        A fault on one target is recorded on its Facts (status "error") and
        the rest goes on. When the primary rate limit is spent beyond the
        allowed wait, yield "unknown" facts ("rate limited until HH:MM") for
        everything not collected and set :attr:`rate_limited_until`.
        """
        ...


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def unknown_facts(target_key: str, reason: str) -> Facts:
    """Facts that say only why nothing is known (offline, rate limited, skipped)."""
    return Facts(target_key=target_key, status="unknown", fetched_at=now_utc(), error=redact(reason))
