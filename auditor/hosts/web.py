"""Facts about web pages, project pages, DOIs and Zenodo records.

Every request goes through :mod:`auditor.safefetch` (http(s) only, public
addresses only on every redirect hop, bounded bodies, deadlines).

* ``project_page`` / ``web``: one GET following redirects. A 2xx page is
  judged: a parked domain (parking-service markers, or a redirect to a
  domain marketplace) or a soft 404 (a "not found" page served with 200, e.g.
  GitHub Pages' "There isn't a GitHub Pages site here.") is not reachable.
  The code-host links in the page's ``href``s are listed in ``code_links``;
  the pipeline audits them as links "found through the page".
* ``doi``: ``GET {doi_base}/{doi}`` without following: a redirect means the
  DOI is registered (we do not fetch the publisher, whose bot walls say
  nothing about the DOI). 404 -> not registered.
* ``zenodo``: ``GET {zenodo_base}/api/records/{id}`` -> title, access right,
  files, license and related code links (GitHub releases archived there).

``Facts.data`` keys (all kinds; None when not known):

================  ==========================================================
url               str: the URL asked for
final_url         str: after redirects (doi: the Location it resolves to)
redirects         list[str]: URLs redirected through
status_code       int | None: HTTP status of the final answer
content_type      str | None
size              int | None: body bytes (declared length when cut)
truncated         bool: the body was longer than the fetch bound
title             str | None: the HTML <title>, or the Zenodo record title
reachable         bool | None: True reachable; False gone (404/410, parked,
                  soft 404, no such host, refused as unsafe); None when the
                  site refused us (401/403/429) so nothing can be said
reachable_reason  str: one line, e.g. "ok", "HTTP 404", "parked domain
                  (sedoparking)", "soft 404 (title 'Page not found')",
                  "refused: private address", "host x does not resolve"
parked            bool
soft_404          bool
code_links        list[str]: repository URLs (GitHub, GitLab, Bitbucket,
                  Codeberg, Gitee, anonymous.4open.science) linked from the page
zenodo            dict | None: for zenodo targets, :func:`auditor.hosts.zenodo.parse_record`
                  ({id, doi, conceptdoi, title, access_right, files_count, license_spdx,
                  publication_date, updated, resource_type, related_urls, repository_urls})
license_spdx      str | None: zenodo only
================  ==========================================================

Facts.status: ``ok`` when reachable; ``not_found`` for 404/410, parked or
soft 404, and for no such host when the resolver resolves other public names;
``blocked`` for 401/403/429/451 and for URLs refused as unsafe; ``error``
after retries (5xx, or timeouts and network faults while other hosts answer);
``unknown`` when no host answered in the run, or NXDOMAIN came from a resolver
that resolves no public name (see :mod:`auditor.hosts.reachability`).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from typing import Any, AsyncIterator, Iterable, Mapping, Sequence
from urllib.parse import quote, urljoin, urlsplit


from auditor.hosts.base import TargetRequest
from auditor.hosts.common import SafeHostCollector, conditional_headers, facts, revalidated, run_all
from auditor.hosts.zenodo import parse_record
from auditor.models import REPOSITORY_KINDS, Facts
from auditor.origins import host_key
from auditor.safefetch import (
    FetchResult,
    HostNotFound,
    UnsafeURLError,
    describe_failure,
    fetch_retrying,
)

DEFAULT_DOI_BASE = "https://doi.org"
DEFAULT_ZENODO_BASE = "https://zenodo.org"
MAX_CODE_LINKS = 50
HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"

# --------------------------------------------------------------------------- page judgement (pure)

PARKED_MARKERS = (
    "this domain is for sale",
    "this domain may be for sale",
    "the domain name is for sale",
    "this domain name is for sale",
    "buy this domain",
    "domain is parked",
    "domain parked",
    "parked domain",
    "parked free, courtesy of",
    "this domain has expired",
    "the domain has expired",
    "sedoparking",
    "sedo domain parking",
    "parkingcrew",
    "bodis.com",
    "above.com/marketplace",
    "hugedomains.com",
    "dan.com/buy-domain",
    "afternic.com/forsale",
)
PARKING_HOSTS = ("sedo.com", "hugedomains.com", "dan.com", "afternic.com", "parkingcrew.net", "bodis.com", "sedoparking.com")

SOFT_404_BODY_MARKERS = (
    "there isn't a github pages site here",
    "site not found · github pages",
    "the page you're looking for could not be found",
    "the requested url was not found on this server",
    "this page could not be found",
    "page not found",
    "404 not found",
    "error 404",
    "no such app",  # Heroku
    "domain not found",
    "this site can’t be reached",
)
_SOFT_404_TITLE = re.compile(
    r"\b(404|page not found|not found|file not found|page does not exist|no such page|doesn'?t exist|site not found)\b",
    re.IGNORECASE,
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
_TAGS = re.compile(r"<script.*?</script\s*>|<style.*?</style\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)
SMALL_PAGE_TEXT = 3000  # body markers of a soft 404 only count on pages with little text


def page_title(text: str) -> str | None:
    m = _TITLE.search(text)
    if not m:
        return None
    title = " ".join(html.unescape(m.group(1)).split())
    return title[:300] or None


def visible_text(text: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", text)).split())


def parked_marker(text: str, final_url: str) -> str | None:
    """The parking marker found in a page (or its host), or None."""
    host = (urlsplit(final_url).hostname or "").lower()
    for parking in PARKING_HOSTS:
        if host == parking or host.endswith("." + parking):
            return parking
    low = text.lower()
    return next((m for m in PARKED_MARKERS if m in low), None)


def soft_404_reason(text: str) -> str | None:
    """Why a 2xx page is really a "not found" page, or None."""
    title = page_title(text)
    if title and _SOFT_404_TITLE.search(title):
        return f"title {title[:80]!r}"
    shown = visible_text(text)
    low = shown.lower()
    if "there isn't a github pages site here" in low:
        return "GitHub Pages has no site here"
    if len(shown) <= SMALL_PAGE_TEXT:
        marker = next((m for m in SOFT_404_BODY_MARKERS if m in low), None)
        if marker:
            return f"page says {marker!r}"
    return None


def hrefs(text: str, base_url: str) -> list[str]:
    """Absolute http(s) URLs of the page's href attributes, in order."""
    out: list[str] = []
    for m in _HREF.finditer(text):
        raw = html.unescape(next(g for g in m.groups() if g is not None)).strip()
        if not raw or raw.startswith(("#", "mailto:", "javascript:", "tel:", "data:")):
            continue
        url = urljoin(base_url, raw)
        if url.startswith(("http://", "https://")):
            out.append(url)
    return out


