"""Rule records → docs: README table and shipped examples are fresh, explain shows examples."""

from __future__ import annotations

import pytest

from linter import docs
from rules import RULES


def test_generated_files_are_fresh() -> None:
    stale = [
        str(path.relative_to(docs.REPO))
        for path, text in docs.generated().items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"stale generated files {stale}: run `python -m linter.docs`"


def test_check_mode_reports_clean() -> None:
    assert docs.main(["--check"]) == 0


def test_every_rule_has_examples_for_each_language() -> None:
    for cls in RULES:
        rule = cls()
        for language in rule.languages:  # type: ignore[attr-defined]
            example = rule.examples.get(language, {})  # type: ignore[attr-defined]
            assert example.get("bad") and example.get("good"), (rule.id, language)


def test_explain_prints_record_and_examples() -> None:
    rule = next(cls() for cls in RULES if cls.id == "IAC001")
    text = docs.explain_rule(rule)
    assert text.startswith("IAC001: Security group allows ingress from the whole internet\n")
    assert "category: open-ingress    severity: critical" in text
    assert "Example (Terraform, flagged):" in text
    assert "Example (CloudFormation, not flagged):" in text
    assert text.index("Terraform, flagged") < text.index("CloudFormation, flagged")
    assert '    cidr_blocks = ["0.0.0.0/0"]' in text


def test_table_lists_every_rule_and_replaces_only_between_markers() -> None:
    rules = [cls() for cls in RULES]
    table = docs.rules_table(rules)
    assert all(f"| {r.id} | {r.category} | {r.severity.label} |" in table for r in rules)
    text = f"intro\n{docs.TABLE_START}\nold\n{docs.TABLE_END}\noutro\n"
    new = docs.with_table(text, "NEW")
    assert new == f"intro\n{docs.TABLE_START}\nNEW\n{docs.TABLE_END}\noutro\n"
    with pytest.raises(ValueError):
        docs.with_table("no markers", "NEW")


def test_rule_records_are_complete() -> None:
    import re

    from linter.rule import CATEGORIES

    ids = [cls.id for cls in RULES]
    assert len(ids) == len(set(ids))
    for cls in RULES:
        rule = cls()
        assert re.fullmatch(r"IAC0\d\d", rule.id), rule.id
        assert rule.category in CATEGORIES, rule.id
        family = {
            "0": "open-ingress", "1": "public-subnet", "2": "multi-az",
            "3": "encryption", "4": "iam-wildcard", "5": "tagging",
        }[rule.id[4]]
        assert rule.category == family, rule.id
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", rule.description.strip()) if s]
        assert 2 <= len(sentences) <= 4, (rule.id, len(sentences))
        for language in rule.languages:  # type: ignore[attr-defined]
            assert rule.remediation.get(language), (rule.id, language)
        assert rule.links and all(
            link.startswith("https://docs.aws.amazon.com/") for link in rule.links
        ), rule.id
