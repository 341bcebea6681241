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

from auditor.frozen import maker
from auditor.models import Claim, ClaimKind, Link

try:  # one pass over the text for all anchors (Rust aho-corasick) instead of one str.find pass per anchor
    from ahocorasick_rs import AhoCorasick, BytesAhoCorasick, MatchKind
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
    + r"(?:" + _AVAIL + r"|released|public|open[- ]?sourced?|shared|accessible|published|provided|hosted|added)\b",
    r"will\s+(?:\w+\s+){0,2}?(?:release|open[- ]?source|publish)\b",
    r"will\s+be\s+(?:at|on|in)\b",
    r"will\s+(?:\w+\s+){0,2}?make\s+(?:[\w-]+,?\s+){0,7}?" + _ADV + r"(?:" + _AVAIL + r"|public|accessible|open[- ]?sourced?)\b",
    r"coming\s+soon\b",
    *_words("is are", r"\s+coming\b"),
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
# part of something released: "has been integrated into X", "is part of X", "is included in X"
_PART_OF = (
    r"(?:has|have)\s+been\s+(?:also\s+|now\s+)?integrated\s+into\b"
    r"|(?:is|are)\s+(?:also\s+|now\s+)?(?:integrated\s+into|(?:a\s+)?part\s+of|included\s+in)\b"
)
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
_LINKED_SUBJECT = r"\b(?:at|in|on|via|here)\b|:(?!\s*//)|\s[-\u2013\u2014]\s*$"  # "Code - URL" too
_BEFORE_LINK = 70
_LINKED_SUBJECT_RX = re.compile(_LINKED_SUBJECT)
# The subjects "\b(?:code|codes|...)\b" searched for before a phrase, written without the leading
# "\b" (see _subject) and by first letter: a pattern that starts with its words lets the engine
# skip every place whose character starts none of them, instead of trying them all at each place.
_SUBJECT = re.compile(r"(?:" + _by_letter(_ARTEFACT.split("|")) + r")\b")
_LINK_SUBJECT = re.compile(
    r"(?:" + _by_letter((_ARTEFACT + r"|github|hugging\s?face|zenodo|project|page|website|homepage").split("|")) + r")\b"
)

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
         ("will", "soon", "accept", "publica", "after", "once", "to be", "plan", "intend", "aim", "expect", "hope", "going", "coming")),
        ("available", "available", _AVAILABLE, "anchors", 0, ("mak", "made", "releas", "publish", "open", "we ")),
        ("subject", "available", _AVAILABLE_SUBJECT, "anchors", 90, (" is ", " are ", "been", " was ", "were")),
        ("can_be", "available", _CAN_BE, "anchors", 50, ("can be",)),
        ("part_of", "available", _PART_OF, "anchors", 60, ("integrated", "part of", "included")),
        ("before_link", "linked", _LINKED_SUBJECT, "before_link", 50, None),
        *(("linked", "linked", pattern, "links", 0, needs) for pattern, needs in _LINKED),
    )
)
_ALL = frozenset(("on_request", "neg", "promised", "available", "subject", "can_be", "part_of"))
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
_PART_OF_NAMES = frozenset(("part_of",))
_PART_OF_BEFORE = ("been ", "is ", "are ", "also ", "now ", " a ")


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
    if lower.endswith("will", 0, i) and lower.startswith(
        ("provided", "hosted", "shared", "published", "added", "at ", "on ", "in "), i + 4
    ):
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
    ("coming", lambda lower, i: _PROMISE),  # "the code is coming"
    # common words: a window only after the verb the pattern needs ("has been integrated", "is part of")
    ("integrated", lambda lower, i: _PART_OF_NAMES if lower.endswith(_PART_OF_BEFORE, 0, i) else None),
    ("part of", lambda lower, i: _PART_OF_NAMES if lower.endswith(_PART_OF_BEFORE, 0, i) else None),
    ("included in", lambda lower, i: _PART_OF_NAMES if lower.endswith(_PART_OF_BEFORE, 0, i) else None),
    ("acce", _acce),
    ("open", _when(_open_source, _RELEASE)),
    ("public", _when(_public, frozenset(("promised", "available", "subject")))),
    (" be ", _be),
)
_BEFORE, _AFTER = 110, 50  # a window's reach around an anchor: the longest phrase fits


# --------------------------------------------------------------------------- what a claim is about

