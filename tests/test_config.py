"""Configuration: where it is read from, what it may say, and its errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from auditor.config import CHECK_DEFAULTS, DEFAULT_WEIGHTS, AuditConfig, load_config, parse_config
from auditor.errors import ConfigError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path):
    cfg = load_config(cwd=tmp_path)
    assert cfg == AuditConfig()
    assert cfg.settings_for("claim_kept")["grace_days"] == 90
    assert cfg.weights["stars"] == 0.5 and cfg.fail_under is None and cfg.enabled is None
    assert cfg.is_enabled("anything")


def test_pyproject_tool_auditor(tmp_path):
    write(tmp_path / "pyproject.toml", """
[project]
name = "x"
[tool.auditor]
fail_under = 5
as_of = 2026-11-23
[tool.auditor.weights]
stars = 0.25
[tool.auditor.checks.claim_kept]
grace_days = 120
""")
    cfg = load_config(cwd=tmp_path)
    assert cfg.fail_under == 5.0 and cfg.as_of == date(2026, 11, 23)
    assert cfg.weights["stars"] == 0.25 and cfg.weights["license"] == DEFAULT_WEIGHTS["license"]
    assert cfg.settings_for("claim_kept") == {"grace_days": 120}
    assert cfg.settings_for("readme")["min_chars"] == CHECK_DEFAULTS["readme"]["min_chars"]
    assert "pyproject.toml" in cfg.source


def test_audit_toml_wins_over_pyproject(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.auditor]\nfail_under = 5\n")
    write(tmp_path / "audit.toml", "fail_under = 7\n[checks.readme]\nmin_lines = 3\n")
    cfg = load_config(cwd=tmp_path)
    assert cfg.fail_under == 7.0 and cfg.settings_for("readme")["min_lines"] == 3


def test_explicit_file_wins_over_cwd(tmp_path):
    write(tmp_path / "audit.toml", "fail_under = 7\n")
    other = tmp_path / "sub"
    other.mkdir()
    explicit = write(other / "strict.toml", "fail_under = 9\nenabled = ['repo_exists', 'license']\n")
    cfg = load_config(explicit, cwd=tmp_path)
    assert cfg.fail_under == 9.0 and cfg.enabled == {"repo_exists", "license"}
    assert not cfg.is_enabled("stars")


def test_explicit_pyproject_and_tool_table_in_audit_toml(tmp_path):
    p = write(tmp_path / "pyproject.toml", "[tool.auditor]\nfail_under = 4\n")
    assert load_config(p, cwd=tmp_path / "nowhere").fail_under == 4.0
    a = write(tmp_path / "x.toml", "[tool.auditor]\nfail_under = 3\n")
    assert load_config(a).fail_under == 3.0


def test_pyproject_without_section_gives_defaults(tmp_path):
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(cwd=tmp_path) == AuditConfig()


def test_select_and_disabled():
    cfg = parse_config({"disabled": ["stars"]})
    assert not cfg.is_enabled("stars") and cfg.is_enabled("license")
    assert cfg.select(["license"]).enabled == {"license"}
    assert not cfg.select(["stars"]).is_enabled("stars")  # disabled stays disabled


def test_as_of_string_and_datetime():
    assert parse_config({"as_of": "2025-01-31"}).as_of == date(2025, 1, 31)


def test_projects_own_pyproject_is_valid():
    root = Path(__file__).resolve().parent.parent
    config = load_config(root / "pyproject.toml")  # raises ConfigError when invalid
    assert config.source.endswith("pyproject.toml") and config.weights["repo_exists"] > 0


@pytest.mark.parametrize("text,needle", [
    ("colour = 'red'\n", "unknown key 'colour'"),
    ("fail_under = 'high'\n", "fail_under must be a number"),
    ("fail_under = 11\n", "fail_under must be a number from 0 to 10"),
    ("fail_under = true\n", "fail_under must be a number"),
    ("as_of = 'yesterday'\n", "as_of must be a date"),
    ("enabled = 'stars'\n", "enabled must be a list"),
    ("[weights]\nstars = 'x'\n", "weights.stars must be a number"),
    ("[weights]\nstars = -1\n", "weights.stars must be a number >= 0"),
    ("weights = 3\n", "[weights] must be a table"),
    ("[checks.claim_kept]\ngrace = 3\n", "[checks.claim_kept] unknown key 'grace'"),
    ("[checks.claim_kept]\ngrace_days = 'long'\n", "checks.claim_kept.grace_days must be a number"),
    ("[checks.claim_kept]\ngrace_days = 1.5\n", "must be a whole number"),
    ("[checks.readme]\nplaceholder_phrases = 'soon'\n", "must be a list of strings"),
    ("checks = 1\n", "[checks] must hold one table per check"),
    ("fail_under = \n", "not valid TOML"),
])
def test_errors_are_one_clear_line(tmp_path, text, needle):
    path = write(tmp_path / "audit.toml", text)
    with pytest.raises(ConfigError) as err:
        load_config(cwd=tmp_path)
    message = str(err.value)
    assert needle in message and "\n" not in message and str(path) in message


@pytest.mark.parametrize("text", ["[weights]\nstarz = 1\n", "enabled = ['licence']\n", "[checks.readmee]\nx = 1\n"])
def test_unknown_check_names_are_errors(tmp_path, text):
    write(tmp_path / "audit.toml", text)
    with pytest.raises(ConfigError, match="unknown check"):
        load_config(cwd=tmp_path)


def test_known_checks_include_entry_points_and_can_be_given(tmp_path):
    write(tmp_path / "audit.toml", "[weights]\nmine = 1\n")
    assert load_config(cwd=tmp_path, known_checks={"mine"}).weights["mine"] == 1.0
    from auditor.config import registered_check_names
    from checks import builtin_modules

    assert set(builtin_modules()) <= registered_check_names()


def test_third_party_settings_pass_through():
    cfg = parse_config({"checks": {"my_check": {"anything": [1, 2]}}}, known_checks={"my_check"})
    assert cfg.settings_for("my_check") == {"anything": [1, 2]}


def test_missing_explicit_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


def test_placeholder_phrases_override():
    cfg = parse_config({"checks": {"readme": {"placeholder_phrases": ["Bald Verfügbar"]}}})
    assert cfg.settings_for("readme")["placeholder_phrases"] == ["bald verfügbar"]
