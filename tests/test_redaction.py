"""Nothing a server says can write a secret to disk or to a terminal.

An "echo GitHub" on 127.0.0.1 puts the Authorization header it receives back
into everything it answers: error messages, headers, ETags, descriptions,
license names, README text. A real `audit run` (in the test process, tests/inprocess.py,
with the token in its environment) collects from it once; each test then looks for the token in one sink.

Shapes: REST error bodies are ``{"message": ..., "documentation_url": ...}``
as GitHub sends them (../shared/github/recorded/, e.g. the 401 of
octokit.rb's error_handling cassette); a GraphQL endpoint answering 404 makes
the collector fall back to REST, one request per repository, with the token.
"""

from __future__ import annotations

import base64
import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
import duckdb
import pytest
from hypothesis import given, settings, strategies as st
from inprocess import audit
from localhosts.server import LocalServer, Reply, Seen

from auditor import redaction
from auditor.models import Facts, Result
from auditor.redaction import RedactingStream, redact, redact_value, redacted_output
from auditor.report import write_reports
from auditor.store import Store

# Not token-shaped on purpose: only the registry of known secrets can catch it.
SECRET = "plain-secret-0451-echo"
AS_OF = "2026-11-20"


# --------------------------------------------------------------------------- the redaction itself


def test_registered_secrets_and_token_shapes_are_masked() -> None:
    redaction.register("another-secret-77")
    assert redact("x another-secret-77 y") == "x *** y"
    assert redact("url?t=another-secret-77") == "url?t=***"
    assert redact("ghp_" + "a" * 36) == "***"
    assert redact("github_pat_" + "B1" * 20) == "***"
    assert redact("hf_" + "c" * 34) == "***"
    assert redact('{"authorization": "token abc123def"}') == '{"authorization": "token ***"}'
    assert redact("Authorization: Bearer xyz.abc-def") == "Authorization: Bearer ***"
    assert redact("Bearer eyJhbGciOiJIUzI1NiJ9.x") == "Bearer ***"
    # Ordinary prose is left alone.
    text = "token merging speeds up ViTs; a bearer of good news; authorization required"
    assert redact(text) == text


