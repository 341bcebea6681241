"""Archival facts: origin URLs, DOIs, the collector against fake Software Heritage and Zenodo, the archived check.

The fake (tests/localhosts/fakearchives.py) answers with the shapes of
swh-web's swh/web/api/views/origin.py and origin_save.py and of Zenodo's
REST documentation ("Records"), rate-limit headers included.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from typing import Any

import pytest

from auditor.archival import with_archive
from auditor.checking import CheckContext
from auditor.hosts.archive_ids import Named, cff_identifiers, named_archives, zenodo_json_doi
from auditor.hosts.archives import (
    ArchiveCollector,
    ArchiveRequest,
    ArchiveSettings,
    dois,
    origin_url,
    plan_archive_requests,
    zenodo_ids,
)
from auditor.models import Facts, Link, Paper, Target
from auditor.retry import FAST
from auditor.safefetch import FetchPolicy
from checks.archived import archived
from localhosts.fakearchives import FakeArchives, serve

T = datetime(2026, 11, 23, tzinfo=timezone.utc)


def gh(full: str) -> Target:
    owner, name = full.split("/")
    return Target(key=f"github:{full.lower()}", kind="github_repo", host="github.com", url=f"https://github.com/{full}",
                  owner=owner, name=name)


# --------------------------------------------------------------------------- pure parts


def test_origin_urls_per_forge() -> None:
    assert origin_url(gh("Acme/Model"), {"name_with_owner": "AcmeLab/Model"}) == "https://github.com/AcmeLab/Model"
    assert origin_url(gh("acme/model")) == "https://github.com/acme/model"
    gitlab = Target(key="git:gitlab.com/group/sub/proj", kind="forge_repo", host="gitlab.com", url="https://gitlab.com/group/sub/proj")
    assert origin_url(gitlab) == "https://gitlab.com/group/sub/proj"
    assert origin_url(gitlab, {"html_url": "https://gitlab.com/Group/Sub/Proj.git"}) == "https://gitlab.com/Group/Sub/Proj"
    page = Target(key="web:acme.github.io", kind="project_page", host="acme.github.io", url="https://acme.github.io")
    assert origin_url(page) is None


def test_zenodo_ids_and_dois_from_badges_and_links() -> None:
    readme = ("[![DOI](https://zenodo.org/badge/DOI/10.5281/zenodo.7654321.svg)](https://doi.org/10.5281/zenodo.7654321)\n"
              "Data: https://zenodo.org/records/1234567 and https://zenodo.org/record/1234567. Paper 10.1145/3576915.3623150.")
    assert zenodo_ids(readme) == ["7654321", "1234567"]
    assert dois(readme) == ["10.5281/zenodo.7654321", "10.1145/3576915.3623150"]


def test_plan_only_known_repositories_with_their_zenodo_records_and_hints() -> None:
    ok = Facts("github:a/b", "ok", T, {"name_with_owner": "A/b", "readme": {"text": "DOI 10.5281/zenodo.99999"},
                                        "root_files": [{"name": "CITATION.cff", "type": "file"}, {"name": ".zenodo.json", "type": "file"}]})
    gone = Facts("github:a/c", "not_found", T, {})
    [req] = plan_archive_requests([(gh("a/b"), ok), (gh("a/c"), gone)])
    assert req == ArchiveRequest("archive:github:a/b", "https://github.com/A/b", ("99999",), ("readme", ".zenodo.json", "CITATION.cff"),
                                 (Named("zenodo", "99999", "README", "Zenodo"),))


# CITATION.cff as the Citation File Format 1.2 schema and its examples write it (citation-file-format/citation-file-format).
CFF = """cff-version: 1.2.0
message: "If you use this software, please cite it as below."
title: "Acme model"
doi: 10.5281/zenodo.1234567   # the software's concept DOI
identifiers:
  - type: doi
    value: "10.6084/m9.figshare.7654321"
    description: The trained weights
  - type: swh
    value: swh:1:rel:99f6850374dc6597af01bd0ee1d3fc0699301b9f
  - type: url
    value: https://acme.example/model
preferred-citation:
  type: article
  doi: 10.1145/3576915.3623150
