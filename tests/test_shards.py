"""Three `audit run --shard K/3` against the fake GitHub, then `audit merge`: the same scorecard,
results and facts as one unsharded run over the same dumps."""

from __future__ import annotations

import json
import shutil

import pytest

from auditor.shards import in_shard, parse_shard, shard_of
from auditor.errors import AuditorError
from inprocess import audit
from test_run_e2e import TOKEN, audit_run, query

pytestmark = pytest.mark.network

PAPERS = ("SELECT paper_id, n_links, claim, n_claims, score, coverage, judged, applicable, checks, n_pass, n_warn, "
          "n_fail, n_unknown, n_skip, worst_check, worst_status, top_reason FROM paper_scorecard ORDER BY paper_id")
RESULTS = ("SELECT paper_id, target_key, link_ordinal, check_name, status, score, reason, evidence "
           "FROM link_scorecard_all WHERE run_id = (SELECT run_id FROM paper_scorecard LIMIT 1) ORDER BY ALL")
FACTS = "SELECT target_key, status, canonical_key, data, error FROM facts ORDER BY ALL"
LINKS = "SELECT paper_id, ordinal, url, target_key, via FROM links ORDER BY ALL"


def merge(fake, out_db, shards, out_dir):
    return audit("merge", str(out_db), *map(str, shards), "--out", str(out_dir), "--quiet", env=fake.env(TOKEN))


def test_shard_arithmetic():
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "x", "1/0", "1-3"):
        with pytest.raises(AuditorError):
            parse_shard(bad)
    keys = [f"github:o/r{i}" for i in range(300)]
    parts = [[k for k in keys if in_shard(k, (s, 3))] for s in (1, 2, 3)]
    assert sorted(sum(parts, [])) == sorted(keys) and all(len(p) > 50 for p in parts)
    assert shard_of("github:o/r1", 3) == shard_of("github:o/r1", 3)


def test_three_shards_merge_to_one_unsharded_run(bundled_run, fake_github, example_dumps, tmp_path):
    whole, _, _ = bundled_run  # the same command unsharded, run once for the session (conftest.py)

    shards = []
    for k in (1, 2, 3):
        db = tmp_path / f"shard-{k}.duckdb"
        done = audit_run(fake_github, tmp_path / f"out-{k}", example_dumps, "--db", str(db), "--shard", f"{k}/3")
        assert done.returncode == 0, done.stderr
        shards.append(db)
        # A shard collects only its own targets (and what its pages link to), and scores nothing.
        own = query(db, "SELECT target_key FROM facts WHERE target_key LIKE 'github:%'")
        assert own and query(db, "SELECT count(*) FROM results") == [(0,)]
    counts = [query(db, "SELECT count(*) FROM facts")[0][0] for db in shards]
    assert sum(counts) >= query(whole / "audit.duckdb", "SELECT count(*) FROM facts")[0][0] > max(counts)

    requests_before = fake_github.stats.total
    merged_out = tmp_path / "merged"
    merged = merged_out / "audit.duckdb"
    done = merge(fake_github, merged, shards, merged_out)
    assert done.returncode == 0, done.stderr
    assert "papers 285" in done.stdout
    assert fake_github.stats.total == requests_before  # the merge needs nothing the shards did not collect

    one = whole / "audit.duckdb"
    for sql in (PAPERS, RESULTS, FACTS, LINKS):
        want, got = query(one, sql), query(merged, sql)
        assert got == want, sql
    assert len(query(one, RESULTS)) > 500
    summary = json.loads((merged_out / "summary.json").read_text())
    assert summary["score"] == json.loads((whole / "summary.json").read_text())["score"]


def test_merge_refuses_an_incomplete_or_mixed_set(bundled_run, fake_github, example_dumps, tmp_path):
    db1 = tmp_path / "s1.duckdb"
    assert audit_run(fake_github, tmp_path / "o1", example_dumps[:1], "--db", str(db1), "--shard", "1/2").returncode == 0
    done = merge(fake_github, tmp_path / "m.duckdb", [db1], tmp_path / "m")
    assert done.returncode == 1 and "shard(s) 2/2 missing" in done.stderr and "\n" not in done.stderr.strip()
    plain = tmp_path / "plain"  # an unsharded run: a copy of the session's (conftest.py)
    shutil.copytree(bundled_run[0], plain)
    done = merge(fake_github, tmp_path / "m.duckdb", [db1, plain / "audit.duckdb"], tmp_path / "m")
    assert done.returncode == 1 and "not run with --shard" in done.stderr
