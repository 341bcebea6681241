"""What was collected about each target: facts (the latest) and facts_history (the changes)."""

from __future__ import annotations

import json
from typing import Any, Iterable

from auditor.iterutil import chunks
from auditor.models import Facts
from auditor.redaction import redact
from auditor.store.core import BATCH_ROWS, I, S, TS, Db, table, to_json, transaction, utc

#: Fact statuses that say something about the target (Facts.known).
KNOWN_FACT_STATUSES = ("ok", "moved", "not_found", "blocked")

TABLES = [
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
    # Facts collected and not yet merged (see FactsTable.stage_facts): empty between runs;
    # a killed run's rows are merged when the file is next opened.
    """CREATE TABLE IF NOT EXISTS facts_staged AS SELECT *, 0::BIGINT AS seq FROM facts LIMIT 0""",
]

FACT_COLS = {
    "target_key": S, "fetched_at": TS, "status": S, "canonical_key": S, "data": S,
    "etag": S, "error": S,
}

COLUMNS = {"facts": tuple(FACT_COLS)}


class FactsTable:
    """Facts per target, and the history of their changes."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def load_facts(self, keys: Iterable[str]) -> dict[str, Facts]:
        """The latest stored facts of these targets (absent keys: never collected)."""
        rows = self.db.with_keys(
            keys,
            "SELECT target_key, status, fetched_at, data, canonical_key, etag, error "
            "FROM facts JOIN _keys ON key = target_key",
        )
        return {
            r[0]: Facts(
                target_key=r[0], status=r[1], fetched_at=utc(r[2]), data=(json.loads(r[3]) if r[3] else None) or {},
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
            rows = {f.target_key: fact_row(f) for f in batch}
            self.db.write([(sql.format(src="_b"), {"_b": table(rows.values(), FACT_COLS)}) for sql in _MERGE])
        return count

    def stage_facts(self, facts: Iterable[Facts]) -> int:
        """Append facts to ``facts_staged`` (no keys: the cost per fact does not grow with the
        tables); :meth:`merge_staged_facts` applies them as :meth:`save_facts` would."""
        rows = [fact_row(f) for f in facts]
        if rows:
            ((seq,),) = self.db.con.execute("SELECT coalesce(max(seq), 0) FROM facts_staged").fetchall()
            for i, row in enumerate(rows, start=seq + 1):
                row["seq"] = i
            self.db.write([("INSERT INTO facts_staged BY NAME SELECT * FROM _b",
                            {"_b": table(rows, {**FACT_COLS, "seq": I})})])
        return len(rows)

    def merge_staged_facts(self) -> int:
        """Apply the staged facts in one transaction (one join against facts, whatever their
        number) and empty the staging table; returns how many targets they covered."""
        con = self.db.con
        ((waiting,),) = con.execute("SELECT count(*) FROM facts_staged").fetchall()
        if not waiting:
            return 0
        # Per target the last staged facts that said something, else the last ones.
        src = ("(SELECT * EXCLUDE (seq) FROM facts_staged QUALIFY row_number() OVER ("
               f"PARTITION BY target_key ORDER BY (status IN ({_KNOWN})) DESC, seq DESC) = 1)")
        with transaction(con):
            con.execute(f"CREATE OR REPLACE TEMP TABLE _staged AS SELECT * FROM {src}")
            for sql in _MERGE:
                con.execute(sql.format(src="_staged"))
            ((n,),) = con.execute("SELECT count(*) FROM _staged").fetchall()
            con.execute("DROP TABLE _staged")
            con.execute("DELETE FROM facts_staged")
        return n


def fact_row(f: Facts) -> dict[str, Any]:
    return {
        "target_key": f.target_key, "fetched_at": utc(f.fetched_at), "status": f.status,
        # What a server said is redacted here too, whoever collected it (staged or saved).
        "canonical_key": f.canonical_key, "data": redact(to_json(f.data)),
        "etag": redact(f.etag) if f.etag else f.etag, "error": redact(f.error) if f.error else f.error,
    }


_KNOWN = ", ".join(f"'{s}'" for s in KNOWN_FACT_STATUSES)

#: How a batch of facts ({src}: one row per target) is applied: a history row when the status
#: or canonical key changed, then the upsert that never lets facts saying nothing replace facts.
_MERGE = [
    "INSERT INTO facts_history "
    "SELECT b.target_key, b.fetched_at, b.status, b.canonical_key, b.data, b.error FROM {src} b "
    "LEFT JOIN facts f USING (target_key) "
    f"WHERE b.status IN ({_KNOWN}) AND (f.target_key IS NULL "
    "OR f.status IS DISTINCT FROM b.status OR f.canonical_key IS DISTINCT FROM b.canonical_key) "
    "ON CONFLICT DO NOTHING",
    "INSERT INTO facts BY NAME SELECT * FROM {src} ON CONFLICT (target_key) DO UPDATE SET "
    "fetched_at = excluded.fetched_at, status = excluded.status, "
    "canonical_key = excluded.canonical_key, data = excluded.data, etag = excluded.etag, "
    "error = excluded.error "
    f"WHERE excluded.status IN ({_KNOWN}) OR facts.status NOT IN ({_KNOWN})",
]
