"""The run step of the GitHub Action (action.yml): pick the dumps, run `audit run`,
write the job summary and the step outputs, then hand back `audit run`'s exit code.

Kept in Python rather than in action.yml so that a test can execute it as the runner
would, and so that no `${{ }}` expression is ever pasted into a script: every input
arrives through an environment variable (see action.yml).

Environment read (action.yml sets the INPUT_*/AUDIT_* ones, the runner the GITHUB_* ones):
  INPUT_DUMPS        glob(s), whitespace separated; empty = the dumps the event changed
  INPUT_DUMPS_PATH   folder holding the dumps (default "dumps/")
  INPUT_FAIL_UNDER, INPUT_CHECKS, INPUT_CONFIG, INPUT_OUTPUT_DIR (default "out")
  INPUT_ARGS         more `audit run` options, split like a shell would (never run by one)
  GITHUB_TOKEN       the `token` input; `audit run` reads it (with GITHUB_API_URL, GITHUB_GRAPHQL_URL)
  AUDIT_BASE_SHA     commit to diff from (github.event.before, or a pull request's base)
  INPUT_COMMENT_ON_PR  "true": keep one pull-request comment with the summary (GITHUB_EVENT_PATH,
                     GITHUB_REPOSITORY and GITHUB_API_URL say where; the token needs pull-requests: write)
  GITHUB_SHA, GITHUB_EVENT_NAME, GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT
"""

from __future__ import annotations

import glob
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor import exitcodes
from auditor.action_report import annotations, post_or_update_comment, pull_request_number

DUMP_EXTENSIONS = (".txt", ".csv", ".jsonl", ".parquet")
ZERO_SHA = "0" * 40
# GitHub refuses a step summary above 1 MiB; keep room for our own lines.
SUMMARY_LIMIT = 900 * 1024
# Events whose `before` commit tells us what the run is about.
DIFF_EVENTS = {"push", "pull_request", "pull_request_target", "merge_group"}


@dataclass(frozen=True)
class Selection:
    """Which dumps to audit, and a sentence saying why (shown in the job summary)."""

    dumps: list[str]
    reason: str


def is_dump(path: str) -> bool:
    """A dump is a file with one of the extensions `audit run` reads."""
    return path.lower().endswith(DUMP_EXTENSIONS)


def filter_dumps(paths: Iterable[str], dumps_path: str) -> list[str]:
    """The dump files among `paths` that lie under `dumps_path`, sorted, without repeats."""
    prefix = _folder_prefix(dumps_path)
    return sorted({p for p in paths if is_dump(p) and (not prefix or p.startswith(prefix))})


def all_dumps(workspace: Path, dumps_path: str) -> list[str]:
    """Every dump under `dumps_path` (relative to the workspace, posix separators)."""
    root = workspace / dumps_path
    if not root.is_dir():
        return []
    found = (p.relative_to(workspace).as_posix() for p in root.rglob("*") if p.is_file())
    return filter_dumps(found, dumps_path)


def glob_dumps(workspace: Path, patterns: str) -> list[str]:
    """Expand the `dumps` input: whitespace-separated globs, `**` allowed, relative to the workspace.

    A live source (`hf-daily:2026-11-30`, the Hub's Daily Papers) is no file: it is kept as
    given, after the files, for `audit run` to read (and to refuse in one line if malformed)."""
    found: set[str] = set()
    live: list[str] = []
    for pattern in patterns.split():
        if pattern.startswith("hf-daily:"):
            if pattern not in live:
                live.append(pattern)
            continue
        for match in glob.glob(pattern, root_dir=workspace, recursive=True):
            if (workspace / match).is_file():
                found.add(Path(match).as_posix())
    return sorted(found) + live


