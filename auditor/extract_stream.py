"""`audit extract` as a stream: read, de-duplicate, extract on every core, write in order.

Memory does not grow with the corpus: records flow through in batches, the
only state kept per paper is 8 bytes (its 64-bit id, in sorted numpy arrays,
so that a paper read twice is extracted and printed once), and at most
``2 x jobs`` batches are in flight. Extraction and formatting run in a
process pool; results are written in submission order, so the output is the
same as a one-core run's (first-seen order of distinct papers).

JSON Lines files (the arXiv snapshot among them) are not read here at all:
the workers read, parse and extract their own byte ranges of the file
(:mod:`auditor.extract_chunks`) and send back each paper's id and output text;
this process only keeps the first of each paper and writes. Other formats are
read here and their distinct papers sent to the workers in batches.

A paper's ``sources`` lists every dump it appears in. With one dump that is
that dump; with several, the dumps after the first are read once beforehand
for their ids only (hashes again), so that a paper's row can be written the
moment it is first met.
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from auditor.discover.comments import with_comment_links
from auditor.extract import cut_note, extract
from auditor.extract_output import with_sources
from auditor.models import Extraction, Paper, Record
from auditor.pools import process_pool

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

    from auditor.extract_chunks import ChunkDone, ChunkTask
    from auditor.ingest.json_lines import LinePlan

#: Distinct papers per batch handed to a worker.
BATCH = 2_000
#: Bytes of a JSON Lines file per range a worker reads (about 2,400 arXiv snapshot rows).
CHUNK_BYTES = 4 << 20

_MASK = (1 << 64) - 1
_HEX = "0123456789abcdef"


def id_key(paper_id: str) -> int:
    """The 64 bits a paper id is kept as: the id itself for ours (16 hex digits of a SHA-1),
    else its hash (salted per process: compared only within this one)."""
    if len(paper_id) == 16 and not paper_id.strip(_HEX):
        return int(paper_id, 16)
    return hash(paper_id) & _MASK


class SeenIds:
    """A set of paper ids held as 64-bit keys (:func:`id_key`): 8 bytes each, in sorted numpy
    arrays. Ids added in bulk (a worker's range) go into arrays of doubling sizes, so adding n
    costs O(n log n) in all; ids added one by one wait in a small buffer, then all is merged
    into one array (linear merges of sorted runs), so a lookup one by one is one search.

    Ids of ours are their own keys (no collision); others share a hash with probability
    ~n²/2^65 (1 in 5 million for all of arXiv).
    """

    def __init__(self, merge_at: int = 65_536) -> None:
        self._levels: list[Any] = []  # sorted uint64 arrays, each at most half the one before
        self._recent: set[int] = set()
        self._merge_at = merge_at
        self._size = 0

    def __len__(self) -> int:
        self._flush()
        return self._size

    def __contains__(self, key: str) -> bool:
        k = id_key(key)
        if k in self._recent:
            return True
        if not self._levels:
            return False
        import numpy as np

        k64 = np.uint64(k)
        for level in self._levels:
            i = int(level.searchsorted(k64))
            if i < len(level) and level[i] == k64:
                return True
        return False

    def add(self, key: str) -> None:
        self._recent.add(id_key(key))
        if len(self._recent) >= self._merge_at:
            self._flush()

    def _flush(self) -> None:
        import numpy as np

        if self._recent:
            keys = np.fromiter(self._recent, np.uint64, len(self._recent))
            self._recent.clear()
            keys = keys[self._new(keys)]  # add() does not look: an id added twice is kept once
            keys.sort()
            self._push(keys, whole=True)  # one level: a lookup one by one then costs one search

    def _new(self, keys: Any) -> Any:
        """Which of ``keys`` (uint64) no level holds."""
        import numpy as np

        new = np.ones(len(keys), dtype=bool)
        for level in self._levels:
            at = level.searchsorted(keys)
            at[at == len(level)] = 0
            new &= level[at] != keys
        return new

    def _push(self, keys: Any, whole: bool = False) -> None:
        """Add sorted keys none of which is in the set yet (``whole``: merging every level)."""
        import numpy as np

        self._size += len(keys)
        while self._levels and (whole or len(self._levels[-1]) <= 2 * len(keys)):
            keys = np.concatenate((self._levels.pop(), keys))
            keys.sort(kind="stable")  # two sorted runs: a linear merge
        self._levels.append(keys)

    def add_new(self, packed: bytes) -> list[bool]:
        """For ids given as 8 big-endian bytes each (distinct), whether each is new; adds them."""
        import numpy as np

        keys = np.frombuffer(packed, dtype=">u8").astype(np.uint64)
        self._flush()
        new = self._new(keys)
        fresh = keys[new]
        if len(fresh):
            fresh.sort()
            self._push(fresh)
        return new.tolist()


def distinct_papers(
    records: Iterable[tuple[int, Record]], later: Sequence[Sequence[tuple[str, SeenIds]]] = (),
    seen: SeenIds | None = None,
) -> Iterator[tuple[Record, bool, list[str]]]:
    """Every record, with whether it is the first of its paper and (then) the paper's sources.

    ``records``: (index of its dump, record). ``later[i]``: (source, ids) of
    the dumps after dump ``i``, in order; a paper's sources are its own dump
    and those of ``later`` that hold it, each once. ``seen``: the ids met before.
    """
    seen = SeenIds() if seen is None else seen
    for index, record in records:
        pid = record.paper.paper_id
        if pid in seen:
            yield record, False, []
            continue
        seen.add(pid)
        yield record, True, sources_of(pid, record.sighting.source, later[index] if index < len(later) else ())


def sources_of(pid: str, own: str, others: Sequence[tuple[str, SeenIds]]) -> list[str]:
    """A paper's sources: ``own`` (its dump's name), then each of ``others`` (source, ids of a
    later dump) that holds it, each name once (two dumps of one name in two folders are one)."""
    sources = [own]
    for source, ids in others:
        if source not in sources and pid in ids:
            sources.append(source)
    return sources


def ids_of(records: Iterable[Record]) -> SeenIds:
    ids = SeenIds()
    for record in records:
        ids.add(record.paper.paper_id)
    return ids


# --------------------------------------------------------------------------- the work of one batch (in a worker)

Item = tuple[Paper, list[str], str]  # a paper (abstract included), its sources, where it was first seen
Done = tuple[str, Any, list[str]]  # output text, the store's rows (or None), notes of cut abstracts


def work(batch: list[Item], fmt: str, records: list[Record] | None = None, staged: Any = None) -> Done:
    """Extract each paper of the batch: the output text, the store's rows, cut notes.

    ``staged`` (`audit extract --db`): the store's rows of ``records`` (every record of the
    batch, repeats included) and of the batch's extractions are built here.
    """
    from auditor.extract_output import link_rows, paper_json

    out: list[str] = []
    kept: list[tuple[str, Extraction]] = []
    cuts: list[str] = []
    for paper, sources, where in batch:
        ex = extract(paper.abstract)
        if ex.cut_from is not None:
            cuts.append(f"{where}: {cut_note(ex)}")
        ex = with_comment_links(paper, ex)  # the arXiv comments' links too (source "comments")
        if staged is not None:
            kept.append((paper.paper_id, ex))
        if fmt == "csv":
            out.append(link_rows(paper, ex))
        else:
            out.append(paper_json(paper, ex, sources))
            out.append("\n")
    if staged is None:
        return "".join(out), None, cuts
    from auditor.extract_rows import batch_tables

    return "".join(out), batch_tables(records or [], kept, staged), cuts


def _work_packed(args: Any) -> Any:
    """A worker's task: a range of a JSON Lines file (ChunkTask) or a batch of papers."""
    if isinstance(args, tuple):
        return work(*args)
    from auditor.extract_chunks import work_chunk

    return work_chunk(args)


