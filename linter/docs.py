"""Human documentation generated from rule records (`iaclint explain`, README table).

The rule records are the single source: `iaclint rules`, `iaclint explain`, the
README's rule table and SARIF `help` all come from them. Examples come from the
fixtures (fixtures/rules/<ID>/<language>/good|bad/), which are not installed with
the package, so `python -m linter.docs` extracts a short snippet of each into the
generated module `rules/examples_data.py` (installed with the rules) and rewrites
the README table; `python -m linter.docs --check` fails when either is stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from linter.rule import Rule

TABLE_START = "<!-- rules-table:start -->"
TABLE_END = "<!-- rules-table:end -->"
REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures" / "rules"
README = REPO / "README.md"
EXAMPLES_MODULE = REPO / "rules" / "examples_data.py"
EXAMPLE_MAX_LINES = 30
_LANGUAGE_LABELS = {"terraform": "Terraform", "cloudformation": "CloudFormation", "iam": "IAM JSON"}


def explain_rule(rule: Rule) -> str:
    lines = [
        f"{rule.id}: {rule.title}",
        f"category: {rule.category}    severity: {rule.severity.label}",
        "",
        rule.description.strip(),
    ]
    if rule.remediation:
        lines += ["", "Remediation:"]
        for language, advice in rule.remediation.items():
            lines.append(f"  {language}: {advice.strip()}")
    if rule.links:
        lines += ["", "Links:"] + [f"  {link}" for link in rule.links]
    examples = _examples_of(rule)
    order = [*(k for k in _LANGUAGE_LABELS if k in examples),
             *(k for k in examples if k not in _LANGUAGE_LABELS)]
    for language in order:
        kinds = examples[language]
        for kind in ("bad", "good"):
            code = kinds.get(kind)
            if not code:
                continue
            label = "flagged" if kind == "bad" else "not flagged"
            lines += ["", f"Example ({_LANGUAGE_LABELS.get(language, language)}, {label}):"]
            lines += [f"    {line}" if line else "" for line in code.rstrip().splitlines()]
    return "\n".join(lines) + "\n"


def rule_record(rule: Rule) -> dict[str, Any]:
    """One rule as `iaclint rules --format json` lists it; `languages` only when the
    rule declares them (IAC000 and most third-party rules do not)."""
    record: dict[str, Any] = {
        "id": rule.id,
        "title": rule.title,
        "category": rule.category,
        "severity": rule.severity.label,
    }
    languages = getattr(rule, "languages", None)
    if languages is not None:
        record["languages"] = list(languages)
    record["description"] = " ".join(rule.description.split())
    record["links"] = list(rule.links)
    return record


def rule_line(rule: Rule) -> str:
    """One rule as `iaclint rules` lists it."""
    return f"{rule.id:<8} {rule.category:<14} {rule.severity.label:<9} {rule.title}"


def _examples_of(rule: Rule) -> Mapping[str, Mapping[str, str]]:
    examples: Any = getattr(rule, "examples", None)
    return examples if isinstance(examples, Mapping) else {}


# --------------------------------------------------------------------------- README table


def rules_table(rules: Iterable[Rule]) -> str:
    rows = [
        "| ID | Category | Severity | Title | Languages |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in sorted(rules, key=lambda r: r.id):
        languages = ", ".join(
            _LANGUAGE_LABELS.get(lang, lang) for lang in getattr(rule, "languages", ())
        )
        title = rule.title.replace("|", "\\|")
        rows.append(
            f"| {rule.id} | {rule.category} | {rule.severity.label} | {title} | {languages} |"
        )
    return "\n".join(rows)


def with_table(readme_text: str, table: str) -> str:
    """`readme_text` with the text between the markers replaced by `table`."""
    start = readme_text.find(TABLE_START)
    end = readme_text.find(TABLE_END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {TABLE_START} … {TABLE_END} markers")
    head = readme_text[: start + len(TABLE_START)]
    return f"{head}\n{table}\n{readme_text[end:]}"


# --------------------------------------------------------------------------- examples


def _terraform_block(lines: list[str], line: int) -> tuple[int, int] | None:
    start = next(
        (i for i in range(min(line, len(lines)) - 1, -1, -1)
         if re.match(r"^(resource|data|provider|module)\s", lines[i])),
        None,
    )
    if start is None:
        return None
    end = next((i for i in range(start, len(lines)) if lines[i].rstrip() == "}"), len(lines) - 1)
    return start, end


def _yaml_block(lines: list[str], line: int) -> tuple[int, int] | None:
    start = next(
        (i for i in range(min(line, len(lines)) - 1, -1, -1)
         if re.match(r"^  [A-Za-z0-9]+:\s*(#.*)?$", lines[i])),
        None,
    )
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].startswith("   ")):
        end += 1
    return start, end - 1


def _header_line(lines: list[str], address: str, language: str) -> int | None:
    if language == "terraform":
        parts = address.split(".")
        if len(parts) >= 2:
            kind, name = (parts[1], parts[2]) if parts[0] == "data" and len(parts) > 2 \
                else (parts[0], parts[1])
            name = name.split("[")[0]
            pattern = re.compile(rf'^(resource|data)\s+"{re.escape(kind)}"\s+"{re.escape(name)}"')
            for i, text in enumerate(lines):
                if pattern.match(text):
                    return i + 1
    elif language == "cloudformation":
        for i, text in enumerate(lines):
            if re.match(rf"^  {re.escape(address)}:\s*(#.*)?$", text):
                return i + 1
    return None


def _snippet(path: Path, language: str, line: int | None, address: str | None) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    if language == "iam" or len(lines) <= 12:
        chosen = lines
    else:
        if address is not None:
            line = _header_line(lines, address, language) or line
        finder = _terraform_block if language == "terraform" else _yaml_block
        span = finder(lines, line or 1) if line else None
        if span is None:
            span = finder(lines, len(lines))
        if span is None:
            chosen = lines
        else:
            chosen = lines[span[0]: span[1] + 1]
            if language == "cloudformation":
                chosen = ["Resources:", *chosen]
    if len(chosen) > EXAMPLE_MAX_LINES:
        chosen = [*chosen[:EXAMPLE_MAX_LINES], "…"]
    return "\n".join(chosen).rstrip() + "\n"


def _case_files(case: Path) -> list[Path]:
    return sorted(
        p for p in case.rglob("*")
        if p.is_file() and p.name not in ("expected.yaml", ".iaclint.yaml")
    )


def extract_examples(fixtures: Path = FIXTURES) -> dict[str, dict[str, dict[str, str]]]:
    """rule ID → language → {"bad": snippet, "good": snippet} from the plain good/bad cases."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    if not fixtures.is_dir():
        return out
    for rule_dir in sorted(p for p in fixtures.iterdir() if p.is_dir()):
        order = list(_LANGUAGE_LABELS)
        lang_dirs = [p for p in rule_dir.iterdir() if p.is_dir()]
        lang_dirs.sort(key=lambda p: (order.index(p.name) if p.name in order else 99, p.name))
        for lang_dir in lang_dirs:
            language = lang_dir.name
            bad, good = lang_dir / "bad", lang_dir / "good"
            if not (bad.is_dir() and good.is_dir()):
                continue
            data = yaml.safe_load((bad / "expected.yaml").read_text(encoding="utf-8")) or {}
            first = (data.get("findings") or [{}])[0]
            bad_file = bad / str(first.get("file", ""))
            if not bad_file.is_file():
                continue
            address = first.get("address")
            entry = {"bad": _snippet(bad_file, language, first.get("line"), None)}
            good_files = _case_files(good)
            same = good / bad_file.relative_to(bad)
            good_file = same if same.is_file() else (good_files[-1] if good_files else None)
            if good_file is not None:
                good_text = good_file.read_text(encoding="utf-8").splitlines()
                header = _header_line(good_text, str(address), language) if address else None
                entry["good"] = _snippet(good_file, language, header, None if header is None
                                         else str(address))
            out.setdefault(rule_dir.name, {})[language] = entry
    return out


