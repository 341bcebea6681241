"""GitHub's GraphQL API over a :class:`World`, executed by graphql-core on the project's schema.

The schema is ``schema.graphql`` beside this module: the part of GitHub's
public schema the collector and these tests use, in GitHub's names and types
(its header says how it was made). Every query is validated against it first,
so a field it lacks fails here as a field GitHub lacks fails there. GitHub's
full public schema (``$AUDITOR_GITHUB_SCHEMA``, or ../shared/github/) can be
served instead (``FakeGitHub(schema=path)``, ``--schema``), and
tests/test_github_schema.py checks the two agree where it is at hand.
Resolvers are plain dicts whose values may be callables ``(info, **args)``;
fields the world knows nothing about get neutral defaults (null, 0, false,
empty connections).
"""

from __future__ import annotations

import base64
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    FragmentDefinitionNode,
    build_schema,
    execute,
    get_named_type,
    parse,
    validate,
    value_from_ast_untyped,
)

from .world import (
    World,
    file_text,
    git_sha,
    iso,
    license_info,
    list_dir,
    parse_time,
    resolve_ref,
)

HTML = "https://github.com"
SCHEMA_ENV = "AUDITOR_GITHUB_SCHEMA"
#: The project's own schema: the part of GitHub's API it uses (always present).
PROJECT_SCHEMA = Path(__file__).resolve().with_name("schema.graphql")


def full_schema_path() -> Path:
    """Where GitHub's full public schema would be (never copied into the project; may be absent)."""
    env = os.environ.get(SCHEMA_ENV)
    if env:
        return Path(env)
    shared = Path(os.environ.get("AUDITOR_SHARED", Path(__file__).resolve().parents[3] / "shared"))
    return shared / "github" / "schema.docs.graphql"


_schema_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(path: str, strict: bool) -> GraphQLSchema:
    # GitHub's published SDL defines a few fields twice and deprecates interface
    # implementations, which graphql-core's strict SDL/schema checks reject;
    # GitHub serves it as is, so we trust it the same way. Ours must pass them.
    text = Path(path).read_text(encoding="utf-8")
    if strict:
        return build_schema(text)
    return build_schema(text, assume_valid_sdl=True, assume_valid=True)


def load_schema(path: str | Path | None = None) -> GraphQLSchema:
    """The project's schema (no path), or the SDL at ``path``, parsed once. FileNotFoundError when absent."""
    p = Path(path) if path else PROJECT_SCHEMA
    if not p.exists():
        raise FileNotFoundError(f"no GraphQL schema at {p} (GitHub's full schema: set {SCHEMA_ENV})")
    with _schema_lock:
        return _load(str(p.resolve()), p.resolve() == PROJECT_SCHEMA)


# --------------------------------------------------------------------------- errors


class GitHubError(Exception):
    """An error GitHub reports with a top-level ``type`` (NOT_FOUND, FORBIDDEN...)."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_


def format_error(err: GraphQLError) -> dict[str, Any]:
    """GitHub's error shape: type, path, locations, message (extensions for validation)."""
    out: dict[str, Any] = {}
    original = err.original_error
    if isinstance(original, GitHubError):
        out["type"] = original.type
    if err.path is not None:
        out["path"] = list(err.path)
    if err.extensions:
        out["extensions"] = dict(err.extensions)
    if err.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    out["message"] = err.message
    return out


_UNDEFINED_FIELD = re.compile(r"^Cannot query field '([^']+)' on type '([^']+)'\.")
_UNKNOWN_ARG = re.compile(r"^Unknown argument '([^']+)' on field '([^'.]+)\.([^']+)'\.")


def github_validation_error(err: GraphQLError) -> dict[str, Any]:
    """graphql-core's validation message in GitHub's words, where we know them."""
    out = format_error(err)
    m = _UNDEFINED_FIELD.match(err.message)
    if m:
        field, type_name = m.groups()
        out["extensions"] = {"code": "undefinedField", "typeName": type_name, "fieldName": field}
        out["message"] = f"Field '{field}' doesn't exist on type '{type_name}'"
    m = _UNKNOWN_ARG.match(err.message)
    if m:
        arg, type_name, field = m.groups()
        out["extensions"] = {"code": "argumentNotAccepted", "name": field, "typeName": "Field", "argumentName": arg}
        out["message"] = f"Field '{field}' doesn't accept argument '{arg}'"
    return {k: out[k] for k in ("path", "extensions", "locations", "message") if k in out}


