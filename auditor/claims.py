"""Code-availability claims: what each sentence of an abstract says about its code.

Kinds: ``available`` ("code is available at", "we release", "Code: URL"),
``promised`` ("will be released", "upon acceptance", "coming soon") and
``on_request`` ("available upon request"). A claim is attached to the link(s)
of its sentence, or to none (``target_key`` None) when the sentence has no link.

Precision first: phrases that are ambiguous on their own ("available at",
"Code:") count only when the sentence holds a link; without a link a sentence
must also name an artefact (code, model, data ...) and not be a condition
("if only one image is available"). "publicly available datasets" (used, not
released) is not a claim.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence

from auditor.models import Claim, ClaimKind, Link

try:  # one pass over the text for all anchors (Rust aho-corasick) instead of one str.find pass per anchor
    from ahocorasick_rs import AhoCorasick, MatchKind
except ImportError:  # pragma: no cover - a declared dependency; the str.find loop gives the same windows
    AhoCorasick = None  # type: ignore[assignment,misc]

__all__ = ["claims_from_spans", "find_claims", "link_spans", "lowered", "split_sentences"]

# The patterns run on lower-cased text without re.IGNORECASE and without a
# leading "\b" (both keep Python's regex engine on its fast path); a match that
# starts inside a word is dropped afterwards (see _phrases). Their top-level
# alternatives start with a plain letter, not a group ("upon X|on X", not
# "(?:up)?on X"): the engine then rejects most places by their first character
# (_words writes them out; "(?:a|b)X" and "aX|bX" match the same, in the same order).
_ADV = r"(?:publicly\s+|freely\s+|openly\s+|fully\s+|also\s+|now\s+|all\s+|both\s+|soon\s+|made\s+)*"
_AVAIL = r"(?:available|avaiable|availabe|availble|avaliable|avalaible|avilable)"


def _words(words: str, tail: str) -> list[str]:
    return [word + tail for word in words.split()]


def _by_letter(alternatives: list[str]) -> str:
    """``aX|bY|aZ`` written as ``a(?:X|Z)|b(?:Y)``: the engine tries one alternative per first
    letter instead of all. Same matches: alternatives with different first letters never
    match at one place, and those with the same one keep their order."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        assert alternative[0].isalpha(), alternative
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items())


_ARTEFACT = (
    r"code|codes|codebase|source\s+code|implementations?|models?|weights|checkpoints?|data|datasets?|benchmarks?"
    r"|toolkit|toolbox|library|framework|repository|repo|software|package|tools|resources|scripts|corpus|corpora"
    r"|materials|artifacts|artefacts|demos?|annotations|prompts|pipeline|platform|leaderboard|suite"
)
# A release verb's object may not be a modal: "we will release" is a promise.
_FILLER = r"(?:(?!will\b|shall\b|would\b|plan|intend|aim\b|hope\b|expect)[\w$^{}\\-]+,?\s+)"
_DET = r"(?:our|the|all|its|their|both|this|these|a|an|full|complete|source)\b"
# "available" in a sense unrelated to a release: "available during training", "available per video"
_NOT_RELEASE = (
    r"(?!\s+(?:during|per|for\s+(?:training|each|all|most|many|inference)|in\s+(?:the\s+)?(?:training|practice|real|most)"
    r"|to\s+(?:the\s+)?(?:model|agent|learner|user|robot|system)s?\b|only\b|at\s+(?:test|inference|training)))"
)

