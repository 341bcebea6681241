"""Finding code the abstract does not name: identity, the comments source, Hub answers, the new checks.

Pure parts are tested on plain values; the comments source end to end with
`audit run` on an arXiv-snapshot table against the fake GitHub on 127.0.0.1.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from auditor.checking import CheckContext
from auditor.discover.comments import with_comment_links
from auditor.discover.hub import code_urls, paper_page, resolve_title, search_matches
from auditor.discover.identity import arxiv_ids_in, doi_in, with_identity
from auditor.extract import extract
from auditor.ingest import read_records
from auditor.links import find_links
from auditor.models import Extraction, Facts, Paper, paper_id_for
from auditor.pipeline import links_through_pages
from auditor.scoring import score_paper
from auditor.evaluate import CheckOutcome
from auditor.models import Result
from checks.code_linked import code_linked
from checks.links_agree import links_agree
from inprocess import audit

NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def paper(title: str = "A paper", abstract: str = "", **kw) -> Paper:
    return Paper(paper_id=paper_id_for(title), title=title, abstract=abstract, **kw)


# --------------------------------------------------------------------------- identity


def test_arxiv_ids_from_links_and_mentions_without_versions():
    text = "See https://arxiv.org/abs/2312.01234v2, arxiv.org/pdf/2401.00001 and arXiv:hep-th/9901001v3."
    assert arxiv_ids_in(text) == ["2312.01234", "2401.00001", "hep-th/9901001"]
    assert arxiv_ids_in("no ids here, 2312.01234 alone is not one") == []


def test_identity_from_text_only_when_the_dump_gives_none_and_only_when_single():
    mine = with_identity(paper(abstract="Code at github.com/a/b. Preprint: arxiv.org/abs/2312.01234"))
    assert (mine.arxiv_id, mine.arxiv_id_via) == ("2312.01234", "text")
    two = with_identity(paper(abstract="We extend arXiv:2301.00001 and arXiv:2302.00002."))
    assert two.arxiv_id is None  # citing two papers names neither as its own
    dumped = with_identity(paper(abstract="arXiv:2301.00001", arxiv_id="2411.11111"))
    assert (dumped.arxiv_id, dumped.arxiv_id_via) == ("2411.11111", "dump")


def test_doi_from_comments_and_journal_ref():
    assert doi_in("Published in TMLR, doi:10.5555/ABC.123.") == "10.5555/abc.123"
    p = with_identity(paper(comments="Final version at https://doi.org/10.1145/3583780.3615000", journal_ref="KDD 2023"))
    assert p.doi == "10.1145/3583780.3615000"


SNAPSHOT_ROWS = [
    {"id": "2311.00001", "title": "Comments Only", "abstract": "We propose a method. Our code is publicly available.",
     "comments": "12 pages. Code: https://github.com/fixture-lab/healthy. Extends arXiv:2001.00001",
     "journal-ref": "NeurIPS 2023", "doi": "10.1234/NEURIPS.1", "update_date": "2023-11-02",
     "versions": [{"version": "v1", "created": "Wed, 1 Nov 2023 10:00:00 GMT"}], "authors_parsed": [["A", "B", ""]]},
    {"id": "2311.00002", "title": "Both Name It",
     "abstract": "Code: https://github.com/fixture-lab/healthy", "comments": "Project page at github.com/fixture-lab/healthy",
     "journal-ref": None, "doi": None, "update_date": "2023-11-03",
     "versions": [{"version": "v1", "created": "Thu, 2 Nov 2023 10:00:00 GMT"}], "authors_parsed": [["C", "D", ""]]},
    {"id": "2311.00003", "title": "Two In Comments", "abstract": "Nothing linked here.",
     "comments": "Code: https://github.com/fixture-lab/stale-one and https://github.com/fixture-lab/readme-only; doi:10.9/x",
     "journal-ref": None, "doi": None, "update_date": "2023-11-04",
     "versions": [{"version": "v1", "created": "Fri, 3 Nov 2023 10:00:00 GMT"}], "authors_parsed": [["E", "F", ""]]},
]


def write_snapshot(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in SNAPSHOT_ROWS))
    return path


def test_the_snapshot_keeps_doi_comments_and_journal_ref(tmp_path):
    records = list(read_records(write_snapshot(tmp_path / "arxiv.jsonl")))
    first = records[0].paper
    assert (first.arxiv_id, first.arxiv_id_via, first.doi, first.journal_ref) == (
        "2311.00001", "dump", "10.1234/neurips.1", "NeurIPS 2023")
    assert first.comments.startswith("12 pages. Code: https://github.com/fixture-lab/healthy")


# --------------------------------------------------------------------------- comments


def test_comment_links_are_marked_and_never_repeat_the_abstract_or_name_the_paper():
    p = paper(abstract="Code: https://github.com/x/one.",
              comments="Code: github.com/x/one and https://github.com/x/two; see arxiv.org/abs/2001.00001, doi:10.1/2")
    ex = with_comment_links(p, extract(p.abstract))
    assert [(l.target.key, l.source, l.ordinal) for l in ex.links] == [
        ("github:x/one", "abstract", 0), ("github:x/two", "comments", 1)]


# --------------------------------------------------------------------------- pages: capped, weighed down


def test_a_page_adds_at_most_its_limit_and_never_outweighs_the_abstract():
    links = find_links("Project page: https://lab.github.io/proj")
    page = links[0].target.key
    urls = [f"https://github.com/lab/repo{i}" for i in range(40)]
    facts = {page: Facts(page, "ok", NOW, {"code_links": urls})}
    found = links_through_pages(links, facts, limit=5)
    assert len(found) == 5 and {l.source for l in found} == {"page"}
    assert all(l.via == "https://lab.github.io/proj" for l in found)
    assert len(links_through_pages(links, facts, limit=0)) == 0

    # The abstract's page scores 10; five perfect-looking page repositories cannot drag
    # the paper further than one link's worth: they share one weight.
    from auditor.scoring import LinkScore

    scores = [LinkScore("p", 0, page, 2.0, 1.0, 1, 1)] + [LinkScore("p", i, f"github:lab/repo{i}", 10.0, 1.0, 1, 1)
                                                          for i in range(1, 6)]
    sources = {0: "abstract", **{i: "page" for i in range(1, 6)}}
    assert score_paper([], scores, sources=sources, paper_id="p").score == 6.0
    assert score_paper([], scores, paper_id="p").score == round((2 + 50) / 6, 1)  # unweighted, as before


# --------------------------------------------------------------------------- Hub answers (pure)

# huggingface_hub hf_api.py PaperInfo.__init__: /api/papers/{id} is flat (githubRepo, projectPage,
# linkedModels ...); /api/daily_papers and /api/papers/search entries nest a "paper" object.
FLAT = {"id": "2407.21783", "title": "The Llama 3 Herd of Models", "githubRepo": "https://github.com/meta-llama/llama3",
        "projectPage": None, "linkedModels": [{"id": "a/low", "likes": 1}, {"id": "a/high", "likes": 90}],
        "linkedDatasets": [], "linkedSpaces": [{"id": "s/demo", "likes": 3}]}
NESTED = {"paper": {"id": "2407.21783", "title": "The Llama 3 Herd of Models", "githubRepo": "https://github.com/x/y",
                    "projectPage": "https://x.github.io"}, "title": "The Llama 3 Herd of Models", "numComments": 2}


def test_paper_page_reads_both_shapes():
    flat = paper_page(FLAT)
    assert flat["github_repo"] == "https://github.com/meta-llama/llama3"
    assert flat["linked"] == ["https://huggingface.co/a/high", "https://huggingface.co/a/low",
                              "https://huggingface.co/spaces/s/demo"]
    nested = paper_page(NESTED)
    assert (nested["github_repo"], nested["project_page"], nested["linked"]) == (
        "https://github.com/x/y", "https://x.github.io", None)
    assert code_urls(nested) == ["https://github.com/x/y", "https://x.github.io"]


def test_title_resolution_is_exact_or_unknown_never_a_guess():
    hits = search_matches([NESTED, {"paper": {"id": "2501.00002", "title": "The Llama 3 Herd of Models: a reply"}}])
    assert resolve_title("the llama-3 herd of  models", hits) == ("2407.21783", "exact title")
    assert resolve_title("The Llama 3 Herd", hits) == (None, "no match")
    twice = hits + [{"id": "2408.00009", "title": "The Llama 3 Herd of Models"}]
    assert resolve_title("The Llama 3 Herd of Models", twice) == (None, "ambiguous: 2 papers")


# --------------------------------------------------------------------------- the checks (pure)


def ctx(links, discovery=(), declared=(), facts=None) -> CheckContext:
    p = paper(discovery=tuple(discovery), declared=tuple(declared))
    return CheckContext(paper=p, as_of=date(2026, 11, 20), links=tuple(links), paper_facts=facts or {})


def found(text: str, source: str, via: str | None = None):
    return tuple(replace(l, source=source, via=via) for l in find_links(text))


def test_code_linked_verdicts():
    own = find_links("Code: https://github.com/x/y")
    known = {"github:x/y": Facts("github:x/y", "ok", NOW, {})}
    assert code_linked(ctx(own, [("abstract", "searched")], facts=known)).status == "pass"
    # A link whose host never answered is not yet judged a real code link.
    assert code_linked(ctx(own, [("abstract", "searched")])).status == "unknown"
    hub = found("https://github.com/x/y", "hf_paper", "https://huggingface.co/papers/2401.00001")
    r = code_linked(ctx(hub, [("abstract", "searched"), ("hf_paper", "searched")], facts=known))
    assert r.status == "warn"
    assert r.reason == "the authors link github.com/x/y on the paper's Hugging Face page; the abstract names no code"
    r = code_linked(ctx((), [("abstract", "searched"), ("comments", "searched"), ("hf_paper", "not_indexed")]))
    assert (r.status, r.reason) == ("fail", "no code link: none in the abstract, the arXiv comments nor the paper's Hugging Face page")
    r = code_linked(ctx((), [("abstract", "searched"), ("hf_paper", "unknown: offline: not searched (--offline)")]))
    assert r.status == "unknown" and "could not be searched: offline" in r.reason


def test_links_agree_verdicts():
    own = find_links("Code: https://github.com/x/y")
    same = ctx(own, declared=[("hf_paper", "github:x/y")])
    assert links_agree(same).status == "pass"
    assert links_agree(ctx(own)).status == "skip"
    other = [("hf_paper", "github:x/z")]
    ok = {"github:x/y": Facts("github:x/y", "ok", NOW, {"name_with_owner": "x/y"}),
          "github:x/z": Facts("github:x/z", "ok", NOW, {"name_with_owner": "x/z"})}
    r = links_agree(ctx(own + found("https://github.com/x/z", "hf_paper"), declared=other, facts=ok))
    assert (r.status, r.reason) == ("warn", "the abstract links github:x/y but the paper's Hugging Face page names github:x/z")
    renamed = {**ok, "github:x/y": Facts("github:x/y", "moved", NOW, {"name_with_owner": "x/z"}, canonical_key="github:x/z")}
    assert links_agree(ctx(own, declared=other, facts=renamed)).status == "pass"  # a rename is the same repository
    assert links_agree(ctx(own, declared=other, facts={})).status == "unknown"


# --------------------------------------------------------------------------- end to end: the comments source


def test_run_finds_marks_and_collects_the_repositories_named_in_comments(fake_github, tmp_path):
    for spec in ({"repo": "fixture-lab/stale-one", "preset": "stale"}, {"repo": "fixture-lab/readme-only", "preset": "readme_only"}):
        fake_github.world.add_repo(spec)
    dump = write_snapshot(tmp_path / "arxiv.jsonl")
    out = tmp_path / "out"
    done = audit("run", "--out", str(out), "--as-of", "2026-11-20", "--hosts", "github", "--discover", "abstract,comments",
                 "--quiet", str(dump), env=fake_github.env(fake_github.token))
    assert done.returncode == 0, done.stderr
    assert "discovered: 3 links beyond the abstracts (3 comments)" in done.stdout
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    try:
        links = con.execute("SELECT p.title, l.target_key, l.source FROM links l JOIN papers p USING (paper_id) "
                            "ORDER BY p.title, l.ordinal").fetchall()
        facts = dict(con.execute("SELECT target_key, status FROM facts").fetchall())
        papers = con.execute("SELECT title, arxiv_id, arxiv_id_via, doi, journal_ref FROM papers ORDER BY title").fetchall()
        verdicts = dict(con.execute("SELECT p.title || '/' || check_name, status FROM results r JOIN papers p USING (paper_id) "
                                    "WHERE check_name IN ('code_linked', 'claim_kept') AND link_ordinal = -1").fetchall())
        kept = con.execute("SELECT reason FROM results r JOIN papers p USING (paper_id) WHERE p.title = 'Comments Only' "
                           "AND check_name = 'claim_kept' AND link_ordinal = 0").fetchone()
    finally:
        con.close()
    assert links == [
        ("Both Name It", "github:fixture-lab/healthy", "abstract"),  # the comments repeat it: not added twice
        ("Comments Only", "github:fixture-lab/healthy", "comments"),
        ("Two In Comments", "github:fixture-lab/stale-one", "comments"),
        ("Two In Comments", "github:fixture-lab/readme-only", "comments"),
    ]
    # Every repository the comments name was collected like an abstract's.
    assert all(facts[k] == "ok" for k in ("github:fixture-lab/healthy", "github:fixture-lab/stale-one", "github:fixture-lab/readme-only"))
    assert papers[1] == ("Comments Only", "2311.00001", "dump", "10.1234/neurips.1", "NeurIPS 2023")
    assert verdicts["Comments Only/code_linked"] == "warn" and verdicts["Both Name It/code_linked"] == "pass"
    # The abstract's unlinked claim is judged against the repository the comments name, and says so.
    assert kept is not None and kept[0].endswith("(github:fixture-lab/healthy found in the arXiv comments)")
    rows = list(csv.DictReader(open(out / "links.csv")))
    assert {r["source"] for r in rows if r["target_key"] == "github:fixture-lab/stale-one"} == {"comments"}
    md = (out / "scorecard.md").read_text()
    assert "Links by source: 1 abstract · 3 comments" in md
