"""Does the abstract link the paper's code, and if not, did the authors declare it elsewhere?

Paper scope. Code is a repository on a code host (GitHub, GitLab and the
other forges, an anonymous review mirror); Hub models and project pages are
not code. The discovery stage says on ``Paper.discovery`` which sources were
searched for the paper and how that went; this check only reads it.

* the abstract links a repository: pass;
* it does not, but a repository was found elsewhere (the arXiv comments, the
  paper's Hugging Face page, a project page, GitHub search): warn, naming
  where ("the authors link github.com/x/y on the paper's Hugging Face page;
  the abstract names no code");
* nothing anywhere that could be searched: fail;
* the code link's repository could not be collected (offline, host down): unknown,
  as no link is judged real before its host has answered;
* a source that could have found code could not run (offline, rate limited,
  host down): unknown, with why; one the user left out (``--hosts`` without
  its host): skip, with why.
"""

from __future__ import annotations

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import REPOSITORY_KINDS, Link, Result
from checks._common import where_found

#: What each source is called in a reason.
SOURCE_NAMES = {
    "abstract": "the abstract",
    "comments": "the arXiv comments",
    "hf_paper": "the paper's Hugging Face page",
    "github_search": "GitHub search",
}


def _shown(link: Link) -> str:
    return link.url.removeprefix("https://").removeprefix("http://")


def _declared_by(link: Link) -> str:
    if link.source == "github_search":
        return f"{_shown(link)} mentions the paper's arXiv id (found by GitHub search)"
    return f"the authors link {_shown(link)} {where_found(link)}"


@check(
    "code_linked",
    description="The abstract links the code; else where the authors declared it (comments, Hugging Face, pages).",
    weight=DEFAULT_WEIGHTS.get("code_linked", 1.0),
    scopes=("paper",),
    needs_network=False,
)
def code_linked(ctx: CheckContext) -> Result:
    code = [link for link in ctx.links if link.target.kind in REPOSITORY_KINDS]
    own = [link for link in code if link.source == "abstract"]
    outcomes = dict(ctx.paper.discovery)
    searched = [s for s, o in outcomes.items() if o in ("searched", "not_indexed")] or ["abstract"]
    ev = {"sources": outcomes, "code_links": [link.target.key for link in code]}
    facts = ctx.paper_facts
    for found in (own, code):
        if found and not any(facts.get(link.target.key) is not None and facts[link.target.key].known for link in found):
            why = facts.get(found[0].target.key)
            return Result("unknown", f"{_shown(found[0])} could not be collected"
                          f"{f': {why.error}' if why is not None and why.error else ''}", None, ev)
        if found:
            break
    if own:
        return Result("pass", f"the abstract links the code: {_shown(own[0])}", 10.0, ev)
    if code:
        first = code[0]
        more = f" (and {len(code) - 1} more)" if len(code) > 1 else ""
        ev.update(found=first.source, found_via=first.via)
        return Result("warn", f"{_declared_by(first)}{more}; the abstract names no code", 5.0, ev)
    if not outcomes:  # judged outside a run's discovery stage (e.g. merged shards): what was searched is not known
        return Result("skip", "no code in the abstract; no record of the other sources for this paper", None, ev)
    unknown = {s: o.removeprefix("unknown: ") for s, o in outcomes.items() if o.startswith("unknown")}
    skipped = {s: o.removeprefix("not_searched: ") for s, o in outcomes.items() if o.startswith("not_searched")}
    if skipped and not unknown:  # a source left out by choice (--hosts): no verdict on what it might have found
        source, why = next(iter(skipped.items()))
        return Result("skip", f"no code in the abstract; {SOURCE_NAMES.get(source, source)} {why}", None, ev)
    if unknown:
        source, why = next(iter(unknown.items()))
        return Result("unknown", f"no code in the abstract; {SOURCE_NAMES.get(source, source)} could not be searched: {why}",
                      None, ev)
    names = [SOURCE_NAMES.get(s, s) for s in searched]
    where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " nor " + names[-1]
    # A source that had nothing to search with (no arXiv id: the title matched no or several papers)
    # is said, so the reader knows where else to look.
    idless = [(s, o.removeprefix("no_id: ")) for s, o in outcomes.items() if o.startswith("no_id")]
    extra = f"; {SOURCE_NAMES.get(idless[0][0], idless[0][0])} not searched: {idless[0][1]}" if idless else ""
    return Result("fail", f"no code link: none in {where}{extra}", 0.0, ev)
