"""The views people query (paper_scorecard, link_scorecard and their ``_all``
forms over every run), their documentation, the README's example queries, and
the frames the reports read."""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from auditor.store.core import Db

_STATUS_RANK = (
    "CASE {col} WHEN 'fail' THEN 5 WHEN 'warn' THEN 4 WHEN 'unknown' THEN 3 WHEN 'pass' THEN 2 ELSE 1 END"
)
_CLAIM_RANK = "CASE {col} WHEN 'available' THEN 3 WHEN 'promised' THEN 2 WHEN 'on_request' THEN 1 ELSE 0 END"

#: A run's papers with their run, their paper and the paper's score: the rows of
#: paper_scorecard_all, which the reports order and page with the same joins (report_pages).
PAPER_JOINS = """FROM run_papers rp
    JOIN runs r USING (run_id)
    JOIN papers p USING (paper_id)
    LEFT JOIN scores s ON s.run_id = rp.run_id AND s.paper_id = rp.paper_id
                   AND s.target_key = '' AND s.link_ordinal = -1"""

#: The order of every paper list of the reports (paper_scorecard_all's columns): worst score
#: first, then most failures, title, id.
PAPER_ORDER = "score ASC NULLS LAST, n_fail DESC, title, paper_id"

#: A link's source; rows written before links had one: 'page' when found through a page.
LINK_SOURCE = "coalesce(l.source, CASE WHEN l.via IS NULL THEN 'abstract' ELSE 'page' END)"

VIEWS = [
    f"""CREATE OR REPLACE VIEW paper_scorecard_all AS
    WITH worst AS (  -- the worst status of each check over the paper's links and the paper itself
        SELECT run_id, paper_id, check_name,
               arg_max(status, {_STATUS_RANK.format(col="status")}) AS status
        FROM results GROUP BY ALL
    ), checks AS (
        SELECT run_id, paper_id,
               map_from_entries(list({{'key': check_name, 'value': status}} ORDER BY check_name)) AS checks
        FROM worst GROUP BY ALL
    ), counts AS (
        SELECT run_id, paper_id,
               count(*) FILTER (WHERE status = 'pass') AS n_pass,
               count(*) FILTER (WHERE status = 'warn') AS n_warn,
               count(*) FILTER (WHERE status = 'fail') AS n_fail,
               count(*) FILTER (WHERE status = 'unknown') AS n_unknown,
               count(*) FILTER (WHERE status = 'skip') AS n_skip
        FROM results GROUP BY ALL
    ), seen AS (
        SELECT paper_id, list(DISTINCT source ORDER BY source) AS sources FROM sightings GROUP BY ALL
    ), nlinks AS (
        SELECT paper_id, count(*) AS n_links FROM links GROUP BY ALL
    ), nclaims AS (
        SELECT paper_id, count(*) AS n_claims,
               arg_max(kind, {_CLAIM_RANK.format(col="kind")}) AS claim
        FROM claims GROUP BY ALL
    )
    SELECT rp.run_id, r.started_at, r.as_of, r.status AS run_status,
           p.paper_id, p.title, p.published_on, p.arxiv_id, p.upvotes,
           p.doi, p.arxiv_id_via, p.arxiv_id_match,
           coalesce(seen.sources, []::VARCHAR[]) AS sources,
           coalesce(nlinks.n_links, 0) AS n_links,
           nclaims.claim, coalesce(nclaims.n_claims, 0) AS n_claims,
           s.score, s.coverage, s.judged, s.applicable,
           coalesce(checks.checks, map()::MAP(VARCHAR, VARCHAR)) AS checks,
           coalesce(counts.n_pass, 0) AS n_pass, coalesce(counts.n_warn, 0) AS n_warn,
           coalesce(counts.n_fail, 0) AS n_fail, coalesce(counts.n_unknown, 0) AS n_unknown,
           coalesce(counts.n_skip, 0) AS n_skip,
           s.worst_check, s.worst_status, s.top_reason
    {PAPER_JOINS}
    LEFT JOIN checks ON checks.run_id = rp.run_id AND checks.paper_id = rp.paper_id
    LEFT JOIN counts ON counts.run_id = rp.run_id AND counts.paper_id = rp.paper_id
    LEFT JOIN seen ON seen.paper_id = rp.paper_id
    LEFT JOIN nlinks ON nlinks.paper_id = rp.paper_id
    LEFT JOIN nclaims ON nclaims.paper_id = rp.paper_id""",
    # The latest run that scored the paper; the latest run that saw it when none did.
    """CREATE OR REPLACE VIEW paper_scorecard AS
    SELECT * FROM paper_scorecard_all
    QUALIFY row_number() OVER (
        PARTITION BY paper_id ORDER BY (score IS NOT NULL) DESC, started_at DESC, run_id DESC
    ) = 1""",
    f"""CREATE OR REPLACE VIEW link_scorecard_all AS
    SELECT res.run_id, r.started_at, res.paper_id, p.title,
           res.link_ordinal, l.url, l.raw, l.via,
           {LINK_SOURCE} AS source,
           res.target_key,
           t.kind AS target_kind, t.url AS target_url,
           f.status AS fact_status, f.canonical_key, f.fetched_at,
           l.claim,
           res.check_name, res.status, res.score, res.reason, res.evidence,
           ls.score AS link_score, ls.coverage AS link_coverage,
           ls.judged AS link_judged, ls.applicable AS link_applicable
    FROM results res
    JOIN runs r USING (run_id)
    LEFT JOIN papers p ON p.paper_id = res.paper_id
    LEFT JOIN links l ON l.paper_id = res.paper_id AND l.ordinal = res.link_ordinal
    LEFT JOIN targets t ON t.target_key = res.target_key
    LEFT JOIN facts f ON f.target_key = res.target_key
    LEFT JOIN scores ls ON ls.run_id = res.run_id AND ls.paper_id = res.paper_id
                       AND ls.link_ordinal = res.link_ordinal
    WHERE res.link_ordinal <> -1""",
    """CREATE OR REPLACE VIEW link_scorecard AS
    SELECT l.* FROM link_scorecard_all l
    JOIN paper_scorecard pc ON pc.paper_id = l.paper_id AND pc.run_id = l.run_id""",
]

