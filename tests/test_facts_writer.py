"""Facts staged by a writer thread and merged once end where save_facts would have put them."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from auditor.facts_writer import FactsWriter
from auditor.models import Facts
from auditor.store import Store

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)


def history(store: Store) -> list[tuple]:
    return store.db.rows("SELECT target_key, fetched_at, status, canonical_key FROM facts_history ORDER BY ALL")


def facts(store: Store) -> list[tuple]:
    return store.db.rows("SELECT target_key, fetched_at, status, canonical_key, data, etag, error FROM facts ORDER BY ALL")


def rounds() -> list[list[Facts]]:
    """Three collections of four targets: firsts, a change, a rate-limited refresh saying nothing."""
    keys = [f"github:o/r{i}" for i in range(4)]
    first = [Facts(target_key=k, status="ok", fetched_at=T0, data={"stars": i}, etag=f"e{i}") for i, k in enumerate(keys)]
    second = [Facts(target_key=keys[0], status="not_found", fetched_at=T0 + timedelta(days=7), error="404"),
              Facts(target_key=keys[1], status="moved", fetched_at=T0 + timedelta(days=7), canonical_key="github:n/r1")]
    third = [Facts(target_key=keys[2], status="unknown", fetched_at=T0 + timedelta(days=14), error="rate limited"),
             Facts(target_key="github:new/one", status="error", fetched_at=T0 + timedelta(days=14), error="500")]
    return [first, second, third]


def test_staged_then_merged_equals_saved(tmp_path):
    with Store.open(tmp_path / "saved.duckdb") as saved, Store.open(tmp_path / "staged.duckdb") as staged:
        for batch in rounds():
            saved.save_facts(batch)
            staged.stage_facts(batch[:1])
            staged.stage_facts(batch[1:])
            assert staged.merge_staged_facts() == len({f.target_key for f in batch})
        assert facts(staged) == facts(saved)
        assert history(staged) == history(saved)
        assert len(history(saved)) == 6  # four firsts, one 404, one move
        assert staged.db.rows("SELECT count(*) FROM facts_staged") == [(0,)]


def test_known_facts_staged_before_unknown_ones_of_the_same_target_win(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        store.stage_facts([Facts(target_key="k", status="ok", fetched_at=T0, data={"v": 1})])
        store.stage_facts([Facts(target_key="k", status="unknown", fetched_at=T0 + timedelta(hours=1), error="x")])
        store.merge_staged_facts()
        (got,) = store.load_facts(["k"]).values()
        assert (got.status, got.data) == ("ok", {"v": 1})


def test_what_a_killed_run_staged_is_merged_when_the_file_is_next_opened(tmp_path):
    path = tmp_path / "a.duckdb"
    with Store.open(path) as store:
        store.stage_facts(rounds()[0])
        assert store.load_facts(["github:o/r0"]) == {}
    with Store.open(path) as store:
        assert set(store.load_facts([f"github:o/r{i}" for i in range(4)])) == {f"github:o/r{i}" for i in range(4)}


def test_writer_takes_facts_from_other_threads_and_merges_on_close(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        writer = FactsWriter(store, batch=7, seconds=0.05)
        def put(offset: int) -> None:
            for i in range(50):
                writer.put(Facts(target_key=f"t{offset + i}", status="ok", fetched_at=T0))
        threads = [threading.Thread(target=put, args=(n * 50,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        writer.close()
        assert writer.written == 150
        assert store.db.rows("SELECT count(*) FROM facts") == [(150,)]
        assert store.db.rows("SELECT count(*) FROM facts_staged") == [(0,)]


def test_a_failing_write_surfaces_at_close(tmp_path):
    with Store.open(tmp_path / "a.duckdb") as store:
        writer = FactsWriter(store, batch=1, seconds=0.01)
        writer.put(Facts(target_key=None, status="ok", fetched_at="not a time"))  # type: ignore[arg-type]
        with pytest.raises(Exception):
            writer.close()


def test_an_interrupted_close_writes_what_waits_and_leaves_the_merge_to_the_next_open(tmp_path):
    path = tmp_path / "a.duckdb"
    with Store.open(path) as store:
        writer = FactsWriter(store, batch=1_000, seconds=60)
        for i in range(5):
            writer.put(Facts(target_key=f"t{i}", status="ok", fetched_at=T0))
        writer.close(merge=False)
        assert writer.written == 5
        assert store.db.rows("SELECT count(*) FROM facts") == [(0,)]
        assert store.db.rows("SELECT count(*) FROM facts_staged") == [(5,)]
    with Store.open(path) as store:
        assert store.db.rows("SELECT count(*) FROM facts") == [(5,)]
