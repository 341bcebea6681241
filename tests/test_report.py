"""Scorecards from a small hand-made store: files, columns, ordering, escaping, bounds."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from auditor.models import Paper, Record, Result, Sighting
from auditor.report import render, write_reports
from auditor.report import charts
from auditor.report.html import esc, link, render_html
from auditor.report.page_data import script_json
from auditor.report.markdown import escape, render_markdown
from auditor.report.data import load
from auditor.store import Store
from test_store_sample import GONE, IDS, TITLES, build_sample


@pytest.fixture
def sample():
    store, (run_id,) = build_sample()
    with store:
        yield store, run_id


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------- files


def test_write_reports_writes_every_file(sample, tmp_path):
    store, run_id = sample
    paths = write_reports(store, tmp_path / "out", run_id)
    for p in (paths.csv, paths.links_csv, paths.md, paths.html, paths.json):
        assert p.is_file() and p.stat().st_size > 0 and p.parent == tmp_path / "out"
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_scorecard_csv_rows_worst_first_with_check_columns(sample, tmp_path):
    store, run_id = sample
    rows = read_csv(write_reports(store, tmp_path, run_id).csv)
    assert [r["paper_id"] for r in rows] == [IDS["bad"], IDS["html"], IDS["good"]]  # 0.0 (2 fails), 0.0, 9.2
    header = list(rows[0])
    assert header[:10] == ["paper_id", "title", "published_on", "sources", "links", "claim", "score", "coverage",
                           "judged", "applicable"]
    assert header[-3:] == ["top_reason", "paper_url", "repository_urls"]
    for check in ("claim_kept", "code_link", "license", "reachable", "subpath"):
        assert check in header
    good = rows[2]
    assert good["title"] == TITLES["good"] and good["score"] == "9.2" and good["links"] == "2"
    assert (good["reachable"], good["subpath"], good["code_link"]) == ("pass", "warn", "")
    assert good["sources"] == "2024-06-03.txt" and good["published_on"] == "2024-06-01"
    assert rows[0]["title"] == TITLES["bad"]  # the CSV keeps the title as it was (quoted newline)
    assert rows[0]["claim"] == "promised" and rows[0]["n_fail"] == "2"


def test_links_csv_one_row_per_link_and_check(sample, tmp_path):
    store, run_id = sample
    rows = read_csv(write_reports(store, tmp_path, run_id).links_csv)
    assert len(rows) == 6
    gone = [r for r in rows if r["target_key"] == GONE.key and r["check"] == "reachable"][0]
    assert gone["status"] == "fail" and gone["fact_status"] == "not_found" and gone["reason"] == "repository not found (404)"
    assert {r["link_ordinal"] for r in rows if r["paper_id"] == IDS["good"]} == {"0", "1"}


def test_summary_json(sample, tmp_path):
    store, run_id = sample
    paths = write_reports(store, tmp_path, run_id)
    s = json.loads(paths.json.read_text())
    assert s["run_id"] == run_id and s["papers"] == 3 and s["links"] == 3
    assert s["targets_by_status"] == {"ok": 1, "not_found": 1}
    assert s["score"] == pytest.approx((9.2 + 0 + 0) / 3, abs=0.01)
    assert s["failing"] == 2
    assert s["csv_path"] == str(paths.csv) and s["md_path"] == str(paths.md) and s["html_path"] == str(paths.html)
    assert s["db_path"] is None  # an in-memory store has no file
    assert s["worst"][0].startswith("fail ")


def test_summary_db_path_is_the_file(tmp_path):
    store, (run_id,) = build_sample(tmp_path / "audit.duckdb")
    with store:
        s = json.loads(write_reports(store, tmp_path / "out").json.read_text())
    assert s["db_path"] == str(tmp_path / "audit.duckdb") and s["run_id"] == run_id


def test_latest_run_by_default_and_a_named_one(tmp_path):
    store, (old, new) = build_sample(runs=2)
    with store:
        store.save_outcomes(old, [{"paper_id": IDS["good"], "link_ordinal": None, "target_key": "", "check": "extra",
                                   "result": Result("fail", "only in the old run", 0.0)}])
        assert json.loads(render(store, "json"))["run_id"] == new
        old_md = render(store, "md", old)
        assert "only in the old run" in old_md and "only in the old run" not in render(store, "md")


def test_render_formats(sample):
    store, run_id = sample
    rows = list(csv.DictReader(io.StringIO(render(store, "csv"))))
    assert len(rows) == 3
    doc = json.loads(render(store, "json"))
    assert doc["papers"] == 3 and len(doc["scorecard"]) == 3 and doc["scorecard"][0]["paper_id"] == IDS["bad"]
    assert render(store, "md").startswith("## Scorecard")
    with pytest.raises(ValueError):
        render(store, "xml")  # type: ignore[arg-type]


def test_empty_database_still_reports(tmp_path):
    with Store.open(":memory:") as store:
        paths = write_reports(store, tmp_path)
        assert "No run" in paths.md.read_text()
        s = json.loads(paths.json.read_text())
        assert s["run_id"] is None and s["papers"] == 0 and s["score"] is None and s["failing"] == 0
        assert read_csv(paths.csv) == []
        assert "paper_id" in paths.csv.read_text()


def test_run_without_results_reports_unscored_papers(tmp_path):
    with Store.open(":memory:") as store:
        run_id = store.start_run({}, date(2024, 6, 5))
        paper = Paper(paper_id="p1", title="Lonely", abstract="no links")
        store.add_records([Record(paper, Sighting("p1", "d.txt", None, 0))], run_id)
        md = render(store, "md")
        assert "Lonely" in md and "n/a" in md
        s = json.loads(render(store, "json"))
        assert s["score"] is None and s["papers"] == 1


# --------------------------------------------------------------------------- Markdown


def test_markdown_escapes_titles():
    assert escape("a | b\nc") == "a \\| b c"
    assert escape("*x* _y_ [l](u) `c` $k$") == "\\*x\\* \\_y\\_ \\[l\\](u) \\`c\\` \\$k\\$"
    assert escape("<img src=x onerror=alert(1)> & co") == "&lt;img src=x onerror=alert(1)&gt; &amp; co"
    assert "@\u200bsomeone" in escape("thanks @someone")
    assert escape(None) == ""


def test_markdown_table_rows_stay_one_row_per_paper(sample):
    store, run_id = sample
    md = render(store, "md", run_id)
    table = [line for line in md.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 3  # header + one row per paper
    for line in table:  # every row has the header's cell count: no pipe broke out
        assert len(re.findall(r"(?<!\\)\|", line)) == len(re.findall(r"(?<!\\)\|", table[0]))
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "0.0 (2/3)" in md and "9.2 (5/5)" in md
    assert md.index("Bad \\| Paper") < md.index("A Good Paper")  # worst first
    assert "Worst findings" in md and "Legend" in md


def test_markdown_is_bounded_for_big_runs():
    store = Store.open(":memory:")
    with store:
        run_id = store.start_run({}, date(2024, 6, 5))
        records, outcomes = [], []
        for i in range(300):
            pid = f"p{i:04d}"
            records.append(Record(Paper(pid, f"Paper {i}", ""), Sighting(pid, "big.txt", None, i)))
            outcomes.append({"paper_id": pid, "link_ordinal": None, "target_key": "", "check": "code_link",
                             "result": Result("fail", f"no code {i}", 0.0)})
        store.add_records(records, run_id)
        store.save_outcomes(run_id, outcomes)
        md = render_markdown(load(store, run_id), top=20, findings=5)
    assert len([line for line in md.splitlines() if line.startswith("| ")]) == 21
    assert "and 280 more papers" in md and "and 295 more failing or warning results" in md
    assert len(md) < 10_000


# --------------------------------------------------------------------------- HTML


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k == "href"]

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def _json_blocks(page: str) -> dict[str, object]:
    blocks = re.findall(r'<script type="application/json" id="(\w+)">(.*?)</script>', page, re.S)
    return {name: json.loads(body) for name, body in blocks}


def test_html_escapes_everything(sample, tmp_path):
    store, run_id = sample
    page = write_reports(store, tmp_path, run_id).html.read_text()
    assert "<script>alert" not in page and "&lt;script&gt;" in page  # the findings table, escaped
    parsed = _Collector()
    parsed.feed(page)
    assert parsed.tags.count("script") == 3  # two JSON blocks and the page's own script
    assert all(h.startswith("https://") for h in parsed.hrefs)
    blocks = _json_blocks(page)
    rows = blocks["rows"]["rows"]  # type: ignore[index]
    assert TITLES["html"] in [r[1] for r in rows]  # the data keeps the text exactly; the script sets it as text
    assert "promised code never appeared <b>" in blocks["rows"]["meta"]["strings"]  # type: ignore[index]
    for _, body in re.findall(r'<script type="application/json" id="(\w+)">(.*?)</script>', page, re.S):
        assert "<" not in body and ">" not in body


def test_script_json_cannot_close_its_block():
    nasty = {"t": "</script><script>alert(1)</script><!-- \u2028\u2029 & done"}
    text = script_json(nasty)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == nasty


def test_the_string_table_written_in_chunks_is_the_same_text_as_in_one_piece():
    from auditor.report.page_data import PageBuilder

    for count in (0, 1, 5):
        builder = PageBuilder(["license", "readme"])
        for text in ["</script>&", "\u2028\u2029", 'é "q"', "plain", "\\"][:count]:
            builder.strings(text)
        for chunk in (1, 2, 4096):
            written: list[str] = []
            builder.write_meta(written.append, chunk)
            assert "".join(written) == script_json(builder.meta()), (count, chunk)


def test_html_forbids_every_request(sample):
    store, run_id = sample
    page = render_html(load(store, run_id))
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "connect-src" not in csp  # default-src covers fetch, images, fonts
    script = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(script) == 1
    digest = base64.b64encode(hashlib.sha256(script[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # only the page's own script may run
    assert not re.search(r'(src|href)="(?!https?://)[a-z]+:', page)
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert url.startswith(("https://", "http://")), url


def test_html_rows_carry_scores_checks_and_links(sample):
    store, run_id = sample
    blocks = _json_blocks(render_html(load(store, run_id), with_charts=False))
    meta, rows = blocks["rows"]["meta"], blocks["rows"]["rows"]  # type: ignore[index]
    assert {"reachable", "license", "claim_kept"} <= set(meta["checks"])
    by_id = {r[0]: r for r in rows}
    good = by_id[IDS["good"]]
    assert (good[3], good[4], good[5]) == (9.2, 5, 5) and good[8] == "warn"
    assert good[15] == "https://arxiv.org/abs/2406.00000"
    assert [r[0] for r in rows] == [IDS["bad"], IDS["html"], IDS["good"]]  # worst first
    details = blocks["details"]["details"]  # type: ignore[index]
    links = details[[r[0] for r in rows].index(IDS["good"])][0]
    assert [l[1] for l in links] == ["https://github.com/good/repo", "https://github.com/good/repo/tree/main/src"]


def test_charts_are_svg_with_their_data_tables(sample):
    store, run_id = sample
    page = render_html(load(store, run_id))
    assert page.count("<figure") == 3 and page.count('<svg role="img"') == 3
    assert "Score distribution" in page and "Results per check" in page and "Targets by host" in page
    svg = charts.to_svg(charts.results_per_check({"<img src=x onerror=alert(1)>": {"fail": 2, "pass": 1}}))
    assert "<img" not in svg and "&lt;img" in svg


def test_check_named_like_a_column_does_not_overwrite_it(sample, tmp_path):
    store, run_id = sample
    store.save_outcomes(run_id, [{"paper_id": IDS["good"], "link_ordinal": None, "target_key": "", "check": "score",
                                  "result": Result("pass", "a check called score", 10.0)}])
    rows = read_csv(write_reports(store, tmp_path, run_id).csv)
    good = next(r for r in rows if r["paper_id"] == IDS["good"])
    assert float(good["score"]) == 9.2 and good["check_score"] == "pass"


def test_render_html_is_the_page(sample):
    store, run_id = sample
    page = render(store, "html")
    assert page.startswith("<!DOCTYPE html>") and run_id in page and 'id="rows"' in page


# --------------------------------------------------------------------------- written a page at a time


@pytest.mark.parametrize("page_size", [1, 2])
def test_reports_written_in_pages_equal_reports_written_at_once(sample, tmp_path, page_size):
    """Every file is the same bytes whether the papers come one (or two) at a time or all in one
    page: the CSV header once, pages whose columns are all empty (no score, no check), the HTML's
    string table that later pages add to, and links.csv's own paper order."""
    store, run_id = sample
    whole = write_reports(store, tmp_path / "whole", run_id, page_size=10_000)
    paged = write_reports(store, tmp_path / "paged", run_id, page_size=page_size)
    for name in ("csv", "links_csv", "md", "html"):
        assert getattr(paged, name).read_bytes() == getattr(whole, name).read_bytes(), name
    strip = lambda p: {k: v for k, v in json.loads(p.read_text()).items() if not k.endswith("_path")}  # noqa: E731
    assert strip(paged.json) == strip(whole.json)
    assert len(read_csv(paged.csv)) == 3 and len(read_csv(paged.links_csv)) > 3
    # The files come from one pass feeding scorecard.csv and scorecard.html; `audit report` prints each alone.
    for name, fmt in (("csv", "csv"), ("html", "html")):
        assert getattr(paged, name).read_text(encoding="utf-8") == render(store, fmt, run_id, page_size=page_size), name