# Words that name what is released, by object (bits 1 code, 2 model, 4 data, 8 unspecified),
# and words of a page one is pointed to (16): "Project page: URL", "video results at URL".
_OBJECT_FORMS = {
    1: """code codes codebase codebases implementation implementations software package packages toolkit toolkits
        toolbox library libraries framework frameworks repository repositories repo repos scripts pipeline pipelines
        tool tools github gitlab program programs environment environments plugin plugins""",
    2: "model models weights checkpoint checkpoints llm llms classifier classifiers lora",
    4: """data dataset datasets benchmark benchmarks corpus corpora annotations prompts splits labels trajectories
        logs records""",
    8: "resources materials artifacts artefacts everything assets huggingface zenodo",
    16: """page pages website websites webpage webpages homepage homepages site video videos demo demos demonstration
        demonstrations supplementary supplement details information results examples visualisations visualizations
        leaderboard leaderboards slides poster updates statistics blog tutorial tutorials samples documentation""",
}
_OBJECT_BIT = {w: bit for bit, words in _OBJECT_FORMS.items() for w in words.split()}
_OBJECT_BIT["hugging face"] = 8
_OBJECT_WORDS = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, _OBJECT_BIT), key=len, reverse=True)) + r")\b")
_OBJECT_LIST = list(_OBJECT_BIT)
# one aho-corasick pass over a phrase's region finds its object words (a regex of ~100 words costs ~15 us there)
_OBJECT_SEARCH = (
    None if AhoCorasick is None
    else AhoCorasick(_OBJECT_LIST, matchkind=MatchKind.LeftmostLongest).find_matches_as_indexes
)
_OBJECT_NAMES = ((1, "code"), (2, "model"), (4, "data"))
_WORD = re.compile(r"[a-z]+")


def _object_bits(text: str, a: int, b: int) -> int:
    """The objects named by whole words in text[a:b], as bits."""
    if a >= b:
        return 0
    bits = 0
    if _OBJECT_SEARCH is None:
        for m in _OBJECT_WORDS.finditer(text, a, b):
            bits |= _OBJECT_BIT[m.group(0)]
        return bits
    region = text[a:b]
    n = len(text)
    for k, i, j in _OBJECT_SEARCH(region):
        i += a
        j += a
        if (i == 0 or not text[i - 1].isalnum()) and (j == n or not text[j].isalnum()):
            bits |= _OBJECT_BIT[_OBJECT_LIST[k]]
    return bits


def _starts_with_object(text: str, p: int) -> bool:
    m = _WORD.match(text, p)
    return m is not None and m.group(0) in _OBJECT_BIT


def _object_name(bits: int) -> str | None:
    """code / model / data joined by "+", "unspecified", "pointing" (a page only), None (nothing named)."""
    if bits & 7:
        return "+".join(name for bit, name in _OBJECT_NAMES if bits & bit)
    if bits & 8:
        return "unspecified"
    return "pointing" if bits & 16 else None


def _bits_of(obj: str) -> int:
    if obj == "unspecified":
        return 8
    if obj == "pointing":
        return 16
    return sum(bit for bit, name in _OBJECT_NAMES if name in obj.split("+"))


def _object_of(text: str, a: int, b: int) -> str | None:
    return _object_name(_object_bits(text, a, b))


def _target_object(key: str) -> str | None:
    """What a link's target is, when the words around it name nothing: a repository holds code,
    a Hub model a model, a Hub dataset data; a page, a DOI or an owner says nothing."""
    host, _, rest = key.partition(":")
    if host in ("git", "anonymous") or (host == "github" and "/" in rest):
        return "code"
    if host == "huggingface":
        return {"model": "model", "dataset": "data"}.get(rest.partition(":")[0])
    return "unspecified" if host == "zenodo" else None  # a deposit: data, code or both


