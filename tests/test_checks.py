"""Every built-in check on hand-made facts, one test per named case."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from auditor.checking import CheckContext
from auditor.models import Claim, Facts, Link, Paper, Target
from checks.archived import archived
from checks.claim_kept import NO_LINK_NO_CLAIM, claim_kept
from checks.code_present import code_present
from checks.last_commit import last_commit
from checks.license import license
from checks.readme import readme
from checks.repo_exists import repo_exists
from checks.stars import stars, stars_score

AS_OF = date(2026, 11, 23)
PAPER_DAY = date(2024, 5, 1)
KEY = "github:acme/model"
LONG_README = "# Model\n\n" + "\n".join(
    f"Step {i}: run `python train.py --stage {i}` to reproduce table {i} of the paper." for i in range(20)
)


def paper(published_on: date | None = PAPER_DAY) -> Paper:
    return Paper(paper_id="p1", title="A paper", abstract="...", published_on=published_on)


def link(kind: str = "github_repo", key: str = KEY) -> Link:
    return Link(raw=key, url="https://github.com/acme/model", target=Target(key=key, kind=kind, host="github.com", url="https://github.com/acme/model"))  # type: ignore[arg-type]


def repo(**over: Any) -> dict[str, Any]:
    """A healthy, real-looking repository's facts; tests override what they test."""
    data: dict[str, Any] = {
        "name_with_owner": "acme/model",
        "stars": 120,
        "forks": 10,
        "license_spdx": "MIT",
        "license_name": "MIT License",
        "default_branch": "main",
        "is_archived": False,
        "archived_at": None,
        "is_disabled": False,
        "is_empty": False,
        "is_private": False,
        "last_commit_at": "2024-06-10T12:00:00Z",
        "commit_count": 12,
        "languages": {"Python": 50_000, "Shell": 2_000},
        "readme": {"name": "README.md", "size": len(LONG_README), "text": LONG_README},
        "root_files": [
            {"name": "README.md", "type": "file", "size": 900},
            {"name": "LICENSE", "type": "file", "size": 1000},
            {"name": "train.py", "type": "file", "size": 5000},
            {"name": "src", "type": "dir", "size": 0},
        ],
    }
    data.update(over)
    return data


def facts(status: str = "ok", data: dict | None = None, **kw: Any) -> Facts:
    return Facts(target_key=KEY, status=status, fetched_at=datetime(2026, 11, 23, tzinfo=timezone.utc),  # type: ignore[arg-type]
                 data=repo() if data is None else data, **kw)


def ctx(f: Facts | None = None, *, kind: str = "github_repo", claims: tuple = (), published_on: date | None = PAPER_DAY,
        settings: dict | None = None, as_of: date = AS_OF) -> CheckContext:
    return CheckContext(paper=paper(published_on), as_of=as_of, link=link(kind), facts=f, claims=claims,
                        links=(link(kind),), settings=settings or {})


def promised(key: str | None = KEY) -> Claim:
    return Claim(kind="promised", sentence="Code will be released soon.", target_key=key)


def available(key: str | None = KEY) -> Claim:
    return Claim(kind="available", sentence="Code is available at the link.", target_key=key)


LINK_CHECKS = [repo_exists, license, readme, stars, last_commit, archived, code_present]


# --------------------------------------------------------------------------- unknown / skip for all


@pytest.mark.parametrize("chk", LINK_CHECKS + [claim_kept], ids=lambda c: c.name)
def test_unknown_when_no_facts(chk):
    r = chk(ctx(None, claims=(available(),)))
    assert r.status == "unknown" and r.score is None
    assert KEY in r.reason


@pytest.mark.parametrize("chk", LINK_CHECKS + [claim_kept], ids=lambda c: c.name)
def test_unknown_says_why_rate_limited(chk):
    f = facts("unknown", data={}, error="rate limited until 14:05 UTC")
    r = chk(ctx(f, claims=(available(),)))
    assert r.status == "unknown" and r.score is None
    assert "rate limited until 14:05 UTC" in r.reason


@pytest.mark.parametrize("chk", LINK_CHECKS + [claim_kept], ids=lambda c: c.name)
def test_unknown_on_collection_error(chk):
    r = chk(ctx(facts("error", data={}, error="HTTP 502 after 4 attempts"), claims=(available(),)))
    assert r.status == "unknown" and "HTTP 502 after 4 attempts" in r.reason