def changed_files(workspace: Path, base: str, head: str) -> list[str] | None:
    """Files added, copied, modified, renamed or retyped between two commits; None when
    git cannot tell (a shallow clone without `base`, a force push, not a git work tree)."""
    for sha in (base, head):
        probe = _git(workspace, "cat-file", "-e", f"{sha}^{{commit}}")
        if probe is None or probe.returncode != 0:
            return None
    diff = _git(workspace, "diff", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT", base, head)
    if diff is None or diff.returncode != 0:
        return None
    return [p for p in diff.stdout.split("\0") if p]


def select_dumps(
    workspace: Path,
    *,
    patterns: str,
    dumps_path: str,
    event: str,
    base: str,
    head: str,
) -> Selection:
    """The dumps this run audits.

    An explicit `dumps` glob wins. Otherwise a push (or pull request) audits only the dumps it
    added or changed; the first push of a branch (zero `before`), a history too shallow to
    diff, a schedule or a manual dispatch audit every dump: when in doubt, audit more, never less.
    """
    if patterns.strip():
        return Selection(glob_dumps(workspace, patterns), f"dumps matching `{patterns.strip()}`")
    if event in DIFF_EVENTS and base and base != ZERO_SHA and head:
        changed = changed_files(workspace, base, head)
        if changed is not None:
            return Selection(
                filter_dumps(changed, dumps_path),
                f"dumps under `{dumps_path}` added or changed between {base[:7]} and {head[:7]}",
            )
        reason = f"every dump under `{dumps_path}` ({base[:7]} is not in the checkout's history)"
    elif event in DIFF_EVENTS and head:
        reason = f"every dump under `{dumps_path}` (first push: nothing to compare with)"
    elif event in DIFF_EVENTS:
        reason = f"every dump under `{dumps_path}` (no commit to compare)"
    else:
        reason = f"every dump under `{dumps_path}` ({event or 'manual'} run)"
    return Selection(all_dumps(workspace, dumps_path), reason)


def audit_command(
    audit: Sequence[str],
    dumps: Sequence[str],
    *,
    out_dir: str,
    fail_under: str = "",
    checks: str = "",
    config: str = "",
    args: str = "",
) -> list[str]:
    """The `audit run` command line for these inputs (empty inputs are left to the CLI's defaults).
    `args` is split with shlex and passed as argv: no shell ever sees it."""
    cmd = [*audit, "run", *dumps, "--out", out_dir, *shlex.split(args)]
    if fail_under.strip():
        cmd += ["--fail-under", fail_under.strip()]
    if checks.strip():
        cmd += ["--checks", checks.strip()]
    if config.strip():
        cmd += ["--config", config.strip()]
    return cmd


def step_outputs(summary: Mapping[str, object] | None, exit_code: int) -> dict[str, str]:
    """The action's outputs, from `audit run`'s summary.json (None when the run wrote none)."""
    s = summary or {}
    score = s.get("score")
    return {
        "score": "" if score is None else f"{float(score):.2f}",  # type: ignore[arg-type]
        "papers": str(s.get("papers", 0) or 0),
        "failing": str(s.get("failing", 0) or 0),
        "db-path": str(s.get("db_path") or ""),
        "csv-path": str(s.get("csv_path") or ""),
        "exit-code": str(exit_code),
    }


def format_outputs(outputs: Mapping[str, str]) -> str:
    """`$GITHUB_OUTPUT` lines; a value with a line break uses the delimiter form."""
    lines = []
    for name, value in outputs.items():
        if "\n" in value or "\r" in value:
            delimiter = f"EOF_{uuid.uuid4().hex}"
            lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}")
        else:
            lines.append(f"{name}={value}")
    return "\n".join(lines) + "\n"


def status_line(exit_code: int, summary: Mapping[str, object] | None, fail_under: str) -> str:
    """One line under the scorecard saying how the run ended."""
    if exit_code == exitcodes.OK:
        return ""
    if exit_code == exitcodes.PARTIAL:
        reasons = "; ".join(str(r) for r in (summary or {}).get("partial_reasons") or []) or "a rate limit stopped collection"  # type: ignore[union-attr]
        return (
            f"> [!WARNING]\n> Results are partial: {reasons}. "
            "Targets not collected are `unknown`; the next run (with the cached database) resumes.\n"
        )
    if exit_code == exitcodes.BAD_TOKEN:
        return "> [!CAUTION]\n> GitHub refused the token (bad, expired or revoked): nothing was collected.\n"
    if exit_code == exitcodes.UNDECIDED:
        scored = (summary or {}).get("papers_scored")
        of = (summary or {}).get("papers_to_judge")
        return (f"> [!WARNING]\n> `fail-under` {fail_under.strip()} could not be decided: only {scored} of {of} "
                "papers could be scored.\n")
    if exit_code == exitcodes.FAIL_UNDER:
        score = (summary or {}).get("score")
        shown = "n/a" if score is None else f"{float(score):.2f}"  # type: ignore[arg-type]
        return f"> [!CAUTION]\n> Mean paper score {shown} is below `fail-under` {fail_under.strip()}.\n"
    return f"> [!CAUTION]\n> `audit run` failed with exit code {exit_code}: see the step's log.\n"


