"""No input can stall extraction: the work per abstract is bounded and linear in its length.

Work is counted in steps, not time: every line the extractor's modules (links, claims,
extract) execute is one step (sys.settrace), so the bound holds on any machine and under any
load. The extractor's C-level scans (str.find, regex matches) each run from a position that
only moves forward or inside a window of bounded size, so lines executed are the measure.
The shapes are what a crafted dump holds: a long whitespace run followed by many URLs (it
took 41 s for 1 MB of spaces and 40,000 URLs before the bound), runs of claim phrases, of
slashes, of brackets, of LaTeX.
"""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import claims as claims_module
from auditor import extract as extract_module
from auditor import links as links_module
from auditor.extract import MAX_ABSTRACT_CHARS, cut, extract

_MODULES = {links_module.__file__, claims_module.__file__, extract_module.__file__}
#: Steps per character allowed (real abstracts take 0.3 on the median, 4 at most; the densest
#: crafted shape, "a/a/a/...", 26) and a constant for the fixed costs of one call.
PER_CHAR, FIXED = 40, 3_000


def steps(fn, text: str) -> int:
    """Lines of the extractor's modules executed by ``fn(text)``, caches emptied first (so a
    cached result cannot hide work)."""
    links_module._clean.cache_clear()
    links_module.resolve.cache_clear()
    claims_module._PLANS.clear()
    count = 0

    def local(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1
        return local

    def outer(frame, event, arg):  # type: ignore[no-untyped-def]
        return local if frame.f_code.co_filename in _MODULES else None

    previous = sys.gettrace()
    sys.settrace(outer)
    try:
        fn(text)
    finally:
        sys.settrace(previous)
    return count


def _spaces_then_urls(n: int) -> str:
    return " " * (n // 2) + " ".join(f"https://github.com/o{i}/r{i}" for i in range(n // 60))


SHAPES = {
    # the shape that stalled: a whitespace run, then many URLs (one long "sentence")
    "spaces then URLs": _spaces_then_urls,
    "URLs with full stops": lambda n: " ".join(f"https://github.com/o{i}/r{i}." for i in range(n // 30)),
    "claim phrases": lambda n: "The code will be released upon request and is available at " * (n // 60),
    "claims at links": lambda n: "".join(f"code will be released at https://github.com/a/b{i} and " for i in range(n // 55)),
    "labels and links": lambda n: "".join(f"Code: https://github.com/a/b{i} Project page: https://a{i}.github.io "
                                          for i in range(n // 70)),
    "slashes": lambda n: "a/" * (n // 2),
    "host labels": lambda n: "a." * (n // 2) + "/x",
    "closing brackets": lambda n: "https://a.com/x" + ")" * n,
    "href openings": lambda n: "\\href{https://x.org/" * (n // 20),
    "wrapped URL ends": lambda n: "https://github.com/a/\n" * (n // 22),
    "request": lambda n: "data upon request https://github.com/a/b not available, " * (n // 56),
}


def test_each_shape_is_within_its_bound_and_grows_linearly() -> None:
    for name, make in SHAPES.items():
        small, large = make(2_000), make(4_000)
        s, t = steps(extract, small), steps(extract, large)
        assert t <= PER_CHAR * len(large) + FIXED, (name, t, len(large))
        # twice the text, at most about twice the work (a quadratic step would give 4x)
        assert t <= 2.4 * s + FIXED, (name, s, t)


def test_a_huge_crafted_abstract_is_cut_and_its_work_bounded() -> None:
    # 1 MB of spaces and 40,000 URLs: read up to MAX_ABSTRACT_CHARS, reported, not rejected
    text = " " * 1_000_000 + " ".join(f"https://github.com/o{i}/r{i}" for i in range(40_000))
    result = extract(text)
    assert result.cut_from == len(text)
    assert result.links == ()  # what stood after the first MAX_ABSTRACT_CHARS characters is not read
    assert steps(extract, text) <= PER_CHAR * MAX_ABSTRACT_CHARS + FIXED


def test_a_long_abstract_keeps_what_stands_before_the_cut() -> None:
    head = "Code is available at https://github.com/a-lab/tool. "
    text = head + "We evaluate the method on many settings. " * 400
    assert len(text) > MAX_ABSTRACT_CHARS
    result = extract(text)
    assert result.cut_from == len(text)
    assert [link.url for link in result.links] == ["https://github.com/a-lab/tool"]
    assert [c.kind for c in result.claims] == ["available"]
    # cut at a space, so no word or URL is cut in two
    assert len(cut(text)) <= MAX_ABSTRACT_CHARS and text.startswith(cut(text)) and text[len(cut(text))] == " "
    assert extract(head).cut_from is None


PIECES = st.sampled_from([
    " ", "\n", "\t", "https://", "github.com/", "a/", "x.", ".", ")", "(", "{", "}", "\\href{", "\\url{",
    "www.", "doi:10.1234/", "Code: ", "available at ", "will be released ", "upon request ", "not ",
    "e.g. ", "et al. ", "We release the code. ", "-\n", "_\n", ".git", "?!", "be ", "soon ", "open-source ",
])
# a piece repeated many times, several such runs in a row: where a quadratic step would show
RUNS = st.lists(st.tuples(PIECES, st.integers(min_value=1, max_value=400)), min_size=1, max_size=6).map(
    lambda runs: "".join(piece * times for piece, times in runs)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(RUNS)
def test_adversarial_runs_stay_within_the_step_bound(text: str) -> None:
    assert steps(extract, text) <= PER_CHAR * len(text) + FIXED


def test_audit_extract_reports_a_cut_abstract_and_keeps_the_paper(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from tests.test_cli import audit

    dump = tmp_path / "dump.jsonl"
    rows = [
        {"title": "A paper with a crafted abstract", "abstract": "Code: https://github.com/a/b. " + " " * 50_000 + "x"},
        {"title": "An ordinary paper", "abstract": "The code is available at https://github.com/c/d."},
    ]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = audit("extract", str(dump))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [[link["target"] for link in r["links"]] for r in out] == [["github:a/b"], ["github:c/d"]]
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("audit: cut ")]
    assert "dump.jsonl record 0" in line and "50,031 characters" in line and f"{MAX_ABSTRACT_CHARS:,}" in line
