"""What the HTML scorecard's script reads: compact JSON built from ReportData.

Two blocks: ``rows`` (one short array per paper, worst first, parsed at load)
and ``details`` (links and every check result of each paper, parsed on the
first expand). Repeated strings (reasons, check names, dumps) are sent once in
a string table, so 50,000 papers stay a file a browser opens in seconds.

Field order of a row and of a detail is fixed here and read by
``assets/scorecard.js`` (ROW and LINK constants there).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Callable, Iterable, Iterator, Mapping

from auditor.report.data import STATUS_ORDER, Page, _present, one_line, paper_status, paper_url

EVIDENCE_LIMIT = 400

#: Collector family of each target kind (the names of ``audit run --hosts``).
HOST_OF_KIND = {
    "github_repo": "github", "github_owner": "github",
    "huggingface_model": "huggingface", "huggingface_dataset": "huggingface",
    "huggingface_space": "huggingface", "huggingface_owner": "huggingface",
    "anonymous_repo": "anonymous", "forge_repo": "forges",
}


def host_of(kind: Any) -> str:
    return HOST_OF_KIND.get(kind, "web") if isinstance(kind, str) else "web"


def link_source(row: Mapping[str, Any]) -> str:
    """Where a link was found: the ``source`` column when the store has one, else abstract or page."""
    source = row.get("source")
    if isinstance(source, str) and source:
        return source
    return "page" if isinstance(row.get("via"), str) and row.get("via") else "abstract"


def nothing_to_judge(row: Mapping[str, Any]) -> bool:
    """No applicable check at all: no link and no claim to hold the paper to."""
    applicable = row.get("applicable")
    return not (_present(applicable) and int(applicable) > 0) and not (row.get("n_fail") or row.get("n_warn"))


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []

    def __call__(self, value: Any) -> int:
        text = value if isinstance(value, str) else ("" if value is None or not _present(value) else str(value))
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.items)
            self.items.append(text)
        return i

    def line(self, value: Any) -> int:
        """Index of ``value`` made one line (computed once per distinct string)."""
        if not isinstance(value, str):
            return self("")
        i = self.index.get(value)
        if i is None:
            i = self(one_line(value))
            self.index[value] = i
        return i


def _text(value: Any) -> str:
    """A string field of a frame row ('' for None/NaN: pandas fills gaps with NaN, which is truthy)."""
    return value if isinstance(value, str) else ""


def _num(value: Any) -> float | int | None:
    if value is None or isinstance(value, str):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    if f != f or f in (float("inf"), float("-inf")):
        return None
    return int(f) if f.is_integer() and abs(f) < 2**53 else round(f, 2)


def _evidence(value: Any) -> str:
    """The evidence JSON as one line, cut at EVIDENCE_LIMIT (links.csv and the database have it whole)."""
    if isinstance(value, str):
        text = value if "\n" not in value else one_line(value)  # stored JSON is one line already
    elif value is None or not _present(value):
        return ""
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if text in ("", "{}", "null"):
        return ""
    return text if len(text) <= EVIDENCE_LIMIT else text[: EVIDENCE_LIMIT - 1] + "…"


class PageBuilder:
    """The two blocks built a page of papers at a time: :meth:`add` turns a page into its rows
    and details (in paper order); :meth:`meta` is complete once every page was added (the
    string table grows with each page, which is why the rows block is written last)."""

    status_char = {"fail": "f", "warn": "w", "unknown": "u", "pass": "p", "skip": "s"}

    def __init__(self, checks: Iterable[str]) -> None:
        self.strings = _Strings()
        self.checks = list(checks)
        self.check_index = {c: i for i, c in enumerate(self.checks)}

    def meta(self) -> dict[str, Any]:
        return {"checks": self.checks, "strings": self.strings.items, "statuses": list(STATUS_ORDER)}

    def write_meta(self, write: Callable[[str], Any], chunk: int = 4096) -> None:
        """``script_json(self.meta())`` through ``write``, the string table ``chunk`` strings at a
        time: the same text, without the whole table's JSON (and its escaped copies) held at once."""
        write(f'{{"checks":{script_json(self.checks)},"strings":[')
        items = self.strings.items
        for start in range(0, len(items), chunk):
            write(("," if start else "") + ",".join(script_json(s) for s in items[start:start + chunk]))
        write(f'],"statuses":{script_json(list(STATUS_ORDER))}}}')

    def add(self, page: Page) -> Iterator[tuple[list[Any], list[Any]]]:
        """(row, detail) of each paper of the page, worst first."""
        strings, checks, check_index, status_char = self.strings, self.checks, self.check_index, self.status_char
        links_by_paper: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
        for r in _records(page.links, LINK_FIELDS):
            ordinal = int(r["link_ordinal"])
            link = links_by_paper[r["paper_id"]].get(ordinal)
            if link is None:
                link = links_by_paper[r["paper_id"]][ordinal] = {"row": r, "results": []}
            link["results"].append(r)
        paper_results: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in _records(page.paper_results, RESULT_FIELDS):
            paper_results[r["paper_id"]].append(r)

        for p in _records(page.papers, PAPER_FIELDS):
            pid = p["paper_id"]
            links = [links_by_paper[pid][o] for o in sorted(links_by_paper.get(pid, {}))]
            statuses = p.get("checks") or {}
            check_chars = "".join(status_char.get(statuses.get(c), ".") for c in checks)
            hosts = sorted({strings(host_of(l["row"].get("target_kind"))) for l in links})
            sources = sorted({strings(link_source(l["row"])) for l in links})
            keys = " ".join(str(_text(l["row"].get("target_key"))) + " " + str(_text(l["row"].get("url"))) for l in links)
            dumps = [strings(s) for s in (p.get("sources") if p.get("sources") is not None else [])]
            claim = p.get("claim") if isinstance(p.get("claim"), str) else ""
            row = [
                pid,
                one_line(_text(p.get("title"))),
                p["published_on"].isoformat() if _present(p.get("published_on")) else "",
                _num(p.get("score")),
                _num(p.get("judged")),
                _num(p.get("applicable")),
                int(p.get("n_links") or 0),
                strings(claim),
                "n/a" if nothing_to_judge(p) else paper_status(p),
                strings.line(p.get("top_reason")),
                [int(p.get(f"n_{s}") or 0) for s in STATUS_ORDER],
                check_chars,
                hosts,
                sources,
                dumps,
                paper_url(p) or "",
                keys.strip(),
            ]
            detail = [
                [
                    [
                        int(l["row"]["link_ordinal"]),
                        _text(l["row"].get("url")),
                        _text(l["row"].get("raw")),
                        strings(link_source(l["row"])),
                        _text(l["row"].get("via")),
                        strings(_text(l["row"].get("target_kind"))),
                        strings(host_of(l["row"].get("target_kind"))),
                        _text(l["row"].get("target_key")),
                        strings(_text(l["row"].get("fact_status"))),
                        _text(l["row"].get("canonical_key")),
                        _num(l["row"].get("link_score")),
                        _num(l["row"].get("link_judged")),
                        _num(l["row"].get("link_applicable")),
                        strings(_text(l["row"].get("claim"))),
                        [_result(r, check_index, strings) for r in l["results"]],
                    ]
                    for l in links
                ],
                [_result(r, check_index, strings) for r in paper_results.get(pid, [])],
            ]
            yield row, detail


