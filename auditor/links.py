"""Find URLs in abstracts, repair what real abstracts break, resolve them to targets.

Pure functions over text. Real arXiv abstracts keep LaTeX (``\\href{URL}{URL}``,
``\\url{...}``, ``\\_``), wrap at ~80 columns (a URL can continue on the next
line), put spaces into schemes (``https: //``) and hosts (``github. com``),
leave out the scheme (``github.com/x/y``, ``hf.co/org/model``) and end URLs with
the sentence's punctuation. :func:`find_links` copes with all of that; text
without '/' or 'www.' costs a substring test, text with them a few string
searches and one regex match per URL.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import unquote

from auditor.frozen import maker, rest_defaults
from auditor.models import Link, Target, TargetKind

__all__ = ["TRAILING", "Resolved", "find_links", "is_placeholder", "link_identity", "repair_url", "resolve"]

# --------------------------------------------------------------------------- scanning

# Characters a URL token may hold: no whitespace, no LaTeX/markup delimiters.
# LaTeX escapes (\_ \# \% \& \~) stay inside the token and are undone later.
# Written as runs, "(?:A+|B)" repeated: the same matches as "(?:A|B)" repeated (A and B share
# no character and nothing follows a body in the patterns), but the engine reads a run of plain
# characters in its tight single-character loop instead of entering a group per character.
_BODY = r"(?:[^\s<>\"{}|\\^`\[\]]+|\\[_#%&~])"
_KNOWN_HOSTS = (
    r"github\$?\.\$?(?:com|io)|hf\.co|huggingface\.co|gitlab\.(?:com|io)|bitbucket\.org|codeberg\.org"
    r"|gitee\.com|zenodo\.org|(?:dx\.)?doi\.org|anonymous\.4open\.science|sites\.google\.com|osf\.io"
)
# Other hosts without a scheme count when a path follows: "pages.example.edu/~group/tool", "osf.io/ID"
# (a product name such as "Flux.dev" or "Amazon.com" has none).
_TLDS = (
    r"com|org|net|edu|gov|io|ai|co|info|dev|app|science|page|site|tech|cloud|me|us|uk|de|fr|cn|jp|kr|in|ca|au"
    r"|eu|ch|nl|it|es|se|no|fi|dk|be|at|pl|ru|br|sg|hk|tw|il|cz|pt|ie|nz|ac\.uk|edu\.cn|ac\.jp"
)
_CANDIDATE = re.compile(
    # with a scheme; tolerate "https: //" and "https://<newline>host"
    rf"(?:https?|ftp)[ \t]*:[ \t]*\n?[ \t]*//?[ \t]*\n?[ \t]*(?=[A-Za-z0-9]){_BODY}+"
    # "www.host.tld" without a scheme
    rf"|(?<![\w.@/\\-])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+{_BODY}*"
    # well-known hosts without a scheme, with a path
    rf"|(?<![\w.@/\\-])(?:[A-Za-z0-9-]+\.)*(?:{_KNOWN_HOSTS})(?![\w-])/{_BODY}+"
    rf"|(?<![\w.@/\\$-])(?:[A-Za-z0-9-]+\.)+(?:{_TLDS})/(?=[~A-Za-z0-9]){_BODY}+"
    # DOIs: doi:10.x/y or a bare 10.x/y
    rf"|(?<![\w./\\-])(?:doi:[ \t]?)?10\.\d{{4,9}}/{_BODY}+",
    re.IGNORECASE,
)
# Whatever follows a token, across a line break (or spaces, for a split host).
_NEXT = re.compile(rf"([ \t]*\n[ \t]*|[ \t]+)({_BODY}+)")
_HOST_CONTINUATION = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)*(?:/|$)")
_PATH_CONTINUATION = re.compile(r"[\w.~%+=&-]+(?:/[\w.~%+=&/#?-]*)?$")

#: Characters a returned URL never ends with (a closing bracket only when unbalanced).
TRAILING = frozenset(".,;:!?'\"*+`#&")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_ESCAPE = re.compile(r"\\([_#%&~])")
_WS = re.compile(r"\s+")
_SCHEME = re.compile(r"(?i)^(https?|ftp)://")
_ONE_SLASH = re.compile(r"(?i)^(https?|ftp):/(?=[^/])")  # "https:/github.com/..."
_MATH_DOT = re.compile(r"\$\.\$?|\.\$")  # "github$.$com", "github$.io": LaTeX math around a host's dot
# a word glued to a known host: "available atgithub.com/owner/repo"
_GLUED = re.compile(rf"(?i)(?:at|in|on|via|from|see|visit|here)({_KNOWN_HOSTS})$")
_GLUE_STARTS = frozenset(("at", "in", "on", "vi", "fr", "se", "he"))
_GLUED_URL = re.compile(rf"(?:{_KNOWN_HOSTS})(?![\w-])/{_BODY}+", re.IGNORECASE)
# GitHub Pages hosts with no path and no scheme: "name.github.io"
_PAGES_HOST = re.compile(r"(?<![\w.@/\\$-])(?:[A-Za-z0-9-]+\.)+github\.io(?![\w/$-])", re.IGNORECASE)
_DOI_PREFIX = re.compile(r"(?i)^(?:doi:)?(10\.\d{4,9}/.+)$")
_HOST_OK = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$|^\d{1,3}(?:\.\d{1,3}){3}$")


class _Token(NamedTuple):
    start: int
    end: int  # end of the raw token in the text (trailing punctuation included)
    raw: str


def _host_part(token: str) -> str | None:
    """The host of a token still without a path, else None."""
    if token.count("/") > 2:
        return None  # a path for sure (a scheme holds two slashes): most URLs, no regex needed
    rest = _SCHEME.sub("", _WS.sub("", token))
    if "/" in rest:
        return None
    return rest


def _joins(token: str, sep: str, cont: str) -> bool:
    """Does ``cont`` (after whitespace ``sep``) plausibly continue the URL ``token``?"""
    last = token[-1]
    if last not in "-_./" and cont[0] != "/" and cont[:4].lower() != ".git":
        return False  # the common case: a URL followed by the next word
    newline = "\n" in sep
    host = _host_part(token)
    if host is not None and host.endswith("."):
        # "https://github." + "com/x", "https://www.idiap." + "ch/paper": an incomplete host
        labels = host.rstrip(".").lower().split(".")
        if labels and labels[0] == "www":
            labels = labels[1:]
        return len(labels) <= 1 and _HOST_CONTINUATION.match(cont) is not None
    if last == "-" and host is not None and newline:
        # "https://4d-" + "visual-pretraining.github.io": a host never ends with a hyphen
        return cont[0].isalnum() and _HOST_CONTINUATION.match(cont.rstrip(".,;:!?)'\"")) is not None
    if last == "-" and "/" in _SCHEME.sub("", token):
        # "KVQE-<newline>Challenge", "CAIR- LAB- WFUSM/...": a hyphen never ends a real URL path
        return cont[0].isalnum()
    if not newline:
        return False
    if last == "_":
        return cont[0].isalnum()
    if cont[0] == "/" or cont.lower().startswith(".git") or (last == "." and re.match(r"(?i)git\b", cont)):
        return True
    if last == "/":
        word = cont.rstrip(".,;:!?)'\"")
        if not word or _PATH_CONTINUATION.match(word) is None:
            return False
        if any(c in word for c in "/_-") or any(c.isdigit() for c in word):
            return True
        # github.com/ + owner: a repository link that is not complete yet
        path = _SCHEME.sub("", token).split("/", 1)[1] if "/" in _SCHEME.sub("", token) else ""
        segments = [s for s in path.split("/") if s]
        return len(segments) < 2 and bool(re.search(r"(?i)github\.com|huggingface\.co|hf\.co|gitlab\.com", token))
    return False


_HREF = re.compile(r"\\href\s*\{[^{}]*\}\s*\{")


def _href_texts(text: str) -> list[tuple[int, int]]:
    """Spans of the visible text of ``\\href{URL}{text}``: the URL is what counts.

    The visible text sometimes repeats the URL, sometimes shows another one
    ("\\href{.../WhatisBeneathMisogyny/tree/main}{https://github.com/Misogyny}").
    """
    spans = []
    for m in _HREF.finditer(text):
        if not _CANDIDATE.search(m.group(0)):
            continue  # "\\href{github}{https://github.com/x/y}": the text is all there is
        depth, i, stop = 1, m.end(), min(len(text), m.end() + 400)
        while i < stop and depth:
            c = text[i]
            depth += (c == "{") - (c == "}")
            i += 1
        spans.append((m.end(), i))
    return spans


_WWW = re.compile(r"www\.", re.IGNORECASE)
_SCHEME_BEFORE = re.compile(r"(?:https?|ftp)[ \t]*:\s*$", re.IGNORECASE)
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-$")
_SPACE_RE = re.compile(r"\s")


_MARKS = ("http", "ftp", "www.", "doi:", "10.")


class _Token_scan:
    """The whitespace-delimited token being scanned, with the next place of each
    mark (scheme, "www.", DOI) in it. Pointers only move forward, so a long token
    full of '/' costs linear time, not quadratic."""

    __slots__ = ("end", "lower", "next", "start")

    def __init__(self, text: str, anchor: int, floor: int) -> None:
        start = max(text.rfind(" ", floor, anchor), text.rfind("\n", floor, anchor), text.rfind("\t", floor, anchor)) + 1
        self.start = max(start, floor)
        space = _SPACE_RE.search(text, anchor)
        self.end = space.start() if space else len(text)
        self.lower = text[self.start : self.end].lower()
        self.next = dict.fromkeys(_MARKS, -2)

    def find(self, mark: str, pos: int) -> int:
        """Absolute index of the first ``mark`` at or after ``pos`` in the token, -1 if none."""
        at = self.next[mark]
        if at == -1 or (at >= pos):
            return at
        i = self.lower.find(mark, max(0, pos - self.start))
        self.next[mark] = at = -1 if i == -1 else self.start + i
        return at


def _url_start(text: str, tok: _Token_scan, pos: int, anchor: int) -> int | None:
    """Where a URL may start in the token, whose ``anchor`` is a '/' or 'www.': found
    with string searches, so that the regex only has to *match* at one place."""
    ts = max(tok.start, pos)
    k = tok.find("http", ts)
    f = tok.find("ftp", ts)
    if f != -1 and (k == -1 or f < k):
        k = f
    if k != -1 and k <= anchor:
        return k
    for mark in ("www.", "doi:"):
        w = tok.find(mark, ts)
        if w != -1 and w <= anchor:
            return w
    d = tok.find("10.", ts)
    if d != -1 and d < anchor and _CANDIDATE.match(text, d):
        return d
    if text.startswith(("//", "/ /"), ts):
        # "https: //github.com/...": the scheme stands in the token before
        m = _SCHEME_BEFORE.search(text, max(0, ts - 12), ts)
        if m:
            return m.start()
    # a host without a scheme right before the first '/': "github.com/x", "(hf.co/x"
    h = anchor
    while h > ts and text[h - 1] in _HOST_CHARS:
        h -= 1
    while h < anchor and text[h] == "$":
        h += 1
    if text[h : h + 2].lower() in _GLUE_STARTS:
        glued = _GLUED.match(text, h, anchor)
        if glued is not None:
            return -glued.start(1) - 1  # a glued word: the URL starts after it (negative: match it without the lookbehind)
    return h if h < anchor else None


_PAGES_DOT = re.compile(r"\.github\.io", re.IGNORECASE)


def _pages_dots(text: str, lower: str) -> list[int]:
    """Where ".github.io" stands in ``text``, in any case ("Name.GitHub.io": hosts ignore case).
    Found by str.find in the lower-cased text (offsets are the same in ASCII text), else by
    the regex, which costs many times more on a whole text."""
    if not text.isascii():
        return [m.start() for m in _PAGES_DOT.finditer(text)]
    found = []
    i = lower.find(".github.io")
    while i != -1:
        found.append(i)
        i = lower.find(".github.io", i + 10)
    return found


def _tokens(text: str, lower: str | None = None) -> list[_Token]:
    """Raw URL-like tokens of ``text``: those :func:`_anchored_tokens` finds, and GitHub Pages
    hosts that stand alone ("see name.github.io")."""
    if lower is None:
        lower = text.lower()  # one for both searches below: "www." and ".github.io" in any case
    out = _anchored_tokens(text, lower)
    dots = _pages_dots(text, lower)
    if dots:
        extra = []
        for i in dots:
            # found by str.find, matched by the regex only there (a regex search of the text costs ~100x)
            if not any(t.start <= i < t.end for t in out):  # most stand in a URL already found
                h = i
                while h > 0 and text[h - 1] in _HOST_CHARS and text[h - 1] != "$":
                    h -= 1
                m = _PAGES_HOST.match(text, h) if h < i else None
                if m is not None and m.end() == i + 10:
                    extra.append(_Token(h, m.end(), m.group(0)))
        if extra:
            out = sorted(out + extra)
    return out


def _anchored_tokens(text: str, lower: str) -> list[_Token]:
    """Raw URL-like tokens of ``text``, with line-broken URLs joined.

    Every form we find holds a '/' or 'www.': those anchor the search, so text
    without links costs a substring test and text with links a few string
    searches plus one regex match per URL.
    """
    out: list[_Token] = []
    skip = _href_texts(text) if "\\href" in text else ()
    pos = 0
    n = len(text)
    next_www = -2
    tok: _Token_scan | None = None
    while pos < n:
        slash = text.find("/", pos)
        if next_www != -1 and next_www < pos:
            if next_www == -2 and "www." not in lower:  # any case, as _WWW reads it
                next_www = -1
            else:
                m = _WWW.search(text, pos)
                next_www = m.start() if m else -1
        if slash == -1 or (next_www != -1 and next_www < slash):
            if next_www == -1:
                return out
            anchor = next_www
        else:
            anchor = slash
        if tok is None or anchor >= tok.end or tok.start > anchor:
            tok = _Token_scan(text, anchor, pos)
        start = _url_start(text, tok, pos, anchor)
        if start is not None and start < 0:
            start = -start - 1
            m = _GLUED_URL.match(text, start) if start >= pos else None
        else:
            m = _CANDIDATE.match(text, start) if start is not None and start >= pos else None
        if m is None or (skip and any(a <= start < b for a, b in skip)):  # type: ignore[operator]
            pos = anchor + 1 if m is None else max(m.end(), anchor + 1)
            continue
        start, end = m.span()
        # A URL cut at a line end (or a host split by a space) continues: join when plausible.
        for _ in range(3):
            nxt = _NEXT.match(text, end)
            if nxt is None or not _joins(text[start:end], nxt.group(1), nxt.group(2)):
                break
            end = nxt.end()
        out.append(_Token(start, end, text[start:end]))
        pos = end
        if end > tok.end:
            tok = None  # joined across the token's end
    return out


def _strip_trailing(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from the end."""
    end = len(url)
    counts: dict[str, int] = {}  # closer -> closers minus openers still in url[:end]: counted once
    while end:
        c = url[end - 1]
        if c in TRAILING:
            end -= 1
        elif c in _CLOSERS:
            if c not in counts:
                counts[c] = url.count(c, 0, end) - url.count(_CLOSERS[c], 0, end)
            if counts[c] > 0:
                counts[c] -= 1
                end -= 1
            else:
                break
        else:
            break
    return url[:end]


