"""Do the abstract and the authors' other declarations name the same repository?

Paper scope. Compares the repositories the abstract links with those the
authors declare elsewhere (the arXiv comments, the paper's Hugging Face
page; ``Paper.declared`` keeps them even when they repeat the abstract's).
Two keys name one repository when they are equal (URL forms are already
normalised into one key) or when the collected facts show one was renamed
to the other (``canonical_key``, ``moved_from``).

* no repository in the abstract, or none declared elsewhere: skip (unknown when a
  declaring source could not be searched: offline, host down);
* one the abstract links is among those declared: pass;
* they differ: warn with both; unknown when the facts that could show a
  rename were not collected.
"""

from __future__ import annotations

from typing import Mapping

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS
from auditor.models import REPOSITORY_KINDS, Facts, Result
from checks._common import skip

#: Sources whose repositories are the authors' own declarations.
DECLARING = frozenset({"comments", "hf_paper"})
_WHERE = {"comments": "the arXiv comments", "hf_paper": "the paper's Hugging Face page"}


def _names(key: str, facts: Mapping[str, Facts]) -> set[str]:
    """Every key the repository is known under: its own, where it moved, where it came from."""
    names = {key}
    f = facts.get(key)
    if f is not None and f.known:
        if f.canonical_key:
            names.add(f.canonical_key.lower())
        data = f.data or {}
        owner_name = data.get("name_with_owner")
        if isinstance(owner_name, str) and key.startswith("github:"):
            names.add(f"github:{owner_name.lower()}")
        moved_from = data.get("moved_from")
        if isinstance(moved_from, str) and key.startswith("github:"):
            names.add(f"github:{moved_from.lower()}")
    return names


@check(
    "links_agree",
    description="The abstract's repository is the one the authors declare elsewhere (comments, Hugging Face page).",
    weight=DEFAULT_WEIGHTS.get("links_agree", 1.0),
    scopes=("paper",),
)
def links_agree(ctx: CheckContext) -> Result:
    own = sorted({link.target.key for link in ctx.links
                  if link.source == "abstract" and link.target.kind in REPOSITORY_KINDS})
    declared = [(s, k) for s, k in ctx.paper.declared if s in DECLARING and k.split(":", 1)[0] in ("github", "git", "anonymous")]
    if not own:
        return skip("the abstract links no repository")
    if not declared:
        cannot = [(src, o.removeprefix("unknown: ")) for src, o in ctx.paper.discovery
                  if src in DECLARING and o.startswith("unknown")]
        if cannot:  # the declaration may exist where no one could look (offline, host down)
            src, why = cannot[0]
            return Result("unknown", f"{_WHERE[src]} could not be searched: {why}", None, {"abstract": own})
        return skip("no repository declared outside the abstract")
    facts = ctx.paper_facts
    own_names = set().union(*(_names(k, facts) for k in own))
    ev = {"abstract": own, "declared": [{"source": s, "target": k} for s, k in declared]}
    agreeing = [(s, k) for s, k in declared if _names(k, facts) & own_names]
    if agreeing:
        s, k = agreeing[0]
        return Result("pass", f"{_WHERE[s]} names the abstract's repository {k}", 10.0, ev)
    s, k = declared[0]
    unknown = [key for key in (*own, k) if facts.get(key) is None or not facts[key].known]
    if unknown:
        return Result("unknown", f"the abstract links {own[0]}, {_WHERE[s]} {k}: cannot tell whether one was "
                      f"renamed (facts of {unknown[0]} not collected)", None, ev)
    return Result("warn", f"the abstract links {own[0]} but {_WHERE[s]} names {k}", 4.0, ev)
