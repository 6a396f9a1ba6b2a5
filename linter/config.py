"""Scan configuration: `.iaclint.yaml` or `--config FILE`, validated by JSON Schema."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from linter.model import Severity

CONFIG_NAMES = (".iaclint.yaml", ".iaclint.yml")
SEVERITIES = ["critical", "high", "medium", "low"]

SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "required_tags": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "allowed_public_ports": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0, "maximum": 65535},
        },
        "fail_on": {"type": "string", "enum": SEVERITIES},
        "disable": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Za-z]+[0-9]+$"},
        },
        "public_facing_tags": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "tag_value_patterns": {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "regex"},
        },
        "include_partial_wildcards": {"type": "boolean"},
        "severity_overrides": {
            "type": "object",
            "additionalProperties": {"type": "string", "enum": SEVERITIES},
        },
    },
}


class ConfigError(Exception):
    """A configuration file that is missing, unreadable or invalid."""


@dataclass
class Config:
    required_tags: list[str] = field(default_factory=list)
    allowed_public_ports: list[int] = field(default_factory=lambda: [80, 443])
    fail_on: Severity = Severity.LOW
    disable: set[str] = field(default_factory=set)
    public_facing_tags: dict[str, list[str]] = field(
        default_factory=lambda: {"Tier": ["public", "bastion", "edge", "dmz"]}
    )
    tag_value_patterns: dict[str, str] = field(default_factory=dict)
    include_partial_wildcards: bool = False
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    path: str | None = None

    @classmethod
    def from_mapping(cls, data: dict[str, Any], path: str | None = None) -> Config:
        validate(data, path)
        cfg = cls(path=path)
        if "required_tags" in data:
            cfg.required_tags = list(data["required_tags"])
        if "allowed_public_ports" in data:
            cfg.allowed_public_ports = list(data["allowed_public_ports"])
        if "fail_on" in data:
            cfg.fail_on = Severity.parse(data["fail_on"])
        if "disable" in data:
            cfg.disable = {r.upper() for r in data["disable"]}
        if "public_facing_tags" in data:
            cfg.public_facing_tags = {k: list(v) for k, v in data["public_facing_tags"].items()}
        if "tag_value_patterns" in data:
            cfg.tag_value_patterns = dict(data["tag_value_patterns"])
        if "include_partial_wildcards" in data:
            cfg.include_partial_wildcards = bool(data["include_partial_wildcards"])
        if "severity_overrides" in data:
            cfg.severity_overrides = {
                k.upper(): Severity.parse(v) for k, v in data["severity_overrides"].items()
            }
        return cfg


def validate(data: Any, path: str | None) -> None:
    import jsonschema  # only when a configuration exists: saves start-up time otherwise

    where = path or "configuration"
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = errors[0]
    key = ".".join(str(p) for p in err.absolute_path)
    if err.validator == "additionalProperties" and not key:
        extra = sorted(set(data) - set(SCHEMA["properties"]))
        raise ConfigError(
            f"{where}: unknown key {extra[0]!r} "
            f"(known keys: {', '.join(sorted(SCHEMA['properties']))})"
        )
    raise ConfigError(f"{where}: invalid value for {key or 'the top level'!r}: {err.message}")


def load_config(path: str | os.PathLike[str]) -> Config:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read configuration: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{p}{line}: configuration is not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: configuration must be a mapping of keys to values")
    return Config.from_mapping(data, str(p))


def find_config(start: Path) -> Path | None:
    """`.iaclint.yaml` in `start` or the nearest parent that has one."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None
