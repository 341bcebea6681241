"""Every fault a collector can meet ends with the facts of a clean run (after retries) or an
explicit per-target error or unknown with its reason: never a crash, never a wrong verdict.

One matrix per collector, each fault twice: ``once`` (the first request meets it, the retry
must recover the clean run's facts exactly) and ``always`` (every request meets it: each target
ends in ``error``/``unknown`` with a one-line reason, or keeps what it could have, and a
repository that exists is never "not found", nor a missing one "ok").

Servers: the fake GitHub (tests/fakegithub, fault kinds in its faults.py) and tests/localhosts
(:class:`Faulty` routes) on 127.0.0.1, collectors in process, retries with tiny waits.
Shapes: GitHub's secondary-limit 403/429 with ``retry-after`` and its documented message, the
primary limit's 403/429 with ``x-ratelimit-remaining: 0`` and the reset (docs.github.com,
"Rate limits for the REST API"); GraphQL partial answers keep ``data`` beside ``errors`` whose
``path`` names what failed, as GitHub answers a missing repository (``type: NOT_FOUND``,
``path: ["rN"]``; the same shape carries other failures, e.g. "Something went wrong while
executing your query. This may be the result of a timeout..."); the Hub's 429 carries IETF
``RateLimit`` headers (huggingface.co/docs/hub/rate-limits).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from localhosts import fakehub
from localhosts.server import Faulty, LocalServer, Reply

from auditor.hosts import github_resume as resume
from auditor.hosts.base import TargetRequest
from auditor.hosts.github import GitHubCollector
from auditor.hosts.github_client import GitHubSettings, make_client
from auditor.hosts.huggingface import HubSettings, HuggingFaceCollector
from auditor.models import Facts, Target
from auditor.retry import RetryPolicy, retry_after_seconds
from auditor.safefetch import FetchPolicy
from test_retry_faults import collect_web

pytestmark = pytest.mark.network

QUICK = RetryPolicy(attempts=4, initial=0.01, maximum=0.02, total=10, max_retry_after=0.05)


def outcome(facts: Facts) -> tuple[Any, ...]:
    """What a run learns about a target (not when it learnt it)."""
    return facts.status, facts.canonical_key, facts.data, facts.error, facts.etag


def assert_explicit(got: dict[str, Facts], clean: dict[str, Facts]) -> None:
    """Each target: the clean facts, or an error/unknown saying why, or ok without what it could not have."""
    assert set(got) == set(clean)
    for key, facts in got.items():
        before = clean[key]
        if outcome(facts) == outcome(before) or (facts.status, facts.data) == (before.status, before.data):
            continue  # the same facts (a cut body may word the same 404 differently)
        if facts.status in ("error", "unknown"):
            assert facts.error and facts.error.strip() and "\n" not in facts.error, facts
            continue
        # Kept what it could: the same verdict, every fact as clean or left out (unknown), the gaps named.
        assert facts.status == before.status, (key, facts, before)
        assert facts.data.get("skipped"), (key, facts)
        kept = {k: v for k, v in facts.data.items() if k != "skipped"}
        assert kept.items() <= before.data.items() and len(kept) < len(before.data), (key, facts, before)
    for key, facts in got.items():  # the verdicts a fault must never produce
        if clean[key].status in ("ok", "moved"):
            assert facts.status != "not_found", (key, facts)
        if clean[key].status == "not_found":
            assert facts.status not in ("ok", "moved"), (key, facts)


# --------------------------------------------------------------------------- GitHub


REPOS = ("lab/a", "lab/b", "lab/gone")


def gh_request(full: str) -> TargetRequest:
    owner, name = full.split("/")
    target = Target(key=f"github:{full}", kind="github_repo", host="github.com", url=f"https://github.com/{full}", owner=owner, name=name)
    return TargetRequest(target=target)


async def _instant(_seconds: float) -> None:  # waits (backoff, rate-limit resets) cost no time here
    await asyncio.sleep(0)


def gh_collect(fake, *, token: bool, max_wait: float = 7200, timeout: float = 5, deadline: float | None = 10) -> tuple[dict[str, Facts], GitHubCollector]:
    settings = GitHubSettings.from_env(fake.env(token=fake.token if token else None))

    async def go():
        async with make_client(settings, timeout=timeout) as client:
            collector = GitHubCollector(settings, client, retry=QUICK, max_wait=max_wait, deadline=deadline, sleep=_instant)
            facts = [f async for f in collector.collect([gh_request(r) for r in REPOS])]
        return {f.target_key: f for f in facts}, collector

    got, collector = asyncio.run(go())
    assert len(got) == len(REPOS)
    return got, collector


def gh_world(fake) -> None:
    fake.limits.anonymous = 10_000  # the matrix is about faults, not the 60/h budget
    for name, stars in (("lab/a", 3), ("lab/b", 5)):
        fake.world.add_repo({"repo": name, "stars": stars, "readme": f"# {name}\n\nHow to run it.\n", "license": "MIT",
                             "languages": {"Python": 1000}, "files": {"train.py": "x = 1\n"}, "commits": {"count": 4}})


GH_FAULTS = ["502", "503", "reset", "malformed", "truncated", "html200", "slow", "secondary", "exhausted"]
#: GraphQL's partial answers; REST's 429 forms of both limits (GraphQL's spent limit is a 200 either way).
ONLY = {"graphql": ["partial-node", "partial-nested", "partial-general"], "rest": ["secondary429", "exhausted429"]}


def gh_cases() -> list[Any]:
    cases = []
    for api in ("graphql", "rest"):
        for kind in GH_FAULTS + ONLY[api]:
            for mode in ("once", "always"):
                cases.append(pytest.param(api, kind, mode, id=f"{api}-{kind}-{mode}"))
    return cases


def set_fault(fake, kind: str, mode: str) -> None:
    if kind.startswith("partial-"):
        fake.faults.update(partial_shape=kind.split("-", 1)[1])
        kind = "partial"
    if kind == "exhausted429":
        fake.faults.update(primary_status=429)
        kind = "exhausted"
    if kind == "slow":
        fake.faults.update(slow_seconds=0.25)
    if mode == "once":
        fake.faults.next(kind)
    else:
        fake.faults.update(always=kind)


_CLEAN: dict[str, dict[str, Facts]] = {}


def gh_clean(fake, api: str) -> dict[str, Facts]:
    """The facts of a run without faults (the world is the same in every test: collected once per API)."""
    if api not in _CLEAN:
        clean, _ = gh_collect(fake, token=api == "graphql")
        assert [clean[f"github:{r}"].status for r in REPOS] == ["ok", "ok", "not_found"]
        _CLEAN[api] = clean
        fake.stats.clear()
    return _CLEAN[api]


def test_a_404_with_an_unreadable_body_reads_as_the_clean_404(fake_github):
    """Which request a once-fault meets is a race; here it is always lab/gone's 404 that is cut."""
    gh_world(fake_github)
    clean = gh_clean(fake_github, "rest")
    fake_github.faults.update(malformed_rate=1.0, paths=(r"/repos/lab/gone$",))
    got, _ = gh_collect(fake_github, token=False)
    assert fake_github.stats.faults["malformed"] >= 1
    assert outcome(got["github:lab/gone"]) == outcome(clean["github:lab/gone"])
    assert got["github:lab/gone"].error == "HTTP 404: Not Found"


