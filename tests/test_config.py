from __future__ import annotations

from pathlib import Path

import pytest

from linter.config import Config, ConfigError, find_config, load_config
from linter.model import Severity


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    cfg = Config()
    assert cfg.allowed_public_ports == [80, 443]
    assert cfg.fail_on is Severity.LOW
    assert cfg.required_tags == []


def test_full_config_loads(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path / "c.yaml", """
required_tags: [Owner, CostCenter]
allowed_public_ports: [443]
fail_on: high
disable: [iac050]
public_facing_tags: {Role: [bastion]}
tag_value_patterns: {CostCenter: "^CC-[0-9]+$"}
include_partial_wildcards: true
severity_overrides: {IAC020: medium}
"""))
    assert cfg.required_tags == ["Owner", "CostCenter"]
    assert cfg.allowed_public_ports == [443]
    assert cfg.fail_on is Severity.HIGH
    assert cfg.disable == {"IAC050"}
    assert cfg.public_facing_tags == {"Role": ["bastion"]}
    assert cfg.include_partial_wildcards is True
    assert cfg.severity_overrides == {"IAC020": Severity.MEDIUM}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("required_tag: [Owner]\n", "unknown key 'required_tag'"),
        ("allowed_public_ports: [http]\n", "'allowed_public_ports.0'"),
        ("fail_on: severe\n", "'fail_on'"),
        ("allowed_public_ports: [70000]\n", "'allowed_public_ports.0'"),
        ("tag_value_patterns: {Owner: '['}\n", "'tag_value_patterns.Owner'"),
        ("- a\n- b\n", "mapping"),
        ("required_tags: [a\n", "not valid YAML"),
    ],
)
def test_bad_config_names_the_key(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path / ".iaclint.yaml", text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_empty_file_is_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path / "c.yaml", "")).required_tags == []


def test_find_config_walks_up(tmp_path: Path) -> None:
    cfg = write(tmp_path / ".iaclint.yaml", "fail_on: high\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg
    nearer = write(tmp_path / "a" / ".iaclint.yaml", "fail_on: low\n")
    assert find_config(deep) == nearer
    assert find_config(deep / "x.tf") == nearer  # a file path starts at its directory
