"""Scan configuration: a file found by `find_config` or given with `--config`,
validated by the JSON Schema shipped in `linter/data/config-schema.json`.

The schema is a package file rather than a Python literal so that editors and
`iaclint config schema` serve exactly what the loader enforces.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from linter.config_files import CONFIG_NAMES, ConfigError, describe, find_config, read_mapping
from linter.discovery import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES, parse_size
from linter.limits import risky_pattern
from linter.model import Severity
from linter.selection import normalize

__all__ = [
    "CONFIG_NAMES",
    "Config",
    "ConfigError",
    "IgnoreEntry",
    "describe",
    "find_config",
    "load_config",
    "schema",
    "schema_text",
    "validate",
]

SEVERITIES = ["critical", "high", "medium", "low"]


def schema_text() -> str:
    from importlib import resources  # 8 ms at start-up, for a rarely read file

    return resources.files("linter").joinpath("data/config-schema.json").read_text("utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The configuration JSON Schema (draft-07)."""
    data: dict[str, Any] = json.loads(schema_text())
    return data


@dataclass(frozen=True)
class IgnoreEntry:
    """One `ignore` entry: findings of `ids` (rule IDs or categories) accepted, where
    `path` and `address` globs match, until the end of `until`."""

    ids: tuple[str, ...]
    path: str | None = None
    address: str | None = None
    reason: str = ""
    until: datetime.date | None = None
    #: The configuration file the entry came from, for messages.
    config_path: str | None = None


@dataclass
class Config:
    required_tags: list[str] = field(default_factory=list)
    allowed_public_ports: list[int] = field(default_factory=lambda: [80, 443])
    fail_on: Severity = Severity.LOW
    #: Rule IDs and category names to run; None runs every rule.
    enable: set[str] | None = None
    #: Rule IDs and category names not to run (applied after `enable`).
    disable: set[str] = field(default_factory=set)
    public_facing_tags: dict[str, list[str]] = field(
        default_factory=lambda: {"Tier": ["public", "bastion", "edge", "dmz"]}
    )
    tag_value_patterns: dict[str, str] = field(default_factory=dict)
    include_partial_wildcards: bool = False
    #: Rule ID or category name → severity; a rule ID wins over its category.
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    #: Gitignore-style globs relative to the scan root.
    exclude: list[str] = field(default_factory=list)
    ignore: list[IgnoreEntry] = field(default_factory=list)
    #: Absolute: a relative value is resolved against the configuration file's directory.
    baseline: str | None = None
    #: Bytes: the largest file scanned, and the most one scan reads in all.
    max_file_size: int = DEFAULT_MAX_FILE_BYTES
    max_total_size: int = DEFAULT_MAX_TOTAL_BYTES
    path: str | None = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: str | None = None) -> Config:
        data = _dates_as_text(data)
        validate(data, path)
        cfg = cls(path=path)
        if "required_tags" in data:
            cfg.required_tags = list(data["required_tags"])
        if "allowed_public_ports" in data:
            cfg.allowed_public_ports = list(data["allowed_public_ports"])
        if "fail_on" in data:
            cfg.fail_on = Severity.parse(data["fail_on"])
        if "enable" in data:
            cfg.enable = {normalize(r) for r in data["enable"]}
        if "disable" in data:
            cfg.disable = {normalize(r) for r in data["disable"]}
        if "public_facing_tags" in data:
            cfg.public_facing_tags = {k: list(v) for k, v in data["public_facing_tags"].items()}
        if "tag_value_patterns" in data:
            cfg.tag_value_patterns = dict(data["tag_value_patterns"])
            _check_patterns(cfg.tag_value_patterns, path)
        if "include_partial_wildcards" in data:
            cfg.include_partial_wildcards = bool(data["include_partial_wildcards"])
        if "severity_overrides" in data:
            cfg.severity_overrides = {
                normalize(k): Severity.parse(v) for k, v in data["severity_overrides"].items()
            }
        if "exclude" in data:
            cfg.exclude = list(data["exclude"])
        if "ignore" in data:
            cfg.ignore = [_ignore_entry(e, path) for e in data["ignore"]]
        if "baseline" in data:
            base = Path(path).parent if path else Path()
            cfg.baseline = os.path.abspath(base / data["baseline"])
        for key in ("max_file_size", "max_total_size"):
            if key in data:
                try:
                    setattr(cfg, key, parse_size(data[key]))
                except ValueError as exc:
                    raise ConfigError(f"{path or 'configuration'}: {key}: {exc}") from exc
        return cfg


def _check_patterns(patterns: dict[str, str], path: str | None) -> None:
    """A configuration may come with the code it checks (a pull request): a pattern that
    could backtrack for minutes is refused here rather than run (linter/limits.py)."""
    for key, pattern in patterns.items():
        reason = risky_pattern(pattern)
        if reason is not None:
            raise ConfigError(
                f"{path or 'configuration'}: invalid value for 'tag_value_patterns.{key}': "
                f"{reason}; write the pattern without nested or alternated repeats"
            )


def _ignore_entry(data: dict[str, Any], path: str | None) -> IgnoreEntry:
    ids = data["id"] if isinstance(data["id"], list) else [data["id"]]
    until = data.get("until")
    return IgnoreEntry(
        ids=tuple(normalize(i) for i in ids),
        path=data.get("path"),
        address=data.get("address"),
        reason=data.get("reason", ""),
        until=datetime.date.fromisoformat(until) if until else None,
        config_path=path,
    )


def _dates_as_text(data: dict[str, Any]) -> dict[str, Any]:
    """YAML and TOML both read an unquoted `until: 2025-06-30` as a date; the schema
    (and JSON) know only strings."""
    entries = data.get("ignore")
    if not isinstance(entries, list):
        return data
    fixed = [
        {**e, "until": e["until"].isoformat()}
        if isinstance(e, dict) and type(e.get("until")) is datetime.date
        else e
        for e in entries
    ]
    return {**data, "ignore": fixed}


def validate(data: Any, path: str | None) -> None:
    import jsonschema  # only when a configuration exists: saves start-up time otherwise

    where = path or "configuration"
    rules = schema()
    validator = jsonschema.Draft7Validator(rules, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = errors[0]
    key = ".".join(str(p) for p in err.absolute_path)
    if err.validator == "additionalProperties" and not key:
        extra = sorted(set(data) - set(rules["properties"]))
        raise ConfigError(
            f"{where}: unknown key {extra[0]!r} "
            f"(known keys: {', '.join(sorted(rules['properties']))})"
        )
    raise ConfigError(f"{where}: invalid value for {key or 'the top level'!r}: {err.message}")


def load_config(path: str | os.PathLike[str]) -> Config:
    """The configuration in `path`: YAML, or `[tool.iaclint]` of a .toml file."""
    return Config.from_mapping(read_mapping(path), str(path))
