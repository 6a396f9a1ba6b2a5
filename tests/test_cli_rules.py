"""`iaclint rules` (text and JSON) and `iaclint explain`, IAC000 included."""

from __future__ import annotations

import json

import pytest

from linter.cli import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_text_lists_iac000(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    assert out.splitlines()[0].split()[:3] == ["IAC000", "parse-error", "high"]


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules", "--format", "json"], capsys)
    assert code == 0
    rules = json.loads(out)
    text_ids = [line.split()[0] for line in run(["rules"], capsys)[1].splitlines()]
    assert [r["id"] for r in rules] == text_ids
    by_id = {r["id"]: r for r in rules}
    assert set(by_id["IAC000"]) == {"id", "title", "category", "severity", "description",
                                    "links"}
    iac001 = by_id["IAC001"]
    assert iac001["category"] == "open-ingress" and iac001["severity"] == "critical"
    assert iac001["languages"] == ["terraform", "cloudformation"]
    assert iac001["description"] and iac001["links"]
    assert "iam" in by_id["IAC040"]["languages"]
    assert run(["rules", "--format", "xml"], capsys)[0] == 2


def test_explain_iac000_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "iac000"], capsys)
    assert code == 0
    assert out.startswith("IAC000: File could not be parsed")
    code, _, err = run(["explain", "IAC01"], capsys)
    assert code == 2
    assert "unknown rule 'IAC01'; did you mean 'IAC001'?" in err
