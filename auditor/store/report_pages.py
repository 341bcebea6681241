"""What the reports read, a page of papers at a time, and their totals as SQL.

The reports of a run hold one row per link and check: a million rows for
100,000 papers, several gigabytes as one pandas frame. Here the papers come
worst first (or by id, for links.csv) in pages of a fixed size, each with its
own link and paper-scope rows (one query per page), and every count or
distribution the reports show is computed by DuckDB, so a report's memory is a
page's, whatever the run's size.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from typing import Any, Iterable, Iterator

import pandas as pd

from auditor.store.core import Db, as_frame
from auditor.store.views import PAPER_JOINS, PAPER_ORDER, VIEWS


@functools.cache
def _page_sql() -> str:
    """paper_scorecard_all's own SELECT with each table it aggregates cut to one page of one
    run (``$run``, ``_keys``): every value of a paper depends only on the paper's own rows, so
    a page's rows are the view's rows for those papers, without aggregating the whole run."""
    head = "CREATE OR REPLACE VIEW paper_scorecard_all AS"
    sql = VIEWS[0].strip()
    assert sql.startswith(head), "paper_scorecard_all is the first view"
    sql = sql[len(head):]
    page = "paper_id IN (SELECT key FROM _keys)"
    for old, new in (
        ("FROM results GROUP BY ALL", f"FROM (SELECT * FROM results WHERE run_id = $run AND {page}) AS results GROUP BY ALL"),
        ("FROM sightings GROUP BY ALL", f"FROM (SELECT * FROM sightings WHERE {page}) AS sightings GROUP BY ALL"),
        ("FROM links GROUP BY ALL", f"FROM (SELECT * FROM links WHERE {page}) AS links GROUP BY ALL"),
        ("FROM claims GROUP BY ALL", f"FROM (SELECT * FROM claims WHERE {page}) AS claims GROUP BY ALL"),
        ("FROM run_papers rp", f"FROM (SELECT * FROM run_papers WHERE run_id = $run AND {page}) AS rp"),
    ):
        assert old in sql, old
        sql = sql.replace(old, new)
    return f"SELECT * FROM ({sql}) WHERE run_id = $run ORDER BY {PAPER_ORDER}"


#: The run's papers as paper_scorecard_all joins them, with what their order needs (light: no
#: aggregate but the failing results per paper).
_RUN_PAPERS = f"""{PAPER_JOINS}
    LEFT JOIN (SELECT paper_id, count(*) FILTER (WHERE status = 'fail') AS n_fail,
                      count(*) FILTER (WHERE status = 'warn') AS n_warn
               FROM results WHERE run_id = $run AND status IN ('fail', 'warn') GROUP BY ALL) f
           ON f.paper_id = rp.paper_id
    WHERE rp.run_id = $run"""


class ReportPages:
    """Pages and totals of one run's report rows."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def _ordered_ids(self, run_id: str, size: int, limit: int | None = None) -> Iterator[list[str]]:
        """The run's paper ids worst first (paper_scorecard_all's order), ``size`` at a time."""
        sql = (f"SELECT paper_id FROM (SELECT rp.paper_id, s.score, coalesce(f.n_fail, 0) AS n_fail, p.title "
               f"{_RUN_PAPERS}) ORDER BY {PAPER_ORDER}" + (f" LIMIT {int(limit)}" if limit is not None else ""))
        for rows in self.db.stream(sql, {"run": run_id}, size):
            yield rows.column("paper_id").to_pylist()

    def _page(self, run_id: str, ids: list[str]) -> pd.DataFrame:
        return self.db.query_with_keys(ids, _page_sql(), {"run": run_id})

    def paper_pages(self, run_id: str, size: int) -> Iterator[pd.DataFrame]:
        """paper_scorecard_all rows of the run, worst first, ``size`` at a time (each page
        aggregated on its own: DuckDB never holds the whole run's aggregates)."""
        for ids in self._ordered_ids(run_id, size):
            yield self._page(run_id, ids)

    def paper_ids_by_id(self, run_id: str, size: int) -> Iterator[list[str]]:
        """The run's paper ids in id order, ``size`` at a time (links.csv's order)."""
        for rows in self.db.stream("SELECT paper_id FROM run_papers WHERE run_id = ? ORDER BY paper_id", [run_id], size):
            yield rows.column("paper_id").to_pylist()

    def link_rows(self, run_id: str, paper_ids: Iterable[str]) -> pd.DataFrame:
        """link_scorecard_all rows of these papers in the run, by paper, link and check."""
        return self.db.query_with_keys(
            paper_ids,
            "SELECT * FROM link_scorecard_all WHERE run_id = ? AND paper_id IN (SELECT key FROM _keys) "
            "ORDER BY paper_id, link_ordinal, check_name",
            [run_id],
        )

    def paper_result_rows(self, run_id: str, paper_ids: Iterable[str]) -> pd.DataFrame:
        """Paper-scope results of these papers in the run, by paper and check."""
        return self.db.query_with_keys(
            paper_ids,
            "SELECT paper_id, check_name, status, score, reason, evidence FROM results "
            "WHERE run_id = ? AND link_ordinal = -1 AND paper_id IN (SELECT key FROM _keys) "
            "ORDER BY paper_id, check_name",
            [run_id],
        )

    def top_papers(self, run_id: str, limit: int) -> pd.DataFrame:
        """The ``limit`` worst papers of the run."""
        ids = [i for page in self._ordered_ids(run_id, max(int(limit), 1), limit=limit) for i in page]
        return self._page(run_id, ids)

    def paper_totals(self, run_id: str) -> dict[str, Any]:
        """papers, failing (a failing result), warning (any paper with a warning), to_judge (a
        link or a claim to judge, or a score)."""
        ((papers, failing, warning, to_judge),) = self.db.rows(
            "SELECT count(*), count(*) FILTER (WHERE f.n_fail > 0), count(*) FILTER (WHERE f.n_warn > 0), "
            "count(*) FILTER (WHERE coalesce(s.applicable, 0) > 0 OR (s.score IS NOT NULL AND NOT isnan(s.score))) "
            + _RUN_PAPERS,
            {"run": run_id},
        )
        return {"papers": int(papers), "failing": int(failing), "warning": int(warning), "to_judge": int(to_judge)}

    def paper_scores(self, run_id: str) -> list[float]:
        """The scores of the run's scored papers, lowest first (the order the papers are listed in)."""
        return [float(v) for (v,) in self.db.rows(
            f"SELECT s.score {_RUN_PAPERS} AND s.score IS NOT NULL AND NOT isnan(s.score) ORDER BY s.score",
            {"run": run_id},
        )]

    def check_names(self, run_id: str) -> list[str]:
        """Every check with a result in the run, sorted."""
        return [c for (c,) in self.db.rows(
            "SELECT DISTINCT check_name FROM results WHERE run_id = ? AND check_name IS NOT NULL ORDER BY 1", [run_id]
        )]

    def check_status_counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """Results of the run per check and status: link scope first, then paper scope (the order
        of each check's statuses is the order they are first met in)."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for scope in ("res.link_ordinal <> -1", "res.link_ordinal = -1"):
            for check, status, n in self.db.rows(
                f"SELECT check_name, status, count(*) FROM results res WHERE run_id = ? AND {scope} "
                "GROUP BY ALL ORDER BY check_name, status", [run_id]
            ):
                counts[check][status] += int(n)
        return {c: dict(v) for c, v in counts.items()}

    def first_targets(self, run_id: str) -> list[tuple[Any, Any]]:
        """(kind, fact status) of each distinct target the run's link results name, in the order
        links.csv first names it (by paper and link)."""
        return self.db.rows(
            "WITH l AS (SELECT DISTINCT paper_id, link_ordinal, target_key FROM results "
            "           WHERE run_id = ? AND link_ordinal <> -1), "
            "first AS (SELECT * FROM l QUALIFY row_number() OVER "
            "          (PARTITION BY target_key ORDER BY paper_id, link_ordinal) = 1) "
            "SELECT t.kind, f.status FROM first "
            "LEFT JOIN targets t ON t.target_key = first.target_key "
            "LEFT JOIN facts f ON f.target_key = first.target_key "
            "ORDER BY first.paper_id, first.link_ordinal",
            [run_id],
        )
