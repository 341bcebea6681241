"""Frozen dataclass instances built without their generated ``__init__``.

A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (its own
``__setattr__`` refuses), a call per field: an 11-field Link costs three times what filling
its ``__dict__`` does. Extraction builds a Link and a Claim per link of millions of
abstracts, so it uses :func:`maker`, which gives the same object (fields, ``==``, hash,
repr, pickling) for classes without ``__post_init__`` or default factories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, fields
from typing import Any, TypeVar

__all__ = ["maker", "rest_defaults"]

T = TypeVar("T")


def _plain(cls: type) -> None:
    """Refuse a class whose ``__init__`` does more than set fields (then only it builds the object)."""
    if hasattr(cls, "__post_init__") or any(f.default_factory is not MISSING for f in fields(cls)):
        raise TypeError(f"{cls.__name__}: __init__ does more than set fields")


def rest_defaults(cls: type, given: tuple[str, ...]) -> dict[str, Any]:
    """The defaults of ``cls``'s fields other than ``given``, for a hand-written builder that
    sets ``given`` itself; a TypeError at import when such a field has no default or the class
    stops being plain, instead of objects that silently differ from ``cls(...)``."""
    _plain(cls)
    rest = {f.name: f.default for f in fields(cls) if f.name not in given}
    if MISSING in rest.values() or not set(given) <= {f.name for f in fields(cls)}:
        raise TypeError(f"{cls.__name__}: its fields are no longer {given} and defaults")
    return rest


def maker(cls: type[T]) -> Callable[..., T]:
    """``make(**values)`` equal to ``cls(**values)``: the defaults first, then the values given
    (a missing or unknown field raises TypeError, as ``cls(**values)`` would; tests compare the
    two forms field by field)."""
    _plain(cls)
    defaults = {f.name: f.default for f in fields(cls) if f.default is not MISSING}  # type: ignore[arg-type]
    names = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    required = names - defaults.keys()
    new = object.__new__

    def make(**values: Any) -> T:
        given = values.keys()
        if not required <= given <= names:  # two subset tests: no set is built when all is well
            raise TypeError(f"{cls.__name__}: missing {sorted(required - given)}, unknown {sorted(given - names)}")
        obj = new(cls)
        state = obj.__dict__
        state.update(defaults)
        state.update(values)
        return obj

    make.__doc__ = f"{cls.__name__}(**values) without its __init__ (see auditor.frozen)."
    return make
