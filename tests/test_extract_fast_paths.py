"""The shortcuts of the extractor's scans against the plain forms they stand for.

Each shortcut (a leftmost-first anchor pass, a boundary regex tried only where it can
match, a subject search without its leading "\\b", URL bodies read as runs) must give
exactly what the plain form gives; the inputs are the cases where the two could part:
overlapping anchors, marks at the end of the text or before a quote, words that hold a
subject inside them, LaTeX escapes inside URLs.
"""

from __future__ import annotations

import re

import pytest

from auditor import claims, links
from tests.test_extract_sample import example_abstracts

OVERLAPS = [
    "releasoon", "publicoming", "included integrated", "included included in", " be be be ",
    "the code is releasoon available", "ReleaSoon", "acceaccept", "openopen-source", "",
    " be be  be be be ", "public be be be", "will be be released", "includedincluded in included in",
]


def test_ascii_anchor_pass_finds_what_the_overlapping_pass_finds() -> None:
    if claims._AC_SEARCH is None:
        pytest.skip("ahocorasick_rs is not installed: the str.find fallback is in use")
    texts = [claims.lowered(a) for a in example_abstracts()[:150]] + [claims.lowered(t) for t in OVERLAPS]
    hits = 0
    for text in texts:
        ends = [0] * len(claims._ANCHORS)
        expected = []
        for k, i, j in claims._AC_SEARCH(text, overlapping=True):
            if i >= ends[k]:
                ends[k] = j
                expected.append((k, i))
        assert sorted(claims._anchor_hits_ascii(text)) == sorted(expected) == sorted(claims._anchor_hits_find(text)), text
        hits += len(expected)
    assert hits > 100
    assert (claims._ANCHORS.index(next(a for a in claims._ANCHORS if a[0] == "soon")), 5) in claims._anchor_hits_ascii("releasoon")


BOUNDARY_TEXTS = [
    "End.", "End. ", "One. Two", "One.) Two", 'He said "yes." Then', "Wait... What", "Why?! Because", "See Fig. 2. Then",
    "e.g. This", "i.e., that", "v1.5 is out. Next", "github.com/x. Next", "A.\nB", "A.\tB", "A.\u00a0B", "x.]  Y", "x.' Y",
    "a. b", "3.5. 4", "?", "!!", "Mr. X. Dr. Y.", "w.r.t. Z. Then",
]


@pytest.mark.parametrize("text", BOUNDARY_TEXTS + [a for a in example_abstracts()[:40]])
def test_boundaries_are_the_boundary_regex_matches(text: str) -> None:
    expected = [(m.start(), m.end()) for m in claims._BOUNDARY.finditer(text)]
    assert list(claims._boundaries(text, 0)) == expected


SUBJECT_TEXTS = [
    "the code is available", "decode is available", "our encoders and code", "x_code here", "datasets", "metadata and data",
    "the codebase", "source  code", "a hugging face model", "huggingface page", "homepage", "subpage or page", "", "co de",
]


@pytest.mark.parametrize("text", SUBJECT_TEXTS)
def test_subject_search_is_a_word_bounded_search(text: str) -> None:
    for rx, words in (
        (claims._SUBJECT, claims._ARTEFACT),
        (claims._LINK_SUBJECT, claims._ARTEFACT + r"|github|hugging\s?face|zenodo|project|page|website|homepage"),
    ):
        plain = re.compile(r"\b(?:" + words + r")\b")
        for lo in range(0, len(text) + 1, 3):
            m = plain.search(text, lo, len(text))
            assert claims._subject(rx, text, lo, len(text)) == (m.start() if m else None), (text, lo)


URL_TEXTS = [
    "https://github.com/a/b.", "see https://x.org/a\\_b\\%20c}{d}", "www.ex-ample.org/p?q=1#f", "github.com/o/r\\",
    "doi:10.5281/zenodo.123.", "https: //github.\ncom/a/b", "hf.co/org/m-7B)", "code at\\url{https://a.b/c\\~d}",
]


def test_url_bodies_read_as_runs_match_the_character_form() -> None:
    char = r"(?:[^\s<>\"{}|\\^`\[\]]|\\[_#%&~])"
    slow = re.compile(links._CANDIDATE.pattern.replace(links._BODY, char), re.IGNORECASE)
    assert slow.pattern != links._CANDIDATE.pattern
    texts = URL_TEXTS + [a for a in example_abstracts() if "/" in a][:80]
    matched = 0
    for text in texts:
        for i in range(len(text)):
            fast_m, slow_m = links._CANDIDATE.match(text, i), slow.match(text, i)
            assert (fast_m and fast_m.span()) == (slow_m and slow_m.span()), (text, i)
            matched += fast_m is not None
    assert matched > 50


SENTENCE_TEXTS = BOUNDARY_TEXTS + [
    "Code is at https://x.org/a.b. Next one. And e.g. this. Last", "A. B.. C... D?! E.) F.\n G", "x.y. Z https://a.io/b.c.",
    "No marks at all here", ". . . A", "One!  Two? Three.", "Mr. X went. Fig. 3 shows. End",
]