def build_summary(
    selection: Selection,
    scorecard: str | None,
    status: str,
    limit: int = SUMMARY_LIMIT,
) -> str:
    """The Markdown appended to the job summary: what was audited, the scorecard, how it ended."""
    head = ["## repro-auditor", ""]
    n = len(selection.dumps)
    head.append(f"Audited {n} dump{'s' if n != 1 else ''}: {selection.reason}.")
    if selection.dumps:
        shown = selection.dumps[:50]
        items = "\n".join(f"- `{_code_span(d)}`" for d in shown)
        more = f"\n- … and {n - len(shown)} more" if n > len(shown) else ""
        head += ["", "<details><summary>Dumps</summary>", "", items + more, "", "</details>"]
    text = "\n".join(head) + "\n\n"
    if status:
        text += status + "\n"
    if scorecard:
        room = max(limit - len(text.encode()) - 200, 0)
        text += _truncate(scorecard, room)
    return text if text.endswith("\n") else text + "\n"


def find_audit() -> list[str]:
    """The `audit` console script installed beside this interpreter (the action's venv),
    else the one on PATH, else the module itself."""
    beside = shutil.which("audit", path=str(Path(sys.executable).parent))
    found = beside or shutil.which("audit")
    if found:
        return [found]
    return [sys.executable, "-c", "from auditor.cli import main; main()"]


def main(env: Mapping[str, str] | None = None) -> int:
    """Run the action's step; returns `audit run`'s exit code (0 when there was nothing to audit)."""
    env = os.environ if env is None else env
    workspace = Path(env.get("GITHUB_WORKSPACE") or os.getcwd())
    dumps_path = env.get("INPUT_DUMPS_PATH", "").strip() or "dumps/"
    out_dir = env.get("INPUT_OUTPUT_DIR", "").strip() or "out"
    fail_under = env.get("INPUT_FAIL_UNDER", "")
    selection = select_dumps(
        workspace,
        patterns=env.get("INPUT_DUMPS", ""),
        dumps_path=dumps_path,
        event=env.get("GITHUB_EVENT_NAME", ""),
        base=env.get("AUDIT_BASE_SHA", "").strip(),
        head=env.get("GITHUB_SHA", "").strip(),
    )
    print(f"repro-auditor: {len(selection.dumps)} dump(s): {selection.reason}", flush=True)

    if not selection.dumps:
        if env.get("INPUT_DUMPS", "").strip():
            code = exitcodes.USAGE_OR_INPUT
            _command("error", f"no file matches dumps: {env['INPUT_DUMPS'].strip()}")
            status = f"> [!CAUTION]\n> No file matches `{env['INPUT_DUMPS'].strip()}`.\n"
        else:
            code = exitcodes.OK
            _command("notice", "no dump to audit")
            status = "Nothing to audit.\n"
        _finish(env, selection, None, None, status, code)
        return code

    try:
        cmd = audit_command(
            find_audit(),
            selection.dumps,
            out_dir=out_dir,
            fail_under=fail_under,
            checks=env.get("INPUT_CHECKS", ""),
            config=env.get("INPUT_CONFIG", ""),
            args=env.get("INPUT_ARGS", ""),
        )
    except ValueError as exc:  # shlex: an unclosed quote in `args`
        code = exitcodes.USAGE_OR_INPUT
        _command("error", f"cannot read the args input: {exc}")
        _finish(env, selection, None, None, f"> [!CAUTION]\n> Cannot read the `args` input: {exc}.\n", code)
        return code
    print("::group::audit run", flush=True)
    started = time.time()
    code = subprocess.run(cmd, cwd=workspace, env=dict(env), check=False).returncode
    print("::endgroup::", flush=True)

    summary = _read_json(workspace / out_dir / "summary.json", newer_than=started - 1)
    md_path = Path(str((summary or {}).get("md_path") or Path(out_dir) / "scorecard.md"))
    md_file = md_path if md_path.is_absolute() else workspace / md_path
    scorecard = md_file.read_text(encoding="utf-8") if summary and md_file.is_file() else None
    if code == exitcodes.FAIL_UNDER:
        _command("error", f"mean paper score is below fail-under {fail_under.strip()}")
    elif code == exitcodes.PARTIAL:
        reasons = "; ".join(str(r) for r in (summary or {}).get("partial_reasons") or []) or "a rate limit stopped collection"
        _command("warning", f"partial results: {reasons}")
    elif code == exitcodes.UNDECIDED:
        _command("warning", f"fail-under {fail_under.strip()} could not be decided: too few papers could be scored")
    elif code == exitcodes.BAD_TOKEN:
        _command("error", "GitHub refused the token")
    status = status_line(code, summary, fail_under)
    _finish(env, selection, summary, scorecard, status, code)
    if summary:
        csv_path = Path(str(summary.get("csv_path") or Path(out_dir) / "scorecard.csv"))
        for note in annotations(csv_path if csv_path.is_absolute() else workspace / csv_path, selection.dumps, workspace):
            print(note.command(), flush=True)
    _comment_on_pr(env, build_summary(selection, scorecard, status))
    return code


