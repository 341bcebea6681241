"""GitHub's REST API over a :class:`World`: routes -> (status, headers, JSON body).

Pure request -> reply functions: rate limits, ETags, conditional requests and
faults are the server's business (``server.py``). Bodies follow the real
responses in ../shared/github/recorded/ key for key.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import Any, Callable
from email.utils import formatdate
from urllib.parse import urlencode

from .world import (
    World,
    file_text,
    find_license_file,
    find_readme,
    git_sha,
    iso,
    license_info,
    list_dir,
    parse_time,
    resolve_ref,
)

DOCS = "https://docs.github.com/rest"
HTML = "https://github.com"


@dataclass
class Reply:
    """One HTTP answer. ``body`` is JSON-able data, or str/bytes sent as is."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    route: str = ""  # "GET /repos/{owner}/{repo}", for the counters
    free: bool = False  # does not count against the rate limit (/rate_limit)
    resource: str = "core"  # the rate-limit bucket it spends: "search" for /search/* (30 a minute, 10 anonymous)


@dataclass(frozen=True)
class Ctx:
    """What a handler needs besides the request: where it runs and who asks."""

    base: str  # e.g. http://127.0.0.1:5555, no trailing slash
    world: World
    token: str | None = None
    accept: str = ""  # the Accept header: "application/vnd.github.raw" asks for file bodies as is

    @property
    def raw(self) -> bool:
        return ".raw" in self.accept


def raw_reply(entry: dict[str, Any], path: str, route: str) -> Reply:
    """A file's bytes, as GitHub sends them for Accept: application/vnd.github.raw."""
    return Reply(200, file_text(entry, path).encode(), {"Content-Type": "application/vnd.github.raw; charset=utf-8",
                                                        "X-GitHub-Media-Type": "github.v3; param=raw"}, route=route)


def error(status: int, message: str, doc: str = DOCS, **extra: Any) -> Reply:
    body = {"message": message, "documentation_url": doc, "status": str(status)}
    body.update(extra)
    return Reply(status, body)


def not_found(doc: str = DOCS) -> Reply:
    return error(404, "Not Found", doc)


# --------------------------------------------------------------------------- objects


def owner_json(ctx: Ctx, login: str, full: bool = False) -> dict[str, Any]:
    """The owner object embedded in repositories; ``full`` for GET /users/{login}."""
    o = ctx.world.owner(login) or ctx.world.add_owner(login, implicit=True)
    api = f"{ctx.base}/users/{o['login']}"
    data: dict[str, Any] = {
        "login": o["login"],
        "id": o["id"],
        "node_id": ("O_kgDO" if o["type"] == "Organization" else "U_kgDO") + git_sha(o["id"])[:8],
        "avatar_url": f"https://avatars.githubusercontent.com/u/{o['id']}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{HTML}/{o['login']}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": o["type"],
        "user_view_type": "public",
        "site_admin": False,
    }
    if full:
        public = [r for r in ctx.world.all_repos() if r["owner"].lower() == o["login"].lower() and not r["private"]]
        data.update(
            {
                "name": o.get("name"),
                "company": o.get("company"),
                "blog": o.get("blog", ""),
                "location": o.get("location"),
                "email": None,
                "hireable": None,
                "bio": o.get("bio"),
                "twitter_username": None,
                "public_repos": len(public),
                "public_gists": 0,
                "followers": 0,
                "following": 0,
                "created_at": o["created_at"],
                "updated_at": o["created_at"],
            }
        )
    return data


def org_json(ctx: Ctx, login: str) -> dict[str, Any]:
    """The ``organization`` object of a repository owned by an organisation."""
    o = owner_json(ctx, login)
    api = f"{ctx.base}/orgs/{login}"
    keys = ("login", "id", "node_id", "avatar_url", "gravatar_id", "url", "html_url", "followers_url",
            "following_url", "gists_url", "starred_url", "subscriptions_url", "organizations_url",
            "repos_url", "events_url", "received_events_url", "type", "user_view_type", "site_admin")
    data = {k: o[k] for k in keys}
    data.update({"url": api, "repos_url": f"{api}/repos", "events_url": f"{api}/events"})
    return data


