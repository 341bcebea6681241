"""A GitHub token from the GitHub CLI (``gh auth token``) when the environment has none.

Asked only when GITHUB_TOKEN and GH_TOKEN are both unset and ``gh`` is on
PATH, and only for the host the API URL points at (``--hostname``), so a
github.com token never goes to an Enterprise server or the other way round.
The token is handed to the run's environment and never printed.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Mapping

from auditor.origins import host_key

TIMEOUT = 10.0


def hostname_for(api_url: str | None) -> str:
    """The ``gh --hostname`` of an API URL: github.com for api.github.com, else the URL's host[:port]."""
    if not api_url:
        return "github.com"
    host = host_key(api_url)
    return "github.com" if host in ("api.github.com", "") else host


def token_from_gh(env: Mapping[str, str]) -> str | None:
    """``gh auth token --hostname HOST`` when no token is set and gh is installed; None otherwise."""
    if env.get("GITHUB_TOKEN") or env.get("GH_TOKEN"):
        return None
    gh = shutil.which("gh", path=env.get("PATH"))
    if gh is None:
        return None
    try:
        done = subprocess.run(
            [gh, "auth", "token", "--hostname", hostname_for(env.get("GITHUB_API_URL"))],
            capture_output=True, text=True, timeout=TIMEOUT, env=dict(env), stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    token = done.stdout.strip()
    if done.returncode != 0 or not token or any(c.isspace() for c in token):
        return None
    return token
