"""What the reports read, a page of papers at a time, and their totals as SQL.

The reports of a run hold one row per link and check: a million rows for
100,000 papers, several gigabytes as one pandas frame. Here the papers come
worst first (or by id, for links.csv) in pages of a fixed size, each with its
own link and paper-scope rows (see below), and every count or
distribution the reports show is computed by DuckDB, so a report's memory is a
page's, whatever the run's size.

The pages of one list (the worst-first scorecard, links.csv by paper id, the
worst papers of the Markdown) are read in one pass (:meth:`ReportPages._pass`):
the run's rows of every table the pages read (results, scores, run_papers,
papers, sightings, links, claims, targets, facts) are copied once, each row
with its page number, into temporary tables sorted by page; a page's queries
read their page of those copies, which DuckDB finds by the sorted column's
min/max without scanning the rest. The pass reads each table once, and a page
costs the same in a run of 5,000 papers as in one of 100,000 (reading each
page's rows out of the whole tables made the reports' time grow with pages x
rows). Under the reports' memory limit (:data:`REPORT_SETTINGS`) DuckDB moves
the copies to its temporary files as they grow.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import duckdb
import pandas as pd

from auditor.store.core import Db, as_frame, settings
from auditor.store.views import PAPER_JOINS, PAPER_ORDER, VIEWS


def _page(table: str) -> str:
    """The current page's rows of a pass's copy of ``table`` (see :data:`_PASS_TABLES`), in a template."""
    return f"(SELECT * EXCLUDE (page) FROM {{copy}}{table} WHERE page = $page)"


def copy_prefix(number: int) -> str:
    """What the names of pass ``number``'s copies start with: each pass names its own."""
    return f"_page{number}_"


def for_pass(template: str, prefix: str) -> str:
    """A template's SQL for one pass: each ``{copy}`` field is the pass's prefix (``{copy}results``:
    its copy of results). Nothing else of the text is touched (a view's braces are doubled in it,
    see :func:`_literal`), so no text that happens to read like a copy's name is rewritten."""
    return template.format(copy=prefix)


def _literal(sql: str) -> str:
    """``sql`` taken as it is into a template (its braces, a struct literal's, escaped)."""
    return sql.replace("{", "{{").replace("}", "}}")


#: What a pass copies, in this order, from ``{copy}keys`` (page, paper_id) and ``$run``: each
#: table's rows of the pass's papers in the run (targets and facts: those the results name),
#: with their page. The papers' long texts (abstract, comments, journal_ref) and the facts'
#: data are in no report. Names and SQL are templates (:func:`for_pass`).
_PASS_TABLES = (
    ("{copy}rp", "SELECT k.page, rp.* FROM {copy}keys k JOIN run_papers rp USING (paper_id) WHERE rp.run_id = $run"),
    *((f"{{copy}}{name}", f"SELECT rp.page, rp.run_id, r.* EXCLUDE (set_id) FROM {{copy}}rp rp "
                          f"JOIN {name}_stored r ON r.set_id = rp.set_id AND r.paper_id = rp.paper_id")
      for name in ("results", "scores")),
    ("{copy}papers", "SELECT k.page, p.* EXCLUDE (abstract, comments, journal_ref) FROM {copy}keys k JOIN papers p USING (paper_id)"),
    *((f"{{copy}}{name}", f"SELECT k.page, t.* FROM {{copy}}keys k JOIN {name} t USING (paper_id)")
      for name in ("sightings", "links", "claims")),
    *((f"{{copy}}{name}", f"SELECT n.page, t.*{drop} FROM (SELECT DISTINCT page, target_key FROM {{copy}}results) n "
                          f"JOIN {name} t USING (target_key)")
      for name, drop in (("targets", ""), ("facts", " EXCLUDE (data)"))),
)


def _view_select(index: int, name: str) -> str:
    head = f"CREATE OR REPLACE VIEW {name} AS"
    sql = VIEWS[index].strip()
    assert sql.startswith(head), f"{name} is view {index}"
    return sql[len(head):]


def _cut(sql: str, cuts: Iterable[tuple[str, str]]) -> str:
    """A template (:func:`for_pass`) of ``sql``, taken literally, with each ``old`` (there must be
    one at least) replaced by its ``new`` (a template's text: ``{copy}`` names a pass's copy)."""
    template = _literal(sql)
    for old, new in cuts:
        old = _literal(old)
        assert old in template, old
        template = template.replace(old, new)
    return template


