"""Does the repository hold code, not only a README, a license or a list of links?

Read from GitHub's language statistics, the root listing and the README
size. The cases named in the reason: "empty", "README-only", "skeleton (only
README, LICENSE, .gitignore)", "awesome-list / links only" (a large README
and no code languages), "no code" (only documents and assets), "hardly any
code" (below ``min_code_bytes``), and "code present".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS, setting
from auditor.models import REPOSITORY_KINDS, Result
from checks._common import Gate, gate

#: Languages GitHub counts that are documents or page styling, not code.
DOC_LANGUAGES = frozenset(
    {"Markdown", "TeX", "BibTeX", "reStructuredText", "Text", "AsciiDoc", "Org", "HTML", "CSS",
     "SCSS", "Sass", "Less", "Roff", "Rich Text Format"}
)
#: Root entries of a repository that holds nothing yet (lower-cased name stems).
SKELETON_STEMS = frozenset(
    {"readme", "license", "licence", "copying", ".gitignore", ".gitattributes", "citation",
     ".github", "notice", "code_of_conduct", "contributing", "security", ".editorconfig"}
)
README_STEMS = frozenset({"readme"})
#: File extensions that are code, for when GitHub gave no language statistics.
CODE_EXTENSIONS = frozenset(
    {"py", "ipynb", "c", "cc", "cpp", "cu", "h", "hpp", "java", "js", "ts", "go", "rs", "jl",
     "r", "m", "sh", "scala", "kt", "swift", "rb", "lua", "pl", "php", "cs"}
)

#: Kinds of contents that count as the code having been delivered.
DELIVERED = frozenset({"code", "little_code"})


@dataclass(frozen=True)
class Contents:
    """What a repository holds, by one of the named cases."""

    kind: str  # empty | readme_only | skeleton | links_only | no_code | little_code | code | unknown
    label: str  # the phrase for a reason
    evidence: Mapping[str, Any] = field(default_factory=dict)


def _stem(name: str) -> str:
    name = name.casefold()
    if name.startswith("."):
        return name
    return name.split(".", 1)[0]


def classify(data: Mapping[str, Any], settings: Mapping[str, Any]) -> Contents:
    """Name what a repository holds, from its facts (pure; shared with claim_kept)."""
    languages = data.get("languages")
    root = data.get("root_files")
    readme = data.get("readme") or {}
    readme_size = readme.get("size") or len(readme.get("text") or "")
    ev: dict[str, Any] = {"languages": languages, "readme_size": readme_size,
                          "root_files": [f.get("name") for f in root] if root is not None else None}
    if data.get("is_empty") or (root is not None and not root) or (
        "default_branch" in data and data["default_branch"] is None and not root
    ):
        return Contents("empty", "empty", ev)
    if root:
        stems = {_stem(str(f.get("name", ""))) for f in root}
        if stems <= README_STEMS:
            return Contents("readme_only", "README-only", ev)
        if stems <= SKELETON_STEMS:
            names = ", ".join(sorted(str(f.get("name")) for f in root))
            return Contents("skeleton", f"skeleton (only {names})", ev)
    if languages is None:
        if root and any(
            f.get("type") == "file" and str(f.get("name", "")).rsplit(".", 1)[-1].casefold() in CODE_EXTENSIONS
            for f in root
        ):
            return Contents("code", "code files at the root (no language statistics)", ev)
        return Contents("unknown", "language statistics not reported", ev)
    code = {lang: int(n) for lang, n in languages.items() if lang not in DOC_LANGUAGES and n}
    code_bytes = sum(code.values())
    ev["code_bytes"] = code_bytes
    if not code:
        if readme_size >= setting(settings, "code_present", "links_readme_chars"):
            return Contents("links_only", f"awesome-list / links only ({readme_size:,}-byte README, no code)", ev)
        if root is None and not languages and readme:
            return Contents("readme_only", "README-only (no code languages)", ev)
        return Contents("no_code", "no code: only documents and assets", ev)
    top = sorted(code.items(), key=lambda kv: -kv[1])[:3]
    shares = ", ".join(f"{lang} {100 * n / code_bytes:.0f}%" for lang, n in top)
    if code_bytes < setting(settings, "code_present", "min_code_bytes"):
        return Contents("little_code", f"hardly any code ({code_bytes} bytes: {shares})", ev)
    return Contents("code", f"code present: {shares} ({_size(code_bytes)})", ev)


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.0f} KB"
    return f"{n} bytes"


_VERDICT = {
    "empty": ("fail", 0.0),
    "readme_only": ("fail", 1.0),
    "skeleton": ("fail", 1.0),
    "no_code": ("fail", 2.0),
    "links_only": ("warn", 4.0),
    "little_code": ("warn", 5.0),
    "code": ("pass", 10.0),
}


@check(
    "code_present",
    description="The repository holds code, not only a README, license or list of links.",
    weight=DEFAULT_WEIGHTS["code_present"],
)
def code_present(ctx: CheckContext) -> Result:
    gated = gate(ctx, REPOSITORY_KINDS)
    if not isinstance(gated, Gate):
        return gated
    contents = classify(gated.data, ctx.settings)
    ev = {"contents": contents.kind, **contents.evidence}
    if contents.kind == "unknown":
        return Result("unknown", contents.label, None, ev)
    status, score = _VERDICT[contents.kind]
    return Result(status, contents.label, score, ev)
