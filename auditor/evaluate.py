"""Run the checks on one paper: the pure engine between facts and scores.

No I/O: the facts were collected before and are handed in by target key.
A check that raises becomes an ``unknown`` result ("check crashed: ...")
so one faulty check, a third-party one say, never stops a run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping, Sequence

from auditor.checking import Check, CheckContext
from auditor.config import AuditConfig
from auditor.models import REPOSITORY_KINDS, Claim, Facts, Link, Paper, Result

#: Kinds a code-availability claim can be judged against (code hosts and the Hub).
CODE_KINDS = REPOSITORY_KINDS | {"huggingface_model", "huggingface_dataset", "huggingface_space"}


@dataclass(frozen=True)
class CheckOutcome:
    """One check's result on one link (or on the paper: link_ordinal None, target_key '')."""

    paper_id: str
    link_ordinal: int | None
    target_key: str
    check: str
    result: Result
    weight: float = 1.0  # the check's weight for this run (config, else the check's default)

    @property
    def scope(self) -> str:
        return "paper" if self.link_ordinal is None else "link"


def run_check(check: Check, ctx: CheckContext) -> Result:
    """The check's result, or ``unknown`` saying how it crashed."""
    try:
        result = check(ctx)
        if not isinstance(result, Result):
            raise TypeError(f"returned {type(result).__name__}, not a Result")
        return result
    except Exception as exc:  # noqa: BLE001 - any fault of a check is reported, not raised
        message = str(exc).splitlines()[0] if str(exc) else ""
        return Result(
            status="unknown",
            reason=f"check crashed: {type(exc).__name__}: {message}".rstrip(": ").rstrip(),
            evidence={"exception": type(exc).__name__},
        )


def enabled_checks(checks: Mapping[str, Check], config: AuditConfig) -> list[Check]:
    """The checks this run executes, in name order."""
    return [checks[name] for name in sorted(checks) if config.is_enabled(name)]


def claim_home(links: Sequence[Link]) -> Link | None:
    """The link a claim without a URL speaks of, when only one can be meant.

    The abstract's sole code link (repository or Hub); with none, the sole
    code repository the authors declared elsewhere (arXiv comments, the
    paper's Hugging Face page, GitHub search, a project page); else None.
    """
    for tier in (
        [link for link in links if link.source == "abstract" and link.target.kind in CODE_KINDS],
        [link for link in links if link.source != "abstract" and link.target.kind in REPOSITORY_KINDS],
    ):
        keys = {link.target.key for link in tier}
        if len(keys) == 1:
            return tier[0]
        if keys:
            return None
    return None


def evaluate_paper(
    paper: Paper,
    links: Sequence[Link],
    claims: Sequence[Claim],
    facts_by_key: Mapping[str, Facts],
    as_of: date,
    checks: Mapping[str, Check],
    config: AuditConfig,
) -> list[CheckOutcome]:
    """Every enabled check on every link of the paper, then the paper-scope checks.

    A link's context carries the claims attached to its target; its facts
    are ``facts_by_key[link.target.key]`` (None when not collected, which the
    checks report as unknown). Claims with no link ("code will be released")
    are handed to the one link they can speak of (:func:`claim_home`): the
    abstract's only code link, else the only repository found elsewhere.
    """
    links = tuple(sorted(links, key=lambda link: link.ordinal))
    claims = tuple(claims)
    unlinked = tuple(c for c in claims if c.target_key is None)
    home = claim_home(links)
    sole_code_key = home.target.key if home is not None else None
    outcomes: list[CheckOutcome] = []
    selected = enabled_checks(checks, config)
    for link in links:
        key = link.target.key
        attached = tuple(c for c in claims if c.target_key == key)
        if key == sole_code_key:
            attached += unlinked
        facts = facts_by_key.get(key)
        for chk in selected:
            if "link" not in chk.scopes:
                continue
            ctx = CheckContext(
                paper=paper, as_of=as_of, link=link, facts=facts, claims=attached,
                links=links, settings=config.settings_for(chk.name),
            )
            outcomes.append(CheckOutcome(paper.paper_id, link.ordinal, key, chk.name, run_check(chk, ctx),
                                         config.weight_for(chk.name, chk.weight)))
    paper_facts = {link.target.key: facts_by_key[link.target.key] for link in links if link.target.key in facts_by_key}
    for chk in selected:
        if "paper" not in chk.scopes:
            continue
        ctx = CheckContext(
            paper=paper, as_of=as_of, claims=claims, links=links, settings=config.settings_for(chk.name),
            paper_facts=paper_facts,
        )
        outcomes.append(CheckOutcome(paper.paper_id, None, "", chk.name, run_check(chk, ctx),
                                     config.weight_for(chk.name, chk.weight)))
    return outcomes
