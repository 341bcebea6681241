"""Bulk loading for `audit extract --db`: stage batches as Parquet files, merge once.

Why not upsert per batch (what :meth:`Papers.add_records` does): each
``INSERT ... ON CONFLICT`` probes the keys of the whole table, so the cost per
record grows with the table (3.3 s per 100,000 records in the first block of
all of arXiv, 10-15 s in the tenth).

Why Parquet files rather than staging tables in the database: appending a
batch to a DuckDB table costs a transaction, a write-ahead-log entry and a
second write at the checkpoint, and the buffer cache keeps what was written
(RSS grew with the load); the dropped tables also left their space in the
file. A batch appended to a Parquet file (pyarrow, zstd) costs ~50 times less
CPU, holds nothing in memory after it is written, and leaves the database
untouched until the merge: an interrupted load leaves the real tables exactly
as they were, and the next load removes its files.

The merge is one transaction under a memory limit (DuckDB spills its joins
and aggregates to disk beyond it). Papers read once, nearly all of them, are
upserted as they are; only the few read several times go through the
aggregate that takes each field's newest non-empty value, so the abstracts are
not hashed and copied through a GROUP BY. The real tables but papers keep their
keys: `audit run` upserts into them.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Mapping

import pyarrow as pa
import pyarrow.parquet as pq

from auditor.store.core import I, Db, settings, transaction
from auditor.store.papers import (
    CLAIM_COLS,
    LINK_COLS,
    PAPER_COLS,
    SIGHTING_COLS,
    TARGET_COLS,
)

#: The staged columns of each table: the run's own id is added at the merge.
STAGED: Mapping[str, Mapping[str, pa.DataType]] = {
    "papers": {c: t for c, t in PAPER_COLS.items() if c != "first_seen_run"},
    "sightings": {c: t for c, t in SIGHTING_COLS.items() if c != "run_id"},
    "targets": TARGET_COLS,
    "links": LINK_COLS,
    "claims": CLAIM_COLS,
}

#: Staged rows of a table held in memory before they are written as one row group.
ROW_GROUP = 20_000

#: DuckDB's memory during the merge: beyond it joins and aggregates spill to disk.
MERGE_MEMORY = "512MB"
#: What the merge needs per staged paper, in bytes, where that is more than the floor. Inserting
#: into a table with a key holds the key's index in memory until the commit, and that index
#: cannot spill: papers has none since schema 4, but sightings, run_papers, targets, links and
#: claims do (526 MB of index for all of arXiv, 2.7 M papers, which failed under 768 MB and
#: loaded under 980 MB); 1 M papers load under the floor.
MERGE_BYTES_PER_PAPER = 390


def merge_memory(papers: int) -> str:
    """DuckDB's memory limit for merging a load of ``papers`` staged paper rows: 512 MB, or more
    for a load whose keys' indexes need more (:data:`MERGE_BYTES_PER_PAPER`)."""
    floor = int(MERGE_MEMORY.removesuffix("MB"))
    return f"{max(floor, -(-papers * MERGE_BYTES_PER_PAPER // 2**20))}MB"


def _schema(name: str) -> pa.Schema:
    return pa.schema([*STAGED[name].items(), ("seq", I)])


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


