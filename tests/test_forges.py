"""Forge collector: fake GitLab, Bitbucket, Codeberg and Gitee APIs on 127.0.0.1,
and ``git ls-remote`` through a fake ``git`` that prints what the real one does."""

from __future__ import annotations

import asyncio
import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from localhosts.server import LocalServer, Reply

from auditor.hosts.base import TargetRequest
from auditor.hosts.forges import ForgeCollector, ForgeSettings, api_for, ls_remote_data
from auditor.models import Facts, Target
from auditor.retry import RetryPolicy
from auditor.safefetch import FetchPolicy

FAST = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, total=5)
LOCAL = FetchPolicy(allow_private_hosts=True, total_timeout=5)
SHA = "a" * 40

GITLAB = {
    "id": 42,
    "path_with_namespace": "group/sub/deepthing",
    "web_url": "https://gitlab.com/group/sub/deepthing",
    "description": "DeepThing",
    "default_branch": "main",
    "star_count": 17,
    "forks_count": 3,
    "last_activity_at": "2025-02-03T04:05:06.000Z",
    "created_at": "2023-01-01T00:00:00.000Z",
    "archived": False,
    "visibility": "public",
    "empty_repo": False,
    "topics": ["ml"],
    "license": {"key": "apache-2.0", "name": "Apache License 2.0", "nickname": None},
}
BITBUCKET = {
    "full_name": "team/tool",
    "is_private": False,
    "updated_on": "2021-05-06T07:08:09.000000+00:00",
    "created_on": "2020-01-01T00:00:00+00:00",
    "mainbranch": {"name": "master", "type": "branch"},
    "links": {"html": {"href": "https://bitbucket.org/team/tool"}},
    "size": 12345,
}
CODEBERG = {
    "full_name": "alice/lib",
    "html_url": "https://codeberg.org/alice/lib",
    "stars_count": 5,
    "forks_count": 1,
    "default_branch": "main",
    "updated_at": "2024-09-10T11:12:13+02:00",
    "created_at": "2022-01-01T00:00:00+01:00",
    "archived": True,
    "empty": False,
    "private": False,
    "fork": False,
    "licenses": ["MIT"],
}
GITEE = {
    "full_name": "bob/proj",
    "html_url": "https://gitee.com/bob/proj",
    "stargazers_count": 8,
    "forks_count": 2,
    "pushed_at": "2023-03-04T05:06:07+08:00",
    "updated_at": "2023-03-05T05:06:07+08:00",
    "default_branch": "master",
    "license": "GPL-3.0",
}


def routes() -> dict[str, Any]:
    return {
        "/api/v4/projects/group%2Fsub%2Fdeepthing": Reply.json(GITLAB),
        "/api/v4/projects/group%2Fgone": Reply.json({"message": "404 Project Not Found"}, status=404),
        "/api/v4/projects/group%2Fold": Reply.json({**GITLAB, "path_with_namespace": "group/new"}),
        "/api/v4/projects/group%2Fflaky": Reply(502, "bad gateway"),
        "/2.0/repositories/team/tool": Reply.json(BITBUCKET),
        "/2.0/repositories/team/secret": Reply.json({"type": "error", "error": {"message": "Access denied"}}, status=403),
        "/api/v1/repos/alice/lib": Reply.json(CODEBERG),
        "/api/v1/repos/alice/none": Reply.json({"message": "The target couldn't be found."}, status=404),
        "/api/v5/repos/bob/proj": Reply.json(GITEE),
    }


def req(key: str) -> TargetRequest:
    host, owner, name = key.split(":", 1)[1].split("/", 2)
    return TargetRequest(Target(key=key, kind="forge_repo", host=host, url=f"https://{host}/{owner}/{name}", owner=owner, name=name))


def collect(requests: list[TargetRequest], settings: ForgeSettings, policy: FetchPolicy = LOCAL) -> dict[str, Facts]:
    async def go() -> dict[str, Facts]:
        async with ForgeCollector(settings=settings, policy=policy, retry=FAST) as collector:
            return {f.target_key: f async for f in collector.collect(requests)}

    return asyncio.run(go())


@pytest.fixture(scope="module")
def forges() -> Any:
    with LocalServer(routes()) as srv:
        yield srv


def api_settings(srv: LocalServer) -> ForgeSettings:
    return ForgeSettings(bases={h: srv.base for h in ("gitlab.com", "bitbucket.org", "codeberg.org", "gitee.com")})


def test_gitlab(forges: LocalServer) -> None:
    got = collect([req("git:gitlab.com/group/sub/deepthing"), req("git:gitlab.com/group/gone"),
                   req("git:gitlab.com/group/old"), req("git:gitlab.com/group/flaky")], api_settings(forges))
    ok = got["git:gitlab.com/group/sub/deepthing"]
    assert ok.status == "ok"
    assert ok.data["last_commit_at"] == "2025-02-03T04:05:06.000Z"
    assert ok.data["stars"] == 17 and ok.data["license_spdx"] == "Apache-2.0"
    assert ok.data["forge"] == "gitlab" and ok.data["is_archived"] is False
    assert any(s.query.get("license") == ["true"] for s in forges.seen)
    assert got["git:gitlab.com/group/gone"].status == "not_found"
    moved = got["git:gitlab.com/group/old"]
    assert moved.status == "moved" and moved.canonical_key == "git:gitlab.com/group/new"
    flaky = got["git:gitlab.com/group/flaky"]
    assert flaky.status == "error" and "502" in (flaky.error or "")