# --------------------------------------------------------------------------- cost


NODE_LIMIT = 500_000  # nodes one query may ask for (GitHub's documented limit)


@dataclass
class Cost:
    requests: int = 0
    nodes: int = 0
    errors: list[dict[str, Any]] | None = None
    only_rate_limit: bool = True

    @property
    def points(self) -> int:
        if self.only_rate_limit:
            return 0
        return max(1, round(self.requests / 100))


def query_cost(schema: GraphQLSchema, doc: Any, variables: dict[str, Any], op_name: str | None) -> Cost:
    """GitHub's cost: each connection is one request per parent node; points = requests/100, at least 1.

    Also enforces GitHub's pagination rules: first/last within 1-100, and one
    of them on any connection whose nodes or edges are asked for.
    """
    cost = Cost(errors=[])
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    op = next((o for o in ops if op_name is None or (o.name and o.name.value == op_name)), None)
    if op is None:
        return cost

    def arg(node: FieldNode, name: str) -> Any:
        for a in node.arguments or ():
            if a.name.value == name:
                return value_from_ast_untyped(a.value, variables)
        return None

    def walk(selection_set: Any, parent: Any, multiplier: int, depth: int, seen: frozenset[str]) -> None:
        if selection_set is None or depth > 30:
            return
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                name = sel.name.value
                if name.startswith("__"):
                    continue
                if depth == 0 and name != "rateLimit":
                    cost.only_rate_limit = False
                fields = getattr(parent, "fields", {})
                fdef = fields.get(name)
                if fdef is None:
                    continue
                rtype = get_named_type(fdef.type)
                child_mult = multiplier
                if rtype.name.endswith("Connection"):
                    first, last = arg(sel, "first"), arg(sel, "last")
                    asks_items = any(
                        isinstance(s, FieldNode) and s.name.value in ("nodes", "edges")
                        for s in (sel.selection_set.selections if sel.selection_set else ())
                    )
                    size = first if first is not None else last
                    where = (sel.alias or sel.name).value
                    if size is not None and (not isinstance(size, int) or size < 1 or size > 100):
                        cost.errors.append({  # type: ignore[union-attr]
                            "type": "EXCESSIVE_PAGINATION" if isinstance(size, int) and size > 100 else "INVALID_PAGINATION",
                            "locations": [_loc(sel)],
                            "message": f"Requesting {size} records on the `{name}` connection exceeds the "
                                       f"`{'first' if first is not None else 'last'}` limit of 100 records.",
                        })
                        size = 100
                    if size is None and asks_items:
                        cost.errors.append({  # type: ignore[union-attr]
                            "type": "MISSING_PAGINATION_BOUNDARIES",
                            "locations": [_loc(sel)],
                            "message": f"You must provide a `first` or `last` value to properly paginate the "
                                       f"`{where}` connection.",
                        })
                        size = 100
                    cost.requests += multiplier
                    child_mult = multiplier * (size or 1)
                    cost.nodes += child_mult
                walk(sel.selection_set, rtype, child_mult, depth + 1, seen)
            elif isinstance(sel, InlineFragmentNode):
                t = schema.get_type(sel.type_condition.name.value) if sel.type_condition else parent
                walk(sel.selection_set, t, multiplier, depth, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                frag = fragments.get(name)
                if frag is None or name in seen:
                    continue
                walk(frag.selection_set, schema.get_type(frag.type_condition.name.value), multiplier, depth,
                     seen | {name})

    root = schema.query_type if op.operation.value == "query" else schema.mutation_type
    walk(op.selection_set, root, 1, 0, frozenset())
    if cost.nodes > NODE_LIMIT and not cost.errors:
        cost.errors.append({"type": "MAX_NODE_LIMIT_EXCEEDED",
                            "message": f"This query requests up to {cost.nodes:,} possible nodes which exceeds "
                                       f"the maximum limit of {NODE_LIMIT:,}."})
    return cost


def _loc(node: Any) -> dict[str, int]:
    if node.loc is None:
        return {"line": 1, "column": 1}
    src = node.loc.source.body
    start = node.loc.start
    line = src.count("\n", 0, start) + 1
    column = start - (src.rfind("\n", 0, start) + 1) + 1
    return {"line": line, "column": column}


# --------------------------------------------------------------------------- resolution


def default_for(return_type: Any) -> Any:
    """A neutral value for a field the world does not model."""
    if not isinstance(return_type, GraphQLNonNull):
        return None
    inner = return_type.of_type
    if isinstance(inner, GraphQLList):
        return []
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLScalarType):
        return {"Boolean": False, "Int": 0, "Float": 0.0}.get(inner.name, "")
    if isinstance(inner, GraphQLObjectType):
        if inner.name.endswith("Connection"):
            return connection([])
        return {}
    return None