@pytest.mark.parametrize("api,kind,mode", gh_cases())
def test_github_fault(fake_github, api, kind, mode):
    gh_world(fake_github)
    token = api == "graphql"
    clean = gh_clean(fake_github, api)

    set_fault(fake_github, kind, mode)
    limited = kind.startswith("exhausted")
    got, collector = gh_collect(
        fake_github, token=token,
        max_wait=0 if limited and mode == "always" else 7200,  # a spent budget for good: stop, do not wait
        timeout=0.1 if kind == "slow" else 5,
        deadline=0.8 if kind == "slow" else 10,
    )
    assert sum(fake_github.stats.faults.values()) >= 1, "the fault was never injected"
    if mode == "once" and limited:
        # The reset was waited for (the wait took no time here) and every verdict is the clean one; a
        # repository answered meanwhile may have left its extras to the budget, saying so in "skipped".
        assert collector.stats.waited_seconds > 0 and collector.rate_limited_until is None
        assert {k: f.status for k, f in got.items()} == {k: f.status for k, f in clean.items()}
        assert_explicit(got, clean)
        return
    if mode == "once":
        assert {k: outcome(f) for k, f in got.items()} == {k: outcome(f) for k, f in clean.items()}
        # Recovered by asking again, unless the fault only cut the body of lab/gone's 404 (still a 404).
        cut_404 = all(e["status"] == 404 for e in fake_github.stats.log if e["fault"])
        assert collector.stats.retries + collector.stats.batch_splits >= 1 or cut_404
        return
    assert_explicit(got, clean)
    if limited:
        assert collector.rate_limited_until is not None
        assert all(f.status == "unknown" and f.error.startswith("rate limited until") for f in got.values())
    elif kind.startswith("partial-"):
        # Only the failed part is lost: the other repository and the missing one are as clean.
        assert outcome(got["github:lab/b"]) == outcome(clean["github:lab/b"])
        assert outcome(got["github:lab/gone"]) == outcome(clean["github:lab/gone"])
        hit = got["github:lab/a"]
        if kind == "partial-nested":  # the commit history failed: unknown to the checks, the rest kept
            assert hit.status == "ok" and "last_commit_at" not in hit.data and "commit_count" not in hit.data
            assert hit.data["stars"] == 3 and any(n.startswith("commits: GraphQL") for n in hit.data["skipped"])
            # Named as the extra that gives those facts, so the next run asks for them again.
            assert resume.missing_parts(hit) == {"commits"}
        else:  # alone in its batch at last, the pathless shape is GitHub's answer to a query that timed out
            assert hit.status == "error" and ("Something went wrong" in hit.error or "timed out" in hit.error), hit
    else:  # the repositories that exist could not be had; the missing one may still answer its 404
        assert all(got[f"github:{r}"].status in ("error", "unknown") for r in ("lab/a", "lab/b")), got