@pytest.mark.parametrize("page_size", [1, 2, 10_000])
def test_the_printed_reports_are_the_same_bytes_in_pages(sample, page_size):
    """`audit report` prints a page at a time: the JSON is json.dumps(indent=2) of the whole,
    and every format equals the one-page text."""
    store, run_id = sample
    text = render(store, "json", run_id, page_size=page_size)
    whole = json.loads(text)
    assert len(whole["scorecard"]) == 3
    assert text == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
    for fmt in ("csv", "md", "html", "json"):
        assert render(store, fmt, run_id, page_size=page_size) == render(store, fmt, run_id, page_size=10_000), fmt


def test_a_report_that_fails_midway_leaves_no_partial_file(sample, tmp_path, monkeypatch):
    """Written a page at a time, a report that fails (a DuckDB error, SIGTERM) must not leave its
    .tmp file in --out, nor replace the file a reader has."""
    import auditor.report as report

    store, run_id = sample
    out = tmp_path / "out"
    first = write_reports(store, out, run_id, page_size=1)
    before = first.csv.read_bytes()
    calls = []

    def failing(data, page):
        calls.append(page)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(data, page)

    real = report.scorecard_page
    monkeypatch.setattr(report, "scorecard_page", failing)
    with pytest.raises(RuntimeError):
        write_reports(store, out, run_id, page_size=1)
    assert len(calls) == 2
    assert not list(out.glob("*.tmp"))
    assert first.csv.read_bytes() == before
    assert not store.query("SELECT table_name FROM duckdb_tables() WHERE temporary").shape[0]
    # A pass still held open (a caller's unfinished generator): the next report reads its own.
    monkeypatch.setattr(report, "scorecard_page", real)
    held = store.report_pages.pages(run_id, 1)
    next(held)
    assert store.query("SELECT table_name FROM duckdb_tables() WHERE temporary").shape[0]
    assert write_reports(store, out, run_id, page_size=1).csv.read_bytes() == before
    held.close()
    assert not store.query("SELECT table_name FROM duckdb_tables() WHERE temporary").shape[0]


