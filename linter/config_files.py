"""Where configuration lives and how it is read: `.iaclint.yaml`, `.iaclint.yml`, or
the `[tool.iaclint]` table of `pyproject.toml`, in that order within one directory.

A `pyproject.toml` counts only when it has the table, so a Python project's own
file does not hide an `.iaclint.yaml` further up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import yaml

from linter.discovery import Refused, as_utf8, read_source

YAML_NAMES = (".iaclint.yaml", ".iaclint.yml")
PYPROJECT = "pyproject.toml"
CONFIG_NAMES = (*YAML_NAMES, PYPROJECT)
#: Far more than any real configuration; a larger file is refused unread.
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """A configuration file that is missing, unreadable or invalid."""


def find_config(start: Path, stop: Path | None = None) -> Path | None:
    """The configuration file in `start` (a file's directory) or its nearest parent
    that has one, looking no further up than the repository root (the nearest
    directory holding `.git`). Outside a repository the search ends at `stop` (the
    scan root) when it lies above `start`, else `start` is the only directory: a
    configuration planted in a shared parent such as /tmp must not apply to (and so
    disable the rules of) every scan below it."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    chain = search_path(here, stop.resolve() if stop else None)
    for directory in chain:
        for name in YAML_NAMES:
            candidate = directory / name
            if _usable(candidate, chain[-1]):
                return candidate
        candidate = directory / PYPROJECT
        if _usable(candidate, chain[-1]) and _has_tool_table(candidate):
            return candidate
    return None


def _usable(candidate: Path, top: Path) -> bool:
    """A regular file that is, or links to, a file under `top`: a committed link
    `.iaclint.yaml -> ~/.ssh/id_rsa` would show lines of that file in its YAML error."""
    if not candidate.is_file():
        return False
    real = candidate.resolve()
    return real == top or top in real.parents


def search_path(here: Path, stop: Path | None = None) -> list[Path]:
    """The directories `find_config` looks in, nearest first: up to the repository
    root; outside a repository up to `stop` when it is `here` or above it, else
    `here` alone."""
    chain = [here, *here.parents]
    for n, directory in enumerate(chain):
        if (directory / ".git").exists():  # a directory, or a file in a worktree
            return chain[: n + 1]
    if stop is not None and stop in chain:
        return chain[: chain.index(stop) + 1]
    return [here]


def describe(path: str | os.PathLike[str]) -> str:
    """How `-v` names a configuration file."""
    return f"{path} [tool.iaclint]" if _is_toml(Path(path)) else str(path)


def read_mapping(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The configuration keys in `path` (YAML, or the tool table of a TOML file)."""
    p = Path(path)
    try:  # regular files only, bounded: a planted link to /dev/zero must not hang
        text = as_utf8(read_source(str(p), limit=MAX_CONFIG_BYTES, count=False)).decode()
    except Refused as exc:
        raise ConfigError(f"{p}: cannot read configuration: {exc.reason}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: cannot read configuration: {exc}") from exc
    data = _toml_table(p, text) if _is_toml(p) else _yaml_mapping(p, text)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: configuration must be a mapping of keys to values")
    return data


def _is_toml(path: Path) -> bool:
    return path.suffix.lower() == ".toml"


def _yaml_mapping(path: Path, text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: configuration is not valid YAML: {exc}") from exc


def _toml_table(path: Path, text: str) -> Any:
    data = _parse_toml(path, text)
    tool = data.get("tool")
    if not isinstance(tool, dict) or "iaclint" not in tool:
        raise ConfigError(f"{path}: has no [tool.iaclint] table")
    return tool["iaclint"]


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        data: dict[str, Any] = tomllib.loads(text)
        return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: configuration is not valid TOML: {exc}") from exc


def _has_tool_table(path: Path) -> bool:
    """Whether a pyproject.toml has `[tool.iaclint]`. The cheap text test skips
    parsing other projects' files; one that mentions iaclint but does not parse is
    an error rather than silently ignored configuration."""
    try:
        text = as_utf8(read_source(str(path), limit=MAX_CONFIG_BYTES, count=False)).decode()
    except (Refused, UnicodeDecodeError):
        return False
    if "iaclint" not in text:
        return False
    tool = _parse_toml(path, text).get("tool")
    return isinstance(tool, dict) and "iaclint" in tool
