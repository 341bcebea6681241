"""Audit configuration: weights, thresholds, enabled checks, fail-under.

Where it comes from (first found wins, nothing is merged across files):

1. an explicit ``--config`` file: an ``audit.toml`` (keys at top level) or a
   ``pyproject.toml`` (keys under ``[tool.auditor]``);
2. ``audit.toml`` in the working directory;
3. ``[tool.auditor]`` of ``pyproject.toml`` in the working directory;
4. the defaults below.

Format::

    [tool.auditor]
    as_of = 2026-11-23          # optional: judge as of this date (TOML date or "YYYY-MM-DD")
    fail_under = 5              # optional: CI fails when a paper scores below this
    max_error_share = 0.25      # optional: more targets than this in error/unknown make the run partial (exit 3)
    min_judged_share = 0.5      # optional: --fail-under decides only when this share of papers was scored
    enabled = ["repo_exists"]   # optional: only these checks (default: all discovered)
    disabled = ["stars"]        # optional: never these

    [tool.auditor.weights]
    stars = 0.5

    [tool.auditor.checks.claim_kept]
    grace_days = 120

Per-check settings are merged over :data:`CHECK_DEFAULTS` and handed to the
check as ``CheckContext.settings``. An unknown key or a value of the wrong
type raises :class:`~auditor.errors.ConfigError` with one line saying where.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping

from auditor.errors import ConfigError

#: Default weight of each built-in check in the weighted mean of a link's score.
#: Stars say little about reproducibility; archived and artifact_badge are information only:
#: a venue's badge policy is not a measure of a repository (most papers are not submitted for one,
#: and a repository link alone never earns it), so it would fail most ML papers whose code is fine.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "repo_exists": 2.0,
    "license": 1.0,
    "readme": 1.0,
    "stars": 0.5,
    "last_commit": 1.0,
    "archived": 0.0,
    "code_present": 2.0,
    "claim_kept": 2.0,
    "subpath_exists": 1.0,
    "link_reachable": 2.0,
    "anonymous_link": 1.0,
    "ml_completeness": 1.0,
    "artifact_badge": 0.0,
    "code_linked": 1.0,
    "links_agree": 1.0,
}

#: Default settings of each built-in check (``[checks.NAME]`` overrides them).
CHECK_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "readme": {
        "min_chars": 300,  # below this (prose characters) a README is a stub: fail
        "min_lines": 5,  # fewer non-empty lines: a stub: fail
        "good_chars": 1000,  # from here a README scores full marks
        "placeholder_max_chars": 1500,  # a placeholder phrase in a README shorter than this: fail
        "placeholder_phrases": [
            "coming soon",
            "code will be released",
            "code will be available",
            "code will be made available",
            "code will be made public",
            "will be released soon",
            "will be released upon",
            "will be released after",
            "will be available soon",
            "to be released",
            "under construction",
            "stay tuned",
            "work in progress",
            "todo: release",
        ],
    },
    "stars": {
        "full_marks_at": 1000,  # stars for a score of 10 (log scale below)
        "warn_below": 5,  # fewer stars: status warn (never fail)
    },
    "last_commit": {
        "before_paper_tolerance_days": 30,  # a last commit this close before the paper is fine
        "grace_days": 90,  # promised code: time after the paper before "no commit since" fails
        "stale_days": 730,  # without a paper date: quiet longer than this warns
    },
    "code_present": {
        "min_code_bytes": 500,  # less code than this (by GitHub's languages): warn "hardly any"
        "links_readme_chars": 3000,  # no code and a README this large: an awesome-list / links only
    },
    "claim_kept": {
        "grace_days": 90,  # promised code: days after the paper date before "not delivered" fails
    },
    "artifact_badge": {
        "policy": "usenix-security-2025",  # usenix-security-2025 | ieee-sp-2026 | acm-v1.1
    },
    "ml_completeness": {
        "min_ml_terms": 3,  # distinct ML terms (README, description, abstract) that make a repository ML code
    },
}

_TOP_KEYS = {"as_of", "fail_under", "max_error_share", "min_judged_share", "enabled", "disabled", "weights", "checks"}


@dataclass(frozen=True)
class AuditConfig:
    """Everything a run may tune. Defaults are the documented ones above."""

    as_of: date | None = None  # None: today
    fail_under: float | None = None  # None: never fail a run on scores
    max_error_share: float = 0.25  # share of targets in error/unknown beyond which a run is partial
    min_judged_share: float = 0.5  # share of papers that must be scored for --fail-under to decide
    enabled: frozenset[str] | None = None  # None: every discovered check
    disabled: frozenset[str] = frozenset()
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    checks: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # overrides only
    source: str = "defaults"  # where the configuration was read, for messages

    def is_enabled(self, name: str) -> bool:
        if name in self.disabled:
            return False
        return self.enabled is None or name in self.enabled

    def settings_for(self, name: str) -> dict[str, Any]:
        """This check's settings: defaults overlaid with the configured values."""
        merged = dict(CHECK_DEFAULTS.get(name, {}))
        merged.update(self.checks.get(name, {}))
        return merged

    def weight_for(self, name: str, default: float = 1.0) -> float:
        return float(self.weights.get(name, default))

    def select(self, names: Iterable[str]) -> AuditConfig:
        """The same configuration limited to ``names`` (the CLI's --checks)."""
        return replace(self, enabled=frozenset(names))


