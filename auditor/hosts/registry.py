"""Which collector serves which target kind, and whether its host can be reached.

A machine without network must not turn every link into "not found": before
collecting, each single-host collector's host (GitHub, the Hub, anonymous) is
probed once; if it cannot be reached at all (DNS failure, connection refused,
timeout) its targets are recorded as ``unknown`` with that one-line reason
instead of being fetched and retried. The web and forge collectors meet many
hosts and judge each one (:mod:`auditor.hosts.reachability`).
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, Mapping
from urllib.parse import urlsplit

import httpx

from auditor.hosts.anonymous import AnonymousCollector
from auditor.hosts.archives import ArchiveCollector
from auditor.hosts.base import Collector
from auditor.hosts.forges import ForgeCollector
from auditor.hosts.github import GitHubCollector
from auditor.hosts.github_client import GitHubSettings, make_client
from auditor.hosts.huggingface import HuggingFaceCollector
from auditor.hosts.reachability import DEFAULT_WITNESSES, Reachability
from auditor.hosts.web import WebCollector

PROBE_TIMEOUT = 8.0

#: Names accepted by ``audit run --hosts``.
HOST_NAMES = ("github", "huggingface", "anonymous", "forges", "web", "archives")


@dataclass
class Host:
    """A collector, its name for --hosts, and the URL that tells whether its host is reachable."""

    name: str
    collector: Collector
    probe_url: str | None  # None: a collector of many hosts, which judges each host itself

    @property
    def kinds(self) -> frozenset[str]:
        return self.collector.kinds


@asynccontextmanager
async def build_collectors(
    env: Mapping[str, str], *, allow_private_hosts: bool = False, max_wait: float = 300.0
) -> AsyncIterator[list[Host]]:
    """Every built-in collector, configured from the environment, closed on exit."""
    github_settings = GitHubSettings.from_env(env)
    github_client = make_client(github_settings)
    opts = {"allow_private_hosts": allow_private_hosts}
    hub = HuggingFaceCollector.from_env(env, **opts)
    anonymous = AnonymousCollector.from_env(env, **opts)
    # Web pages and forges are many hosts: no one probe can stand for them (GitHub answering
    # proves nothing on an egress-restricted network). They judge reachability per host, sharing
    # what the run learns (auditor.hosts.reachability).
    reach = Reachability(witnesses_from_env(env))
    hosts = [
        Host("github", GitHubCollector(github_settings, github_client, max_wait=max_wait), github_settings.api_url + "/rate_limit"),
        Host("huggingface", hub, hub.settings.endpoint),
        Host("anonymous", anonymous, anonymous.settings.base),
        Host("forges", ForgeCollector.from_env(env, reachability=reach, **opts), None),
        Host("web", WebCollector.from_env(env, reachability=reach, **opts), None),
    ]
    try:
        yield hosts
    finally:
        await github_client.aclose()
        for host in hosts:
            close = getattr(host.collector, "aclose", None)
            if close is not None:
                await close()


@asynccontextmanager
async def build_archive_collector(
    env: Mapping[str, str], *, allow_private_hosts: bool = False, max_wait: float = 60.0
) -> AsyncIterator[ArchiveCollector]:
    """Software Heritage and Zenodo (the "archives" host), configured from the environment, closed on exit."""
    collector = ArchiveCollector.from_env(env, allow_private_hosts=allow_private_hosts, max_wait=max_wait)
    try:
        yield collector
    finally:
        await collector.aclose()


def witnesses_from_env(env: Mapping[str, str]) -> tuple[str, ...]:
    """AUDITOR_DNS_WITNESSES (comma-separated public names), else the defaults."""
    names = tuple(n.strip() for n in (env.get("AUDITOR_DNS_WITNESSES") or "").split(",") if n.strip())
    return names or DEFAULT_WITNESSES


async def unreachable_reason(url: str | None) -> str | None:
    """None when ``url``'s host answers at all (any status), else why not, in one line."""
    if url is None:
        return None
    host = urlsplit(url).netloc or url
    try:
        async with httpx.AsyncClient(timeout=PROBE_TIMEOUT) as client:
            await client.get(url)
    except httpx.ConnectError as exc:
        return f"offline: cannot reach {host} ({_short(exc)})"
    except httpx.TimeoutException:
        return f"offline: {host} did not answer within {PROBE_TIMEOUT:g} s"
    except httpx.HTTPError:
        return None  # it answered, oddly: let the collector and its retries judge
    return None


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.split("] ", 1)[-1] if text.startswith("[Errno") else text