def field_resolver(source: Any, info: Any, **args: Any) -> Any:
    """Dict keys by field name; callables get (info, **args); unknown fields default."""
    if isinstance(source, dict):
        if info.field_name in source:
            value = source[info.field_name]
            return value(info, **args) if callable(value) else value
        return default_for(info.return_type)
    value = getattr(source, info.field_name, None)
    return value(info, **args) if callable(value) else value


def _cursor(i: int) -> str:
    return base64.b64encode(f"cursor:v2:{i}".encode()).decode()


def _uncursor(c: str | None) -> int | None:
    if not c:
        return None
    try:
        return int(base64.b64decode(c).decode().rsplit(":", 1)[1])
    except Exception:
        return None


def connection(items: list[Any], first: int | None = None, last: int | None = None, after: str | None = None,
               before: str | None = None, total: int | None = None, **extra: Any) -> dict[str, Any]:
    """A Relay connection {totalCount, nodes, edges, pageInfo} over a list."""
    indexed = list(enumerate(items))
    a, b = _uncursor(after), _uncursor(before)
    if a is not None:
        indexed = [t for t in indexed if t[0] > a]
    if b is not None:
        indexed = [t for t in indexed if t[0] < b]
    window = indexed
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    edges = [{"node": node, "cursor": _cursor(i)} for i, node in window]
    data = {
        "totalCount": len(items) if total is None else total,
        "nodes": [e["node"] for e in edges],
        "edges": edges,
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1][0] < (indexed[-1][0] if indexed else -1),
            "hasPreviousPage": bool(window) and window[0][0] > (indexed[0][0] if indexed else 0),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
    data.update(extra)
    return data


