"""Past one machine: ``audit run --shard K/N`` and ``audit merge OUT SHARD...``.

The bound of a large audit is GitHub's budget, not CPU, so N machines (or N
jobs of a GitHub Actions matrix) split one corpus by target: every shard
reads and extracts every paper (cheap) but collects only the targets whose
key hashes to it (plus the repositories its own project pages link to), and
writes its own DuckDB file. It checks and scores nothing: a paper's score
needs the facts of all its links, which only the merge has.

``audit merge`` copies the shards' papers, abstract links, claims and facts
into one file, then runs the rest of a run there: links through pages,
archives, checks and scores, reports. Everything it needs was collected by
the shards (fresh within the shards' --max-age), so it sends no request for
it; the result is what one unsharded run over the same corpus gives.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Mapping, Sequence

from auditor.errors import AuditorError


def parse_shard(value: str) -> tuple[int, int]:
    """``K/N`` (1 <= K <= N) -> (K, N); a one-line error otherwise."""
    try:
        k, n = (int(x) for x in value.split("/"))
    except ValueError:
        raise AuditorError(f"--shard {value!r}: expected K/N, e.g. 2/3") from None
    if not 1 <= k <= n:
        raise AuditorError(f"--shard {value!r}: K must be within 1..N")
    return k, n


def shard_of(key: str, n: int) -> int:
    """The shard (1..n) a target key belongs to: a stable hash, the same on every machine."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % n + 1


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    return shard is None or shard_of(key, shard[1]) == shard[0]


# --------------------------------------------------------------------------- merge

_COPY = [
    # (table, how rows of a shard enter the merged file)
    # papers has no key to conflict on (schema 4): those of the first shard that has them are kept
    ("papers", "INSERT INTO papers BY NAME SELECT * FROM {s}.papers ANTI JOIN papers USING (paper_id)"),
    ("sightings", "INSERT INTO sightings BY NAME SELECT * FROM {s}.sightings ON CONFLICT DO NOTHING"),
    ("targets", "INSERT INTO targets BY NAME SELECT * FROM {s}.targets ON CONFLICT DO NOTHING"),
    # Links found through pages are found again by the merge, from the merged facts; those the
    # discovery sources found (comments, the Hub's paper pages) are copied like the abstract's.
    ("links", "INSERT INTO links BY NAME SELECT * FROM {s}.links WHERE coalesce(source, "
              "CASE WHEN via IS NULL THEN 'abstract' ELSE 'page' END) <> 'page' ON CONFLICT DO NOTHING"),
    ("claims", "INSERT INTO claims BY NAME SELECT * FROM {s}.claims ON CONFLICT DO NOTHING"),
    ("facts_history", "INSERT INTO facts_history BY NAME SELECT * FROM {s}.facts_history ON CONFLICT DO NOTHING"),
]


