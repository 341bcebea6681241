"""GitHub's repository search as a discovery source (``--discover ...,github_search``, opt-in).

One request per paper with an arXiv id:
``GET {GITHUB_API_URL}/search/repositories?q="ID" in:readme,description&per_page=5``.
Repository search, not code search, because of GitHub's documentation ("REST API
endpoints for search", Rate limit): code search requires a token and allows 10
requests a minute, repository search works without one and allows 30 a minute with
a token (10 without), and an implementation names its paper in its README or
description, which ``in:readme,description`` searches.

The search budget is its own resource (``x-ratelimit-resource: search``), renewed
every minute, so the pass is planned against it: requests go out only while the
last answer's ``x-ratelimit-remaining`` covers them; a spent budget is waited for
when it resets before the pass's deadline (``--max-wait`` from the pass's start),
else the papers left are ``unknown`` ("rate limited until HH:MM"), and the run's
summary says how many papers the source could not reach. The token goes only to
``GITHUB_API_URL``'s origin; redirects are not followed.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timezone
from typing import Any, Mapping
from urllib.parse import urlencode

import httpx

from auditor.hosts.base import now_utc
from auditor.models import Facts
from auditor.retry import DEFAULT, RetryPolicy, TransientError, retry_after_seconds

#: Candidates read per paper, and how many become its links (GitHub's best matches first).
PER_PAGE = 5
REPOS_PER_PAPER = 3
#: Requests in flight at once (the budget, not this, is what bounds the pass).
IN_FLIGHT = 8


def search_key(arxiv_id: str) -> str:
    return f"github-search:{arxiv_id}"


def query_for(arxiv_id: str) -> str:
    return f'"{arxiv_id}" in:readme,description'


def repositories_of(body: Any) -> list[str]:
    """Pure: the ``html_url`` of each item of a search answer, in GitHub's order."""
    items = body.get("items") if isinstance(body, Mapping) else None
    return [i["html_url"] for i in items or [] if isinstance(i, Mapping) and isinstance(i.get("html_url"), str)]


def _hhmm(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M UTC")


class SearchBudget:
    """GitHub's search budget as its last answer stated it; hands out permission to send."""

    def __init__(self, max_wait: float, clock=time.time, sleep=asyncio.sleep) -> None:
        self.clock, self.sleep = clock, sleep
        self.deadline = clock() + max(0.0, max_wait)
        self.remaining: int | None = None  # unknown until the first answer: one request goes alone
        self.reset: float = 0.0
        self.limit: int | None = None
        self.in_flight = 0
        self.waited = 0.0
        self._lock = asyncio.Lock()

    async def take(self) -> str | None:
        """None: send now; else why not (the budget is spent and resets past the deadline)."""
        async with self._lock:
            while True:
                if self.remaining is None and self.in_flight == 0 or (
                        self.remaining is not None and self.remaining > self.in_flight):
                    self.in_flight += 1
                    return None
                if self.remaining is not None and self.in_flight == 0:  # spent, nothing pending
                    if self.reset > self.deadline:
                        per = f"; GitHub search allows {self.limit} a minute" if self.limit else ""
                        return f"rate limited until {_hhmm(self.reset)}{per}"
                    wait = max(0.0, self.reset - self.clock()) + 1.0  # GitHub's reset is whole seconds
                    self.waited += wait
                    await self.sleep(wait)
                    self.remaining = None  # a new window: learn it from the next answer
                    continue
                await self.sleep(0.01)  # answers in flight will say what is left

    def answered(self, headers: Mapping[str, str] | None) -> None:
        self.in_flight -= 1
        if not headers or (headers.get("x-ratelimit-resource") or "search") != "search":
            if self.remaining is None:
                self.remaining = 1  # no budget stated: go on one at a time
            return
        try:
            remaining, reset = int(headers["x-ratelimit-remaining"]), float(headers["x-ratelimit-reset"])
            limit = int(headers.get("x-ratelimit-limit") or 0) or None
        except (KeyError, ValueError):
            return
        if self.remaining is None or reset > self.reset:
            self.remaining, self.reset = remaining, reset
        else:  # answers of one window come back out of order: the lowest count is the latest
            self.remaining = min(self.remaining, remaining)
        self.limit = limit or self.limit


class GitHubSearch:
    """The search endpoint of one GitHub API origin."""

    def __init__(self, api_url: str, token: str | None, budget: SearchBudget, *, retry: RetryPolicy = DEFAULT,
                 client: httpx.AsyncClient | None = None, user_agent: str = "repro-auditor") -> None:
        self.api_url, self.budget, self.retry = api_url.rstrip("/"), budget, retry
        headers = {"Accept": "application/vnd.github+json", "User-Agent": user_agent,
                   "X-GitHub-Api-Version": "2022-11-28"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = client or httpx.AsyncClient(headers=headers, timeout=15, follow_redirects=False)
        self.limit = asyncio.Semaphore(IN_FLIGHT)

    async def __aenter__(self) -> "GitHubSearch":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.client.aclose()

    async def paper(self, arxiv_id: str) -> Facts:
        """The repositories whose README or description names ``arxiv_id`` (facts ``github-search:ID``)."""
        key = search_key(arxiv_id)
        url = f"{self.api_url}/search/repositories?{urlencode({'q': query_for(arxiv_id), 'per_page': PER_PAGE})}"
        async with self.limit:
            while True:
                why = await self.budget.take()
                if why is not None:
                    return Facts(key, "unknown", now_utc(), error=why)
                response: httpx.Response | None = None
                try:
                    async for attempt in self.retry.retrying():
                        with attempt:
                            response = await self.client.get(url)
                            if response.status_code >= 500:
                                raise TransientError(f"HTTP {response.status_code} from GitHub search",
                                                     retry_after_seconds(response.headers))
                finally:
                    self.budget.answered(response.headers if response is not None else None)
                assert response is not None
                spent = response.status_code in (403, 429) and response.headers.get("x-ratelimit-remaining") == "0"
                if spent:
                    continue  # the budget now says when it resets: wait for it, or give up
                if response.status_code in (403, 429):  # a secondary limit: GitHub says how long to back off
                    after = retry_after_seconds(response.headers) or 60.0
                    if self.budget.clock() + after > self.budget.deadline:
                        return Facts(key, "unknown", now_utc(), error=f"GitHub search asked to wait {after:g} s (secondary rate limit)")
                    await self.budget.sleep(after)
                    continue
                if response.status_code != 200:
                    return Facts(key, "error", now_utc(), data={"http_status": response.status_code},
                                 error=f"HTTP {response.status_code} from GitHub search")
                body = response.json()
                repos = repositories_of(body)
                total = body.get("total_count") if isinstance(body, Mapping) else None
                return Facts(key, "ok", now_utc(), data={"repositories": repos[:PER_PAGE], "total_count": total})