class Resolver:
    """Builds GraphQL objects from the world for one request (one token)."""

    def __init__(self, world: World, token: str | None, base: str, rate: Callable[[], dict[str, Any]]) -> None:
        self.world = world
        self.token = token
        self.base = base
        self.rate = rate

    # ------------------------------------------------------------- root

    def root(self) -> dict[str, Any]:
        return {
            "repository": self.repository,
            "rateLimit": lambda info, dryRun=False: self.rate(),
            "user": lambda info, login: self.owner_or_error(login, "User"),
            "organization": lambda info, login: self.owner_or_error(login, "Organization"),
            "repositoryOwner": lambda info, login: self.owner_node(login),
            "viewer": lambda info: self.viewer(),
            "node": lambda info, id: None,
            "nodes": lambda info, ids: [None for _ in ids],
        }

    def repository(self, info: Any, owner: str, name: str, followRenames: bool = True) -> dict[str, Any] | None:
        found = self.world.lookup(owner, name, self.token, follow=True)
        if found.kind == "missing" or (found.kind == "moved" and not followRenames):
            raise GitHubError("NOT_FOUND", f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        if found.kind == "blocked":
            raise GitHubError("FORBIDDEN", "Repository access blocked")
        return self.repo_node(found.repo)  # type: ignore[arg-type]

    def viewer(self) -> dict[str, Any]:
        spec = self.world.tokens.get(self.token or "", {})
        login = spec.get("login", "auditor-test")
        return {"__typename": "User", "login": login, "id": "U_" + git_sha(login)[:10],
                "databaseId": spec.get("user_id", 1), "url": f"{HTML}/{login}", "name": spec.get("name")}

    def owner_or_error(self, login: str, kind: str) -> dict[str, Any] | None:
        node = self.owner_node(login)
        if node is None or node["__typename"] != kind:
            what = "a User" if kind == "User" else "an Organization"
            raise GitHubError("NOT_FOUND", f"Could not resolve to {what} with the login of '{login}'.")
        return node

    def owner_node(self, login: str) -> dict[str, Any] | None:
        o = self.world.owner(login)
        if o is None:
            return None
        repos = [r for r in self.world.all_repos()
                 if r["owner"].lower() == o["login"].lower() and self._visible(r)]
        repos.sort(key=lambda r: r["pushed_at"] or "", reverse=True)
        return {
            "__typename": o["type"],
            "login": o["login"],
            "id": ("O_" if o["type"] == "Organization" else "U_") + git_sha(o["id"])[:10],
            "databaseId": o["id"],
            "name": o.get("name"),
            "url": f"{HTML}/{o['login']}",
            "resourcePath": f"/{o['login']}",
            "avatarUrl": lambda info, size=None: f"https://avatars.githubusercontent.com/u/{o['id']}?v=4",
            "createdAt": o["created_at"],
            "websiteUrl": o.get("blog") or None,
            "description": o.get("bio"),
            "bio": o.get("bio") or "",
            "repositories": lambda info, first=None, last=None, after=None, before=None, **_: connection(
                [self.repo_node(r) for r in repos], first, last, after, before,
                totalDiskUsage=sum(r["disk_kb"] for r in repos)),
        }

    def _member(self, repo: dict[str, Any]) -> bool:
        return self.token is not None and self.token in repo["collaborators"]

    def _visible(self, repo: dict[str, Any]) -> bool:
        return not repo["private"] or (self.token is not None and self.token in repo["collaborators"])

    # ------------------------------------------------------------- repository

    def repo_node(self, repo: dict[str, Any]) -> dict[str, Any]:
        full = repo["full_name"]
        lic = license_info(repo["license"])
        langs = list(repo["languages"].items())
        log = repo["commits"]

        def parent(info: Any) -> dict[str, Any] | None:
            if not repo["fork_of"]:
                return None
            found = self.world.lookup(*repo["fork_of"].split("/", 1), token=self.token)
            return self.repo_node(found.repo) if found.repo is not None and found.kind != "blocked" else None

        def languages(info: Any, first=None, last=None, after=None, before=None, orderBy=None) -> dict[str, Any]:
            items = list(langs)
            if orderBy and orderBy.get("direction") == "ASC":
                items.reverse()
            conn = connection([self.language(n) for n, _ in items], first, last, after, before,
                              totalSize=sum(s for _, s in items))
            sizes = dict(items)
            for e in conn["edges"]:
                e["size"] = sizes[e["node"]["name"]]
            return conn

        def releases(info: Any, first=None, last=None, after=None, before=None, orderBy=None) -> dict[str, Any]:
            rels = [r for r in repo["releases"] if not r.get("draft") or self._member(repo)]  # drafts: members only
            if orderBy:
                key = "tag" if orderBy.get("field") == "NAME" else "published_at"
                rels.sort(key=lambda r: r.get(key) or "", reverse=orderBy.get("direction", "DESC") == "DESC")
            return connection([self.release(repo, r) for r in rels], first, last, after, before)

        def latest(info: Any) -> dict[str, Any] | None:
            rels = [r for r in repo["releases"] if not r.get("draft") and not r.get("prerelease")]
            return self.release(repo, rels[0]) if rels else None

        def default_ref(info: Any) -> dict[str, Any] | None:
            if repo["empty"]:
                return None
            return self.ref_node(repo, repo["default_branch"])

        def ref(info: Any, qualifiedName: str) -> dict[str, Any] | None:
            name = qualifiedName.removeprefix("refs/heads/").removeprefix("refs/tags/")
            return self.ref_node(repo, name) if resolve_ref(repo, name) and not _is_sha(name) else None

        def count(n: int) -> Callable[..., dict[str, Any]]:
            return lambda info, **_: connection([], total=n)

        return {
            "__typename": "Repository",
            "id": repo["node_id"],
            "databaseId": repo["id"],
            "name": repo["name"],
            "nameWithOwner": full,
            "owner": lambda info: self.owner_node(repo["owner"]) or {"__typename": "User", "login": repo["owner"]},
            "url": f"{HTML}/{full}",
            "resourcePath": f"/{full}",
            "sshUrl": f"git@github.com:{full}.git",
            "homepageUrl": repo["homepage"],
            "description": repo["description"],
            "createdAt": repo["created_at"],
            "updatedAt": repo["updated_at"],
            "pushedAt": repo["pushed_at"],
            "archivedAt": repo["archived_at"] if repo["archived"] else None,
            "isArchived": repo["archived"],
            "isDisabled": repo["disabled"],
            "isEmpty": repo["empty"],
            "isFork": bool(repo["fork_of"]),
            "isPrivate": repo["private"],
            "isLocked": False,
            "isMirror": False,
            "isTemplate": False,
            "isInOrganization": (self.world.owner(repo["owner"]) or {}).get("type") == "Organization",
            "visibility": "PRIVATE" if repo["private"] else "PUBLIC",
            "stargazerCount": repo["stars"],
            "forkCount": repo["forks"],
            "diskUsage": repo["disk_kb"],
            "hasIssuesEnabled": True,
            "hasWikiEnabled": True,
            "hasDiscussionsEnabled": False,
            "forkingAllowed": True,
            "mirrorUrl": None,
            "licenseInfo": None if lic is None else {
                "key": lic["key"], "name": lic["name"], "spdxId": lic["spdx_id"], "nickname": None,
                "id": "MDc6TGljZW5zZT" + git_sha(lic["key"])[:6], "pseudoLicense": lic["key"] == "other",
                "url": None if lic["key"] == "other" else f"http://choosealicense.com/licenses/{lic['key']}/",
                "hidden": False, "featured": lic["key"] in ("mit", "apache-2.0", "gpl-3.0"),
            },
            "primaryLanguage": self.language(langs[0][0]) if langs else None,
            "languages": languages,
            "repositoryTopics": lambda info, first=None, last=None, after=None, before=None: connection(
                [{"topic": {"name": t, "id": "T_" + git_sha(t)[:8]}, "url": f"{HTML}/topics/{t}",
                  "resourcePath": f"/topics/{t}"} for t in repo["topics"]], first, last, after, before),
            "defaultBranchRef": default_ref,
            "ref": ref,
            "parent": parent,
            "object": lambda info, expression=None, oid=None: self.object(repo, expression),
            "releases": releases,
            "latestRelease": latest,
            "stargazers": count(repo["stars"]),
            "forks": count(repo["forks"]),
            "watchers": count(repo["watchers"]),
            "issues": count(repo["open_issues"]),
            "pullRequests": count(0),
            "openGraphImageUrl": f"https://opengraph.githubassets.com/1/{full}",
            "commitCount": log.count,  # not a GitHub field; never reachable through the schema
        }

    def language(self, name: str) -> dict[str, Any]:
        return {"name": name, "id": "L_" + git_sha(name)[:8], "color": "#" + git_sha(name)[:6]}

    def release(self, repo: dict[str, Any], rel: dict[str, Any]) -> dict[str, Any]:
        latest = next((r for r in repo["releases"] if not r.get("draft") and not r.get("prerelease")), None)
        return {
            "tagName": rel["tag"],
            "name": rel.get("name", rel["tag"]),
            "publishedAt": None if rel.get("draft") else rel.get("published_at"),
            "createdAt": rel.get("published_at"),
            "updatedAt": rel.get("published_at"),
            "isDraft": bool(rel.get("draft")),
            "isPrerelease": bool(rel.get("prerelease")),
            "isLatest": rel is latest,
            "url": f"{HTML}/{repo['full_name']}/releases/tag/{rel['tag']}",
            "description": rel.get("body", ""),
            "tag": {"name": rel["tag"], "prefix": "refs/tags/"},
            "id": "RE_" + git_sha(repo["id"], rel["tag"])[:10],
        }

    # ------------------------------------------------------------- git objects

    def ref_node(self, repo: dict[str, Any], name: str) -> dict[str, Any]:
        is_tag = any(r.get("tag") == name for r in repo["releases"]) and name not in repo["branches"] \
            and name != repo["default_branch"]
        return {
            "name": name,
            "prefix": "refs/tags/" if is_tag else "refs/heads/",
            "id": "REF_" + git_sha(repo["id"], name)[:10],
            "target": lambda info: self.commit(repo, 0),
        }

    def commit(self, repo: dict[str, Any], index: int) -> dict[str, Any]:
        log = repo["commits"]
        sha = log.sha(repo["id"], index)
        date = iso(log.date(index))

        def history(info: Any, first=None, last=None, after=None, before=None, since=None, until=None,
                    path=None, author=None) -> dict[str, Any]:
            if path and path.strip("/") not in repo["files"]:
                return connection([])
            idx = log.indices(parse_time(since), parse_time(until))
            idx = range(max(idx.start, index), idx.stop) if idx else idx
            start = (_uncursor(after) + 1) if after else 0
            n = first if first is not None else (last if last is not None else 100)
            if last is not None and first is None:
                chosen = list(idx)[-n:]
            else:
                chosen = list(idx[start:start + n])
            edges = [{"node": self.commit(repo, i), "cursor": _cursor(k)} for k, i in enumerate(chosen, start)]
            return {
                "totalCount": len(idx),
                "nodes": [e["node"] for e in edges],
                "edges": edges,
                "pageInfo": {"hasNextPage": start + len(chosen) < len(idx), "hasPreviousPage": start > 0,
                             "startCursor": edges[0]["cursor"] if edges else None,
                             "endCursor": edges[-1]["cursor"] if edges else None},
            }

        return {
            "__typename": "Commit",
            "id": "C_" + sha[:12],
            "oid": sha,
            "abbreviatedOid": sha[:7],
            "committedDate": date,
            "authoredDate": date,
            "pushedDate": date,
            "message": f"Commit {log.count - index} of {repo['full_name']}",
            "messageHeadline": f"Commit {log.count - index} of {repo['full_name']}",
            "url": f"{HTML}/{repo['full_name']}/commit/{sha}",
            "commitUrl": f"{HTML}/{repo['full_name']}/commit/{sha}",
            "history": history,
            "tree": lambda info: self.tree(repo, ""),
            "author": {"name": repo["owner"], "email": None, "date": date},
            "committer": {"name": repo["owner"], "email": None, "date": date},
        }

    def object(self, repo: dict[str, Any], expression: str | None) -> dict[str, Any] | None:
        """``rev`` -> Commit, ``rev:path`` -> Tree or Blob, or None (as GitHub: no error)."""
        if not expression or repo["empty"]:
            return None
        rev, colon, path = expression.partition(":")
        if not resolve_ref(repo, rev or "HEAD"):
            return None
        if not colon:
            return self.commit(repo, 0)
        path = path.strip("/")
        if path == "":
            return self.tree(repo, "")
        entry = repo["files"].get(path)
        if entry is None:
            return None
        if entry["type"] == "dir":
            return self.tree(repo, path)
        if entry["type"] == "submodule":
            return self.commit(repo, 0)
        return self.blob(repo, path, entry)

    def tree(self, repo: dict[str, Any], path: str) -> dict[str, Any]:
        oid = git_sha("tree", repo["id"], path)

        def entries(info: Any) -> list[dict[str, Any]]:
            out = []
            for name, p, e in list_dir(repo["files"], path) or []:
                kind = {"dir": "tree", "submodule": "commit"}.get(e["type"], "blob")
                mode = {"dir": 16384, "symlink": 40960, "submodule": 57344}.get(e["type"], 33188)
                out.append({
                    "name": name,
                    "nameRaw": name,
                    "path": p,
                    "pathRaw": p,
                    "type": kind,
                    "mode": mode,
                    "oid": git_sha(e["type"], repo["id"], p, e.get("size")),
                    "size": e["size"] if e["type"] == "file" else 0,
                    "extension": ("." + name.rsplit(".", 1)[1]) if "." in name.lstrip(".") else None,
                    "isGenerated": False,
                    "lineCount": None,
                    "object": (lambda info, p=p, e=e: self.object(repo, "HEAD:" + p)),
                    "submodule": None,
                })
            return out

        return {"__typename": "Tree", "oid": oid, "abbreviatedOid": oid[:7], "id": "T_" + oid[:10],
                "entries": entries}

    def blob(self, repo: dict[str, Any], path: str, entry: dict[str, Any]) -> dict[str, Any]:
        oid = git_sha("file", repo["id"], path, entry.get("size"))
        return {
            "__typename": "Blob",
            "oid": oid,
            "abbreviatedOid": oid[:7],
            "id": "B_" + oid[:10],
            "byteSize": entry["size"],
            "isBinary": False,
            "isTruncated": False,
            "text": lambda info: file_text(entry, path),
        }


def _is_sha(name: str) -> bool:
    return len(name) >= 7 and all(ch in "0123456789abcdef" for ch in name.lower())


# --------------------------------------------------------------------------- one request


@lru_cache(maxsize=256)
def checked(schema: GraphQLSchema, query: str) -> tuple[Any, list[dict[str, Any]]]:
    """Parse and validate once per query text (a collector sends one text many times)."""
    try:
        doc = parse(query)
    except GraphQLError as err:
        return None, [format_error(err)]
    return doc, [github_validation_error(e) for e in validate(schema, doc)]


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    points: int = 0
    nodes: int = 0
    limited: bool = False  # refused for a spent primary limit


TIMEOUT_MESSAGE = ("Something went wrong while executing your query. This may be the result of a timeout, or it "
                   "could be a GitHub bug. Please include `{request_id}` when reporting this issue.")


def top_aliases(doc: Any, op_name: str | None) -> list[str]:
    """The response keys of the operation's top-level fields other than rateLimit (r0, r1...), in order."""
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    op = next((o for o in ops if op_name is None or (o.name and o.name.value == op_name)), None)
    if op is None:
        return []
    return [(s.alias or s.name).value for s in op.selection_set.selections
            if isinstance(s, FieldNode) and s.name.value not in ("rateLimit", "__typename")]


def run(schema: GraphQLSchema, world: World, payload: Any, *, token: str | None, base: str,
        spend: Callable[[int], tuple[bool, Any]], user_id: int, limited_type: str = "RATE_LIMITED",
        heavy: tuple[int | None, str] = (None, "node_limit"), request_id: str = "0000:0000:0000000:0000000:00000000") -> Answer:
    """Parse, validate, cost, spend, execute: the whole GraphQL request as GitHub does it.

    ``spend(points)`` returns (ok, bucket) with the bucket's limit, used,
    remaining and reset after spending. ``heavy`` = (N, kind): a query for
    more than N repositories is too heavy, answered as ``faults.py`` says.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return Answer(400, {"message": "A query attribute must be specified and must be a string.",
                            "documentation_url": "https://docs.github.com/graphql", "status": "400"})
    variables = payload.get("variables") or {}
    op_name = payload.get("operationName")
    doc, problems = checked(schema, payload["query"])
    if problems:
        return Answer(200, {"errors": problems})
    cost = query_cost(schema, doc, variables, op_name)
    if cost.errors:
        return Answer(200, {"data": None, "errors": cost.errors})
    heavy_above, heavy_kind = heavy
    aliases = top_aliases(doc, op_name)
    too_heavy = heavy_above is not None and len(aliases) > heavy_above
    if too_heavy and heavy_kind == "node_limit":  # refused before execution: nothing spent
        limit = max(1, cost.nodes * heavy_above // max(1, len(aliases)))  # type: ignore[operator]
        return Answer(200, {"errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED",
                                        "message": f"This query requests up to {cost.nodes:,} possible nodes which "
                                                   f"exceeds the maximum limit of {limit:,}."}]})
    ok, bucket = spend(cost.points)
    if not ok:
        return Answer(200, {"errors": [{"type": limited_type,
                                        "message": f"API rate limit already exceeded for user ID {user_id}."}]},
                      limited=True)

    def rate() -> dict[str, Any]:
        return {"cost": cost.points, "limit": bucket.limit, "remaining": bucket.remaining, "used": bucket.used,
                "resetAt": datetime.fromtimestamp(bucket.reset, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "nodeCount": cost.nodes}

    if too_heavy and heavy_kind == "timeout":  # ran out of time: spent, nothing answered
        return Answer(502, {"data": None, "errors": [{"message": TIMEOUT_MESSAGE.format(request_id=request_id)}]},
                      cost.points, cost.nodes)
    resolver = Resolver(world, token, base, rate)
    result = execute(schema, doc, root_value=resolver.root(), variable_values=variables,
                     operation_name=op_name, field_resolver=field_resolver)
    body: dict[str, Any] = {"data": result.data}
    errors = [format_error(e) for e in result.errors or ()]
    if too_heavy and heavy_kind == "resource_limits" and isinstance(result.data, dict):
        for alias in aliases[heavy_above:]:
            node = result.data.get(alias)
            if isinstance(node, dict) and "root" in node:  # the tree listing is the heavy part: cut
                node["root"] = None
                errors.append({"type": "RESOURCE_LIMITS_EXCEEDED", "path": [alias, "root"],
                               "message": "Resource limits for this query exceeded."})
    if errors:
        body["errors"] = errors
    return Answer(200, body, cost.points, cost.nodes)
