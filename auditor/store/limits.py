"""Rate limits known to be spent, kept across runs: a new process must not ask a host whose
budget an earlier run saw spent, until the time the host announced for its reset."""

from __future__ import annotations

from datetime import datetime, timezone

from auditor.store.core import Db, utc

TABLES = [
    # One row per API and client (for GitHub: the API's URL and "anonymous"; never a token).
    """CREATE TABLE IF NOT EXISTS rate_limits (
        api VARCHAR NOT NULL,
        client VARCHAR NOT NULL,
        reset_at TIMESTAMPTZ NOT NULL,  -- the budget is spent until then
        noted_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (api, client)
    )""",
]

COLUMNS: dict[str, tuple[str, ...]] = {}


class RateLimits:
    """The rate_limits table."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def note_spent_budget(self, api: str, client: str, reset_at: datetime) -> None:
        """``client``'s budget at ``api`` is spent until ``reset_at``."""
        self.db.flush()
        self.db.con.execute(
            "INSERT INTO rate_limits VALUES (?, ?, ?, ?) ON CONFLICT (api, client) DO UPDATE SET "
            "reset_at = excluded.reset_at, noted_at = excluded.noted_at",
            [api, client, utc(reset_at), datetime.now(timezone.utc)],
        )

    def spent_budget_reset(self, api: str, client: str) -> datetime | None:
        """When ``client``'s budget at ``api`` was last noted spent, its reset; None if never."""
        rows = self.db.rows("SELECT reset_at FROM rate_limits WHERE api = ? AND client = ?", [api, client])
        return utc(rows[0][0]) if rows else None