class Staging:
    """Parquet files beside the database, one per staged table, merged into the real tables once."""

    def __init__(self, db: Db) -> None:
        self.db = db
        self._seq = 0
        self._dir: Path | None = None
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._pending: dict[str, list[pa.Table]] = {}
        self._pending_rows: dict[str, int] = {}
        self._staged_rows: dict[str, int] = {}  # rows staged per table in this load (sizes the merge)

    def staging_dir(self) -> Path:
        """``<db>.staging`` beside the file (a temporary folder for ``:memory:``)."""
        if self._dir is None:
            self._dir = (Path(tempfile.mkdtemp(prefix="audit-staging-")) if self.db.path == ":memory:"
                         else Path(self.db.path + ".staging"))
        return self._dir

    def begin_staging(self) -> None:
        """Start empty (what an interrupted load left is removed, files and the old staging tables)."""
        self._close_writers()
        folder = self.staging_dir()
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name in STAGED:  # staging tables of an earlier version's interrupted load
            self.db.con.execute(f"DROP TABLE IF EXISTS stage_{name}")
        self._seq = 0
        self._pending = {name: [] for name in STAGED}
        self._pending_rows = dict.fromkeys(STAGED, 0)
        self._staged_rows = dict.fromkeys(STAGED, 0)

    def stage_tables(self, tables: Mapping[str, pa.Table]) -> None:
        """Stage a batch built by :func:`auditor.extract_rows.batch_tables` (in a worker); order is kept:
        among several records of a paper the last staged wins."""
        for name, batch in tables.items():
            if batch.num_rows == 0:
                continue
            seq = pa.array(range(self._seq, self._seq + batch.num_rows), I)
            self._seq += batch.num_rows
            self._pending[name].append(batch.select(list(STAGED[name])).append_column("seq", seq))
            self._pending_rows[name] += batch.num_rows
            self._staged_rows[name] += batch.num_rows
            if self._pending_rows[name] >= ROW_GROUP:
                self._write(name)

    def _write(self, name: str) -> None:
        writer = self._writers.get(name)
        if writer is None:
            writer = self._writers[name] = pq.ParquetWriter(
                self.staging_dir() / f"{name}.parquet", _schema(name), compression="zstd", compression_level=1)
        writer.write_table(pa.concat_tables(self._pending[name]))
        self._pending[name], self._pending_rows[name] = [], 0

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    def finish_staging(self) -> None:
        """Write what is pending and close the files (every table gets one, if only an empty one)."""
        for name, pending in self._pending.items():
            if pending:
                self._write(name)
        self._close_writers()
        for name in STAGED:
            path = self.staging_dir() / f"{name}.parquet"
            if not path.exists():
                pq.write_table(_schema(name).empty_table(), path)

    def close(self) -> None:
        """Close the Parquet files a failed load left open; a ``:memory:`` store's temporary
        folder goes too (a file's ``<db>.staging`` stays: the next load removes it)."""
        self._close_writers()
        if self._dir is not None and self.db.path == ":memory:":
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def merge_staged(self, run_id: str) -> None:
        """Upsert the staged rows into the real tables in one transaction, then remove the files.

        The same rules as the per-batch upserts: a paper keeps its first_seen_run
        and takes each field's newest non-empty value; a sighting already stored
        stays as it was; re-extracted papers have their links and claims replaced.
        """
        self.finish_staging()
        folder = self.staging_dir()
        keep = [c for c in STAGED["papers"] if c != "paper_id"]
        newest = ", ".join(f"arg_max({c}, seq) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in keep)
        first = ", ".join(f"arg_min({c}, seq) AS {c}" for c in STAGED["sightings"] if c not in ("paper_id", "source", "position"))
        last = ", ".join(f"arg_max({c}, seq) AS {c}" for c in TARGET_COLS if c != "target_key")  # the last one wins
        views = [
            *(f"CREATE OR REPLACE TEMP VIEW staged_{name} AS SELECT * FROM read_parquet({_quoted(folder / f'{name}.parquet')})"
              for name in STAGED),
            "CREATE OR REPLACE TEMP TABLE staged_repeated AS "
            "SELECT paper_id FROM staged_papers GROUP BY paper_id HAVING count(*) > 1",
            # A paper read once (nearly all) as it is; read several times, each field's newest
            # non-empty value: the abstracts of the many do not go through the aggregate.
            "CREATE OR REPLACE TEMP VIEW staged_paper_rows AS "
            "SELECT * EXCLUDE (seq) FROM staged_papers ANTI JOIN staged_repeated USING (paper_id) UNION ALL BY NAME "
            f"SELECT paper_id, {newest} FROM staged_papers SEMI JOIN staged_repeated USING (paper_id) GROUP BY paper_id",
            # The first sighting of a (paper, dump, position) wins, as ON CONFLICT DO NOTHING does.
            f"CREATE OR REPLACE TEMP VIEW staged_sighting_rows AS SELECT paper_id, source, position, {first} "
            "FROM staged_sightings GROUP BY paper_id, source, position",
            f"CREATE OR REPLACE TEMP VIEW staged_target_rows AS SELECT target_key, {last} FROM staged_targets GROUP BY target_key",
        ]
        con = self.db.con
        bounds = {"memory_limit": merge_memory(self._staged_rows.get("papers", 0)),
                  "preserve_insertion_order": "false"}  # order: see ORDER BY
        with settings(con, bounds):
            try:
                with transaction(con):
                    for statement in views:
                        con.execute(statement)
                    coalesced = {c: f"coalesce(s.{c}, papers.{c})" for c in keep}
                    _upsert(con, "papers", "staged_paper_rows", ("paper_id",), coalesced, {"first_seen_run": run_id})
                    _upsert(con, "sightings", "staged_sighting_rows", ("paper_id", "source", "position"), {}, {"run_id": run_id})
                    _upsert(con, "run_papers", "(SELECT DISTINCT paper_id FROM staged_papers)", ("run_id", "paper_id"), {},
                            {"run_id": run_id}, key_values={"run_id": run_id})
                    _upsert(con, "targets", "staged_target_rows", ("target_key",),
                            {c: f"s.{c}" for c in TARGET_COLS if c != "target_key"})
                    # A re-extracted paper loses the links and claims it no longer has; deleted before the
                    # upserts, so that on a new file (nothing to delete) the staged rows are not joined twice.
                    for name in ("links", "claims"):
                        con.execute(f"DELETE FROM {name} t WHERE t.paper_id IN (SELECT paper_id FROM staged_papers) AND NOT EXISTS "
                                    f"(SELECT 1 FROM staged_{name} b WHERE b.paper_id = t.paper_id AND b.ordinal = t.ordinal)")
                    for name, cols in (("links", LINK_COLS), ("claims", CLAIM_COLS)):
                        _upsert(con, name, f"(SELECT * EXCLUDE (seq) FROM staged_{name})", ("paper_id", "ordinal"),
                                {c: f"s.{c}" for c in cols if c not in ("paper_id", "ordinal")})
                con.execute("CHECKPOINT")  # the merged rows go to the file now, not at some later write
            finally:
                for view in ("paper_rows", "sighting_rows", "target_rows", *STAGED):
                    con.execute(f"DROP VIEW IF EXISTS staged_{view}")
                con.execute("DROP TABLE IF EXISTS staged_repeated")
                con.execute("DROP TABLE IF EXISTS staged_old")
        shutil.rmtree(folder, ignore_errors=True)
        self._dir = None


def _upsert(con: Any, table: str, rows: str, key: tuple[str, ...], updates: Mapping[str, str],
            constants: Mapping[str, str] | None = None, key_values: Mapping[str, str] | None = None) -> None:
    """Insert the ``rows`` (distinct by ``key``) that ``table`` lacks; update those it has, where
    a column's new value (``updates``: SQL over ``s`` and ``table``) differs.

    Not ``INSERT ... ON CONFLICT``: DuckDB holds what such a statement writes in memory until it
    commits (300,000 papers went out of 256 MB), while a plain INSERT writes as it goes. The keys
    alone are joined to find which rows exist (on a new file, none), so no join holds abstracts.
    ``constants``: columns set to the same value on inserted rows; ``key_values``: key columns
    that ``rows`` lacks, the same for every row (run_papers' run_id).
    """
    constants, key_values = dict(constants or {}), dict(key_values or {})
    row_key = [k for k in key if k not in key_values]
    on = " AND ".join(f"{table}.{k} = s.{k}" for k in row_key)
    fixed = " AND ".join(f"{table}.{k} = ?" for k in key_values)
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_old AS SELECT {', '.join(row_key)} FROM {table} "
                f"WHERE {fixed or 'true'} AND EXISTS (SELECT 1 FROM {rows} s WHERE {on})", list(key_values.values()))
    existing = con.execute("SELECT count(*) FROM staged_old").fetchone()[0]
    if existing and updates:
        differs = " OR ".join(f"{table}.{c} IS DISTINCT FROM {expr}" for c, expr in updates.items())
        con.execute(
            f"UPDATE {table} SET {', '.join(f'{c} = {expr}' for c, expr in updates.items())} "
            f"FROM (SELECT * FROM {rows} SEMI JOIN staged_old USING ({', '.join(row_key)})) s WHERE {on} AND ({differs})")
    values = {**key_values, **constants}
    extra = "".join(f", ? AS {c}" for c in values)
    source = f"{rows} ANTI JOIN staged_old USING ({', '.join(row_key)})" if existing else rows
    con.execute(f"INSERT INTO {table} BY NAME SELECT *{extra} FROM {source}", list(values.values()))
