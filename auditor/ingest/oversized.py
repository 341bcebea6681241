"""Records too big to be papers, found before DuckDB reads a CSV or JSON Lines table.

DuckDB refuses a whole file for one line over its buffer (a CSV line over
2 MiB, a JSON object over 16 MiB) and names the wrong line. A paper's record
is a few kilobytes, so a line over :data:`RECORD_LIMIT` is junk (a pasted
PDF, a corrupt export): it is skipped and reported with its real line number,
and DuckDB reads the rest from a copy in which that line is blank (blank lines
are not rows, and the other lines keep their numbers). The scan reads the file
in large blocks at C speed, in flat memory; files without such a line are read
in place as before.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

#: Bytes one line (record) of a CSV or JSON Lines table may hold; longer ones are skipped.
RECORD_LIMIT = 1024 * 1024

_BLOCK = 8 * 1024 * 1024


def long_lines(path: Path, limit: int = RECORD_LIMIT) -> list[tuple[int, int]]:
    """(1-based line number, byte length) of each line longer than ``limit`` bytes."""
    found: list[tuple[int, int]] = []
    line, length = 1, 0
    with path.open("rb") as f:
        while block := f.read(_BLOCK):
            start = 0
            while (end := block.find(b"\n", start)) != -1:
                length += end - start
                if length > limit:
                    found.append((line, length))
                line, length, start = line + 1, 0, end + 1
            length += len(block) - start
    if length > limit:
        found.append((line, length))
    return found


def without_lines(path: Path, lines: set[int]) -> Path:
    """A temporary copy of ``path`` with ``lines`` (1-based) blanked; the caller deletes it."""
    fd, name = tempfile.mkstemp(prefix="audit-", suffix=path.suffix)
    with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
        for number, raw in enumerate(src, 1):  # a long line is read whole once, then dropped
            dst.write((b"\n" if raw.endswith(b"\n") else b"") if number in lines else raw)
    return Path(name)


def readable_copy(path: Path, header_lines: int, source: str,
                  on_skip: Callable[[str, int, str], None] | None) -> Path | None:
    """None when every line is within the limit; else the copy to read, each long line reported."""
    found = long_lines(path)
    if not found:
        return None
    for line, length in found:
        if on_skip is not None:
            on_skip(source, max(line - 1 - header_lines, 0),
                    f"line {line}: {length:,} bytes, over the {RECORD_LIMIT:,}-byte limit for one record")
    return without_lines(path, {line for line, _ in found})
