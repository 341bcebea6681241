"""The check protocol and its registry.

A check is a small pure function of a :class:`CheckContext` (paper, link,
claims, facts, as-of date, settings) that returns a :class:`Result`. It never
makes an HTTP call: the facts were collected before, once per target.

Checks are found through the ``auditor.checks`` entry-point group, the
built-in ones too, so a third party adds a check by installing a package::

    [project.entry-points."auditor.checks"]
    my_check = "my_package.module:my_check"

where ``my_check`` is a :class:`Check`, usually made with :func:`check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib.metadata import entry_points
from typing import Any, Callable, Iterable, Literal, Mapping

from auditor.models import Claim, Facts, Link, Paper, Result

Scope = Literal["link", "paper"]

ENTRY_POINT_GROUP = "auditor.checks"


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read. ``link`` and ``facts`` are None at paper scope."""

    paper: Paper
    as_of: date
    link: Link | None = None
    facts: Facts | None = None
    claims: tuple[Claim, ...] = ()  # link scope: claims attached to this link; paper scope: all claims
    links: tuple[Link, ...] = ()  # every link of the paper (paper scope needs them)
    settings: Mapping[str, Any] = field(default_factory=dict)  # this check's [checks.NAME] config
    #: Paper scope: the facts of every link's target, by target key (link scope: empty; read ``facts``).
    paper_facts: Mapping[str, Facts] = field(default_factory=dict)


CheckFunction = Callable[[CheckContext], Result]


@dataclass(frozen=True)
class Check:
    """A named, weighted, documented check function."""

    name: str
    description: str
    run: CheckFunction
    weight: float = 1.0
    scopes: frozenset[Scope] = frozenset({"link"})
    needs_network: bool = True  # False: its verdict stands without collected facts

    def __call__(self, ctx: CheckContext) -> Result:
        return self.run(ctx)


def check(
    name: str,
    *,
    description: str,
    weight: float = 1.0,
    scopes: Iterable[Scope] = ("link",),
    needs_network: bool = True,
) -> Callable[[CheckFunction], Check]:
    """Decorator that turns a function into a :class:`Check`."""

    def wrap(fn: CheckFunction) -> Check:
        return Check(
            name=name,
            description=description,
            run=fn,
            weight=weight,
            scopes=frozenset(scopes),
            needs_network=needs_network,
        )

    return wrap


class CheckLoadError(Exception):
    """An entry point in the auditor.checks group does not give a Check."""


def discover_checks() -> dict[str, Check]:
    """Load every registered check, by name, in a stable order."""
    found: dict[str, Check] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        obj = ep.load()
        if not isinstance(obj, Check):
            raise CheckLoadError(f"entry point {ep.name!r} ({ep.value}) is not an auditor Check")
        found[obj.name] = obj
    return found
