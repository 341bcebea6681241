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
        pool = ctx.Pool(jobs, **kwargs)
    except BaseException:
        _restore(before)
        raise
    with pool:
        _restore(before)  # a Ctrl-C that came meanwhile is raised here
        yield pool


def _restore(mask: Any) -> None:
    if mask is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
