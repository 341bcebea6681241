"""The DuckDB store: the only package that speaks SQL.

One module per table family, each with its tables, batch column types and
the methods that read and write them; :class:`Store` is the small facade the
rest of the program uses:

* :mod:`~auditor.store.core`: the connection, schema creation, one-transaction writes;
* :mod:`~auditor.store.papers`: papers, sightings, targets, links, claims;
* :mod:`~auditor.store.facts`: facts and facts_history;
* :mod:`~auditor.store.results`: results and scores (buffered);
* :mod:`~auditor.store.runs`: runs and run_papers;
* :mod:`~auditor.store.limits`: rate limits known to be spent, kept across runs;
* :mod:`~auditor.store.discovery`: what each discovery source did for each paper of a run;
* :mod:`~auditor.store.staging`: bulk loading (Parquet files, then one merge) for `audit extract --db`;
* :mod:`~auditor.store.compact`: ``--keep-runs``, orphan sets, rewriting the file small;
* :mod:`~auditor.store.promises`: views of promises kept over time and of link rot across runs;
* :mod:`~auditor.store.report_pages`: the reports' rows a page of papers at a time, their totals;
* :mod:`~auditor.store.views`: the views people query (documented in
  :data:`VIEW_DOCS`), the README's queries, the reports' frames.

A new table or column goes into its family's ``TABLES`` and ``COLUMNS``; a
new method into the family class, and one line here.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from auditor.models import Extraction, Paper
from auditor.store import compact, discovery, facts, limits, papers, promises, results, runs, views
from auditor.store.core import BATCH_ROWS, SCHEMA_VERSION, Db, OnMigrate
from auditor.store.discovery import DiscoveryTable
from auditor.store.facts import KNOWN_FACT_STATUSES, FactsTable
from auditor.store.limits import RateLimits
from auditor.store.report_pages import ReportPages
from auditor.store.papers import CLAIM_STRENGTH, Papers, link_claim
from auditor.store.results import FLUSH_ROWS, PAPER_SCOPE_ORDINAL, Results, StoredOutcome
from auditor.store.runs import RUN_STATUSES, RunInfo, Runs
from auditor.store.staging import Staging
from auditor.store.views import EXAMPLE_QUERIES, VIEW_DOCS, Views

__all__ = [
    "BATCH_ROWS", "CLAIM_STRENGTH", "EXAMPLE_QUERIES", "FLUSH_ROWS", "KNOWN_FACT_STATUSES",
    "PAPER_SCOPE_ORDINAL", "RUN_STATUSES", "SCHEMA_VERSION", "VIEW_DOCS",
    "RunInfo", "Store", "StoredOutcome", "link_claim",
]

_FAMILIES = (runs, papers, facts, results, limits, discovery)

#: Every table (in creation order) and the columns this version writes to each.
TABLES: Sequence[str] = [sql for family in _FAMILIES for sql in family.TABLES]
EXPECTED_COLUMNS: Mapping[str, Sequence[str]] = {
    table: cols for family in _FAMILIES for table, cols in family.COLUMNS.items()
}


def _delegate(family: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """A Store method that calls ``method`` on the family object (same name, signature, doc)."""
    name = method.__name__

    @functools.wraps(method)
    def call(self: "Store", *args: Any, **kwargs: Any) -> Any:
        return getattr(getattr(self, family), name)(*args, **kwargs)

    return call


class Store:
    """A DuckDB file (or ``:memory:``) holding runs, papers, links, facts and results."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self.path = db.path  # as given: shown in messages and in summary.json
        self.runs = Runs(db)
        self.papers = Papers(db)
        self.facts = FactsTable(db)
        self.results = Results(db)
        self.views = Views(db)
        self.staging = Staging(db)
        self.limits = RateLimits(db)
        self.discovery = DiscoveryTable(db)
        self.report_pages = ReportPages(db)  # what the reports read, page by page

    @classmethod
    def open(cls, path: Path | str, *, on_migrate: OnMigrate | None = None) -> "Store":
        """Open (creating parent folders and the schema) the database at ``path``.

        A file an older version wrote is migrated in one transaction; ``on_migrate(path, found,
        SCHEMA_VERSION)`` is called before it starts (nothing is printed: the CLI says it).

        Raises :class:`~auditor.errors.DatabaseLocked` when another process
        holds the file and :class:`~auditor.errors.AuditorError` when it is not
        a DuckDB 2 database; both in one line.
        """
        db = Db.open(path)
        try:
            db.create_schema(TABLES, [*results.VIEWS, *discovery.VIEWS, *views.VIEWS, *promises.VIEWS], EXPECTED_COLUMNS,
                             [results.migrate_from_v1, discovery.migrate_from_v2, papers.migrate_from_v3], on_migrate)
            FactsTable(db).merge_staged_facts()  # what a killed run had collected
        except BaseException:
            db.con.close()  # not db.close(): nothing buffered to commit into a file that failed to open
            db.remove_spill()
            raise
        return cls(db)

    def close(self) -> None:
        """Commit what is buffered and close the file."""
        try:
            self.staging.close()
        finally:
            self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, params: Sequence[Any] | None = None):  # -> pandas.DataFrame
        """Any read-only SQL as a pandas frame (maps become dicts, lists stay arrays)."""
        return self.db.query(sql, params)

    def keep_runs(self, n: int) -> int:
        """Forget every run but the ``n`` latest; returns how many were forgotten (see :mod:`~auditor.store.compact`)."""
        return compact.keep_runs(self.db, n)

    def drop_orphans(self) -> None:
        """Delete stored result sets no run refers to any more."""
        self.db.flush()
        compact.drop_orphans(self.db.con)

    def flush(self) -> None:
        """Commit buffered writes (a no-op when none)."""
        self.db.flush()

    def run_batches(self, run_id: str, size: int) -> Iterator[list[tuple[Paper, Extraction]]]:
        """The run's papers with their extractions and discovery outcomes, ``size`` at a time (see Papers.run_batches)."""
        return self.papers.run_batches(run_id, size, lambda ids: self.discovery.discovery_of(run_id, ids))

    def add_extraction(self, paper_id: str, extraction: Extraction) -> None:
        """Store one paper's targets, links and claims (replacing what it had)."""
        self.papers.add_extractions([(paper_id, extraction)])

    # runs
    start_run = _delegate("runs", Runs.start_run)
    finish_run = _delegate("runs", Runs.finish_run)
    ending_on_error = _delegate("runs", Runs.ending_on_error)
    run_info = _delegate("runs", Runs.run_info)
    latest_run_id = _delegate("runs", Runs.latest_run_id)
    resolve_run = _delegate("runs", Runs.resolve_run)
    latest_finished_audit = _delegate("runs", Runs.latest_finished_audit)
    # papers, links, claims
    add_records = _delegate("papers", Papers.add_records)
    add_extractions = _delegate("papers", Papers.add_extractions)
    save_identities = _delegate("papers", Papers.save_identities)
    papers_for_run = _delegate("papers", Papers.papers_for_run)
    extractions = _delegate("papers", Papers.extractions)
    links_with_targets = _delegate("papers", Papers.links_with_targets)
    begin_staging = _delegate("staging", Staging.begin_staging)
    stage_tables = _delegate("staging", Staging.stage_tables)
    merge_staged = _delegate("staging", Staging.merge_staged)
    # what each discovery source did for each paper
    save_discovery = _delegate("discovery", DiscoveryTable.save_discovery)
    discovery_for_run = _delegate("discovery", DiscoveryTable.discovery_for_run)
    discovery_counts = _delegate("discovery", DiscoveryTable.discovery_counts)
    # facts
    load_facts = _delegate("facts", FactsTable.load_facts)
    save_facts = _delegate("facts", FactsTable.save_facts)
    stage_facts = _delegate("facts", FactsTable.stage_facts)
    merge_staged_facts = _delegate("facts", FactsTable.merge_staged_facts)
    # rate limits spent, across runs
    note_spent_budget = _delegate("limits", RateLimits.note_spent_budget)
    spent_budget_reset = _delegate("limits", RateLimits.spent_budget_reset)
    # results and scores
    save_outcomes = _delegate("results", Results.save_outcomes)
    save_scores = _delegate("results", Results.save_scores)
    save_score_rows = _delegate("results", Results.save_score_rows)
    completed_pairs = _delegate("results", Results.completed_pairs)
    completed_papers = _delegate("results", Results.completed_papers)
    outcomes_for_run = _delegate("results", Results.outcomes_for_run)
    # report frames
    paper_scorecard = _delegate("views", Views.paper_scorecard)
    link_scorecard = _delegate("views", Views.link_scorecard)
    findings = _delegate("views", Views.findings)
    results_by_status = _delegate("views", Views.results_by_status)
    links_of_run = _delegate("views", Views.links_of_run)
    links_by_source = _delegate("views", Views.links_by_source)
    targets_by_status = _delegate("views", Views.targets_by_status)
