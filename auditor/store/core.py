"""The connection every table family shares: open, schema, one-transaction writes, reads.

Why it looks the way it does (DuckDB 2, see ../shared/DESIGN.md):

* Writes go in bulk: each batch becomes an Arrow table that one
  ``INSERT ... SELECT`` reads (100k rows in a fraction of a second), never
  ``executemany``.
* Each batch is its own transaction, so an interrupted run keeps what it had
  written and the next run resumes from there.
* One result is read to the end before the next statement runs; buffered
  writes (see :mod:`auditor.store.results`) are committed before any read.
* A second process cannot open the file: :class:`DatabaseLocked` says so in
  one line.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import duckdb
import pandas as pd
import pyarrow as pa

from auditor import __version__
from auditor.errors import AuditorError, DatabaseLocked
from auditor.extract_rows import table  # noqa: F401 (the families' batch builder; a worker's too, without DuckDB)

#: 2: results and scores stored once per distinct content (results_stored, scores_stored,
#: run_papers.set_id); 3: discovery outcomes likewise (discovery_stored,
#: run_papers.discovery_set); 4: papers without a primary key (see auditor.store.papers).
#: An older file is migrated when opened.
SCHEMA_VERSION = 4

#: Told that a file is about to be migrated: (the path as given, its schema version, the new one).
OnMigrate = Callable[[str, int, int], None]

#: Rows per transaction for bulk writes.
BATCH_ROWS = 50_000


class CommitFailed(AuditorError, duckdb.TransactionException):
    """A transaction's COMMIT failed: DuckDB's message and what the connection showed after it.

    Nothing was rolled back by us then: DuckDB ends a transaction whose commit fails (or, after a
    fatal error, refuses the connection), and the message says which it showed. A DuckDB
    TransactionException still, as the commit's own error was, and one line for the CLI."""

    def __init__(self, error: str, state: str) -> None:
        super().__init__(f"the database failed to commit ({error}): {state}")
        self.error, self.state = error, state


