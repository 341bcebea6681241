"""One audit run: ingest → extract → collect → check → score → store → report.

This module only wires the stages together; each stage lives in its own
module and the pure ones (extraction, checks, scoring) know nothing of I/O.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

from auditor.checking import Check
from auditor.config import AuditConfig
from auditor.discover import DEFAULT_SOURCES
from auditor.discover.comments import with_comment_links
from auditor.discover.stage import Discovery
from auditor.extract import cut_note, extract
from auditor.hosts.base import TargetRequest, unknown_facts
from auditor.ingest import read_records
from auditor.iterutil import chunks
from auditor.progress import as_progress
from auditor.models import Extraction, Facts, Link, Paper, Record, Target
from auditor.run_health import partial_reasons, target_health
from auditor.signals import raise_if_interrupted, run_async
from auditor.preflight import reports_not_written, writable_folder
from auditor.store import Store

if TYPE_CHECKING:
    from auditor.run_facts import RunFacts

Progress = Callable[[str], None]

#: How many records are ingested, extracted and written per transaction.
BATCH = 5_000
#: Repository links a project page may add to its paper (``--page-links``): a hostile page
#: listing a thousand repositories must not turn one paper into a thousand audits.
PAGE_LINKS = 5
#: Targets whose cached facts are read and planned at once (what gather_facts holds of the cache).
PLAN_BATCH = 1_000
#: Target kinds whose pages may link to the paper's code (:func:`links_through_pages`).
PAGE_KINDS = ("project_page", "web", "zenodo")


@dataclass(frozen=True)
class RunOptions:
    dumps: Sequence[Path]
    db: Path
    out: Path
    as_of: date
    config: AuditConfig
    checks: Sequence[str] | None = None  # None: every enabled check
    offline: bool = False
    max_wait: float = 300.0
    max_age: timedelta = timedelta(hours=24)
    archive_max_age: timedelta = timedelta(days=7)  # Software Heritage / Zenodo facts stay fresh this long
    refresh: bool = False
    allow_private_hosts: bool = False
    hosts: Sequence[str] | None = None  # collect only from these (registry.HOST_NAMES); None: all
    title_column: str | None = None
    abstract_column: str | None = None
    jobs: int | None = None  # processes for checks and scoring on a large run; None: the number of cores
    keep_runs: int | None = None  # forget all but this many latest runs, then compact the file
    max_error_share: float = 0.25  # more targets than this share in error/unknown: the run is partial
    shard: tuple[int, int] | None = None  # (K, N): collect only targets of shard K (auditor.shards); no checks
    discover: Sequence[str] = DEFAULT_SOURCES  # where to look for links (auditor.discover.SOURCES)
    page_links: int = PAGE_LINKS  # at most this many repository links added per project page

    def for_the_record(self) -> dict[str, object]:
        """The options as stored in `runs.options`: plain values, never a secret."""
        return {
            "dumps": [str(p) for p in self.dumps],
            "db": str(self.db),
            "out": str(self.out),
            "as_of": self.as_of.isoformat(),
            "checks": list(self.checks) if self.checks else None,
            "offline": self.offline,
            "max_wait": self.max_wait,
            "max_age_hours": self.max_age.total_seconds() / 3600,
            "archive_max_age_hours": self.archive_max_age.total_seconds() / 3600,
            "refresh": self.refresh,
            "hosts": list(self.hosts) if self.hosts else None,
            **({"shard": f"{self.shard[0]}/{self.shard[1]}"} if self.shard else {}),
            "discover": list(self.discover),
            "page_links": self.page_links,
        }


@dataclass
class RunSummary:
    run_id: str
    status: str = "running"
    records: int = 0
    papers: int = 0
    links: int = 0
    skipped_records: list[str] = field(default_factory=list)
    cut_abstracts: list[str] = field(default_factory=list)  # abstracts read only up to MAX_ABSTRACT_CHARS
    sources: dict[str, list[str]] = field(default_factory=dict)  # paper_id -> dumps it was seen in
    targets_by_status: Counter[str] = field(default_factory=Counter)
    rate_limited_until: datetime | None = None
    fetched: int = 0
    offline_reasons: list[str] = field(default_factory=list)  # hosts that could not be reached at all
    from_cache: int = 0
    partial_reasons: list[str] = field(default_factory=list)  # why the results are partial (run_health)
    token_checked: bool = False  # GitHub's token was checked once (GET /rate_limit) before collecting
    hub_token_checked: bool = False  # HF_TOKEN was checked once (GET /api/whoami-v2) before the Hub was asked
    warnings: list[str] = field(default_factory=list)  # one line each, printed on stderr (a refused token left out)
    discovery: Discovery | None = None  # what the discovery sources added and could not reach


@dataclass
class Run:
    """What every stage of one run shares: where to write, what was asked, what happened."""

    store: Store
    options: RunOptions
    summary: RunSummary
    progress: Progress
    env: Mapping[str, str]
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))  # "now": freshness, spent budgets


# --------------------------------------------------------------------------- ingest + extract


def ingest_and_extract(
    store: Store,
    run_id: str,
    dumps: Sequence[Path],
    summary: RunSummary,
    *,
    title_column: str | None = None,
    abstract_column: str | None = None,
    progress: Progress = lambda _: None,
    records: Iterator[Record] | None = None,
    comments: bool = True,
) -> None:
    """Read every dump, extract each distinct paper once, store both.

    Every file is opened before anything is written, so a bad file fails the
    command with its one-line error and leaves the database as it was.
    ``records`` are dumps already opened by :func:`open_dumps`. Nothing of a
    paper stays in memory but an 8-byte hash of its id: the later stages read
    the papers back from the store in batches (:func:`paper_batches`).
    """
    from auditor.extract_stream import SeenIds

    if records is None:
        records = open_dumps(dumps, summary, title_column=title_column, abstract_column=abstract_column)
    seen = SeenIds()
    stages = as_progress(progress)
    stages.start("read", None, "records")
    for batch in chunks(records, BATCH):
        new: list[tuple[str, Extraction]] = []
        for record in batch:
            paper = record.paper
            if paper.paper_id in seen:  # its fields' newest non-empty values: the store merges them
                continue
            seen.add(paper.paper_id)
            extraction = extract(paper.abstract)
            if extraction.cut_from is not None:
                summary.cut_abstracts.append(f"{record.sighting.source} record {record.sighting.position}: {cut_note(extraction)}")
            if comments:  # the arXiv comments' links, source "comments" (no network)
                extraction = with_comment_links(paper, extraction)
            new.append((paper.paper_id, extraction))
            summary.links += len(extraction.links)
        store.add_records(batch, run_id)
        store.add_extractions(new)
        summary.records += len(batch)
        stages.advance("read", len(batch))
    stages.finish("read")
    summary.papers = len(seen)


def paper_batches(run: Run) -> Iterator[list[tuple[Paper, Extraction]]]:
    """The run's papers with their extractions, read from the store :data:`BATCH` at a time."""
    return run.store.run_batches(run.summary.run_id, BATCH)


