"""An in-memory store (``:memory:``) keeps its tables in the memory DuckDB's report limit bounds.

Under the reports' limit alone, tables larger than it were evicted to DuckDB's spill folder
(``.tmp`` in the current directory for an in-memory database) and read back page after page,
or, where DuckDB could not evict them (the keys' indexes), the limit could not be set and the
report failed. The limit counts the tables on top of the reports' own memory.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pytest

from auditor.report import render
from auditor.store import Store
from auditor.store.core import Db
from auditor.store.report_pages import _TABLES_HELD, REPORT_SETTINGS
from test_store_sample import build_sample

LIMIT = 16 * 2**20  # enough for the sample's report queries, less than its tables below


def test_an_in_memory_store_larger_than_the_reports_limit_reports_in_place(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where DuckDB spills an in-memory database
    store, (run_id,) = build_sample()
    with store:
        expected = render(store, "csv", run_id)
        con = store.db.con
        # papers of other runs (not in the report): the tables now hold more than LIMIT
        con.execute("INSERT INTO papers (paper_id, title, abstract) "
                    "SELECT 'other-' || i, 'Title ' || i, repeat(md5(i::VARCHAR), 30) FROM range(20000) t(i)")
        (held,), = con.execute(_TABLES_HELD).fetchall()
        assert held > LIMIT
        monkeypatch.setitem(REPORT_SETTINGS, "memory_limit", f"{LIMIT >> 20}MiB")
        limits = []
        real = store.report_pages.pages
        monkeypatch.setattr(store.report_pages, "pages", lambda *a, **k: (
            limits.append(con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]), real(*a, **k))[1])
        assert render(store, "csv", run_id) == expected
        assert not any(Path(store.db.spill).iterdir())  # nothing was spilled
        assert limits and all(float(text.split()[0]) * 2**20 >= held + LIMIT - 2**20 for text in limits)
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] != limits[0]  # restored after


def test_an_in_memory_store_spills_into_its_own_folder_and_removes_it(tmp_path, monkeypatch):
    """DuckDB's default spill folder for an in-memory database is ``.tmp`` in the current folder:
    a user's checkout would fill with it. The store gives DuckDB a private folder instead."""
    monkeypatch.chdir(tmp_path)
    with Store.open(":memory:") as store:
        con = store.db.con
        (spill,), = con.execute("SELECT current_setting('temp_directory')").fetchall()
        assert Path(spill).is_dir() and not Path(spill).is_relative_to(tmp_path)
        con.execute("SET memory_limit = '16MiB'")
        con.execute("CREATE TEMP TABLE big AS SELECT i, repeat(md5(i::VARCHAR), 8) AS s FROM range(100000) t(i)")
        (rows,), = con.execute("SELECT count(DISTINCT s) FROM big").fetchall()  # more than the limit holds
        assert rows == 100000
        assert any(Path(spill).iterdir())  # DuckDB did spill, and there
        assert not (tmp_path / ".tmp").exists()
    assert not Path(spill).exists()


def test_an_in_memory_store_that_fails_to_open_removes_its_folder(monkeypatch):
    made = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **k: made.append(real_mkdtemp(**k)) or made[-1])

    def broken(*args, **kwargs):
        raise duckdb.IOException("disk I/O error")

    monkeypatch.setattr(Db, "create_schema", broken)
    with pytest.raises(duckdb.IOException):
        Store.open(":memory:")
    assert made and not Path(made[0]).exists()


def test_the_reports_limit_is_read_in_any_of_its_units_and_refused_otherwise():
    from auditor.store.report_pages import limit_bytes

    assert [limit_bytes(t) for t in ("128MiB", "1GiB", "512 KiB", "4096B")] == [128 * 2**20, 2**30, 512 * 2**10, 4096]
    for wrong in ("1GB", "1.5GiB", "MiB", ""):
        with pytest.raises(ValueError, match="whole number"):
            limit_bytes(wrong)


def test_a_pass_names_its_copies_by_a_field_and_leaves_the_rest_of_a_query_as_it_is():
    from auditor.store.report_pages import _cut, _page, copy_prefix, for_pass

    view = "SELECT '_page_ of _page_1_' AS note, {'key': x} AS s FROM results GROUP BY ALL"
    template = _cut(view, [("FROM results GROUP BY ALL", f"FROM {_page('results')} AS results GROUP BY ALL")])
    assert for_pass(template, copy_prefix(3)) == (
        "SELECT '_page_ of _page_1_' AS note, {'key': x} AS s "
        "FROM (SELECT * EXCLUDE (page) FROM _page3_results WHERE page = $page) AS results GROUP BY ALL")
