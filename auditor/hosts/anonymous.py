"""Facts about anonymous.4open.science repositories (double-blind review copies).

Uses the service's public API (tdurieux/anonymous_github, routes in
src/server/routes/repository-public.ts):

* ``GET {base}/api/repo/{id}/options`` -> 200 ``{url, lastUpdateDate, ...}``
  for a live repository; ``url`` is the original GitHub repository when an
  expired one is set to redirect there. 404 ``{"error": "repo_not_found"}``;
  410 ``{"error": "repository_expired"}``; 425 not ready yet (being
  anonymised, or the service is rate limited by GitHub).
* ``GET {base}/api/repo/{id}/files`` -> the root listing (only when live).

Base URL: ``AUDITOR_ANONYMOUS_URL`` (default https://anonymous.4open.science).

``Facts.data`` keys: anonymous_id, html_url, reachable (bool | None),
reachable_reason, expired (bool), last_commit_at (str | None: the anonymised
commit's date), original_url (str | None: where an expired repository
redirects), code_links (list[str]: [original_url] when known), root_files
(list[{name, type, size}] | None), is_archived (False).

Status: ``ok`` live; ``not_found`` missing or expired; ``unknown`` not
ready yet; ``error`` after retries.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, AsyncIterator, Mapping, Sequence
from urllib.parse import quote


from auditor.hosts.base import TargetRequest
from auditor.hosts.common import SafeHostCollector, facts, run_all
from auditor.hosts.web import code_links_in, unreachable_facts
from auditor.models import Facts
from auditor.safefetch import fetch_retrying

DEFAULT_BASE = "https://anonymous.4open.science"


@dataclass(frozen=True)
class AnonymousSettings:
    base: str = DEFAULT_BASE
    per_host: int = 2  # a small academic service: be gentle

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "AnonymousSettings":
        env = os.environ if env is None else env
        return cls(base=(env.get("AUDITOR_ANONYMOUS_URL") or DEFAULT_BASE).rstrip("/"))


def anonymous_id(target_key: str) -> str:
    """'anonymous:anonymous.4open.science/r/ID' -> 'ID'."""
    tail = target_key.split(":", 1)[-1]
    parts = [p for p in tail.split("/") if p]
    if len(parts) >= 3 and parts[1] in ("r", "w"):
        return parts[2]
    return parts[-1]


def root_files_of(listing: Any) -> list[dict[str, Any]] | None:
    """Root entries from either listing shape (list of file records, or the older {name: {size}} tree)."""
    out: list[dict[str, Any]] = []
    if isinstance(listing, list):
        for item in listing:
            if isinstance(item, Mapping) and item.get("name"):
                size = item.get("size")
                out.append({"name": str(item["name"]), "type": "dir" if size is None else "file", "size": size})
    elif isinstance(listing, Mapping):
        for name, value in listing.items():
            is_file = isinstance(value, Mapping) and "size" in value
            out.append({"name": str(name), "type": "file" if is_file else "dir", "size": value.get("size") if is_file else None})
    else:
        return None
    return sorted(out, key=lambda f: f["name"])


class AnonymousCollector(SafeHostCollector):
    """Collector for anonymous_repo targets."""

    kinds = frozenset({"anonymous_repo"})

    settings_class = AnonymousSettings

    def collect(self, requests: Sequence[TargetRequest]) -> AsyncIterator[Facts]:
        return run_all(requests, self._one, lambda r: "anonymous", self.limiter, deadline=self.policy.total_timeout)

    async def _one(self, request: TargetRequest) -> Facts:
        rid = anonymous_id(request.target.key)
        api = f"{self.settings.base}/api/repo/{quote(rid, safe='')}"
        data: dict[str, Any] = {
            "anonymous_id": rid,
            "html_url": f"{self.settings.base}/r/{rid}",
            "expired": False,
            "original_url": None,
            "code_links": [],
            "root_files": None,
            "last_commit_at": None,
            "is_archived": False,
        }
        headers = {"accept": "application/json"}
        try:
            result = await fetch_retrying(self.client, f"{api}/options", self.policy, self.retry, headers=headers, expect_json=True)
        except Exception as exc:
            return unreachable_facts(request, f"{api}/options", exc)
        status = result.status_code
        body: Any = None
        try:
            body = result.json()
        except ValueError:
            body = None
        code = body.get("error") if isinstance(body, Mapping) else None
        if status == 200 and isinstance(body, Mapping):
            original = body.get("url")
            data.update(
                reachable=True,
                reachable_reason="ok",
                last_commit_at=body.get("lastUpdateDate"),
                original_url=original,
                code_links=code_links_in([original]) if original else [],
            )
            if original:  # expired, redirecting to the original repository
                data.update(expired=True, reachable=False, reachable_reason=f"expired (redirects to {original})")
                return facts(request, "not_found", data, error=data["reachable_reason"])
            data["root_files"] = await self._root_files(api, headers)
            return facts(request, "ok", data)
        if status == 410 or code == "repository_expired":
            data.update(expired=True, reachable=False, reachable_reason="expired anonymous repository (HTTP 410)")
            return facts(request, "not_found", data, error=data["reachable_reason"])
        if status == 404:
            data.update(reachable=False, reachable_reason="anonymous repository not found (HTTP 404)")
            return facts(request, "not_found", data, error=data["reachable_reason"])
        if status == 425:
            return facts(request, "unknown", {**data, "reachable": None, "reachable_reason": f"not ready ({code or 'HTTP 425'})"},
                         error=f"anonymous repository not ready yet ({code or 'HTTP 425'})")
        data.update(reachable=None, reachable_reason=f"HTTP {status}" + (f" ({code})" if code else ""))
        return facts(request, "error", data, error=data["reachable_reason"])

    async def _root_files(self, api: str, headers: Mapping[str, str]) -> list[dict[str, Any]] | None:
        try:
            result = await fetch_retrying(self.client, f"{api}/files", self.policy, self.retry, headers=headers, expect_json=True)
            return root_files_of(result.json()) if result.status_code == 200 else None
        except Exception:  # the listing is a bonus; the repository's state is already known
            return None
