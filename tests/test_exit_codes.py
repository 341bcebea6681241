"""Every failure shows in the exit code, and a run that judged little says so everywhere.

Runs go through the CLI in the test process (tests/inprocess.py) against servers on
127.0.0.1: the fake GitHub (tests/fakegithub) or a small LocalServer that answers as
GitHub does; only the SIGTERM test starts a real process, to send it the signal. A refused token is GitHub's documented 401:
``{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}``
(the fake GitHub answers it for any token starting with "bad").
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from inprocess import TOKEN_VARIABLES, audit
from localhosts.server import LocalServer, Reply, Seen

from auditor import exitcodes
from auditor.models import Facts
from auditor.progress import Progress
from auditor.run_health import fail_under_verdict, partial_reasons, target_health

AS_OF = "2026-11-20"


def args(out: Path, dumps, *extra: str) -> list[str]:
    return ["run", "--out", str(out), "--as-of", AS_OF, "--hosts", "github", "--quiet", *extra, *map(str, dumps)]


def env_for(api: str, token: str | None = None) -> dict[str, str]:
    """What the run sees on top of the test's environment (tokens removed, tests/inprocess.py)."""
    env = {"GITHUB_API_URL": api, "GITHUB_GRAPHQL_URL": api + "/graphql"}
    if token:
        env["GITHUB_TOKEN"] = token
    return env