@functools.cache
def _page_sql() -> str:
    """paper_scorecard_all's own SELECT with each table it reads cut to the page (``$page``) of
    a pass: every value of a paper depends only on the paper's own rows, so a page's rows are
    the view's rows for those papers, without aggregating the whole run (a template)."""
    sql = _cut(_view_select(0, "paper_scorecard_all"), (
        ("FROM results GROUP BY ALL", f"FROM {_page('results')} AS results GROUP BY ALL"),
        *((f"FROM {name} GROUP BY ALL", f"FROM {_page(name)} AS {name} GROUP BY ALL")
          for name in ("sightings", "links", "claims")),
        ("FROM run_papers rp", f"FROM {_page('rp')} AS rp"),
        ("JOIN papers p USING", f"JOIN {_page('papers')} AS p USING"),
        ("LEFT JOIN scores s ON", f"LEFT JOIN {_page('scores')} AS s ON"),
    ))
    return f"SELECT * FROM ({sql}) ORDER BY {_literal(PAPER_ORDER)}"


@functools.cache
def _link_sql() -> str:
    """link_scorecard_all's own SELECT with each table it reads cut to the page of a pass (a template)."""
    sql = _cut(_view_select(2, "link_scorecard_all"), (
        ("FROM results res", f"FROM {_page('results')} AS res"),
        *((f"LEFT JOIN {name} {alias} ON", f"LEFT JOIN {_page(name)} AS {alias} ON")
          for name, alias in (("papers", "p"), ("links", "l"), ("targets", "t"), ("facts", "f"))),
        ("LEFT JOIN scores ls ON", f"LEFT JOIN {_page('scores')} AS ls ON"),
    ))
    return f"SELECT * FROM ({sql}) ORDER BY paper_id, link_ordinal, check_name"


_PAPER_RESULTS = (f"SELECT paper_id, check_name, status, score, reason, evidence FROM {_page('results')} "
                  "WHERE link_ordinal = -1 ORDER BY paper_id, check_name")


#: The run's papers as paper_scorecard_all joins them, with what their order needs (light: no
#: aggregate but the failing results per paper).
_RUN_PAPERS = f"""{PAPER_JOINS}
    LEFT JOIN (SELECT paper_id, count(*) FILTER (WHERE status = 'fail') AS n_fail,
                      count(*) FILTER (WHERE status = 'warn') AS n_warn
               FROM results WHERE run_id = $run AND status IN ('fail', 'warn') GROUP BY ALL) f
           ON f.paper_id = rp.paper_id
    WHERE rp.run_id = $run"""


#: The passes' pages (``{copy}keys``): the run's papers worst first (paper_scorecard_all's
#: order, under the view's column names), or by id (links.csv), ``$size`` a page.
_WORST_FIRST = (f"SELECT * FROM (SELECT (row_number() OVER (ORDER BY {PAPER_ORDER}) - 1) // $size AS page, paper_id "
                f"FROM (SELECT rp.paper_id, s.score, coalesce(f.n_fail, 0) AS n_fail, p.title {_RUN_PAPERS}))")
_BY_ID = ("SELECT (row_number() OVER (ORDER BY paper_id) - 1) // $size AS page, paper_id "
          "FROM run_papers WHERE run_id = $run")


#: DuckDB's settings while reports are written (:meth:`ReportPages.bounded`). Without a limit,
#: DuckDB keeps every block it reads cached up to 80 % of the machine's memory, so a report's
#: memory grew with the file (about 2 MB per 1,000 papers); under the limit it evicts them, and
#: its query memory stays below it too. A page's queries are small: one thread runs them with
#: less CPU than two on a shared machine.
REPORT_SETTINGS = {"memory_limit": "128MiB", "threads": "1"}

#: What an in-memory store's tables (their long strings and their keys' indexes too) hold of DuckDB's memory.
_TABLES_HELD = ("SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory() "
                "WHERE tag IN ('IN_MEMORY_TABLE', 'OVERFLOW_STRINGS', 'ART_INDEX', 'METADATA')")
_UNITS = {"B": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}
_LIMIT = re.compile(r"\s*(\d+)\s*(B|KiB|MiB|GiB)\s*")


