"""Discovery through the Hugging Face Hub, end to end, against the fake Hub and the fake GitHub.

The fake Hub's paper endpoints (tests/localhosts/fakehub.py, "paper endpoints") answer as
huggingface_hub reads the real ones (src/huggingface_hub/hf_api.py ``PaperInfo``,
``HfApi.paper_info`` / ``list_papers`` / ``list_daily_papers`` / ``list_models(filter=)``, and
tests/test_hf_api.py ``test_get_paper_by_id_returns_linked_repos``, ``test_get_paper_by_id_not_found``,
``test_papers_by_query``, ``test_daily_papers_p``): a paper page is one flat object with
``githubRepo``, ``projectPage`` and, when the Hub lists them, ``linkedModels``/``linkedDatasets``/
``linkedSpaces``; search and Daily Papers entries nest a ``paper`` object; a paper the Hub does not
index is a 404. Runs are in-process (``run_audit``): the suite's time is spent on cheaper things.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from localhosts import fakehub
from localhosts.fakehub import HubPaper
from localhosts.server import LocalServer

from auditor.config import load_config
from auditor.pipeline import RunOptions, run_audit

AS_OF = date(2026, 11, 30)

#: One Daily Papers text dump, as copied from the Hub's page: titles and abstracts, no ids.
DUMP = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Nov 30

Hub Code Only: Learning Things Quickly

We learn things quickly with a new method and evaluate it on many benchmarks.

Disagreeing Pages for Sparse Models

We study sparse models. Code: https://github.com/fixture-lab/stale

Promised Without a Link

We propose a solver for hard problems. Our code is publicly available.

Twin Titles

We describe a system that has a common name.

Not On The Hub at All

We propose a method the Hub has never indexed.

Renamed Yet the Same

We release a tool at https://github.com/fixture-lab/old-name for everyone.
"""

HUB = [
    # Code only on the Hub page; the page lists no linked repositories, so the listings are asked.
    HubPaper("2611.00001", "Hub Code Only: Learning Things Quickly", github_repo="https://github.com/fixture-lab/healthy",
             citing={"models": [{"id": "org/good", "likes": 56}]}),
    HubPaper("2611.00002", "Disagreeing Pages for Sparse Models", github_repo="https://github.com/fixture-lab/popular",
             linked={}),
    HubPaper("2611.00003", "Promised Without a Link", github_repo="https://github.com/fixture-lab/no-license", linked={}),
    HubPaper("2611.00004", "Twin Titles", github_repo="https://github.com/fixture-lab/healthy", linked={}),
    HubPaper("2611.00005", "Twin Titles", linked={}),
    HubPaper("2611.00006", "Not On The Hub at All", indexed=False),
    HubPaper("2611.00007", "Renamed Yet the Same", github_repo="https://github.com/fixture-lab/new-name", linked={}),
]


@pytest.fixture
def hub():
    with LocalServer(fakehub.paper_routes(HUB)) as srv:
        yield srv


def options(tmp_path: Path, dump: Path, **kw) -> RunOptions:
    return RunOptions(dumps=[dump], db=tmp_path / "audit.duckdb", out=tmp_path / "out", as_of=AS_OF,
                      config=load_config(None, cwd=tmp_path), hosts=("github", "huggingface"),
                      allow_private_hosts=True, jobs=1, **kw)


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def paper_results(db: Path, check: str) -> dict[str, tuple[str, str]]:
    return {t: (s, r) for t, s, r in rows(db, f"SELECT p.title, r.status, r.reason FROM results r JOIN papers p "
                                              f"USING (paper_id) WHERE r.check_name = '{check}' AND r.link_ordinal = -1")}


def summary_json(out: Path) -> dict:
    import json

    return json.loads((out / "summary.json").read_text())


def discovery_requests(hub: LocalServer) -> list[str]:
    return [s.path for s in hub.seen if s.path.startswith("/api/papers") or "filter" in s.query]


