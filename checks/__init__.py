"""Built-in checks, one module per check.

Each module defines one :class:`auditor.checking.Check` (made with the
``@check`` decorator) and is registered in ``pyproject.toml`` under
``[project.entry-points."auditor.checks"]``, exactly as a third-party check
would be, so :func:`auditor.checking.discover_checks` finds them all.

Checks read ``Facts.data`` by key (see ``auditor.models.GITHUB_REPO_FACTS``);
other hosts fill the same keys where the meaning matches, so a check names
the target kinds it applies to and otherwise does not care about the host.
A missing key means "could not be had" and gives ``unknown``, never a guess.
"""

from pathlib import Path


def builtin_modules() -> list[str]:
    """The check modules of this package (each must be registered as an entry point)."""
    return sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))