def limit_bytes(text: str) -> int:
    """A memory limit written as DuckDB's binary units ("128MiB") in bytes; a clear ValueError otherwise."""
    found = _LIMIT.fullmatch(text)
    if not found:
        raise ValueError(f"memory limit {text!r}: give a whole number of B, KiB, MiB or GiB")
    return int(found.group(1)) * _UNITS[found.group(2)]


class ReportPages:
    """Pages and totals of one run's report rows."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self._passes = itertools.count()

    @contextmanager
    def bounded(self, values: dict[str, str] = REPORT_SETTINGS) -> Iterator[None]:
        """DuckDB under ``values`` inside the block, its settings of before after it (see core.settings).

        An in-memory store (``:memory:``) holds its tables in the memory the limit bounds: under
        the reports' limit alone, a run of some 10,000 papers or more had its tables written out
        to DuckDB's spill folder (``.tmp`` in the current directory) and read back page after
        page, and a store whose keys' indexes (which DuckDB cannot evict) outgrew the limit
        could not report at all. Its limit is the tables' memory plus the reports' own."""
        self.db.flush()
        if self.db.path == ":memory:" and "memory_limit" in values:
            (held,), = self.db.con.execute(_TABLES_HELD).fetchall()
            values = {**values, "memory_limit": f"{int(held) + limit_bytes(values['memory_limit'])}B"}
        with settings(self.db.con, values):
            yield

    @contextmanager
    def _pass(self, keys: str, params: dict[str, Any]) -> Iterator[tuple[str, int]]:
        """The pass's copies (:data:`_PASS_TABLES`) of the papers ``keys`` (plain SQL) selects as (page,
        paper_id), made inside the block and dropped after it; yields (the prefix of their names,
        the number of pages). Each pass names its own: a pass whose pages were left unread (a
        caller holding an unfinished generator) neither blocks a later one nor, once closed,
        drops its tables."""
        self.db.flush()
        con = self.db.con
        tag = copy_prefix(next(self._passes))
        made: list[str] = []
        try:
            for name, sql in (("{copy}keys", _literal(keys)), *_PASS_TABLES):
                name, sql = for_pass(name, tag), for_pass(sql, tag)
                con.execute(f"CREATE TEMP TABLE {name} AS {sql} ORDER BY page",
                            {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()
                made.append(name)
            ((count,),) = con.execute(f"SELECT coalesce(max(page) + 1, 0) FROM {tag}keys").fetchall()
            yield tag, count
        finally:
            try:
                for name in reversed(made):
                    con.execute(f"DROP TABLE IF EXISTS {name}").fetchall()
            except duckdb.Error:  # the store closed under a pass still held: its temp tables went with it
                pass

    def _read(self, tag: str, page: int, papers: bool = True, links: bool = True,
              paper_results: bool = True) -> tuple[pd.DataFrame | None, ...]:
        """(paper_scorecard_all rows worst first, link_scorecard_all rows by paper, link and check,
        paper-scope results by paper and check) of one page of the pass ``tag``, each asked for."""
        con = self.db.con
        return tuple(as_frame(con.sql(for_pass(sql, tag), params={"page": page}).to_arrow_table())
                     if wanted else None
                     for sql, wanted in ((_page_sql(), papers), (_link_sql(), links), (_PAPER_RESULTS, paper_results)))

    def pages(self, run_id: str, size: int) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
        """(papers, link rows, paper-scope results) of the run's pages, worst first, ``size``
        papers at a time, read in one pass."""
        with self._pass(_WORST_FIRST, {"run": run_id, "size": max(int(size), 1)}) as (tag, count):
            for page in range(count):
                yield self._read(tag, page)  # type: ignore[misc]

    def link_pages(self, run_id: str, size: int) -> Iterator[pd.DataFrame]:
        """link_scorecard_all rows of the run by paper, link and check (links.csv's order),
        ``size`` papers at a time, read in one pass."""
        with self._pass(_BY_ID, {"run": run_id, "size": max(int(size), 1)}) as (tag, count):
            for page in range(count):
                yield self._read(tag, page, papers=False, paper_results=False)[1]  # type: ignore[misc]

    def top(self, run_id: str, limit: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The ``limit`` worst papers of the run and their link rows."""
        with self._pass(_WORST_FIRST + " WHERE page = 0", {"run": run_id, "size": max(int(limit), 1)}) as (tag, _):
            papers, links, _ = self._read(tag, 0, paper_results=False)
        return papers, links  # type: ignore[return-value]

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
