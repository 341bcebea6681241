"""Origins of URLs (RFC 6454): the one parse behind every "same place?" question.

The token fences (a GitHub token goes only to the API's origins), the
redirect checks (secret headers are dropped when a hop changes origin) and
the per-service keys of reachability (``host[:port]``) all ask it, so that
``https://API.github.com`` and ``https://api.github.com:443/`` are one place
everywhere, and a port that does not parse is no port rather than a crash.
"""

from __future__ import annotations

from urllib.parse import urlsplit

Origin = tuple[str, str, int]
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: object) -> Origin:
    """(scheme, host, port) of a URL (a str or an httpx.URL), lower-cased, default ports filled in."""
    parts = urlsplit(str(url))
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme, 0)


def show_origin(origin: Origin) -> str:
    """``scheme://host[:port]``, the port only when it is not the scheme's default."""
    scheme, host, port = origin
    return f"{scheme}://{host}" + ("" if DEFAULT_PORTS.get(scheme) == port else f":{port}")


def host_key(url: object) -> str:
    """``host[:port]`` of a URL (the port only when not the scheme's default): one service, judged as one."""
    scheme, host, port = origin_of(url)
    return host if DEFAULT_PORTS.get(scheme) == port or not port else f"{host}:{port}"