_ON_REQUEST = (
    r"(?:" + _AVAIL + r"|provided|obtained|shared|accessible|released|provide)\s+(?:\w+\s+){0,3}?"
    r"(?:up)?on\s+(?:a\s+)?(?:reasonable\s+|justified\s+|written\s+)?request\b"
    r"|(?:up)?on\s+(?:a\s+)?(?:reasonable\s+)?request\b|by\s+request\b"
    r"|request\s+(?:to|from)\s+the\s+(?:corresponding\s+)?authors?\b"
)
# negations void what they overlap: "is not publicly available", "will not be released"
_NEG = (
    r"(?:not|no\s+longer|never|neither|nor)\s+(?:yet\s+)?(?:be\s+|been\s+)?" + _ADV
    + r"(?:" + _AVAIL + r"|released|accessible|open[- ]?sourced?)\b"
    r"|no\s+(?:[\w-]+\s+){0,4}?(?:is|are|was|were)\s+(?:publicly\s+)?" + _AVAIL
)
_PROMISED_ALTERNATIVES = [
    r"will\s+(?:\w+\s+){0,2}?(?:be\s+)?" + _ADV
    + r"(?:" + _AVAIL + r"|released|public|open[- ]?sourced?|shared|accessible|published|provided|hosted)\b",
    r"will\s+(?:\w+\s+){0,2}?(?:release|open[- ]?source|publish)\b",
    r"will\s+be\s+(?:at|on|in)\b",
    r"will\s+(?:\w+\s+){0,2}?make\s+(?:[\w-]+,?\s+){0,7}?" + _ADV + r"(?:" + _AVAIL + r"|public|accessible|open[- ]?sourced?)\b",
    r"coming\s+soon\b",
    r"soon\s+(?:be\s+)?(?:" + _AVAIL + r"|released|open[- ]?sourced)\b",
    *_words("upon on", r"\s+(?:paper\s+|the\s+|our\s+)?(?:acceptance|publication)\b"),
    r"after\s+(?:the\s+)?(?:paper\s+(?:is\s+)?)?(?:acceptance|accepted|publication|review|the\s+review)\b",
    r"once\s+(?:the\s+)?(?:paper\s+|manuscript\s+|work\s+)?(?:is\s+)?(?:accepted|published)\b",
    r"to\s+be\s+" + _ADV + r"(?:released|open[- ]?sourced|" + _AVAIL + r"|made\s+(?:publicly\s+)?" + _AVAIL + r")\b",
    *_words("plan plans intend intends aim aims expect hope", r"\s+to\s+" + _ADV
            + r"(?:release|open[- ]?source|publish|share|make\s+(?:[\w-]+\s+){0,6}?(?:" + _AVAIL + r"|public))\b"),
    *_words("are is", r"\s+going\s+to\s+be\s+(?:released|" + _AVAIL + r"|open[- ]?sourced)\b"),
]
_PROMISED = _by_letter(_PROMISED_ALTERNATIVES)
# availability, counted with or without a link
_RELEASE_OBJECT = r"\s+" + _FILLER + r"{0,4}?(?:" + _ARTEFACT + r")\b"
_AVAILABLE_ALTERNATIVES = [
    *_words("make makes making made", r"\s+(?:[\w$^{}\\-]+,?\s+){0,7}?(?:(?:publicly\s+|freely\s+|openly\s+)?(?:"
            + _AVAIL + r"|public)|(?:publicly|freely|openly)\s+accessible)\b"),
    *_words("release releases releasing", _RELEASE_OBJECT),
    r"publicly\s+release" + _RELEASE_OBJECT,
    r"publicly\s+releasing" + _RELEASE_OBJECT,
    *_words("publish publishes", _RELEASE_OBJECT),
    r"open[- ]?sourc(?:e|es|ed|ing)\s+" + _DET,
    (r"we\s+(?:have\s+)?(?:also\s+|further\s+|publicly\s+|hereby\s+|additionally\s+|fully\s+)?"
     r"(?:release|released|open[- ]?source|open[- ]?sourced)\b"),
]
_AVAILABLE = _by_letter(_AVAILABLE_ALTERNATIVES)
# ... and these when an artefact is their subject ("the code is available", "data can be found")
_AVAILABLE_SUBJECT = (
    r"(?:is|are|has\s+been|have\s+been|was|were)\s+" + _ADV
    + r"(?:" + _AVAIL + r"|accessible|released|open[- ]?sourced?|hosted|public)\b" + _NOT_RELEASE
)
_CAN_BE = r"can\s+be\s+(?:found|accessed|downloaded|obtained)\b"
# phrases that count only next to a link: "available at", "Code: URL", "project page at"
_LINKED = (
    (r"(?:" + _AVAIL + r"|accessible|hosted|provided|released|published)\s+(?:at|on|via|from|through|here|online|in|under)\b",
     ("vail", "vaia", "vali", "access", "host", "provid", "releas", "publish")),
    (r"(?:publicly|freely|openly)\s+(?:_+\}?\{?)?(?:" + _AVAIL + r"|accessible|released)\b", ("public", "freely", "openly")),
    (r"(?:is|are)\s+(?:" + _ADV + r"(?:provided|hosted|here)\b|\$?\{?\\(?:href|url)\b)", (" is", " are")),
    (r"can\s+be\s+(?:found|accessed|downloaded|obtained|viewed)\b", ("can be",)),
    (r"(?:github|code)\.?\s*\}", ("}",)),
    (r"open[- ]?source[ds]?\b", ("open",)),
    (r"see\b|visit\b", ("see", "visit")),
    (r"found\s+(?:at|in|on)\b", ("found",)),
    (r"at\s*:(?!\s*//)", ("at:", "at :")),
)
# ... and a preposition or label colon after an artefact, right before the link: "Code and models at URL", "Code: URL"
_LINKED_SUBJECT = r"\b(?:at|in|on|via|here)\b|:(?!\s*//)"
_BEFORE_LINK = 70
_SUBJECT = re.compile(r"\b(?:" + _ARTEFACT + r")\b")
_LINK_SUBJECT = re.compile(r"\b(?:" + _ARTEFACT + r"|github|hugging\s?face|zenodo|project|page|website|homepage)\b")

