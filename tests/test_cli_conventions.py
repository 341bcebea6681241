"""The CLI's conventions, as gh, ruff and lychee users expect them: progress on stderr
(bars on a terminal, plain lines in a log, nothing with -q), colour that honours
NO_COLOR and --color, `-` for standard input and folders of dumps, --json, and the
token from `gh auth token` when none is set.

What needs a terminal runs as a real process on a pseudo-terminal; the rest runs the same CLI
in the test process (tests/inprocess.py), whose output streams are not terminals either."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.progress import PlainProgress, describe
from auditor.gh_token import hostname_for
from inprocess import audit

ESC = "\x1b["


def on_a_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run with stdout and stderr on a pseudo-terminal; (exit code, everything it drew)."""
    base = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN", "NO_COLOR")}
    base.update({"TERM": "xterm-256color", "COLUMNS": "120"})
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from auditor.cli import main; main()", *args],
        stdin=subprocess.DEVNULL, stdout=child, stderr=child, env={**base, **(env or {})},
    )
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        if not ready:
            proc.kill()
            break
        try:
            data = os.read(main, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(main)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


# --------------------------------------------------------------------------- progress


def test_progress_is_plain_lines_in_a_log(example_dumps, tmp_path):
    done = audit("run", "--offline", "--out", str(tmp_path / "out"), *map(str, example_dumps))
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert ESC not in err and "\r" not in err
    lines = err.splitlines()
    for stage in ("read", "check", "report"):
        assert any(line.startswith(f"{stage}: ") and " in " in line and "/s)" in line for line in lines), (stage, err)
    assert any(line.startswith("read: 313 records") for line in lines)
    assert any(line.startswith("check: 285 papers") for line in lines)


def test_quiet_on_every_command(example_dumps, tmp_path):
    run = audit("run", "-q", "--offline", "--out", str(tmp_path / "out"), str(example_dumps[0]))
    assert run.returncode == 0 and run.stderr == ""
    for args in (["extract", "-q", str(example_dumps[0])],
                 ["report", "-q", "--db", str(tmp_path / "out" / "audit.duckdb")],
                 ["checks", "-q"]):
        done = audit(*args)
        assert done.returncode == 0 and done.stderr == "", (args, done.stderr)


def test_bars_on_a_terminal(example_dumps, tmp_path):
    code, screen = on_a_terminal("run", "--offline", "--out", str(tmp_path / "out"), *map(str, example_dumps))
    assert code == 0, screen
    assert "check" in screen and "285/285" in screen and "papers" in screen and "ETA" in screen
    assert ESC in screen  # drawn, and coloured: a terminal without NO_COLOR


def test_plain_progress_says_rate_and_eta():
    clock = iter([0.0, 0.0, 5.0, 11.0, 20.0]).__next__
    out = io.StringIO()
    p = PlainProgress(out, every=10, clock=clock)
    p.start("collect github", 100, "targets")  # t=0
    p.advance("collect github", 10)  # t=0: no line yet
    p.advance("collect github", 10)  # t=5
    p.advance("collect github", 30)  # t=11: a line
    p.finish("collect github")  # t=20
    assert out.getvalue().splitlines() == [
        "collect github: 50/100 targets, 4.5/s, ETA 11 s",
        "collect github: 50 targets in 20.0 s (2.5/s)",
    ]
    assert describe(3, None, "records", 2.0, running=True) == "3 records, 1.5/s"


# --------------------------------------------------------------------------- colour


def test_no_color_and_color_flags(example_dumps, tmp_path):
    out = str(tmp_path / "out")
    code, screen = on_a_terminal("run", "-q", "--offline", "--out", out, str(example_dumps[0]), env={"NO_COLOR": "1"})
    assert code == 0 and ESC not in screen and "mean paper score" in screen
    code, screen = on_a_terminal("run", "-q", "--offline", "--color", "never", "--out", out, str(example_dumps[0]))
    assert code == 0 and ESC not in screen
    always = audit("run", "-q", "--offline", "--color", "always", "--out", out, str(example_dumps[0]))
    assert always.returncode == 0 and ESC in always.stdout
    plain = audit("run", "-q", "--offline", "--out", out, str(example_dumps[0]))  # auto, not a terminal
    assert ESC not in plain.stdout and "mean paper score" in plain.stdout


# --------------------------------------------------------------------------- inputs


def test_dash_reads_standard_input(example_dumps):
    from_file = audit("extract", str(example_dumps[0]))
    from_stdin = audit("extract", "-", input=example_dumps[0].read_bytes())
    assert from_stdin.returncode == 0, from_stdin.stderr
    a = [json.loads(line) for line in from_file.stdout.splitlines()]
    b = [json.loads(line) for line in from_stdin.stdout.splitlines()]
    assert len(a) == len(b) > 10
    assert [r["links"] for r in a] == [r["links"] for r in b]
    assert {s for r in b for s in r["sources"]} == {"stdin"}


def test_a_folder_stands_for_the_dumps_inside(example_dumps, tmp_path):
    folder = tmp_path / "dumps"
    (folder / "nested").mkdir(parents=True)
    (folder / "notes.md").write_text("not a dump")
    for i, dump in enumerate(example_dumps):
        (folder / ("nested" if i % 2 else "") / dump.name).write_bytes(dump.read_bytes())
    rows = [json.loads(line) for line in audit("extract", str(folder)).stdout.splitlines()]
    assert len(rows) == 285  # every dump, at any depth, and nothing else
    empty = tmp_path / "empty"
    empty.mkdir()
    done = audit("extract", str(empty))
    assert done.returncode == 1 and "holds no dump" in done.stderr and len(done.stderr.splitlines()) == 1


def test_run_json_prints_the_summary(example_dumps, tmp_path):
    done = audit("run", "-q", "--offline", "--json", "--out", str(tmp_path / "out"), *map(str, example_dumps))
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["papers"] == 285 and summary["status"] == "done"
    assert summary == json.loads((tmp_path / "out" / "summary.json").read_text()) | {"token": summary["token"]}
    assert summary["token"] is None


# --------------------------------------------------------------------------- gh auth token


def fake_gh(tmp_path: Path, token: str, code: int = 0) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    log = tmp_path / "gh-args"
    gh.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\necho {token}\nexit {code}\n")
    gh.chmod(0o755)
    return bin_dir


def test_token_from_gh_auth_token(fake_github, example_dumps, tmp_path):
    token = "gho_fromghcli0123456789"
    bin_dir = fake_gh(tmp_path, token)
    env = {**fake_github.env(None), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = audit("run", "-q", "--out", str(tmp_path / "out"), "--as-of", "2026-11-20", "--hosts", "github",
                 str(example_dumps[0]), env=env)
    assert done.returncode == 0, done.stderr
    out = done.stdout + done.stderr
    assert "token: from `gh auth token`" in out and token not in out
    asked = (tmp_path / "gh-args").read_text().split()
    assert asked[:2] == ["auth", "token"] and asked[asked.index("--hostname") + 1] == hostname_for(fake_github.url)
    assert fake_github.stats.graphql_queries > 0  # the token was used: batched GraphQL, not anonymous REST
    assert any(k.startswith("token:") for k in fake_github.stats.clients), fake_github.stats.clients
    for path in (tmp_path / "out").iterdir():
        assert token.encode() not in path.read_bytes(), path


def test_gh_is_not_asked_when_a_token_is_set_or_gh_fails(tmp_path):
    from auditor.gh_token import token_from_gh

    bin_dir = fake_gh(tmp_path, "gho_x")
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    assert token_from_gh({"PATH": path, "GITHUB_TOKEN": "set"}) is None
    assert not (tmp_path / "gh-args").exists()
    assert token_from_gh({"PATH": path}) == "gho_x"
    failing = tmp_path / "f"
    failing.mkdir()
    assert token_from_gh({"PATH": f"{fake_gh(failing, 'gho_y', code=1)}"}) is None
    assert token_from_gh({"PATH": str(tmp_path / "nowhere")}) is None
    assert hostname_for("https://api.github.com") == "github.com"
    assert hostname_for("https://ghe.example.com/api/v3") == "ghe.example.com"
