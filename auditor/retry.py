"""One retry policy for every host: transient faults are retried with
exponential backoff and jitter, and a server's ``retry-after`` is honoured.

Collectors raise :class:`TransientError` (or let httpx's transport errors
through); anything else is final and is recorded on the target.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

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


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransientError):
        return True
    if isinstance(exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)):
        return True
    # A 5xx or a cut connection can leave a body that is not JSON.
    return isinstance(exc, json.JSONDecodeError)


def retry_after_seconds(headers: Any) -> float | None:
    """The wait a server asked for, from ``retry-after`` (seconds), if any."""
    value = headers.get("retry-after") if headers is not None else None
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


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
            return min(float(asked), self.max_retry_after)
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
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.total),
            reraise=True,
            **extra,
        )


#: Fast policy for tests against local servers (same logic, tiny waits).
FAST = RetryPolicy(attempts=5, initial=0.01, maximum=0.05, total=10.0, max_retry_after=0.2)
DEFAULT = RetryPolicy()
