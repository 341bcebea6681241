"""The store keeps what a claim is about (claims.object) and placeholder links (links.placeholder),
in files made before those columns too (they are added, never rebuilt)."""

from __future__ import annotations

import json

import duckdb

from auditor.extract import extract
from auditor.store import Store

TEXT = (
    "The code and model weights will be released at https://github.com/anonymous. "
    "Our dataset is available at https://huggingface.co/datasets/a-lab/data."
)


def test_object_and_placeholder_round_trip() -> None:
    ex = extract(TEXT)
    assert [link.placeholder for link in ex.links] == [True, False]
    assert [c.object for c in ex.claims] == ["code+model", "data"]
    with Store.open(":memory:") as store:
        store.add_extractions([("p1", ex)])
        assert store.extractions(["p1"])["p1"] == ex
        rows = store.query("SELECT object FROM claims ORDER BY ordinal")["object"].tolist()
        assert rows == ["code+model", "data"]
        assert store.query("SELECT placeholder FROM links ORDER BY ordinal")["placeholder"].tolist() == [True, False]


def test_a_file_from_before_gains_the_columns(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "audit.duckdb"
    with Store.open(path) as store:
        store.add_extractions([("p1", extract(TEXT))])
    con = duckdb.connect(str(path))  # as an older repro-auditor left it: no object, no placeholder
    con.execute("ALTER TABLE claims DROP COLUMN object")
    con.execute("ALTER TABLE links DROP COLUMN placeholder")
    con.close()
    with Store.open(path) as store:
        old = store.extractions(["p1"])["p1"]
        assert [c.object for c in old.claims] == ["unspecified", "unspecified"]  # NULL: not read then
        assert [link.placeholder for link in old.links] == [False, False]
        store.add_extractions([("p1", extract(TEXT))])  # re-extracting fills them
        assert store.extractions(["p1"])["p1"] == extract(TEXT)


def test_audit_extract_shows_and_stores_the_new_fields(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.test_cli import audit

    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"title": "A paper", "abstract": TEXT}) + "\n", encoding="utf-8")
    db = tmp_path / "x.duckdb"
    result = audit("extract", "--db", str(db), str(dump))
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(link["placeholder"], link["claim"], link["object"]) for link in row["links"]] == [
        (True, "promised", "code+model"), (False, "available", "data"),
    ]
    assert [c["object"] for c in row["claims"]] == ["code+model", "data"]
    csv_out = audit("extract", "--format", "csv", str(dump)).stdout.splitlines()
    assert csv_out[0].endswith(",claim,object,placeholder")
    assert csv_out[1].endswith(",promised,code+model,True")
    with Store.open(db) as store:
        assert store.query("SELECT object FROM claims ORDER BY ordinal")["object"].tolist() == ["code+model", "data"]
        assert store.query("SELECT placeholder FROM links ORDER BY ordinal")["placeholder"].tolist() == [True, False]
