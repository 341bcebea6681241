"""Bulk loading for `audit extract --db`: append to keyless staging tables, merge once.

Why not upsert per batch (what :meth:`Papers.add_records` does): each
``INSERT ... ON CONFLICT`` probes the keys of the whole table, so the cost per
record grows with the table (3.3 s per 100,000 records in the first block of
all of arXiv, 10-15 s in the tenth). A plain append to a table without keys
costs the same at every size; the one merge at the end reads the staged rows
once, de-duplicates them with a GROUP BY and upserts them in one statement.
Chosen over "append to the real tables and de-duplicate at the end" because
the real tables keep their keys (the pipeline's resumable upserts rely on
them) and an interrupted load leaves them exactly as they were: the staged
rows are dropped by the next load.
"""

from __future__ import annotations

from typing import Any, Iterable

from auditor.models import Extraction, Record
from auditor.store.core import I, Db, table
from auditor.store.papers import (
    CLAIM_COLS,
    LINK_COLS,
    PAPER_COLS,
    SIGHTING_COLS,
    TARGET_COLS,
    extraction_rows,
    paper_row,
    sighting_row,
    upsert_set,
)

_STAGED = {
    "papers": PAPER_COLS, "sightings": SIGHTING_COLS, "targets": TARGET_COLS,
    "links": LINK_COLS, "claims": CLAIM_COLS,
}


def _stage(name: str) -> str:
    return f"stage_{name}"


class Staging:
    """Staging tables beside papers, sightings, targets, links and claims."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self._seq = 0

    def begin_staging(self) -> None:
        """(Re)create empty staging tables (rows left by an interrupted load are dropped)."""
        con = self.db.con
        for name in _STAGED:
            con.execute(f"CREATE OR REPLACE TABLE {_stage(name)} AS SELECT *, 0::BIGINT AS seq FROM {name} LIMIT 0")
        self._seq = 0

    def stage(self, records: Iterable[Record], extractions: Iterable[tuple[str, Extraction]], run_id: str) -> None:
        """Append records (every sighting) and extractions (one per paper) to the staging tables."""
        records = list(records)
        targets: dict[str, dict[str, Any]] = {}
        links: list[dict[str, Any]] = []
        claims: list[dict[str, Any]] = []
        for paper_id, ex in extractions:
            extraction_rows(paper_id, ex, targets, links, claims)
        rows = {
            "papers": [paper_row(r, run_id) for r in records],
            "sightings": [sighting_row(r, run_id) for r in records],
            "targets": list(targets.values()), "links": links, "claims": claims,
        }
        statements = []
        for name, batch in rows.items():
            if not batch:
                continue
            for i, row in enumerate(batch):
                row["seq"] = self._seq + i
            self._seq += len(batch)
            statements.append((f"INSERT INTO {_stage(name)} BY NAME SELECT * FROM _b",
                               {"_b": table(batch, {**_STAGED[name], "seq": I})}))
        if statements:
            self.db.write(statements)

    def merge_staged(self, run_id: str) -> None:
        """Upsert the staged rows into the real tables in one transaction, then drop the staging tables.

        The same rules as the per-batch upserts: a paper keeps its first_seen_run
        and takes each field's newest non-empty value; a sighting already stored
        stays as it was; re-extracted papers have their links and claims replaced.
        """
        keep = [c for c in PAPER_COLS if c not in ("paper_id", "first_seen_run")]
        newest = ", ".join(f"arg_max({c}, seq) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in keep)
        p_updates = ", ".join(f"{c} = coalesce(excluded.{c}, papers.{c})" for c in keep) + " WHERE " + " OR ".join(
            f"papers.{c} IS DISTINCT FROM coalesce(excluded.{c}, papers.{c})" for c in keep)

        def last(cols: dict[str, Any], key: tuple[str, ...]) -> str:
            return ", ".join(c if c in key else f"arg_max({c}, seq) AS {c}" for c in cols)  # the last one wins


        sql = [
            f"INSERT INTO papers BY NAME SELECT paper_id, {newest}, ? AS first_seen_run FROM stage_papers "
            f"GROUP BY paper_id ON CONFLICT (paper_id) DO UPDATE SET {p_updates}",
            # The first sighting of a (paper, dump, position) wins, as ON CONFLICT DO NOTHING does.
            "INSERT INTO sightings BY NAME SELECT paper_id, source, position, "
            + ", ".join(f"arg_min({c}, seq) AS {c}" for c in SIGHTING_COLS if c not in ("paper_id", "source", "position", "run_id"))
            + ", ? AS run_id FROM stage_sightings GROUP BY paper_id, source, position ON CONFLICT DO NOTHING",
            "INSERT INTO run_papers (run_id, paper_id) SELECT DISTINCT ?, paper_id FROM stage_papers ON CONFLICT DO NOTHING",
            f"INSERT INTO targets BY NAME SELECT {last(TARGET_COLS, ('target_key',))} FROM stage_targets GROUP BY target_key "
            f"ON CONFLICT (target_key) DO UPDATE SET {upsert_set('targets', TARGET_COLS, ('target_key',))}",
            f"INSERT INTO links BY NAME SELECT * EXCLUDE (seq) FROM stage_links "
            f"ON CONFLICT (paper_id, ordinal) DO UPDATE SET {upsert_set('links', LINK_COLS, ('paper_id', 'ordinal'))}",
            f"INSERT INTO claims BY NAME SELECT * EXCLUDE (seq) FROM stage_claims "
            f"ON CONFLICT (paper_id, ordinal) DO UPDATE SET {upsert_set('claims', CLAIM_COLS, ('paper_id', 'ordinal'))}",
            "DELETE FROM links t WHERE t.paper_id IN (SELECT paper_id FROM stage_papers) AND NOT EXISTS "
            "(SELECT 1 FROM stage_links b WHERE b.paper_id = t.paper_id AND b.ordinal = t.ordinal)",
            "DELETE FROM claims t WHERE t.paper_id IN (SELECT paper_id FROM stage_papers) AND NOT EXISTS "
            "(SELECT 1 FROM stage_claims b WHERE b.paper_id = t.paper_id AND b.ordinal = t.ordinal)",
        ]
        params: list[list[Any]] = [[run_id], [run_id], [run_id], [], [], [], [], []]
        con = self.db.con
        con.begin()
        try:
            for statement, p in zip(sql, params):
                con.execute(statement, p)
            for name in _STAGED:
                con.execute(f"DROP TABLE {_stage(name)}")
            con.commit()
        except BaseException:
            con.rollback()
            raise
