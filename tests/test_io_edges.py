"""The command's input and output edges: unwritable --out, write errors at the end, input
errors that create nothing, which run a report shows, oversized records, closed pipes and
one-line usage errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from auditor import exitcodes
from auditor.ingest import oversized
from auditor.store import Store
from inprocess import audit

PAPERS = [
    ("Sparse Mixtures for Vision", "Code is available at https://github.com/fixture-lab/healthy."),
    ("Dense Retrieval at Scale", "We will release the code soon."),
    ("A Survey of Pruning", "See https://github.com/fixture-lab/awesome-list for the list."),
]




def one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps({"title": t, "abstract": a}) + "\n" for t, a in PAPERS), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- --out


def test_unwritable_out_is_refused_before_any_work(table, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("in the way\n")
    db = tmp_path / "audit.duckdb"
    result = audit("run", "--offline", "--db", str(db), "--out", str(blocker / "out"), str(table))
    assert result.returncode == exitcodes.USAGE_OR_INPUT
    line = one_line(result.stderr)
    assert "--out" in line and str(blocker / "out") in line
    assert result.stdout == "" and not db.exists()  # no database, no run row


def test_report_out_is_checked_before_the_report_is_printed(table, tmp_path):
    out = tmp_path / "out"
    assert audit("run", "--offline", "--quiet", "--out", str(out), str(table)).returncode == 0
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = audit("report", "--db", str(out / "audit.duckdb"), "--out", str(blocker / "again"))
    assert result.returncode == exitcodes.USAGE_OR_INPUT and result.stdout == ""
    assert "--out" in one_line(result.stderr)


def test_a_write_error_at_the_end_is_one_line_and_report_writes_the_scorecards_again(table, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "scorecard.csv.tmp").symlink_to("/dev/full")  # writing there fails: no space left on device
    result = audit("run", "--offline", "--quiet", "--out", str(out), str(table))
    assert result.returncode == exitcodes.USAGE_OR_INPUT
    line = one_line(result.stderr)
    assert "could not write the scorecards" in line and "audit report" in line and str(out / "audit.duckdb") in line
    with duckdb.connect(str(out / "audit.duckdb"), read_only=True) as con:  # the results are kept
        assert con.execute("SELECT status FROM runs").fetchall() == [("done",)]
        assert con.execute("SELECT count(*) FROM papers").fetchone()[0] == 3
    again = tmp_path / "again"
    regenerated = audit("report", "--db", str(out / "audit.duckdb"), "--out", str(again), "--format", "json")
    assert regenerated.returncode == 0, regenerated.stderr
    for name in ("scorecard.csv", "links.csv", "scorecard.md", "scorecard.html", "summary.json"):
        assert (again / name).stat().st_size > 0, name
    assert json.loads((again / "summary.json").read_text())["papers"] == 3


# --------------------------------------------------------------------------- input errors


@pytest.mark.parametrize("bad", ["missing.csv", "wrong-columns.csv", "empty.jsonl"])
def test_an_input_error_creates_nothing(table, tmp_path, bad):
    (tmp_path / "wrong-columns.csv").write_text("name,body\nx,y\n")
    (tmp_path / "empty.jsonl").write_text("")
    out, db = tmp_path / "out", tmp_path / "db" / "audit.duckdb"
    result = audit("run", "--offline", "--db", str(db), "--out", str(out), str(table), str(tmp_path / bad))
    assert result.returncode == exitcodes.USAGE_OR_INPUT
    assert bad in one_line(result.stderr)
    assert not out.exists() and not db.parent.exists()


# --------------------------------------------------------------------------- which run a report shows


def test_report_shows_the_latest_finished_run_and_says_which(table, tmp_path):
    out = tmp_path / "out"
    assert audit("run", "--offline", "--quiet", "--out", str(out), str(table)).returncode == 0
    db = out / "audit.duckdb"
    assert audit("extract", "--db", str(db), str(table)).returncode == 0  # done, but no scorecard
    with Store.open(db) as store:
        (finished,), = store.db.rows("SELECT run_id FROM runs WHERE options NOT LIKE '%\"extract\"%'")
        store.finish_run(store.start_run({"command": "run"}, date(2026, 11, 23)), "failed")
        store.start_run({"command": "run"}, date(2026, 11, 23))  # still running (or killed)
    shown = audit("report", "--db", str(db), "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert f"audit: report of run {finished} (done" in shown.stderr.splitlines()[0]
    assert json.loads(shown.stdout)["papers"] == 3
    picked = audit("report", "--db", str(db), "--run", "no-such-run")
    assert picked.returncode == exitcodes.USAGE_OR_INPUT and "no-such-run" in one_line(picked.stderr)


def test_report_without_a_finished_run_says_so(tmp_path):
    db = tmp_path / "audit.duckdb"
    with Store.open(db) as store:
        store.start_run({"command": "run"}, date(2026, 11, 23))
    result = audit("report", "--db", str(db))
    assert result.returncode == exitcodes.USAGE_OR_INPUT and result.stdout == ""
    assert "no finished run" in one_line(result.stderr)


# --------------------------------------------------------------------------- oversized records


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_an_oversized_record_is_skipped_with_its_line_and_the_rest_is_read(tmp_path, fmt, monkeypatch):
    temp = tmp_path / "temp"  # this run's own temporary folder: another test's (or worker's) files are not its
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    big = "x" * (20 * 1024 * 1024)  # over DuckDB's own limits too (2 MiB CSV line, 16 MiB JSON object)
    rows = [PAPERS[0], ("A Paper Pasted Whole", big), *PAPERS[1:]]
    path = tmp_path / f"t.{fmt}"
    if fmt == "csv":
        path.write_text("title,abstract\n" + "".join(f'"{t}","{a}"\n' for t, a in rows), encoding="utf-8")
        line = 3
    else:
        path.write_text("".join(json.dumps({"title": t, "abstract": a}) + "\n" for t, a in rows), encoding="utf-8")
        line = 2
    result = audit("extract", "--quiet", str(path))
    assert result.returncode == 0, result.stderr
    titles = [json.loads(row)["title"] for row in result.stdout.splitlines()]
    assert titles == [t for t, _ in PAPERS]
    note = one_line(result.stderr)
    assert f"line {line}:" in note and f"{oversized.RECORD_LIMIT:,}-byte limit" in note
    assert not [p for p in temp.rglob("*") if p.is_file() and p.stat().st_size > 10**6]


def test_long_lines_counts_every_line_and_the_last_one_without_newline(tmp_path):
    path = tmp_path / "lines"
    path.write_bytes(b"ab\n" + b"x" * 10 + b"\n" + b"y" * 9 + b"\n\n" + b"z" * 11)
    assert oversized.long_lines(path, limit=9) == [(2, 10), (5, 11)]
    copy = oversized.without_lines(path, {2, 5})
    try:
        assert copy.read_bytes() == b"ab\n\n" + b"y" * 9 + b"\n\n"
    finally:
        copy.unlink()


# --------------------------------------------------------------------------- pipes and usage


@pytest.mark.parametrize("command", ["extract -q {dumps}", "extract -q --format csv {dumps}",
                                     "extract -q --db {db} {dumps}", "checks"])
def test_a_closed_output_pipe_ends_quietly_with_0(example_dumps, tmp_path, command):
    line = f"{sys.executable} -c 'from auditor.cli import main; main()' " + command.format(
        dumps=" ".join(map(str, example_dumps)), db=tmp_path / "a.duckdb")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", f"{line} | head -c 1"],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert len(done.stdout) == 1
    if "--db" in command:  # the output (~100 kB) outgrows the pipe's buffer: the run ended early, and says so
        from test_run_e2e import query

        assert query(tmp_path / "a.duckdb", "SELECT status, notes FROM runs") == [("interrupted", '["the run\'s output was closed before the end: run the same command again to finish"]')]


@pytest.mark.parametrize(("args", "wanted"), [
    (["rn"], "Did you mean 'run'?"),
    (["run", "--fial-under", "5", "x.txt"], "Did you mean '--fail-under'?"),
    (["run", "--offline", "--checks", "licence,stars", "{dump}"], "licence (did you mean license?)"),
    (["run", "--offline", "--hosts", "githb", "{dump}"], "githb (did you mean github?)"),
    (["report", "--format", "xml"], "'xml' is not one of"),
    (["run"], "Missing argument"),
])
def test_usage_errors_are_one_line(example_dumps, tmp_path, args, wanted):
    result = audit(*[a.format(dump=example_dumps[0]) for a in args], cwd=tmp_path)
    assert result.returncode == exitcodes.USAGE_OR_INPUT
    assert wanted in one_line(result.stderr)
    assert not (tmp_path / "out").exists()
