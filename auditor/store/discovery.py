"""What each discovery source did for each paper of a run (table ``discovery``).

The paper-scope checks (``code_linked``, ``links_agree``) read it from
``Paper.discovery`` and ``Paper.declared``; stored per run, so ``audit merge``
of shards judges them from what the shards recorded, as one unsharded run
would. A file written before this table existed gets it (empty) when opened
(``CREATE TABLE IF NOT EXISTS``); its runs have no rows, and a merge of such
shards leaves ``code_linked`` at ``skip`` ("no record of the other sources").
"""

from __future__ import annotations

from typing import Iterable

import pyarrow as pa

from auditor.discover import SOURCES
from auditor.models import Paper
from auditor.redaction import redact
from auditor.store.core import BATCH_ROWS, S, Db

TABLES = [
    """CREATE TABLE IF NOT EXISTS discovery (
        run_id VARCHAR NOT NULL,
        paper_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,  -- abstract, comments, hf_paper, github_search
        outcome VARCHAR NOT NULL,  -- searched, not_indexed, or why not: 'unknown: ...', 'no_id: ...', 'not_searched: ...', 'absent: ...'
        found VARCHAR[],  -- target keys of the repositories this source declared for the paper
        PRIMARY KEY (run_id, paper_id, source)
    )""",
]
COLUMNS = {"discovery": ("run_id", "paper_id", "source", "outcome", "found")}
_TYPES = pa.schema([("run_id", S), ("paper_id", S), ("source", S), ("outcome", S), ("found", pa.list_(S))])


def rows_of(run_id: str, papers: Iterable[Paper]) -> list[dict[str, object]]:
    """Pure: one row per paper and source the run used."""
    out: list[dict[str, object]] = []
    for paper in papers:
        for source, outcome in paper.discovery:
            found = [key for s, key in paper.declared if s == source]
            # An outcome may quote what a server said ("unknown: HTTP 503 ..."): redacted like facts' errors.
            out.append({"run_id": run_id, "paper_id": paper.paper_id, "source": source, "outcome": redact(outcome),
                        "found": found})
    return out


class DiscoveryTable:
    """Writes and reads ``discovery``."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def save_discovery(self, run_id: str, papers: Iterable[Paper]) -> None:
        """Replace what is stored for these papers in this run (a resumed run writes it again)."""
        rows = rows_of(run_id, papers)
        for start in range(0, len(rows), BATCH_ROWS):
            batch = pa.Table.from_pylist(rows[start:start + BATCH_ROWS], schema=_TYPES)
            self.db.write([("INSERT OR REPLACE INTO discovery BY NAME SELECT * FROM _b", {"_b": batch})])

    def discovery_for_run(self, run_id: str) -> dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]]:
        """paper_id -> (outcomes, declared) as ``Paper.discovery`` and ``Paper.declared`` hold them."""
        return _folded(self.db.rows(
            "SELECT paper_id, source, outcome, found FROM discovery WHERE run_id = ? "
            "ORDER BY paper_id, coalesce(list_position(?, source), 99), source", [run_id, list(SOURCES)]
        ))

    def discovery_of(self, run_id: str, paper_ids: Iterable[str]
                     ) -> dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]]:
        """:meth:`discovery_for_run` for these papers only (a run's batch)."""
        return _folded(self.db.with_keys(
            paper_ids,
            "SELECT paper_id, source, outcome, found FROM discovery JOIN _keys ON key = paper_id WHERE run_id = ? "
            "ORDER BY paper_id, coalesce(list_position(?, source), 99), source", [run_id, list(SOURCES)]
        ))

    def discovery_counts(self, run_id: str) -> dict[str, dict[str, int]]:
        """source -> {outcome kind: papers} for a run ("searched", "not_indexed", "unknown", "no_id", ...)."""
        rows = self.db.rows(
            "SELECT source, split_part(outcome, ':', 1) AS kind, count(*) FROM discovery WHERE run_id = ? "
            "AND source <> 'abstract' GROUP BY source, kind", [run_id])
        order = {s: i for i, s in enumerate(SOURCES)}
        out: dict[str, dict[str, int]] = {}
        for source, kind, n in sorted(rows, key=lambda r: (order.get(r[0], len(order)), r[0], r[1])):
            out.setdefault(source, {})[kind] = int(n)
        return out


def _folded(rows: Iterable[tuple]) -> dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]]:
    outcomes: dict[str, list[tuple[str, str]]] = {}
    declared: dict[str, list[tuple[str, str]]] = {}
    for pid, source, outcome, found in rows:
        outcomes.setdefault(pid, []).append((source, outcome))
        declared.setdefault(pid, []).extend((source, key) for key in found or [])
    return {pid: (tuple(o), tuple(declared.get(pid, ()))) for pid, o in outcomes.items()}
