"""SIGTERM handled like Ctrl-C.

CI cancels a job with SIGTERM (then SIGKILL after a grace period). Raising
:class:`~auditor.errors.Terminated` (a KeyboardInterrupt) from the handler
lets every layer that already cleans up after Ctrl-C do so: the pipeline
marks the run ``interrupted``, the store commits what it holds, and the CLI
prints one line and exits 143.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from contextlib import contextmanager
from typing import Any, Coroutine, Iterator, TypeVar

T = TypeVar("T")

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


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, where a SIGTERM cancels the main task and then raises Terminated.

    Raised from a signal handler, Terminated lands in whichever task runs at that
    moment; asyncio then stops the loop with the other tasks still pending and
    closes them off the loop, so an ``async with`` around an HTTP client fails in
    its exit ("Not currently running on any asynchronous event loop") and its
    traceback follows the run's one-line message. Cancelling the main task, as
    asyncio itself does for Ctrl-C, lets every ``async with`` close on the loop.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is not _raise_terminated:
        return asyncio.run(main)
    cancelled_by_sigterm = False

    async def guarded() -> T:
        nonlocal cancelled_by_sigterm
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None

        def cancel() -> None:
            nonlocal cancelled_by_sigterm
            _received.set()
            cancelled_by_sigterm = True
            task.cancel()

        loop.add_signal_handler(signal.SIGTERM, cancel)
        try:
            return await main
        finally:
            loop.remove_signal_handler(signal.SIGTERM)  # resets SIGTERM to its default...
            signal.signal(signal.SIGTERM, _raise_terminated)  # ...so the handler outside the loop comes back

    try:
        return asyncio.run(guarded())
    except asyncio.CancelledError:
        if cancelled_by_sigterm:
            raise Terminated() from None
        raise


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
