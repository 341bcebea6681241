"""One retry policy for every host: transient faults are retried with
exponential backoff and jitter, and a server's ``retry-after`` is honoured.

Collectors raise :class:`TransientError` (or let httpx's transport errors
through); anything else is final and is recorded on the target.

A slow host must cost one deadline per target, not one per attempt: a
collector opens :func:`deadline_scope` around each target (or batch), every
attempt runs :func:`within_deadline`, and no retry starts whose wait would end
past the deadline. Time spent waiting for a primary rate limit (bounded by
``--max-wait``) is given back with :meth:`Deadline.extend`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, AsyncIterator, Awaitable, Callable, Iterator

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential_jitter,
)


class TransientError(Exception):
    """A fault worth retrying: 5xx, secondary rate limit, truncated body."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DeadlineExceeded(Exception):
    """The total deadline of one target passed: final, since another attempt would pass it too."""


class Deadline:
    """When one target's collection must be over (monotonic seconds)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self.ends = clock() + seconds

    def remaining(self) -> float:
        return self.ends - self._clock()

    def extend(self, seconds: float) -> None:
        """Give back time that was not the host's fault (a rate-limit wait)."""
        self.ends += max(0.0, seconds)

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(f"no complete answer within {self.seconds:g} s (the deadline for one target)")


_deadline: ContextVar[Deadline | None] = ContextVar("auditor_retry_deadline", default=None)


@contextmanager
def deadline_scope(seconds: float | None) -> Iterator[Deadline | None]:
    """Everything collected inside (this task only) shares one deadline of ``seconds``; None: no deadline."""
    token = _deadline.set(Deadline(seconds) if seconds else None)
    try:
        yield _deadline.get()
    finally:
        _deadline.reset(token)


def current_deadline() -> Deadline | None:
    return _deadline.get()


@asynccontextmanager
async def within_deadline() -> AsyncIterator[None]:
    """Bound one attempt by what is left of the current deadline (if any)."""
    deadline = _deadline.get()
    if deadline is None:
        yield
        return
    left = deadline.remaining()
    if left <= 0:
        raise deadline.exceeded()
    timeout = asyncio.timeout(left)
    try:
        async with timeout:
            yield
    except TimeoutError:
        if timeout.expired():
            raise deadline.exceeded() from None
        raise


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransientError):
        return True
    if isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)):
        return True
    # A 5xx or a cut connection can leave a body that is not JSON, or not even
    # UTF-8 (a multi-byte character cut in half).
    return isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError))


def _past_deadline(state: RetryCallState) -> bool:
    """Stop retrying when the next wait would end past the current deadline."""
    deadline = _deadline.get()
    return deadline is not None and deadline.remaining() <= (state.upcoming_sleep or 0.0)


def retry_after_seconds(headers: Any) -> float | None:
    """The wait a server asked for, if any: ``retry-after`` (seconds), else the ``t=``
    (seconds until the window resets) of an IETF ``RateLimit`` header, which the
    Hugging Face Hub sends with its 429s instead (``"api";r=0;t=55``)."""
    if headers is None:
        return None
    value = headers.get("retry-after")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            return None
    window = headers.get("ratelimit")
    match = re.search(r"(?:^|;)\s*t=(\d+(?:\.\d+)?)", window) if isinstance(window, str) else None
    return float(match.group(1)) if match else None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    initial: float = 0.5  # seconds before the first retry
    maximum: float = 30.0  # longest single wait
    total: float = 120.0  # give up on one request after this long
    max_retry_after: float = 300.0  # a retry-after longer than this is not waited for

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = getattr(exc, "retry_after", None)
        if asked is not None:
            wait = min(float(asked), self.max_retry_after)
            deadline = _deadline.get()
            if deadline is not None:  # the server said when to come back: not a slow host
                deadline.extend(wait)
            return wait
        return wait_exponential_jitter(multiplier=self.initial, max=self.maximum, jitter=self.initial)(state)

    def retrying(
        self,
        *,
        unless: Callable[[BaseException], bool] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        before_sleep: Callable[[RetryCallState], Any] | None = None,
    ) -> AsyncRetrying:
        """An ``async for attempt in policy.retrying(): with attempt: ...`` loop.

        ``unless`` exempts some transient faults from retrying (the caller
        handles them, e.g. by splitting a batch); ``sleep`` and
        ``before_sleep`` let a caller inject a clock and count retries.
        """

        def predicate(exc: BaseException) -> bool:
            return is_transient(exc) and not (unless is not None and unless(exc))

        extra: dict[str, Any] = {}
        if sleep is not None:
            extra["sleep"] = sleep
        if before_sleep is not None:
            extra["before_sleep"] = before_sleep
        return AsyncRetrying(
            retry=retry_if_exception(predicate),
            wait=self._wait,
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.total) | _past_deadline,
            reraise=True,
            **extra,
        )


#: Fast policy for tests against local servers (same logic, tiny waits).
FAST = RetryPolicy(attempts=5, initial=0.01, maximum=0.05, total=10.0, max_retry_after=0.2)
DEFAULT = RetryPolicy()