def test_each_page_holds_the_views_rows_and_the_totals_are_the_views(sample):
    """A page is aggregated on its own (only its papers' results, links, claims, sightings):
    its rows are paper_scorecard_all's rows for those papers, in the view's order."""
    import pandas as pd

    from auditor.store.views import PAPER_ORDER

    store, run_id = sample
    view = store.query(f"SELECT * FROM paper_scorecard_all WHERE run_id = ? ORDER BY {PAPER_ORDER}", [run_id])
    pages = [papers for papers, _, _ in store.report_pages.pages(run_id, 2)]
    assert [len(p) for p in pages] == [2, 1]
    pd.testing.assert_frame_equal(pd.concat(pages, ignore_index=True), view)
    pd.testing.assert_frame_equal(store.report_pages.top(run_id, 2)[0], view.head(2))
    totals = store.report_pages.paper_totals(run_id)
    assert totals == {"papers": len(view), "failing": int((view["n_fail"] > 0).sum()),
                      "warning": int((view["n_warn"] > 0).sum()),
                      "to_judge": int(((view["applicable"].fillna(0) > 0) | view["score"].notna()).sum())}
    assert store.report_pages.paper_scores(run_id) == sorted(view["score"].dropna().tolist())


@pytest.fixture
def file_sample(tmp_path):
    store, (run_id,) = build_sample(tmp_path / "audit.duckdb")
    with store:
        yield store, run_id