def test_a_daily_papers_dump_is_audited_with_the_code_its_hub_pages_declare(hub, fake_github, tmp_path):
    dump = tmp_path / "daily.txt"
    dump.write_text(DUMP)
    env = {**fake_github.env(fake_github.token), "HF_ENDPOINT": hub.base}
    summary = run_audit(options(tmp_path, dump), env=env)
    db = tmp_path / "audit.duckdb"

    # Identity: each title resolved by the Hub's search, only on an exact match.
    ids = {t: (a, via, match) for t, a, via, match in rows(db, "SELECT title, arxiv_id, arxiv_id_via, arxiv_id_match FROM papers")}
    assert ids["Hub Code Only: Learning Things Quickly"] == ("2611.00001", "hf_search", "exact title")
    assert ids["Twin Titles"] == (None, None, "ambiguous: 2 papers")
    assert ids["Not On The Hub at All"] == ("2611.00006", "hf_search", "exact title")

    # One search per title, one page per known id, the listings only for the page that lists nothing.
    asked = discovery_requests(hub)
    assert sorted(p for p in asked if p == "/api/papers/search") == ["/api/papers/search"] * 6
    assert sorted(p for p in asked if p.startswith("/api/papers/26")) == [
        f"/api/papers/2611.0000{i}" for i in (1, 2, 3, 6, 7)]  # not the twins: their id is unknown
    assert sorted(s.query["filter"][0] + " " + s.path for s in hub.seen if "filter" in s.query) == [
        f"arxiv:2611.00001 /api/{api}" for api in ("datasets", "models", "spaces")]
    assert summary.discovery is not None and summary.discovery.requests["hf_paper"] == 5

    # Links, marked with their source, and collected like the abstract's.
    links = rows(db, "SELECT p.title, l.target_key, l.source, l.via FROM links l JOIN papers p USING (paper_id) ORDER BY p.title, l.ordinal")
    by_title: dict[str, list[tuple[str, str]]] = {}
    for title, key, source, via in links:
        by_title.setdefault(title, []).append((key, source))
    assert by_title["Hub Code Only: Learning Things Quickly"] == [
        ("github:fixture-lab/healthy", "hf_paper"), ("huggingface:model:org/good", "hf_paper")]
    assert by_title["Disagreeing Pages for Sparse Models"] == [
        ("github:fixture-lab/stale", "abstract"), ("github:fixture-lab/popular", "hf_paper")]
    assert "Twin Titles" not in by_title and "Not On The Hub at All" not in by_title
    assert {via for t, k, s, via in links if s == "hf_paper" and t.startswith("Hub Code")} == {
        "https://huggingface.co/papers/2611.00001"}
    facts = dict(rows(db, "SELECT target_key, status FROM facts"))
    assert facts["github:fixture-lab/healthy"] == "ok" and facts["huggingface:model:org/good"] == "ok"
    assert facts["hf-paper:2611.00006"] == "not_found"

    code = paper_results(db, "code_linked")
    assert code["Hub Code Only: Learning Things Quickly"] == (
        "warn", "the authors link github.com/fixture-lab/healthy on the paper's Hugging Face page; the abstract names no code")
    assert code["Disagreeing Pages for Sparse Models"][0] == "pass"
    assert code["Not On The Hub at All"] == ("fail", "no code link: none in the abstract nor the paper's Hugging Face page")
    status, reason = code["Twin Titles"]
    assert status == "fail" and "no arXiv id (ambiguous: 2 papers)" in reason, reason

    agree = paper_results(db, "links_agree")
    assert agree["Disagreeing Pages for Sparse Models"] == (
        "warn", "the abstract links github:fixture-lab/stale but the paper's Hugging Face page names github:fixture-lab/popular")
    assert agree["Renamed Yet the Same"][0] == "pass"  # old-name was renamed to new-name: one repository
    assert agree["Hub Code Only: Learning Things Quickly"][0] == "skip"

    # The unlinked claim is judged against the repository the Hub page names, and says where it was found.
    kept = rows(db, "SELECT r.status, r.reason FROM results r JOIN papers p USING (paper_id) WHERE p.title = "
                    "'Promised Without a Link' AND r.check_name = 'claim_kept' AND r.link_ordinal = 0")
    assert kept and kept[0][1].endswith("(github:fixture-lab/no-license found on the paper's Hugging Face page)"), kept

    out = tmp_path / "out"
    sources = {(r["target_key"], r["source"]) for r in csv.DictReader(open(out / "links.csv"))}
    assert ("github:fixture-lab/popular", "hf_paper") in sources and ("github:fixture-lab/stale", "abstract") in sources
    md = (out / "scorecard.md").read_text()
    assert "Links by source: 2 abstract · 5 hf\\_paper" in md  # Markdown-escaped
    # What discovery did, from the stored outcomes (the text dump has no comments field).
    assert "Discovery (papers): comments 6 absent; hf\\_paper 1 no id · 1 not indexed · 4 searched" in md
    assert summary_json(out)["discovery"] == {"comments": {"absent": 6},
                                              "hf_paper": {"no_id": 1, "not_indexed": 1, "searched": 4}}
    # A finding on a discovered link names its source; the new paper-level verdicts are findings.
    assert "`license` on [`github:fixture-lab/no-license`](https://github.com/fixture-lab/no-license) (found: hf\\_paper)" in md
    assert "the abstract links github:fixture-lab/stale but the paper's Hugging Face page names github:fixture-lab/popular" in md

    # A second run within --max-age asks the Hub nothing: every answer is a cached fact.
    hub.seen.clear()
    fake_github.stats.clear()
    again = run_audit(options(tmp_path, dump), env=env)
    assert hub.seen == [] and fake_github.stats.total == 0
    assert sum(again.discovery.requests.values()) == 0
    assert paper_results(db, "code_linked") == code
    # ... and with --max-age 0 the same run asks again.
    run_audit(options(tmp_path, dump, max_age=timedelta(0)), env=env)
    assert len([p for p in discovery_requests(hub) if p == "/api/papers/search"]) == 6