def _comment_on_pr(env: Mapping[str, str], markdown: str) -> None:
    """With `comment-on-pr: true` on a pull request: post or update the one summary comment.
    Never fails the step: a comment that cannot be posted is a warning saying why."""
    if env.get("INPUT_COMMENT_ON_PR", "").strip().lower() != "true":
        return
    if env.get("GITHUB_EVENT_NAME") not in ("pull_request", "pull_request_target"):
        print("repro-auditor: comment-on-pr: not a pull request, no comment", flush=True)
        return
    number = pull_request_number(env.get("GITHUB_EVENT_PATH"))
    repository = env.get("GITHUB_REPOSITORY", "")
    hint = "(the token needs `pull-requests: write`)"
    if number is None or "/" not in repository:
        _command("warning", "could not comment: no pull request number or repository in the event")
        return
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        _command("warning", f"could not comment on pull request {number}: no token {hint}")
        return
    import httpx

    try:
        how, url = post_or_update_comment(env.get("GITHUB_API_URL") or "https://api.github.com", token,
                                          repository, number, markdown)
    except httpx.HTTPStatusError as exc:
        _command("warning", f"could not comment on pull request {number}: HTTP {exc.response.status_code} {hint}")
        return
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        _command("warning", f"could not comment on pull request {number}: {type(exc).__name__} {hint}")
        return
    print(f"repro-auditor: {how} the pull request comment {url}", flush=True)


def _command(kind: str, message: str) -> None:
    """A workflow command (annotation); the message is escaped so that it cannot end the
    line and start a command of its own."""
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::{kind} title=repro-auditor::{escaped}", flush=True)


def _finish(
    env: Mapping[str, str],
    selection: Selection,
    summary: Mapping[str, object] | None,
    scorecard: str | None,
    status: str,
    code: int,
) -> None:
    """Write the job summary and the step outputs (before the exit code is handed back)."""
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as f:
            f.write(build_summary(selection, scorecard, status))
    outputs = step_outputs(summary, code)
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as f:
            f.write(format_outputs(outputs))
    else:
        print(format_outputs(outputs), end="")


def _read_json(path: Path, newer_than: float = 0.0) -> dict[str, object] | None:
    """The JSON object in `path`, or None when absent, unreadable, or older than `newer_than`
    (a summary.json left by an earlier run must not pass for this one's)."""
    try:
        if path.stat().st_mtime < newer_than:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _truncate(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes, cut at a line break, with a note pointing at the artifact."""
    if len(text.encode()) <= limit:
        return text
    cut = text.encode()[:limit].decode("utf-8", errors="ignore")
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else ""
    return cut + "\n*Scorecard truncated to fit the job summary: the full one is in the artifact.*\n"


def _code_span(text: str) -> str:
    """A file name as it may appear between single backticks on one line."""
    return text.replace("`", "'").replace("\n", " ").replace("\r", " ")


def _folder_prefix(dumps_path: str) -> str:
    p = dumps_path.strip().replace("\\", "/").strip("/")
    if p in ("", "."):
        return ""
    return p.removeprefix("./") + "/"


def _git(workspace: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", *args], cwd=workspace, capture_output=True, text=True, check=False
        )
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