def setting(settings: Mapping[str, Any], check_name: str, key: str) -> Any:
    """A check's setting, falling back to its documented default."""
    if key in settings:
        return settings[key]
    return CHECK_DEFAULTS[check_name][key]


# --------------------------------------------------------------------------- loading


def load_config(
    path: Path | None = None,
    cwd: Path | None = None,
    known_checks: Collection[str] | None = None,
) -> AuditConfig:
    """Read the configuration (see the module docstring for where from).

    ``known_checks``: names that ``enabled``/``disabled``/``weights``/``checks``
    may use, so a typo is an error; None: the built-ins and every name
    registered in the ``auditor.checks`` entry-point group (read from package
    metadata, nothing is imported).
    """
    cwd = Path.cwd() if cwd is None else cwd
    if known_checks is None:
        known_checks = registered_check_names()
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        table = _read_table(path, pyproject=path.name == "pyproject.toml")
        return parse_config(table, source=str(path), known_checks=known_checks)
    audit_toml = cwd / "audit.toml"
    if audit_toml.is_file():
        return parse_config(_read_table(audit_toml, pyproject=False), str(audit_toml), known_checks)
    pyproject = cwd / "pyproject.toml"
    if pyproject.is_file():
        table = _read_table(pyproject, pyproject=True)
        if table:
            return parse_config(table, f"{pyproject} [tool.auditor]", known_checks)
    return AuditConfig()


def registered_check_names() -> frozenset[str]:
    """Built-in check names plus every entry point of the auditor.checks group."""
    from importlib.metadata import entry_points

    names = set(DEFAULT_WEIGHTS) | set(CHECK_DEFAULTS)
    names.update(ep.name for ep in entry_points(group="auditor.checks"))
    return frozenset(names)


def _read_table(path: Path, pyproject: bool) -> dict[str, Any]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if pyproject or set(doc) == {"tool"}:
        tool = doc.get("tool", {})
        table = tool.get("auditor", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.auditor] must be a table")
        return table
    return doc


