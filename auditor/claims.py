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
from typing import Iterable, Sequence

from auditor.models import Claim, ClaimKind, Link

__all__ = ["find_claims", "claims_from_spans", "split_sentences", "link_spans"]

_ADV = r"(?:publicly\s+|freely\s+|openly\s+|fully\s+|also\s+|now\s+|all\s+|both\s+|soon\s+|made\s+)*"
_AVAIL = r"(?:available|avaiable|availabe|availble|avaliable|avalaible|avilable)"
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
    r"(?:\b(?:" + _AVAIL + r"|provided|obtained|shared|accessible|released|provide)\s+(?:\w+\s+){0,3}?"
    r"(?:up)?on\s+(?:a\s+)?(?:reasonable\s+|justified\s+|written\s+)?request\b"
    r"|\b(?:up)?on\s+(?:a\s+)?(?:reasonable\s+)?request\b|\bby\s+request\b"
    r"|\brequest\s+(?:to|from)\s+the\s+(?:corresponding\s+)?authors?\b)"
)
# negations void what they overlap: "is not publicly available", "will not be released"
_NEG = (
    r"(?:\b(?:not|no\s+longer|never|neither|nor)\s+(?:yet\s+)?(?:be\s+|been\s+)?" + _ADV
    + r"(?:" + _AVAIL + r"|released|accessible|open[- ]?sourced?)\b"
    r"|\bno\s+(?:[\w-]+\s+){0,4}?(?:is|are|was|were)\s+(?:publicly\s+)?" + _AVAIL + r")"
)
_PROMISED = (
    r"(?:\bwill\s+(?:\w+\s+){0,2}?(?:be\s+)?" + _ADV
    + r"(?:" + _AVAIL + r"|released|public|open[- ]?sourced?|shared|accessible|published|provided|uploaded|disclosed|hosted)\b"
    r"|\bwill\s+(?:\w+\s+){0,2}?(?:release|open[- ]?source|publish)\b|\bwill\s+be\s+(?:at|on|in)\b"
    r"|\bwill\s+(?:\w+\s+){0,2}?make\s+(?:[\w-]+,?\s+){0,7}?" + _ADV + r"(?:" + _AVAIL + r"|public|accessible|open[- ]?sourced?)\b"
    r"|\bcoming\s+soon\b|\bsoon\s+(?:be\s+)?(?:" + _AVAIL + r"|released|open[- ]?sourced)\b"
    r"|\b(?:up)?on\s+(?:paper\s+|the\s+|our\s+)?(?:acceptance|publication)\b"
    r"|\bafter\s+(?:the\s+)?(?:paper\s+(?:is\s+)?)?(?:acceptance|accepted|publication|review|the\s+review)\b"
    r"|\bonce\s+(?:the\s+)?(?:paper\s+|manuscript\s+|work\s+)?(?:is\s+)?(?:accepted|published)\b"
    r"|\bto\s+be\s+" + _ADV + r"(?:released|open[- ]?sourced|" + _AVAIL + r"|made\s+(?:publicly\s+)?" + _AVAIL + r")\b"
    r"|\b(?:plan|plans|intend|intends|aim|aims|expect|hope)\s+to\s+" + _ADV
    + r"(?:release|open[- ]?source|publish|share|make\s+(?:[\w-]+\s+){0,6}?(?:" + _AVAIL + r"|public))\b"
    r"|\b(?:are|is)\s+going\s+to\s+be\s+(?:released|" + _AVAIL + r"|open[- ]?sourced)\b)"
)
# availability, counted with or without a link (the subject is an artefact)
_AVAILABLE = (
    r"(?:\b(?:" + _ARTEFACT + r")\b[^.;]{0,80}?\b(?:is|are|has\s+been|have\s+been|was|were)\s+" + _ADV
    + r"(?:" + _AVAIL + r"|accessible|released|open[- ]?sourced?|hosted|public)\b" + _NOT_RELEASE
    + r"|\b(?:make|makes|making|made)\s+(?:[\w$^{}\\-]+,?\s+){0,7}?(?:(?:publicly\s+|freely\s+|openly\s+)?(?:"
    + _AVAIL + r"|public)|(?:publicly|freely|openly)\s+accessible)\b"
    r"|\b(?:release|releases|releasing|publicly\s+release|publicly\s+releasing|publish|publishes)\s+" + _FILLER + r"{0,4}?(?:" + _ARTEFACT + r")\b"
    r"|\bopen[- ]?sourc(?:e|es|ed|ing)\s+" + _DET
    + r"|\bwe\s+(?:have\s+)?(?:also\s+|further\s+|publicly\s+|hereby\s+|additionally\s+|fully\s+)?(?:release|released|open[- ]?source|open[- ]?sourced)\b"
    r"|\b(?:" + _ARTEFACT + r")\b[^.;]{0,40}?\bcan\s+be\s+(?:found|accessed|downloaded|obtained)\b)"
)
# phrases that count only next to a link: "available at", "Code: URL", "project page at"
_LINKED = (
    r"(?:\b(?:" + _AVAIL + r"|accessible|hosted|provided|released|published)\s+(?:at|on|via|from|through|here|online|in|under)\b"
    r"|\b(?:publicly|freely|openly)\s+(?:_+\}?\{?)?(?:" + _AVAIL + r"|accessible|released)\b"
    r"|\b(?:" + _ARTEFACT + r"|github|hugging\s?face|zenodo|project|page|website|homepage)\b[^.;]{0,40}?(?:\b(?:at|in|on|via|here)\b|:(?!\s*//))"
    r"|\b(?:is|are)\s+(?:" + _ADV + r"(?:provided|hosted|here)\b|\$?\{?\\(?:href|url)\b)"
    r"|\bcan\s+be\s+(?:found|accessed|downloaded|obtained|viewed)\b|\b(?:github|code)\.?\s*\}|\bopen[- ]?source[ds]?\b|\bsee\b|\bvisit\b|\bfound\s+(?:at|in|on)\b|\bat\s*:(?!\s*//))"
)
_PATTERNS = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("on_request", _ON_REQUEST),
        ("neg", _NEG),
        ("promised", _PROMISED),
        ("available", _AVAILABLE),
        ("linked", _LINKED),
    )
)
#: which matches a match of the key kind voids when they overlap
_VOIDS = {"on_request": ("available", "linked", "promised"), "neg": ("available", "linked", "promised"), "promised": ("available", "linked")}
_PRIORITY: dict[str, int] = {"on_request": 3, "promised": 2, "available": 1}
_NOUN = re.compile(rf"\b(?:{_ARTEFACT})\b", re.IGNORECASE)
_CONDITION = re.compile(r"\b(?:if|when|whenever|unless|whether|where)\b", re.IGNORECASE)
# every unlinked claim phrase holds one of these (typos of "available" included)
_HINTS = ("vai", "vali", "vial", "releas", "open", "request", "soon", "accept", "found", "publish", "access", "public", "shar", "provid", "host")

