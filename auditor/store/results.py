"""What each run found: results (one per check and link or paper) and scores.

Rows are buffered and committed together every :data:`FLUSH_ROWS` rows and
before any read (a commit per paper would cost ~10 ms each).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from auditor.errors import AuditorError
from auditor.models import Result
from auditor.redaction import redact
from auditor.store.core import F, I, S, Db, get, table, to_json

#: Buffered results + scores committed together once this many are waiting.
FLUSH_ROWS = 10_000

#: ``results.link_ordinal`` of a paper-scope result (DuckDB keys cannot hold NULL);
#: the views show it as NULL.
PAPER_SCOPE_ORDINAL = -1

# What a run found for a paper is stored once per distinct content: ``results_stored`` and
# ``scores_stored`` hold each paper's rows under a ``set_id`` (a hash of them), and
# ``run_papers.set_id`` says which set each run found. A weekly re-run that finds the same
# thing for a paper adds one run_papers row, not its results again. ``results`` and ``scores``
# are views with the run_id, as the tables were before (schema 1).
TABLES = [
    """CREATE TABLE IF NOT EXISTS results_stored (
        set_id BIGINT NOT NULL,
        paper_id VARCHAR NOT NULL,
        target_key VARCHAR NOT NULL,
        link_ordinal INTEGER NOT NULL,
        check_name VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        score DOUBLE,
        reason VARCHAR,
        evidence JSON
    )""",
    # One row per scored link (two links to one target are scored apart) and
    # one per paper (target_key '', link_ordinal -1).
    """CREATE TABLE IF NOT EXISTS scores_stored (
        set_id BIGINT NOT NULL,
        paper_id VARCHAR NOT NULL,
        target_key VARCHAR NOT NULL,
        link_ordinal INTEGER NOT NULL,
        score DOUBLE,
        coverage DOUBLE,
        judged INTEGER,
        applicable INTEGER,
        worst_check VARCHAR,
        worst_status VARCHAR,
        top_reason VARCHAR
    )""",
]

VIEWS = [
    """CREATE OR REPLACE VIEW results AS
    SELECT rp.run_id, r.* EXCLUDE (set_id) FROM run_papers rp JOIN results_stored r USING (set_id)""",
    """CREATE OR REPLACE VIEW scores AS
    SELECT rp.run_id, s.* EXCLUDE (set_id) FROM run_papers rp JOIN scores_stored s USING (set_id)""",
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

COLUMNS = {
    "results_stored": ("set_id", *RESULT_COLS.keys() - {"run_id"}),
    "scores_stored": ("set_id", *SCORE_COLS.keys() - {"run_id"}),
}


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
        db.on_discard.append(self.discard)

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
                "reason": _redacted(get(result, "reason", None)),  # reasons may quote a server
                "evidence": redact(to_json(get(result, "evidence", None))),
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
            row["top_reason"] = _redacted(row["top_reason"])
            pending[(run_id, row["paper_id"], row["target_key"], row["link_ordinal"])] = row
            if len(pending) >= FLUSH_ROWS:
                self.flush()

    def discard(self) -> None:
        """Forget the buffered results and scores (a failed run's that could not be committed)."""
        self._pending_results.clear()
        self._pending_scores.clear()

    def flush(self) -> None:
        """Commit buffered results and scores in one transaction (a no-op when none).

        Rows are grouped by (run, paper); a paper that already has rows in this run
        (a resumed run, or a paper flushed in two parts) has them merged in first.
        Each paper's rows get a set id, the hash of their content; a set already
        stored (the previous run found the same) is not written again.
        """
        results, scores = self._pending_results, self._pending_scores
        if not results and not scores:
            return
        groups: dict[tuple[str, str], tuple[dict[tuple, dict], dict[tuple, dict]]] = {}
        for key, row in results.items():
            groups.setdefault((row["run_id"], row["paper_id"]), ({}, {}))[0][key[2:]] = row
        for key, row in scores.items():
            groups.setdefault((row["run_id"], row["paper_id"]), ({}, {}))[1][key[2:]] = row
        self._merge_stored(groups)
        sets: dict[int, tuple[list[dict], list[dict]]] = {}
        members: list[dict[str, Any]] = []
        for (run_id, paper_id), (res, sco) in groups.items():
            set_id = _set_id(paper_id, res, sco)
            sets[set_id] = (list(res.values()), list(sco.values()))
            members.append({"run_id": run_id, "paper_id": paper_id, "set_id": set_id})
        have = {r[0] for r in self.db.con.execute(
            "SELECT DISTINCT set_id FROM run_papers WHERE set_id IN (SELECT unnest(?))", [list(sets)]
        ).fetchall()}
        new = [(sid, rows) for sid, rows in sets.items() if sid not in have]
        result_rows = [{**r, "set_id": sid} for sid, (res, _) in new for r in res]
        score_rows = [{**r, "set_id": sid} for sid, (_, sco) in new for r in sco]
        self.db.write([
            ("INSERT INTO results_stored BY NAME SELECT * EXCLUDE (run_id) FROM _b",
             {"_b": table(result_rows, {**RESULT_COLS, "set_id": I})}),
            ("INSERT INTO scores_stored BY NAME SELECT * EXCLUDE (run_id) FROM _b",
             {"_b": table(score_rows, {**SCORE_COLS, "set_id": I})}),
            ("INSERT INTO run_papers BY NAME SELECT * FROM _b ON CONFLICT DO UPDATE SET set_id = excluded.set_id",
             {"_b": table(members, {"run_id": S, "paper_id": S, "set_id": I})}),
        ])
        results.clear()
        scores.clear()

    def _merge_stored(self, groups: dict[tuple[str, str], tuple[dict, dict]]) -> None:
        """Add to each group the rows its (run, paper) already has stored, unless pending replaces them."""
        keys = [{"run_id": r, "paper_id": p} for r, p in groups]
        con = self.db.con
        con.register("_g", table(keys, {"run_id": S, "paper_id": S}))
        try:
            families = (  # (stored table, its columns, slot in the group, row key)
                ("results_stored", RESULT_COLS, 0, lambda row: (row["target_key"], row["link_ordinal"], row["check_name"])),
                ("scores_stored", SCORE_COLS, 1, lambda row: (row["target_key"], row["link_ordinal"])),
            )
            for stored, cols, slot, key in families:
                found = con.execute(
                    "SELECT rp.run_id, s.* EXCLUDE (set_id) FROM run_papers rp JOIN _g USING (run_id, paper_id) "
                    f"JOIN {stored} s USING (set_id)"
                ).fetchall()
                for values in found:
                    row = dict(zip(cols, values))
                    groups[(row["run_id"], row["paper_id"])][slot].setdefault(key(row), row)
        finally:
            con.unregister("_g")

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


def migrate_from_v1(con: Any, path: str) -> None:
    """Schema 1 kept results and scores per run in tables of those names: move them under set ids
    (one set per run and paper), then drop them so that the views can take their names."""
    con.execute("ALTER TABLE run_papers ADD COLUMN IF NOT EXISTS set_id BIGINT")
    have: dict[str, set[str]] = {}
    for t, c in con.execute(
        "SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t "
        "USING (schema_name, table_name) WHERE schema_name = 'main' AND table_name IN ('results', 'scores')"
    ).fetchall():
        have.setdefault(t, set()).add(c)
    old = [(name, cols) for name, cols in (("results", RESULT_COLS), ("scores", SCORE_COLS)) if name in have]
    for name, cols in old:
        missing = [c for c in cols if c not in have[name]]
        if missing:
            raise AuditorError(
                f"{path} was written by an incompatible repro-auditor (table {name} lacks "
                f"{', '.join(missing)}): move it away or use another --db"
            )
    if not old:
        return
    sid = "(hash(run_id || '/' || paper_id) >> 1)::BIGINT"
    pairs = " UNION ".join(f"SELECT run_id, paper_id FROM {name}" for name, _ in old)
    for view in ("link_scorecard", "paper_scorecard", "link_scorecard_all", "paper_scorecard_all"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    con.execute(f"INSERT INTO run_papers (run_id, paper_id) {pairs} ON CONFLICT DO NOTHING")
    con.execute(f"UPDATE run_papers SET set_id = {sid} WHERE (run_id, paper_id) IN ({pairs})")
    for name, cols in old:
        con.execute(f"INSERT INTO {name}_stored BY NAME SELECT {sid} AS set_id, * EXCLUDE (run_id) FROM {name}")
        con.execute(f"DROP TABLE {name}")


def _set_id(paper_id: str, results: Mapping[tuple, Mapping[str, Any]], scores: Mapping[tuple, Mapping[str, Any]]) -> int:
    """A signed 64-bit hash of a paper's rows (run_id left out), the same in every process."""
    canon = json.dumps(
        [paper_id,
         sorted((list(k), [r.get(c) for c in RESULT_COLS if c != "run_id"]) for k, r in results.items()),
         sorted((list(k), [r.get(c) for c in SCORE_COLS if c != "run_id"]) for k, r in scores.items())],
        default=str, separators=(",", ":"),
    )
    return int.from_bytes(hashlib.blake2b(canon.encode(), digest_size=8).digest(), "big", signed=True)


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


def _redacted(text: object) -> object:
    return redact(text) if isinstance(text, str) else text