def _worker_started() -> None:
    """Imports done once, then frozen out of the collector's sight: a full collection then
    walks only what the work itself made (the modules' objects would be walked again at each)."""
    import auditor.extract_chunks  # noqa: F401

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: a task in hand is finished (_settle)
    gc.freeze()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def run_in_order(tasks: Iterable[tuple[Any, Any] | None], jobs: int,
                 emit: Callable[[Callable[[], Any], Any], None]) -> None:
    """Work every (task, tag) on ``jobs`` processes (a task as :func:`_work_packed` takes it),
    calling ``emit(result, tag)`` in the order given; ``result()`` returns the task's output or
    raises its error. At most ``2 x jobs`` tasks wait at any time. A None among the tasks is a
    barrier: every task before it is emitted before the next one is taken from ``tasks``."""
    if jobs <= 1:
        for item in tasks:
            if item is not None:
                emit(functools.partial(_work_packed, item[0]), item[1])
        return
    with process_pool(jobs, initializer=_worker_started) as pool:
        window: deque[tuple[AsyncResult, Any]] = deque()

        def emit_first() -> None:
            result, tag = window[0]
            emit(result.get, tag)
            window.popleft()  # only now: a task whose emit fails (or is interrupted) is settled too

        try:
            for item in tasks:
                if item is None:
                    while window:
                        emit_first()
                    continue
                window.append((pool.apply_async(_work_packed, (item[0],)), item[1]))
                if len(window) >= 2 * jobs:
                    emit_first()
            while window:
                emit_first()
        except BaseException:  # a closed stdout, Ctrl-C, a bad record: the pool is terminated next
            _settle(result for result, _ in window)
            raise