# A URL as nearly every abstract writes it: a lower-case scheme (or none) and host (what _HOST_OK
# takes), then a path of plain characters, without query, fragment, escapes or LaTeX.
_PLAIN_URL = re.compile(r"(https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9](?:/[A-Za-z0-9_.~-]*)*")


@lru_cache(maxsize=16_384)  # the same URL recurs: {url}{url}, a paper in several dumps, popular repositories
def _clean(token: str) -> str | None:
    """Turn one raw token into a URL, or None when it is not one."""
    plain = _strip_trailing(token)
    m = _PLAIN_URL.fullmatch(plain)
    if m is None or plain.lower().endswith((".git", ".git/")):
        return _repair(token)
    # a plain URL and the sentence's punctuation: of _repair's repairs only the scheme applies
    return plain if m.group(1) else "https://" + plain


def _repair(token: str) -> str | None:
    """:func:`_clean` of any token: undo what abstracts do to URLs, None when it is no URL."""
    url = token
    if not url.isprintable() or " " in url:  # whitespace inside: a joined line break or "https: //"
        url = _WS.sub("", url)
    if "\\" in url:
        url = _ESCAPE.sub(r"\1", url)
    if "$" in url:
        # "github$.$com/x", "https://name.github$.io/x": LaTeX math around the host's dots
        i = url.find("://")
        i = 0 if i == -1 else i + 3
        j = url.find("/", i)
        j = len(url) if j == -1 else j
        url = url[:i] + _MATH_DOT.sub(".", url[i:j]).replace("$", "") + url[j:]
    colon = url.find(":/", 0, 7)
    if colon != -1 and url[colon + 2 : colon + 3] not in ("/", ""):
        # "https:/github.com": the scheme's ":" is the first one, so "://" (nearly all) needs no regex
        url = _ONE_SLASH.sub(r"\1://", url)
    url = _strip_trailing(url)
    m = _DOI_PREFIX.match(url)
    if m:
        url = "https://doi.org/" + m.group(1)
    else:
        sm = _SCHEME.match(url)
        if sm:
            url = sm.group(1).lower() + "://" + url[sm.end():]
        elif ":" in url.split("/", 1)[0]:
            return None
        else:
            url = "https://" + url
    # ".git" clone endings: the repository is what is meant (twice at most: "x.git/.git" is not a URL)
    for _ in range(2):
        if ".git" not in url.lower():
            break
        base = url.split("?", 1)[0].split("#", 1)[0]
        if base.lower().endswith(".git") and base.count("/") >= 3:
            url = base[:-4] + url[len(base):]
        elif base.lower().endswith(".git/") and base.count("/") >= 4:
            url = base[:-5] + url[len(base):]
        else:
            break
        url = _strip_trailing(url)
    scheme_end = url.index("://") + 3
    host_end = len(url)
    for sep in "/?#":
        i = url.find(sep, scheme_end)
        if i != -1:
            host_end = min(host_end, i)
    host = url[scheme_end:host_end].lower()
    hostname = host.rsplit("@", 1)[-1].split(":", 1)[0]
    if not _HOST_OK.match(hostname):
        return None
    url = url[:scheme_end] + host + url[host_end:]
    url = _strip_trailing(url)
    return url if len(url) > scheme_end else None


