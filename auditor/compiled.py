"""Which of auditor's modules are compiled with Cython at install time, and when their ``.py`` is imported instead.

``setup.py`` builds each module of :data:`MODULES` from its unchanged ``.py`` file (the one
source) into an extension module beside it; where that fails (no C compiler) the install goes
on and the ``.py`` is imported. The ``.py`` is also imported, the extension being there:

- with ``AUDITOR_PURE_PYTHON=1`` in the environment (debugging, profiling, tests). It is read
  when ``auditor`` is first imported, so by every process, pool workers included (they inherit
  the environment however they are started);
- when the ``.py`` is newer than the extension (an edited checkout of an editable install,
  until ``pip install -e .`` compiles it again): an extension is never older code than its source.

This module is never compiled, and imports nothing but the standard library.
"""

from __future__ import annotations

import importlib
import os
import sys
from importlib.machinery import ExtensionFileLoader, PathFinder
from importlib.util import spec_from_file_location
from typing import Any, Mapping, Sequence

#: The modules compiled: the extraction hot path of ``audit extract`` (its workers and parent).
MODULES: tuple[str, ...] = (
    "auditor.links",
    "auditor.claims",
    "auditor.extract",
    "auditor.extract_output",
    "auditor.extract_rows",
    "auditor.extract_chunks",
    "auditor.ingest.json_lines",
)

#: The environment variable that makes auditor import its ``.py`` files, compiled or not.
PURE_ENV = "AUDITOR_PURE_PYTHON"

#: How much newer than its extension a ``.py`` must be to be taken as edited since the build
#: (an install writes the two within moments of each other, in either order).
STALE_SECONDS = 2.0


def pure_wanted(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the environment asks for pure Python (any value but empty and ``0``)."""
    return environ.get(PURE_ENV, "") not in ("", "0")


class SourceFinder:
    """A meta path finder for auditor's modules: a module found as an extension is imported from
    its ``.py`` when ``pure`` is set, or when the ``.py`` is newer than the extension."""

    def __init__(self, pure: bool) -> None:
        self.pure = pure

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: Any = None) -> Any:
        if not fullname.startswith("auditor."):
            return None
        spec = PathFinder.find_spec(fullname, path)
        if spec is None or not isinstance(spec.loader, ExtensionFileLoader):
            return spec
        source = os.path.join(os.path.dirname(spec.origin), fullname.rpartition(".")[2] + ".py")
        try:
            newer = os.stat(source).st_mtime > os.stat(spec.origin).st_mtime + STALE_SECONDS
        except OSError:
            return spec  # an extension without its source: the extension it is
        return spec_from_file_location(fullname, source) if self.pure or newer else spec


def install(pure: bool) -> None:
    """Put the finder first on ``sys.meta_path`` (once; a second call only sets ``pure``)."""
    for finder in sys.meta_path:
        if isinstance(finder, SourceFinder):
            finder.pure = pure
            return
    sys.meta_path.insert(0, SourceFinder(pure))


def is_compiled(module: Any) -> bool:
    """Whether ``module`` was imported from an extension module (not from its ``.py``)."""
    return isinstance(getattr(module.__spec__, "loader", None), ExtensionFileLoader)


def compiled_modules() -> list[str]:
    """The modules of :data:`MODULES` this process runs compiled (each is imported)."""
    return [name for name in MODULES if is_compiled(importlib.import_module(name))]
