"""Errors that end a command with a clear one-line message."""

import re


class AuditorError(Exception):
    """Base: the message is one line a user can act on."""


class InputError(AuditorError):
    """A dump or table cannot be read (missing, empty, binary, wrong columns...)."""


class ConfigError(AuditorError):
    """The configuration is invalid."""


class DatabaseLocked(AuditorError):
    """Another process holds the DuckDB file."""


class TokenRefused(AuditorError):
    """A host refused the token we were given (bad, expired or revoked): nothing is collected."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the run is marked interrupted and the process exits 143."""


def one_line(exc: BaseException) -> str:
    """The first line of a library's error (DuckDB's), without its "... Error: " prefix: what a
    one-line message quotes."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return re.sub(r"^[A-Za-z ]*Error: ", "", first)
