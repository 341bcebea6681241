"""The discovery stage of a run: links the abstract does not give, each marked with its source.

Runs after ingest and before collection, so every discovered link is
collected and checked like an abstract link. What each source said of each
paper is put on ``Paper.discovery`` for the paper-scope checks, which stay
pure. No source ever fails a run: a host that cannot be reached, an error,
``--offline`` make that source ``unknown`` for the papers it could not serve,
with the reason.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Iterable, Mapping

from auditor.discover.comments import merged
from auditor.discover.fetch import HubPapers, paper_key, search_key
from auditor.discover.hub import PUBLIC_HUB, code_urls, resolve_title
from auditor.links import find_links
from auditor.models import REPOSITORY_KINDS, Extraction, Facts, Paper
from auditor.signals import run_async

Papers = dict[str, tuple[Paper, Extraction]]


@dataclass
class Discovery:
    """What the stage did, for the run's summary."""

    links: Counter[str] = field(default_factory=Counter)  # links added, by source
    not_reached: Counter[str] = field(default_factory=Counter)  # papers a source could not serve
    reasons: dict[str, str] = field(default_factory=dict)  # source -> why (first reason)
    requests: Counter[str] = field(default_factory=Counter)  # answers fetched (not cached), by kind
    identities: list[Paper] = field(default_factory=list)  # papers whose arXiv id the search settled


def outcomes_of(paper: Paper, extraction: Extraction, sources: Iterable[str]) -> dict[str, str]:
    """The sources that need no network: the abstract always, the comments when the dump has them."""
    out = {"abstract": "searched"}
    if "comments" in sources:
        out["comments"] = "searched" if paper.comments else "absent: the dump has no comments"
    return out


def discover(
    papers: Papers,
    *,
    sources: Iterable[str],
    load: Callable[[set[str]], Mapping[str, Facts]],
    save: Callable[[list[Facts]], Any],
    env: Mapping[str, str],
    offline: bool = False,
    max_age_seconds: float = 24 * 3600,
    refresh: bool = False,
    allow_private_hosts: bool = False,
    skip_reason: Mapping[str, str] | None = None,
    max_wait: float = 300.0,
) -> tuple[Papers, Discovery]:
    """Run the network sources over ``papers``; returns them with links and outcomes added."""
    sources = tuple(sources)
    report = Discovery()
    outcomes = {pid: outcomes_of(p, ex, sources) for pid, (p, ex) in papers.items()}
    declared: dict[str, list[tuple[str, str]]] = {pid: [] for pid in papers}
    if "comments" in sources:
        for pid, (paper, _) in papers.items():
            declared[pid] += [("comments", k) for k in repository_keys(paper.comments)]
    for pid, (_, ex) in papers.items():
        report.links.update(link.source for link in ex.links if link.source != "abstract")
    updated = dict(papers)
    if "hf_paper" in sources:  # what a Daily Papers listing already said of the paper's code
        for pid, (paper, ex) in papers.items():
            if paper.listed_code:
                found = find_links(" ".join(paper.listed_code))
                grown = merged(ex, found, "hf_paper", via=f"{PUBLIC_HUB}/papers/{paper.arxiv_id}" if paper.arxiv_id else None)
                report.links["hf_paper"] += len(grown.links) - len(ex.links)
                declared[pid] += [("hf_paper", k) for k in repository_keys(" ".join(paper.listed_code))]
                updated[pid] = (paper, grown)
    if "hf_paper" in sources or "github_search" in sources:
        updated = run_async(_network(updated, sources, outcomes, report, declared, load=load, save=save, env=env,
                                       offline=offline, max_age_seconds=max_age_seconds, refresh=refresh,
                                       allow_private_hosts=allow_private_hosts, skip_reason=skip_reason or {},
                                       max_wait=max_wait))
    for pid, (paper, ex) in updated.items():
        updated[pid] = (replace(paper, discovery=tuple(outcomes[pid].items()),
                                declared=tuple(dict.fromkeys(declared[pid]))), ex)
    return updated, report


