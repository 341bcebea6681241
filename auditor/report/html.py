"""scorecard.html: one self-contained page a reviewer can sort, filter and search.

Everything is inline (CSS, one script, the data, the charts as SVG) and a
Content-Security-Policy forbids the page any request, so it opens offline and
from a CI artifact. Papers come as JSON in ``<script type="application/json">``
blocks (escaped so nothing closes them) and the script draws at most a page of
rows at a time; the details (links, every check result) are parsed on the
first expand. Whatever came from a dump or a host is escaped here, or set as
text by the script; only http(s) URLs become links.
"""

from __future__ import annotations

import base64
import hashlib
import io
import tempfile
from functools import lru_cache
from html import escape as _escape
from importlib import resources
from typing import Any, Callable

from auditor.report import charts, page_data
from auditor.report.data import Page, ReportData, finding_rows, one_line, shorten

MAX_FINDINGS = 200

COLUMNS = (  # (sort key, header, col class)
    ("status", "Status", "c-st"),
    ("title", "Paper", "c-paper"),
    ("reason", "Top reason", "c-reason"),
    ("score", "Score (judged/applicable)", "c-score"),
    ("checks", "Checks", "c-checks"),
    ("claim", "Claim", "c-claim"),
    ("links", "Links", "c-links"),
    ("date", "Date", "c-date"),
)


def esc(value: Any) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes); '' for None."""
    return "" if value is None else _escape(str(value), quote=True)


ICONS = {"fail": "\u2715", "warn": "!", "unknown": "?", "pass": "\u2713", "skip": "\u2013"}


def badge(status: str | None) -> str:
    """A status as an icon and its word (never by colour alone)."""
    if not status:
        return ""
    return f'<span class="s {esc(status)}">{esc(ICONS.get(status, ""))} {esc(status)}</span>'


def link(url: Any, text: Any) -> str:
    """A link only for http(s) URLs (a dump could hold ``javascript:``); escaped text otherwise."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return f'<a href="{esc(url)}" rel="nofollow noopener">{esc(text)}</a>'
    return esc(text)


@lru_cache(maxsize=None)
def _asset(name: str) -> str:
    return resources.files("auditor.report").joinpath("assets", name).read_text(encoding="utf-8")


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    # No fetch, image, font or frame from anywhere: the page is all there is.
    return (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
            "img-src data:; base-uri 'none'; form-action 'none'")


def render_html(data: ReportData, *, max_findings: int = MAX_FINDINGS, with_charts: bool = True) -> str:
    """The page as one string (:func:`write_html` writes it to a file without holding it)."""
    out = io.StringIO()
    write_html(data, out.write, max_findings=max_findings, with_charts=with_charts)
    return out.getvalue()


def write_html(data: ReportData, write: Callable[[str], Any], *, max_findings: int = MAX_FINDINGS,
               with_charts: bool = True) -> None:
    """Write the page through ``write`` in pieces, a page of papers at a time (:class:`HtmlPage`)."""
    with HtmlPage(data, max_findings=max_findings, with_charts=with_charts) as html:
        if data.run_id is not None:
            for page in data.pages():
                html.add(page)
        html.finish(write)


class HtmlPage:
    """scorecard.html built from the run's pages as they are read: :meth:`add` each page (worst
    first), then :meth:`finish` writes the whole page. One pass over the pages can so feed this
    and scorecard.csv at once (auditor.report.write_reports).

    The rows block carries the string table that every row and detail points into, and it
    comes before the details block; so rows and details are spooled to temporary files (one
    JSON array element a line) while the pages are added, then copied into the page behind the
    finished table. The charts are drawn in :meth:`finish`, once no page is held.
    """

    def __init__(self, data: ReportData, *, max_findings: int = MAX_FINDINGS, with_charts: bool = True) -> None:
        self.data, self.max_findings, self.with_charts = data, max_findings, with_charts
        self.builder = page_data.PageBuilder(data.checks)
        self.rows, self.details = _spool(), _spool()

    def __enter__(self) -> "HtmlPage":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.rows.close()
        self.details.close()

    def add(self, page: Page) -> None:
        for row, detail in self.builder.add(page):
            self.rows.write(page_data.script_json(row) + "\n")
            self.details.write(page_data.script_json(detail) + "\n")

    def finish(self, write: Callable[[str], Any]) -> None:
        data = self.data
        title = f"repro-auditor scorecard · {data.run_id}" if data.run_id else "repro-auditor scorecard"
        script = _asset("scorecard.js")
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f'<meta http-equiv="Content-Security-Policy" content="{esc(_csp(script))}">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{esc(title)}</title><style>{_asset('scorecard.css')}</style></head><body>",
            f"<header><h1>{esc(title)}</h1>",
        ]
        if data.run_id is None:
            parts += ["</header><p>No run in the database yet: run <code>audit run DUMPS</code> first.</p>", "</body></html>"]
            for part in parts:
                write(part + "\n")
            return
        parts.append(f'<p class="meta">{_meta(data)}</p></header>')
        parts.append(_banner(data))
        parts.append(_cards(data))
        if self.with_charts:
            parts.append(_charts(data))
        parts.append(_papers(data))
        parts.append(_findings(data, self.max_findings))
        parts.append(_legend())
        for part in parts:
            write(part + "\n")
        write('<script type="application/json" id="rows">{"meta":')
        self.builder.write_meta(write)  # the string table a chunk at a time, not as one JSON text
        write(',"rows":[')
        _copy_elements(self.rows, write)
        write(']}</script>\n<script type="application/json" id="details">{"details":[')
        _copy_elements(self.details, write)
        write("]}</script>\n")
        write(f"<script>{script}</script>\n")
        write("</body></html>\n")


