"""pytest fixtures for the fake GitHub (registered by tests/conftest.py).

``fake_github`` (function scope) hands out one session-wide server, reset
before each test: its world, faults, limits and counters start clean. GraphQL
runs on the project's own schema (fakegithub/schema.graphql), so nothing here
depends on material outside the repository; ``fake_github_rest`` is the same
server, named for tests that use REST only.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from .server import FakeGitHub


@pytest.fixture(scope="session")
def fake_github_server() -> Iterator[FakeGitHub]:
    """The session's server: REST, and GraphQL on the project's schema."""
    fake = FakeGitHub().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def fake_github(fake_github_server: FakeGitHub) -> Iterator[FakeGitHub]:
    """The running fake GitHub, reset: .url, .graphql_url, .world, .faults, .limits, .stats, .reset(), .env()."""
    assert fake_github_server.schema is not None, fake_github_server.schema_error
    fake_github_server.reset()
    yield fake_github_server
    fake_github_server.reset()


@pytest.fixture
def fake_github_rest(fake_github_server: FakeGitHub) -> Iterator[FakeGitHub]:
    """The same server, for REST-only tests."""
    fake_github_server.reset()
    yield fake_github_server
    fake_github_server.reset()