def repair_url(raw: str) -> str | None:
    """The first URL in a messy snippet, repaired; None when there is none.

    Takes what an abstract holds: ``\\url{https://x}.``, ``https: //github.com/a/b.``,
    ``[text](url)``, ``<url>``, ``hf.co/org/model``, ``github.com/a/b.git``,
    ``doi:10.5281/zenodo.1`` ...
    """
    for token in _tokens(raw):
        url = _clean(token.raw)
        if url is not None:
            return url
    return None


# --------------------------------------------------------------------------- resolving


_TARGET_FIELDS = ("key", "kind", "host", "url", "owner", "name")
#: fields a Target may gain later with their defaults, set first (none today)
_TARGET_REST = rest_defaults(Target, _TARGET_FIELDS)
_new_object = object.__new__


def _target(key: str, kind: TargetKind, host: str, url: str, owner: str | None = None, name: str | None = None) -> Target:
    """``Target(...)``, the same object, without the frozen ``__init__``'s call per field: a fifth
    of what resolving a URL costs (see :mod:`auditor.frozen`)."""
    target = _new_object(Target)
    state = target.__dict__
    if _TARGET_REST:
        state.update(_TARGET_REST)
    state["key"] = key
    state["kind"] = kind
    state["host"] = host
    state["url"] = url
    state["owner"] = owner
    state["name"] = name
    return target


