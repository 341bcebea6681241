"""Is there a README (or model/dataset card) that says something?

A README that is missing, only a title, a few lines, or a placeholder
("code coming soon") fails; a brief one passes with a lower score; a
substantive one passes. Thresholds are in ``[checks.readme]``.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS, setting
from auditor.models import Result
from checks._common import ANY_REPO_KINDS, Gate, gate, missing_key

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")  # badges and figures
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # keep a link's text, drop its URL
_TAG = re.compile(r"<[^>]+>")
_FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*\n", re.S)  # HF card metadata
_HEADING = re.compile(r"^\s{0,3}(#{1,6}\s|=+\s*$|-+\s*$)")
# A short README that tells how to install or run the code is brief, not a stub.
_INSTRUCTIONS = re.compile(
    r"```|^\s{0,3}#{1,6}\s*(install|usage|setup|getting started|quick ?start|requirements|how to (run|use))",
    re.I | re.M,
)


def prose(text: str) -> tuple[str, list[str]]:
    """The README's readable text (no badges, tags, URLs, card metadata) and its lines."""
    text = _FRONT_MATTER.sub("", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines), lines


def judge_text(text: str, settings: Mapping[str, Any]) -> tuple[str, str, float]:
    """(status, reason, score) for a README's text."""
    body, lines = prose(text)
    chars = len(body)
    non_heading = [ln for ln in lines if not _HEADING.match(ln)]
    if not non_heading:
        title = f" ({lines[0][:60]!r})" if lines else ""
        return "fail", f"README holds only a title{title}", 1.0
    folded = body.casefold()
    phrases = setting(settings, "readme", "placeholder_phrases")
    hit = next((p for p in phrases if p.casefold() in folded), None)
    if hit and chars < setting(settings, "readme", "placeholder_max_chars"):
        return "fail", f"placeholder README ({hit!r}, {chars} characters)", 1.0
    min_chars = setting(settings, "readme", "min_chars")
    min_lines = setting(settings, "readme", "min_lines")
    if len(lines) < min_lines or (chars < min_chars and not _INSTRUCTIONS.search(text)):
        return "fail", f"README is a stub: {len(lines)} lines, {chars} characters", 2.0
    if chars < min_chars:
        return "pass", f"brief README with usage instructions: {len(lines)} lines, {chars} characters", 6.0
    good = setting(settings, "readme", "good_chars")
    if chars < good:
        return "pass", f"brief README: {len(lines)} lines, {chars} characters", 7.0
    return "pass", f"substantive README: {len(lines)} lines, {chars} characters", 10.0


@check(
    "readme",
    description="The target has a substantive README or model/dataset card, not a placeholder.",
    weight=DEFAULT_WEIGHTS["readme"],
)
def readme(ctx: CheckContext) -> Result:
    gated = gate(ctx, ANY_REPO_KINDS)
    if not isinstance(gated, Gate):
        return gated
    data = gated.data
    if "readme" not in data:
        return missing_key("readme")
    info = data["readme"]
    if not info:
        return Result("fail", "no README", 0.0, {"readme": None})
    name, size, text = info.get("name"), info.get("size"), info.get("text")
    ev = {"name": name, "size": size}
    if text is None:
        if size == 0:
            return Result("fail", f"{name or 'README'} is empty", 0.0, ev)
        return Result("unknown", "README exists but its text was not collected", None, ev)
    status, reason, score = judge_text(text, ctx.settings)
    body, lines = prose(text)
    ev.update(chars=len(body), lines=len(lines))
    return Result(status, reason, score, ev)
