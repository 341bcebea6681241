"""scorecard.md: Markdown that reads well in a GitHub job summary.

Bounded in size whatever the run: the worst :data:`TOP_PAPERS` papers and
:data:`TOP_FINDINGS` findings, then a count of the rest (the CSV has them all).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from auditor.report.promises import link_rot_markdown, promises_markdown
from auditor.report.data import (
    ReportData,
    count_words,
    finding_rows,
    one_line,
    paper_status,
    paper_url,
    repository_urls,
    score_text,
    shorten,
)

TOP_PAPERS = 50
TOP_FINDINGS = 15
TITLE_LIMIT = 90

ICONS = {"fail": "❌", "warn": "⚠️", "unknown": "❔", "pass": "✅", "skip": "➖"}

# Inside a table cell or a list item nothing starts a line, so only the inline
# markup needs escaping ($ opens math on GitHub).
_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")


def escape(text: Any) -> str:
    """Text safe inside a Markdown table cell: one line, no live markup, no raw HTML.

    Pipes would split the cell, newlines end the row, ``<`` would open an HTML
    tag (GitHub renders some), and ``*_[`` etc. would format or link.
    """
    if text is None:
        return ""
    s = one_line(str(text))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _SPECIAL.sub(r"\\\1", s)
    return s.replace("@", "@\u200b")  # no @mentions from paper titles


def code(text: Any) -> str:
    """Inline code for a key or check name (backticks cannot nest: dropped)."""
    s = one_line(str(text or "")).replace("`", "'").replace("|", "\\|")
    return f"`{s}`" if s else ""


URL_LIMIT = 300


def md_link(text: str, url: Any) -> str:
    """``[text](url)`` for an http(s) URL short enough to keep the summary small; the text alone otherwise.

    The URL is percent-encoded where Markdown or a table cell would read it
    (spaces, brackets, parentheses, pipes, angle brackets).
    """
    if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")) or len(url) > URL_LIMIT:
        return text
    safe = "".join(f"%{ord(c):02X}" if c in " ()[]<>|`\\\"'" or ord(c) < 33 else c for c in url)
    return f"[{text}]({safe})"


def render_markdown(data: ReportData, *, top: int = TOP_PAPERS, findings: int = TOP_FINDINGS) -> str:
    if data.run_id is None:
        return "## Scorecard\n\nNo run in the database yet: run `audit run DUMPS` first.\n"
    run = data.run
    lines = [f"## Scorecard · run {code(data.run_id)}", ""]
    mean = data.mean_score
    as_of = f" · as of {run.as_of.isoformat()}" if run and run.as_of else ""
    status = f" · run {run.status}" if run and run.status != "done" else ""
    lines.append(
        f"**{data.n_papers}** papers · **{data.n_links}** links · mean score "
        f"**{'n/a' if mean is None else f'{mean:.1f}'}**/10 ({data.scored_text}) · **{data.failing}** with a failing check{as_of}{status}"
    )
    for reason in data.partial_reasons:  # the banner: a reader must not take partial results for complete ones
        lines += ["", f"> ⚠️ **Partial results**: {escape(reason)}"]
    targets = ", ".join(f"{n} {escape(s)}" for s, n in sorted(data.targets_by_status.items()))
    results = " · ".join(f"{ICONS.get(s, '')} {n} {s}" for s, n in count_words(data.results_by_status))
    lines += ["", f"Targets: {targets or 'none'}  ", f"Results: {results or 'none'}", ""]
    if set(data.links_by_source) - {"abstract"}:  # say where links came from when not all from abstracts
        found = " · ".join(f"{n} {escape(s)}" for s, n in sorted(data.links_by_source.items(),
                                                                key=lambda kv: (kv[0] != "abstract", kv[0])))
        lines += [f"Links by source: {found}", ""]
    if data.discovery:  # where else code was looked for, and for how many papers it could not be
        said = "; ".join(f"{escape(source)} " + " · ".join(f"{n} {escape(kind.replace('_', ' '))}" for kind, n in kinds.items())
                         for source, kinds in data.discovery.items())
        lines += [f"Discovery (papers): {said}", ""]

    if data.n_papers:
        lines += ["### Papers, worst first", ""]
        lines += ["| | Paper | Date | Score (judged/applicable) | Links | Claim | Checks | Top reason |",
                  "|---|---|---|---|---:|---|---|---|"]
        worst = data.top(top)  # the worst papers only: the rest is in scorecard.csv
        repos = repository_urls(worst.links)
        for row in worst.papers.to_dict("records"):
            lines.append(_paper_row(row, repos))
        rest = data.n_papers - top
        if rest > 0:
            lines += ["", f"…and {rest} more paper{'s' if rest != 1 else ''}: see `scorecard.csv`."]
        lines.append("")

    shown = finding_rows(data, findings)
    if shown:
        lines += ["### Worst findings", ""]
        for f in shown:
            where = f" on {md_link(code(f['target_key']), f.get('url'))}" if f.get("target_key") else ""
            if f.get("target_key") and isinstance(f.get("source"), str) and f["source"] != "abstract":
                where += f" (found: {escape(f['source'])})"
            title = escape(shorten(one_line(f.get("title") or f["paper_id"]), 60))
            lines.append(f"- {ICONS.get(f['status'], '')} {code(f['check_name'])}{where}: {escape(f.get('reason'))} — *{title}*")
        rest = data.findings_total - len(shown)
        if rest > 0:
            lines.append(f"- …and {rest} more failing or warning results: see `links.csv`.")
        lines.append("")

    if data.promise_figures is not None:
        lines += promises_markdown(data.promise_figures)
    lines += link_rot_markdown(data.link_rot_table)

    lines += [
        "<details><summary>Legend</summary>",
        "",
        "✅ pass · ⚠️ warn · ❌ fail · ❔ unknown (facts could not be had: never counted as a zero) · ➖ skip (not applicable).  ",
        "Score: 0-10, the weighted mean of the judged checks (pass, warn, fail); in brackets, how many of the "
        "applicable checks could be judged. Claim: what the abstract says about code (available, promised, on request).",
        "",
        "</details>",
        "",
    ]
    return "\n".join(lines)


def _paper_row(row: Mapping[str, Any], repos: Mapping[str, list[str]] | None = None) -> str:
    title = md_link(escape(shorten(one_line(row.get("title") or ""), TITLE_LIMIT)), paper_url(row))
    date = row["published_on"].isoformat() if row.get("published_on") is not None else ""
    checks = " ".join(f"{ICONS[s]}{n}" for s, n in count_words({
        "fail": row.get("n_fail"), "warn": row.get("n_warn"), "unknown": row.get("n_unknown"),
        "pass": row.get("n_pass"), "skip": row.get("n_skip"),
    }))
    claim = escape(row.get("claim")) if isinstance(row.get("claim"), str) else "—"
    reason = escape(shorten(one_line(row.get("top_reason") or ""), 120)) if isinstance(row.get("top_reason"), str) else ""
    first_repo = (repos or {}).get(row.get("paper_id"), [None])[0]
    if reason and first_repo and paper_status(row) in ("fail", "warn"):
        reason += " · " + md_link("repository", first_repo)
    return (
        f"| {ICONS[paper_status(row)]} | {title} | {date} | {score_text(row)} | {int(row.get('n_links') or 0)} "
        f"| {claim} | {checks} | {reason} |"
    )
