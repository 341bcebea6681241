"""Archival facts of repositories: Software Heritage visits and Zenodo records.

For every repository a run audits, one ``GET {swh}/api/1/origin/{origin}/visit/latest/?require_snapshot=true``
(404: never archived; 200: the visit's date, status and snapshot SWHID) and,
for each Zenodo record the repository names (``CITATION.cff``, ``.zenodo.json``,
a README DOI badge or link: :mod:`auditor.hosts.archive_ids`), one
``GET {zenodo}/api/records/{id}``; for each DOI of another archive it names
(figshare, OSF, Dryad...), one ``GET {doi}/api/handles/{doi}?type=URL`` (the DOI
resolver's handle API: registered or not, and where to); for each SWHID it
names, one ``GET {swh}/api/1/resolve/{swhid}/``. The facts are stored under their own
key, ``archive:<target key>``, with their own max-age (archives rarely
change: 7 days by default), and handed to checks as ``data["archive"]`` of the
repository's facts.

Software Heritage publishes ``X-RateLimit-Limit/Remaining/Reset`` (reset in
epoch seconds) and a low anonymous budget; ``SWH_TOKEN`` (a bearer token, sent
only to Software Heritage's origin) raises it. A spent budget is waited for
when it resets within ``max_wait`` seconds, else collection stops and what is
left is ``unknown`` ("rate limited until HH:MM"), as the GitHub collector
does; a whole archive pass also stops at ``budget_seconds`` so that it never
holds up the run. Everything goes through :mod:`auditor.safefetch`.

``archive:*`` facts have status ``ok`` (Software Heritage holds a visit with a
snapshot), ``not_found`` (it does not), or ``unknown``/``error``; ``data`` keys:

================  ==========================================================
origin            str: the origin URL asked of Software Heritage
swh               dict | None: {archived: bool, visit_date, visit_status, snapshot_swhid, visit_type}
zenodo            list[dict]: one per record named: {id, status: ok|not_found|error} and, when ok,
                  :func:`auditor.hosts.zenodo.parse_record` (doi, conceptdoi, title, ...)
                  plus ``source``: where the repository named it (CITATION.cff, .zenodo.json, README...)
doi_hints         list[str]: where DOIs or Zenodo were named (readme, .zenodo.json, CITATION.cff)
dois              list[dict]: DOIs of other archives named: {doi, archive, source, status: ok|not_found|error, url}
swhids            list[dict]: SWHIDs named: {swhid, source, status: ok|not_found|error, object_type, browse_url}
================  ==========================================================
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, AsyncIterator, Awaitable, Callable, Mapping, Sequence
from urllib.parse import quote

import httpx

from auditor import redaction
from auditor.hosts.base import now_utc
from auditor.hosts.archive_ids import Named, archive_of, dois, named_archives, zenodo_ids  # noqa: F401 - dois, zenodo_ids re-exported
from auditor.hosts.github_rest import rate_info
from auditor.hosts.zenodo import parse_record
from auditor.models import Facts, Target
from auditor.retry import DEFAULT as DEFAULT_RETRY
from auditor.retry import RetryPolicy, TransientError, retry_after_seconds
from auditor.safefetch import FetchPolicy, FetchResult, describe_failure, fetch, fetch_retrying, safe_client

DEFAULT_SWH = "https://archive.softwareheritage.org"
DEFAULT_ZENODO = "https://zenodo.org"
DEFAULT_DOI = "https://doi.org"
ARCHIVE_PREFIX = "archive:"
#: Forge hosts whose origins Software Heritage lists as https://host/owner/name.
FORGE_ORIGINS = {"gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com", "framagit.org", "git.sr.ht"}
MAX_ZENODO_PER_REPO = 3
MAX_DOIS_PER_REPO = 3  # DOIs of other archives (figshare, OSF...) resolved per repository
MAX_SWHIDS_PER_REPO = 2

def archive_key(target_key: str) -> str:
    return ARCHIVE_PREFIX + target_key


def origin_url(target: Target, data: Mapping[str, Any] | None = None) -> str | None:
    """The origin URL Software Heritage files this repository under, or None.

    GitHub: ``https://github.com/{owner}/{name}`` as GitHub spells it now (the
    lister records GitHub's own spelling); GitLab, Bitbucket, Codeberg, Gitee:
    ``https://{host}/{path}``; never a ``.git`` ending or a trailing slash.
    """
    data = data or {}
    if target.kind == "github_repo":
        full = data.get("name_with_owner") or (f"{target.owner}/{target.name}" if target.owner and target.name else None)
        if not full:
            full = target.key.split(":", 1)[-1]
        return f"https://github.com/{str(full).strip('/')}"
    if target.kind == "forge_repo":
        rest = target.key.split(":", 1)[-1]  # host/owner/name
        host, _, path = rest.partition("/")
        if not path:
            return None
        web = str(data.get("html_url") or "")
        if web.startswith("https://"):
            return web.rstrip("/").removesuffix(".git")
        return f"https://{host}/{path.rstrip('/').removesuffix('.git')}"
    return None


def doi_hints(data: Mapping[str, Any]) -> list[str]:
    """Where the repository names a DOI or Zenodo (evidence for checks)."""
    hints = []
    readme = str((data.get("readme") or {}).get("text") or "")
    if dois(readme) or zenodo_ids(readme):
        hints.append("readme")
    names = {str(f.get("name") or "").casefold() for f in data.get("root_files") or []}
    if ".zenodo.json" in names:
        hints.append(".zenodo.json")
    if "citation.cff" in names:
        hints.append("CITATION.cff")
    return hints


def swh_visit(result_status: int, body: Any) -> dict[str, Any]:
    """Pure: the ``swh`` facts of one visit/latest answer (200 or 404)."""
    if result_status == 404:
        return {"archived": False, "visit_date": None, "visit_status": None, "snapshot_swhid": None, "visit_type": None}
    body = body if isinstance(body, Mapping) else {}
    snapshot = body.get("snapshot")
    return {
        "archived": True,
        "visit_date": body.get("date"),
        "visit_status": body.get("status"),
        "snapshot_swhid": f"swh:1:snp:{snapshot}" if snapshot else None,
        "visit_type": body.get("type"),
    }


def zenodo_record(record_id: str, status: int, body: Any) -> dict[str, Any]:
    """Pure: one Zenodo record as facts (``GET /api/records/{id}``)."""
    if status in (404, 410):
        return {"id": record_id, "status": "not_found"}
    if status != 200 or not isinstance(body, Mapping):
        return {"id": record_id, "status": "error", "error": f"HTTP {status}"}
    record = parse_record(body)
    return {"status": "ok", **record, "id": str(record.get("id") or record_id)}


def doi_handle(status: int, body: Any) -> dict[str, Any]:
    """Pure: one answer of the DOI resolver's handle API as {status, url}."""
    if status == 404 or (isinstance(body, Mapping) and body.get("responseCode") == 100):
        return {"status": "not_found"}
    if status != 200 or not isinstance(body, Mapping) or body.get("responseCode") != 1:
        return {"status": "error", "error": f"HTTP {status} from the DOI resolver"}
    url = next((v.get("data", {}).get("value") for v in body.get("values") or []
                if isinstance(v, Mapping) and v.get("type") == "URL" and isinstance(v.get("data"), Mapping)), None)
    return {"status": "ok", "url": url}