#: What the views hold, for the README and `audit` help.
VIEW_DOCS: Mapping[str, str] = {
    "paper_scorecard_all": (
        "one row per (run, paper): run_id, started_at, as_of, run_status, paper_id, title, published_on, "
        "arxiv_id, upvotes, doi, arxiv_id_via (dump, text, hf_search), arxiv_id_match (what the Hub's "
        "title search found), sources (dump files, list), n_links, claim (strongest claim: available > promised "
        "> on_request, NULL for none), n_claims, score, coverage, judged, applicable, "
        "checks (MAP check_name -> worst status over the paper's links and the paper itself), "
        "n_pass, n_warn, n_fail, n_unknown, n_skip (counts of results), worst_check, worst_status, "
        "top_reason (the reason of the worst result)"
    ),
    "paper_scorecard": "paper_scorecard_all for the latest run that scored each paper (or the latest that saw it)",
    "link_scorecard_all": (
        "one row per (run, link, check): run_id, started_at, paper_id, title, link_ordinal, url, raw, "
        "via (the page a link was found on), source (abstract, comments, hf_paper, github_search, page), target_key, target_kind, target_url, fact_status, canonical_key, fetched_at, claim, check_name, "
        "status, score, reason, evidence, link_score, link_coverage, link_judged, link_applicable"
    ),
    "link_scorecard": "link_scorecard_all for the run paper_scorecard shows for each paper",
}

#: Queries the README shows; a test runs each so they keep working.
EXAMPLE_QUERIES: Mapping[str, str] = {
    "paper_history": """\
-- One paper across runs: its score each time, how much could be judged, the worst finding
SELECT title, run_id, started_at::DATE AS run_date, as_of, run_status,
       score, judged || '/' || applicable AS judged, n_fail, n_warn, top_reason
FROM paper_scorecard_all
WHERE title ILIKE '%minicpm%'          -- or: paper_id = '...'
ORDER BY started_at""",
    "paper_sightings": """\
-- The dumps a paper was seen in, and where
SELECT p.title, s.source, s.dump_date, s.position, p.upvotes
FROM sightings s JOIN papers p USING (paper_id)
WHERE p.title ILIKE '%minicpm%'
ORDER BY s.dump_date, s.source""",
    "target_changes": """\
-- Targets whose status changed between collections (e.g. a repository that went 404)
SELECT target_key, list(status ORDER BY fetched_at) AS statuses,
       min(fetched_at) AS first_seen, max(fetched_at) AS last_change
FROM facts_history
GROUP BY target_key HAVING count(DISTINCT status) > 1
ORDER BY last_change DESC""",
    "failing_links": """\
-- Every failing check on the latest scorecard, with the paper and the target
SELECT title, url, check_name, reason, fact_status
FROM link_scorecard
WHERE status = 'fail'
ORDER BY title, link_ordinal""",
    "check_status_counts": """\
-- How each check went over a run's papers (checks is a MAP check -> worst status)
SELECT e.key AS check_name, e.value AS status, count(*) AS papers
FROM paper_scorecard, unnest(map_entries(checks)) AS t(e)
GROUP BY ALL ORDER BY check_name, papers DESC""",
}


