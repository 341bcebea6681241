"""Per-host reachability: only a host's own answer can make its link dead.

The web and forge collectors meet many hosts, so no single probe can say
whether "the internet" is up: GitHub's API answering proves nothing on a
GitHub Enterprise network or an egress-restricted CI runner. What a run
learns instead:

* a host that sent any HTTP answer proves that this machine reaches the web;
* a DNS failure, a refused connection, a reset or a timeout says nothing
  about the link while no peer answered either: such failures are held back
  and, when no host at all answered in the run, reported as ``unknown``
  ("no web host answered ..."); once a peer answered they are the host's own
  ``error`` (not a verdict either: retried on the next run);
* NXDOMAIN ("no such host") is believed only from a resolver that resolves
  other public names (the *witnesses*); otherwise it is ``unknown`` too;
* after ``offline_after`` distinct hosts failed with none answering, the rest
  are not tried: the machine is taken to be offline, with that reason.

One :class:`Reachability` is shared by the collectors of a run (web and forges).
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import replace
from typing import AsyncIterator, Sequence

import httpx

from auditor.models import Facts
from auditor.retry import DeadlineExceeded

#: Public names any working resolver resolves (one is enough).
DEFAULT_WITNESSES = ("example.com", "doi.org", "github.com")
#: Facts.data key marking facts that wait for the run's verdict on connectivity.
HELD = "network_failure"


def is_network_failure(exc: BaseException) -> bool:
    """A fault of the path to the host, not an answer from it."""
    return isinstance(exc, (httpx.TransportError, DeadlineExceeded, OSError)) and not isinstance(
        exc, (httpx.UnsupportedProtocol, httpx.DecodingError)
    )


class Reachability:
    """What one run has learnt about reaching hosts."""

    def __init__(self, witnesses: Sequence[str] = DEFAULT_WITNESSES, *, offline_after: int = 5, timeout: float = 5.0) -> None:
        self.witnesses = tuple(witnesses)
        self.offline_after = offline_after
        self.timeout = timeout
        self.answered: set[str] = set()
        self.failed: dict[str, str] = {}  # host -> why it could not be reached
        self.unreachable: dict[str, str] = {}  # hosts that refused or never connected: not tried again
        self._resolver: bool | None = None
        self._resolver_lock = asyncio.Lock()

    # ------------------------------------------------------------------ what happened

    def answer_from(self, host: str) -> None:
        self.answered.add(host.lower())

    def failure_on(self, host: str, reason: str, *, connect: bool = False) -> None:
        """``host`` failed; ``connect``: before any byte was exchanged (DNS, refused, connect
        timeout), so its other links would fail the same way and are not tried again."""
        self.failed.setdefault(host.lower(), reason)
        if connect:
            self.unreachable.setdefault(host.lower(), reason)

    def skip_reason(self, host: str) -> str | None:
        """Why ``host`` is not tried: the machine looks offline, or it could not be connected to."""
        if self.offline:
            return self.offline_reason()
        host = host.lower()
        return None if host in self.answered else self.unreachable.get(host)

    @property
    def online(self) -> bool:
        """Some host answered in this run."""
        return bool(self.answered)

    @property
    def offline(self) -> bool:
        """Enough distinct hosts failed, and none answered: stop trying."""
        return not self.answered and len(self.failed) >= self.offline_after

    def offline_reason(self) -> str | None:
        """One line for the run's summary when no host answered although some were tried."""
        if self.answered or not self.failed:
            return None
        hosts = sorted(self.failed)
        shown = ", ".join(hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
        return f"offline: no web host answered ({shown}: {self.failed[hosts[0]]})"

    # ------------------------------------------------------------------ NXDOMAIN

    async def resolver_works(self) -> bool:
        """True when the resolver resolves at least one witness name (asked once per run)."""
        async with self._resolver_lock:
            if self._resolver is None:
                self._resolver = await self._any_witness_resolves()
            return self._resolver

    async def _any_witness_resolves(self) -> bool:
        loop = asyncio.get_running_loop()

        async def one(name: str) -> bool:
            try:
                infos = await asyncio.wait_for(loop.getaddrinfo(name, 443, type=socket.SOCK_STREAM), self.timeout)
            except (OSError, asyncio.TimeoutError):
                return False
            return bool(infos)

        results = await asyncio.gather(*(one(name) for name in self.witnesses))
        return any(results)

    # ------------------------------------------------------------------ verdicts on held facts

    async def settle(self, stream: AsyncIterator[Facts]) -> AsyncIterator[Facts]:
        """Pass facts through, holding network failures until some host has answered.

        Held facts leave as ``error`` (the host's own failure) once a peer
        answered, or as ``unknown`` at the end when none did.
        """
        held: list[Facts] = []
        async for facts in stream:
            if facts.data.get(HELD) and not self.online:
                held.append(facts)
                continue
            yield facts
            if held and self.online:
                for waiting in held:
                    yield waiting
                held.clear()
        reason = self.offline_reason() if not self.online else None
        for waiting in held:
            yield self.as_unknown(waiting, reason) if reason else waiting

    @staticmethod
    def as_unknown(facts: Facts, reason: str) -> Facts:
        own = facts.error or ""
        data = {**facts.data, "reachable": None, "reachable_reason": f"{reason}; this host: {own}" if own else reason}
        return replace(facts, status="unknown", data=data, error=data["reachable_reason"][:300])

