"""Fake Software Heritage and Zenodo APIs on 127.0.0.1 (one server, both APIs).

Shapes, from their sources:

- Software Heritage, ``GET /api/1/origin/(origin_url)/visit/latest/?require_snapshot=true``:
  swh-web ``swh/web/api/views/origin.py`` (``api_origin_visit_latest`` and
  ``DOC_RETURN_ORIGIN_VISIT``: ``date``, ``origin``, ``origin_url``,
  ``snapshot``, ``snapshot_url``, ``status`` full|partial|ongoing, ``type``,
  ``visit``); 404 "No visit for origin {url} found" as ``{"exception":
  "NotFoundExc", "reason": ...}`` (swh-web ``swh/web/api/apiresponse.py``
  error bodies). Rate limits: every answer carries ``X-RateLimit-Limit``,
  ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (epoch seconds); a spent
  budget answers 429 ``{"exception": "Throttled", "reason": "Request was
  throttled. Expected available in N seconds."}`` (Django REST framework
  throttling, which swh-web uses) with ``Retry-After``; an authenticated
  (``Authorization: Bearer``) client gets a larger budget (SWH API docs,
  "Rate limiting").
- Save Code Now, ``POST /api/1/origin/save/(visit_type)/url/(origin_url)/``:
  swh-web ``swh/web/api/views/origin_save.py`` (``save_request_status``
  accepted|rejected|pending, ``save_task_status``, ``save_request_date``,
  ``origin_url``, ``visit_type``, ``id``).
- Software Heritage, ``GET /api/1/resolve/(swhid)/``: swh-web
  ``swh/web/api/views/identifiers.py`` (``api_resolve_swhid``: ``browse_url``,
  ``metadata``, ``namespace``, ``object_id``, ``object_type``,
  ``scheme_version``); an unknown object is 404 ``NotFoundExc``. Same budget.
- The DOI resolver's handle API, ``GET /api/handles/{doi}?type=URL`` (doi.org
  "DOI Proxy" factsheet, as pyDOI shows it): ``{"responseCode": 1, "handle",
  "values": [{"index": 1, "type": "URL", "data": {"format": "string", "value":
  URL}, "ttl", "timestamp"}]}``; an unregistered DOI is 404 ``{"responseCode":
  100, "handle": ...}``.
- Zenodo, ``GET /api/records/{id}``: Zenodo REST API documentation
  (developers.zenodo.org, "Records"): ``id``, ``doi``, ``conceptdoi``,
  ``created``, ``metadata.{title, publication_date, resource_type.type,
  related_identifiers[{identifier, relation, scheme}]}``; 404 ``{"status":
  404, "message": "The persistent identifier does not exist."}``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from localhosts.server import LocalServer, Reply, Seen

VISIT_PREFIX = "/api/1/origin/"
RESOLVE_PREFIX = "/api/1/resolve/"
HANDLE_PREFIX = "/api/handles/"


@dataclass
class FakeArchives:
    """State of the fake: archived origins, Zenodo records, budgets, what was asked."""

    visits: dict[str, dict[str, Any]] = field(default_factory=dict)  # origin URL -> {date, snapshot, status}
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # Zenodo id -> record body
    anonymous_limit: int = 120
    token_limit: int = 1200
    token: str = "swh-test-token"
    window: int = 3600
    save_accept: bool = True
    dois: dict[str, str] = field(default_factory=dict)  # registered DOI (lower-case) -> the URL it resolves to
    swhids: set[str] = field(default_factory=set)  # SWHIDs Software Heritage holds
    saves: list[dict[str, Any]] = field(default_factory=list)
    _used: dict[str, int] = field(default_factory=dict)
    _reset: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def archive(self, origin: str, date: str, snapshot: str = "c7c108084bc0bf3d81436bf980b46e98bd338453", status: str = "full") -> None:
        self.visits[origin] = {"date": date, "snapshot": snapshot, "status": status}

    def zenodo(self, record_id: str, doi: str | None = None, repo_url: str | None = None, title: str = "Code") -> None:
        self.records[record_id] = {
            "id": int(record_id),
            "doi": doi or f"10.5281/zenodo.{record_id}",
            "conceptdoi": f"10.5281/zenodo.{int(record_id) - 1}",
            "created": "2024-05-02T10:00:00+00:00",
            "metadata": {
                "title": title,
                "publication_date": "2024-05-02",
                "resource_type": {"type": "software", "title": "Software"},
                "related_identifiers": ([{"identifier": repo_url, "relation": "isSupplementTo", "scheme": "url"}]
                                        if repo_url else []),
            },
        }

    # ------------------------------------------------------------------ serving

    def _client(self, seen: Seen) -> tuple[str, int]:
        auth = seen.headers.get("authorization", "")
        if auth == f"Bearer {self.token}":
            return "token", self.token_limit
        return "anon", self.anonymous_limit

    def _limit_headers(self, client: str, limit: int) -> dict[str, str]:
        return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(max(0, limit - self._used.get(client, 0))),
                "x-ratelimit-reset": str(self._reset)}

    def exhaust(self, client: str = "anon", reset_in: int | None = None) -> None:
        with self._lock:
            self._renew()
            self._used[client] = self.token_limit if client == "token" else self.anonymous_limit
            if reset_in is not None:
                self._reset = int(time.time()) + reset_in

    def _renew(self) -> None:
        now = int(time.time())
        if self._reset <= now:
            self._reset = now + self.window
            self._used.clear()

    def swh(self, seen: Seen) -> Reply:
        with self._lock:
            self._renew()
            client, limit = self._client(seen)
            if self._used.get(client, 0) >= limit:
                wait = max(1, self._reset - int(time.time()))
                headers = {**self._limit_headers(client, limit), "retry-after": str(wait)}
                return Reply.json({"exception": "Throttled", "reason": f"Request was throttled. Expected available in {wait} seconds."},
                                  429, headers=headers)
            self._used[client] = self._used.get(client, 0) + 1
            headers = self._limit_headers(client, limit)
        if seen.path.startswith(RESOLVE_PREFIX):
            swhid = unquote(seen.path[len(RESOLVE_PREFIX):].rstrip("/"))
            if swhid not in self.swhids:
                return Reply.json({"exception": "NotFoundExc", "reason": f"Object with id {swhid} not found."}, 404, headers=headers)
            kind, object_id = swhid.split(":")[2:4]
            return Reply.json({"browse_url": f"https://archive.softwareheritage.org/browse/swh:1:{kind}:{object_id}/",
                               "metadata": {}, "namespace": "swh", "object_id": object_id,
                               "object_type": {"dir": "directory", "rev": "revision", "rel": "release", "snp": "snapshot",
                                               "cnt": "content"}[kind], "scheme_version": 1}, headers=headers)
        rest = seen.path[len(VISIT_PREFIX):]
        if seen.method == "POST" and rest.startswith("save/"):
            return self._save(rest, headers)
        if not rest.endswith("/visit/latest/"):
            return Reply.json({"exception": "NotFoundExc", "reason": "Resource not found"}, 404, headers=headers)
        origin = unquote(rest[: -len("/visit/latest/")])
        visit = self.visits.get(origin)
        if visit is None:
            return Reply.json({"exception": "NotFoundExc", "reason": f"No visit for origin {origin} found"}, 404, headers=headers)
        base = "https://archive.softwareheritage.org/api/1"
        body = {
            "origin": origin,
            "visit": 3,
            "date": visit["date"],
            "status": visit["status"],
            "snapshot": visit["snapshot"],
            "type": "git",
            "metadata": {},
            "origin_url": f"{base}/origin/{origin}/get/",
            "snapshot_url": f"{base}/snapshot/{visit['snapshot']}/",
        }
        return Reply.json(body, headers=headers)

    def _save(self, rest: str, headers: dict[str, str]) -> Reply:
        # save/{visit_type}/url/{origin_url}/
        _, visit_type, _, origin = rest.split("/", 3)
        origin = unquote(origin.rstrip("/"))
        status = "accepted" if self.save_accept else "rejected"
        body = {"id": len(self.saves) + 1, "origin_url": origin, "visit_type": visit_type,
                "save_request_date": "2026-11-23T10:00:00+00:00", "save_request_status": status,
                "save_task_status": "not yet scheduled" if self.save_accept else "not created", "visit_date": None}
        self.saves.append(body)
        return Reply.json(body, headers=headers)

    def zenodo_route(self, seen: Seen) -> Reply:
        record_id = seen.path.rsplit("/", 1)[-1]
        record = self.records.get(record_id)
        if record is None:
            return Reply.json({"status": 404, "message": "The persistent identifier does not exist."}, 404)
        return Reply(200, json.dumps(record), {"content-type": "application/json"})

    def handle_route(self, seen: Seen) -> Reply:
        doi = unquote(seen.path[len(HANDLE_PREFIX):]).lower()
        url = self.dois.get(doi)
        if url is None:
            return Reply.json({"responseCode": 100, "handle": doi}, 404)
        return Reply.json({"responseCode": 1, "handle": doi, "values": [
            {"index": 1, "type": "URL", "data": {"format": "string", "value": url}, "ttl": 86400,
             "timestamp": "2024-05-02T10:00:00Z"}]})

    def route(self, seen: Seen) -> Reply:
        if seen.path.startswith((VISIT_PREFIX, RESOLVE_PREFIX)):
            return self.swh(seen)
        if seen.path.startswith(HANDLE_PREFIX):
            return self.handle_route(seen)
        if seen.path.startswith("/api/records/"):
            return self.zenodo_route(seen)
        if seen.path == "/api/1/":
            return Reply.json({"info": "Software Heritage API"})
        return Reply(404, "not here")


def serve(state: FakeArchives | None = None) -> tuple[LocalServer, FakeArchives]:
    state = state or FakeArchives()
    return LocalServer({"*": state.route}), state
