"""pytest fixtures for the fake GitHub (registered by tests/conftest.py).

``fake_github`` (function scope) hands out one session-wide server, reset
before each test: its world, faults, limits and counters start clean. Parsing
GitHub's schema takes about a second, hence the shared server. The fixture
skips when GitHub's schema (../shared/github/schema.docs.graphql or
$AUDITOR_GITHUB_SCHEMA) is absent, as in a user's clone.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .server import FakeGitHub


@pytest.fixture(scope="session")
def fake_github_server() -> Iterator[FakeGitHub]:
    from .graphql_api import load_schema, schema_path

    try:
        schema = load_schema()
    except FileNotFoundError:
        pytest.skip(f"GitHub's GraphQL schema is absent ({schema_path()}); set AUDITOR_GITHUB_SCHEMA")
    fake = FakeGitHub(schema=schema).start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_github(fake_github_server: FakeGitHub) -> Iterator[FakeGitHub]:
    """The running fake GitHub, reset: .url, .graphql_url, .world, .faults, .limits, .stats, .reset(), .env()."""
    fake_github_server.reset()
    yield fake_github_server
    fake_github_server.reset()
