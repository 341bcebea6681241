"""The `audit` command without network: help, extract, errors, offline runs, report."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from auditor import __version__, exitcodes
from auditor.cli import cli
from inprocess import audit

COMMANDS = ["run", "extract", "report", "checks"]


def invoke(*args: str, env: dict[str, str] | None = None):
    """Run the CLI through its real entry (AuditGroup.main maps errors to exit codes)."""
    runner = CliRunner()
    return runner.invoke(cli, list(args), env=env, catch_exceptions=False, standalone_mode=True)


def installed_audit(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it (the one test of the entry point itself;
    every other test runs the same CLI in the test process, tests/inprocess.py)."""
    script = shutil.which("audit", path=str(Path(sys.executable).parent))
    assert script, "the `audit` console script is not installed beside this interpreter"
    return subprocess.run([script, *args], capture_output=True, text=True, timeout=120)


def test_version_and_help_with_examples():
    assert invoke("--version").output.strip() == f"audit, version {__version__}"
    for command in COMMANDS:
        result = invoke(command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output, f"`audit {command} --help` shows no example"


def test_extract_jsonl_on_bundled_dumps(example_dumps):
    result = installed_audit("extract", *map(str, example_dumps))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 285  # distinct papers of the 313 records
    assert len({r["paper_id"] for r in rows}) == 285
    by_title = {r["title"]: r for r in rows}
    treesynth = by_title["TreeSynth: Synthesizing Diverse Data from Scratch via Tree-Guided Subspace Partitioning"]
    assert [link["target"] for link in treesynth["links"]] == ["github:cpa2001/treesynth"]
    assert treesynth["links"][0]["claim"] == "available"
    assert treesynth["claims"][0]["target"] == "github:cpa2001/treesynth"
    pull = [l for r in rows for l in r["links"] if "/pull/" in l["url"]]
    assert pull and pull[0]["number"] == 17590 and pull[0]["target"] == "github:run-llama/llama_index"
    # A paper seen in two dumps is one paper with both sources.
    assert any(len(r["sources"]) > 1 for r in rows)
    keys = {"paper_id", "title", "published", "arxiv_id", "doi", "sources", "links", "claims"}
    assert all(set(r) == keys for r in rows)
    # Every link says where it came from; these dumps carry no comments, so all are the abstract's.
    assert {link["source"] for r in rows for link in r["links"]} == {"abstract"}


def test_extract_csv_has_one_row_per_link(example_dumps):
    result = audit("extract", "--format", "csv", *map(str, example_dumps))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    jsonl = audit("extract", *map(str, example_dumps))
    n_links = sum(len(json.loads(line)["links"]) for line in jsonl.stdout.splitlines())
    assert len(rows) == n_links > 50
    assert {"paper_id", "url", "target", "kind", "claim"} <= set(rows[0])


def test_extract_twice_into_one_db_adds_no_duplicates(example_dumps, tmp_path):
    db = tmp_path / "x.duckdb"
    for _ in range(2):
        assert audit("extract", "--db", str(db), *map(str, example_dumps)).returncode == 0
    con = duckdb.connect(str(db), read_only=True)
    papers = con.execute("select count(*) from papers").fetchone()[0]
    links = con.execute("select count(*) from links").fetchone()[0]
    dup_links = con.execute("select count(*) from (select paper_id, ordinal from links group by all having count(*) > 1)").fetchone()[0]
    targets = con.execute("select count(*), count(distinct target_key) from targets").fetchone()
    con.close()
    assert papers == 285
    assert links > 50 and dup_links == 0
    assert targets[0] == targets[1]


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("missing.txt", None, "missing.txt"),
        ("empty.txt", b"", "empty.txt"),
        ("page.html", b"<!DOCTYPE html><html><body>hi</body></html>", "page.html"),
        ("binary.txt", bytes(range(256)) * 4, "binary.txt"),
        ("table.csv", b"name,body\nx,y\n", "table.csv"),
    ],
)
def test_bad_input_one_line_error_and_exit_1(tmp_path, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = audit("extract", str(path))
    assert result.returncode == exitcodes.USAGE_OR_INPUT
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in result.stderr


def test_bad_file_among_good_ones_writes_nothing(example_dumps, tmp_path):
    db = tmp_path / "x.duckdb"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,body\nx,y\n")
    result = audit("run", "--offline", "--db", str(db), "--out", str(tmp_path / "out"), str(example_dumps[0]), str(bad))
    assert result.returncode == exitcodes.USAGE_OR_INPUT
    assert "bad.csv" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not db.exists() and not (tmp_path / "out").exists()  # an input error creates nothing


def test_unknown_check_is_a_usage_error(example_dumps, tmp_path):
    result = audit("run", "--offline", "--checks", "nope", "--out", str(tmp_path), str(example_dumps[0]))
    assert result.returncode == exitcodes.USAGE_OR_INPUT
    assert "nope" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_offline_run_marks_network_checks_unknown(example_dumps, tmp_path):
    out = tmp_path / "out"
    result = audit("run", "--offline", "--out", str(out), "--as-of", "2026-11-23", *map(str, example_dumps))
    assert result.returncode == 0, result.stderr
    assert "papers 285" in result.stdout
    for name in ("audit.duckdb", "scorecard.csv", "links.csv", "scorecard.md", "scorecard.html", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    facts = dict(con.execute("select status, count(*) from facts group by status").fetchall())
    network = con.execute(
        "select distinct status from results where check_name in ('repo_exists', 'license', 'readme', 'stars')"
    ).fetchall()
    run_status = con.execute("select status from runs").fetchall()
    con.close()
    assert facts == {}  # offline collects nothing and stores nothing over the cache
    assert {s for (s,) in network} <= {"unknown", "skip"}
    assert run_status == [("done",)]


def test_fail_under_exits_4_and_report_regenerates(example_dumps, tmp_path):
    out = tmp_path / "out"
    # Offline, few papers can be scored (and code_linked leaves every paper to judge, unknown offline):
    # allow the comparison on them (--min-judged-share 0.05).
    result = audit("run", "--offline", "--quiet", "--out", str(out), "--fail-under", "9.5", "--min-judged-share", "0.05",
                   *map(str, example_dumps))
    assert result.returncode == exitcodes.FAIL_UNDER
    assert "fail-under" in result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["score"] is not None and summary["score"] < 9.5
    md = audit("report", "--db", str(out / "audit.duckdb"), "--format", "md")
    assert md.returncode == 0 and md.stdout == (out / "scorecard.md").read_text()
    as_json = json.loads(audit("report", "--db", str(out / "audit.duckdb"), "--format", "json").stdout)
    assert as_json["papers"] == 285


def test_checks_lists_builtins():
    result = invoke("checks")
    assert result.exit_code == 0
    names = {line.split()[0] for line in result.output.splitlines()}
    assert {"repo_exists", "license", "readme", "stars", "last_commit", "archived", "code_present", "claim_kept"} <= names


def test_without_network_every_target_is_unknown_and_one_line_says_why(example_dumps, tmp_path):
    closed = "http://127.0.0.1:1"  # nothing listens there: the connection is refused at once
    env = {"GITHUB_API_URL": closed, "HF_ENDPOINT": closed, "AUDITOR_ANONYMOUS_URL": closed}
    out = tmp_path / "out"
    result = audit("run", "--quiet", "--out", str(out), *map(str, example_dumps), env=env)
    # Collection was impossible: the results are partial and the exit code says so.
    assert result.returncode == exitcodes.PARTIAL, result.stderr
    offline = [line for line in result.stdout.splitlines() if line.startswith("offline:")]
    assert len(offline) == 1 and "cannot reach 127.0.0.1:1" in offline[0]
    partial = [line for line in result.stdout.splitlines() if line.startswith("partial:")]
    assert len(partial) == 1 and "ended in error or unknown" in partial[0] and "cannot reach 127.0.0.1:1" in partial[0]
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    statuses = con.execute("SELECT DISTINCT status FROM facts").fetchall()
    errors = con.execute("SELECT DISTINCT error FROM facts").fetchall()
    con.close()
    assert statuses == [("unknown",)]
    assert all(e.startswith("offline: cannot reach") for (e,) in errors)


def test_checks_option_runs_only_those_checks(example_dumps, tmp_path):
    out = tmp_path / "out"
    result = audit("run", "--offline", "--quiet", "--checks", "repo_exists,license", "--out", str(out), str(example_dumps[0]))
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    names = {n for (n,) in con.execute("SELECT DISTINCT check_name FROM results").fetchall()}
    con.close()
    assert names == {"repo_exists", "license"}
