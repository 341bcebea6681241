"""Papers and what was extracted from them: papers, sightings, targets, links, claims.

Writes are idempotent upserts (``ON CONFLICT``, or for papers an update and an
insert joined on the key); DuckDB silently collapses duplicate keys inside one
batch, so each batch is de-duplicated in Python first (the last one wins).

``papers`` has no primary key (schema 4): DuckDB holds the index of every row a
transaction inserts in memory until it commits, and cannot spill it, so loading
all of arXiv at once needed a memory limit that grew with the papers. Every
write joins on ``paper_id`` instead (an update for the papers stored, an insert
for the others), each batch distinct by it, so a paper is still stored once.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Mapping

import pyarrow as pa

from auditor.extract_rows import CLAIM_STRENGTH, extraction_rows, link_claim  # noqa: F401 (re-exported)
from auditor.iterutil import chunks
from auditor.models import Claim, Extraction, Link, Paper, Record, Target
from auditor.store.core import BATCH_ROWS, D, I, S, Db, table
from auditor.store.runs import RUN_PAPER_COLS

B = pa.bool_()

#: Not ``paper_id VARCHAR PRIMARY KEY``: see the module's docstring. The abstract, most of a
#: paper's bytes, is written once and read by no check or report: zstd, not DuckDB's default
#: dictionary/FSST, costs a third less CPU to insert and checkpoint and a third of the space
#: (300,000 generated snapshot papers: 6.4 s instead of 9.7 s CPU, 119 MB instead of 338 MB).
PAPERS_TABLE = """CREATE TABLE IF NOT EXISTS {name} (
        paper_id VARCHAR NOT NULL,
        title VARCHAR,
        abstract VARCHAR USING COMPRESSION zstd,  -- see PAPERS_TABLE
        published_on DATE,
        authors INTEGER,
        organisation VARCHAR,
        upvotes INTEGER,
        arxiv_id VARCHAR,
        first_seen_run VARCHAR,
        doi VARCHAR,
        comments VARCHAR,  -- the arXiv snapshot's comments
        journal_ref VARCHAR,
        arxiv_id_via VARCHAR,  -- how the arXiv id was had: dump, text, hf_search
        arxiv_id_match VARCHAR  -- what the Hub's title search found: exact title, ambiguous: N papers, no match
    )"""

TABLES = [
    PAPERS_TABLE.format(name="papers"),
    """CREATE TABLE IF NOT EXISTS sightings (
        paper_id VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        dump_date DATE,
        position INTEGER NOT NULL,
        run_id VARCHAR,
        PRIMARY KEY (paper_id, source, position)
    )""",
    """CREATE TABLE IF NOT EXISTS targets (
        target_key VARCHAR PRIMARY KEY,
        kind VARCHAR,
        host VARCHAR,
        owner VARCHAR,
        name VARCHAR,
        url VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS links (
        paper_id VARCHAR NOT NULL,
        ordinal INTEGER NOT NULL,
        raw VARCHAR,
        url VARCHAR,
        target_key VARCHAR,
        ref VARCHAR,
        subpath VARCHAR,
        number INTEGER,
        item VARCHAR,
        claim VARCHAR,
        via VARCHAR,  -- not in the abstract: the page it was found on
        placeholder BOOLEAN,  -- a forge's root or an owner page: no repository named
        source VARCHAR,  -- abstract, comments, hf_paper, github_search, page
        PRIMARY KEY (paper_id, ordinal)
    )""",
    """CREATE TABLE IF NOT EXISTS claims (
        paper_id VARCHAR NOT NULL,
        ordinal INTEGER NOT NULL,
        kind VARCHAR,
        sentence VARCHAR,
        target_key VARCHAR,
        object VARCHAR,  -- code, model, data, a combination ("code+data"), unspecified
        PRIMARY KEY (paper_id, ordinal)
    )""",
    # columns added since the tables were first made: files written before gain them (NULL)
    "ALTER TABLE links ADD COLUMN IF NOT EXISTS placeholder BOOLEAN",
    "ALTER TABLE claims ADD COLUMN IF NOT EXISTS object VARCHAR",
    *(f"ALTER TABLE papers ADD COLUMN IF NOT EXISTS {c} VARCHAR"
      for c in ("doi", "comments", "journal_ref", "arxiv_id_via", "arxiv_id_match")),
    "ALTER TABLE links ADD COLUMN IF NOT EXISTS source VARCHAR",
]

PAPER_COLS = {
    "paper_id": S, "title": S, "abstract": S, "published_on": D, "authors": I,
    "organisation": S, "upvotes": I, "arxiv_id": S, "first_seen_run": S,
    "doi": S, "comments": S, "journal_ref": S, "arxiv_id_via": S, "arxiv_id_match": S,
}
SIGHTING_COLS = {"paper_id": S, "source": S, "dump_date": D, "position": I, "run_id": S}
TARGET_COLS = {"target_key": S, "kind": S, "host": S, "owner": S, "name": S, "url": S}
LINK_COLS = {
    "paper_id": S, "ordinal": I, "raw": S, "url": S, "target_key": S, "ref": S,
    "subpath": S, "number": I, "item": S, "claim": S, "via": S, "placeholder": B, "source": S,
}
CLAIM_COLS = {"paper_id": S, "ordinal": I, "kind": S, "sentence": S, "target_key": S, "object": S}
#: Paper fields read back for a run's batches (the abstract stays in the file: checks never read it).
_BATCH_FIELDS = ("title", "published_on", "authors", "organisation", "upvotes", "arxiv_id", "doi", "comments",
                 "journal_ref", "arxiv_id_via", "arxiv_id_match")

COLUMNS = {
    "papers": tuple(PAPER_COLS), "sightings": tuple(SIGHTING_COLS), "targets": tuple(TARGET_COLS),
    "links": tuple(LINK_COLS), "claims": tuple(CLAIM_COLS)
}


class Papers:
    """Papers, sightings, targets, links and claims."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def add_records(self, records: Iterable[Record], run_id: str) -> int:
        """Store papers, sightings and the run's membership; returns the records read.

        A paper already stored keeps its ``first_seen_run``; its other fields take
        the newest non-empty value. A sighting already stored is left as it was.
        """
        count = 0
        for batch in chunks(records, BATCH_ROWS):
            count += len(batch)
            papers: dict[str, dict[str, Any]] = {}
            sightings: dict[tuple[str, str, int], dict[str, Any]] = {}
            for rec in batch:
                row, before = paper_row(rec, run_id), papers.get(rec.paper.paper_id)
                if before is not None:  # the newest non-empty value, within a batch as across them
                    row = {k: before[k] if v is None else v for k, v in row.items()}
                papers[rec.paper.paper_id] = row
                s = rec.sighting
                sightings[(s.paper_id, s.source, s.position)] = sighting_row(rec, run_id)
            members = [{"run_id": run_id, "paper_id": pid} for pid in papers]
            batch_papers = table(papers.values(), PAPER_COLS)
            self.db.write([
                *upsert_papers("_b", {"_b": batch_papers}),
                ("INSERT INTO sightings SELECT * FROM _b ON CONFLICT DO NOTHING",
                 {"_b": table(sightings.values(), SIGHTING_COLS)}),
                ("INSERT INTO run_papers BY NAME SELECT * FROM _b ON CONFLICT DO NOTHING",
                 {"_b": table(members, RUN_PAPER_COLS)}),
            ])
        return count

    def add_extractions(self, items: Iterable[tuple[str, Extraction]]) -> None:
        """Store targets, links and claims of many papers, in batches.

        Re-extracting a paper replaces its links and claims; targets are upserted.
        Link ordinals must be distinct within a paper (they key results).
        """
        for batch in chunks(items, BATCH_ROWS // 4):
            extractions = dict(batch)  # the last extraction of a paper wins
            targets: dict[str, dict[str, Any]] = {}
            links: list[dict[str, Any]] = []
            claims: list[dict[str, Any]] = []
            for paper_id, ex in extractions.items():
                extraction_rows(paper_id, ex, targets, links, claims)
            ids = table(({"key": pid} for pid in extractions), {"key": S})
            links_t, claims_t = table(links, LINK_COLS), table(claims, CLAIM_COLS)
            # Upsert, then delete what the new extraction no longer has: far cheaper
            # in DuckDB than deleting and re-inserting every row.
            self.db.write([
                ("INSERT INTO targets SELECT * FROM _b ON CONFLICT (target_key) DO UPDATE SET "
                 + upsert_set("targets", TARGET_COLS, ("target_key",)),
                 {"_b": table(targets.values(), TARGET_COLS)}),
                ("INSERT INTO links BY NAME SELECT * FROM _b ON CONFLICT (paper_id, ordinal) DO UPDATE SET "
                 + upsert_set("links", LINK_COLS, ("paper_id", "ordinal")),
                 {"_b": links_t}),
                ("INSERT INTO claims BY NAME SELECT * FROM _b ON CONFLICT (paper_id, ordinal) DO UPDATE SET "
                 + upsert_set("claims", CLAIM_COLS, ("paper_id", "ordinal")),
                 {"_b": claims_t}),
                ("DELETE FROM links t WHERE t.paper_id IN (SELECT key FROM _ids) AND NOT EXISTS "
                 "(SELECT 1 FROM _b b WHERE b.paper_id = t.paper_id AND b.ordinal = t.ordinal)",
                 {"_ids": ids, "_b": links_t}),
                ("DELETE FROM claims t WHERE t.paper_id IN (SELECT key FROM _ids) AND NOT EXISTS "
                 "(SELECT 1 FROM _b b WHERE b.paper_id = t.paper_id AND b.ordinal = t.ordinal)",
                 {"_ids": ids, "_b": claims_t}),
            ])

    def save_identities(self, papers: Iterable[Paper]) -> None:
        """Record what the Hub's title search settled (or could not) for these papers."""
        rows = {p.paper_id: {"paper_id": p.paper_id, "arxiv_id": p.arxiv_id, "arxiv_id_via": p.arxiv_id_via,
                             "arxiv_id_match": p.arxiv_id_match} for p in papers}
        if not rows:
            return
        cols = {"paper_id": S, "arxiv_id": S, "arxiv_id_via": S, "arxiv_id_match": S}
        self.db.write([(
            "UPDATE papers SET arxiv_id = coalesce(b.arxiv_id, papers.arxiv_id), "
            "arxiv_id_via = coalesce(b.arxiv_id_via, papers.arxiv_id_via), arxiv_id_match = b.arxiv_id_match "
            "FROM _b b WHERE papers.paper_id = b.paper_id",
            {"_b": table(rows.values(), cols)},
        )])

    def run_batches(self, run_id: str, size: int,
                    discovery: Callable[[list[str]], Mapping[str, tuple[Any, Any]]] | None = None,
                    ) -> Iterator[list[tuple[Paper, Extraction]]]:
        """The run's papers with their extractions, ``size`` at a time, by paper_id.

        Each batch is read when it is asked for (a keyset page), so no caller holds
        every paper; writes between batches to papers already read are safe.
        ``discovery(ids)``: (outcomes, declared) by paper, put on ``Paper.discovery``
        and ``Paper.declared``.
        """
        after = ""
        cols = ", ".join(f"p.{c}" for c in _BATCH_FIELDS)
        while True:
            ids = [r[0] for r in self.db.rows(
                "SELECT paper_id FROM run_papers WHERE run_id = ? AND paper_id > ? ORDER BY paper_id LIMIT ?",
                [run_id, after, size])]
            if not ids:
                return
            after = ids[-1]
            rows = self.db.with_keys(
                ids, f"SELECT p.paper_id, {cols} FROM papers p JOIN _keys ON key = p.paper_id ORDER BY p.paper_id")
            extractions = self.extractions(ids)
            found = discovery(ids) if discovery is not None else {}
            batch = []
            for pid, *values in rows:
                outcomes, declared = found.get(pid, ((), ()))
                paper = Paper(paper_id=pid, abstract="", **dict(zip(_BATCH_FIELDS, values)),
                              discovery=outcomes, declared=declared)
                batch.append((paper, extractions.get(pid, Extraction())))
            yield batch

    def papers_for_run(self, run_id: str) -> list[Paper]:
        """The distinct papers the run covered, by paper_id."""
        rows = self.db.rows(
            "SELECT p.paper_id, title, abstract, published_on, authors, organisation, upvotes, arxiv_id "
            "FROM run_papers rp JOIN papers p USING (paper_id) WHERE rp.run_id = ? ORDER BY p.paper_id",
            [run_id],
        )
        return [Paper(*r) for r in rows]

    def extractions(self, paper_ids: Iterable[str]) -> dict[str, Extraction]:
        """Links (with their targets) and claims of these papers; papers without either are absent."""
        ids = list(paper_ids)
        links = self.links_with_targets(ids)
        claims: dict[str, list[Claim]] = {}
        for pid, kind, sentence, key, obj in self.db.with_keys(
            ids,
            "SELECT paper_id, kind, sentence, target_key, object FROM claims JOIN _keys ON key = paper_id "
            "ORDER BY paper_id, ordinal",
        ):
            claims.setdefault(pid, []).append(
                Claim(kind=kind, sentence=sentence, target_key=key, object=obj or "unspecified")
            )
        return {
            pid: Extraction(links=links.get(pid, ()), claims=tuple(claims.get(pid, ())))
            for pid in sorted(set(links) | set(claims))
        }

    def links_with_targets(self, paper_ids: Iterable[str]) -> dict[str, tuple[Link, ...]]:
        """The stored links of these papers, ordered, each with its Target."""
        out: dict[str, list[Link]] = {}
        for r in self.db.with_keys(
            paper_ids,
            "SELECT l.paper_id, l.raw, l.url, l.ordinal, l.ref, l.subpath, l.number, l.item, l.via, "
            "t.target_key, t.kind, t.host, t.url, t.owner, t.name, l.placeholder, "
            "coalesce(l.source, CASE WHEN l.via IS NULL THEN 'abstract' ELSE 'page' END) "
            "FROM links l JOIN _keys ON key = l.paper_id LEFT JOIN targets t USING (target_key) "
            "ORDER BY l.paper_id, l.ordinal",
        ):
            target = Target(key=r[9], kind=r[10], host=r[11], url=r[12], owner=r[13], name=r[14])
            out.setdefault(r[0], []).append(
                Link(raw=r[1], url=r[2], target=target, ordinal=r[3], ref=r[4], subpath=r[5], number=r[6], item=r[7], via=r[8],
                     placeholder=bool(r[15]), source=r[16])
            )
        return {pid: tuple(links) for pid, links in out.items()}


#: Paper columns a stored paper takes from a newer read, where that read has a value.
_NEWER = [c for c in PAPER_COLS if c not in ("paper_id", "first_seen_run")]


def upsert_papers(rows: str, tables: Mapping[str, pa.Table]) -> list[tuple[str, Mapping[str, pa.Table]]]:
    """The statements (for :meth:`Db.write`) that upsert ``rows``, distinct by paper_id: a paper
    stored takes each field's non-empty new value (rewritten only where one differs: an update
    costs a new row version) and keeps its first_seen_run; the others are inserted.

    The stored ones are found first by their ids alone (papers has no key to look them up), so
    that the update joins only those and the insert anti-joins a batch-sized table, not the
    whole of papers."""
    differs = " OR ".join(f"papers.{c} IS DISTINCT FROM coalesce(b.{c}, papers.{c})" for c in _NEWER)
    return [
        (f"CREATE OR REPLACE TEMP TABLE _stored AS SELECT paper_id FROM papers SEMI JOIN {rows} USING (paper_id)", tables),
        (f"UPDATE papers SET {', '.join(f'{c} = coalesce(b.{c}, papers.{c})' for c in _NEWER)} "
         f"FROM (SELECT * FROM {rows} SEMI JOIN _stored USING (paper_id)) b WHERE papers.paper_id = b.paper_id AND ({differs})",
         tables),
        (f"INSERT INTO papers BY NAME SELECT * FROM {rows} ANTI JOIN _stored USING (paper_id)", tables),
        ("DROP TABLE _stored", {}),
    ]


def migrate_from_v3(con: Any, path: str) -> None:
    """Schema 3 gave ``papers`` a primary key: copy it into a table without one (the key's
    index is what the merge of a large load could not hold in memory, see the docstring)."""
    if not con.execute("SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'main' AND table_name = 'papers' "
                       "AND constraint_type = 'PRIMARY KEY' AND database_name = current_database()").fetchone()[0]:
        return
    con.execute(PAPERS_TABLE.format(name="papers_v4"))
    con.execute("INSERT INTO papers_v4 BY NAME SELECT * FROM papers")
    con.execute("DROP TABLE papers")
    con.execute("ALTER TABLE papers_v4 RENAME TO papers")


def upsert_set(name: str, cols: Iterable[str], key: tuple[str, ...]) -> str:
    """``c = excluded.c, ... WHERE`` any differs: a row read again unchanged is not rewritten
    (an update costs a new row version, so a weekly re-run would otherwise grow the file)."""
    rest = [c for c in cols if c not in key]
    return (", ".join(f"{c} = excluded.{c}" for c in rest)
            + " WHERE " + " OR ".join(f"{name}.{c} IS DISTINCT FROM excluded.{c}" for c in rest))


def paper_row(rec: Record, run_id: str) -> dict[str, Any]:
    p = rec.paper
    return {
        "paper_id": p.paper_id, "title": p.title, "abstract": p.abstract,
        "published_on": p.published_on, "authors": p.authors,
        "organisation": p.organisation, "upvotes": p.upvotes, "arxiv_id": p.arxiv_id,
        "first_seen_run": run_id, "doi": p.doi, "comments": p.comments,
        "journal_ref": p.journal_ref, "arxiv_id_via": p.arxiv_id_via, "arxiv_id_match": p.arxiv_id_match,
    }


def sighting_row(rec: Record, run_id: str) -> dict[str, Any]:
    s = rec.sighting
    return {"paper_id": s.paper_id, "source": s.source, "dump_date": s.dump_date, "position": s.position, "run_id": run_id}