_FALLBACK_REPO = re.compile(
    r"^https?://(?:www\.)?(github\.com|gitlab\.com|bitbucket\.org|codeberg\.org|gitee\.com)/([\w.-]+)/([\w.-]+)", re.IGNORECASE
)


def code_links_in(urls: Iterable[str]) -> list[str]:
    """Repository URLs among ``urls``, one per repository, canonical form.

    Uses :func:`auditor.links.resolve` (the same resolution abstracts get);
    a small regex stands in where that module is absent.
    """
    try:
        from auditor.links import resolve
    except ImportError:  # pragma: no cover - the links module is part of the package
        resolve = None  # type: ignore[assignment]
    seen: dict[str, str] = {}
    for url in urls:
        if resolve is not None:
            try:
                target = resolve(url).target
            except Exception:  # a stranger's href must not break collection
                continue
            if target.kind in REPOSITORY_KINDS:
                seen.setdefault(target.key, target.url)
        else:
            m = _FALLBACK_REPO.match(url)
            if m:
                name = m.group(3)[:-4] if m.group(3).lower().endswith(".git") else m.group(3)
                canonical = f"https://{m.group(1).lower()}/{m.group(2)}/{name}"
                seen.setdefault(canonical.lower(), canonical)
        if len(seen) >= MAX_CODE_LINKS:
            break
    return list(seen.values())


