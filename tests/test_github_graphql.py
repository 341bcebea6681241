"""GraphQL batch queries: valid against the project's schema of GitHub's API, parsed alias by alias.

The schema is tests/fakegithub/schema.graphql (GitHub's names and types for the
part we use); tests/test_github_schema.py checks it and these queries against
GitHub's full public schema where that is at hand.
"""

from __future__ import annotations

import pytest

from auditor.hosts import github_graphql as gql
from auditor.models import GITHUB_REPO_FACTS, README_TEXT_LIMIT
from fakegithub.graphql_api import load_schema


def validate_query(query: str, schema=None) -> list:
    from graphql import parse, validate

    return validate(schema or load_schema(), parse(query))


BATCHES = [
    [gql.BatchItem("octocat", "hello-world")],
    [gql.BatchItem("octocat", "hello-world", (("main", "src/a.py"), ("v1.0", "docs")))],
    [gql.BatchItem("octocat")],
    [gql.BatchItem(f"o{i}", f"n{i}", (("main", f"p{i}"),) if i % 3 == 0 else ()) for i in range(50)] + [gql.BatchItem("someorg")],
]


@pytest.mark.parametrize("items", BATCHES, ids=["one", "subpaths", "owner", "fifty-mixed"])
def test_every_generated_query_validates_against_the_schema(items):
    batch = gql.build_batch(items)
    assert validate_query(batch.query) == []


def test_validation_catches_a_field_github_does_not_have():
    assert validate_query("query { repository(owner: \"a\", name: \"b\") { starCount } }")


def test_owners_and_names_travel_in_variables_not_in_the_query():
    items = [gql.BatchItem("Evil\"}owner", "na{me"), gql.BatchItem("b", "c", (("main", "x/y.py"),))]
    batch = gql.build_batch(items)
    assert "Evil" not in batch.query and "na{me" not in batch.query
    assert batch.variables == {"o0": 'Evil"}owner', "n0": "na{me", "o1": "b", "n1": "c", "p1_0": "main:x/y.py"}
    assert batch.aliases == ("r0", "r1")
    assert "rateLimit { cost remaining resetAt" in batch.query


def _node(**over):
    node = {
        "nameWithOwner": "Octo/Hello", "url": "https://github.com/Octo/Hello", "description": "d", "homepageUrl": "",
        "repositoryTopics": {"nodes": [{"topic": {"name": "ml"}}]}, "stargazerCount": 5, "forkCount": 2,
        "watchers": {"totalCount": 3}, "issues": {"totalCount": 1}, "licenseInfo": {"spdxId": "MIT", "name": "MIT License", "key": "mit"},
        "defaultBranchRef": {"name": "main", "target": {"committedDate": "2024-05-01T00:00:00Z", "history": {"totalCount": 42}}},
        "isArchived": False, "archivedAt": None, "isFork": True, "parent": {"nameWithOwner": "up/stream"}, "isDisabled": False,
        "isEmpty": False, "isPrivate": False, "isLocked": False, "lockReason": None, "createdAt": "2020-01-01T00:00:00Z",
        "pushedAt": "2024-05-01T00:00:00Z", "diskUsage": 120, "primaryLanguage": {"name": "Python"},
        "languages": {"edges": [{"size": 900, "node": {"name": "Python"}}, {"size": 10, "node": {"name": "Shell"}}]},
        "releases": {"totalCount": 2}, "latestRelease": {"tagName": "v1", "name": "One", "publishedAt": "2024-01-01T00:00:00Z"},
        "root": {"entries": [{"name": "README.md", "type": "blob", "mode": 33188, "size": 30}, {"name": "src", "type": "tree", "mode": 16384, "size": 0},
                             {"name": "link", "type": "blob", "mode": 40960, "size": 4}, {"name": "vendor", "type": "commit", "mode": 57344, "size": 0}]},
        "readme0": {"byteSize": 30, "text": "# Hello\n" + "x" * (README_TEXT_LIMIT + 5), "isTruncated": False},
        "readme1": None, "readme2": None, "readme3": None, "readme4": None, "readme5": None, "readme6": None,
    }
    node.update(over)
    return node