# an active release verb (or its determiner) ends the phrase: what is released follows it
_ACTIVE_WORDS = tuple(
    " " + w for w in ("release", "publish", "share", "open-source", "open source", "opensource", "releasing",
                      "publishing", "open-sourcing", "our", "the", "all", "its", "their", "both", "this", "these",
                      "a", "an", "full", "complete", "source")
)
_FORWARD_STOP = re.compile(
    r"[.;:(]|__|\s(?:to|for|at|on|in|via|from|under|which|that|so|through|here|upon|after|once|when|while)\b"
)
# an on-request phrase is about the paper's own material only next to it or to a verb of release
# ("data are available from the authors upon request"), not in "mandate data removal upon request"
_REQUEST_BEFORE = re.compile(
    r"(?:\b(?:" + _ARTEFACT + r"|authors?|" + _AVAIL + r"|provided|obtained|shared|accessible|released|distributed)"
    r"|\b(?:" + _AVAIL + r"|provided|obtained|shared|accessible|released|distributed)\s+(?:[\w-]+,?\s+){1,5})"
    r"\s*[,(]?\s*$"
)
_REQUEST_AFTER = re.compile(r"\s*(?:to|from)\s+the\s+(?:corresponding\s+)?authors?\b")
_REQUEST_VERB = re.compile(r"(?:" + _AVAIL + r"|provided|obtained|shared|accessible|released|provide|request\s)")
# a repository site's boilerplate: "Available from: URL [accessed 2024-05-01]"
_BOILERPLATE = re.compile(r"\[\s*accessed|\baccessed\s+(?:on\s+)?\d|\bretrieved\s+(?:on\s+)?\d")


def _objects(text: str, s: int, e: int, phrases: list[tuple[int, str, int]]) -> list[tuple[int, str, int, str | None]]:
    """(start, kind, end, object) of a sentence's strong phrases. A phrase that names nothing of
    its own ("... will be released and made publicly available", "upon acceptance") is part of
    the claim before it, which takes the stronger kind."""
    out: list[tuple[int, str, int, str | None]] = []
    prev = s
    for p, kind, end in phrases:
        if out and p < out[-1][2]:
            # overlapping phrases ("we release" and "release our code"): one claim
            q, k, qe, o = out[-1]
            both = _object_bits(text, q, max(qe, end)) | (0 if o is None else _bits_of(o))
            out[-1] = (q, k if _PRIORITY[k] >= _PRIORITY[kind] else kind, max(qe, end), _object_name(both))
            prev = max(qe, end)
            continue
        if kind == "on_request" and not (
            _REQUEST_VERB.match(text, p)
            or _REQUEST_BEFORE.search(text, max(s, p - 80), p)
            or _REQUEST_AFTER.match(text, end)
        ):
            continue
        bits = _object_bits(text, p, end)
        active = (
            text.startswith("we ", p)  # "we release", "we have open-sourced"
            or (" " + text[max(p, end - 14) : end]).endswith(_ACTIVE_WORDS)
            or bool(bits & 15 and not _starts_with_object(text, p))
        )
        reach = end  # where the text this phrase read ends
        if active:
            hi = min(e, end + 120)
            stop = _FORWARD_STOP.search(text, end, hi)
            reach = stop.start() if stop else hi
            bits |= _object_bits(text, end, reach)
        elif not bits & 15:
            # what is available stands before: back to the phrase before, or to the sentence start
            bits |= _object_bits(text, max(prev, p - 80) if out else s, p)
        obj = _object_name(bits)
        if obj is None and out:
            q, k, _, o = out[-1]
            out[-1] = (q, k if _PRIORITY[k] >= _PRIORITY[kind] else kind, end, o)
        else:
            out.append((p, kind, end, obj))
        prev = max(end, reach)
    return out


def _label(text: str, s: int, here: list[tuple[int, str, int]], n: int) -> str | None:
    """The object a label right before link ``n`` names ("Code: URL", "Dataset: URL", "Project
    page: URL", "and model weights at URL"), None when the link has no label of its own."""
    a = here[n][0]
    lo = max(s, a - _BEFORE_LINK)
    run = text.rfind("__", lo, a)  # the link before, masked
    if run != -1:
        lo = run + 2
    found: set[tuple[int, int]] = set()
    # the label ends at most 6 characters of LaTeX before the link, and its word is short: only
    # the place's end is searched (its subject is looked for further back, as for every phrase)
    _run(found, "linked", _LINKED_SUBJECT_RX, 50, text, max(lo, a - 16), a)
    if not found:
        return None
    start, end = max(found, key=lambda x: x[1])
    if len(text[end:a].strip(" {}\\$~")) > 6:
        return None  # the label stands further back: the link's phrase decides
    return _object_of(text, start, a)


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
#: what may follow a boundary's mark besides whitespace (_END's first characters)
_END_FIRST = frozenset(".!?\"')]")


