"""Pure GraphQL query building and answer parsing for batches of repositories.

One query asks for many repositories by alias (``r0``, ``r1``...; owners and
names travel in variables, never in the query text) plus the rate-limit
block. Each connection costs a request per repository (GitHub's points are
requests/100), so the fragment keeps to four (topics, commit history,
languages, releases): 2 points per 50 repositories. Watchers and open
issues, which no check reads, are left to REST. The root tree and one level
below it are plain lists, not connections: free. Tree/blob sub-paths are extra aliased ``object(expression:)`` fields.
GitHub answers a missing repository with ``data.rN: null`` and an error
``{"type": "NOT_FOUND", "path": ["rN"]}`` while the rest of the batch stands.
Any other failure comes in the same partial shape (GraphQL nulls what failed,
up to the nearest nullable field, and lists it in ``errors``): an alias that
failed (an error of another type at ``["rN"]``, or a null alias beside an error
with no path) is an error worth asking again, never "not found"; a field that
failed inside an alias (``["rN", "defaultBranchRef", ...]``) leaves the facts
it would have given out of ``data`` (unknown to the checks) and says so in
``data["skipped"]`` under the name of the REST extra that gives the same facts,
as the REST collector does for what it could not fetch (so :mod:`github_resume`
has the next run ask for it again).
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping, Sequence

from auditor.hosts.archive_ids import citation_files
from auditor.models import README_TEXT_LIMIT

#: README file names asked for at the root, in GitHub's order of preference.
README_CANDIDATES = ("README.md", "README.rst", "README.txt", "README", "readme.md", "Readme.md", "README.markdown")

REPO_FRAGMENT = """
fragment RepoFacts on Repository {
  nameWithOwner url description homepageUrl
  repositoryTopics(first: 20) { nodes { topic { name } } }
  stargazerCount forkCount
  licenseInfo { spdxId name key }
  defaultBranchRef {
    name
    target { ... on Commit { committedDate history { totalCount } } }
  }
  isArchived archivedAt isFork isDisabled isEmpty isPrivate isLocked lockReason
  parent { nameWithOwner }
  createdAt pushedAt diskUsage
  primaryLanguage { name }
  languages(first: 20, orderBy: {field: SIZE, direction: DESC}) { edges { size node { name } } }
  releases { totalCount }
  latestRelease { tagName name publishedAt }
  root: object(expression: "HEAD:") {
    ... on Tree { entries { name type mode size object { ... on Tree { entries { name type } } } } }
  }
%s
}
"""

_README_FIELDS = "\n".join(
    f'  readme{i}: object(expression: "HEAD:{name}") {{ ... on Blob {{ byteSize text isTruncated }} }}'
    for i, name in enumerate(README_CANDIDATES)
)
#: CITATION.cff and .zenodo.json, where repositories name their archived copies (DOIs, SWHIDs):
#: plain fields of the same query, so no extra request and no extra point.
_CITATION_FIELDS = """
  citationCff: object(expression: "HEAD:CITATION.cff") { ... on Blob { text } }
  zenodoJson: object(expression: "HEAD:.zenodo.json") { ... on Blob { text } }"""
REPO_FRAGMENT = REPO_FRAGMENT % (_README_FIELDS + _CITATION_FIELDS)

OWNER_FIELDS = """
    __typename login url
    ... on User { repositories(privacy: PUBLIC) { totalCount } createdAt }
    ... on Organization { repositories(privacy: PUBLIC) { totalCount } createdAt }
