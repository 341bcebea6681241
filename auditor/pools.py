"""The process pools of extraction and checking, started so that a Ctrl-C cannot kill them half-born.

A terminal sends Ctrl-C's SIGINT to every process of the foreground group. A pool's
forkserver is a new interpreter: a SIGINT during its start-up (the ``site`` import, its own
imports) printed ``Fatal Python error: init_import_site`` or a KeyboardInterrupt traceback
under the run's one-line message. The pool is created with SIGINT blocked in the calling
thread, and the forkserver and its workers inherit that mask, as CPython starts its resource
tracker (bpo-33613); they never take a SIGINT, which is the parent's to handle (it settles
or terminates the pool). A Ctrl-C meanwhile waits in the parent and is raised when the mask
is restored, inside the ``with``, so the pool is terminated as after any Ctrl-C.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from contextlib import contextmanager
from multiprocessing import resource_tracker
from multiprocessing.pool import Pool
from typing import Any, Iterator

_SIGMASK = hasattr(signal, "pthread_sigmask")  # not on Windows


@contextmanager
def process_pool(jobs: int, **kwargs: Any) -> Iterator[Pool]:
    """``multiprocessing.Pool(jobs, **kwargs)`` (forkserver on POSIX, spawn elsewhere), terminated when the block ends."""
    ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    if _SIGMASK:
        # Started first: starting it unblocks SIGINT in this thread (its own guard), which
        # would undo ours before the forkserver is started.
        resource_tracker.ensure_running()
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if _SIGMASK else None
    try:
        pool = _QuietPool(jobs, context=ctx, **kwargs)
    except BaseException:
        _restore(before)
        raise
    with pool:
        _restore(before)  # a Ctrl-C that came meanwhile is raised here
        yield pool


class _QuietPool(Pool):
    """A Pool whose worker-handler thread sleeps while results are in flight.

    CPython's (3.8 on, bpo-35493) also wakes whenever the result pipe is readable, and it is
    readable the whole time a large result is being received: the thread spun, taking 3 s of
    CPU per 200,000 abstracts in `audit extract` (a sixth of what the workers spent) and the GIL
    the result reader needs. What it has to notice still wakes it: a worker that exits (its
    sentinel) and the cache of tasks becoming empty (the change notifier)."""

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


def _restore(mask: Any) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