def _boundaries(text: str, pos: int) -> Iterator[tuple[int, int]]:
    """(start, end) of _BOUNDARY's matches from ``pos`` on, as its finditer gives them, but
    the regex is tried only where a mark stands (str.find finds those far faster than the
    regex engine's own scan for a character class)."""
    match = _BOUNDARY.match
    if "!" not in text and "?" not in text:  # most abstracts: full stops only, one pointer
        find = text.find
        i = find(".", pos)
        while i != -1:
            # most dots ("github.com", "3.5", "e.g.,") are followed by a character no boundary
            # starts with: rejected without calling the regex
            after = text[i + 1 : i + 2]
            m = match(text, i) if after in _END_FIRST or after.isspace() else None
            if m is None:
                i = find(".", i + 1)
            else:
                yield i, m.end()
                i = find(".", m.end())
        return
    dot, bang, ask = text.find(".", pos), text.find("!", pos), text.find("?", pos)
    while True:
        i = dot
        if bang != -1 and (i == -1 or bang < i):
            i = bang
        if ask != -1 and (i == -1 or ask < i):
            i = ask
        if i == -1:
            return
        after = text[i + 1 : i + 2]
        m = match(text, i) if after in _END_FIRST or after.isspace() else None  # lookbehinds still see the text before i
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
    width = 400
    floor = max(0, lo - width)
    ends: list[int] | None = _ends(text, floor, n, hi, guard)  # the common case: one scan serves both
    before = [e for e in ends if e <= lo]
    while not before and floor > 0:
        top, width = floor, width * 2
        floor = max(0, floor - width)
        before = [e for e in _ends(text, floor, top, n, guard) if e <= lo]
        ends = None
    start = before[-1] if before else 0
    out: list[tuple[int, int]] = []
    for end in _ends(text, start, n, hi, guard) if ends is None else ends:
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
    g, n = 0, len(guard)
    for dot, end in _boundaries(text, a):
        if dot >= b:
            break
        while g < n and guard[g][1] <= dot:
            g += 1
        if g < n and guard[g][0] <= dot:
            continue  # inside a link (spans may overlap; the next ones start later)
        ends.append(end)
        if end >= hi:
            break
    return ends


# The sentence of one place, read from around it. A match of _BOUNDARY takes the whole run of
# marks it starts in (its "[.!?]*"), and nothing else a mark could start in, so the boundary
# finditer finds in a run (the run's first mark that matches) does not depend on where the scan
# began: each run can be judged alone, walking back or forth from a place, and a claim's
# sentence costs the marks of that sentence, not of the text before it.
_MARK_CHARS = frozenset(".!?")


def _run_boundary(text: str, i: int) -> tuple[int, int, tuple[int, int] | None]:
    """(start, end) of the run of marks holding text[i], and the (mark, end) of the boundary
    _BOUNDARY.finditer finds in that run (None when it finds none)."""
    r = i
    while r and text[r - 1] in _MARK_CHARS:
        r -= 1
    n = len(text)
    j = i + 1
    while j < n and text[j] in _MARK_CHARS:
        j += 1
    after = text[j : j + 1]
    if not (after in _END_FIRST or after.isspace()):
        return r, j, None  # what follows the run's last mark starts no boundary (most dots: "3.5")
    for k in range(r, j):
        m = _BOUNDARY.match(text, k)  # (its lookbehinds still see the text before k)
        if m is not None:
            return r, j, (k, m.end())
    return r, j, None


def _protected(i: int, guard: Sequence[tuple[int, int]]) -> bool:
    for a, b in guard:
        if a <= i < b:
            return True
    return False