def run_links(run: Run, shard: tuple[int, int] | None = None) -> Iterator[Link]:
    """Every link of the run's papers (of shard ``shard``'s targets only), streamed from the store."""
    from auditor.shards import in_shard

    for batch in paper_batches(run):
        for _, extraction in batch:
            for link in extraction.links:
                if in_shard(link.target.key, shard):
                    yield link


def open_dumps(dumps: Sequence[Path], summary: RunSummary, *, title_column: str | None = None,
               abstract_column: str | None = None, env: Mapping[str, str] | None = None, offline: bool = False,
               allow_private_hosts: bool = False) -> Iterator[Record]:
    """Open every dump and read its first record now (InputError at once), then stream them all.

    Format and column errors surface before a database, a run row or a single
    record is written; unusable records go to ``summary.skipped_records``.
    """
    from auditor.discover.daily import is_daily, read_daily

    readers = [
        read_daily(str(path), env or {}, offline=offline, allow_private_hosts=allow_private_hosts)
        if is_daily(path) else  # the Hub's Daily Papers listing (hf-daily:DAY|WEEK|MONTH), read now
        read_records(
            path,
            title_column=title_column,
            abstract_column=abstract_column,
            on_skip=lambda source, pos, msg: summary.skipped_records.append(f"{source} record {pos}: {msg}"),
        )
        for path in dumps
    ]
    firsts = [(next(reader, None), reader) for reader in readers]

    def chained() -> Iterator[Record]:
        for first, reader in firsts:
            if first is not None:
                yield first
                yield from reader

    return chained()


