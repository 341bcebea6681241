"""anonymous.4open.science collector against a fake of its public API
(answers shaped after tdurieux/anonymous_github's repository-public routes)."""

from __future__ import annotations

import asyncio
from typing import Any

from localhosts.server import LocalServer, Reply

from auditor.hosts.anonymous import AnonymousCollector, AnonymousSettings, anonymous_id, root_files_of
from auditor.hosts.base import TargetRequest
from auditor.models import Facts, Target
from auditor.retry import RetryPolicy
from auditor.safefetch import FetchPolicy

FAST = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, total=5)
LOCAL = FetchPolicy(allow_private_hosts=True, total_timeout=5)

ROUTES: dict[str, Any] = {
    "/api/repo/live-1/options": Reply.json({"url": None, "download": False, "lastUpdateDate": "2025-05-01T00:00:00.000Z"}),
    "/api/repo/live-1/files": Reply.json([{"name": "README.md", "path": "", "size": 120}, {"name": "src", "path": ""}]),
    "/api/repo/gone-2/options": Reply.json({"error": "repository_expired"}, status=410),
    "/api/repo/nope-3/options": Reply.json({"error": "repo_not_found"}, status=404),
    "/api/repo/wait-4/options": Reply.json({"error": "repository_not_ready"}, status=425),
    "/api/repo/redir-5/options": Reply.json({"url": "https://github.com/Org/Real", "lastUpdateDate": "2023-01-01"}),
}


def req(rid: str) -> TargetRequest:
    key = f"anonymous:anonymous.4open.science/r/{rid}"
    return TargetRequest(Target(key, "anonymous_repo", "anonymous.4open.science", f"https://anonymous.4open.science/r/{rid}", name=rid))


def collect(srv: LocalServer, ids: list[str]) -> dict[str, Facts]:
    async def go() -> dict[str, Facts]:
        async with AnonymousCollector(settings=AnonymousSettings(base=srv.base), policy=LOCAL, retry=FAST) as c:
            return {anonymous_id(f.target_key): f async for f in c.collect([req(i) for i in ids])}

    return asyncio.run(go())


def test_anonymous_states() -> None:
    with LocalServer(ROUTES) as srv:
        got = collect(srv, ["live-1", "gone-2", "nope-3", "wait-4", "redir-5"])
    live = got["live-1"]
    assert live.status == "ok" and live.data["reachable"] is True
    assert live.data["last_commit_at"] == "2025-05-01T00:00:00.000Z"
    assert live.data["root_files"] == [{"name": "README.md", "type": "file", "size": 120}, {"name": "src", "type": "dir", "size": None}]
    gone = got["gone-2"]
    assert gone.status == "not_found" and gone.data["expired"] is True and gone.data["reachable"] is False
    assert got["nope-3"].status == "not_found" and got["nope-3"].data["expired"] is False
    assert got["wait-4"].status == "unknown"
    redir = got["redir-5"]
    assert redir.data["expired"] is True and redir.data["code_links"] == ["https://github.com/Org/Real"]


def test_helpers() -> None:
    assert anonymous_id("anonymous:anonymous.4open.science/r/abc-123") == "abc-123"
    assert root_files_of({"a.py": {"size": 3}, "lib": {"x.py": {"size": 1}}}) == [
        {"name": "a.py", "type": "file", "size": 3},
        {"name": "lib", "type": "dir", "size": None},
    ]
