"""Pure parsing of GitHub REST answers into facts (no I/O here).

Every function takes what GitHub sent (decoded JSON, headers) and returns
plain data with the keys of :data:`auditor.models.GITHUB_REPO_FACTS`, so it
can be tested on real recorded responses as they are.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping
from urllib.parse import parse_qs, urlsplit

from auditor.models import README_TEXT_LIMIT
from auditor.retry import retry_after_seconds

SECONDARY_MARKERS = ("secondary rate limit", "abuse detection", "abuse-rate-limits")


@dataclass(frozen=True)
class RateInfo:
    """A primary rate limit as GitHub reported it."""

    limit: int | None
    remaining: int
    reset_at: datetime | None
    resource: str | None = None


def _header(headers: Any, name: str) -> str | None:
    """Case-insensitive header lookup on httpx.Headers or a plain dict."""
    if headers is None:
        return None
    value = headers.get(name)
    if value is None and isinstance(headers, Mapping):
        lowered = name.lower()
        for key, item in headers.items():
            if str(key).lower() == lowered:
                value = item
                break
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def rate_info(headers: Any) -> RateInfo | None:
    """x-ratelimit-* headers, or None when the answer carries none."""
    remaining = _header(headers, "x-ratelimit-remaining")
    if remaining is None:
        return None
    try:
        left = int(remaining)
    except ValueError:
        return None
    limit = _header(headers, "x-ratelimit-limit")
    reset = _header(headers, "x-ratelimit-reset")
    reset_at = None
    if reset is not None:
        try:
            reset_at = datetime.fromtimestamp(int(float(reset)), timezone.utc)
        except ValueError:
            reset_at = None
    return RateInfo(
        limit=int(limit) if limit and limit.isdigit() else None,
        remaining=left,
        reset_at=reset_at,
        resource=_header(headers, "x-ratelimit-resource"),
    )


def retry_after(headers: Any) -> float | None:
    """Seconds GitHub asked us to wait (secondary limits), if it said."""
    return retry_after_seconds({"retry-after": _header(headers, "retry-after")})


def message_of(body: Any) -> str:
    if isinstance(body, Mapping):
        return str(body.get("message") or "")
    if isinstance(body, (bytes, bytearray)):
        return body[:300].decode("utf-8", "replace")
    return str(body or "")[:300]


def is_secondary_limit(status: int, headers: Any, message: str = "") -> bool:
    """403/429 with retry-after, or with GitHub's documented secondary-limit message."""
    if status not in (403, 429):
        return False
    if retry_after(headers) is not None:
        return True
    text = message.lower()
    return any(marker in text for marker in SECONDARY_MARKERS)


def is_primary_limit(status: int, headers: Any, message: str = "") -> bool:
    """403/429 because the hourly budget is spent (remaining 0, no retry-after)."""
    if status not in (403, 429) or is_secondary_limit(status, headers, message):
        return False
    info = rate_info(headers)
    if info is not None and info.remaining == 0:
        return True
    return "api rate limit exceeded" in message.lower()


def last_page(link: str | None) -> int | None:
    """The page number of rel="last" in a Link header (None: a single page)."""
    if not link:
        return None
    for part in link.split(","):
        if 'rel="last"' in part:
            match = re.search(r"<([^>]+)>", part)
            if match:
                pages = parse_qs(urlsplit(match.group(1)).query).get("page")
                if pages and pages[0].isdigit():
                    return int(pages[0])
    return None


def license_spdx(license_: Mapping[str, Any] | None) -> str | None:
    """SPDX id; 'NOASSERTION' for a license GitHub could not identify."""
    if not license_:
        return None
    spdx = license_.get("spdx_id") or license_.get("spdxId")
    if not spdx or license_.get("key") == "other":
        return "NOASSERTION"
    return str(spdx)