# --------------------------------------------------------------------------- sentences

_BOUNDARY = re.compile(r"[.!?]+[\"')\]]*\s+(?=[^\sa-z])")
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|et\s+al|etc|vs|cf|fig|figs|eq|eqs|sec|no|nos|approx|resp|ref|refs|tab|dr|prof|mr|ms|st|inc|ltd"
    r"|jr|ca|viz|al|vol|pp|ch|ver|incl|w\.r\.t|a\.k\.a))\.+$"
    r"|(?-i:(?<![\w/.-])[A-Z])\.$",  # an initial: "J. Smith"
    re.IGNORECASE,
)


def split_sentences(text: str, protected: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans. Never breaks inside a protected span (a link), after
    "e.g.", "et al.", "Fig." or a single initial, nor inside "v1.5" or "github.io/x"."""
    guard = sorted(protected)
    out: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        dot = m.start()
        if guard and any(a <= dot < b for a, b in guard):
            continue
        if _ABBREV.search(text, max(0, dot - 8), dot + 1):
            continue
        out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


# --------------------------------------------------------------------------- claims


def link_spans(text: str, links: Sequence[Link]) -> list[tuple[int, int, str]]:
    """Where each link stands in the text: (start, end, target key), every occurrence."""
    spans = []
    for link in links:
        raw = link.raw.rstrip(".,;:!?'\")]}*+")
        if not raw:
            continue
        i = text.find(raw)
        while i != -1:
            spans.append((i, i + len(raw), link.target.key))
            i = text.find(raw, i + 1)
    spans.sort()
    return spans


def _clean(sentence: str) -> str:
    return " ".join(sentence.split())


def claims_from_spans(text: str, spans: Sequence[tuple[int, int, str]]) -> tuple[Claim, ...]:
    """Claims of ``text`` given where its links stand (see :func:`link_spans`)."""
    if not spans:
        lower = text.lower()
        if not any(h in lower for h in _HINTS):
            return ()
    masked = text
    if spans:
        # links read as opaque words: their dots and words ("code", "release") are not the sentence's
        parts, last = [], 0
        for a, b, _ in spans:
            a = max(a, last)
            if b > a:
                parts.append(text[last:a])
                parts.append("_" * (b - a))
                last = b
        parts.append(text[last:])
        masked = "".join(parts)
    matches = _phrases(masked)
    if not any(kind in _PRIORITY or kind == "linked" for _, kind in matches):
        return ()
    sentences = split_sentences(text, [(a, b) for a, b, _ in spans])
    starts = [s for s, _ in sentences]
    by_sentence: dict[int, list[tuple[int, str]]] = {}
    for pos, kind in matches:
        by_sentence.setdefault(bisect.bisect_right(starts, pos) - 1, []).append((pos, kind))
    links_in: dict[int, list[tuple[int, str]]] = {}
    for a, _, key in spans:
        links_in.setdefault(bisect.bisect_right(starts, a) - 1, []).append((a, key))

    claims: list[Claim] = []
    seen: set[tuple[str, int, str | None]] = set()
    pending: tuple[tuple[int, int], ClaimKind, int] | None = None  # an unlinked claim the next sentence's bare links may take
    for idx, (s, e) in enumerate(sentences):
        found = by_sentence.get(idx, [])
        here = links_in.get(idx, [])
        sentence = text[s:e]
        if here:
            kinds = [(p, k) for p, k in found if k in _PRIORITY or k == "linked"]
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
            for pos, key in here:
                kind = "on_request" if request else _nearest(kinds, pos)
                _add(claims, seen, kind, _clean(sentence), key, idx)
            pending = None
            continue
        kinds = [(p, k) for p, k in found if k in _PRIORITY]
        if not kinds or not _NOUN.search(sentence):
            continue
        if all(k == "available" and _CONDITION.search(text, s, p) for p, k in kinds):
            continue
        kind = max((k for _, k in kinds), key=_PRIORITY.__getitem__)
        _add(claims, seen, kind, _clean(sentence), None, idx)  # type: ignore[arg-type]
        pending = ((s, e), kind, idx)
    return tuple(claims)


def _phrases(text: str) -> list[tuple[int, str]]:
    """(position, kind) of every claim phrase, overlaps resolved (see _VOIDS)."""
    found = {kind: [m.span() for m in rx.finditer(text)] for kind, rx in _PATTERNS}
    out = []
    for kind, spans in found.items():
        voiders = [sp for k, voided in _VOIDS.items() if kind in voided for sp in found[k]]
        for a, b in spans:
            if not any(a < y and x < b for x, y in voiders):
                out.append((a, kind))
    out.sort()
    return out


def _nearest(kinds: list[tuple[int, str]], pos: int) -> ClaimKind:
    """The claim a link belongs to: the nearest strong phrase before it, else the
    first after it; a sentence with only link-bound phrases ("Code: URL") says available."""
    strong = [(p, k) for p, k in kinds if k in _PRIORITY]
    if not strong:
        return "available"
    before = [(p, k) for p, k in strong if p <= pos]
    return (before[-1] if before else strong[0])[1]  # type: ignore[return-value]


def _mostly_links(sentence: str, offset: int, spans: Sequence[tuple[int, int, str]]) -> bool:
    """A 'sentence' that is little but links and labels ("huggingface: URL")."""
    rest = sentence
    for a, b, _ in sorted(spans, reverse=True):
        if offset <= a and b <= offset + len(sentence):
            rest = rest[: a - offset] + " " + rest[b - offset :]
    return len(rest.split()) <= 4


def _add(claims: list[Claim], seen: set, kind: ClaimKind, sentence: str, key: str | None, idx: int) -> None:
    ident = (sentence, idx, key)
    if ident not in seen:
        seen.add(ident)
        claims.append(Claim(kind, sentence, key))


def find_claims(text: str, links: Sequence[Link]) -> tuple[Claim, ...]:
    """Claims per sentence, each attached to the links of its sentence (or to none)."""
    return claims_from_spans(text, link_spans(text, links))