# --------------------------------------------------------------------------- collect


def plan_collection(
    links: Iterable[Link],
    cached: Mapping[str, Facts],
    *,
    now: datetime,
    max_age: timedelta,
    refresh: bool,
) -> tuple[list[TargetRequest], dict[str, Facts]]:
    """Split targets into those to fetch and those whose cached facts are fresh.

    Facts that say nothing (unknown, error) are never fresh: they are fetched
    again, which is how an interrupted or rate-limited run resumes.
    """
    targets, subpaths = wanted_targets(links)
    return plan_targets(targets, subpaths, cached, now=now, max_age=max_age, refresh=refresh)


def wanted_targets(links: Iterable[Link]) -> tuple[dict[str, Target], dict[str, set[tuple[str, str]]]]:
    """The distinct targets of ``links`` (read once: a stream will do) and the sub-paths asked of each."""
    subpaths: dict[str, set[tuple[str, str]]] = defaultdict(set)
    targets: dict[str, Target] = {}
    for link in links:
        targets.setdefault(link.target.key, link.target)
        if link.ref and link.subpath and link.item in ("tree", "blob"):
            subpaths[link.target.key].add((link.ref, link.subpath))
    return targets, subpaths


def plan_targets(
    targets: Mapping[str, Target],
    subpaths: Mapping[str, set[tuple[str, str]]],
    cached: Mapping[str, Facts],
    *,
    now: datetime,
    max_age: timedelta,
    refresh: bool,
) -> tuple[list[TargetRequest], dict[str, Facts]]:
    """:func:`plan_collection` over targets already gathered by :func:`wanted_targets`."""
    to_fetch: list[TargetRequest] = []
    fresh: dict[str, Facts] = {}
    for key, target in targets.items():
        facts = cached.get(key)
        wanted = frozenset(subpaths.get(key, ()))
        within = facts is not None and not refresh and facts.known and now - facts.fetched_at <= max_age
        # What the facts still lack (extras a REST run skipped, sub-paths not yet looked for); a
        # missing or blocked repository has nothing more to ask.
        missing = _missing_parts(facts, target, wanted) if within else frozenset()
        if within and not missing:
            fresh[key] = facts  # type: ignore[assignment]
        else:
            to_fetch.append(
                TargetRequest(target=target, subpaths=wanted, etag=facts.etag if facts else None, cached=facts,
                              resume=missing)
            )
    return to_fetch, fresh


def _missing_parts(facts: Facts, target: Target, wanted: frozenset[tuple[str, str]]) -> frozenset[str]:
    if target.kind != "github_repo":
        return frozenset() if facts.status in ("not_found", "blocked") or wanted <= _known_subpaths(facts) else frozenset({"subpaths"})
    from auditor.hosts.github_resume import missing_parts

    return missing_parts(facts, wanted)


def _known_subpaths(facts: Facts) -> frozenset[tuple[str, str]]:
    found = facts.data.get("subpaths") or {}
    return frozenset(tuple(k.split(":", 1)) for k in found)  # type: ignore[misc]