def org_full_json(ctx: Ctx, owner: dict[str, Any]) -> dict[str, Any]:
    """GET /orgs/{org} as an outsider sees it (no billing or private counts)."""
    user = owner_json(ctx, owner["login"], full=True)
    api = f"{ctx.base}/orgs/{owner['login']}"
    return {
        "login": owner["login"], "id": owner["id"], "node_id": user["node_id"], "url": api,
        "repos_url": f"{api}/repos", "events_url": f"{api}/events", "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues", "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}", "avatar_url": user["avatar_url"],
        "description": owner.get("bio"), "name": owner.get("name"), "company": None, "blog": owner.get("blog", ""),
        "location": owner.get("location"), "email": None, "twitter_username": None, "is_verified": False,
        "has_organization_projects": True, "has_repository_projects": True, "public_repos": user["public_repos"],
        "public_gists": 0, "followers": 0, "following": 0, "html_url": user["html_url"],
        "created_at": owner["created_at"], "updated_at": owner["created_at"], "archived_at": None,
        "type": "Organization",
    }


def repo_json(ctx: Ctx, repo: dict[str, Any], *, detail: bool = True) -> dict[str, Any]:
    """A repository object as GET /repos/{owner}/{repo} returns it."""
    full = repo["full_name"]
    api = f"{ctx.base}/repos/{full}"
    html = f"{HTML}/{full}"
    lic = license_info(repo["license"])
    if lic:
        lic = {**lic, "url": f"{ctx.base}/licenses/{lic['key']}" if lic["key"] != "other" else None,
               "node_id": "MDc6TGljZW5zZT" + git_sha(lic["key"])[:6]}
        lic = {k: lic[k] for k in ("key", "name", "spdx_id", "url", "node_id")}
    language = next(iter(repo["languages"]), None)
    data: dict[str, Any] = {
        "id": repo["id"],
        "node_id": repo["node_id"],
        "name": repo["name"],
        "full_name": full,
        "private": repo["private"],
        "owner": owner_json(ctx, repo["owner"]),
        "html_url": html,
        "description": repo["description"],
        "fork": bool(repo["fork_of"]),
        "url": api,
    }
    for key, suffix in [
        ("forks_url", "/forks"), ("keys_url", "/keys{/key_id}"),
        ("collaborators_url", "/collaborators{/collaborator}"), ("teams_url", "/teams"),
        ("hooks_url", "/hooks"), ("issue_events_url", "/issues/events{/number}"),
        ("events_url", "/events"), ("assignees_url", "/assignees{/user}"),
        ("branches_url", "/branches{/branch}"), ("tags_url", "/tags"),
        ("blobs_url", "/git/blobs{/sha}"), ("git_tags_url", "/git/tags{/sha}"),
        ("git_refs_url", "/git/refs{/sha}"), ("trees_url", "/git/trees{/sha}"),
        ("statuses_url", "/statuses/{sha}"), ("languages_url", "/languages"),
        ("stargazers_url", "/stargazers"), ("contributors_url", "/contributors"),
        ("subscribers_url", "/subscribers"), ("subscription_url", "/subscription"),
        ("commits_url", "/commits{/sha}"), ("git_commits_url", "/git/commits{/sha}"),
        ("comments_url", "/comments{/number}"), ("issue_comment_url", "/issues/comments{/number}"),
        ("contents_url", "/contents/{+path}"), ("compare_url", "/compare/{base}...{head}"),
        ("merges_url", "/merges"), ("archive_url", "/{archive_format}{/ref}"),
        ("downloads_url", "/downloads"), ("issues_url", "/issues{/number}"),
        ("pulls_url", "/pulls{/number}"), ("milestones_url", "/milestones{/number}"),
        ("notifications_url", "/notifications{?since,all,participating}"),
        ("labels_url", "/labels{/name}"), ("releases_url", "/releases{/id}"),
        ("deployments_url", "/deployments"),
    ]:
        data[key] = api + suffix
    data.update(
        {
            "created_at": repo["created_at"],
            "updated_at": repo["updated_at"],
            "pushed_at": repo["pushed_at"],
            "git_url": f"git://github.com/{full}.git",
            "ssh_url": f"git@github.com:{full}.git",
            "clone_url": f"{html}.git",
            "svn_url": html,
            "homepage": repo["homepage"],
            "size": repo["disk_kb"],
            "stargazers_count": repo["stars"],
            "watchers_count": repo["stars"],
            "language": language,
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": repo["forks"],
            "mirror_url": None,
            "archived": repo["archived"],
            "disabled": repo["disabled"],
            "open_issues_count": repo["open_issues"],
            "license": lic,
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": list(repo["topics"]),
            "visibility": "private" if repo["private"] else "public",
            "forks": repo["forks"],
            "open_issues": repo["open_issues"],
            "watchers": repo["stars"],
            "default_branch": repo["default_branch"],
        }
    )
    if ctx.token:
        data["permissions"] = {"admin": False, "maintain": False, "push": False, "triage": False, "pull": True}
    if not detail:
        return data
    owner = ctx.world.owner(repo["owner"])
    if owner and owner["type"] == "Organization":
        data["organization"] = org_json(ctx, owner["login"])
    if repo["fork_of"]:
        parent = ctx.world.lookup(*repo["fork_of"].split("/", 1), token=ctx.token)
        if parent.repo is not None:
            data["parent"] = repo_json(ctx, parent.repo, detail=False)
            data["source"] = data["parent"]
    data["network_count"] = repo["forks"]
    data["subscribers_count"] = repo["watchers"]
    return data


