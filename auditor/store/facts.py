"""What was collected about each target: facts (the latest) and facts_history (the changes)."""

from __future__ import annotations

import json
from typing import Iterable

from auditor.iterutil import chunks
from auditor.models import Facts
from auditor.store.core import BATCH_ROWS, S, TS, Db, table, to_json, utc

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
            rows = {
                f.target_key: {
                    "target_key": f.target_key, "fetched_at": utc(f.fetched_at), "status": f.status,
                    "canonical_key": f.canonical_key, "data": to_json(f.data), "etag": f.etag, "error": f.error,
                }
                for f in batch
            }
            batch_t = table(rows.values(), FACT_COLS)
            known = ", ".join(f"'{s}'" for s in KNOWN_FACT_STATUSES)
            self.db.write([
                ("INSERT INTO facts_history "
                 "SELECT b.target_key, b.fetched_at, b.status, b.canonical_key, b.data, b.error FROM _b b "
                 "LEFT JOIN facts f USING (target_key) "
                 f"WHERE b.status IN ({known}) AND (f.target_key IS NULL "
                 "OR f.status IS DISTINCT FROM b.status OR f.canonical_key IS DISTINCT FROM b.canonical_key) "
                 "ON CONFLICT DO NOTHING",
                 {"_b": batch_t}),
                ("INSERT INTO facts SELECT * FROM _b ON CONFLICT (target_key) DO UPDATE SET "
                 "fetched_at = excluded.fetched_at, status = excluded.status, "
                 "canonical_key = excluded.canonical_key, data = excluded.data, etag = excluded.etag, "
                 "error = excluded.error "
                 f"WHERE excluded.status IN ({known}) OR facts.status NOT IN ({known})",
                 {"_b": batch_t}),
            ])
        return count