#: (name, kind, pattern, where it runs, how far back (characters, same clause) an
#: artefact subject must stand (0: none needed), substrings its window must hold
#: (one of them; None: no test)). Where: "anchors" = windows around claim anchors
#: and links (each window runs the names its anchors ask for), "links" = the
#: sentence of a link, "before_link" = the few words before each link.
_PATTERNS = tuple(
    (name, kind, re.compile(pattern), scope, subject, needs)
    for name, kind, pattern, scope, subject, needs in (
        ("on_request", "on_request", _ON_REQUEST, "anchors", 0, ("request",)),
        ("neg", "neg", _NEG, "anchors", 0, ("not ", "no ", "never", "nor ", "neither")),
        ("promised", "promised", _PROMISED, "anchors", 0,
         ("will", "soon", "accept", "publica", "after", "once", "to be", "plan", "intend", "aim", "expect", "hope", "going")),
        ("available", "available", _AVAILABLE, "anchors", 0, ("mak", "made", "releas", "publish", "open", "we ")),
        ("subject", "available", _AVAILABLE_SUBJECT, "anchors", 90, (" is ", " are ", "been", " was ", "were")),
        ("can_be", "available", _CAN_BE, "anchors", 50, ("can be",)),
        ("before_link", "linked", _LINKED_SUBJECT, "before_link", 50, None),
        *(("linked", "linked", pattern, "links", 0, needs) for pattern, needs in _LINKED),
    )
)
_ALL = frozenset(("on_request", "neg", "promised", "available", "subject", "can_be"))
#: which matches a match of the key kind voids when they overlap
_VOIDS = {"on_request": ("available", "linked", "promised"), "neg": ("available", "linked", "promised"), "promised": ("available", "linked")}
_PRIORITY: dict[str, int] = {"on_request": 3, "promised": 2, "available": 1}
_CONDITION = re.compile(r"\b(?:if|when|whenever|unless|whether|where)\b")


def _open_source(lower: str, i: int) -> bool:
    return lower.startswith(("open-sourc", "open sourc", "opensourc"), i)


def _public(lower: str, i: int) -> bool:
    # "publicly available/released/accessible" are found through their other word
    return lower.startswith("publication", i) or lower[max(0, i - 6) : i].endswith(("made ", "be ", "make ", "are ", "is "))


_PREDICATE = (" is ", " are ", "been", " was ", "were", " be ", "made ", "make", "making", "will", "soon")