"""


def test_named_archives_from_citation_cff_zenodo_json_and_readme() -> None:
    assert cff_identifiers(CFF) == ["10.5281/zenodo.1234567", "10.6084/m9.figshare.7654321",
                                    "swh:1:rel:99f6850374dc6597af01bd0ee1d3fc0699301b9f"]  # not the paper's DOI
    assert zenodo_json_doi('{"title": "Acme", "related_identifiers": [{"identifier": "10.1145/1.2"}]}') is None
    assert zenodo_json_doi('{"doi": "10.5281/zenodo.42"}') == "10.5281/zenodo.42" and zenodo_json_doi("{not json") is None
    readme = ("Data on OSF: https://doi.org/10.17605/OSF.IO/ABCDE. Paper: 10.1145/3576915.3623150. Again 10.6084/m9.figshare.7654321\n"
              "[![SWH](https://archive.softwareheritage.org/badge/swh:1:dir:c7c108084bc0bf3d81436bf980b46e98bd338453/)]"
              "(https://archive.softwareheritage.org/swh:1:dir:c7c108084bc0bf3d81436bf980b46e98bd338453;origin=https://github.com/a/b)")
    data = {"citation_files": {"CITATION.cff": CFF, ".zenodo.json": '{"doi": "10.5281/zenodo.4242424"}'}, "readme": {"text": readme}}
    assert [(n.kind, n.identifier, n.source) for n in named_archives(data)] == [
        ("zenodo", "1234567", "CITATION.cff"),
        ("doi", "10.6084/m9.figshare.7654321", "CITATION.cff"),  # named again in the README: the first place is kept
        ("swhid", "swh:1:rel:99f6850374dc6597af01bd0ee1d3fc0699301b9f", "CITATION.cff"),
        ("zenodo", "4242424", ".zenodo.json"),
        ("doi", "10.17605/osf.io/abcde", "README"),
        ("swhid", "swh:1:dir:c7c108084bc0bf3d81436bf980b46e98bd338453", "README"),
    ]


# --------------------------------------------------------------------------- the collector


@pytest.fixture()
def fake():
    server, state = serve()
    with server:
        yield server, state


def collect(server, requests, *, token: str | None = None, max_wait: float = 60, budget: float = 30, sleep=None, per_host: int = 4):
    settings = ArchiveSettings(swh_url=server.base, zenodo_url=server.base, doi_url=server.base, swh_token=token, max_wait=max_wait,
                               budget_seconds=budget, per_host=per_host)

    async def go():
        kw = {"sleep": sleep} if sleep else {}
        collector = ArchiveCollector(settings, policy=FetchPolicy(allow_private_hosts=True), retry=FAST, **kw)
        try:
            got = {f.target_key: f async for f in collector.collect(requests)}
        finally:
            await collector.aclose()
        return got, collector

    return asyncio.run(go())


def test_archived_unarchived_and_zenodo(fake) -> None:
    server, state = fake
    state.archive("https://github.com/lab/kept", "2025-03-01T10:00:00.000000+00:00")
    state.zenodo("7654321", repo_url="https://github.com/lab/zen/tree/v1.0")
    reqs = [ArchiveRequest("archive:github:lab/kept", "https://github.com/lab/kept"),
            ArchiveRequest("archive:github:lab/none", "https://github.com/lab/none"),
            ArchiveRequest("archive:github:lab/zen", "https://github.com/lab/zen", ("7654321", "1111111"))]
    got, collector = collect(server, reqs)
    kept = got["archive:github:lab/kept"]
    assert kept.status == "ok"
    assert kept.data["swh"] == {"archived": True, "visit_date": "2025-03-01T10:00:00.000000+00:00", "visit_status": "full",
                                "snapshot_swhid": "swh:1:snp:c7c108084bc0bf3d81436bf980b46e98bd338453", "visit_type": "git"}
    assert got["archive:github:lab/none"].status == "not_found"
    assert got["archive:github:lab/none"].data["swh"]["archived"] is False
    zen = got["archive:github:lab/zen"].data["zenodo"]
    assert zen[0]["doi"] == "10.5281/zenodo.7654321" and zen[0]["repository_urls"] == ["https://github.com/lab/zen/tree/v1.0"]
    assert zen[1] == {"id": "1111111", "status": "not_found"}
    visit_paths = [s.path for s in server.seen if "/visit/latest/" in s.path]
    assert "/api/1/origin/https://github.com/lab/kept/visit/latest/" in visit_paths
    assert all(s.query.get("require_snapshot") == ["true"] for s in server.seen if "/visit/latest/" in s.path)
    assert (collector.stats.swh_requests, collector.stats.zenodo_requests) == (3, 2)


def test_dois_of_other_archives_and_swhids_are_resolved_with_where_they_were_named(fake) -> None:
    server, state = fake
    state.dois["10.6084/m9.figshare.7654321"] = "https://figshare.com/articles/software/acme/7654321"
    state.swhids.add("swh:1:dir:c7c108084bc0bf3d81436bf980b46e98bd338453")
    named = (Named("doi", "10.6084/m9.figshare.7654321", "CITATION.cff", "figshare"),
             Named("doi", "10.17605/osf.io/zzzzz", "README", "OSF"),
             Named("swhid", "swh:1:dir:c7c108084bc0bf3d81436bf980b46e98bd338453", "README", "Software Heritage"),
             Named("swhid", "swh:1:rev:0000000000000000000000000000000000000000", "CITATION.cff", "Software Heritage"))
    got, collector = collect(server, [ArchiveRequest("archive:github:lab/fig", "https://github.com/lab/fig", named=named)])
    block = got["archive:github:lab/fig"].data
    assert block["dois"] == [
        {"doi": "10.6084/m9.figshare.7654321", "archive": "figshare", "source": "CITATION.cff", "status": "ok",
         "url": "https://figshare.com/articles/software/acme/7654321"},
        {"doi": "10.17605/osf.io/zzzzz", "archive": "OSF", "source": "README", "status": "not_found"}]
    assert [(s["source"], s["status"], s.get("object_type")) for s in block["swhids"]] == [
        ("README", "ok", "directory"), ("CITATION.cff", "not_found", None)]
    assert any(s.path == "/api/handles/10.6084/m9.figshare.7654321" and s.query.get("type") == ["URL"] for s in server.seen)
    assert collector.stats.doi_requests == 2 and collector.stats.swh_requests == 3  # visit + two SWHIDs

    repo = {**REPO, "last_commit_at": "2025-06-01T00:00:00Z"}
    r = archived(ctx(repo, {**block, "_status": "not_found", "swh": SWH_NONE, "zenodo": []}))
    assert r.status == "pass" and r.reason.startswith("archived on figshare (DOI 10.6084/m9.figshare.7654321, named in CITATION.cff")
    only_swhid = {**block, "dois": block["dois"][1:], "swh": SWH_NONE, "zenodo": []}
    r = archived(ctx(repo, {**only_swhid, "_status": "not_found"}))
    assert r.reason == "archived at Software Heritage (swh:1:dir:c7c108084bc0bf3d81436bf980b46e98bd338453, named in README)"
    nothing = {**only_swhid, "swhids": block["swhids"][1:]}
    r = archived(ctx(repo, {**nothing, "_status": "not_found"}))
    assert r.status == "fail" and "DOI 10.17605/osf.io/zzzzz, named in README" in r.reason
    assert "swh:1:rev:0000000000000000000000000000000000000000, named in CITATION.cff" in r.reason
    badge = artifact_badge(paper_ctx([repo_with({**block, "swh": SWH_NONE, "zenodo": []})]))
    assert badge.reason == ("USENIX Security 2025: DOI-backed archive 10.6084/m9.figshare.7654321 "
                            "(named in the repository's CITATION.cff)")
    acm = artifact_badge(paper_ctx([repo_with({**only_swhid})], "acm-v1.1"))
    assert acm.status == "pass" and "(named in the repository's README)" in acm.reason
    assert artifact_badge(paper_ctx([repo_with({**only_swhid})])).status == "fail"  # USENIX wants a DOI


def test_token_goes_to_software_heritage_only_and_raises_the_limit(fake) -> None:
    server, state = fake
    state.anonymous_limit = 1
    state.zenodo("5555555")
    reqs = [ArchiveRequest(f"archive:github:lab/r{i}", f"https://github.com/lab/r{i}", ("5555555",) if i == 0 else ()) for i in range(3)]
    got, _ = collect(server, reqs, token=state.token)
    assert all(f.known for f in got.values())
    swh = [s for s in server.seen if s.path.startswith("/api/1/origin/")]
    zen = [s for s in server.seen if s.path.startswith("/api/records/")]
    assert all(s.headers.get("authorization") == f"Bearer {state.token}" for s in swh)
    assert zen and all("authorization" not in s.headers for s in zen)
    assert state.token not in repr(ArchiveSettings(swh_token=state.token))


def test_spent_budget_beyond_max_wait_stops_and_leaves_the_rest_unknown(fake) -> None:
    server, state = fake
    state.anonymous_limit = 2
    reqs = [ArchiveRequest(f"archive:github:lab/r{i}", f"https://github.com/lab/r{i}") for i in range(5)]
    got, collector = collect(server, reqs, max_wait=0, per_host=1)
    statuses = sorted(f.status for f in got.values())
    assert statuses.count("not_found") == 2 and statuses.count("unknown") == 3
    unknown = [f for f in got.values() if f.status == "unknown"]
    assert all(f.error.startswith("Software Heritage rate limited until ") for f in unknown)
    assert collector.rate_limited_until is not None
    # The answer that spent the budget said so (remaining 0): nobody asked again until its reset.
    assert sum(1 for s in server.seen if s.path.startswith("/api/1/origin/")) == 2


def test_spent_budget_within_max_wait_is_waited_for(fake) -> None:
    server, state = fake
    state.anonymous_limit = 1
    slept: list[float] = []

    async def sleep(seconds: float) -> None:  # the fake hour passes at once
        slept.append(seconds)
        state._used.clear()

    reqs = [ArchiveRequest(f"archive:github:lab/r{i}", f"https://github.com/lab/r{i}") for i in range(2)]
    state.window = 5
    got, collector = collect(server, reqs, max_wait=30, sleep=sleep)
    assert all(f.status == "not_found" for f in got.values())
    assert slept and 0 < slept[0] <= 6
    assert collector.stats.waited_seconds > 0


def test_time_budget_never_holds_up_the_run(fake) -> None:
    server, _ = fake
    reqs = [ArchiveRequest(f"archive:github:lab/r{i}", f"https://github.com/lab/r{i}") for i in range(3)]
    got, _ = collect(server, reqs, budget=0)
    assert {f.status for f in got.values()} == {"unknown"}
    assert all("time budget" in f.error for f in got.values())


def test_save_code_now_records_the_status(fake) -> None:
    server, state = fake

    async def go():
        settings = ArchiveSettings(swh_url=server.base, zenodo_url=server.base)
        collector = ArchiveCollector(settings, policy=FetchPolicy(allow_private_hosts=True), retry=FAST)
        try:
            return await collector.save_code_now("https://github.com/lab/none")
        finally:
            await collector.aclose()

    got = asyncio.run(go())
    assert got["request_status"] == "accepted" and got["task_status"] == "not yet scheduled" and got["id"] == 1
    assert state.saves[0]["origin_url"] == "https://github.com/lab/none"
    assert [s.method for s in server.seen] == ["POST"]


# --------------------------------------------------------------------------- the check


def ctx(data: dict[str, Any], archive: dict[str, Any] | None) -> CheckContext:
    target = gh("lab/x")
    facts = Facts(target.key, "ok", T, data)
    if archive is not None:
        facts = with_archive({target.key: facts}, {"archive:" + target.key: Facts("archive:" + target.key, archive.pop("_status", "ok"), T, archive)})[target.key]
    return CheckContext(paper=Paper("p", "P", "", date(2024, 5, 1)), as_of=date(2026, 11, 23),
                        link=Link(raw=target.url, url=target.url, target=target), facts=facts)


SWH_NEW = {"archived": True, "visit_date": "2025-03-01T10:00:00+00:00", "visit_status": "full", "snapshot_swhid": "swh:1:snp:ab", "visit_type": "git"}
SWH_NONE = {"archived": False, "visit_date": None, "visit_status": None, "snapshot_swhid": None, "visit_type": None}
REPO = {"is_archived": False, "last_commit_at": "2024-06-10T12:00:00Z"}


def test_snapshot_newer_than_last_commit_passes() -> None:
    r = archived(ctx(dict(REPO), {"origin": "https://github.com/lab/x", "swh": SWH_NEW, "zenodo": []}))
    assert r.status == "pass" and "Software Heritage on 2025-03-01 (swh:1:snp:ab)" in r.reason and "2024-06-10" in r.reason


def test_stale_snapshot_warns_with_both_dates() -> None:
    r = archived(ctx({**REPO, "last_commit_at": "2025-09-01T00:00:00Z"}, {"swh": SWH_NEW, "zenodo": []}))
    assert r.status == "warn" and "2025-03-01" in r.reason and "2025-09-01" in r.reason


def test_not_archived_anywhere_fails_with_the_remedy() -> None:
    r = archived(ctx(dict(REPO), {"_status": "not_found", "swh": SWH_NONE, "zenodo": [{"id": "1", "status": "not_found"}]}))
    assert r.status == "fail" and "Save Code Now" in r.reason and "(1) do not exist" in r.reason


def test_a_zenodo_json_without_a_doi_is_named_in_the_failure() -> None:
    r = archived(ctx(dict(REPO), {"_status": "not_found", "swh": SWH_NONE, "zenodo": [], "doi_hints": [".zenodo.json"]}))
    assert r.status == "fail" and "its .zenodo.json readies Zenodo's GitHub integration, but no Zenodo DOI is named" in r.reason


def test_zenodo_record_passes_and_read_only_is_a_note() -> None:
    rec = {"id": "7", "status": "ok", "doi": "10.5281/zenodo.7"}
    r = archived(ctx({**REPO, "is_archived": True, "archived_at": "2025-01-02T00:00:00Z"}, {"swh": SWH_NONE, "zenodo": [rec]}))
    assert r.status == "pass" and "Zenodo (DOI 10.5281/zenodo.7)" in r.reason and "read-only" in r.reason


def test_unknown_archive_facts_are_unknown() -> None:
    r = archived(ctx(dict(REPO), {"_status": "unknown"}))
    assert r.status == "unknown"


# --------------------------------------------------------------------------- artifact_badge

from checks.artifact_badge import artifact_badge  # noqa: E402


def paper_ctx(links_facts: list[tuple[Target, Facts | None]], policy: str | None = None) -> CheckContext:
    links = tuple(Link(raw=t.url, url=t.url, target=t, ordinal=i) for i, (t, _) in enumerate(links_facts))
    return CheckContext(paper=Paper("p", "P", "", date(2024, 5, 1)), as_of=date(2026, 11, 23), links=links,
                        paper_facts={t.key: f for t, f in links_facts if f is not None},
                        settings={"policy": policy} if policy else {})


def repo_with(archive: dict[str, Any]) -> tuple[Target, Facts]:
    t = gh("lab/x")
    return t, Facts(t.key, "ok", T, {"archive": {"status": "ok", **archive}})


def test_badge_a_github_link_alone_does_not_count() -> None:
    r = artifact_badge(paper_ctx([repo_with({"swh": SWH_NONE, "zenodo": []})]))
    assert r.status == "fail"
    assert r.reason == ("USENIX Security 2025: missing a permanent archive with a DOI (Zenodo, figshare, Dryad); "
                        "a repository link alone does not count")


def test_badge_swhid_counts_for_acm_not_for_usenix() -> None:
    links = [repo_with({"swh": SWH_NEW, "zenodo": []})]
    acm = artifact_badge(paper_ctx(links, "acm-v1.1"))
    assert acm.status == "pass" and "swh:1:snp:ab" in acm.reason
    usenix = artifact_badge(paper_ctx(links, "usenix-security-2025"))
    assert usenix.status == "fail" and "Software Heritage snapshot (swh:1:snp:ab) does not count for USENIX Security 2025" in usenix.reason


def test_badge_zenodo_doi_from_readme_or_abstract_passes() -> None:
    rec = {"id": "7", "status": "ok", "doi": "10.5281/zenodo.7"}
    assert artifact_badge(paper_ctx([repo_with({"swh": SWH_NONE, "zenodo": [rec]})], "ieee-sp-2026")).reason == \
        "IEEE S&P 2026: DOI-backed archive 10.5281/zenodo.7"
    z = Target(key="zenodo:99", kind="zenodo", host="zenodo.org", url="https://zenodo.org/records/99")
    zf = Facts(z.key, "ok", T, {"zenodo": {"id": "99", "doi": "10.5281/zenodo.99"}})
    assert artifact_badge(paper_ctx([(z, zf)])).status == "pass"
    broken = Facts(z.key, "not_found", T, {})
    r = artifact_badge(paper_ctx([(z, broken)]))
    assert r.status == "fail" and "zenodo:99 does not resolve" in r.reason


def test_badge_unknown_skip_and_bad_policy() -> None:
    t = gh("lab/x")
    assert artifact_badge(paper_ctx([(t, Facts(t.key, "ok", T, {}))])).status == "unknown"  # no archive facts
    assert artifact_badge(paper_ctx([])).status == "skip"
    r = artifact_badge(paper_ctx([repo_with({"swh": SWH_NONE})], "neurips"))
    assert r.status == "unknown" and "known: usenix-security-2025, ieee-sp-2026, acm-v1.1" in r.reason