def _sentence_at(text: str, p: int, floor: int, guard: Sequence[tuple[int, int]], marks: str) -> tuple[int, int]:
    """The (start, end) that :func:`split_sentences` gives the sentence holding ``p``: from the
    end of the last boundary ending at or before ``p`` (or ``floor``, a boundary's end known to
    come before it) to the end of the first ending after it (or the text's end); boundaries
    whose mark stands in a protected span do not count. ``marks``: the marks the text holds."""
    start, end = floor, None
    i = p
    while True:  # back: the runs of marks before p, nearest first
        i = max(text.rfind(x, floor, i) for x in marks) if len(marks) > 1 else text.rfind(marks, floor, i)
        if i == -1:
            break
        after = text[i + 1 : i + 2]
        if not (after in _END_FIRST or after.isspace()):
            continue  # no boundary ends a run here (most dots: "3.5", "github.com"); i is a run's last mark
        r, _, b = _run_boundary(text, i)
        if b is not None and not _protected(b[0], guard):
            if b[1] <= p:
                start = b[1]
                break
            end = b[1]  # p stands in the boundary's own whitespace: it ends p's sentence
        i = r
    if end is not None:
        return start, end
    i, n = p, len(text)
    while True:  # forth: the runs of marks from p on
        i = min((j for j in (text.find(x, i) for x in marks) if j != -1), default=-1) if len(marks) > 1 else text.find(marks, i)
        if i == -1:
            return start, n
        after = text[i + 1 : i + 2]
        if not (after in _END_FIRST or after.isspace()):
            i += 1
            continue
        _, j, b = _run_boundary(text, i)
        if b is not None and not _protected(b[0], guard):
            return start, b[1]
        i = j


