"""A Ctrl-C while a pool starts reaches only the parent: the pool's forkserver and workers
never take it (a forkserver that took it in its start-up printed "Fatal Python error:
init_import_site" or a KeyboardInterrupt traceback under the run's one-line message)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

#: The forkserver imports its preload modules before it ignores SIGINT: this one sends it a
#: SIGINT there, at a fixed point of the start-up a terminal's Ctrl-C lands in by chance.
SIGINT_ON_IMPORT = "import os, signal\nos.kill(os.getpid(), signal.SIGINT)\n"

PARENT = textwrap.dedent("""
    import multiprocessing, os, signal
    from auditor.pools import process_pool

    if __name__ == "__main__":
        multiprocessing.get_context("forkserver").set_forkserver_preload(["sigint_on_import"])
        with process_pool(2) as pool:
            worked = all(pool.starmap(os.getpid, [()] * 4))
        print(worked, signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))
""")


@pytest.mark.skipif(os.name != "posix", reason="forkserver and signal masks are POSIX")
def test_a_sigint_in_the_forkservers_start_up_is_not_taken_and_the_parent_gets_its_mask_back(tmp_path, catchable_sigint):
    (tmp_path / "sigint_on_import.py").write_text(SIGINT_ON_IMPORT)
    (tmp_path / "parent.py").write_text(PARENT)
    path = os.pathsep.join([str(tmp_path), *sys.path])
    done = subprocess.run([sys.executable, str(tmp_path / "parent.py")], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": path})
    assert (done.returncode, done.stdout, done.stderr) == (0, "True False\n", "")


# --------------------------------------------------------------------------- the worker handler


def test_the_worker_handler_does_not_spin_while_large_results_arrive(monkeypatch):
    """CPython's worker handler also wakes on the result pipe, readable the whole time a large
    result is received: it looped thousands of times per result. Ours wakes for what it has to
    do (a worker gone, the tasks all done), a few times per task."""
    from multiprocessing.pool import Pool

    from auditor.pools import process_pool
    from pool_timing import big_result

    rounds = []
    maintain = Pool._maintain_pool  # a staticmethod: called once per round of the handler's loop

    def counted(*args):
        rounds.append(1)
        return maintain(*args)

    monkeypatch.setattr(Pool, "_maintain_pool", staticmethod(counted))
    with process_pool(2) as pool:
        results = [pool.apply_async(big_result, (64 << 20,)) for _ in range(6)]
        assert [len(r.get(timeout=60)) for r in results] == [64 << 20] * 6
    assert len(rounds) < 6 * 4, len(rounds)


def test_a_closed_pool_finishes_its_tasks_and_replaces_workers_that_exit():
    """What the handler still wakes for: a worker that ends (maxtasksperchild) is replaced, and
    close() then join() return once every task is done."""
    from auditor.pools import process_pool

    with process_pool(2, maxtasksperchild=1) as pool:
        pending = [pool.apply_async(os.getpid) for _ in range(6)]
        pool.close()
        pool.join()
        pids = [r.get(timeout=1) for r in pending]
    assert len(set(pids)) == 6  # each task had a fresh worker