def test_reports_are_written_under_duckdbs_report_bounds_and_restore_its_settings(file_sample, tmp_path, monkeypatch):
    """DuckDB's memory limit and threads are the report's while any report is written (the files,
    and `audit report`'s stream), its own again afterwards, also after a failed report. (A file's
    store: an in-memory one's limit also counts its tables, see test_report_in_memory.)"""
    from auditor import report
    from auditor.store.report_pages import REPORT_SETTINGS

    store, run_id = file_sample

    def settings():
        return store.db.con.execute("SELECT current_setting('memory_limit'), current_setting('threads')").fetchall()[0]

    before = settings()
    store.db.con.execute(f"SET memory_limit = '{REPORT_SETTINGS['memory_limit']}'")
    store.db.con.execute(f"SET threads = {REPORT_SETTINGS['threads']}")
    bounded = settings()
    store.db.con.execute("RESET memory_limit")
    store.db.con.execute("RESET threads")
    assert bounded != before
    seen = []
    real = report.render_markdown
    monkeypatch.setattr(report, "render_markdown", lambda data: (seen.append(settings()), real(data))[1])
    write_reports(store, tmp_path / "out", run_id)
    render(store, "md", run_id)
    assert seen == [bounded, bounded] and settings() == before

    def failing(data):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(report, "render_markdown", failing)
    with pytest.raises(RuntimeError):
        write_reports(store, tmp_path / "out", run_id)
    assert settings() == before
    store.db.con.execute("SET memory_limit = '300MiB'")  # a library user's own limit is theirs again after
    monkeypatch.setattr(report, "render_markdown", real)
    write_reports(store, tmp_path / "out", run_id)
    assert settings() == ("300.0 MiB", before[1])
    store.db.con.execute("RESET memory_limit")


