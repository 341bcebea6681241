"""What the Hub's paper answers say, as plain data (pure).

Shapes, as huggingface_hub's ``PaperInfo.__init__`` (hf_api.py) reads them:

* ``GET /api/papers/{id}`` answers one flat object: ``id``, ``title``,
  ``githubRepo``, ``projectPage``, ``githubStars`` and, on the current Hub,
  ``linkedModels`` / ``linkedDatasets`` / ``linkedSpaces`` (lists of repository
  infos with ``id`` and ``likes``) with ``numTotalModels`` / ``numTotalDatasets``;
  404 when the Hub has no page for the paper.
* ``GET /api/daily_papers`` and ``GET /api/papers/search`` answer a list of
  entries with a nested ``paper`` object (``id``, ``title``, ``summary``,
  ``publishedAt``, ``upvotes``, ``githubRepo``, ``projectPage``) beside the
  entry's own ``title``, ``publishedAt``, ``numComments``.

Both readings are accepted everywhere: a key is looked up in ``paper`` first,
then at the top level, as PaperInfo does.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from auditor.ingest.fields import arxiv_id as parse_arxiv_id
from auditor.models import title_key

#: Hub repositories citing a paper that are added as its links, per kind (the most liked).
HUB_REPOS_PER_KIND = 3
HUB_KINDS = (("models", ""), ("datasets", "datasets/"), ("spaces", "spaces/"))
PUBLIC_HUB = "https://huggingface.co"


def field_of(entry: Mapping[str, Any], key: str) -> Any:
    paper = entry.get("paper")
    if isinstance(paper, Mapping) and paper.get(key) is not None:
        return paper.get(key)
    return entry.get(key)


def _url(value: Any) -> str | None:
    text = str(value).strip() if isinstance(value, str) else ""
    return text or None


def top_repos(items: Any, prefix: str, limit: int = HUB_REPOS_PER_KIND) -> list[str]:
    """URLs of the most liked repositories of a listing (``[{id, likes}, ...]``)."""
    if not isinstance(items, list):
        return []
    good = [i for i in items if isinstance(i, Mapping) and isinstance(i.get("id"), str) and i["id"]]
    good.sort(key=lambda i: (-(i.get("likes") or 0) if isinstance(i.get("likes"), int) else 0, i["id"]))
    return [f"{PUBLIC_HUB}/{prefix}{i['id']}" for i in good[:limit]]


def paper_page(info: Mapping[str, Any]) -> dict[str, Any]:
    """The facts kept of one paper answer: its declared code, page and the Hub repos citing it.

    ``linked`` is None when the answer does not list the citing repositories
    (then they are asked for with ``?filter=arxiv:ID``).
    """
    linked: list[str] | None = []
    for kind, prefix in HUB_KINDS:
        items = info.get("linked" + kind.capitalize())
        if items is None:
            linked = None
            break
        linked.extend(top_repos(items, prefix))  # type: ignore[union-attr]
    return {
        "arxiv_id": parse_arxiv_id(field_of(info, "id")),
        "title": field_of(info, "title"),
        "github_repo": _url(field_of(info, "githubRepo")),
        "project_page": _url(field_of(info, "projectPage")),
        "linked": linked,
    }


def code_urls(page: Mapping[str, Any]) -> list[str]:
    """The URLs a paper page contributes as links: repository, project page, citing Hub repos."""
    urls = [page.get("github_repo"), page.get("project_page")]
    return [u for u in urls if u] + list(page.get("linked") or [])


def search_matches(entries: Any) -> list[dict[str, str]]:
    """[{id, title}] of a search answer, entries without an arXiv id left out."""
    out: list[dict[str, str]] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue
        ident = parse_arxiv_id(field_of(entry, "id"))
        title = field_of(entry, "title")
        if ident and isinstance(title, str):
            out.append({"id": ident, "title": title})
    return out


def resolve_title(title: str, matches: Sequence[Mapping[str, str]]) -> tuple[str | None, str]:
    """(arXiv id, how) for a title among search matches: only one exact normalised match counts.

    ``how`` is "exact title", "ambiguous: N papers" (several ids share the
    title) or "no match" (the nearest are different titles: never a guess).
    """
    wanted = title_key(title)
    ids = list(dict.fromkeys(m["id"] for m in matches if title_key(m["title"]) == wanted))
    if len(ids) == 1:
        return ids[0], "exact title"
    if len(ids) > 1:
        return None, f"ambiguous: {len(ids)} papers"
    return None, "no match"


def listing_entries(entries: Any) -> Iterable[Mapping[str, Any]]:
    return (e for e in entries if isinstance(e, Mapping)) if isinstance(entries, list) else ()