async def check_tokens(run: Run, requests: Sequence[TargetRequest]) -> None:
    """TokenRefused when GitHub or the Hub is about to be asked and refuses every token given
    for it (free requests, once a run); a refused one among accepted GitHub tokens is left out."""
    from auditor.hosts.github import GitHubCollector
    from auditor.hosts.huggingface import HuggingFaceCollector

    if any(r.target.kind in HuggingFaceCollector.kinds for r in requests):
        await check_hub_token(run)
    if any(r.target.kind in GitHubCollector.kinds for r in requests):
        await check_github_tokens(run)


async def check_github_tokens(run: Run) -> None:
    """TokenRefused when GitHub refuses every token (once a run); one refused among accepted ones is left out of run.env."""
    options, summary = run.options, run.summary
    if summary.token_checked or (options.hosts is not None and "github" not in options.hosts):
        return
    from auditor.errors import TokenRefused
    from auditor.hosts.github_client import GitHubSettings
    from auditor.hosts.token_check import check_github_tokens as check_all, env_without

    summary.token_checked = True
    verdict = await check_all(GitHubSettings.from_env(run.env), run.env)
    if verdict.error is not None:
        raise TokenRefused(verdict.error)
    if verdict.dropped:  # the collectors are built from run.env: they never see a refused token
        run.env = env_without(run.env, verdict.dropped)
        summary.warnings.extend(verdict.warnings)


async def check_hub_token(run: Run) -> None:
    """TokenRefused when HF_TOKEN is set, the Hub is about to be asked, and it refuses the token (once a run)."""
    options, summary = run.options, run.summary
    if summary.hub_token_checked or options.offline or (options.hosts is not None and "huggingface" not in options.hosts):
        return
    from auditor.hosts.github_client import USER_AGENT
    from auditor.hosts.huggingface import HubSettings
    from auditor.hosts.token_check import check_hub_token as check

    summary.hub_token_checked = True
    settings = HubSettings.from_env(run.env)
    await check(settings.endpoint, settings.token, USER_AGENT)


async def collect_facts(run: Run, requests: Sequence[TargetRequest], into: "RunFacts") -> None:
    """Run every host's collector over its targets and store facts as they come; each
    target's facts are remembered in ``into`` (the store holds them once this returns)."""
    store, progress = run.store, run.progress
    from auditor.facts_writer import FactsWriter

    await check_tokens(run, requests)  # a refused token: one line before any collection
    github = _github_budget(run)  # (api, client, spent until) when an earlier run saw the budget spent
    seen: set[str] = set()
    # Written by a thread in large batches, off the event loop; a killed run keeps what it fetched.
    writer = FactsWriter(store)

    def keep(facts: Facts) -> None:
        seen.add(facts.target_key)
        into.keep(facts, stored=True)  # known facts replace what the store had; others are kept whole
        writer.put(facts)

    try:
        github_until = await _collect_all(run, requests, keep, github_spent=github[2] if github else None)
        for request in requests:  # a collector that forgot a target must not leave a hole
            if request.target.key not in seen:
                keep(unknown_facts(request.target.key, "not collected"))
    except BaseException:  # interrupted or failed: keep what is staged, merge it at the next open
        writer.close(merge=False)
        raise
    writer.close()
    if github is not None and github_until is not None:  # remembered: the next run asks nothing until then
        run.store.note_spent_budget(github[0], github[1], github_until)


def _github_budget(run: Run) -> tuple[str, str, datetime | None] | None:
    """The GitHub API and client whose spent budget is remembered (none with a token), and until when it is spent."""
    from auditor.hosts.github_budget import budget_client, still_spent
    from auditor.hosts.github_client import GitHubSettings

    settings = GitHubSettings.from_env(run.env)
    client = budget_client(settings)
    if client is None:
        return None
    return settings.api_url, client, still_spent(run.store.spent_budget_reset(settings.api_url, client), run.clock())


