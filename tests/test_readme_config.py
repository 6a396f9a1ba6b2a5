"""README's configuration examples are valid, complete and equivalent: people copy
them, so they must pass the shipped schema and name only rules that exist."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from linter.cli import main
from linter.config import schema

from .conftest import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

README = (REPO / "README.md").read_text(encoding="utf-8")


def block(name: str) -> str:
    """The fenced code between `<!-- name:start -->` and `<!-- name:end -->`."""
    match = re.search(rf"<!-- {name}:start -->\s*```\w*\n(.*?)```\s*<!-- {name}:end -->",
                      README, re.S)
    assert match, f"README has no {name} block"
    return match.group(1)


def yaml_example() -> dict[str, Any]:
    return dict(yaml.safe_load(block("config-yaml")))


def toml_example() -> dict[str, Any]:
    return dict(tomllib.loads(block("config-toml"))["tool"]["iaclint"])


def as_json(data: dict[str, Any]) -> Any:
    """What a schema validator sees: dates (unquoted in both formats) as text."""
    return json.loads(json.dumps(data, default=str))


@pytest.mark.parametrize("example", [yaml_example, toml_example], ids=["yaml", "toml"])
def test_example_is_valid_and_shows_every_key(example: Any) -> None:
    data = example()
    validator = jsonschema.Draft7Validator(schema(), format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(as_json(data))]
    assert errors == []
    assert set(data) == set(schema()["properties"])


def test_yaml_and_toml_examples_say_the_same() -> None:
    assert yaml_example() == toml_example()


@pytest.mark.parametrize(("name", "text"), [
    (".iaclint.yaml", lambda: block("config-yaml")),
    ("pyproject.toml", lambda: block("config-toml")),
])
def test_example_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                      text: Any) -> None:
    (tmp_path / name).write_text(text(), encoding="utf-8")
    (tmp_path / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
                                      encoding="utf-8")
    code = main(["scan", str(tmp_path), "-v"])
    _, err = capsys.readouterr()
    assert code in (0, 1), err
    assert f"using configuration {tmp_path / name}" in err
