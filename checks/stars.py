"""How much attention has the target had (GitHub stars, Hugging Face likes)?

A long-tailed count, so the score is graded on a log scale: 0 stars scores 0,
``full_marks_at`` stars (default 1000) or more score 10. Few stars only warn:
a new or niche research repository is not a failure. Weighted lightly.
"""

from __future__ import annotations

import math

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS, setting
from auditor.models import Result
from checks._common import HF_REPO_KINDS, Gate, gate, missing_key

KINDS = frozenset({"github_repo", "forge_repo"}) | HF_REPO_KINDS


def stars_score(stars: int, full_marks_at: int) -> float:
    """0-10 on a log scale, rounded to one decimal."""
    if stars <= 0:
        return 0.0
    full = max(int(full_marks_at), 1)
    return round(min(10.0, 10.0 * math.log10(stars + 1) / math.log10(full + 1)), 1)


@check(
    "stars",
    description="Stars (likes on Hugging Face) on a log scale; few only warn.",
    weight=DEFAULT_WEIGHTS["stars"],
)
def stars(ctx: CheckContext) -> Result:
    gated = gate(ctx, KINDS)
    if not isinstance(gated, Gate):
        return gated
    data = gated.data
    if data.get("stars") is None:
        return missing_key("stars")
    count = int(data["stars"])
    noun = "likes" if ctx.link.target.kind in HF_REPO_KINDS else "stars"
    score = stars_score(count, setting(ctx.settings, "stars", "full_marks_at"))
    ev = {"stars": count, "forks": data.get("forks")}
    if count < setting(ctx.settings, "stars", "warn_below"):
        return Result("warn", f"{count} {noun}: little attention so far", score, ev)
    return Result("pass", f"{count:,} {noun}", score, ev)