def _predicate(lower: str, i: int) -> bool:
    """'available'/'accessible' said of something ("the code is publicly available", "will be
    made available", "available upon request"), not used as an adjective ("available datasets")."""
    before = lower[max(0, i - 45) : i]
    for x in _PREDICATE:
        if x in before:
            return True
    return "request" in lower[i : i + 60]


_RELEASE = frozenset(("neg", "promised", "available", "subject"))
_PROMISE = frozenset(("promised",))


def _acce(lower: str, i: int) -> frozenset[str] | None:
    if lower.startswith("accept", i):  # "upon acceptance", "once accepted"
        return _PROMISE
    if lower.startswith(("accessible", "accessed"), i) and _predicate(lower, i):
        return _ALL
    return None


def _be(lower: str, i: int) -> frozenset[str] | None:
    """' be ' after "can" or "will": "can be found", "will be provided", "will be at URL"."""
    if lower.endswith("can", 0, i) and lower.startswith(("found", "accessed", "downloaded", "obtained"), i + 4):
        return frozenset(("can_be",))
    if lower.endswith("will", 0, i) and lower.startswith(("provided", "hosted", "shared", "published", "at ", "on ", "in "), i + 4):
        return _PROMISE
    return None


def _when(check, names: frozenset[str]):  # type: ignore[no-untyped-def]
    return lambda lower, i: names if check(lower, i) else None


# Every claim phrase holds one of these anchors, where its check says which
# patterns are worth running: the patterns run only in windows around them (and
# around links), so an abstract without claims costs a few substring searches.
# Rare forms ("avaiable", "we publish the code") are found next to links, whose
# windows take every pattern.
_ANCHORS = (
    ("vail", _when(_predicate, _ALL)),
    ("releas", lambda lower, i: _RELEASE),
    ("request", lambda lower, i: frozenset(("on_request",))),
    ("soon", lambda lower, i: _PROMISE),
    ("acce", _acce),
    ("open", _when(_open_source, _RELEASE)),
    ("public", _when(_public, frozenset(("promised", "available", "subject")))),
    (" be ", _be),
)
_BEFORE, _AFTER = 110, 50  # a window's reach around an anchor: the longest phrase fits

# --------------------------------------------------------------------------- sentences

# A sentence ends at . ! ? followed by space and a capital, digit or symbol, but
# not after "e.g.", "et al.", "Fig.": the lookbehinds sit after the first mark, so
# they are tried only there. (Initials are not guarded: "Model X. We ..." is more
# common in abstracts than "J. Smith".)
_ABBREVIATIONS = (
    "e.g i.e al etc vs cf fig figs eq eqs sec no nos approx resp ref refs tab dr prof mr ms st inc ltd jr ca viz "
    "vol pp ch ver incl w.r.t a.k.a"
).split()


def _lookbehinds(words: list[str]) -> str:
    """One negative lookbehind per length (Python wants each fixed-width)."""
    by_length: dict[int, set[str]] = {}
    for w in words:
        for form in (w, w.capitalize(), w.upper()):
            by_length.setdefault(len(form), set()).add(re.escape(form))
    return "".join(rf"(?<!\b(?:{'|'.join(sorted(forms))})\.)" for _, forms in sorted(by_length.items()))


_END = r"[.!?]*[\"')\]]*\s+(?=[^\sa-z])"
# the lookahead first: most marks (in "github.com", "3.5", "e.g.,") fail it before the lookbehinds run
_BOUNDARY = re.compile(r"[.!?](?=" + _END + ")" + _lookbehinds(_ABBREVIATIONS) + _END)


