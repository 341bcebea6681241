"""Facts about Hugging Face Hub models, datasets, Spaces and their owners.

Uses the Hub's HTTP API like its own client (huggingface_hub): the endpoint is
``HF_ENDPOINT`` (default https://huggingface.co) and ``HF_TOKEN``, when set,
goes in ``Authorization: Bearer`` and is never stored.

Requests: ``GET {endpoint}/api/{models|datasets|spaces}/{repo_id}`` (one per
repository), then the model card ``{endpoint}/[datasets/|spaces/]{repo_id}/raw/{sha}/README.md``
when the repository lists one (bounded by the fetch policy). Owners:
``/api/organizations/{name}/overview``, else ``/api/users/{name}/overview``.

Status: 200 -> ``ok`` (``moved`` when the Hub answers for another id);
404 -> ``not_found``; 401 for an anonymous request -> ``not_found`` with
``private_or_missing: True`` (the Hub answers 401 both for private and for
missing repositories, see huggingface_hub.utils._http); 401 "Invalid
credentials" -> ``error``; 403 / disabled / 451 -> ``blocked``.

``Facts.data`` keys for repositories (every one may be None when not said):

=================  =========================================================
repo_id            str: id as the Hub spells it, e.g. "org/name"
repo_type          "model" | "dataset" | "space"
html_url           str: the repository's page
private            bool
disabled           bool
gated              False | "auto" | "manual": access needs a request/approval
private_or_missing bool: only on 401 not_found facts
last_modified      str: ISO 8601 (``lastModified``)
last_commit_at     str: same as last_modified (common key read by checks)
created_at         str | None: ISO 8601
downloads          int | None: downloads of the last 30 days (no Spaces)
likes              int
stars              int: = likes (common key)
license            str | None: the raw license tag (cardData.license or tag "license:x")
license_spdx       str | None: SPDX id ('NOASSERTION' for 'other'/unknown)
tags               list[str]
library_name       str | None
pipeline_tag       str | None
sdk                str | None: Spaces only
runtime_stage      str | None: Spaces only, e.g. "RUNNING", "RUNTIME_ERROR"
files_count        int: number of files (siblings)
root_files         list[dict]: [{name, type: 'file'|'dir', size}] of the root
readme             dict | None: {name: 'README.md', size, text} (text cut at README_TEXT_LIMIT)
is_archived        bool: always False (the Hub has no archiving)
=================  =========================================================

Owners (``huggingface_owner``): owner, owner_type ("organization" | "user"),
html_url, fullname, num_models, num_datasets, num_spaces, num_followers,
is_verified. When an overview gives no model/dataset counts they are counted
from ``/api/models?author=X&limit=1000`` (and datasets); ``num_models_capped``
/ ``num_datasets_capped`` say the count stopped at that limit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, AsyncIterator, Mapping, Sequence
from urllib.parse import quote


from auditor import redaction
from auditor.hosts.base import TargetRequest
from auditor.hosts.common import SafeHostCollector, conditional_headers, facts, revalidated, run_all, spdx_for
from auditor.models import README_TEXT_LIMIT, Facts
from auditor.safefetch import FetchResult, describe_failure, fetch_retrying

DEFAULT_ENDPOINT = "https://huggingface.co"
KIND_TO_TYPE = {"huggingface_model": "model", "huggingface_dataset": "dataset", "huggingface_space": "space"}
TYPE_TO_API = {"model": "models", "dataset": "datasets", "space": "spaces"}
LISTING_LIMIT = 1000  # repositories counted from a listing when an overview gives no counts
TYPE_TO_PREFIX = {"model": "", "dataset": "datasets/", "space": "spaces/"}


@dataclass(frozen=True)
class HubSettings:
    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None  # used for requests, never written anywhere
    per_host: int = 8  # concurrent requests to the Hub
    fetch_readme: bool = True

    def __post_init__(self) -> None:
        redaction.register(self.token)  # what the Hub echoes of it is masked everywhere

    def __repr__(self) -> str:  # the token is never shown
        return f"HubSettings(endpoint={self.endpoint!r}, token={'***' if self.token else None!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "HubSettings":
        env = os.environ if env is None else env
        return cls(
            endpoint=(env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/"),
            token=env.get("HF_TOKEN") or None,
        )


def repo_id_of(target_key: str) -> tuple[str, str]:
    """('model'|'dataset'|'space'|'user', id) from 'huggingface:model:org/name'."""
    parts = target_key.split(":", 2)
    if len(parts) != 3 or parts[0] != "huggingface":
        raise ValueError(f"not a Hugging Face target key: {target_key!r}")
    return parts[1], parts[2]


def license_of(info: Mapping[str, Any]) -> str | None:
    card = info.get("cardData") or {}
    value = card.get("license") if isinstance(card, Mapping) else None
    if isinstance(value, list):
        value = value[0] if value else None
    if value:
        return str(value)
    for tag in info.get("tags") or []:
        if isinstance(tag, str) and tag.startswith("license:"):
            return tag.split(":", 1)[1]
    return None


def root_files_of(siblings: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The root of the repository in the GitHub collector's root_files shape."""
    seen: dict[str, dict[str, Any]] = {}
    for sib in siblings:
        name = str(sib.get("rfilename") or "")
        if not name:
            continue
        head, _, rest = name.partition("/")
        if rest:
            seen.setdefault(head, {"name": head, "type": "dir", "size": None})
        else:
            seen[head] = {"name": head, "type": "file", "size": sib.get("size")}
    return sorted(seen.values(), key=lambda f: f["name"])


