"""`audit ...` run inside the test process, answered as a subprocess would be.

A subprocess pays the interpreter, the imports (pandas, DuckDB, httpx) and the chart
renderer's start-up on every run: about 2 s, which dozens of end-to-end runs turn into
minutes. The product reads its environment on each call, so click's CliRunner with an
``env`` gives it what a shell would. Tests about what only a process shows (signals,
kill -9, closed pipes, terminals) keep starting real subprocesses.
"""

from __future__ import annotations

import contextlib
import subprocess
from pathlib import Path
from typing import Mapping

from click.testing import CliRunner

from auditor.cli import cli
from auditor.redaction import SECRET_ENV

#: Variables a developer's shell may hold that would change what a run does: the product's own
#: list of secrets, and the comma-separated GITHUB_TOKENS.
TOKEN_VARIABLES = (*SECRET_ENV, "GITHUB_TOKENS")


def audit(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None,
          input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `audit ARGS` with the caller's environment minus tokens, plus ``env``."""
    overrides: dict[str, str | None] = {name: None for name in TOKEN_VARIABLES}
    overrides.update(env or {})
    with contextlib.chdir(cwd) if cwd else contextlib.nullcontext():
        result = CliRunner().invoke(cli, list(args), env=overrides, input=input, catch_exceptions=False)
    return subprocess.CompletedProcess(["audit", *args], result.exit_code, result.stdout, result.stderr)