@pytest.mark.parametrize("chk", LINK_CHECKS + [claim_kept], ids=lambda c: c.name)
@pytest.mark.parametrize("kind", ["web", "doi", "project_page", "zenodo"])
def test_skip_for_kinds_that_do_not_apply(chk, kind):
    r = chk(ctx(facts(), kind=kind, claims=(available(),)))
    assert r.status == "skip" and r.score is None


@pytest.mark.parametrize(
    "chk,key",
    [(license, "license_spdx"), (readme, "readme"), (stars, "stars"), (last_commit, "last_commit_at"),
     (archived, "is_archived")],
    ids=lambda v: getattr(v, "name", v),
)
def test_missing_key_is_unknown_not_no(chk, key):
    data = repo()
    del data[key]
    r = chk(ctx(facts(data=data)))
    assert r.status == "unknown" and key in r.reason


@pytest.mark.parametrize("chk", [license, readme, stars, last_commit, archived, code_present], ids=lambda c: c.name)
@pytest.mark.parametrize("status", ["not_found", "blocked"])
def test_content_checks_skip_a_missing_target(chk, status):
    r = chk(ctx(facts(status, data={})))
    assert r.status == "skip" and status.replace("_", " ") in r.reason


# --------------------------------------------------------------------------- repo_exists


def test_repo_exists_passes():
    r = repo_exists(ctx(facts()))
    assert (r.status, r.score) == ("pass", 10.0) and "acme/model" in r.reason


def test_repo_exists_moved_warns_and_names_new_home():
    f = facts("moved", data=repo(name_with_owner="newacme/model2", moved_from="acme/model"),
              canonical_key="github:newacme/model2")
    r = repo_exists(ctx(f))
    assert r.status == "warn" and "newacme/model2" in r.reason and "redirect" in r.reason
    assert r.evidence["canonical_key"] == "github:newacme/model2"


def test_repo_exists_moved_uses_canonical_key_without_name():
    f = facts("moved", data={}, canonical_key="github:other/place")
    assert "other/place" in repo_exists(ctx(f)).reason


def test_repo_exists_moved_on_hugging_face():
    f = facts("moved", data={"repo_id": "NewOrg/model", "moved_from": "old/model"},
              canonical_key="huggingface:model:neworg/model")
    assert "NewOrg/model" in repo_exists(ctx(f, kind="huggingface_model")).reason
    f = facts("moved", data={}, canonical_key="huggingface:model:neworg/model")
    assert "moved to neworg/model;" in repo_exists(ctx(f, kind="huggingface_model")).reason


def test_repo_exists_not_found_fails():
    r = repo_exists(ctx(facts("not_found", data={})))
    assert (r.status, r.score) == ("fail", 0.0) and "not found" in r.reason


@pytest.mark.parametrize(
    "data,error,word",
    [
        ({}, "HTTP 451 Repository access blocked (DMCA takedown)", "legal"),
        ({"is_private": True}, None, "private"),
        ({}, "repository is private", "private"),
        ({"is_disabled": True}, None, "disabled"),
        ({}, "HTTP 403", "access denied"),
    ],
)
def test_repo_exists_blocked_says_which(data, error, word):
    r = repo_exists(ctx(facts("blocked", data=data, error=error)))
    assert r.status == "fail" and word in r.reason


@pytest.mark.parametrize("status,data,error", [
    ("blocked", {"gated": True}, "gated repository"),
    ("ok", {"gated": "manual"}, None),
    ("ok", {"gated": "auto"}, None),
])
def test_repo_exists_hf_gated_warns(status, data, error):
    r = repo_exists(ctx(facts(status, data=data, error=error), kind="huggingface_model"))
    assert r.status == "warn" and "gated" in r.reason


def test_repo_exists_hf_keys_and_private_or_missing():
    assert "private" in repo_exists(ctx(facts("blocked", data={"private": True}), kind="huggingface_model")).reason
    assert "disabled" in repo_exists(ctx(facts("blocked", data={"disabled": True}, error="disabled on the Hub"),
                                         kind="huggingface_model")).reason
    r = repo_exists(ctx(facts("not_found", data={"private_or_missing": True}), kind="huggingface_model"))
    assert r.status == "fail" and "or private" in r.reason