def content_json(ctx: Ctx, repo: dict[str, Any], path: str, entry: dict[str, Any], ref: str,
                 *, with_content: bool = False) -> dict[str, Any]:
    """A contents entry (listing item, or a file with base64 content)."""
    full = repo["full_name"]
    kind = entry["type"]
    sha = git_sha(kind, repo["id"], path, entry.get("size"))
    git_kind = "trees" if kind == "dir" else "blobs"
    api_self = f"{ctx.base}/repos/{full}/contents/{path}?ref={ref}"
    html = f"{HTML}/{full}/{'tree' if kind == 'dir' else 'blob'}/{ref}/{path}"
    git = f"{ctx.base}/repos/{full}/git/{git_kind}/{sha}"
    data: dict[str, Any] = {
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "size": entry["size"] if kind == "file" else 0,
        "url": api_self,
        "html_url": html,
        "git_url": git,
        "download_url": f"https://raw.githubusercontent.com/{full}/{ref}/{path}" if kind == "file" else None,
        "type": kind,
    }
    if with_content:
        raw = file_text(entry, path).encode()
        b64 = base64.b64encode(raw).decode()
        data["content"] = "\n".join(b64[i : i + 60] for i in range(0, len(b64), 60)) + ("\n" if b64 else "")
        data["encoding"] = "base64"
    data["_links"] = {"self": api_self, "git": git, "html": html}
    return data


def commit_json(ctx: Ctx, repo: dict[str, Any], index: int) -> dict[str, Any]:
    log = repo["commits"]
    sha = log.sha(repo["id"], index)
    date = iso(log.date(index))
    full = repo["full_name"]
    api = f"{ctx.base}/repos/{full}"
    person = {"name": repo["owner"], "email": f"{repo['owner'].lower()}@users.noreply.github.com", "date": date}
    parents = [] if index >= log.count - 1 else [log.sha(repo["id"], index + 1)]
    tree = git_sha("tree", repo["id"], index)
    return {
        "sha": sha,
        "node_id": "C_kwDO" + sha[:12],
        "commit": {
            "author": dict(person),
            "committer": dict(person),
            "message": f"Commit {log.count - index} of {full}",
            "tree": {"sha": tree, "url": f"{api}/git/trees/{tree}"},
            "url": f"{api}/git/commits/{sha}",
            "comment_count": 0,
            "verification": {"verified": False, "reason": "unsigned", "signature": None, "payload": None,
                             "verified_at": None},
        },
        "url": f"{api}/commits/{sha}",
        "html_url": f"{HTML}/{full}/commit/{sha}",
        "comments_url": f"{api}/commits/{sha}/comments",
        "author": owner_json(ctx, repo["owner"]),
        "committer": owner_json(ctx, repo["owner"]),
        "parents": [{"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{HTML}/{full}/commit/{p}"} for p in parents],
    }


