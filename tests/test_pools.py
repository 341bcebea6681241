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
