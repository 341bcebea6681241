"""The report's data: totals and pages of rows read from the store, shaped by pure functions.

Every renderer (CSV, Markdown, HTML, JSON) works from one :class:`ReportData`,
so the five files of a run always agree; each reads the papers a page at a
time (:meth:`ReportData.pages`), so memory does not grow with the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections import Counter, defaultdict
from typing import Any, Iterable, Iterator, Mapping

import pandas as pd

from auditor.report.promises import link_rot_points, load_link_rot, load_promises, promise_points
from auditor.store import RunInfo, Store

#: Status words from worst to best; the scorecards show them in this order.
STATUS_ORDER = ("fail", "warn", "unknown", "pass", "skip")

#: scorecard.csv's leading columns, before one column per check.
PAPER_COLUMNS = (
    "paper_id", "title", "published_on", "sources", "links", "claim",
    "score", "coverage", "judged", "applicable",
)
#: scorecard.csv's trailing columns, after the check columns.
PAPER_TAIL = ("n_fail", "n_warn", "n_unknown", "n_pass", "n_skip", "top_reason", "paper_url", "repository_urls")

#: Target kinds that are code repositories (their URLs go to scorecard.csv's repository_urls).
REPOSITORY_KINDS = ("github_repo", "forge_repo", "anonymous_repo")

#: links.csv's columns: one row per link and check.
LINK_COLUMNS = (
    "paper_id", "title", "link_ordinal", "url", "source", "via", "target_key", "target_kind", "fact_status",
    "canonical_key", "claim", "check", "status", "score", "reason", "link_score", "link_judged",
    "link_applicable",
)


#: Papers per page when a report is written: what a report holds in memory at once.
PAGE = 500


@dataclass(frozen=True)
class Page:
    """One page of a run's papers (worst first) with their link rows and paper-scope results."""

    papers: pd.DataFrame  # paper_scorecard_all rows
    links: pd.DataFrame  # link_scorecard_all rows of these papers, by paper, link and check
    paper_results: pd.DataFrame  # paper-scope results of these papers, by paper and check


