"""The Action on the commit and the pull request: annotations for the worst papers of the
audited dumps, and one pull-request comment with the summary, created then updated
(tests/fakegithub/issues_api.py answers as GitHub's issue-comments API).

The action's Python runs in the test process (test_action.run_action_in_process); the step's
script and the processes it starts are test_action.py's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from auditor.action_report import MARKER, Annotation, annotations, comment_body
from test_action import EXAMPLE_DUMPS, fake, github_env, run_action_in_process, workspace  # noqa: F401

REPOSITORY = "octo/papers"


def pr_event(tmp_path: Path, number: int = 7) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"action": "synchronize", "number": number, "pull_request": {"number": number}}))
    return path


def test_annotations_point_at_the_dump_and_the_line(workspace, tmp_path, fake):  # noqa: F811
    ws, before, head = workspace
    code, _, outputs, log = run_action_in_process(ws, tmp_path, github_env(fake), AUDIT_BASE_SHA=before, GITHUB_SHA=head)
    assert code in (0, 3), log  # done, or partial: the fake GitHub rate-limited the run
    pushed = "dumps/" + sorted(EXAMPLE_DUMPS.glob("*.txt"))[2].name
    errors = [line for line in log.splitlines() if line.startswith("::error file=")]
    warnings = [line for line in log.splitlines() if line.startswith("::warning file=")]
    assert errors and len(errors) <= 10 and len(warnings) <= 10
    for line in errors + warnings:
        m = re.match(r"::(error|warning) file=([^,]+),line=(\d+),title=[^:]+::(.+)$", line)
        assert m, line
        assert m.group(2) == pushed  # only the dump the push changed
        text = (ws / pushed).read_text().splitlines()[int(m.group(3)) - 1]
        # the line named holds the title the message ends with
        assert " ".join(text.split())[:30].lower() in " ".join(m.group(4).split()).lower()


def test_comment_on_pr_posts_once_then_updates(workspace, tmp_path, fake):  # noqa: F811
    ws, before, head = workspace
    extra = {"AUDIT_BASE_SHA": before, "GITHUB_SHA": head, "GITHUB_EVENT_NAME": "pull_request",
             "GITHUB_EVENT_PATH": str(pr_event(tmp_path)), "GITHUB_REPOSITORY": REPOSITORY,
             "INPUT_COMMENT_ON_PR": "true"}
    code, summary, _, log = run_action_in_process(ws, tmp_path, github_env(fake), **extra)
    assert code in (0, 3), log  # done, or partial: the fake GitHub rate-limited the run
    comments = fake.comments.on("octo", "papers", 7)
    assert len(comments) == 1 and comments[0]["body"].startswith(MARKER)
    assert "## repro-auditor" in comments[0]["body"] and "Scorecard" in comments[0]["body"]
    assert "created" in log
    first_id = comments[0]["id"]
    code, _, _, log = run_action_in_process(ws, tmp_path, github_env(fake), **extra)
    comments = fake.comments.on("octo", "papers", 7)
    assert code in (0, 3) and len(comments) == 1 and comments[0]["id"] == first_id and "updated" in log
    assert fake.stats.clients[f"token:{github_env(fake)['GITHUB_TOKEN']}"] > 0


def test_no_comment_unless_asked_or_on_a_push(workspace, tmp_path, fake):  # noqa: F811
    ws, before, head = workspace
    base = {"AUDIT_BASE_SHA": before, "GITHUB_SHA": head, "GITHUB_EVENT_PATH": str(pr_event(tmp_path)),
            "GITHUB_REPOSITORY": REPOSITORY}
    run_action_in_process(ws, tmp_path, github_env(fake), GITHUB_EVENT_NAME="pull_request", **base)
    run_action_in_process(ws, tmp_path, github_env(fake), GITHUB_EVENT_NAME="push", INPUT_COMMENT_ON_PR="true", **base)
    assert fake.comments.on("octo", "papers", 7) == []


def test_a_comment_that_cannot_be_posted_is_a_warning_not_a_failure(workspace, tmp_path, fake):  # noqa: F811
    ws, before, head = workspace
    env = {**github_env(fake), "GITHUB_TOKEN": ""}  # no token: GitHub answers 401
    code, _, outputs, log = run_action_in_process(
        ws, tmp_path, env, AUDIT_BASE_SHA=before, GITHUB_SHA=head, GITHUB_EVENT_NAME="pull_request",
        GITHUB_EVENT_PATH=str(pr_event(tmp_path)), GITHUB_REPOSITORY=REPOSITORY, INPUT_COMMENT_ON_PR="true")
    assert code in (0, 3) and outputs["exit-code"] == str(code)
    assert "::warning title=repro-auditor::could not comment on pull request 7" in log
    assert "pull-requests: write" in log


def test_annotation_commands_cannot_be_hijacked():
    a = Annotation("error", "bad\n::set-output name=x::y 100%", "dumps/a,b:c.txt", 3, title="t: x")
    assert a.command() == "::error file=dumps/a%2Cb%3Ac.txt,line=3,title=t%3A x::bad%0A::set-output name=x::y 100%25"


def test_comment_body_fits_githubs_limit():
    body = comment_body("line\n" * 40_000)
    assert body.startswith(MARKER) and len(body) <= 65_536 and "Cut to fit" in body


def test_annotations_from_a_scorecard(tmp_path):
    (tmp_path / "dumps").mkdir()
    (tmp_path / "dumps" / "d.txt").write_text("header\n\nA Failing Paper\nabstract\n")
    csv = tmp_path / "scorecard.csv"
    csv.write_text("paper_id,title,sources,n_fail,n_warn,top_reason,repository_urls\n"
                   "p1,A Failing Paper,d.txt,2,0,repo_exists: not found,https://github.com/a/b\n"
                   "p2,Fine,d.txt,0,0,,\n")
    (found,) = annotations(csv, ["dumps/d.txt"], tmp_path)
    assert (found.kind, found.file, found.line) == ("error", "dumps/d.txt", 3)
    assert found.message == "repo_exists: not found: A Failing Paper (https://github.com/a/b)"


def test_a_paper_from_a_live_hub_source_is_annotated_without_a_file(tmp_path):
    csv = tmp_path / "scorecard.csv"
    csv.write_text("paper_id,title,sources,n_fail,n_warn,top_reason,repository_urls\n"
                   "p1,A Listed Paper,hf-daily:2026-11-30,1,0,code_linked: no code link,\n")
    (found,) = annotations(csv, ["hf-daily:2026-11-30"], tmp_path)
    assert (found.kind, found.file, found.line) == ("error", None, None)


def test_annotations_stop_reading_once_both_kinds_are_full(tmp_path):
    """The worst ten errors and ten warnings, in scorecard order; the rest of a large scorecard
    is never read (here: a tail that is not even UTF-8)."""
    head = "paper_id,title,sources,n_fail,n_warn,top_reason,repository_urls\n"
    rows = "".join(f"f{i},Failing {i},d.txt,1,0,bad,\n" for i in range(12))
    rows += "".join(f"w{i},Warning {i},d.txt,0,1,meh,\n" for i in range(12))
    csv = tmp_path / "scorecard.csv"
    csv.write_bytes((head + rows).encode() + b"x" * 70_000 + b"\xff\xfe broken tail\n")
    found = annotations(csv, [], tmp_path)
    assert [a.kind for a in found] == ["error"] * 10 + ["warning"] * 10
    assert found[0].message == "bad: Failing 0" and found[-1].message == "meh: Warning 9"