def test_graphql_partial_answer_is_asked_again_only_for_what_failed(fake_github):
    gh_world(fake_github)
    fake_github.faults.update(partial_shape="node").next("partial")
    got, collector = gh_collect(fake_github, token=True)
    assert [got[f"github:{r}"].status for r in REPOS] == ["ok", "ok", "not_found"]
    # Two queries: the batch, then lab/a alone; the failed node cost one retry, no split.
    assert fake_github.stats.count("POST /graphql") == 2
    assert fake_github.stats.graphql_repos == {"lab/a": 2, "lab/b": 1, "lab/gone": 1}
    assert collector.stats.retries == 1 and collector.stats.batch_splits == 0


# --------------------------------------------------------------------------- Hugging Face


HUB_KINDS = ["502", "reset", "truncated", "malformed", "html200", "timeout", "429", "429-window"]
HUB_TARGETS = (("huggingface_model", "huggingface:model:org/good"), ("huggingface_model", "huggingface:model:org/missing"),
               ("huggingface_dataset", "huggingface:dataset:org/data"))
HUB_POLICY = FetchPolicy(allow_private_hosts=True, total_timeout=5, read_timeout=0.15)


def hub_collect(hub: LocalServer) -> dict[str, Facts]:
    async def go():
        async with HuggingFaceCollector(settings=HubSettings(endpoint=hub.base), policy=HUB_POLICY, retry=QUICK) as c:
            reqs = [TargetRequest(Target(key=key, kind=kind, host="huggingface.co", url="https://huggingface.co/x")) for kind, key in HUB_TARGETS]  # type: ignore[arg-type]
            return {f.target_key: f async for f in c.collect(reqs)}

    return asyncio.run(go())


def faulty_hub() -> tuple[dict[str, Any], list[Faulty]]:
    routes = fakehub.routes()
    wrapped = []
    for path in ("/api/models/org/good", "/api/models/org/missing", "/api/datasets/org/data"):
        routes[path] = Faulty(routes[path])
        wrapped.append(routes[path])
    return routes, wrapped


@pytest.mark.parametrize("mode", ["once", "always"])
@pytest.mark.parametrize("kind", HUB_KINDS)
def test_hub_fault(kind, mode):
    routes, wrapped = faulty_hub()
    with LocalServer(routes) as hub:
        clean = hub_collect(hub)
        assert [clean[k].status for _, k in HUB_TARGETS] == ["ok", "not_found", "ok"]
        for route in wrapped:
            if mode == "once":
                route.next(kind)
            else:
                route.always = kind
        got = hub_collect(hub)
    assert all(route.faults >= 1 for route in wrapped)
    if mode == "once":
        assert {k: outcome(f) for k, f in got.items()} == {k: outcome(f) for k, f in clean.items()}
        return
    assert_explicit(got, clean)
    assert got["huggingface:model:org/good"].status == "error" and got["huggingface:dataset:org/data"].status == "error"


