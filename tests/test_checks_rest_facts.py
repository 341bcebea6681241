"""The built-in checks on facts the REST normalisers build from GitHub-shaped answers.

Hand-made facts test each case; these make sure the checks read the shapes
the REST normalisers really produce (and say "unknown" for what REST alone
does not give, instead of guessing). The answers come from the fake GitHub,
whose shapes tests/test_fakegithub.py compares with real recorded ones.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import httpx
import pytest

from auditor.checking import CheckContext
from auditor.hosts import github_rest as rest
from auditor.models import Claim, Facts, Link, Paper, Target
from checks.archived import archived
from checks.claim_kept import claim_kept
from checks.code_present import code_present
from checks.last_commit import last_commit
from checks.license import license
from checks.readme import readme
from checks.repo_exists import repo_exists
from checks.stars import stars

pytestmark = pytest.mark.network


@pytest.fixture
def get(fake_github_rest):
    with httpx.Client(base_url=fake_github_rest.url, timeout=10) as client:
        yield client.get


def context(key: str, data: dict, published_on: date, claims: tuple = ()) -> CheckContext:
    target = Target(key=key, kind="github_repo", host="github.com", url="https://github.com/" + key.split(":")[1])
    facts = Facts(key, "ok", datetime(2025, 10, 1, tzinfo=timezone.utc), data=data)
    paper = Paper(paper_id="p", title="T", abstract="A", published_on=published_on)
    link = Link(raw=target.url, url=target.url, target=target)
    return CheckContext(paper=paper, as_of=date(2025, 10, 1), link=link, facts=facts, claims=claims, links=(link,))


def test_repository_readme_and_commits(get):
    data = rest.repo_facts(get("/repos/fixture-lab/noassertion").json())
    data["readme"] = rest.readme(get("/repos/fixture-lab/noassertion/readme").json())
    commits = get("/repos/fixture-lab/noassertion/commits", params={"per_page": 1})
    data.update(rest.commits(commits.json(), commits.headers["link"]))
    ctx = context("github:fixture-lab/noassertion", data, published_on=date(2024, 6, 1))

    assert repo_exists(ctx).reason == "exists: fixture-lab/noassertion"
    lic = license(ctx)  # GitHub could not identify it: key "other", no SPDX id
    assert lic.status == "warn" and "NOASSERTION" in lic.reason
    assert readme(ctx).status == "pass" and data["readme"]["name"] == "README.md"
    assert stars(ctx).status == "pass" and stars(ctx).evidence["stars"] == data["stars"] == 142
    assert archived(ctx).reason == "not archived"
    day = last_commit(ctx)
    assert day.status in ("pass", "warn") and data["last_commit_at"][:10] in day.reason
    # REST's repository answer has no languages or root listing: unknown, not "empty"
    assert code_present(ctx).status == "unknown"
    assert claim_kept(context(ctx.link.target.key, data, date(2024, 6, 1),
                              (Claim("available", "s", ctx.link.target.key),))).status == "unknown"


def test_repository_and_languages(get):
    data = rest.repo_facts(get("/repos/fixture-lab/healthy").json())
    data["languages"] = rest.languages(get("/repos/fixture-lab/healthy/languages").json())
    ctx = context("github:fixture-lab/healthy", data, published_on=date(2024, 6, 1))
    r = code_present(ctx)
    assert r.status == "pass" and r.reason.startswith("code present: Python")
    assert readme(ctx).status == "unknown"  # not asked for: never a guessed "no README"
    assert last_commit(ctx).status == "unknown"