def release_json(ctx: Ctx, repo: dict[str, Any], rel: dict[str, Any]) -> dict[str, Any]:
    full = repo["full_name"]
    rid = rel.get("id") or int(git_sha("release", repo["id"], rel["tag"])[:7], 16)
    api = f"{ctx.base}/repos/{full}/releases/{rid}"
    return {
        "url": api,
        "assets_url": f"{api}/assets",
        "upload_url": f"https://uploads.github.com/repos/{full}/releases/{rid}/assets{{?name,label}}",
        "html_url": f"{HTML}/{full}/releases/tag/{rel['tag']}",
        "id": rid,
        "author": owner_json(ctx, repo["owner"]),
        "node_id": "RE_kwDO" + git_sha(rid)[:8],
        "tag_name": rel["tag"],
        "target_commitish": repo["default_branch"],
        "name": rel.get("name", rel["tag"]),
        "draft": bool(rel.get("draft", False)),
        "immutable": False,
        "prerelease": bool(rel.get("prerelease", False)),
        "created_at": rel.get("published_at"),
        "updated_at": rel.get("published_at"),
        "published_at": None if rel.get("draft") else rel.get("published_at"),
        "assets": [],
        "tarball_url": f"{ctx.base}/repos/{full}/tarball/{rel['tag']}",
        "zipball_url": f"{ctx.base}/repos/{full}/zipball/{rel['tag']}",
        "body": rel.get("body", ""),
    }


# --------------------------------------------------------------------------- pagination


def page_args(query: dict[str, list[str]], default: int = 30) -> tuple[int, int]:
    def num(key: str, dflt: int) -> int:
        try:
            return int(query.get(key, [str(dflt)])[0])
        except ValueError:
            return dflt

    return max(1, min(100, num("per_page", default))), max(1, num("page", 1))


def paged(items: list[Any], render: Callable[[Any], Any], url: str, query: dict[str, list[str]], route: str) -> Reply:
    """One page of a listing, rendered, with GitHub's Link header when there are more pages."""
    per_page, page = page_args(query)
    reply = Reply(200, [render(item) for item in items[(page - 1) * per_page : page * per_page]], route=route)
    link = link_header(url, query, per_page, page, len(items))
    if link:
        reply.headers["Link"] = link
    return reply