def test_offline_the_new_checks_are_unknown_with_one_line_why(hub, tmp_path):
    dump = tmp_path / "daily.txt"
    dump.write_text(DUMP)
    summary = run_audit(options(tmp_path, dump, offline=True), env={"HF_ENDPOINT": hub.base})
    assert hub.seen == []
    db = tmp_path / "audit.duckdb"
    code = paper_results(db, "code_linked")
    assert {s for s, _ in code.values()} == {"unknown"}
    assert code["Hub Code Only: Learning Things Quickly"][1] == (
        "no code in the abstract; the paper's Hugging Face page could not be searched: offline: not searched (--offline)")
    assert code["Disagreeing Pages for Sparse Models"][1].startswith("github.com/fixture-lab/stale could not be collected: offline")
    agree = paper_results(db, "links_agree")
    assert agree["Disagreeing Pages for Sparse Models"] == (
        "unknown", "the paper's Hugging Face page could not be searched: offline: not searched (--offline)")
    assert summary.discovery.not_reached["hf_paper"] == 6
    assert all("\n" not in r for _, r in code.values())


# --------------------------------------------------------------------------- shards: discovery is stored


def test_merged_shards_judge_the_new_checks_from_the_stored_discovery(hub, fake_github, tmp_path):
    from auditor.shards import merge_shards

    dump = tmp_path / "daily.txt"
    dump.write_text(DUMP)
    env = {**fake_github.env(fake_github.token), "HF_ENDPOINT": hub.base}
    shards = []
    for k in (1, 2):
        part = tmp_path / f"shard{k}"
        part.mkdir()
        run_audit(options(part, dump, shard=(k, 2)), env=env)
        shards.append(part / "audit.duckdb")
    stored = rows(shards[0], "SELECT p.title, d.source, d.outcome, d.found FROM discovery d JOIN papers p USING (paper_id)")
    assert ("Twin Titles", "hf_paper", "no_id: no arXiv id (ambiguous: 2 papers)", []) in stored
    assert ("Disagreeing Pages for Sparse Models", "hf_paper", "searched", ["github:fixture-lab/popular"]) in stored
    assert ("Not On The Hub at All", "hf_paper", "not_indexed", []) in stored
    merged = tmp_path / "merged.duckdb"
    merge_shards(merged, shards, tmp_path / "merged-out", env=env)
    # As the unsharded run of the first test judged them, not "skip: no record of the other sources".
    code = {t: s for t, (s, _) in paper_results(merged, "code_linked").items()}
    assert code == {"Hub Code Only: Learning Things Quickly": "warn", "Disagreeing Pages for Sparse Models": "pass",
                    "Promised Without a Link": "warn", "Twin Titles": "fail", "Not On The Hub at All": "fail",
                    "Renamed Yet the Same": "pass"}
    agree = paper_results(merged, "links_agree")
    assert agree["Disagreeing Pages for Sparse Models"][0] == "warn" and agree["Renamed Yet the Same"][0] == "pass"
    # What discovery did is what each shard (and so one unsharded run) recorded.
    assert sorted(rows(merged, "SELECT p.title, d.source, d.outcome, d.found FROM discovery d JOIN papers p USING (paper_id)")
                  ) == sorted(stored)
    # The Hub's links were copied from the shards, not only the abstracts'.
    assert ("github:fixture-lab/popular", "hf_paper") in set(rows(merged, "SELECT target_key, source FROM links"))


