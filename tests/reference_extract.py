"""What `audit extract` must print and store, made the plain way: the reference its fast paths are
compared with (the workers' byte ranges of JSON Lines, the pool, the store rows built in workers).

Every dump is read here record by record by ingest's :func:`~auditor.ingest.read_records`, each
distinct paper (:func:`~auditor.extract_stream.distinct_papers`) is extracted once and formatted
as the product formats it; with ``store_batch``, every record and the extractions are handed over
batch by batch (``extract_stream.BATCH`` papers; the product also cuts a batch at ``BATCH`` records,
which changes no stored row). One process, no pool.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from auditor import extract_stream
from auditor.discover.comments import with_comment_links
from auditor.extract import cut_note, extract
from auditor.extract_output import csv_header, link_rows, paper_json
from auditor.extract_rows import batch_tables
from auditor.extract_stream import distinct_papers, later_ids
from auditor.ingest import read_records
from auditor.models import Extraction, Record

StoreBatch = Callable[[list[Record], list[tuple[str, Extraction]]], None]


class ReadDumps:
    """Every dump opened by its reader, with each one's first record read, when made (so that
    the notes of skipped records come in the order a one-process read meets them)."""

    def __init__(self, paths: Sequence[Path], title_column: str | None = None,
                 abstract_column: str | None = None) -> None:
        self.skipped: list[str] = []
        self.cuts: list[str] = []

        def open_reader(path: Path, on_skip: Any = None) -> Iterator[Record]:
            return read_records(path, title_column=title_column, abstract_column=abstract_column, on_skip=on_skip)

        readers = [open_reader(p, lambda source, pos, msg: self.skipped.append(f"{source} record {pos}: {msg}"))
                   for p in paths]
        self._firsts = [(next(reader, None), reader) for reader in readers]
        self._later = later_ids(list(paths), open_reader) if len(paths) > 1 else []

    def _records(self) -> Iterator[tuple[int, Record]]:
        for index, (first, reader) in enumerate(self._firsts):
            if first is not None:
                yield index, first
                yield from ((index, record) for record in reader)

    def stream(self, fmt: str, write: Callable[[str], None], store_batch: StoreBatch | None = None) -> None:
        """Write every distinct paper (jsonl: its object; csv: its rows after one header); cut
        notes gather in ``cuts``; ``store_batch(records, extractions)`` receives every record
        (repeats included) and the extractions of the papers first met among them."""
        if fmt == "csv":
            write(csv_header())
        records: list[Record] = []
        kept: list[tuple[str, Extraction]] = []
        for record, first, sources in distinct_papers(self._records(), self._later):
            if store_batch is not None:
                records.append(record)
            if not first:
                continue
            paper = record.paper
            ex = extract(paper.abstract)
            if ex.cut_from is not None:
                self.cuts.append(f"{record.sighting.source} record {record.sighting.position}: {cut_note(ex)}")
            ex = with_comment_links(paper, ex)
            write(link_rows(paper, ex) if fmt == "csv" else paper_json(paper, ex, sources) + "\n")
            if store_batch is not None:
                kept.append((paper.paper_id, ex))
                if len(kept) >= extract_stream.BATCH:
                    store_batch(records, kept)
                    records, kept = [], []
        if store_batch is not None and (records or kept):
            store_batch(records, kept)


def staged(store: Any) -> StoreBatch:
    """``store_batch`` that stages into ``store`` (after ``begin_staging``), as the product does."""
    from auditor.store.staging import STAGED

    return lambda records, extractions: store.stage_tables(batch_tables(records, extractions, STAGED))
