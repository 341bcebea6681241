"""extract() over the example dumps (real Hugging Face Daily Papers text)."""

from __future__ import annotations

from pathlib import Path

from auditor.extract import claim_for, extract
from auditor.links import TRAILING
from auditor.models import Extraction


def _paragraphs(dumps: list[Path]) -> list[str]:
    out = []
    for path in dumps:
        out.extend(p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip())
    return out


def test_extract_every_paragraph_of_the_dumps(example_dumps: list[Path]) -> None:
    assert len(example_dumps) == 4
    links = claims = 0
    for text in _paragraphs(example_dumps):
        result = extract(text)
        assert isinstance(result, Extraction)
        for link in result.links:
            assert link.url[-1] not in TRAILING
            assert "{" not in link.url and "\\" not in link.url and " " not in link.url
        links += len(result.links)
        claims += sum(1 for c in result.claims if c.target_key is not None)
    # the four dumps hold 100 distinct links (paragraph by paragraph), each with a claim in its sentence
    assert links >= 100
    assert claims > 0.9 * links


def test_extract_dump_abstract_with_latex_leftovers(example_dumps: list[Path]) -> None:
    paragraph = next(p for p in _paragraphs(example_dumps) if "footnotesizeblue" in p)
    result = extract(paragraph)
    (link,) = result.links
    assert link.url == "https://github.com/microsoft/SPTAG"
    assert claim_for(link, result.claims) == "available"


def test_extract_dump_abstract_with_two_hf_models(example_dumps: list[Path]) -> None:
    paragraph = next(p for p in _paragraphs(example_dumps) if "SmallThinker is publicly available" in p)
    result = extract(paragraph)
    assert [link.target.kind for link in result.links] == ["huggingface_model", "huggingface_model"]
    assert [claim_for(link, result.claims) for link in result.links] == ["available", "available"]


def test_extract_link_free_text_is_empty() -> None:
    assert extract("We propose a method. It works well, e.g. on ImageNet (Deng et al. 2009).") == Extraction()
    assert extract("") == Extraction()


def test_claim_for_picks_the_first_claim_of_the_target() -> None:
    text = "Code will be released at https://github.com/a/b. The repository https://github.com/a/b/tree/dev is available."
    result = extract(text)
    assert len(result.links) == 2
    assert [claim_for(link, result.claims) for link in result.links] == ["promised", "promised"]
    assert [c.kind for c in result.claims] == ["promised", "available"]