def _boundaries(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """(start, end) of _BOUNDARY's matches from ``pos`` on, as its finditer gives them, but
    the regex is tried only where a mark stands (str.find finds those far faster than the
    regex engine's own scan for a character class)."""
    dot, bang, ask = text.find(".", pos), text.find("!", pos), text.find("?", pos)
    match = _BOUNDARY.match
    while True:
        i = dot
        if bang != -1 and (i == -1 or bang < i):
            i = bang
        if ask != -1 and (i == -1 or ask < i):
            i = ask
        if i == -1:
            return
        m = match(text, i)  # lookbehinds still see the text before i
        if m is None:
            pos = i + 1
        else:
            pos = m.end()
            yield i, pos
        if dot != -1 and dot < pos:
            dot = text.find(".", pos)
        if bang != -1 and bang < pos:
            bang = text.find("!", pos)
        if ask != -1 and ask < pos:
            ask = text.find("?", pos)


def split_sentences(
    text: str, protected: Iterable[tuple[int, int]] = (), lo: int = 0, hi: int | None = None
) -> list[tuple[int, int]]:
    """Sentence spans: of the whole text, or just those that hold positions lo..hi.

    Never breaks inside a protected span (a link), after "e.g.", "et al.", "Fig.",
    nor inside "v1.5" or "github.io/x"."""
    n = len(text)
    hi = n if hi is None else min(max(hi, lo + 1), n)
    guard = sorted(protected)
    # the sentence holding lo starts at the last boundary before it: look back in chunks that
    # double (a long sentence costs its length, not its length squared), each chunk read once
    top, width = lo, 400
    floor = max(0, lo - width)
    while True:
        before = [e for e in _ends(text, floor, top, n, guard) if e <= lo]
        if before or floor == 0:
            break
        top, width = floor, width * 2
        floor = max(0, floor - width)
    start = before[-1] if before else 0
    out: list[tuple[int, int]] = []
    for end in _ends(text, start, n, hi, guard):
        if end > start:
            out.append((start, end))
            start = end
    if start < n and (not out or out[-1][1] < hi):
        out.append((start, n))
    return out


def _ends(text: str, a: int, b: int, hi: int, guard: list[tuple[int, int]]) -> list[int]:
    """Ends of the sentence boundaries whose mark stands in text[a:b] outside the protected
    spans (sorted), up to the first that ends at or after ``hi``."""
    ends = []
    g = 0
    for dot, end in _boundaries(text, a):
        if dot >= b:
            break
        while g < len(guard) and guard[g][1] <= dot:
            g += 1
        if g < len(guard) and guard[g][0] <= dot:
            continue  # inside a link (spans may overlap; the next ones start later)
        ends.append(end)
        if end >= hi:
            break
    return ends


# --------------------------------------------------------------------------- claims


def link_spans(text: str, links: Sequence[Link]) -> list[tuple[int, int, str]]:
    """Where each link stands in the text: (start, end, target key), every occurrence.

    A few links: one str.find pass each; many (a crafted abstract): one aho-corasick pass
    for all, so the work stays linear in the text."""
    raws: dict[str, list[str]] = {}
    for link in links:
        raw = link.raw.rstrip(".,;:!?'\")]}*+")
        if raw:
            raws.setdefault(raw, []).append(link.target.key)
    spans = []
    if len(raws) <= 8 or AhoCorasick is None:
        for raw, keys in raws.items():
            i = text.find(raw)
            while i != -1:
                spans.extend((i, i + len(raw), key) for key in keys)
                i = text.find(raw, i + 1)
    else:
        patterns = list(raws)
        for k, i, j in AhoCorasick(patterns, matchkind=MatchKind.Standard).find_matches_as_indexes(text, overlapping=True):
            spans.extend((i, j, key) for key in raws[patterns[k]])
    spans.sort()
    return spans


def _clean(sentence: str) -> str:
    return " ".join(sentence.split())


def _anchor_hits_find(lower: str) -> Iterator[tuple[int, int]]:
    """(anchor number, position) of every anchor, one str.find pass per anchor."""
    for k, (anchor, _) in enumerate(_ANCHORS):
        i = lower.find(anchor)
        while i != -1:
            yield k, i
            i = lower.find(anchor, i + len(anchor))


def _anchor_hits_ac(lower: str) -> Iterator[tuple[int, int]]:
    """The same hits from one aho-corasick pass (which also reports overlapping
    occurrences of one anchor: dropped, as str.find from the last one's end skips them)."""
    ends = [0] * len(_ANCHORS)
    for k, i, j in _AC_SEARCH(lower, overlapping=True):
        if i >= ends[k]:
            ends[k] = j
            yield k, i


_AC_SEARCH = (
    None if AhoCorasick is None
    else AhoCorasick([a for a, _ in _ANCHORS], matchkind=MatchKind.Standard).find_matches_as_indexes
)
_anchor_hits: Callable[[str], Iterator[tuple[int, int]]] = _anchor_hits_find if _AC_SEARCH is None else _anchor_hits_ac


def _windows(lower: str, spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, frozenset[str]]]:
    """Merged windows of text around claim anchors and around links, with the
    names of the patterns worth running in each."""
    n = len(lower)
    around: list[tuple[int, int, frozenset[str]]] = []
    for k, i in _anchor_hits(lower):
        names = _ANCHORS[k][1](lower, i)
        if names:
            end = lower.find(" ", i + _AFTER)  # never cut a word: "\\b" would see its end there
            around.append((max(0, i - _BEFORE), n if end == -1 else end, names))
    for a, b, _ in spans:
        end = lower.find(" ", b + _AFTER)
        around.append((max(0, a - _BEFORE), n if end == -1 else end, _ALL))
    out: list[tuple[int, int, frozenset[str]]] = []
    for a, b, names in sorted(around):  # (ties on (a, b) merge whatever their order)
        if out and a <= out[-1][1]:
            lo, hi, before = out[-1]
            out[-1] = (lo, max(hi, b), before | names)
        else:
            out.append((a, b, names))
    return out


