"""`audit extract` on a JSON Lines file: each worker reads, parses and extracts its own part.

The parent cuts the file into byte ranges that end at a line end
(:func:`line_ranges`) and hands out only (path, start, end); a worker reads
its range, turns each line into the table reader's row
(:mod:`auditor.ingest.json_lines`), makes the paper's Head (the fields the
output needs, not a whole Paper), extracts the paper's links and claims and
writes its output text. What comes back: the 8 bytes of the id of each paper
first met in the range, and their texts as one string; the parent keeps the
first of each paper over the whole stream, in order, and writes. So the
parent parses nothing, and no paper crosses a process boundary.

Imports stay light here (no DuckDB, numpy or pandas): every worker pays for
what it imports in memory.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from auditor.discover.comments import with_comment_links
from auditor.extract import cut_note, extract
from auditor.extract_output import link_rows, paper_text, sources_json
from auditor.ingest.json_lines import LinePlan, row_of, rows_by_duckdb
from auditor.ingest.oversized import RECORD_LIMIT
from auditor.ingest.rows import head_of, paper_values

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ChunkTask:
    """One byte range of a JSON Lines file, and how to read and write it."""

    path: str
    start: int
    end: int
    plan: LinePlan
    source: str  # the file's name, as Sightings carry it
    shown: str  # the file as the user named it (error lines)
    fmt: str  # "jsonl" or "csv"
    #: With ``audit extract --db``: the staged columns (:data:`auditor.store.staging.STAGED`);
    #: the range's store rows are built here then (see ChunkDone.tables).
    staged: Any = None
    #: Only the ids of the range's papers (a later dump's, for the ``sources`` of the papers
    #: before it): no extraction, no output.
    ids_only: bool = False


@dataclass
class ChunkDone:
    """What one range gave.

    ``ids``: 8 bytes per paper first met in the range, in order; ``text``: their output,
    one after the other (each paper's JSON object with sources ``[source]`` and a newline, or
    its CSV rows), and ``ends``: where each paper's ends in ``text``. One text crosses the
    process boundary, not a string per paper, and the parent writes it whole when every
    paper is new. ``rows``/``lines``: how many rows (non-blank lines within the size limit)
    and lines the range holds. ``skips``: (row index in the range, why) of rows that are no
    paper; ``long``: (line index in the range, bytes) of lines over the limit; ``cuts``:
    (paper number in ``ends``, row index, note) of abstracts read in part.
    """

    ids: bytes
    text: str
    ends: array
    rows: int
    lines: int
    skips: list[tuple[int, str]]
    long: list[tuple[int, int]]
    cuts: list[tuple[int, int, str]]
    first_good: int | None  # row index of the first row that is a paper
    #: With ``staged``: the range's rows for the store (:func:`auditor.extract_rows.row_tables`,
    #: targets by paper), every row a paper, positions counted from the range's first row.
    tables: Any = None


def line_ranges(path: Path, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) byte ranges of about ``size`` bytes covering the file, each ending after a
    newline (the last one at the end of the file)."""
    with path.open("rb") as f:
        total = f.seek(0, 2)
        start = 0
        while start < total:
            end = min(start + size, total)
            f.seek(end)
            while end < total:
                block = f.read(1 << 16)
                if not block:
                    end = total
                    break
                at = block.find(b"\n")
                if at != -1:
                    end += at + 1
                    break
                end += len(block)
            yield start, end
            start = end


def work_chunk(task: ChunkTask) -> ChunkDone:
    """Read, parse, extract and format every line of the range."""
    with open(task.path, "rb") as f:
        f.seek(task.start)
        data = f.read(task.end - task.start)
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    bom = task.start == 0 and data.startswith(_BOM)
    if bom:
        lines[0] = lines[0][len(_BOM):]  # DuckDB reads past a byte order mark; the size check counts it
    plan, csv = task.plan, task.fmt == "csv"
    own = sources_json([task.source])
    ids: list[str] = []
    parts: list[str] = []
    ends = array("Q")
    at = 0
    seen: set[str] = set()
    skips: list[tuple[int, str]] = []
    long: list[tuple[int, int]] = []
    cuts: list[tuple[int, int, str]] = []
    rows = 0
    first_good = None
    papers: list[tuple[Any, ...]] | None = [] if task.staged is not None else None  # store rows, by field
    sightings: list[tuple[Any, ...]] = []
    kept: list[Any] = []
    for i, line in enumerate(lines):
        length = len(line) + (len(_BOM) if bom and i == 0 else 0)
        if length > RECORD_LIMIT:
            long.append((i, length))  # the table reader skips it, by line number; not a row
            continue
        if not line or line.isspace():
            continue  # blank lines are not rows
        row = row_of(line, plan)
        for row in ((row,) if row is not None else rows_by_duckdb(line, plan, task.shown, rows)):
            head = head_of(row, identified=not task.ids_only)  # what to_record and with_identity make of it
            rows += 1
            if type(head) is str:
                skips.append((rows - 1, head))
                continue
            if first_good is None:
                first_good = rows - 1
            pid = head.paper_id
            if papers is not None:
                papers.append(paper_values(head, row))
                sightings.append((pid, task.source, None, rows - 1))
            if pid in seen:
                continue
            seen.add(pid)
            if task.ids_only:
                ids.append(pid)
                continue
            ex = extract(head.abstract)
            if ex.cut_from is not None:
                cuts.append((len(ids), rows - 1, cut_note(ex)))
            ex = with_comment_links(head, ex)
            if papers is not None:
                kept.append((pid, ex))
            ids.append(pid)
            text = link_rows(head, ex) if csv else paper_text(head, ex, own) + "\n"
            parts.append(text)
            at += len(text)
            ends.append(at)
    tables = None
    if papers is not None:
        from auditor.extract_rows import row_tables  # pyarrow: only workers that store import it

        tables = row_tables(papers, sightings, kept, task.staged, by_paper=True)
    return ChunkDone(bytes.fromhex("".join(ids)), "".join(parts), ends, rows, len(lines), skips, long, cuts, first_good,
                     tables)
