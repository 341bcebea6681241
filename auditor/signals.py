"""SIGTERM handled like Ctrl-C.

CI cancels a job with SIGTERM (then SIGKILL after a grace period). Raising
:class:`~auditor.errors.Terminated` (a KeyboardInterrupt) from the handler
lets every layer that already cleans up after Ctrl-C do so: the pipeline
marks the run ``interrupted``, the store commits what it holds, and the CLI
prints one line and exits 143.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from auditor.errors import Terminated


_received = threading.Event()


def terminated() -> bool:
    """True once SIGTERM arrived (layers such as asyncio may re-raise it as a plain KeyboardInterrupt)."""
    return _received.is_set()


def raise_if_terminated() -> None:
    """Raise Terminated when SIGTERM arrived but its exception was swallowed.

    A handler's exception surfaces at whatever bytecode runs next, which can be a
    weakref callback or a ``__del__``: Python prints "Exception ignored" there and
    goes on. The pipeline calls this between stages and before it marks a run
    finished, so such a SIGTERM still ends the run as interrupted.
    """
    if _received.is_set():
        raise Terminated()


def _raise_terminated(signum: int, frame: Any) -> None:
    _received.set()
    raise Terminated()


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """While the block runs, SIGTERM raises Terminated in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    _received.clear()
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
