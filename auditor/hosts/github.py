"""The GitHub collector: facts about repositories and owners.

With a token, repositories are asked for in batches through GraphQL (one
query, many aliases; the batch halves when GitHub times out or answers that
the query is over its node or resource limits, and grows back after
successes, see :mod:`auditor.hosts.batching`). Without one,
REST costs exactly one request per repository for the core facts, and the
README, root listing, the citation files it shows and the rest are fetched only while the hourly budget
(60 without a token) is not needed for core facts; what is skipped is said in
``data["skipped"]``, never guessed; the next run fetches only those (and merges
them into the cached facts, see :mod:`github_resume`). A request carrying an
ETag is revalidated with If-None-Match: a 304 returns the cached facts.

Primary rate limits are waited for up to ``max_wait`` seconds; beyond that
collection stops, what was collected is kept, everything else is "unknown"
and :attr:`GitHubCollector.rate_limited_until` says until when. Secondary
limits and transient faults are retried by :mod:`auditor.retry`.

Protocol logic lives in pure modules: :mod:`github_graphql` (query building
and parsing), :mod:`github_rest` (REST parsing, rate-limit headers).
"""

from __future__ import annotations

import asyncio
import collections
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, AsyncIterator, Awaitable, Callable, Sequence
from urllib.parse import quote

import httpx
from gidgethub import (
    BadGraphQLRequest,
    GitHubBroken,
    GraphQLException,
    HTTPException,
    QueryError,
)

from auditor.hosts import github_graphql as gql
from auditor.hosts.archive_ids import CITATION_FILES, CITATION_TEXT_LIMIT
from auditor.hosts import github_rest as rest
from auditor.hosts import github_resume as resume
from auditor.hosts.base import RateLimited, TargetRequest, now_utc, unknown_facts
from auditor.hosts.batching import AdaptiveBatchSize
from auditor.hosts.github_client import GitHubSettings, OffOriginRedirect, RecordingAPI
from auditor.hosts.github_tokens import TokenRing
from auditor.models import Facts
from auditor.redaction import redact, redact_value
from auditor.retry import DEFAULT, RetryPolicy, TransientError, current_deadline, deadline_scope, within_deadline

__all__ = ["GitHubCollector", "GitHubSettings", "GitHubStats"]

REST_EXTRAS = resume.REST_EXTRAS  # extra REST requests per repository (no token), in order of value
#: Times a target whose part of a GraphQL answer failed (the rest of the batch stood) is asked again.
PARTIAL_RETRIES = 2


@dataclass
class GitHubStats:
    """What a collection cost."""

    requests: int = 0  # HTTP requests sent (REST + GraphQL, retries included)
    rest_requests: int = 0
    core_requests: int = 0  # REST requests for a repository's or owner's core facts (redirects followed included)
    graphql_requests: int = 0
    graphql_points: int = 0  # sum of rateLimit.cost
    not_modified: int = 0  # 304 answers (free)
    retries: int = 0
    batch_splits: int = 0  # times the GraphQL batch size was halved (timeout, 502, too heavy)
    waited_seconds: float = 0.0  # time slept for primary rate limits
    token_switches: int = 0  # times a spent token was left for another (GITHUB_TOKENS)


class _TooHeavy(TransientError):
    """GitHub gave up on the query (timeout, 502, 504): a smaller batch may pass."""


class _OverLimit(Exception):
    """GitHub refused the query for its node or resource limits: the same batch fails again, a smaller one passes."""


class _NoGraphQL(Exception):
    """The GraphQL endpoint is not there (404/501): REST serves instead."""


class _PrimaryLimit(Exception):
    """The hourly budget is spent until reset_at."""

    def __init__(self, reset_at: datetime | None, used: Any = None) -> None:
        super().__init__("primary rate limit")
        self.reset_at = reset_at
        self.used = used  # the GitHubSettings (token) whose budget is spent


@dataclass
class _Job:
    """One request on its way through the collector."""

    index: int
    request: TargetRequest
    owner: str
    name: str | None  # None: an owner target
    etag: str | None = None  # ETag to keep on the facts (from a REST revalidation)
    tries: int = 0  # times a GraphQL answer failed this target alone (a partial answer) and it was asked again

    @property
    def key(self) -> str:
        return self.request.target.key

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}" if self.name else self.owner


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    body: Any
    primary_limited: bool = False


def _job_for(index: int, request: TargetRequest) -> _Job | None:
    target = request.target
    owner, name = target.owner, target.name
    if not owner:
        rest_of_key = target.key.split(":", 1)[-1]
        parts = rest_of_key.split("/")
        owner = parts[0] if parts and parts[0] else None
        name = parts[1] if len(parts) > 1 and target.kind == "github_repo" else None
    if not owner or (target.kind == "github_repo" and not name):
        return None
    return _Job(index, request, owner, name if target.kind == "github_repo" else None)


