"""Scorecards of a run, read from the store: CSV, Markdown, HTML and a JSON summary.

    write_reports(store, out_dir, run_id=None) -> ReportPaths   # every file
    render(store, "csv" | "md" | "json" | "html", run_id=None) -> str    # one, for stdout

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

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from auditor.report.data import ReportData, links_frame, load, scorecard_frame, summary
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.redaction import redact
from auditor.store import Store

__all__ = ["ReportPaths", "ReportData", "write_reports", "render", "load"]

Format = Literal["csv", "md", "json", "html"]


@dataclass(frozen=True)
class ReportPaths:
    csv: Path
    links_csv: Path
    md: Path
    html: Path
    json: Path


def write_reports(store: Store, out_dir: Path | str, run_id: str | None = None, *, progress: Any = None) -> ReportPaths:
    """Write the five report files of a run (the latest when None) into ``out_dir``."""
    from auditor.progress import as_progress

    stages = as_progress(progress)
    stages.start("report", 5, "files")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = load(store, run_id)
    paths = ReportPaths(
        csv=out / "scorecard.csv",
        links_csv=out / "links.csv",
        md=out / "scorecard.md",
        html=out / "scorecard.html",
        json=out / "summary.json",
    )
    _write_text(paths.csv, scorecard_frame(data).to_csv(index=False, lineterminator="\n"))
    stages.advance("report")
    _write_text(paths.links_csv, links_frame(data).to_csv(index=False, lineterminator="\n"))
    stages.advance("report")
    _write_text(paths.md, render_markdown(data))
    stages.advance("report")
    _write_text(paths.html, render_html(data))
    stages.advance("report")
    names = {
        "csv_path": str(paths.csv),
        "links_csv_path": str(paths.links_csv),
        "md_path": str(paths.md),
        "html_path": str(paths.html),
        "json_path": str(paths.json),
    }
    _write_text(paths.json, json.dumps(summary(data, names), indent=2, ensure_ascii=False) + "\n")
    stages.advance("report")
    stages.finish("report")
    return paths


def render(store: Store, fmt: Format, run_id: str | None = None) -> str:
    """One report as text for stdout: the scorecard CSV, the Markdown, or JSON
    (the summary plus ``scorecard``: the scorecard.csv rows)."""
    return redact(_render(load(store, run_id), fmt))


def _render(data: ReportData, fmt: Format) -> str:
    if fmt == "csv":
        return scorecard_frame(data).to_csv(index=False, lineterminator="\n")
    if fmt == "md":
        return render_markdown(data)
    if fmt == "html":
        return render_html(data)
    if fmt == "json":
        frame = scorecard_frame(data)
        papers = json.loads(frame.to_json(orient="records", force_ascii=False)) if len(frame) else []
        return json.dumps({**summary(data), "scorecard": papers}, indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown report format {fmt!r}: csv, md, json or html")


def _write_text(path: Path, text: str) -> None:
    # Write then rename: a reader (the Action, a browser) never sees half a file.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(redact(text), encoding="utf-8")  # the store redacted already: this is the last guard
    tmp.replace(path)