class Resolved(NamedTuple):
    """What a URL points at: the target plus where inside it."""

    target: Target
    item: str | None = None
    ref: str | None = None
    subpath: str | None = None
    number: int | None = None


_GITHUB_RESERVED = frozenset(
    """about apps blog codespaces collections contact customer-stories enterprise events explore
    features github-copilot home issues join login logout marketplace new notifications organizations
    orgs pricing pulls readme resources search security sessions settings site solutions sponsors
    team topics trending users""".split()
)
_HF_RESERVED = frozenset(
    """api blog chat collections docs enterprise join learn login models new organizations papers
    posts pricing privacy search settings tasks terms-of-service welcome""".split()
)
_FORGE_HOSTS = frozenset({"gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com"})
_REF_ITEMS = frozenset({"tree", "blob", "raw", "blame", "commits", "commit", "resolve", "src", "edit"})
_NUMBER_ITEMS = frozenset({"pull", "pulls", "issues", "discussions", "merge_requests"})
_GH_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_GH_NAME = re.compile(r"^[A-Za-z0-9._-]{1,100}$")
_ZENODO_DOI = re.compile(r"(?i)^10\.5281/zenodo\.(\d+)$")


def _extras(rest: list[str]) -> tuple[str | None, str | None, str | None, int | None]:
    """(item, ref, subpath, number) from the path below a repository."""
    if not rest:
        return None, None, None, None
    item = rest[0]
    ref = subpath = None
    number = None
    if item in _REF_ITEMS and len(rest) > 1:
        if item == "src" and len(rest) > 2 and rest[1] in ("branch", "tag", "commit"):
            rest = rest[1:]  # codeberg: src/branch/<ref>/path
        ref = rest[1]
        subpath = "/".join(rest[2:]) or None
    elif item in _NUMBER_ITEMS and len(rest) > 1 and rest[1].isdigit():
        number = int(rest[1])
    elif item == "releases" and len(rest) > 2 and rest[1] == "tag":
        ref = rest[2]
    return item, ref, subpath, number