def _listed_citation_files(data: dict[str, Any]) -> list[str]:
    """The citation files (names exactly as GraphQL asks for them) the root listing shows."""
    listed = {str(f.get("name")) for f in data.get("root_files") or () if isinstance(f, dict) and f.get("type") == "file"}
    return [name for name in CITATION_FILES if name in listed]


def _until(reset_at: datetime) -> str:
    return f"rate limited until {reset_at:%H:%M} UTC"


def _decode(body: bytes, content_type: str | None) -> Any:
    if not body:
        return None
    if content_type and "json" in content_type:
        try:
            return json.loads(body)
        except ValueError:
            return body[:300].decode("utf-8", "replace")
    return body[:300].decode("utf-8", "replace")


class GitHubCollector:
    """Facts for ``github_repo`` and ``github_owner`` targets."""

    kinds = frozenset({"github_repo", "github_owner"})

    def __init__(
        self,
        settings: GitHubSettings,
        client: httpx.AsyncClient,
        *,
        max_wait: float = 300,
        concurrency: int = 8,
        batch_size: int = 50,
        retry: RetryPolicy = DEFAULT,
        deadline: float | None = 60.0,
        clock: Callable[[], datetime] = now_utc,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not 1 <= concurrency <= 50:
            raise ValueError("concurrency must be within 1-50 (GitHub allows at most 100 requests in flight)")
        self.settings = settings
        self.client = client
        self.max_wait = max_wait
        self.concurrency = concurrency
        #: Shared by the concurrent workers: halves on a batch that was too heavy, grows back after successes.
        self.batch_sizer = AdaptiveBatchSize(max(1, min(int(batch_size), 100)))
        self.retry = retry
        #: Seconds one job (a repository without a token, a GraphQL batch with one) may take,
        #: every attempt and retry together; rate-limit waits are not counted.
        self.deadline = deadline
        self.clock = clock
        self.sleep = sleep
        self.rate_limited_until: datetime | None = None
        self.stats = GitHubStats()
        self._rate: dict[str, rest.RateInfo | None] = {"core": None, "graphql": None}
        self._ring = TokenRing(settings)  # one token, or GITHUB_TOKENS used in turn
        self._wait_lock = asyncio.Lock()
        self._pending_core = 0
        self._inflight_rest = 0
        self._graphql_missing = False

    @property
    def budget_spent_until(self) -> datetime | None:
        """Until when the REST budget is known to be spent: the collection stopped for it, or the
        last answers said none is left (extras were skipped for it); None while some is left."""
        if self.rate_limited_until is not None:
            return self.rate_limited_until
        info = self._rate.get("core")
        if info is not None and info.remaining <= 0 and info.reset_at is not None and info.reset_at > self.clock():
            return info.reset_at
        return None

    @property
    def batch_size(self) -> int:
        """The GraphQL batch size now (it adapts during a run)."""
        return self.batch_sizer.size

    # ------------------------------------------------------------------ public

    async def collect(self, requests: Sequence[TargetRequest]) -> AsyncIterator[Facts]:
        """Yield one Facts per request, as they arrive."""
        requests = list(requests)
        out: asyncio.Queue[Facts] = asyncio.Queue()
        emitted: set[int] = set()

        def emit(index: int, facts: Facts) -> None:
            if index not in emitted:  # exactly one Facts per request
                emitted.add(index)
                out.put_nowait(facts)

        driver = asyncio.create_task(self._drive(requests, emit))
        try:
            for _ in requests:  # _drive emits for every request, whatever happens
                yield await out.get()
            await driver
        finally:
            if not driver.done():
                driver.cancel()
                try:
                    await driver
                except BaseException:  # noqa: BLE001 - we are closing
                    pass

    # ------------------------------------------------------------------ planning

    async def _drive(self, requests: list[TargetRequest], emit: Callable[[int, Facts], None]) -> None:
        jobs: list[_Job] = []
        try:
            for index, request in enumerate(requests):
                job = _job_for(index, request)
                if job is None or request.target.kind not in self.kinds:
                    emit(index, self._facts(request.target.key, "error", error="not a GitHub repository or owner target"))
                else:
                    jobs.append(job)
            if self.settings.has_token:
                # A resumed job's core facts are fresh: GraphQL asks for everything at once, and a
                # 304 would only hand back the incomplete facts.
                conditional = [j for j in jobs if j.name and j.request.etag and j.request.cached and not j.request.resume]
                others = [j for j in jobs if j not in conditional]
                leftovers: list[_Job] = []

                async def revalidate(chunk: list[_Job]) -> None:
                    await self._revalidate(chunk[0], emit, leftovers)

                await self._pool(conditional, revalidate, emit, chunk=lambda: 1)
                sizer = self.batch_sizer
                # The generation is read as the batch is taken (no await in between), so a
                # failure halves only a size that is still the one the batch was cut to.
                await self._pool(others + leftovers, lambda c: self._graphql_batch(c, emit, sizer.generation), emit, chunk=lambda: sizer.size)
            else:
                self._pending_core = sum(1 for j in jobs if not self._resumes(j))
                await self._pool(jobs, lambda c: self._rest_job(c[0], emit), emit, chunk=lambda: 1)
        except Exception as exc:  # noqa: BLE001 - a bug here must not hang the caller
            for index, request in enumerate(requests):
                emit(index, self._facts(request.target.key, "error", error=self._reason(exc)))
        finally:
            for index, request in enumerate(requests):
                emit(index, self._facts(request.target.key, "error", error="not collected: the collection was interrupted"))

    async def _pool(self, jobs: list[_Job], work: Callable[[list[_Job]], Awaitable[None]], emit: Callable[[int, Facts], None], *, chunk: Callable[[], int]) -> None:
        """Run ``work`` on chunks of ``jobs`` with bounded concurrency; faults land on their targets."""
        queue = collections.deque(jobs)
        self._requeue = queue  # a batch that must shrink puts its jobs back here
        busy = 0  # batches in flight: they may put jobs back, so idle workers wait for them
        changed = asyncio.Event()

        async def worker() -> None:
            nonlocal busy
            while True:
                if not queue:
                    if busy == 0:
                        changed.set()  # wake the others so that they end too
                        return
                    changed.clear()
                    await changed.wait()
                    continue
                size = max(1, chunk())
                batch = [queue.popleft() for _ in range(min(size, len(queue)))]
                if self.rate_limited_until is not None:
                    for job in batch:
                        emit(job.index, self._not_collected(job, _until(self.rate_limited_until)))
                    continue
                busy += 1
                try:
                    with deadline_scope(self.deadline):
                        await work(batch)
                except RateLimited as exc:
                    self._stop(exc.reset_at)
                    for job in batch:
                        emit(job.index, self._not_collected(job, _until(exc.reset_at)))
                except Exception as exc:  # noqa: BLE001 - one target's fault, recorded on it
                    for job in batch:
                        emit(job.index, self._facts(job.key, "error", error=self._reason(exc)))
                finally:
                    busy -= 1
                    changed.set()

        workers = [asyncio.create_task(worker()) for _ in range(min(self.concurrency, max(1, len(jobs))))]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in workers:
                task.cancel()

    # ------------------------------------------------------------------ helpers

    def _resumes(self, job: _Job) -> bool:
        """True for a repository whose fresh core facts only lack some extras (fetched over REST alone)."""
        cached = job.request.cached
        return bool(job.request.resume) and job.name is not None and cached is not None and cached.known and not self.settings.has_token

    def _not_collected(self, job: _Job, reason: str) -> Facts:
        """A job the budget did not reach: unknown, or the incomplete facts it already had (still incomplete)."""
        cached = job.request.cached
        if job.request.resume and cached is not None and cached.known:
            return cached
        return unknown_facts(job.key, reason)

    def _facts(self, key: str, status: str, *, data: dict[str, Any] | None = None, canonical: str | None = None, etag: str | None = None, error: str | None = None) -> Facts:
        # What GitHub said passes redaction here, before anything can store or print it.
        return Facts(target_key=key, status=status, fetched_at=self.clock(), data=redact_value(data or {}), canonical_key=canonical, etag=etag, error=redact(error) if error else None)  # type: ignore[arg-type]

    def _reason(self, exc: BaseException) -> str:
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if isinstance(exc, HTTPException):
            text = f"HTTP {int(exc.status_code)} {exc}"
        elif isinstance(exc, OffOriginRedirect):
            text = str(exc)
        return self.settings.redact(" ".join(text.split()))[:300]

    def _stop(self, reset_at: datetime) -> None:
        if self.rate_limited_until is None or reset_at > self.rate_limited_until:
            self.rate_limited_until = reset_at

    def _count(self, url: str, core: bool = False) -> None:
        self.stats.requests += 1
        self.stats.core_requests += core
        if url == self.settings.graphql_url:
            self.stats.graphql_requests += 1
        else:
            self.stats.rest_requests += 1

    def _count_retry(self, _state: Any) -> None:
        self.stats.retries += 1

    async def _retrying(self, call: Callable[[], Awaitable[Any]], *, unless: Callable[[BaseException], bool] | None = None) -> Any:
        async for attempt in self.retry.retrying(unless=unless, sleep=self.sleep, before_sleep=self._count_retry):
            with attempt:
                async with within_deadline():
                    return await call()
        raise AssertionError("unreachable")  # pragma: no cover

    async def _respect_limit(self, resource: str) -> None:
        """Before a request: when the budget is known to be spent, wait for reset or stop."""
        info = self._rate.get(resource)
        if info is not None and info.remaining <= 0 and info.reset_at is not None and info.reset_at > self.clock():
            await self._wait_or_stop(resource, info.reset_at)

    async def _wait_or_stop(self, resource: str, reset_at: datetime | None) -> None:
        """Sleep until ``reset_at`` when that is within max_wait; else stop the collection."""
        if len(self._ring) > 1:
            info = self._rate.get(resource)
            if info is None or info.remaining > 0:
                return  # another task has moved to a token with budget: try again with it
            fresh = self._ring.next_unspent(resource, self._rate, self.clock())
            if fresh is not None:
                self.settings, self._rate = self._ring.switch(fresh)
                self.stats.token_switches += 1
                return
            # Every token is spent: wait for (or stop at) the one that comes back first.
            self.settings, self._rate = self._ring.switch(self._ring.earliest_reset(resource))
            info = self._rate.get(resource)
            reset_at = info.reset_at if info is not None and info.reset_at is not None else reset_at
        if reset_at is None:
            reset_at = self.clock() + timedelta(seconds=60)
        if self.rate_limited_until is not None:
            raise RateLimited(self.rate_limited_until)
        if (reset_at - self.clock()).total_seconds() > self.max_wait:
            self._stop(reset_at)
            raise RateLimited(reset_at)
        async with self._wait_lock:  # one task waits, the others find the budget renewed
            info = self._rate.get(resource)
            delay = (reset_at - self.clock()).total_seconds()
            if info is not None and info.remaining <= 0 and delay > 0:
                self.stats.waited_seconds += delay + 1
                deadline = current_deadline()
                if deadline is not None:  # waiting for the budget is not the host being slow
                    deadline.extend(delay + 1)
                await self.sleep(delay + 1)
            self._rate[resource] = None

    def _note_rate(self, resource: str, headers: Any, used: Any = None) -> None:
        """Keep the lowest remaining seen in a window: answers arrive out of order."""
        if used is not None and used is not self.settings:
            return  # an answer to a token left meanwhile: it says nothing of the current one
        info = rest.rate_info(headers)
        if info is None:
            return
        known = self._rate.get(resource)
        if known is not None and known.reset_at == info.reset_at and known.remaining < info.remaining:
            return
        self._rate[resource] = info

    # ------------------------------------------------------------------ REST

    async def _rest_once(self, url: str, etag: str | None, core: bool = False) -> _Answer:
        used = self.settings
        api = RecordingAPI(self.client, used, on_request=lambda: self._count(url, core))
        extra = {"if-none-match": etag} if etag else None
        try:
            body = await api.getitem(url, extra_headers=extra)
        except HTTPException:  # 3xx/4xx/5xx: judged below from the raw answer
            body = _decode(api.last_content, api.last_headers.get("content-type"))
        except ValueError as exc:  # not UTF-8, or not JSON: a 2xx is retried, the rest judged by status
            if 200 <= (api.last_status or 0) < 300:
                raise TransientError(f"HTTP {api.last_status} from GitHub with an unreadable body ({type(exc).__name__})") from None
            body = _decode(api.last_content, api.last_headers.get("content-type"))
        status, headers = api.last_status or 0, api.last_headers
        if 200 <= status < 300 and isinstance(body, str):
            # An HTML page where JSON belongs: a proxy, a captive portal, a front end in trouble.
            kind = (headers.get("content-type") or "no content type").split(";")[0]
            raise TransientError(f"HTTP {status} from GitHub that is not JSON ({kind})")
        message = rest.message_of(body) if status >= 300 else ""
        if rest.is_secondary_limit(status, headers, message):
            raise TransientError(f"secondary rate limit (HTTP {status})", retry_after=rest.retry_after(headers) or 60.0)
        if status >= 500:
            raise TransientError(f"HTTP {status} from GitHub")
        if rest.is_primary_limit(status, headers, message):
            info = rest.rate_info(headers)
            reset_at = info.reset_at if info else None
            if used is self.settings:
                self._rate["core"] = rest.RateInfo(limit=info.limit if info else None, remaining=0, reset_at=reset_at)
            return _Answer(status, headers, body, primary_limited=True)
        self._note_rate("core", headers, used)
        if status == 304:
            self.stats.not_modified += 1
        return _Answer(status, headers, body)

    async def _rest(self, url: str, *, etag: str | None = None, wait: bool = True, core: bool = False) -> _Answer:
        """One REST GET with retries; a spent budget is waited for (or stops) when ``wait``."""
        while True:
            if wait:
                await self._respect_limit("core")
            self._inflight_rest += 1
            try:
                answer = await self._retrying(lambda: self._rest_once(url, etag, core))
            finally:
                self._inflight_rest -= 1
            if not answer.primary_limited or not wait:
                return answer
            info = rest.rate_info(answer.headers)
            await self._wait_or_stop("core", info.reset_at if info else None)

    def _budget_allows_extra(self) -> bool:
        """True while an extra request leaves enough budget for every core request still to come."""
        info = self._rate.get("core")
        if info is None:
            return True
        if info.reset_at is not None and info.reset_at <= self.clock():
            return True
        pending = self._pending_core
        # A rename costs a second core request that nobody can foresee: keep 5% (at least 1) spare.
        reserve = pending + self._inflight_rest + (max(1, -(-pending // 20)) if pending else 0)
        return info.remaining - reserve > 0

    async def _rest_job(self, job: _Job, emit: Callable[[int, Facts], None]) -> None:
        if job.name is None:
            try:
                answer = await self._rest(f"/users/{quote(job.owner)}", core=True)
            finally:
                self._pending_core -= 1
            emit(job.index, self._owner_from_rest(job, answer))
            return
        emit(job.index, await self._rest_repo(job))

    def _owner_from_rest(self, job: _Job, answer: _Answer) -> Facts:
        if answer.status == 200 and isinstance(answer.body, dict):
            return self._facts(job.key, "ok", data=rest.owner_facts(answer.body), etag=answer.headers.get("etag"))
        if answer.status == 404:
            return self._facts(job.key, "not_found", error="owner not found (HTTP 404)")
        return self._facts(job.key, "error", error=f"HTTP {answer.status}: {rest.message_of(answer.body)}"[:300])

    async def _rest_repo(self, job: _Job) -> Facts:
        request = job.request
        if self._resumes(job):  # core facts within --max-age: only what they lack, no core request
            return await self._resume(job, request.cached, request.resume)  # type: ignore[arg-type]
        etag = request.etag if request.cached is not None else None
        # A job counts as pending until its core facts are in (a rename costs a
        # second request), so extras of other repositories never eat into that.
        revalidated = None
        try:
            answer = await self._rest(f"/repos/{quote(job.owner)}/{quote(job.name or '')}", etag=etag, core=True)
            if answer.status == 304 and request.cached is not None:
                revalidated = replace(request.cached, fetched_at=self.clock())
            moved_from = None
            if answer.status in (301, 302, 307, 308):
                location = answer.headers.get("location") or (answer.body.get("url") if isinstance(answer.body, dict) else None)
                if not location:
                    return self._facts(job.key, "error", error=f"HTTP {answer.status} without a Location")
                moved_from = job.full_name
                answer = await self._rest(location, core=True)
        finally:
            self._pending_core -= 1
        if revalidated is not None:  # unchanged: fetch only what the cached facts still lack
            missing = resume.missing_parts(revalidated, request.subpaths)
            return await self._resume(job, revalidated, missing) if missing else revalidated
        return await self._repo_from_rest(job, answer, moved_from)

    async def _resume(self, job: _Job, cached: Facts, missing: frozenset[str]) -> Facts:
        """The cached facts with the extras they lacked, as far as the budget allows now.

        ``fetched_at`` stays the cached one's: the core facts are as old as they were."""
        data = {k: v for k, v in cached.data.items() if k != "skipped"}
        await self._rest_extras(job, data, only=missing)
        return replace(cached, data=redact_value(data))

    async def _repo_from_rest(self, job: _Job, answer: _Answer, moved_from: str | None) -> Facts:
        status, body = answer.status, answer.body
        message = rest.message_of(body)
        # A 404 or 403 is settled by its status; a cut or non-JSON body would only put noise in the reason.
        said = message if isinstance(body, dict) else ""
        if status in (404, 410):
            return self._facts(job.key, "not_found", error=f"HTTP {status}: {said or 'Not Found'}"[:300])
        if status in (403, 451):
            return self._facts(job.key, "blocked", error=f"HTTP {status}: {said or 'blocked'}"[:300])
        if status != 200 or not isinstance(body, dict):
            return self._facts(job.key, "error", error=f"HTTP {status}: {message}"[:300])
        data = rest.repo_facts(body)
        facts = self._repo_status(job, data, moved_from, etag=answer.headers.get("etag"))
        if facts.status in ("ok", "moved"):
            await self._rest_extras(job, data)
            facts = replace(facts, data=redact_value(data))
        return facts

    def _repo_status(self, job: _Job, data: dict[str, Any], moved_from: str | None, *, etag: str | None) -> Facts:
        """ok / moved / blocked from the facts of a repository that answered."""
        now_name = str(data.get("name_with_owner") or job.full_name)
        canonical = None
        if moved_from is not None or now_name.lower() != job.full_name.lower():
            moved_from = moved_from or job.full_name
            canonical = f"github:{now_name.lower()}"
        data["moved_from"] = moved_from
        status = "moved" if canonical else "ok"
        error = None
        if data.get("is_disabled"):
            status, error = "blocked", "repository disabled by GitHub"
        elif data.get("is_private"):
            status, error = "blocked", "repository is private"
        return self._facts(job.key, status, data=data, canonical=canonical, etag=etag, error=error)

    async def _rest_extras(self, job: _Job, data: dict[str, Any], only: frozenset[str] | None = None) -> None:
        """README, root listing and the rest (``only`` these), while the budget allows; skips are noted."""
        full = str(data.get("name_with_owner") or job.full_name)
        base = f"/repos/{quote(full)}"
        skipped: list[str] = []
        stop_reason: str | None = None
        for extra in REST_EXTRAS:
            if (extra == "subpaths" and not job.request.subpaths) or (only is not None and extra not in only):
                continue
            if extra == "citation_files" and "root_files" in data and not _listed_citation_files(data):
                data["citation_files"] = {}  # the listing shows none: known without a request
                continue
            if stop_reason is None and not self._budget_allows_extra():
                stop_reason = "REST budget kept for core facts"
            if stop_reason is not None:
                skipped.append(f"{extra}: {stop_reason}")
                continue
            try:
                limited = await self._rest_extra(extra, base, job, data)
            except Exception as exc:  # noqa: BLE001 - an extra never spoils the core facts
                skipped.append(f"{extra}: {self._reason(exc)}")
                continue
            if limited:
                stop_reason = "rate limited"
                skipped.append(f"{extra}: {stop_reason}")
        if skipped:
            data["skipped"] = skipped

    async def _rest_extra(self, extra: str, base: str, job: _Job, data: dict[str, Any]) -> bool:
        """Fetch one extra into ``data``; True when the primary limit answered."""
        if extra == "subpaths":
            found: dict[str, bool] = dict(data.get("subpaths") or {})  # a resumed job knows some already
            limited = False
            for ref, path in sorted(job.request.subpaths):
                if f"{ref}:{path}" in found:
                    continue
                if not self._budget_allows_extra():
                    break
                answer = await self._rest(f"{base}/contents/{quote(path)}?ref={quote(ref, safe='')}", wait=False)
                if answer.primary_limited:
                    limited = True
                    break
                if answer.status in (200, 404):
                    found[f"{ref}:{path}"] = answer.status == 200
            if found:
                data["subpaths"] = found  # partial: missing entries are unknown (and asked next run)
            if limited:
                return True
            if any(f"{ref}:{path}" not in found for ref, path in job.request.subpaths):
                raise RuntimeError("REST budget ran out before every sub-path was checked")
            return False
        if extra == "citation_files":
            return await self._rest_citation_files(base, data)
        url = {
            "readme": f"{base}/readme",
            "root_files": f"{base}/contents/",
            "commits": f"{base}/commits?per_page=1",
            "languages": f"{base}/languages",
            "releases": f"{base}/releases?per_page=1",
        }[extra]
        answer = await self._rest(url, wait=False)
        if answer.primary_limited:
            return True
        status, body = answer.status, answer.body
        link = answer.headers.get("link")
        if extra == "readme":
            if status == 200 and isinstance(body, dict):
                data["readme"] = rest.readme(body)
            elif status == 404:
                data["readme"] = None
            else:
                raise RuntimeError(f"HTTP {status}")
        elif extra == "root_files":
            if status == 200:
                data["root_files"] = rest.root_files(body)
            elif status == 404:  # "This repository is empty."
                data["root_files"] = []
            else:
                raise RuntimeError(f"HTTP {status}")
        elif extra == "commits":
            if status == 200:
                data.update(rest.commits(body, link))
                data["is_empty"] = not body
            elif status == 409:  # "Git Repository is empty."
                data.update({"is_empty": True, "last_commit_at": None, "commit_count": 0})
            else:
                raise RuntimeError(f"HTTP {status}")
        elif extra == "languages":
            if status == 200:
                data["languages"] = rest.languages(body)
            else:
                raise RuntimeError(f"HTTP {status}")
        elif extra == "releases":
            if status == 200:
                data.update(rest.releases(body, link))
            else:
                raise RuntimeError(f"HTTP {status}")
        return False

    async def _rest_citation_files(self, base: str, data: dict[str, Any]) -> bool:
        """CITATION.cff and .zenodo.json, each only if the root listing shows it: the GraphQL batch's fact.

        Without the listing nothing is known (the extra is skipped and resumed
        with it); a file the listing shows but GitHub no longer has is left out,
        as GraphQL leaves out a path that resolves to no blob."""
        if "root_files" not in data:
            raise RuntimeError("no root listing")
        found: dict[str, str] = {}
        for name in _listed_citation_files(data):
            if not self._budget_allows_extra():
                raise RuntimeError("REST budget kept for core facts")
            answer = await self._rest(f"{base}/contents/{quote(name)}", wait=False)
            if answer.primary_limited:
                return True
            if answer.status == 200 and isinstance(answer.body, dict):
                text = rest.decode_content(answer.body.get("content"), answer.body.get("encoding", "base64"))
                if text is not None and answer.body.get("encoding", "base64") == "base64":
                    found[name] = text[:CITATION_TEXT_LIMIT]
            elif answer.status != 404:
                raise RuntimeError(f"HTTP {answer.status}")
        data["citation_files"] = found
        return False

    async def _revalidate(self, job: _Job, emit: Callable[[int, Facts], None], leftovers: list[_Job]) -> None:
        """With a token: a conditional REST GET; 304 -> cached facts, else on to GraphQL."""
        request = job.request
        answer = await self._rest(f"/repos/{quote(job.owner)}/{quote(job.name or '')}", etag=request.etag, core=True)
        if answer.status == 304 and request.cached is not None and not resume.missing_parts(request.cached, request.subpaths):
            emit(job.index, replace(request.cached, fetched_at=self.clock()))
            return
        if answer.status in (404, 410):
            emit(job.index, self._facts(job.key, "not_found", error=f"HTTP {answer.status}: Not Found"))
            return
        if answer.status == 200:
            job.etag = answer.headers.get("etag")
        leftovers.append(job)

    # ------------------------------------------------------------------ GraphQL

    async def _graphql_once(self, batch: gql.Batch) -> tuple[dict[str, Any], httpx.Headers]:
        url, used = self.settings.graphql_url, self.settings
        api = RecordingAPI(self.client, used, on_request=lambda: self._count(url))
        try:
            data = await api.graphql(batch.query, endpoint=url, **batch.variables)
            return {"data": data}, api.last_headers
        except QueryError as exc:
            response = exc.response if isinstance(exc.response, dict) else {}
            if gql.is_rate_limited(response):
                info = rest.rate_info(api.last_headers)
                raise _PrimaryLimit(info.reset_at if info else None, used) from None
            if gql.is_timeout_answer(response) and not any((response.get("data") or {}).get(a) for a in batch.aliases):
                raise _TooHeavy("GraphQL query timed out") from None
            if (refused := gql.over_limit(response)) is not None:
                raise _OverLimit(refused) from None
            return response, api.last_headers
        except httpx.TimeoutException:
            raise _TooHeavy("GraphQL request timed out") from None
        except ValueError as exc:  # a body that is not UTF-8 or not JSON (cut short)
            status = api.last_status or 0
            if status in (502, 504):
                raise _TooHeavy(f"HTTP {status} from GitHub GraphQL") from None
            raise TransientError(f"HTTP {status} from GitHub GraphQL with an unreadable body ({type(exc).__name__})") from None
        except GitHubBroken as exc:
            status = int(exc.status_code)
            if status == 501:
                raise _NoGraphQL(f"GraphQL HTTP {status}") from None
            if status in (502, 504):
                raise _TooHeavy(f"HTTP {status} from GitHub GraphQL") from None
            raise TransientError(f"HTTP {status} from GitHub GraphQL") from None
        except BadGraphQLRequest as exc:
            status = int(exc.status_code)
            headers = api.last_headers
            message = rest.message_of(exc.response)
            if rest.is_secondary_limit(status, headers, message):
                raise TransientError("secondary rate limit (GraphQL)", retry_after=rest.retry_after(headers) or 60.0) from None
            if rest.is_primary_limit(status, headers, message):
                info = rest.rate_info(headers)
                raise _PrimaryLimit(info.reset_at if info else None, used) from None
            if status == 404:
                raise _NoGraphQL(f"GraphQL HTTP {status}") from None
            raise RuntimeError(f"GraphQL HTTP {status}: {message}"[:300]) from None
        except GraphQLException as exc:  # empty or non-JSON body
            status = api.last_status or 0
            if status in (404, 501):
                raise _NoGraphQL(f"GraphQL HTTP {status}") from None
            if status in (502, 504):
                raise _TooHeavy(f"HTTP {status} from GitHub GraphQL") from None
            if status >= 500 or status == 200:
                raise TransientError(f"HTTP {status} from GitHub GraphQL: unreadable body") from None
            raise RuntimeError(f"GraphQL HTTP {status}: {str(exc)[:200]}") from None

    async def _graphql_batch(self, jobs: list[_Job], emit: Callable[[int, Facts], None], generation: int) -> None:
        if self._graphql_missing:
            for job in jobs:  # one at a time: the batch size is 1 by now
                await self._rest_job(job, emit)
            return
        items = [gql.BatchItem(j.owner, j.name, tuple(sorted(j.request.subpaths)) if j.name else ()) for j in jobs]
        batch = gql.build_batch(items)
        splittable = len(jobs) > 1
        while True:
            await self._respect_limit("graphql")
            used = self.settings
            try:
                response, headers = await self._retrying(
                    lambda: self._graphql_once(batch),
                    unless=lambda exc: splittable and isinstance(exc, _TooHeavy),
                )
            except (_TooHeavy, _OverLimit):
                if not splittable:
                    raise  # one repository that keeps timing out, or is over the limits alone: an error on it
                self._shrink(generation, jobs)
                return
            except _NoGraphQL:
                # An API without GraphQL (some proxies, REST-only test servers): REST, one by one.
                self._graphql_missing = True
                self.batch_sizer.pin(1)
                self._requeue.extendleft(reversed(jobs))
                return
            except _PrimaryLimit as exc:
                if exc.used is None or exc.used is self.settings:
                    self._rate["graphql"] = rest.RateInfo(limit=None, remaining=0, reset_at=exc.reset_at)
                await self._wait_or_stop("graphql", exc.reset_at)
                continue
            break
        cut = gql.cut_aliases(response)  # answers GitHub's resource limits left partial
        if not cut:
            self.batch_sizer.succeeded()
        rate = gql.parse_rate(response.get("data"))
        if rate is not None:
            self.stats.graphql_points += int(rate.cost or 0)
            if used is self.settings:  # not an answer to a token left meanwhile
                self._rate["graphql"] = rest.RateInfo(limit=rate.limit, remaining=int(rate.remaining or 0), reset_at=rate.reset_at) if rate.remaining is not None else None
        else:
            self._note_rate("graphql", headers, used)
        results = gql.parse_batch(response, items)
        again: list[_Job] = []
        for job, alias in zip(jobs, batch.aliases):
            if alias in cut:  # GitHub's resource limits cut it: a smaller batch, below
                if not splittable:
                    emit(job.index, self._facts(job.key, "error", error=cut[alias][:300]))
                continue
            result = results[alias]
            if result.retry and job.tries < PARTIAL_RETRIES:
                job.tries += 1  # its part of the answer failed: ask again, in a later batch
                again.append(job)
                continue
            emit(job.index, self._graphql_facts(job, result))
        if cut and splittable:
            self._shrink(generation, [job for job, alias in zip(jobs, batch.aliases) if alias in cut], sent=len(jobs))
        if again:
            self.stats.retries += len(again)
            await self.sleep(min(self.retry.maximum, self.retry.initial * 2 ** max(j.tries for j in again)))
            self._requeue.extend(again)

    def _shrink(self, generation: int, jobs: list[_Job], *, sent: int | None = None) -> None:
        """A batch was too heavy: halve the size (once for batches that failed together), put ``jobs`` back."""
        if self.batch_sizer.failed(generation, sent=sent or len(jobs)):
            self.stats.batch_splits += 1
        self._requeue.extendleft(reversed(jobs))

    def _graphql_facts(self, job: _Job, result: gql.AliasResult) -> Facts:
        if result.kind == "ok":
            if job.name is None:
                return self._facts(job.key, "ok", data=result.data)
            return self._repo_status(job, dict(result.data), None, etag=job.etag)
        if result.kind == "not_found":
            return self._facts(job.key, "not_found", error=result.error)
        if result.kind == "blocked":
            return self._facts(job.key, "blocked", error=result.error)
        return self._facts(job.key, "error", error=self.settings.redact(result.error or "GraphQL error")[:300])
