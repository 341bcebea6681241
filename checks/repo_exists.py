"""Does the linked target exist (and is it public)?"""

from __future__ import annotations

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import Result
from checks._common import ANY_REPO_KINDS, Gate, gate, new_home

KINDS = ANY_REPO_KINDS | {"github_owner", "huggingface_owner"}


def _private(data: dict) -> bool:
    return bool(data.get("is_private") or data.get("private"))  # GitHub / Hugging Face keys


def _disabled(data: dict) -> bool:
    return bool(data.get("is_disabled") or data.get("disabled"))


def _gated(data: dict, error: str | None) -> str | None:
    """Hugging Face gating ("auto" / "manual" / True), None when not gated."""
    gated = data.get("gated")
    if gated:
        return gated if isinstance(gated, str) else "approval"
    return "approval" if "gated" in (error or "").casefold() else None


def _blocked_why(data: dict, error: str | None) -> str:
    """Which kind of blocked: private, disabled, legal (DMCA/451) or plain access denied."""
    text = (error or "").casefold()
    if _private(data) or "private" in text:
        return "private"
    if _disabled(data) or "disabled" in text:
        return "disabled by its host"
    if "451" in text or "dmca" in text or "legal" in text:
        return "blocked for legal reasons (451/DMCA)"
    return "blocked (access denied)"


@check(
    "repo_exists",
    description="The linked repository or account exists and is public.",
    weight=DEFAULT_WEIGHTS["repo_exists"],
)
def repo_exists(ctx: CheckContext) -> Result:
    gated = gate(ctx, KINDS, needs_target=False)
    if not isinstance(gated, Gate):
        return gated
    facts, data = gated.facts, dict(gated.data)
    ev = {"facts_status": facts.status}
    if facts.status == "not_found":
        if data.get("private_or_missing"):
            return Result("fail", "not found (or private: the host does not say which)", 0.0, ev)
        return Result("fail", "not found: deleted, renamed without redirect, or never public", 0.0, ev)
    gating = _gated(data, facts.error)
    if gating and not _private(data) and not _disabled(data):
        ev.update(gated=gating)
        how = "granted automatically" if gating == "auto" else "approved by the authors"
        return Result("warn", f"exists but is gated: access must be requested and {how}", 6.0, ev)
    if facts.status == "blocked":
        why = _blocked_why(data, facts.error)
        ev.update(error=facts.error, is_private=_private(data), is_disabled=_disabled(data))
        return Result("fail", f"exists but is {why}", 0.0, ev)
    # ok or moved: exists, yet may be private (seen with a token) or disabled
    if _disabled(data):
        return Result("fail", "exists but is disabled by its host", 0.0, {**ev, "is_disabled": True})
    if _private(data):
        return Result("fail", "exists but is private", 0.0, {**ev, "is_private": True})
    if facts.status == "moved":
        home = new_home(facts) or "an unnamed new home"
        ev.update(canonical_key=facts.canonical_key, name_with_owner=data.get("name_with_owner"),
                  moved_from=data.get("moved_from"))
        return Result("warn", f"moved to {home}; the link still redirects but should be updated", 8.0, ev)
    name = data.get("name_with_owner") or ctx.link.target.key.split(":", 1)[-1]
    return Result("pass", f"exists: {name}", 10.0, {**ev, "name_with_owner": data.get("name_with_owner")})
