"""One free request before collecting: is the GitHub token we were given accepted?

A refused token ("Bad credentials" on every batch) would otherwise turn every
repository into an error and the run would end "done". ``GET /rate_limit``
costs nothing against the rate limit (GitHub's REST docs, "Get rate limit
status for the authenticated user"), and GitHub answers it 401
``{"message": "Bad credentials", ...}`` for a bad or expired token.

Only a 401 is a verdict: no answer at all is left to the reachability probe
and the collector's retries (a network fault is not a bad token).
"""

from __future__ import annotations

import json
from typing import Mapping

import httpx

from auditor.errors import TokenRefused
from auditor.hosts.github_client import GitHubSettings
from auditor.redaction import redact

TIMEOUT = 10.0


def token_variable(env: Mapping[str, str]) -> str:
    """The environment variable the token came from (GITHUB_TOKEN wins, as in GitHubSettings)."""
    return "GITHUB_TOKEN" if (env.get("GITHUB_TOKEN") or "").strip() else "GH_TOKEN"


def refusal(status: int, body: bytes) -> str | None:
    """GitHub's reason when ``status`` says the token is refused, else None. Pure."""
    if status != 401:
        return None
    try:
        message = json.loads(body).get("message") or ""
    except (ValueError, AttributeError):
        message = body[:200].decode("utf-8", "replace")
    return " ".join(str(message).split())[:200] or "Unauthorized"


async def check_github_token(settings: GitHubSettings, env: Mapping[str, str], client: httpx.AsyncClient | None = None) -> None:
    """Raise :class:`TokenRefused` when GitHub answers 401 to the token; otherwise return."""
    if not settings.has_token:
        return
    url = settings.api_url.rstrip("/") + "/rate_limit"
    headers = {"authorization": f"token {settings.token}", "accept": "application/vnd.github+json",
               "user-agent": settings.user_agent}
    own = client is None
    client = client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError:
        return  # no verdict: unreachable is judged by the probe, not here
    finally:
        if own:
            await client.aclose()
    why = refusal(response.status_code, response.content)
    if why is not None:
        host = httpx.URL(settings.api_url).host
        raise TokenRefused(redact(
            f"GitHub ({host}) refused the token in {token_variable(env)}: HTTP 401 {why}; "
            "set a valid token, or unset it to collect without one (60 requests an hour)"
        ))
