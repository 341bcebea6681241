"""SIGTERM inside an event loop: every ``async with`` closes on the loop, then the run ends as Terminated.

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
from auditor.signals import run_async, sigterm_as_interrupt, terminated


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
    with sigterm_as_interrupt():
        with pytest.raises(Terminated):
            run_async(collect(client))
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL  # the handler outside the loop is back
    gc.collect()  # a task whose exception nobody retrieved is reported when collected
    assert terminated()
    assert client.closed_on_loop
    assert not [r for r in caplog.records if r.name == "asyncio"], [r.getMessage() for r in caplog.records]


def test_without_the_sigterm_handler_it_is_asyncio_run() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert run_async(answer()) == 42
    with sigterm_as_interrupt():
        assert run_async(answer()) == 42
        assert not terminated()
