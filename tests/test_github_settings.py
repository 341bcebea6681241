"""Settings from the environment; the token never shows."""

from __future__ import annotations

from auditor import __version__
from auditor.hosts.github_client import USER_AGENT, GitHubSettings, graphql_url_for, make_client


def test_defaults_without_environment():
    s = GitHubSettings.from_env({})
    assert s.api_url == "https://api.github.com"
    assert s.graphql_url == "https://api.github.com/graphql"
    assert s.token is None and not s.has_token


def test_github_token_wins_over_gh_token():
    assert GitHubSettings.from_env({"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}).token == "a"
    assert GitHubSettings.from_env({"GH_TOKEN": "b"}).token == "b"
    assert GitHubSettings.from_env({"GITHUB_TOKEN": " ", "GH_TOKEN": "b"}).token == "b"


def test_enterprise_graphql_endpoint_is_derived():
    s = GitHubSettings.from_env({"GITHUB_API_URL": "https://ghe.example.com/api/v3/"})
    assert s.api_url == "https://ghe.example.com/api/v3"
    assert s.graphql_url == "https://ghe.example.com/api/graphql"
    assert graphql_url_for("http://127.0.0.1:8080") == "http://127.0.0.1:8080/graphql"


def test_explicit_graphql_url_is_kept():
    s = GitHubSettings.from_env({"GITHUB_API_URL": "http://x/api", "GITHUB_GRAPHQL_URL": "http://y/gql"})
    assert s.graphql_url == "http://y/gql"


def test_token_is_masked_everywhere():
    token = "ghp_0123456789abcdefSECRET"
    s = GitHubSettings.from_env({"GITHUB_TOKEN": token})
    assert token not in repr(s) and token not in str(s) and token not in f"{s}"
    assert "***" in repr(s)
    assert s.redact(f"failed with {token}") == "failed with ***"


def test_client_asks_for_gzip_and_names_itself():
    assert USER_AGENT.startswith(f"repro-auditor/{__version__} (+https://github.com/")
    client = make_client(GitHubSettings())
    assert client.headers["accept-encoding"] == "gzip"
    assert client.headers["user-agent"] == USER_AGENT