"""


@dataclass(frozen=True)
class BatchItem:
    """One target in a batch: a repository (owner, name, sub-paths) or an owner (name None)."""

    owner: str
    name: str | None = None
    subpaths: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Batch:
    query: str
    variables: dict[str, str]
    aliases: tuple[str, ...]


def build_batch(items: Sequence[BatchItem]) -> Batch:
    """The query and variables asking for every item by alias r0..rN."""
    declarations: list[str] = []
    selections: list[str] = []
    variables: dict[str, str] = {}
    aliases: list[str] = []
    uses_repo = False
    for i, item in enumerate(items):
        alias = f"r{i}"
        aliases.append(alias)
        if item.name is None:
            declarations.append(f"$l{i}: String!")
            variables[f"l{i}"] = item.owner
            selections.append(f"  {alias}: repositoryOwner(login: $l{i}) {{{OWNER_FIELDS}  }}")
            continue
        uses_repo = True
        declarations += [f"$o{i}: String!", f"$n{i}: String!"]
        variables[f"o{i}"] = item.owner
        variables[f"n{i}"] = item.name
        extra = []
        for j, (ref, path) in enumerate(item.subpaths):
            var = f"p{i}_{j}"
            declarations.append(f"${var}: String!")
            variables[var] = f"{ref}:{path}"
            extra.append(f"    s{j}: object(expression: ${var}) {{ __typename }}")
        inner = "\n".join(["    ...RepoFacts", *extra])
        selections.append(f"  {alias}: repository(owner: $o{i}, name: $n{i}) {{\n{inner}\n  }}")
    header = f"query Batch({', '.join(declarations)})" if declarations else "query Batch"
    body = "\n".join(["  rateLimit { cost remaining resetAt limit }", *selections])
    query = f"{header} {{\n{body}\n}}\n" + (REPO_FRAGMENT if uses_repo else "")
    return Batch(query=query, variables=variables, aliases=tuple(aliases))


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class AliasResult:
    """What the answer says about one alias."""

    kind: str  # "ok" | "not_found" | "blocked" | "error"
    data: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    #: A transient failure (of the alias, or of a field in it): asking again may give the whole facts.
    retry: bool = False


@dataclass(frozen=True)
class GraphQLRate:
    cost: int | None
    remaining: int | None
    reset_at: datetime | None
    limit: int | None = None


def parse_rate(data: Mapping[str, Any] | None) -> GraphQLRate | None:
    block = (data or {}).get("rateLimit")
    if not isinstance(block, Mapping):
        return None
    reset = block.get("resetAt")
    reset_at = datetime.fromisoformat(reset.replace("Z", "+00:00")) if isinstance(reset, str) else None
    return GraphQLRate(cost=block.get("cost"), remaining=block.get("remaining"), reset_at=reset_at, limit=block.get("limit"))


def error_types(response: Mapping[str, Any]) -> set[str]:
    return {str(e.get("type")) for e in response.get("errors") or [] if isinstance(e, Mapping) and e.get("type")}


def is_rate_limited(response: Mapping[str, Any]) -> bool:
    """The primary GraphQL limit: HTTP 200 with a RATE_LIMITED (newer: RATE_LIMIT) error."""
    if error_types(response) & {"RATE_LIMITED", "RATE_LIMIT"}:
        return True
    return any(
        isinstance(e, Mapping) and not e.get("path") and "rate limit" in str(e.get("message", "")).lower() and "secondary" not in str(e.get("message", "")).lower()
        for e in response.get("errors") or []
    )


def is_timeout_answer(response: Mapping[str, Any]) -> bool:
    """A 200 whose errors say the query took too long (batch should shrink)."""
    for e in response.get("errors") or []:
        if isinstance(e, Mapping) and not e.get("path"):
            message = str(e.get("message", "")).lower()
            if "timeout" in message or "timed out" in message or "something went wrong" in message:
                return True
    return False


#: Error types of a query too large for GitHub, whatever the repositories in it: a smaller batch passes.
#: MAX_NODE_LIMIT_EXCEEDED refuses the query before it runs (500,000 possible nodes at most);
#: RESOURCE_LIMITS_EXCEEDED cuts what a query may spend while it runs, leaving partial data.
OVER_LIMIT_TYPES = frozenset({"MAX_NODE_LIMIT_EXCEEDED", "RESOURCE_LIMITS_EXCEEDED"})


def over_limit(response: Mapping[str, Any]) -> str | None:
    """The message of an error without a path that refuses the whole query for GitHub's node or resource limits."""
    for e in response.get("errors") or []:
        if isinstance(e, Mapping) and not e.get("path") and e.get("type") in OVER_LIMIT_TYPES:
            return f"{e['type']}: {e.get('message') or 'query over GitHub limits'}"
    return None


def cut_aliases(response: Mapping[str, Any]) -> dict[str, str]:
    """{alias: message} for the aliases whose answers GitHub cut for its resource limits (partial data)."""
    out: dict[str, str] = {}
    for e in response.get("errors") or []:
        if isinstance(e, Mapping) and e.get("path") and e.get("type") in OVER_LIMIT_TYPES:
            out.setdefault(str(e["path"][0]), f"{e['type']}: {e.get('message') or 'resource limits exceeded'}")
    return out


