"""Which format a file is in, decided from its first bytes and then its name.

Every way a file can be unusable ends here in one :class:`InputError` line
that names the file, before any reader starts.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

from auditor.errors import InputError
from auditor.ingest.hf_dump import looks_like_dump
from auditor.ingest.fields import ALIASES

Format = Literal["hf_dump", "csv", "jsonl", "json_array", "parquet"]

HEAD_BYTES = 64 * 1024
COLUMN_NAMES = frozenset(ALIASES["title"] + ALIASES["abstract"])
_COLUMN_LIKE = re.compile(r"^[\w .()/\-]{1,60}$")
KNOWN = "a Hugging Face Daily Papers text dump (.txt), CSV, JSON Lines or Parquet"


def detect(path: Path, shown: str) -> Format:
    """The format of ``path`` (``shown`` is how the user named it, for messages)."""
    if not path.exists():
        raise InputError(f"{shown}: no such file")
    if path.is_dir():
        raise InputError(f"{shown}: is a directory, not a file (give the dump files themselves)")
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    whole = len(head) < HEAD_BYTES
    suffix = "".join(path.suffixes[-1:]).lower()

    if not head.strip():
        raise InputError(f"{shown}: is empty")
    if head.startswith(b"PAR1"):
        return "parquet"
    if suffix == ".parquet":
        raise InputError(f"{shown}: is not a Parquet file (it lacks the PAR1 signature)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{shown}: is UTF-16 text; save it as UTF-8")
    if head.startswith(b"\x1f\x8b"):
        raise InputError(f"{shown}: is gzip-compressed; decompress it first")
    if b"\x00" in head:
        raise InputError(f"{shown}: is a binary file, not {KNOWN}")
    text = head_text(head, whole, shown)
    if not text.strip():
        raise InputError(f"{shown}: is empty")

    start = text.lstrip()[:1000].lower()
    if start.startswith(("<!doctype html", "<html", "<?xml")) or any(
            tag in start for tag in ("<html", "<head>", "<head ", "<body")):
        raise InputError(f"{shown}: is an HTML page, not a dump (copy the page's text, or export a table)")
    if start.startswith("{"):
        return "jsonl"
    if start.startswith("["):
        return "json_array"
    if looks_like_dump(text[:2000]):
        return "hf_dump"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        raise InputError(f"{shown}: is not JSON Lines (its first line does not start with '{{')")
    first_line = text.lstrip().split("\n", 1)[0].lower()
    cells = [cell.strip().strip('"').strip() for cell in re.split(r"[,\t;]", first_line)]
    keys = {re.sub(r"[\s\-]+", "_", cell) for cell in cells}
    if len(cells) > 1 and keys & COLUMN_NAMES and all(_COLUMN_LIKE.match(cell) for cell in cells):
        return "csv"  # a header line naming the columns, whatever the extension
    if suffix == ".txt":
        return "hf_dump"
    raise InputError(f"{shown}: unknown format; expected {KNOWN}")


def head_text(head: bytes, whole: bool, shown: str) -> str:
    """Decode the first bytes as UTF-8 (a character cut at the end is fine)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        return decoder.decode(head, final=whole)
    except UnicodeDecodeError as exc:
        raise InputError(not_utf8(shown, exc)) from None


def not_utf8(shown: str, exc: UnicodeDecodeError) -> str:
    return f"{shown}: is not UTF-8 text (byte {exc.start} is {exc.object[exc.start:exc.start + 1]!r}); save it as UTF-8"