#: How long a run that is ending on an error waits for the tasks already handed to its pool.
SETTLE_SECONDS = 5.0


def _settle(results: Iterable[AsyncResult], seconds: float = SETTLE_SECONDS) -> None:
    """Wait until the tasks handed to the pool are done (or ``seconds`` passed) before it is terminated.

    Pool.terminate() hangs for good when its task-handler thread is still sending a task
    bigger than the pipe's buffer (a batch of papers with their abstracts) as it stops the
    workers and the reading: nothing reads the rest, and terminate waits for that thread;
    likewise a worker still sending a large result once the result thread has gone. Tasks
    in flight are at most ``2 x jobs``, so waiting for them costs well under a second.
    """
    deadline = time.monotonic() + seconds
    for result in results:
        result.wait(max(0.0, deadline - time.monotonic()))


def later_ids(paths: Sequence[Path], open_reader: Callable[[Path], Iterator[Record]],
              lines: Mapping[int, LineDump] | None = None, jobs: int = 1) -> list[list[tuple[str, SeenIds]]]:
    """For each dump, the (source, ids) of the dumps after it (read once, ids only).

    A JSON Lines dump the workers read (``lines``, by index in ``paths``) is read by them for
    this too, on ``jobs`` processes, its lines parsed for the title alone (no DuckDB in this
    process, no Record, no extraction); any other dump by its reader.
    """
    ids: list[tuple[str, SeenIds]] = []
    for index, path in enumerate(paths[1:], start=1):
        if lines and index in lines:
            ids.append((path.name, _line_ids(lines[index], jobs)))
            continue
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


def _line_ids(dump: LineDump, jobs: int) -> SeenIds:
    """The ids of a JSON Lines dump's papers, read by the workers range by range."""
    from auditor.extract_chunks import ChunkTask, line_ranges, work_chunk
    from auditor.ingest.json_lines import RowError

    found = SeenIds()
    tasks = (ChunkTask(str(dump.path), start, end, dump.plan, dump.path.name, dump.shown, "jsonl", ids_only=True)
             for start, end in line_ranges(dump.path, CHUNK_BYTES))
    rows = 0

    def take(results: Iterator[Any]) -> None:
        nonlocal rows
        while True:
            try:
                done = next(results)
            except StopIteration:
                return
            except RowError as exc:  # named by its row in the whole file, as the stream names it
                raise exc.counted_from(rows) from None
            rows += done.rows
            if done.ids:
                found.add_new(done.ids)

    if jobs <= 1:
        take(map(work_chunk, tasks))
        return found
    with process_pool(jobs, initializer=_worker_started) as pool:
        take(pool.imap(work_chunk, tasks))
    return found


# --------------------------------------------------------------------------- several dumps, some read by the workers


@dataclass
class LineDump:
    """A JSON Lines dump the workers read themselves (see :mod:`auditor.extract_chunks`)."""

    index: int
    path: Path
    shown: str
    plan: LinePlan
    rows: int = 0  # rows and lines of the ranges written so far
    lines: int = 0
    met_paper: bool = False


@dataclass
class RecordDump:
    """A dump read here, record by record (its first record read already)."""

    index: int
    first: Record | None
    reader: Iterator[Record]


