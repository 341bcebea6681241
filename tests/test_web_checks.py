"""link_reachable and anonymous_link: pure functions of the collectors' facts."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from auditor.checking import CheckContext, discover_checks
from auditor.models import Facts, Link, Paper, Target
from checks.anonymous_link import anonymous_link
from checks.link_reachable import link_reachable

PAPER = Paper(paper_id="p", title="T", abstract="A")
NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)
PAGE = Target("web:deepthing.github.io", "project_page", "deepthing.github.io", "https://deepthing.github.io")
ANON = Target("anonymous:anonymous.4open.science/r/x1", "anonymous_repo", "anonymous.4open.science",
              "https://anonymous.4open.science/r/x1", name="x1")
REPO = Target("github:org/repo", "github_repo", "github.com", "https://github.com/org/repo", "org", "repo")


def ctx(target: Target, status: str | None = None, links: tuple[Link, ...] = (), **data: Any) -> CheckContext:
    facts = None if status is None else Facts(target.key, status, NOW, data, error=data.get("reachable_reason"))  # type: ignore[arg-type]
    return CheckContext(paper=PAPER, as_of=date(2026, 1, 1), link=Link(target.url, target.url, target), facts=facts, links=links)


def test_registered_as_entry_points() -> None:
    found = discover_checks()
    assert found["link_reachable"] is link_reachable
    assert found["anonymous_link"] is anonymous_link


def test_reachable_passes() -> None:
    r = link_reachable(ctx(PAGE, "ok", reachable=True, reachable_reason="ok", final_url="https://x.org/",
                           redirects=["https://deepthing.github.io"], code_links=["https://github.com/org/repo"]))
    assert r.status == "pass" and r.score == 10.0
    assert "now at https://x.org/" in r.reason
    assert r.evidence["code_links"] == ["https://github.com/org/repo"]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("not_found", "HTTP 404"),
        ("not_found", "parked domain (sedoparking)"),
        ("not_found", "soft 404 (GitHub Pages has no site here)"),
        ("blocked", "refused: private address"),
        ("not_found", "host deepthing.ai does not resolve"),
    ],
)
def test_unreachable_fails_with_reason(status: str, reason: str) -> None:
    r = link_reachable(ctx(PAGE, status, reachable=False, reachable_reason=reason))
    assert r.status == "fail" and r.score == 0.0
    assert r.reason == f"not reachable: {reason}"


@pytest.mark.parametrize(
    ("status", "data"),
    [
        (None, {}),
        ("error", {"reachable": None, "reachable_reason": "timed out"}),
        ("unknown", {}),
        ("blocked", {"reachable": None, "reachable_reason": "HTTP 403 (the site refuses automated clients)"}),
    ],
)
def test_unknown_when_nothing_can_be_said(status: str | None, data: dict[str, Any]) -> None:
    r = link_reachable(ctx(PAGE, status, **data))
    assert r.status == "unknown" and r.score is None


def test_skips_repositories() -> None:
    assert link_reachable(ctx(REPO, "ok", reachable=True)).status == "skip"
    assert anonymous_link(ctx(REPO, "ok")).status == "skip"


def test_anonymous_link_warns_even_without_facts() -> None:
    r = anonymous_link(ctx(ANON))
    assert r.status == "warn" and "expire" in r.reason and "permanent repository" in r.reason
    assert anonymous_link.needs_network is False


def test_anonymous_link_fails_when_expired() -> None:
    r = anonymous_link(ctx(ANON, "not_found", expired=True, original_url="https://github.com/org/repo"))
    assert r.status == "fail" and "expired" in r.reason and "https://github.com/org/repo" in r.reason


def test_anonymous_link_is_milder_with_a_permanent_link_beside() -> None:
    r = anonymous_link(ctx(ANON, "ok", links=(Link(REPO.url, REPO.url, REPO),), reachable=True))
    assert r.status == "warn" and r.score == 7.0 and "https://github.com/org/repo" in r.reason


def test_anonymous_reachability_goes_through_link_reachable() -> None:
    assert link_reachable(ctx(ANON, "ok", reachable=True, reachable_reason="ok")).status == "pass"
    gone = link_reachable(ctx(ANON, "not_found", reachable=False, expired=True,
                              reachable_reason="expired anonymous repository (HTTP 410)"))
    assert gone.status == "fail" and "expired" in gone.reason