@pytest.mark.parametrize("kind", ["503", "truncated"])
def test_hub_model_card_that_cannot_be_read_leaves_only_the_readme_unknown(kind):
    routes = fakehub.routes()
    card = f"/org/good/raw/{fakehub.SHA}/README.md"
    routes[card] = Faulty(routes[card])
    routes[card].always = kind
    with LocalServer(routes) as hub:
        got = hub_collect(hub)["huggingface:model:org/good"]
    assert got.status == "ok" and got.data["license_spdx"] == "Apache-2.0"
    assert got.data["readme"] == {"name": "README.md", "size": None, "text": None}  # exists, text unknown
    assert got.data["skipped"][0].startswith("readme: ")


def test_hub_ratelimit_header_is_a_wait_the_hub_asked_for():
    assert retry_after_seconds({"ratelimit": '"api";r=0;t=55'}) == 55
    assert retry_after_seconds({"retry-after": "7", "ratelimit": '"api";r=0;t=55'}) == 7
    assert retry_after_seconds({"ratelimit": '"api";r=12'}) is None and retry_after_seconds({}) is None


# --------------------------------------------------------------------------- web, DOIs, Zenodo


PAGE = '<html><head><title>Thing</title></head><body><a href="https://github.com/lab/a">code</a></body></html>'
ZENODO = {"id": 5, "doi": "10.5281/zenodo.5", "metadata": {"title": "Thing v1", "access_right": "open",
                                                          "license": {"id": "mit"}}, "files": [{"key": "a.zip"}]}
WEB_POLICY = FetchPolicy(allowed_networks=("127.0.0.1/32",), total_timeout=5, read_timeout=0.15)
PAGE_KINDS = ["502", "reset", "truncated", "timeout", "429"]
ZENODO_KINDS = PAGE_KINDS + ["malformed", "html200"]
DOI_KINDS = ["502", "reset", "timeout", "429"]


def web_collect(site: LocalServer) -> dict[str, Facts]:
    targets = [("project_page", "web:page", site.url("/page")), ("web", "web:gone", site.url("/gone")),
               ("zenodo", "zenodo:5", ""), ("doi", "doi:10.1234/x", "")]
    return collect_web(site, targets, policy=WEB_POLICY, retry=QUICK)


def web_cases() -> list[Any]:
    kinds = sorted(set(PAGE_KINDS) | set(ZENODO_KINDS) | set(DOI_KINDS))
    return [pytest.param(kind, mode, id=f"{kind}-{mode}") for kind in kinds for mode in ("once", "always")]


@pytest.mark.parametrize("kind,mode", web_cases())
def test_web_fault(kind, mode):
    routes = {"/page": Faulty(Reply.html(PAGE)), "/gone": Faulty(Reply.html("no such page", status=404)),
              "/api/records/5": Faulty(Reply.json(ZENODO)), "/10.1234/x": Faulty(Reply.redirect("https://publisher.example/x", 302))}
    applies = {"/page": PAGE_KINDS, "/gone": PAGE_KINDS, "/api/records/5": ZENODO_KINDS, "/10.1234/x": DOI_KINDS}
    with LocalServer(routes) as site:
        clean = web_collect(site)
        assert [clean[k].status for k in ("web:page", "web:gone", "zenodo:5", "doi:10.1234/x")] == ["ok", "not_found", "ok", "ok"]
        for path, route in routes.items():
            if kind in applies[path]:
                route.next(kind) if mode == "once" else setattr(route, "always", kind)
        got = web_collect(site)
    hit = {path for path, route in routes.items() if route.faults}
    assert hit == {path for path in routes if kind in applies[path]}
    if mode == "once":
        assert {k: outcome(f) for k, f in got.items()} == {k: outcome(f) for k, f in clean.items()}
        return
    assert_explicit(got, clean)
    keys = {"/page": "web:page", "/gone": "web:gone", "/api/records/5": "zenodo:5", "/10.1234/x": "doi:10.1234/x"}
    for path in hit:
        assert got[keys[path]].status in ("error", "unknown"), got[keys[path]]