def parse_config(
    table: Mapping[str, Any],
    source: str = "<config>",
    known_checks: Collection[str] | None = None,
) -> AuditConfig:
    """Validate a parsed ``[tool.auditor]`` table into an :class:`AuditConfig`.

    ``known_checks`` None accepts any check name (a third party's included).
    """

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{source}: {message}")

    unknown = sorted(set(table) - _TOP_KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_TOP_KEYS))})")

    def check_name(name: Any, where: str) -> str:
        if not isinstance(name, str):
            raise fail(f"{where}: check names are strings, got {name!r}")
        if known_checks is not None and name not in known_checks:
            raise fail(f"{where}: unknown check {name!r} (known: {', '.join(sorted(known_checks))})")
        return name

    as_of = table.get("as_of")
    if as_of is not None:
        if isinstance(as_of, str):
            try:
                as_of = date.fromisoformat(as_of)
            except ValueError:
                raise fail(f"as_of must be a date YYYY-MM-DD, got {as_of!r}") from None
        elif not isinstance(as_of, date):  # tomllib gives date (or datetime, a date subclass)
            raise fail(f"as_of must be a date YYYY-MM-DD, got {as_of!r}")
        if hasattr(as_of, "date"):  # a TOML datetime: keep the day
            as_of = as_of.date()

    fail_under = table.get("fail_under")
    if fail_under is not None:
        if not _is_number(fail_under) or not 0 <= fail_under <= 10:
            raise fail(f"fail_under must be a number from 0 to 10, got {fail_under!r}")
        fail_under = float(fail_under)

    def share(key: str) -> float:
        value = table.get(key, getattr(AuditConfig, key))
        if not _is_number(value) or not 0 <= value <= 1:
            raise fail(f"{key} must be a share from 0 to 1, got {value!r}")
        return float(value)

    max_error_share, min_judged_share = share("max_error_share"), share("min_judged_share")

    def name_list(key: str) -> frozenset[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list):
            raise fail(f"{key} must be a list of check names, got {value!r}")
        return frozenset(check_name(v, key) for v in value)

    enabled = name_list("enabled")
    disabled = name_list("disabled") or frozenset()

    weights = dict(DEFAULT_WEIGHTS)
    raw_weights = table.get("weights", {})
    if not isinstance(raw_weights, dict):
        raise fail(f"[weights] must be a table of check = number, got {raw_weights!r}")
    for name, value in raw_weights.items():
        check_name(name, "weights")
        if not _is_number(value) or value < 0:
            raise fail(f"weights.{name} must be a number >= 0, got {value!r}")
        weights[name] = float(value)

    checks: dict[str, dict[str, Any]] = {}
    raw_checks = table.get("checks", {})
    if not isinstance(raw_checks, dict):
        raise fail(f"[checks] must hold one table per check, got {raw_checks!r}")
    for name, settings in raw_checks.items():
        check_name(name, "checks")
        if not isinstance(settings, dict):
            raise fail(f"[checks.{name}] must be a table, got {settings!r}")
        checks[name] = _validate_settings(name, settings, fail)

    return AuditConfig(
        as_of=as_of,
        fail_under=fail_under,
        max_error_share=max_error_share,
        min_judged_share=min_judged_share,
        enabled=enabled,
        disabled=disabled,
        weights=weights,
        checks=checks,
        source=source,
    )


def _validate_settings(name: str, settings: Mapping[str, Any], fail: Any) -> dict[str, Any]:
    """Built-in checks' settings must match the defaults' keys and types."""
    defaults = CHECK_DEFAULTS.get(name)
    if defaults is None:  # a third-party check: its settings are its own business
        return dict(settings)
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if key not in defaults:
            raise fail(f"[checks.{name}] unknown key {key!r} (known: {', '.join(sorted(defaults))})")
        default = defaults[key]
        if isinstance(default, list):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise fail(f"checks.{name}.{key} must be a list of strings, got {value!r}")
            value = [v.casefold() for v in value]
        elif isinstance(default, (int, float)):
            if not _is_number(value) or value < 0:
                raise fail(f"checks.{name}.{key} must be a number >= 0, got {value!r}")
            if isinstance(default, int) and not float(value).is_integer():
                raise fail(f"checks.{name}.{key} must be a whole number, got {value!r}")
            value = type(default)(value)
        out[key] = value
    return out


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
