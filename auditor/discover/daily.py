"""The Hub's Daily Papers listing as a dump: ``hf-daily:2026-11-30``, ``hf-daily:2026-W48``, ``hf-daily:2026-11``.

``GET {HF_ENDPOINT}/api/daily_papers?date=|week=|month=&p=N&limit=L`` (as
huggingface_hub's ``HfApi.list_daily_papers``: ``p`` counts pages from 0),
paged until a page comes back short. Each entry's nested ``paper`` gives the
arXiv id, title, abstract (``summary``), date, upvotes and what the authors
declared on the Hub (``githubRepo``, ``projectPage``); the ids are known, so no
title search is needed. A listing that cannot be had is an input error: one
line, exit 1, before anything is written.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterator, Mapping
from urllib.parse import urlencode

from auditor.discover.hub import field_of, listing_entries
from auditor.errors import InputError
from auditor.ingest.fields import arxiv_id as parse_arxiv_id
from auditor.ingest.fields import normalise_title, parse_date, parse_int
from auditor.models import Paper, Record, Sighting, paper_id_for
from auditor.signals import run_async

PREFIX = "hf-daily:"
#: Entries asked per page: the Hub's own default (``limit`` 50).
PAGE_SIZE = 50
#: A month is a few thousand papers; a server that never ends its listing must not loop forever.
MAX_PAGES = 200
USAGE = "expected hf-daily:YYYY-MM-DD, hf-daily:YYYY-Www or hf-daily:YYYY-MM"

_SPEC = re.compile(r"^(?:(?P<date>\d{4}-\d{2}-\d{2})|(?P<week>\d{4}-W\d{2})|(?P<month>\d{4}-\d{2}))$")


def is_daily(spec: object) -> bool:
    return str(spec).startswith(PREFIX)


def parse_spec(spec: str) -> tuple[str, str]:
    """('date'|'week'|'month', value) of ``hf-daily:...``; InputError when it is none of them."""
    value = str(spec)[len(PREFIX):]
    match = _SPEC.match(value)
    if match is None:
        raise InputError(f"{spec}: {USAGE}")
    kind = next(k for k, v in match.groupdict().items() if v)
    try:
        if kind == "date":
            date.fromisoformat(value)
        elif kind == "week":
            date.fromisocalendar(int(value[:4]), int(value[6:]), 1)
        else:
            date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        raise InputError(f"{spec}: {value} is not a {'day' if kind == 'date' else kind}; {USAGE}") from None
    return kind, value


def records_of(entries: list[Mapping[str, Any]], source: str, dump_date: date | None) -> list[Record]:
    """Pure: the listing's entries as records (entries without a title or abstract are left out)."""
    out: list[Record] = []
    for position, entry in enumerate(entries):
        title = normalise_title(str(field_of(entry, "title") or ""))
        summary = field_of(entry, "summary")
        if not title or not isinstance(summary, str) or not summary.strip():
            continue
        ident = parse_arxiv_id(field_of(entry, "id"))
        declared = tuple(u.strip() for key in ("githubRepo", "projectPage")
                         if isinstance(u := field_of(entry, key), str) and u.strip())
        paper = Paper(
            paper_id=paper_id_for(title), title=title, abstract=summary,
            published_on=parse_date(field_of(entry, "publishedAt")),
            upvotes=parse_int(field_of(entry, "upvotes")),
            arxiv_id=ident, arxiv_id_via="dump" if ident else None,
            listed_code=declared,
        )
        out.append(Record(paper, Sighting(paper.paper_id, source, dump_date, position)))
    return out


def read_daily(spec: str, env: Mapping[str, str], *, allow_private_hosts: bool = False,
               offline: bool = False) -> Iterator[Record]:
    """The listing's records; raises InputError at the call when it cannot be had."""
    kind, value = parse_spec(spec)
    if offline:
        raise InputError(f"{spec}: reading the Hub's Daily Papers needs the network (drop --offline)")
    entries = run_async(_fetch_all(spec, kind, value, env, allow_private_hosts))
    dump_date = date.fromisoformat(value) if kind == "date" else None
    return iter(records_of(entries, spec, dump_date))


async def _fetch_all(spec: str, kind: str, value: str, env: Mapping[str, str], allow_private_hosts: bool) -> list[Any]:
    from auditor.discover.fetch import HubPapers
    from auditor.safefetch import describe_failure

    entries: list[Any] = []
    async with HubPapers.from_env(env, allow_private_hosts=allow_private_hosts) as hub:
        for page in range(MAX_PAGES):
            url = f"{hub.settings.endpoint}/api/daily_papers?{urlencode({kind: value, 'p': page, 'limit': PAGE_SIZE})}"
            try:
                result = await hub._get(url)
                body = result.json() if result.status_code == 200 else None
            except Exception as exc:  # noqa: BLE001 - any fault is the input's one-line error
                raise InputError(f"{spec}: the Hub's Daily Papers could not be read: {describe_failure(exc)[1]}") from None
            if result.status_code != 200:
                raise InputError(f"{spec}: the Hub answered HTTP {result.status_code} for its Daily Papers")
            got = list(listing_entries(body))
            entries.extend(got)
            if len(got) < PAGE_SIZE:
                break
    return entries
