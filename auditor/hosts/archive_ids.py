"""Which archived copies a repository names, and where it names them (pure).

Three places, in the order they are believed:

* ``CITATION.cff`` (Citation File Format 1.2): the top-level ``doi:`` is the
  DOI *of the software* (the spec's words), and so are the top-level
  ``identifiers:`` of ``type: doi``; ``type: swh`` values are SWHIDs. The
  ``preferred-citation:`` and ``references:`` blocks name the paper and what
  it cites, not an archive of this code: they are not read.
* ``.zenodo.json``: the metadata Zenodo's GitHub integration puts on the
  record it makes of each release. It usually holds no DOI of its own (Zenodo
  mints one per release); a top-level ``"doi"`` is taken when present, and its
  ``related_identifiers`` (often the paper) are not. Without a DOI the file only
  says that releases are archived at Zenodo: a hint, not an archive.
* The README, description and homepage: Zenodo DOIs and record links, DOIs of
  other archives (figshare, OSF, Dryad, Dataverse, Code Ocean, Mendeley Data:
  by their DOI prefix; a publisher's DOI is the paper, not an archive) and
  Software Heritage SWHIDs (``swh:1:dir:…``, the archive's badge links).

Each identifier is named once, with the first place it was found in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

#: DOI prefixes of general-purpose archives: a DOI under them is an archived copy of an artifact.
ARCHIVE_DOI_PREFIXES: Mapping[str, str] = {
    "10.5281": "Zenodo",
    "10.6084": "figshare",
    "10.17605": "OSF",
    "10.5061": "Dryad",
    "10.7910": "Harvard Dataverse",
    "10.24433": "Code Ocean",
    "10.17632": "Mendeley Data",
}
#: Characters of CITATION.cff and .zenodo.json kept for parsing (GraphQL returns a blob whole).
CITATION_TEXT_LIMIT = 16_384
CITATION_FILES = ("CITATION.cff", ".zenodo.json")

ZENODO_ID_RE = re.compile(
    r"(?:10\.5281/zenodo\.|zenodo\.org/(?:records?|badge/latestdoi|doi/10\.5281/zenodo\.)/?)(\d{3,10})", re.IGNORECASE
)
DOI_RE = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>()\[\]{}]+)", re.IGNORECASE)
SWHID_RE = re.compile(r"\bswh:1:(?:cnt|dir|rev|rel|snp):[0-9a-f]{40}\b")


@dataclass(frozen=True)
class Named:
    """One archived copy a repository names: kind zenodo (a record id), doi (another archive's) or swhid."""

    kind: str
    identifier: str
    source: str  # "CITATION.cff", ".zenodo.json", "README", "description", "homepage"
    archive: str = ""  # Zenodo, figshare, ... Software Heritage


def zenodo_ids(text: str) -> list[str]:
    """Zenodo record ids named in a text (DOI 10.5281/zenodo.N, record and badge links), in order."""
    seen: list[str] = []
    for m in ZENODO_ID_RE.finditer(text or ""):
        if m.group(1) not in seen:
            seen.append(m.group(1))
    return seen


def dois(text: str) -> list[str]:
    """Every DOI in a text, trailing punctuation removed, lower-cased, in order."""
    out: list[str] = []
    for m in DOI_RE.finditer(text or ""):
        doi = m.group(1).rstrip(".,;:").lower()
        doi = re.sub(r"\.svg$", "", doi)
        if doi not in out:
            out.append(doi)
    return out


def archive_of(doi: str) -> str | None:
    """The archive a DOI belongs to by its prefix, or None (a publisher's DOI: the paper)."""
    return ARCHIVE_DOI_PREFIXES.get(doi.split("/", 1)[0])


def _scalar(value: str) -> str:
    value = value.split(" #", 1)[0].strip()
    return value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value


def cff_identifiers(text: str) -> list[str]:
    """The software's own DOIs and SWHIDs in a CITATION.cff: top-level ``doi`` and ``identifiers``, in order."""
    found: list[str] = []
    section = None  # the top-level key whose block we are in
    item: dict[str, str] = {}

    def close_item() -> None:
        if item.get("type", "").lower() in ("doi", "swh") and item.get("value"):
            found.append(item["value"])
        item.clear()

    for raw in (text or "").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        line = raw.strip()
        if indent == 0 and not line.startswith("-"):
            close_item()
            key, _, value = line.partition(":")
            section = key.strip().lower()
            if section == "doi" and _scalar(value):
                found.append(_scalar(value))
            continue
        if section != "identifiers":
            continue
        if line.startswith("- "):
            close_item()
            line = line[2:].strip()
        key, sep, value = line.partition(":")
        if sep:
            item[key.strip().lower()] = _scalar(value)
    close_item()
    return [v.lower() if v.lower().startswith("10.") else v for v in found]


def zenodo_json_doi(text: str) -> str | None:
    """The top-level ``"doi"`` of a .zenodo.json, when it has one (most do not)."""
    try:
        meta = json.loads(text or "")
    except ValueError:
        return None
    doi = meta.get("doi") if isinstance(meta, Mapping) else None
    return doi.strip().lower() if isinstance(doi, str) and doi.strip().startswith("10.") else None


def _classify(identifier: str, source: str) -> Named | None:
    if SWHID_RE.fullmatch(identifier):
        return Named("swhid", identifier, source, "Software Heritage")
    ids = zenodo_ids(identifier)
    if ids:
        return Named("zenodo", ids[0], source, "Zenodo")
    archive = archive_of(identifier)
    return Named("doi", identifier, source, archive) if archive else None


def named_archives(data: Mapping[str, Any]) -> list[Named]:
    """Every archived copy a repository's facts name, first place first (see the module docstring)."""
    files = data.get("citation_files") or {}
    candidates: list[tuple[str, str]] = [(i, "CITATION.cff") for i in cff_identifiers(str(files.get("CITATION.cff") or ""))]
    zdoi = zenodo_json_doi(str(files.get(".zenodo.json") or ""))
    if zdoi:
        candidates.append((zdoi, ".zenodo.json"))
    texts = [("README", str((data.get("readme") or {}).get("text") or "")),
             ("description", str(data.get("description") or "")), ("homepage", str(data.get("homepage") or ""))]
    for source, text in texts:
        candidates += [(f"10.5281/zenodo.{i}", source) for i in zenodo_ids(text)]
        candidates += [(d, source) for d in dois(text) if archive_of(d) and archive_of(d) != "Zenodo"]
        candidates += [(s, source) for s in dict.fromkeys(SWHID_RE.findall(text))]
    out: list[Named] = []
    seen: set[tuple[str, str]] = set()
    for identifier, source in candidates:
        named = _classify(identifier, source)
        if named is not None and (named.kind, named.identifier) not in seen:
            seen.add((named.kind, named.identifier))
            out.append(named)
    return out


def citation_files(node: Mapping[str, Any]) -> dict[str, str]:
    """{file name: text, cut at CITATION_TEXT_LIMIT} of the citation files a GraphQL repository node holds."""
    out = {}
    for alias, name in (("citationCff", "CITATION.cff"), ("zenodoJson", ".zenodo.json")):
        blob = node.get(alias)
        if isinstance(blob, Mapping) and isinstance(blob.get("text"), str):
            out[name] = blob["text"][:CITATION_TEXT_LIMIT]
    return out
