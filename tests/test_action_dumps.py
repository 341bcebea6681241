"""Which dumps the GitHub Action audits, and what it writes for the runner
(auditor/action.py). `audit run` itself is replaced by a stub here: these tests pin the
action's own logic; tests/test_action.py runs the real command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import action
from auditor.action import Selection

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit(repo: Path, files: dict[str, str | None], message: str) -> str:
    """Write (or delete, for None) files and commit them; returns the new commit's sha."""
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


@pytest.fixture
def two_commits(repo: Path) -> tuple[Path, str, str]:
    """First commit: two dumps and a README; second: one new dump, one changed, one deleted,
    plus files that are not dumps or not under dumps/."""
    first = commit(
        repo,
        {
            "dumps/a.txt": "a\n",
            "dumps/b.csv": "title\nb\n",
            "dumps/old.jsonl": "{}\n",
            "dumps/README.md": "dumps\n",
            "notes/x.txt": "x\n",
        },
        "first",
    )
    second = commit(
        repo,
        {
            "dumps/2026/new.parquet": "not really parquet\n",
            "dumps/b.csv": "title\nb\nc\n",
            "dumps/old.jsonl": None,
            "dumps/README.md": "dumps, changed\n",
            "notes/x.txt": "x changed\n",
            "other.csv": "t\n",
        },
        "second",
    )
    return repo, first, second


def select(workspace: Path, **kw: str) -> Selection:
    args = {"patterns": "", "dumps_path": "dumps/", "event": "push", "base": "", "head": ""}
    args.update(kw)
    return action.select_dumps(workspace, **args)


# -- which dumps ---------------------------------------------------------------------------


def test_push_audits_only_the_dumps_it_added_or_changed(two_commits):
    repo, first, second = two_commits
    sel = select(repo, base=first, head=second)
    # deleted old.jsonl, README.md, notes/x.txt and the top-level other.csv are left out
    assert sel.dumps == ["dumps/2026/new.parquet", "dumps/b.csv"]
    assert first[:7] in sel.reason and second[:7] in sel.reason


def test_push_without_dump_changes_audits_nothing(repo):
    first = commit(repo, {"dumps/a.txt": "a\n"}, "first")
    second = commit(repo, {"README.md": "hello\n"}, "docs only")
    assert select(repo, base=first, head=second).dumps == []


@pytest.mark.parametrize("base", ["", action.ZERO_SHA])
def test_first_push_audits_every_dump(two_commits, base):
    repo, _, second = two_commits
    sel = select(repo, base=base, head=second)
    assert sel.dumps == ["dumps/2026/new.parquet", "dumps/a.txt", "dumps/b.csv"]
    assert "first push" in sel.reason


def test_base_missing_from_a_shallow_history_audits_every_dump(two_commits):
    repo, _, second = two_commits
    sel = select(repo, base="1234567" * 5 + "89abc", head=second)
    assert sel.dumps == ["dumps/2026/new.parquet", "dumps/a.txt", "dumps/b.csv"]
    assert "not in the checkout's history" in sel.reason


@pytest.mark.parametrize("event", ["schedule", "workflow_dispatch", ""])
def test_schedule_and_dispatch_audit_every_dump(two_commits, event):
    repo, first, second = two_commits
    sel = select(repo, event=event, base=first, head=second)
    assert sel.dumps == ["dumps/2026/new.parquet", "dumps/a.txt", "dumps/b.csv"]


def test_explicit_globs_win_over_the_event(two_commits):
    repo, first, second = two_commits
    sel = select(repo, patterns="dumps/*.txt\n  other.csv", base=first, head=second)
    assert sel.dumps == ["dumps/a.txt", "other.csv"]
    sel = select(repo, patterns="dumps/**/*.parquet")
    assert sel.dumps == ["dumps/2026/new.parquet"]


def test_a_live_hub_source_is_passed_to_audit_run_as_given(two_commits):
    repo, first, second = two_commits
    sel = select(repo, patterns="hf-daily:2026-11-30 dumps/*.txt hf-daily:2026-W48 hf-daily:2026-11-30")
    assert sel.dumps == ["dumps/a.txt", "hf-daily:2026-11-30", "hf-daily:2026-W48"]  # files first, no repeats
    assert action.audit_command(["audit"], sel.dumps, out_dir="out")[2:5] == sel.dumps


def test_dumps_path_is_respected_in_both_modes(two_commits):
    repo, first, second = two_commits
    assert select(repo, dumps_path="notes", base=first, head=second).dumps == ["notes/x.txt"]
    assert select(repo, dumps_path="./notes/", event="schedule").dumps == ["notes/x.txt"]
    assert select(repo, dumps_path="missing/", event="schedule").dumps == []