async def _collect_all(run: Run, requests: Sequence[TargetRequest], keep: Callable[[Facts], None], *,
                       github_spent: datetime | None = None) -> datetime | None:
    """Collect every host's targets; returns until when GitHub's budget is spent (None: it is not)."""
    options, summary = run.options, run.summary
    from auditor.hosts.registry import Host, build_collectors, unreachable_reason

    async with build_collectors(run.env, allow_private_hosts=options.allow_private_hosts, max_wait=options.max_wait) as hosts:
        by_host: dict[str, list[TargetRequest]] = defaultdict(list)
        for request in requests:
            host = next((h for h in hosts if request.target.kind in h.kinds), None)
            if host is None:
                keep(unknown_facts(request.target.key, f"no collector for {request.target.kind} targets"))
            elif options.hosts is not None and host.name not in options.hosts:
                keep(unknown_facts(request.target.key, f"not collected: {host.name} is not among --hosts"))
            else:
                by_host[host.name].append(request)
        busy = [h for h in hosts if h.name in by_host]
        github_until: list[datetime | None] = [github_spent]
        if github_spent is not None:  # spent: GitHub is sent nothing, not even the probe
            for host in busy:
                if host.name == "github":
                    host.collector.rate_limited_until = github_spent  # type: ignore[attr-defined]
        probes = [None if (h.name == "github" and github_spent is not None) else h.probe_url for h in busy]
        reasons = await asyncio.gather(*(unreachable_reason(url) for url in probes))
        probed = [reason for url, reason in zip(probes, reasons) if url is not None]
        if probed and all(probed):
            # Every host that can be probed failed: no general connectivity, so the many-host
            # collectors (web, forges) are not tried either. (A probe that answers proves nothing for them.)
            reasons = [reason or probed[0] for reason in reasons]
        for host, reason in zip(busy, reasons):
            if reason is not None:
                summary.offline_reasons.append(reason)
                for request in by_host.pop(host.name):
                    keep(unknown_facts(request.target.key, reason))

        stages = as_progress(run.progress)

        async def drain(host: Host) -> None:
            stage = f"collect {host.name}"
            stages.start(stage, len(by_host[host.name]), "targets")
            async for facts in host.collector.collect(by_host[host.name]):
                keep(facts)
                stages.advance(stage)
            stages.finish(stage)
            until = getattr(host.collector, "rate_limited_until", None)
            if until is not None:
                summary.rate_limited_until = max(filter(None, [summary.rate_limited_until, until]))
            if host.name == "github":  # stopped for it, or its answers said nothing is left
                github_until[0] = getattr(host.collector, "budget_spent_until", until)
            offline = getattr(host.collector, "offline_reason", None)  # many-host collectors: no host answered
            if offline and offline not in summary.offline_reasons:
                summary.offline_reasons.append(offline)

        await asyncio.gather(*(drain(h) for h in busy if h.name in by_host))
    return github_until[0]


def links_through_pages(links: Sequence[Link], facts_by_key: Mapping[str, Facts], limit: int = PAGE_LINKS) -> list[Link]:
    """Code repositories a paper's pages link to, as extra links marked ``via`` the page.

    A project page is often the only link in an abstract; the repository it
    points at is what a reviewer wants judged. Targets the abstract already
    links are not added twice. Each page adds at most ``limit`` repository links
    (source ``page``; scoring weighs them together as at most the abstract's own).
    """
    from dataclasses import replace

    from auditor.links import find_links

    known = {link.target.key for link in links}
    found: list[Link] = []
    ordinal = max((link.ordinal for link in links), default=-1) + 1
    for link in links:
        if link.source == "page" or link.target.kind not in PAGE_KINDS:
            continue
        facts = facts_by_key.get(link.target.key)
        urls = facts.data.get("code_links") if facts is not None and facts.known else None
        added = 0
        for candidate in find_links(" ".join(urls or [])):
            if candidate.target.key in known or added >= limit:
                continue
            known.add(candidate.target.key)
            found.append(replace(candidate, ordinal=ordinal, via=link.url, raw=candidate.url, source="page"))
            ordinal += 1
            added += 1
    return found


