"""Ctrl-C (SIGINT) and SIGTERM end a run the same way, whatever swallows their exception.

CI cancels a job with SIGTERM (then SIGKILL after a grace period). Raising
:class:`~auditor.errors.Terminated` (a KeyboardInterrupt) from the handler
lets every layer that already cleans up after Ctrl-C do so: the pipeline
marks the run ``interrupted``, the store commits what it holds, and the CLI
prints one line and exits 130 (Ctrl-C) or 143 (SIGTERM).

An exception raised from a signal handler can be lost (it surfaces in a
``__del__``, or a library swallows the cancellation the loop turns it into),
so each signal is also recorded in a flag: :func:`raise_if_interrupted` at the
stage boundaries, and :func:`run_async` when its loop ends, raise it again.

A SIGINT the process inherited as ignored (a command started with ``&`` by a
shell without job control, as in a script) stays ignored, as Python and
asyncio leave it: the parent asked for that.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Coroutine, Iterator, TypeVar

from auditor.errors import Terminated

T = TypeVar("T")

_terminated = threading.Event()  # SIGTERM arrived
_interrupted = threading.Event()  # SIGINT arrived


def terminated() -> bool:
    """True once SIGTERM arrived (layers such as asyncio may re-raise it as a plain KeyboardInterrupt)."""
    return _terminated.is_set()


def interrupted() -> bool:
    """True once SIGINT or SIGTERM arrived."""
    return _terminated.is_set() or _interrupted.is_set()


def _exception() -> KeyboardInterrupt:
    return Terminated() if _terminated.is_set() else KeyboardInterrupt()


def raise_if_interrupted() -> None:
    """Raise Terminated (SIGTERM) or KeyboardInterrupt (SIGINT) when one arrived but its exception was swallowed.

    A handler's exception surfaces at whatever bytecode runs next, which can be a
    weakref callback or a ``__del__``: Python prints "Exception ignored" there and
    goes on. The pipeline calls this between stages and before it marks a run
    finished, so such a signal still ends the run as interrupted.
    """
    if interrupted():
        raise _exception()


def _on_sigterm(signum: int, frame: Any) -> None:
    _terminated.set()
    raise Terminated()


def _on_sigint(signum: int, frame: Any) -> None:
    _interrupted.set()
    raise KeyboardInterrupt()


_HANDLERS: dict[int, Callable[[int, Any], None]] = {signal.SIGTERM: _on_sigterm, signal.SIGINT: _on_sigint}
_FLAGS = {signal.SIGTERM: _terminated, signal.SIGINT: _interrupted}


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, where SIGINT and SIGTERM cancel the main task, and the run then raises
    KeyboardInterrupt or Terminated, even when something swallowed the cancellation.

    Raised from a signal handler, Terminated lands in whichever task runs at that
    moment; asyncio then stops the loop with the other tasks still pending and
    closes them off the loop, so an ``async with`` around an HTTP client fails in
    its exit ("Not currently running on any asynchronous event loop") and its
    traceback follows the run's one-line message. Cancelling the main task, as
    asyncio itself does for Ctrl-C, lets every ``async with`` close on the loop.
    asyncio alone would return normally when a task swallows that cancellation
    (the run then finished as if no Ctrl-C had come); the flags see to it that it
    does not. A second signal while the loop still runs raises at once, as a
    second Ctrl-C does under asyncio.
    """
    taken = [sig for sig, handler in _HANDLERS.items() if signal.getsignal(sig) is handler]
    if threading.current_thread() is not threading.main_thread() or not taken:
        return asyncio.run(main)

    async def guarded() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        cancelled = False

        def cancel(sig: int) -> None:
            nonlocal cancelled
            _FLAGS[sig].set()
            if cancelled:
                raise _exception()  # the cancellation did not end the run: stop now
            cancelled = True
            task.cancel()

        for sig in taken:
            loop.add_signal_handler(sig, cancel, sig)
        try:
            return await main
        finally:
            for sig in taken:
                loop.remove_signal_handler(sig)  # resets the signal to its default...
                signal.signal(sig, _HANDLERS[sig])  # ...so the handler outside the loop comes back

    try:
        result = asyncio.run(guarded())
    except asyncio.CancelledError:
        raise_if_interrupted()
        raise
    raise_if_interrupted()  # the main task swallowed its cancellation and returned
    return result


@contextmanager
def interrupt_signals() -> Iterator[None]:
    """While the block runs, SIGTERM raises Terminated and SIGINT KeyboardInterrupt in the main
    thread, each recorded for :func:`raise_if_interrupted`. An ignored SIGINT stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return
    _terminated.clear()
    _interrupted.clear()
    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, _on_sigterm)}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _terminated.clear()  # what the block recorded is its own: a later run in this process starts clean
        _interrupted.clear()
