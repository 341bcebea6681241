"""The README's examples run: the third-party check and the SQL queries."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import duckdb

from auditor.checking import Check, CheckContext
from auditor.links import find_links
from auditor.models import Facts, Paper
from conftest import REPO
from inprocess import audit

README = (REPO / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_the_check_example_works():
    source = next(b for b in blocks("python") if "@check(" in b)
    namespace: dict = {}
    exec(compile(source, "README.md", "exec"), namespace)
    check = namespace["citation_cff"]
    assert isinstance(check, Check) and check.weight == 0.5
    link = find_links("Code: https://github.com/a/b")[0]
    paper = Paper(paper_id="p", title="t", abstract="")

    def run(files):
        facts = Facts("github:a/b", "ok", datetime.now(timezone.utc), {"root_files": files})
        return check(CheckContext(paper=paper, as_of=date(2026, 11, 23), link=link, facts=facts))

    assert run([{"name": "CITATION.cff", "type": "file", "size": 10}]).status == "pass"
    assert run([{"name": "README.md", "type": "file", "size": 10}]).status == "warn"
    assert run(None).status == "unknown"


def test_the_sql_examples_run(example_dumps, tmp_path):
    out = tmp_path / "out"
    done = audit("run", "--offline", "--quiet", "--out", str(out), *map(str, example_dumps))
    assert done.returncode == 0, done.stderr
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    try:
        sql = "\n".join(blocks("sql"))
        statements = [s for s in sql.split(";") if s.strip()]
        assert len(statements) >= 2
        for statement in statements:
            con.execute(statement).fetchall()
        shell = next(b for b in blocks("sh") if "duckdb out/audit.duckdb" in b)
        query = re.search(r'-c "(.*)"', shell).group(1)
        assert len(con.execute(query).fetchall()) == 10
    finally:
        con.close()
