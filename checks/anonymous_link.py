"""Warn that an anonymous.4open.science link is temporary.

Anonymous repositories exist for double-blind review and expire (or are
removed) after it; a published paper that still links one will lose its code.
The verdict stands without collected facts; when they say the repository has
already expired, the check fails.
"""

from __future__ import annotations

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import Result
from checks._common import skip

PERMANENT_KINDS = frozenset(
    {"github_repo", "forge_repo", "zenodo", "doi", "huggingface_model", "huggingface_dataset", "huggingface_space"}
)
ADVICE = "replace it with a permanent repository (GitHub/GitLab, archived with a Zenodo DOI)"


@check(
    "anonymous_link",
    description="Anonymous review links (anonymous.4open.science) expire; the paper should link a permanent repository.",
    weight=DEFAULT_WEIGHTS["anonymous_link"],
    needs_network=False,
)
def anonymous_link(ctx: CheckContext) -> Result:
    if ctx.link is None:
        return skip("applies to links, not to the paper as a whole")
    if ctx.link.target.kind != "anonymous_repo":
        return skip(f"does not apply to a {ctx.link.target.kind.replace('_', ' ')}")
    ev: dict = {"url": ctx.link.url}
    data = ctx.facts.data if ctx.facts is not None and ctx.facts.known else {}
    if data.get("expired"):
        original = data.get("original_url")
        ev.update(expired=True, original_url=original)
        where = f"; it now redirects to {original}" if original else ""
        return Result("fail", f"anonymous review link has expired{where}: {ADVICE}", 0.0, ev)
    others = [link.target.url for link in ctx.links if link.target.kind in PERMANENT_KINDS]
    if others:
        ev["permanent_links"] = others
        return Result("warn", f"anonymous review links expire; the paper also links {others[0]}, keep that one", 7.0, ev)
    return Result("warn", f"anonymous review links expire: {ADVICE}", 4.0, ev)
