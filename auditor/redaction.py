"""One redaction for everything that leaves the process.

A server can echo what it was sent: a hostile or broken API may put our
``Authorization`` header in an error message, a header or a repository
description. Whatever comes from a response is therefore passed through
:func:`redact` (text) or :func:`redact_value` (JSON-like data) before it is
stored, written to a scorecard or printed; the store and the report writers
call them on every text they write, the collectors on every error they build.

Known secrets are registered by the settings that hold them (GitHub and
Hugging Face tokens, from the environment); on top of those, the shapes of
well-known tokens (``ghp_…``, ``github_pat_…``, ``hf_…``) and of an echoed
``Authorization:`` header are masked whoever they belong to.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Mapping
from urllib.parse import quote

MASK = "***"
#: Environment variables whose values are secrets the tool may send.
SECRET_ENV = ("GITHUB_TOKEN", "GH_TOKEN", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "SWH_TOKEN")
#: Shorter values are not registered: masking every "abc" would garble data, and no real token is that short.
MIN_SECRET_LENGTH = 6

_PATTERNS = re.compile(
    r"\bgh[pousr]_[A-Za-z0-9]{20,}"  # GitHub classic and app tokens
    r"|\bgithub_pat_[A-Za-z0-9_]{20,}"  # GitHub fine-grained tokens
    r"|\bhf_[A-Za-z0-9]{20,}"  # Hugging Face tokens
    r"|(?i:\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?(?:(?:token|bearer|basic)\s+)?)[^\s\"',;}]+"
    r"|(?i:\bbearer\s+)[A-Za-z0-9._~+/=-]{8,}"
)

_lock = threading.Lock()
_secrets: set[str] = set()
_forms: tuple[str, ...] = ()  # the secrets and their encoded forms, longest first


def register(*secrets: str | None) -> None:
    """Mask these values (and their URL-encoded forms) from now on, process-wide."""
    global _forms
    with _lock:
        for secret in secrets:
            value = (secret or "").strip()
            if len(value) >= MIN_SECRET_LENGTH:
                _secrets.add(value)
        forms = {f for s in _secrets for f in (s, quote(s, safe=""), quote(s))}
        _forms = tuple(sorted(forms, key=len, reverse=True))


def register_env(env: Mapping[str, str]) -> None:
    """Register the secrets an environment holds (see :data:`SECRET_ENV`)."""
    register(*(env.get(name) for name in SECRET_ENV))
    register(*re.split(r"[\s,]+", env.get("GITHUB_TOKENS") or ""))  # several tokens, comma-separated


#: Substrings one of :data:`_PATTERNS` needs (lower-cased): most texts hold none, and a
#: substring search is far cheaper than the regex (extract prints every record through here).
_TRIGGERS = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "hf_", "authorization", "bearer")
#: For a trigger whose pattern is case-sensitive, what a match needs at the least: the prefix and
#: 20 token characters. A report names "hf_paper" (a discovery source) on many lines and would
#: otherwise run the whole pattern over each; a regex led by a literal searches at C speed.
_NEEDS = {
    **{t: re.compile(re.escape(t) + "[A-Za-z0-9]{20}") for t in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "hf_")},
    "github_pat_": re.compile("github_pat_[A-Za-z0-9_]{20}"),
}


def redact_secrets(text: str) -> str:
    """``text`` with the registered secrets masked: the cheap part of :func:`redact`, for streams
    that print every record (what they print from servers was redacted in full before)."""
    for form in _forms:
        if form in text:
            text = text.replace(form, MASK)
    return text


def redact(text: str) -> str:
    """``text`` with every registered secret and token-shaped string masked."""
    if not text:
        return text
    text = redact_secrets(text)
    # (?i) in the pattern also matches a dotless or dotted capital I where an ASCII i is;
    # lower() turns those into "\u0131" and "i\u0307": folded back so that the cheap check sees them too
    low = text.lower().replace("\u0131", "i").replace("\u0307", "")
    if not any(trigger in low and (trigger not in _NEEDS or _NEEDS[trigger].search(text))
               for trigger in _TRIGGERS):
        return text
    return _PATTERNS.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    whole = match.group(0)
    # Keep the header name of an echoed "Authorization: token X": it says what was masked.
    head = re.match(r"(?i)((?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?(?:(?:token|bearer|basic)\s+)?|bearer\s+)", whole)
    return (head.group(1) if head else "") + MASK


def redact_value(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with every string redacted, keys included."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(k)) if isinstance(k, str) else k: redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value


def redact_all(texts: Iterable[str | None]) -> list[str | None]:
    return [redact(t) if t else t for t in texts]


class RedactingStream(io.TextIOBase):
    """A text stream that masks the registered secrets in every write (stdout, stderr).

    It has no ``buffer``: nothing can reach the raw bytes underneath round it. Token shapes
    are not searched here (it would cost `audit extract` a third of its speed): what reaches
    the terminal from a server went through :func:`redact` where it was stored or reported.
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @property
    def inner(self) -> Any:
        return self._inner

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._inner, "errors", None)

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._inner.write(redact_secrets(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._inner, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self._inner.fileno()


@contextmanager
def redacted_output(env: Mapping[str, str] | None = None) -> Iterator[None]:
    """stdout and stderr redacted while the block runs (tracebacks included); the
    environment's secrets registered first."""
    register_env(os.environ if env is None else env)
    saved = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)
    try:
        yield
    except BaseException as exc:
        if not isinstance(exc, (SystemExit, KeyboardInterrupt)):
            # An unexpected crash: its traceback (which may quote a server) is printed redacted here.
            import traceback

            traceback.print_exc(file=sys.stderr)
            sys.stderr.flush()
            raise SystemExit(1) from None
        raise
    finally:
        sys.stdout.flush()
        sys.stdout, sys.stderr = saved
