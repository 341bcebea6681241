"""Plain data shared by every stage: papers, links, targets, claims, facts, results.

Everything here is immutable and free of I/O, so extraction, checks and scoring
stay pure functions over these records (the gidgethub "sans-I/O" idea).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Mapping

try:  # CPython's own SHA-1: a title is a few dozen bytes, and OpenSSL's context costs more to set up than to hash them
    from _sha1 import sha1 as _sha1
except ImportError:  # another Python
    from hashlib import sha1 as _sha1

# --------------------------------------------------------------------------- papers


def paper_id_for(title: str) -> str:
    """Stable id of a paper: a hash of its normalised title.

    The same paper seen in several dumps (or with different spacing, case or
    punctuation) gets the same id, so it is one paper with several sightings.
    """
    if title.isascii():  # title_key's text, at a fraction of the cost: NFKC keeps ASCII, casefold is lower
        return _sha1(b" ".join(title.encode("ascii").lower().translate(_NOT_WORD).split())).hexdigest()[:16]
    return _sha1(title_key(title).encode("utf-8")).hexdigest()[:16]


def title_key(title: str) -> str:
    """A title compared as a reader would: case, accents of width, punctuation and spacing aside."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return re.sub(r"[\W_]+", " ", text).strip()


#: ASCII bytes outside ``\w``, and ``_``: a space each (runs of them are then one). A table of
#: bytes: bytes.translate is one C loop, str.translate looks each character up in a dict.
_NOT_WORD = bytes(c if c < 128 and chr(c).isalnum() else 32 for c in range(256))


@dataclass(frozen=True)
class Paper:
    """One paper as read from a dump (a record); several records may share a paper_id."""

    paper_id: str
    title: str
    abstract: str
    published_on: date | None = None
    authors: int | None = None
    organisation: str | None = None  # e.g. "openbmb OpenBMB" in HF dumps
    upvotes: int | None = None
    arxiv_id: str | None = None
    doi: str | None = None  # lower-cased, without "https://doi.org/"
    comments: str | None = None  # the arXiv snapshot's free-text comments ("Code: https://...")
    journal_ref: str | None = None
    #: How the arXiv id was had: "dump" (a column, the snapshot's id, a Daily Papers listing),
    #: "text" (an arxiv.org link or "arXiv:ID" in the abstract or comments), "hf_search" (the
    #: title matched on the Hub); None when there is none.
    arxiv_id_via: str | None = None
    #: What the title search found: "exact title", "ambiguous: N papers", "no match", or why it
    #: could not run ("unknown: offline"); None when no search was needed.
    arxiv_id_match: str | None = None
    #: Which discovery sources ran for this paper and what each said, as (source, outcome) pairs:
    #: outcome "searched", "not_indexed" (the Hub has no page), or "unknown: why". Set by the
    #: discovery stage for the paper-scope checks; stored in the ``discovery`` table.
    discovery: tuple[tuple[str, str], ...] = ()
    #: Every repository a source other than the abstract declared, as (source, target key) pairs,
    #: including those the abstract links too (which are not added twice as links). Stored in
    #: ``discovery.found``.
    declared: tuple[tuple[str, str], ...] = ()
    #: Code the dump's listing itself declares (a Hub Daily Papers entry's ``githubRepo`` and
    #: ``projectPage``): added as links of source ``hf_paper``. Not stored.
    listed_code: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sighting:
    """A paper seen in one dump, at one position."""

    paper_id: str
    source: str  # the dump's file name
    dump_date: date | None
    position: int  # 0-based record number in the dump


@dataclass(frozen=True)
class Record:
    """What an ingest reader yields: the paper and where it was seen."""

    paper: Paper
    sighting: Sighting


# --------------------------------------------------------------------------- targets

TargetKind = Literal[
    "github_repo",  # key github:owner/name (lower-cased)
    "github_owner",  # key github:owner
    "huggingface_model",  # key huggingface:model:org/name
    "huggingface_dataset",  # key huggingface:dataset:org/name
    "huggingface_space",  # key huggingface:space:org/name
    "huggingface_owner",  # key huggingface:user:org
    "project_page",  # key web:host/path   (GitHub Pages, GitLab Pages, Google Sites ...)
    "anonymous_repo",  # key anonymous:anonymous.4open.science/r/ID
    "forge_repo",  # key git:host/owner/name (GitLab, Bitbucket, Codeberg, Gitee)
    "doi",  # key doi:10.xxxx/yyyy (lower-cased)
    "zenodo",  # key zenodo:RECORD_ID
    "web",  # key web:host/path
]

#: Target kinds whose facts come from a code host and describe a repository.
REPOSITORY_KINDS = frozenset({"github_repo", "forge_repo", "anonymous_repo"})


@dataclass(frozen=True)
class Target:
    """A distinct thing a link points at. Facts are collected once per target.

    The key is stable and case-normalised: two links to the same repository
    (one to its root, one to ``tree/main/src``) share one target; the ref and
    sub-path stay on the Link.
    """

    key: str
    kind: TargetKind
    host: str
    url: str  # canonical URL of the target itself
    owner: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Link:
    """One link found in an abstract, repaired, resolved to a target."""

    raw: str  # the text as it stood in the abstract
    url: str  # the repaired URL
    target: Target
    ordinal: int = 0  # position among the paper's distinct links
    ref: str | None = None  # tree/blob ref
    subpath: str | None = None  # path below the ref
    number: int | None = None  # pull/issue number
    item: str | None = None  # "tree", "blob", "pull", "issues", "releases", ...
    via: str | None = None  # not in the abstract: found on this page (the project page's URL)
    placeholder: bool = False  # a claim's link to a forge's root or an owner page only: no repository named
    #: Where the link came from: one of :data:`LINK_SOURCES`.
    source: str = "abstract"