_PIECES = st.sampled_from(["ghp_", "GHP_", "gho_", "ghr_", "github_pat_", "hf_", "HF_", "hf_paper", "Authorization",
                            "authorization: token ", "Bearer ", "bearer ", " ", "\n", '"', ":", "=", "_", "a1B2",
                            "x" * 19, "Z" * 20, "0" * 21, "\u0131", "\u212a",
                            "Author\u0131zation: ", "AUTHOR\u0130ZATION=", "Author\u0131zation"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_the_cheap_checks_only_skip_texts_the_patterns_leave_alone(text: str) -> None:
    # What a report or a stored result is written through: the same text as the patterns' own.
    assert redact(text) == redaction._PATTERNS.sub(redaction._mask_match, text)


def test_every_token_of_github_tokens_is_registered_from_the_environment() -> None:
    redaction.register_env({"GITHUB_TOKENS": "first-token-aaa1, second-token-bbb2"})
    assert redact("first-token-aaa1 / second-token-bbb2") == "*** / ***"


def test_short_values_are_not_registered() -> None:
    redaction.register("abc")
    assert redact("abc abc") == "abc abc"


def test_json_values_are_redacted_keys_included() -> None:
    redaction.register(SECRET)
    got = redact_value({"a": [f"x {SECRET}", {SECRET: 1}], "n": 3, "none": None})
    assert got == {"a": ["x ***", {"***": 1}], "n": 3, "none": None}


def test_redacting_stream_masks_every_write() -> None:
    redaction.register(SECRET)
    inner = io.StringIO()
    stream = RedactingStream(inner)
    stream.write(f"one {SECRET}\n")
    print(f"two {SECRET}", file=stream)
    assert inner.getvalue() == "one ***\ntwo ***\n"
    assert not hasattr(stream, "buffer")  # nothing can write round it


def test_redacted_output_covers_click_and_crash_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        with redacted_output({"GITHUB_TOKEN": SECRET}):
            click.echo(f"out {SECRET}")
            click.echo(f"err {SECRET}", err=True)
            raise RuntimeError(f"server said {SECRET}")
    captured = capsys.readouterr()
    assert exit_info.value.code == 1
    assert "out ***" in captured.out and "err ***" in captured.err
    assert "RuntimeError: server said ***" in captured.err
    assert SECRET not in captured.out + captured.err


# --------------------------------------------------------------------------- each sink on its own


def test_store_redacts_facts_and_history(tmp_path: Path) -> None:
    redaction.register(SECRET)
    with Store.open(tmp_path / "a.duckdb") as store:
        now = datetime(2026, 11, 20, tzinfo=timezone.utc)
        store.save_facts([
            Facts("github:o/a", "ok", now, data={"description": f"echo {SECRET}", SECRET: [SECRET]}, etag=f'W/"{SECRET}"'),
            Facts("github:o/b", "error", now, error=f"HTTP 400: {SECRET}"),
        ])
        rows = store.query("SELECT * FROM facts").to_csv() + store.query("SELECT * FROM facts_history").to_csv()
    assert SECRET not in rows and "echo ***" in rows and "HTTP 400: ***" in rows


def test_store_redacts_results_and_scores(tmp_path: Path) -> None:
    redaction.register(SECRET)
    with Store.open(tmp_path / "a.duckdb") as store:
        run_id = store.start_run({}, datetime(2026, 11, 20).date())
        outcome = {"paper_id": "p", "link_ordinal": 0, "target_key": "github:o/a", "check": "repo_exists",
                   "result": Result("unknown", f"facts could not be collected: {SECRET}", evidence={"error": SECRET})}
        store.save_outcomes(run_id, [outcome])
        store.save_score_rows(run_id, [{"paper_id": "p", "target_key": "", "link_ordinal": None, "score": 1.0,
                                        "top_reason": f"repo_exists: {SECRET}"}])
        store.flush()
        rows = store.query("SELECT * FROM results").to_csv() + store.query("SELECT * FROM scores").to_csv()
    assert SECRET not in rows and "collected: ***" in rows


# --------------------------------------------------------------------------- a real run against an echoing server


def echo_github(seen: Seen) -> Reply:
    """GitHub's REST API, echoing the Authorization header into everything it can."""
    echo = seen.headers.get("authorization", "")
    headers = {"x-echo": echo, "etag": f'W/"{echo}"', "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4999",
               "x-ratelimit-reset": "4102444800", "x-ratelimit-resource": "core"}

    def answer(body: Any, status: int = 200) -> Reply:
        reply = Reply.json(body, status=status)
        return Reply(status=status, body=reply.body, headers={**reply.headers, **headers})

    path = seen.path
    if path == "/graphql":
        return answer({"message": "Not Found", "documentation_url": "https://docs.github.com/graphql"}, 404)
    if path == "/rate_limit":
        core = {"limit": 5000, "remaining": 4999, "reset": 4102444800, "used": 1, "resource": "core"}
        return answer({"resources": {"core": core, "graphql": {**core, "resource": "graphql"}}, "rate": core})
    if path == "/repos/echo/ok":
        return answer({
            "id": 1, "full_name": "echo/ok", "html_url": "https://github.com/echo/ok", "description": f"we got {echo}",
            "homepage": f"https://example.org/?t={echo}", "private": False, "fork": False, "archived": False,
            "disabled": False, "stargazers_count": 3, "default_branch": "main", "size": 10,
            "license": {"key": "other", "name": f"Echo License ({echo})", "spdx_id": "NOASSERTION"},
            "topics": [echo], "created_at": "2024-01-01T00:00:00Z", "pushed_at": "2026-01-01T00:00:00Z",
        })
    if path == "/repos/echo/ok/readme":
        text = f"# ok\n\nEvery request carried {echo}.\n".encode()
        return answer({"name": "README.md", "size": len(text), "encoding": "base64", "content": base64.b64encode(text).decode()})
    if path == "/repos/echo/bad":
        return answer({"message": f"Problems with {echo}", "documentation_url": "https://docs.github.com/rest"}, 400)
    return answer({"message": f"Not Found ({echo})", "documentation_url": "https://docs.github.com/rest"}, 404)


@pytest.fixture(scope="module")
def echo_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("echo")
    dump = tmp / "papers.jsonl"
    rows = [
        {"title": "Echo one", "abstract": "Our code is available at https://github.com/echo/ok."},
        {"title": "Echo two", "abstract": "Code: https://github.com/echo/bad and https://github.com/echo/gone."},
    ]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp / "out"
    with LocalServer({"*": echo_github}) as api:
        env = {"GITHUB_API_URL": api.base, "GITHUB_GRAPHQL_URL": api.url("/graphql"), "GITHUB_TOKEN": SECRET}
        proc = audit("run", "--out", str(out), "--as-of", AS_OF, "--hosts", "github", "--quiet", str(dump), env=env)
        seen = list(api.seen)
    con = duckdb.connect(str(out / "audit.duckdb"), read_only=True)
    try:
        tables = {name: con.execute(f"SELECT * FROM {name}").fetchdf() for name in ("facts", "facts_history", "results", "scores", "runs")}
    finally:
        con.close()
    return {"proc": proc, "out": out, "tables": tables, "seen": seen}


def test_the_echo_server_did_receive_and_echo_the_token(echo_run: dict[str, Any]) -> None:
    """The premise: without redaction every sink below would hold the token."""
    assert any(s.headers.get("authorization") == f"token {SECRET}" for s in echo_run["seen"])
    facts = echo_run["tables"]["facts"].set_index("target_key")
    assert json.loads(facts.loc["github:echo/ok", "data"])["description"] == "we got token ***"


@pytest.mark.parametrize("column", ["error", "data", "etag"])
def test_no_secret_in_facts(echo_run: dict[str, Any], column: str) -> None:
    values = [str(v) for v in echo_run["tables"]["facts"][column]]
    assert values and not any(SECRET in v for v in values)
    if column == "error":
        assert any("Problems with token ***" in v for v in values)


def test_no_secret_in_facts_history(echo_run: dict[str, Any]) -> None:
    history = echo_run["tables"]["facts_history"]
    assert len(history) and SECRET not in history.to_csv()


def test_no_secret_in_results_reason(echo_run: dict[str, Any]) -> None:
    results = echo_run["tables"]["results"]
    reasons = [str(v) for v in [*results["reason"], *results["evidence"]]]
    assert not any(SECRET in r for r in reasons)
    assert any("Problems with token ***" in r for r in reasons)  # the echo reached the reasons, masked


def test_no_secret_in_scores(echo_run: dict[str, Any]) -> None:
    assert SECRET not in echo_run["tables"]["scores"].to_csv()


@pytest.mark.parametrize("name", ["links.csv", "scorecard.csv", "scorecard.md", "scorecard.html", "summary.json"])
def test_no_secret_in_report_files(echo_run: dict[str, Any], name: str) -> None:
    text = (echo_run["out"] / name).read_text(encoding="utf-8")
    assert text and SECRET not in text


def test_links_csv_keeps_the_masked_reason(echo_run: dict[str, Any]) -> None:
    rows = list(csv.DictReader((echo_run["out"] / "links.csv").open(encoding="utf-8")))
    assert any("Problems with token ***" in r["reason"] for r in rows)


def test_no_secret_on_stdout_or_stderr(echo_run: dict[str, Any]) -> None:
    proc = echo_run["proc"]
    assert proc.stdout and SECRET not in proc.stdout and SECRET not in proc.stderr


def test_no_secret_in_the_run_record(echo_run: dict[str, Any]) -> None:
    assert SECRET not in echo_run["tables"]["runs"].to_csv()


def test_audit_report_redacts_a_database_written_without_redaction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database from an older version may hold a secret: the report writers mask it on the way out."""
    import auditor.store.results as stored_results

    redaction.register(SECRET)
    db = tmp_path / "old.duckdb"
    with monkeypatch.context() as old_version:  # a store that did not redact yet
        old_version.setattr(stored_results, "redact", lambda text: text)
        old_version.setattr(stored_results, "_redacted", lambda text: text)
        with Store.open(db) as store:
            run_id = store.start_run({}, datetime(2026, 11, 20).date())
            store.save_outcomes(run_id, [{"paper_id": "p", "link_ordinal": None, "target_key": "", "check": "claim_kept",
                                          "result": Result("fail", f"old {SECRET}", 0.0)}])
            store.flush()
            store.finish_run(run_id, "done")
            assert SECRET in store.query("SELECT reason FROM results").to_csv()  # the premise
    with Store.open(db) as store:
        paths = write_reports(store, tmp_path / "out", run_id)
    texts = {path.name: path.read_text(encoding="utf-8") for path in (paths.csv, paths.links_csv, paths.md, paths.html, paths.json)}
    assert not any(SECRET in text for text in texts.values())
    assert all("old ***" in texts[name] for name in ("scorecard.md", "scorecard.html", "summary.json"))  # the finding is shown, masked