def _sentences_around(text: str, places: Iterable[int], guard: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences (as :func:`split_sentences` cuts them) that hold the places, in order, each
    once: only the text of those sentences is read."""
    marks = "." if "!" not in text and "?" not in text else ".!?"  # most abstracts: full stops only, one search a step
    out: list[tuple[int, int]] = []
    for p in sorted(places):
        if not out or p >= out[-1][1]:
            out.append(_sentence_at(text, p, out[-1][1] if out else 0, guard, marks))
    return out


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
    if lower.isascii():  # nearly every abstract
        yield from _anchor_hits_ascii(lower)
        return
    ends = [0] * len(_ANCHORS)
    for k, i, j in _AC_SEARCH(lower, overlapping=True):
        if i >= ends[k]:
            ends[k] = j
            yield k, i


def _anchor_hits_ascii(lower: str) -> list[tuple[int, int]]:
    """The same hits for ASCII text, three times faster: its bytes hold the same offsets, and a
    leftmost-first pass over them (which skips what starts inside a hit) runs the automaton's
    fast literal search. What it skips is found again from :data:`_INSIDE`: where another anchor
    can start inside a hit ("releasoon": "releas" and "soon"), tested with one startswith."""
    first = _AC_FIRST(lower.encode())
    todo = [(k, i) for k, i, _ in first if _INSIDE[k]]
    if not todo:
        return [(k, i) for k, i, _ in first]  # nothing can start inside a hit, and hits never overlap
    hits = {(k, i) for k, i, _ in first}
    while todo:
        k, i = todo.pop()
        for d, other in _INSIDE[k]:
            if (other, i + d) not in hits and lower.startswith(_ANCHORS[other][0], i + d):
                hits.add((other, i + d))
                todo.append((other, i + d))
    ends = [0] * len(_ANCHORS)
    out = []
    for k, i in sorted(hits):  # each anchor's hits in order: overlaps of one anchor dropped as above
        if i >= ends[k]:
            ends[k] = i + len(_ANCHORS[k][0])
            out.append((k, i))
    return out


def _starts_inside(words: Sequence[str]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """For each word, the (offset, word number) of every word that can start at that offset
    inside it (past its start, or at its start when one is a prefix of the other)."""
    return tuple(
        tuple(
            (d, k)
            for d in range(len(x))
            for k, y in enumerate(words)
            if (d or y != x) and (x[d:].startswith(y) or y.startswith(x[d:]))
        )
        for x in words
    )


def _without_lone_self_overlaps(inside: tuple[tuple[tuple[int, int], ...], ...]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """``inside`` without a word's overlaps with itself (" be be ") when no other word can hold
    its start: the leftmost-first pass then reports every occurrence str.find would, and an
    overlapping one is dropped anyway. Most linked abstracts hold " be ": they keep the fast return."""
    held = {k for x, entries in enumerate(inside) for _, k in entries if k != x}
    return tuple(tuple((d, k) for d, k in entries if k != x or x in held) for x, entries in enumerate(inside))


_INSIDE = _without_lone_self_overlaps(_starts_inside([a for a, _ in _ANCHORS]))


_AC_SEARCH = (
    None if AhoCorasick is None
    else AhoCorasick([a for a, _ in _ANCHORS], matchkind=MatchKind.Standard).find_matches_as_indexes
)
_AC_FIRST = (
    None if AhoCorasick is None
    else BytesAhoCorasick([a.encode() for a, _ in _ANCHORS], matchkind=MatchKind.LeftmostFirst).find_matches_as_indexes
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
    sentences = _sentences_around(text, [p for p, _, _ in matches] + [a for a, _, _ in spans], [(a, b) for a, b, _ in spans])
    starts = [s for s, _ in sentences]
    by_sentence: dict[int, list[tuple[int, str, int]]] = {}
    for pos, kind, end in matches:
        by_sentence.setdefault(bisect.bisect_right(starts, pos) - 1, []).append((pos, kind, end))
    links_in: dict[int, list[tuple[int, str, int]]] = {}
    for a, b, key in spans:
        links_in.setdefault(bisect.bisect_right(starts, a) - 1, []).append((a, key, b))

    claims: list[Claim] = []
    seen: set[tuple] = set()
    pending: tuple[tuple[int, int], ClaimKind, str] | None = None  # an unlinked claim the next sentence's bare links may take
    for idx in sorted(by_sentence.keys() | links_in.keys()):
        s, e = sentences[idx]
        found = by_sentence.get(idx, [])
        here = links_in.get(idx, [])
        sentence = text[s:e]
        strong = _objects(masked, s, e, [(p, k, end) for p, k, end in found if k in _PRIORITY])
        if here:
            said = _clean(sentence)
            at = None
            if not strong:
                # only now the phrases that count next to a link ("available at", "Code: URL")
                voids = [(p, end) for p, k, end in found if k != "available"]
                at = _linked_phrase(masked, s, e, here, voids)
                if at is None and pending is not None and pending[0][1] == s and _mostly_links(sentence, s, spans):
                    # "We make the code and data publicly available.\n https://... https://..."
                    prev, kind, obj = pending
                    said = _clean(text[prev[0] : prev[1]])
                    claims = [c for c in claims if not (c.target_key is None and c.sentence == said)]
                    for n, (_, key, _) in enumerate(here):
                        label = _label(masked, s, here, n)
                        if (label or obj) != "pointing":
                            _add(claims, seen, kind, said, key, label or obj, idx)
                    pending = None
                    continue
                if at is None or _BOILERPLATE.search(masked, s, e):
                    continue
            request = any(k == "on_request" and o is None for _, k, _, o in strong)
            places = [p for p, *_ in strong]
            chosen: set[int] = set()
            previous: str | None = None
            for n, (pos, key, link_end) in enumerate(here):
                kind: ClaimKind = "available"
                weak = not strong
                if strong:
                    i = bisect.bisect_right(places, pos)
                    i = i - 1 if i else 0
                    kind, obj = strong[i][1], strong[i][3]  # type: ignore[assignment]
                    gap = pos - strong[i][2]
                    # "the code is available at URL": the phrase is the link's label (most links)
                    label = None if 0 <= gap < 12 and ":" not in masked[pos - gap : pos] else _label(masked, s, here, n)
                    if places[i] <= pos:
                        between = n > 0 and here[n - 1][0] >= strong[i][2]
                    else:
                        between = n + 1 < len(here) and here[n + 1][0] < places[i]
                    if obj == "pointing" and between:
                        weak, obj = True, None  # a page's phrase covers the link right after it only
                    else:
                        chosen.add(i)
                    # a label names what this link holds ("Dataset: URL"); a page's label does not
                    # undo a release said right before it ("open-sourced the code through our project websites: URL")
                    if label is not None and not (label == "pointing" and obj not in (None, "pointing") and not between):
                        obj = label
                else:
                    obj = label = _label(masked, s, here, n)
                    if obj is None:
                        obj = _object_of(masked, max(s, at - _BEFORE_LINK, here[n - 1][2] if n else s), pos)  # type: ignore[operator]
                if obj is None and n and previous is not None and _only_and(masked, here[n - 1][2], pos):
                    obj = previous  # "Project page: URL1 and URL2"
                if obj is None and masked.startswith("}{", link_end):
                    obj = _object_of(masked, link_end, min(e, link_end + 40))  # "\href{URL}{Code}"
                previous = obj
                # a bare pointer ("see URL", "available at URL") that names nothing: a claim only
                # when the target itself is code, a model or data
                obj = obj or _target_object(key) or (None if weak else "unspecified")
                if obj is not None and obj != "pointing":
                    _add(claims, seen, "on_request" if request else kind, said, key, obj, idx)
            # phrases no link took, with an object of their own: "..., with annotated data available upon request"
            for i, (_, kind, _, obj) in enumerate(strong if len(chosen) < len(strong) else ()):
                if i not in chosen and obj is not None and obj != "pointing":
                    _add(claims, seen, kind, said, None, obj, idx)  # type: ignore[arg-type]
            pending = None
            continue
        if not strong:
            continue
        made = None
        for pos, kind, end, obj in strong:
            if obj is None or obj == "pointing":
                continue  # nothing released is named ("it is publicly available"), or a page, a video
            # "... where only in-situ data is available": a condition, not a release
            if kind == "available" and _CONDITION.search(masked, s, end):
                continue
            said = _clean(sentence)
            _add(claims, seen, kind, said, None, obj, idx)
            made = made or (kind, obj)
        if made is not None:
            pending = ((s, e), made[0], made[1])
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
#: the link-bound patterns in _PATTERNS order, with their needs' numbers: _linked_phrase runs per
#: linked sentence, and one aho-corasick pass over its window replaces ~20 "in" tests
_LINK_BOUND = tuple(
    (kind, rx, scope, subject, needs, frozenset(_NEED_WORDS.index(x) for x in needs or ()))
    for _, kind, rx, scope, subject, needs in _PATTERNS
    if scope in ("before_link", "links")
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


def _linked_phrase(text: str, s: int, e: int, here: list[tuple[int, str, int]], voids: list[tuple[int, int]]) -> int | None:
    """Start of a link-bound phrase ("available at", "Code: URL") in the sentence
    text[s:e] holding the links ``here``, None if it has none. One is enough: any of
    them makes the sentence say "available", so the search stops at the first."""
    lo = max(s, here[0][0] - _BEFORE)
    hi = min(e, here[-1][0] + 400)
    window = text[lo:hi]
    present = None if _NEED_SEARCH is None else {k for k, _, _ in _NEED_SEARCH(window, overlapping=True)}
    for kind, rx, scope, subject, needs, ids in _LINK_BOUND:
        if scope == "before_link":
            places = [(max(s, a - _BEFORE_LINK), a) for a, *_ in here]
        elif (not present.isdisjoint(ids)) if present is not None else any(x in window for x in needs):
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


def _subject(rx: re.Pattern[str], text: str, lo: int, hi: int) -> int | None:
    """Start of the first match of "\\b" + ``rx`` in text[lo:hi], None if none: rx's first match
    that starts a word (one inside a word, "decode", is skipped and the search goes on after its start)."""
    m = rx.search(text, lo, hi)
    while m is not None:
        a = m.start()
        if not a or not (text[a - 1].isalnum() or text[a - 1] == "_"):  # "\b" before a letter
            return a
        m = rx.search(text, a + 1, hi)
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
            start = _subject(_LINK_SUBJECT if kind == "linked" else _SUBJECT, text, clause, a)
            if start is None:
                continue
            a = start  # the phrase starts at its subject
        out.add((a, m.end()))


def _nearest(kinds: list[tuple[int, str]], at: list[int], pos: int) -> ClaimKind:
    """The claim a link belongs to: the nearest strong phrase before it, else the first after
    it (``kinds`` sorted, ``at`` their positions); only link-bound phrases ("Code: URL") say available."""
    if kinds[0][1] not in _PRIORITY:
        return "available"
    i = bisect.bisect_right(at, pos)
    return kinds[i - 1 if i else 0][1]  # type: ignore[return-value]


def _only_and(text: str, a: int, b: int) -> bool:
    """Nothing but "and", commas or LaTeX between two links: a list under one label."""
    return not text[a:b].replace(" and ", " ").strip(" ,;&/{}$\\~")


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


_new_claim = maker(Claim)  # Claim(...) without the frozen __init__'s call per field


def _add(claims: list[Claim], seen: set, kind: ClaimKind, sentence: str, key: str | None, obj: str, idx: int) -> None:
    ident = (sentence, idx, key, kind, obj) if key is None else (sentence, idx, key)
    if ident not in seen:
        seen.add(ident)
        claims.append(_new_claim(kind=kind, sentence=sentence, target_key=key, object=obj))


def find_claims(text: str, links: Sequence[Link]) -> tuple[Claim, ...]:
    """Claims per sentence, each attached to the links of its sentence (or to none)."""
    return claims_from_spans(text, link_spans(text, links))
