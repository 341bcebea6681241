"""Shared fixtures. Material in ../shared (real GitHub responses, GitHub's
GraphQL schema, real arXiv abstracts) is read in place, never copied: tests
that need it skip with a reason where it is absent (a user's clone)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["fakegithub.plugin"]

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_DUMPS = REPO / "examples" / "dumps"
SHARED = Path(os.environ.get("AUDITOR_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip when that material is not here."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared is only beside the project's own checkouts")
    return path


@pytest.fixture
def example_dumps() -> list[Path]:
    return sorted(EXAMPLE_DUMPS.glob("*.txt"))
