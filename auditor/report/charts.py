"""The scorecard's charts: Vega-Lite specifications rendered to inline SVG.

Specs are plain data built by pure functions from counts the report already
has (the page never ships a row per result to a chart); ``vl-convert-python``
renders them without a browser or a network. Vega marks carry ARIA labels, text
stays text, and each chart also gets a data table on the page, so nothing is
said by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

#: Status colours (text is never drawn in them; each legend and table names the status).
STATUS_COLOURS = {
    "fail": "#cf222e",
    "warn": "#bf8700",
    "unknown": "#6e7781",
    "pass": "#1a7f37",
    "skip": "#afb8c1",
}
FACT_COLOURS = {
    "ok": "#1a7f37",
    "moved": "#0969da",
    "not_found": "#cf222e",
    "blocked": "#8250df",
    "error": "#bf8700",
    "unknown": "#6e7781",
    "uncollected": "#afb8c1",
}
WIDTH = 340
FONT = "system-ui, -apple-system, Segoe UI, sans-serif"


@dataclass(frozen=True)
class Chart:
    """One figure: its id, caption, the spec and the rows its data table shows."""

    id: str
    title: str
    caption: str
    spec: Mapping[str, Any]
    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


def _base(values: list[dict[str, Any]], title: str, description: str) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": description,
        "title": {"text": title, "anchor": "start", "fontSize": 14, "color": "#1f2328"},
        "width": WIDTH,
        "data": {"values": values},
        "background": "white",
        "padding": {"left": 24, "right": 8, "top": 4, "bottom": 4},
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelColor": "#1f2328", "titleColor": "#1f2328", "labelFontSize": 11, "titleFontSize": 11,
                     "labelLimit": 160},
            "legend": {"labelColor": "#1f2328", "titleColor": "#1f2328", "orient": "bottom", "direction": "horizontal"},
        },
    }


def _colour(domain: Sequence[str], colours: Mapping[str, str], title: str) -> dict[str, Any]:
    return {
        "field": "status",
        "type": "nominal",
        "title": title,
        "scale": {"domain": list(domain), "range": [colours.get(s, "#6e7781") for s in domain]},
    }


def score_distribution(scores: Sequence[float]) -> Chart | None:
    """Papers per score band (0-1, 1-2, ... 9-10): where the run's papers land."""
    if not scores:
        return None
    bands = [0] * 10
    for s in scores:
        bands[min(int(s), 9)] += 1
    values = [{"band": f"{i}–{i + 1}", "papers": n, "order": i} for i, n in enumerate(bands)]
    spec = _base(values, "Score distribution", "Number of scored papers in each score band from 0 to 10")
    spec.update({
        "height": 160,
        "layer": [
            {"mark": {"type": "bar", "color": "#0969da"},
             "encoding": {
                 "x": {"field": "band", "type": "ordinal", "sort": {"field": "order"}, "title": "paper score",
                       "axis": {"labelAngle": 0}},
                 "y": {"field": "papers", "type": "quantitative", "title": "papers"},
             }},
            {"mark": {"type": "text", "dy": -6, "fontSize": 10, "color": "#1f2328"},
             "encoding": {
                 "x": {"field": "band", "type": "ordinal", "sort": {"field": "order"}},
                 "y": {"field": "papers", "type": "quantitative"},
                 "text": {"field": "papers", "type": "quantitative"},
             }},
        ],
    })
    return Chart("chart-scores", "Score distribution", f"{len(scores)} scored papers by score band (0-10)",
                 spec, ("score band", "papers"), [(v["band"], v["papers"]) for v in values])


def results_per_check(counts: Mapping[str, Mapping[str, int]]) -> Chart | None:
    """Results of each check by status (skip left out: it only says "did not apply")."""
    order = [s for s in STATUS_COLOURS if s != "skip"]
    values = [
        {"check": check, "status": status, "results": int(n)}
        for check, by_status in sorted(counts.items())
        for status, n in by_status.items()
        if status in order and n
    ]
    if not values:
        return None
    checks = sorted({v["check"] for v in values})
    spec = _base(values, "Results per check", "Number of fail, warn, unknown and pass results of each check")
    spec.update({
        "height": max(60, 22 * len(checks)),
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "check", "type": "nominal", "title": None, "sort": checks},
            "x": {"field": "results", "type": "quantitative", "title": "results", "stack": "zero"},
            "color": _colour(order, STATUS_COLOURS, "status"),
            "order": {"field": "rank", "type": "quantitative"},
        },
        "transform": [{"calculate": "indexof(" + repr(order).replace("'", '"') + ", datum.status)", "as": "rank"}],
    })
    rows = [(c, *(int(counts.get(c, {}).get(s, 0)) for s in order)) for c in checks]
    return Chart("chart-checks", "Results per check", "Results of each check by status (skip not shown)",
                 spec, ("check", *order), rows)


def targets_by_host(counts: Mapping[str, Mapping[str, int]]) -> Chart | None:
    """Distinct targets of each host by what collecting them found."""
    order = [s for s in FACT_COLOURS if any(by.get(s) for by in counts.values())]
    order += sorted({s for by in counts.values() for s in by if s not in FACT_COLOURS})
    values = [
        {"host": host, "status": status, "targets": int(n)}
        for host, by_status in sorted(counts.items())
        for status, n in by_status.items()
        if n
    ]
    if not values:
        return None
    hosts = sorted(counts)
    spec = _base(values, "Targets by host", "Number of distinct targets of each host by collection status")
    spec.update({
        "height": max(60, 26 * len(hosts)),
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "host", "type": "nominal", "title": None, "sort": hosts},
            "x": {"field": "targets", "type": "quantitative", "title": "targets", "stack": "zero"},
            "color": _colour(order, FACT_COLOURS, "target status"),
        },
    })
    rows = [(h, *(int(counts[h].get(s, 0)) for s in order)) for h in hosts]
    return Chart("chart-hosts", "Targets by host", "Distinct targets of each host by what collection found",
                 spec, ("host", *order), rows)


def series(chart_id: str, title: str, caption: str, points: Sequence[Mapping[str, Any]],
           x: str, y: str, colour: str | None = None, x_title: str | None = None,
           y_title: str | None = None) -> Chart | None:
    """A line over time (promises over time, link rot across runs): one line per ``colour`` value."""
    if not points:
        return None
    values = [dict(p) for p in points]
    spec = _base(values, title, caption)
    encoding: dict[str, Any] = {
        "x": {"field": x, "type": "temporal", "title": x_title or x},
        "y": {"field": y, "type": "quantitative", "title": y_title or y},
    }
    if colour:
        encoding["color"] = {"field": colour, "type": "nominal", "title": None}
        encoding["shape"] = {"field": colour, "type": "nominal", "title": None}
    spec.update({"height": 160, "mark": {"type": "line", "point": True}, "encoding": encoding})
    columns = (x, *( [colour] if colour else []), y)
    rows = [tuple(p.get(c) for c in columns) for p in values]
    return Chart(chart_id, title, caption, spec, columns, rows)


def to_svg(chart: Chart) -> str:
    """The chart as an SVG element (no XML prolog), ready to inline in HTML."""
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(dict(chart.spec))
    if svg.startswith("<?xml"):
        svg = svg[svg.index("?>") + 2:].lstrip()
    # A title for screen readers; Vega already labels each mark.
    return svg.replace("<svg ", f'<svg role="img" aria-labelledby="{chart.id}-cap" ', 1)
