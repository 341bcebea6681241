"""What each discovery source did for each paper of a run (view ``discovery``).

The paper-scope checks (``code_linked``, ``links_agree``) read it from
``Paper.discovery`` and ``Paper.declared``; kept per run, so ``audit merge``
of shards judges them from what the shards recorded, as one unsharded run
would.

Stored once per distinct content, as results are: a paper's outcomes (one row
per source) form a set whose id is a hash of them, ``discovery_stored`` holds
each set's rows once, and ``run_papers.discovery_set`` says which set each run
found for each paper. The set leaves the paper out, so the many papers whose
sources said the same ("searched, nothing declared") share one set, and a
weekly re-run that finds the same adds nothing here. The view ``discovery``
gives the rows per run and paper, as the table of that name did before (schema
2): a file with that table has it moved under set ids when opened. A file
written before discovery was stored at all gets the tables empty; its runs have
no rows, and a merge of such shards leaves ``code_linked`` at ``skip`` ("no
record of the other sources").
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Iterator, Mapping, Sequence

import duckdb
import pyarrow as pa

from auditor.discover import SOURCES
from auditor.models import Paper
from auditor.redaction import redact
from auditor.store.core import BATCH_ROWS, I, S, Db, transaction

TABLES = [
    """CREATE TABLE IF NOT EXISTS discovery_stored (
        set_id BIGINT NOT NULL,  -- run_papers.discovery_set
        source VARCHAR NOT NULL,  -- abstract, comments, hf_paper, github_search
        outcome VARCHAR NOT NULL,  -- searched, not_indexed, or why not: 'unknown: ...', 'no_id: ...', 'not_searched: ...', 'absent: ...'
        found VARCHAR[]  -- target keys of the repositories this source declared for the paper
    )""",
    "ALTER TABLE run_papers ADD COLUMN IF NOT EXISTS discovery_set BIGINT",
]
VIEWS = [
    """CREATE OR REPLACE VIEW discovery AS
    SELECT rp.run_id, rp.paper_id, d.source, d.outcome, d.found
    FROM run_papers rp JOIN discovery_stored d ON d.set_id = rp.discovery_set""",
]
COLUMNS = {"discovery_stored": ("set_id", "source", "outcome", "found")}
_STORED = pa.schema([("set_id", I), ("source", S), ("outcome", S), ("found", pa.list_(S))])
_MEMBERS = pa.schema([("run_id", S), ("paper_id", S), ("discovery_set", I)])

#: One paper's outcomes: (source, outcome, found) rows.
Outcomes = Sequence[tuple[str, str, Sequence[str]]]


def rows_of(papers: Iterable[Paper]) -> dict[str, list[tuple[str, str, list[str]]]]:
    """Pure: paper_id -> one (source, outcome, found) row per source the run used (none: left out)."""
    out: dict[str, list[tuple[str, str, list[str]]]] = {}
    for paper in papers:
        by_source: dict[str, tuple[str, str, list[str]]] = {}
        for source, outcome in paper.discovery:
            found = [key for s, key in paper.declared if s == source]
            # An outcome may quote what a server said ("unknown: HTTP 503 ..."): redacted like facts' errors.
            by_source[source] = (source, redact(outcome), found)
        if by_source:
            out[paper.paper_id] = list(by_source.values())
    return out


def set_id(rows: Outcomes) -> int:
    """A signed 64-bit hash of a paper's outcomes, whatever their order; the same in every process."""
    canon = json.dumps(sorted([s, o, list(f or ())] for s, o, f in rows), separators=(",", ":"))
    return int.from_bytes(hashlib.blake2b(canon.encode(), digest_size=8).digest(), "big", signed=True)


