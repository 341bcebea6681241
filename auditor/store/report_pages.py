"""What the reports read, a page of papers at a time, and their totals as SQL.

The reports of a run hold one row per link and check: a million rows for
100,000 papers, several gigabytes as one pandas frame. Here the papers come
worst first (or by id, for links.csv) in pages of a fixed size, each with its
own link and paper-scope rows (see below), and every count or
distribution the reports show is computed by DuckDB, so a report's memory is a
page's, whatever the run's size.

A page reads the run's results and scores once (:meth:`ReportPages.page_rows`):
its rows of both are fetched by the page's paper ids first and registered as
``_res`` and ``_scores``, which the page's queries (its papers, its link rows,
its paper-scope results) join instead of the whole tables, each other table cut
to the page's papers or targets before a join. Results are the largest table (a
row per link and check): scanned once per page rather than three or four times,
and every join is a page's size, so a page costs less, and grows less, with the
run.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import pandas as pd
import pyarrow as pa

from auditor.store.core import S, Db, as_frame, settings
from auditor.store.views import PAPER_JOINS, PAPER_ORDER, VIEWS


#: A row of these tables belongs to the page when its paper is one of the page's (``_keys``).
_PAGE = "paper_id IN (SELECT key FROM _keys)"

#: The page's rows of the results and scores views (registered as ``_res`` and ``_scores``):
#: the views' join (results.VIEWS) with run_papers cut to the page's papers first, so that the
#: stored rows are matched against the page's few set ids (a set holds one paper's rows).
_STORED = ("SELECT rp.run_id, r.* EXCLUDE (set_id) FROM (SELECT run_id, set_id FROM run_papers "
           f"WHERE run_id = $run AND {_PAGE}) AS rp JOIN {{table}} r USING (set_id) WHERE r.{_PAGE}")
_PAGE_RESULTS = _STORED.format(table="results_stored")
_PAGE_SCORES = _STORED.format(table="scores_stored")


def _view_select(index: int, name: str) -> str:
    head = f"CREATE OR REPLACE VIEW {name} AS"
    sql = VIEWS[index].strip()
    assert sql.startswith(head), f"{name} is view {index}"
    return sql[len(head):]


def _cut(sql: str, cuts: Iterable[tuple[str, str]]) -> str:
    """``sql`` with each ``old`` (there must be one at least) replaced by its ``new``."""
    for old, new in cuts:
        assert old in sql, old
        sql = sql.replace(old, new)
    return sql


@functools.cache
def _page_sql() -> str:
    """paper_scorecard_all's own SELECT with each table it aggregates cut to one page of one
    run (``$run``, ``_keys``, ``_res``, ``_scores``): every value of a paper depends only on the
    paper's own rows, so a page's rows are the view's rows for those papers, without
    aggregating the whole run."""
    sql = _cut(_view_select(0, "paper_scorecard_all"), (
        ("FROM results GROUP BY ALL", "FROM _res AS results GROUP BY ALL"),
        ("FROM sightings GROUP BY ALL", f"FROM (SELECT * FROM sightings WHERE {_PAGE}) AS sightings GROUP BY ALL"),
        ("FROM links GROUP BY ALL", f"FROM (SELECT * FROM links WHERE {_PAGE}) AS links GROUP BY ALL"),
        ("FROM claims GROUP BY ALL", f"FROM (SELECT * FROM claims WHERE {_PAGE}) AS claims GROUP BY ALL"),
        ("FROM run_papers rp", f"FROM (SELECT * FROM run_papers WHERE run_id = $run AND {_PAGE}) AS rp"),
        ("LEFT JOIN scores s ON", "LEFT JOIN _scores AS s ON"),
    ))
    return f"SELECT * FROM ({sql}) WHERE run_id = $run ORDER BY {PAPER_ORDER}"


@functools.cache
def _link_sql() -> str:
    """link_scorecard_all's own SELECT over the page's results and scores, with papers and
    links cut to the page's papers and targets and facts to the targets its results name."""
    targets = "target_key IN (SELECT target_key FROM _res)"
    sql = _cut(_view_select(2, "link_scorecard_all"), (
        ("FROM results res", "FROM _res AS res"),
        ("LEFT JOIN papers p ON", f"LEFT JOIN (SELECT * FROM papers WHERE {_PAGE}) AS p ON"),
        ("LEFT JOIN links l ON", f"LEFT JOIN (SELECT * FROM links WHERE {_PAGE}) AS l ON"),
        ("LEFT JOIN targets t ON", f"LEFT JOIN (SELECT * FROM targets WHERE {targets}) AS t ON"),
        ("LEFT JOIN facts f ON", f"LEFT JOIN (SELECT * FROM facts WHERE {targets}) AS f ON"),
        ("LEFT JOIN scores ls ON", "LEFT JOIN _scores AS ls ON"),
    ))
    return f"SELECT * FROM ({sql}) ORDER BY paper_id, link_ordinal, check_name"


