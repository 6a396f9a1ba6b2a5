"""Human documentation generated from rule records (`iaclint explain`, README table)."""

from __future__ import annotations

from linter.rule import Rule


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
    return "\n".join(lines) + "\n"