def test_a_page_reads_the_rows_of_its_papers_in_its_run_only():
    """A page reads its results and scores once, by its paper ids and run (two runs below share
    each paper's stored set but one, which a third run found otherwise): its papers, link rows and
    paper-scope results are the views' rows of those papers in that run, at any page size."""
    import dataclasses

    import pandas as pd

    from auditor.store.views import PAPER_ORDER
    from test_store_sample import extractions, outcomes, records, scores

    store, runs = build_sample(runs=2)
    with store:
        third = store.start_run({"dumps": ["2024-06-03.txt"], "offline": False}, date(2024, 6, 12))
        store.add_records(records(), third)
        store.add_extractions(extractions().items())
        found = outcomes()
        found[0] = dataclasses.replace(found[0], result=Result("fail", "repository not found (404)", 0.0))
        store.save_outcomes(third, found)
        for paper_id, link_scores, paper_score in scores():
            store.save_scores(third, paper_id, link_scores, paper_score)
        store.finish_run(third, "done")
        for run_id in (*runs, third):
            for size in (1, 2, 3):
                seen = []
                for papers, links, paper_results in store.report_pages.pages(run_id, size):
                    ids = papers["paper_id"].tolist()
                    seen += ids
                    where = "WHERE run_id = ? AND list_contains(?, paper_id) ORDER BY"
                    for got, sql in (
                        (papers, f"SELECT * FROM paper_scorecard_all {where} {PAPER_ORDER}"),
                        (links, f"SELECT * FROM link_scorecard_all {where} paper_id, link_ordinal, check_name"),
                        (paper_results, "SELECT paper_id, check_name, status, score, reason, evidence FROM results "
                                        f"{where.replace('WHERE', 'WHERE link_ordinal = -1 AND')} paper_id, check_name"),
                    ):
                        pd.testing.assert_frame_equal(got, store.query(sql, [run_id, ids]))
                assert sorted(seen) == sorted(IDS.values())
        statuses = {run_id: store.query(
            "SELECT status FROM link_scorecard_all WHERE run_id = ? AND paper_id = ? AND link_ordinal = 0 "
            "AND check_name = 'reachable'", [run_id, IDS["good"]])["status"].tolist() for run_id in (*runs, third)}
        assert statuses == {runs[0]: ["pass"], runs[1]: ["pass"], third: ["fail"]}
