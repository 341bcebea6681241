"""`audit archive-request`: ask Software Heritage to archive a run's unarchived repositories.

Opt-in and bounded: only repositories of the run whose archive facts say
Software Heritage holds no visit (``archive:*`` facts with status
``not_found``), at most ``limit`` per command (default 10, at most 100: Save
Code Now is a shared, rate-limited service). Each request's answer is kept as
facts under ``swh-save:<target key>`` (status ``ok`` accepted or pending,
``blocked`` rejected, ``error``/``unknown`` otherwise; data: origin,
request_status, task_status, request_date, id), so a later command does not
ask again for a repository whose request was accepted.
"""

from __future__ import annotations

from typing import Any, Mapping

from auditor.hosts.base import now_utc
from auditor.models import Facts
from auditor.signals import run_async

SAVE_PREFIX = "swh-save:"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100


def unarchived(store: Any, run_id: str) -> list[tuple[str, str]]:
    """(target key, origin URL) of the run's repositories that Software Heritage never archived and nobody asked for."""
    rows = store.query(
        """SELECT DISTINCT l.target_key, json_extract_string(f.data, '$.origin') AS origin
           FROM links l JOIN run_papers rp USING (paper_id)
           JOIN facts f ON f.target_key = 'archive:' || l.target_key
           LEFT JOIN facts s ON s.target_key = 'swh-save:' || l.target_key AND s.status = 'ok'
           WHERE rp.run_id = ? AND f.status = 'not_found' AND s.target_key IS NULL
           ORDER BY l.target_key""",
        [run_id],
    )
    return [(k, o) for k, o in zip(rows.get("target_key", []), rows.get("origin", [])) if o]


def save_facts(target_key: str, answer: Mapping[str, Any]) -> Facts:
    status = answer.get("request_status")
    kind = "ok" if status in ("accepted", "pending") else "blocked" if status == "rejected" else "error"
    error = None if kind == "ok" else str(answer.get("reason") or f"HTTP {answer.get('http_status')}")
    return Facts(SAVE_PREFIX + target_key, kind, now_utc(), dict(answer), error=error)  # type: ignore[arg-type]


async def request_all(collector: Any, todo: list[tuple[str, str]]) -> list[Facts]:
    out = []
    for key, origin in todo:
        try:
            answer = await collector.save_code_now(origin)
        except Exception as exc:  # noqa: BLE001 - one request's fault is recorded on it
            out.append(Facts(SAVE_PREFIX + key, "error", now_utc(), {"origin": origin}, error=str(exc)[:300]))
            if type(exc).__name__ == "_SWHLimited":
                break
            continue
        out.append(save_facts(key, answer))
    return out


def archive_request(store: Any, run_id: str, env: Mapping[str, str], *, limit: int = DEFAULT_LIMIT,
                    allow_private_hosts: bool = False) -> list[Facts]:
    """File Save Code Now requests for up to ``limit`` unarchived repositories of ``run_id``; store and return each answer."""
    from auditor.hosts.registry import build_archive_collector

    todo = unarchived(store, run_id)[: max(0, min(limit, MAX_LIMIT))]

    async def go() -> list[Facts]:
        async with build_archive_collector(env, allow_private_hosts=allow_private_hosts, max_wait=0) as collector:
            return await request_all(collector, todo)

    got = run_async(go()) if todo else []
    store.save_facts(got)
    return got