def lowered(text: str) -> str:
    """``text`` lower-cased with line breaks as spaces, offset for offset (what the claim
    patterns, anchors and windows read)."""
    lower = text.lower()
    if len(lower) != len(text):  # a few characters lower-case to two ("İ"): keep offsets aligned
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return lower.replace("\n", " ")  # same length: anchors and windows are tested with plain "in"


def claims_from_spans(text: str, spans: Sequence[tuple[int, int, str]], masked: str | None = None) -> tuple[Claim, ...]:
    """Claims of ``text`` given where its links stand (see :func:`link_spans`);
    ``masked`` is :func:`lowered` of ``text`` when the caller has it already."""
    if masked is None:
        masked = lowered(text)
    strong_windows = _windows(masked, spans)
    if not strong_windows:
        return ()
    if spans:
        # links read as opaque words: their dots and words ("code", "release") are not the sentence's
        parts, last = [], 0
        for a, b, _ in spans:
            a = max(a, last)
            if b > a:
                parts.append(masked[last:a])
                parts.append("_" * (b - a))
                last = b
        parts.append(masked[last:])
        masked = "".join(parts)
    matches = _phrases(masked, strong_windows)
    if not matches and not spans:
        return ()
    where = [p for p, _, _ in matches] + [a for a, _, _ in spans]
    sentences = split_sentences(text, [(a, b) for a, b, _ in spans], min(where), max(where) + 1)
    starts = [s for s, _ in sentences]
    by_sentence: dict[int, list[tuple[int, str, int]]] = {}
    for pos, kind, end in matches:
        by_sentence.setdefault(bisect.bisect_right(starts, pos) - 1, []).append((pos, kind, end))
    links_in: dict[int, list[tuple[int, str]]] = {}
    for a, _, key in spans:
        links_in.setdefault(bisect.bisect_right(starts, a) - 1, []).append((a, key))

    claims: list[Claim] = []
    seen: set[tuple[str, int, str | None]] = set()
    pending: tuple[tuple[int, int], ClaimKind, int] | None = None  # an unlinked claim the next sentence's bare links may take
    for idx in sorted(by_sentence.keys() | links_in.keys()):
        s, e = sentences[idx]
        found = by_sentence.get(idx, [])
        here = links_in.get(idx, [])
        sentence = text[s:e]
        if here:
            kinds = [(p, k) for p, k, _ in found if k in _PRIORITY]
            if not kinds:
                # only now the phrases that count next to a link ("available at", "Code: URL")
                voids = [(p, end) for p, k, end in found if k != "available"]
                at = _linked_phrase(masked, s, e, here, voids)
                kinds = [] if at is None else [(at, "linked")]
            if not kinds and pending is not None and pending[2] == idx - 1 and _mostly_links(sentence, s, spans):
                # "We make the code and data publicly available.\n https://... https://..."
                prev, kind, _ = pending
                said = _clean(text[prev[0] : prev[1]])
                claims = [c for c in claims if not (c.target_key is None and c.sentence == said)]
                for _, key in here:
                    _add(claims, seen, kind, said, key, idx)
                pending = None
                continue
            if not kinds:
                continue
            request = any(k == "on_request" for _, k in kinds)
            said = _clean(sentence)
            places = [p for p, _ in kinds]  # sorted, as the matches are
            for pos, key in here:
                kind = "on_request" if request else _nearest(kinds, places, pos)
                _add(claims, seen, kind, said, key, idx)
            pending = None
            continue
        kinds = [(p, k) for p, k, _ in found if k in _PRIORITY]
        if not kinds or not _SUBJECT.search(masked, s, e):
            continue
        # "... where only in-situ data is available": a condition, not a release
        if all(k == "available" and _CONDITION.search(masked, s, end) for _, k, end in found if k in _PRIORITY):
            continue
        kind = max((k for _, k in kinds), key=_PRIORITY.__getitem__)
        _add(claims, seen, kind, _clean(sentence), None, idx)  # type: ignore[arg-type]
        pending = ((s, e), kind, idx)
    return tuple(claims)