@dataclass(frozen=True)
class ReportData:
    """What one run's reports show: totals read as SQL, and the papers a page at a time
    (:meth:`pages`, worst first: score, then failures), so that no report holds a run whole."""

    run_id: str | None
    run: RunInfo | None
    findings: pd.DataFrame  # fail/warn results, worst first, at most FINDINGS_LIMIT
    findings_total: int
    n_links: int
    n_papers: int = 0
    checks: tuple[str, ...] = ()  # every check that has a result in the run, sorted
    scores: tuple[float, ...] = ()  # the scored papers' scores, lowest first
    papers_to_judge: int = 0  # papers with something to judge (a link or a claim), or a score
    failing: int = 0  # papers with at least one failing result
    warning: int = 0  # papers with at least one warning
    check_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # check -> status -> results
    host_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # host -> fact status -> targets
    targets_by_status: Mapping[str, int] = field(default_factory=dict)
    results_by_status: Mapping[str, int] = field(default_factory=dict)
    links_by_source: Mapping[str, int] = field(default_factory=dict)  # abstract, comments, hf_paper, ...
    db_path: str | None = None
    promise_figures: Any = None  # auditor.report.promises.PromisesData: promises kept over every run so far
    link_rot_table: pd.DataFrame = field(default_factory=pd.DataFrame)  # the link_rot view: one row per run
    promises: tuple = ()  # chart points {when, series, count}: promises by paper month, kept / open
    link_rot: tuple = ()  # chart points {when, series, count}: links dead / moved / emptied / archived per run
    discovery: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # source -> {outcome kind: papers}
    store: Store | None = field(default=None, repr=False, compare=False)  # where the pages are read from
    page_size: int = PAGE

    def pages(self, size: int | None = None) -> Iterator[Page]:
        """The run's papers, worst first, ``size`` (default :attr:`page_size`) at a time."""
        if self.run_id is None or self.store is None or not self.n_papers:
            return
        for papers, links, paper_results in self.store.report_pages.pages(self.run_id, size or self.page_size):
            yield Page(papers, links, paper_results)

    def link_pages(self, size: int | None = None) -> Iterator[pd.DataFrame]:
        """link_scorecard_all rows of the run by paper, link and check (links.csv), a page of papers at a time."""
        if self.run_id is None or self.store is None or not self.n_papers:
            return
        for rows in self.store.report_pages.link_pages(self.run_id, size or self.page_size):
            if len(rows):
                yield rows

    def top(self, limit: int) -> Page:
        """The ``limit`` worst papers, with their link rows (no paper-scope results)."""
        if self.run_id is None or self.store is None or limit <= 0:
            return Page(pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
        papers, links = self.store.report_pages.top(self.run_id, limit)
        return Page(papers, links, pd.DataFrame())

    @property
    def mean_score(self) -> float | None:
        """Mean paper score over the papers that have one (None when none has)."""
        return round(sum(self.scores) / len(self.scores), 2) if self.scores else None

    @property
    def papers_scored(self) -> int:
        """Papers that have a score: the mean is over these, not over every paper."""
        return len(self.scores)

    @property
    def scored_text(self) -> str:
        """"N of M papers scored" (M: the papers with a link or claim), shown beside every mean."""
        return f"{self.papers_scored} of {self.papers_to_judge} papers scored"

    @property
    def partial_reasons(self) -> tuple[str, ...]:
        """Why the results are partial (stored with the run), or the run's status when it did not finish."""
        run = self.run
        if run is None:
            return ()
        if run.notes:
            return tuple(run.notes)
        if run.status in ("interrupted", "failed", "running"):
            return (f"the run ended {run.status}: run the same command again to finish",)
        if run.status == "partial":
            return ("the run could not collect every target",)
        return ()


FINDINGS_LIMIT = 200


def load(store: Store, run_id: str | None = None, *, page_size: int = PAGE) -> ReportData:
    """Read a run's totals (the latest run when None) from the store; its papers are read page by page."""
    from auditor.report.page_data import host_of

    run_id = store.resolve_run(run_id)
    if run_id is None:
        return ReportData(None, None, pd.DataFrame(), 0, 0, db_path=store.path, store=store, page_size=page_size)
    results = store.results_by_status(run_id)
    pages = store.report_pages
    totals = pages.paper_totals(run_id)
    hosts: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, status in pages.first_targets(run_id):
        hosts[host_of(kind)][status if isinstance(status, str) else "uncollected"] += 1
    return ReportData(
        run_id=run_id,
        run=store.run_info(run_id),
        findings=store.findings(run_id, limit=FINDINGS_LIMIT),
        findings_total=results.get("fail", 0) + results.get("warn", 0),
        n_links=store.links_of_run(run_id),
        n_papers=totals["papers"],
        checks=tuple(pages.check_names(run_id)),
        scores=tuple(pages.paper_scores(run_id)),
        papers_to_judge=totals["to_judge"],
        failing=totals["failing"],
        warning=totals["warning"],
        check_counts=pages.check_status_counts(run_id),
        host_counts={h: dict(v) for h, v in hosts.items()},
        targets_by_status=store.targets_by_status(run_id),
        results_by_status=results,
        links_by_source=store.links_by_source(run_id),
        db_path=store.path,
        discovery=store.discovery_counts(run_id),
        store=store,
        page_size=page_size,
        **_promise_sections(store),
    )


def _promise_sections(store: Store) -> dict[str, Any]:
    figures, rot = load_promises(store), load_link_rot(store)
    return {"promise_figures": figures, "link_rot_table": rot,
            "promises": tuple(promise_points(figures)), "link_rot": tuple(link_rot_points(rot))}


# --------------------------------------------------------------------------- frames for the CSV files


def scorecard_columns(data: ReportData) -> list[str]:
    """scorecard.csv's columns: the fixed ones and one per check of the run."""
    return list(PAPER_COLUMNS) + [_check_column(c) for c in data.checks] + list(PAPER_TAIL)


def scorecard_page(data: ReportData, page: Page) -> pd.DataFrame:
    """scorecard.csv's rows of one page: one column per check (its worst status)."""
    checks = data.checks
    columns = scorecard_columns(data)
    if not len(page.papers):
        return pd.DataFrame(columns=columns)
    p = page.papers
    out = pd.DataFrame({
        "paper_id": p["paper_id"],
        "title": p["title"],
        "published_on": p["published_on"].map(lambda d: d.isoformat() if _present(d) else None),
        "sources": p["sources"].map(lambda s: "; ".join(s) if s is not None else ""),
        "links": p["n_links"],
        "claim": p["claim"],
        "score": p["score"],
        "coverage": p["coverage"].map(lambda c: round(c, 3) if _present(c) else None),
        "judged": p["judged"],
        "applicable": p["applicable"],
    })
    for c in checks:
        out[_check_column(c)] = p["checks"].map(lambda m, c=c: (m or {}).get(c))
    for c in PAPER_TAIL[:-2]:
        out[c] = p[c]
    out["paper_url"] = [paper_url(r) or "" for r in p[[c for c in ("arxiv_id", "doi") if c in p.columns]].to_dict("records")]
    repos = repository_urls(page.links)
    out["repository_urls"] = p["paper_id"].map(lambda pid: " ".join(repos.get(pid, ())))
    return out[columns].reset_index(drop=True)


def paper_url(row: Mapping[str, Any]) -> str | None:
    """The paper's own page: its arXiv abstract, else its DOI."""
    arxiv = row.get("arxiv_id")
    if isinstance(arxiv, str) and arxiv:
        return f"https://arxiv.org/abs/{arxiv}"
    doi = row.get("doi")
    if isinstance(doi, str) and doi:
        return f"https://doi.org/{doi}"
    return None


def repository_urls(links: pd.DataFrame | None) -> dict[str, list[str]]:
    """Each paper's code repositories (GitHub, other forges, anonymous review links), in link order,
    from link_scorecard_all rows."""
    if links is None or not len(links) or "target_kind" not in links.columns:
        return {}
    out: dict[str, list[str]] = {}
    cols = [links[c].tolist() for c in ("paper_id", "target_kind", "target_url", "url")]
    for pid, kind, target_url, url in zip(*cols):
        if kind not in REPOSITORY_KINDS:
            continue
        chosen = target_url if isinstance(target_url, str) and target_url else url
        if isinstance(chosen, str) and chosen and chosen not in out.setdefault(pid, []):
            out[pid].append(chosen)
    return out


def links_page(rows: pd.DataFrame) -> pd.DataFrame:
    """links.csv's rows of one page: one row per link and check."""
    if not len(rows):
        return pd.DataFrame(columns=list(LINK_COLUMNS))
    out = rows.rename(columns={"check_name": "check"})
    return out[list(LINK_COLUMNS)].reset_index(drop=True)


def _check_column(check: str) -> str:
    # A check named like a fixed column ("score") must not overwrite it.
    return f"check_{check}" if check in PAPER_COLUMNS or check in PAPER_TAIL else check


# --------------------------------------------------------------------------- summary.json


def summary(data: ReportData, paths: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    """The summary.json object (the CLI and the GitHub Action read it)."""
    paths = paths or {}
    return {
        "run_id": data.run_id,
        "status": data.run.status if data.run else None,
        "as_of": data.run.as_of.isoformat() if data.run and data.run.as_of else None,
        "papers": int(data.n_papers),
        "links": int(data.n_links),
        "targets_by_status": {k: int(v) for k, v in data.targets_by_status.items()},
        "results_by_status": {k: int(v) for k, v in data.results_by_status.items()},
        "score": data.mean_score,
        "papers_scored": data.papers_scored,  # the mean is over these papers only
        "papers_to_judge": data.papers_to_judge,  # papers with a link or a claim: the most that can be scored
        "partial_reasons": list(data.partial_reasons),  # empty: the results are complete
        # What each discovery source did, in papers: {"hf_paper": {"searched": 40, "not_indexed": 3, "unknown": 2}}
        "discovery": {s: dict(kinds) for s, kinds in data.discovery.items()},
        "failing": data.failing,
        "worst": [finding_line(row) for row in finding_rows(data, 10)],
        "db_path": data.db_path if data.db_path != ":memory:" else None,
        "csv_path": paths.get("csv_path"),
        "links_csv_path": paths.get("links_csv_path"),
        "md_path": paths.get("md_path"),
        "html_path": paths.get("html_path"),
        "json_path": paths.get("json_path"),
    }


def finding_rows(data: ReportData, limit: int) -> list[dict[str, Any]]:
    """The worst findings (fail, then warn; lowest score first) as plain dicts."""
    if not len(data.findings):
        return []
    return [_plain(r) for r in data.findings.head(limit).to_dict("records")]


def finding_line(row: Mapping[str, Any]) -> str:
    """One finding as plain text: ``fail reachable github:o/r: reason (paper title)``."""
    where = f" {row['target_key']}" if row.get("target_key") else ""
    title = one_line(row.get("title") or row.get("paper_id") or "")
    return f"{row['status']} {row['check_name']}{where}: {one_line(row.get('reason') or '')} ({shorten(title, 80)})"


# --------------------------------------------------------------------------- small pure helpers


def paper_status(row: Mapping[str, Any]) -> str:
    """The paper's overall word: fail/warn when any result says so, pass when scored, else unknown."""
    if (row.get("n_fail") or 0) > 0:
        return "fail"
    if (row.get("n_warn") or 0) > 0:
        return "warn"
    if _present(row.get("score")):
        return "pass"
    return "unknown"


def score_text(row: Mapping[str, Any]) -> str:
    """``6.2 (7/9)``: the score and how many applicable checks were judged; ``n/a`` when unscored."""
    score = row.get("score")
    judged, applicable = row.get("judged"), row.get("applicable")
    shown = f"{score:.1f}" if _present(score) else "n/a"
    if _present(judged) and _present(applicable):
        return f"{shown} ({int(judged)}/{int(applicable)})"
    return shown


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def count_words(counts: Mapping[str, Any], order: Iterable[str] = STATUS_ORDER) -> list[tuple[str, int]]:
    return [(s, int(counts.get(s) or 0)) for s in order if int(counts.get(s) or 0)]


def _present(value: Any) -> bool:
    if value is None:
        return False
    try:
        return not (isinstance(value, float) and math.isnan(value)) and value is not pd.NA and value is not pd.NaT
    except TypeError:
        return True


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (None if not isinstance(v, (list, dict)) and not _present(v) else v) for k, v in row.items()}