def judge_page(result: FetchResult) -> dict[str, Any]:
    """Pure: the facts of one fetched page."""
    data: dict[str, Any] = {
        "url": result.url,
        "final_url": result.final_url,
        "redirects": list(result.redirects),
        "status_code": result.status_code,
        "content_type": result.content_type,
        "size": result.size,
        "truncated": result.truncated,
        "title": None,
        "parked": False,
        "soft_404": False,
        "code_links": [],
    }
    status = result.status_code
    if status in (404, 410):
        return {**data, "reachable": False, "reachable_reason": f"HTTP {status}"}
    if status == 451:
        return {**data, "reachable": False, "reachable_reason": "HTTP 451 (unavailable for legal reasons)"}
    if status in (401, 403, 407, 429):
        return {**data, "reachable": None, "reachable_reason": f"HTTP {status} (the site refuses automated clients)"}
    if status >= 400:
        return {**data, "reachable": False, "reachable_reason": f"HTTP {status}"}
    if status >= 300:
        return {**data, "reachable": False, "reachable_reason": f"HTTP {status} without a usable Location"}
    is_text = (result.content_type or "text/html").startswith(("text/", "application/xhtml"))
    text = result.text() if is_text else ""
    data["title"] = page_title(text) if text else None
    marker = parked_marker(text, result.final_url)
    if marker:
        return {**data, "parked": True, "reachable": False, "reachable_reason": f"parked domain ({marker})"}
    soft = soft_404_reason(text) if text else None
    if soft:
        return {**data, "soft_404": True, "reachable": False, "reachable_reason": f"soft 404 ({soft})"}
    data["code_links"] = code_links_in(hrefs(text, result.final_url)) if text else []
    return {**data, "reachable": True, "reachable_reason": "ok"}


def status_for(data: Mapping[str, Any]) -> str:
    """Facts.status for judged page data."""
    if data.get("reachable") is True:
        return "ok"
    if data.get("reachable") is None:
        return "blocked"
    if data.get("status_code") == 451:
        return "blocked"
    return "not_found"


# --------------------------------------------------------------------------- collector


@dataclass(frozen=True)
class WebSettings:
    doi_base: str = DEFAULT_DOI_BASE
    zenodo_base: str = DEFAULT_ZENODO_BASE
    per_host: int = 4

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "WebSettings":
        env = os.environ if env is None else env
        return cls(
            doi_base=(env.get("AUDITOR_DOI_URL") or DEFAULT_DOI_BASE).rstrip("/"),
            zenodo_base=(env.get("AUDITOR_ZENODO_URL") or DEFAULT_ZENODO_BASE).rstrip("/"),
        )


def unreachable_facts(request: TargetRequest, url: str, exc: BaseException) -> Facts:
    """A fetch that raised: refused and unknown hosts are findings, the rest errors."""
    kind, reason = describe_failure(exc)
    data = {"url": url, "final_url": getattr(exc, "url", None) if isinstance(exc, UnsafeURLError) else None,
            "reachable": None, "reachable_reason": reason, "code_links": [], "parked": False, "soft_404": False}
    if isinstance(exc, UnsafeURLError):
        return facts(request, "blocked", {**data, "reachable": False, "refused": True}, error=reason)
    if isinstance(exc, HostNotFound):
        return facts(request, "not_found", {**data, "reachable": False}, error=reason)
    return facts(request, "error", {**data, "failure": kind}, error=reason)