def _web(kind: TargetKind, scheme: str, host: str, path: str, query: str = "") -> Resolved:
    path = path.rstrip("/") + (f"?{query}" if query else "")
    return Resolved(_target(f"web:{host}{path}", kind, host, f"{scheme}://{host}{path}"))


_TRACKING = re.compile(r"^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref_src)=", re.I)


def _query(url: str) -> str:
    """A page's query string without tracking parameters: ``watch?v=A`` and ``watch?v=B`` are two pages."""
    query = url.partition("#")[0].partition("?")[2]
    return "&".join(p for p in query.split("&") if p and not _TRACKING.match(p))


def _github(scheme: str, host: str, path: str, segs: list[str]) -> Resolved:
    if not segs:
        return _web("web", scheme, host, path)
    first = segs[0].lower()
    if first in _GITHUB_RESERVED:
        if first == "orgs" and len(segs) > 1 and _GH_OWNER.match(segs[1]):
            segs = segs[1:2]
        else:
            return _web("web", scheme, host, path)
    owner = segs[0]
    if not _GH_OWNER.match(owner):
        return _web("web", scheme, host, path)
    if len(segs) == 1:
        return Resolved(_target(f"github:{owner.lower()}", "github_owner", "github.com", f"https://github.com/{owner}", owner))
    name = segs[1]
    if name.lower().endswith(".git"):
        name = name[:-4]
    if not _GH_NAME.match(name) or name in (".", ".."):
        return Resolved(_target(f"github:{owner.lower()}", "github_owner", "github.com", f"https://github.com/{owner}", owner))
    target = _target(
        f"github:{owner.lower()}/{name.lower()}", "github_repo", "github.com", f"https://github.com/{owner}/{name}", owner, name
    )
    return Resolved(target, *_extras(segs[2:]))


