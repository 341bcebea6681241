"""Scorecards of a run, read from the store: CSV, Markdown, HTML and a JSON summary.

    write_reports(store, out_dir, run_id=None) -> ReportPaths   # every file
    render(store, "csv" | "md" | "json" | "html", run_id=None) -> str    # one, as text
    stream_report(store, fmt, write, run_id=None)   # one, a page at a time (audit report's stdout)

Files written to ``out_dir``:

* ``scorecard.csv`` one row per paper, worst first: paper_id, title, published_on,
  sources ("a.txt; b.txt"), links, claim, score, coverage (0-1), judged, applicable,
  one column per check (the worst status of that check over the paper),
  n_fail, n_warn, n_unknown, n_pass, n_skip, top_reason, paper_url (arXiv or DOI),
  repository_urls (space separated: GitHub, other forges, anonymous review links).
* ``links.csv`` one row per link and check (see :data:`data.LINK_COLUMNS`).
* ``scorecard.md`` for a GitHub job summary (bounded size), ``scorecard.html``
  (self-contained), ``summary.json`` (see :func:`data.summary`).
"""

from __future__ import annotations

import io
import json
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import pandas as pd

from auditor.report.data import (
    LINK_COLUMNS, PAGE, Page, ReportData, links_page, load, scorecard_columns, scorecard_page, summary,
)
from auditor.report.html import HtmlPage, write_html
from auditor.report.markdown import render_markdown
from auditor.redaction import redact
from auditor.store import Store

__all__ = ["ReportPaths", "ReportData", "write_reports", "render", "stream_report", "load"]

Format = Literal["csv", "md", "json", "html"]


@dataclass(frozen=True)
class ReportPaths:
    csv: Path
    links_csv: Path
    md: Path
    html: Path
    json: Path


def write_reports(store: Store, out_dir: Path | str, run_id: str | None = None, *, progress: Any = None,
                  page_size: int = PAGE) -> ReportPaths:
    """Write the five report files of a run (the latest when None) into ``out_dir``.

    Each file is written a page of ``page_size`` papers at a time (see
    :meth:`ReportData.pages`): the same bytes whatever the page size, with DuckDB's memory
    bounded meanwhile (:meth:`auditor.store.ReportPages.bounded`).
    """
    with store.report_pages.bounded():
        return _write_reports(store, out_dir, run_id, progress, page_size)


def _write_reports(store: Store, out_dir: Path | str, run_id: str | None, progress: Any, page_size: int) -> ReportPaths:
    from auditor.progress import as_progress

    stages = as_progress(progress)
    stages.start("report", 5, "files")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = load(store, run_id, page_size=page_size)
    paths = ReportPaths(
        csv=out / "scorecard.csv",
        links_csv=out / "links.csv",
        md=out / "scorecard.md",
        html=out / "scorecard.html",
        json=out / "summary.json",
    )
    # scorecard.csv and scorecard.html show the papers in one order: one pass over the pages feeds both.
    with _written(paths.csv) as write_csv:
        with _written(paths.html) as write, HtmlPage(data) as html:
            write_scorecard_csv(data, write_csv, on_page=html.add)
            stages.advance("report")
            html.finish(write)
    stages.advance("report")
    with _written(paths.links_csv) as write:
        write_links_csv(data, write)
    stages.advance("report")
    with _written(paths.md) as write:
        write(render_markdown(data))
    stages.advance("report")
    names = {
        "csv_path": str(paths.csv),
        "links_csv_path": str(paths.links_csv),
        "md_path": str(paths.md),
        "html_path": str(paths.html),
        "json_path": str(paths.json),
    }
    with _written(paths.json) as write:
        write(json.dumps(summary(data, names), indent=2, ensure_ascii=False) + "\n")
    stages.advance("report")
    stages.finish("report")
    return paths


def write_scorecard_csv(data: ReportData, write: Callable[[str], Any],
                        on_page: Callable[[Page], Any] = lambda _: None) -> None:
    """scorecard.csv through ``write``, a page at a time (the header once); ``on_page`` is given
    each page once its rows are written (scorecard.html reads the same pages)."""
    header = True
    for page in data.pages():
        write(scorecard_page(data, page).to_csv(index=False, lineterminator="\n", header=header))
        header = False
        on_page(page)
    if header:  # no paper: the header alone
        write(pd.DataFrame(columns=scorecard_columns(data)).to_csv(index=False, lineterminator="\n"))


def write_links_csv(data: ReportData, write: Callable[[str], Any]) -> None:
    """links.csv through ``write``, a page of papers at a time (the header once)."""
    header = True
    for rows in data.link_pages():
        write(links_page(rows).to_csv(index=False, lineterminator="\n", header=header))
        header = False
    if header:
        write(pd.DataFrame(columns=list(LINK_COLUMNS)).to_csv(index=False, lineterminator="\n"))


def write_scorecard_json(data: ReportData, write: Callable[[str], Any]) -> None:
    """The summary plus ``scorecard`` (the scorecard.csv rows), as ``render(store, "json")`` prints it:
    the bytes of ``json.dumps(..., indent=2)`` of the whole, written a page of papers at a time."""
    head = json.dumps({**summary(data), "scorecard": []}, indent=2, ensure_ascii=False)
    assert head.endswith('"scorecard": []\n}')
    write(head[: -len("[]\n}")] + "[")
    first = True
    for page in data.pages():
        frame = scorecard_page(data, page)
        if not len(frame):
            continue
        for paper in json.loads(frame.to_json(orient="records", force_ascii=False)):
            item = json.dumps(paper, indent=2, ensure_ascii=False).replace("\n", "\n    ")
            write(("\n    " if first else ",\n    ") + item)
            first = False
    write("]\n}\n" if first else "\n  ]\n}\n")


def render(store: Store, fmt: Format, run_id: str | None = None, *, page_size: int = PAGE) -> str:
    """One report as text: the scorecard CSV, the Markdown, HTML or JSON
    (the summary plus ``scorecard``: the scorecard.csv rows)."""
    out = io.StringIO()
    stream_report(store, fmt, out.write, run_id, page_size=page_size)
    return out.getvalue()


def stream_report(store: Store, fmt: Format, write: Callable[[str], Any], run_id: str | None = None, *,
                  page_size: int = PAGE) -> None:
    """:func:`render` through ``write`` a page of papers at a time (``audit report`` to stdout),
    so that printing a large run's report does not hold it whole."""
    if fmt not in ("csv", "md", "json", "html"):
        raise ValueError(f"unknown report format {fmt!r}: csv, md, json or html")
    with store.report_pages.bounded():
        _stream_report(store, fmt, write, run_id, page_size)


def _stream_report(store: Store, fmt: Format, write: Callable[[str], Any], run_id: str | None, page_size: int) -> None:
    data = load(store, run_id, page_size=page_size)

    def redacted(text: str) -> None:
        write(redact(text))

    if fmt == "csv":
        write_scorecard_csv(data, redacted)
    elif fmt == "md":
        redacted(render_markdown(data))
    elif fmt == "html":
        write_html(data, redacted)
    else:
        write_scorecard_json(data, redacted)


@contextmanager
def _written(path: Path) -> Iterator[Callable[[str], None]]:
    """A ``write`` into ``path``: each piece redacted (the store redacted already: this is the
    last guard), the file renamed into place only when whole, so a reader (the Action, a
    browser) never sees half a file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as f:
            def write(text: str) -> None:
                f.write(redact(text))

            yield write
    except BaseException:  # a failed page, Ctrl-C, SIGTERM: no half file left beside the reports
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(path)