def repo_data(repo_type: str, info: Mapping[str, Any], endpoint: str) -> dict[str, Any]:
    """Pure: the facts of one /api/{type}s/{id} answer."""
    repo_id = str(info.get("id") or info.get("modelId") or "")
    siblings = [s for s in info.get("siblings") or [] if isinstance(s, Mapping)]
    lic = license_of(info)
    runtime = info.get("runtime") if isinstance(info.get("runtime"), Mapping) else {}
    return {
        "repo_id": repo_id,
        "repo_type": repo_type,
        "html_url": f"{endpoint}/{TYPE_TO_PREFIX[repo_type]}{repo_id}",
        "private": bool(info.get("private", False)),
        "disabled": bool(info.get("disabled", False)),
        "gated": info.get("gated", False) or False,
        "last_modified": info.get("lastModified"),
        "last_commit_at": info.get("lastModified"),
        "created_at": info.get("createdAt"),
        "sha": info.get("sha"),
        "downloads": info.get("downloads"),
        "likes": info.get("likes"),
        "stars": info.get("likes"),
        "license": lic,
        "license_spdx": spdx_for(lic),
        "tags": [t for t in info.get("tags") or [] if isinstance(t, str)],
        "library_name": info.get("library_name"),
        "pipeline_tag": info.get("pipeline_tag"),
        "sdk": info.get("sdk"),
        "runtime_stage": runtime.get("stage") if runtime else None,
        "files_count": len(siblings),
        "root_files": root_files_of(siblings),
        # "readme" is set by the collector: None only when the file listing shows there is none
        "is_archived": False,
    }


def owner_data(name: str, kind: str, info: Mapping[str, Any], endpoint: str) -> dict[str, Any]:
    """Pure: the facts of one organisation/user overview."""
    return {
        "owner": info.get("name") or info.get("user") or name,
        "owner_type": kind,
        "html_url": f"{endpoint}/{name}",
        "fullname": info.get("fullname"),
        "num_models": info.get("numModels"),
        "num_datasets": info.get("numDatasets"),
        "num_spaces": info.get("numSpaces"),
        "num_followers": info.get("numFollowers"),
        "is_verified": info.get("isVerified"),
    }


def error_facts(request: TargetRequest, result: FetchResult) -> Facts:
    """Facts for a non-200 answer from the Hub."""
    code = result.headers.get("x-error-code")
    message = result.headers.get("x-error-message") or ""
    base = {"http_status": result.status_code, "error_code": code}
    if result.status_code == 401 and message == "Invalid credentials in Authorization header":
        return facts(request, "error", base, error="HF_TOKEN was refused by the Hub (invalid credentials)")
    if message == "Access to this resource is disabled.":
        return facts(request, "blocked", {**base, "disabled": True}, error="disabled on the Hub")
    if result.status_code == 404:
        return facts(request, "not_found", base, error="not found on the Hub")
    if result.status_code == 401:
        return facts(
            request,
            "not_found",
            {**base, "private_or_missing": True},
            error="not found on the Hub (or private: the Hub answers 401 for both)",
        )
    if code == "GatedRepo":
        return facts(request, "blocked", {**base, "gated": True}, error="gated repository")
    if result.status_code in (403, 451):
        return facts(request, "blocked", base, error=f"HTTP {result.status_code} from the Hub")
    return facts(request, "error", base, error=f"HTTP {result.status_code} from the Hub")


