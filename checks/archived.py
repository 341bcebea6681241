"""Is the repository archived for good: Software Heritage, Zenodo? And is it read-only?

Two things share the word. Archival: a copy kept by an archive that outlives
the host. With the archive facts (``data["archive"]``, see
:mod:`auditor.archival`): a Software Heritage snapshot at least as new as the
last commit, or an archived copy the repository names (a Zenodo record, another archive's
registered DOI, a SWHID Software Heritage holds; named in CITATION.cff, .zenodo.json or the
README, and the reason says which), passes; a snapshot
older than the last commit warns with both dates; no archive anywhere fails,
with the remedy (Software Heritage Save Code Now, or ``audit archive-request``).
Read-only: the host's "archived" flag; a finished research repository is often
made read-only on purpose, so that is a note in the reason, never a failure.

Without archive facts (the ``archives`` host not collected) only the
read-only flag is reported, as information. Its default weight is 0: it does
not move the score; ``artifact_badge`` is the check that scores archival.
"""

from __future__ import annotations

from typing import Any, Mapping

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import Result
from checks._common import Gate, gate, missing_key, parse_day

KINDS = frozenset({"github_repo", "forge_repo"})
REMEDY = "request an archive: Software Heritage Save Code Now (https://archive.softwareheritage.org/save/)"


def read_only_note(data: Mapping[str, Any]) -> str | None:
    if not data.get("is_archived"):
        return None
    day = parse_day(data.get("archived_at"))
    when = f"on {day.isoformat()}" if day else "(date not reported)"
    return f"archived {when}: read-only, no fixes or issues will be taken"


def zenodo_found(block: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return found_in(block, "zenodo")


def found_in(block: Mapping[str, Any], part: str, status: str = "ok") -> list[Mapping[str, Any]]:
    """The entries of an archive block's ``zenodo``, ``dois`` or ``swhids`` with that status."""
    return [r for r in block.get(part) or [] if isinstance(r, Mapping) and r.get("status") == status]


def named_in(item: Mapping[str, Any]) -> str:
    """", named in CITATION.cff" (where the repository names this archive), or nothing when not known."""
    return f", named in {item['source']}" if item.get("source") else ""


def archival(data: Mapping[str, Any], block: Mapping[str, Any]) -> Result:
    """The verdict from a repository's facts and its archive block (pure)."""
    note = read_only_note(data)
    tail = f"; {note}" if note else ""
    ev: dict[str, Any] = {"origin": block.get("origin"), "swh": block.get("swh"), "zenodo": block.get("zenodo"),
                          "dois": block.get("dois"), "swhids": block.get("swhids"),
                          "doi_hints": block.get("doi_hints"), "is_archived": data.get("is_archived")}
    if block.get("status") in ("unknown", "error"):
        return Result("unknown", f"archival status unknown: {block.get('error') or 'not collected'}", None, ev)
    swh = block.get("swh") or {}
    last_commit = parse_day(data.get("last_commit_at") or data.get("pushed_at"))
    visit = parse_day(swh.get("visit_date")) if swh.get("archived") else None
    records = zenodo_found(block)
    if records:
        rec = records[0]
        doi = rec.get("doi") or rec.get("conceptdoi") or f"record {rec.get('id')}"
        extra = f"; Software Heritage snapshot of {visit.isoformat()}" if visit else ""
        return Result("pass", f"archived on Zenodo (DOI {doi}{named_in(rec)}){extra}{tail}", 10.0, ev)
    if other := found_in(block, "dois"):
        d = other[0]
        return Result("pass", f"archived on {d.get('archive') or 'an archive'} (DOI {d.get('doi')}{named_in(d)}; "
                              f"registered at the DOI resolver){tail}", 10.0, ev)
    if pinned := found_in(block, "swhids"):
        p = pinned[0]
        return Result("pass", f"archived at Software Heritage ({p.get('swhid')}{named_in(p)}){tail}", 10.0, ev)
    if visit is not None:
        snap = swh.get("snapshot_swhid") or "no snapshot id"
        if last_commit is None or visit >= last_commit:
            newer = f", not older than the last commit ({last_commit.isoformat()})" if last_commit else ""
            return Result("pass", f"archived at Software Heritage on {visit.isoformat()} ({snap}){newer}{tail}", 10.0, ev)
        return Result(
            "warn",
            f"Software Heritage snapshot of {visit.isoformat()} is older than the last commit ({last_commit.isoformat()}): "
            f"the archive misses later work; request a new visit (Save Code Now){tail}",
            5.0, ev,
        )
    missing = [str(r.get("id")) for r in found_in(block, "zenodo", "not_found")]
    missing += [f"DOI {r.get('doi')}{named_in(r)}" for r in found_in(block, "dois", "not_found")]
    missing += [f"{r.get('swhid')}{named_in(r)}" for r in found_in(block, "swhids", "not_found")]
    named = f"; the archived copies it names ({', '.join(missing)}) do not exist" if missing else ""
    if ".zenodo.json" in (block.get("doi_hints") or []) and not block.get("zenodo"):
        named += ("; its .zenodo.json readies Zenodo's GitHub integration, but no Zenodo DOI is named: "
                  "put the release's DOI in CITATION.cff or a README badge")
    return Result("fail", f"not archived anywhere (Software Heritage, Zenodo){named}: {REMEDY}{tail}", 0.0, ev)


@check(
    "archived",
    description="Archival status (Software Heritage, Zenodo), and whether the repository is read-only.",
    weight=DEFAULT_WEIGHTS["archived"],
)
def archived(ctx: CheckContext) -> Result:
    gated = gate(ctx, KINDS)
    if not isinstance(gated, Gate):
        return gated
    data = gated.data
    block = data.get("archive")
    if isinstance(block, Mapping):
        return archival(data, block)
    if data.get("is_archived") is None:
        return missing_key("is_archived")
    note = read_only_note(data)
    if note is None:
        return Result("pass", "not archived", 10.0, {"is_archived": False, "archival": "not collected"})
    return Result("pass", note, 10.0, {"is_archived": True, "archived_at": data.get("archived_at"), "archival": "not collected"})
