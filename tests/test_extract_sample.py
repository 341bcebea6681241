"""What extract() finds in real abstracts, pinned, and its fast paths against its plain ones.

A safety net for speed work on links/claims: the counts per target kind and per
claim kind in the 2,000 real arXiv abstracts of ../shared (read in place,
marked ``shared``) were taken from the extractor as it stood before that work;
a change that moves any of them changes behaviour, not just speed. The
equivalence of the one-pass scans and their fallbacks is checked on the example
dumps' real abstracts, in every clone.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache

import pytest

from auditor.extract import extract
from auditor.ingest import read_records
from tests.conftest import EXAMPLE_DUMPS, shared_path


@lru_cache(maxsize=1)
def example_abstracts() -> tuple[str, ...]:
    return tuple(r.paper.abstract for dump in sorted(EXAMPLE_DUMPS.glob("*.txt")) for r in read_records(dump))


@pytest.mark.shared
def test_links_and_claims_per_kind_on_the_real_sample() -> None:
    path = shared_path("abstracts", "arxiv-2025-2026-sample.jsonl")
    with path.open(encoding="utf-8") as f:
        abstracts = [json.loads(line)["abstract"] for line in f]
    assert len(abstracts) == 2000
    links: Counter[str] = Counter()
    claims: Counter[tuple[str, bool]] = Counter()
    objects: Counter[tuple[str, str]] = Counter()
    found = placeholders = 0
    for abstract in abstracts:
        result = extract(abstract)
        found += bool(result.links or result.claims)
        links.update(link.target.kind for link in result.links)
        placeholders += sum(link.placeholder for link in result.links)
        claims.update((c.kind, c.target_key is not None) for c in result.claims)
        objects.update((c.kind, c.object) for c in result.claims)
    # 1,066 before claims had objects: one abstract's only claim ("By making the proposed MSQAD openly
    # available, ...") names nothing that is released
    assert found == 1065
    # web 55 before bare hosts with a path were read: "The data (rmc.dlr.de/s3li_dataset)" (2601.19557)
    assert dict(links) == {
        "anonymous_repo": 143, "doi": 6, "forge_repo": 16, "github_owner": 2, "github_repo": 593,
        "huggingface_dataset": 144, "huggingface_model": 38, "huggingface_owner": 19, "huggingface_space": 10,
        "project_page": 52, "web": 56, "zenodo": 24,
    }
    assert placeholders == 22  # the 21 owner pages and one "https://huggingface.co/" (2504.17360)
    # (kind, attached to a link). Before objects: available 67 unlinked and 1,014 linked, promised
    # 65 linked. Sentences that only point (project pages, demos, videos, audio samples, "see URL"
    # for statistics, a challenge's homepage) are no longer claims; "We release X at URL upon
    # publication" is promised, not available; the bare "rmc.dlr.de/s3li_dataset" takes its
    # sentence's data claim (the toolkit's GitHub link keeps the code); unlinked claims that name nothing released
    # ("By making the proposed MSQAD openly available") or only a demo are dropped.
    assert dict(claims) == {
        ("available", False): 62, ("available", True): 948, ("on_request", True): 1,
        ("promised", False): 46, ("promised", True): 66,
    }
    # (kind, object)
    assert dict(objects) == {
        ("available", "code"): 510, ("available", "code+data"): 156, ("available", "code+model"): 53,
        ("available", "code+model+data"): 26, ("available", "data"): 173, ("available", "model"): 55,
        ("available", "model+data"): 17, ("available", "unspecified"): 20, ("on_request", "code"): 1,
        ("promised", "code"): 57, ("promised", "code+data"): 21, ("promised", "code+model"): 6,
        ("promised", "code+model+data"): 11, ("promised", "data"): 10, ("promised", "model"): 3,
        ("promised", "model+data"): 3, ("promised", "unspecified"): 1,
    }


def test_anchor_scan_in_one_pass_finds_what_a_find_per_anchor_finds() -> None:
    """The aho-corasick scan (when installed) and the str.find fallback give the same anchors."""
    from auditor import claims

    if claims._AC_SEARCH is None:
        pytest.skip("ahocorasick_rs is not installed: the str.find fallback is in use")
    texts = [claims.lowered(a) for a in example_abstracts()]
    texts += [" be be be ", "soonsoon", "releasreleas", "requestrequest", "İstanbul: code is avaİlable", ""]
    hits = 0
    for text in texts:
        expected = sorted(claims._anchor_hits_find(text))
        assert sorted(claims._anchor_hits_ac(text)) == expected, text
        hits += len(expected)
    assert hits > 300


def test_extraction_without_ahocorasick_is_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The str.find / "in" fallbacks (no ahocorasick_rs) extract exactly what the one-pass scans do."""
    from auditor import claims

    if claims._AC_SEARCH is None:
        pytest.skip("ahocorasick_rs is not installed: the fallbacks are what every test runs")
    abstracts = list(example_abstracts())
    with_ac = [extract(a) for a in abstracts]
    monkeypatch.setattr(claims, "_anchor_hits", claims._anchor_hits_find)
    monkeypatch.setattr(claims, "_NEED_SEARCH", None)
    without = [extract(a) for a in abstracts]
    assert sum(len(r.claims) for r in without) > 50
    assert without == with_ac
