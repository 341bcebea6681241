"""Would the paper's artifacts earn an "Artifacts Available" badge?

Venues now define the badge by where the artifact is kept, not by whether a
link works: USENIX Security 2025 and IEEE S&P 2026 ask for a permanent,
immutable archive with a DOI (Zenodo, figshare, Dryad...): a GitHub link
alone does not count. ACM's Artifact Review and Badging (v1.1) accepts an
archival repository with a persistent identifier, Software Heritage's SWHID
included. The policy is chosen in configuration::

    [tool.auditor.checks.artifact_badge]
    policy = "usenix-security-2025"   # or "ieee-sp-2026", "acm-v1.1"

What counts, from facts already collected: an archive's DOI or a Zenodo link
in the abstract that resolves (its facts are ``ok``; a publisher's DOI is the
paper, not an archive), a Zenodo record or another archive's registered DOI a
repository names in its CITATION.cff, .zenodo.json or README (archive facts;
the reason says where), a Software Heritage snapshot of a repository or a
SWHID it names (archive facts; only where the policy accepts SWHIDs). Pure:
no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS, setting
from auditor.hosts.archive_ids import archive_of
from auditor.models import REPOSITORY_KINDS, Result
from checks.archived import found_in


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    accepts_swhid: bool  # a Software Heritage snapshot is a permanent archive for this venue
    needs_doi: bool  # a DOI-backed archive is required


POLICIES: Mapping[str, Policy] = {
    "usenix-security-2025": Policy("usenix-security-2025", "USENIX Security 2025", accepts_swhid=False, needs_doi=True),
    "ieee-sp-2026": Policy("ieee-sp-2026", "IEEE S&P 2026", accepts_swhid=False, needs_doi=True),
    "acm-v1.1": Policy("acm-v1.1", "ACM Artifact Review and Badging v1.1", accepts_swhid=True, needs_doi=False),
}

ARTIFACT_KINDS = REPOSITORY_KINDS | {"doi", "zenodo", "huggingface_model", "huggingface_dataset", "huggingface_space"}


def _doi_links(ctx: CheckContext) -> tuple[list[str], list[str], bool, list[str]]:
    """(resolving archive DOIs/Zenodo of the abstract, broken ones, any still unknown, publishers' DOIs)."""
    ok, broken, unknown, publishers = [], [], False, []
    for link in ctx.links:
        if link.target.kind not in ("doi", "zenodo"):
            continue
        doi = link.target.key.split(":", 1)[1]
        if link.target.kind == "doi" and archive_of(doi.lower()) is None:
            publishers.append(doi)  # the paper (or what it cites) at its publisher: not an archive
            continue
        facts = ctx.paper_facts.get(link.target.key)
        if facts is None or not facts.known:
            unknown = True
        elif facts.status == "ok":
            zen = (facts.data or {}).get("zenodo") or {}
            ok.append(str(zen.get("doi") or doi))
        else:
            broken.append(link.target.key)
    return ok, broken, unknown, publishers


def _repo_archives(ctx: CheckContext) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[str], bool]:
    """((DOI, where) of the archives repositories name, (SWHID, where), repositories without either, any unknown)."""
    zenodo: list[tuple[str, str]] = []
    swhids: list[tuple[str, str]] = []
    bare: list[str] = []
    unknown = False
    for link in ctx.links:
        if link.target.kind not in ("github_repo", "forge_repo"):
            continue
        facts = ctx.paper_facts.get(link.target.key)
        block: Mapping[str, Any] = ((facts.data or {}).get("archive") if facts is not None else None) or {}
        if not block or block.get("status") in ("unknown", "error"):
            unknown = True
            continue
        dois = [(str(r.get("doi")), _where(r)) for r in found_in(block, "zenodo") if r.get("doi")]
        dois += [(str(r.get("doi")), _where(r)) for r in found_in(block, "dois")]
        named_swhids = [(str(r.get("swhid")), _where(r)) for r in found_in(block, "swhids")]
        swh = block.get("swh") or {}
        zenodo += dois
        swhids += named_swhids
        if swh.get("archived") and swh.get("snapshot_swhid"):
            swhids.append((str(swh["snapshot_swhid"]), ""))
        if not dois and not named_swhids and not swh.get("archived"):
            bare.append(link.target.key)
    return zenodo, swhids, bare, unknown


def _where(item: Mapping[str, Any]) -> str:
    return f" (named in the repository's {item['source']})" if item.get("source") else ""


@check(
    "artifact_badge",
    description="Whether the paper's artifacts meet an 'Artifacts Available' badge under the configured venue policy.",
    weight=DEFAULT_WEIGHTS["artifact_badge"],
    scopes=("paper",),
)
def artifact_badge(ctx: CheckContext) -> Result:
    name = str(setting(ctx.settings, "artifact_badge", "policy"))
    policy = POLICIES.get(name)
    if policy is None:
        return Result("unknown", f"unknown artifact_badge policy {name!r}; known: {', '.join(POLICIES)}", None, {"policy": name})
    artifacts = [link for link in ctx.links if link.target.kind in ARTIFACT_KINDS]
    if not artifacts:
        return Result("skip", "the paper names no artifact (no repository, DOI or Zenodo link)", None, {"policy": name})
    doi_ok, doi_broken, doi_unknown, publisher_dois = _doi_links(ctx)
    zenodo, swhids, bare, archive_unknown = _repo_archives(ctx)
    ev = {"policy": name, "abstract_dois": doi_ok, "broken_dois": doi_broken, "publisher_dois": publisher_dois,
          "zenodo_dois": [d for d, _ in zenodo], "swhids": [s for s, _ in swhids], "repositories_unarchived": bare}
    dois = [(d, " (linked from the abstract)") for d in doi_ok] + zenodo
    if dois:
        doi, where = dois[0]
        return Result("pass", f"{policy.title}: DOI-backed archive {doi}{where}", 10.0, ev)
    if policy.accepts_swhid and swhids:
        swhid, where = swhids[0]
        return Result("pass", f"{policy.title}: archived at Software Heritage ({swhid}){where}", 10.0, ev)
    if doi_unknown or archive_unknown:
        return Result("unknown", f"{policy.title}: archive facts not collected for every artifact", None, ev)
    missing = ["a permanent archive with a DOI (Zenodo, figshare, Dryad)" if policy.needs_doi
               else "a permanent archive (Zenodo DOI or Software Heritage SWHID)"]
    if swhids and not policy.accepts_swhid:
        missing.append(f"a Software Heritage snapshot ({swhids[0][0]}) does not count for {policy.title}")
    elif any(link.target.kind in REPOSITORY_KINDS for link in artifacts):
        missing.append("a repository link alone does not count")
    if doi_broken:
        missing.append(f"{', '.join(doi_broken)} does not resolve")
    if publisher_dois:
        missing.append(f"DOI {publisher_dois[0]} is a publisher's (the paper), not an archive")
    return Result("fail", f"{policy.title}: missing {'; '.join(missing)}", 0.0, ev)
