"""What the Action says on the commit and the pull request: annotations and one comment.

* :func:`annotations` turns the worst papers of the audited dumps (scorecard.csv)
  into ``::error``/``::warning`` workflow commands that point at the dump file and
  the line holding the paper's title, so they show on the commit's files.
* :func:`post_or_update_comment` keeps one comment on a pull request (found by a
  hidden marker) holding the Markdown summary: created the first time, edited after.

The comment goes to GITHUB_API_URL with the action's token only (needs
``pull-requests: write``); GitHub caps a comment at 65,536 characters.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

MARKER = "<!-- repro-auditor:scorecard -->"
COMMENT_LIMIT = 65_536
#: GitHub shows at most 10 error and 10 warning annotations per step.
MAX_PER_KIND = 10


@dataclass(frozen=True)
class Annotation:
    kind: str  # "error" | "warning"
    message: str
    file: str | None = None
    line: int | None = None
    title: str = "repro-auditor"

    def command(self) -> str:
        """The workflow command line; properties and message escaped so nothing ends the line."""
        props = [f"title={_prop(self.title)}"]
        if self.file:
            props.insert(0, f"file={_prop(self.file)}")
            if self.line:
                props.insert(1, f"line={self.line}")
        return f"::{self.kind} {','.join(props)}::{_data(self.message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(scorecard_csv: Path, dumps: Sequence[str], workspace: Path) -> list[Annotation]:
    """Errors for papers with a failing check, warnings for papers with a warning, worst first,
    at most MAX_PER_KIND of each, each pointing at its dump (and line) when it can be found."""
    try:
        f = open(scorecard_csv, newline="", encoding="utf-8")
    except OSError:
        return []
    with f:  # read a row at a time: a run's scorecard.csv holds every paper, the annotations are the worst 20
        return _annotations(csv.DictReader(f), dumps, workspace)


def _annotations(rows: Iterable[Mapping[str, str]], dumps: Sequence[str], workspace: Path) -> list[Annotation]:
    by_name = {}
    for d in dumps:
        if not d.startswith("hf-daily:"):  # a live source (the Hub's Daily Papers) has no file to point at
            by_name.setdefault(Path(d).name, d)
    lines_of: dict[str, list[str]] = {}
    out: list[Annotation] = []
    counts = {"error": 0, "warning": 0}
    for row in rows:  # scorecard.csv is worst first
        kind = "error" if _int(row.get("n_fail")) else "warning" if _int(row.get("n_warn")) else None
        if kind is None or counts[kind] >= MAX_PER_KIND:
            continue
        counts[kind] += 1
        title = " ".join((row.get("title") or "").split())
        where = next((by_name[s.strip()] for s in (row.get("sources") or "").split(";") if s.strip() in by_name), None)
        line = _line_of(workspace / where, title, lines_of) if where else None
        repos = (row.get("repository_urls") or "").split()
        message = f"{row.get('top_reason') or 'failing check'}: {title}" + (f" ({repos[0]})" if repos else "")
        out.append(Annotation(kind, message, where, line, title=f"repro-auditor: {kind_word(kind)}"))
        if all(n >= MAX_PER_KIND for n in counts.values()):
            break  # the rest of the file cannot add one
    return out


def kind_word(kind: str) -> str:
    return "failing check" if kind == "error" else "warning"


def _int(value: Any) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def _line_of(path: Path, title: str, cache: dict[str, list[str]]) -> int | None:
    """The 1-based line of the dump that holds the title's start (text dumps and CSV alike)."""
    key = str(path)
    if key not in cache:
        try:
            cache[key] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            cache[key] = []
    probe = title[:60].lower()
    if not probe:
        return None
    for n, line in enumerate(cache[key], start=1):
        if probe in " ".join(line.split()).lower():
            return n
    return None


# --------------------------------------------------------------------------- the pull request comment


def pull_request_number(event_path: str | None) -> int | None:
    """The pull request's number from the event payload (None for other events)."""
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    number = (pr or {}).get("number") if isinstance(pr, dict) else None
    return number if isinstance(number, int) else None


def comment_body(markdown: str, limit: int = COMMENT_LIMIT) -> str:
    """The marker, then the summary cut at a line to fit GitHub's comment limit."""
    note = "\n*Cut to fit a comment: the job summary and the artifact have the whole scorecard.*\n"
    body = f"{MARKER}\n{markdown}"
    if len(body) <= limit:
        return body
    cut = body[: limit - len(note)]
    cut = cut[: cut.rfind("\n") + 1] if "\n" in cut else cut
    return cut + note


def post_or_update_comment(api_url: str, token: str, repository: str, number: int, markdown: str,
                           *, timeout: float = 30.0) -> tuple[str, str]:
    """Create or edit the one comment; returns ("created" | "updated", its html_url)."""
    import httpx

    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
               "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "repro-auditor-action"}
    body = comment_body(markdown)
    base = api_url.rstrip("/")
    with httpx.Client(headers=headers, timeout=timeout, follow_redirects=False) as client:
        existing = _find(client, f"{base}/repos/{repository}/issues/{number}/comments")
        if existing is not None:
            r = client.patch(f"{base}/repos/{repository}/issues/comments/{existing}", json={"body": body})
            r.raise_for_status()
            return "updated", str(r.json().get("html_url", ""))
        r = client.post(f"{base}/repos/{repository}/issues/{number}/comments", json={"body": body})
        r.raise_for_status()
        return "created", str(r.json().get("html_url", ""))


def _find(client: Any, url: str) -> int | None:
    """The id of our comment (the first holding MARKER), following the Link header's pages."""
    next_url: str | None = f"{url}?per_page=100"
    pages = 0
    while next_url and pages < 50:
        r = client.get(next_url)
        r.raise_for_status()
        for c in _comments(r.json()):
            if MARKER in (c.get("body") or ""):
                return int(c["id"])
        next_url = r.links.get("next", {}).get("url")
        pages += 1
    return None


def _comments(data: Any) -> Iterable[Mapping[str, Any]]:
    return [c for c in data if isinstance(c, dict)] if isinstance(data, list) else []
