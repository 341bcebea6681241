"""Issue and pull-request comments, as GitHub's REST API answers them (the Action's
`comment-on-pr`). Shapes from https://docs.github.com/rest/issues/comments
("List issue comments", "Create an issue comment", "Update an issue comment"):
201 with the comment on create, 200 on update, 401 without a token, 404 for an
unknown comment, 422 without a body, pages of `per_page` with a Link header.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from .rest_api import DOCS, Reply, error, not_found, paged

ON_ISSUE = re.compile(r"^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$")
BY_ID = re.compile(r"^/repos/([^/]+)/([^/]+)/issues/comments/(\d+)$")
DOC = f"{DOCS}/issues/comments"


@dataclass
class Comments:
    """Every comment posted to the fake server since its last reset."""

    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: Any = field(default_factory=lambda: itertools.count(1_000_001))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.items.clear()

    def on(self, owner: str, repo: str, number: int) -> list[dict[str, Any]]:
        return [c for c in self.items.values() if c["_where"] == (owner.lower(), repo.lower(), number)]


def matches(path: str) -> bool:
    return bool(ON_ISSUE.match(path) or BY_ID.match(path))


def _public(base: str, c: dict[str, Any]) -> dict[str, Any]:
    owner, repo, number = c["_where"]
    return {
        "id": c["id"], "node_id": f"IC_kwDO{c['id']:08d}",
        "url": f"{base}/repos/{owner}/{repo}/issues/comments/{c['id']}",
        "html_url": f"https://github.com/{owner}/{repo}/pull/{number}#issuecomment-{c['id']}",
        "body": c["body"], "user": {"login": c["login"], "id": 41898282, "type": "Bot"},
        "created_at": c["created_at"], "updated_at": c["updated_at"],
        "issue_url": f"{base}/repos/{owner}/{repo}/issues/{number}", "author_association": "NONE",
    }


def handle(comments: Comments, base: str, method: str, path: str, query: dict[str, list[str]], raw: bytes,
           token: str | None, now: str) -> Reply:
    """Answer a comments request; the caller checked :func:`matches`."""
    on_issue, by_id = ON_ISSUE.match(path), BY_ID.match(path)
    if method != "GET" and token is None:
        return error(401, "Requires authentication", DOC)
    body: dict[str, Any] = {}
    if method in ("POST", "PATCH"):
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return error(400, "Problems parsing JSON", DOC)
        if not isinstance(body.get("body"), str):
            return error(422, "Invalid request.\n\n\"body\" wasn't supplied.", DOC)
    with comments.lock:
        if on_issue:
            owner, repo, number = on_issue.group(1), on_issue.group(2), int(on_issue.group(3))
            route = "{} /repos/{{owner}}/{{repo}}/issues/{{issue_number}}/comments".format(method)
            if method == "GET":
                items = sorted(comments.on(owner, repo, number), key=lambda c: c["id"])
                return paged(items, lambda c: _public(base, c), f"{base}{path}", query, route)
            if method == "POST":
                cid = next(comments.ids)
                c = comments.items[cid] = {"id": cid, "_where": (owner.lower(), repo.lower(), number),
                                           "body": body["body"], "login": "github-actions[bot]",
                                           "created_at": now, "updated_at": now}
                return Reply(201, _public(base, c), route=route)
        if by_id:
            cid = int(by_id.group(3))
            route = f"{method} /repos/{{owner}}/{{repo}}/issues/comments/{{comment_id}}"
            c = comments.items.get(cid)
            if c is None:
                reply = not_found(DOC)
                reply.route = route
                return reply
            if method == "PATCH":
                c["body"], c["updated_at"] = body["body"], now
            if method in ("GET", "PATCH"):
                return Reply(200, _public(base, c), route=route)
    return not_found(DOC)
