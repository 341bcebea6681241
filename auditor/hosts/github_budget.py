"""A spent GitHub budget, remembered across runs (without a token). Pure.

Without a token GitHub allows 60 requests an hour per address. A run that ends
with the budget spent (stopped by the limit, or the last answers said
``x-ratelimit-remaining: 0``) notes the reset GitHub announced (``x-ratelimit-reset``) in the
database; a run started before that time sends GitHub's API no request at all
(not even the free reachability probe): its GitHub targets stay ``unknown``
("rate limited until HH:MM UTC") and the run is partial, as the first one was.
A run after the reset proceeds. With a token the budget is the token's, known
from the token check and the answers themselves, so nothing is remembered.
"""

from __future__ import annotations

from datetime import datetime

from auditor.hosts.github_client import GitHubSettings

#: The client name stored for requests without a token (never a token, nor anything made from one).
ANONYMOUS = "anonymous"


def budget_client(settings: GitHubSettings) -> str | None:
    """Whose budget a spent limit is remembered for: ``anonymous`` without a token, else None (not remembered)."""
    return None if settings.has_token else ANONYMOUS


def still_spent(reset_at: datetime | None, now: datetime) -> datetime | None:
    """``reset_at`` while it is still ahead of ``now``; None once the budget is back."""
    return reset_at if reset_at is not None and reset_at > now else None
