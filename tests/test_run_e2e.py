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
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from datetime import datetime, timedelta, timezone

import duckdb
import pytest

from auditor import exitcodes
import inprocess
from auditor.hosts.base import TargetRequest
from auditor.models import Facts
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
def first_run(bundled_run, fake_github, tmp_path):
    """A first run of its own, for a test that runs again over it: a copy of the session's one
    (conftest.py), the same command over the same dumps, whose files the test may change."""
    out = tmp_path / "out"
    shutil.copytree(bundled_run[0], out)
    return out, bundled_run[1]


@pytest.fixture
def read_first_run(bundled_run):
    """The session's one first run (conftest.py), for the tests that only read what it wrote."""
    return bundled_run


def test_run_judges_every_case_of_the_world(read_first_run):
    out, result, requests = read_first_run
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
    assert requests <= repos / 5 + 5, requests


def test_scorecards_have_the_promised_shape(read_first_run):
    out, _, _ = read_first_run
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


def test_token_never_leaves_the_process(read_first_run):
    out, _, _ = read_first_run
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


def test_fail_under(first_run, fake_github, example_dumps):
    out, _ = first_run  # its facts are cached: the runs below judge the same papers without collecting
    high = audit_run(fake_github, out, example_dumps, "--fail-under", "9.9")
    assert high.returncode == exitcodes.FAIL_UNDER
    low = audit_run(fake_github, out, example_dumps, "--fail-under", "0.1")
    assert low.returncode == 0, low.stderr


# --------------------------------------------------------------------------- kill -9 and resume

KILL_DUMP = "002_66a351f9232b2adb.txt"  # 102 papers, 26 GitHub repositories: one GraphQL batch, split in two below
#: Columns that identify a row of a table without a primary key (the others have one in the schema).
NATURAL_KEYS = {
    "papers": ("paper_id",),
    "results_stored": ("set_id", "paper_id", "target_key", "link_ordinal", "check_name"),
    "scores_stored": ("set_id", "paper_id", "target_key", "link_ordinal"),
    "facts_staged": ("target_key", "seq"),
    "discovery_stored": ("set_id", "source"),
}


def kill_cmd(out: Path, dump: Path) -> list[str]:
    """The command killed and run again: progress on (the kill points read it), everything else as a user runs it."""
    return [sys.executable, "-c", "from auditor.cli import main; main()",
            "run", "--out", str(out), "--as-of", AS_OF, "--hosts", "github", str(dump)]


def run_in_process(fake, out: Path, dump: Path) -> subprocess.CompletedProcess[str]:
    """The same command in this process (tests/inprocess.py): only the killed runs need their own."""
    return inprocess.audit(*kill_cmd(out, dump)[3:], env=fake.env(TOKEN))


def outcomes(db: Path) -> tuple[list[tuple], list[tuple]]:
    """The latest run's results and scores, run id aside."""
    latest = "(SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1)"
    results = query(db, f"""SELECT paper_id, target_key, link_ordinal, check_name, status, score, reason, evidence::VARCHAR
                            FROM results WHERE run_id = {latest} ORDER BY ALL""")
    scores = query(db, f"SELECT * EXCLUDE (run_id) FROM scores WHERE run_id = {latest} ORDER BY ALL")
    return results, scores


