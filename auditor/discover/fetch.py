"""The I/O edge of discovery: one request per paper and source, answers turned into Facts.

Answers are kept as Facts under keys of their own (``hf-paper:ID``,
``hf-search:TITLE``, ``github-search:ID``) in the same ``facts`` table as
targets, so they are cached by ``--max-age`` like target facts and a second
run sends nothing. Secrets go only to their origin: ``HF_TOKEN`` to
``HF_ENDPOINT`` (through the Hub collector's headers), the GitHub token to
``GITHUB_API_URL``.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import quote, urlencode

from auditor.discover.hub import HUB_KINDS, paper_page, search_matches, top_repos, HUB_REPOS_PER_KIND
from auditor.hosts.base import now_utc
from auditor.hosts.huggingface import HuggingFaceCollector
from auditor.models import Facts, title_key

#: At most this many search answers are read per title.
SEARCH_LIMIT = 10


def paper_key(arxiv_id: str) -> str:
    return f"hf-paper:{arxiv_id}"


def search_key(title: str) -> str:
    return f"hf-search:{title_key(title)}"


def _facts(key: str, status: str, data: Mapping[str, Any] | None = None, error: str | None = None) -> Facts:
    return Facts(target_key=key, status=status, fetched_at=now_utc(), data=dict(data or {}), error=error)  # type: ignore[arg-type]


class HubPapers(HuggingFaceCollector):
    """Paper pages, citing repositories and title search on the Hub (serves no targets)."""

    kinds = frozenset()

    async def paper(self, arxiv_id: str) -> Facts:
        """``GET /api/papers/{id}``; the citing repositories from listings when it lacks them."""
        key = paper_key(arxiv_id)
        endpoint = self.settings.endpoint
        result = await self._get(f"{endpoint}/api/papers/{quote(arxiv_id, safe='/')}")
        if result.status_code == 404:
            return _facts(key, "not_found", {"http_status": 404}, "the Hub has no page for this paper")
        if result.status_code != 200:
            return _facts(key, "error", {"http_status": result.status_code}, f"HTTP {result.status_code} from the Hub")
        info = result.json()
        if not isinstance(info, Mapping):
            return _facts(key, "error", {}, "the Hub's paper answer is not an object")
        data = paper_page(info)
        if data["linked"] is None:  # an answer without linked repositories: ask the listings
            data["linked"] = await self._citing(arxiv_id)
        return _facts(key, "ok", data)

    async def _citing(self, arxiv_id: str) -> list[str]:
        """The most liked models, datasets and Spaces tagged ``arxiv:ID`` (one listing each)."""
        import asyncio

        query = urlencode({"filter": f"arxiv:{arxiv_id}", "sort": "likes", "direction": "-1",
                           "limit": str(HUB_REPOS_PER_KIND)})
        results = await asyncio.gather(*(self._get(f"{self.settings.endpoint}/api/{api}?{query}") for api, _ in HUB_KINDS))
        linked: list[str] = []
        for (_, prefix), result in zip(HUB_KINDS, results):  # in the same order: models, datasets, Spaces
            if result.status_code == 200:
                linked.extend(top_repos(result.json(), prefix))
        return linked

    async def search(self, title: str) -> Facts:
        """``GET /api/papers/search?q=TITLE``: the candidates, kept for exact matching."""
        key = search_key(title)
        query = urlencode({"q": title, "limit": str(SEARCH_LIMIT)})
        result = await self._get(f"{self.settings.endpoint}/api/papers/search?{query}")
        if result.status_code != 200:
            return _facts(key, "error", {"http_status": result.status_code}, f"HTTP {result.status_code} from the Hub")
        return _facts(key, "ok", {"matches": search_matches(result.json())})