class WebCollector(SafeHostCollector):
    """Collector for project_page, web, doi and zenodo targets."""

    kinds = frozenset({"project_page", "web", "doi", "zenodo"})

    settings_class = WebSettings

    def url_of(self, request: TargetRequest) -> str:
        target = request.target
        if target.kind == "doi":
            doi = target.key.split(":", 1)[1]
            return f"{self.settings.doi_base}/{quote(doi, safe='/:;()._-')}"
        if target.kind == "zenodo":
            record = target.key.split(":", 1)[1]
            return f"{self.settings.zenodo_base}/api/records/{quote(record, safe='')}"
        return target.url

    def collect(self, requests: Sequence[TargetRequest]) -> AsyncIterator[Facts]:
        stream = run_all(requests, self._one, lambda r: urlsplit(self.url_of(r)).hostname or "", self.limiter, deadline=self.policy.total_timeout)
        return self.reachability.settle(stream)

    async def _one(self, request: TargetRequest) -> Facts:
        url = self.url_of(request)
        kind = request.target.kind
        host = host_key(url)
        headers = {"accept": HTML_ACCEPT, **conditional_headers(request)} if kind in ("project_page", "web") else {}
        base = {"url": url, "final_url": None, "code_links": [], "parked": False, "soft_404": False}
        if (reason := self.skip_reason(host)) is not None:
            return self.skipped(request, reason, base)
        try:
            if kind == "doi":
                result = await fetch_retrying(self.client, url, self.policy, self.retry, follow_redirects=False, read_body=False)
            elif kind == "zenodo":
                result = await fetch_retrying(self.client, url, self.policy, self.retry, headers={"accept": "application/json"}, expect_json=True)
            else:
                result = await fetch_retrying(self.client, url, self.policy, self.retry, headers=headers)
        except Exception as exc:
            if isinstance(exc, UnsafeURLError):
                base["final_url"] = exc.url
            return await self.failure(request, host, exc, base)
        self.reachability.answer_from(host)
        if result.status_code == 304 and request.cached is not None:
            return revalidated(request)
        if kind == "doi":
            return self._doi(request, result)
        if kind == "zenodo":
            return self._zenodo(request, result)
        data = judge_page(result)
        etag = result.headers.get("etag") if data["reachable"] else None
        return facts(request, status_for(data), data, etag=etag, error=None if data["reachable"] else data["reachable_reason"])

    def _doi(self, request: TargetRequest, result: FetchResult) -> Facts:
        base = {
            "url": result.url,
            "status_code": result.status_code,
            "content_type": result.content_type,
            "size": None,
            "truncated": False,
            "redirects": [],
            "title": None,
            "parked": False,
            "soft_404": False,
            "code_links": [],
        }
        if result.status_code in (301, 302, 303, 307, 308) and result.location:
            data = {**base, "final_url": result.location, "reachable": True, "reachable_reason": "ok (DOI resolves)"}
            data["code_links"] = code_links_in([result.location])
            return facts(request, "ok", data)
        if result.status_code == 404:
            data = {**base, "final_url": result.url, "reachable": False, "reachable_reason": "DOI not registered (HTTP 404)"}
            return facts(request, "not_found", data, error=data["reachable_reason"])
        data = judge_page(result)
        return facts(request, status_for(data), {**base, **data}, error=None if data["reachable"] else data["reachable_reason"])

    def _zenodo(self, request: TargetRequest, result: FetchResult) -> Facts:
        if result.status_code == 200:
            try:
                record = result.json()
            except ValueError as exc:
                return facts(request, "error", {"url": result.url}, error=f"Zenodo answered something else than JSON ({exc})")
            z = parse_record(record)
            data = {
                "url": result.url,
                "final_url": result.final_url,
                "redirects": list(result.redirects),
                "status_code": 200,
                "content_type": result.content_type,
                "size": result.size,
                "truncated": False,
                "title": z["title"],
                "parked": False,
                "soft_404": False,
                "reachable": True,
                "reachable_reason": "ok",
                "zenodo": z,
                "license_spdx": z["license_spdx"],
                "code_links": code_links_in(z["related_urls"]),
            }
            return facts(request, "ok", data)
        data = judge_page(result)
        if result.status_code == 410:
            data["reachable_reason"] = "Zenodo record deleted (HTTP 410)"
        return facts(request, status_for(data), data, error=data["reachable_reason"])
