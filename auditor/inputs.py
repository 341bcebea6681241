"""The dumps a command was given: files, folders of dumps, and ``-`` for standard input.

A folder stands for the dump files inside it (``.txt``, ``.csv``, ``.jsonl``,
``.ndjson``, ``.json``, ``.parquet``, at any depth, sorted), as ``ls`` would
list them; ``-`` is read once into a temporary file named ``stdin`` (its
format is told from its content, as for any file).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator, Sequence

from auditor.errors import InputError

DUMP_SUFFIXES = (".txt", ".csv", ".jsonl", ".ndjson", ".json", ".parquet")


def dumps_in(folder: Path) -> list[Path]:
    """The dump files under ``folder``, sorted; hidden files and folders are left out."""
    found = [
        p for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in DUMP_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    ]
    return sorted(found)


@contextmanager
def expanded(args: Sequence[Path | str], stdin: BinaryIO | None = None) -> Iterator[list[Path]]:
    """The files ``args`` stand for; a temporary copy of standard input lives until the block ends."""
    tmp: str | None = None
    out: list[Path] = []
    try:
        for arg in args:
            if str(arg) == "-":
                if tmp is not None:
                    raise InputError("-: standard input can be given only once")
                tmp = tempfile.mkdtemp(prefix="audit-stdin-")
                path = Path(tmp) / "stdin"
                with open(path, "wb") as f:
                    shutil.copyfileobj(stdin or sys.stdin.buffer, f)
                out.append(path)
            elif Path(arg).is_dir():
                inside = dumps_in(Path(arg))
                if not inside:
                    raise InputError(f"{arg}: folder holds no dump ({', '.join(DUMP_SUFFIXES)})")
                out.extend(inside)
            else:
                out.append(Path(arg))
        yield out
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
