"""The store's rows of one extraction and of one batch of records, as Arrow tables.

Pure and light (pyarrow, no DuckDB or pandas): `audit extract --db` builds a
batch's tables in the worker that extracted it, and a worker pays in memory for
what it imports. The column types come from the store (``staged`` below is
:data:`auditor.store.staging.STAGED`), handed over with the task.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Iterable, Mapping, Sequence

import pyarrow as pa

from auditor.models import Claim, Extraction, Link, Record

#: Claim kinds from strongest to weakest; a link's ``claim`` is the strongest one.
CLAIM_STRENGTH = ("available", "promised", "on_request")

Columns = Mapping[str, Mapping[str, pa.DataType]]  # table name -> column -> type


def extraction_rows(
    paper_id: str, ex: Extraction, targets: dict[str, dict[str, Any]],
    links: list[dict[str, Any]], claims: list[dict[str, Any]],
) -> None:
    """Add one paper's target, link and claim rows to these collections."""
    ordinals = [link.ordinal for link in ex.links]
    if len(set(ordinals)) != len(ordinals):
        raise ValueError(f"paper {paper_id}: link ordinals repeat ({ordinals}); they must be distinct")
    for link in ex.links:
        t = link.target
        targets[t.key] = {
            "target_key": t.key, "kind": t.kind, "host": t.host,
            "owner": t.owner, "name": t.name, "url": t.url,
        }
        links.append({
            "paper_id": paper_id, "ordinal": link.ordinal, "raw": link.raw, "url": link.url,
            "target_key": t.key, "ref": link.ref, "subpath": link.subpath,
            "number": link.number, "item": link.item, "claim": link_claim(link, ex.claims), "via": link.via,
            "placeholder": link.placeholder,
            "source": link.source,
        })
    for i, c in enumerate(ex.claims):
        claims.append({
            "paper_id": paper_id, "ordinal": i, "kind": c.kind,
            "sentence": c.sentence, "target_key": c.target_key, "object": c.object,
        })


def link_claim(link: Link, claims: Iterable[Claim]) -> str | None:
    """The strongest claim kind attached to the link's target, None when none is."""
    kinds = {c.kind for c in claims if c.target_key == link.target.key}
    return next((k for k in CLAIM_STRENGTH if k in kinds), None)


def table(rows: Iterable[Mapping[str, Any]], cols: Mapping[str, pa.DataType]) -> pa.Table:
    """Rows (mappings; a missing column is NULL) as an Arrow table of these columns and types:
    the one builder of the store's batches, here so that a worker need not import DuckDB."""
    rows = rows if isinstance(rows, list) else list(rows)
    return pa.table({name: pa.array([r.get(name) for r in rows], type=typ) for name, typ in cols.items()})


#: A Sighting's stored fields, in the order :func:`row_tables` takes them.
SIGHTING_FIELDS = ("paper_id", "source", "dump_date", "position")


def batch_tables(records: Iterable[Record], extractions: Iterable[tuple[str, Extraction]], staged: Columns,
                 by_paper: bool = False) -> dict[str, pa.Table]:
    """The staged rows of one batch by table name (see :func:`row_tables`; ``records``: every
    record read, repeats included)."""
    from auditor.ingest.rows import PAPER_FIELDS

    records = list(records)
    paper, sighting = attrgetter(*PAPER_FIELDS), attrgetter(*SIGHTING_FIELDS)
    return row_tables([paper(r.paper) for r in records], [sighting(r.sighting) for r in records], extractions,
                      staged, by_paper)


def row_tables(papers: Sequence[tuple[Any, ...]], sightings: Sequence[tuple[Any, ...]],
               extractions: Iterable[tuple[str, Extraction]], staged: Columns, by_paper: bool = False) -> dict[str, pa.Table]:
    """The staged rows of one batch by table name.

    ``papers``: one tuple of :data:`auditor.ingest.rows.PAPER_FIELDS` per record read (repeats
    included), ``sightings`` likewise of :data:`SIGHTING_FIELDS`: turned into columns by one
    ``zip``, not by reading each field of each row (that was most of a worker's cost of
    storing). ``extractions``: one per paper extracted.
    ``by_paper``: one target row per paper that links it (in paper order), with that paper's
    ``paper_id``, so that the rows of papers found to be repeats later can be dropped
    (:func:`without_papers`); else one per target, the last paper's.
    """
    from auditor.ingest.rows import PAPER_FIELDS

    targets: list[dict[str, Any]] = []
    by_key: dict[str, dict[str, Any]] = {}
    links: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    for paper_id, ex in extractions:
        own: dict[str, dict[str, Any]] = {} if by_paper else by_key
        extraction_rows(paper_id, ex, own, links, claims)
        if by_paper:
            targets.extend({**row, "paper_id": paper_id} for row in own.values())
    target_cols = {**staged["targets"], "paper_id": pa.string()} if by_paper else staged["targets"]
    return {
        "papers": _by_column(papers, PAPER_FIELDS, staged["papers"]),
        "sightings": _by_column(sightings, SIGHTING_FIELDS, staged["sightings"]),
        "targets": table(targets if by_paper else list(by_key.values()), target_cols),
        "links": table(links, staged["links"]),
        "claims": table(claims, staged["claims"]),
    }


def _by_column(rows: Sequence[tuple[Any, ...]], fields: Sequence[str], cols: Mapping[str, pa.DataType]) -> pa.Table:
    """Tuples of ``fields`` as an Arrow table of the ``cols`` (a subset, in their order)."""
    values = dict(zip(fields, zip(*rows))) if rows else dict.fromkeys(fields, ())
    return pa.table({name: pa.array(values[name], type=typ) for name, typ in cols.items()})


def without_papers(tables: Mapping[str, pa.Table], dropped: Iterable[str]) -> dict[str, pa.Table]:
    """The tables without the targets, links and claims of the ``dropped`` papers (extracted
    again in a later range: their first extraction is the one stored); papers and sightings
    keep every record."""
    import pyarrow.compute as pc

    gone = pa.array(list(dropped), pa.string())
    out = dict(tables)
    for name in ("targets", "links", "claims"):
        table = tables[name]
        if table.num_rows and len(gone):
            out[name] = table.filter(pc.invert(pc.is_in(table.column("paper_id"), value_set=gone)))
    return out


def shifted(tables: Mapping[str, pa.Table], offset: int) -> dict[str, pa.Table]:
    """The tables with the sightings' positions moved by ``offset`` (a range's rows before it)."""
    if not offset:
        return dict(tables)
    import pyarrow.compute as pc

    sightings = tables["sightings"]
    at = sightings.schema.get_field_index("position")
    moved = pc.add(sightings.column(at), pa.scalar(offset, sightings.schema.field(at).type))
    return {**tables, "sightings": sightings.set_column(at, "position", moved)}
