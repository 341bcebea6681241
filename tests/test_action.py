"""The GitHub Action: action.yml and the example workflow validate offline (GitHub's
schemas through check-jsonschema, zizmor's security audits), keep the shape the README
promises, and the action's run step, executed as the runner would, audits the bundled
dumps against the fake GitHub and fills the job summary and the step outputs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
import yaml

import inprocess

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DUMPS = REPO / "examples" / "dumps"
ACTION = REPO / "action.yml"
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
EXAMPLE_WORKFLOW = REPO / ".github" / "workflows" / "audit-dumps.yml"
BIN = Path(sys.executable).parent
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    """A console script of the venv (beside this interpreter), or a skip saying what is missing."""
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.skip(f"{name} is not installed: pip install -e '.[test]' brings it")
    return found


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def action_steps() -> dict[str, dict]:
    return {s.get("id", s.get("name")): s for s in load(ACTION)["runs"]["steps"]}


# -- offline validation --------------------------------------------------------------------


def test_action_matches_githubs_schema():
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions", str(ACTION)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflows_match_githubs_schema():
    assert EXAMPLE_WORKFLOW in WORKFLOWS
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_finds_nothing_even_pedantic():
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--pedantic", "--format", "json", str(ACTION), *map(str, WORKFLOWS)],
        capture_output=True, text=True,
    )
    findings = json.loads(done.stdout or "[]")
    assert done.returncode == 0 and findings == [], [f["ident"] for f in findings] or done.stderr


def test_zizmor_offline_does_catch_what_we_avoid(tmp_path):
    """Control: the audits above would fail on an inline `${{ }}` or an unpinned action."""
    (tmp_path / "action.yml").write_text(
        "name: bad\ndescription: bad\ninputs:\n  dumps:\n    description: d\n"
        "runs:\n  using: composite\n  steps:\n"
        "    - uses: actions/setup-python@v6\n"
        "    - shell: bash\n      run: echo \"${{ inputs.dumps }}\"\n"
    )
    done = subprocess.run(
        [tool("zizmor"), "--offline", "--format", "json", str(tmp_path / "action.yml")],
        capture_output=True, text=True,
    )
    idents = {f["ident"] for f in json.loads(done.stdout)}
    assert done.returncode != 0 and {"template-injection", "unpinned-uses"} <= idents


# -- the shape promised in the README ------------------------------------------------------


def test_every_action_used_is_pinned_by_commit_with_a_version_comment():
    for path in (ACTION, *WORKFLOWS):
        for line in path.read_text().splitlines():
            m = re.match(r"^\s*(?:-\s*)?uses:\s*(\S+)\s*(#.*)?$", line)
            if not m or m.group(1).startswith("./"):
                continue
            assert SHA_PIN.match(m.group(1)), f"{path.name}: {line.strip()}"
            assert m.group(2) and re.search(r"v\d+\.\d+", m.group(2)), f"{path.name}: {line.strip()}"


def test_no_expression_is_pasted_into_a_script():
    for path in (ACTION, *WORKFLOWS):
        data = load(path)
        steps = data["runs"]["steps"] if "runs" in data else [
            s for job in data["jobs"].values() for s in job.get("steps", [])
        ]
        for step in steps:
            assert "${{" not in step.get("run", ""), f"{path.name}: {step.get('name')}"


def test_every_script_is_valid_bash():
    steps = [s for s in load(ACTION)["runs"]["steps"] if "run" in s]
    assert len(steps) >= 3
    for step in steps:
        assert step["shell"] == "bash"
        done = subprocess.run(["bash", "-n", "-c", step["run"]], capture_output=True, text=True)
        assert done.returncode == 0, f"{step['name']}: {done.stderr}"


def test_action_inputs_and_outputs():
    data = load(ACTION)
    assert data["runs"]["using"] == "composite"
    inputs = data["inputs"]
    assert {"dumps", "dumps-path", "token", "fail-under", "checks", "config", "output-dir",
            "python-version", "upload-artifact"} <= set(inputs)
    assert inputs["token"]["default"] == "${{ github.token }}"
    assert inputs["dumps-path"]["default"] == "dumps/"
    assert inputs["output-dir"]["default"] == "out"
    assert inputs["upload-artifact"]["default"] == "true"
    assert {"score", "papers", "failing", "db-path", "csv-path"} <= set(data["outputs"])
    for name, spec in data["outputs"].items():
        assert spec["value"] == f"${{{{ steps.audit.outputs.{name} }}}}"


def test_every_input_reaches_the_run_step_through_env():
    """The run step reads INPUT_<NAME>; the token goes to GITHUB_TOKEN, which `audit run` reads."""
    env = action_steps()["audit"]["env"]
    for name in ("dumps", "dumps-path", "fail-under", "checks", "config", "output-dir", "args"):
        key = "INPUT_" + name.upper().replace("-", "_")
        assert env[key] == f"${{{{ inputs.{name} }}}}"
        assert key in (REPO / "auditor" / "action.py").read_text()
    assert env["GITHUB_TOKEN"] == "${{ inputs.token }}"
    assert "github.event.before" in env["AUDIT_BASE_SHA"]


def test_exit_code_is_handed_back_after_the_artifact_is_uploaded():
    names = [s.get("id") or s.get("name") for s in load(ACTION)["runs"]["steps"]]
    upload = next(s for s in load(ACTION)["runs"]["steps"] if "upload-artifact" in s.get("uses", ""))
    last = load(ACTION)["runs"]["steps"][-1]
    assert names.index("audit") < names.index(upload["name"]) < len(names) - 1
    assert "!cancelled()" in upload["if"] and "inputs.upload-artifact == 'true'" in upload["if"]
    assert upload["with"]["path"] == "${{ inputs.output-dir }}"
    assert last["if"] == "${{ steps.audit.outputs.exit-code != '0' }}"
    assert last["env"]["EXIT_CODE"] == "${{ steps.audit.outputs.exit-code }}"


def test_example_workflow():
    wf = load(EXAMPLE_WORKFLOW)
    on = wf[True]  # YAML 1.1 reads the key `on` as true
    assert on["push"]["paths"] == ["examples/dumps/**"]
    assert on["schedule"] and "workflow_dispatch" in on
    assert wf["permissions"] == {"contents": "read"}
    assert "group" in wf["concurrency"]
    (job,) = wf["jobs"].values()
    steps = job["steps"]
    checkout = next(s for s in steps if "actions/checkout@" in s.get("uses", ""))
    assert checkout["with"]["persist-credentials"] is False
    assert checkout["with"]["fetch-depth"] == 0  # to diff github.event.before..github.sha
    restore = next(s for s in steps if "actions/cache/restore@" in s.get("uses", ""))
    save = next(s for s in steps if "actions/cache/save@" in s.get("uses", ""))
    audit = next(s for s in steps if s.get("uses") == "./")
    assert restore["with"]["path"] == save["with"]["path"] == "out/audit.duckdb"
    assert restore["with"]["key"] == save["with"]["key"]
    assert "github.run_id" in save["with"]["key"]  # a new entry each run...
    assert restore["with"]["restore-keys"].split()[0] in save["with"]["key"]  # ...restoring the last
    assert "!cancelled()" in save["if"]  # a partial (rate-limited) run's facts are kept too
    assert steps.index(restore) < steps.index(audit) < steps.index(save)
    assert audit["with"]["output-dir"] == "out"


def docs_workflow(tmp_path: Path) -> Path:
    """The workflow the README tells users to copy, as a file."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    workflow = next(b for b in blocks if b.startswith("name:"))
    path = tmp_path / ".github" / "workflows" / "audit-dumps.yml"
    path.parent.mkdir(parents=True)
    path.write_text(workflow)
    return path