class HuggingFaceCollector(SafeHostCollector):
    """Collector for huggingface_model/dataset/space/owner targets."""

    kinds = frozenset({"huggingface_model", "huggingface_dataset", "huggingface_space", "huggingface_owner"})

    settings_class = HubSettings

    def _headers(self) -> dict[str, str]:
        headers = {"accept": "application/json"}
        if self.settings.token:
            headers["authorization"] = f"Bearer {self.settings.token}"
        return headers

    async def _get(self, url: str, extra: Mapping[str, str] | None = None) -> FetchResult:
        return await fetch_retrying(
            self.client, url, self.policy, self.retry, headers={**self._headers(), **(extra or {})}, expect_json=True
        )

    def collect(self, requests: Sequence[TargetRequest]) -> AsyncIterator[Facts]:
        return run_all(requests, self._one, lambda r: "hub", self.limiter, deadline=self.policy.total_timeout)

    async def _one(self, request: TargetRequest) -> Facts:
        if request.target.kind == "huggingface_owner":
            return await self._owner(request)
        return await self._repo(request)

    async def _repo(self, request: TargetRequest) -> Facts:
        _, repo_id = repo_id_of(request.target.key)
        repo_type = KIND_TO_TYPE[request.target.kind]
        endpoint = self.settings.endpoint
        result = await self._get(
            f"{endpoint}/api/{TYPE_TO_API[repo_type]}/{quote(repo_id, safe='/')}", extra=conditional_headers(request)
        )
        if result.status_code == 304 and request.cached is not None:
            return revalidated(request)
        if result.status_code != 200:
            return error_facts(request, result)
        info = result.json()
        data = repo_data(repo_type, info, endpoint)
        etag = result.headers.get("etag")
        has_card = any(f["name"] == "README.md" and f["type"] == "file" for f in data["root_files"] or [])
        if not has_card and "siblings" in info:
            data["readme"] = None  # the listing is complete and has no card
        elif has_card and self.settings.fetch_readme:
            try:
                card = await self._readme(repo_type, data["repo_id"] or repo_id, data.get("sha"))
            except Exception as exc:  # noqa: BLE001 - the repository's facts stand; only the card's text is unknown
                card = None
                data["skipped"] = [f"readme: {describe_failure(exc)[1]}"[:300]]
            # A card we could not read (gated) still exists: its text is unknown, not absent.
            data["readme"] = card or {"name": "README.md", "size": None, "text": None}
        if data["disabled"]:
            return facts(request, "blocked", data, error="disabled on the Hub")
        if data["repo_id"] and data["repo_id"].lower() != repo_id.lower():
            key = f"huggingface:{repo_type}:{data['repo_id']}"
            return facts(request, "moved", {**data, "moved_from": repo_id}, canonical_key=key, etag=etag)
        return facts(request, "ok", data, etag=etag)

    async def _readme(self, repo_type: str, repo_id: str, sha: str | None) -> dict[str, Any] | None:
        """The model card, bounded; None when it cannot be had (gated, missing)."""
        url = f"{self.settings.endpoint}/{TYPE_TO_PREFIX[repo_type]}{quote(repo_id, safe='/')}/raw/{sha or 'main'}/README.md"
        small = replace(self.policy, max_bytes=min(self.policy.max_bytes, README_TEXT_LIMIT * 4))
        result = await fetch_retrying(self.client, url, small, self.retry, headers=self._headers())
        if result.status_code != 200:
            return None
        text = result.text()
        return {"name": "README.md", "size": result.size, "text": text[:README_TEXT_LIMIT]}

    async def _count(self, api: str, author: str) -> tuple[int | None, bool]:
        """Public repositories of an author from one listing page (capped at LISTING_LIMIT)."""
        url = f"{self.settings.endpoint}/api/{api}?author={quote(author, safe='')}&limit={LISTING_LIMIT}"
        result = await self._get(url)
        if result.status_code != 200:
            return None, False
        items = result.json()
        if not isinstance(items, list):
            return None, False
        return len(items), len(items) >= LISTING_LIMIT or "next" in result.headers.get("link", "")

    async def _owner(self, request: TargetRequest) -> Facts:
        _, name = repo_id_of(request.target.key)
        endpoint = self.settings.endpoint
        last: FetchResult | None = None
        for kind, path in (("organization", "organizations"), ("user", "users")):
            result = await self._get(f"{endpoint}/api/{path}/{quote(name, safe='')}/overview")
            if result.status_code == 200:
                data = owner_data(name, kind, result.json(), endpoint)
                for key, api in (("num_models", "models"), ("num_datasets", "datasets")):
                    if data[key] is None:  # an overview without counts: count the public listing
                        data[key], capped = await self._count(api, name)
                        data[f"{key}_capped"] = capped
                return facts(request, "ok", data)
            if result.status_code not in (401, 404):
                return error_facts(request, result)
            last = result
        assert last is not None
        return facts(request, "not_found", {"http_status": last.status_code}, error="no such user or organisation on the Hub")
