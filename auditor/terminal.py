"""What the CLI draws on a terminal: progress bars and the coloured summary (rich).

Colour follows ``--color auto|always|never``: auto colours a terminal unless
``NO_COLOR`` is set (https://no-color.org); always and never say so whatever
the environment. Text that came from a dump or a host is printed as plain
``Text``, never parsed as rich markup.
"""

from __future__ import annotations

import os
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress as RichProgress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from auditor.progress import Progress

STATUS_STYLES = {
    "fail": "bold red", "warn": "yellow", "unknown": "dim", "pass": "green", "skip": "dim",
    "done": "green", "partial": "yellow", "interrupted": "yellow", "failed": "bold red",
    "ok": "green", "moved": "cyan", "not_found": "red", "blocked": "magenta", "error": "yellow",
}


def console(stream: TextIO, color: str = "auto") -> Console:
    """A console on ``stream`` honouring ``--color`` and NO_COLOR; lines are never re-wrapped."""
    if color == "always":
        return Console(file=stream, force_terminal=True, no_color=False, highlight=False, soft_wrap=True,
                       color_system="standard")
    if color == "never" or (color == "auto" and os.environ.get("NO_COLOR")):
        return Console(file=stream, no_color=True, color_system=None, highlight=False, soft_wrap=True)
    return Console(file=stream, highlight=False, soft_wrap=True)


def styled(*parts: Any) -> Text:
    """Text from plain strings and (string, style) pairs; nothing in a string is markup."""
    return Text.assemble(*parts)


def status_word(word: str) -> tuple[str, str]:
    return (word, STATUS_STYLES.get(word, ""))


class RateColumn(ProgressColumn):
    """Items per second (rich's own speed column is for bytes)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if not speed else (f"{speed:,.0f}/s" if speed >= 10 else f"{speed:.1f}/s"), style="cyan")


class BarProgress(Progress):
    """One bar per stage with count, rate and ETA, on a terminal (rich.progress)."""

    def __init__(self, stream: TextIO, color: str = "auto") -> None:
        self.bars = RichProgress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unit]}"),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console(stream, color),
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.bars.start()

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        self.tasks[stage] = self.bars.add_task(Text(stage).plain, total=total, unit=unit)

    def advance(self, stage: str, n: int = 1) -> None:
        if stage not in self.tasks:
            self.start(stage)
        self.bars.advance(self.tasks[stage], n)

    def finish(self, stage: str) -> None:
        task = self.tasks.get(stage)
        if task is not None:
            done = self.bars.tasks[[t.id for t in self.bars.tasks].index(task)].completed
            self.bars.update(task, total=done, completed=done)

    def close(self) -> None:
        self.bars.stop()