def test_documented_workflow_is_valid_and_pinned_like_ours(tmp_path):
    path = docs_workflow(tmp_path)
    done = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run([tool("zizmor"), "--offline", "--format", "json", str(path)],
                          capture_output=True, text=True)
    findings = json.loads(done.stdout)
    # the one finding: the placeholder `OWNER/repro-auditor@v1`, which the docs say to pin
    assert [f["ident"] for f in findings] == ["unpinned-uses"], done.stdout
    ours = {line.split("#")[0].strip() for line in EXAMPLE_WORKFLOW.read_text().splitlines()
            if "uses: actions/" in line}
    theirs = {line.split("#")[0].strip().removeprefix("- ") for line in path.read_text().splitlines()
              if "uses: actions/" in line}
    assert theirs == ours
    doc, example = load(path), load(EXAMPLE_WORKFLOW)
    # Ours watches this repository's examples/dumps/; a user's watches dumps/: otherwise the same.
    example[True]["push"]["paths"] = [p.removeprefix("examples/") for p in example[True]["push"]["paths"]]
    assert doc[True] == example[True] and doc["permissions"] == example["permissions"]


# -- the run step, executed ----------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, str, str]:
    """A repository like a user's: the first commit holds two example dumps, the push adds a third."""
    dumps = sorted(EXAMPLE_DUMPS.glob("*.txt"))
    assert len(dumps) >= 3
    ws = tmp_path / "ws"
    (ws / "dumps").mkdir(parents=True)
    git(ws, "init", "-q", "-b", "main")
    for d in dumps[:2]:
        shutil.copy(d, ws / "dumps" / d.name)
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "first dumps")
    before = git(ws, "rev-parse", "HEAD")
    shutil.copy(dumps[2], ws / "dumps" / dumps[2].name)
    (ws / "README.md").write_text("not a dump\n")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "-m", "a new dump")
    return ws, before, git(ws, "rev-parse", "HEAD")