def _errors_by_alias(response: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The error naming each alias itself (path ``[alias]``)."""
    out: dict[str, Mapping[str, Any]] = {}
    for e in response.get("errors") or []:
        path = e.get("path") if isinstance(e, Mapping) else None
        if isinstance(path, list) and len(path) == 1:
            out.setdefault(str(path[0]), e)
    return out


def _nested_errors(response: Mapping[str, Any]) -> dict[str, list[Mapping[str, Any]]]:
    """Errors of fields inside each alias (path ``[alias, field, ...]``)."""
    out: dict[str, list[Mapping[str, Any]]] = {}
    for e in response.get("errors") or []:
        path = e.get("path") if isinstance(e, Mapping) else None
        if isinstance(path, list) and len(path) > 1:
            out.setdefault(str(path[0]), []).append(e)
    return out


#: For a field of the repository fragment: the name its failure is noted under in ``skipped``
#: (the REST extra that gives the same facts, where there is one: github_resume then asks for it
#: again on the next run) and the facts it gives, which are unknown when it failed.
_FIELD_FACTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "defaultBranchRef": ("commits", ("default_branch", "last_commit_at", "commit_count")),
    "root": ("root_files", ("root_files", "subdir_files")),
    "languages": ("languages", ("languages",)),
    "primaryLanguage": ("languages", ("primary_language",)),
    "releases": ("releases", ("releases_count",)),
    "latestRelease": ("releases", ("latest_release",)),
    "licenseInfo": ("license_spdx", ("license_spdx", "license_name")),
    "repositoryTopics": ("topics", ("topics",)),
    "parent": ("parent", ("parent",)),
    "citationCff": ("citation_files", ("citation_files",)),
    "zenodoJson": ("citation_files", ("citation_files",)),
}
#: Errors that say the same thing whenever asked (access, absence): not worth asking again.
_LASTING = frozenset({"NOT_FOUND", "FORBIDDEN"})


def _facts_of_field(name: str) -> tuple[str, tuple[str, ...]] | None:
    if name in _FIELD_FACTS:
        return _FIELD_FACTS[name]
    if re.fullmatch(r"readme\d+", name):
        return ("readme", ("readme",))
    if re.fullmatch(r"s\d+", name):
        return ("subpaths", ("subpaths",))
    return None


def _describe(error: Mapping[str, Any]) -> str:
    etype = str(error.get("type") or "")
    message = " ".join(str(error.get("message") or "GraphQL error").split())
    return f"{etype}: {message}" if etype else message


def _without_failed_fields(data: dict[str, Any], errors: Sequence[Mapping[str, Any]]) -> tuple[dict[str, Any], bool] | None:
    """``data`` without the facts of the fields that failed, each noted in ``skipped``;
    and whether any failure was transient. None: a failure the facts cannot be cut around."""
    skipped: list[str] = []
    transient = False
    for error in errors:
        field_facts = _facts_of_field(str(error["path"][1]))
        if field_facts is None:
            return None
        name, keys = field_facts
        transient = transient or str(error.get("type") or "") not in _LASTING
        for key in keys:
            data.pop(key, None)
        note = f"{name}: GraphQL {_describe(error)}"[:300]
        if note not in skipped:
            skipped.append(note)
    data["skipped"] = list(data.get("skipped") or []) + skipped
    return data, transient


_ENTRY_TYPES = {"blob": "file", "tree": "dir", "commit": "submodule"}

#: Entry names kept per folder one level below the root (a data folder may hold thousands).
SUBDIR_NAMES_LIMIT = 200


def _subdir_files(root: Mapping[str, Any] | None) -> dict[str, list[str]] | None:
    """{folder: [entry names, folders ending in "/"]} for each folder at the root."""
    if not isinstance(root, Mapping) or "entries" not in root:
        return None
    out: dict[str, list[str]] = {}
    for entry in root.get("entries") or []:
        obj = entry.get("object")
        if entry.get("type") != "tree" or not isinstance(obj, Mapping) or "entries" not in obj:
            continue
        names = [str(e.get("name")) + ("/" if e.get("type") == "tree" else "") for e in obj.get("entries") or []]
        out[str(entry.get("name"))] = names[:SUBDIR_NAMES_LIMIT]
    return out


def _root_files(root: Mapping[str, Any] | None) -> list[dict[str, Any]] | None:
    if not isinstance(root, Mapping) or "entries" not in root:
        return None
    files = []
    for entry in root.get("entries") or []:
        kind = _ENTRY_TYPES.get(entry.get("type"), "file")
        if kind == "file" and entry.get("mode") == 0o120000:
            kind = "symlink"
        files.append({"name": entry.get("name"), "type": kind, "size": entry.get("size")})
    return files


def _readme(node: Mapping[str, Any], root_files: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    for i, name in enumerate(README_CANDIDATES):
        blob = node.get(f"readme{i}")
        if isinstance(blob, Mapping) and "byteSize" in blob:
            text = blob.get("text")
            return {"name": name, "size": blob.get("byteSize"), "text": text[:README_TEXT_LIMIT] if text is not None else None}
    # A README under another name (e.g. README.ipynb): name and size, no text.
    for entry in root_files or []:
        if entry["type"] == "file" and str(entry["name"]).lower().startswith("readme"):
            return {"name": entry["name"], "size": entry["size"], "text": None}
    return None


def repo_facts(node: Mapping[str, Any], subpaths: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Facts (GITHUB_REPO_FACTS keys) from one ``repository`` alias."""
    branch = node.get("defaultBranchRef") or None
    target = (branch or {}).get("target") or {}
    license_ = node.get("licenseInfo")
    spdx = None
    if license_:
        spdx = license_.get("spdxId") or "NOASSERTION"
        if license_.get("key") == "other":
            spdx = "NOASSERTION"
    root_files = _root_files(node.get("root"))
    latest = node.get("latestRelease")
    data: dict[str, Any] = {
        "name_with_owner": node.get("nameWithOwner"),
        "html_url": node.get("url"),
        "description": node.get("description"),
        "homepage": node.get("homepageUrl") or None,
        "topics": [n["topic"]["name"] for n in (node.get("repositoryTopics") or {}).get("nodes") or [] if n and n.get("topic")],
        "stars": node.get("stargazerCount"),
        "forks": node.get("forkCount"),
        "watchers": (node.get("watchers") or {}).get("totalCount"),
        "open_issues": (node.get("issues") or {}).get("totalCount"),
        "license_spdx": spdx,
        "license_name": license_.get("name") if license_ else None,
        "default_branch": branch.get("name") if branch else None,
        "is_archived": bool(node.get("isArchived")),
        "archived_at": node.get("archivedAt"),
        "is_fork": bool(node.get("isFork")),
        "parent": (node.get("parent") or {}).get("nameWithOwner"),
        "is_disabled": bool(node.get("isDisabled")),
        "is_empty": bool(node.get("isEmpty")),
        "is_private": bool(node.get("isPrivate")),
        "created_at": node.get("createdAt"),
        "pushed_at": node.get("pushedAt"),
        "last_commit_at": target.get("committedDate"),
        "commit_count": (target.get("history") or {}).get("totalCount") if branch else 0,
        "primary_language": (node.get("primaryLanguage") or {}).get("name"),
        "languages": {e["node"]["name"]: e["size"] for e in (node.get("languages") or {}).get("edges") or [] if e and e.get("node")},
        "disk_usage_kb": node.get("diskUsage"),
        "readme": _readme(node, root_files),
        "root_files": root_files if root_files is not None else ([] if node.get("isEmpty") else None),
        "subdir_files": _subdir_files(node.get("root")),
        "citation_files": citation_files(node),
        "releases_count": (node.get("releases") or {}).get("totalCount"),
        "latest_release": {"tag": latest.get("tagName"), "name": latest.get("name"), "published_at": latest.get("publishedAt")} if latest else None,
        "subpaths": {f"{ref}:{path}": node.get(f"s{j}") is not None for j, (ref, path) in enumerate(subpaths)},
    }
    return data


def owner_facts(node: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "login": node.get("login"),
        "type": node.get("__typename"),
        "public_repos": (node.get("repositories") or {}).get("totalCount"),
        "html_url": node.get("url"),
        "created_at": node.get("createdAt"),
    }


def parse_batch(response: Mapping[str, Any], items: Sequence[BatchItem]) -> dict[str, AliasResult]:
    """One AliasResult per alias of ``build_batch(items)``; a missing alias does not spoil the rest."""
    data = response.get("data") or {}
    errors = _errors_by_alias(response)
    nested = _nested_errors(response)
    general = next((e for e in response.get("errors") or [] if isinstance(e, Mapping) and not e.get("path")), None)
    # A pathless error beside data that did come is a failure of some aliases, not of the query.
    partial = general is not None and any(data.get(f"r{i}") is not None for i in range(len(items)))
    out: dict[str, AliasResult] = {}
    for i, item in enumerate(items):
        alias = f"r{i}"
        node = data.get(alias)
        err = errors.get(alias) or general
        if node is None:
            etype = str((err or {}).get("type") or "")
            message = str((err or {}).get("message") or "no data for this alias")
            if etype == "NOT_FOUND":
                out[alias] = AliasResult("not_found", error=message)
            elif err is None and alias in data:  # null without a word: repositoryOwner's "no such login"
                out[alias] = AliasResult("not_found", error="not found")
            elif etype == "FORBIDDEN":
                out[alias] = AliasResult("blocked", error=message)
            else:
                # The node failed: it may well exist, so never "not found"; ask again.
                transient = alias in errors or partial
                out[alias] = AliasResult("error", error=f"{etype or 'GraphQL error'}: {message}", retry=transient)
            continue
        facts = owner_facts(node) if item.name is None else repo_facts(node, item.subpaths)
        failed = nested.get(alias)
        if not failed:
            out[alias] = AliasResult("ok", facts)
            continue
        cut = _without_failed_fields(facts, failed) if item.name is not None else None
        if cut is None:
            out[alias] = AliasResult("error", error=f"GraphQL {_describe(failed[0])}", retry=True)
        else:
            out[alias] = AliasResult("ok", cut[0], retry=cut[1])
    return out