# --------------------------------------------------------------------------- hf-daily: input


DAILY = [
    HubPaper("2611.00011", "Listed With Code", github_repo="https://github.com/fixture-lab/healthy", linked={},
             daily="2026-11-30"),
    HubPaper("2611.00012", "Listed Without Code", linked={}, daily="2026-11-30"),
    HubPaper("2611.00013", "Listed and Promised", summary="Our code will be released soon.",
             github_repo="https://github.com/fixture-lab/popular", linked={}, daily="2026-11-30"),
    HubPaper("2611.00014", "Listed the Week Before", linked={}, daily="2026-11-24"),
]


@pytest.fixture
def daily_hub(monkeypatch):
    from auditor.discover import daily

    monkeypatch.setattr(daily, "PAGE_SIZE", 2)  # three papers on the day: two pages of two, the second short
    with LocalServer(fakehub.paper_routes(DAILY)) as srv:
        yield srv


def invoke(*args: str, env: dict[str, str]):
    from click.testing import CliRunner

    from auditor.cli import cli

    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_hf_daily_reads_the_listing_as_a_dump_with_ids_and_declared_code(daily_hub, fake_github, tmp_path):
    env = {**fake_github.env(fake_github.token), "HF_ENDPOINT": daily_hub.base}
    out = tmp_path / "out"
    done = invoke("run", "hf-daily:2026-11-30", "--out", str(out), "--as-of", "2026-11-30", "--hosts", "github,huggingface",
                  "--allow-private-hosts", "--jobs", "1", "-q", env=env)
    assert done.exit_code == 0, done.output
    listing = [s for s in daily_hub.seen if s.path == "/api/daily_papers"]
    assert [(s.query["date"], s.query["p"], s.query["limit"]) for s in listing] == [
        (["2026-11-30"], ["0"], ["2"]), (["2026-11-30"], ["1"], ["2"])]
    assert not [s for s in daily_hub.seen if s.path == "/api/papers/search"]  # the ids are known
    db = out / "audit.duckdb"
    assert rows(db, "SELECT title, arxiv_id, arxiv_id_via FROM papers ORDER BY arxiv_id") == [
        ("Listed With Code", "2611.00011", "dump"), ("Listed Without Code", "2611.00012", "dump"),
        ("Listed and Promised", "2611.00013", "dump")]
    assert {s for (s,) in rows(db, "SELECT DISTINCT source FROM sightings")} == {"hf-daily:2026-11-30"}
    assert rows(db, "SELECT target_key, source, via FROM links ORDER BY target_key") == [
        ("github:fixture-lab/healthy", "hf_paper", "https://huggingface.co/papers/2611.00011"),
        ("github:fixture-lab/popular", "hf_paper", "https://huggingface.co/papers/2611.00013")]
    code = paper_results(db, "code_linked")
    assert code["Listed With Code"] == (
        "warn", "the authors link github.com/fixture-lab/healthy on the paper's Hugging Face page; the abstract names no code")
    assert code["Listed Without Code"] == ("fail", "no code link: none in the abstract nor the paper's Hugging Face page")