@dataclass(frozen=True)
class ArchiveSettings:
    swh_url: str = DEFAULT_SWH
    zenodo_url: str = DEFAULT_ZENODO
    doi_url: str = DEFAULT_DOI
    swh_token: str | None = None  # sent only to swh_url's origin, never stored
    per_host: int = 4
    max_wait: float = 60.0  # seconds we may wait for Software Heritage's budget to reset
    budget_seconds: float = 300.0  # a whole archive pass stops here; the rest is unknown

    def __post_init__(self) -> None:
        redaction.register(self.swh_token)

    def __repr__(self) -> str:
        return f"ArchiveSettings(swh_url={self.swh_url!r}, zenodo_url={self.zenodo_url!r}, swh_token={'***' if self.swh_token else None!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **kw: Any) -> "ArchiveSettings":
        env = os.environ if env is None else env
        return cls(
            swh_url=(env.get("AUDITOR_SWH_URL") or DEFAULT_SWH).rstrip("/"),
            zenodo_url=(env.get("AUDITOR_ZENODO_URL") or DEFAULT_ZENODO).rstrip("/"),
            doi_url=(env.get("AUDITOR_DOI_URL") or DEFAULT_DOI).rstrip("/"),
            swh_token=env.get("SWH_TOKEN") or None,
            **kw,
        )


