"""Discovery of the built-in checks and the pure evaluation engine."""

from __future__ import annotations

from datetime import date, datetime, timezone

from auditor.checking import Check, CheckContext, check, discover_checks
from auditor.config import DEFAULT_WEIGHTS, AuditConfig
from auditor.evaluate import evaluate_paper, run_check
from auditor.models import Claim, Facts, Link, Paper, Result, Target
from checks import builtin_modules

AS_OF = date(2026, 11, 23)
PAPER = Paper(paper_id="p1", title="T", abstract="A", published_on=date(2024, 5, 1))


def link(key: str, ordinal: int, kind: str = "github_repo") -> Link:
    return Link(raw=key, url="https://x/" + key, target=Target(key=key, kind=kind, host="github.com", url="https://x"), ordinal=ordinal)  # type: ignore[arg-type]


def ok_facts(key: str) -> Facts:
    return Facts(key, "ok", datetime(2026, 11, 1, tzinfo=timezone.utc), data={"stars": 3, "license_spdx": "MIT"})


# The checks that judge a repository link (the engine tests below count their outcomes).
REPO_CHECKS = ("repo_exists", "license", "readme", "stars", "last_commit", "archived", "code_present", "claim_kept")


def test_discover_finds_every_builtin_through_entry_points():
    found = discover_checks()
    assert len(builtin_modules()) >= 11
    for name in builtin_modules():  # a new module under checks/ that is not registered fails here
        assert name in found, f"checks/{name}.py is not registered under auditor.checks"
        assert isinstance(found[name], Check) and found[name].name == name
        assert found[name].weight == DEFAULT_WEIGHTS[name]
        assert found[name].description


def test_evaluate_runs_link_checks_per_link_and_paper_checks_once():
    checks = {n: c for n, c in discover_checks().items() if n in REPO_CHECKS}
    links = [link("github:a/b", 1), link("github:c/d", 0)]
    claims = [Claim("available", "Code at github.com/a/b", "github:a/b")]
    out = evaluate_paper(PAPER, links, claims, {"github:a/b": ok_facts("github:a/b")}, AS_OF, checks, AuditConfig())
    per_link = [o for o in out if o.link_ordinal is not None]
    paper_level = [o for o in out if o.link_ordinal is None]
    assert len(per_link) == 2 * len(REPO_CHECKS)
    assert [(o.check, o.target_key) for o in paper_level] == [("claim_kept", "")]
    assert per_link[0].link_ordinal == 0  # links in ordinal order
    by = {(o.target_key, o.check): o.result for o in per_link}
    assert by[("github:c/d", "license")].status == "unknown"  # no facts for c/d
    assert by[("github:a/b", "license")].status == "pass"
    assert by[("github:a/b", "stars")].status == "warn"
    # the claim reaches only its own link
    assert by[("github:c/d", "claim_kept")].status == "skip"
    assert by[("github:a/b", "claim_kept")].status != "skip"


def test_unlinked_claims_go_to_the_sole_code_link():
    checks = {"claim_kept": discover_checks()["claim_kept"]}
    empty = Facts("github:a/b", "ok", datetime(2026, 11, 1, tzinfo=timezone.utc),
                  data={"is_empty": True, "default_branch": None, "languages": {}, "root_files": []})
    promise = [Claim("promised", "Code will be released.", None)]
    web = link("web:acme.org/paper", 1, "web")
    out = evaluate_paper(PAPER, [link("github:a/b", 0), web], promise, {"github:a/b": empty}, AS_OF, checks, AuditConfig())
    by = {o.target_key: o.result for o in out}
    assert by["github:a/b"].status == "fail" and by["github:a/b"].reason.startswith("promised on 2024-05-01, still empty")
    assert by["github:a/b"].evidence["claim_in_link_sentence"] is False
    assert by[""].status == "skip"  # judged at the link, not twice
    # two code links: the claim could be about either, so neither gets it
    out = evaluate_paper(PAPER, [link("github:a/b", 0), link("github:c/d", 1)], promise, {"github:a/b": empty},
                         AS_OF, checks, AuditConfig())
    assert [o.result.status for o in out if o.link_ordinal is not None] == ["skip", "skip"]


def test_evaluate_passes_settings_and_respects_enabled():
    seen = {}

    @check("probe", description="d", scopes=("link", "paper"))
    def probe(ctx: CheckContext) -> Result:
        seen[ctx.link is None] = (dict(ctx.settings), ctx.claims)
        return Result("pass", "ok", 10.0)

    @check("other", description="d")
    def other(ctx: CheckContext) -> Result:
        return Result("pass", "ok", 10.0)

    cfg = AuditConfig(checks={"probe": {"x": 1}}).select(["probe"])
    claims = [Claim("promised", "soon", None), Claim("available", "at x", "github:x/y")]
    out = evaluate_paper(PAPER, [link("web:a.org/b", 0, "web")], claims, {}, AS_OF, {"probe": probe, "other": other}, cfg)
    assert {o.check for o in out} == {"probe"}
    assert {o.weight for o in out} == {1.0}
    assert seen[False] == ({"x": 1}, ())  # link scope: only attached claims (a web link gets no unlinked ones)
    assert seen[True] == ({"x": 1}, tuple(claims))  # paper scope: all claims