def duplicates(db: Path) -> dict[str, int]:
    """Rows sharing a key, per table: its primary key, else its natural key; a table with neither is reported."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT temporary").fetchall()]
        keys = {t: tuple(cols) for t, cols in con.execute(
            "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
        found = {}
        for table in tables:
            key = keys.get(table) or NATURAL_KEYS.get(table)
            if key is None:
                found[table] = -1  # no key known: add it to NATURAL_KEYS
                continue
            cols = ", ".join(key)
            found[table] = con.execute(f"SELECT count(*) - count(DISTINCT ({cols})) FROM {table}").fetchone()[0]
        # The same observation of a target twice in its history is a duplicate too.
        found["facts_history (content)"] = con.execute(
            "SELECT count(*) - count(DISTINCT (target_key, status, canonical_key, data::VARCHAR)) FROM facts_history").fetchone()[0]
        found["facts_staged (rows left)"] = con.execute("SELECT count(*) FROM facts_staged").fetchone()[0]
        return {t: n for t, n in found.items() if n}
    finally:
        con.close()


def wait_for(condition, proc: subprocess.Popen, what: str, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert proc.poll() is None, f"the run ended before {what}: {proc.stderr.read() if proc.stderr else ''}"
        assert time.monotonic() < deadline, f"no sign of {what} within {limit} s"
        time.sleep(0.02)


def file_state(db: Path) -> tuple:
    """Size and time of the database and its WAL: they change when a transaction commits."""
    return tuple((p.stat().st_size, p.stat().st_mtime_ns) if p.exists() else None
                 for p in (db, db.with_name(db.name + ".wal")))


def kept(db: Path) -> tuple[list[TargetRequest], dict[str, Facts]]:
    """What a killed run left that the next one may trust (opening the store merges staged facts)."""
    with Store.open(db) as store:
        links = [l for ls in store.links_with_targets(store.query("SELECT paper_id FROM papers")["paper_id"]).values() for l in ls]
        github = [l for l in links if l.target.kind == "github_repo"]
        assert github, "ingest and extraction were not kept"
        cached = store.load_facts({l.target.key for l in github})
    return plan_collection(github, cached, now=datetime.now(timezone.utc), max_age=timedelta(hours=24), refresh=False)


def kill_at(point: str, fake, out: Path, dump: Path) -> None:
    """Start the command, wait for the sign of ``point`` (requests at the fake, progress, files), SIGKILL it."""
    db = out / "audit.duckdb"
    if point == "extract":
        fake.faults.update(slow_seconds=120).next("slow")  # GET /rate_limit, the first request, is held
    elif point == "collect":
        # GET /rate_limit twice (the token check, the reachability probe); the whole batch is too heavy (502),
        # so it is split in two: one half answers, the other is held.
        fake.faults.update(slow_seconds=120).next("ok", "ok", "502", "ok", "slow")
    lines: list[str] = []
    proc = subprocess.Popen(kill_cmd(out, dump), env=audit_env(fake), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)

    def read() -> None:  # the "check" point is killed from here, the moment its line arrives
        for line in proc.stderr:
            if point == "check" and line.startswith("collect github:"):
                proc.send_signal(signal.SIGKILL)
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        if point == "extract":
            wait_for(lambda: fake.stats.faults["slow"] == 1, proc, "the token check")
        elif point == "collect":
            wait_for(lambda: fake.stats.count("POST /graphql") >= 1, proc, "the batch refused")
            before = file_state(db)  # nothing is written between the refused batch and the answered half
            wait_for(lambda: fake.stats.faults["slow"] == 1 and fake.stats.count("POST /graphql") == 2, proc,
                     "a half-batch answered")
            wait_for(lambda: file_state(db) != before, proc, "its facts committed")
        elif point == "report":
            # (not the database, nor the probe file the run makes in --out before it starts)
            wait_for(lambda: any(not f.name.startswith(("audit.duckdb", ".")) for f in out.iterdir()), proc, "a scorecard file")
        else:
            proc.wait(timeout=120)  # killed by the reader at the end of collection
        proc.send_signal(signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        fake.faults.release()  # the held request's thread goes on (to a closed socket)
    assert proc.returncode == -signal.SIGKILL, lines
    fake.faults.clear()
    settle(fake)  # the killed run's requests still in the server's hands are counted


def test_kill_9_at_several_points_then_the_same_command_ends_as_one_uninterrupted_run(fake_github, example_dumps, tmp_path):
    """SIGKILL during extraction (stored; GitHub's token check held unanswered), during collection
    (one GraphQL half-batch answered and its facts committed, the other half held), during
    checks and scoring (collection over, its progress line printed) and during report writing
    (the run is done, its first scorecard file is there), each run being the same command as the
    last; then that command once more, to the end."""
    dump = next(d for d in example_dumps if d.name == KILL_DUMP)
    clean = run_in_process(fake_github, tmp_path / "clean", dump)
    assert clean.returncode == 0, clean.stderr
    uninterrupted = outcomes(tmp_path / "clean" / "audit.duckdb")
    assert len(uninterrupted[0]) > 500 and len(uninterrupted[1]) > 100
    settle(fake_github)
    fake_github.stats.clear()

    out = tmp_path / "out"
    db = out / "audit.duckdb"
    for point in ("extract", "collect", "check", "report"):
        to_fetch = {r.target.key.removeprefix("github:") for r in kept(db)[0]} if db.exists() else set()
        kill_at(point, fake_github, out, dump)
        # Each run asks for what the runs before it did not keep, nothing else (extract: killed before asking).
        asked = set(fake_github.stats.graphql_repos)
        assert asked == (set() if point == "extract" else to_fetch), (point, asked ^ to_fetch)
        fake_github.stats.clear()
        _, fresh = kept(db)
        assert bool(fresh) == (point != "extract"), point  # from the collection on, facts were kept

    to_fetch = {r.target.key.removeprefix("github:") for r in kept(db)[0]}
    resumed = run_in_process(fake_github, out, dump)
    assert resumed.returncode == 0, resumed.stderr
    assert set(fake_github.stats.graphql_repos) == to_fetch  # the rest, and only the rest
    assert duplicates(db) == {}
    statuses = [s for (s,) in query(db, "SELECT status FROM runs ORDER BY started_at")]
    # Each run killed before it was done is recognised as such; the one killed writing reports was done.
    assert statuses == ["interrupted", "interrupted", "interrupted", "done", "done"]
    assert outcomes(db) == uninterrupted
    assert (out / "scorecard.csv").exists() and json.loads((out / "summary.json").read_text())["papers"] == 102


def ctrl_c_able(cmd: list[str], **kwargs) -> subprocess.Popen[str]:
    """``Popen(cmd)`` with SIGINT at its default in the child, whatever this process inherited.

    A shell without job control starts a command run with ``&`` (a CI script's background
    job) with SIGINT ignored; a child inherits that, and Python and the product then rightly
    ignore Ctrl-C: the run finished and exited 0. A handler, unlike an ignore, is reset to
    the default in the child.
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen(cmd, **kwargs)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_marks_the_run_interrupted_and_exits_130(fake_github, example_dumps, tmp_path):
    out = tmp_path / "out"
    fake_github.faults.update(latency=0.2)
    fake_github.limits.anonymous = 10_000
    proc = ctrl_c_able(run_cmd(out, example_dumps), env=audit_env(fake_github, token=None),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while fake_github.stats.requests["GET /repos/{owner}/{repo}"] < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == exitcodes.INTERRUPTED, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert query(out / "audit.duckdb", "SELECT status FROM runs") == [("interrupted",)]