@dataclass(frozen=True)
class ArchiveRequest:
    """One repository to look up: its archive key, origin URL and the archived copies it names."""

    key: str  # archive:<target key>
    origin: str
    zenodo: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    #: Every archived copy named (Zenodo records too), with where: see :mod:`archive_ids`.
    named: tuple[Named, ...] = ()

    def source_of(self, kind: str, identifier: str) -> str | None:
        return next((n.source for n in self.named if n.kind == kind and n.identifier == identifier), None)


@dataclass
class ArchiveStats:
    swh_requests: int = 0
    zenodo_requests: int = 0
    doi_requests: int = 0
    waited_seconds: float = 0.0
    save_requests: int = 0


class _SWHLimited(Exception):
    def __init__(self, reset_at: datetime) -> None:
        super().__init__(f"rate limited until {reset_at:%H:%M} UTC")
        self.reset_at = reset_at


class ArchiveCollector:
    """Software Heritage and Zenodo lookups for many repositories at once."""

    def __init__(
        self,
        settings: ArchiveSettings | None = None,
        client: httpx.AsyncClient | None = None,
        *,
        policy: FetchPolicy | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        clock: Callable[[], datetime] = now_utc,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings or ArchiveSettings.from_env()
        self.policy = policy or FetchPolicy(max_bytes=256 * 1024)
        self.retry = retry
        self._own_client = client is None
        self.client = client or safe_client(self.policy)
        self.clock, self.sleep, self.monotonic = clock, sleep, monotonic
        self.stats = ArchiveStats()
        self.rate_limited_until: datetime | None = None
        self._remaining: int | None = None
        self._reset_at: datetime | None = None
        self._lock = asyncio.Lock()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, allow_private_hosts: bool = False, **kw: Any) -> "ArchiveCollector":
        settings = ArchiveSettings.from_env(env, **{k: kw.pop(k) for k in ("max_wait", "budget_seconds") if k in kw})
        return cls(settings, policy=FetchPolicy(allow_private_hosts=allow_private_hosts, max_bytes=256 * 1024), **kw)

    async def aclose(self) -> None:
        if self._own_client:
            await self.client.aclose()

    # ------------------------------------------------------------------ headers and limits

    def _swh_headers(self) -> dict[str, str]:
        headers = {"accept": "application/json"}
        if self.settings.swh_token:
            headers["authorization"] = f"Bearer {self.settings.swh_token}"
        return headers

    def _note(self, result: FetchResult) -> None:
        info = rate_info(result.headers)
        if info is not None:
            self._remaining, self._reset_at = info.remaining, info.reset_at

    async def _respect_limit(self) -> None:
        """Before a Software Heritage request: wait for a spent budget, or stop."""
        if self.rate_limited_until is not None:
            raise _SWHLimited(self.rate_limited_until)
        async with self._lock:
            if self._remaining is None or self._remaining > 0:
                return
            reset = self._reset_at or (self.clock() + timedelta(seconds=60))
            delay = (reset - self.clock()).total_seconds()
            if delay > self.settings.max_wait:
                self.rate_limited_until = reset
                raise _SWHLimited(reset)
            if delay > 0:
                self.stats.waited_seconds += delay + 1
                await self.sleep(delay + 1)
            self._remaining = None

    async def _swh_once(self, url: str, method: str) -> FetchResult:
        """One Software Heritage request under the retry policy; a spent budget is handed back, not retried."""
        async for attempt in self.retry.retrying(sleep=self.sleep):
            with attempt:
                self.stats.swh_requests += 1
                result = await fetch(self.client, url, self.policy, method=method, headers=self._swh_headers(),
                                     follow_redirects=False)
                self._note(result)
                if result.status_code in (403, 429) and self._remaining == 0:
                    return result  # the primary budget: wait for its reset (or stop), never hammer
                if result.status_code >= 500 or result.status_code == 429:
                    raise TransientError(f"HTTP {result.status_code} from Software Heritage",
                                         retry_after=retry_after_seconds(result.headers))
                return result
        raise AssertionError("unreachable")  # pragma: no cover

    async def _swh_get(self, url: str, method: str = "GET") -> FetchResult:
        while True:
            await self._respect_limit()
            result = await self._swh_once(url, method)
            if result.status_code in (403, 429) and self._remaining == 0:
                continue  # _respect_limit waits for the reset or stops the pass
            return result

    # ------------------------------------------------------------------ collection

    def collect(self, requests: Sequence[ArchiveRequest]) -> AsyncIterator[Facts]:
        return self._collect(list(requests))

    async def _collect(self, requests: list[ArchiveRequest]) -> AsyncIterator[Facts]:
        deadline = self.monotonic() + self.settings.budget_seconds
        semaphore = asyncio.Semaphore(self.settings.per_host)

        async def one(request: ArchiveRequest) -> Facts:
            async with semaphore:
                if self.monotonic() > deadline:
                    return self._facts(request, "unknown", error="archive lookups stopped: time budget spent")
                try:
                    return await asyncio.wait_for(self._one(request), max(0.1, deadline - self.monotonic()))
                except _SWHLimited as exc:
                    return self._facts(request, "unknown", error=f"Software Heritage {exc}")
                except (asyncio.TimeoutError, TimeoutError):
                    return self._facts(request, "unknown", error="archive lookups stopped: time budget spent")
                except Exception as exc:  # noqa: BLE001 - one repository's fault, recorded on it
                    return self._facts(request, "error", error=describe_failure(exc)[1])

        tasks = [asyncio.ensure_future(one(r)) for r in requests]
        try:
            for done in asyncio.as_completed(tasks):
                yield await done
        finally:
            for task in tasks:
                task.cancel()

    def _facts(self, request: ArchiveRequest, status: str, data: Mapping[str, Any] | None = None, error: str | None = None) -> Facts:
        return Facts(target_key=request.key, status=status, fetched_at=self.clock(),  # type: ignore[arg-type]
                     data=dict(data or {}), error=redaction.redact(error) if error else None)

    async def _one(self, request: ArchiveRequest) -> Facts:
        url = f"{self.settings.swh_url}/api/1/origin/{quote(request.origin, safe=':/')}/visit/latest/?require_snapshot=true"
        result = await self._swh_get(url)
        if result.status_code not in (200, 404):
            return self._facts(request, "error", {"origin": request.origin},
                               error=f"HTTP {result.status_code} from Software Heritage")
        swh = swh_visit(result.status_code, _json(result))
        records = []
        for record_id in request.zenodo[:MAX_ZENODO_PER_REPO]:
            record = await self._zenodo(record_id)
            source = request.source_of("zenodo", record_id)
            records.append({**record, "source": source} if source else record)
        named_dois = [n for n in request.named if n.kind == "doi"][:MAX_DOIS_PER_REPO]
        swhids = [n for n in request.named if n.kind == "swhid"][:MAX_SWHIDS_PER_REPO]
        data = {"origin": request.origin, "swh": swh, "zenodo": records, "doi_hints": list(request.hints),
                "dois": [await self._doi(n) for n in named_dois], "swhids": [await self._swhid(n) for n in swhids]}
        # Status "not_found" when Software Heritage never archived it, so facts_history keeps the day it was.
        return self._facts(request, "ok" if swh["archived"] else "not_found", data)

    async def _zenodo(self, record_id: str) -> dict[str, Any]:
        self.stats.zenodo_requests += 1
        try:
            result = await fetch_retrying(self.client, f"{self.settings.zenodo_url}/api/records/{quote(record_id)}",
                                          self.policy, self.retry, headers={"accept": "application/json"})
        except Exception as exc:  # noqa: BLE001 - a record's fault stays on the record
            return {"id": record_id, "status": "error", "error": describe_failure(exc)[1]}
        return zenodo_record(record_id, result.status_code, _json(result))

    async def _doi(self, named: Named) -> dict[str, Any]:
        """A DOI of another archive, asked of the DOI resolver's handle API (``GET /api/handles/{doi}``).

        ``responseCode`` 1 with a URL value: registered, and where it points; 404 with 100: no such DOI.
        The archive's landing page is not fetched (bot walls say nothing about the DOI).
        """
        self.stats.doi_requests += 1
        out: dict[str, Any] = {"doi": named.identifier, "archive": named.archive, "source": named.source}
        try:
            result = await fetch_retrying(self.client, f"{self.settings.doi_url}/api/handles/{quote(named.identifier, safe='/')}?type=URL",
                                          self.policy, self.retry, headers={"accept": "application/json"})
        except Exception as exc:  # noqa: BLE001 - a DOI's fault stays on the DOI
            return {**out, "status": "error", "error": describe_failure(exc)[1]}
        return {**out, **doi_handle(result.status_code, _json(result))}

    async def _swhid(self, named: Named) -> dict[str, Any]:
        """A SWHID the repository names, asked of Software Heritage (``GET /api/1/resolve/{swhid}/``)."""
        out: dict[str, Any] = {"swhid": named.identifier, "source": named.source}
        try:
            result = await self._swh_get(f"{self.settings.swh_url}/api/1/resolve/{quote(named.identifier, safe=':')}/")
        except _SWHLimited:
            raise
        except Exception as exc:  # noqa: BLE001
            return {**out, "status": "error", "error": describe_failure(exc)[1]}
        body = _json(result)
        if result.status_code == 200 and isinstance(body, Mapping):
            return {**out, "status": "ok", "object_type": body.get("object_type"), "browse_url": body.get("browse_url")}
        if result.status_code in (400, 404):
            return {**out, "status": "not_found"}
        return {**out, "status": "error", "error": f"HTTP {result.status_code} from Software Heritage"}

    # ------------------------------------------------------------------ Save Code Now

    async def save_code_now(self, origin: str, visit_type: str = "git") -> dict[str, Any]:
        """``POST {swh}/api/1/origin/save/{visit_type}/url/{origin}/``: the request's status as SWH answers it."""
        url = f"{self.settings.swh_url}/api/1/origin/save/{visit_type}/url/{quote(origin, safe=':/')}/"
        self.stats.save_requests += 1
        result = await self._swh_get(url, method="POST")
        body = _json(result)
        body = body if isinstance(body, Mapping) else {}
        return {
            "origin": origin,
            "http_status": result.status_code,
            "request_status": body.get("save_request_status") or ("error" if result.status_code >= 400 else None),
            "task_status": body.get("save_task_status"),
            "request_date": body.get("save_request_date"),
            "id": body.get("id"),
            "reason": redaction.redact(str(body.get("reason") or body.get("exception") or ""))[:300] or None,
        }


def _json(result: FetchResult) -> Any:
    try:
        return result.json()
    except Exception:  # noqa: BLE001 - an unreadable body is no facts
        return None


def plan_archive_requests(
    targets: Sequence[tuple[Target, Facts]], abstract_text: Mapping[str, str] | None = None
) -> list[ArchiveRequest]:
    """Pure: one ArchiveRequest per known repository (exists, moved), with the Zenodo records it names."""
    out = []
    for target, facts in targets:
        if facts.status not in ("ok", "moved"):
            continue
        data = facts.data or {}
        origin = origin_url(target, data)
        if origin is None:
            continue
        named = tuple(named_archives(data))
        ids = tuple(n.identifier for n in named if n.kind == "zenodo")
        out.append(ArchiveRequest(archive_key(target.key), origin, ids, tuple(doi_hints(data)), named))
    return out


