"""Keeping the file small: forget old runs on request, drop rows nothing refers to, rewrite the file.

DuckDB reuses the blocks freed by deletes and updates but never gives them
back to the file system, and its VACUUM does not shrink a file; copying every
table into a fresh file (COPY FROM DATABASE) does, so that is what
:func:`compact_file` does, atomically (a new file renamed over the old one).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from auditor.errors import AuditorError
from auditor.store.core import Db, one_line, transaction


def keep_runs(db: Db, n: int) -> int:
    """Forget every run but the ``n`` latest (their membership and the results only they had);
    returns how many runs were forgotten. Papers, links, facts and their history stay."""
    if n < 1:
        raise ValueError("keep at least one run")
    con = db.con
    db.flush()
    old = [r[0] for r in con.execute(
        "SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC OFFSET ?", [n]
    ).fetchall()]
    if not old:
        return 0
    with transaction(con):
        con.execute("DELETE FROM run_papers WHERE list_contains(?, run_id)", [old])
        con.execute("DELETE FROM runs WHERE list_contains(?, run_id)", [old])
        drop_orphans(con)
    return len(old)


def drop_orphans(con: duckdb.DuckDBPyConnection) -> None:
    """Stored result, score and discovery sets no run refers to any more (a run forgotten, a paper re-checked)."""
    for table, column in (("results_stored", "set_id"), ("scores_stored", "set_id"), ("discovery_stored", "discovery_set")):
        con.execute(
            f"DELETE FROM {table} WHERE set_id NOT IN (SELECT {column} FROM run_papers WHERE {column} IS NOT NULL)"
        )


def compact_file(path: Path | str) -> tuple[int, int]:
    """Rewrite the database file without its free space; returns (bytes before, bytes after).

    The caller must have closed every connection to it (a Store holds the file's lock).
    """
    path = Path(path)
    before = path.stat().st_size
    tmp = path.with_name(f".{path.name}.compact")
    if tmp.exists():
        tmp.unlink()
    try:
        con = duckdb.connect(str(tmp))
        try:
            name = con.execute("SELECT current_database()").fetchall()[0][0]
            con.execute(f"ATTACH '{_quoted(path)}' AS compact_source (READ_ONLY)")
            con.execute(f'COPY FROM DATABASE compact_source TO "{name}"')
            con.execute("DETACH compact_source")
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, path)
    except duckdb.Error as exc:
        tmp.unlink(missing_ok=True)
        raise AuditorError(f"cannot compact {path}: {one_line(str(exc))}") from None
    return before, path.stat().st_size


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