_Plan = tuple[tuple[str, re.Pattern[str], int, tuple[str, ...], frozenset[int]], ...]


def _plan(names: frozenset[str]) -> _Plan:
    """(kind, regex, subject reach, needs, the needs' numbers in _NEED_WORDS) of the anchor
    patterns named, in _PATTERNS order."""
    plan = _PLANS.get(names)
    if plan is None:
        plan = _PLANS[names] = tuple(
            (kind, rx, subject, needs, frozenset(_NEED_WORDS.index(x) for x in needs))
            for name, kind, rx, _, subject, needs in _PATTERNS
            if name in names
        )
    return plan


_PLANS: dict[frozenset[str], _Plan] = {}
_NEED_WORDS = sorted({x for *_, needs in _PATTERNS if needs for x in needs})
# a window that runs many patterns (a link's) learns which needs it holds in one pass, not ~30 "in" tests
_NEED_SEARCH = (
    None if AhoCorasick is None
    else AhoCorasick(_NEED_WORDS, matchkind=MatchKind.Standard).find_matches_as_indexes
)
#: the kinds whose matches void a match of the key kind when they overlap (_VOIDS turned round)
_VOIDED_BY = {kind: tuple(k for k, voided in _VOIDS.items() if kind in voided) for kind in ("on_request", "neg", "promised", "available")}


def _phrases(text: str, windows: list[tuple[int, int, frozenset[str]]]) -> list[tuple[int, str, int]]:
    """(start, kind, end) of the claim phrases in the windows of lower-cased ``text``
    (all but the link-bound ones), overlaps resolved (see _VOIDS)."""
    found: dict[str, set[tuple[int, int]]] = {}
    for lo, hi, names in windows:
        window = text[lo:hi]
        plan = _PLANS.get(names) or _plan(names)
        present = None
        if len(plan) > 3 and _NEED_SEARCH is not None:
            present = {k for k, _, _ in _NEED_SEARCH(window, overlapping=True)}
        for kind, rx, subject, needs, ids in plan:
            if present is None:
                for x in needs:
                    if x in window:
                        break
                else:
                    continue  # none of its needs in the window
            elif present.isdisjoint(ids):
                continue
            spans = found.get(kind)
            if spans is None:
                spans = found[kind] = set()
            _run(spans, kind, rx, subject, text, lo, hi)
    out = []
    for kind, spans in found.items():
        voiders = [sp for k in _VOIDED_BY[kind] if k in found for sp in found[k]]
        if len(voiders) > 16:  # many (a crafted abstract): sorted, so each test costs a bisection
            voiders.sort()
            xs, reach, top = [x for x, _ in voiders], [], -1
            for _, y in voiders:
                top = max(top, y)
                reach.append(top)
            for a, b in spans:
                k = bisect.bisect_left(xs, b)
                if not k or reach[k - 1] <= a:
                    out.append((a, kind, b))
        elif voiders:
            out.extend((a, kind, b) for a, b in spans if not any(a < y and x < b for x, y in voiders))
        else:
            out.extend((a, kind, b) for a, b in spans)
    out.sort()
    return out


