"""Extraction over real abstracts: the example dumps' (every clone) and arXiv's (../shared).

The 313 abstracts of examples/dumps/ run everywhere; the spot checks pin what
is found in particular real arXiv abstracts of ../shared/abstracts (2,000, read
in place, marked ``shared``). We tell abstracts with links from those without
independently of the extractor, by whether the text holds anything URL-shaped
(a scheme, "www.", a host followed by a path, a DOI); abstracts without that
must yield no links.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from auditor.extract import extract
from auditor.ingest import read_records
from auditor.links import TRAILING, find_links
from tests.conftest import EXAMPLE_DUMPS, shared_path

URL_SHAPED = re.compile(r"://|\bwww\.|\.(?:com|org|io|co|science|net|edu|ai)/|\b10\.\d{4,}/", re.IGNORECASE)


@lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    """The example dumps' papers as {"id", "abstract"}."""
    return tuple({"id": r.paper.paper_id, "abstract": r.paper.abstract}
                 for dump in sorted(Path(EXAMPLE_DUMPS).glob("*.txt")) for r in read_records(dump))


def _arxiv(arxiv_id: str) -> str:
    path = shared_path("abstracts", "arxiv-2025-2026-sample.jsonl")
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["arxiv_id"] == arxiv_id:
                return row["abstract"]
    raise KeyError(arxiv_id)


def test_every_abstract_extracts_without_error_and_urls_are_clean() -> None:
    rows = _rows()
    assert len(rows) == 313
    total = 0
    for row in rows:
        result = extract(row["abstract"])
        for link in result.links:
            total += 1
            assert link.url[-1] not in TRAILING, link.url
            assert link.raw in row["abstract"]
            assert not any(c.isspace() for c in link.url)
        assert [link.ordinal for link in result.links] == list(range(len(result.links)))
    assert total > 95  # 95 of the abstracts have links, some several


def test_link_free_abstracts_yield_no_links_and_linked_ones_yield_links() -> None:
    rows = _rows()
    free = [r for r in rows if not URL_SHAPED.search(r["abstract"])]
    linked = [r for r in rows if URL_SHAPED.search(r["abstract"])]
    assert len(free) >= 200 and len(linked) >= 90
    assert [r["id"] for r in free if find_links(r["abstract"])] == []
    assert [r["id"] for r in linked if not find_links(r["abstract"])] == []


SPOT = [
    # \href{URL}{URL} with a line break between the arguments: one link
    ("2508.18075", ["https://github.com/KOBEN-ff/OpenFUCD-main"]),
    # \href with \texttt around the visible URL
    ("2504.13207", ["https://github.com/cat-wwh/BEV-GS"]),
    # .git before the final full stop
    ("2506.05735", ["https://github.com/Graph-COM/Knowledge_Unlearning"]),
    # URLs broken across lines
    ("2505.05446", ["https://github.com/Euphoria16/DocMark"]),
    ("2507.00808", ["https://ntt-hilab-gensp.github.io/ssw13multiinteraction_tts/"]),
    ("2503.13477", ["https://anonymous.4open.science/r/Bone-Loss-Keypoint-Detection-Code", "https://bit.ly/4hJ3aE7"]),
    # "https: //" with a space
    ("2604.09220", ["https://github.com/HannanAkhtar/TinyNeRV-Implementation"]),
    # \href's visible text is another URL: the target counts
    ("2508.03732", ["https://github.com/kushalkanwarNS/WhatisBeneathMisogyny/tree/main"]),
    # github and Hugging Face on separate lines, the second without a full stop
    ("2508.09241", ["https://github.com/AnonymousThewarehouse/FineState-Bench",
                    "https://huggingface.co/datasets/Willtime2006/Static-FineBench"]),
]


@pytest.mark.shared
def test_spot_checks_on_real_arxiv_abstracts() -> None:
    for arxiv_id, urls in SPOT:
        assert [link.url for link in find_links(_arxiv(arxiv_id))] == urls, arxiv_id
    # GitLab subgroup repo and a tree ref (2606.00076), Zenodo DOI without a URL (2602.18903)
    (gitlab,) = find_links(_arxiv("2606.00076"))
    assert gitlab.target.kind == "forge_repo" and gitlab.item == "tree"
    assert [link.target.key for link in find_links(_arxiv("2602.18903"))] == ["zenodo:18721380"]
    # a GitHub pull request (2511.20836)
    (pr,) = [link for link in find_links(_arxiv("2511.20836")) if link.item == "pull"]
    assert (pr.target.key, pr.number) == ("github:stanford-crfm/helm", 3893)
