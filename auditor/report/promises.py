"""The report sections "Promises" and "Link rot": their data (from the store's views) and Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from auditor.promises import WINDOWS, Step, kaplan_meier, kept_within, median_days


@dataclass(frozen=True)
class PromisesData:
    total: int = 0
    kept: int = 0
    open: int = 0
    within: dict[int, int] = field(default_factory=dict)
    median: int | None = None
    curve: list[Step] = field(default_factory=list)
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)


def load_promises(store: Any) -> PromisesData:
    rows = store.query("SELECT * FROM promises ORDER BY paper_date, paper_id, target_key")
    pairs = [(int(d), bool(k)) for d, k in zip(rows.get("days", []), rows.get("kept", []))]
    curve = kaplan_meier(pairs)
    kept = sum(k for _, k in pairs)
    return PromisesData(len(pairs), kept, len(pairs) - kept, kept_within(pairs), median_days(curve), curve, rows)


def load_link_rot(store: Any) -> pd.DataFrame:
    return store.query("SELECT * FROM link_rot")


def _pct(n: float, total: float) -> str:
    return f"{100 * n / total:.0f}%" if total else "–"


def promises_markdown(data: PromisesData) -> list[str]:
    if not data.total:
        return []
    lines = ["### Promises", "",
             f"**{data.total}** promised (code \"will be released\") with a paper date: **{data.kept}** kept, "
             f"**{data.open}** still open (censored at the latest run's as-of date).", "",
             "| kept within | " + " | ".join(f"{w} days" for w in WINDOWS) + " |",
             "|---|" + "---:|" * len(WINDOWS),
             "| promises | " + " | ".join(f"{data.within.get(w, 0)} ({_pct(data.within.get(w, 0), data.total)})" for w in WINDOWS) + " |",
             "",
             "Median time to delivery (Kaplan-Meier): "
             + (f"**{data.median} days**" if data.median is not None else "**not reached** (fewer than half kept so far)"),
             ""]
    if data.curve:
        lines += ["| day | at risk | kept that day | still open |", "|---:|---:|---:|---:|"]
        lines += [f"| {s.days} | {s.at_risk} | {s.delivered} | {100 * s.still_open:.0f}% |" for s in data.curve]
        lines.append("")
    return lines


def link_rot_markdown(rot: pd.DataFrame) -> list[str]:
    """The trend across runs: shown from the second run on (one run's figures are in the summary line)."""
    if rot is None or len(rot) < 2:
        return []
    lines = ["### Link rot", "", "| run date | links | dead | moved | emptied | archived |", "|---|---:|---:|---:|---:|---:|"]
    for r in rot.to_dict("records"):
        day = r["run_date"].isoformat() if hasattr(r["run_date"], "isoformat") else str(r["run_date"])
        lines.append(f"| {day} | {int(r['links'])} | " + " | ".join(f"{100 * float(r[c] or 0):.0f}%" for c in ("dead", "moved", "emptied", "archived")) + " |")
    lines.append("")
    return lines


def promise_points(data: PromisesData) -> list[dict[str, Any]]:
    """Chart points: promises by the month of their paper, kept or still open."""
    counts: dict[tuple[Any, str], int] = {}
    for r in data.rows.to_dict("records") if len(data.rows) else []:
        month = r["paper_date"].replace(day=1)
        key = (month, "kept" if r["kept"] else "open")
        counts[key] = counts.get(key, 0) + 1
    return [{"when": m.isoformat(), "series": s, "count": n} for (m, s), n in sorted(counts.items())]


def link_rot_points(rot: pd.DataFrame) -> list[dict[str, Any]]:
    """Chart points: links dead, moved, emptied and archived at each run date (from two runs on: a trend)."""
    out = []
    for r in rot.to_dict("records") if rot is not None and len(rot) >= 2 else []:
        for series in ("dead", "moved", "emptied", "archived"):
            day = r["run_date"].isoformat() if hasattr(r["run_date"], "isoformat") else str(r["run_date"])
            out.append({"when": day, "series": series, "count": round(float(r[series] or 0) * int(r["links"]))})
    return out
