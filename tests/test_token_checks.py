"""Every token is checked before it is used: each of GITHUB_TOKENS with GitHub's free
``GET /rate_limit``, and HF_TOKEN with the Hub's ``GET /api/whoami-v2`` (as huggingface_hub's
``HfApi.whoami`` does). A refused token is named by where it was given, never by its value.

Against the fake GitHub (tests/fakegithub: a token starting with "bad" gets GitHub's 401
"Bad credentials") and the fake Hub (tests/localhosts/fakehub.py: "good-token" is accepted,
anything else gets the Hub's 401 "Invalid credentials in Authorization header").
"""

from __future__ import annotations

import pytest
from inprocess import audit
from localhosts import fakehub
from localhosts.server import LocalServer

from auditor import exitcodes
from auditor.hosts.token_check import env_without, judge_tokens, token_labels

GOOD1, BAD, GOOD2 = "tok-good-0001", "bad-revoked-0002", "tok-good-0003"


def test_tokens_are_named_by_where_they_were_given_in_the_order_they_are_used():
    env = {"GH_TOKEN": "t0", "GITHUB_TOKENS": " t1,, t0 ,t2"}
    assert token_labels(env) == [("GH_TOKEN", "t0"), ("GITHUB_TOKENS item 1", "t1"), ("GITHUB_TOKENS item 3", "t2")]
    assert env_without({**env, "PATH": "/bin"}, frozenset({"t0"})) == {"GITHUB_TOKENS": "t1,t2", "PATH": "/bin"}


def test_one_refused_token_among_good_ones_is_a_warning_every_one_refused_an_error():
    labels = [("GITHUB_TOKEN", "a"), ("GITHUB_TOKENS item 2", "b")]
    some = judge_tokens("api.github.com", labels, {"b": "Bad credentials"})
    assert some.error is None and some.dropped == {"b"}
    assert some.warnings == ("GitHub (api.github.com) refused the token in GITHUB_TOKENS item 2: HTTP 401 Bad credentials; "
                             "it is left out, the run goes on with 1 of 2 tokens",)
    every = judge_tokens("api.github.com", labels, {"a": "Bad credentials", "b": "Bad credentials"})
    assert every.error.startswith("GitHub (api.github.com) refused every token: GITHUB_TOKEN (HTTP 401 Bad credentials), "
                                  "GITHUB_TOKENS item 2 (HTTP 401 Bad credentials)")
    assert judge_tokens("h", labels, {}).error is None


LINKS = {"github": "Code: https://github.com/fixture-lab/healthy", "huggingface": "Model: https://huggingface.co/org/good"}


def _run(tmp_path, env, hosts="github", discover="abstract"):
    dump = tmp_path / "papers.csv"
    dump.write_text(f'title,abstract\nOne,"{LINKS[hosts]}"\n')
    return audit("run", "--out", str(tmp_path / "out"), "--as-of", "2026-11-20", "--hosts", hosts, "--discover", discover,
                 "--quiet", "--allow-private-hosts", str(dump), env=env)  # the fakes are on 127.0.0.1


def _clients(fake, route):
    return sorted(e["client"] for e in fake.stats.log if e["route"] == route)


@pytest.mark.network
def test_every_github_token_is_checked_and_a_refused_one_is_left_out(fake_github, tmp_path):
    env = {**fake_github.env(), "GITHUB_TOKENS": f"{GOOD1},{BAD},{GOOD2}"}
    result = _run(tmp_path, env)
    assert result.returncode == exitcodes.OK, result.stderr
    assert result.stderr.strip() == ("audit: warning: GitHub (127.0.0.1) refused the token in GITHUB_TOKENS item 2: HTTP 401 "
                                     "Bad credentials; it is left out, the run goes on with 2 of 3 tokens")
    assert BAD not in result.stdout + result.stderr
    # each token once with the free check; the refused one never again
    assert [c for c in _clients(fake_github, "GET /rate_limit") if c.startswith("token:")] == sorted(
        f"token:{t}" for t in (GOOD1, BAD, GOOD2))
    used = {e["client"] for e in fake_github.stats.log if e["route"] != "GET /rate_limit"}
    assert used and f"token:{BAD}" not in used


@pytest.mark.network
@pytest.mark.parametrize("discover", ["abstract", "abstract,github_search"], ids=["collect", "discovery"])
def test_every_github_token_refused_is_one_line_and_exit_5(fake_github_rest, tmp_path, discover):
    env = {**fake_github_rest.env(), "GITHUB_TOKENS": f"{BAD},bad-expired-0009"}
    result = _run(tmp_path, env, discover=discover)
    assert result.returncode == exitcodes.BAD_TOKEN, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "refused every token: GITHUB_TOKENS item 1 (HTTP 401 Bad credentials), GITHUB_TOKENS item 2" in line
    assert BAD not in line and "bad-expired-0009" not in line
    assert dict(fake_github_rest.stats.requests) == {"GET /rate_limit": 2}  # nothing else was asked


@pytest.mark.parametrize("discover", ["abstract", "abstract,hf_paper"], ids=["collect", "discovery"])
def test_a_refused_hf_token_is_one_line_and_exit_5_before_the_hub_is_asked(tmp_path, discover):
    with LocalServer(fakehub.routes()) as hub:
        result = _run(tmp_path, {"HF_ENDPOINT": hub.base, "HF_TOKEN": "hf-wrong-token-77"}, hosts="huggingface",
                      discover=discover)
        asked = [seen.path for seen in hub.seen]
    assert result.returncode == exitcodes.BAD_TOKEN, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "the Hub (127.0.0.1) refused the token in HF_TOKEN: HTTP 401 Invalid credentials in Authorization header" in line
    assert "hf-wrong-token-77" not in line
    assert [p for p in asked if p != "/"] == ["/api/whoami-v2"]  # the check, and no repository


def test_an_accepted_hf_token_is_checked_once_and_the_run_goes_on(tmp_path):
    with LocalServer(fakehub.routes()) as hub:
        result = _run(tmp_path, {"HF_ENDPOINT": hub.base, "HF_TOKEN": "good-token"}, hosts="huggingface")
        asked = [seen.path for seen in hub.seen]
    assert result.returncode == exitcodes.OK, result.stderr
    assert asked.count("/api/whoami-v2") == 1 and "/api/models/org/good" in asked
