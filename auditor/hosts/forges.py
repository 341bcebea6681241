"""Facts about repositories on forges other than GitHub (``forge_repo``,
key ``git:host/owner/name``).

Public APIs, no token:

==============  ==================================================  ==============================
host            request                                             last activity
==============  ==================================================  ==============================
gitlab.com,     ``GET {base}/api/v4/projects/{url-encoded path}``   ``last_activity_at``
gitlab.*        ``?license=true``
bitbucket.org   ``GET {base}/2.0/repositories/{owner}/{name}``      ``updated_on``
                (base https://api.bitbucket.org)
codeberg.org    ``GET {base}/api/v1/repos/{owner}/{name}`` (Gitea)  ``updated_at``
gitee.com       ``GET {base}/api/v5/repos/{owner}/{name}``          ``pushed_at``
==============  ==================================================  ==============================

Any other host: ``git ls-remote --symref https://host/path HEAD`` in a
subprocess (timeout, ``GIT_TERMINAL_PROMPT=0``, no credential helpers, no
redirects), after the URL passed the same address check as every fetch.
It proves existence and gives the default branch and head commit.

Base URLs are overridable per host: ``ForgeSettings(bases={"gitlab.com":
"http://127.0.0.1:8080"})`` or ``AUDITOR_FORGE_GITLAB_COM_URL``.

``Facts.data`` keys (None when the host does not say):
forge ("gitlab" | "bitbucket" | "gitea" | "gitee" | "git"), name_with_owner,
html_url, description, stars, forks, license_spdx, license_name,
default_branch, is_archived, is_private, is_empty, is_fork, created_at,
pushed_at, last_commit_at (the host's last activity date, the closest it
offers to GitHub's head commit date), topics, head_sha (git only).

Status: ``ok``; ``moved`` when the host answers for another path;
``not_found`` (404, or git says the repository does not exist / wants
credentials, which is how private repositories look); ``blocked`` (403,
451, or a URL refused as unsafe); ``error`` after retries or on a git
timeout.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Mapping, Sequence
from urllib.parse import quote

import httpx


from auditor.hosts.base import TargetRequest
from auditor.hosts.common import SafeHostCollector, conditional_headers, env_base_url, facts, revalidated, run_all, spdx_for
from auditor.models import Facts
from auditor.safefetch import (
    FetchResult,
    HostNotFound,
    UnsafeURLError,
    check_url,
    describe_failure,
    fetch_retrying,
)

DEFAULT_BASES = {
    "gitlab.com": "https://gitlab.com",
    "bitbucket.org": "https://api.bitbucket.org",
    "codeberg.org": "https://codeberg.org",
    "gitee.com": "https://gitee.com",
}
API_OF_HOST = {"gitlab.com": "gitlab", "bitbucket.org": "bitbucket", "codeberg.org": "gitea", "gitee.com": "gitee"}
MAX_GIT_OUTPUT = 64 * 1024


@dataclass(frozen=True)
class ForgeSettings:
    bases: Mapping[str, str] = field(default_factory=dict)  # host -> base URL (overrides)
    per_host: int = 4
    git: str = "git"  # executable (tests put a fake one first on PATH)
    git_timeout: float = 20.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "ForgeSettings":
        env = os.environ if env is None else env
        bases = {host: url for host in DEFAULT_BASES if (url := env_base_url(env, host))}
        return cls(bases=bases, git=env.get("AUDITOR_GIT") or "git")

    def base_for(self, host: str) -> str:
        return (self.bases.get(host) or DEFAULT_BASES.get(host) or f"https://{host}").rstrip("/")


def api_for(host: str) -> str:
    """Which API a host speaks: gitlab, bitbucket, gitea, gitee, or git (ls-remote)."""
    host = host.lower()
    if host in API_OF_HOST:
        return API_OF_HOST[host]
    if host.startswith("gitlab."):
        return "gitlab"  # self-hosted GitLab (gitlab.inria.fr, gitlab.lrz.de, ...)
    return "git"


def split_key(request: TargetRequest) -> tuple[str, str]:
    """(host, 'owner/name') of a forge target, spelled as in its URL when known."""
    t = request.target
    tail = t.key.split(":", 1)[1]
    host, _, path = tail.partition("/")
    if t.owner and t.name:
        path = f"{t.owner}/{t.name}"
    return (t.host or host).lower(), path.strip("/")


# --------------------------------------------------------------------------- pure parsers


def gitlab_data(p: Mapping[str, Any]) -> dict[str, Any]:
    lic = p.get("license") if isinstance(p.get("license"), Mapping) else None
    return {
        "forge": "gitlab",
        "name_with_owner": p.get("path_with_namespace"),
        "html_url": p.get("web_url"),
        "description": p.get("description"),
        "stars": p.get("star_count"),
        "forks": p.get("forks_count"),
        "license_spdx": spdx_for(lic.get("key")) if lic else None,
        "license_name": lic.get("name") if lic else None,
        "default_branch": p.get("default_branch"),
        "is_archived": bool(p.get("archived", False)),
        "is_private": p.get("visibility") not in (None, "public"),
        "is_empty": p.get("empty_repo"),
        "is_fork": "forked_from_project" in p,
        "created_at": p.get("created_at"),
        "pushed_at": p.get("last_activity_at"),
        "last_commit_at": p.get("last_activity_at"),
        "topics": list(p.get("topics") or p.get("tag_list") or []),
    }


def bitbucket_data(p: Mapping[str, Any]) -> dict[str, Any]:
    links = p.get("links") or {}
    html = links.get("html", {}).get("href") if isinstance(links, Mapping) else None
    branch = p.get("mainbranch") or {}
    return {
        "forge": "bitbucket",
        "name_with_owner": p.get("full_name"),
        "html_url": html,
        "description": p.get("description") or None,
        "stars": None,
        "forks": None,
        "license_spdx": None,
        "license_name": None,
        "default_branch": branch.get("name") if isinstance(branch, Mapping) else None,
        "is_archived": False,
        "is_private": bool(p.get("is_private", False)),
        "is_empty": (p.get("size") == 0) if p.get("size") is not None else None,
        "is_fork": "parent" in p,
        "created_at": p.get("created_on"),
        "pushed_at": p.get("updated_on"),
        "last_commit_at": p.get("updated_on"),
        "topics": [],
    }


def gitea_data(p: Mapping[str, Any]) -> dict[str, Any]:
    licenses = p.get("licenses") or []
    return {
        "forge": "gitea",
        "name_with_owner": p.get("full_name"),
        "html_url": p.get("html_url"),
        "description": p.get("description") or None,
        "stars": p.get("stars_count"),
        "forks": p.get("forks_count"),
        "license_spdx": spdx_for(licenses[0]) if licenses else None,
        "license_name": licenses[0] if licenses else None,
        "default_branch": p.get("default_branch"),
        "is_archived": bool(p.get("archived", False)),
        "is_private": bool(p.get("private", False)),
        "is_empty": p.get("empty"),
        "is_fork": bool(p.get("fork", False)),
        "created_at": p.get("created_at"),
        "pushed_at": p.get("updated_at"),
        "last_commit_at": p.get("updated_at"),
        "topics": list(p.get("topics") or []),
    }


def gitee_data(p: Mapping[str, Any]) -> dict[str, Any]:
    lic = p.get("license")
    return {
        "forge": "gitee",
        "name_with_owner": p.get("full_name"),
        "html_url": p.get("html_url"),
        "description": p.get("description") or None,
        "stars": p.get("stargazers_count"),
        "forks": p.get("forks_count"),
        "license_spdx": spdx_for(lic) if lic else None,
        "license_name": lic or None,
        "default_branch": p.get("default_branch"),
        "is_archived": p.get("status") == "archived" if p.get("status") else False,
        "is_private": bool(p.get("private", False)),
        "is_empty": None,
        "is_fork": bool(p.get("fork", False)),
        "created_at": p.get("created_at"),
        "pushed_at": p.get("pushed_at"),
        "last_commit_at": p.get("pushed_at") or p.get("updated_at"),
        "topics": [],
    }


PARSERS = {"gitlab": gitlab_data, "bitbucket": bitbucket_data, "gitea": gitea_data, "gitee": gitee_data}

_SYMREF = re.compile(r"^ref:\s*refs/heads/(\S+)\s+HEAD$", re.MULTILINE)
_HEAD = re.compile(r"^([0-9a-f]{40,64})\s+HEAD$", re.MULTILINE)
_GIT_MISSING = re.compile(
    r"not found|does not exist|could not read username|authentication failed|terminal prompts disabled"
    r"|invalid username or password|access denied|returned error: 40[134]",
    re.IGNORECASE,
)


def ls_remote_data(stdout: str) -> dict[str, Any]:
    """Facts from ``git ls-remote --symref URL HEAD`` output."""
    branch = _SYMREF.search(stdout)
    head = _HEAD.search(stdout)
    return {
        "forge": "git",
        "default_branch": branch.group(1) if branch else None,
        "head_sha": head.group(1) if head else None,
        "is_empty": not stdout.strip(),
        "stars": None,
        "license_spdx": None,
        "last_commit_at": None,
        "is_archived": None,
    }


# --------------------------------------------------------------------------- collector


class ForgeCollector(SafeHostCollector):
    """Collector for forge_repo targets (GitLab, Bitbucket, Codeberg, Gitee, any git host)."""

    kinds = frozenset({"forge_repo"})

    settings_class = ForgeSettings

    def collect(self, requests: Sequence[TargetRequest]) -> AsyncIterator[Facts]:
        stream = run_all(requests, self._one, lambda r: split_key(r)[0], self.limiter, deadline=self.policy.total_timeout)
        return self.reachability.settle(stream)

    def api_url(self, host: str, path: str) -> str:
        base = self.settings.base_for(host)
        api = api_for(host)
        if api == "gitlab":
            return f"{base}/api/v4/projects/{quote(path, safe='')}?license=true"
        if api == "bitbucket":
            return f"{base}/2.0/repositories/{quote(path, safe='/')}"
        if api == "gitea":
            return f"{base}/api/v1/repos/{quote(path, safe='/')}"
        if api == "gitee":
            return f"{base}/api/v5/repos/{quote(path, safe='/')}"
        raise ValueError(f"{host} has no known API")

    async def _one(self, request: TargetRequest) -> Facts:
        host, path = split_key(request)
        api = api_for(host)
        if api == "git":
            return await self._ls_remote(request, host, path)
        url = self.api_url(host, path)
        api_host = (httpx.URL(url).host or host).lower()
        if (reason := self.skip_reason(api_host)) is not None:
            return self.skipped(request, reason, {"forge": api})
        headers = {"accept": "application/json", **conditional_headers(request)}
        try:
            result = await fetch_retrying(self.client, url, self.policy, self.retry, headers=headers, expect_json=True)
        except Exception as exc:
            return await self.failure(request, api_host, exc, {"forge": api})
        self.reachability.answer_from(api_host)
        if result.status_code == 304 and request.cached is not None:
            return revalidated(request)
        return self._api_facts(request, host, path, api, result)

    def _api_facts(self, request: TargetRequest, host: str, path: str, api: str, result: FetchResult) -> Facts:
        status = result.status_code
        base = {"forge": api, "http_status": status}
        if status == 200:
            data = PARSERS[api](result.json())
            data.setdefault("html_url", None)
            data["html_url"] = data["html_url"] or f"https://{host}/{path}"
            now = data.get("name_with_owner")
            etag = result.headers.get("etag")
            if now and now.lower() != path.lower():
                return facts(request, "moved", {**data, "moved_from": path}, canonical_key=f"git:{host}/{now}".lower(), etag=etag)
            return facts(request, "ok", data, etag=etag)
        if status in (404, 410):
            return facts(request, "not_found", base, error=f"not found on {host} (HTTP {status})")
        if status in (401, 403, 451):
            return facts(request, "blocked", base, error=f"HTTP {status} from {host}")
        return facts(request, "error", base, error=f"HTTP {status} from {host}")

    async def _ls_remote(self, request: TargetRequest, host: str, path: str) -> Facts:
        url = f"https://{host}/{path}"
        base = {"forge": "git", "html_url": url}
        if (reason := self.skip_reason(host)) is not None:
            return self.skipped(request, reason, base)
        try:
            await check_url(url, self.policy)
        except Exception as exc:  # unsafe, no such host (believed only from a working resolver), DNS down
            return await self.failure(request, host, exc, base)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "true",
            "SSH_ASKPASS": "true",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_ALLOW_PROTOCOL": "https",
            "LC_ALL": "C",
        }
        args = [
            self.settings.git,
            "-c", "http.followRedirects=false",
            "-c", "credential.helper=",
            "-c", "core.askPass=true",
            "ls-remote", "--symref", "--", url, "HEAD",
        ]  # fmt: skip
        try:
            proc = await asyncio.create_subprocess_exec(
                *args, env=env, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            return facts(request, "unknown", base, error=f"cannot run git: {exc}")
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self.settings.git_timeout)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            return facts(request, "error", {**base, "failure": "timeout"}, error=f"git ls-remote timed out after {self.settings.git_timeout:g} s")
        stdout = out[:MAX_GIT_OUTPUT].decode("utf-8", "replace")
        stderr = err[:MAX_GIT_OUTPUT].decode("utf-8", "replace")
        if proc.returncode == 0:
            return facts(request, "ok", {**base, **ls_remote_data(stdout)})
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit {proc.returncode}"
        if _GIT_MISSING.search(stderr):
            return facts(request, "not_found", base, error=f"git: {last}")
        return facts(request, "error", base, error=f"git: {last}")
