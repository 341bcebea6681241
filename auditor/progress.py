"""Progress of a run's stages, told to whoever shows it (a terminal bar, CI log lines, nothing).

The pipeline calls ``start(stage, total, unit)``, ``advance(stage, n)`` and
``finish(stage)``; it never knows how progress is shown. A plain function of
one message (the older form) still works: :func:`as_progress` wraps it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, TextIO


class Progress:
    """Does nothing; the base of every display (``-q`` uses it as is)."""

    def __call__(self, message: str) -> None:
        """A free-text note (older callers)."""

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        """A stage begins; ``total`` is None when the count is not known ahead."""

    def advance(self, stage: str, n: int = 1) -> None:
        """``n`` more items of ``stage`` are done."""

    def finish(self, stage: str) -> None:
        """The stage is over (also called for a stage that did nothing)."""

    def close(self) -> None:
        """The run is over: release the display."""


class _Wrapped(Progress):
    def __init__(self, fn: Callable[[str], None]) -> None:
        self.fn = fn
        self.done: dict[str, int] = {}
        self.totals: dict[str, int | None] = {}

    def __call__(self, message: str) -> None:
        self.fn(message)

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        self.done[stage], self.totals[stage] = 0, total

    def advance(self, stage: str, n: int = 1) -> None:
        self.done[stage] = self.done.get(stage, 0) + n
        total = self.totals.get(stage)
        self.fn(f"{stage} {self.done[stage]}" + (f"/{total}" if total is not None else ""))


def as_progress(value: Progress | Callable[[str], None] | None) -> Progress:
    """A Progress from what a caller passed: a Progress, a message function, or None."""
    if value is None:
        return Progress()
    if isinstance(value, Progress):
        return value
    return _Wrapped(value)


@dataclass
class _Stage:
    total: int | None
    unit: str
    started: float
    done: int = 0
    last_line: float = field(default=0.0)


class PlainProgress(Progress):
    """Progress as plain lines for a log (CI): one when a stage ends, one every ``every`` seconds between.

    ``read: 313 records in 0.4 s (780/s)``; ``collect github: 400/1000 targets, 35/s, ETA 17 s``.
    No carriage returns or escape codes, so a log file reads as it was printed.
    """

    def __init__(self, stream: TextIO, every: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.every, self.clock = stream, every, clock
        self.stages: dict[str, _Stage] = {}

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        now = self.clock()
        self.stages[stage] = _Stage(total, unit, now, last_line=now)

    def advance(self, stage: str, n: int = 1) -> None:
        s = self.stages.get(stage)
        if s is None:
            self.start(stage)
            s = self.stages[stage]
        s.done += n
        now = self.clock()
        if now - s.last_line >= self.every:
            s.last_line = now
            self._line(f"{stage}: {describe(s.done, s.total, s.unit, now - s.started, running=True)}")

    def finish(self, stage: str) -> None:
        s = self.stages.pop(stage, None)
        if s is None:
            return
        self._line(f"{stage}: {describe(s.done, s.total, s.unit, self.clock() - s.started, running=False)}")


def describe(done: int, total: int | None, unit: str, elapsed: float, *, running: bool) -> str:
    """``400/1000 targets, 35/s, ETA 17 s`` while running; ``1000 targets in 28.6 s (35/s)`` at the end."""
    rate = done / elapsed if elapsed > 0 else 0.0
    unit = f" {unit}" if unit else ""
    if running:
        count = f"{done}/{total}{unit}" if total is not None else f"{done}{unit}"
        eta = f", ETA {_seconds((total - done) / rate)}" if total is not None and rate > 0 and done < total else ""
        return f"{count}, {_rate(rate)}/s{eta}"
    return f"{done}{unit} in {elapsed:.1f} s ({_rate(rate)}/s)"


def _rate(rate: float) -> str:
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


def _seconds(s: float) -> str:
    return f"{s:.0f} s" if s < 90 else f"{int(s // 60)} min {int(s % 60):02d} s"


def for_stream(stream: Any, *, quiet: bool, terminal: bool | None = None) -> Progress:
    """The display for ``stream``: bars on a terminal (rich), log lines elsewhere, nothing when quiet."""
    if quiet:
        return Progress()
    if terminal is None:
        terminal = bool(getattr(stream, "isatty", lambda: False)())
    if terminal:
        from auditor.terminal import BarProgress

        return BarProgress(stream)
    return PlainProgress(stream)
