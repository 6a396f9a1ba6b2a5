"""The exit-code contract end to end (issue 12): 0 clean, 1 findings, 2 usage,
configuration or input errors, 3 internal error. An internal error names what
crashed and where, the rest of the scan still runs and the reports say it is
incomplete. (Adapter, linking, rule and escaped-exception cases are in
test_error_contract.py.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .test_error_contract import run, tree  # noqa: F401  (the fixture)


def test_clean_tree_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "v.tf").write_text('variable "x" {\n  default = 1\n}\n', encoding="utf-8")
    assert run(["scan", str(tmp_path)], capsys)[0] == 0


def test_findings_exit_1(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    assert run(["scan", "."], capsys)[0] == 1


def test_a_parse_error_is_a_finding_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.tf").write_text('resource "x" "y" {\n', encoding="utf-8")
    code, out, _ = run(["scan", str(tmp_path), "-f", "json"], capsys)
    assert code == 1
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["IAC000"]


@pytest.mark.parametrize("args", [
    ["scan", "no/such/path"],
    ["scan", ".", "--config", "missing.yaml"],
    ["scan", ".", "--enable", "NOPE999"],
    ["scan", ".", "--fail-on", "extreme"],
    ["scan", ".", "-o", "out.json", "--json-output", "out.json"],
])
def test_usage_configuration_and_input_errors_exit_2(
    args: list[str], tree: Path, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    code, _, err = run(args, capsys)
    assert code == 2
    assert "Traceback" not in err


def test_a_bad_configuration_file_exits_2(tree: Path,  # noqa: F811
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tree / ".iaclint.yaml").write_text("enable: [NOPE]\n", encoding="utf-8")
    code, _, err = run(["scan", "."], capsys)
    assert code == 2
    assert ".iaclint.yaml" in err and "Traceback" not in err


@pytest.mark.parametrize("error", [MemoryError, RecursionError])
def test_a_loader_running_out_of_memory_on_one_file_loses_that_file_only(
    error: type[BaseException], tree: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from linter.loaders import load

    def loader(source: Any, *rest: Any) -> Any:
        if str(source.path).endswith("cfn/one.yaml"):
            raise error("injected")
        return load(source, *rest)

    monkeypatch.setattr("linter.runner.load", loader)
    code, out, err = run(["scan", ".", "-f", "json"], capsys)
    assert code == 3
    report = json.loads(out)
    assert report["incomplete"] is True
    (internal,) = report["internal_errors"]
    assert internal["file"] == "cfn/one.yaml"
    assert error.__name__ in internal["message"]
    assert internal["stage"] == "the CloudFormation loader"
    assert "cfn/one.yaml" in err and error.__name__ in err
    files = {f["file"] for f in report["findings"] if f["rule_id"] != "IAC999"}
    assert {"cfn/two.yaml", "tf/a/main.tf", "iam/one.json"} <= files


def test_a_reporter_crash_loses_that_report_only(
    tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from linter import reporters

    real = reporters.render

    def render(fmt: str, result: Any, **kwargs: Any) -> str:
        if fmt == "sarif":
            raise KeyError("reporter bug")
        return real(fmt, result, **kwargs)

    monkeypatch.setattr(reporters, "render", render)
    sarif = tmp_path / "out.sarif"
    sarif.write_text("previous", encoding="utf-8")
    report = tmp_path / "out.json"
    code, _, err = run(["scan", ".", "--sarif-output", str(sarif),
                        "--json-output", str(report)], capsys)
    assert code == 3
    assert "internal error in the sarif reporter: KeyError: 'reporter bug'" in err
    assert f"the sarif report to {sarif} was not written" in err
    assert "Traceback" in err
    assert sarif.read_text("utf-8") == "previous"
    assert json.loads(report.read_text("utf-8"))["findings"]


def test_a_reporter_crash_on_standard_output_exits_3(
    tree: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from linter import reporters

    def render(fmt: str, result: Any, **kwargs: Any) -> str:
        raise ValueError("text reporter bug")

    monkeypatch.setattr(reporters, "render", render)
    code, out, err = run(["scan", "."], capsys)
    assert code == 3
    assert out == ""
    assert "internal error in the text reporter: ValueError: text reporter bug" in err
