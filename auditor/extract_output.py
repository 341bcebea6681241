"""What `audit extract` prints for one paper: its JSON object, or its CSV rows (one per link).

Pure formatting. A paper's JSON object is written from a template with json's
own string encoder, byte for byte what ``json.dumps(extraction_row(...),
ensure_ascii=False)`` writes, at a fraction of the cost.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from auditor.extract import claim_for, claim_object_for

#: Columns of `audit extract --format csv`: one row per link.
LINK_CSV_FIELDS = [
    "paper_id", "title", "published", "raw", "url", "target", "kind", "owner", "name", "ref", "subpath", "number",
    "source", "via", "claim", "object", "placeholder",
]

#: Where a paper's sources stand in its JSON object: they are the only part that the
#: process writing the output may change (a paper seen in several dumps).
SOURCES_KEY = ', "sources": '

_encode = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) uses for str


def extraction_row(paper: Any, ex: Any, sources: list[str]) -> dict[str, Any]:
    """The `audit extract` JSON object of one paper."""
    return {
        "paper_id": paper.paper_id,
        "title": paper.title,
        "published": paper.published_on.isoformat() if paper.published_on else None,
        "arxiv_id": paper.arxiv_id,
        "doi": paper.doi,
        "sources": sources,
        "links": [
            {
                "raw": link.raw,
                "url": link.url,
                "target": link.target.key,
                "kind": link.target.kind,
                "owner": link.target.owner,
                "name": link.target.name,
                "ref": link.ref,
                "subpath": link.subpath,
                "number": link.number,
                "claim": claim_for(link, ex.claims),
                "object": claim_object_for(link, ex.claims),
                "placeholder": link.placeholder,
                "source": link.source,
                "via": link.via,
            }
            for link in ex.links
        ],
        "claims": [{"kind": c.kind, "object": c.object, "sentence": c.sentence, "target": c.target_key} for c in ex.claims],
    }


def _value(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False)`` for one value of a paper's object."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _encode(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)  # a float, a container: json's own text


def sources_json(sources: list[str]) -> str:
    return "[" + ", ".join(map(_encode, sources)) + "]"


def paper_json(paper: Any, ex: Any, sources: list[str]) -> str:
    """``json.dumps(extraction_row(paper, ex, sources), ensure_ascii=False)``."""
    return paper_text(paper, ex, sources_json(sources))


def paper_text(paper: Any, ex: Any, sources: str) -> str:
    """:func:`paper_json` with the sources already written (:func:`sources_json`), from a template:
    byte for byte json.dumps' text (its separators, its string encoder), at a fraction of the cost."""
    v, e = _value, _encode  # e: fields that are always text (the Link's, Target's and Claim's types)
    published = f'"{paper.published_on.isoformat()}"' if paper.published_on else "null"  # digits and '-': no escapes
    head = (f'{{"paper_id": {_encode(paper.paper_id)}, "title": {_encode(paper.title)}, "published": {published}, '
            f'"arxiv_id": {v(paper.arxiv_id)}, "doi": {v(paper.doi)}{SOURCES_KEY}{sources}')
    if not ex.links and not ex.claims:
        return head + ', "links": [], "claims": []}'
    claims = ex.claims
    links = ", ".join(
        f'{{"raw": {e(link.raw)}, "url": {e(link.url)}, "target": {e(t.key)}, "kind": {e(t.kind)}, '
        f'"owner": {v(t.owner)}, "name": {v(t.name)}, "ref": {v(link.ref)}, "subpath": {v(link.subpath)}, '
        f'"number": {v(link.number)}, "claim": {v(claim_for(link, claims))}, '
        f'"object": {v(claim_object_for(link, claims))}, "placeholder": {v(link.placeholder)}, '
        f'"source": {e(link.source)}, "via": {v(link.via)}}}'
        for link in ex.links for t in (link.target,))
    said = ", ".join(f'{{"kind": {e(c.kind)}, "object": {e(c.object)}, "sentence": {e(c.sentence)}, '
                     f'"target": {v(c.target_key)}}}' for c in claims)
    return f'{head}, "links": [{links}], "claims": [{said}]}}'


def with_sources(text: str, own: list[str], sources: list[str]) -> str:
    """A paper's JSON object written with sources ``own``, with ``sources`` instead."""
    at = text.index(SOURCES_KEY) + len(SOURCES_KEY)  # the first: earlier values are JSON strings, quotes escaped
    return text[:at] + sources_json(sources) + text[at + len(sources_json(own)):]


def link_rows(paper: Any, ex: Any) -> str:
    """The paper's CSV rows (no header): one per link."""
    if not ex.links:
        return ""
    row = extraction_row(paper, ex, [])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LINK_CSV_FIELDS, lineterminator="\n")
    for link in row["links"]:
        writer.writerow({"paper_id": row["paper_id"], "title": row["title"], "published": row["published"], **link})
    return out.getvalue()


def csv_header() -> str:
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=LINK_CSV_FIELDS, lineterminator="\n").writeheader()
    return out.getvalue()