@pytest.mark.parametrize("text", SENTENCE_TEXTS + [a for a in example_abstracts()[:20]])
def test_sentences_around_places_are_the_whole_splits_sentences(text: str) -> None:
    # the local walk (back and forth from each place) against split_sentences' scan of the region
    guards: list[list[tuple[int, int]]] = [[]]
    for link in links.find_links(text):
        guards[0].append((i := text.find(link.raw.rstrip(".,;:!?'\")]}*+")), i + len(link.raw)))
    guards.append(sorted(guards[0] + [(k, k + 7) for k in range(3, len(text), 41)]))  # guards over marks, overlapping ones
    n = len(text)
    for guard in guards:
        for step in (1, 7, 23) if n < 200 else (13, 31):  # every place of the short texts
            for first in range(0, n, step):
                places = [first, min(n - 1, first + step * 5)] if step > 1 else [first]
                whole = claims.split_sentences(text, guard, min(places), max(places) + 1)
                expected = []
                for p in sorted(places):
                    s = next(x for x in whole if x[0] <= p < x[1])
                    if s not in expected:
                        expected.append(s)
                assert claims._sentences_around(text, places, guard) == expected, (text, places, guard)


def test_frozen_maker_builds_what_the_dataclass_init_builds() -> None:
    from auditor.frozen import maker
    from auditor.models import Claim, Link, Target

    target = Target("github:a/b", "github_repo", "github.com", "https://github.com/a/b", "a", "b")
    cases = [
        (Link, {"raw": "a/b", "url": "https://github.com/a/b", "target": target, "ordinal": 2, "ref": "main", "subpath": "src",
                "number": 3, "item": "tree", "placeholder": True}),
        (Link, {"raw": "x", "url": "https://x.org", "target": target}),  # the defaults
        (Claim, {"kind": "available", "sentence": "Code at x.", "target_key": "github:a/b", "object": "code"}),
        (Claim, {"kind": "promised", "sentence": "s", "target_key": None}),
    ]
    for cls, values in cases:
        slow, fast = cls(**values), maker(cls)(**values)
        assert type(fast) is cls and vars(fast) == vars(slow) and fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    for args, kw in ((("github:a/b", "github_repo", "github.com", "https://github.com/a/b", "a", "b"), {}),
                     (("zenodo:1", "zenodo", "zenodo.org", "https://zenodo.org/records/1"), {"name": "1"})):
        slow, fast = Target(*args, **kw), links._target(*args, **kw)  # what resolve builds
        assert type(fast) is Target and vars(fast) == vars(slow) and fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    with pytest.raises(AttributeError):
        fast.kind = "available"  # type: ignore[misc]  # still frozen
    for wrong in ({"kind": "available", "sentence": "s"}, {"kind": "available", "sentence": "s", "target_key": None, "knd": "x"}):
        with pytest.raises(TypeError):  # a missing or misspelt field, as the dataclass refuses it
            maker(Claim)(**wrong)


def test_a_hand_written_builder_is_refused_once_its_class_outgrows_it() -> None:
    """links._target sets Target's six fields itself: a new field without a default, a default
    factory or a __post_init__ must fail at import, not build objects unlike Target(...)."""
    from dataclasses import dataclass, field

    from auditor.frozen import rest_defaults

    @dataclass(frozen=True)
    class Grown:
        key: str
        extra: int
        note: str = "n"

    assert rest_defaults(Grown, ("key", "extra")) == {"note": "n"}
    with pytest.raises(TypeError):
        rest_defaults(Grown, ("key",))  # extra has no default: only Grown(...) could build it

    @dataclass(frozen=True)
    class Factory:
        key: str
        tags: list = field(default_factory=list)

    @dataclass(frozen=True)
    class Checked:
        key: str

        def __post_init__(self) -> None:
            pass

    for cls in (Factory, Checked):
        with pytest.raises(TypeError):
            rest_defaults(cls, ("key",))


CLEAN_TOKENS = URL_TEXTS + [
    "github.com/a/b", "GitHub.com/a/b", "x.github.io", "x.github.io/p/.", "a.bc/x.git", "a.bc/x.git/", "a.bc/x.GIT)", "https://a.bc/",
    "http://a.bc/x~y_z-1.2", "a.bc", "10.12345.com/x", "10.1234/x", "https://a-.bc/x", "https://a.b-c/x", "https://1.2.3.4/x",
    "a.bc/x.git.", "https://x.yz/a.git/.", "www.x.org/a).", "a.bc/-_~.", "HTTPS://a.bc/x", "https://A.bc/x", "ftp://a.bc/x",
    "https://a.bc/x?q=1", "https://a.bc/x#f", "https://a.bc/(x)", "https://a.bc/x]", "https://a.b/x", "https://a.b9/x",
]


def test_clean_takes_a_plain_url_as_the_repairs_would() -> None:
    # the plain-URL shortcut of _clean against _repair, which every token once took
    tokens = CLEAN_TOKENS + [t.raw for a in example_abstracts() for t in links._tokens(a)]
    plain = 0
    for token in tokens:
        assert links._clean.__wrapped__(token) == links._repair(token), token
        plain += links._PLAIN_URL.fullmatch(links._strip_trailing(token)) is not None
    assert 50 < plain < len(tokens)


LOWER_TEXTS = [
    "See WWW.Example.org/x and Name.GitHub.io", "İstanbul: www.example.org\nand name.github.io", "a\nwww.\nx.org",
    "Code: https://github.com/a/b.\nPage: https://A.github.IO/x", "name.github.io", "",
]


def test_find_links_reads_the_claims_lowered_text_as_its_own_lower_case() -> None:
    """extract() hands find_links the claims' lowered text (line breaks as spaces, "İ" kept):
    it finds what find_links finds lower-casing the text itself."""
    texts = LOWER_TEXTS + list(example_abstracts()[:150])
    found = 0
    for text in texts:
        own = links.find_links(text)
        assert links.find_links(text, claims.lowered(text)) == own, text
        found += len(own)
    assert found > 50