def test_hf_daily_weeks_and_months_page_the_same_listing(daily_hub):
    from auditor.discover.daily import read_daily

    env = {"HF_ENDPOINT": daily_hub.base}
    week = [r.paper.arxiv_id for r in read_daily("hf-daily:2026-W48", env, allow_private_hosts=True)]
    month = [r.paper.arxiv_id for r in read_daily("hf-daily:2026-11", env, allow_private_hosts=True)]
    assert week == ["2611.00014"]
    assert month == ["2611.00011", "2611.00012", "2611.00013", "2611.00014"]
    assert {s.query.get("week", s.query.get("month"))[0] for s in daily_hub.seen} == {"2026-W48", "2026-11"}


@pytest.mark.parametrize("spec, why", [
    ("hf-daily:2026-13-01", "hf-daily:2026-13-01: 2026-13-01 is not a day; expected hf-daily:YYYY-MM-DD"),
    ("hf-daily:yesterday", "hf-daily:yesterday: expected hf-daily:YYYY-MM-DD, hf-daily:YYYY-Www or hf-daily:YYYY-MM"),
    ("hf-daily:2026-W60", "hf-daily:2026-W60: 2026-W60 is not a week"),
])
def test_a_bad_hf_daily_spec_is_a_one_line_usage_error(spec, why, tmp_path):
    done = invoke("run", spec, "--out", str(tmp_path / "out"), "-q", env={"HF_ENDPOINT": "http://127.0.0.1:9"})
    assert done.exit_code == 1
    lines = [l for l in done.output.splitlines() if l.strip()]
    assert len(lines) == 1 and why in lines[0], done.output
    assert not (tmp_path / "out" / "audit.duckdb").exists()


def test_hf_daily_offline_or_refused_is_a_one_line_input_error(tmp_path):
    offline = invoke("run", "hf-daily:2026-11-30", "--offline", "--out", str(tmp_path / "out"), "-q", env={})
    assert offline.exit_code == 1 and "needs the network (drop --offline)" in offline.output
    with LocalServer({}) as nothing:  # a server without the endpoint answers 404
        refused = invoke("run", "hf-daily:2026-11-30", "--allow-private-hosts", "--out", str(tmp_path / "out"), "-q",
                         env={"HF_ENDPOINT": nothing.base})
    assert refused.exit_code == 1 and len(refused.output.strip().splitlines()) == 1, refused.output
    assert "the Hub answered HTTP 404 for its Daily Papers" in refused.output
    assert not (tmp_path / "out" / "audit.duckdb").exists()


def test_audit_extract_refuses_a_live_source_in_one_line(tmp_path):
    done = invoke("extract", "hf-daily:2026-11-30", env={})
    assert done.exit_code == 1
    assert done.output.strip() == ("audit: error: hf-daily:2026-11-30: the Hub's Daily Papers are read by `audit run`; "
                                   "`audit extract` uses no network")
