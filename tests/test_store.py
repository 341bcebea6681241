"""The DuckDB store: idempotent bulk writes, resume helpers, facts round-trip,
locking, views."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from auditor.errors import AuditorError, DatabaseLocked
from auditor.models import Extraction, Facts, Record, Result
from auditor.store import EXAMPLE_QUERIES, SCHEMA_VERSION, VIEW_DOCS, Store
from test_store_sample import FETCHED, GONE, GOOD, IDS, build_sample, extractions, facts, outcomes, records


def count(store: Store, table: str) -> int:
    return int(store.query(f"SELECT count(*) AS n FROM {table}")["n"][0])


@pytest.fixture
def store():
    with Store.open(":memory:") as s:
        yield s


# --------------------------------------------------------------------------- open


def test_open_creates_parent_folders_and_schema(tmp_path):
    path = tmp_path / "a" / "b" / "audit.duckdb"
    with Store.open(path) as s:
        assert s.query("SELECT value FROM meta WHERE key = 'schema_version'")["value"][0] == str(SCHEMA_VERSION)
    assert path.is_file()
    with Store.open(path) as s:  # opening again is harmless
        assert count(s, "runs") == 0


def test_locked_database_is_one_line(tmp_path):
    path = tmp_path / "audit.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseLocked) as info:
            Store.open(path)
        message = str(info.value)
        assert "\n" not in message
        assert str(path) in message and "in use by another process" in message
        assert f"pid {holder.pid}" in message
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    with Store.open(path):  # free again once the other process is gone
        pass


def test_not_a_database_is_one_line(tmp_path):
    path = tmp_path / "audit.duckdb"
    path.write_text("hello, not a database\n" * 100)
    with pytest.raises(AuditorError) as info:
        Store.open(path)
    assert "\n" not in str(info.value) and str(path) in str(info.value)


# --------------------------------------------------------------------------- runs


def test_runs_keep_options_as_given_and_status(store):
    options = {"dumps": ["a.txt"], "max_wait": 300.0, "checks": None}
    run_id = store.start_run(options, date(2024, 6, 5))
    info = store.run_info(run_id)
    assert info.status == "running" and info.options == options and info.as_of == date(2024, 6, 5)
    assert info.started_at.tzinfo is not None and info.finished_at is None
    store.finish_run(run_id, "partial")
    info = store.run_info(run_id)
    assert info.status == "partial" and info.finished_at >= info.started_at
    with pytest.raises(ValueError):
        store.finish_run(run_id, "great")
    later = store.start_run({}, date(2024, 6, 6))
    assert store.latest_run_id() == later
    assert store.latest_run_id(statuses=["partial"]) == run_id
    assert store.resolve_run(None) == later
    with pytest.raises(AuditorError):
        store.resolve_run("nope")


# --------------------------------------------------------------------------- idempotency


def test_same_records_twice_add_nothing(store):
    run_id = store.start_run({}, date(2024, 6, 5))
    store.add_records(records(), run_id)
    store.add_records(records() + records(), run_id)  # duplicates inside one batch too
    assert (count(store, "papers"), count(store, "sightings"), count(store, "run_papers")) == (3, 3, 3)


def test_paper_keeps_first_seen_run_and_takes_newer_fields(store):
    first = store.start_run({}, date(2024, 6, 5))
    store.add_records(records(), first)
    second = store.start_run({}, date(2024, 6, 6))
    newer = [
        Record(paper=replace(r.paper, upvotes=99, arxiv_id=None), sighting=replace(r.sighting, source="2024-06-04.txt"))
        for r in records()
    ]
    store.add_records(newer, second)
    row = store.query("SELECT * FROM papers WHERE paper_id = ?", [IDS["good"]]).iloc[0]
    assert row["first_seen_run"] == first
    assert row["upvotes"] == 99 and row["arxiv_id"] == "2406.00000"  # None does not erase
    assert count(store, "sightings") == 6
    assert {p.paper_id for p in store.papers_for_run(second)} == set(IDS.values())
    assert {p.paper_id for p in store.papers_for_run(first)} == set(IDS.values())


def as_schema_3(path) -> None:
    """Turn a file this version wrote into one as schema 3 wrote it: papers keyed by paper_id."""
    import duckdb

    from auditor.store.papers import PAPERS_TABLE

    con = duckdb.connect(str(path))
    keyed = (PAPERS_TABLE.format(name="papers_v3").replace("paper_id VARCHAR NOT NULL", "paper_id VARCHAR PRIMARY KEY")
             .replace(" USING COMPRESSION zstd", ""))
    con.execute(keyed)
    con.execute("INSERT INTO papers_v3 SELECT * FROM papers")
    con.execute("DROP TABLE papers")
    con.execute("ALTER TABLE papers_v3 RENAME TO papers")
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()


def test_a_schema_3_file_loses_the_papers_key_and_upserts_by_it_as_before(tmp_path, capsys):
    path = tmp_path / "v3.duckdb"
    with Store.open(path) as store:
        first = store.start_run({}, date(2024, 6, 5))
        store.add_records(records(), first)
        before = store.db.rows("SELECT * FROM papers ORDER BY paper_id")
    as_schema_3(path)
    keys = "SELECT count(*) FROM duckdb_constraints() WHERE table_name = 'papers' AND constraint_type = 'PRIMARY KEY'"
    told: list[tuple] = []
    capsys.readouterr()
    with Store.open(path, on_migrate=lambda *said: told.append(said)) as store:
        # the store tells its caller and prints nothing itself (the CLI prints the notice)
        assert told == [(str(path), 3, SCHEMA_VERSION)] and capsys.readouterr() == ("", "")
        assert store.db.rows(keys) == [(0,)]
        sql = store.db.rows("SELECT sql FROM duckdb_tables() WHERE table_name = 'papers'")[0][0]
        assert "abstract VARCHAR USING COMPRESSION ZSTD" in sql  # as a new file has it
        assert store.db.rows("SELECT value FROM meta WHERE key = 'schema_version'") == [(str(SCHEMA_VERSION),)]
        assert store.db.rows("SELECT * FROM papers ORDER BY paper_id") == before
        second = store.start_run({}, date(2024, 6, 6))
        store.add_records([Record(paper=replace(r.paper, upvotes=99, arxiv_id=None), sighting=r.sighting)
                           for r in records() * 2], second)  # each paper twice in the batch
        after = store.db.rows("SELECT paper_id, first_seen_run, upvotes, arxiv_id FROM papers ORDER BY paper_id")
        # each paper once, none added; its first run kept, the newer upvotes taken, a None not erasing the arXiv id
        assert after == [(b[0], first, 99, b[7]) for b in before] and any(b[7] for b in before)
        assert store.db.rows("SELECT count(*) FROM sightings s JOIN papers p USING (paper_id)") == [(len(records()),)]


def test_same_extraction_twice_adds_nothing_and_reextracting_replaces(store):
    store.add_extractions(extractions().items())
    store.add_extractions(extractions().items())
    assert (count(store, "targets"), count(store, "links"), count(store, "claims")) == (2, 3, 3)
    good = extractions()[IDS["good"]]
    store.add_extraction(IDS["good"], Extraction(links=good.links[:1], claims=()))
    assert count(store, "links") == 2 and count(store, "claims") == 2
    assert [link.ordinal for link in store.links_with_targets([IDS["good"]])[IDS["good"]]] == [0]


def test_repeated_link_ordinals_are_refused(store):
    link = extractions()[IDS["good"]].links[0]
    with pytest.raises(ValueError, match="ordinals repeat"):
        store.add_extraction("p", Extraction(links=(link, link)))


def test_links_and_claims_read_back_as_models(store):
    store.add_extractions(extractions().items())
    got = store.extractions(IDS.values())
    assert got[IDS["good"]] == extractions()[IDS["good"]]
    assert got[IDS["bad"]] == extractions()[IDS["bad"]]
    assert IDS["html"] not in got  # nothing stored for a paper without links or claims
    claims = store.query("SELECT paper_id, ordinal, claim FROM links ORDER BY paper_id, ordinal")
    by_paper = dict(zip(claims["paper_id"], claims["claim"]))
    assert by_paper[IDS["good"]] == "available" and by_paper[IDS["bad"]] == "promised"


def test_outcomes_twice_add_nothing_and_update(store):
    run_id = store.start_run({}, date(2024, 6, 5))
    store.save_outcomes(run_id, outcomes())
    store.save_outcomes(run_id, outcomes())
    assert count(store, "results") == len(outcomes())
    changed = replace(outcomes()[0], result=Result("fail", "gone now", 0.0))
    store.save_outcomes(run_id, [changed])
    stored = {(o.paper_id, o.link_ordinal, o.check): o for o in store.outcomes_for_run(run_id)}
    assert stored[(IDS["good"], 0, "reachable")].result == Result("fail", "gone now", 0.0)
    assert stored[(IDS["good"], 1, "reachable")].result.status == "pass"  # same target, other link: kept apart
    assert stored[(IDS["bad"], None, "claim_kept")].target_key == ""
    assert stored[(IDS["good"], 0, "reachable")].result.evidence == {}
    assert stored[(IDS["good"], 0, "license")].result.reason == "MIT license"


def test_outcomes_accept_plain_dicts(store):
    run_id = store.start_run({}, date(2024, 6, 5))
    store.save_outcomes(run_id, [
        {"paper_id": "p", "link_ordinal": None, "target_key": "", "check": "c",
         "result": {"status": "warn", "score": 5, "reason": "r", "evidence": {"when": date(2024, 1, 2)}}},
    ])
    (o,) = store.outcomes_for_run(run_id)
    assert o.result == Result("warn", "r", 5.0, {"when": "2024-01-02"})


def test_scores_twice_add_nothing():
    s, (run_id,) = build_sample()
    with s:
        from test_store_sample import scores

        for paper_id, links, paper in scores():
            s.save_scores(run_id, paper_id, links, paper)
        assert count(s, "scores") == 6  # 3 links + 3 papers
        s.save_scores(run_id, IDS["html"], {}, {"score": 1.5, "coverage": 1.0, "judged": 1, "applicable": 1, "top_reason": "x"})
        row = s.query("SELECT * FROM scores WHERE paper_id = ? AND target_key = ''", [IDS["html"]]).iloc[0]
        assert row["score"] == 1.5 and row["top_reason"] == "x" and row["link_ordinal"] == -1
        good = s.query("SELECT link_ordinal, score, top_reason, worst_status FROM scores "
                       "WHERE paper_id = ? AND target_key = ? ORDER BY link_ordinal", [IDS["good"], GOOD.key])
        assert good["score"].tolist() == [10.0, 7.5]  # two links to one target keep their own scores
        assert good["worst_status"].tolist()[1] == "warn" and good["top_reason"][1].startswith("tree/main/src")


def test_score_mapping_keyed_by_target(store):
    run_id = store.start_run({}, date(2024, 6, 5))
    store.save_scores(run_id, "p", {GOOD.key: {"score": 7.0, "judged": 2, "applicable": 3}}, None)
    row = store.query("SELECT * FROM scores").iloc[0]
    assert (row["target_key"], row["score"], row["applicable"]) == (GOOD.key, 7.0, 3)


# --------------------------------------------------------------------------- resume


def test_resume_helpers(store):
    run_id = store.start_run({}, date(2024, 6, 5))
    assert store.completed_pairs(run_id) == set() and store.completed_papers(run_id) == set()
    store.save_outcomes(run_id, outcomes()[:3])  # interrupted after the first paper's links
    assert store.completed_pairs(run_id) == {(IDS["good"], GOOD.key)}
    store.save_outcomes(run_id, outcomes()[3:])
    store.save_scores(run_id, IDS["good"], [], {"score": 9.0, "judged": 4, "applicable": 4})
    assert (IDS["bad"], "") in store.completed_pairs(run_id)
    assert store.completed_papers(run_id) == {IDS["good"]}
    other = store.start_run({}, date(2024, 6, 5))
    assert store.completed_pairs(other) == set()
    assert len(store.outcomes_for_run(run_id, [IDS["bad"]])) == 3


# --------------------------------------------------------------------------- facts


def test_facts_round_trip(store):
    store.save_facts(facts())
    got = store.load_facts([GOOD.key, GONE.key, "github:never/seen"])
    assert set(got) == {GOOD.key, GONE.key}
    assert got[GOOD.key] == facts()[0]
    assert got[GOOD.key].fetched_at == FETCHED and got[GOOD.key].fetched_at.utcoffset() == timedelta(0)
    assert got[GOOD.key].data == {"stars": 12, "topics": ["ml"], "readme": None}
    assert got[GONE.key].error == "404" and got[GONE.key].data == {}


def test_facts_other_timezone_and_naive_are_utc(store):
    cest = timezone(timedelta(hours=2))
    store.save_facts([
        Facts(target_key="a", status="ok", fetched_at=datetime(2024, 6, 4, 14, 30, tzinfo=cest)),
        Facts(target_key="b", status="ok", fetched_at=datetime(2024, 6, 4, 12, 30)),
    ])
    got = store.load_facts(["a", "b"])
    assert got["a"].fetched_at == FETCHED and got["b"].fetched_at == FETCHED
    assert got["a"].fetched_at.tzinfo == timezone.utc


def test_unknown_facts_never_replace_known_ones(store):
    store.save_facts(facts())
    later = FETCHED + timedelta(days=2)
    store.save_facts([
        Facts(target_key=GOOD.key, status="unknown", fetched_at=later, error="rate limited"),
        Facts(target_key="github:new/one", status="error", fetched_at=later, error="500"),
    ])
    got = store.load_facts([GOOD.key, "github:new/one"])
    assert got[GOOD.key] == facts()[0]
    assert got["github:new/one"].status == "error"
    store.save_facts([Facts(target_key="github:new/one", status="ok", fetched_at=later, data={"stars": 1})])
    assert store.load_facts(["github:new/one"])["github:new/one"].data == {"stars": 1}


def test_facts_history_records_status_changes(store):
    store.save_facts(facts())
    store.save_facts(facts())  # same again: no new history
    assert count(store, "facts_history") == 2
    gone = Facts(target_key=GOOD.key, status="not_found", fetched_at=FETCHED + timedelta(days=30), error="404")
    store.save_facts([gone])
    history = store.query("SELECT status FROM facts_history WHERE target_key = ? ORDER BY fetched_at", [GOOD.key])
    assert history["status"].tolist() == ["ok", "not_found"]
    assert count(store, "facts") == 2


def test_duplicate_facts_in_one_batch_last_wins(store):
    a = Facts(target_key="k", status="ok", fetched_at=FETCHED, data={"v": 1})
    b = replace(a, data={"v": 2})
    store.save_facts([a, b])
    assert store.load_facts(["k"])["k"].data == {"v": 2}


# --------------------------------------------------------------------------- views


def test_paper_scorecard_view_columns_and_values():
    store, (old, new) = build_sample(runs=2)
    with store:
        store.save_scores(old, IDS["good"], [], {"score": 1.0, "judged": 1, "applicable": 4})
        all_runs = store.query("SELECT * FROM paper_scorecard_all")
        assert len(all_runs) == 6
        latest = store.query("SELECT * FROM paper_scorecard ORDER BY title").set_index("paper_id")
        for column in ("paper_id", "title", "published_on", "sources", "n_links", "claim", "score", "coverage",
                       "checks", "n_fail", "top_reason"):
            assert column in latest.reset_index().columns
            assert column in VIEW_DOCS["paper_scorecard_all"]
        assert set(latest["run_id"]) == {new}
        good = latest.loc[IDS["good"]]
        assert good["score"] == 9.2 and good["n_links"] == 2 and good["claim"] == "available"
        assert list(good["sources"]) == ["2024-06-03.txt"]
        assert good["checks"] == {"claim_kept": "pass", "license": "pass", "reachable": "pass", "subpath": "warn"}
        bad = latest.loc[IDS["bad"]]
        assert bad["checks"]["reachable"] == "fail" and bad["n_fail"] == 2 and bad["n_unknown"] == 1
        html = latest.loc[IDS["html"]]
        assert html["n_links"] == 0 and pd.isna(html["claim"])


def test_paper_scorecard_prefers_latest_scored_run():
    store, (done,) = build_sample()
    with store:
        interrupted = store.start_run({}, date(2024, 6, 6))
        store.add_records(records(), interrupted)  # seen, never scored
        latest = store.query("SELECT paper_id, run_id FROM paper_scorecard")
        assert set(latest["run_id"]) == {done}
        history = store.query(
            "SELECT run_id, score FROM paper_scorecard_all WHERE paper_id = ? ORDER BY started_at", [IDS["good"]]
        )
        assert history["run_id"].tolist() == [done, interrupted]
        assert history["score"].isna().tolist() == [False, True]


def test_link_scorecard_view():
    store, (_, new) = build_sample(runs=2)
    with store:
        links = store.query("SELECT * FROM link_scorecard ORDER BY paper_id, link_ordinal, check_name")
        assert set(links["run_id"]) == {new}
        assert len(links) == 6  # link-scope results only
        gone = links[links["target_key"] == GONE.key].set_index("check_name")
        assert gone.loc["reachable", "status"] == "fail"
        assert gone.loc["reachable", "fact_status"] == "not_found"
        assert gone.loc["reachable", "url"] == "https://github.com/gone/repo"
        assert gone.loc["reachable", "link_score"] == 0.0
        assert gone.loc["reachable", "claim"] == "promised"
        assert len(store.query("SELECT * FROM link_scorecard_all")) == 12
        assert store.targets_by_status(new) == {"ok": 1, "not_found": 1}
        assert store.links_of_run(new) == 3


def test_options_json_is_queryable(store):
    run_id = store.start_run({"dumps": ["a.txt", "b.txt"], "offline": True}, date(2024, 6, 5))
    row = store.query("SELECT options->>'$.offline' AS offline, json_array_length(options->'$.dumps') AS n FROM runs "
                      "WHERE run_id = ?", [run_id]).iloc[0]
    assert row["offline"] == "true" and row["n"] == 2
    assert json.loads(store.query("SELECT options FROM runs")["options"][0]) == {"dumps": ["a.txt", "b.txt"], "offline": True}


# --------------------------------------------------------------------------- buffering, real engine types


def test_buffered_results_are_committed_on_finish_and_close(tmp_path):
    path = tmp_path / "audit.duckdb"
    with Store.open(path) as s:
        run_id = s.start_run({}, date(2024, 6, 5))
        s.save_outcomes(run_id, outcomes()[:2])
        s.finish_run(run_id, "interrupted")
        s.save_outcomes(run_id, outcomes()[2:])  # left in the buffer until close
        s.save_scores(run_id, IDS["html"], [], {"score": 0.0, "judged": 1, "applicable": 1})
    with Store.open(path) as s:
        assert count(s, "results") == len(outcomes())
        assert s.completed_papers(run_id) == {IDS["html"]}
        assert s.run_info(run_id).status == "interrupted"


def test_real_check_outcomes_and_scores_round_trip(store):
    from auditor.evaluate import CheckOutcome
    from auditor.scoring import score_links, score_paper

    run_id = store.start_run({}, date(2024, 6, 5))
    engine = [CheckOutcome(o.paper_id, o.link_ordinal, o.target_key, o.check, o.result) for o in outcomes()
              if o.paper_id == IDS["good"]]
    weights = {"reachable": 1.0, "license": 1.0, "subpath": 1.0, "claim_kept": 1.0}
    links = score_links(engine, weights)
    paper = score_paper(engine, links, weights)
    store.save_outcomes(run_id, engine)
    store.save_scores(run_id, IDS["good"], links, paper)
    got = store.query("SELECT link_ordinal, score, judged, applicable, worst_status, top_reason FROM scores "
                      "ORDER BY link_ordinal")
    assert got["link_ordinal"].tolist() == [-1, 0, 1]
    assert got["score"].tolist() == [paper.score] + [s.score for s in links]
    assert got["top_reason"][0] == paper.top_reason and got["worst_status"][2] == "warn"
    assert {(o.paper_id, o.link_ordinal, o.check) for o in store.outcomes_for_run(run_id)} == {
        (o.paper_id, o.link_ordinal, o.check) for o in engine
    }


@pytest.mark.parametrize("name", sorted(EXAMPLE_QUERIES))
def test_readme_queries_run(name):
    store, _ = build_sample(runs=2)
    with store:
        store.save_facts([Facts(target_key=GOOD.key, status="not_found", fetched_at=FETCHED + timedelta(days=9))])
        frame = store.query(EXAMPLE_QUERIES[name].replace("minicpm", "good paper"))
        assert len(frame) > 0


def test_paper_history_query_shows_every_run():
    store, runs = build_sample(runs=3)
    with store:
        frame = store.query(EXAMPLE_QUERIES["paper_history"].replace("minicpm", "good paper"))
        assert frame["run_id"].tolist() == runs and frame["judged"].tolist() == ["5/5"] * 3


def test_incompatible_schema_is_refused_in_one_line(tmp_path):
    import duckdb

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE scores (run_id VARCHAR, paper_id VARCHAR, target_key VARCHAR, score DOUBLE)")
    con.close()
    with pytest.raises(AuditorError, match="incompatible.*scores lacks link_ordinal") as info:
        Store.open(path)
    assert "\n" not in str(info.value)


def test_unusable_paths_are_one_line_errors(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(AuditorError) as info:
        Store.open(tmp_path / "file" / "audit.duckdb")
    assert "\n" not in str(info.value)
    with pytest.raises(AuditorError) as info:
        Store.open(tmp_path)  # a folder
    assert "\n" not in str(info.value) and str(tmp_path) in str(info.value)


def test_a_write_interrupted_midway_leaves_none_of_its_transaction(store):
    """What keeps the file consistent after Ctrl-C: the statements before the interrupt are rolled back."""
    from auditor.store.core import transaction

    con = store.db.con
    con.execute("CREATE TABLE t (n INTEGER)")
    with pytest.raises(KeyboardInterrupt):
        with transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
            raise KeyboardInterrupt
    with transaction(con):
        con.execute("INSERT INTO t VALUES (2)")
    assert con.execute("SELECT n FROM t").fetchall() == [(2,)]


def test_a_signal_as_the_commit_returns_surfaces_as_itself(store):
    """A Ctrl-C whose handler runs just after a long commit: the data is committed, and the caller
    sees the KeyboardInterrupt (exit 130, run interrupted), not a failed rollback (exit 1)."""
    from auditor.store.core import transaction

    con = store.db.con
    con.execute("CREATE TABLE t (n INTEGER)")

    class CommitThenCtrlC:
        def __getattr__(self, name):
            return getattr(con, name)

        def commit(self):
            con.commit()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with transaction(CommitThenCtrlC()):
            con.execute("INSERT INTO t VALUES (1)")
    assert con.execute("SELECT n FROM t").fetchall() == [(1,)]
