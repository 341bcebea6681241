"""The archive pass of a run: Software Heritage and Zenodo facts for the repositories found.

Runs after the repositories' own facts are in (it needs their current name,
README and listing), with its own cache age (``--archive-max-age``, 7 days by
default: archives rarely change) and its own time budget, so that it never
holds up the rest of the run. Its facts are stored as ``archive:<target key>``
and handed to checks inside the repository's facts as ``data["archive"]``
(``{status, error, fetched_at, origin, swh, zenodo, doi_hints}``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from auditor.hosts.archives import ARCHIVE_PREFIX, ArchiveCollector, ArchiveRequest, archive_key, plan_archive_requests
from auditor.hosts.base import unknown_facts
from auditor.iterutil import chunks
from auditor.models import Facts, Link, Target
from auditor.signals import run_async

if TYPE_CHECKING:
    from auditor.run_facts import RunFacts

ARCHIVE_KINDS = frozenset({"github_repo", "forge_repo"})
HOST_NAME = "archives"
#: Repositories whose facts are read at once to plan the archive requests.
PLAN_BATCH = 1_000


def with_archive(facts_by_key: Mapping[str, Facts], archive: Mapping[str, Facts]) -> dict[str, Facts]:
    """Pure: each repository's facts with its archive facts inside, as ``data["archive"]``."""
    merged = dict(facts_by_key)
    for key, facts in facts_by_key.items():
        found = archive.get(archive_key(key))
        if found is None:
            continue
        block: dict[str, Any] = {"status": found.status, "error": found.error,
                                 "fetched_at": found.fetched_at.isoformat(), **dict(found.data or {})}
        merged[key] = replace(facts, data={**dict(facts.data or {}), "archive": block})
    return merged


def _fresh(facts: Facts | None, now: datetime, max_age: timedelta) -> bool:
    return facts is not None and facts.known and now - facts.fetched_at <= max_age


def gather_archives(run: Any, links: Iterable[Link], facts_by_key: "RunFacts") -> dict[str, Facts]:
    """Archive facts for every known repository among ``links``: cache, else Software Heritage and Zenodo."""
    options = run.options
    targets: dict[str, Target] = {}
    for link in links:
        if link.target.kind in ARCHIVE_KINDS and link.target.key in facts_by_key:
            targets[link.target.key] = link.target
    requests: list[ArchiveRequest] = []
    for keys in chunks(targets, PLAN_BATCH):  # the repositories' facts a batch at a time, one query each
        facts = facts_by_key.load(keys)
        requests += plan_archive_requests([(targets[k], facts[k]) for k in keys])
    if not requests:
        return {}
    cached = run.store.load_facts({r.key for r in requests})
    now = datetime.now(timezone.utc)
    found = {k: f for k, f in cached.items() if not options.refresh and _fresh(f, now, options.archive_max_age)}
    todo = [r for r in requests if r.key not in found]
    allowed = options.hosts is None or HOST_NAME in options.hosts
    if options.offline or not allowed or not todo:
        why = "offline: not collected (--offline)" if options.offline else f"not collected: {HOST_NAME} is not among --hosts"
        for request in todo:
            stale = cached.get(request.key)
            found[request.key] = stale if stale is not None and stale.known else unknown_facts(request.key, why)
        return found
    run.progress(f"archives: {len(todo)} repositories")
    collected = run_async(_collect(run, todo))
    run.store.save_facts(collected.values())
    found.update(collected)
    return found


async def _collect(run: Any, todo: list[ArchiveRequest]) -> dict[str, Facts]:
    from auditor.hosts.registry import build_archive_collector, unreachable_reason

    out: dict[str, Facts] = {}
    async with build_archive_collector(run.env, allow_private_hosts=run.options.allow_private_hosts,
                                       max_wait=min(run.options.max_wait, 60.0)) as collector:
        reason = await unreachable_reason(collector.settings.swh_url + "/api/1/")
        if reason is not None:
            run.summary.offline_reasons.append(reason)
            return {r.key: unknown_facts(r.key, reason) for r in todo}
        async for facts in collector.collect(todo):
            out[facts.target_key] = facts
    for request in todo:
        out.setdefault(request.key, unknown_facts(request.key, "not collected"))
    return out


def is_archive_key(key: str) -> bool:
    return key.startswith(ARCHIVE_PREFIX)
