"""The Cython-compiled extraction modules: built by the install, the same output as their .py files,
and left aside when AUDITOR_PURE_PYTHON asks for pure Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from auditor.compiled import MODULES, PURE_ENV, SourceFinder, compiled_modules, pure_wanted
from auditor.ingest import read_records
from inprocess import TOKEN_VARIABLES, audit


def _why_not(name: str) -> str:
    source = Path(sys.modules[name].__file__)
    built = [source.with_name(source.stem + suffix) for suffix in EXTENSION_SUFFIXES]
    if pure_wanted():
        return f"{PURE_ENV} is set"
    if any(path.exists() for path in built):
        return f"its extension is older than {source.name} (pip install -e . compiles it again)"
    return "no extension was built (no C compiler at install time?)"


def test_the_extraction_modules_are_compiled() -> None:
    compiled = compiled_modules()
    for name in compiled:
        assert sys.modules[name].__file__.endswith(tuple(EXTENSION_SUFFIXES)), name
    missing = [name for name in MODULES if name not in compiled]
    if missing:
        message = "running as pure Python: " + "; ".join(f"{name}: {_why_not(name)}" for name in missing)
        if os.environ.get("CI") == "true":  # CI must not lose the speed without a word
            pytest.fail(message)
        pytest.skip(message)


#: `audit ARGS` for each argument list of argv[1] (JSON), outputs separated by NUL lines; first, on
#: stderr, the compiled modules of this process and of a pool worker.
_PURE_RUNS = """
import json, sys
from auditor.cli import cli
from auditor.compiled import compiled_modules
from auditor.pools import process_pool
with process_pool(1) as pool:
    print(json.dumps([compiled_modules(), pool.apply(compiled_modules)]), file=sys.stderr)
for args in json.loads(sys.argv[1]):
    cli.main(args, prog_name="audit", standalone_mode=False)
    sys.stdout.write("\\0\\n")
"""


def test_pure_python_is_what_the_variable_gives_and_extracts_the_same_bytes(example_dumps, tmp_path) -> None:
    snapshot = tmp_path / "snapshot.jsonl"  # the same papers as arXiv rows: the workers' own JSON Lines reading
    with snapshot.open("w", encoding="utf-8") as f:
        for i, record in enumerate(r for path in example_dumps for r in read_records(path)):
            paper = record.paper
            f.write(json.dumps({"id": paper.arxiv_id or f"2401.{i:05d}", "title": paper.title, "abstract": paper.abstract,
                                "comments": "Code: https://github.com/from/comments" if i % 7 == 0 else None,
                                "versions": [{"version": "v1", "created": "Mon, 1 Jan 2024 00:00:00 GMT"}],
                                "update_date": "2024-01-02", "authors_parsed": [["A", "", ""]]}) + "\n")
    runs = [["extract", "-q", "--jobs", "1", str(snapshot)], ["extract", "-q", "--jobs", "1", "--format", "csv", *map(str, example_dumps)]]
    env = {k: v for k, v in os.environ.items() if k not in TOKEN_VARIABLES} | {PURE_ENV: "1"}
    pure = subprocess.run([sys.executable, "-c", _PURE_RUNS, json.dumps(runs)], env=env, capture_output=True, timeout=300)
    assert pure.returncode == 0, pure.stderr.decode()
    assert json.loads(pure.stderr.splitlines()[0]) == [[], []]  # neither the process nor its workers run compiled code
    outputs = pure.stdout.split(b"\0\n")
    assert len(outputs) == 3 and outputs[0].count(b"\n") > 250 and b"github.com" in outputs[1]
    for args, output in zip(runs, outputs):
        compiled = audit(*args)
        assert compiled.returncode == 0, compiled.stderr
        assert compiled.stdout.encode() == output, args


def test_an_extension_older_than_its_source_is_left_aside(tmp_path) -> None:
    source = tmp_path / "mod.py"
    built = tmp_path / f"mod{EXTENSION_SUFFIXES[0]}"  # never loaded: only found
    source.write_text("")
    built.write_bytes(b"")
    finder = SourceFinder(pure=False)
    os.utime(source, (1_000, 1_000))
    os.utime(built, (1_001, 1_001))  # written by the install, moments after (or before) its source
    assert finder.find_spec("auditor.mod", [str(tmp_path)]).origin == str(built)
    assert SourceFinder(pure=True).find_spec("auditor.mod", [str(tmp_path)]).origin == str(source)
    os.utime(source, (1_100, 1_100))  # edited since
    assert finder.find_spec("auditor.mod", [str(tmp_path)]).origin == str(source)
    assert finder.find_spec("other.mod", [str(tmp_path)]) is None  # only auditor's modules
