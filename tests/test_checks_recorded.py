"""The built-in checks on facts built from real recorded GitHub answers.

Hand-made facts test each case; these make sure the checks read the shapes
the REST normalisers really produce (and say "unknown" for what REST alone
does not give, instead of guessing).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

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
from tests.conftest import shared_path


def recorded(name: str) -> dict:
    return json.loads(shared_path("github", "recorded", name).read_text(encoding="utf-8"))


def context(key: str, data: dict, published_on: date, claims: tuple = ()) -> CheckContext:
    target = Target(key=key, kind="github_repo", host="github.com", url="https://github.com/" + key.split(":")[1])
    facts = Facts(key, "ok", datetime(2014, 1, 1, tzinfo=timezone.utc), data=data)
    paper = Paper(paper_id="p", title="T", abstract="A", published_on=published_on)
    link = Link(raw=target.url, url=target.url, target=target)
    return CheckContext(paper=paper, as_of=date(2014, 1, 1), link=link, facts=facts, claims=claims, links=(link,))


def test_github3py_repository_readme_and_commits():
    data = rest.repo_facts(recorded("github3py__GitHub_repository__00.json")["body"])
    data["readme"] = rest.readme(recorded("github3py__Repository_readme__01.json")["body"])
    commits = recorded("github3py__Repository_commits__01.json")
    data.update(rest.commits(commits["body"], None))
    ctx = context("github:sigmavirus24/github3.py", data, published_on=date(2013, 6, 1))

    assert repo_exists(ctx).reason == "exists: sigmavirus24/github3.py"
    lic = license(ctx)  # GitHub could not identify it: key "other", no SPDX id
    assert lic.status == "warn" and "NOASSERTION" in lic.reason
    assert readme(ctx).status == "pass" and data["readme"]["name"] == "README.rst"
    assert stars(ctx).status == "pass" and stars(ctx).evidence["stars"] == data["stars"]
    assert archived(ctx).reason == "not archived"
    day = last_commit(ctx)
    assert day.status in ("pass", "warn") and data["last_commit_at"][:10] in day.reason
    # REST's repository answer has no languages or root listing: unknown, not "empty"
    assert code_present(ctx).status == "unknown"
    assert claim_kept(context(ctx.link.target.key, data, date(2013, 6, 1),
                              (Claim("available", "s", ctx.link.target.key),))).status == "unknown"


def test_rails_admin_repository_and_languages():
    data = rest.repo_facts(recorded(
        "octokitrb__Octokit_Client_Repositories_repository_returns_the_matching_repository__00.json")["body"])
    data["languages"] = rest.languages(recorded(
        "octokitrb__Octokit_Client_Repositories_languages_returns_a_repository_s_languages__00.json")["body"])
    ctx = context("github:sferik/rails_admin", data, published_on=date(2013, 1, 1))
    r = code_present(ctx)
    assert r.status == "pass" and r.reason.startswith("code present: Ruby")
    assert readme(ctx).status == "unknown"  # not asked for: never a guessed "no README"
    assert last_commit(ctx).status == "unknown"
