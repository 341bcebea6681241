"""Exit codes of the `audit` command (documented in the README)."""

OK = 0
USAGE_OR_INPUT = 1  # bad options, unreadable dump, locked database
PARTIAL = 3  # results are partial: a rate limit stopped collection
FAIL_UNDER = 4  # --fail-under not met
INTERRUPTED = 130  # Ctrl-C; the database stays consistent, re-run to resume