def test_repo_exists_private_or_disabled_seen_with_a_token():
    assert "private" in repo_exists(ctx(facts(data=repo(is_private=True)))).reason
    assert "disabled" in repo_exists(ctx(facts(data=repo(is_disabled=True)))).reason


@pytest.mark.parametrize("kind", ["huggingface_model", "huggingface_dataset", "github_owner", "forge_repo"])
def test_repo_exists_applies_to_other_hosts(kind):
    assert repo_exists(ctx(facts(data={}), kind=kind)).status == "pass"


# --------------------------------------------------------------------------- license


@pytest.mark.parametrize("spdx", ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-3.0-only", "GPL-2.0-or-later",
                                  "LGPL-2.1", "MPL-2.0", "AGPL-3.0", "ISC", "EPL-2.0", "Unlicense",
                                  "BSL-1.0", "apache-2.0"])
def test_license_osi_passes(spdx):
    r = license(ctx(facts(data=repo(license_spdx=spdx))))
    assert (r.status, r.score) == ("pass", 10.0) and spdx in r.reason


@pytest.mark.parametrize("spdx", ["CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "WTFPL", "llama2", "openrail"])
def test_license_non_osi_warns(spdx):
    r = license(ctx(facts(data=repo(license_spdx=spdx))))
    assert r.status == "warn" and "not an OSI-approved" in r.reason


def test_license_noassertion_warns_unrecognised():
    r = license(ctx(facts(data=repo(license_spdx="NOASSERTION", license_name="Other"))))
    assert r.status == "warn" and "not recognised" in r.reason


def test_license_none_fails():
    r = license(ctx(facts(data=repo(license_spdx=None, license_name=None))))
    assert (r.status, r.score) == ("fail", 0.0) and "no license" in r.reason


def test_license_open_data_passes_for_datasets_only():
    f = facts(data=repo(license_spdx="cc-by-4.0"))
    assert license(ctx(f, kind="huggingface_dataset")).status == "pass"
    assert license(ctx(f, kind="github_repo")).status == "warn"


def test_license_hf_other_warns():
    assert license(ctx(facts(data=repo(license_spdx="other")), kind="huggingface_model")).status == "warn"
    r = license(ctx(facts(data={"license_spdx": "NOASSERTION", "license": "openrail++"}), kind="huggingface_model"))
    assert r.status == "warn" and "openrail++" in r.reason


# --------------------------------------------------------------------------- readme


def with_readme(text: str | None, size: int | None = None) -> Facts:
    info = None if text is None and size is None else {"name": "README.md", "size": size if size is not None else len(text or ""), "text": text}
    return facts(data=repo(readme=info))


def test_readme_substantive_passes():
    r = readme(ctx(with_readme(LONG_README)))
    assert (r.status, r.score) == ("pass", 10.0) and "substantive" in r.reason


def test_readme_none_fails():
    r = readme(ctx(with_readme(None)))
    assert (r.status, r.score) == ("fail", 0.0) and r.reason == "no README"


def test_readme_title_only_fails():
    r = readme(ctx(with_readme("# ACME Model\n\n![badge](https://img.shields.io/x)\n")))
    assert r.status == "fail" and "only a title" in r.reason


@pytest.mark.parametrize("text", [
    "# ACME\n\nCode coming soon!\n",
    "# ACME: a model\n\nOfficial repository of our paper.\n\nThe code will be released upon acceptance.\n"
    "Please star the repo to be notified.\n\nContact: someone@example.org\n",
])
def test_readme_placeholder_fails(text):
    r = readme(ctx(with_readme(text)))
    assert r.status == "fail" and "placeholder" in r.reason


def test_readme_placeholder_phrase_in_long_readme_is_fine():
    r = readme(ctx(with_readme(LONG_README + "\n\nTraining code for the large model: coming soon.")))
    assert r.status == "pass"


def test_readme_few_lines_is_a_stub():
    r = readme(ctx(with_readme("# ACME\n\nOfficial implementation.\nSee the paper.\n")))
    assert r.status == "fail" and "stub" in r.reason


def test_readme_brief_passes_lower():
    text = "# ACME\n\n" + "\n".join(f"Run step {i} with the provided script and settings." for i in range(8))
    r = readme(ctx(with_readme(text)))
    assert r.status == "pass" and r.score == 7.0 and "brief" in r.reason


def test_readme_short_with_usage_instructions_is_brief_not_a_stub():
    text = (
        "# Official implementation\n\nCode for the paper.\n\n## Installation\n\n```bash\npip install -r requirements.txt\n```\n\n"
        "## Usage\n\n```bash\npython train.py --config configs/base.yaml\n```\n"
    )
    r = readme(ctx(with_readme(text)))
    assert (r.status, r.score) == ("pass", 6.0) and "usage instructions" in r.reason
    # The same length of prose without any instructions is a stub.
    r = readme(ctx(with_readme("# ACME\n\nCode for the paper.\nIt is great.\nReally.\nSee the paper.\n")))
    assert r.status == "fail" and "stub" in r.reason


def test_readme_thresholds_come_from_settings():
    text = "# ACME\n\n" + "\n".join(f"Run step {i} with the provided script and settings." for i in range(8))
    r = readme(ctx(with_readme(text), settings={"min_chars": 5000}))
    assert r.status == "fail"


def test_readme_model_card_front_matter_is_not_content():
    card = "---\nlicense: mit\ntags:\n- a\n- b\n- c\n- d\n- e\n---\n# Model card\n"
    assert readme(ctx(with_readme(card), kind="huggingface_model")).status == "fail"


def test_readme_empty_file_and_text_not_collected():
    assert readme(ctx(with_readme(None, size=0))).status == "fail"
    assert readme(ctx(with_readme(None, size=5000))).status == "unknown"


# --------------------------------------------------------------------------- stars


@pytest.mark.parametrize("n,low,high", [(0, 0.0, 0.0), (1, 0.5, 1.5), (10, 3.0, 4.0), (100, 6.0, 7.0),
                                        (1000, 10.0, 10.0), (50_000, 10.0, 10.0)])
def test_stars_log_scale(n, low, high):
    assert low <= stars_score(n, 1000) <= high


def test_stars_graded_and_never_fail():
    zero = stars(ctx(facts(data=repo(stars=0))))
    few = stars(ctx(facts(data=repo(stars=3))))
    many = stars(ctx(facts(data=repo(stars=5000))))
    assert zero.status == "warn" and zero.score == 0.0
    assert few.status == "warn" and 0 < few.score < many.score
    assert many.status == "pass" and many.score == 10.0
    assert stars.weight == 0.5


def test_stars_hf_likes():
    r = stars(ctx(facts(data={"stars": 42}), kind="huggingface_model"))
    assert r.status == "pass" and "42 likes" in r.reason


def test_stars_do_not_apply_to_anonymous_repos():
    assert stars(ctx(facts(), kind="anonymous_repo")).status == "skip"


# --------------------------------------------------------------------------- last_commit


def commit_on(day: str | None, **kw: Any) -> Facts:
    return facts(data=repo(last_commit_at=day, **kw))


def test_last_commit_quiet_after_paper_passes():
    r = last_commit(ctx(commit_on("2024-06-10T12:00:00Z")))
    assert r.status == "pass" and r.score == 10.0
    assert "2024-06-10" in r.reason and "2024-05-01" in r.reason and "finished" in r.reason


def test_last_commit_well_before_paper_warns():
    r = last_commit(ctx(commit_on("2023-01-02T00:00:00Z")))
    assert r.status == "warn" and "2023-01-02" in r.reason and "before the paper" in r.reason


def test_last_commit_just_before_paper_passes():
    assert last_commit(ctx(commit_on("2024-04-20T00:00:00Z"))).status == "pass"


def test_last_commit_promise_not_kept_fails_after_grace():
    r = last_commit(ctx(commit_on("2024-04-20T00:00:00Z"), claims=(promised(),)))
    assert r.status == "fail" and "promised on 2024-05-01" in r.reason and "no commit since" in r.reason


def test_last_commit_promise_within_grace_warns():
    r = last_commit(ctx(commit_on("2024-04-20T00:00:00Z"), claims=(promised(),), as_of=date(2024, 6, 1)))
    assert r.status == "warn" and "grace" in r.reason


def test_last_commit_promise_kept():
    assert last_commit(ctx(commit_on("2024-09-01T00:00:00Z"), claims=(promised(),))).status == "pass"


def test_last_commit_none_fails():
    r = last_commit(ctx(commit_on(None)))
    assert (r.status, r.score) == ("fail", 0.0)


def test_last_commit_without_paper_date_judges_staleness():
    assert last_commit(ctx(commit_on("2020-01-01T00:00:00Z"), published_on=None)).status == "warn"
    assert last_commit(ctx(commit_on("2026-01-01T00:00:00Z"), published_on=None)).status == "pass"


def test_last_commit_hf_last_modified():
    r = last_commit(ctx(facts(data={"last_commit_at": "2024-07-01T00:00:00.000Z"}), kind="huggingface_model"))
    assert r.status == "pass"


# --------------------------------------------------------------------------- archived


def test_archived_is_information_with_date():
    r = archived(ctx(facts(data=repo(is_archived=True, archived_at="2025-01-02T10:00:00Z"))))
    assert r.status == "pass" and "archived on 2025-01-02" in r.reason
    assert archived.weight == 0.0


def test_archived_without_date_and_not_archived():
    assert "date not reported" in archived(ctx(facts(data=repo(is_archived=True)))).reason
    assert archived(ctx(facts())).reason == "not archived"


# --------------------------------------------------------------------------- code_present

README_ONLY = [{"name": "README.md", "type": "file", "size": 300}]
SKELETON = README_ONLY + [{"name": "LICENSE", "type": "file", "size": 1000},
                          {"name": ".gitignore", "type": "file", "size": 50}]


def test_code_present_real_code():
    r = code_present(ctx(facts()))
    assert (r.status, r.score) == ("pass", 10.0) and "Python" in r.reason


def test_code_present_empty():
    r = code_present(ctx(facts(data=repo(is_empty=True, default_branch=None, root_files=None, languages={}))))
    assert r.status == "fail" and r.reason == "empty"


def test_code_present_readme_only():
    r = code_present(ctx(facts(data=repo(root_files=README_ONLY, languages={}))))
    assert r.status == "fail" and r.reason == "README-only"


def test_code_present_skeleton():
    r = code_present(ctx(facts(data=repo(root_files=SKELETON, languages={}))))
    assert r.status == "fail" and r.reason.startswith("skeleton (only")
    assert "LICENSE" in r.reason and ".gitignore" in r.reason


def test_code_present_links_only():
    big = {"name": "README.md", "size": 40_000, "text": "- [x](https://a)\n" * 1000}
    r = code_present(ctx(facts(data=repo(readme=big, languages={},
                                         root_files=README_ONLY + [{"name": "assets", "type": "dir", "size": 0}]))))
    assert r.status == "warn" and "awesome-list / links only" in r.reason


def test_code_present_docs_and_assets_only():
    root = README_ONLY + [{"name": "paper.pdf", "type": "file", "size": 9000}, {"name": "figs", "type": "dir", "size": 0}]
    r = code_present(ctx(facts(data=repo(root_files=root, languages={"TeX": 4000}))))
    assert r.status == "fail" and "no code" in r.reason


def test_code_present_hardly_any_code():
    r = code_present(ctx(facts(data=repo(languages={"Python": 120}))))
    assert r.status == "warn" and "hardly any code" in r.reason


def test_code_present_without_language_statistics():
    data = repo()
    del data["languages"]
    assert code_present(ctx(facts(data=data))).status == "pass"  # train.py at the root
    data["root_files"] = README_ONLY + [{"name": "data", "type": "dir", "size": 0}]
    assert code_present(ctx(facts(data=data))).status == "unknown"


def test_code_present_not_for_hf_models():
    assert code_present(ctx(facts(), kind="huggingface_model")).status == "skip"


# --------------------------------------------------------------------------- claim_kept, link scope


def test_claim_available_and_delivered():
    r = claim_kept(ctx(facts(), claims=(available(),)))
    assert r.status == "pass" and "claimed available" in r.reason and "12 commits" in r.reason


@pytest.mark.parametrize("data,phrase", [
    (repo(is_empty=True, default_branch=None, root_files=None, languages={}), "claimed available, repository is empty"),
    (repo(root_files=README_ONLY, languages={}), "README-only"),
    (repo(root_files=SKELETON, languages={}), "skeleton"),
])
def test_claim_available_but_empty_fails(data, phrase):
    r = claim_kept(ctx(facts(data=data), claims=(available(),)))
    assert (r.status, r.score) == ("fail", 0.0) and phrase in r.reason


def test_claim_available_but_missing_fails():
    r = claim_kept(ctx(facts("not_found", data={}), claims=(available(),)))
    assert r.status == "fail" and r.reason == "claimed available, repository not found"
    r = claim_kept(ctx(facts("blocked", data={}), claims=(available(),)))
    assert r.status == "fail" and "private" in r.reason


def test_claim_promised_and_delivered():
    r = claim_kept(ctx(facts(data=repo(commit_count=12, last_commit_at="2025-03-02T08:00:00Z")), claims=(promised(),)))
    assert r.status == "pass" and r.reason == "promised, delivered: 12 commits, last 2025-03-02"


def test_claim_promised_not_delivered_within_grace_warns():
    empty = facts(data=repo(root_files=README_ONLY, languages={}))
    r = claim_kept(ctx(empty, claims=(promised(),), as_of=date(2024, 7, 30)))  # day 90
    assert r.status == "warn" and "not delivered yet" in r.reason and "90 of 90" in r.reason


def test_claim_promised_not_delivered_after_grace_fails():
    empty = facts(data=repo(is_empty=True, default_branch=None, root_files=None, languages={}))
    r = claim_kept(ctx(empty, claims=(promised(),), as_of=date(2024, 7, 31)))  # day 91
    assert r.status == "fail"
    r = claim_kept(ctx(empty, claims=(promised(),)))
    assert r.reason == "promised on 2024-05-01, still empty on 2026-11-23"


def test_claim_promised_grace_comes_from_settings():
    empty = facts(data=repo(root_files=README_ONLY, languages={}))
    r = claim_kept(ctx(empty, claims=(promised(),), as_of=date(2024, 7, 31), settings={"grace_days": 120}))
    assert r.status == "warn"


def test_claim_promised_repo_not_there_yet():
    r = claim_kept(ctx(facts("not_found", data={}), claims=(promised(),)))
    assert r.status == "fail" and "still not found" in r.reason


def test_claim_strongest_claim_decides():
    empty = facts(data=repo(root_files=README_ONLY, languages={}))
    r = claim_kept(ctx(empty, claims=(promised(), available()), as_of=date(2024, 6, 1)))
    assert r.status == "fail" and "claimed available" in r.reason


def test_claim_on_request_warns():
    r = claim_kept(ctx(facts(data=repo(root_files=README_ONLY, languages={})),
                       claims=(Claim("on_request", "Code available on request.", KEY),)))
    assert r.status == "warn" and "on request" in r.reason


def test_claim_kept_skips_links_without_claims():
    r = claim_kept(ctx(facts()))
    assert r.status == "skip" and "no availability claim" in r.reason


def test_claim_kept_hf_gated_warns():
    r = claim_kept(ctx(facts("blocked", data={"gated": True}, error="gated repository"), kind="huggingface_model",
                       claims=(available(),)))
    assert r.status == "warn" and r.reason == "claimed available, but gated: access must be requested"


def test_claim_kept_hf_model():
    assert claim_kept(ctx(facts(data={"stars": 3}), kind="huggingface_model", claims=(available(),))).status == "pass"


# --------------------------------------------------------------------------- claim_kept, paper scope


def paper_ctx(links: tuple = (), claims: tuple = ()) -> CheckContext:
    return CheckContext(paper=paper(), as_of=AS_OF, claims=claims, links=links)


def test_paper_unlinked_claim_warns_unverifiable():
    r = claim_kept(paper_ctx(claims=(promised(None),)))
    assert r.status == "warn" and "unverifiable" in r.reason and r.score is not None


def test_paper_with_nothing_is_skip_with_filterable_reason():
    r = claim_kept(paper_ctx())
    assert r.status == "skip" and r.reason == NO_LINK_NO_CLAIM and r.score is None


def test_paper_unlinked_claim_with_code_link_is_left_to_links():
    r = claim_kept(paper_ctx(links=(link(),), claims=(promised(None),)))
    assert r.status == "skip" and "only code link" in r.reason
    r = claim_kept(paper_ctx(links=(link(), link(key="github:other/repo")), claims=(promised(None),)))
    assert r.status == "skip" and "several code links" in r.reason


def test_paper_unlinked_claim_with_only_web_link_warns():
    assert claim_kept(paper_ctx(links=(link("web", "web:acme.org/x"),), claims=(available(None),))).status == "warn"


def test_paper_linked_claims_skip():
    assert claim_kept(paper_ctx(links=(link(),), claims=(available(),))).status == "skip"
    assert claim_kept(paper_ctx(links=(link(),))).status == "skip"


def test_claim_kept_scopes():
    assert claim_kept.scopes == frozenset({"link", "paper"})
