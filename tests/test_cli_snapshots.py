"""End-to-end snapshots: real fixtures through the whole pipeline and the CLI, so a
change in messages, lines, addresses or formats shows up as a diff to review."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linter.cli import main

from .conftest import FIXTURES, REPO
from .test_reporters_common import check_snapshot

CASES = {
    "cli-terraform-modules.txt": ("text", "terraform/modules"),
    "cli-open-ingress.txt": ("text", "rules/IAC001"),
    "cli-cloudformation-conditions.json": ("json", "rules/IAC033/cloudformation"),
    "cli-iam.github.txt": ("github", "rules/IAC040/iam"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_output_snapshot(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fmt, target = CASES[name]
    path = FIXTURES / target
    assert path.exists(), path
    monkeypatch.chdir(REPO)  # paths in the report are relative to the working directory
    monkeypatch.setattr("linter.__version__", "0.0.0-test")
    main(["scan", os.path.relpath(path, REPO), "--format", fmt, "--no-color"])
    out = capsys.readouterr().out
    out = out.replace(str(REPO), "<repo>")
    check_snapshot(name, out)


def test_snapshot_cases_exist() -> None:
    for _fmt, target in CASES.values():
        assert (FIXTURES / target).is_dir(), target
    assert Path(__file__).with_name("snapshots").is_dir()
