"""Does the folder or file a GitHub link points into still exist?

Papers often link ``github.com/o/n/tree/main/projects/foo`` or a ``blob/``
file; repositories get reorganised and such links break while the repository
itself is fine. The GitHub collector records, per link, whether ``ref:path``
exists (``Facts.data["subpaths"]``, see ``auditor.models.GITHUB_REPO_FACTS``).

GitHub answers 404 both when the path is gone and when the ref (a branch,
tag or commit) is gone, so on a ref other than the default branch the reason
names both possibilities. A missing entry means it was not checked (budget,
rate limit): ``unknown``, never a guess.
"""

from __future__ import annotations

from typing import Any

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import Link, Result
from checks._common import Gate, gate, skip, unknown

KINDS = frozenset({"github_repo"})
#: Link items that name a path below a ref (``/tree/<ref>/<path>``, ``/blob/<ref>/<path>``).
PATH_ITEMS = frozenset({"tree", "blob"})


def subpath_key(link: Link) -> str | None:
    """The ``facts.data["subpaths"]`` key of a link ("ref:path"), None when it has no sub-path."""
    if link.item in PATH_ITEMS and link.ref and link.subpath:
        return f"{link.ref}:{link.subpath}"
    return None


@check(
    "subpath_exists",
    description="A link to a folder or file inside a GitHub repository (tree/blob) still points at something.",
    weight=DEFAULT_WEIGHTS["subpath_exists"],
)
def subpath_exists(ctx: CheckContext) -> Result:
    link = ctx.link
    if link is not None and link.target.kind in KINDS and subpath_key(link) is None:
        return skip("the link points at the repository itself, not at a path inside it")
    gated = gate(ctx, KINDS)
    if not isinstance(gated, Gate):
        return gated
    assert link is not None  # gate skips paper scope
    key = subpath_key(link)
    where = f"{link.item}/{link.ref}/{link.subpath}"
    ev: dict[str, Any] = {"item": link.item, "ref": link.ref, "subpath": link.subpath, "key": key}
    found = gated.data.get("subpaths")
    if not isinstance(found, dict) or key not in found or found[key] is None:
        return unknown(f"whether {where} exists was not checked (the host did not report it)", **ev)
    exists = bool(found[key])
    ev["exists"] = exists
    what = "folder" if link.item == "tree" else "file"
    if exists:
        return Result("pass", f"the linked {what} {where} exists", 10.0, ev)
    default = gated.data.get("default_branch")
    ev["default_branch"] = default
    if default is not None and link.ref == default:
        reason = f"links to {where}, which no longer exists on {link.ref}"
    else:
        reason = (f"links to {where}, which does not exist: the {what} or the ref "
                  f"{link.ref!r} itself is gone")
    return Result("fail", reason, 0.0, ev)