def render_examples_module(examples: Mapping[str, Any]) -> str:
    body = json.dumps(examples, indent=4, ensure_ascii=False)
    return (
        "# ruff: noqa: E501\n"
        '"""Generated by `python -m linter.docs` from fixtures/rules: do not edit.\n\n'
        "Short good/bad snippets per rule and language, shipped with the package so that\n"
        '`iaclint explain` and SARIF help show examples without the fixtures."""\n\n'
        "from __future__ import annotations\n\n"
        f"EXAMPLES: dict[str, dict[str, dict[str, str]]] = {body}\n"
    )


# --------------------------------------------------------------------------- command


def _builtin_rules() -> list[Rule]:
    from rules import RULES

    return [r() if isinstance(r, type) else r for r in RULES]


def generated() -> dict[Path, str]:
    """Every generated file and what it should contain now."""
    out = {EXAMPLES_MODULE: render_examples_module(extract_examples())}
    if README.is_file():
        out[README] = with_table(README.read_text(encoding="utf-8"), rules_table(_builtin_rules()))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linter.docs",
        description="Regenerate the README rule table and rules/examples_data.py.",
    )
    parser.add_argument("--check", action="store_true", help="fail if a file is stale")
    args = parser.parse_args(argv)
    if not FIXTURES.is_dir():
        print("fixtures/rules not found: run from a source checkout", file=sys.stderr)
        return 2
    stale = []
    for path, text in generated().items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "stale" if args.check else "updated"
        print(f"{verb}: {path.relative_to(REPO)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
