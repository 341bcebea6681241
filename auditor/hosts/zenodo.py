"""One Zenodo record as facts (pure): the web collector's ``zenodo`` targets and the archive pass share it.

Zenodo answers ``GET /api/records/{id}`` in two shapes: the legacy one
(``files`` a list, ``metadata.license`` a string or ``{"id": ...}``) and
InvenioRDM's (``files`` ``{"entries": {...}, "count": n}``). Both carry the
DOI at the top (``doi``, ``conceptdoi``) or in ``metadata.doi``, and the code
it archives in ``metadata.related_identifiers`` (a GitHub release for records
made by the GitHub integration).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from auditor.hosts.common import spdx_for

_FORGE_RE = re.compile(r"github\.com|gitlab|bitbucket|codeberg", re.IGNORECASE)


def parse_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The facts of one record: id, DOIs, title, access, files, license, dates, type and related links."""
    meta = record.get("metadata") if isinstance(record.get("metadata"), Mapping) else {}
    files = record.get("files")
    if isinstance(files, Mapping):  # InvenioRDM: {"entries": {...}, "count": n} or {"enabled": ...}
        count = files.get("count", len(files.get("entries") or {}))
    else:
        count = len(files or [])
    lic = meta.get("license")
    lic_id = lic.get("id") if isinstance(lic, Mapping) else lic
    related = [str(r.get("identifier")) for r in meta.get("related_identifiers") or []
               if isinstance(r, Mapping) and r.get("identifier")]
    rtype = meta.get("resource_type") if isinstance(meta.get("resource_type"), Mapping) else {}
    return {
        "id": record.get("id"),
        "doi": record.get("doi") or meta.get("doi"),
        "conceptdoi": record.get("conceptdoi"),
        "title": meta.get("title") or record.get("title"),
        "access_right": meta.get("access_right"),
        "files_count": count,
        "license_spdx": spdx_for(lic_id),
        "publication_date": meta.get("publication_date"),
        "updated": record.get("updated"),
        "resource_type": rtype.get("type"),
        "related_urls": [u for u in related if u.startswith(("http://", "https://"))],
        "repository_urls": [u for u in related if _FORGE_RE.search(u)],
    }