def _raw_github(segs: list[str]) -> Resolved | None:
    if len(segs) < 2 or not _GH_OWNER.match(segs[0]) or not _GH_NAME.match(segs[1]):
        return None
    owner, name = segs[0], segs[1]
    target = _target(
        f"github:{owner.lower()}/{name.lower()}", "github_repo", "github.com", f"https://github.com/{owner}/{name}", owner, name
    )
    return Resolved(target, "raw", segs[2] if len(segs) > 2 else None, "/".join(segs[3:]) or None)


def _huggingface(scheme: str, host: str, path: str, segs: list[str]) -> Resolved:
    if not segs:
        return _web("web", scheme, "huggingface.co", path)
    first = segs[0]
    kind: TargetKind = "huggingface_model"
    prefix = ""
    if first in ("datasets", "spaces"):
        kind = "huggingface_dataset" if first == "datasets" else "huggingface_space"
        prefix = first + "/"
        segs = segs[1:]
        if not segs:
            return _web("web", scheme, "huggingface.co", path)
    elif first in _HF_RESERVED:
        return _web("web", scheme, "huggingface.co", path)
    org = segs[0]
    if len(segs) == 1:
        return Resolved(_target(f"huggingface:user:{org}", "huggingface_owner", "huggingface.co", f"https://huggingface.co/{org}", org))
    name = segs[1]
    label = {"huggingface_model": "model", "huggingface_dataset": "dataset", "huggingface_space": "space"}[kind]
    target = _target(
        f"huggingface:{label}:{org}/{name}", kind, "huggingface.co", f"https://huggingface.co/{prefix}{org}/{name}", org, name
    )
    return Resolved(target, *_extras(segs[2:]))


