"""One free request before collecting: is the GitHub token we were given accepted?

A refused token ("Bad credentials" on every batch) would otherwise turn every
repository into an error and the run would end "done". ``GET /rate_limit``
costs nothing against the rate limit (GitHub's REST docs, "Get rate limit
status for the authenticated user"), and GitHub answers it 401
``{"message": "Bad credentials", ...}`` for a bad or expired token.

Only a 401 is a verdict: no answer at all is left to the reachability probe
and the collector's retries (a network fault is not a bad token).

Every token of ``GITHUB_TOKENS`` is checked (concurrently), not only the first; a
refused one is named by where it was given ("GITHUB_TOKENS item 2"), never by its
value. When every token is refused the run stops (exit 5); when some are accepted,
each refused one is a warning and is left out: the run goes on with the others' budget
(a large audit should not die of one expired token among several, and the warning
says which one to replace).

``HF_TOKEN`` is checked the way huggingface_hub's ``HfApi.whoami`` does it,
``GET {HF_ENDPOINT}/api/whoami-v2`` with ``Authorization: Bearer``: the Hub
answers 401 (``x-error-message``/``{"error": "Invalid credentials in Authorization
header"}``) for a refused token. Every Hub request with that token would fail the
same way (public repositories included), so a refused HF token stops the run too.
"""

from __future__ import annotations

import json
import asyncio
from dataclasses import dataclass
from typing import Mapping, Sequence

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


def token_labels(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(where it was given, token) for every GitHub token, in the order the collector uses them. Pure.

    As :meth:`GitHubSettings.from_env`: GITHUB_TOKEN (or GH_TOKEN) first, then the items of
    GITHUB_TOKENS, each token once; an item is named by its position among the non-empty ones."""
    labels: dict[str, str] = {}
    first = (env.get("GITHUB_TOKEN") or "").strip() or (env.get("GH_TOKEN") or "").strip()
    if first:
        labels[first] = token_variable(env)
    items = [t.strip() for t in (env.get("GITHUB_TOKENS") or "").split(",") if t.strip()]
    for k, token in enumerate(items, start=1):
        labels.setdefault(token, f"GITHUB_TOKENS item {k}")
    return [(label, token) for token, label in labels.items()]


@dataclass(frozen=True)
class TokenVerdict:
    """What the checks of every GitHub token decide: stop (``error``), or go on without ``dropped``."""

    error: str | None = None
    warnings: tuple[str, ...] = ()
    dropped: frozenset[str] = frozenset()  # refused tokens to leave out (never shown)


def judge_tokens(host: str, labels: Sequence[tuple[str, str]], refused: Mapping[str, str]) -> TokenVerdict:
    """``refused``: token -> GitHub's reason. Every token refused: an error; some: a warning each. Pure."""
    if not refused:
        return TokenVerdict()
    named = [(label, refused[token]) for label, token in labels if token in refused]
    if len(named) == len(labels):
        if len(named) == 1:
            label, why = named[0]
            return TokenVerdict(error=redact(
                f"GitHub ({host}) refused the token in {label}: HTTP 401 {why}; "
                "set a valid token, or unset it to collect without one (60 requests an hour)"))
        listed = ", ".join(f"{label} (HTTP 401 {why})" for label, why in named)
        return TokenVerdict(error=redact(
            f"GitHub ({host}) refused every token: {listed}; set valid tokens, or unset them to collect "
            "without one (60 requests an hour)"))
    kept = len(labels) - len(named)
    warnings = tuple(redact(f"GitHub ({host}) refused the token in {label}: HTTP 401 {why}; it is left out, "
                            f"the run goes on with {kept} of {len(labels)} tokens") for label, why in named)
    return TokenVerdict(warnings=warnings, dropped=frozenset(refused))


def env_without(env: Mapping[str, str], dropped: frozenset[str]) -> dict[str, str]:
    """``env`` whose GitHub tokens are the accepted ones only, in the same order (GITHUB_TOKENS). Pure."""
    kept = [token for _, token in token_labels(env) if token not in dropped]
    out = {k: v for k, v in env.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKENS")}
    if kept:
        out["GITHUB_TOKENS"] = ",".join(kept)
    return out


async def _refused(client: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> str | None:
    try:
        response = await client.get(url, headers=headers)
    except httpx.HTTPError:
        return None  # no verdict: unreachable is judged by the probe, not here
    return refusal(response.status_code, response.content)


async def check_github_tokens(settings: GitHubSettings, env: Mapping[str, str],
                              client: httpx.AsyncClient | None = None) -> TokenVerdict:
    """Every GitHub token checked with the free ``GET /rate_limit``; what to do about the refused ones."""
    labels = token_labels(env)
    if not labels:
        return TokenVerdict()
    url = settings.api_url.rstrip("/") + "/rate_limit"
    own = client is None
    client = client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
    try:
        answers = await asyncio.gather(*(
            _refused(client, url, {"authorization": f"token {token}", "accept": "application/vnd.github+json",
                                   "user-agent": settings.user_agent})
            for _, token in labels))
    finally:
        if own:
            await client.aclose()
    refused = {token: why for (_, token), why in zip(labels, answers) if why is not None}
    return judge_tokens(httpx.URL(settings.api_url).host, labels, refused)


async def check_github_token(settings: GitHubSettings, env: Mapping[str, str], client: httpx.AsyncClient | None = None) -> None:
    """Raise :class:`TokenRefused` when GitHub refuses every token (one line); otherwise return."""
    verdict = await check_github_tokens(settings, env, client)
    if verdict.error is not None:
        raise TokenRefused(verdict.error)


def hub_refusal(status: int, headers: Mapping[str, str], body: bytes) -> str | None:
    """The Hub's reason when ``status`` says HF_TOKEN is refused, else None. Pure."""
    if status != 401:
        return None
    message = headers.get("x-error-message") or ""
    if not message:
        try:
            message = json.loads(body).get("error") or ""
        except (ValueError, AttributeError):
            message = body[:200].decode("utf-8", "replace")
    return " ".join(str(message).split())[:200] or "Unauthorized"


async def check_hub_token(endpoint: str, token: str | None, user_agent: str, client: httpx.AsyncClient | None = None) -> None:
    """Raise :class:`TokenRefused` when the Hub answers 401 to HF_TOKEN at ``/api/whoami-v2``; otherwise return."""
    if not token:
        return
    own = client is None
    client = client or httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False)
    try:
        response = await client.get(endpoint.rstrip("/") + "/api/whoami-v2",
                                    headers={"authorization": f"Bearer {token}", "user-agent": user_agent})
    except httpx.HTTPError:
        return  # no verdict: the Hub's reachability is judged by the probe
    finally:
        if own:
            await client.aclose()
    why = hub_refusal(response.status_code, response.headers, response.content)
    if why is not None:
        raise TokenRefused(redact(
            f"the Hub ({httpx.URL(endpoint).host}) refused the token in HF_TOKEN: HTTP 401 {why}; "
            "set a valid token, or unset it to collect public repositories without one"))
