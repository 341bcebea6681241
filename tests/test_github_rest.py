"""REST parsing tested on real recorded GitHub answers (../shared/github/recorded, read in place)."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest

from auditor.hosts import github_rest as rest
from auditor.models import GITHUB_REPO_FACTS, README_TEXT_LIMIT
from tests.conftest import shared_path


def recorded(name: str) -> dict:
    path = shared_path("github", "recorded", name)
    return json.loads(path.read_text())


def test_repo_facts_from_a_real_repository_answer():
    answer = recorded("octokitrb__Octokit_Client_Repositories_repository_returns_the_repository_including_topics__00.json")
    data = rest.repo_facts(answer["body"])
    assert set(data) <= set(GITHUB_REPO_FACTS)
    assert data["name_with_owner"] == "github/linguist"
    assert data["html_url"] == "https://github.com/github/linguist"
    assert isinstance(data["topics"], list) and data["topics"]
    assert data["stars"] == answer["body"]["stargazers_count"]
    assert data["forks"] == answer["body"]["forks_count"]
    assert data["is_fork"] is False and data["is_archived"] is False
    assert data["default_branch"] == answer["body"]["default_branch"]
    assert data["created_at"].startswith("20")


def test_unrecognised_license_is_noassertion_and_known_one_is_spdx():
    other = recorded("github3py__GitHub_repository__00.json")["body"]
    assert other["license"]["key"] == "other"
    assert rest.repo_facts(other)["license_spdx"] == "NOASSERTION"
    bsd = recorded("github3py__Repository_license__01.json")["body"]
    assert rest.repo_facts(bsd)["license_spdx"] == "BSD-3-Clause"
    assert rest.license_spdx(None) is None


def test_rest_watchers_are_subscribers_not_stars():
    body = recorded("github3py__GitHub_repository__00.json")["body"]
    data = rest.repo_facts(body)
    assert data["watchers"] == body["subscribers_count"] != body["watchers_count"]


def test_rename_redirect_points_at_repository_id():
    answer = recorded("octokitfixtures__scenarios_api_github_com_rename_repository_raw_fixture__02.json")
    assert answer["status"] == 301
    assert answer["body"]["url"].endswith("/repositories/515436299")  # where the collector goes next


def test_rate_headers_of_a_real_answer():
    answer = recorded("github3py__GitHub_repository__00.json")
    info = rest.rate_info(answer["response_headers"])
    assert info is not None
    assert (info.limit, info.remaining) == (60, 52)
    assert info.reset_at == datetime.fromtimestamp(1514511495, timezone.utc)
    assert rest.rate_info({}) is None


def test_404_answer_is_not_a_rate_limit():
    answer = recorded("octokitrb__Octokit_Client_Repositories_repository_returns_false_if_the_repository_doesn_t_exist__00.json")
    headers = answer["response_headers"]
    assert not rest.is_primary_limit(404, headers, answer["body"]["message"])
    assert not rest.is_secondary_limit(404, headers, answer["body"]["message"])


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


def test_readme_text_is_decoded_and_cut():
    answer = recorded("octokitrb__Octokit_Client_Contents_readme_returns_the_default_readme__00.json")
    readme = rest.readme(answer["body"])
    assert readme["name"] == "README.md"
    assert readme["size"] == 7115
    assert readme["text"].startswith("# Octokit")
    long = {"name": "README.md", "size": 1, "content": base64.b64encode(b"x" * (README_TEXT_LIMIT + 10)).decode(), "encoding": "base64"}
    assert len(rest.readme(long)["text"]) == README_TEXT_LIMIT


def test_root_listing_of_a_real_contents_answer():
    answer = recorded("octokitfixtures__scenarios_api_github_com_get_content_raw_fixture__00.json")
    assert rest.root_files(answer["body"]) == [{"name": "README.md", "type": "file", "size": 13}]
    listing = recorded("github3py__Repository_directory_contents__02.json")["body"]
    files = rest.root_files(listing)
    assert len(files) == len(listing) and all(f["type"] in ("file", "dir", "symlink", "submodule") for f in files)


def test_languages_of_a_real_answer():
    answer = recorded("octokitrb__Octokit_Client_Repositories_languages_returns_a_repository_s_languages__00.json")
    langs = rest.languages(answer["body"])
    assert set(langs) == {"Ruby", "CoffeeScript", "JavaScript"}
    assert all(isinstance(v, int) and v > 0 for v in langs.values())
    assert rest.languages(recorded("github3py__Repository_languages__01.json")["body"]) == {}


def test_commit_count_from_the_last_page_link():
    answer = recorded("github3py__Repository_commits__01.json")
    link = answer["response_headers"]["Link"]
    assert rest.last_page(link) == 111
    facts = rest.commits(answer["body"][:1], link)
    assert facts["commit_count"] == 111
    assert facts["last_commit_at"] == "2017-12-29T02:41:15Z"
    assert rest.commits([], None) == {"last_commit_at": None, "commit_count": 0}


def test_owner_facts_of_a_real_org():
    answer = recorded("github3py__Repository_archive_a_repository__00.json")
    facts = rest.owner_facts(answer["body"])
    assert facts["login"] == "testgh3py" and facts["type"] == "Organization" and facts["public_repos"] == 0


def test_releases_count_and_latest():
    body = [{"tag_name": "v2.0", "name": "Two", "published_at": "2024-01-01T00:00:00Z"}]
    link = '<https://api.github.com/repositories/1/releases?per_page=1&page=2>; rel="next", <https://api.github.com/repositories/1/releases?per_page=1&page=7>; rel="last"'
    assert rest.releases(body, link) == {"releases_count": 7, "latest_release": {"tag": "v2.0", "name": "Two", "published_at": "2024-01-01T00:00:00Z"}}
    assert rest.releases([], None) == {"releases_count": 0, "latest_release": None}