def _forge(scheme: str, host: str, path: str, segs: list[str]) -> Resolved:
    if host == "gitlab.com" or host.startswith("gitlab."):
        # GitLab: subgroups; what follows "/-/" is below the project
        if "-" in segs:
            i = segs.index("-")
            repo, rest = segs[:i], segs[i + 1 :]
        else:
            i = next((k for k, s in enumerate(segs) if k >= 2 and s in ("tree", "blob")), len(segs))
            repo, rest = segs[:i], segs[i:]
    else:
        repo, rest = segs[:2], segs[2:]
    if len(repo) < 2:
        return _web("web", scheme, host, path)
    owner, name = repo[0], "/".join(repo[1:])
    if name.lower().endswith(".git"):
        name = name[:-4]
    key = f"git:{host}/{owner}/{name}".lower()
    return Resolved(_target(key, "forge_repo", host, f"https://{host}/{owner}/{name}", owner, name), *_extras(rest))


def _doi(doi: str, scheme: str, host: str, path: str) -> Resolved:
    doi = unquote(doi).rstrip("/")
    z = _ZENODO_DOI.match(doi)
    if z:
        return _zenodo(z.group(1))
    if not doi.startswith("10."):
        return _web("web", scheme, host, path)
    return Resolved(_target(f"doi:{doi.lower()}", "doi", "doi.org", f"https://doi.org/{doi}"))


def _zenodo(record: str) -> Resolved:
    return Resolved(_target(f"zenodo:{record}", "zenodo", "zenodo.org", f"https://zenodo.org/records/{record}", name=record))


