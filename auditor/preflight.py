"""Checks made before a command does any work, and the one-line errors of its output edges.

An audit can take an hour; finding at the end that ``--out`` cannot be written,
or at the start that a dump is unreadable after the database and a run row
were already made, helps no one. So ``audit run`` opens every dump and proves
its output folder writable before it creates anything, and a scorecard that
cannot be written at the end says so in one line, with the command that writes
it again from the database (where the results already are).
"""

from __future__ import annotations

import difflib
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from auditor.errors import AuditorError


class OutputError(AuditorError):
    """An output folder or file cannot be written."""


def writable_folder(path: Path, option: str) -> None:
    """Create ``path`` if needed and prove a file can be made in it; OutputError otherwise."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".audit-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot write there ({exc.strerror or exc})") from None


def dumps_readable(dumps: Sequence[Path], *, title_column: str | None = None,
                   abstract_column: str | None = None) -> None:
    """Open every dump as ingestion will (InputError for the first unusable one); reads no record."""
    from auditor.ingest import read_records

    for path in dumps:
        reader = read_records(path, title_column=title_column, abstract_column=abstract_column)
        close = getattr(reader, "close", None)
        if close is not None:
            close()


def reports_not_written(out: Path, db: Path, exc: OSError) -> OutputError:
    """The one line for scorecards that could not be written after the results were stored."""
    return OutputError(
        f"could not write the scorecards to {out} ({exc.strerror or exc}); the results are stored in {db}: "
        f"`audit report --db {db} --out DIR` writes them again"
    )


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean NAME?)' for the closest of ``choices``, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


@contextmanager
def report_run(db: Path, run_id: str | None, *, say: bool = True,
               on_migrate: Any = None) -> Iterator[tuple[Any, str]]:
    """The store and the run ``audit report`` shows (the latest finished `audit run` by default),
    named on stderr (unless ``say`` is false: --quiet) so that a report is never taken for another run's
    (``on_migrate``: see Store.open)."""
    from auditor.store import Store

    with Store.open(db, on_migrate=on_migrate) as store:
        chosen = store.resolve_run(run_id) if run_id else store.latest_finished_audit()
        if chosen is None:
            raise AuditorError(f"{db} holds no finished run (done or partial) to report; "
                               "`audit run` makes one, --run ID picks any")
        info = store.run_info(chosen)
        started = f", started {info.started_at:%Y-%m-%d %H:%M} UTC" if info and info.started_at else ""
        if say:
            print(f"audit: report of run {chosen} ({info.status if info else 'unknown'}{started})", file=sys.stderr)
        yield store, chosen


def usage_line(exc: Any) -> str:
    """A click usage error as one line: where, what, and where help is (click prints three lines)."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "audit"
    return f"{where}: error: {exc.format_message()} (`{where} -h` for help)"


def unknown_names(kind: str, unknown: Sequence[str], known: Sequence[str]) -> str:
    """'unknown check(s) licence (did you mean license?); known: ...' for --checks, --hosts."""
    named = ", ".join(f"{name}{did_you_mean(name, known)}" for name in unknown)
    return f"unknown {kind}(s) {named}; known: {', '.join(known)}"


def closed_pipe_exit() -> None:
    """End quietly with 0 when stdout's reader has gone: nothing more can be said to it."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # Python's last flush goes nowhere
    except (OSError, ValueError):
        pass
    sys.exit(0)
