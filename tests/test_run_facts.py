"""RunFacts: a run's facts held as entries, loaded from the store a batch at a time, equal to
the whole facts the run used to hold (auditor.run_facts)."""

from __future__ import annotations

from datetime import datetime, timezone

from auditor.archival import with_archive
from auditor.check_batches import scored_papers
from auditor.checking import discover_checks
from auditor.config import AuditConfig
from auditor.hosts.base import unknown_facts
from auditor.models import Facts
from auditor.run_facts import RunFacts
from auditor.run_health import target_health
from auditor.store import Store
from test_check_batches import AS_OF, papers_and_facts

T = datetime(2026, 11, 1, tzinfo=timezone.utc)


def facts(key: str, status: str = "ok", **data: object) -> Facts:
    return Facts(target_key=key, status=status, fetched_at=T, data=dict(data))


def counting(store: Store) -> tuple[RunFacts, list[list[str]]]:
    calls: list[list[str]] = []

    def load(keys):  # type: ignore[no-untyped-def]
        calls.append(sorted(keys))
        return store.load_facts(keys)

    return RunFacts(load), calls


def test_known_facts_come_from_the_store_and_the_rest_as_the_run_saw_them():
    with Store.open(":memory:") as store:
        store.save_facts([facts("github:a/ok", readme="# a"), facts("github:b/was-ok", readme="# b")])
        run, calls = counting(store)
        run.keep(facts("github:a/ok", readme="# a"), stored=True)
        # Collected unknown this run: the store keeps its older known facts, the run must not see them.
        store.save_facts([unknown_facts("github:b/was-ok", "rate limited")])
        run.keep(unknown_facts("github:b/was-ok", "rate limited"), stored=True)
        run.keep(unknown_facts("github:c/offline", "offline: not collected (--offline)"), stored=False)
        got = run.load(["github:a/ok", "github:b/was-ok", "github:c/offline", "github:z/not-in-run"])
        assert got["github:a/ok"].data == {"readme": "# a"}
        assert got["github:b/was-ok"].status == "unknown" and got["github:b/was-ok"].error == "rate limited"
        assert got["github:c/offline"].status == "unknown" and "github:z/not-in-run" not in got
        assert calls == [["github:a/ok"]]  # one query, for the one target the store holds as the run saw it
        assert list(run) == ["github:a/ok", "github:b/was-ok", "github:c/offline"]
        assert run.statuses() == {"ok": 1, "unknown": 2}
        health = target_health(run.briefs())
        assert (health.total, health.unjudged) == (3, 2)


def test_archive_facts_are_joined_as_with_archive_joins_them():
    with Store.open(":memory:") as store:
        repo, other = facts("github:a/r", readme="# r"), facts("github:b/s")
        archived = facts("archive:github:a/r", swh={"visited": True})
        store.save_facts([repo, other, archived])
        run, calls = counting(store)
        run.keep(repo, stored=True)
        run.keep(other, stored=True)
        run.keep_archive({archived.target_key: archived})
        got = run.load([repo.target_key, other.target_key])
        assert got == with_archive({repo.target_key: repo, other.target_key: other}, {archived.target_key: archived})
        assert got[repo.target_key].data["archive"]["swh"] == {"visited": True}
        assert len(calls) == 1


def test_checks_read_a_batch_of_facts_per_query_and_score_as_with_every_fact_at_hand(example_dumps):
    papers, whole = papers_and_facts(example_dumps)
    checks, config = discover_checks(), AuditConfig()
    with Store.open(":memory:") as store:
        store.save_facts(whole.values())
        run, calls = counting(store)
        for f in whole.values():
            run.keep(f, stored=True)
        batched = list(scored_papers(papers, run, AS_OF, checks, config, jobs=1))
    assert batched == list(scored_papers(papers, RunFacts.held(whole.values()), AS_OF, checks, config, jobs=1))
    assert 1 <= len(calls) <= -(-len(papers) // 500)  # at most one query per batch of 500 papers


def test_keep_stored_reads_the_stores_facts():
    with Store.open(":memory:") as store:
        store.save_facts([facts("github:s/stale", readme="# old")])
        run, calls = counting(store)
        run.keep_stored("github:s/stale", "ok")  # --offline: stale cached facts, remembered by status only
        assert run.load(["github:s/stale"])["github:s/stale"].data == {"readme": "# old"}
        assert run.statuses() == {"ok": 1} and calls == [["github:s/stale"]]


def test_held_facts_are_read_whole_without_a_store():
    ok, gone = facts("github:a/ok", readme="# a"), facts("github:b/gone", "not_found")
    held = RunFacts.held([ok, gone])
    assert held.load(["github:b/gone", "github:c/never-met", "github:a/ok"]) == {"github:b/gone": gone, "github:a/ok": ok}
    assert list(held) == ["github:a/ok", "github:b/gone"] and held["github:a/ok"] is ok