# --------------------------------------------------------------------------- the whole run


def run_audit(
    options: RunOptions,
    *,
    progress: Progress = lambda _: None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
    on_migrate: Callable[[str, int, int], None] | None = None,
) -> RunSummary:
    """Run one audit; the caller maps the summary to output and an exit code (``clock``: tests' "now";
    ``on_migrate``: told when the --db file is migrated from an older schema, see Store.open)."""
    from auditor.checking import discover_checks

    env = os.environ if env is None else env
    progress = as_progress(progress)
    checks = discover_checks()
    config = _with_selected_checks(options.config, checks, options.checks)
    # Input and output errors before anything is created: no database, no run row.
    summary = RunSummary(run_id="")
    records = open_dumps(options.dumps, summary, title_column=options.title_column,
                         abstract_column=options.abstract_column, env=env, offline=options.offline,
                         allow_private_hosts=options.allow_private_hosts)
    writable_folder(options.out, "--out")
    with Store.open(options.db, on_migrate=on_migrate) as store:
        run_id = summary.run_id = store.start_run(options.for_the_record(), options.as_of)
        with store.ending_on_error(run_id):
            ingest_and_extract(
                store,
                run_id,
                options.dumps,
                summary,
                progress=progress,
                records=records,
                comments="comments" in options.discover,
            )
            run = Run(store, options, summary, progress, env)
            if clock is not None:
                run.clock = clock
            audit_stored_papers(run, checks, config, discover=True)
        store.finish_run(run_id, summary.status, notes=summary.partial_reasons)
        write_run_reports(store, options, run_id, progress)
        if options.keep_runs:
            store.keep_runs(options.keep_runs)
    if options.keep_runs and str(options.db) != ":memory:":
        from auditor.store.compact import compact_file

        compact_file(options.db)
    return summary


def audit_stored_papers(run: Run, checks: Mapping[str, Check], config: AuditConfig, *, discover: bool) -> None:
    """Everything after ingest, over the run's papers as the store holds them (``audit run`` and
    ``audit merge``): discovery (when asked), collection, links through pages, archives, checks
    and scores, then the run's status in ``run.summary``. The papers are read back in batches.
    """
    from auditor.archival import gather_archives

    from auditor.run_facts import RunFacts

    options, summary = run.options, run.summary
    if discover:
        discover_links(run)
    # Every target's facts stay in the store; facts_by_key remembers which (auditor.run_facts),
    # and each batch of papers loads its own. With --shard, this machine's part of the targets only.
    facts_by_key = RunFacts(run.store.load_facts)
    gather_facts(run, run_links(run, options.shard), facts_by_key)
    raise_if_interrupted()
    add_links_through_pages(run, facts_by_key)
    summary.targets_by_status = facts_by_key.statuses()
    archive = gather_archives(run, run_links(run), facts_by_key)
    facts_by_key.keep_archive(archive)
    del archive
    if options.shard is None:  # a shard's scores would miss other shards' facts: audit merge scores
        run.progress.start("check", summary.papers, "papers")
        check_and_score(run.store, summary.run_id, (item for batch in paper_batches(run) for item in batch),
                        facts_by_key, options.as_of, checks, config, jobs=options.jobs or _cores(),
                        papers_count=summary.papers, on_paper=lambda: run.progress.advance("check"))
        run.progress.finish("check")
    raise_if_interrupted()  # a Ctrl-C or SIGTERM whose exception was swallowed still ends the run here
    summary.partial_reasons = partial_reasons(
        # --offline attempts nothing: its unknowns are asked for, not a failure to collect.
        target_health([] if options.offline else facts_by_key.briefs()),
        rate_limited_until=summary.rate_limited_until,
        max_error_share=options.max_error_share,
    )
    summary.status = "partial" if summary.partial_reasons else "done"