@dataclass
class Notes:
    """Lines for stderr, gathered in the order a one-process read reports them: every dump's
    opening (records over the size limit, a text dump's bad records), then every dump's
    records before its first paper (read when it is opened), then the rest as read."""

    opened: list[list[str]]
    before_first: list[list[str]]
    reading: list[str] = field(default_factory=list)
    cuts: list[str] = field(default_factory=list)

    def skipped(self) -> list[str]:
        return [line for lines in self.opened for line in lines] + \
            [line for lines in self.before_first for line in lines] + self.reading


def stream_dumps(
    dumps: Sequence[LineDump | RecordDump],
    later: Sequence[Sequence[tuple[str, SeenIds]]],
    fmt: str,
    jobs: int,
    write: Callable[[str], None],
    notes: Notes,
    advance: Callable[[int], None] = lambda n: None,
    stage: Callable[[Any], None] | None = None,
) -> None:
    """`audit extract`: every dump in order, each paper written once.

    ``stage`` (`audit extract --db`): called with the store's rows of each range or batch, in
    order (built by the workers, see :mod:`auditor.extract_rows`): every record, and the
    extractions of the papers first met in it.
    """
    staged = None
    if stage is not None:
        from auditor.store.staging import STAGED as staged
    from auditor.extract_chunks import ChunkTask, line_ranges
    from auditor.ingest.json_lines import RowError
    from auditor.extract_output import csv_header

    seen = SeenIds()
    if fmt == "csv":
        write(csv_header())

    def tasks() -> Iterator[tuple[Any, Any] | None]:
        after_lines = False
        for dump in dumps:
            if isinstance(dump, LineDump):
                after_lines = True
                for start, end in line_ranges(dump.path, CHUNK_BYTES):
                    yield ChunkTask(str(dump.path), start, end, dump.plan, dump.path.name, dump.shown, fmt, staged), dump
                continue
            if after_lines:
                yield None  # what is read here is de-duplicated as read: the ranges before it first
                after_lines = False
            yield from _record_batches(dump, seen, later, fmt, advance, staged)

    def emit(result: Callable[[], Any], dump: Any) -> None:
        try:
            done = result()
        except RowError as exc:  # a line DuckDB refuses is named by its row in the whole file, not in its range
            if isinstance(dump, LineDump):
                raise exc.counted_from(dump.rows) from None
            raise
        if isinstance(dump, LineDump):
            _emit_chunk(done, dump, seen, later, fmt, write, notes, stage)
            advance(done.rows - len(done.skips))
            return
        text, tables, cuts = done
        notes.cuts.extend(cuts)
        if text:
            write(text)
        if stage is not None:
            stage(tables)

    run_in_order(tasks(), jobs, emit)


def _record_batches(dump: RecordDump, seen: SeenIds, later: Sequence[Sequence[tuple[str, SeenIds]]], fmt: str,
                    advance: Callable[[int], None], staged: Any = None) -> Iterator[tuple[Any, Any]]:
    """Batches of the papers first met; with ``staged``, each with every record read since the
    last batch (the store's rows are built from them in the worker), at most ``BATCH`` of them:
    a long run of papers met before (a dump read twice) is sent on in batches of records alone."""
    def records() -> Iterator[tuple[int, Record]]:
        if dump.first is None:
            return
        yield dump.index, dump.first
        advance(1)
        for record in dump.reader:
            yield dump.index, record
            advance(1)

    items: list[Item] = []
    read: list[Record] = []
    keep = staged is not None

    def task() -> tuple[Any, ...]:
        return (items, fmt, read, staged) if keep else (items, fmt)

    for record, first, sources in distinct_papers(records(), later, seen):
        if keep:
            read.append(record)
        if first:
            items.append((record.paper, sources, f"{record.sighting.source} record {record.sighting.position}"))
        if len(items) >= BATCH or len(read) >= BATCH:
            yield task(), dump
            items, read = [], []
    if items or read:
        yield task(), dump