def merge_shards(out_db: Path, shards: Sequence[Path], out_dir: Path, *, env: Mapping[str, str],
                 config: Any = None, progress: Any = lambda _: None, on_migrate: Any = None) -> Any:
    """Combine shard files into ``out_db`` and finish the audit there; returns the RunSummary
    (``on_migrate``: told when ``out_db`` is migrated from an older schema, see Store.open)."""
    from auditor.checking import discover_checks
    from auditor.config import load_config
    from auditor.pipeline import Run, RunOptions, RunSummary, _with_selected_checks, audit_stored_papers, write_run_reports
    from auditor.store import Store

    if not shards:
        raise AuditorError("audit merge: give at least one shard file")
    out_db, shards = Path(out_db), [Path(s) for s in shards]
    if any(s.resolve() == out_db.resolve() for s in shards if out_db.exists()):
        raise AuditorError(f"audit merge: {out_db} is also given as a shard")
    recorded = [_shard_run(path) for path in shards]
    seen = sorted({r["shard"] for r in recorded})
    n = recorded[0]["of"]
    if any(r["of"] != n for r in recorded) or len(seen) != len(recorded):
        raise AuditorError(f"audit merge: the shards must be distinct parts of one split (got {[r['label'] for r in recorded]})")
    if seen != list(range(1, n + 1)):
        missing = sorted(set(range(1, n + 1)) - set(seen))
        raise AuditorError(f"audit merge: shard(s) {', '.join(f'{k}/{n}' for k in missing)} missing")
    first = recorded[0]
    as_of = date.fromisoformat(first["options"].get("as_of") or first["as_of"])
    hours = first["options"].get("max_age_hours") or 24
    options = RunOptions(
        dumps=[Path(p) for p in first["options"].get("dumps") or []],
        db=out_db, out=out_dir, as_of=as_of, config=config or load_config(None),
        checks=first["options"].get("checks"),
        max_age=timedelta(hours=float(hours)),
        archive_max_age=timedelta(hours=float(first["options"].get("archive_max_age_hours") or 24 * 7)),
        hosts=first["options"].get("hosts"),
    )
    from auditor.progress import as_progress

    progress = as_progress(progress)
    checks = discover_checks()
    config = _with_selected_checks(options.config, checks, options.checks)
    with Store.open(out_db, on_migrate=on_migrate) as store:
        run_id = store.start_run({"command": "merge", "shards": [str(s) for s in shards],
                                  "as_of": as_of.isoformat(), "hosts": options.hosts}, as_of)
        summary = RunSummary(run_id=run_id)
        con = store.db.con
        with store.ending_on_error(run_id):
            _copy_shards(con, shards, recorded, run_id)
            summary.papers = store.db.rows("SELECT count(*) FROM run_papers WHERE run_id = ?", [run_id])[0][0]
            summary.links = store.db.rows("SELECT count(*) FROM links l JOIN run_papers r USING (paper_id) "
                                          "WHERE r.run_id = ?", [run_id])[0][0]
            # The rest of a run, as `audit run` does it after ingest; the shards did the discovery.
            audit_stored_papers(Run(store, options, summary, progress, env), checks, config, discover=False)
        store.finish_run(run_id, summary.status, notes=summary.partial_reasons)
        write_run_reports(store, options, run_id, progress)
    return summary


def _copy_shards(con: Any, shards: Sequence[Path], recorded: Sequence[Mapping[str, Any]], run_id: str) -> None:
    """Copy every shard's rows into the open file in one transaction (all or none of them)."""
    from auditor.store import discovery
    from auditor.store.core import transaction
    from auditor.store.facts import _MERGE

    try:
        with transaction(con):
            for i, (path, rec) in enumerate(zip(shards, recorded)):
                alias = f"shard{i}"
                con.execute(f"ATTACH '{str(path).replace(chr(39), chr(39) * 2)}' AS {alias} (READ_ONLY)")
                for _, sql in _COPY:
                    con.execute(sql.format(s=alias))
                for sql in _MERGE:
                    con.execute(sql.format(src=f"{alias}.facts"))
                con.execute(f"INSERT INTO run_papers (run_id, paper_id) SELECT ?, paper_id FROM {alias}.run_papers "
                            "WHERE run_id = ? ON CONFLICT DO NOTHING", [run_id, rec["run_id"]])
                # what discovery did for each paper: the shards all did the same, the first one's is kept
                discovery.copy_run(con, alias, rec["run_id"], run_id)
    finally:  # after the rollback, as before
        for i in range(len(shards)):
            try:
                con.execute(f"DETACH shard{i}")
            except Exception:  # noqa: BLE001 - not attached
                pass


def _shard_run(path: Path) -> dict[str, Any]:
    """The latest run of a shard file, with the shard it was (from its recorded options)."""
    import duckdb

    if not path.exists():
        raise AuditorError(f"audit merge: {path} does not exist")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise AuditorError(f"audit merge: cannot open {path}: {' '.join(str(exc).split())}") from None
    try:
        rows = con.execute("SELECT run_id, options, as_of, status FROM runs ORDER BY started_at DESC LIMIT 1").fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    if not rows:
        raise AuditorError(f"audit merge: {path} holds no run")
    run_id, options, as_of, status = rows[0]
    options = json.loads(options) if options else {}
    shard = options.get("shard")
    if not shard:
        raise AuditorError(f"audit merge: {path}'s latest run ({run_id}) was not run with --shard")
    if status not in ("done", "partial"):
        raise AuditorError(f"audit merge: {path}'s latest run ({run_id}) is {status}: run it again to finish first")
    k, n = parse_shard(shard)
    return {"run_id": run_id, "options": options, "as_of": str(as_of), "shard": k, "of": n, "label": shard}
