"""Several GitHub tokens (``GITHUB_TOKENS``), each with its own budget, used in turn.

The bound of a large audit is GitHub's hourly budget (5,000 points per token),
not CPU. With several tokens the collector uses one until GitHub says its
budget is spent, then moves on to the next whose budget is not known to be
spent, keeping what it learnt of each token's budget (remaining, reset) so
that it never sends a request with a token known to be spent; only when
every token is spent does it wait (or stop with partial results) until the
earliest reset. OpenSSF Scorecard's cron spreads its tokens the same way.

A token only ever goes where the one token went: the configured API origins
(``RecordingAPI`` refuses any other).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.hosts.github_client import GitHubSettings

Rates = dict[str, Any]  # resource -> github_rest.RateInfo | None, as GitHubCollector keeps them


def parse_tokens(value: str | None) -> tuple[str, ...]:
    """``GITHUB_TOKENS``: comma-separated (spaces and empty items ignored), each once, in order."""
    seen: dict[str, None] = {}
    for part in (value or "").split(","):
        token = part.strip()
        if token:
            seen.setdefault(token)
    return tuple(seen)


class TokenRing:
    """One GitHubSettings per token and what is known of each token's budgets."""

    def __init__(self, settings: "GitHubSettings") -> None:
        tokens = tuple(getattr(settings, "tokens", ()) or ()) or ((settings.token,) if settings.token else ())
        if len(tokens) > 1:
            self.settings = [replace(settings, token=t, tokens=tokens) for t in tokens]
        else:
            self.settings = [settings]
        self.rates: list[Rates] = [{"core": None, "graphql": None} for _ in self.settings]
        self.current = 0
        self.switches = 0

    def __len__(self) -> int:
        return len(self.settings)

    def next_unspent(self, resource: str, rates_now: Rates, now: datetime) -> int | None:
        """Keep the current token's budgets; the next token whose ``resource`` budget is not known spent."""
        self.rates[self.current] = dict(rates_now)
        for step in range(1, len(self)):
            i = (self.current + step) % len(self)
            if not _spent(self.rates[i].get(resource), now):
                return i
        return None

    def earliest_reset(self, resource: str) -> int:
        """The token whose ``resource`` budget comes back first (every one is spent)."""
        def reset(i: int) -> datetime:
            info = self.rates[i].get(resource)
            return info.reset_at if info is not None and info.reset_at is not None else datetime.max.replace(tzinfo=None)
        return min(range(len(self)), key=lambda i: _naive(reset(i)))

    def switch(self, i: int) -> tuple["GitHubSettings", Rates]:
        """Use token ``i`` from now on: its settings and its known budgets."""
        if i != self.current:
            self.switches += 1
        self.current = i
        return self.settings[i], dict(self.rates[i])


def _spent(info: Any, now: datetime) -> bool:
    return info is not None and info.remaining <= 0 and (info.reset_at is None or info.reset_at > now)


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None) if value.tzinfo is not None else value
