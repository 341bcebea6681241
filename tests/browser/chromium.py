"""Headless Debian Chromium driven by Playwright, for the scorecard's browser tests and screenshots.

Playwright is pointed at the system browser (``executable_path``), never at a
browser build of its own. The flags keep Chromium from any request of its own
(component updates, sync, QUIC probes); each launch gets a fresh profile.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def executable() -> str | None:
    """The browser to use: $AUDITOR_CHROMIUM, else the first system Chromium found."""
    env = os.environ.get("AUDITOR_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    return next((c for c in CANDIDATES if Path(c).exists()), None) or shutil.which("chromium")


def unavailable_reason() -> str | None:
    """Why no browser test can run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if executable() is None:
        return "no Chromium found (apt-get install -y chromium, or set AUDITOR_CHROMIUM)"
    return None


@contextmanager
def browser_context(width: int = 1400, height: int = 900) -> Iterator[object]:
    """A Playwright BrowserContext on a fresh profile directory, closed and removed afterwards."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="auditor-chromium-")
    try:
        with sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile,
                executable_path=executable(),
                headless=True,
                args=FLAGS,
                viewport={"width": width, "height": height},
                offline=True,
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