def test_disabled_checks_do_not_run():
    checks = {n: c for n, c in discover_checks().items() if n in REPO_CHECKS}
    cfg = AuditConfig(disabled=frozenset({"stars"}), weights={"license": 3.0})
    out = evaluate_paper(PAPER, [link("github:a/b", 0)], [], {}, AS_OF, checks, cfg)
    assert "stars" not in {o.check for o in out}
    weights = {o.check: o.weight for o in out}
    assert weights["license"] == 3.0 and weights["readme"] == checks["readme"].weight


def test_a_crashing_check_becomes_unknown():
    @check("boom", description="d")
    def boom(ctx: CheckContext) -> Result:
        raise KeyError("languages")

    @check("wrong", description="d")
    def wrong(ctx: CheckContext) -> Result:
        return "pass"  # type: ignore[return-value]

    out = evaluate_paper(PAPER, [link("github:a/b", 0)], [], {}, AS_OF, {"boom": boom, "wrong": wrong}, AuditConfig())
    reasons = {o.check: o.result for o in out}
    assert reasons["boom"].status == "unknown" and reasons["boom"].score is None
    assert reasons["boom"].reason == "check crashed: KeyError: 'languages'"
    assert reasons["wrong"].reason.startswith("check crashed: TypeError")


def test_run_check_message_without_text():
    @check("bare", description="d")
    def bare(ctx: CheckContext) -> Result:
        raise RuntimeError()

    r = run_check(bare, CheckContext(paper=PAPER, as_of=AS_OF))
    assert r.reason == "check crashed: RuntimeError"


def test_paper_without_links_or_claims():
    checks = {n: c for n, c in discover_checks().items() if n in REPO_CHECKS}
    out = evaluate_paper(PAPER, [], [], {}, AS_OF, checks, AuditConfig())
    assert [(o.check, o.result.status) for o in out] == [("claim_kept", "skip")]


# --------------------------------------------------------------------------- robustness

import json  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

from checks._common import ANY_REPO_KINDS  # noqa: E402

ISO = st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 1, 1)).map(lambda d: d.isoformat() + "T00:00:00Z")
ROOT_FILE = st.fixed_dictionaries({
    "name": st.sampled_from(["README.md", "LICENSE", ".gitignore", "src", "train.py", "paper.pdf", "CITATION.cff"]),
    "type": st.sampled_from(["file", "dir"]),
    "size": st.integers(0, 10_000),
})
README = st.none() | st.fixed_dictionaries({
    "name": st.just("README.md"),
    "size": st.integers(0, 50_000),
    "text": st.none() | st.text(max_size=400) | st.sampled_from(["# T\n", "Code coming soon", "# T\n\n" + "line of text\n" * 40]),
})
DATA = st.fixed_dictionaries({}, optional={
    "name_with_owner": st.just("a/b"),
    "stars": st.none() | st.integers(0, 10**6),
    "license_spdx": st.none() | st.sampled_from(["MIT", "NOASSERTION", "CC-BY-NC-4.0", "other", ""]),
    "is_archived": st.none() | st.booleans(),
    "archived_at": st.none() | ISO,
    "is_empty": st.booleans(),
    "is_private": st.booleans(),
    "is_disabled": st.booleans(),
    "default_branch": st.none() | st.just("main"),
    "last_commit_at": st.none() | ISO | st.just("garbage"),
    "commit_count": st.none() | st.integers(0, 5000),
    "languages": st.none() | st.dictionaries(st.sampled_from(["Python", "TeX", "HTML", "Cuda", "Markdown"]), st.integers(0, 10**6), max_size=4),
    "readme": README,
    "root_files": st.none() | st.lists(ROOT_FILE, max_size=5),
})
CLAIMS = st.lists(st.builds(Claim, kind=st.sampled_from(["available", "promised", "on_request"]), sentence=st.just("s"),
                            target_key=st.sampled_from(["github:a/b", None])), max_size=3)


@settings(max_examples=150, deadline=None)
@given(
    data=DATA,
    status=st.sampled_from(["ok", "moved", "not_found", "blocked", "unknown", "error"]),
    kind=st.sampled_from(sorted(ANY_REPO_KINDS | {"web", "github_owner", "doi"})),
    claims=CLAIMS,
    published=st.none() | st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 11, 23)),
)
def test_builtin_checks_never_crash_and_keep_the_contract(data, status, kind, claims, published):
    checks = {n: c for n, c in discover_checks().items() if n in REPO_CHECKS}
    paper = Paper(paper_id="p1", title="T", abstract="A", published_on=published)
    facts = Facts("github:a/b", status, datetime(2026, 11, 1, tzinfo=timezone.utc), data=data,  # type: ignore[arg-type]
                  canonical_key="github:c/d" if status == "moved" else None)
    out = evaluate_paper(paper, [link("github:a/b", 0, kind)], claims, {"github:a/b": facts}, AS_OF, checks, AuditConfig())
    for outcome in out:
        r = outcome.result
        assert not r.reason.startswith("check crashed"), (outcome.check, r.reason)
        assert r.reason and "\n" not in r.reason
        assert (r.score is None) == (r.status in ("unknown", "skip")), (outcome.check, r)
        json.dumps(dict(r.evidence))
