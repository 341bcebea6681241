"""The cache is exact: what cannot change within --max-age is not asked for again."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from auditor.links import find_links
from auditor.models import Facts
from auditor.pipeline import plan_collection

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


def test_missing_or_blocked_repository_with_a_subpath_link_is_fresh():
    links = find_links("Code: https://github.com/a/gone/tree/main/src and https://github.com/a/dmca/blob/v1/train.py "
                       "and https://github.com/a/ok/tree/main/src")
    cached = {key: Facts(key, status, NOW - timedelta(hours=1)) for key, status in
              (("github:a/gone", "not_found"), ("github:a/dmca", "blocked"), ("github:a/ok", "ok"))}
    requests, fresh = plan_collection(links, cached, now=NOW, max_age=timedelta(hours=24), refresh=False)
    assert set(fresh) == {"github:a/gone", "github:a/dmca"}  # their sub-paths cannot exist
    assert [r.target.key for r in requests] == ["github:a/ok"]  # an existing repository's sub-path is still asked


@pytest.mark.network
def test_rerun_within_max_age_sends_no_request_for_missing_repositories_linked_with_subpaths(fake_github, tmp_path,
                                                                                            without_scorecards):
    from auditor.config import load_config
    from auditor.pipeline import RunOptions, run_audit

    dump = tmp_path / "papers.csv"
    dump.write_text(
        "title,abstract\n"
        'Gone,"Code: https://github.com/fixture-lab/missing/tree/main/src/model.py"\n'
        'Blocked,"Code: https://github.com/fixture-lab/dmca/blob/main/train.py"\n'
    )
    options = RunOptions(dumps=[dump], db=tmp_path / "a.duckdb", out=tmp_path / "out", as_of=date(2026, 11, 20),
                         config=load_config(None, cwd=tmp_path), hosts=("github",))
    run_audit(options, env=fake_github.env(fake_github.token))
    assert fake_github.stats.total > 0
    fake_github.stats.clear()
    run_audit(options, env=fake_github.env(fake_github.token))
    assert fake_github.stats.total == 0, fake_github.stats.requests
