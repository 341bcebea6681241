"""Breakages of links that real abstracts show and the extractor once missed.

The shapes are those quoted in the issue that listed them (read from real arXiv abstracts:
``https:`` then a line break, ``https:  //``, ``https:/github.com``, ``github$.$com``,
``https://4d-`` + newline + ``visual-pretraining.github.io``, ``available atgithub.com/...``,
bare ``name.github.io``, ``osf.io/ID``, ``pages.example.edu/~group/tool``); the surrounding
sentences follow the sample's wording (2604.08947 and 2511.04499 for OSF, 2601.19557 for a
bare host with a path). Product names that look like domains must stay text.
"""

from __future__ import annotations

import pytest

from auditor.extract import extract
from auditor.links import find_links

BROKEN = [
    ("Code is available at https:\n//github.com/a-lab/tool.", "https://github.com/a-lab/tool"),
    ("Code is available at https:  //github.com/a-lab/tool.", "https://github.com/a-lab/tool"),
    ("Code is available at https:/github.com/a-lab/tool.", "https://github.com/a-lab/tool"),
    ("Code is available at github$.$com/a-lab/tool.", "https://github.com/a-lab/tool"),
    ("Project page: https://a-lab$.github$.io/tool.", "https://a-lab.github.io/tool"),
    ("Project page: https://a-lab.github$.io/tool.", "https://a-lab.github.io/tool"),
    ("Project page: https://4d-\nvisual-pretraining.github.io.", "https://4d-visual-pretraining.github.io"),
    ("Our code is available atgithub.com/owner/repo.", "https://github.com/owner/repo"),
    ("See the project page at 4d-visual-pretraining.github.io for videos.", "https://4d-visual-pretraining.github.io"),
    ("We share the data and code here: osf.io/bsvzc.", "https://osf.io/bsvzc"),
    ("The tool is at pages.example.edu/~group/tool.", "https://pages.example.edu/~group/tool"),
    # 2601.19557: a host with a path, no scheme
    ("The data (rmc.dlr.de/s3li_dataset) is accompanied by an open source toolkit.", "https://rmc.dlr.de/s3li_dataset"),
]


@pytest.mark.parametrize(("text", "url"), BROKEN)
def test_broken_links_are_repaired(text: str, url: str) -> None:
    assert [link.url for link in find_links(text)] == [url]


def test_a_repaired_link_carries_its_claim() -> None:
    result = extract("Our code is available atgithub.com/owner/repo.")
    assert [(c.kind, c.object, c.target_key) for c in result.claims] == [("available", "code", "github:owner/repo")]
    assert result.links[0].raw in "Our code is available atgithub.com/owner/repo."


NOT_LINKS = [
    "We compare against Flux.dev, Bolt.diy and Gemini-1.Pro on three benchmarks.",
    "Products sold on Amazon.com are reviewed by Amazon.com staff.",
    "It runs in TensorFlow.js/React and Node.js/npm, on U.S./EU data, and/or 1/2 of the GPUs.",
    "The attention mechanism (at Google.com) scales.",
    # a word ending in a glue word's letters is not glued: "attention" is no "at" + host
    "We study attention.github.io-like pages in text.",
]


@pytest.mark.parametrize("text", NOT_LINKS)
def test_product_names_and_slashes_are_not_links(text: str) -> None:
    assert [link.url for link in find_links(text)] == []