def _spool() -> Any:
    # Lines end with "\n" only: JSON text never holds a raw newline (json.dumps escapes it).
    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n")


def _copy_elements(spool: Any, write: Callable[[str], Any]) -> None:
    """The spooled elements, one a line, written comma-separated (as json.dumps joins a list)."""
    spool.seek(0)
    first = True
    for line in spool:
        write(line[:-1] if first else "," + line[:-1])
        first = False


def _meta(data: ReportData) -> str:
    run = data.run
    meta = []
    if run:
        meta.append(f"started {esc(run.started_at.strftime('%Y-%m-%d %H:%M UTC'))}")
        if run.as_of:
            meta.append(f"as of {esc(run.as_of.isoformat())}")
        meta.append(f"status {esc(run.status)}")
        if run.tool_version:
            meta.append(f"repro-auditor {esc(run.tool_version)}")
    return " · ".join(meta)


def _banner(data: ReportData) -> str:
    """A short warning when the run's results are partial (rate limited, interrupted)."""
    reasons = data.partial_reasons
    if not reasons:
        return ""
    return (f'<p class="banner" role="status"><b>Partial results</b> ({esc(data.scored_text)}): '
            f"{esc('; '.join(reasons))}. "
            "Targets that could not be collected are <i>unknown</i>, never counted as a zero.</p>")


def _cards(data: ReportData) -> str:
    mean = data.mean_score
    cards = [
        ("papers", data.n_papers),
        ("links", data.n_links),
        (f"mean score ({data.scored_text})", "n/a" if mean is None else f"{mean:.1f}"),
        ("papers failing", data.failing),
    ]
    cards += [(f"targets {s}", n) for s, n in sorted(data.targets_by_status.items())]
    return ('<ul class="cards" aria-label="Summary">' + "".join(
        f"<li><b>{esc(v)}</b>{esc(k)}</li>" for k, v in cards
    ) + "</ul>")


def _figure(chart: charts.Chart) -> str:
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in chart.columns)
    body = "".join(
        "<tr>" + "".join(
            (f'<th scope="row">{esc(v)}</th>' if i == 0 else f"<td>{esc('' if v is None else v)}</td>")
            for i, v in enumerate(row)
        ) + "</tr>"
        for row in chart.rows
    )
    return (
        f'<figure id="{esc(chart.id)}">{charts.to_svg(chart)}'
        f'<figcaption id="{esc(chart.id)}-cap">{esc(chart.caption)}</figcaption>'
        f'<details class="data"><summary>Data</summary><div class="tablebox"><table>'
        f"<caption>{esc(chart.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        "</table></div></details></figure>"
    )


def chart_list(data: ReportData) -> list[charts.Chart]:
    """The charts the run has data for, in page order (trend charts when the report has them)."""
    found = [
        charts.score_distribution(data.scores),
        charts.results_per_check(data.check_counts),
        charts.targets_by_host(data.host_counts),
        *trend_charts(data),
    ]
    return [c for c in found if c is not None]


def trend_charts(data: ReportData) -> list[charts.Chart | None]:
    """Promises over time and link rot across runs, when the report carries them.

    ``data.promises`` / ``data.link_rot``: sequences of mappings with a date
    field ``when``, a ``series`` name and a ``count`` (see :func:`charts.series`).
    """
    found: list[charts.Chart | None] = []
    promises = getattr(data, "promises", None)
    if promises:
        found.append(charts.series("chart-promises", "Promises over time",
                                   "Code promises by month: kept, pending and broken", list(promises),
                                   "when", "count", "series", "month", "promises"))
    rot = getattr(data, "link_rot", None)
    if rot:
        found.append(charts.series("chart-rot", "Link rot across runs",
                                   "Targets by status in each run", list(rot),
                                   "when", "count", "series", "run", "targets"))
    return found


