"""Small pieces the non-GitHub collectors share: running many targets with
per-host limits, turning a failure into Facts, license ids, settings from env."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence

from auditor.hosts.base import TargetRequest, now_utc
from auditor.redaction import redact, redact_value
from auditor.models import FactStatus, Facts
import httpx

from auditor.retry import DEFAULT as DEFAULT_RETRY
from auditor.retry import RetryPolicy, deadline_scope
from auditor.hosts.reachability import HELD, Reachability, is_network_failure
from auditor.safefetch import FetchPolicy, HostLimiter, HostNotFound, UnsafeURLError, describe_failure, safe_client

# SPDX ids for the lower-case license keys hosts use (Hugging Face tags,
# GitLab/Gitea/Zenodo keys). Unknown non-empty keys map to NOASSERTION.
_SPDX = {
    "apache-2.0": "Apache-2.0",
    "mit": "MIT",
    "bsd": "NOASSERTION",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-3-clause-clear": "BSD-3-Clause-Clear",
    "isc": "ISC",
    "0bsd": "0BSD",
    "unlicense": "Unlicense",
    "unlicensed": "Unlicense",
    "wtfpl": "WTFPL",
    "zlib": "Zlib",
    "bsl-1.0": "BSL-1.0",
    "mpl-2.0": "MPL-2.0",
    "epl-1.0": "EPL-1.0",
    "epl-2.0": "EPL-2.0",
    "eupl-1.1": "EUPL-1.1",
    "eupl-1.2": "EUPL-1.2",
    "ecl-2.0": "ECL-2.0",
    "afl-3.0": "AFL-3.0",
    "artistic-2.0": "Artistic-2.0",
    "ms-pl": "MS-PL",
    "osl-3.0": "OSL-3.0",
    "postgresql": "PostgreSQL",
    "ofl-1.1": "OFL-1.1",
    "ncsa": "NCSA",
    "lppl-1.3c": "LPPL-1.3c",
    "gpl": "NOASSERTION",
    "gpl-2.0": "GPL-2.0-only",
    "gpl-2.0-only": "GPL-2.0-only",
    "gpl-2.0-or-later": "GPL-2.0-or-later",
    "gpl-3.0": "GPL-3.0-only",
    "gpl-3.0-only": "GPL-3.0-only",
    "gpl-3.0-or-later": "GPL-3.0-or-later",
    "lgpl": "NOASSERTION",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-2.1-only": "LGPL-2.1-only",
    "lgpl-2.1-or-later": "LGPL-2.1-or-later",
    "lgpl-3.0": "LGPL-3.0-only",
    "lgpl-3.0-only": "LGPL-3.0-only",
    "lgpl-3.0-or-later": "LGPL-3.0-or-later",
    "lgpl-lr": "LGPLLR",
    "agpl-3.0": "AGPL-3.0-only",
    "agpl-3.0-only": "AGPL-3.0-only",
    "agpl-3.0-or-later": "AGPL-3.0-or-later",
    "cc0-1.0": "CC0-1.0",
    "cc-by-2.0": "CC-BY-2.0",
    "cc-by-2.5": "CC-BY-2.5",
    "cc-by-3.0": "CC-BY-3.0",
    "cc-by-4.0": "CC-BY-4.0",
    "cc-by-sa-3.0": "CC-BY-SA-3.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "cc-by-nc-2.0": "CC-BY-NC-2.0",
    "cc-by-nc-3.0": "CC-BY-NC-3.0",
    "cc-by-nc-4.0": "CC-BY-NC-4.0",
    "cc-by-nd-4.0": "CC-BY-ND-4.0",
    "cc-by-nc-nd-3.0": "CC-BY-NC-ND-3.0",
    "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0",
    "cc-by-nc-sa-2.0": "CC-BY-NC-SA-2.0",
    "cc-by-nc-sa-3.0": "CC-BY-NC-SA-3.0",
    "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0",
    "odbl": "ODbL-1.0",
    "odbl-1.0": "ODbL-1.0",
    "odc-by": "ODC-By-1.0",
    "odc-by-1.0": "ODC-By-1.0",
    "pddl": "PDDL-1.0",
    "cdla-permissive-1.0": "CDLA-Permissive-1.0",
    "cdla-permissive-2.0": "CDLA-Permissive-2.0",
    "cdla-sharing-1.0": "CDLA-Sharing-1.0",
    "openrail": "NOASSERTION",
    "other": "NOASSERTION",
    "unknown": None,
    "none": None,
}


def spdx_for(key: str | None) -> str | None:
    """SPDX id for a host's license key: 'apache-2.0' -> 'Apache-2.0'; an
    unrecognised key -> 'NOASSERTION'; no key -> None. Already-SPDX ids pass."""
    if key is None:
        return None
    text = str(key).strip()
    if not text:
        return None
    low = text.lower()
    if low in _SPDX:
        return _SPDX[low]
    for spdx in _SPDX.values():
        if spdx and spdx.lower() == low:
            return spdx
    return "NOASSERTION"


def facts(request: TargetRequest, status: FactStatus, data: Mapping[str, Any] | None = None, **kw: Any) -> Facts:
    """Facts of one answer; what the server said (data, error) is redacted here, at the source."""
    if kw.get("error"):
        kw["error"] = redact(kw["error"])
    return Facts(target_key=request.target.key, status=status, fetched_at=now_utc(), data=redact_value(dict(data or {})), **kw)


def conditional_headers(request: TargetRequest) -> dict[str, str]:
    """If-None-Match for a target whose cached facts carry an ETag."""
    if request.etag and request.cached is not None:
        return {"if-none-match": request.etag}
    return {}


def revalidated(request: TargetRequest) -> Facts:
    """The cached facts, fetched again now (the host answered 304)."""
    assert request.cached is not None
    return replace(request.cached, fetched_at=now_utc())


def failure_facts(request: TargetRequest, exc: BaseException) -> Facts:
    """An exception after retries, as error Facts with a one-line reason."""
    kind, reason = describe_failure(exc)
    return facts(request, "error", {"failure": kind}, error=reason)


async def run_all(
    requests: Sequence[TargetRequest],
    one: Callable[[TargetRequest], Awaitable[Facts]],
    host_of: Callable[[TargetRequest], str],
    limiter: Callable[[str], asyncio.Semaphore],
    total: int = 64,
    *,
    deadline: float | None = None,
) -> AsyncIterator[Facts]:
    """Collect every request concurrently (bounded per host and in all),
    yielding Facts as they complete. A crash on one target becomes its error Facts.

    ``deadline``: seconds one target may take once it has its slot, all its
    fetches and retries together (see :func:`auditor.retry.deadline_scope`).
    """
    overall = asyncio.Semaphore(total)

    async def guarded(request: TargetRequest) -> Facts:
        async with limiter(host_of(request)), overall:
            try:
                with deadline_scope(deadline):
                    return await one(request)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one target's fault must not stop the rest
                return failure_facts(request, exc)

    tasks = [asyncio.ensure_future(guarded(r)) for r in requests]
    try:
        for next_done in asyncio.as_completed(tasks):
            yield await next_done
    finally:
        for task in tasks:
            task.cancel()


def env_base_url(env: Mapping[str, str], host: str) -> str | None:
    """AUDITOR_FORGE_<HOST>_URL, e.g. AUDITOR_FORGE_GITLAB_COM_URL for gitlab.com."""
    name = "AUDITOR_FORGE_" + re.sub(r"[^A-Za-z0-9]+", "_", host).upper().strip("_") + "_URL"
    value = env.get(name)
    return value.rstrip("/") if value else None


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)


class SafeHostCollector:
    """What the collectors that fetch stranger-written links share: one safe
    client (auditor.safefetch), a per-host concurrency limit, the retry policy.

    A subclass names its ``kinds`` and ``settings_class`` (a dataclass with
    ``from_env(env)`` and ``per_host``) and implements ``collect``.
    """

    kinds: frozenset[str] = frozenset()
    settings_class: Any = None

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        settings: Any = None,
        *,
        policy: FetchPolicy | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        reachability: Reachability | None = None,
    ) -> None:
        self.settings = settings or self.settings_class.from_env()
        self.policy = policy or FetchPolicy()
        self.retry = retry
        self._own_client = client is None
        self.client = client or safe_client(self.policy)
        self.limiter = HostLimiter(self.settings.per_host)
        self.rate_limited_until = None  # these hosts publish no primary limit we wait on
        #: What this run learnt about reaching hosts (shared by the web and forge collectors).
        self.reachability = reachability or Reachability(timeout=self.policy.connect_timeout)

    @property
    def offline_reason(self) -> str | None:
        """Why no host could be reached in this run, when none answered (for the run's summary)."""
        return self.reachability.offline_reason()

    def skip_reason(self, host: str) -> str | None:
        """Why ``host`` is not tried: the machine looks offline, or the host already failed in this run."""
        return self.reachability.skip_reason(host)

    async def failure(self, request: TargetRequest, host: str, exc: BaseException, data: Mapping[str, Any]) -> Facts:
        """Facts for a fetch that raised, judged by what the run knows of reaching hosts.

        A refused (unsafe) URL is blocked; NXDOMAIN is not_found only when the
        resolver resolves other public names; a network fault is an error held
        for the run's verdict (unknown when no host answered at all); anything
        else came from the host (5xx after retries, a body that is not JSON).
        """
        kind, reason = describe_failure(exc)
        reach = self.reachability
        data = {**data, "failure": kind, "reachable_reason": reason}
        if isinstance(exc, UnsafeURLError):
            return facts(request, "blocked", {**data, "reachable": False, "refused": True}, error=reason)
        if isinstance(exc, HostNotFound):
            if await reach.resolver_works():
                return facts(request, "not_found", {**data, "reachable": False}, error=reason)
            why = f"cannot tell whether {host} exists: the resolver resolves no public name ({', '.join(reach.witnesses)}) either"
            reach.failure_on(host, why, connect=True)
            return facts(request, "unknown", {**data, "reachable": None, "reachable_reason": why}, error=why)
        if is_network_failure(exc):
            reach.failure_on(host, reason, connect=isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)))
            return facts(request, "error", {**data, "reachable": None, "reachable_reason": reason, HELD: True}, error=reason)
        reach.answer_from(host)
        return facts(request, "error", {**data, "reachable": None, "reachable_reason": reason}, error=reason)

    def skipped(self, request: TargetRequest, reason: str, data: Mapping[str, Any]) -> Facts:
        """Facts for a target not tried (see :meth:`skip_reason`): held like the failure it repeats."""
        offline = self.reachability.offline
        status = "unknown" if offline else "error"
        extra = {} if offline else {HELD: True}
        return facts(request, status, {**data, "reachable": None, "reachable_reason": reason, "failure": "network", **extra}, error=reason)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, allow_private_hosts: bool = False, **kw: Any) -> Any:
        return cls(settings=cls.settings_class.from_env(env), policy=FetchPolicy(allow_private_hosts=allow_private_hosts), **kw)

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
