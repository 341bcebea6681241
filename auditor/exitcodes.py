"""Exit codes of the `audit` command (documented in the README)."""

OK = 0
USAGE_OR_INPUT = 1  # bad options, unreadable dump, locked database
PARTIAL = 3  # results are partial: a rate limit, unreachable hosts, or too many targets in error/unknown
FAIL_UNDER = 4  # --fail-under not met
BAD_TOKEN = 5  # GitHub refused every token, or the Hub refused HF_TOKEN (checked once before asking); nothing was collected
UNDECIDED = 6  # --fail-under could not be decided: too few papers could be judged
INTERRUPTED = 130  # Ctrl-C; the database stays consistent, re-run to resume
TERMINATED = 143  # SIGTERM (a cancelled CI job), handled like Ctrl-C: 128 + 15
