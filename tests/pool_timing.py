"""Papers that take their time to pickle or to unpickle, to put a process pool in a given state.

Imported by the pool's workers too (by name, from the tests folder on ``sys.path``), so it
imports nothing but the product's models.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from auditor.models import Paper


def arrive(paper: Paper, seconds: float, busy: str | None) -> Paper:
    """Unpickling, in the worker that took the task: it says so in the folder ``busy`` (a file named
    after its process), is busy for ``seconds``, then has a plain paper."""
    if busy is not None:
        (Path(busy) / str(os.getpid())).touch()
    time.sleep(seconds)
    return paper


class SlowPaper:
    """Pickled in ``pickling`` seconds (by the thread sending the task; once ``after``'s folder holds
    its count of files, when given), unpickled in ``unpickling`` (by the worker taking it, which
    says so in ``busy``, see :func:`arrive`); a plain :class:`Paper` on arrival."""

    def __init__(self, paper: Paper, pickling: float = 0.0, unpickling: float = 0.0, busy: Path | None = None,
                 after: tuple[Path, int] | None = None) -> None:
        self.paper, self.pickling, self.unpickling, self.busy, self.after = paper, pickling, unpickling, busy, after

    def __reduce__(self) -> tuple[Any, ...]:
        if self.after is not None:
            wait_for_files(*self.after)
        time.sleep(self.pickling)
        return arrive, (self.paper, self.unpickling, None if self.busy is None else str(self.busy))


def wait_for_files(folder: Path, count: int, seconds: float = 10.0) -> None:
    """Until ``folder`` holds ``count`` files (or ``seconds`` passed)."""
    deadline = time.monotonic() + seconds
    while len(list(folder.iterdir())) < count and time.monotonic() < deadline:
        time.sleep(0.005)


def big_result(size: int) -> str:
    """A result the worker takes a while to send: ``size`` characters."""
    return "x" * size
