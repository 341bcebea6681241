"""Errors that end a command with a clear one-line message."""


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
