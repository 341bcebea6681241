"""The fake GitHub's world: repositories, owners and their contents, as plain data.

A world is read from a compact JSON file (see ``worlds/default.json``) and can
be changed by a test while the server runs (``world.add_repo({...})``). REST
and GraphQL both read it through :meth:`World.lookup`, so the two APIs always
agree about a repository.

World file (JSON)::

    {"now": "2026-11-20T00:00:00Z",                  reference date (informative)
     "tokens": {"tok": {"login": ..., "user_id": 1}}, who a token is (any token works)
     "owners": {"login": {"type": "User"|"Organization", "name": ..., "exists": false}},
     "presets": {"name": {<repository keys>}},        shared defaults, see "preset"
     "repos": [{<repository keys>}, ...]}

Owners of repositories are created as Users when not listed.

Repository spec keys (all optional except ``repo``)::

    repo            "owner/name"
    id              int (default: a stable hash of the name)
    preset          name of an entry in the world's "presets", merged first ("files" add up)
    exists          false: an explicit 404 (documentation only; unknown names 404 too)
    renamed_to      "owner/name": REST answers 301, GraphQL follows the rename
    transferred_to  same as renamed_to, for a new owner
    blocked         403 (terms of service) or 451 (DMCA)
    disabled, private, archived (+ archived_at), empty      bool
    fork_of         "owner/name" of the parent (should be in the world too)
    description, homepage, topics, stars, forks, watchers, open_issues
    license         SPDX id, "NOASSERTION", or null for none
    default_branch  "main"; branches: other branch names
    created_at, updated_at, pushed_at                        ISO 8601
    commits         {"count": N, "first": date, "last": date}
    languages       {"Python": bytes, ...}
    readme          "text" or {"name": "README.md", "text": "..."}
    files           {"path": size | "text" | {"type": "dir"|"symlink"|"submodule"}}
    releases        [{"tag": "v1.0", "name": ..., "published_at": ..., "draft", "prerelease"}]
    disk_kb         int
    collaborators   tokens that may see a private repository
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import zlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Literal

WORLDS = Path(__file__).resolve().parent / "worlds"
DEFAULT_WORLD = WORLDS / "default.json"

#: SPDX id -> (GitHub license key, GitHub license name). GitHub recognises a
#: fixed list; anything else in a LICENSE file is reported as NOASSERTION/other.
LICENSES: dict[str, tuple[str, str]] = {
    "MIT": ("mit", "MIT License"),
    "Apache-2.0": ("apache-2.0", "Apache License 2.0"),
    "BSD-3-Clause": ("bsd-3-clause", 'BSD 3-Clause "New" or "Revised" License'),
    "BSD-2-Clause": ("bsd-2-clause", 'BSD 2-Clause "Simplified" License'),
    "GPL-3.0": ("gpl-3.0", "GNU General Public License v3.0"),
    "GPL-2.0": ("gpl-2.0", "GNU General Public License v2.0"),
    "AGPL-3.0": ("agpl-3.0", "GNU Affero General Public License v3.0"),
    "LGPL-2.1": ("lgpl-2.1", "GNU Lesser General Public License v2.1"),
    "LGPL-3.0": ("lgpl-3.0", "GNU Lesser General Public License v3.0"),
    "MPL-2.0": ("mpl-2.0", "Mozilla Public License 2.0"),
    "BSL-1.0": ("bsl-1.0", "Boost Software License 1.0"),
    "EPL-2.0": ("epl-2.0", "Eclipse Public License 2.0"),
    "CC0-1.0": ("cc0-1.0", "Creative Commons Zero v1.0 Universal"),
    "CC-BY-4.0": ("cc-by-4.0", "Creative Commons Attribution 4.0 International"),
    "CC-BY-SA-4.0": ("cc-by-sa-4.0", "Creative Commons Attribution Share Alike 4.0 International"),
    "Unlicense": ("unlicense", "The Unlicense"),
    "WTFPL": ("wtfpl", "Do What The F*ck You Want To Public License"),
    "NOASSERTION": ("other", "Other"),
}

EPOCH_DEFAULT = "2024-01-15T10:00:00Z"


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 (date or date-time, 'Z' allowed) -> aware UTC datetime."""
    if value is None:
        return None
    text = value.strip().replace("Z", "+00:00")
    if len(text) == 10:
        text += "T00:00:00+00:00"
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def iso(dt: datetime | None) -> str | None:
    """GitHub's timestamp format: 2024-01-15T10:00:00Z."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def stable_id(text: str, base: int = 100_000_000) -> int:
    return base + zlib.crc32(text.lower().encode()) % 800_000_000


def git_sha(*parts: Any) -> str:
    return hashlib.sha1("\0".join(map(str, parts)).encode()).hexdigest()


# --------------------------------------------------------------------------- commits


@dataclass(frozen=True)
class CommitLog:
    """``count`` commits spread evenly from ``first`` to ``last`` (index 0 is newest).

    Counting under since/until is arithmetic, so a repository with 100k
    commits costs nothing to serve.
    """

    count: int
    first: datetime
    last: datetime

    def date(self, index: int) -> datetime:
        if self.count <= 1:
            return self.last
        step = (self.last - self.first) / (self.count - 1)
        return self.last - step * index

    def indices(self, since: datetime | None = None, until: datetime | None = None) -> range:
        """Indices (newest first) of the commits dated within [since, until]."""
        if self.count == 0:
            return range(0)
        lo, hi = 0, self.count  # newest..oldest, half-open
        if self.count == 1:
            d = self.last
            ok = (since is None or d >= since) and (until is None or d <= until)
            return range(0, 1) if ok else range(0)
        step = (self.last - self.first) / (self.count - 1)
        if until is not None and until < self.last:
            if step.total_seconds() == 0:
                return range(0)
            lo = max(lo, int(-(-(self.last - until) // step)))  # ceil
        if since is not None and since > self.first:
            if step.total_seconds() == 0:
                return range(0)
            hi = min(hi, int((self.last - since) // step) + 1)
        return range(lo, max(lo, hi))

    def sha(self, repo_id: int, index: int) -> str:
        return git_sha("commit", repo_id, self.count - index)


# --------------------------------------------------------------------------- lookup

LookupKind = Literal["ok", "moved", "missing", "blocked"]


@dataclass(frozen=True)
class Lookup:
    """What GitHub would find at owner/name for a given client."""

    kind: LookupKind
    repo: dict[str, Any] | None = None  # the repository found (after a rename for "moved")
    asked: str = ""  # owner/name as asked


class World:
    """A mutable, thread-safe set of repositories and owners."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._lock = threading.RLock()
        self._source: dict[str, Any] = {}
        self.clear()
        if data:
            self.load(data)

    # ----------------------------------------------------------------- loading

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_WORLD) -> "World":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def clear(self) -> None:
        with self._lock:
            self.presets: dict[str, dict[str, Any]] = {}
            self.repos: dict[str, dict[str, Any]] = {}  # lower full_name -> repo
            self.redirects: dict[str, str] = {}  # lower old full_name -> new full_name
            self.gone: dict[str, dict[str, Any]] = {}  # explicit exists:false entries
            self.owners: dict[str, dict[str, Any]] = {}  # lower login -> owner
            self.by_id: dict[int, dict[str, Any]] = {}
            self.tokens: dict[str, dict[str, Any]] = {}
            self.now: datetime = parse_time("2026-11-20T00:00:00Z")  # type: ignore[assignment]

    def load(self, data: dict[str, Any] | str | Path, *, replace: bool = False) -> "World":
        """Add a world (a dict or a JSON file) to this one, or replace it."""
        if not isinstance(data, dict):
            data = json.loads(Path(data).read_text(encoding="utf-8"))
        with self._lock:
            if replace:
                self.clear()
            if not self._source or replace:
                self._source = copy.deepcopy(data)
            if data.get("now"):
                self.now = parse_time(data["now"])  # type: ignore[assignment]
            self.presets.update(data.get("presets", {}))
            self.tokens.update(data.get("tokens", {}))
            for login, spec in data.get("owners", {}).items():
                self.add_owner(login, **spec)
            for spec in data.get("repos", []):
                self.add_repo(spec)
        return self

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the state, for :meth:`restore` (test isolation)."""
        with self._lock:
            return copy.deepcopy(
                {k: getattr(self, k) for k in ("presets", "repos", "redirects", "gone", "owners", "tokens", "now")}
            )

    def restore(self, state: dict[str, Any]) -> None:
        with self._lock:
            for key, value in copy.deepcopy(state).items():
                setattr(self, key, value)
            self.by_id = {r["id"]: r for r in self.repos.values()}

    # ----------------------------------------------------------------- building

    def add_owner(self, login: str, type: str = "User", **spec: Any) -> dict[str, Any]:
        """Add a user or an organisation (``type="Organization"``)."""
        with self._lock:
            owner = {
                "login": login,
                "type": type,
                "id": spec.get("id", stable_id("owner:" + login, 10_000_000)),
                "name": spec.get("name"),
                "blog": spec.get("blog", ""),
                "bio": spec.get("bio"),
                "company": spec.get("company"),
                "location": spec.get("location"),
                "created_at": spec.get("created_at", "2016-03-01T12:00:00Z"),
                "exists": spec.get("exists", True),
                "implicit": spec.get("implicit", False),
            }
            self.owners[login.lower()] = owner
            return owner

    def owner(self, login: str) -> dict[str, Any] | None:
        found = self.owners.get(login.lower())
        return found if found and found["exists"] else None

    def _ensure_owner(self, login: str) -> dict[str, Any]:
        return self.owners.get(login.lower()) or self.add_owner(login, implicit=True)

    def add_repo(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Add (or replace) a repository from a spec; returns the normalised record."""
        with self._lock:
            merged: dict[str, Any] = {}
            preset = spec.get("preset")
            if preset:
                if preset not in self.presets:
                    raise KeyError(f"unknown preset {preset!r} for {spec.get('repo')}")
                merged.update(copy.deepcopy(self.presets[preset]))
            own = copy.deepcopy(spec)
            if "files" in merged and "files" in own:  # a repo's files add to its preset's
                own["files"] = {**merged["files"], **own["files"]}
            merged.update(own)
            full = merged["repo"]
            owner, _, name = full.partition("/")
            if not owner or not name or "/" in name:
                raise ValueError(f"repo must be 'owner/name', got {full!r}")
            key = full.lower()
            replaced = self.repos.pop(key, None)
            if replaced is not None:
                self.by_id.pop(replaced["id"], None)
            self.redirects.pop(key, None)
            self.gone.pop(key, None)
            self._ensure_owner(owner)
            if merged.get("exists") is False:
                self.gone[key] = merged
                return merged
            target = merged.get("renamed_to") or merged.get("transferred_to")
            if target:
                self.redirects[key] = target
                return merged
            repo = self._normalise(owner, name, merged)
            old = self.by_id.get(repo["id"])
            if old is not None and old["full_name"].lower() != key:
                raise ValueError(f"id {repo['id']} of {full} is already {old['full_name']}")
            self.repos[key] = repo
            self.by_id[repo["id"]] = repo
            return repo

    def remove_repo(self, full_name: str) -> None:
        with self._lock:
            repo = self.repos.pop(full_name.lower(), None)
            if repo:
                self.by_id.pop(repo["id"], None)
            self.redirects.pop(full_name.lower(), None)

    def _normalise(self, owner: str, name: str, s: dict[str, Any]) -> dict[str, Any]:
        full = f"{owner}/{name}"
        created = parse_time(s.get("created_at")) or parse_time(EPOCH_DEFAULT)
        empty = bool(s.get("empty", False))
        c = s.get("commits") or {}
        if empty:
            log = CommitLog(0, created, created)  # type: ignore[arg-type]
        else:
            last = parse_time(c.get("last")) or parse_time(s.get("pushed_at")) or created
            first = parse_time(c.get("first")) or created
            log = CommitLog(int(c.get("count", 1)), min(first, last), last)  # type: ignore[arg-type,type-var]
        pushed = parse_time(s.get("pushed_at")) or (created if empty else log.last)
        files: dict[str, dict[str, Any]] = {}
        if not empty:
            for path, value in (s.get("files") or {}).items():
                _add_file(files, path, value)
            readme = s.get("readme")
            if isinstance(readme, str):
                readme = {"name": "README.md", "text": readme}
            if readme:
                _add_file(files, readme.get("name", "README.md"), readme.get("text", ""))
            spdx = s.get("license")
            if spdx and not any(p.split("/")[0].upper().startswith(("LICENSE", "COPYING")) for p in files):
                _add_file(files, "LICENSE", _license_text(spdx))
        languages = {} if empty else dict(s.get("languages") or {})
        languages = dict(sorted(languages.items(), key=lambda kv: -kv[1]))
        releases = sorted(
            (dict(r) for r in (s.get("releases") or [])),
            key=lambda r: r.get("published_at") or "",
            reverse=True,
        )
        repo_id = int(s.get("id") or stable_id(full))
        archived = bool(s.get("archived", False))
        return {
            "owner": owner,
            "name": name,
            "full_name": full,
            "id": repo_id,
            "node_id": "R_kgDO" + hashlib.sha1(str(repo_id).encode()).hexdigest()[:8],
            "private": bool(s.get("private", False)),
            "collaborators": list(s.get("collaborators", [])),
            "blocked": s.get("blocked"),
            "disabled": bool(s.get("disabled", False)),
            "archived": archived,
            "archived_at": s.get("archived_at") or (iso(pushed) if archived else None),
            "fork_of": s.get("fork_of"),
            "empty": empty,
            "description": s.get("description"),
            "homepage": s.get("homepage"),
            "topics": list(s.get("topics", [])),
            "stars": int(s.get("stars", 0)),
            "forks": int(s.get("forks", 0)),
            "watchers": int(s.get("watchers", max(1, int(s.get("stars", 0)) // 30))),
            "open_issues": int(s.get("open_issues", 0)),
            "license": s.get("license"),
            "default_branch": s.get("default_branch", "main"),
            "branches": list(s.get("branches", [])),
            "created_at": iso(created),
            "updated_at": s.get("updated_at") or iso(max(pushed, created)),  # type: ignore[type-var]
            "pushed_at": iso(pushed),
            "commits": log,
            "languages": languages,
            "files": files,
            "releases": releases,
            "disk_kb": int(s.get("disk_kb", 0 if empty else max(1, sum(languages.values()) // 1024 + 12))),
            "note": s.get("note"),
            "preset": s.get("preset"),
        }

    # ----------------------------------------------------------------- queries

    def lookup(self, owner: str, name: str, token: str | None = None, *, follow: bool = True) -> Lookup:
        """Find owner/name as GitHub would for a client holding ``token``."""
        asked = f"{owner}/{name}"
        with self._lock:
            key = asked.lower()
            seen = set()
            moved = False
            while key in self.redirects and key not in seen:
                seen.add(key)
                key = self.redirects[key].lower()
                moved = True
                if not follow:
                    break
            repo = self.repos.get(key)
            if repo is None:
                return Lookup("missing", None, asked)
            if repo["private"] and (token is None or token not in repo["collaborators"]):
                return Lookup("missing", None, asked)  # GitHub hides private repositories behind a 404
            if repo["blocked"]:
                return Lookup("blocked", repo, asked)
            return Lookup("moved" if moved else "ok", repo, asked)

    def visible_by_id(self, repo_id: int, token: str | None = None) -> dict[str, Any] | None:
        with self._lock:
            repo = self.by_id.get(repo_id)
            if repo is None or (repo["private"] and (token is None or token not in repo["collaborators"])):
                return None
            return repo

    def cases(self) -> dict[str, str]:
        """The case each owner/name (lower-cased) stands for, for end-to-end assertions.

        One of: missing, renamed, transferred, dmca, blocked, private, disabled,
        empty, archived, fork, placeholder, skeleton, readme_only, awesome,
        stale, no_license, non_osi, noassertion, popular, healthy.
        """
        with self._lock:
            out = {key: "missing" for key in self.gone}
            for key, target in self.redirects.items():
                same_owner = key.split("/")[0] == target.lower().split("/")[0]
                out[key] = "renamed" if same_owner else "transferred"
            for key, r in self.repos.items():
                out[key] = _case(r)
            return out

    def all_repos(self) -> Iterable[dict[str, Any]]:
        with self._lock:
            return list(self.repos.values())


def _case(r: dict[str, Any]) -> str:
    osi = {"MIT", "Apache-2.0", "BSD-3-Clause", "BSD-2-Clause", "GPL-3.0", "GPL-2.0", "AGPL-3.0", "LGPL-2.1",
           "LGPL-3.0", "MPL-2.0", "BSL-1.0", "EPL-2.0", "Unlicense"}
    for flag, case in ((r["blocked"] == 451, "dmca"), (r["blocked"] == 403, "blocked"), (r["private"], "private"),
                       (r["disabled"], "disabled"), (r["empty"], "empty"), (r["archived"], "archived"),
                       (bool(r["fork_of"]), "fork")):
        if flag:
            return case
    if r["preset"] in ("placeholder", "skeleton", "readme_only", "awesome", "stale"):
        return r["preset"]
    if not r["license"]:
        return "no_license"
    if r["license"] == "NOASSERTION":
        return "noassertion"
    if r["license"] not in osi:
        return "non_osi"
    return "popular" if r["stars"] >= 1000 else "healthy"


# --------------------------------------------------------------------------- files


def _add_file(files: dict[str, dict[str, Any]], path: str, value: Any) -> None:
    """Record a file (and its parent directories) in a path -> entry map."""
    path = path.strip("/")
    if isinstance(value, dict):
        entry = {"type": value.get("type", "file"), "size": int(value.get("size", 0)), "text": value.get("text")}
    elif isinstance(value, str):
        entry = {"type": "file", "size": len(value.encode()), "text": value}
    elif value is None and path:
        entry = {"type": "dir", "size": 0, "text": None}
    else:
        entry = {"type": "file", "size": int(value), "text": None}
    parts = path.split("/")
    for i in range(1, len(parts)):
        files.setdefault("/".join(parts[:i]), {"type": "dir", "size": 0, "text": None})
    files[path] = entry


def file_text(entry: dict[str, Any], path: str) -> str:
    """The text of a file: its given text, or filler of its size."""
    if entry.get("text") is not None:
        return entry["text"]
    line = f"# {path}\n"
    size = entry.get("size", 0)
    return (line * (size // max(1, len(line)) + 1))[:size]


def list_dir(files: dict[str, dict[str, Any]], path: str) -> list[tuple[str, str, dict[str, Any]]] | None:
    """Children (name, path, entry) of a directory, or None when it is not one."""
    path = path.strip("/")
    if path and (path not in files or files[path]["type"] != "dir"):
        return None
    prefix = path + "/" if path else ""
    out = []
    for p, entry in files.items():
        if p.startswith(prefix) and "/" not in p[len(prefix):] and p != path:
            out.append((p[len(prefix):], p, entry))
    return sorted(out, key=lambda t: t[0])


def resolve_ref(repo: dict[str, Any], ref: str | None) -> bool:
    """Whether a ref (branch, tag, HEAD, or a sha) names something in the repository."""
    if repo["empty"]:
        return False
    if ref in (None, "", "HEAD", repo["default_branch"]):
        return True
    if ref in repo["branches"] or any(r.get("tag") == ref for r in repo["releases"]):
        return True
    return len(ref) >= 7 and all(ch in "0123456789abcdef" for ch in ref.lower())  # a sha


def find_readme(repo: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The README GitHub would show: README.md first, then other README* in the root."""
    root = [(p, e) for p, e in repo["files"].items() if "/" not in p and e["type"] == "file"]
    for preferred in ("README.md", "README.rst", "README.txt", "README"):
        for p, e in root:
            if p.lower() == preferred.lower():
                return p, e
    for p, e in root:
        if p.lower().startswith("readme"):
            return p, e
    return None


def find_license_file(repo: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for p, e in sorted(repo["files"].items()):
        if "/" not in p and e["type"] == "file" and p.upper().startswith(("LICENSE", "COPYING", "LICENCE")):
            return p, e
    return None


def license_info(spdx: str | None) -> dict[str, Any] | None:
    """GitHub's license object {key, name, spdx_id} for an SPDX id, None for none."""
    if not spdx:
        return None
    key, name = LICENSES.get(spdx, (spdx.lower(), spdx))
    return {"key": key, "name": name, "spdx_id": spdx}


def _license_text(spdx: str) -> str:
    if spdx == "NOASSERTION":
        return "Copyright (c) the authors. All rights reserved unless agreed otherwise in writing.\n"
    key, name = LICENSES.get(spdx, (spdx.lower(), spdx))
    return f"{name}\n\nCopyright (c) 2024 the authors\n\n(Full text of the {spdx} license.)\n"
