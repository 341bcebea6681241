"""Without a token, CITATION.cff and .zenodo.json are read over REST into the same fact as GraphQL's.

The GraphQL batch reads both files with the repository (``object(expression:
"HEAD:CITATION.cff")``); the REST collector asks ``GET /repos/{o}/{n}/contents/{path}``
(base64 ``content``, GitHub's "Get repository content" documentation; the fake
GitHub serves that shape) for each file its root listing shows, so the archive
pass and the ``archived`` check read identical facts with or without a token.
Against the fake GitHub (tests/fakegithub) and the fake archives (tests/localhosts).
"""

from __future__ import annotations

from datetime import date

import pytest

from auditor.archival import with_archive
from auditor.checking import CheckContext
from auditor.hosts.archive_ids import CITATION_TEXT_LIMIT
from auditor.hosts.archives import plan_archive_requests
from auditor.models import Facts, Link, Paper
from checks.archived import archived
from localhosts.fakearchives import serve

pytestmark = pytest.mark.network

# A top-level DOI of the software, then enough comment lines to pass the 16,384 characters kept.
CFF = "cff-version: 1.2.0\ntitle: Acme\ndoi: 10.5281/zenodo.7654321\n" + "# padding line\n" * 1200
ZENODO_JSON = '{"title": "Acme", "upload_type": "software"}'


def _archived_reason(target, facts: Facts) -> tuple[str, str]:
    """The ``archived`` verdict for one repository's facts, after the archive pass against the fake archives."""
    from test_archives import collect as collect_archives

    server, state = serve()
    with server:
        state.zenodo("7654321", repo_url="https://github.com/lab/cited/tree/v1.0")
        requests = plan_archive_requests([(target, facts)])
        got, _ = collect_archives(server, requests)
    joined = with_archive({target.key: facts}, got)[target.key]
    ctx = CheckContext(paper=Paper("p", "P", "", date(2024, 5, 1)), as_of=date(2026, 11, 23),
                       link=Link(raw=target.url, url=target.url, target=target), facts=joined)
    result = archived(ctx)
    return result.status, result.reason


def test_citation_files_over_rest_give_the_graphql_fact_and_the_same_archived_reason(fake_github):
    from test_github_e2e import collect, req

    fake_github.world.add_repo({"repo": "lab/cited", "readme": "# cited\n", "commits": {"count": 3},
                                "files": {"CITATION.cff": CFF, ".zenodo.json": ZENODO_JSON, "a.py": "x = 1\n"}})
    fake_github.world.add_repo({"repo": "lab/plain", "readme": "# plain\n", "files": {"a.py": "x = 1\n"}})
    requests = [req("lab/cited"), req("lab/plain")]
    via_graphql, _ = collect(fake_github, requests, token=fake_github.token)
    fake_github.stats.clear()
    via_rest, _ = collect(fake_github, requests)

    cited_rest, cited_gql = via_rest["github:lab/cited"], via_graphql["github:lab/cited"]
    assert "skipped" not in cited_rest.data
    assert cited_rest.data["citation_files"] == cited_gql.data["citation_files"] == {
        "CITATION.cff": CFF[:CITATION_TEXT_LIMIT], ".zenodo.json": ZENODO_JSON}
    assert via_rest["github:lab/plain"].data["citation_files"] == via_graphql["github:lab/plain"].data["citation_files"] == {}
    paths = [e["path"] for e in fake_github.stats.log]
    # one request per citation file the listing shows, none for a repository without them
    assert sorted(p for p in paths if "/contents/" in p and not p.endswith("/contents/")) == [
        "/repos/lab/cited/contents/.zenodo.json", "/repos/lab/cited/contents/CITATION.cff"]

    target = requests[0].target
    rest_verdict = _archived_reason(target, cited_rest)
    assert rest_verdict == _archived_reason(target, cited_gql)
    assert rest_verdict[0] == "pass" and "named in CITATION.cff" in rest_verdict[1], rest_verdict
    # Without the fact (as REST was before), the DOI stays a hint and the verdict differs.
    hint_only = Facts(cited_rest.target_key, cited_rest.status, cited_rest.fetched_at,
                      {k: v for k, v in cited_rest.data.items() if k != "citation_files"})
    assert _archived_reason(target, hint_only) != rest_verdict
