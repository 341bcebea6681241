"""pytest fixtures for the fake GitHub (registered by tests/conftest.py).

``fake_github`` (function scope) hands out one session-wide server, reset
before each test: its world, faults, limits and counters start clean. Parsing
GitHub's schema takes about a second, hence the shared server. The fixture
skips when GitHub's schema (../shared/github/schema.docs.graphql or
$AUDITOR_GITHUB_SCHEMA) is absent, as in a user's clone; ``fake_github_rest``
is the same server for REST-only tests and never skips.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .server import FakeGitHub


@pytest.fixture(scope="session")
def fake_github_server() -> Iterator[FakeGitHub]:
    """The session's server; without GitHub's schema it serves REST only (/graphql answers 501)."""
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_github(fake_github_server: FakeGitHub) -> Iterator[FakeGitHub]:
    """The running fake GitHub, reset: .url, .graphql_url, .world, .faults, .limits, .stats, .reset(), .env().

    Skips when GitHub's GraphQL schema is absent (a user's clone without ../shared).
    """
    if fake_github_server.schema is None:
        from .graphql_api import SCHEMA_ENV

        pytest.skip(f"GitHub's GraphQL schema is absent ({fake_github_server.schema_error}); set {SCHEMA_ENV}")
    fake_github_server.reset()
    yield fake_github_server
    fake_github_server.reset()


@pytest.fixture
def fake_github_rest(fake_github_server: FakeGitHub) -> Iterator[FakeGitHub]:
    """The same server for REST-only tests: never skipped for a missing schema."""
    fake_github_server.reset()
    yield fake_github_server
    fake_github_server.reset()