TOKEN = "ghp_action_test"


@pytest.fixture
def fake(request):
    """The fake GitHub (tests/fakegithub): .url, .graphql_url, .env(token=...), .stats."""
    try:
        return request.getfixturevalue("fake_github")
    except pytest.FixtureLookupError:
        pytest.xfail("the fake GitHub fixture `fake_github` (tests/fakegithub) is not available yet")


def github_env(fake) -> dict[str, str]:
    """What the runner and the action give the step: the API URLs, and the token input as GITHUB_TOKEN."""
    env = dict(fake.env(token=TOKEN))
    assert env["GITHUB_API_URL"] == fake.url and env["GITHUB_GRAPHQL_URL"] == fake.graphql_url
    return env


# Loaded by every Python the step starts (through PYTHONPATH): names other than the local
# test servers' do not resolve, so the web pages, Hugging Face and other hosts the example
# abstracts link to are never contacted; their targets come out `unknown`.
def step_env(ws: Path, tmp_path: Path, github: dict[str, str], **extra: str) -> tuple[dict[str, str], Path, Path]:
    """The `audit` step's env as the runner fills it for these inputs; (env, job summary file, outputs file)."""
    step = action_steps()["audit"]
    summary_file, output_file = tmp_path / "step_summary.md", tmp_path / "github_output"
    summary_file.write_text("")
    output_file.write_text("")
    inputs = {
        "INPUT_DUMPS": "", "INPUT_DUMPS_PATH": "dumps/", "INPUT_FAIL_UNDER": "",
        "INPUT_CHECKS": "", "INPUT_CONFIG": "", "INPUT_OUTPUT_DIR": "out",
        # Collect from the fake GitHub only: the dumps also link Hugging Face and web pages,
        # which must stay untouched in tests (they are reported 'unknown').
        "INPUT_ARGS": "--hosts github",
    }
    assert set(inputs) <= set(step["env"])
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "GITHUB_WORKSPACE": str(ws),
        "GITHUB_STEP_SUMMARY": str(summary_file),
        "GITHUB_OUTPUT": str(output_file),
        "GITHUB_EVENT_NAME": "push",
        "AUDITOR_PYTHON": sys.executable,
        **inputs,
        **github,
        **extra,
    }
    return env, summary_file, output_file


def step_outputs(output_file: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)


def run_action_step(ws: Path, tmp_path: Path, github: dict[str, str], **extra: str):
    """Run the `audit` step's script from action.yml with bash, its env filled in as the
    runner would fill it for these inputs. Returns (exit code, job summary, outputs, log)."""
    env, summary_file, output_file = step_env(ws, tmp_path, github, **extra)
    done = subprocess.run(["bash", "-e", "-c", action_steps()["audit"]["run"]], cwd=ws, env=env,
                          capture_output=True, text=True, timeout=120)
    return done.returncode, summary_file.read_text(), step_outputs(output_file), done.stdout + done.stderr


_IN_PROCESS = "audit (in this process)"


def run_action_in_process(ws: Path, tmp_path: Path, github: dict[str, str], **extra: str):
    """What the step's Python does, without its processes: ``auditor.action.main`` in this process
    with the same env, its `audit run` through tests/inprocess.py (each process pays ~1 s of
    imports). For what the action does around the run (annotations, the pull-request comment);
    the step's script, the exit code it hands back and the installed `audit` it starts are
    run_action_step's, above. Returns (main's exit code, job summary, outputs, log)."""
    from auditor import action

    env, summary_file, output_file = step_env(ws, tmp_path, github, **extra)
    log = io.StringIO()
    real_run = subprocess.run

    def run(cmd, *args, **kwargs):
        if list(cmd[:1]) != [_IN_PROCESS]:
            return real_run(cmd, *args, **kwargs)
        done = inprocess.audit(*cmd[1:], env=kwargs["env"], cwd=kwargs["cwd"])
        log.write(done.stdout + done.stderr)
        return done

    with (mock.patch.object(action, "find_audit", lambda: [_IN_PROCESS]),
          mock.patch.object(action.subprocess, "run", run), contextlib.redirect_stdout(log)):
        code = action.main(env)
    outputs = step_outputs(output_file)
    assert outputs["exit-code"] == str(code)  # what the step's script hands back: main wrote it
    return code, summary_file.read_text(), outputs, log.getvalue()