def after_failed_commit(con: duckdb.DuckDBPyConnection) -> str:
    """What the connection shows after a failed COMMIT, in words (never raises)."""
    try:
        con.execute("SELECT 1").fetchall()
    except duckdb.Error as exc:
        return (f"DuckDB refuses the connection from then on ({one_line(str(exc))}); the file holds what "
                "DuckDB recovers from it when it is next opened")
    try:
        con.rollback()
    except duckdb.Error:
        return "DuckDB then had no transaction open (it ends one whose commit fails)"
    return "the transaction was still open after it, and is rolled back now"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The block as one transaction: committed when it ends, rolled back when anything raises
    (a failed statement, Ctrl-C, SIGTERM), so that the file never keeps half of it. A COMMIT
    that fails raises :class:`CommitFailed`, saying what DuckDB showed after it.

    The commit stays outside the rollback's ``try``: a signal whose handler runs as a long commit
    returns must surface as itself, not as DuckDB's "no transaction is active" from a rollback after it.
    """
    con.begin()
    try:
        yield con
    except BaseException:
        con.rollback()
        raise
    try:
        con.commit()
    except duckdb.Error as exc:
        raise CommitFailed(one_line(str(exc)), after_failed_commit(con)) from exc


@contextmanager
def settings(con: duckdb.DuckDBPyConnection, values: Mapping[str, str]) -> Iterator[None]:
    """DuckDB under ``values`` inside the block, and the settings it had before after it, failures
    included: a bounded stage leaves the connection as it found it, a library user's own memory
    limit too, which ``RESET`` alone would lose. A setting is reset, then set to its old text
    only where that differs from the default (DuckDB shows sizes rounded: "18.8 GiB" set again
    reads "18.7 GiB", so a default is restored by RESET, exactly)."""
    def shown(name: str) -> Any:  # fetched whole: a half-read result blocks the connection's next con.sql()
        ((value,),) = con.execute("SELECT current_setting(?)", [name]).fetchall()
        return value

    before = {name: shown(name) for name in values}
    done: list[str] = []
    try:
        for name, value in values.items():
            con.execute(f"SET {name} = '{value}'").fetchall()
            done.append(name)
        yield
    finally:
        for name in done:
            con.execute(f"RESET {name}").fetchall()
            if shown(name) != before[name]:
                con.execute(f"SET {name} = '{before[name]}'").fetchall()


META_TABLE = """CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
)"""

# Arrow types of the batches' columns.
S = pa.string()
I = pa.int64()  # noqa: E741
F = pa.float64()
D = pa.date32()
TS = pa.timestamp("us", tz="UTC")


class Db:
    """One open DuckDB connection and the few ways the families use it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: str, spill: str | None = None) -> None:
        self.con = con
        self.path = path  # as given: shown in messages and in summary.json
        self.spill = spill  # an in-memory store's own temporary folder, removed on close
        #: Called before every read and before close (buffered writes commit there).
        self.before_read: list[Callable[[], None]] = []
        #: Called to drop buffered writes that could not be committed (see Runs.finish_run).
        self.on_discard: list[Callable[[], None]] = []

    @classmethod
    def open(cls, path: Path | str) -> "Db":
        """Open (creating parent folders) the database at ``path``.

        Raises :class:`DatabaseLocked` when another process holds the file and
        :class:`AuditorError` when it is not a DuckDB 2 database; both in one line.
        """
        shown = str(path)
        config: dict[str, str] = {}
        spill = None
        if shown == ":memory:":
            # DuckDB spills an in-memory database to ".tmp" in the current folder: give it a private one
            spill = tempfile.mkdtemp(prefix="audit-duckdb-")
            config["temp_directory"] = spill
        else:
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise AuditorError(f"cannot create the folder of {shown}: {exc.strerror or exc}") from None
        try:
            con = cls._connect(shown, config)
        except BaseException:
            if spill:
                shutil.rmtree(spill, ignore_errors=True)
            raise
        return cls(con, shown, spill)

    @staticmethod
    def _connect(shown: str, config: Mapping[str, str]) -> duckdb.DuckDBPyConnection:
        """DuckDB's connection, its refusals as one line each."""
        try:
            return duckdb.connect(shown, config=dict(config))
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                pid = re.search(r"PID (\d+)", text)
                who = f" (pid {pid.group(1)})" if pid else ""
                raise DatabaseLocked(
                    f"{shown} is in use by another process{who}: wait for it to finish or use another --db"
                ) from None
            raise AuditorError(f"cannot open {shown}: {one_line(text)}") from None
        except duckdb.Error as exc:
            raise AuditorError(f"cannot open {shown} as a DuckDB 2 database: {one_line(str(exc))}") from None

    def create_schema(self, tables: Sequence[str], views: Sequence[str],
                      expected: Mapping[str, Sequence[str]],
                      migrations: Sequence[Callable[[duckdb.DuckDBPyConnection, str], None]] = (),
                      on_migrate: OnMigrate | None = None) -> None:
        """Create what is missing, refuse a newer or incompatible file, (re)create the views.

        An older file is migrated; ``on_migrate(path, found, SCHEMA_VERSION)`` is called before
        (the store prints nothing: the CLI turns it into its one-line notice)."""
        con = self.con
        con.execute("SET TimeZone = 'UTC'")
        found = None
        have_tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        if "meta" in have_tables:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            found = int(row[0]) if row else None
        if found is not None and found > SCHEMA_VERSION:
            raise AuditorError(
                f"{self.path} has schema version {found}, newer than this repro-auditor "
                f"({__version__}, schema {SCHEMA_VERSION}): upgrade it or use another --db"
            )
        older = found is not None and found < SCHEMA_VERSION
        if older and on_migrate is not None:  # a cached file is rewritten (a large one takes a while)
            on_migrate(self.path, found, SCHEMA_VERSION)
        try:
            with transaction(con):
                for sql in (META_TABLE, *tables):
                    con.execute(sql)
                for migrate in migrations:  # each a no-op on a file that does not need it
                    migrate(con, self.path)
                self._check_columns(expected)
                for sql in views:
                    con.execute(sql)
                con.execute(
                    "INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    [str(SCHEMA_VERSION)],
                )
        except CommitFailed as exc:
            if not older:
                raise
            now = self._schema_read()
            reads = f"; the file reads as schema {now}" if now is not None else ""
            raise AuditorError(f"migrating {self.path} from schema {found} to {SCHEMA_VERSION} failed at its COMMIT "
                               f"({exc.error}): {exc.state}{reads}; run the command again") from None
        except duckdb.Error as exc:
            if not older:
                raise
            raise AuditorError(f"migrating {self.path} from schema {found} to {SCHEMA_VERSION} failed and was rolled back "
                               f"(the file is as it was; run the command again): {one_line(str(exc))}") from None

    def _schema_read(self) -> int | None:
        """The schema version the connection reads now; None when it cannot tell."""
        try:
            rows = self.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
            return int(rows[0][0]) if rows else None
        except (duckdb.Error, ValueError):
            return None

    def _check_columns(self, expected: Mapping[str, Sequence[str]]) -> None:
        """Refuse a file whose tables lack columns this version writes (an older development schema)."""
        have: dict[str, set[str]] = {}
        for table, column in self.con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'"
        ).fetchall():
            have.setdefault(table, set()).add(column)
        for table, cols in expected.items():
            missing = [c for c in cols if c not in have.get(table, set())]
            if missing:
                raise AuditorError(
                    f"{self.path} was written by an incompatible repro-auditor (table {table} lacks "
                    f"{', '.join(missing)}): move it away or use another --db"
                )

    def flush(self) -> None:
        for hook in self.before_read:
            hook()

    def discard(self) -> None:
        """Drop what is buffered, uncommitted: not tried again at the next read or at close."""
        for hook in self.on_discard:
            hook()

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.con.close()
            self.remove_spill()

    def remove_spill(self) -> None:
        """An in-memory store's temporary folder goes with its connection."""
        if self.spill:
            shutil.rmtree(self.spill, ignore_errors=True)

    def write(self, statements: Sequence[tuple[str, Mapping[str, pa.Table]]]) -> None:
        """Run the statements in one transaction, each reading its Arrow batches by name."""
        con = self.con
        registered: list[str] = []
        try:
            with transaction(con):
                for sql, tables in statements:
                    for name, table in tables.items():
                        con.register(name, table)
                        registered.append(name)
                    con.execute(sql)
                    for name in tables:
                        con.unregister(name)
                        registered.remove(name)
        finally:  # after the rollback, as before
            for name in registered:
                con.unregister(name)

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        self.flush()
        return self.con.execute(sql, params or []).fetchall()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any read-only SQL as a pandas frame (maps become dicts, lists stay arrays)."""
        self.flush()
        return as_frame(self.con.sql(sql, params=params or None).to_arrow_table())

    def stream(self, sql: str, params: Sequence[Any] | Mapping[str, Any], size: int) -> Iterator[pa.Table]:
        """The rows of ``sql`` in Arrow tables of ``size`` rows (the last one shorter), read on a
        cursor of their own, so that other statements (a page's queries) can run between two."""
        self.flush()
        cursor = self.con.cursor()
        try:
            waiting: list[pa.RecordBatch] = []
            count = 0
            for batch in cursor.sql(sql, params=_params(params)).to_arrow_reader(max(size, 1)):
                waiting.append(batch)
                count += batch.num_rows
                while count >= size:
                    rows = pa.Table.from_batches(waiting)
                    yield rows.slice(0, size)
                    rest = rows.slice(size)
                    waiting, count = rest.to_batches(), rest.num_rows
            if count:
                yield pa.Table.from_batches(waiting)
        finally:
            cursor.close()

    def with_keys(self, keys: Iterable[str], sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run ``sql`` with an Arrow table ``_keys(key)`` registered (cheap for 100k keys)."""
        self.flush()
        table = pa.table({"key": pa.array(sorted(set(keys)), S)})
        self.con.register("_keys", table)
        try:
            return self.con.execute(sql, list(params)).fetchall()
        finally:
            self.con.unregister("_keys")


# --------------------------------------------------------------------------- pure helpers


def _params(params: Sequence[Any] | Mapping[str, Any]) -> Any:
    """Positional parameters as a list, named ones (``$run``) as a dict; None for none."""
    if isinstance(params, Mapping):
        return dict(params) or None
    return list(params) or None


def as_frame(rows: pa.Table | pa.RecordBatch) -> pd.DataFrame:
    """Arrow rows as the frame every report reads: maps become dicts, lists stay arrays, an
    integer column with NULLs holds Python ints and None (so it prints as it does without NULLs)."""
    return rows.to_pandas(maps_as_pydicts="strict", integer_object_nulls=True)


_MISSING = object()


def get(obj: Any, name: str, default: Any = _MISSING) -> Any:
    """Attribute or key ``name`` of a dataclass/object/mapping."""
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
    else:
        value = getattr(obj, name, _MISSING)
        if value is not _MISSING:
            return value
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
    if default is _MISSING:
        raise TypeError(f"{type(obj).__name__} has no {name!r}")
    return default


def to_json(value: Any) -> str:
    if value is None or (isinstance(value, Mapping) and not value):
        return "{}"  # the common case, and "no data" reads back as an empty mapping
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def utc(value: datetime) -> datetime:
    """An aware UTC datetime (naive ones are taken as UTC; DuckDB hands back pytz zones)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def one_line(text: str) -> str:
    return " ".join(text.split())