class _Lookups:
    """Cached answers by key: fresh ones from the store, the rest fetched once, all saved."""

    def __init__(self, load: Callable[[set[str]], Mapping[str, Facts]], save: Callable[[list[Facts]], Any],
                 *, offline: bool, max_age_seconds: float, refresh: bool, report: Discovery) -> None:
        self.load, self.save, self.offline = load, save, offline
        self.max_age, self.refresh, self.report = max_age_seconds, refresh, report

    async def get(self, keys: Iterable[str], fetch: Callable[[str], Awaitable[Facts]], kind: str,
                  unreachable: Callable[[], Awaitable[str | None]]) -> dict[str, Facts]:
        keys = set(keys)
        if not keys:
            return {}
        cached = dict(self.load(keys))
        now = datetime.now(timezone.utc)
        out: dict[str, Facts] = {}
        missing: list[str] = []
        for key in sorted(keys):
            facts = cached.get(key)
            fresh = facts is not None and facts.known and not self.refresh and (
                (now - facts.fetched_at).total_seconds() <= self.max_age)
            if fresh or (self.offline and facts is not None and facts.known):
                out[key] = facts  # type: ignore[assignment]
            else:
                missing.append(key)
        if not missing:
            return out
        why = "offline: not searched (--offline)" if self.offline else await unreachable()
        if why:
            for key in missing:
                out[key] = Facts(key, "unknown", now, error=why)
            return out
        got = await asyncio.gather(*(self._one(key, fetch) for key in missing))
        self.report.requests[kind] += len(got)
        self.save(list(got))
        out.update({f.target_key: f for f in got})
        return out

    @staticmethod
    async def _one(key: str, fetch: Callable[[str], Awaitable[Facts]]) -> Facts:
        from auditor.safefetch import describe_failure

        try:
            return await fetch(key)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one paper's fault must not stop the rest
            return Facts(key, "error", datetime.now(timezone.utc), error=describe_failure(exc)[1])


def _why(facts: Facts | None) -> str:
    if facts is None:
        return "unknown: not searched"
    return f"unknown: {facts.error or facts.status}"


async def _hub(papers: Papers, outcomes: dict[str, dict[str, str]], report: Discovery, *, load, save, env,
               offline: bool, max_age_seconds: float, refresh: bool, allow_private_hosts: bool,
               skip: str | None, declared: dict[str, list[tuple[str, str]]]) -> Papers:
    from auditor.hosts.registry import unreachable_reason

    lookups = _Lookups(load, save, offline=offline, max_age_seconds=max_age_seconds, refresh=refresh, report=report)
    async with HubPapers.from_env(env, allow_private_hosts=allow_private_hosts) as hub:
        limit = hub.limiter("hub")

        async def bounded(call: Awaitable[Facts]) -> Facts:
            async with limit:
                return await call

        if skip is not None:  # the user left this source's host out (--hosts): not searched, by choice
            out = dict(papers)
            for pid in out:
                outcomes[pid]["hf_paper"] = f"not_searched: {skip}"
            report.reasons.setdefault("hf_paper", skip)
            return out
        probed: list[str | None] = []

        async def unreachable() -> str | None:
            """Whether the Hub answers at all, asked once and only when something is not cached."""
            if not probed:
                probed.append(await unreachable_reason(hub.settings.endpoint))
            return probed[0]

        # 1. titles without an arXiv id: one search each, only an exact title counts
        untitled = {pid: p for pid, (p, _) in papers.items() if p.arxiv_id is None}
        by_title = {pid: search_key(p.title) for pid, p in untitled.items()}
        titles = {search_key(p.title): p.title for p in untitled.values()}
        searched = await lookups.get(titles, lambda k: bounded(hub.search(titles[k])), "hf_search", unreachable)
        out = dict(papers)
        for pid, paper in untitled.items():
            facts = searched.get(by_title[pid])
            if facts is None or not facts.known:
                match, ident = _why(facts), None
            else:
                ident, match = resolve_title(paper.title, facts.data.get("matches") or [])
            changed = replace(paper, arxiv_id_match=match)
            if ident is not None:
                changed = replace(changed, arxiv_id=ident, arxiv_id_via="hf_search")
            out[pid] = (changed, out[pid][1])
            report.identities.append(changed)

        # 2. the paper page of every paper with an arXiv id
        ids = {paper_key(p.arxiv_id): p.arxiv_id for p, _ in out.values() if p.arxiv_id}
        pages = await lookups.get(ids, lambda k: bounded(hub.paper(ids[k])), "hf_paper", unreachable)
        for pid, (paper, extraction) in out.items():
            if paper.arxiv_id is None:
                outcomes[pid]["hf_paper"] = f"no_id: no arXiv id ({paper.arxiv_id_match or 'none in the dump'})"
                if (paper.arxiv_id_match or "").startswith("unknown"):
                    outcomes[pid]["hf_paper"] = paper.arxiv_id_match  # type: ignore[assignment]
                    _not_reached(report, "hf_paper", paper.arxiv_id_match)
                continue
            facts = pages.get(paper_key(paper.arxiv_id))
            if facts is not None and facts.status == "ok":
                found = find_links(" ".join(code_urls(facts.data)))
                grown = merged(extraction, found, "hf_paper", via=f"{PUBLIC_HUB}/papers/{paper.arxiv_id}")
                report.links["hf_paper"] += len(grown.links) - len(extraction.links)
                declared[pid] += [("hf_paper", k) for k in repository_keys(facts.data.get("github_repo"))]
                out[pid] = (paper, grown)
                outcomes[pid]["hf_paper"] = "searched"
            elif facts is not None and facts.status == "not_found":
                outcomes[pid]["hf_paper"] = "not_indexed"
            else:
                outcomes[pid]["hf_paper"] = _why(facts)
                _not_reached(report, "hf_paper", _why(facts))
        return out