def _result(r: Mapping[str, Any], check_index: Mapping[str, int], strings: _Strings) -> list[Any]:
    name = r.get("check_name") or r.get("check")
    return [
        check_index[name] if name in check_index else strings(name),
        _text(r.get("status")),
        _num(r.get("score")),
        strings.line(r.get("reason")),
        _evidence(r.get("evidence")),
    ]


PAPER_FIELDS = ("paper_id", "title", "published_on", "arxiv_id", "doi", "sources", "n_links", "claim", "score",
                "judged", "applicable", "checks", "n_fail", "n_warn", "n_unknown", "n_pass", "n_skip", "top_reason")
LINK_FIELDS = ("paper_id", "link_ordinal", "url", "raw", "via", "source", "target_key", "target_kind",
               "fact_status", "canonical_key", "claim", "check_name", "status", "score", "reason", "evidence",
               "link_score", "link_judged", "link_applicable")
RESULT_FIELDS = ("paper_id", "check_name", "status", "score", "reason", "evidence")


def _records(frame: Any, fields: Iterable[str]) -> Iterable[dict[str, Any]]:
    """Rows of ``frame`` as dicts of the wanted columns (column lists zipped: far faster than to_dict)."""
    if frame is None or not len(frame):
        return []
    cols = [c for c in fields if c in frame.columns]
    lists = [frame[c].tolist() for c in cols]
    return (dict(zip(cols, values)) for values in zip(*lists))


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: nothing can close the block.

    ``<``, ``>`` and ``&`` only occur inside JSON strings, where their ``\\u``
    escapes mean the same; U+2028/2029 are escaped for old parsers.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
