"""What a reviewer acts on: the paper's own link and its repositories in scorecard.csv,
links from the Markdown summary to each problem's repository, and a summary that stays
within GitHub's limit however long the titles and URLs."""

from __future__ import annotations

import csv
import re
from datetime import date

import pytest

from auditor.models import Extraction, Link, Paper, Record, Result, Sighting, Target
from auditor.report import render, write_reports
from auditor.report.data import load
from auditor.report.markdown import md_link, render_markdown
from auditor.store import Store
from test_store_sample import GONE, GOOD, IDS, build_sample

SUMMARY_LIMIT = 1024 * 1024  # GitHub's step summary limit


@pytest.fixture
def sample():
    store, (run_id,) = build_sample()
    with store:
        yield store, run_id


def test_scorecard_csv_has_paper_and_repository_links(sample, tmp_path):
    store, run_id = sample
    with open(write_reports(store, tmp_path, run_id).csv, newline="", encoding="utf-8") as f:
        rows = {r["paper_id"]: r for r in csv.DictReader(f)}
    good, bad = rows[IDS["good"]], rows[IDS["bad"]]
    assert good["paper_url"] == "https://arxiv.org/abs/2406.00000"
    assert good["repository_urls"] == GOOD.url  # two links to one repository: listed once
    assert bad["repository_urls"] == GONE.url
    assert list(good)[-2:] == ["paper_url", "repository_urls"]


def test_markdown_links_problems_to_their_repository(sample):
    store, run_id = sample
    md = render(store, "md", run_id)
    bad_row = next(line for line in md.splitlines() if line.startswith("| ") and "Bad" in line)
    assert f"[repository]({GONE.url})" in bad_row
    assert "(https://arxiv.org/abs/2406.00001)" in bad_row  # the title links to the paper
    assert f"[`{GONE.key}`]({GONE.url})" in md  # the worst findings link their target
    table = [line for line in md.splitlines() if line.startswith("| ")]
    for line in table:  # links did not add cells
        assert len(re.findall(r"(?<!\\)\|", line)) == len(re.findall(r"(?<!\\)\|", table[0]))


def test_md_link_only_for_http_and_encoded():
    assert md_link("x", "javascript:alert(1)") == "x"
    assert md_link("x", "https://e.org/a b(c)|d") == "[x](https://e.org/a%20b%28c%29%7Cd)"
    assert md_link("x", "https://e.org/" + "a" * 400) == "x"


def test_summary_stays_within_githubs_limit_with_long_titles_and_urls():
    with Store.open(":memory:") as store:
        run_id = store.start_run({}, date(2024, 6, 5))
        records, items, outcomes = [], [], []
        for i in range(400):
            pid = f"p{i:04d}"
            records.append(Record(Paper(pid, "T" * 5000 + str(i), "", arxiv_id=f"2406.{i:05d}"), Sighting(pid, "big.txt", None, i)))
            url = f"https://github.com/o{i}/" + "r" * 3000
            target = Target(key=f"github:o{i}/{'r' * 3000}", kind="github_repo", host="github.com", url=url)
            items.append((pid, Extraction(links=(Link(raw=url, url=url, target=target, ordinal=0),))))
            outcomes.append({"paper_id": pid, "link_ordinal": 0, "target_key": target.key, "check": "repo_exists",
                             "result": Result("fail", "x" * 3000, 0.0)})
        store.add_records(records, run_id)
        store.add_extractions(items)
        store.save_outcomes(run_id, outcomes)
        md = render_markdown(load(store, run_id))
    assert len(md.encode()) < SUMMARY_LIMIT / 4
