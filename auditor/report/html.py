"""scorecard.html: one self-contained page (inline CSS, no JavaScript).

Everything that came from a dump or a host is escaped; only http(s) URLs
become links. Large runs show the worst :data:`MAX_PAPERS` papers and
:data:`MAX_FINDINGS` findings with a count of the rest (the CSV has them all).
"""

from __future__ import annotations

from html import escape as _escape
from typing import Any, Mapping

from auditor.report.data import (
    ReportData,
    count_words,
    finding_rows,
    one_line,
    paper_status,
    score_text,
    shorten,
)

MAX_PAPERS = 5_000
MAX_FINDINGS = 200

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1600px;padding:0 1em;color:#1f2328}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:1.8em}
.meta{color:#59636e}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0}
.card{border:1px solid #d1d9e0;border-radius:6px;padding:.5em .9em;min-width:7em}
.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #d1d9e0;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f6f8fa;position:sticky;top:0}
td.num{text-align:right;white-space:nowrap}
td.paper{min-width:22em}td.reason{min-width:18em}td.st{text-align:center}
th{font-size:.85em}
.s{display:inline-block;border-radius:4px;padding:0 .35em;font-size:.85em;white-space:nowrap}
.fail{background:#ffebe9;color:#82071e}.warn{background:#fff8c5;color:#6c4a00}
.pass{background:#dafbe1;color:#116329}.unknown{background:#eef1f4;color:#59636e}.skip{color:#8c959f}
code{font-size:.9em}
footer{margin-top:2em;color:#59636e;font-size:.9em}
"""


def esc(value: Any) -> str:
    """HTML-escaped text (quotes too, so it is safe in attributes); '' for None."""
    return "" if value is None else _escape(str(value), quote=True)


def badge(status: str | None) -> str:
    if not status:
        return ""
    return f'<span class="s {esc(status)}">{esc(status)}</span>'


def link(url: Any, text: Any) -> str:
    """A link only for http(s) URLs (a dump could hold ``javascript:``); escaped text otherwise."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return f'<a href="{esc(url)}" rel="nofollow noopener">{esc(text)}</a>'
    return esc(text)


def render_html(data: ReportData, *, max_papers: int = MAX_PAPERS, max_findings: int = MAX_FINDINGS) -> str:
    title = f"repro-auditor scorecard · {data.run_id}" if data.run_id else "repro-auditor scorecard"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
    ]
    if data.run_id is None:
        parts += ["<p>No run in the database yet: run <code>audit run DUMPS</code> first.</p>", "</body></html>", ""]
        return "\n".join(parts)
    run = data.run
    meta = []
    if run:
        meta.append(f"started {esc(run.started_at.strftime('%Y-%m-%d %H:%M UTC'))}")
        if run.as_of:
            meta.append(f"as of {esc(run.as_of.isoformat())}")
        meta.append(f"status {esc(run.status)}")
        if run.tool_version:
            meta.append(f"repro-auditor {esc(run.tool_version)}")
    parts.append(f'<p class="meta">{" · ".join(meta)}</p>')
    mean = data.mean_score
    cards = [
        ("papers", len(data.papers)),
        ("links", data.n_links),
        ("mean score", "n/a" if mean is None else f"{mean:.1f}"),
        ("papers failing", data.failing),
    ]
    cards += [(f"targets {s}", n) for s, n in sorted(data.targets_by_status.items())]
    parts.append('<div class="cards">' + "".join(
        f'<div class="card"><b>{esc(v)}</b>{esc(k)}</div>' for k, v in cards
    ) + "</div>")

    checks = data.checks
    if len(data.papers):
        parts.append("<h2>Papers, worst first</h2>")
        head = ["", "Paper", "Date", "Score (judged/applicable)", "Links", "Claim", *checks, "Top reason", "Sources"]
        parts.append("<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>")
        for row in data.papers.head(max_papers).to_dict("records"):
            parts.append(_paper_row(row, checks))
        parts.append("</tbody></table>")
        rest = len(data.papers) - max_papers
        if rest > 0:
            parts.append(f"<p>…and {rest} more papers: see scorecard.csv.</p>")

    shown = finding_rows(data, max_findings)
    if shown:
        parts.append("<h2>Worst findings</h2>")
        parts.append("<table><thead><tr><th></th><th>Check</th><th>Target</th><th>Reason</th><th>Paper</th></tr></thead><tbody>")
        for f in shown:
            target = link(f.get("url"), f.get("target_key")) if f.get("target_key") else "<i>paper</i>"
            parts.append(
                f"<tr><td>{badge(f['status'])}</td><td><code>{esc(f['check_name'])}</code></td><td>{target}</td>"
                f"<td>{esc(one_line(f.get('reason') or ''))}</td><td>{esc(shorten(one_line(f.get('title') or ''), 80))}</td></tr>"
            )
        parts.append("</tbody></table>")
        rest = data.findings_total - len(shown)
        if rest > 0:
            parts.append(f"<p>…and {rest} more failing or warning results: see links.csv.</p>")

    parts.append(
        "<footer><p>pass · warn · fail are judged; <b>unknown</b> means the facts could not be had and is never "
        "counted as a zero; <b>skip</b> means the check did not apply. Score: 0-10, the weighted mean of the "
        "judged checks; in brackets, how many applicable checks were judged. Each check column shows the worst "
        "status of that check over the paper's links.</p></footer>"
    )
    parts += ["</body></html>", ""]
    return "\n".join(parts)


def _check_cell(status: str | None) -> str:
    """A check's status in the papers table; "skip" (does not apply) stays quiet."""
    if status == "skip":
        return '<span class="skip" title="does not apply">·</span>'
    return badge(status)


def _paper_row(row: Mapping[str, Any], checks: list[str]) -> str:
    arxiv = row.get("arxiv_id")
    title = one_line(row.get("title") or "")
    title_html = link(f"https://arxiv.org/abs/{arxiv}", title) if isinstance(arxiv, str) and arxiv else esc(title)
    statuses = row.get("checks") or {}
    date = row["published_on"].isoformat() if row.get("published_on") is not None else ""
    claim = row.get("claim") if isinstance(row.get("claim"), str) else ""
    reason = row.get("top_reason") if isinstance(row.get("top_reason"), str) else ""
    sources = ", ".join(row.get("sources") if row.get("sources") is not None else [])
    counts = " ".join(
        f'<span class="s {s}">{n} {s}</span>'
        for s, n in count_words({k: row.get(f"n_{k}") for k in ("fail", "warn", "unknown", "pass", "skip")})
    )
    cells = [
        badge(paper_status(row)),
        f"{title_html}<br><small>{counts}</small>",
        esc(date),
        esc(score_text(row)),
        esc(int(row.get("n_links") or 0)),
        esc(claim),
        *(_check_cell(statuses.get(c)) for c in checks),
        esc(one_line(reason)),
        esc(sources),
    ]
    classes = ["", "paper", "num", "num", "num", "", *(["st"] * len(checks)), "reason", ""]
    return "<tr>" + "".join(
        f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>" for c, v in zip(classes, cells)
    ) + "</tr>"