def _emit_chunk(done: ChunkDone, dump: LineDump, seen: SeenIds, later: Sequence[Sequence[tuple[str, SeenIds]]],
                fmt: str, write: Callable[[str], None], notes: Notes, stage: Callable[[Any], None] | None = None) -> None:
    """Write the papers of one range not met before; its notes where a one-process read puts them.
    ``stage``: given the range's store rows (see :func:`_staged_rows`)."""
    from auditor.ingest.oversized import RECORD_LIMIT

    source = dump.path.name
    for i, length in done.long:
        line = dump.lines + i + 1
        notes.opened[dump.index].append(
            f"{source} record {max(line - 1, 0)}: line {line}: {length:,} bytes, over the {RECORD_LIMIT:,}-byte limit for one record")
    for r, why in done.skips:
        before = not dump.met_paper and (done.first_good is None or r < done.first_good)
        (notes.before_first[dump.index] if before else notes.reading).append(f"{source} record {dump.rows + r}: {why}")
    if done.first_good is not None:
        dump.met_paper = True
    rows, dump.rows, dump.lines = dump.rows, dump.rows + done.rows, dump.lines + done.lines
    if not done.ends:
        return
    new = seen.add_new(done.ids)
    if stage is not None:
        stage(_staged_rows(done, new, rows))
    for k, r, note in done.cuts:
        if new[k]:  # a paper met before was extracted (and cut) then
            notes.cuts.append(f"{source} record {rows + r}: {note}")
    others = later[dump.index] if dump.index < len(later) and fmt != "csv" else ()
    if not others and all(new):
        write(done.text)  # the common case: the range's text as it came
        return
    out: list[str] = []
    start = 0
    for k, (end, fresh) in enumerate(zip(done.ends, new)):
        if fresh:
            text = done.text[start:end]
            if others:
                sources = sources_of(done.ids[8 * k: 8 * k + 8].hex(), source, others)
                if len(sources) > 1:
                    text = with_sources(text, [source], sources)
            out.append(text)
        start = end
    write("".join(out))


def _staged_rows(done: ChunkDone, new: list[bool], rows_before: int) -> Any:
    """A range's store rows as the stream has them: positions counted in the whole file, and
    the papers met in an earlier range without the links and claims extracted again here."""
    from auditor.extract_rows import shifted, without_papers

    tables = shifted(done.tables, rows_before)
    if all(new):
        return tables
    return without_papers(tables, (done.ids[8 * k: 8 * k + 8].hex() for k, fresh in enumerate(new) if not fresh))


class OpenedDumps:
    """Every dump opened (a file that cannot be read fails here, before anything is written),
    ready to stream (:meth:`stream`).

    A JSON Lines dump whose columns are plain (see :func:`auditor.ingest.json_lines.line_plan`)
    is read by the workers; any other by its reader, here.
    """

    def __init__(self, paths: Sequence[Path], title_column: str | None = None,
                 abstract_column: str | None = None, jobs: int = 1) -> None:
        from auditor.ingest import detect_format, read_records
        from auditor.ingest.json_lines import line_plan

        notes = self.notes = Notes([[] for _ in paths], [[] for _ in paths])
        into: list[list[str]] = [notes.reading]  # where a reader's bad records go now

        def on_skip(source: str, position: int, message: str) -> None:
            into[0].append(f"{source} record {position}: {message}")

        def open_reader(path: Path, skip: Any = None) -> Iterator[Record]:
            return read_records(path, title_column=title_column, abstract_column=abstract_column, on_skip=skip)

        opened: list[LineDump | tuple[int, Iterator[Record]]] = []
        for index, path in enumerate(paths):
            plan = line_plan(path, str(path), title_column, abstract_column) if detect_format(path) == "jsonl" else None
            if plan is not None:
                opened.append(LineDump(index, path, str(path), plan))
                continue
            into[0] = notes.opened[index]
            opened.append((index, open_reader(path, on_skip)))
        dumps: list[LineDump | RecordDump] = []
        for item in opened:
            if isinstance(item, LineDump):
                dumps.append(item)
                continue
            index, reader = item
            into[0] = notes.before_first[index]
            dumps.append(RecordDump(index, next(reader, None), reader))
        into[0] = notes.reading
        self.dumps = dumps
        lines = {d.index: d for d in dumps if isinstance(d, LineDump)}
        self.later = later_ids(list(paths), open_reader, lines, jobs) if len(paths) > 1 else []

    def stream(self, fmt: str, jobs: int, write: Callable[[str], None], progress: Any,
               stage: Callable[[Any], None] | None = None) -> None:
        """Stream every dump (``stage``: see :func:`stream_dumps`); notes gather in ``notes``."""
        progress.start("read", None, "records")
        stream_dumps(self.dumps, self.later, fmt, jobs, write, self.notes, lambda n: progress.advance("read", n), stage)
        progress.finish("read")
