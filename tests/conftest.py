"""Shared fixtures.

Material beside the project's own checkouts in ../shared (real recorded GitHub
answers, GitHub's full GraphQL schema, 2,000 real arXiv abstracts) is read in
place, never copied. Only the few tests marked ``@pytest.mark.shared`` may read
it (``shared_path()`` fails any other test that tries), and they skip with a
reason where it is absent; every other test runs from the repository alone
(tests/test_shared_material.py holds that list and checks it).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

pytest_plugins = ["fakegithub.plugin"]

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DUMPS = REPO / "examples" / "dumps"
SHARED = Path(os.environ.get("AUDITOR_SHARED", REPO.parent / "shared"))


_current: list[pytest.Item] = []


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``--dist loadgroup`` (pyproject's addopts), with the test modules that read the session's
    `bundled_run` as one group: each xdist worker builds its own session fixtures, and that one is
    a whole run, so one worker runs them all (the largest group is handed out first). The modules
    are those naming the fixture, read here: the controller sees node ids only, and pytest 9.2's
    node ids no longer take the ``@group`` suffix an ``xdist_group`` mark added."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    tests = Path(__file__).resolve().parent
    together = {path.relative_to(REPO).as_posix() for path in tests.glob("test_*.py")
                if "bundled_run" in path.read_text(encoding="utf-8")}

    class BundledRunTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "bundled_run" if nodeid.split("::", 1)[0] in together else super()._split_scope(nodeid)

    return BundledRunTogether(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    _current[:] = [item]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """A test not marked ``shared`` that skips for absent ../shared fails instead: it must not need it."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and item.get_closest_marker("shared") is None and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2])
        if str(SHARED) in reason or "../shared" in reason:
            report.outcome = "failed"
            report.longrepr = f"{item.nodeid} skipped for absent ../shared but is not marked shared: {reason}"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip when that material is not here (tests marked ``shared`` only)."""
    if _current and _current[0].get_closest_marker("shared") is None:
        pytest.fail(f"{_current[0].nodeid} reads ../shared but is not marked @pytest.mark.shared: "
                    "use the project's own material (see tests/test_shared_material.py)", pytrace=False)
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared is only beside the project's own checkouts")
    return path


@pytest.fixture
def example_dumps() -> list[Path]:
    return sorted(EXAMPLE_DUMPS.glob("*.txt"))


@pytest.fixture(scope="session")
def bundled_run(fake_github_server, tmp_path_factory) -> tuple[Path, object, int]:
    """One `audit run` of the bundled dumps against the fake GitHub's default world, with a token
    (tests/test_run_e2e.py's audit_run), for the tests that only read what it wrote:
    (out folder, its CompletedProcess, how many requests it sent). Tests that run again over a
    first run make their own."""
    from test_run_e2e import audit_run

    fake_github_server.reset()
    out = tmp_path_factory.mktemp("bundled-run") / "out"
    result = audit_run(fake_github_server, out, sorted(EXAMPLE_DUMPS.glob("*.txt")))
    requests = fake_github_server.stats.total
    fake_github_server.reset()
    assert result.returncode == 0, result.stderr
    return out, result, requests


@pytest.fixture
def without_scorecards(monkeypatch):
    """``run_audit`` stores everything but writes no scorecard files, for the tests that read only
    the store and the summary it returns: the reports are about half of a small run's CPU, and
    the report tests (and every `audit run` through the CLI, which reads summary.json) write them."""
    import auditor.pipeline

    monkeypatch.setattr(auditor.pipeline, "write_run_reports", lambda *args, **kwargs: None)


@pytest.fixture
def catchable_sigint():
    """SIGINT raises KeyboardInterrupt in this test, whatever this process inherited.

    A shell without job control starts a command run with ``&`` (a CI script's background job)
    with SIGINT ignored, and Python then installs no handler for it: a test that sends itself
    SIGINT saw nothing. The product keeps an inherited ignore on purpose; a test of its Ctrl-C
    handling needs the usual start instead.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)