def store_sets(con: duckdb.DuckDBPyConnection, run_id: str, by_paper: Mapping[str, Outcomes],
               *, replace: bool = True) -> None:
    """Point each paper's run membership at the set of its outcomes, writing the sets not stored yet.

    Runs inside the caller's transaction. ``replace=False`` keeps the set a paper already
    has in this run (``audit merge``: the first shard's). A paper the run did not cover
    gains a membership row, as the table's rows made it part of the run before.
    """
    sets: dict[int, Outcomes] = {}
    members: list[tuple[str, int]] = []
    for pid, rows in by_paper.items():
        sid = set_id(rows)
        sets[sid] = rows
        members.append((pid, sid))
    if not members:
        return
    have = {r[0] for r in con.execute(
        "SELECT DISTINCT set_id FROM discovery_stored WHERE set_id IN (SELECT unnest(?))", [list(sets)]
    ).fetchall()}
    new = [(sid, s, o, list(f or ())) for sid, rows in sets.items() if sid not in have for s, o, f in rows]
    update = "UPDATE SET discovery_set = excluded.discovery_set" if replace else \
        "UPDATE SET discovery_set = coalesce(run_papers.discovery_set, excluded.discovery_set)"
    for start in range(0, max(len(new), len(members)), BATCH_ROWS):
        part = new[start:start + BATCH_ROWS]
        if part:
            _insert(con, "INSERT INTO discovery_stored SELECT * FROM _d",
                    pa.table(dict(zip(_STORED.names, map(list, zip(*part)))), schema=_STORED), "_d")
        chunk = members[start:start + BATCH_ROWS]
        if chunk:
            _insert(con, "INSERT INTO run_papers BY NAME SELECT * FROM _m ON CONFLICT DO " + update,
                    pa.table({"run_id": [run_id] * len(chunk), "paper_id": [p for p, _ in chunk],
                              "discovery_set": [s for _, s in chunk]}, schema=_MEMBERS), "_m")


def _insert(con: duckdb.DuckDBPyConnection, sql: str, batch: pa.Table, name: str) -> None:
    con.register(name, batch)
    try:
        con.execute(sql)
    finally:
        con.unregister(name)


def folded_rows(rows: Iterable[tuple[str, str, str, Sequence[str] | None]]) -> Iterator[tuple[str, Outcomes]]:
    """(paper_id, source, outcome, found) rows ordered by paper -> (paper_id, its outcomes)."""
    pid, acc = None, []
    for p, source, outcome, found in rows:
        if p != pid and acc:
            yield pid, acc
            acc = []
        pid = p
        acc.append((source, outcome, list(found or ())))
    if acc:
        yield pid, acc


def copy_run(con: duckdb.DuckDBPyConnection, source: str, from_run: str, run_id: str) -> None:
    """``audit merge``: the outcomes run ``from_run`` of the attached file ``source`` stored, for run
    ``run_id`` (papers that already have a set in it keep theirs: the shards all did the same).
    Reads either layout: the per-run table of schema 2 or the sets."""
    tables = {t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'", [source]).fetchall()}
    if "discovery_stored" in tables:
        sql = (f"SELECT rp.paper_id, d.source, d.outcome, d.found FROM {source}.run_papers rp "
               f"JOIN {source}.discovery_stored d ON d.set_id = rp.discovery_set WHERE rp.run_id = ? ")
    elif "discovery" in tables:
        sql = f"SELECT paper_id, source, outcome, found FROM {source}.discovery WHERE run_id = ? "
    else:
        return
    rows = con.execute(sql + "ORDER BY 1, 2", [from_run]).fetchall()
    store_sets(con, run_id, dict(folded_rows(rows)), replace=False)


def migrate_from_v2(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Schema 2 kept a ``discovery`` table of rows per run: move them under set ids, run by run,
    then drop it so that the view can take its name."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
                       "AND table_name = 'discovery' AND database_name = current_database()").fetchone()[0]:
        return
    for (run_id,) in con.execute("SELECT DISTINCT run_id FROM discovery ORDER BY 1").fetchall():
        rows = con.execute("SELECT paper_id, source, outcome, found FROM discovery WHERE run_id = ? ORDER BY 1, 2",
                           [run_id]).fetchall()
        store_sets(con, run_id, dict(folded_rows(rows)))
    con.execute("DROP TABLE discovery")


class DiscoveryTable:
    """Writes and reads what discovery did, per run."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def save_discovery(self, run_id: str, papers: Iterable[Paper]) -> None:
        """Replace what is stored for these papers in this run (a resumed run writes it again)."""
        by_paper = rows_of(papers)
        if not by_paper:
            return
        with transaction(self.db.con) as con:
            store_sets(con, run_id, by_paper)

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


def _folded(rows: Iterable[tuple[Any, ...]]) -> dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]]:
    outcomes: dict[str, list[tuple[str, str]]] = {}
    declared: dict[str, list[tuple[str, str]]] = {}
    for pid, source, outcome, found in rows:
        outcomes.setdefault(pid, []).append((source, outcome))
        declared.setdefault(pid, []).extend((source, key) for key in found or [])
    return {pid: (tuple(o), tuple(declared.get(pid, ()))) for pid, o in outcomes.items()}