def _charts(data: ReportData) -> str:
    shown = chart_list(data)
    if not shown:
        return ""
    return ('<section aria-labelledby="charts-h"><h2 id="charts-h">Charts</h2><div class="charts">'
            + "".join(_figure(c) for c in shown) + "</div></section>")


def _select(id_: str, label: str) -> str:
    return f'<label for="{id_}">{esc(label)}<select id="{id_}"><option value="">any</option></select></label>'


def _papers(data: ReportData) -> str:
    problems = data.failing > 0 or data.warning > 0
    cols = "".join(f'<col class="{c}">' for _, _, c in COLUMNS)
    heads = "".join(
        f'<th scope="col" data-sort="{key}"><button type="button">{esc(text)}</button></th>'
        for key, text, _ in COLUMNS
    )
    return (
        '<section aria-labelledby="papers-h"><h2 id="papers-h">Papers</h2>'
        '<form id="filters" class="filters needs-js" role="search" aria-label="Filter papers">'
        '<label for="f-q">Search<input type="search" id="f-q" placeholder="title, reason, URL, dump…" '
        'autocomplete="off"></label>'
        + _select("f-status", "Status") + _select("f-check", "Check") + _select("f-claim", "Claim")
        + _select("f-source", "Link source") + _select("f-host", "Host")
        + f'<label class="check" for="f-problems"><input type="checkbox" id="f-problems"{" checked" if problems else ""}>'
        "Only problems (fail, warn)</label>"
        '<button type="reset">Clear filters</button></form>'
        '<p id="count" class="needs-js" role="status" aria-live="polite"></p>'
        '<p class="quiet needs-js">Click a header to sort; ▸ shows a paper\'s links and every check.</p>'
        '<div class="tablebox" role="region" aria-labelledby="papers-cap" tabindex="0">'
        f'<table id="papers"><caption id="papers-cap">Papers, worst first</caption><colgroup>{cols}</colgroup>'
        f'<thead><tr>{heads}</tr></thead><tbody id="paper-rows"></tbody></table></div>'
        '<p id="empty" class="quiet" hidden>No paper matches these filters.</p>'
        '<p class="needs-js"><button type="button" id="more" hidden>Show 100 more</button></p>'
        "<noscript><p>The papers table needs JavaScript; scorecard.csv and scorecard.md hold the same "
        "papers, and the worst findings are listed below.</p></noscript></section>"
    )


def _findings(data: ReportData, max_findings: int) -> str:
    shown = finding_rows(data, max_findings)
    if not shown:
        return ""
    rows = []
    for f in shown:
        target = link(f.get("url"), f.get("target_key")) if f.get("target_key") else "<i>paper</i>"
        rows.append(
            f"<tr><td>{badge(f['status'])}</td><th scope=\"row\"><code>{esc(f['check_name'])}</code></th>"
            f"<td>{target}</td><td>{esc(one_line(f.get('reason') or ''))}</td>"
            f"<td>{esc(shorten(one_line(f.get('title') or ''), 80))}</td></tr>"
        )
    rest = data.findings_total - len(shown)
    more = f"<p>…and {rest} more failing or warning results: see links.csv.</p>" if rest > 0 else ""
    return (
        f'<section aria-labelledby="findings-h"><details><summary><h2 id="findings-h">'
        f"Worst findings ({len(shown)} of {data.findings_total})</h2></summary>"
        '<div class="tablebox"><table><caption>Failing and warning results, worst first</caption><thead><tr>'
        '<th scope="col">Status</th><th scope="col">Check</th><th scope="col">Target</th>'
        '<th scope="col">Reason</th><th scope="col">Paper</th></tr></thead><tbody>'
        + "".join(rows) + f"</tbody></table></div>{more}</details></section>"
    )


def _legend() -> str:
    return (
        "<footer><p>✓ pass · ! warn · ✕ fail are judged; <b>? unknown</b> means the facts could not be had and "
        "is never counted as a zero; <b>– skip</b> means the check did not apply; <b>— n/a</b>: the paper has "
        "nothing to judge (no link, no claim). Score: 0-10, the weighted mean of the judged checks; in "
        "brackets, how many applicable checks were judged. Host: the collector (github, huggingface, forges, "
        "anonymous, web). Link source: where the link was found.</p></footer>"
    )
