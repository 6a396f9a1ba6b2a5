"""Which rules run and at what severity, from rule IDs or category names.

`enable`, `disable`, `severity_overrides` and `ignore` all accept either form, so a
team can say `tagging` instead of listing every tagging rule. Names are checked
against the rules actually loaded: a typo would otherwise silently select nothing.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from linter.model import Severity
from linter.rule import INTERNAL_ERROR_RULE, PARSE_ERROR_RULE, Rule

if TYPE_CHECKING:
    from linter.config import Config

_RULE_ID = re.compile(r"[A-Za-z]+[0-9]+")
_RULE_ID_PARTS = re.compile(r"([A-Za-z]+)([0-9]+)")


def normalize(ref: str) -> str:
    """Rule IDs upper case (IAC001), category names lower case (open-ingress)."""
    ref = ref.strip()
    return ref.upper() if _RULE_ID.fullmatch(ref) else ref.lower()


def matches(ref: str, rule_id: str, category: str) -> bool:
    key = ref.casefold()
    return key in (rule_id.casefold(), category.casefold())


def _any(refs: Iterable[str], rule_id: str, category: str) -> bool:
    return any(matches(r, rule_id, category) for r in refs)


def selects(config: Config, rule: Rule) -> bool:
    """Whether `rule` runs: named by `enable` (when given) and not by `disable`.
    Parse errors are reported unless disabled by name, since `enable: [IAC001]`
    must not make a broken file pass."""
    if _any(config.disable, rule.id, rule.category):
        return False
    if config.enable is None or rule.id == PARSE_ERROR_RULE.id:
        return True
    return _any(config.enable, rule.id, rule.category)


def severity_for(config: Config, rule_id: str, category: str) -> Severity | None:
    """The configured severity of a rule: its own ID first, then its category."""
    overrides = config.severity_overrides
    for ref, severity in overrides.items():
        if ref.casefold() == rule_id.casefold():
            return severity
    for ref, severity in overrides.items():
        if ref.casefold() == category.casefold():
            return severity
    return None


class UnknownRuleError(ValueError):
    """A rule ID or category name that no loaded rule has."""


def check_refs(refs: Iterable[str], rules: Sequence[Rule], where: str) -> None:
    """Raise UnknownRuleError for the first name in `refs` that no rule in `rules`
    (nor IAC000) has, with the closest known name as a suggestion."""
    known: dict[str, str] = {}
    for rule in (PARSE_ERROR_RULE, *rules):
        known.setdefault(rule.id.casefold(), rule.id)
        known.setdefault(rule.category.casefold(), rule.category)
    internal = {INTERNAL_ERROR_RULE.id.casefold(), INTERNAL_ERROR_RULE.category.casefold()}
    for ref in refs:
        if ref.casefold() in internal:  # a silent no-op would be worse than a refusal
            raise UnknownRuleError(
                f"{where}: {ref!r} reports bugs in iaclint itself; it cannot be enabled, "
                "disabled, re-graded or ignored (an internal error always exits 3)")
        if ref.casefold() not in known:
            hint = suggestion(ref, list(known.values()))
            raise UnknownRuleError(f"{where}: unknown rule or category {ref!r}; {hint}")


def suggestion(ref: str, names: Sequence[str]) -> str:
    """"did you mean 'IAC001'?" for the closest of `names`, else where to look.
    A rule ID with the wrong number of zeros (IAC01, iac0001) is matched by its
    number first: text similarity alone cannot tell IAC001 from IAC010 there."""
    close = _same_number(ref, names)
    if close is None:
        by_key = {n.casefold(): n for n in names}
        found = difflib.get_close_matches(ref.casefold(), list(by_key), n=1, cutoff=0.6)
        close = by_key[found[0]] if found else None
    return f"did you mean {close!r}?" if close else "`iaclint rules` lists them"


def _same_number(ref: str, names: Sequence[str]) -> str | None:
    wanted = _RULE_ID_PARTS.fullmatch(ref.strip())
    if wanted is None:
        return None
    for name in names:
        got = _RULE_ID_PARTS.fullmatch(name)
        if (got is not None and got.group(1).casefold() == wanted.group(1).casefold()
                and int(got.group(2)) == int(wanted.group(2))):
            return name
    return None


def config_refs(config: Config) -> list[tuple[str, list[str]]]:
    """(key, names) for every configuration key that names rules."""
    out = [
        ("enable", sorted(config.enable or ())),
        ("disable", sorted(config.disable)),
        ("severity_overrides", sorted(config.severity_overrides)),
    ]
    out += [(f"ignore[{n}].id", list(entry.ids)) for n, entry in enumerate(config.ignore)]
    return out