def _split(url: str) -> tuple[str, str, str]:
    """(scheme, host, path) of a URL, lower-cased scheme and host; faster than urlsplit."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "https", url
    authority, path = _AUTHORITY_PATH.match(rest).groups()  # type: ignore[union-attr]  # (it matches any text)
    return scheme.lower(), authority.rpartition("@")[2].partition(":")[0].lower(), path or ""


#: what comes before the first '/', '?' or '#' (user, host, port), and the path up to '?' or '#'
_AUTHORITY_PATH = re.compile(r"([^/?#]*)(/[^?#]*)?")


@lru_cache(maxsize=16_384)
def resolve(url: str) -> Resolved:
    """Resolve a repaired URL to its target (keys per :data:`auditor.models.TargetKind`)."""
    scheme, host, path = _split(url)
    segs = [s for s in path.split("/") if s]
    bare = host.removeprefix("www.")
    if bare == "github.com":
        return _github(scheme, bare, path, segs)
    if bare in ("huggingface.co", "hf.co"):
        return _huggingface(scheme, bare, path, segs)
    if host == "raw.githubusercontent.com":
        resolved = _raw_github(segs)
        if resolved is not None:
            return resolved
    elif host == "anonymous.4open.science":
        if len(segs) >= 2 and segs[0] in ("r", "w"):
            # /r/ID is the repository, /w/ID its web view: the same anonymised repository
            rid = segs[1]
            target = _target(
                f"anonymous:anonymous.4open.science/r/{rid}",
                "anonymous_repo",
                host,
                f"https://anonymous.4open.science/r/{rid}",
                name=rid,
            )
            return Resolved(target, "w" if segs[0] == "w" else None, subpath="/".join(segs[2:]) or None)
    elif bare in _FORGE_HOSTS or host.startswith("gitlab.") and not host.endswith(".gitlab.io"):
        return _forge(scheme, bare, path, segs)
    elif bare in ("doi.org", "dx.doi.org"):
        return _doi(path.lstrip("/"), scheme, host, path)
    elif bare == "zenodo.org":
        if len(segs) >= 2 and segs[0] in ("records", "record", "uploads", "deposit") and segs[1].isdigit():
            return _zenodo(segs[1])
        if len(segs) >= 3 and segs[0] == "doi":
            return _doi("/".join(segs[1:]), scheme, host, path)
    if host.endswith((".github.io", ".gitlab.io")) or host == "sites.google.com":
        return _web("project_page", scheme, host, path, _query(url))
    return _web("web", scheme, host, path, _query(url))


# --------------------------------------------------------------------------- finding


def link_identity(link: Link) -> tuple:
    """What makes two links in one abstract the same link.

    Repository-like targets: the target and the place inside it. Web pages: the
    URL without fragment (the target key drops the query, two videos differ).
    """
    return _identity(link.url, Resolved(link.target, link.item, link.ref, link.subpath, link.number))


def _identity(url: str, r: Resolved) -> tuple:
    t = r.target
    if t.kind in ("web", "project_page"):
        url = url.split("#", 1)[0].rstrip("/")
        scheme_end = url.find("://") + 3
        return ("url", url[scheme_end:].lower() if t.host.endswith(".github.io") else url[scheme_end:])
    return (t.key, r.item, r.ref, r.subpath, r.number)


def has_link_hint(text: str, lower: str | None = None) -> bool:
    """Cheap pre-filter: every link form we find needs a '/', or 'www.' or 'github.io' in any
    case (``lower``: ``text`` lower-cased, when the caller has it)."""
    if "/" in text:
        return True
    if lower is None:
        lower = text.lower()
    return "www." in lower or "ithub.io" in lower


_FORGE_ROOTS = frozenset(
    {"github.com", "huggingface.co", "hf.co", "gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com",
     "anonymous.4open.science"}
)


_PLACEHOLDER_KINDS = frozenset(("github_owner", "huggingface_owner", "web"))
_new_link = maker(Link)  # Link(...) without the frozen __init__'s call per field (a third of the cost)


def is_placeholder(target: Target) -> bool:
    """A forge's root or an owner page (``https://github.com/``, ``https://github.com/anonymous``,
    ``https://huggingface.co/``): a link that names no repository."""
    if target.kind in ("github_owner", "huggingface_owner"):
        return True
    if target.kind != "web" or target.host.removeprefix("www.") not in _FORGE_ROOTS:
        return False
    path = target.key.partition("/")[2].partition("?")[0]
    return "/" not in path.strip("/")


def find_links(text: str, lower: str | None = None) -> tuple[Link, ...]:
    """Distinct links of an abstract, in order of first appearance, ordinals 0..n-1. ``lower``:
    ``text`` lower-cased when the caller has it, saving a copy; the claims' ``lowered(text)``
    serves too (its spaces for line breaks and its kept "İ" change no 'www.' or '.github.io' search)."""
    if not has_link_hint(text, lower):
        return ()
    seen: set[tuple] = set()
    links: list[Link] = []
    for tok in _tokens(text, lower):
        url = _clean(tok.raw)
        if url is None:
            continue
        r = resolve(url)
        ident = _identity(url, r)
        if ident in seen:
            continue
        seen.add(ident)
        links.append(_new_link(raw=tok.raw, url=url, target=r.target, ordinal=len(links), ref=r.ref, subpath=r.subpath,
                               number=r.number, item=r.item,
                               placeholder=r.target.kind in _PLACEHOLDER_KINDS and is_placeholder(r.target)))
    return tuple(links)
