"""REST parsing, on the fake GitHub's answers (every clone) and on real recorded ones (../shared).

The fake's answers are modelled on GitHub's recorded ones, and
tests/test_fakegithub.py compares their keys where ../shared is at hand; the one
test marked ``shared`` here parses the recorded answers themselves (read in place).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import httpx
import pytest

from auditor.hosts import github_rest as rest
from auditor.models import GITHUB_REPO_FACTS, README_TEXT_LIMIT
from tests.conftest import shared_path

pytestmark = pytest.mark.network


def recorded(name: str) -> dict:
    path = shared_path("github", "recorded", name)
    return json.loads(path.read_text())


@pytest.fixture
def get(fake_github_rest):
    with httpx.Client(base_url=fake_github_rest.url, timeout=10) as client:
        yield client.get


def test_repo_facts_from_a_repository_answer(get):
    body = get("/repos/fixture-lab/healthy").json()
    data = rest.repo_facts(body)
    assert set(data) <= set(GITHUB_REPO_FACTS)
    assert data["name_with_owner"] == "fixture-lab/healthy"
    assert data["html_url"] == "https://github.com/fixture-lab/healthy"
    assert data["topics"] == ["reproducibility", "pytorch"]
    assert data["stars"] == 420 == body["stargazers_count"] and data["forks"] == body["forks_count"]
    assert data["is_fork"] is False and data["is_archived"] is False
    assert data["default_branch"] == "main" and data["created_at"].startswith("20")
    assert data["license_spdx"] == "MIT"


def test_unrecognised_license_is_noassertion_and_known_one_is_spdx(get):
    other = get("/repos/fixture-lab/noassertion").json()
    assert other["license"]["key"] == "other"
    assert rest.repo_facts(other)["license_spdx"] == "NOASSERTION"
    assert rest.repo_facts(get("/repos/fixture-lab/healthy/license").json())["license_spdx"] == "MIT"
    assert rest.license_spdx(None) is None


def test_rest_watchers_are_subscribers_not_stars(get):
    body = get("/repos/fixture-lab/healthy").json()
    assert rest.repo_facts(body)["watchers"] == body["subscribers_count"] == 14 != body["watchers_count"]


def test_rename_redirect_points_at_repository_id(get):
    answer = get("/repos/fixture-lab/old-name")
    assert answer.status_code == 301
    assert answer.json()["url"].endswith("/repositories/700000002")  # where the collector goes next


def test_rate_headers_of_an_answer(get):
    answer = get("/repos/fixture-lab/healthy")
    info = rest.rate_info(answer.headers)
    assert info is not None
    assert (info.limit, info.remaining) == (60, 59)
    assert info.reset_at == datetime.fromtimestamp(int(answer.headers["x-ratelimit-reset"]), timezone.utc)
    assert rest.rate_info({}) is None


def test_404_answer_is_not_a_rate_limit(get):
    answer = get("/repos/fixture-lab/missing")
    assert answer.status_code == 404
    assert not rest.is_primary_limit(404, answer.headers, answer.json()["message"])
    assert not rest.is_secondary_limit(404, answer.headers, answer.json()["message"])


@pytest.mark.parametrize(
    ("status", "headers", "message", "primary", "secondary"),
    [
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1700000000"}, "API rate limit exceeded for 1.2.3.4.", True, False),
        (429, {"x-ratelimit-remaining": "0"}, "", True, False),
        (403, {"retry-after": "30", "x-ratelimit-remaining": "4000"}, "", False, True),
        (403, {"x-ratelimit-remaining": "4000"}, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", False, True),
        (429, {"retry-after": "5"}, "", False, True),
        (403, {"x-ratelimit-remaining": "4000"}, "Repository access blocked", False, False),
        (451, {}, "Repository access blocked", False, False),
    ],
)
def test_rate_limit_classification(status, headers, message, primary, secondary):
    assert rest.is_primary_limit(status, headers, message) is primary
    assert rest.is_secondary_limit(status, headers, message) is secondary


def test_readme_text_is_decoded_and_cut(get):
    body = get("/repos/fixture-lab/healthy/readme").json()
    readme = rest.readme(body)
    assert readme["name"] == "README.md" and readme["size"] == body["size"] > 0
    assert readme["text"].startswith("# Official implementation")
    long = {"name": "README.md", "size": 1, "content": base64.b64encode(b"x" * (README_TEXT_LIMIT + 10)).decode(), "encoding": "base64"}
    assert len(rest.readme(long)["text"]) == README_TEXT_LIMIT


def test_root_listing_of_a_contents_answer(get):
    listing = get("/repos/fixture-lab/healthy/contents/").json()
    files = rest.root_files(listing)
    assert len(files) == len(listing) and all(f["type"] in ("file", "dir", "symlink", "submodule") for f in files)
    kinds = {f["name"]: f["type"] for f in files}
    assert kinds["src"] == "dir" and kinds["README.md"] == "file"
    assert next(f for f in files if f["name"] == "LICENSE")["size"] == 77


def test_languages_of_an_answer(get):
    langs = rest.languages(get("/repos/fixture-lab/healthy/languages").json())
    assert list(langs) == ["Python", "Jupyter Notebook", "Shell"]
    assert all(isinstance(v, int) and v > 0 for v in langs.values())
    assert rest.languages(get("/repos/fixture-lab/empty/languages").json()) == {}


def test_commit_count_from_the_last_page_link(get):
    answer = get("/repos/fixture-lab/healthy/commits", params={"per_page": 1})
    link = answer.headers["link"]
    assert rest.last_page(link) == 86
    facts = rest.commits(answer.json()[:1], link)
    assert facts == {"last_commit_at": "2025-09-15T16:20:00Z", "commit_count": 86}
    assert rest.commits([], None) == {"last_commit_at": None, "commit_count": 0}


def test_owner_facts_of_an_org(get):
    facts = rest.owner_facts(get("/orgs/fixture-lab").json())
    assert facts["login"] == "fixture-lab" and facts["type"] == "Organization" and facts["public_repos"] == 18


@pytest.mark.shared
def test_parsers_read_real_recorded_answers():
    """The same parsers on GitHub's own answers, as recorded by other projects' test suites."""
    linguist = recorded("octokitrb__Octokit_Client_Repositories_repository_returns_the_repository_including_topics__00.json")["body"]
    data = rest.repo_facts(linguist)
    assert set(data) <= set(GITHUB_REPO_FACTS)
    assert data["name_with_owner"] == "github/linguist" and data["html_url"] == "https://github.com/github/linguist"
    assert isinstance(data["topics"], list) and data["topics"] and data["stars"] == linguist["stargazers_count"]
    answer = recorded("github3py__GitHub_repository__00.json")
    other = answer["body"]
    assert other["license"]["key"] == "other" and rest.repo_facts(other)["license_spdx"] == "NOASSERTION"
    assert rest.repo_facts(other)["watchers"] == other["subscribers_count"] != other["watchers_count"]
    assert rest.repo_facts(recorded("github3py__Repository_license__01.json")["body"])["license_spdx"] == "BSD-3-Clause"
    info = rest.rate_info(answer["response_headers"])
    assert (info.limit, info.remaining) == (60, 52) and info.reset_at == datetime.fromtimestamp(1514511495, timezone.utc)
    moved = recorded("octokitfixtures__scenarios_api_github_com_rename_repository_raw_fixture__02.json")
    assert moved["status"] == 301 and moved["body"]["url"].endswith("/repositories/515436299")
    gone = recorded("octokitrb__Octokit_Client_Repositories_repository_returns_false_if_the_repository_doesn_t_exist__00.json")
    assert not rest.is_primary_limit(404, gone["response_headers"], gone["body"]["message"])
    assert not rest.is_secondary_limit(404, gone["response_headers"], gone["body"]["message"])
    readme = rest.readme(recorded("octokitrb__Octokit_Client_Contents_readme_returns_the_default_readme__00.json")["body"])
    assert (readme["name"], readme["size"]) == ("README.md", 7115) and readme["text"].startswith("# Octokit")
    listing = recorded("octokitfixtures__scenarios_api_github_com_get_content_raw_fixture__00.json")["body"]
    assert rest.root_files(listing) == [{"name": "README.md", "type": "file", "size": 13}]
    langs = rest.languages(recorded(
        "octokitrb__Octokit_Client_Repositories_languages_returns_a_repository_s_languages__00.json")["body"])
    assert set(langs) == {"Ruby", "CoffeeScript", "JavaScript"}
    assert rest.languages(recorded("github3py__Repository_languages__01.json")["body"]) == {}
    commits = recorded("github3py__Repository_commits__01.json")
    link = commits["response_headers"]["Link"]
    assert rest.last_page(link) == 111
    assert rest.commits(commits["body"][:1], link) == {"last_commit_at": "2017-12-29T02:41:15Z", "commit_count": 111}
    org = rest.owner_facts(recorded("github3py__Repository_archive_a_repository__00.json")["body"])
    assert org["login"] == "testgh3py" and org["type"] == "Organization" and org["public_repos"] == 0


def test_releases_count_and_latest():
    body = [{"tag_name": "v2.0", "name": "Two", "published_at": "2024-01-01T00:00:00Z"}]
    link = '<https://api.github.com/repositories/1/releases?per_page=1&page=2>; rel="next", <https://api.github.com/repositories/1/releases?per_page=1&page=7>; rel="last"'
    assert rest.releases(body, link) == {"releases_count": 7, "latest_release": {"tag": "v2.0", "name": "Two", "published_at": "2024-01-01T00:00:00Z"}}
    assert rest.releases([], None) == {"releases_count": 0, "latest_release": None}
