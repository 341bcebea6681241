"""Property: on any text, extraction never raises and never returns a URL ending in punctuation."""

from __future__ import annotations

from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.claims import find_claims
from auditor.extract import extract
from auditor.links import TRAILING, find_links, repair_url, resolve

PIECES = st.sampled_from(
    [
        "https://", "http://", "https: //", "https://\n", "www.", "github.com/", "github.", "\ncom/", "hf.co/",
        "huggingface.co/datasets/", "doi:10.5281/zenodo.", "10.1234/", "gitlab.com/", "anonymous.4open.science/r/",
        "raw.githubusercontent.com/", ".github.io/", "zenodo.org/records/", "sites.google.com/view/",
        "\\href{", "}{", "\\url{", "}", "{", "~", "<", ">", "[x](", ")", "(", ".git", "/tree/main/", "/pull/",
        "\\_", "-\n", "_\n", "/\n", ".\n", ". ", ", ", ";", ":", "!", "?", "'", '"', "*", "#", "&", "%", "+",
        "e.g. ", "et al. ", "v1.5 ", "Code is available at ", "will be released ", "upon request", " ", "\n",
        "Project page: ", "Code - ", "Dataset: ", "atgithub.com/", "https:/", "$.$", "github$.io", ".github.io", "osf.io/",
        " and the data ", "we release ", "has been integrated into ", "is coming", "video ",
        "a", "Z", "0", "9", "-", "_", "/", ".", "é", "\u200b", "\t",
    ]
)
OBJECTS = {"unspecified"} | {"+".join(c) for n in (1, 2, 3) for c in combinations(("code", "model", "data"), n)}
URLISH = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=40).map("".join)


def _check(text: str) -> None:
    result = extract(text)
    for link in result.links:
        assert link.url, text
        assert link.url[-1] not in TRAILING, (text, link.url)
        if link.url[-1] in ")]}":
            closer = link.url[-1]
            opener = {")": "(", "]": "[", "}": "{"}[closer]
            assert link.url.count(opener) >= link.url.count(closer), (text, link.url)
        assert resolve(link.url).target.key  # the URL resolves again
    for claim in result.claims:
        assert claim.kind in ("available", "promised", "on_request")
        assert claim.sentence.strip(), (text, claim)  # never a claim without a sentence
        assert claim.sentence in " ".join(text.split()), (text, claim)
        assert claim.object in OBJECTS, (text, claim)
    for link in result.links:
        assert link.raw in text
    find_claims(text, find_links(text))
    url = repair_url(text)
    assert url is None or url[-1] not in TRAILING


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(URLISH)
def test_urlish_text_never_raises_nor_ends_in_punctuation(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


SENTENCEISH = st.lists(
    st.sampled_from(["We", "study", "e.g.", "Fig.", "3.5", "et al.", "J.", "Smith.", "It", "works.", "Done!", "ok?", "A",
                     "(see", "https://x.org/a.", "\n", "v1.2", "end."]),
    max_size=60,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(SENTENCEISH, st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=60))
def test_split_of_a_region_agrees_with_the_whole_split(text: str, lo: int, width: int) -> None:
    from auditor.claims import split_sentences

    whole = split_sentences(text)
    lo = min(lo, max(0, len(text) - 1))
    part = split_sentences(text, (), lo, lo + width + 1)
    assert set(part) <= set(whole)
    if text:
        assert part and part[0][0] <= lo and part[-1][1] >= min(len(text), lo + width + 1)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), URLISH))
def test_resolve_takes_any_string(url: str) -> None:
    # hosts/web.py resolves hrefs of strangers' pages, repaired or not
    r = resolve(url)
    assert r.target.key and r.target.kind