def test_repo_facts_cover_every_documented_key():
    node = _node(s0={"__typename": "Blob"}, s1=None)
    data = gql.repo_facts(node, [("main", "src/a.py"), ("main", "nope")])
    assert set(data) == set(GITHUB_REPO_FACTS) - {"moved_from"}
    assert data["topics"] == ["ml"] and data["license_spdx"] == "MIT" and data["homepage"] is None
    assert data["commit_count"] == 42 and data["last_commit_at"] == "2024-05-01T00:00:00Z"
    assert data["languages"] == {"Python": 900, "Shell": 10} and data["parent"] == "up/stream"
    assert data["readme"]["name"] == "README.md" and len(data["readme"]["text"]) == README_TEXT_LIMIT
    assert [f["type"] for f in data["root_files"]] == ["file", "dir", "symlink", "submodule"]
    assert data["subpaths"] == {"main:src/a.py": True, "main:nope": False}
    assert data["latest_release"] == {"tag": "v1", "name": "One", "published_at": "2024-01-01T00:00:00Z"}


def test_empty_repository():
    node = _node(isEmpty=True, defaultBranchRef=None, root=None, readme0=None, languages={"edges": []}, latestRelease=None, primaryLanguage=None)
    data = gql.repo_facts(node)
    assert data["is_empty"] and data["default_branch"] is None and data["commit_count"] == 0
    assert data["root_files"] == [] and data["readme"] is None and data["latest_release"] is None


def test_readme_under_another_name_keeps_name_and_size_without_text():
    node = _node(readme0=None, root={"entries": [{"name": "README.ipynb", "type": "blob", "mode": 33188, "size": 99}]})
    assert gql.repo_facts(node)["readme"] == {"name": "README.ipynb", "size": 99, "text": None}


def test_unrecognised_license_is_noassertion():
    node = _node(licenseInfo={"spdxId": None, "name": "Other", "key": "other"})
    assert gql.repo_facts(node)["license_spdx"] == "NOASSERTION"


def test_missing_alias_does_not_spoil_the_batch():
    items = [gql.BatchItem("a", "b"), gql.BatchItem("a", "gone"), gql.BatchItem("a", "dmca"), gql.BatchItem("octo")]
    response = {
        "data": {"rateLimit": {"cost": 1, "remaining": 4990, "resetAt": "2026-11-23T16:00:00Z", "limit": 5000},
                 "r0": _node(), "r1": None, "r2": None, "r3": {"__typename": "Organization", "login": "octo", "url": "u", "repositories": {"totalCount": 7}}},
        "errors": [
            {"type": "NOT_FOUND", "path": ["r1"], "locations": [{"line": 3, "column": 3}], "message": "Could not resolve to a Repository with the name 'a/gone'."},
            {"type": "FORBIDDEN", "path": ["r2"], "message": "Repository access blocked"},
        ],
    }
    results = gql.parse_batch(response, items)
    assert results["r0"].kind == "ok" and results["r0"].data["stars"] == 5
    assert results["r1"].kind == "not_found" and "a/gone" in results["r1"].error
    assert results["r2"].kind == "blocked"
    assert results["r3"].data == {"login": "octo", "type": "Organization", "public_repos": 7, "html_url": "u", "created_at": None}
    rate = gql.parse_rate(response["data"])
    assert (rate.cost, rate.remaining, rate.reset_at.isoformat()) == (1, 4990, "2026-11-23T16:00:00+00:00")


def test_rate_limited_and_timeout_answers_are_recognised():
    limited = {"data": None, "errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]}
    assert gql.is_rate_limited(limited) and not gql.is_timeout_answer(limited)
    assert gql.is_rate_limited({"errors": [{"type": "RATE_LIMIT", "message": "API rate limit already exceeded for user ID 1."}]})
    timeout = {"data": None, "errors": [{"message": "Something went wrong while executing your query. This may be the result of a timeout."}]}
    assert gql.is_timeout_answer(timeout) and not gql.is_rate_limited(timeout)
    items = [gql.BatchItem("a", "b")]
    assert gql.parse_batch(timeout, items)["r0"].kind == "error"