_PAPER_RESULTS = ("SELECT paper_id, check_name, status, score, reason, evidence FROM _res "
                  "WHERE link_ordinal = -1 ORDER BY paper_id, check_name")


#: The run's papers as paper_scorecard_all joins them, with what their order needs (light: no
#: aggregate but the failing results per paper).
_RUN_PAPERS = f"""{PAPER_JOINS}
    LEFT JOIN (SELECT paper_id, count(*) FILTER (WHERE status = 'fail') AS n_fail,
                      count(*) FILTER (WHERE status = 'warn') AS n_warn
               FROM results WHERE run_id = $run AND status IN ('fail', 'warn') GROUP BY ALL) f
           ON f.paper_id = rp.paper_id
    WHERE rp.run_id = $run"""


#: DuckDB's settings while reports are written (:meth:`ReportPages.bounded`). Without a limit,
#: DuckDB keeps every block it reads cached up to 80 % of the machine's memory, so a report's
#: memory grew with the file (about 2 MB per 1,000 papers); under the limit it evicts them, and
#: its query memory stays below it too. A page's queries are small: one thread runs them with
#: less CPU than two on a shared machine.
REPORT_SETTINGS = {"memory_limit": "128MiB", "threads": "1"}


class ReportPages:
    """Pages and totals of one run's report rows."""

    def __init__(self, db: Db) -> None:
        self.db = db

    @contextmanager
    def bounded(self, values: dict[str, str] = REPORT_SETTINGS) -> Iterator[None]:
        """DuckDB under ``values`` inside the block, its settings of before after it (see core.settings)."""
        self.db.flush()
        with settings(self.db.con, values):
            yield

    def _ordered_ids(self, run_id: str, size: int, limit: int | None = None) -> Iterator[list[str]]:
        """The run's paper ids worst first (paper_scorecard_all's order), ``size`` at a time."""
        sql = (f"SELECT paper_id FROM (SELECT rp.paper_id, s.score, coalesce(f.n_fail, 0) AS n_fail, p.title "
               f"{_RUN_PAPERS}) ORDER BY {PAPER_ORDER}" + (f" LIMIT {int(limit)}" if limit is not None else ""))
        for rows in self.db.stream(sql, {"run": run_id}, size):
            yield rows.column("paper_id").to_pylist()

    @contextmanager
    def _page_tables(self, run_id: str, ids: Iterable[str]) -> Iterator[Any]:
        """The connection with the page's ``_keys``, ``_res`` and ``_scores`` registered: the
        run's results and scores read once for the page, by its paper ids."""
        self.db.flush()
        con = self.db.con
        names: list[str] = []
        try:
            for name, rows in (("_keys", lambda: pa.table({"key": pa.array(sorted(set(ids)), S)})),
                               ("_res", lambda: con.sql(_PAGE_RESULTS, params={"run": run_id}).to_arrow_table()),
                               ("_scores", lambda: con.sql(_PAGE_SCORES, params={"run": run_id}).to_arrow_table())):
                con.register(name, rows())
                names.append(name)
            yield con
        finally:
            for name in reversed(names):
                con.unregister(name)

    def page_rows(self, run_id: str, ids: list[str], papers: bool = True, links: bool = True,
                  paper_results: bool = True) -> tuple[pd.DataFrame | None, ...]:
        """(paper_scorecard_all rows worst first, link_scorecard_all rows, paper-scope results) of
        these papers in the run, each asked for, from one read of their results and scores."""
        with self._page_tables(run_id, ids) as con:
            return (
                as_frame(con.sql(_page_sql(), params={"run": run_id}).to_arrow_table()) if papers else None,
                as_frame(con.sql(_link_sql()).to_arrow_table()) if links else None,
                as_frame(con.sql(_PAPER_RESULTS).to_arrow_table()) if paper_results else None,
            )

    def _page(self, run_id: str, ids: list[str]) -> pd.DataFrame:
        return self.page_rows(run_id, ids, links=False, paper_results=False)[0]

    def pages(self, run_id: str, size: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
        """(papers, link rows, paper-scope results) of the run's pages, worst first, ``size``
        papers at a time (see :meth:`page_rows`)."""
        for ids in self._ordered_ids(run_id, size):
            yield self.page_rows(run_id, ids)  # type: ignore[misc]

    def paper_ids_by_id(self, run_id: str, size: int) -> Iterator[list[str]]:
        """The run's paper ids in id order, ``size`` at a time (links.csv's order)."""
        for rows in self.db.stream("SELECT paper_id FROM run_papers WHERE run_id = ? ORDER BY paper_id", [run_id], size):
            yield rows.column("paper_id").to_pylist()

    def link_rows(self, run_id: str, paper_ids: Iterable[str]) -> pd.DataFrame:
        """link_scorecard_all rows of these papers in the run, by paper, link and check."""
        return self.page_rows(run_id, list(paper_ids), papers=False, paper_results=False)[1]  # type: ignore[return-value]

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