def link_header(url: str, query: dict[str, list[str]], per_page: int, page: int, total: int) -> str | None:
    """GitHub's Link header (next, last, first, prev) for a paged listing."""
    last = max(1, -(-total // per_page))
    keep = {k: v[0] for k, v in query.items() if k not in ("page", "per_page")}

    def at(n: int) -> str:
        return f"{url}?{urlencode({**keep, 'per_page': per_page, 'page': n})}"

    links = []
    if page > 1:
        links.append(f'<{at(page - 1)}>; rel="prev"')
    if page < last:
        links.append(f'<{at(page + 1)}>; rel="next"')
        links.append(f'<{at(last)}>; rel="last"')
    if page > 1:
        links.append(f'<{at(1)}>; rel="first"')
    return ", ".join(links) or None


# --------------------------------------------------------------------------- routes

Handler = Callable[[Ctx, dict[str, Any], str, dict[str, list[str]]], Reply]
CONTENTS_DOC = f"{DOCS}/repos/contents#get-repository-content"


def repo_get(ctx: Ctx, repo: dict[str, Any], rest: str, query: dict[str, list[str]]) -> Reply:
    """Everything under one (found, visible, unblocked) repository."""
    if rest == "":
        return Reply(200, repo_json(ctx, repo), route="GET /repos/{owner}/{repo}")
    if rest == "/languages":
        return Reply(200, dict(repo["languages"]), route="GET /repos/{owner}/{repo}/languages")
    if rest == "/topics":
        return Reply(200, {"names": list(repo["topics"])}, route="GET /repos/{owner}/{repo}/topics")
    if rest == "/commits":
        return commits(ctx, repo, query)
    if rest == "/readme" or rest.startswith("/readme/"):
        route = "GET /repos/{owner}/{repo}/readme"
        if repo["empty"]:
            return _route(error(404, "This repository is empty.", f"{DOCS}/repos/contents#get-a-repository-readme"), route)
        ref = query.get("ref", [repo["default_branch"]])[0]
        found = find_readme(repo) if resolve_ref(repo, ref) else None
        if not found:
            return _route(not_found(f"{DOCS}/repos/contents#get-a-repository-readme"), route)
        if ctx.raw:
            return raw_reply(found[1], found[0], route)
        return Reply(200, content_json(ctx, repo, found[0], found[1], ref, with_content=True), route=route)
    if rest == "/license":
        route = "GET /repos/{owner}/{repo}/license"
        found = find_license_file(repo)
        if not repo["license"] or not found:
            return _route(not_found(f"{DOCS}/licenses/licenses#get-the-license-for-a-repository"), route)
        data = content_json(ctx, repo, found[0], found[1], repo["default_branch"], with_content=True)
        lic = license_info(repo["license"])
        data["license"] = {**lic, "url": f"{ctx.base}/licenses/{lic['key']}", "node_id": "MDc6TGljZW5zZT" + git_sha(lic["key"])[:6]}  # type: ignore[index]
        return Reply(200, data, route=route)
    if rest == "/contents" or rest.startswith("/contents/"):
        return contents(ctx, repo, rest[len("/contents"):].strip("/"), query)
    if rest == "/releases":
        route = "GET /repos/{owner}/{repo}/releases"
        rels = [r for r in repo["releases"] if not r.get("draft") or (ctx.token and ctx.token in repo["collaborators"])]
        return paged(rels, lambda r: release_json(ctx, repo, r), f"{ctx.base}/repositories/{repo['id']}/releases", query, route)
    if rest == "/releases/latest":
        route = "GET /repos/{owner}/{repo}/releases/latest"
        rels = [r for r in repo["releases"] if not r.get("draft") and not r.get("prerelease")]
        if not rels:
            return _route(not_found(f"{DOCS}/releases/releases#get-the-latest-release"), route)
        return Reply(200, release_json(ctx, repo, rels[0]), route=route)
    if rest.startswith("/git/trees/"):
        return git_tree(ctx, repo, rest[len("/git/trees/"):], query)
    if rest.startswith("/branches/"):
        return branch(ctx, repo, rest[len("/branches/"):])
    return _route(not_found(), repo_route(rest))


def git_tree(ctx: Ctx, repo: dict[str, Any], ref: str, query: dict[str, list[str]]) -> Reply:
    """GET /repos/{o}/{n}/git/trees/{ref}[?recursive=1]: the whole tree in one answer."""
    route = "GET /repos/{owner}/{repo}/git/trees/{sha}"
    if repo["empty"]:
        return _route(error(409, "Git Repository is empty.", f"{DOCS}/git/trees#get-a-tree"), route)
    if not resolve_ref(repo, ref):
        return _route(not_found(f"{DOCS}/git/trees#get-a-tree"), route)
    recursive = query.get("recursive", [""])[0] not in ("", "0", "false")
    items = []
    for path, entry in sorted(repo["files"].items()):
        if not recursive and "/" in path:
            continue
        kind = {"dir": "tree", "submodule": "commit"}.get(entry["type"], "blob")
        sha = git_sha(entry["type"], repo["id"], path, entry.get("size"))
        item = {"path": path, "mode": {"tree": "040000", "commit": "160000"}.get(kind, "120000" if entry["type"] == "symlink" else "100644"),
                "type": kind, "sha": sha}
        if kind == "blob":
            item["size"] = entry["size"]
        item["url"] = f"{ctx.base}/repos/{repo['full_name']}/git/{'trees' if kind == 'tree' else 'blobs'}/{sha}"
        items.append(item)
    sha = git_sha("tree", repo["id"], "")
    body = {"sha": sha, "url": f"{ctx.base}/repos/{repo['full_name']}/git/trees/{sha}", "tree": items, "truncated": False}
    return Reply(200, body, route=route)


def branch(ctx: Ctx, repo: dict[str, Any], name: str) -> Reply:
    """GET /repos/{o}/{n}/branches/{branch}: name, head commit, protection."""
    route = "GET /repos/{owner}/{repo}/branches/{branch}"
    if repo["empty"] or (name != repo["default_branch"] and name not in repo["branches"]):
        return _route(error(404, "Branch not found", f"{DOCS}/branches/branches#get-a-branch"), route)
    head = commit_json(ctx, repo, 0)
    api = f"{ctx.base}/repos/{repo['full_name']}/branches/{name}"
    body = {"name": name, "commit": head, "_links": {"self": api, "html": f"{HTML}/{repo['full_name']}/tree/{name}"},
            "protected": False, "protection": {"enabled": False, "required_status_checks": {"enforcement_level": "off",
                                                                                          "contexts": [], "checks": []}},
            "protection_url": f"{api}/protection"}
    return Reply(200, body, route=route)


def _modified(reply: Reply, repo: dict[str, Any]) -> Reply:
    """Last-Modified on a repository's 200s: its updated_at, as an HTTP date."""
    if reply.status == 200:
        when = parse_time(repo["updated_at"])
        if when is not None:
            reply.headers.setdefault("Last-Modified", formatdate(when.timestamp(), usegmt=True))
    return reply


def _route(reply: Reply, route: str) -> Reply:
    reply.route = route
    return reply


def commits(ctx: Ctx, repo: dict[str, Any], query: dict[str, list[str]]) -> Reply:
    route = "GET /repos/{owner}/{repo}/commits"
    if repo["empty"]:
        return _route(error(409, "Git Repository is empty.", f"{DOCS}/commits/commits#list-commits"), route)
    sha = query.get("sha", [None])[0]
    if sha and not resolve_ref(repo, sha):
        return _route(error(404, "No commit found for SHA: " + sha, f"{DOCS}/commits/commits#list-commits"), route)
    path = query.get("path", [""])[0].strip("/")
    if path and path not in repo["files"]:
        return Reply(200, [], route=route)
    try:
        since = parse_time(query["since"][0]) if "since" in query else None
        until = parse_time(query["until"][0]) if "until" in query else None
    except ValueError:
        return _route(error(422, "Invalid request.", f"{DOCS}/commits/commits#list-commits"), route)
    idx = list(repo["commits"].indices(since, until))
    return paged(idx, lambda i: commit_json(ctx, repo, i), f"{ctx.base}/repositories/{repo['id']}/commits", query, route)


def contents(ctx: Ctx, repo: dict[str, Any], path: str, query: dict[str, list[str]]) -> Reply:
    route = "GET /repos/{owner}/{repo}/contents/{path}"
    if repo["empty"]:
        return _route(error(404, "This repository is empty.", CONTENTS_DOC), route)
    ref = query.get("ref", [repo["default_branch"]])[0]
    if not resolve_ref(repo, ref):
        return _route(error(404, f"No commit found for the ref {ref}", CONTENTS_DOC), route)
    children = list_dir(repo["files"], path)
    if children is not None:
        return Reply(200, [content_json(ctx, repo, p, e, ref) for _, p, e in children], route=route)
    entry = repo["files"].get(path)
    if entry is None:
        return _route(not_found(CONTENTS_DOC), route)
    if ctx.raw and entry["type"] == "file":
        return raw_reply(entry, path, route)
    return Reply(200, content_json(ctx, repo, path, entry, ref, with_content=entry["type"] == "file"), route=route)


def blocked_reply(repo: dict[str, Any], route: str) -> Reply:
    """403 (terms of service) or 451 (DMCA) as GitHub answers a blocked repository."""
    status = int(repo["blocked"])
    if status == 451:
        block = {"reason": "dmca", "created_at": repo["pushed_at"],
                 "html_url": f"https://github.com/github/dmca/blob/master/{repo['pushed_at'][:4]}/"
                             f"{repo['pushed_at'][5:7]}/{repo['pushed_at'][:10]}-{repo['name'].lower()}.md"}
    else:
        block = {"reason": "tos", "created_at": repo["pushed_at"], "html_url": f"{HTML}/{repo['full_name']}"}
    return Reply(status, {"message": "Repository access blocked", "block": block}, route=route)


REPOS = re.compile(r"^/repos/([^/]+)/([^/]+)(/.*)?$")
REPO_BY_ID = re.compile(r"^/repositories/(\d+)(/.*)?$")
USERS = re.compile(r"^/(users|orgs)/([^/]+)(/repos)?$")


def repo_route(rest: str) -> str:
    """The route template of a repository sub-path, for counters."""
    if rest.startswith("/contents"):
        return "GET /repos/{owner}/{repo}/contents/{path}"
    if rest.startswith("/git/trees/"):
        return "GET /repos/{owner}/{repo}/git/trees/{sha}"
    if rest.startswith("/branches/"):
        return "GET /repos/{owner}/{repo}/branches/{branch}"
    return "GET /repos/{owner}/{repo}" + rest


def handle(ctx: Ctx, method: str, path: str, query: dict[str, list[str]]) -> Reply:
    """Answer one REST request (GET/HEAD only: the auditor never writes)."""
    if method not in ("GET", "HEAD"):
        return _route(not_found(), f"{method} {path}")
    path = path.rstrip("/") if path != "/" else path
    if path == "/rate_limit":
        return Reply(200, None, route="GET /rate_limit", free=True)  # filled in by the server
    if path == "/search/repositories":
        return search_repositories(ctx, query)
    m = REPOS.match(path)
    if m:
        owner, name, rest = m.group(1), m.group(2), m.group(3) or ""
        route = repo_route(rest)
        found = ctx.world.lookup(owner, name, ctx.token, follow=True)
        if found.kind == "missing":
            doc = f"{DOCS}/repos/repos#get-a-repository" if not rest else DOCS
            return _route(not_found(doc), route)
        assert found.repo is not None
        if found.kind == "moved":
            qs = urlencode([(k, v) for k, vs in query.items() for v in vs])
            location = f"{ctx.base}/repositories/{found.repo['id']}{rest}" + (f"?{qs}" if qs else "")
            body = {"message": "Moved Permanently", "url": location,
                    "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"}
            return Reply(301, body, {"Location": location}, route=route)
        if found.kind == "blocked":
            return blocked_reply(found.repo, route)
        return _modified(repo_get(ctx, found.repo, rest, query), found.repo)
    m = REPO_BY_ID.match(path)
    if m:
        rest = m.group(2) or ""
        route = "GET /repositories/{id}" + (rest if not rest.startswith("/contents") else "/contents/{path}")
        repo = ctx.world.visible_by_id(int(m.group(1)), ctx.token)
        if repo is None:
            return _route(not_found(), route)
        if repo["blocked"]:
            return blocked_reply(repo, route)
        return _modified(_route(repo_get(ctx, repo, rest, query), route), repo)
    m = USERS.match(path)
    if m:
        kind, login, repos = m.groups()
        route = f"GET /{kind}/{{login}}" + (repos or "")
        owner = ctx.world.owner(login)
        if owner is None or (kind == "orgs" and owner["type"] != "Organization"):
            return _route(not_found(f"{DOCS}/users/users#get-a-user"), route)
        if not repos:
            data = org_full_json(ctx, owner) if kind == "orgs" else owner_json(ctx, owner["login"], full=True)
            return Reply(200, data, route=route)
        mine = sorted((r for r in ctx.world.all_repos() if r["owner"].lower() == owner["login"].lower()
                       and (not r["private"] or (ctx.token and ctx.token in r["collaborators"]))),
                      key=lambda r: r["full_name"].lower())
        return paged(mine, lambda r: repo_json(ctx, r, detail=False), f"{ctx.base}/{kind}/{owner['login']}/repos", query, route)
    return _route(not_found(), f"{method} {path}")


# --------------------------------------------------------------------------- search

_QUALIFIER = re.compile(r"^(in|is|user|org|repo|language|stars|fork|archived|topic):(.+)$", re.IGNORECASE)


def search_repositories(ctx: Ctx, query: dict[str, list[str]]) -> Reply:
    """GET /search/repositories?q=TERMS+in:readme,description, as GitHub answers it.

    The body is ``{total_count, incomplete_results, items}``, each item a repository as the
    listings give it plus ``score`` (the recorded github3py__GitHub_search_repositories__00.json).
    A term matches, case-insensitively, the fields ``in:`` names (default name, description and
    topics; ``readme`` is the README's text). A missing ``q`` is GitHub's 422.
    """
    route = "GET /search/repositories"
    q = (query.get("q") or [""])[0].strip()
    if not q:
        return Reply(422, {"message": "Validation Failed", "errors": [{"resource": "Search", "field": "q", "code": "missing"}],
                           "documentation_url": f"{DOCS}/search/search#search-repositories", "status": "422"},
                     route=route, resource="search")
    terms, fields = [], {"name", "description", "topics"}
    for word in q.split():
        m = _QUALIFIER.match(word)
        if m and m.group(1).lower() == "in":
            fields = {f.strip().lower() for f in m.group(2).split(",") if f.strip()}
        elif not m:
            terms.append(word.strip('"').lower())

    def text(repo: dict[str, Any], where: str) -> str:
        if where == "readme":
            found = find_readme(repo)
            return file_text(found[1], found[0]) if found else ""
        if where == "topics":
            return " ".join(repo["topics"])
        return str(repo.get(where) or "")

    hits = []
    for repo in ctx.world.all_repos():
        if repo["private"] and not (ctx.token and ctx.token in repo["collaborators"]):
            continue
        haystack = " ".join(text(repo, f) for f in sorted(fields)).lower()
        if terms and all(t in haystack for t in terms):
            hits.append(repo)
    hits.sort(key=lambda r: (-r["stars"], r["full_name"].lower()))
    _, per_page = page_args(query)
    items = [{**repo_json(ctx, r, detail=False), "score": 1.0} for r in hits[:per_page]]
    return Reply(200, {"total_count": len(hits), "incomplete_results": False, "items": items}, route=route,
                 resource="search")