#: Where a link can come from: the abstract; the arXiv comments; the paper's Hugging Face
#: page (its GitHub repository, project page, and the Hub repositories citing it); GitHub's
#: search for the arXiv id; a project page the paper links (``via`` holds the page's URL).
LINK_SOURCES = ("abstract", "comments", "hf_paper", "github_search", "page")


ClaimKind = Literal["available", "promised", "on_request"]

#: What a claim is about: ``code``, ``model``, ``data`` (data sets, benchmarks), a combination
#: joined by "+" in that order ("code+data"), or ``unspecified`` ("resources", "artifacts").
CLAIM_OBJECTS = ("code", "model", "data")


@dataclass(frozen=True)
class Claim:
    """What a sentence says about code/model/data availability."""

    kind: ClaimKind
    sentence: str
    target_key: str | None  # None: a claim with no link in its sentence
    object: str = "unspecified"  # see CLAIM_OBJECTS


@dataclass(frozen=True)
class Extraction:
    """Links and claims of one abstract."""

    links: tuple[Link, ...] = ()
    claims: tuple[Claim, ...] = ()
    cut_from: int | None = None  # the abstract's length when it was cut at extract.MAX_ABSTRACT_CHARS


# --------------------------------------------------------------------------- facts

FactStatus = Literal[
    "ok",  # the target exists and data holds its facts
    "moved",  # exists under another name: canonical_key says where; data holds the facts
    "not_found",  # 404 / NOT_FOUND / gone
    "blocked",  # 403, 451 (DMCA), disabled, or private
    "unknown",  # not collected: offline, rate limited, budget spent (error says why)
    "error",  # collection failed after retries (error says how)
]


@dataclass(frozen=True)
class Facts:
    """Raw facts about one target, collected once and read by many checks.

    ``data`` is a JSON-serialisable mapping. For ``github_repo`` targets its
    keys are documented in :data:`GITHUB_REPO_FACTS`; other hosts document
    theirs in their collector module.
    """

    target_key: str
    status: FactStatus
    fetched_at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)
    canonical_key: str | None = None
    etag: str | None = None
    error: str | None = None

    @property
    def known(self) -> bool:
        """True when the facts say something about the target (not unknown/error)."""
        return self.status not in ("unknown", "error")


#: The keys of ``Facts.data`` for a GitHub repository. Every key may be missing
#: (None) when GitHub did not say, e.g. without a token or when budget ran out;
#: checks treat a missing key as "could not be had", never as "no".
GITHUB_REPO_FACTS: Mapping[str, str] = {
    "name_with_owner": "str: owner/name as GitHub now spells it",
    "moved_from": "str | None: the owner/name the link used, when the repository moved",
    "html_url": "str",
    "description": "str | None",
    "homepage": "str | None",
    "topics": "list[str]",
    "stars": "int",
    "forks": "int",
    "watchers": "int | None: REST only (a GraphQL connection would cost a point per 50 repositories)",
    "open_issues": "int | None: REST only (as watchers)",
    "license_spdx": "str | None: SPDX id, 'NOASSERTION' for an unrecognised license, None for none",
    "license_name": "str | None",
    "default_branch": "str | None: None for an empty repository",
    "is_archived": "bool",
    "archived_at": "str | None: ISO 8601 (GraphQL only)",
    "is_fork": "bool",
    "parent": "str | None: owner/name of the fork's parent",
    "is_disabled": "bool",
    "is_empty": "bool",
    "is_private": "bool",
    "created_at": "str: ISO 8601",
    "pushed_at": "str | None: ISO 8601",
    "last_commit_at": "str | None: ISO 8601 committed date of the default branch head",
    "commit_count": "int | None: commits on the default branch",
    "primary_language": "str | None",
    "languages": "dict[str, int]: bytes of code per language",
    "disk_usage_kb": "int | None",
    "readme": "dict | None: {name, size, text} with text cut at README_TEXT_LIMIT; None when there is none",
    "root_files": "list[dict] | None: [{name, type: 'file'|'dir'|'symlink'|'submodule', size}] of the default branch root",
    "subdir_files": "dict[str, list[str]] | None: entry names one level below each root folder (folders end in '/'; GraphQL only, at most 200 per folder)",
    "citation_files": "dict[str, str] | None: text of CITATION.cff and .zenodo.json at the root, cut at 16,384 characters (GraphQL: the same batched query; REST: one extra per file the root listing shows; None while not read)",
    "releases_count": "int | None",
    "latest_release": "dict | None: {tag, name, published_at}",
    "subpaths": "dict[str, bool]: 'ref:path' -> whether that tree/blob path exists",
}

README_TEXT_LIMIT = 20_000  # characters of README text kept for checks


# --------------------------------------------------------------------------- results

Status = Literal["pass", "warn", "fail", "unknown", "skip"]


@dataclass(frozen=True)
class Result:
    """The verdict of one check on one link (or on a paper, when link is None)."""

    status: Status
    reason: str  # one line a reviewer understands
    score: float | None = None  # 0-10; None for unknown and skip
    evidence: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.score is not None and not 0 <= self.score <= 10:
            raise ValueError(f"score must be within 0-10, got {self.score}")