class Views:
    """Report frames and counts over the views and tables."""

    def __init__(self, db: Db) -> None:
        self.db = db

    def paper_scorecard(self, run_id: str) -> pd.DataFrame:
        """paper_scorecard_all for one run, worst first (:data:`PAPER_ORDER`)."""
        return self.db.query(f"SELECT * FROM paper_scorecard_all WHERE run_id = ? ORDER BY {PAPER_ORDER}", [run_id])

    def link_scorecard(self, run_id: str) -> pd.DataFrame:
        """link_scorecard_all for one run, by paper, link and check."""
        return self.db.query(
            "SELECT * FROM link_scorecard_all WHERE run_id = ? ORDER BY paper_id, link_ordinal, check_name",
            [run_id],
        )

    def findings(self, run_id: str, statuses: Sequence[str] = ("fail", "warn"), limit: int | None = None) -> pd.DataFrame:
        """Results of a run with these statuses, worst first (fail before warn, low score first),
        link and paper scope alike (link_ordinal NULL at paper scope)."""
        return self.db.query(
            "SELECT res.paper_id, p.title, nullif(res.link_ordinal, -1) AS link_ordinal, res.target_key, l.url, "
            f"{LINK_SOURCE} AS source, res.check_name, res.status, res.score, res.reason "
            "FROM results res LEFT JOIN papers p USING (paper_id) "
            "LEFT JOIN links l ON l.paper_id = res.paper_id AND l.ordinal = res.link_ordinal "
            "WHERE res.run_id = ? AND list_contains(?, res.status) "
            f"ORDER BY {_STATUS_RANK.format(col='res.status')} DESC, res.score ASC NULLS LAST, "
            "res.paper_id, res.link_ordinal, res.check_name "
            + ("LIMIT ?" if limit is not None else ""),
            [run_id, list(statuses)] + ([int(limit)] if limit is not None else []),
        )

    def results_by_status(self, run_id: str) -> dict[str, int]:
        """How many results of the run have each status."""
        return {s: n for s, n in self.db.rows(
            "SELECT status, count(*) FROM results WHERE run_id = ? GROUP BY ALL ORDER BY 1", [run_id]
        )}

    def links_by_source(self, run_id: str) -> dict[str, int]:
        """How many links the run's papers hold, by where they were found (abstract, comments, ...)."""
        return {s: n for s, n in self.db.rows(
            f"SELECT {LINK_SOURCE}, count(*) FROM links l JOIN run_papers rp USING (paper_id) "
            "WHERE rp.run_id = ? GROUP BY ALL ORDER BY 1", [run_id]
        )}

    def links_of_run(self, run_id: str) -> int:
        """How many links the run's papers hold."""
        return self.db.rows(
            "SELECT count(*) FROM links JOIN run_papers rp USING (paper_id) WHERE rp.run_id = ?", [run_id]
        )[0][0]

    def targets_by_status(self, run_id: str) -> dict[str, int]:
        """Distinct targets linked by the run's papers, by fact status ('uncollected' when none)."""
        rows = self.db.rows(
            "SELECT coalesce(f.status, 'uncollected') AS status, count(DISTINCT l.target_key) "
            "FROM links l JOIN run_papers rp USING (paper_id) LEFT JOIN facts f USING (target_key) "
            "WHERE rp.run_id = ? GROUP BY ALL ORDER BY 1",
            [run_id],
        )
        return {s: n for s, n in rows}