def run(out: Path, dumps, *extra: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return audit(*args(out, dumps, *extra), env=env)


def runs(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT status, notes FROM runs ORDER BY started_at").fetchall()
    finally:
        con.close()


@pytest.fixture
def one_dump(example_dumps) -> list[Path]:
    return [p for p in example_dumps if p.name.startswith("002_")]


# --------------------------------------------------------------------------- pure rules


def facts(status: str, error: str | None = None) -> Facts:
    return Facts("k", status, datetime(2026, 11, 20, tzinfo=timezone.utc), error=error)  # type: ignore[arg-type]


def test_share_of_targets_in_error_or_unknown_makes_a_run_partial() -> None:
    health = target_health([facts("ok"), facts("error", "HTTP 502"), facts("unknown", "offline: x"), facts("not_found")])
    assert (health.total, health.unjudged) == (4, 2)
    assert partial_reasons(health, max_error_share=0.5) == []
    (reason,) = partial_reasons(health, max_error_share=0.25)
    assert reason.startswith("2 of 4 targets (50%) ended in error or unknown, more than the allowed 25%")
    assert "HTTP 502 (1)" in reason and "offline: x (1)" in reason
    assert partial_reasons(target_health([])) == []


def test_fail_under_decides_only_on_enough_scored_papers() -> None:
    assert fail_under_verdict(6.0, 8, 10, 5.0)[0] == "pass"
    assert fail_under_verdict(4.0, 8, 10, 5.0)[0] == "fail"
    verdict, message = fail_under_verdict(4.0, 4, 10, 5.0, min_judged_share=0.5)
    assert verdict == "undecided" and "4 of 10 papers could be scored" in message
    assert fail_under_verdict(None, 0, 0, 5.0)[0] == "undecided"


# --------------------------------------------------------------------------- a refused token


def test_bad_token_is_one_line_up_front_with_its_own_exit_code(fake_github_rest, one_dump, tmp_path) -> None:
    out = tmp_path / "out"
    result = run(out, one_dump, env=env_for(fake_github_rest.url, token="bad-expired-token-0001"))
    assert result.returncode == exitcodes.BAD_TOKEN, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused the token in GITHUB_TOKEN: HTTP 401 Bad credentials" in lines[0]
    assert "bad-expired-token-0001" not in result.stderr + result.stdout
    # One free request and nothing else: no repository was asked for.
    assert dict(fake_github_rest.stats.requests) == {"GET /rate_limit": 1}
    assert [status for status, _ in runs(out / "audit.duckdb")] == ["failed"]


def test_a_good_token_is_checked_once_and_the_run_goes_on(fake_github, one_dump, tmp_path) -> None:
    result = run(tmp_path / "out", one_dump, env=env_for(fake_github.url, token=fake_github.token))
    assert result.returncode == exitcodes.OK, result.stderr
    checks = [e for e in fake_github.stats.log if e["route"] == "GET /rate_limit" and e["client"] == f"token:{fake_github.token}"]
    assert len(checks) == 1  # once per run (the reachability probe sends no token)


def test_a_refusal_that_echoes_the_token_prints_it_masked(one_dump, tmp_path) -> None:
    def refuse(seen: Seen) -> Reply:
        return Reply.json({"message": f"Bad credentials: {seen.headers.get('authorization')}",
                           "documentation_url": "https://docs.github.com/rest"}, status=401)

    with LocalServer({"*": refuse}) as api:
        result = run(tmp_path / "out", one_dump, env=env_for(api.base, token="echoed-secret-9911"))
    assert result.returncode == exitcodes.BAD_TOKEN
    assert "echoed-secret-9911" not in result.stderr and "Bad credentials: token ***" in result.stderr


# --------------------------------------------------------------------------- too many errors


def always_400(seen: Seen) -> Reply:
    if seen.path == "/rate_limit":
        return Reply.json({"resources": {}, "rate": {"limit": 60, "remaining": 60, "reset": 4102444800}})
    return Reply.json({"message": "Problems parsing request", "documentation_url": "https://docs.github.com/rest"}, status=400)


def test_a_run_whose_targets_mostly_failed_is_partial_and_says_why(one_dump, tmp_path) -> None:
    out = tmp_path / "out"
    with LocalServer({"*": always_400}) as api:
        result = run(out, one_dump, env=env_for(api.base))
        tolerant = run(tmp_path / "tolerant", one_dump, "--max-error-share", "1", env=env_for(api.base))
    assert result.returncode == exitcodes.PARTIAL, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("partial:")]
    assert "targets (" in line and "ended in error or unknown, more than the allowed 25%" in line
    assert "HTTP 400: Problems parsing request" in line
    status, notes = runs(out / "audit.duckdb")[0]
    assert status == "partial" and "ended in error or unknown" in json.loads(notes)[0]
    assert tolerant.returncode == exitcodes.OK, tolerant.stdout


# --------------------------------------------------------------------------- collection impossible


def test_an_unreachable_api_gives_partial_and_every_report_says_so(one_dump, tmp_path) -> None:
    out = tmp_path / "out"
    result = run(out, one_dump, "--fail-under", "5", env=env_for("http://127.0.0.1:1"))
    assert result.returncode == exitcodes.PARTIAL, result.stderr
    assert "--fail-under 5 not decided" in result.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "partial" and summary["partial_reasons"]
    assert "cannot reach 127.0.0.1:1" in summary["partial_reasons"][0]
    assert summary["papers_scored"] < summary["papers_to_judge"] <= summary["papers"]
    scored = f"{summary['papers_scored']} of {summary['papers_to_judge']} papers scored"
    assert scored in result.stdout
    md = (out / "scorecard.md").read_text(encoding="utf-8")
    assert scored in md and "**Partial results**" in md and "cannot reach 127.0.0.1:1" in md
    html = (out / "scorecard.html").read_text(encoding="utf-8")
    assert scored in html and 'class="banner"' in html and "cannot reach 127.0.0.1:1" in html


def test_fail_under_on_too_few_scored_papers_is_undecided(example_dumps, tmp_path) -> None:
    result = audit("run", "--offline", "--quiet", "--out", str(tmp_path / "out"), "--fail-under", "5",
                   *map(str, example_dumps))
    assert result.returncode == exitcodes.UNDECIDED, result.stderr
    assert "not decided" in result.stderr and "papers could be scored" in result.stderr


# --------------------------------------------------------------------------- SIGTERM


def test_sigterm_marks_the_run_interrupted_and_exits_143(fake_github, example_dumps, tmp_path) -> None:
    out = tmp_path / "out"
    fake_github.faults.update(latency=0.2)
    fake_github.limits.anonymous = 10_000
    env = {k: v for k, v in os.environ.items() if k not in TOKEN_VARIABLES} | env_for(fake_github.url)
    proc = subprocess.Popen([sys.executable, "-c", "from auditor.cli import main; main()", *args(out, example_dumps)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while fake_github.stats.requests["GET /repos/{owner}/{repo}"] < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == exitcodes.TERMINATED, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "terminated (SIGTERM)" in lines[0] and "Traceback" not in stderr, stderr
    assert [status for status, _ in runs(out / "audit.duckdb")] == ["interrupted"]


class _SwallowsSignal(Progress):
    """Receives a signal where Python swallows the handler's exception: inside a ``__del__``.

    That is what a real SIGTERM met once under load (inside a WeakSet callback): "Exception
    ignored", and the run went on to exit 0 "done". A Ctrl-C's KeyboardInterrupt is lost alike.
    """

    def __init__(self, sig: int) -> None:
        self.sig = sig

    def finish(self, stage: str) -> None:
        if stage == "check":
            _Dies(self.sig)


class _Dies:
    def __init__(self, sig: int) -> None:
        self.sig = sig

    def __del__(self) -> None:
        os.kill(os.getpid(), self.sig)  # the handler runs here, in __del__, and its raise is lost


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the swallowing is the point
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_whose_exception_was_swallowed_still_interrupts_the_run(one_dump, tmp_path, sig, catchable_sigint) -> None:
    from auditor.config import load_config
    from auditor.errors import Terminated
    from auditor.pipeline import RunOptions, run_audit
    from auditor.signals import interrupt_signals, interrupted, terminated

    options = RunOptions(dumps=one_dump, db=tmp_path / "a.duckdb", out=tmp_path / "out",
                         as_of=datetime(2026, 11, 20).date(), config=load_config(None, cwd=tmp_path), offline=True)
    with interrupt_signals():
        with pytest.raises(KeyboardInterrupt) as caught:
            run_audit(options, progress=_SwallowsSignal(sig), env={})
        assert interrupted() and terminated() == (sig == signal.SIGTERM)  # what the CLI reads inside the block
    assert isinstance(caught.value, Terminated) == (sig == signal.SIGTERM)
    assert [status for status, _ in runs(tmp_path / "a.duckdb")] == ["interrupted"]
    assert not (tmp_path / "out" / "scorecard.md").exists()


def test_shares_come_from_the_configuration_and_are_checked(tmp_path) -> None:
    from auditor.config import load_config
    from auditor.errors import ConfigError

    good = tmp_path / "audit.toml"
    good.write_text("max_error_share = 0.1\nmin_judged_share = 0.9\n", encoding="utf-8")
    config = load_config(good)
    assert (config.max_error_share, config.min_judged_share) == (0.1, 0.9)
    assert (load_config(None).max_error_share, load_config(None).min_judged_share) == (0.25, 0.5)
    bad = tmp_path / "bad.toml"
    bad.write_text("max_error_share = 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="max_error_share must be a share from 0 to 1"):
        load_config(bad)