def write_run_reports(store: Store, options: RunOptions, run_id: str, progress: Progress) -> None:
    """The run's scorecards in ``options.out`` (one line when they cannot be written: the database has it all)."""
    from auditor.report import write_reports

    try:
        write_reports(store, options.out, run_id, progress=progress)
    except OSError as exc:
        raise reports_not_written(options.out, options.db, exc) from None


def discover_links(run: Run) -> None:
    """Links the abstract does not give: the Hub's paper pages and, when asked, GitHub's search.

    (The comments' links were read at ingest.) Each source's answers are
    cached like facts; a source that cannot run leaves its papers ``unknown``.
    Papers go a batch at a time; what each source said of each paper is stored
    (table ``discovery``), where the batches of the later stages read it for the paper-scope checks.
    """
    from auditor.discover.stage import Discovery, discover

    options, store = run.options, run.store
    skip: dict[str, str] = {}
    if options.hosts is not None and "huggingface" not in options.hosts:
        skip["hf_paper"] = "not searched: huggingface is not among --hosts"
    if options.hosts is not None and "github" not in options.hosts:
        skip["github_search"] = "not searched: github is not among --hosts"
    if any(s in options.discover for s in ("hf_paper", "github_search")):
        run.progress("discovering links beyond the abstracts")
    if "hf_paper" in options.discover and run.summary.papers:  # the Hub's paper pages: a refused HF_TOKEN stops here
        run_async(check_hub_token(run))
    if "github_search" in options.discover and run.summary.papers and not options.offline:  # GitHub's search: the tokens first
        run_async(check_github_tokens(run))
    total = Discovery()
    for batch in paper_batches(run):
        papers = {paper.paper_id: (_as_dumped(paper), extraction) for paper, extraction in batch}
        found, report = discover(
            papers, sources=options.discover, load=store.load_facts, save=store.save_facts, env=run.env,
            offline=options.offline, max_age_seconds=options.max_age.total_seconds(), refresh=options.refresh,
            allow_private_hosts=options.allow_private_hosts, skip_reason=skip, max_wait=options.max_wait,
        )
        store.save_discovery(run.summary.run_id, [paper for paper, _ in found.values()])
        grown = [(pid, ex) for pid, (_, ex) in found.items() if len(ex.links) != len(papers[pid][1].links)]
        if grown:
            store.add_extractions(grown)
            run.summary.links += sum(len(ex.links) - len(papers[pid][1].links) for pid, ex in grown)
        if report.identities:
            store.save_identities(report.identities)
        total.links.update(report.links)
        total.not_reached.update(report.not_reached)
        total.requests.update(report.requests)
        for source, why in report.reasons.items():
            total.reasons.setdefault(source, why)
    run.summary.discovery = total


def _as_dumped(paper: Paper) -> Paper:
    """The paper as the dumps gave it: an arXiv id an earlier run's title search settled is searched
    again (from the cache while it is fresh), as is one that search could not settle."""
    from dataclasses import replace

    if paper.arxiv_id_via == "hf_search":
        return replace(paper, arxiv_id=None, arxiv_id_via=None, arxiv_id_match=None)
    if paper.arxiv_id is None and paper.arxiv_id_match is not None:
        return replace(paper, arxiv_id_match=None)
    return paper


