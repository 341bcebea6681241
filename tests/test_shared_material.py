"""The suite is complete in any clone: only the tests listed here read ../shared.

../shared sits beside the project's own checkouts, not in the repository: real
recorded GitHub answers, GitHub's full GraphQL schema and 2,000 real arXiv
abstracts, read in place. The tests below need it and skip without it (the
README says which needs what); every other test runs from the repository's own
material (the fake servers' worlds, the project's schema of GitHub's API,
examples/dumps/). ``shared_path()`` fails an unmarked test that reads ../shared,
and conftest turns an unmarked test's skip for absent ../shared into a failure.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

#: Every test that may read ../shared, and what it reads.
SHARED_TESTS = {
    "test_github_schema.py::test_project_schema_and_collector_queries_agree_with_githubs_full_schema":
        "github/schema.docs.graphql (or $AUDITOR_GITHUB_SCHEMA)",
    "test_fakegithub.py::test_every_recorded_answer_of_a_served_route_has_a_twin": "github/recorded/",
    "test_fakegithub.py::test_specific_answers_have_the_keys_headers_and_nesting_of_recorded_ones":
        "github/recorded/",
    "test_github_rest.py::test_parsers_read_real_recorded_answers": "github/recorded/",
    "test_extract_sample.py::test_links_and_claims_per_kind_on_the_real_sample": "abstracts/",
    "test_links_corpus.py::test_spot_checks_on_real_arxiv_abstracts": "abstracts/",
    "test_ingest.py::test_real_arxiv_sample_reads_whole": "abstracts/",
    "test_extract_stream.py::test_streamed_equals_extracting_first_on_real_abstracts": "abstracts/",
}
#: Names through which a test reaches ../shared.
SHARED_NAMES = {"shared_path", "SHARED", "full_schema_path", "AUDITOR_SHARED"}


def _is_shared_mark(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "shared" and "mark" in ast.unparse(node)


def marked_and_reaching() -> tuple[set[str], set[str]]:
    """(tests marked shared, test modules whose code names a way to ../shared)."""
    marked, reaching = set(), set()
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and any(_is_shared_mark(d) for d in node.decorator_list):
                marked.add(f"{path.name}::{node.name}")
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "pytestmark" for t in node.targets):
                assert "shared" not in ast.unparse(node.value), f"{path.name}: mark single tests, not a module"
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        if names & SHARED_NAMES:
            reaching.add(path.name)
    return marked, reaching


def test_only_the_listed_tests_are_marked_shared_and_only_their_modules_reach_it():
    marked, reaching = marked_and_reaching()
    assert marked == set(SHARED_TESTS)
    assert reaching - {Path(__file__).name} <= {name.split("::")[0] for name in SHARED_TESTS}


def test_without_shared_the_listed_tests_skip_and_say_why(tmp_path):
    """In a clone (no ../shared, no $AUDITOR_GITHUB_SCHEMA) each listed test skips with its reason."""
    env = {k: v for k, v in os.environ.items() if k not in ("AUDITOR_GITHUB_SCHEMA", "PYTEST_ADDOPTS")}
    env["AUDITOR_SHARED"] = str(tmp_path / "no-shared")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-rs", "-p", "no:cacheprovider", "-n", "0", "-m", "shared",
         *[str(TESTS / name) for name in SHARED_TESTS]],
        cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    reasons = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert sum(int(re.match(r"SKIPPED \[(\d+)\]", line).group(1)) for line in reasons) == len(SHARED_TESTS), done.stdout
    assert all("no-shared" in line for line in reasons), done.stdout
