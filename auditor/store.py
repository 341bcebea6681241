"""The DuckDB store: the only module that speaks SQL.

Why it looks the way it does (DuckDB 2, see ../shared/DESIGN.md):

* Writes go in bulk: each batch becomes an Arrow table that one
  ``INSERT ... SELECT`` reads (100k rows in a fraction of a second), never
  ``executemany``.
* Writes are idempotent: every table has a key and every insert is an upsert
  (``ON CONFLICT``). DuckDB silently collapses duplicate keys inside one
  batch, so each batch is de-duplicated in Python first (the last one wins).
* Each batch is its own transaction, so an interrupted run keeps what it had
  written and the next run resumes from there.
* One result is read to the end before the next statement runs.
* A second process cannot open the file: :class:`DatabaseLocked` says so in
  one line.

The views ``paper_scorecard`` and ``link_scorecard`` (latest run of each
paper) and ``paper_scorecard_all`` and ``link_scorecard_all`` (every run) are
what people query; their columns are documented in :data:`VIEW_DOCS`.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field, is_dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from auditor import __version__
from auditor.errors import AuditorError, DatabaseLocked
from auditor.iterutil import chunks
from auditor.models import Claim, Extraction, Facts, Link, Paper, Record, Result, Target

SCHEMA_VERSION = 1

#: Rows per transaction for bulk writes.
BATCH_ROWS = 50_000

#: Buffered results + scores committed together once this many are waiting.
FLUSH_ROWS = 10_000

#: Statuses of a run.
RUN_STATUSES = ("running", "done", "partial", "interrupted", "failed")

#: ``results.link_ordinal`` of a paper-scope result (DuckDB keys cannot hold NULL);
#: the views show it as NULL.
PAPER_SCOPE_ORDINAL = -1

#: Claim kinds from strongest to weakest; a link's ``claim`` is the strongest one.
CLAIM_STRENGTH = ("available", "promised", "on_request")

#: Fact statuses that say something about the target (Facts.known).
KNOWN_FACT_STATUSES = ("ok", "moved", "not_found", "blocked")

# --------------------------------------------------------------------------- schema

_TABLES = [
    """CREATE TABLE IF NOT EXISTS meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        tool_version VARCHAR,
        options JSON,
        status VARCHAR NOT NULL,
        as_of DATE
    )""",
    """CREATE TABLE IF NOT EXISTS papers (
        paper_id VARCHAR PRIMARY KEY,
        title VARCHAR,
        abstract VARCHAR,
        published_on DATE,
        authors INTEGER,
        organisation VARCHAR,
        upvotes INTEGER,
        arxiv_id VARCHAR,
        first_seen_run VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS sightings (
        paper_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        dump_date DATE,
        position INTEGER NOT NULL,
        run_id VARCHAR,
        PRIMARY KEY (paper_id, source, position)
    )""",
    # Which papers a run covered (a dump read again in a later run keeps its
    # sightings' first run_id, so membership needs its own table).
    """CREATE TABLE IF NOT EXISTS run_papers (
        run_id VARCHAR NOT NULL,
        paper_id VARCHAR NOT NULL,
        PRIMARY KEY (run_id, paper_id)
    )""",
    """CREATE TABLE IF NOT EXISTS targets (
        target_key VARCHAR PRIMARY KEY,
        kind VARCHAR,
        host VARCHAR,
        owner VARCHAR,
        name VARCHAR,
        url VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS links (
        paper_id VARCHAR NOT NULL,
        ordinal INTEGER NOT NULL,
        raw VARCHAR,
        url VARCHAR,
        target_key VARCHAR,
        ref VARCHAR,
        subpath VARCHAR,
        number INTEGER,
        item VARCHAR,
        claim VARCHAR,
        via VARCHAR,  -- not in the abstract: found on this page
        PRIMARY KEY (paper_id, ordinal)
    )""",
    """CREATE TABLE IF NOT EXISTS claims (
        paper_id VARCHAR NOT NULL,
        ordinal INTEGER NOT NULL,
        kind VARCHAR,
        sentence VARCHAR,
        target_key VARCHAR,
        PRIMARY KEY (paper_id, ordinal)
    )""",
    """CREATE TABLE IF NOT EXISTS facts (
        target_key VARCHAR PRIMARY KEY,
        fetched_at TIMESTAMPTZ,
        status VARCHAR,
        canonical_key VARCHAR,
        data JSON,
        etag VARCHAR,
        error VARCHAR
    )""",
    # One row each time a target's status or canonical key changed (first
    # collection included): "went 404 between March and May".
    """CREATE TABLE IF NOT EXISTS facts_history (
        target_key VARCHAR NOT NULL,
        fetched_at TIMESTAMPTZ NOT NULL,
        status VARCHAR,
        canonical_key VARCHAR,
        data JSON,
        error VARCHAR,
        PRIMARY KEY (target_key, fetched_at)
    )""",
    """CREATE TABLE IF NOT EXISTS results (
        run_id VARCHAR NOT NULL,
        paper_id VARCHAR NOT NULL,
        target_key VARCHAR NOT NULL,
        link_ordinal INTEGER NOT NULL,
        check_name VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        score DOUBLE,
        reason VARCHAR,
        evidence JSON,
        PRIMARY KEY (run_id, paper_id, target_key, link_ordinal, check_name)
    )""",
    # One row per scored link (two links to one target are scored apart) and
    # one per paper (target_key '', link_ordinal -1).
    """CREATE TABLE IF NOT EXISTS scores (
        run_id VARCHAR NOT NULL,
        paper_id VARCHAR NOT NULL,
        target_key VARCHAR NOT NULL,
        link_ordinal INTEGER NOT NULL,
        score DOUBLE,
        coverage DOUBLE,
        judged INTEGER,
        applicable INTEGER,
        worst_check VARCHAR,
        worst_status VARCHAR,
        top_reason VARCHAR,
        PRIMARY KEY (run_id, paper_id, target_key, link_ordinal)
    )""",
]

_STATUS_RANK = (
    "CASE {col} WHEN 'fail' THEN 5 WHEN 'warn' THEN 4 WHEN 'unknown' THEN 3 WHEN 'pass' THEN 2 ELSE 1 END"
)
_CLAIM_RANK = "CASE {col} WHEN 'available' THEN 3 WHEN 'promised' THEN 2 WHEN 'on_request' THEN 1 ELSE 0 END"

_VIEWS = [
    f"""CREATE OR REPLACE VIEW paper_scorecard_all AS
    WITH worst AS (  -- the worst status of each check over the paper's links and the paper itself
        SELECT run_id, paper_id, check_name,
               arg_max(status, {_STATUS_RANK.format(col="status")}) AS status
        FROM results GROUP BY ALL
    ), checks AS (
        SELECT run_id, paper_id,
               map_from_entries(list({{'key': check_name, 'value': status}} ORDER BY check_name)) AS checks
        FROM worst GROUP BY ALL
    ), counts AS (
        SELECT run_id, paper_id,
               count(*) FILTER (WHERE status = 'pass') AS n_pass,
               count(*) FILTER (WHERE status = 'warn') AS n_warn,
               count(*) FILTER (WHERE status = 'fail') AS n_fail,
               count(*) FILTER (WHERE status = 'unknown') AS n_unknown,
               count(*) FILTER (WHERE status = 'skip') AS n_skip
        FROM results GROUP BY ALL
    ), seen AS (
        SELECT paper_id, list(DISTINCT source ORDER BY source) AS sources FROM sightings GROUP BY ALL
    ), nlinks AS (
        SELECT paper_id, count(*) AS n_links FROM links GROUP BY ALL
    ), nclaims AS (
        SELECT paper_id, count(*) AS n_claims,
               arg_max(kind, {_CLAIM_RANK.format(col="kind")}) AS claim
        FROM claims GROUP BY ALL
    )
    SELECT rp.run_id, r.started_at, r.as_of, r.status AS run_status,
           p.paper_id, p.title, p.published_on, p.arxiv_id, p.upvotes,
           coalesce(seen.sources, []::VARCHAR[]) AS sources,
           coalesce(nlinks.n_links, 0) AS n_links,
           nclaims.claim, coalesce(nclaims.n_claims, 0) AS n_claims,
           s.score, s.coverage, s.judged, s.applicable,
           coalesce(checks.checks, map()::MAP(VARCHAR, VARCHAR)) AS checks,
           coalesce(counts.n_pass, 0) AS n_pass, coalesce(counts.n_warn, 0) AS n_warn,
           coalesce(counts.n_fail, 0) AS n_fail, coalesce(counts.n_unknown, 0) AS n_unknown,
           coalesce(counts.n_skip, 0) AS n_skip,
           s.worst_check, s.worst_status, s.top_reason
    FROM run_papers rp
    JOIN runs r USING (run_id)
    JOIN papers p USING (paper_id)
    LEFT JOIN scores s ON s.run_id = rp.run_id AND s.paper_id = rp.paper_id
                   AND s.target_key = '' AND s.link_ordinal = -1
    LEFT JOIN checks ON checks.run_id = rp.run_id AND checks.paper_id = rp.paper_id
    LEFT JOIN counts ON counts.run_id = rp.run_id AND counts.paper_id = rp.paper_id
    LEFT JOIN seen ON seen.paper_id = rp.paper_id
    LEFT JOIN nlinks ON nlinks.paper_id = rp.paper_id
    LEFT JOIN nclaims ON nclaims.paper_id = rp.paper_id""",
    # The latest run that scored the paper; the latest run that saw it when none did.
    """CREATE OR REPLACE VIEW paper_scorecard AS
    SELECT * FROM paper_scorecard_all
    QUALIFY row_number() OVER (
        PARTITION BY paper_id ORDER BY (score IS NOT NULL) DESC, started_at DESC, run_id DESC
    ) = 1""",
    """CREATE OR REPLACE VIEW link_scorecard_all AS
    SELECT res.run_id, r.started_at, res.paper_id, p.title,
           res.link_ordinal, l.url, l.raw, l.via, res.target_key,
           t.kind AS target_kind, t.url AS target_url,
           f.status AS fact_status, f.canonical_key, f.fetched_at,
           l.claim,
           res.check_name, res.status, res.score, res.reason, res.evidence,
           ls.score AS link_score, ls.coverage AS link_coverage,
           ls.judged AS link_judged, ls.applicable AS link_applicable
    FROM results res
    JOIN runs r USING (run_id)
    LEFT JOIN papers p ON p.paper_id = res.paper_id
    LEFT JOIN links l ON l.paper_id = res.paper_id AND l.ordinal = res.link_ordinal
    LEFT JOIN targets t ON t.target_key = res.target_key
    LEFT JOIN facts f ON f.target_key = res.target_key
    LEFT JOIN scores ls ON ls.run_id = res.run_id AND ls.paper_id = res.paper_id
                       AND ls.link_ordinal = res.link_ordinal
    WHERE res.link_ordinal <> -1""",
    """CREATE OR REPLACE VIEW link_scorecard AS
    SELECT l.* FROM link_scorecard_all l
    JOIN paper_scorecard pc ON pc.paper_id = l.paper_id AND pc.run_id = l.run_id""",
]

#: What the views hold, for the README and `audit` help.
VIEW_DOCS: Mapping[str, str] = {
    "paper_scorecard_all": (
        "one row per (run, paper): run_id, started_at, as_of, run_status, paper_id, title, published_on, "
        "arxiv_id, upvotes, sources (dump files, list), n_links, claim (strongest claim: available > promised "
        "> on_request, NULL for none), n_claims, score, coverage, judged, applicable, "
        "checks (MAP check_name -> worst status over the paper's links and the paper itself), "
        "n_pass, n_warn, n_fail, n_unknown, n_skip (counts of results), worst_check, worst_status, "
        "top_reason (the reason of the worst result)"
    ),
    "paper_scorecard": "paper_scorecard_all for the latest run that scored each paper (or the latest that saw it)",
    "link_scorecard_all": (
        "one row per (run, link, check): run_id, started_at, paper_id, title, link_ordinal, url, raw, "
        "target_key, target_kind, target_url, fact_status, canonical_key, fetched_at, claim, check_name, "
        "status, score, reason, evidence, link_score, link_coverage, link_judged, link_applicable"
    ),
    "link_scorecard": "link_scorecard_all for the run paper_scorecard shows for each paper",
}

#: Queries the README shows; a test runs each so they keep working.
EXAMPLE_QUERIES: Mapping[str, str] = {
    "paper_history": """\
-- One paper across runs: its score each time, how much could be judged, the worst finding
SELECT title, run_id, started_at::DATE AS run_date, as_of, run_status,
       score, judged || '/' || applicable AS judged, n_fail, n_warn, top_reason
FROM paper_scorecard_all
WHERE title ILIKE '%minicpm%'          -- or: paper_id = '...'
ORDER BY started_at""",
    "paper_sightings": """\
-- The dumps a paper was seen in, and where
SELECT p.title, s.source, s.dump_date, s.position, p.upvotes
FROM sightings s JOIN papers p USING (paper_id)
WHERE p.title ILIKE '%minicpm%'
ORDER BY s.dump_date, s.source""",
    "target_changes": """\
-- Targets whose status changed between collections (e.g. a repository that went 404)
SELECT target_key, list(status ORDER BY fetched_at) AS statuses,
       min(fetched_at) AS first_seen, max(fetched_at) AS last_change
FROM facts_history
GROUP BY target_key HAVING count(DISTINCT status) > 1
ORDER BY last_change DESC""",
    "failing_links": """\
-- Every failing check on the latest scorecard, with the paper and the target
SELECT title, url, check_name, reason, fact_status
FROM link_scorecard
WHERE status = 'fail'
ORDER BY title, link_ordinal""",
    "check_status_counts": """\
-- How each check went over a run's papers (checks is a MAP check -> worst status)
SELECT e.key AS check_name, e.value AS status, count(*) AS papers
FROM paper_scorecard, unnest(map_entries(checks)) AS t(e)
GROUP BY ALL ORDER BY check_name, papers DESC""",
}

# --------------------------------------------------------------------------- arrow schemas of the batches

_S = pa.string()
_I = pa.int64()
_F = pa.float64()
_D = pa.date32()
_TS = pa.timestamp("us", tz="UTC")

_PAPER_COLS = {
    "paper_id": _S, "title": _S, "abstract": _S, "published_on": _D, "authors": _I,
    "organisation": _S, "upvotes": _I, "arxiv_id": _S, "first_seen_run": _S,
}
_SIGHTING_COLS = {"paper_id": _S, "source": _S, "dump_date": _D, "position": _I, "run_id": _S}
_RUN_PAPER_COLS = {"run_id": _S, "paper_id": _S}
_TARGET_COLS = {"target_key": _S, "kind": _S, "host": _S, "owner": _S, "name": _S, "url": _S}
_LINK_COLS = {
    "paper_id": _S, "ordinal": _I, "raw": _S, "url": _S, "target_key": _S, "ref": _S,
    "subpath": _S, "number": _I, "item": _S, "claim": _S, "via": _S,
}
_CLAIM_COLS = {"paper_id": _S, "ordinal": _I, "kind": _S, "sentence": _S, "target_key": _S}
_FACT_COLS = {
    "target_key": _S, "fetched_at": _TS, "status": _S, "canonical_key": _S, "data": _S,
    "etag": _S, "error": _S,
}
_RESULT_COLS = {
    "run_id": _S, "paper_id": _S, "target_key": _S, "link_ordinal": _I, "check_name": _S,
    "status": _S, "score": _F, "reason": _S, "evidence": _S,
}
_SCORE_FIELDS = ("score", "coverage", "judged", "applicable", "worst_check", "worst_status", "top_reason")
_SCORE_COLS = {
    "run_id": _S, "paper_id": _S, "target_key": _S, "link_ordinal": _I, "score": _F, "coverage": _F,
    "judged": _I, "applicable": _I, "worst_check": _S, "worst_status": _S, "top_reason": _S,
}


_EXPECTED_COLUMNS: Mapping[str, Sequence[str]] = {
    "papers": tuple(_PAPER_COLS), "sightings": tuple(_SIGHTING_COLS), "run_papers": tuple(_RUN_PAPER_COLS),
    "targets": tuple(_TARGET_COLS), "links": tuple(_LINK_COLS), "claims": tuple(_CLAIM_COLS),
    "facts": tuple(_FACT_COLS), "results": tuple(_RESULT_COLS), "scores": tuple(_SCORE_COLS),
}


# --------------------------------------------------------------------------- plain records read back


@dataclass(frozen=True)
class StoredOutcome:
    """A result read back from the store; duck-compatible with evaluate.CheckOutcome."""

    paper_id: str
    link_ordinal: int | None
    target_key: str  # '' for paper scope
    check: str
    result: Result


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    tool_version: str | None
    options: Mapping[str, Any] = field(default_factory=dict)
    status: str = "running"
    as_of: date | None = None


# --------------------------------------------------------------------------- the store



class Store:
    """A DuckDB file (or ``:memory:``) holding runs, papers, links, facts and results."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str) -> None:
        self._con = con
        self.path = path  # as given: shown in messages and in summary.json
        self._pending_results: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._pending_scores: dict[tuple[Any, ...], dict[str, Any]] = {}

    # ----------------------------------------------------------------- open / close

    @classmethod
    def open(cls, path: Path | str) -> "Store":
        """Open (creating parent folders and the schema) the database at ``path``.

        Raises :class:`DatabaseLocked` when another process holds the file and
        :class:`AuditorError` when it is not a DuckDB 2 database; both in one line.
        """
        shown = str(path)
        if shown != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise AuditorError(f"cannot create the folder of {shown}: {exc.strerror or exc}") from None
        try:
            con = duckdb.connect(shown)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                pid = re.search(r"PID (\d+)", text)
                who = f" (pid {pid.group(1)})" if pid else ""
                raise DatabaseLocked(
                    f"{shown} is in use by another process{who}: wait for it to finish or use another --db"
                ) from None
            raise AuditorError(f"cannot open {shown}: {_one_line(text)}") from None
        except duckdb.Error as exc:
            raise AuditorError(f"cannot open {shown} as a DuckDB 2 database: {_one_line(str(exc))}") from None
        store = cls(con, shown)
        try:
            store._create_schema()
        except BaseException:
            con.close()
            raise
        return store

    def close(self) -> None:
        """Commit what is buffered and close the file."""
        try:
            self.flush()
        finally:
            self._con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _create_schema(self) -> None:
        con = self._con
        con.execute("SET TimeZone = 'UTC'")
        found = None
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "meta" in tables:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            found = int(row[0]) if row else None
        if found is not None and found > SCHEMA_VERSION:
            raise AuditorError(
                f"{self.path} has schema version {found}, newer than this repro-auditor "
                f"({__version__}, schema {SCHEMA_VERSION}): upgrade it or use another --db"
            )
        con.begin()
        try:
            for sql in _TABLES:
                con.execute(sql)
            self._check_columns()
            for sql in _VIEWS:
                con.execute(sql)
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [str(SCHEMA_VERSION)],
            )
            con.commit()
        except BaseException:
            con.rollback()
            raise

    def _check_columns(self) -> None:
        """Refuse a file whose tables lack columns this version writes (an older development schema)."""
        have: dict[str, set[str]] = {}
        for table, column in self._con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"
        ).fetchall():
            have.setdefault(table, set()).add(column)
        for table, cols in _EXPECTED_COLUMNS.items():
            missing = [c for c in cols if c not in have.get(table, set())]
            if missing:
                raise AuditorError(
                    f"{self.path} was written by an incompatible repro-auditor (table {table} lacks "
                    f"{', '.join(missing)}): move it away or use another --db"
                )

    # ----------------------------------------------------------------- helpers

    def _write(self, statements: Sequence[tuple[str, Mapping[str, pa.Table]]]) -> None:
        """Run the statements in one transaction, each reading its Arrow batches by name."""
        con = self._con
        con.begin()
        registered: list[str] = []
        try:
            for sql, tables in statements:
                for name, table in tables.items():
                    con.register(name, table)
                    registered.append(name)
                con.execute(sql)
                for name in tables:
                    con.unregister(name)
                    registered.remove(name)
            con.commit()
        except BaseException:
            con.rollback()
            raise
        finally:
            for name in registered:
                con.unregister(name)

    def _rows(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        self.flush()
        return self._con.execute(sql, params or []).fetchall()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any read-only SQL as a pandas frame (maps become dicts, lists stay arrays)."""
        self.flush()
        return self._con.sql(sql, params=params or None).to_arrow_table().to_pandas(maps_as_pydicts="strict", integer_object_nulls=True)

    def _with_keys(self, keys: Iterable[str], sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` with an Arrow table ``_keys(key)`` registered (cheap for 100k keys)."""
        self.flush()
        table = pa.table({"key": pa.array(sorted(set(keys)), _S)})
        self._con.register("_keys", table)
        try:
            return self._con.execute(sql, list(params)).fetchall()
        finally:
            self._con.unregister("_keys")

    # ----------------------------------------------------------------- runs

    def start_run(self, options: Mapping[str, Any], as_of: date) -> str:
        """Record a new run (status 'running') and return its id, e.g. ``20261123T150102Z-3fa9c1``.

        ``options`` is stored as given (JSON): the CLI strips secrets before.
        """
        now = datetime.now(timezone.utc)
        # We hold the file's lock, so a run still 'running' was killed before it could say so.
        self._con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        run_id = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
        self._con.execute(
            "INSERT INTO runs VALUES (?, ?, NULL, ?, ?, 'running', ?)",
            [run_id, now, __version__, json.dumps(dict(options), default=str, sort_keys=True), as_of],
        )
        return run_id

    def finish_run(self, run_id: str, status: str) -> None:
        """Set the run's final status and end time."""
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, got {status!r}")
        self.flush()
        self._con.execute(
            "UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?",
            [status, datetime.now(timezone.utc), run_id],
        )

    def run_info(self, run_id: str) -> RunInfo | None:
        rows = self._rows(
            "SELECT run_id, started_at, finished_at, tool_version, options, status, as_of FROM runs WHERE run_id = ?",
            [run_id],
        )
        if not rows:
            return None
        r = rows[0]
        return RunInfo(
            run_id=r[0],
            started_at=_utc(r[1]),
            finished_at=_utc(r[2]) if r[2] is not None else None,
            tool_version=r[3],
            options=json.loads(r[4]) if r[4] else {},
            status=r[5],
            as_of=r[6],
        )

    def latest_run_id(self, statuses: Iterable[str] | None = None) -> str | None:
        """The id of the most recently started run (optionally among these statuses)."""
        if statuses is None:
            rows = self._rows("SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1")
        else:
            rows = self._rows(
                "SELECT run_id FROM runs WHERE list_contains(?, status) ORDER BY started_at DESC, run_id DESC LIMIT 1",
                [list(statuses)],
            )
        return rows[0][0] if rows else None

    # ----------------------------------------------------------------- papers

    def add_records(self, records: Iterable[Record], run_id: str) -> int:
        """Store papers, sightings and the run's membership; returns the records read.

        A paper already stored keeps its ``first_seen_run``; its other fields take
        the newest non-empty value. A sighting already stored is left as it was.
        """
        count = 0
        for batch in chunks(records, BATCH_ROWS):
            count += len(batch)
            papers: dict[str, dict[str, Any]] = {}
            sightings: dict[tuple[str, str, int], dict[str, Any]] = {}
            for rec in batch:
                p, s = rec.paper, rec.sighting
                papers[p.paper_id] = {
                    "paper_id": p.paper_id, "title": p.title, "abstract": p.abstract,
                    "published_on": p.published_on, "authors": p.authors,
                    "organisation": p.organisation, "upvotes": p.upvotes, "arxiv_id": p.arxiv_id,
                    "first_seen_run": run_id,
                }
                sightings[(s.paper_id, s.source, s.position)] = {
                    "paper_id": s.paper_id, "source": s.source, "dump_date": s.dump_date,
                    "position": s.position, "run_id": run_id,
                }
            members = [{"run_id": run_id, "paper_id": pid} for pid in papers]
            updates = ", ".join(
                f"{c} = coalesce(excluded.{c}, papers.{c})" for c in _PAPER_COLS if c not in ("paper_id", "first_seen_run")
            )
            self._write([
                (f"INSERT INTO papers SELECT * FROM _b ON CONFLICT (paper_id) DO UPDATE SET {updates}",
                 {"_b": _table(papers.values(), _PAPER_COLS)}),
                ("INSERT INTO sightings SELECT * FROM _b ON CONFLICT DO NOTHING",
                 {"_b": _table(sightings.values(), _SIGHTING_COLS)}),
                ("INSERT INTO run_papers SELECT * FROM _b ON CONFLICT DO NOTHING",
                 {"_b": _table(members, _RUN_PAPER_COLS)}),
            ])
        return count

    def add_extraction(self, paper_id: str, extraction: Extraction) -> None:
        """Store one paper's targets, links and claims (replacing what it had)."""
        self.add_extractions([(paper_id, extraction)])

    def add_extractions(self, items: Iterable[tuple[str, Extraction]]) -> None:
        """Store targets, links and claims of many papers, in batches.

        Re-extracting a paper replaces its links and claims; targets are upserted.
        Link ordinals must be distinct within a paper (they key results).
        """
        for batch in chunks(items, BATCH_ROWS // 4):
            extractions = dict(batch)  # the last extraction of a paper wins
            targets: dict[str, dict[str, Any]] = {}
            links: list[dict[str, Any]] = []
            claims: list[dict[str, Any]] = []
            for paper_id, ex in extractions.items():
                ordinals = [link.ordinal for link in ex.links]
                if len(set(ordinals)) != len(ordinals):
                    raise ValueError(f"paper {paper_id}: link ordinals repeat ({ordinals}); they must be distinct")
                for link in ex.links:
                    t = link.target
                    targets[t.key] = {
                        "target_key": t.key, "kind": t.kind, "host": t.host,
                        "owner": t.owner, "name": t.name, "url": t.url,
                    }
                    links.append({
                        "paper_id": paper_id, "ordinal": link.ordinal, "raw": link.raw, "url": link.url,
                        "target_key": t.key, "ref": link.ref, "subpath": link.subpath,
                        "number": link.number, "item": link.item, "claim": link_claim(link, ex.claims), "via": link.via,
                    })
                for i, c in enumerate(ex.claims):
                    claims.append({
                        "paper_id": paper_id, "ordinal": i, "kind": c.kind,
                        "sentence": c.sentence, "target_key": c.target_key,
                    })
            ids = _table(({"key": pid} for pid in extractions), {"key": _S})
            links_t, claims_t = _table(links, _LINK_COLS), _table(claims, _CLAIM_COLS)
            # Upsert, then delete what the new extraction no longer has: far cheaper
            # in DuckDB than deleting and re-inserting every row.
            self._write([
                ("INSERT INTO targets SELECT * FROM _b ON CONFLICT (target_key) DO UPDATE SET "
                 "kind = excluded.kind, host = excluded.host, owner = excluded.owner, "
                 "name = excluded.name, url = excluded.url",
                 {"_b": _table(targets.values(), _TARGET_COLS)}),
                ("INSERT INTO links SELECT * FROM _b ON CONFLICT (paper_id, ordinal) DO UPDATE SET "
                 + ", ".join(f"{c} = excluded.{c}" for c in _LINK_COLS if c not in ("paper_id", "ordinal")),
                 {"_b": links_t}),
                ("INSERT INTO claims SELECT * FROM _b ON CONFLICT (paper_id, ordinal) DO UPDATE SET "
                 + ", ".join(f"{c} = excluded.{c}" for c in _CLAIM_COLS if c not in ("paper_id", "ordinal")),
                 {"_b": claims_t}),
                ("DELETE FROM links t WHERE t.paper_id IN (SELECT key FROM _ids) AND NOT EXISTS "
                 "(SELECT 1 FROM _b b WHERE b.paper_id = t.paper_id AND b.ordinal = t.ordinal)",
                 {"_ids": ids, "_b": links_t}),
                ("DELETE FROM claims t WHERE t.paper_id IN (SELECT key FROM _ids) AND NOT EXISTS "
                 "(SELECT 1 FROM _b b WHERE b.paper_id = t.paper_id AND b.ordinal = t.ordinal)",
                 {"_ids": ids, "_b": claims_t}),
            ])

    def papers_for_run(self, run_id: str) -> list[Paper]:
        """The distinct papers the run covered, by paper_id."""
        rows = self._rows(
            "SELECT p.paper_id, title, abstract, published_on, authors, organisation, upvotes, arxiv_id "
            "FROM run_papers rp JOIN papers p USING (paper_id) WHERE rp.run_id = ? ORDER BY p.paper_id",
            [run_id],
        )
        return [Paper(*r) for r in rows]

    def extractions(self, paper_ids: Iterable[str]) -> dict[str, Extraction]:
        """Links (with their targets) and claims of these papers; papers without either are absent."""
        ids = list(paper_ids)
        links = self.links_with_targets(ids)
        claims: dict[str, list[Claim]] = {}
        for pid, kind, sentence, key in self._with_keys(
            ids,
            "SELECT paper_id, kind, sentence, target_key FROM claims JOIN _keys ON key = paper_id "
            "ORDER BY paper_id, ordinal",
        ):
            claims.setdefault(pid, []).append(Claim(kind=kind, sentence=sentence, target_key=key))
        return {
            pid: Extraction(links=links.get(pid, ()), claims=tuple(claims.get(pid, ())))
            for pid in sorted(set(links) | set(claims))
        }

    def links_with_targets(self, paper_ids: Iterable[str]) -> dict[str, tuple[Link, ...]]:
        """The stored links of these papers, ordered, each with its Target."""
        out: dict[str, list[Link]] = {}
        for r in self._with_keys(
            paper_ids,
            "SELECT l.paper_id, l.raw, l.url, l.ordinal, l.ref, l.subpath, l.number, l.item, l.via, "
            "t.target_key, t.kind, t.host, t.url, t.owner, t.name "
            "FROM links l JOIN _keys ON key = l.paper_id LEFT JOIN targets t USING (target_key) "
            "ORDER BY l.paper_id, l.ordinal",
        ):
            target = Target(key=r[9], kind=r[10], host=r[11], url=r[12], owner=r[13], name=r[14])
            out.setdefault(r[0], []).append(
                Link(raw=r[1], url=r[2], target=target, ordinal=r[3], ref=r[4], subpath=r[5], number=r[6], item=r[7], via=r[8])
            )
        return {pid: tuple(links) for pid, links in out.items()}

    # ----------------------------------------------------------------- facts

    def load_facts(self, keys: Iterable[str]) -> dict[str, Facts]:
        """The latest stored facts of these targets (absent keys: never collected)."""
        rows = self._with_keys(
            keys,
            "SELECT target_key, status, fetched_at, data, canonical_key, etag, error "
            "FROM facts JOIN _keys ON key = target_key",
        )
        return {
            r[0]: Facts(
                target_key=r[0], status=r[1], fetched_at=_utc(r[2]), data=(json.loads(r[3]) if r[3] else None) or {},
                canonical_key=r[4], etag=r[5], error=r[6],
            )
            for r in rows
        }

    def save_facts(self, facts: Iterable[Facts]) -> int:
        """Upsert facts, one transaction per batch; returns how many were given.

        Facts that say nothing (unknown, error) never replace facts that said
        something: a rate-limited refresh keeps the older, known facts (the
        pipeline fetches them again next time since they are stale).
        """
        count = 0
        for batch in chunks(facts, BATCH_ROWS // 5):
            count += len(batch)
            rows = {
                f.target_key: {
                    "target_key": f.target_key, "fetched_at": _utc(f.fetched_at), "status": f.status,
                    "canonical_key": f.canonical_key, "data": _json(f.data), "etag": f.etag, "error": f.error,
                }
                for f in batch
            }
            table = _table(rows.values(), _FACT_COLS)
            known = ", ".join(f"'{s}'" for s in KNOWN_FACT_STATUSES)
            self._write([
                ("INSERT INTO facts_history "
                 "SELECT b.target_key, b.fetched_at, b.status, b.canonical_key, b.data, b.error FROM _b b "
                 "LEFT JOIN facts f USING (target_key) "
                 f"WHERE b.status IN ({known}) AND (f.target_key IS NULL "
                 "OR f.status IS DISTINCT FROM b.status OR f.canonical_key IS DISTINCT FROM b.canonical_key) "
                 "ON CONFLICT DO NOTHING",
                 {"_b": table}),
                ("INSERT INTO facts SELECT * FROM _b ON CONFLICT (target_key) DO UPDATE SET "
                 "fetched_at = excluded.fetched_at, status = excluded.status, "
                 "canonical_key = excluded.canonical_key, data = excluded.data, etag = excluded.etag, "
                 "error = excluded.error "
                 f"WHERE excluded.status IN ({known}) OR facts.status NOT IN ({known})",
                 {"_b": table}),
            ])
        return count

    # ----------------------------------------------------------------- results and scores

    def save_outcomes(self, run_id: str, outcomes: Iterable[Any]) -> int:
        """Upsert check outcomes of a run; returns how many were given.

        An outcome is any object or mapping with paper_id, link_ordinal (None at
        paper scope), target_key ('' at paper scope), check and result (a
        models.Result, or status/score/reason/evidence directly).

        Rows are buffered and committed with the scores every
        :data:`FLUSH_ROWS` rows, before any read, at :meth:`finish_run` and at
        :meth:`close` (a commit per paper would cost ~10 ms each).
        """
        count = 0
        pending = self._pending_results
        for o in outcomes:
            count += 1
            result = _get(o, "result", None) or o
            ordinal = _get(o, "link_ordinal", None)
            row = {
                "run_id": run_id,
                "paper_id": _get(o, "paper_id"),
                "target_key": _get(o, "target_key", None) or "",
                "link_ordinal": PAPER_SCOPE_ORDINAL if ordinal is None else int(ordinal),
                "check_name": _get(o, "check", None) or _get(o, "check_name"),
                "status": _get(result, "status"),
                "score": _get(result, "score", None),
                "reason": _get(result, "reason", None),
                "evidence": _json(_get(result, "evidence", None)),
            }
            pending[(run_id, row["paper_id"], row["target_key"], row["link_ordinal"], row["check_name"])] = row
            if len(pending) >= FLUSH_ROWS:
                self.flush()
        return count

    def save_scores(self, run_id: str, paper_id: str, link_scores: Any, paper_score: Any) -> None:
        """Upsert one paper's link scores and its own score (target_key '', link_ordinal NULL).

        ``link_scores``: scoring.LinkScore objects (or mappings) with
        link_ordinal and target_key, or a mapping target_key -> score. A score
        has score, coverage (0-1), judged, applicable, and worst_check,
        worst_status, worst_reason (or top_reason); missing ones are NULL.
        Buffered like :meth:`save_outcomes`.
        """
        self.save_score_rows(run_id, _score_rows(paper_id, link_scores, paper_score))

    def save_score_rows(self, run_id: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Bulk variant of :meth:`save_scores`: mappings with paper_id, target_key,
        link_ordinal (None for the paper's own score) and the score fields."""
        pending = self._pending_scores
        for r in rows:
            ordinal = r.get("link_ordinal")
            row = {
                "run_id": run_id, "paper_id": r["paper_id"], "target_key": r.get("target_key") or "",
                "link_ordinal": PAPER_SCOPE_ORDINAL if ordinal is None else int(ordinal),
                **{k: r.get(k) for k in _SCORE_FIELDS},
            }
            pending[(run_id, row["paper_id"], row["target_key"], row["link_ordinal"])] = row
            if len(pending) >= FLUSH_ROWS:
                self.flush()

    def flush(self) -> None:
        """Commit buffered results and scores in one transaction (a no-op when none)."""
        results, scores = self._pending_results, self._pending_scores
        if not results and not scores:
            return
        members = [
            {"run_id": run_id, "paper_id": pid}
            for run_id, pid in {(r["run_id"], r["paper_id"]) for r in (*results.values(), *scores.values())}
        ]
        self._write([
            ("INSERT INTO results SELECT * FROM _b ON CONFLICT DO UPDATE SET "
             "status = excluded.status, score = excluded.score, reason = excluded.reason, "
             "evidence = excluded.evidence",
             {"_b": _table(results.values(), _RESULT_COLS)}),
            ("INSERT INTO scores SELECT * FROM _b ON CONFLICT DO UPDATE SET "
             + ", ".join(f"{c} = excluded.{c}" for c in _SCORE_FIELDS),
             {"_b": _table(scores.values(), _SCORE_COLS)}),
            ("INSERT INTO run_papers SELECT * FROM _b ON CONFLICT DO NOTHING",
             {"_b": _table(members, _RUN_PAPER_COLS)}),
        ])
        results.clear()
        scores.clear()

    def completed_pairs(self, run_id: str) -> set[tuple[str, str]]:
        """(paper_id, target_key) pairs that already have results in this run ('' = paper scope)."""
        return {(p, t) for p, t in self._rows(
            "SELECT DISTINCT paper_id, target_key FROM results WHERE run_id = ?", [run_id]
        )}

    def completed_papers(self, run_id: str) -> set[str]:
        """Papers whose own score is stored for this run: a resumed run can skip them whole."""
        return {r[0] for r in self._rows(
            "SELECT paper_id FROM scores WHERE run_id = ? AND target_key = '' AND link_ordinal = -1", [run_id]
        )}

    def outcomes_for_run(self, run_id: str, paper_ids: Iterable[str] | None = None) -> list[StoredOutcome]:
        """The stored results of a run (optionally of some papers), as outcomes."""
        sql = (
            "SELECT paper_id, link_ordinal, target_key, check_name, status, score, reason, evidence "
            "FROM results {join} WHERE run_id = ? ORDER BY paper_id, link_ordinal, check_name"
        )
        if paper_ids is None:
            rows = self._rows(sql.format(join=""), [run_id])
        else:
            rows = self._with_keys(paper_ids, sql.format(join="JOIN _keys ON key = paper_id"), [run_id])
        return [
            StoredOutcome(
                paper_id=r[0],
                link_ordinal=None if r[1] == PAPER_SCOPE_ORDINAL else r[1],
                target_key=r[2],
                check=r[3],
                result=Result(status=r[4], score=r[5], reason=r[6] or "", evidence=(json.loads(r[7]) if r[7] else None) or {}),
            )
            for r in rows
        ]

    # ----------------------------------------------------------------- report frames

    def resolve_run(self, run_id: str | None) -> str | None:
        """``run_id`` itself when stored, the latest run when None; AuditorError for an unknown id."""
        if run_id is None:
            return self.latest_run_id()
        if not self._rows("SELECT 1 FROM runs WHERE run_id = ?", [run_id]):
            raise AuditorError(f"no run {run_id!r} in {self.path}")
        return run_id

    def paper_scorecard(self, run_id: str) -> pd.DataFrame:
        """paper_scorecard_all for one run: worst score first, then title."""
        return self.query(
            "SELECT * FROM paper_scorecard_all WHERE run_id = ? "
            "ORDER BY score ASC NULLS LAST, n_fail DESC, title, paper_id",
            [run_id],
        )

    def link_scorecard(self, run_id: str) -> pd.DataFrame:
        """link_scorecard_all for one run, by paper, link and check."""
        return self.query(
            "SELECT * FROM link_scorecard_all WHERE run_id = ? ORDER BY paper_id, link_ordinal, check_name",
            [run_id],
        )

    def findings(self, run_id: str, statuses: Sequence[str] = ("fail", "warn"), limit: int | None = None) -> pd.DataFrame:
        """Results of a run with these statuses, worst first (fail before warn, low score first),
        link and paper scope alike (link_ordinal NULL at paper scope)."""
        return self.query(
            "SELECT res.paper_id, p.title, nullif(res.link_ordinal, -1) AS link_ordinal, res.target_key, l.url, "
            "res.check_name, res.status, res.score, res.reason "
            "FROM results res LEFT JOIN papers p USING (paper_id) "
            "LEFT JOIN links l ON l.paper_id = res.paper_id AND l.ordinal = res.link_ordinal "
            "WHERE res.run_id = ? AND list_contains(?, res.status) "
            f"ORDER BY {_STATUS_RANK.format(col='res.status')} DESC, res.score ASC NULLS LAST, "
            "res.paper_id, res.link_ordinal, res.check_name "
            + ("LIMIT ?" if limit is not None else ""),
            [run_id, list(statuses)] + ([int(limit)] if limit is not None else []),
        )

    def results_by_status(self, run_id: str) -> dict[str, int]:
        """How many results of the run have each status."""
        return {s: n for s, n in self._rows(
            "SELECT status, count(*) FROM results WHERE run_id = ? GROUP BY ALL ORDER BY 1", [run_id]
        )}

    def links_of_run(self, run_id: str) -> int:
        """How many links the run's papers hold."""
        return self._rows(
            "SELECT count(*) FROM links JOIN run_papers rp USING (paper_id) WHERE rp.run_id = ?", [run_id]
        )[0][0]

    def targets_by_status(self, run_id: str) -> dict[str, int]:
        """Distinct targets linked by the run's papers, by fact status ('uncollected' when none)."""
        rows = self._rows(
            "SELECT coalesce(f.status, 'uncollected') AS status, count(DISTINCT l.target_key) "
            "FROM links l JOIN run_papers rp USING (paper_id) LEFT JOIN facts f USING (target_key) "
            "WHERE rp.run_id = ? GROUP BY ALL ORDER BY 1",
            [run_id],
        )
        return {s: n for s, n in rows}


# --------------------------------------------------------------------------- pure helpers


def link_claim(link: Link, claims: Iterable[Claim]) -> str | None:
    """The strongest claim kind attached to the link's target, None when none is."""
    kinds = {c.kind for c in claims if c.target_key == link.target.key}
    return next((k for k in CLAIM_STRENGTH if k in kinds), None)


def _score_rows(paper_id: str, link_scores: Any, paper_score: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if isinstance(link_scores, Mapping):
        pairs = [(_get(v, "target_key", None) or k, v) for k, v in link_scores.items()]
    else:
        pairs = [(_get(v, "target_key"), v) for v in (link_scores or ())]
    for key, s in pairs:
        rows.append({"paper_id": paper_id, "target_key": key, "link_ordinal": _get(s, "link_ordinal", None),
                     **_score_fields(s)})
    if paper_score is not None:
        rows.append({"paper_id": paper_id, "target_key": "", "link_ordinal": None, **_score_fields(paper_score)})
    return rows


def _score_fields(s: Any) -> dict[str, Any]:
    fields = {k: _get(s, k, None) for k in _SCORE_FIELDS}
    if fields["top_reason"] is None:  # scoring.LinkScore/PaperScore call it worst_reason
        fields["top_reason"] = _get(s, "worst_reason", None)
    return fields


_MISSING = object()


def _get(obj: Any, name: str, default: Any = _MISSING) -> Any:
    """Attribute or key ``name`` of a dataclass/object/mapping."""
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
    else:
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING:
            return value
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
    if default is _MISSING:
        raise TypeError(f"{type(obj).__name__} has no {name!r}")
    return default


def _table(rows: Iterable[Mapping[str, Any]], cols: Mapping[str, pa.DataType]) -> pa.Table:
    rows = list(rows)
    return pa.table(
        {name: pa.array([r.get(name) for r in rows], type=typ) for name, typ in cols.items()},
    )


def _json(value: Any) -> str:
    if value is None or (isinstance(value, Mapping) and not value):
        return "{}"  # the common case, and "no data" reads back as an empty mapping
    if is_dataclass(value) and not isinstance(value, type):
        from dataclasses import asdict

        value = asdict(value)
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def _utc(value: datetime) -> datetime:
    """An aware UTC datetime (naive ones are taken as UTC; DuckDB hands back pytz zones)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _one_line(text: str) -> str:
    return " ".join(text.split())