async def _network(papers: Papers, sources: tuple[str, ...], outcomes: dict[str, dict[str, str]], report: Discovery,
                   declared: dict[str, list[tuple[str, str]]], *, load, save, env, offline: bool, max_age_seconds: float,
                   refresh: bool, allow_private_hosts: bool, skip_reason: Mapping[str, str], max_wait: float) -> Papers:
    """The Hub and GitHub search at once: the search starts on the ids the dumps gave while the
    Hub's title search settles the others, which are searched after it."""
    lookups = _Lookups(load, save, offline=offline, max_age_seconds=max_age_seconds, refresh=refresh, report=report)
    search = _Search(env, lookups, max_wait, skip_reason.get("github_search")) if "github_search" in sources else None
    early = asyncio.ensure_future(search.facts({p.arxiv_id for p, _ in papers.values() if p.arxiv_id})) if search else None
    try:
        out = papers
        if "hf_paper" in sources:
            out = await _hub(papers, outcomes, report, load=load, save=save, env=env, offline=offline,
                             max_age_seconds=max_age_seconds, refresh=refresh, allow_private_hosts=allow_private_hosts,
                             skip=skip_reason.get("hf_paper"), declared=declared)
        if search is not None and early is not None:
            found = await early
            found.update(await search.facts({p.arxiv_id for p, _ in out.values() if p.arxiv_id} - set(found)))
            out = search.apply(out, found, outcomes, report)
        return out
    finally:
        if early is not None and not early.done():  # interrupted: the search must not outlive its client
            early.cancel()
        if search is not None:
            await search.close()


class _Search:
    """GitHub's repository search (``github_search``): one request per paper with an arXiv id, in budget."""

    def __init__(self, env: Mapping[str, str], lookups: "_Lookups", max_wait: float, skip: str | None) -> None:
        from auditor.discover.search import GitHubSearch, SearchBudget
        from auditor.hosts.github_client import GitHubSettings

        self.settings = GitHubSettings.from_env(env)
        self.lookups, self.skip = lookups, skip
        self.client = GitHubSearch(self.settings.api_url, self.settings.token, SearchBudget(max_wait))
        self._probed: list[str | None] = []

    async def close(self) -> None:
        await self.client.__aexit__(None, None, None)

    async def _unreachable(self) -> str | None:
        from auditor.hosts.registry import unreachable_reason

        if not self._probed:
            self._probed.append(await unreachable_reason(self.settings.api_url))
        return self._probed[0]

    async def facts(self, arxiv_ids: set[str]) -> dict[str, Facts]:
        """arXiv id -> the search's facts (cached, fetched, or why not)."""
        from auditor.discover.search import search_key as gh_key

        if self.skip is not None or not arxiv_ids:
            return {}
        keys = {gh_key(i): i for i in arxiv_ids}
        got = await self.lookups.get(keys, lambda k: self.client.paper(keys[k]), "github_search", self._unreachable)
        return {keys[k]: f for k, f in got.items()}

    def apply(self, papers: Papers, found: Mapping[str, Facts], outcomes: dict[str, dict[str, str]],
              report: Discovery) -> Papers:
        """The papers with the repositories their search found (source ``github_search``) and its outcome."""
        from auditor.discover.search import REPOS_PER_PAPER

        out = dict(papers)
        if self.skip is not None:  # the user left GitHub out (--hosts): not searched, by choice
            for pid in out:
                outcomes[pid]["github_search"] = f"not_searched: {self.skip}"
            report.reasons.setdefault("github_search", self.skip)
            return out
        for pid, (paper, extraction) in papers.items():
            if paper.arxiv_id is None:
                outcomes[pid]["github_search"] = f"no_id: no arXiv id ({paper.arxiv_id_match or 'none in the dump'})"
                continue
            facts = found.get(paper.arxiv_id)
            if facts is not None and facts.status == "ok":
                links = find_links(" ".join(facts.data.get("repositories") or []))
                grown = merged(extraction, links, "github_search", limit=REPOS_PER_PAPER)
                report.links["github_search"] += len(grown.links) - len(extraction.links)
                out[pid] = (paper, grown)
                outcomes[pid]["github_search"] = "searched"
            else:
                outcomes[pid]["github_search"] = _why(facts)
                _not_reached(report, "github_search", _why(facts))
        return out


def repository_keys(text: str | None) -> list[str]:
    """Target keys of the code repositories a text links."""
    if not text:
        return []
    return list(dict.fromkeys(link.target.key for link in find_links(text) if link.target.kind in REPOSITORY_KINDS))


def _not_reached(report: Discovery, source: str, why: str | None) -> None:
    report.not_reached[source] += 1
    report.reasons.setdefault(source, (why or "unknown").removeprefix("unknown: "))
