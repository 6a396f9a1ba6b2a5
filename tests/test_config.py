from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from linter.config import Config, ConfigError, IgnoreEntry, find_config, load_config, schema
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
    (tmp_path / ".git").mkdir()  # up to the repository root
    cfg = write(tmp_path / ".iaclint.yaml", "fail_on: high\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg
    nearer = write(tmp_path / "a" / ".iaclint.yaml", "fail_on: low\n")
    assert find_config(deep) == nearer
    assert find_config(deep / "x.tf") == nearer  # a file path starts at its directory


def test_find_config_order_in_one_directory(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.iaclint]\nfail_on = 'high'\n")
    assert find_config(tmp_path) == tmp_path / "pyproject.toml"
    write(tmp_path / ".iaclint.yml", "fail_on: high\n")
    assert find_config(tmp_path) == tmp_path / ".iaclint.yml"
    write(tmp_path / ".iaclint.yaml", "fail_on: high\n")
    assert find_config(tmp_path) == tmp_path / ".iaclint.yaml"


def test_pyproject_without_the_table_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".iaclint.yaml", "fail_on: high\n")
    sub = tmp_path / "pkg"
    sub.mkdir()
    write(sub / "pyproject.toml", "[project]\nname = 'iaclint-rules'\n[tool.ruff]\n")
    assert find_config(sub) == tmp_path / ".iaclint.yaml"
    write(sub / "pyproject.toml", "[tool.iaclint]\n")
    assert find_config(sub) == sub / "pyproject.toml"
    assert load_config(sub / "pyproject.toml").fail_on is Severity.LOW


def test_pyproject_table_loads_like_yaml(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", """
[project]
name = "x"

[tool.iaclint]
fail_on = "medium"
disable = ["tagging", "iac020"]

[tool.iaclint.severity_overrides]
IAC001 = "low"
open-ingress = "high"

[[tool.iaclint.ignore]]
id = "IAC010"
until = 2031-01-31
""")
    cfg = load_config(path)
    assert cfg.fail_on is Severity.MEDIUM
    assert cfg.disable == {"tagging", "IAC020"}
    assert cfg.severity_overrides == {"IAC001": Severity.LOW, "open-ingress": Severity.HIGH}
    assert cfg.ignore[0].until == datetime.date(2031, 1, 31)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[tool.other]\nx = 1\n", "no [tool.iaclint] table"),
        ("[tool.iaclint\n", "not valid TOML"),
        ("[tool.iaclint]\nfail_on = 3\n", "'fail_on'"),
    ],
)
def test_bad_pyproject(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(needle)):
        load_config(write(tmp_path / "pyproject.toml", text))


def test_broken_pyproject_that_mentions_iaclint_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.iaclint\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        find_config(tmp_path)
    write(tmp_path / "pyproject.toml", "[broken\n")  # not ours: ignored
    assert find_config(tmp_path) is None


def test_ignore_and_baseline(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    path = write(tmp_path / "conf" / ".iaclint.yaml", """
baseline: ../.iaclint-baseline.json
ignore:
  - id: iac001
    path: "envs/dev/*.tf"
    address: aws_security_group.bastion
    reason: bastion is open on purpose
    until: 2031-06-30
  - id: [tagging, IAC030]
  - id: IAC020
    until: "2031-01-01"
""")
    cfg = load_config(path)
    assert cfg.baseline == str(tmp_path / ".iaclint-baseline.json")
    assert cfg.ignore == [
        IgnoreEntry(ids=("IAC001",), path="envs/dev/*.tf", address="aws_security_group.bastion",
                    reason="bastion is open on purpose", until=datetime.date(2031, 6, 30),
                    config_path=str(path)),
        IgnoreEntry(ids=("tagging", "IAC030"), config_path=str(path)),
        IgnoreEntry(ids=("IAC020",), until=datetime.date(2031, 1, 1), config_path=str(path)),
    ]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("ignore: [{path: a.tf}]\n", "'ignore.0'"),
        ("ignore: [{id: IAC001, because: x}]\n", "'ignore.0'"),
        ("ignore: [{id: IAC001, until: 31/12/2030}]\n", "'ignore.0.until'"),
        ("ignore: [{id: IAC001, until: '2030-13-01'}]\n", "'ignore.0.until'"),
        ("ignore: [{id: []}]\n", "'ignore.0.id'"),
        ("exclude: ['!keep.tf']\n", "'exclude.0'"),
        ("exclude: build/\n", "'exclude'"),
        ("baseline: 3\n", "'baseline'"),
        ("enable: [open ingress]\n", "'enable.0'"),
    ],
)
def test_new_keys_are_validated(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(needle)):
        load_config(write(tmp_path / ".iaclint.yaml", text))


def test_enable_disable_and_overrides_take_categories(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path / ".iaclint.yaml", """
enable: [open-ingress, Tagging, iac030]
disable: [IAC002]
severity_overrides: {tagging: high, IAC050: low}
exclude: [build/, "**/generated/*.tf"]
"""))
    assert cfg.enable == {"open-ingress", "tagging", "IAC030"}
    assert cfg.disable == {"IAC002"}
    assert cfg.exclude == ["build/", "**/generated/*.tf"]
    assert cfg.severity_overrides == {"tagging": Severity.HIGH, "IAC050": Severity.LOW}


def test_schema_is_a_package_file_with_descriptions() -> None:
    data = schema()
    assert data["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert data["title"]
    jsonschema.Draft7Validator.check_schema(data)

    def walk(node: dict[str, Any], where: str) -> None:
        for key, sub in node.get("properties", {}).items():
            assert sub.get("description"), f"{where}.{key} has no description"
            walk(sub, f"{where}.{key}")
        items = node.get("items")
        if isinstance(items, dict):
            walk(items, f"{where}[]")

    walk(data, "config")
