"""A fake Hugging Face Hub: the answers' shapes follow the real /api/models,
/api/datasets, /api/spaces and overview endpoints (see huggingface_hub's
hf_api.py ModelInfo/Organization/User and utils/_http.py error headers), and
its paper endpoints (paper pages, title search, Daily Papers, listings
filtered by ``arxiv:ID``: see "paper endpoints" below)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from localhosts.server import Reply, Seen

SHA = "0123456789abcdef0123456789abcdef01234567"

GOOD_MODEL = {
    "_id": "65f0",
    "id": "org/good",
    "modelId": "org/good",
    "author": "org",
    "sha": SHA,
    "lastModified": "2025-03-01T10:00:00.000Z",
    "createdAt": "2024-01-01T10:00:00.000Z",
    "private": False,
    "disabled": False,
    "gated": False,
    "downloads": 1234,
    "likes": 56,
    "library_name": "transformers",
    "pipeline_tag": "text-generation",
    "tags": ["transformers", "safetensors", "license:apache-2.0"],
    "cardData": {"license": "apache-2.0", "language": ["en"]},
    "siblings": [
        {"rfilename": ".gitattributes"},
        {"rfilename": "README.md"},
        {"rfilename": "config.json"},
        {"rfilename": "model.safetensors"},
        {"rfilename": "eval/results.json"},
    ],
}

GATED_MODEL = {**GOOD_MODEL, "id": "org/gated", "modelId": "org/gated", "gated": "manual", "cardData": {"license": "other"}, "tags": []}

DATASET = {
    "id": "org/data",
    "author": "org",
    "sha": SHA,
    "lastModified": "2024-06-01T00:00:00.000Z",
    "private": False,
    "gated": False,
    "downloads": 10,
    "likes": 2,
    "tags": ["task_categories:text-classification", "license:mit"],
    "cardData": {},
    "siblings": [{"rfilename": "data/train.parquet"}, {"rfilename": "data/test.parquet"}],
}

SPACE = {
    "id": "org/demo",
    "author": "org",
    "sha": SHA,
    "lastModified": "2024-07-01T00:00:00.000Z",
    "private": False,
    "likes": 7,
    "sdk": "gradio",
    "runtime": {"stage": "RUNTIME_ERROR", "hardware": {"current": None}},
    "tags": ["gradio"],
    "siblings": [{"rfilename": "app.py"}, {"rfilename": "requirements.txt"}],
}

NOT_FOUND_HEADERS = {"x-error-code": "RepoNotFound", "x-error-message": "Repository not found"}

#: ``GET /api/whoami-v2`` for "good-token": the fields huggingface_hub's ``HfApi.whoami`` returns and
#: huggingface.js types as ApiWhoAmIUser (id, type, name, fullname, email, canPay, orgs, auth).
WHOAMI = {
    "type": "user", "id": "6500aa", "name": "alice", "fullname": "Alice", "email": "alice@example.org",
    "emailVerified": True, "canPay": False, "isPro": False, "periodEnd": None, "avatarUrl": "/avatars/alice.svg",
    "orgs": [{"type": "org", "id": "6500ab", "name": "org", "fullname": "The Org", "canPay": False}],
    "auth": {"type": "access_token", "accessToken": {"displayName": "audit", "role": "read"}},
}
#: What the Hub answers a refused token (huggingface_hub raises on it "Invalid user token").
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


def routes() -> dict[str, object]:
    def private(seen: Seen) -> Reply:
        if seen.headers.get("authorization") == "Bearer good-token":
            return Reply.json({**GOOD_MODEL, "id": "org/private", "private": True})
        return Reply.json({"error": "Repository not found"}, status=401, headers=NOT_FOUND_HEADERS)

    def good(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == 'W/"good-1"':
            return Reply(304, headers={"etag": 'W/"good-1"'})
        return Reply.json(GOOD_MODEL, headers={"etag": 'W/"good-1"'})

    def whoami(seen: Seen) -> Reply:
        if seen.headers.get("authorization") == "Bearer good-token":
            return Reply.json(WHOAMI)
        return Reply.json({"error": INVALID_CREDENTIALS}, status=401, headers={"x-error-message": INVALID_CREDENTIALS})

    return {
        "/api/whoami-v2": whoami,
        "/api/models/org/good": good,
        f"/org/good/raw/{SHA}/README.md": Reply(body="---\nlicense: apache-2.0\n---\n# Good model\nUsage: ...", headers={"content-type": "text/plain; charset=utf-8"}),
        "/api/models/org/gated": Reply.json(GATED_MODEL),
        f"/org/gated/raw/{SHA}/README.md": Reply(403, "gated", headers={"x-error-code": "GatedRepo"}),
        "/api/models/org/missing": Reply.json({"error": "Repository not found"}, status=404, headers=NOT_FOUND_HEADERS),
        "/api/models/org/private": private,
        "/api/models/org/disabled": Reply.json(
            {"error": "Access to this resource is disabled."},
            status=403,
            headers={"x-error-message": "Access to this resource is disabled."},
        ),
        "/api/models/org/old-name": Reply.json({**GOOD_MODEL, "id": "org/new-name", "siblings": []}),
        "/api/models/org/down": Reply(503, "unavailable"),
        "/api/datasets/org/data": Reply.json(DATASET),
        "/api/spaces/org/demo": Reply.json(SPACE),
        "/api/organizations/org/overview": Reply.json(
            {"name": "org", "fullname": "The Org", "numModels": 12, "numDatasets": 3, "numSpaces": 1, "numFollowers": 99, "isVerified": True}
        ),
        "/api/organizations/alice/overview": Reply.json({"error": "Not found"}, status=404),
        "/api/users/alice/overview": Reply.json({"user": "alice", "fullname": "Alice", "numModels": 2, "numDatasets": 0, "numSpaces": 4}),
        "/api/organizations/lab/overview": Reply.json({"name": "lab", "fullname": "A Lab"}),
        "/api/models": lambda seen: Reply.json([{"id": f"lab/m{i}"} for i in range(3)] if seen.query.get("author") == ["lab"] else []),
        "/api/datasets": lambda seen: Reply.json([{"id": "lab/d"}] if seen.query.get("author") == ["lab"] else []),
        "/api/organizations/nobody/overview": Reply.json({"error": "Not found"}, status=404),
        "/api/users/nobody/overview": Reply.json({"error": "Not found"}, status=404),
    }


# --------------------------------------------------------------------------- paper endpoints
#
# Shapes as huggingface_hub reads them (src/huggingface_hub/hf_api.py, commit ee0a4510; tests/test_hf_api.py):
#
# * GET /api/papers/{id} (HfApi.paper_info): one flat object read by PaperInfo.__init__: id, authors
#   ([{_id, name, hidden}]), publishedAt, title, summary, upvotes, discussionId, projectPage, githubRepo,
#   githubStars, numComments and linkedModels / linkedDatasets / linkedSpaces (repository infos with id
#   and likes) with numTotalModels / numTotalDatasets ("Only returned by paper_info";
#   test_get_paper_by_id_returns_linked_repos). A paper the Hub does not index answers 404
#   (test_get_paper_by_id_not_found).
# * GET /api/papers/search?q=&limit= (HfApi.list_papers) and
#   GET /api/daily_papers?date=|week=|month=&p=&limit= (HfApi.list_daily_papers: p a page number from 0,
#   limit 50 by default, a page past the end empty, test_daily_papers_p; an invalid date is an HTTP error,
#   test_list_daily_papers_by_date_invalid_date): lists of entries with a nested "paper" object (id,
#   authors, publishedAt, title, summary, upvotes, discussionId, submittedOnDailyAt, and githubRepo /
#   projectPage when the authors gave them) beside the entry's own title (test_papers_by_query reads
#   the entry's title), summary, publishedAt (the day it was featured: test_list_daily_papers_week),
#   thumbnail, numComments, submittedBy ({_id, fullname, name, type}: test_daily_papers_submitter),
#   isAuthorParticipating. (The hf-mcp-server's paper-search.ts PaperSearchResult reads the same
#   nesting, and other projects' recorded Daily Papers answers put githubRepo inside "paper".)
# * GET /api/models|datasets|spaces?filter=arxiv:{id}&sort=likes&direction=-1&limit= (HfApi.list_models
#   with filter=): lists of repository infos (id, likes, tags holding "arxiv:{id}").


@dataclass
class HubPaper:
    """One paper the fake Hub knows."""

    arxiv_id: str
    title: str
    summary: str = "We study things."
    github_repo: str | None = None
    project_page: str | None = None
    indexed: bool = True  # False: /api/papers/{id} answers 404
    linked: dict[str, list[dict[str, Any]]] | None = None  # {"models": [...]}; None: not in the answer
    citing: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # what ?filter=arxiv:ID lists
    daily: str | None = None  # the Daily Papers day it was featured on, "2026-11-30"
    searchable: bool = True  # found by the title search


def _authors() -> list[dict[str, Any]]:
    return [{"_id": "65a0c0ffee", "name": "Ada Lovelace", "hidden": False}]


def page_json(p: HubPaper) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": p.arxiv_id, "authors": _authors(), "publishedAt": "2026-11-27T17:59:00.000Z",
        "title": p.title, "summary": p.summary, "upvotes": 12, "discussionId": "674a0c0ffee", "numComments": 1,
        "projectPage": p.project_page, "githubRepo": p.github_repo, "githubStars": 10 if p.github_repo else None,
    }
    body = {k: v for k, v in body.items() if v is not None}
    if p.linked is not None:
        body.update(linkedModels=p.linked.get("models", []), numTotalModels=len(p.linked.get("models", [])),
                    linkedDatasets=p.linked.get("datasets", []), numTotalDatasets=len(p.linked.get("datasets", [])),
                    linkedSpaces=p.linked.get("spaces", []))
    return body


def entry_json(p: HubPaper) -> dict[str, Any]:
    featured = f"{p.daily or '2026-11-30'}T08:00:00.000Z"
    inner: dict[str, Any] = {
        "id": p.arxiv_id, "authors": _authors(), "publishedAt": "2026-11-27T17:59:00.000Z", "title": p.title,
        "summary": p.summary, "upvotes": 12, "discussionId": "674a0c0ffee", "submittedOnDailyAt": featured,
    }
    if p.github_repo:
        inner["githubRepo"] = p.github_repo
    if p.project_page:
        inner["projectPage"] = p.project_page
    return {"paper": inner, "publishedAt": featured, "title": p.title, "summary": p.summary,
            "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.arxiv_id}.png",
            "numComments": 1, "isAuthorParticipating": False,
            "submittedBy": {"_id": "60f1c0ffee", "fullname": "AK", "name": "akhaliq", "type": "user"}}


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _int(seen: Seen, name: str, default: int) -> int:
    try:
        return int((seen.query.get(name) or [str(default)])[0])
    except ValueError:
        return default


def paper_routes(papers: list[HubPaper], base: dict[str, object] | None = None) -> dict[str, object]:
    """Routes for these papers over ``base`` (:func:`routes`), whose listings they extend."""
    out: dict[str, object] = dict(routes() if base is None else base)
    for p in papers:
        out[f"/api/papers/{p.arxiv_id}"] = (Reply.json(page_json(p)) if p.indexed
                                            else Reply.json({"error": "Paper not found"}, status=404))

    def search(seen: Seen) -> Reply:
        q = _normal((seen.query.get("q") or [""])[0])
        hits = [entry_json(p) for p in papers if p.searchable and q and (q in _normal(p.title) or _normal(p.title) in q)]
        return Reply.json(hits[: _int(seen, "limit", 50)])

    def daily(seen: Seen) -> Reply:
        wanted = {k: (seen.query.get(k) or [None])[0] for k in ("date", "week", "month")}
        if wanted["date"] and not _valid_date(wanted["date"]):
            return Reply.json({"error": "Invalid date"}, status=400)

        def listed(p: HubPaper) -> bool:
            if not p.daily:
                return False
            year, week = date.fromisoformat(p.daily).isocalendar()[:2]
            if wanted["date"]:
                return p.daily == wanted["date"]
            if wanted["week"]:
                return f"{year}-W{week:02d}" == wanted["week"]
            if wanted["month"]:
                return p.daily[:7] == wanted["month"]
            return True

        page, limit = _int(seen, "p", 0), _int(seen, "limit", 50)
        chosen = [entry_json(p) for p in papers if listed(p)]
        return Reply.json(chosen[page * limit:(page + 1) * limit])

    out["/api/papers/search"] = search
    out["/api/daily_papers"] = daily
    for api in ("models", "datasets", "spaces"):
        out[f"/api/{api}"] = _listing(api, papers, out.get(f"/api/{api}"))
    return out


def _valid_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _listing(api: str, papers: list[HubPaper], fallback: object) -> object:
    def route(seen: Seen) -> Reply:
        wanted = (seen.query.get("filter") or [""])[0]
        if wanted.startswith("arxiv:"):
            found = next((p.citing.get(api, []) for p in papers if p.arxiv_id == wanted[len("arxiv:"):]), [])
            items = sorted(({**r, "tags": [*r.get("tags", []), wanted]} for r in found), key=lambda r: -(r.get("likes") or 0))
            return Reply.json(items[: _int(seen, "limit", 1000)])
        if callable(fallback):
            return fallback(seen)
        return fallback if isinstance(fallback, Reply) else Reply.json([])

    return route
