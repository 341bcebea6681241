"""SIGINT and SIGTERM inside an event loop: every ``async with`` closes on the loop, then the run
ends as interrupted (KeyboardInterrupt) or Terminated, even when its cancellation is swallowed.

A SIGTERM met once under load arrived while a GitHub worker task ran; its
exception stopped the loop with the collector's ``async with`` still open, which
then closed off the loop and printed an anyio traceback after the run's one line.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal

import pytest

from auditor.errors import Terminated
from auditor.signals import interrupt_signals, interrupted, raise_if_interrupted, run_async, terminated

pytestmark = pytest.mark.usefixtures("catchable_sigint")  # each test here sends itself SIGINT or SIGTERM


class Client:
    """Closes the way an HTTP client does: it needs the running loop to close."""

    def __init__(self) -> None:
        self.closed_on_loop = False

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: object) -> None:
        asyncio.get_running_loop()  # raises off the loop, as anyio's cancel scope did
        await asyncio.sleep(0)
        self.closed_on_loop = True


async def collect(client: Client) -> None:
    async def worker(n: int) -> None:
        await asyncio.sleep(0.01 * n)
        if n == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # lands in this worker task, not in the main one
        await asyncio.sleep(5)

    async with client:
        await asyncio.gather(*(worker(n) for n in range(4)))


def test_a_sigterm_in_a_worker_task_closes_the_clients_on_the_loop_and_raises_terminated(caplog) -> None:
    client = Client()
    caplog.set_level(logging.ERROR, logger="asyncio")
    with interrupt_signals():
        with pytest.raises(Terminated):
            run_async(collect(client))
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL  # the handler outside the loop is back
        assert terminated()
    gc.collect()  # a task whose exception nobody retrieved is reported when collected
    assert client.closed_on_loop
    assert not [r for r in caplog.records if r.name == "asyncio"], [r.getMessage() for r in caplog.records]


def test_without_the_sigterm_handler_it_is_asyncio_run() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert run_async(answer()) == 42
    with interrupt_signals():
        assert run_async(answer()) == 42
        assert not terminated()


async def stubborn(*signals: int) -> str:
    """Sends itself ``signals`` while it awaits a task that swallows its cancellation, as a
    library that catches CancelledError does: the task it awaits returns, and so would the run."""

    async def swallows() -> None:
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            pass

    loop = asyncio.get_running_loop()
    for n, sig in enumerate(signals):
        loop.call_later(0.01 * (n + 1), os.kill, os.getpid(), sig)
    await asyncio.create_task(swallows())
    await asyncio.sleep(len(signals) * 0.01 + 0.05)  # the second signal lands while this waits
    return "finished as if no signal had come"


@pytest.mark.parametrize("sig, raised", [(signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_whose_cancellation_was_swallowed_still_ends_the_loop_interrupted(sig, raised) -> None:
    with interrupt_signals():
        with pytest.raises(raised) as caught:
            run_async(stubborn(sig))
        assert interrupted() and terminated() == (sig == signal.SIGTERM)
        assert signal.getsignal(sig) is not signal.SIG_DFL and signal.getsignal(sig) is not signal.default_int_handler
    assert raised is Terminated or not isinstance(caught.value, Terminated)


def test_a_second_ctrl_c_raises_at_once_when_the_first_did_not_end_the_loop() -> None:
    async def deaf() -> None:
        asyncio.get_running_loop().call_later(0.01, os.kill, os.getpid(), signal.SIGINT)
        asyncio.get_running_loop().call_later(0.1, os.kill, os.getpid(), signal.SIGINT)
        for _ in range(2):
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                pass
        raise AssertionError("not reached: the second Ctrl-C stops the loop")

    with interrupt_signals():
        with pytest.raises(KeyboardInterrupt):
            run_async(deaf())


async def ctrl_c_then_rest() -> str:
    os.kill(os.getpid(), signal.SIGINT)
    await asyncio.sleep(0.05)
    return "rested"


def test_an_inherited_ignored_ctrl_c_stays_ignored() -> None:
    """What a shell without job control (a script) gives a command started with ``&``."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupt_signals():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            assert run_async(ctrl_c_then_rest()) == "rested"
            assert not interrupted()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)


def test_a_signal_recorded_in_the_block_does_not_outlive_it() -> None:
    """A later in-process run (the tests', a library user's) must not be stopped by an earlier run's Ctrl-C."""
    with interrupt_signals():
        try:
            os.kill(os.getpid(), signal.SIGINT)
        except KeyboardInterrupt:
            pass  # swallowed, as a library may
        assert interrupted()
    assert not interrupted() and not terminated()
    raise_if_interrupted()  # does not raise
