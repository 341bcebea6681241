"""Runs: when each started and ended, with which options, and which papers it covered."""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable, Iterator, Mapping

import duckdb

from auditor import __version__
from auditor.errors import AuditorError
from auditor.store.core import S, Db, one_line, utc

#: Statuses of a run.
RUN_STATUSES = ("running", "done", "partial", "interrupted", "failed")

TABLES = [
    """CREATE TABLE IF NOT EXISTS runs (
        run_id VARCHAR PRIMARY KEY,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        tool_version VARCHAR,
        options JSON,
        status VARCHAR NOT NULL,
        as_of DATE,
        notes JSON  -- why the run's results are partial: a list of one-line reasons
    )""",
    # columns added since the table was first made: files written before gain them (NULL)
    "ALTER TABLE runs ADD COLUMN IF NOT EXISTS notes JSON",
    # Which papers a run covered (a dump read again in a later run keeps its
    # sightings' first run_id, so membership needs its own table).
    """CREATE TABLE IF NOT EXISTS run_papers (
        run_id VARCHAR NOT NULL,
        paper_id VARCHAR NOT NULL,
        set_id BIGINT,  -- the paper's results and scores in this run (results_stored.set_id)
        PRIMARY KEY (run_id, paper_id)
    )""",
]

RUN_PAPER_COLS = {"run_id": S, "paper_id": S}

COLUMNS = {"run_papers": tuple(RUN_PAPER_COLS)}


@dataclass(frozen=True)
class RunInfo:
    run_id: str
    started_at: datetime
    finished_at: datetime | None
    tool_version: str | None
    options: Mapping[str, Any] = field(default_factory=dict)
    status: str = "running"
    as_of: date | None = None
    notes: tuple[str, ...] = ()  # why the results are partial, one line each


class Runs:
    """The runs table."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def start_run(self, options: Mapping[str, Any], as_of: date) -> str:
        """Record a new run (status 'running') and return its id, e.g. ``20261123T150102Z-3fa9c1``.

        ``options`` is stored as given (JSON): the CLI strips secrets before.
        """
        now = datetime.now(timezone.utc)
        con = self.db.con
        # We hold the file's lock, so a run still 'running' was killed before it could say so.
        con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
        run_id = f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
        con.execute(
            "INSERT INTO runs (run_id, started_at, finished_at, tool_version, options, status, as_of) "
            "VALUES (?, ?, NULL, ?, ?, 'running', ?)",
            [run_id, now, __version__, json.dumps(dict(options), default=str, sort_keys=True), as_of],
        )
        return run_id

    def finish_run(self, run_id: str, status: str, notes: Iterable[str] | None = None) -> None:
        """Set the run's final status and end time (and, for a partial run, why).

        A run that ends failed or interrupted is recorded so even when its buffered results
        cannot be committed (a COMMIT that fails, the error the run may be ending on): those are
        dropped, not tried again at close, where the same failure would hide the run's own error
        (a resumed run checks their papers again)."""
        if status not in RUN_STATUSES:
            raise ValueError(f"run status must be one of {RUN_STATUSES}, got {status!r}")
        try:
            self.db.flush()
        except duckdb.Error as exc:
            if status not in ("failed", "interrupted"):
                raise
            self.db.discard()
            notes = [*(notes or ()), f"its last results could not be committed: {one_line(str(exc))}"]
        self.db.con.execute(
            "UPDATE runs SET status = ?, finished_at = ?, notes = coalesce(?, notes) WHERE run_id = ?",
            [status, datetime.now(timezone.utc), json.dumps(list(notes)) if notes else None, run_id],
        )

    @contextmanager
    def ending_on_error(self, run_id: str) -> Iterator[None]:
        """End the run ``interrupted`` (Ctrl-C, SIGTERM) or ``failed`` (any other error, quoted
        in its notes) when the block raises, then let the error go on: what every command that
        starts a run does, so that no run stays ``running`` until the next one finds it.

        Recording the end must not hide the error itself: a database that refuses every write
        after a failed commit leaves the run ``running`` (the next run marks it interrupted)."""
        try:
            yield
        except BaseException as exc:
            status, note = _ending(exc)
            try:
                self.finish_run(run_id, status, notes=[note])
            except duckdb.Error:
                pass
            raise

    def run_info(self, run_id: str) -> RunInfo | None:
        rows = self.db.rows(
            "SELECT run_id, started_at, finished_at, tool_version, options, status, as_of, notes FROM runs WHERE run_id = ?",
            [run_id],
        )
        if not rows:
            return None
        r = rows[0]
        return RunInfo(
            run_id=r[0],
            started_at=utc(r[1]),
            finished_at=utc(r[2]) if r[2] is not None else None,
            tool_version=r[3],
            options=json.loads(r[4]) if r[4] else {},
            status=r[5],
            as_of=r[6],
            notes=tuple(json.loads(r[7])) if r[7] else (),
        )

    def latest_run_id(self, statuses: Iterable[str] | None = None) -> str | None:
        """The id of the most recently started run (optionally among these statuses)."""
        if statuses is None:
            rows = self.db.rows("SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1")
        else:
            rows = self.db.rows(
                "SELECT run_id FROM runs WHERE list_contains(?, status) ORDER BY started_at DESC, run_id DESC LIMIT 1",
                [list(statuses)],
            )
        return rows[0][0] if rows else None

    def latest_finished_audit(self) -> str | None:
        """The latest `audit run` that finished (done or partial): what a report shows by default."""
        rows = self.db.rows(
            "SELECT run_id FROM runs WHERE status IN ('done', 'partial') "
            "AND coalesce(json_extract_string(options, '$.command'), 'run') <> 'extract' "
            "ORDER BY started_at DESC, run_id DESC LIMIT 1"
        )
        return rows[0][0] if rows else None

    def resolve_run(self, run_id: str | None) -> str | None:
        """``run_id`` itself when stored, the latest run when None; AuditorError for an unknown id."""
        if run_id is None:
            return self.latest_run_id()
        if not self.db.rows("SELECT 1 FROM runs WHERE run_id = ?", [run_id]):
            raise AuditorError(f"no run {run_id!r} in {self.db.path}")
        return run_id


def _ending(exc: BaseException) -> tuple[str, str]:
    """The status and the one-line note of a run that ``exc`` ended."""
    from auditor.redaction import redact
    from auditor.signals import terminated

    again = "run the same command again to finish"
    if isinstance(exc, BrokenPipeError):  # `audit extract --db ... | head`: the reader left early
        return "interrupted", f"the run's output was closed before the end: {again}"
    if isinstance(exc, KeyboardInterrupt):
        how = "terminated (SIGTERM)" if terminated() else "interrupted (Ctrl-C)"
        return "interrupted", f"the run was {how}: {again}"
    # an error's text can quote what a server sent: redacted like everything stored
    text = one_line(str(exc))[:300] or type(exc).__name__
    return "failed", f"the run failed: {redact(text)}; {again}"