def gather_facts(run: Run, links: Iterable[Link], facts_by_key: "RunFacts") -> None:
    """Facts for every target of ``links`` (a stream is read once) not yet in ``facts_by_key``:
    from the cache or the network, remembered in ``facts_by_key`` (the store keeps them).

    The cache is read and planned :data:`PLAN_BATCH` targets at a time, so only the facts still
    to be asked for (their ETags, what they lack) are held at once."""
    options, summary = run.options, run.summary
    targets, subpaths = wanted_targets(link for link in links if link.target.key not in facts_by_key)
    requests: list[TargetRequest] = []
    offline: list[Facts | tuple[str, str]] = []  # placeholders, or (key, status) of stale facts the store holds
    now = run.clock()
    for keys in chunks(targets, PLAN_BATCH):
        cached = run.store.load_facts(keys)
        wanted, fresh = plan_targets(
            {k: targets[k] for k in keys}, subpaths, cached, now=now, max_age=options.max_age, refresh=options.refresh
        )
        for facts in fresh.values():
            facts_by_key.keep(facts, stored=True)
        summary.from_cache += len(fresh)
        if options.offline:  # cached facts of any age beat no facts; nothing is fetched or stored
            for request in wanted:
                key, stale = request.target.key, request.cached
                known = stale is not None and stale.known
                offline.append((key, stale.status) if known else unknown_facts(key, "offline: not collected (--offline)"))  # type: ignore[union-attr]
        else:
            requests += wanted
    for item in offline:  # after every fresh target, as the run has always listed them
        if isinstance(item, tuple):
            facts_by_key.keep_stored(*item)
        else:
            facts_by_key.keep(item, stored=False)
    if requests:
        summary.fetched += len(requests)
        run_async(collect_facts(run, requests, into=facts_by_key))


def add_links_through_pages(run: Run, facts_by_key: "RunFacts") -> None:
    """Second, smaller round: audit the repositories that the papers' pages link to.

    One pass over the stored papers adds each paper's page links to the store
    (each batch reads its pages' facts in one query); their facts then join ``facts_by_key``.
    """
    from dataclasses import replace

    new_links: list[Link] = []
    for batch in paper_batches(run):
        extra: list[tuple[str, Extraction]] = []
        pages = facts_by_key.load(link.target.key for _, extraction in batch for link in extraction.links
                                  if link.source != "page" and link.target.kind in PAGE_KINDS)
        for paper, extraction in batch:
            found = links_through_pages(extraction.links, pages, run.options.page_links)
            if found:
                extra.append((paper.paper_id, replace(extraction, links=extraction.links + tuple(found))))
                new_links += found
        if extra:
            run.store.add_extractions(extra)
    if new_links:
        gather_facts(run, new_links, facts_by_key)
        run.summary.links += len(new_links)


def check_and_score(
    store: Store,
    run_id: str,
    papers: Iterable[tuple[Paper, Extraction]],
    facts_by_key: "RunFacts",
    as_of: date,
    checks: Mapping[str, Check],
    config: AuditConfig,
    *,
    jobs: int = 1,
    papers_count: int | None = None,
    on_paper: Callable[[], None] = lambda: None,
) -> None:
    """Run the enabled checks on every paper, score links and papers, store both (buffered by the store).

    Papers go in batches, on ``jobs`` processes for a large run (auditor.check_batches)."""
    from auditor.check_batches import scored_papers

    for paper_id, outcomes, link_scores, paper_score in scored_papers(
        papers, facts_by_key, as_of, checks, config, jobs=jobs, papers_count=papers_count
    ):
        store.save_outcomes(run_id, outcomes)
        store.save_scores(run_id, paper_id, link_scores, paper_score)
        on_paper()


def _cores() -> int:
    from auditor.extract_stream import default_jobs

    return default_jobs()


def _with_selected_checks(config: AuditConfig, checks: Mapping[str, Check], names: Sequence[str] | None) -> AuditConfig:
    """The configuration limited to ``--checks``; the config is what evaluation reads to pick checks."""
    if not names:
        return config
    unknown = [n for n in names if n not in checks]
    if unknown:
        from auditor.errors import ConfigError

        from auditor.preflight import unknown_names

        raise ConfigError(unknown_names("check", unknown, list(checks)))
    return config.select(names)
