"""`audit run` reads its papers back from the store in batches: the results do not depend on
where the batches fall, and no stage is handed every paper at once."""

from __future__ import annotations

from datetime import date, datetime, timezone

import auditor.pipeline as pipeline
from auditor.config import load_config
from auditor.models import Facts
from auditor.pipeline import RunOptions, run_audit
from auditor.store import Store

TABLES = {
    "results": "SELECT paper_id, target_key, link_ordinal, check_name, status, score, reason, evidence FROM results",
    "scores": "SELECT paper_id, target_key, link_ordinal, score, coverage, judged, applicable, top_reason FROM scores",
    "links": "SELECT paper_id, ordinal, url, target_key, via, source, claim FROM links",
    "discovery": "SELECT paper_id, source, outcome, found FROM discovery",
}


def audited(tmp_path, name, dumps, batch, monkeypatch):
    """Stored rows of an offline run over ``dumps`` with ``batch`` papers per batch, and the batch sizes read."""
    db = tmp_path / f"{name}.duckdb"
    fresh = datetime.now(timezone.utc)
    with Store.open(db) as store:  # a project page whose repository is added through it (a second round)
        store.save_facts([
            Facts("web:smerf-3d.github.io", "ok", fresh, {"reachable": True, "reachable_reason": "ok",
                                                          "code_links": ["https://github.com/google/smerf"]}),
            Facts("github:google/smerf", "ok", fresh, {"name_with_owner": "google/smerf", "license_spdx": "MIT",
                                                       "is_archived": False, "is_disabled": False, "is_empty": False}),
        ])
    sizes: list[int] = []
    original = Store.run_batches

    def spied(self, run_id, size):
        for got in original(self, run_id, size):
            sizes.append(len(got))
            yield got

    monkeypatch.setattr(pipeline, "BATCH", batch)
    monkeypatch.setattr(Store, "run_batches", spied)
    monkeypatch.setattr(pipeline, "write_run_reports", lambda *a: None)  # the stored rows are compared, not the files
    options = RunOptions(dumps=dumps, db=db, out=tmp_path / f"out-{name}", as_of=date(2026, 11, 23),
                         config=load_config(None, cwd=tmp_path), offline=True)
    summary = run_audit(options, env={})
    monkeypatch.undo()
    with Store.open(db) as store:
        rows = {name: sorted(map(repr, store.db.rows(sql))) for name, sql in TABLES.items()}
    return summary, rows, sizes


def test_results_do_not_depend_on_the_batches(example_dumps, tmp_path, monkeypatch):
    dumps = example_dumps[:2]  # the first has a project page whose repository is audited through it
    whole, want, _ = audited(tmp_path, "whole", dumps, 100_000, monkeypatch)
    small, got, sizes = audited(tmp_path, "small", dumps, 50, monkeypatch)
    assert whole.papers == small.papers > 100 and whole.links == small.links
    assert max(sizes) == 50 and sum(sizes) > 4 * whole.papers  # every stage read in batches, none held them all
    assert any("'github:google/smerf', 'https://smerf-3d.github.io'" in row for row in got["links"])
    for name in TABLES:
        assert got[name] == want[name], name
    assert len(want["results"]) > 500 and len(want["discovery"]) >= whole.papers
