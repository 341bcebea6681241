"""`audit run` end to end on the bundled dumps against the fake GitHub on 127.0.0.1.

Most runs go through click's CliRunner in this process, with the same arguments and
environment a user's shell would give (`audit_run`); the kill and signal tests start
real subprocesses, as a user does (`run_cmd`). Only GitHub is collected
(`--hosts github`), so no test ever reaches past this machine. The default
world (tests/fakegithub/worlds/default.json) gives the dumps' repositories
every case the checks know.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from auditor import exitcodes
import inprocess
from auditor.pipeline import plan_collection
from auditor.store import Store

AS_OF = "2026-11-20"  # the world's "now"
TOKEN = "test-token"


def audit_env(fake, token: str | None = TOKEN) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in inprocess.TOKEN_VARIABLES}
    env.update(fake.env(token))
    return env


def run_cmd(out: Path, dumps, *extra: str) -> list[str]:
    return [
        sys.executable, "-c", "from auditor.cli import main; main()",
        "run", "--out", str(out), "--as-of", AS_OF, "--hosts", "github", "--quiet", *extra, *map(str, dumps),
    ]


def audit_run(fake, out: Path, dumps, *extra: str, token: str | None = TOKEN) -> subprocess.CompletedProcess[str]:
    """`audit run` in this process (tests/inprocess.py says why), answered as a subprocess would be."""
    return inprocess.audit(*run_cmd(out, dumps, *extra)[3:], env=fake.env(token))


def query(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def settle(fake, quiet: float = 0.5, limit: float = 10.0) -> None:
    """Wait until the server has counted every request it was handed (it counts after answering)."""
    deadline = time.monotonic() + limit
    last = -1
    while fake.stats.total != last and time.monotonic() < deadline:
        last = fake.stats.total
        time.sleep(quiet)


def statuses(db: Path, check: str) -> set[str]:
    return {s for (s,) in query(db, f"SELECT DISTINCT status FROM results WHERE check_name = '{check}'")}


@pytest.fixture
def first_run(fake_github, example_dumps, tmp_path):
    out = tmp_path / "out"
    result = audit_run(fake_github, out, example_dumps)
    assert result.returncode == 0, result.stderr
    return out, result


def test_run_judges_every_case_of_the_world(first_run, fake_github):
    out, result = first_run
    db = out / "audit.duckdb"
    assert "papers 285" in result.stdout

    facts = dict(query(db, "SELECT status, count(*) FROM facts WHERE target_key LIKE 'github:%' GROUP BY status"))
    assert {"ok", "moved", "not_found", "blocked"} <= set(facts)
    moved = query(db, "SELECT target_key, canonical_key FROM facts WHERE status = 'moved'")
    assert all(new and new != old for old, new in moved)

    assert {"pass", "warn", "fail"} <= statuses(db, "repo_exists")
    assert {"pass", "warn", "fail"} <= statuses(db, "license")
    assert {"pass", "fail"} <= statuses(db, "readme")
    assert {"pass", "fail"} <= statuses(db, "code_present")
    assert "fail" in statuses(db, "subpath_exists") or "fail" in statuses(db, "claim_kept")
    reasons = " ".join(r for (r,) in query(db, "SELECT reason FROM results WHERE check_name = 'code_present'"))
    assert "README-only" in reasons or "empty" in reasons

    # Non-GitHub targets were not collected (--hosts github) and say so: unknown, never a guess.
    other = query(db, "SELECT DISTINCT status, error FROM facts WHERE target_key NOT LIKE 'github:%'")
    assert other and all(s == "unknown" and "--hosts" in e for s, e in other)

    # Every link, GitHub or not, gets at least one result that is not "skip".
    all_skipped = query(db, """SELECT url FROM link_scorecard WHERE link_ordinal IS NOT NULL
                               GROUP BY ALL HAVING count(*) FILTER (WHERE status <> 'skip') = 0""")
    assert all_skipped == []

    # With a token, GraphQL batches: far fewer requests than repositories.
    repos = query(db, "SELECT count(*) FROM targets WHERE kind = 'github_repo'")[0][0]
    assert fake_github.stats.total <= repos / 5 + 5, fake_github.stats.as_dict()


def test_scorecards_have_the_promised_shape(first_run):
    out, _ = first_run
    with open(out / "scorecard.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 285
    for column in ("title", "published_on", "sources", "links", "claim", "score", "coverage", "top_reason",
                   "repo_exists", "license", "readme", "code_present", "claim_kept"):
        assert column in rows[0], column
    scored = [r for r in rows if r["score"]]
    assert all(0 <= float(r["score"]) <= 10 for r in scored) and len(scored) > 50

    with open(out / "links.csv", newline="") as f:
        links = list(csv.DictReader(f))
    assert {"url", "target_key", "check", "status", "score", "reason"} <= set(links[0])

    md = (out / "scorecard.md").read_text()
    assert md.startswith("## ") and "| Paper |" in md and "285" in md
    summary = json.loads((out / "summary.json").read_text())
    assert summary["papers"] == 285 and summary["failing"] > 0
    html = (out / "scorecard.html").read_text()
    assert "<table" in html and '<script type="application/json" id="rows">' in html
    assert "default-src &#x27;none&#x27;" in html  # the page may request nothing


def test_token_never_leaves_the_process(first_run):
    out, _ = first_run
    for path in out.iterdir():
        assert TOKEN.encode() not in path.read_bytes(), path


def test_second_run_within_max_age_sends_no_request(first_run, fake_github, example_dumps):
    out, _ = first_run
    settle(fake_github)
    fake_github.stats.clear()
    again = audit_run(fake_github, out, example_dumps)
    assert again.returncode == 0, again.stderr
    assert fake_github.stats.total == 0
    db = out / "audit.duckdb"
    assert query(db, "SELECT count(*) FROM runs") == [(2,)]
    assert query(db, "SELECT count(*), count(DISTINCT paper_id) FROM papers")[0] == (285, 285)
    dup = query(db, "SELECT count(*) FROM (SELECT paper_id, ordinal FROM links GROUP BY ALL HAVING count(*) > 1)")
    assert dup == [(0,)]
    # --refresh fetches again.
    refreshed = audit_run(fake_github, out, example_dumps, "--refresh")
    assert refreshed.returncode == 0 and fake_github.stats.total > 0


def test_exhausted_rate_limit_gives_partial_results_then_resumes(fake_github, example_dumps, tmp_path):
    out = tmp_path / "out"
    fake_github.exhaust(TOKEN, "graphql")
    result = audit_run(fake_github, out, example_dumps, "--max-wait", "0")
    assert result.returncode == exitcodes.PARTIAL, result.stderr
    assert "rate limited until" in result.stdout
    db = out / "audit.duckdb"
    assert query(db, "SELECT status FROM runs") == [("partial",)]
    github_results = statuses(db, "repo_exists")
    assert "unknown" in github_results

    fake_github.limits.reset()
    resumed = audit_run(fake_github, out, example_dumps)
    assert resumed.returncode == 0, resumed.stderr
    assert query(db, "SELECT count(*) FROM facts WHERE target_key LIKE 'github:%' AND status = 'unknown'") == [(0,)]


def test_fail_under(fake_github, example_dumps, tmp_path):
    high = audit_run(fake_github, tmp_path / "a", example_dumps, "--fail-under", "9.9")
    assert high.returncode == exitcodes.FAIL_UNDER
    low = audit_run(fake_github, tmp_path / "a", example_dumps, "--fail-under", "0.1")
    assert low.returncode == 0, low.stderr


def test_killed_run_leaves_a_consistent_database_and_resumes(fake_github, example_dumps, tmp_path):
    out = tmp_path / "out"
    db = out / "audit.duckdb"
    fake_github.faults.update(latency=0.15)
    fake_github.limits.anonymous = 10_000  # this test is about the kill, not about the 60/h limit
    # Without a token: one REST request per repository, so the run takes long enough to be killed mid-way.
    proc = subprocess.Popen(run_cmd(out, example_dumps), env=audit_env(fake_github, token=None),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    core = "GET /repos/{owner}/{repo}"
    while fake_github.stats.requests[core] < 30 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    with Store.open(db) as store:  # what the killed run kept that a new run may trust
        links = [l for ls in store.links_with_targets(store.query("SELECT paper_id FROM papers")["paper_id"]).values() for l in ls]
        github = [l for l in links if l.target.kind == "github_repo"]
        cached = store.load_facts({l.target.key for l in github})
        to_fetch, fresh = plan_collection(github, cached, now=datetime.now(timezone.utc), max_age=timedelta(hours=24), refresh=False)
    assert fresh, "the killed run kept none of what it fetched"

    fake_github.faults.update(latency=0.0)
    settle(fake_github)  # the killed run's requests still in the server's hands are counted before we clear
    fake_github.stats.clear()
    resumed = audit_run(fake_github, out, example_dumps, token=None)
    assert resumed.returncode == 0, resumed.stderr
    runs = dict(query(db, "SELECT status, count(*) FROM runs GROUP BY status"))
    assert runs.get("done") == 1 and runs.get("interrupted") == 1  # the killed run is recognised as such
    assert query(db, "SELECT count(*), count(DISTINCT paper_id) FROM papers")[0] == (285, 285)
    repos = query(db, "SELECT count(*) FROM targets WHERE kind = 'github_repo'")[0][0]
    kept = query(db, "SELECT count(*) FROM facts WHERE target_key LIKE 'github:%' AND status <> 'unknown'")[0][0]
    # What the killed run had stored was not fetched again.
    assert fake_github.stats.requests[core] == len(to_fetch) < repos
    assert kept >= repos


def test_ctrl_c_marks_the_run_interrupted_and_exits_130(fake_github, example_dumps, tmp_path):
    out = tmp_path / "out"
    fake_github.faults.update(latency=0.2)
    fake_github.limits.anonymous = 10_000
    proc = subprocess.Popen(run_cmd(out, example_dumps), env=audit_env(fake_github, token=None),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while fake_github.stats.requests["GET /repos/{owner}/{repo}"] < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == exitcodes.INTERRUPTED, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert query(out / "audit.duckdb", "SELECT status FROM runs") == [("interrupted",)]
