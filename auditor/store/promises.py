"""Views over runs for promises kept over time and link rot (no tables of their own).

``promise_observations``: each run's ``claim_kept`` verdict on a link whose
strongest claim is ``promised`` (judged results only), with the last commit
date the repository had then. ``promises``: one row per promised (paper,
target): ``delivered_on`` (NULL: still open), the day counts a survival
analysis needs (``days``: to delivery, or to the latest run's as-of date when
open: censored), and the observations it rests on.

delivered_on is the repository's last commit date at the first run that saw
the code (the state seen is the state after that commit, so the code was
there by then), never before the paper date, never before the day after the
last run that saw it missing, never after the run that saw it.

``link_rot``: for each run, the share of its links that are dead (not found,
unreachable), moved, emptied (a repository with no code) or archived
(Software Heritage, stale snapshots included, or Zenodo).
"""

from __future__ import annotations

VIEWS = [
    """CREATE OR REPLACE VIEW promise_observations AS
    SELECT r.run_id, r.paper_id, r.target_key, r.link_ordinal, ru.as_of, ru.started_at,
           r.status = 'pass' AS delivered,
           TRY_CAST(json_extract_string(r.evidence, '$.last_commit_at') AS TIMESTAMPTZ)::DATE AS last_commit_on
    FROM results r JOIN runs ru USING (run_id)
    WHERE r.check_name = 'claim_kept' AND r.link_ordinal >= 0 AND r.status IN ('pass', 'warn', 'fail')
      AND json_extract_string(r.evidence, '$.claim') = 'promised'""",
    """CREATE OR REPLACE VIEW promises AS
    WITH obs AS (SELECT * FROM promise_observations),
    first_code AS (
        SELECT paper_id, target_key, MIN(as_of) AS first_seen FROM obs WHERE delivered GROUP BY ALL),
    last_open AS (
        SELECT o.paper_id, o.target_key, MAX(o.as_of) AS last_open
        FROM obs o LEFT JOIN first_code f USING (paper_id, target_key)
        WHERE NOT o.delivered AND (f.first_seen IS NULL OR o.as_of < f.first_seen) GROUP BY ALL),
    at_first AS (
        SELECT o.paper_id, o.target_key, MAX(o.last_commit_on) AS last_commit_on
        FROM obs o JOIN first_code f ON o.paper_id = f.paper_id AND o.target_key = f.target_key
                                     AND o.as_of = f.first_seen
        GROUP BY ALL),
    latest AS (SELECT paper_id, target_key, MAX(as_of) AS latest_as_of, COUNT(*) AS observations FROM obs GROUP BY ALL),
    judged AS (
        SELECT l.paper_id, l.target_key, p.title, p.published_on AS paper_date, f.first_seen, lo.last_open,
               l.latest_as_of, l.observations,
               CASE WHEN f.first_seen IS NULL THEN NULL ELSE
                   LEAST(f.first_seen, GREATEST(p.published_on,
                                                COALESCE(lo.last_open + 1, p.published_on),
                                                COALESCE(a.last_commit_on, f.first_seen))) END AS delivered_on
        FROM latest l JOIN papers p USING (paper_id)
        LEFT JOIN first_code f USING (paper_id, target_key)
        LEFT JOIN last_open lo USING (paper_id, target_key)
        LEFT JOIN at_first a USING (paper_id, target_key)
        WHERE p.published_on IS NOT NULL)
    SELECT paper_id, target_key, title, paper_date, delivered_on, delivered_on IS NOT NULL AS kept,
           CASE WHEN delivered_on IS NULL THEN latest_as_of END AS censored_on,
           date_diff('day', paper_date, COALESCE(delivered_on, latest_as_of)) AS days,
           first_seen AS first_run_with_code, last_open AS last_run_without_code, observations
    FROM judged""",
    """CREATE OR REPLACE VIEW link_rot AS
    WITH per_link AS (
        SELECT r.run_id, r.paper_id, r.link_ordinal,
               BOOL_OR((r.check_name = 'repo_exists' AND r.status = 'fail' AND r.reason LIKE 'not found%')
                       OR (r.check_name = 'link_reachable' AND r.status = 'fail')) AS dead,
               BOOL_OR(r.check_name = 'repo_exists' AND r.reason LIKE 'moved to %') AS moved,
               BOOL_OR(r.check_name = 'code_present' AND r.status = 'fail') AS emptied,
               BOOL_OR(r.check_name = 'archived' AND r.status IN ('pass', 'warn')
                       AND (r.reason LIKE '%Software Heritage%' OR r.reason LIKE '%Zenodo%')) AS archived
        FROM results r WHERE r.link_ordinal >= 0 GROUP BY ALL)
    SELECT ru.run_id, ru.as_of AS run_date, COUNT(*) AS links,
           AVG(dead::INT) AS dead, AVG(moved::INT) AS moved, AVG(emptied::INT) AS emptied,
           AVG(archived::INT) AS archived
    FROM per_link JOIN runs ru USING (run_id)
    GROUP BY ALL ORDER BY run_date, ru.run_id""",
]