def test_bitbucket_codeberg_gitee(forges: LocalServer) -> None:
    got = collect([req("git:bitbucket.org/team/tool"), req("git:bitbucket.org/team/secret"),
                   req("git:codeberg.org/alice/lib"), req("git:codeberg.org/alice/none"),
                   req("git:gitee.com/bob/proj")], api_settings(forges))
    bb = got["git:bitbucket.org/team/tool"]
    assert bb.status == "ok" and bb.data["last_commit_at"].startswith("2021-05-06") and bb.data["default_branch"] == "master"
    assert got["git:bitbucket.org/team/secret"].status == "blocked"
    cb = got["git:codeberg.org/alice/lib"]
    assert cb.status == "ok" and cb.data["stars"] == 5 and cb.data["is_archived"] is True and cb.data["license_spdx"] == "MIT"
    assert got["git:codeberg.org/alice/none"].status == "not_found"
    ge = got["git:gitee.com/bob/proj"]
    assert ge.status == "ok" and ge.data["last_commit_at"] == "2023-03-04T05:06:07+08:00"
    assert ge.data["stars"] == 8 and ge.data["license_spdx"] == "GPL-3.0-only"


def test_base_urls_from_env() -> None:
    s = ForgeSettings.from_env({"AUDITOR_FORGE_GITLAB_COM_URL": "http://127.0.0.1:9/", "AUDITOR_GIT": "/x/git"})
    assert s.base_for("gitlab.com") == "http://127.0.0.1:9"
    assert s.base_for("codeberg.org") == "https://codeberg.org"
    assert s.base_for("bitbucket.org") == "https://api.bitbucket.org"
    assert s.git == "/x/git"
    assert api_for("gitlab.inria.fr") == "gitlab" and api_for("git.sr.ht") == "git"


FAKE_GIT = r'''#!{python}
import json, os, sys, time
url = sys.argv[sys.argv.index("--") + 1]
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "prompt": os.environ.get("GIT_TERMINAL_PROMPT")}}) + "\n")
if url.endswith("/exists"):
    print("ref: refs/heads/trunk\tHEAD")
    print("{sha}\tHEAD")
elif url.endswith("/empty"):
    pass
elif url.endswith("/missing"):
    sys.stderr.write("remote: Repository not found.\nfatal: repository '%s/' not found\n" % url)
    sys.exit(128)
elif url.endswith("/private"):
    sys.stderr.write("fatal: could not read Username for 'https://x': terminal prompts disabled\n")
    sys.exit(128)
elif url.endswith("/slow"):
    time.sleep(10)
else:
    sys.stderr.write("fatal: unable to access '%s/': Failed to connect\n" % url)
    sys.exit(128)
'''


@pytest.fixture
def fake_git(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "git.log"
    git = tmp_path / "git"
    git.write_text(FAKE_GIT.format(python=sys.executable, log=str(log), sha=SHA))
    git.chmod(git.stat().st_mode | stat.S_IXUSR)
    return git, log


def test_ls_remote_for_unknown_hosts(fake_git: tuple[Path, Path]) -> None:
    git, log = fake_git
    settings = ForgeSettings(git=str(git), git_timeout=15)
    names = ["exists", "empty", "missing", "private", "broken"]
    got = collect([req(f"git:127.0.0.1/org/{n}") for n in names], settings)
    ok = got["git:127.0.0.1/org/exists"]
    assert ok.status == "ok" and ok.data["default_branch"] == "trunk" and ok.data["head_sha"] == SHA
    assert got["git:127.0.0.1/org/empty"].status == "ok" and got["git:127.0.0.1/org/empty"].data["is_empty"] is True
    assert got["git:127.0.0.1/org/missing"].status == "not_found"
    assert got["git:127.0.0.1/org/private"].status == "not_found"
    assert got["git:127.0.0.1/org/broken"].status == "error"
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == len(names)
    assert all(c["prompt"] == "0" and "http.followRedirects=false" in c["argv"] for c in calls)
    assert all(c["argv"][-1] == "HEAD" for c in calls)


def test_ls_remote_timeout_kills_git(fake_git: tuple[Path, Path]) -> None:
    git, _ = fake_git
    got = collect([req("git:127.0.0.1/org/slow")], ForgeSettings(git=str(git), git_timeout=1.0))
    slow = got["git:127.0.0.1/org/slow"]
    assert slow.status == "error" and "timed out" in (slow.error or "")


def test_ls_remote_refuses_unsafe_hosts_without_running_git(fake_git: tuple[Path, Path]) -> None:
    git, log = fake_git
    got = collect([req("git:10.0.0.1/org/exists"), req("git:169.254.169.254/org/exists")],
                  ForgeSettings(git=str(git)), policy=FetchPolicy())
    assert {f.status for f in got.values()} == {"blocked"}
    assert all("refused" in (f.error or "") for f in got.values())
    assert not log.exists()


def test_ls_remote_parser() -> None:
    assert ls_remote_data(f"ref: refs/heads/main\tHEAD\n{SHA}\tHEAD\n")["default_branch"] == "main"
    assert ls_remote_data("")["is_empty"] is True
