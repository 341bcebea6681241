"""Without a token, no request goes out once the budget is known to be spent, across runs too.

A run that ends rate-limited keeps the reset GitHub announced (the fake GitHub
sends ``x-ratelimit-reset`` as GitHub does, an hour ahead); a run started before
it asks GitHub nothing, not even the free probe, and is partial; a run after it
(a fake clock stands for the hour passing) proceeds.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from auditor.hosts.github_budget import ANONYMOUS, budget_client, still_spent
from auditor.hosts.github_client import GitHubSettings

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


def test_a_spent_budget_is_remembered_only_without_a_token_and_only_until_its_reset():
    assert budget_client(GitHubSettings()) == ANONYMOUS
    assert budget_client(GitHubSettings(token="t")) is None
    assert still_spent(NOW + timedelta(minutes=5), NOW) == NOW + timedelta(minutes=5)
    assert still_spent(NOW, NOW) is None and still_spent(None, NOW) is None


@pytest.mark.network
def test_a_run_before_the_reset_sends_nothing_and_one_after_it_proceeds(fake_github_rest, tmp_path, without_scorecards):
    from auditor.config import load_config
    from auditor.pipeline import RunOptions, run_audit
    from auditor.store import Store

    fake = fake_github_rest
    names = [f"lab/s{i}" for i in range(4)]
    for full in names:
        fake.world.add_repo({"repo": full, "readme": "# x\n"})
    dump = tmp_path / "papers.csv"
    dump.write_text("title,abstract\n" + "".join(f'P{i},"Code: https://github.com/{n}"\n' for i, n in enumerate(names)))
    options = RunOptions(dumps=[dump], db=tmp_path / "a.duckdb", out=tmp_path / "out", as_of=date(2026, 11, 20),
                         config=load_config(None, cwd=tmp_path), hosts=("github",), discover=("abstract",), max_wait=0)
    fake.limits.anonymous = 2
    first = run_audit(options, env=fake.env())
    reset = first.rate_limited_until
    assert first.status == "partial" and reset is not None and reset > datetime.now(timezone.utc)
    with Store.open(options.db) as store:
        assert store.spent_budget_reset(fake.url, ANONYMOUS) == reset

    fake.limits.reset()  # GitHub would still refuse; the point is that it is not even asked
    fake.stats.clear()
    before = run_audit(options, env=fake.env())
    assert fake.stats.total == 0, fake.stats.requests
    assert before.status == "partial" and before.rate_limited_until == reset
    assert any(f"rate limited until {reset:%H:%M} UTC" in r for r in before.partial_reasons)
    with Store.open(options.db) as store:
        facts = store.load_facts({f"github:{n}" for n in names})
    # what the first run had stays; the rest is unknown, naming the reset
    assert sorted(f.status for f in facts.values()) == ["ok", "ok", "unknown", "unknown"]
    assert all(f.error == f"rate limited until {reset:%H:%M} UTC" for f in facts.values() if f.status == "unknown")

    fake.limits.anonymous = 60
    after = run_audit(options, env=fake.env(), clock=lambda: reset + timedelta(seconds=1))
    assert after.status == "done", after.partial_reasons
    assert fake.stats.requests["GET /repos/{owner}/{repo}"] == 2  # the two the first run could not ask for

    # With a token the remembered limit is not the token's: GitHub is asked as usual.
    from dataclasses import replace

    fake.stats.clear()
    with Store.open(options.db) as store:
        store.note_spent_budget(fake.url, ANONYMOUS, datetime.now(timezone.utc) + timedelta(hours=1))
    with_token = run_audit(replace(options, refresh=True), env=fake.env(fake.token))
    assert with_token.status == "done" and fake.stats.count("POST /graphql") >= 1


@pytest.mark.network
def test_a_budget_spent_exactly_is_remembered_too(fake_github_rest, tmp_path, without_scorecards):
    """The core facts took the whole budget (extras skipped, nothing refused): the next run, before
    the reset, still asks nothing, though the first one never met a refusal."""
    from auditor.config import load_config
    from auditor.pipeline import RunOptions, run_audit
    from auditor.store import Store

    fake = fake_github_rest
    for full in ("lab/e0", "lab/e1"):
        fake.world.add_repo({"repo": full, "readme": "# x\n"})
    dump = tmp_path / "papers.csv"
    dump.write_text('title,abstract\nA,"Code: https://github.com/lab/e0"\nB,"Code: https://github.com/lab/e1"\n')
    options = RunOptions(dumps=[dump], db=tmp_path / "a.duckdb", out=tmp_path / "out", as_of=date(2026, 11, 20),
                         config=load_config(None, cwd=tmp_path), hosts=("github",), discover=("abstract",), max_wait=0)
    fake.limits.anonymous = 2
    first = run_audit(options, env=fake.env())
    assert first.rate_limited_until is None and fake.stats.rate_limited == 0  # never refused
    with Store.open(options.db) as store:
        reset = store.spent_budget_reset(fake.url, ANONYMOUS)
    assert reset is not None and reset > datetime.now(timezone.utc)
    fake.stats.clear()
    again = run_audit(options, env=fake.env())  # the extras are missing, but the budget is known spent
    assert fake.stats.total == 0 and again.status == "partial" and again.rate_limited_until == reset