def test_not_a_git_work_tree_falls_back_to_every_dump(tmp_path):
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "a.TXT").write_text("a\n")
    sel = select(tmp_path, base="a" * 40, head="b" * 40)
    assert sel.dumps == ["dumps/a.TXT"]


def test_odd_file_names_survive_the_diff(repo):
    first = commit(repo, {"dumps/a.txt": "a\n"}, "first")
    second = commit(repo, {"dumps/with space é.txt": "b\n"}, "second")
    assert select(repo, base=first, head=second).dumps == ["dumps/with space é.txt"]


# -- what the runner gets ------------------------------------------------------------------


def test_audit_command_passes_only_the_inputs_given():
    assert action.audit_command(["audit"], ["d/a.txt"], out_dir="out") == [
        "audit", "run", "d/a.txt", "--out", "out",
    ]
    cmd = action.audit_command(
        ["audit"], ["a", "b"], out_dir="o", fail_under=" 5 ", checks="x,y", config="audit.toml",
        args="--max-age 168 --as-of '2026-01-02' ; touch $HOME/pwned",
    )
    assert cmd == [
        "audit", "run", "a", "b", "--out", "o", "--max-age", "168", "--as-of", "2026-01-02",
        ";", "touch", "$HOME/pwned",  # argv, never a shell: nothing is expanded or run
        "--fail-under", "5", "--checks", "x,y", "--config", "audit.toml",
    ]


def test_step_outputs_from_summary_json():
    summary = {"papers": 12, "failing": 3, "score": 6.456, "db_path": "out/audit.duckdb",
               "csv_path": "out/scorecard.csv"}
    assert action.step_outputs(summary, 0) == {
        "score": "6.46", "papers": "12", "failing": "3", "db-path": "out/audit.duckdb",
        "csv-path": "out/scorecard.csv", "exit-code": "0",
    }
    empty = action.step_outputs({"papers": 0, "failing": 0, "score": None}, 0)
    assert empty["score"] == "" and empty["papers"] == "0"
    assert action.step_outputs(None, 1)["exit-code"] == "1"


def test_outputs_with_a_line_break_use_the_delimiter_form():
    text = action.format_outputs({"a": "1", "b": "x\ny"})
    lines = text.splitlines()
    assert lines[0] == "a=1"
    name, delimiter = lines[1].split("<<")
    assert name == "b" and lines[2:4] == ["x", "y"] and lines[4] == delimiter


def test_summary_is_truncated_to_fit_githubs_limit():
    scorecard = "| paper | score |\n|---|---|\n" + "| a paper with a long title | 5.0 |\n" * 50_000
    text = action.build_summary(Selection(["dumps/a.txt"], "why"), scorecard, "", limit=100_000)
    assert len(text.encode()) <= 100_000
    assert text.rstrip().endswith("the full one is in the artifact.*")
    assert "| paper | score |" in text


def test_summary_lists_the_dumps_and_the_status():
    sel = Selection([f"dumps/{i}.txt" for i in range(60)], "every dump under `dumps/`")
    text = action.build_summary(sel, "SCORECARD\n", action.status_line(4, {"score": 3.2}, "5"))
    assert text.startswith("## repro-auditor\n")
    assert "Audited 60 dumps: every dump under `dumps/`." in text
    assert "`dumps/49.txt`" in text and "`dumps/50.txt`" not in text and "10 more" in text
    assert "Mean paper score 3.20 is below `fail-under` 5." in text
    assert text.index("below `fail-under`") < text.index("SCORECARD")
    assert "partial" in action.status_line(3, None, "")
    assert action.status_line(0, None, "") == ""


# -- the whole step, with a stub `audit run` -----------------------------------------------

STUB = r"""
import json, sys, pathlib
args = sys.argv[1:]
out = pathlib.Path(args[args.index("--out") + 1])
out.mkdir(parents=True, exist_ok=True)
(out / "argv.json").write_text(json.dumps(args))
(out / "scorecard.md").write_text("| paper | score |\n|---|---|\n| Stub paper | 3.50 |\n")
(out / "summary.json").write_text(json.dumps({
    "run_id": "r1", "papers": 1, "links": 2, "targets_by_status": {"ok": 2}, "score": 3.5,
    "failing": 1, "db_path": str(out / "audit.duckdb"), "csv_path": str(out / "scorecard.csv"),
    "md_path": str(out / "scorecard.md"), "html_path": str(out / "scorecard.html")}))
sys.exit(4 if "--fail-under" in args else 0)
"""


