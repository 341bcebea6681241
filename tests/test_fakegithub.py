"""The fake GitHub answers like GitHub: renames, conditional requests, rate limits,
faults and counters, GraphQL validated on the project's schema of GitHub's API.

Its answers are modelled on real recorded ones (../shared/github/recorded/);
the two tests marked ``shared`` compare them key by key where that material is
at hand (read in place), every other test runs in any clone."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import httpx
import pytest

from conftest import shared_path
from fakegithub import TOKEN, FakeGitHub, World

pytestmark = pytest.mark.network
AUTH = {"Authorization": f"token {TOKEN}"}


def recorded(name: str) -> dict:
    return json.loads(shared_path("github", "recorded", name).read_text(encoding="utf-8"))


_client: httpx.Client | None = None


def http() -> httpx.Client:
    """One client for the module: a new httpx client per call costs ~30 ms (TLS context)."""
    global _client
    if _client is None:
        _client = httpx.Client(timeout=10)
    return _client


def get(fake: FakeGitHub, path: str, **kw) -> httpx.Response:
    return http().get(fake.url + path, **kw)


def gql(fake: FakeGitHub, query: str, variables: dict | None = None, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"bearer {token}"} if token else {}
    return http().post(fake.graphql_url, json={"query": query, "variables": variables or {}}, headers=headers)


# --------------------------------------------------------------------------- REST shapes


def test_repository_answer(fake_github):
    ours = get(fake_github, "/repos/fixture-lab/healthy", headers=AUTH).json()
    assert ours["license"] == {"key": "mit", "name": "MIT License", "spdx_id": "MIT",
                               "url": f"{fake_github.url}/licenses/mit", "node_id": ours["license"]["node_id"]}
    assert ours["full_name"] == "fixture-lab/healthy" and ours["id"] == 700000001
    assert ours["organization"]["login"] == "fixture-lab"
    assert ours["topics"] == ["reproducibility", "pytorch"]
    assert ours["stargazers_count"] == 420 and ours["default_branch"] == "main"


#: Recorded GET paths -> the analogous request to the default world.
ANALOGUES = [
    (r"^/repos/[^/]+/[^/]+$", "/repos/fixture-lab/a-fork"),
    (r"^/repositories/\d+$", "/repositories/700000009"),
    (r"^/repos/[^/]+/[^/]+/readme$", "/repos/fixture-lab/healthy/readme"),
    (r"^/repos/[^/]+/[^/]+/license$", "/repos/fixture-lab/healthy/license"),
    (r"^/repos/[^/]+/[^/]+/commits$", "/repos/fixture-lab/healthy/commits"),
    (r"^/repos/[^/]+/[^/]+/contents/?$", "/repos/fixture-lab/healthy/contents/"),
    (r"^/repositories/\d+/contents/.+$", "/repositories/700000001/contents/src"),
    (r"^/repos/[^/]+/[^/]+/branches/.+$", "/repos/fixture-lab/healthy/branches/main"),
    (r"^/rate_limit$", "/rate_limit"),
    (r"^/search/repositories$", "/search/repositories?q=reproducibility"),
    (r"^/orgs/[^/]+$", "/orgs/fixture-lab"),
    (r"^/user$", "/users/octo-user"),
]
#: Keys only a repository's admins (or an org's members) see, and keys GitHub dropped since 2013.
PRIVILEGED_OR_GONE = {
    "allow_auto_merge", "allow_merge_commit", "allow_rebase_merge", "allow_squash_merge", "allow_update_branch",
    "delete_branch_on_merge", "temp_clone_token", "use_squash_pr_title_as_default", "master_branch",
    "billing_email", "collaborators", "default_repository_permission", "disk_usage", "owned_private_repos",
    "members_can_create_repositories", "plan", "private_gists", "total_private_repos",
}


@pytest.mark.shared
def test_every_recorded_answer_of_a_served_route_has_a_twin(fake_github):
    """Each real 200 JSON answer in ../shared/github/recorded/ for a route we serve: our answer has its keys."""
    compared = 0
    for path in sorted(shared_path("github", "recorded").glob("*.json")):
        rec = json.loads(path.read_text(encoding="utf-8"))
        if path.name == "index.json" or rec["status"] != 200 or rec["body_kind"] != "json":
            continue
        url_path = httpx.URL(rec["url"]).path
        ours_path = next((ours for rx, ours in ANALOGUES if re.match(rx, url_path)), None)
        if ours_path is None:
            continue
        real, ours = rec["body"], get(fake_github, ours_path, headers=AUTH).json()
        if isinstance(real, list):
            real, ours = real[0], ours[0]
        assert set(real) - PRIVILEGED_OR_GONE <= set(ours), (path.name, sorted(set(real) - set(ours)))
        compared += 1
    assert compared >= 30


#: (recorded answer, our analogous request, what of the recorded one ours must have)
SPECIFIC = [
    ("octokitfixtures__scenarios_api_github_com_get_repository_raw_fixture__00.json", "/repos/fixture-lab/healthy",
     "keys", {"temp_clone_token", "allow_squash_merge", "allow_merge_commit", "allow_rebase_merge",
              "allow_auto_merge", "delete_branch_on_merge", "allow_update_branch", "use_squash_pr_title_as_default",
              "squash_merge_commit_message", "squash_merge_commit_title", "merge_commit_message",
              "merge_commit_title", "security_and_analysis", "custom_properties"}),  # admins only
    ("octokitrb__Octokit_Client_Contents_readme_returns_the_default_readme__00.json",
     "/repos/fixture-lab/healthy/readme", "keys", set()),
    ("octokitrb__Octokit_Client_Licenses_repository_license_contents_returns_a_repository_s_license_file__00.json",
     "/repos/fixture-lab/healthy/license", "keys", set()),
    ("octokitfixtures__scenarios_api_github_com_get_content_raw_fixture__00.json",
     "/repos/fixture-lab/healthy/contents/", "same first keys", set()),
    ("github3py__Repository_commits__01.json", "/repos/fixture-lab/healthy/commits", "first keys", {"parents"}),
    ("github3py__GitHub_non_existent_gitignore_template__00.json", "/repos/fixture-lab/missing", "keys", set()),
    ("octokitfixtures__scenarios_api_github_com_rename_repository_raw_fixture__02.json",
     "/repos/fixture-lab/old-name", "same keys", set()),
    ("github3py__Branch_latest_sha__01.json", "/repos/fixture-lab/monorepo/branches/dev", "keys", set()),
    ("github3py__GitHub_rate_limit__00.json", "/rate_limit", "keys", set()),
]


@pytest.mark.shared
def test_specific_answers_have_the_keys_headers_and_nesting_of_recorded_ones(fake_github):
    """Recorded answers the twin test does not pair (errors, 301, lists, nested objects), compared one by one."""
    for name, ours_path, how, exempt in SPECIFIC:
        real = recorded(name)["body"]
        ours = get(fake_github, ours_path, headers=AUTH).json()
        if how.endswith("first keys"):
            real, ours = real[0], ours[0]
        if how.startswith("same"):
            assert set(real) == set(ours), name
        else:
            assert set(real) - exempt <= set(ours), (name, sorted(set(real) - exempt - set(ours)))
        for key in ("owner", "license", "resources", "rate"):  # nested objects GitHub sends
            if isinstance(real.get(key), dict) and key in ours:
                assert set(real[key]) - {"user_view_type", "featured"} <= set(ours[key]), (name, key)
    headers = recorded("github3py__Repository_commits__01.json")["response_headers"]
    assert GITHUB_HEADERS <= {k.lower() for k in headers} | {"x-ratelimit-used"}
    raw = recorded("octokitfixtures__scenarios_api_github_com_get_content_raw_fixture__01.json")
    assert raw["body_kind"] == "text"  # Accept: application/vnd.github.raw gives the file as is, as ours does
    org = recorded("github3py__Repository_archive_a_repository__00.json")["body"]
    assert set(org) & set(get(fake_github, "/orgs/fixture-lab").json()) >= {"login", "id", "url", "repos_url", "events_url"}


#: Headers every GitHub answer carries (the recorded ones have them: see test_specific_answers_...).
GITHUB_HEADERS = {"content-type", "etag", "cache-control", "x-ratelimit-limit", "x-ratelimit-remaining",
                  "x-ratelimit-reset", "access-control-expose-headers", "x-github-media-type", "x-github-request-id"}


def test_repository_headers_are_githubs(fake_github):
    r = get(fake_github, "/repos/fixture-lab/healthy")
    assert GITHUB_HEADERS <= set(r.headers.keys())
    assert r.headers["x-ratelimit-limit"] == "60" and r.headers["x-ratelimit-remaining"] == "59"
    assert r.headers["x-ratelimit-resource"] == "core" and r.headers["x-ratelimit-used"] == "1"
    assert r.headers["etag"].startswith('W/"')
    assert get(fake_github, "/repos/fixture-lab/healthy", headers=AUTH).headers["x-ratelimit-limit"] == "5000"


def test_readme_license_contents_languages(fake_github):
    readme = get(fake_github, "/repos/fixture-lab/healthy/readme").json()
    assert readme["encoding"] == "base64" and readme["name"] == "README.md"
    assert base64.b64decode(readme["content"]).decode().startswith("# Official implementation")

    lic = get(fake_github, "/repos/fixture-lab/healthy/license").json()
    assert lic["license"]["spdx_id"] == "MIT"

    listing = get(fake_github, "/repos/fixture-lab/healthy/contents/").json()
    assert {e["name"]: e["type"] for e in listing}["src"] == "dir"
    assert {"LICENSE", "README.md", ".gitignore"} <= {e["name"] for e in listing}

    raw = get(fake_github, "/repos/fixture-lab/monorepo/contents/sub/dir/README.md",
              headers={"Accept": "application/vnd.github.raw"})
    assert raw.text == "# Sub-project\n"
    assert raw.headers["content-type"].startswith("application/vnd.github.raw")

    languages = get(fake_github, "/repos/fixture-lab/healthy/languages").json()
    assert list(languages) == ["Python", "Jupyter Notebook", "Shell"]  # by size, as GitHub


def test_commits_link_header_counts_commits_and_empty_is_409(fake_github):
    r = get(fake_github, "/repos/fixture-lab/healthy/commits", params={"per_page": 1})
    last = re.search(r'[?&]page=(\d+)>; rel="last"', r.headers["link"])
    assert last and int(last.group(1)) == 86
    assert r.json()[0]["commit"]["committer"]["date"] == "2025-09-15T16:20:00Z"
    empty = get(fake_github, "/repos/fixture-lab/empty/commits", params={"per_page": 1})
    assert empty.status_code == 409 and empty.json()["message"] == "Git Repository is empty."


def test_missing_blocked_private_answers(fake_github):
    r = get(fake_github, "/repos/fixture-lab/missing")
    assert r.status_code == 404 and r.json()["status"] == "404"
    dmca = get(fake_github, "/repos/fixture-lab/dmca")
    assert dmca.status_code == 451 and dmca.json()["block"]["reason"] == "dmca"
    assert dmca.json()["message"] == "Repository access blocked"
    assert get(fake_github, "/repos/fixture-lab/tos-blocked").status_code == 403
    assert get(fake_github, "/repos/fixture-lab/private", headers=AUTH).status_code == 404
    assert get(fake_github, "/repos/fixture-lab/private",
               headers={"Authorization": "token collaborator-token"}).status_code == 200
    assert get(fake_github, "/repos/fixture-lab/disabled").json()["disabled"] is True


def test_rename_answers_301_then_repositories_id(fake_github):
    r = get(fake_github, "/repos/fixture-lab/old-name")
    assert r.status_code == 301 and set(r.json()) == {"message", "url", "documentation_url"}
    assert r.headers["location"] == f"{fake_github.url}/repositories/700000002" == r.json()["url"]
    followed = get(fake_github, "/repos/fixture-lab/old-name", follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["full_name"] == "fixture-lab/new-name"
    sub = get(fake_github, "/repos/fixture-lab/moved/readme")
    assert sub.status_code == 301 and sub.headers["location"].endswith("/repositories/700000003/readme")


def test_conditional_request_answers_304_without_spending(fake_github):
    first = get(fake_github, "/repos/fixture-lab/healthy", headers=AUTH)
    etag = first.headers["etag"]
    again = get(fake_github, "/repos/fixture-lab/healthy", headers={**AUTH, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    modified = first.headers["last-modified"]
    assert modified == "Mon, 15 Sep 2025 16:20:00 GMT"
    since = get(fake_github, "/repos/fixture-lab/healthy", headers={**AUTH, "If-Modified-Since": modified})
    assert since.status_code == 304 and fake_github.stats.not_modified == 2
    fake_github.world.add_repo({"repo": "fixture-lab/healthy", "id": 700000001, "preset": "code", "stars": 999})
    changed = get(fake_github, "/repos/fixture-lab/healthy", headers={**AUTH, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["stargazers_count"] == 999


# --------------------------------------------------------------------------- GraphQL

REPO_QUERY = """
query($o0: String!, $n0: String!, $o1: String!, $n1: String!, $o2: String!, $n2: String!) {
  r0: repository(owner: $o0, name: $n0) { ...facts }
  r1: repository(owner: $o1, name: $n1) { ...facts }
  r2: repository(owner: $o2, name: $n2) { ...facts }
  rateLimit { cost limit remaining resetAt used nodeCount }
}
fragment facts on Repository {
  nameWithOwner url stargazerCount isArchived isFork isEmpty
  licenseInfo { spdxId key name }
  repositoryTopics(first: 20) { nodes { topic { name } } }
  languages(first: 10, orderBy: {field: SIZE, direction: DESC}) { totalSize edges { size node { name } } }
  defaultBranchRef { name target { ... on Commit { committedDate history(first: 1) { totalCount } } } }
  readme: object(expression: "HEAD:README.md") { ... on Blob { byteSize text } }
  releases(first: 1, orderBy: {field: CREATED_AT, direction: DESC}) { totalCount nodes { tagName publishedAt } }
}
"""


def test_graphql_batch_with_a_missing_alias_and_a_rename(fake_github):
    names = ["fixture-lab/healthy", "fixture-lab/missing", "fixture-lab/old-name"]
    variables = {f"{k}{i}": v for i, full in enumerate(names) for k, v in zip("on", full.split("/"))}
    r = gql(fake_github, REPO_QUERY, variables)
    body = r.json()
    assert r.status_code == 200
    assert body["data"]["r1"] is None
    assert body["errors"] == [{
        "type": "NOT_FOUND", "path": ["r1"], "locations": [{"line": 4, "column": 3}],
        "message": "Could not resolve to a Repository with the name 'fixture-lab/missing'.",
    }]
    r0 = body["data"]["r0"]
    assert r0["licenseInfo"]["spdxId"] == "MIT"
    assert r0["defaultBranchRef"]["target"]["history"]["totalCount"] == 86
    assert r0["readme"]["text"].startswith("# Official implementation")
    assert r0["releases"]["nodes"][0]["tagName"] == "v1.1" and r0["releases"]["totalCount"] == 2
    assert body["data"]["r2"]["nameWithOwner"] == "fixture-lab/new-name"
    rate = body["data"]["rateLimit"]
    assert rate["cost"] == 1 and rate["limit"] == 5000 and rate["remaining"] == 4999
    assert r.headers["x-ratelimit-resource"] == "graphql"
    assert fake_github.stats.graphql_points == 1


def test_graphql_rejects_a_field_github_lacks(fake_github):
    query = '{ repository(owner: "fixture-lab", name: "healthy") { nameWithOwner starCount } }'
    r = gql(fake_github, query)
    assert r.status_code == 200
    [err] = r.json()["errors"]
    assert "data" not in r.json()
    assert err["message"] == "Field 'starCount' doesn't exist on type 'Repository'"
    assert err["locations"] == [{"line": 1, "column": query.index("starCount") + 1}]
    assert fake_github.stats.graphql_points == 0


def test_graphql_needs_a_token(fake_github):
    r = gql(fake_github, "{ viewer { login } }", token=None)
    assert r.status_code == 401 and "requires you to be authenticated" in r.json()["message"]


def test_graphql_subpaths_and_root_tree(fake_github):
    q = """{ repository(owner: "fixture-lab", name: "monorepo") {
      yes: object(expression: "main:sub/dir") { __typename }
      no: object(expression: "main:missing/dir") { __typename }
      badref: object(expression: "nope:sub/dir") { __typename }
      root: object(expression: "HEAD:") { ... on Tree { entries { name type object { ... on Blob { byteSize } } } } }
    } }"""
    data = gql(fake_github, q).json()["data"]["repository"]
    assert data["yes"] == {"__typename": "Tree"} and data["no"] is None and data["badref"] is None
    entries = {e["name"]: e for e in data["root"]["entries"]}
    assert entries["sub"]["type"] == "tree" and entries["train.py"]["object"]["byteSize"] == 8120


# --------------------------------------------------------------------------- faults, limits, counters


def test_queued_faults_come_in_order(fake_github):
    fake_github.faults.next("502", "503", "500", "malformed", "secondary", "secondary429")
    url = fake_github.url + "/repos/fixture-lab/healthy"
    client = http()
    if True:
        r502 = client.get(url)
        assert r502.status_code == 502 and r502.headers["content-type"].startswith("text/html")
        assert client.get(url).status_code == 503
        r500 = client.get(url)
        assert r500.status_code == 500 and r500.json()["message"] == "Server Error"
        with pytest.raises(json.JSONDecodeError):
            json.loads(client.get(url).content)
        sec = client.get(url)
        assert sec.status_code == 403 and sec.headers["retry-after"] == "60"
        assert sec.json()["message"].startswith("You have exceeded a secondary rate limit")
        assert client.get(url).status_code == 429
        assert client.get(url).status_code == 200
    assert fake_github.stats.faults == {"502": 1, "503": 1, "500": 1, "malformed": 1, "secondary": 1,
                                        "secondary429": 1}


def test_connection_reset(fake_github):
    fake_github.faults.next("reset")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError)):
        get(fake_github, "/repos/fixture-lab/healthy")
    assert get(fake_github, "/repos/fixture-lab/healthy").status_code == 200


def test_random_faults_are_deterministic(fake_github):
    def statuses() -> list[int]:
        fake_github.reset()
        fake_github.faults.update(error_rate=0.5, seed=42, error_statuses=(503,))
        return [get(fake_github, "/repos/fixture-lab/healthy", headers=AUTH).status_code for _ in range(20)]

    first, second = statuses(), statuses()
    assert first == second and 503 in first and 200 in first


def test_faults_limited_to_paths_and_first_n(fake_github):
    fake_github.faults.update(error_rate=1.0, error_statuses=(500,), paths=(r"/readme$",), first_n=3)
    assert get(fake_github, "/repos/fixture-lab/healthy").status_code == 200
    assert get(fake_github, "/repos/fixture-lab/healthy/readme").status_code == 500
    assert get(fake_github, "/repos/fixture-lab/healthy/readme").status_code == 500
    assert get(fake_github, "/repos/fixture-lab/healthy/readme").status_code == 200  # request 3: past first_n


def test_primary_limit_rest_and_graphql(fake_github):
    fake_github.limits.anonymous = 2
    assert get(fake_github, "/repos/fixture-lab/healthy").status_code == 200
    assert get(fake_github, "/repos/fixture-lab/missing").status_code == 404  # counts too
    spent = get(fake_github, "/repos/fixture-lab/healthy")
    assert spent.status_code == 403 and spent.headers["x-ratelimit-remaining"] == "0"
    assert spent.json()["message"].startswith("API rate limit exceeded for 127.0.0.1")
    assert get(fake_github, "/rate_limit").json()["rate"]["remaining"] == 0  # free, still answers
    fake_github.exhaust(TOKEN, "graphql")
    r = gql(fake_github, "{ viewer { login } }")
    assert r.status_code == 200 and r.json()["errors"][0]["type"] == "RATE_LIMITED"
    assert r.headers["x-ratelimit-remaining"] == "0"


def test_counters_and_reset(fake_github):
    get(fake_github, "/repos/fixture-lab/healthy")
    get(fake_github, "/repos/fixture-lab/healthy/readme", headers=AUTH)
    gql(fake_github, '{ repository(owner: "fixture-lab", name: "healthy") { nameWithOwner } }')
    s = fake_github.stats
    assert s.requests["GET /repos/{owner}/{repo}"] == 1 and s.count("/readme") == 1
    assert s.requests["POST /graphql"] == 1 and s.graphql_points == 1
    assert s.clients == {"anon:127.0.0.1": 1, f"token:{TOKEN}": 2}
    fake_github.world.add_repo({"repo": "someone/new", "stars": 3})
    fake_github.faults.update(error_rate=1.0)
    fake_github.reset()
    assert s.total == 0 and fake_github.faults.error_rate == 0
    assert get(fake_github, "/repos/someone/new").status_code == 404


def test_env_points_at_the_server(fake_github):
    assert fake_github.env() == {"GITHUB_API_URL": fake_github.url, "GITHUB_GRAPHQL_URL": fake_github.url + "/graphql"}
    assert fake_github.env("t")["GITHUB_TOKEN"] == "t"


def test_default_world_covers_every_dump_link():
    """Every github.com/owner/name in the bundled dumps is in the default world (or a known 404)."""
    dumps = Path(__file__).resolve().parent.parent / "examples" / "dumps"
    text = "\n".join(p.read_text(encoding="utf-8") for p in dumps.glob("*.txt"))
    found = set(re.findall(r"github\.com/([A-Za-z0-9_.-]+/[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)", text))
    world = World.from_file(Path(__file__).resolve().parent / "fakegithub" / "worlds" / "default.json")
    known = set(world.repos) | set(world.redirects) | set(world.gone)
    missing = sorted(n for n in found if n.lower().rstrip(".") not in known)
    assert len(found) > 60 and missing == []
    cases = world.cases()
    in_dumps = {cases[n.lower().rstrip(".")] for n in found}
    fixtures = {c for k, c in cases.items() if k.startswith("fixture-lab/")}
    assert in_dumps == fixtures == set(cases.values())  # the dumps exercise every case, as fixture-lab/* does


# --------------------------------------------------------------------------- more routes


def test_git_tree_and_branches(fake_github):
    tree = get(fake_github, "/repos/fixture-lab/monorepo/git/trees/main", params={"recursive": "1"}).json()
    paths = {t["path"]: t for t in tree["tree"]}
    assert paths["sub/dir"]["type"] == "tree" and paths["sub/dir/run.py"]["size"] == 2048
    assert tree["truncated"] is False
    flat = get(fake_github, "/repos/fixture-lab/monorepo/git/trees/main").json()
    assert all("/" not in t["path"] for t in flat["tree"])
    branch = get(fake_github, "/repos/fixture-lab/monorepo/branches/dev").json()
    assert branch["name"] == "dev" and branch["commit"]["sha"]
    assert get(fake_github, "/repos/fixture-lab/monorepo/branches/nope").status_code == 404
    assert get(fake_github, "/repos/fixture-lab/empty/git/trees/main").status_code == 409


def test_owners_rest_and_graphql(fake_github):
    org = get(fake_github, "/orgs/fixture-lab").json()
    assert {"login", "id", "url", "repos_url", "events_url", "type"} <= set(org) and org["type"] == "Organization"
    assert get(fake_github, "/users/octo-user").json()["type"] == "User"
    assert get(fake_github, "/orgs/octo-user").status_code == 404
    assert get(fake_github, "/users/ghost-owner").status_code == 404
    repos = get(fake_github, "/users/octo-user/repos").json()
    assert [r["full_name"] for r in repos] == ["octo-user/notebook"]
    q = """{ a: repositoryOwner(login: "fixture-lab") { __typename login repositories(first: 5) { totalCount } }
             b: repositoryOwner(login: "ghost-owner") { login }
             c: user(login: "fixture-lab") { login } }"""
    body = gql(fake_github, q).json()
    assert body["data"]["a"]["__typename"] == "Organization" and body["data"]["a"]["repositories"]["totalCount"] > 15
    assert body["data"]["b"] is None and body["data"]["c"] is None
    assert body["errors"][0]["type"] == "NOT_FOUND" and body["errors"][0]["path"] == ["c"]


def test_rate_limit_is_free(fake_github):
    r = get(fake_github, "/rate_limit")
    body = r.json()
    assert {"core", "graphql", "search"} <= set(body["resources"])
    assert body["rate"]["remaining"] == 60 and r.headers["x-ratelimit-remaining"] == "60"
    assert fake_github.stats.requests["GET /rate_limit"] == 1


def test_buckets_are_per_client(fake_github):
    fake_github.limits.authenticated = 3
    for _ in range(3):
        assert get(fake_github, "/repos/fixture-lab/healthy", headers={"Authorization": "token a"}).status_code == 200
    assert get(fake_github, "/repos/fixture-lab/healthy", headers={"Authorization": "token a"}).status_code == 403
    other = get(fake_github, "/repos/fixture-lab/healthy", headers={"Authorization": "Bearer b"})
    assert other.status_code == 200 and other.headers["x-ratelimit-remaining"] == "2"
    assert get(fake_github, "/repos/fixture-lab/healthy").headers["x-ratelimit-remaining"] == "59"
    assert get(fake_github, "/repos/fixture-lab/healthy", headers={"Authorization": "token bad-one"}).status_code == 401


def test_limit_holds_under_concurrent_requests(fake_github):
    from concurrent.futures import ThreadPoolExecutor

    fake_github.limits.authenticated = 5
    headers = {"Authorization": "token racer"}
    with ThreadPoolExecutor(10) as pool:
        codes = list(pool.map(lambda _: get(fake_github, "/repos/fixture-lab/healthy", headers=headers).status_code,
                              range(20)))
    assert sorted(codes) == [200] * 5 + [403] * 15
    assert fake_github.stats.rate_limited == 15


def test_graphql_faults(fake_github):
    query = '{ repository(owner: "fixture-lab", name: "healthy") { nameWithOwner } }'
    fake_github.faults.next("secondary", "malformed", "exhausted")
    sec = gql(fake_github, query)
    assert sec.status_code == 403 and "secondary rate limit" in sec.json()["message"] and "retry-after" in sec.headers
    with pytest.raises(json.JSONDecodeError):
        json.loads(gql(fake_github, query).content)
    spent = gql(fake_github, query)
    assert spent.status_code == 200 and spent.json() == {
        "errors": [{"type": "RATE_LIMITED", "message": "API rate limit already exceeded for user ID 1."}]}
    fake_github.faults.update(exhausted=True, graphql_rate_limit_type="RATE_LIMIT")
    assert gql(fake_github, query).json()["errors"][0]["type"] == "RATE_LIMIT"
    rest = get(fake_github, "/repos/fixture-lab/healthy", headers=AUTH)
    assert rest.status_code == 403 and rest.json()["message"] == "API rate limit exceeded for user ID 1."
    assert rest.headers["x-ratelimit-remaining"] == "0"


def test_graphql_cost_counts_nested_connections(fake_github):
    for i in range(120):
        fake_github.world.add_repo({"repo": f"bulk-org/r{i}", "preset": "code"})
    q = """{ repositoryOwner(login: "bulk-org") { repositories(first: 100) { nodes {
               languages(first: 10) { edges { node { name } } } releases(first: 5) { nodes { tagName } } } } }
             rateLimit { cost nodeCount } }"""
    body = gql(fake_github, q).json()
    assert len(body["data"]["repositoryOwner"]["repositories"]["nodes"]) == 100
    assert body["data"]["rateLimit"] == {"cost": 2, "nodeCount": 100 + 1000 + 500}  # 201 requests / 100
    missing = gql(fake_github, '{ repository(owner: "a", name: "b") { releases { nodes { tagName } } } }').json()
    assert missing["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    huge = """{ repositoryOwner(login: "bulk-org") { repositories(first: 100) { nodes {
                defaultBranchRef { target { ... on Commit { history(first: 100) { nodes {
                  history(first: 100) { nodes { oid } } } } } } } } } } }"""
    assert gql(fake_github, huge).json()["errors"][0]["type"] == "MAX_NODE_LIMIT_EXCEEDED"
    assert fake_github.stats.graphql_points == 2  # refused queries cost nothing


def test_releases_latest_skips_prereleases_and_drafts_are_hidden(fake_github):
    fake_github.world.add_repo({"repo": "fixture-lab/rel", "preset": "popular", "collaborators": ["member"],
                                "releases": [{"tag": "v3", "published_at": "2026-11-10T00:00:00Z", "draft": True},
                                             {"tag": "v2rc", "published_at": "2026-11-01T00:00:00Z", "prerelease": True},
                                             {"tag": "v1", "published_at": "2026-01-01T00:00:00Z"}]})
    listing = get(fake_github, "/repos/fixture-lab/rel/releases", params={"per_page": 1})
    assert [r["tag_name"] for r in listing.json()] == ["v2rc"] and 'rel="last"' in listing.headers["link"]
    assert get(fake_github, "/repos/fixture-lab/rel/releases/latest").json()["tag_name"] == "v1"
    member = get(fake_github, "/repos/fixture-lab/rel/releases", headers={"Authorization": "token member"}).json()
    assert [r["tag_name"] for r in member] == ["v3", "v2rc", "v1"]
    q = '{ repository(owner: "fixture-lab", name: "rel") { releases(first: 5) { totalCount } latestRelease { tagName } } }'
    data = gql(fake_github, q).json()["data"]["repository"]
    assert data == {"releases": {"totalCount": 2}, "latestRelease": {"tagName": "v1"}}
    assert get(fake_github, "/repos/fixture-lab/readme-only/releases/latest").status_code == 404


def test_slow_answer_times_a_client_out(fake_github):
    fake_github.faults.update(slow_seconds=0.5)
    fake_github.faults.next("slow")
    with pytest.raises(httpx.ReadTimeout):
        get(fake_github, "/repos/fixture-lab/healthy", timeout=0.1)
    assert fake_github.stats.faults["slow"] == 1


def test_latency_and_head(fake_github):
    fake_github.faults.update(latency=0.2)
    r = http().head(fake_github.url + "/repos/fixture-lab/healthy")
    assert r.status_code == 200 and r.content == b"" and r.elapsed.total_seconds() >= 0.2


def test_world_from_json_and_presets(tmp_path):
    spec = {"presets": {"tiny": {"license": "Apache-2.0", "readme": "# tiny\n", "files": {"a.py": 10}}},
            "repos": [{"repo": "x/one", "preset": "tiny", "files": {"b.py": 20}},
                      {"repo": "x/two", "renamed_to": "x/one"}]}
    path = tmp_path / "w.json"
    path.write_text(json.dumps(spec))
    world = World.from_file(path)
    one = world.repos["x/one"]
    assert set(one["files"]) == {"a.py", "b.py", "README.md", "LICENSE"} and one["license"] == "Apache-2.0"
    assert world.lookup("X", "TWO").kind == "moved" and world.lookup("x", "two").repo is one
    world.load({"repos": [{"repo": "x/three", "empty": True}]})
    assert world.repos["x/three"]["empty"] and "x/one" in world.repos
    with pytest.raises(KeyError):
        world.add_repo({"repo": "x/bad", "preset": "nope"})


def test_standalone_server(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "w.json"
    path.write_text(json.dumps({"repos": [{"repo": "solo/repo", "stars": 7}]}))
    tests_dir = Path(__file__).resolve().parent
    proc = subprocess.Popen([sys.executable, "-m", "fakegithub", "--world", str(path), "--port", "0",
                             "--no-graphql"],
                            cwd=tests_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # type: ignore[union-attr]
        url = re.search(r"on (http://127\.0\.0\.1:\d+)", line)
        assert url, line + proc.stderr.read()  # type: ignore[union-attr]
        assert http().get(url.group(1) + "/repos/solo/repo").json()["stargazers_count"] == 7
    finally:
        proc.terminate()
        proc.wait(timeout=10)
