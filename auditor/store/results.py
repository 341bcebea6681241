"""What each run found: results (one per check and link or paper) and scores.

Rows are buffered and committed together every :data:`FLUSH_ROWS` rows and
before any read (a commit per paper would cost ~10 ms each).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from auditor.models import Result
from auditor.store.core import F, I, S, Db, get, table, to_json
from auditor.store.runs import RUN_PAPER_COLS

#: Buffered results + scores committed together once this many are waiting.
FLUSH_ROWS = 10_000

#: ``results.link_ordinal`` of a paper-scope result (DuckDB keys cannot hold NULL);
#: the views show it as NULL.
PAPER_SCOPE_ORDINAL = -1

TABLES = [
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

RESULT_COLS = {
    "run_id": S, "paper_id": S, "target_key": S, "link_ordinal": I, "check_name": S,
    "status": S, "score": F, "reason": S, "evidence": S,
}
SCORE_FIELDS = ("score", "coverage", "judged", "applicable", "worst_check", "worst_status", "top_reason")
SCORE_COLS = {
    "run_id": S, "paper_id": S, "target_key": S, "link_ordinal": I, "score": F, "coverage": F,
    "judged": I, "applicable": I, "worst_check": S, "worst_status": S, "top_reason": S,
}

COLUMNS = {"results": tuple(RESULT_COLS), "scores": tuple(SCORE_COLS)}


@dataclass(frozen=True)
class StoredOutcome:
    """A result read back from the store; duck-compatible with evaluate.CheckOutcome."""

    paper_id: str
    link_ordinal: int | None
    target_key: str  # '' for paper scope
    check: str
    result: Result


class Results:
    """Check results and scores of runs, buffered."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self._pending_results: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._pending_scores: dict[tuple[Any, ...], dict[str, Any]] = {}
        db.before_read.append(self.flush)

    def save_outcomes(self, run_id: str, outcomes: Iterable[Any]) -> int:
        """Upsert check outcomes of a run; returns how many were given.

        An outcome is any object or mapping with paper_id, link_ordinal (None at
        paper scope), target_key ('' at paper scope), check and result (a
        models.Result, or status/score/reason/evidence directly).

        Rows are buffered and committed with the scores every
        :data:`FLUSH_ROWS` rows, before any read, at finish_run and at close.
        """
        count = 0
        pending = self._pending_results
        for o in outcomes:
            count += 1
            result = get(o, "result", None) or o
            ordinal = get(o, "link_ordinal", None)
            row = {
                "run_id": run_id,
                "paper_id": get(o, "paper_id"),
                "target_key": get(o, "target_key", None) or "",
                "link_ordinal": PAPER_SCOPE_ORDINAL if ordinal is None else int(ordinal),
                "check_name": get(o, "check", None) or get(o, "check_name"),
                "status": get(result, "status"),
                "score": get(result, "score", None),
                "reason": get(result, "reason", None),
                "evidence": to_json(get(result, "evidence", None)),
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
        self.save_score_rows(run_id, score_rows(paper_id, link_scores, paper_score))

    def save_score_rows(self, run_id: str, rows: Iterable[Mapping[str, Any]]) -> None:
        """Bulk variant of :meth:`save_scores`: mappings with paper_id, target_key,
        link_ordinal (None for the paper's own score) and the score fields."""
        pending = self._pending_scores
        for r in rows:
            ordinal = r.get("link_ordinal")
            row = {
                "run_id": run_id, "paper_id": r["paper_id"], "target_key": r.get("target_key") or "",
                "link_ordinal": PAPER_SCOPE_ORDINAL if ordinal is None else int(ordinal),
                **{k: r.get(k) for k in SCORE_FIELDS},
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
        self.db.write([
            ("INSERT INTO results SELECT * FROM _b ON CONFLICT DO UPDATE SET "
             "status = excluded.status, score = excluded.score, reason = excluded.reason, "
             "evidence = excluded.evidence",
             {"_b": table(results.values(), RESULT_COLS)}),
            ("INSERT INTO scores SELECT * FROM _b ON CONFLICT DO UPDATE SET "
             + ", ".join(f"{c} = excluded.{c}" for c in SCORE_FIELDS),
             {"_b": table(scores.values(), SCORE_COLS)}),
            ("INSERT INTO run_papers SELECT * FROM _b ON CONFLICT DO NOTHING",
             {"_b": table(members, RUN_PAPER_COLS)}),
        ])
        results.clear()
        scores.clear()

    def completed_pairs(self, run_id: str) -> set[tuple[str, str]]:
        """(paper_id, target_key) pairs that already have results in this run ('' = paper scope)."""
        return {(p, t) for p, t in self.db.rows(
            "SELECT DISTINCT paper_id, target_key FROM results WHERE run_id = ?", [run_id]
        )}

    def completed_papers(self, run_id: str) -> set[str]:
        """Papers whose own score is stored for this run: a resumed run can skip them whole."""
        return {r[0] for r in self.db.rows(
            "SELECT paper_id FROM scores WHERE run_id = ? AND target_key = '' AND link_ordinal = -1", [run_id]
        )}

    def outcomes_for_run(self, run_id: str, paper_ids: Iterable[str] | None = None) -> list[StoredOutcome]:
        """The stored results of a run (optionally of some papers), as outcomes."""
        sql = (
            "SELECT paper_id, link_ordinal, target_key, check_name, status, score, reason, evidence "
            "FROM results {join} WHERE run_id = ? ORDER BY paper_id, link_ordinal, check_name"
        )
        if paper_ids is None:
            rows = self.db.rows(sql.format(join=""), [run_id])
        else:
            rows = self.db.with_keys(paper_ids, sql.format(join="JOIN _keys ON key = paper_id"), [run_id])
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


def score_rows(paper_id: str, link_scores: Any, paper_score: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if isinstance(link_scores, Mapping):
        pairs = [(get(v, "target_key", None) or k, v) for k, v in link_scores.items()]
    else:
        pairs = [(get(v, "target_key"), v) for v in (link_scores or ())]
    for key, s in pairs:
        rows.append({"paper_id": paper_id, "target_key": key, "link_ordinal": get(s, "link_ordinal", None),
                     **_score_fields(s)})
    if paper_score is not None:
        rows.append({"paper_id": paper_id, "target_key": "", "link_ordinal": None, **_score_fields(paper_score)})
    return rows


def _score_fields(s: Any) -> dict[str, Any]:
    fields = {k: get(s, k, None) for k in SCORE_FIELDS}
    if fields["top_reason"] is None:  # scoring.LinkScore/PaperScore call it worst_reason
        fields["top_reason"] = get(s, "worst_reason", None)
    return fields
