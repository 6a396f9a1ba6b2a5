"""End-to-end snapshots: real fixtures through the whole pipeline and the CLI, so a
change in messages, lines, addresses, formats or the exit code shows up as a diff to
review. The tagging rules are disabled: on untagged fixtures they would be most of
every snapshot and bury the findings each case is about."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from linter.cli import main

from .conftest import FIXTURES, REPO
from .test_reporters_common import check_snapshot

#: snapshot → (format, fixture directory, exit code).
CASES = {
    "cli-terraform-modules.txt": ("text", "terraform/modules", 1),
    "cli-open-ingress.txt": ("text", "rules/IAC001", 1),
    "cli-cloudformation-conditions.json": ("json", "rules/IAC033/cloudformation", 1),
    "cli-iam.github.txt": ("github", "rules/IAC040/iam", 1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cli_output_snapshot(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fmt, target, exit_code = CASES[name]
    path = FIXTURES / target
    assert path.exists(), path
    monkeypatch.chdir(REPO)  # paths in the report are relative to the working directory
    monkeypatch.setattr("linter.__version__", "0.0.0-test")
    code = main(["scan", os.path.relpath(path, REPO), "--format", fmt, "--no-color",
                 "--disable", "tagging"])
    captured = capsys.readouterr()
    assert code == exit_code, captured.err
    assert captured.err == ""
    check_snapshot(name, captured.out.replace(str(REPO), "<repo>"))


def test_snapshot_cases_exist() -> None:
    for _fmt, target, _code in CASES.values():
        assert (FIXTURES / target).is_dir(), target
    assert Path(__file__).with_name("snapshots").is_dir()
