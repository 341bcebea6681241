"""Settings and the HTTP edge of the GitHub collector.

Settings come from the environment the way GitHub Actions sets it
(GITHUB_API_URL, GITHUB_GRAPHQL_URL) plus a token from GITHUB_TOKEN or
GH_TOKEN. The token is kept out of every repr, message and fact.

gidgethub's ``getitem`` returns only the body; the collector also needs
the status and headers (ETag, x-ratelimit-*, retry-after), so the API class
here records the last raw answer of each request. One small instance is
made per request: they are cheap and all share one ``httpx.AsyncClient``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from gidgethub.httpx import GitHubAPI

from auditor import __version__
from auditor import redaction
from auditor.origins import Origin, origin_of, show_origin  # noqa: F401 - re-exported: the token fence's parse

PROJECT_URL = "https://github.com/repro-auditor/repro-auditor"
USER_AGENT = f"repro-auditor/{__version__} (+{PROJECT_URL})"
DEFAULT_API_URL = "https://api.github.com"


def graphql_url_for(api_url: str) -> str:
    """The GraphQL endpoint that belongs to a REST base URL.

    github.com: https://api.github.com -> https://api.github.com/graphql;
    GHES: https://HOST/api/v3 -> https://HOST/api/graphql.
    """
    parts = urlsplit(api_url.rstrip("/"))
    path = parts.path
    if re.search(r"/api/v3$", path):
        path = path[: -len("/v3")] + "/graphql"
    else:
        path = path + "/graphql"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class OffOriginRedirect(Exception):
    """GitHub's answer pointed somewhere else than the configured API: not followed, the token stays home."""

    def __init__(self, location: str) -> None:
        self.location = redaction.redact(location)[:200]
        super().__init__(f"redirected off the API host to {self.location}: not followed")


@dataclass(frozen=True)
class GitHubSettings:
    """Where GitHub is and who we are; ``token`` never shows in repr."""

    api_url: str = DEFAULT_API_URL
    graphql_url: str = DEFAULT_API_URL + "/graphql"
    token: str | None = field(default=None, repr=False)
    user_agent: str = USER_AGENT
    #: Every token to use in turn (GITHUB_TOKENS, see github_tokens); ``token`` is the first.
    tokens: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        redaction.register(self.token)  # whatever a server echoes of it is masked everywhere
        for token in self.tokens:
            redaction.register(token)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "GitHubSettings":
        from auditor.hosts.github_tokens import parse_tokens

        token = (env.get("GITHUB_TOKEN") or "").strip() or (env.get("GH_TOKEN") or "").strip() or None
        tokens = parse_tokens(",".join(filter(None, [token, env.get("GITHUB_TOKENS")])))
        api_url = (env.get("GITHUB_API_URL") or "").strip().rstrip("/") or DEFAULT_API_URL
        graphql_url = (env.get("GITHUB_GRAPHQL_URL") or "").strip() or graphql_url_for(api_url)
        return cls(api_url=api_url, graphql_url=graphql_url, token=tokens[0] if tokens else None,
                   tokens=tokens if len(tokens) > 1 else ())

    @property
    def has_token(self) -> bool:
        return bool(self.token)

    def __repr__(self) -> str:  # explicit: the token is shown masked, never in clear
        token = "***" if self.token else None
        more = f", tokens={len(self.tokens)}" if self.tokens else ""
        return f"GitHubSettings(api_url={self.api_url!r}, graphql_url={self.graphql_url!r}, token={token!r}{more})"

    __str__ = __repr__

    def redact(self, text: str) -> str:
        """``text`` with the token (and every other known secret) masked: :func:`auditor.redaction.redact`."""
        return redaction.redact(text)

    @property
    def api_origin(self) -> Origin:
        return origin_of(self.api_url)

    def allowed_origins(self) -> frozenset[Origin]:
        """Where a request of ours may go: the REST and the GraphQL endpoints' origins, nowhere else."""
        return frozenset({origin_of(self.api_url), origin_of(self.graphql_url)})


def make_client(settings: GitHubSettings | None = None, *, timeout: float = 30.0, max_connections: int = 16) -> httpx.AsyncClient:
    """The one shared client: gzip only (vcrpy cannot decode zstd), bounded pool."""
    return httpx.AsyncClient(
        headers={"user-agent": (settings or GitHubSettings()).user_agent, "accept-encoding": "gzip"},
        timeout=httpx.Timeout(timeout),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        follow_redirects=False,
    )


class RecordingAPI(GitHubAPI):
    """gidgethub over httpx that keeps the raw status and headers of its last answer."""

    def __init__(self, client: httpx.AsyncClient, settings: GitHubSettings, on_request: Any = None) -> None:
        super().__init__(client, settings.user_agent, oauth_token=settings.token, base_url=settings.api_url)
        self.last_status: int | None = None
        self.last_headers: httpx.Headers = httpx.Headers()
        self.last_content: bytes = b""
        self._on_request = on_request
        self._allowed = settings.allowed_origins()

    async def _request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> tuple[int, Mapping[str, str], bytes]:
        # The last line of defence: whatever built this URL (a Location, a Link
        # header, a GraphQL URL), the token is never sent off the configured origins.
        if origin_of(url) not in self._allowed:
            raise OffOriginRedirect(url)
        headers = dict(headers)
        headers["accept-encoding"] = "gzip"
        if self._on_request is not None:
            self._on_request()
        response = await self._client.request(method, url, headers=headers, content=body)
        self.last_status = response.status_code
        self.last_headers = response.headers
        self.last_content = response.content
        location = response.headers.get("location")
        if 300 <= response.status_code < 400 and location:
            target = urljoin(url, location.strip())
            if origin_of(target) != origin_of(url):
                raise OffOriginRedirect(target)
        return response.status_code, response.headers, response.content