def run_step(workspace: Path, tmp_path: Path, monkeypatch, stub_code: str = STUB, **inputs: str) -> tuple[int, str, dict]:
    stub = tmp_path / "stub_audit.py"
    stub.write_text(stub_code)
    monkeypatch.setattr(action, "find_audit", lambda: [sys.executable, str(stub)])
    summary_file, output_file = tmp_path / "summary.md", tmp_path / "output.txt"
    env = {
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_STEP_SUMMARY": str(summary_file),
        "GITHUB_OUTPUT": str(output_file),
        "GITHUB_EVENT_NAME": "workflow_dispatch",
        "PATH": os.environ.get("PATH", ""),
        **inputs,
    }
    code = action.main(env)
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines())
    return code, summary_file.read_text(), outputs


def test_fail_under_fails_after_summary_and_outputs_are_written(two_commits, tmp_path, monkeypatch):
    repo, _, _ = two_commits
    code, summary, outputs = run_step(repo, tmp_path, monkeypatch, INPUT_FAIL_UNDER="5")
    assert code == 4
    assert "| Stub paper | 3.50 |" in summary and "below `fail-under` 5" in summary
    assert outputs["score"] == "3.50" and outputs["failing"] == "1" and outputs["exit-code"] == "4"
    argv = json.loads((repo / "out" / "argv.json").read_text())
    assert argv[:4] == ["run", "dumps/2026/new.parquet", "dumps/a.txt", "dumps/b.csv"]
    assert argv[argv.index("--fail-under") + 1] == "5"


def test_nothing_to_audit_is_a_success_that_says_so(repo, tmp_path, monkeypatch):
    first = commit(repo, {"dumps/a.txt": "a\n"}, "first")
    second = commit(repo, {"README.md": "b\n"}, "second")
    code, summary, outputs = run_step(
        repo, tmp_path, monkeypatch,
        GITHUB_EVENT_NAME="push", AUDIT_BASE_SHA=first, GITHUB_SHA=second,
    )
    assert code == 0
    assert "Audited 0 dumps" in summary and "Nothing to audit." in summary
    assert outputs["papers"] == "0" and outputs["exit-code"] == "0"
    assert not (repo / "out").exists()


def test_a_glob_that_matches_nothing_is_an_input_error(repo, tmp_path, monkeypatch):
    commit(repo, {"dumps/a.txt": "a\n"}, "first")
    code, summary, outputs = run_step(repo, tmp_path, monkeypatch, INPUT_DUMPS="nope/*.txt")
    assert code == 1 and outputs["exit-code"] == "1"
    assert "No file matches `nope/*.txt`" in summary


def test_unreadable_args_is_an_input_error(repo, tmp_path, monkeypatch):
    commit(repo, {"dumps/a.txt": "a\n"}, "first")
    code, summary, outputs = run_step(repo, tmp_path, monkeypatch, INPUT_ARGS="--as-of '2026")
    assert code == 1 and outputs["exit-code"] == "1"
    assert "Cannot read the `args` input" in summary
    assert not (repo / "out").exists()


def test_audit_run_failing_without_results_still_leaves_a_summary(repo, tmp_path, monkeypatch):
    commit(repo, {"dumps/a.txt": "a\n"}, "first")
    stale = repo / "out" / "summary.json"  # left by an earlier run: must not be reported
    stale.parent.mkdir()
    stale.write_text(json.dumps({"papers": 7, "failing": 2, "score": 9.0}))
    os.utime(stale, (1_700_000_000, 1_700_000_000))
    crash = "import sys; print('error: dumps/a.txt is not a dump', file=sys.stderr); sys.exit(1)"
    code, summary, outputs = run_step(repo, tmp_path, monkeypatch, stub_code=crash)
    assert code == 1
    assert outputs == {"score": "", "papers": "0", "failing": "0", "db-path": "", "csv-path": "",
                       "exit-code": "1"}
    assert "`audit run` failed with exit code 1" in summary and "`dumps/a.txt`" in summary


def test_workflow_commands_and_the_summary_cannot_be_hijacked_by_inputs_or_file_names(capsys):
    action._command("error", "50% done\n::add-mask::secret\r")
    assert capsys.readouterr().out == "::error title=repro-auditor::50%25 done%0A::add-mask::secret%0D\n"
    text = action.build_summary(Selection(["dumps/a`b\n## x.txt"], "why"), None, "")
    assert "- `dumps/a'b ## x.txt`" in text and "\n## x" not in text