def repo_facts(body: Mapping[str, Any]) -> dict[str, Any]:
    """Facts from GET /repos/{owner}/{name} (or /repositories/{id})."""
    license_ = body.get("license")
    parent = body.get("parent") or body.get("source") if body.get("fork") else None
    data: dict[str, Any] = {
        "name_with_owner": body.get("full_name"),
        "html_url": body.get("html_url"),
        "description": body.get("description"),
        "homepage": body.get("homepage") or None,
        "stars": body.get("stargazers_count"),
        "forks": body.get("forks_count"),
        "watchers": body.get("subscribers_count"),  # REST "watchers" counts stars
        "open_issues": body.get("open_issues_count"),  # includes pull requests in REST
        "license_spdx": license_spdx(license_),
        "license_name": license_.get("name") if license_ else None,
        "default_branch": body.get("default_branch"),
        "is_archived": bool(body.get("archived", False)),
        "is_fork": bool(body.get("fork", False)),
        "parent": parent.get("full_name") if isinstance(parent, Mapping) else None,
        "is_disabled": bool(body.get("disabled", False)),
        "is_private": bool(body.get("private", False)),
        "created_at": body.get("created_at"),
        "pushed_at": body.get("pushed_at"),
        "primary_language": body.get("language"),
        "disk_usage_kb": body.get("size"),
    }
    if "topics" in body:  # older answers (and some previews) do not carry topics
        data["topics"] = list(body.get("topics") or [])
    return data


def owner_facts(body: Mapping[str, Any]) -> dict[str, Any]:
    """Facts from GET /users/{login} (users and organisations alike)."""
    return {
        "login": body.get("login"),
        "type": body.get("type"),
        "public_repos": body.get("public_repos"),
        "html_url": body.get("html_url"),
        "created_at": body.get("created_at"),
    }


def decode_content(content: str | None, encoding: str | None = "base64") -> str | None:
    if content is None:
        return None
    if encoding not in (None, "base64"):
        return content
    try:
        return base64.b64decode(content).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


def cut(text: str | None, limit: int = README_TEXT_LIMIT) -> str | None:
    return text[:limit] if text is not None else None


def readme(body: Mapping[str, Any]) -> dict[str, Any]:
    """{name, size, text} from GET /repos/{o}/{n}/readme (base64 content)."""
    return {
        "name": body.get("name"),
        "size": body.get("size"),
        "text": cut(decode_content(body.get("content"), body.get("encoding", "base64"))),
    }


_ENTRY_TYPES = {"file": "file", "dir": "dir", "symlink": "symlink", "submodule": "submodule"}


def root_files(body: Any) -> list[dict[str, Any]]:
    """[{name, type, size}] from GET /repos/{o}/{n}/contents/ (a directory listing)."""
    if not isinstance(body, list):
        return []
    return [
        {"name": item.get("name"), "type": _ENTRY_TYPES.get(item.get("type"), "file"), "size": item.get("size")}
        for item in body
        if isinstance(item, Mapping)
    ]


def languages(body: Any) -> dict[str, int]:
    return {str(k): int(v) for k, v in body.items()} if isinstance(body, Mapping) else {}


def commits(body: Any, link: str | None) -> dict[str, Any]:
    """last_commit_at and commit_count from GET .../commits?per_page=1."""
    if not isinstance(body, list) or not body:
        return {"last_commit_at": None, "commit_count": 0}
    head = body[0].get("commit", {})
    date = (head.get("committer") or {}).get("date") or (head.get("author") or {}).get("date")
    count = last_page(link)
    return {"last_commit_at": date, "commit_count": count if count is not None else len(body)}


def releases(body: Any, link: str | None) -> dict[str, Any]:
    """releases_count and latest_release from GET .../releases?per_page=1.

    One request buys the newest release, which may be a prerelease (GraphQL's
    latestRelease skips those); either proves something was released.
    """
    if not isinstance(body, list) or not body:
        return {"releases_count": 0, "latest_release": None}
    first = body[0]
    count = last_page(link)
    return {
        "releases_count": count if count is not None else len(body),
        "latest_release": {"tag": first.get("tag_name"), "name": first.get("name"), "published_at": first.get("published_at")},
    }