def test_run_step_audits_the_pushed_dump(workspace, tmp_path, fake):
    ws, before, head = workspace
    code, summary, outputs, log = run_action_step(
        ws, tmp_path, github_env(fake), AUDIT_BASE_SHA=before, GITHUB_SHA=head
    )
    # The bash step always succeeds; the action's last step hands back exit-code.
    assert code == 0, log
    assert outputs["exit-code"] in ("0", "3"), log  # 3: the fake GitHub rate-limited us
    result = json.loads((ws / "out" / "summary.json").read_text())
    pushed = sorted(EXAMPLE_DUMPS.glob("*.txt"))[2].name

    # only the pushed dump was audited
    assert f"Audited 1 dump: dumps under `dumps/` added or changed between {before[:7]}" in summary
    assert f"`dumps/{pushed}`" in summary
    assert sorted(EXAMPLE_DUMPS.glob("*.txt"))[0].name not in summary

    # the outputs are summary.json's figures
    assert int(outputs["papers"]) == result["papers"] > 0
    assert int(outputs["failing"]) == result["failing"]
    if result["score"] is None:
        assert outputs["score"] == ""
    else:
        assert float(outputs["score"]) == pytest.approx(result["score"], abs=0.005)
        assert 0 <= float(outputs["score"]) <= 10
    db, csv = (Path(outputs[k]) for k in ("db-path", "csv-path"))
    assert (db if db.is_absolute() else ws / db).is_file()
    assert (csv if csv.is_absolute() else ws / csv).is_file()

    # the job summary carries the scorecard as written
    scorecard = (ws / "out" / "scorecard.md").read_text()
    assert scorecard.strip() and scorecard.strip() in summary

    # GitHub was asked at GITHUB_GRAPHQL_URL, with the token the action passed on
    assert fake.stats.clients[f"token:{TOKEN}"] >= fake.stats.count("POST /graphql") >= 1


def test_run_step_fail_under_writes_everything_then_fails(workspace, tmp_path, fake):
    ws, before, head = workspace
    one = sorted(EXAMPLE_DUMPS.glob("*.txt"))[2].name  # the smallest of the three
    code, summary, outputs, log = run_action_step(
        ws, tmp_path, github_env(fake), GITHUB_EVENT_NAME="schedule", INPUT_FAIL_UNDER="10",
        INPUT_DUMPS=f"dumps/{one[:3]}*.txt",
    )
    assert code == 0, log
    assert outputs["exit-code"] == "4", log
    assert f"Audited 1 dump: dumps matching `dumps/{one[:3]}*.txt`." in summary
    assert f"`dumps/{one}`" in summary
    assert "below `fail-under` 10" in summary
    assert (ws / "out" / "scorecard.md").read_text().strip() in summary
    assert int(outputs["papers"]) > 0 and outputs["db-path"]
    # the action's last step turns that into a failed step
    last = load(ACTION)["runs"]["steps"][-1]
    done = subprocess.run(["bash", "-e", "-c", last["run"]], env={"EXIT_CODE": outputs["exit-code"],
                          "PATH": os.environ.get("PATH", "")}, capture_output=True, text=True)
    assert done.returncode == 4


def test_run_step_rate_limited_reports_partial_results(workspace, tmp_path, fake):
    ws, before, head = workspace
    fake.exhaust(TOKEN, "graphql")
    fake.exhaust(TOKEN, "core")
    code, summary, outputs, log = run_action_step(
        ws, tmp_path, github_env(fake), AUDIT_BASE_SHA=before, GITHUB_SHA=head,
        INPUT_ARGS="--hosts github --max-wait 0",  # do not wait for the (fake) hour to pass
    )
    assert code == 0, log
    assert outputs["exit-code"] == "3", log
    assert "Results are partial: rate limited until" in summary  # the reasons the run stored
    assert "::warning title=repro-auditor::partial results" in log
    assert int(outputs["papers"]) > 0 and (ws / "out" / "scorecard.md").read_text().strip() in summary
