"""`audit extract` as a stream: read, de-duplicate, extract on every core, write in order.

Memory does not grow with the corpus: records flow through in batches, the
only state kept per paper is 8 bytes (the 64-bit hash of its id, in a sorted
numpy array, so that a paper read twice is extracted and printed once), and
at most ``2 x jobs`` batches are in flight. Extraction and formatting run in a
process pool over batches; results are written in submission order, so the
output is the same as a one-core run's (first-seen order of distinct papers).

A paper's ``sources`` lists every dump it appears in. With one dump that is
that dump; with several, the dumps after the first are read once beforehand
for their ids only (hashes again), so that a paper's row can be written the
moment it is first met.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
from collections import deque
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from auditor.discover.comments import with_comment_links
from auditor.extract import cut_note, extract
from auditor.iterutil import chunks
from auditor.models import Extraction, Paper, Record

#: Distinct papers per batch handed to a worker.
BATCH = 2_000



class SeenIds:
    """A set of strings held as 64-bit hashes: 8 bytes each in a sorted array (+ a small buffer).

    Two distinct ids share a hash with probability ~n²/2^65 (1 in 5 million
    for all of arXiv); ``hash`` is salted per process, so it is only compared
    within this one.
    """

    def __init__(self, merge_at: int = 200_000) -> None:
        self._sorted = np.empty(0, dtype=np.int64)
        self._recent: set[int] = set()
        self._merge_at = merge_at

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def __contains__(self, key: str) -> bool:
        h = hash(key)
        if h in self._recent:
            return True
        i = int(np.searchsorted(self._sorted, h))
        return i < len(self._sorted) and int(self._sorted[i]) == h

    def add(self, key: str) -> None:
        self._recent.add(hash(key))
        if len(self._recent) >= self._merge_at:
            self._sorted = np.union1d(self._sorted, np.fromiter(self._recent, np.int64, len(self._recent)))
            self._recent.clear()


def distinct_papers(
    records: Iterable[tuple[int, Record]], later: Sequence[Sequence[tuple[str, SeenIds]]] = ()
) -> Iterator[tuple[Record, bool, list[str]]]:
    """Every record, with whether it is the first of its paper and (then) the paper's sources.

    ``records``: (index of its dump, record). ``later[i]``: (source, ids) of
    the dumps after dump ``i``, in order; a paper's sources are its own dump
    and those of ``later`` that hold it, each once.
    """
    seen = SeenIds()
    for index, record in records:
        pid = record.paper.paper_id
        if pid in seen:
            yield record, False, []
            continue
        seen.add(pid)
        own = record.sighting.source
        sources = [own]
        for source, ids in (later[index] if index < len(later) else ()):
            if source not in sources and source != own and pid in ids:
                sources.append(source)
        yield record, True, sources


def ids_of(records: Iterable[Record]) -> SeenIds:
    ids = SeenIds()
    for record in records:
        ids.add(record.paper.paper_id)
    return ids


# --------------------------------------------------------------------------- the work of one batch (in a worker)

Item = tuple[Paper, list[str], str]  # a paper (abstract included), its sources, where it was first seen
Done = tuple[str, list[tuple[str, Extraction]], list[str]]  # output text, extractions, notes of cut abstracts


def work(batch: list[Item], fmt: str, keep: bool) -> Done:
    """Extract each paper of the batch: the output text, the extractions when ``keep``, cut notes."""
    from auditor.cli import LINK_CSV_FIELDS, extraction_row

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LINK_CSV_FIELDS, lineterminator="\n") if fmt == "csv" else None
    kept: list[tuple[str, Extraction]] = []
    cuts: list[str] = []
    for paper, sources, where in batch:
        ex = extract(paper.abstract)
        if ex.cut_from is not None:
            cuts.append(f"{where}: {cut_note(ex)}")
        ex = with_comment_links(paper, ex)  # the arXiv comments' links too (source "comments")
        if keep:
            kept.append((paper.paper_id, ex))
        row = extraction_row(paper, ex, sources)
        if writer is None:
            out.write(json.dumps(row, ensure_ascii=False))
            out.write("\n")
        else:
            for link in row["links"]:
                writer.writerow({"paper_id": row["paper_id"], "title": row["title"], "published": row["published"], **link})
    return out.getvalue(), kept, cuts


def _work_packed(args: tuple[list[Item], str, bool]) -> Done:
    return work(*args)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def run_batches(
    batches: Iterable[tuple[list[Item], Any]],
    fmt: str,
    jobs: int,
    keep: bool,
    emit: Callable[[Done, Any], None],
) -> None:
    """Work every batch (on ``jobs`` processes), calling ``emit(done, tag)`` in order.

    ``tag`` travels with its batch untouched (the caller's records, for the
    store). At most ``2 x jobs`` batches wait at any time.
    """
    if jobs <= 1:
        for items, tag in batches:
            emit(work(items, fmt, keep), tag)
        return
    ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    with ctx.Pool(jobs) as pool:
        window: deque[tuple[Any, Any]] = deque()
        for items, tag in batches:
            window.append((pool.apply_async(_work_packed, ((items, fmt, keep),)), tag))
            if len(window) >= 2 * jobs:
                done, done_tag = window.popleft()
                emit(done.get(), done_tag)
        while window:
            done, done_tag = window.popleft()
            emit(done.get(), done_tag)


def stream_extract(
    records: Iterator[tuple[int, Record]],
    later: Sequence[Sequence[tuple[str, SeenIds]]],
    fmt: str,
    jobs: int,
    write: Callable[[str], None],
    store_batch: Callable[[list[Record], list[tuple[str, Extraction]]], None] | None = None,
    cuts: list[str] | None = None,
) -> tuple[int, int]:
    """The whole stream; returns (records, distinct papers).

    ``store_batch(records, extractions)``, when given, receives every record
    (repeats included) and the extractions of the papers first met among them;
    ``cuts`` receives a note for each abstract read only in part.
    """
    counts = [0, 0]

    def batches() -> Iterator[tuple[list[Item], list[Record]]]:
        items: list[Item] = []
        batch: list[Record] = []
        for record, first, sources in distinct_papers(records, later):
            counts[0] += 1
            if store_batch is not None:
                batch.append(record)
            if first:
                counts[1] += 1
                items.append((record.paper, sources, f"{record.sighting.source} record {record.sighting.position}"))
                if len(items) >= BATCH:
                    yield items, batch
                    items, batch = [], []
        if items or batch:
            yield items, batch

    if fmt == "csv":
        from auditor.cli import LINK_CSV_FIELDS

        head = io.StringIO()
        csv.DictWriter(head, fieldnames=LINK_CSV_FIELDS, lineterminator="\n").writeheader()
        write(head.getvalue())

    def emit(done: Done, records: list[Record]) -> None:
        text, kept, notes = done
        if cuts is not None:
            cuts.extend(notes)
        if text:
            write(text)
        if store_batch is not None:
            store_batch(records, kept)

    run_batches(batches(), fmt, jobs, store_batch is not None, emit)
    return counts[0], counts[1]


def later_ids(paths: Sequence[Path], open_reader: Callable[[Path], Iterator[Record]]) -> list[list[tuple[str, SeenIds]]]:
    """For each dump, the (source, ids) of the dumps after it (read once, ids only)."""
    ids: list[tuple[str, SeenIds]] = []
    for path in paths[1:]:
        reader = open_reader(path)
        first = next(reader, None)
        if first is None:
            ids.append(("", SeenIds()))
            continue
        found = ids_of([first])
        for record in reader:
            found.add(record.paper.paper_id)
        ids.append((first.sighting.source, found))
    return [ids[i:] for i in range(len(paths))]