def _linked_phrase(text: str, s: int, e: int, here: list[tuple[int, str]], voids: list[tuple[int, int]]) -> int | None:
    """Start of a link-bound phrase ("available at", "Code: URL") in the sentence
    text[s:e] holding the links ``here``, None if it has none. One is enough: any of
    them makes the sentence say "available", so the search stops at the first."""
    lo = max(s, here[0][0] - _BEFORE)
    hi = min(e, here[-1][0] + 400)
    window = text[lo:hi]
    for name, kind, rx, scope, subject, needs in _PATTERNS:
        if scope == "before_link":
            places = [(max(s, a - _BEFORE_LINK), a) for a, _ in here]
        elif scope == "links" and any(x in window for x in needs):
            places = [(lo, hi)]
        else:
            continue
        for a, b in places:
            found: set[tuple[int, int]] = set()
            _run(found, kind, rx, subject, text, a, b)
            for x, y in sorted(found):
                if not any(x < vy and vx < y for vx, vy in voids):
                    return x
    return None


def _run(out: set[tuple[int, int]], kind: str, rx: re.Pattern[str], subject: int, text: str, lo: int, hi: int) -> None:
    """Add the (start, end) of rx's matches in text[lo:hi]."""
    for m in rx.finditer(text, lo, hi):
        a = m.start()
        if a and text[a].isalnum() and (text[a - 1].isalnum() or text[a - 1] == "_"):
            continue  # starts inside a word
        if subject:
            floor = max(0, a - subject)
            clause = max(text.rfind(".", floor, a), text.rfind(";", floor, a), floor)
            found_subject = (_LINK_SUBJECT if kind == "linked" else _SUBJECT).search(text, clause, a)
            if found_subject is None:
                continue
            a = found_subject.start()  # the phrase starts at its subject
        out.add((a, m.end()))


def _nearest(kinds: list[tuple[int, str]], at: list[int], pos: int) -> ClaimKind:
    """The claim a link belongs to: the nearest strong phrase before it, else the first after
    it (``kinds`` sorted, ``at`` their positions); only link-bound phrases ("Code: URL") say available."""
    if kinds[0][1] not in _PRIORITY:
        return "available"
    i = bisect.bisect_right(at, pos)
    return kinds[i - 1 if i else 0][1]  # type: ignore[return-value]


def _mostly_links(sentence: str, offset: int, spans: Sequence[tuple[int, int, str]]) -> bool:
    """A 'sentence' that is little but links and labels ("huggingface: URL")."""
    end = offset + len(sentence)
    words, last = 0, offset
    for a, b, _ in spans[bisect.bisect_left(spans, (offset,)) :]:
        if b > end:
            continue
        if a >= end:
            break
        words += len(sentence[last - offset : max(a, last) - offset].split())
        last = max(last, b)
        if words > 4:
            return False
    return words + len(sentence[last - offset :].split()) <= 4


def _add(claims: list[Claim], seen: set, kind: ClaimKind, sentence: str, key: str | None, idx: int) -> None:
    ident = (sentence, idx, key)
    if ident not in seen:
        seen.add(ident)
        claims.append(Claim(kind, sentence, key))


def find_claims(text: str, links: Sequence[Link]) -> tuple[Claim, ...]:
    """Claims per sentence, each attached to the links of its sentence (or to none)."""
    return claims_from_spans(text, link_spans(text, links))
