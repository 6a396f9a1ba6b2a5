"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, built with sarif-om.

sarif-om gives the object model (snake_case attributes whose attrs metadata names
the JSON property); `to_json` walks it, uses those names and drops unset defaults,
since SARIF forbids nulls where the schema wants an object or string.

GitHub reads: rule `properties.security-severity` (a number in a string) and
`tags`; result `partialFingerprints` to track an alert across commits; and
`help.markdown` to show on the alert page.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attr
import sarif_om as om

from linter.model import Severity
from linter.reporters.common import (
    TOOL_NAME,
    Reported,
    relpath,
    reported,
    rules_by_id,
    suppression_note,
    tool_version,
)
from linter.rule import Rule

if TYPE_CHECKING:
    from linter.runner import ScanResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "iaclintFindingHash/v2"
#: Used only when the installed package metadata names no homepage.
DEFAULT_INFORMATION_URI = "https://pypi.org/project/iaclint/"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
#: GitHub maps >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
#: Longer examples are cut: the help shows the shape, the fixtures hold the rest.
EXAMPLE_MAX_LINES = 40
_LANGUAGE_NAMES = {"terraform": "Terraform", "cloudformation": "CloudFormation", "iam": "IAM"}
#: sarif-om defaults that are still worth writing out, so readers need not know them.
_ALWAYS_WRITE = frozenset({"level"})
#: An empty `results` says "ran and found nothing"; an absent one, "did not run".
_KEEP_EMPTY = frozenset({"results"})
#: JSON properties written first, in this order, so the file reads top-down.
_KEY_ORDER = ("$schema", "id", "name", "version", "ruleId", "ruleIndex", "level", "message",
              "shortDescription", "fullDescription", "help", "helpUri", "locations")


def render(result: ScanResult, *, color: bool = False) -> str:
    return json.dumps(to_json(sarif_log(result)), indent=2) + "\n"


def sarif_log(result: ScanResult) -> om.SarifLog:
    rules = list(rules_by_id(result).values())
    items = reported(result, suppressed=True)
    known = {r.id for r in rules}
    # A finding whose rule is not in result.rules still needs a descriptor for ruleIndex.
    extra = sorted({i.finding.rule_id for i in items if i.finding.rule_id not in known})
    worst: dict[str, Severity] = {}
    for item in items:
        f = item.finding
        worst[f.rule_id] = max(worst.get(f.rule_id, f.severity), f.severity)
    overrides = result.severity_overrides
    descriptors = [rule_descriptor(r, worst.get(r.id), overrides.get(r.id)) for r in rules]
    descriptors += [_bare_descriptor(rule_id, items) for rule_id in extra]
    index = {d.id: n for n, d in enumerate(descriptors)}

    driver = om.ToolComponent(
        name=TOOL_NAME,
        version=tool_version(),
        semantic_version=_semantic(tool_version()),
        information_uri=information_uri(),
        rules=descriptors,
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=root_uri(result.root))},
        results=[sarif_result(i, index, result.root) for i in items],
        invocations=[_invocation(result, index)],
    )
    return om.SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SARIF_SCHEMA_URI)


def root_uri(root: str) -> str:
    # abspath, not resolve(): the same root that relpath() made every URI relative to.
    uri = Path(os.path.abspath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def information_uri() -> str:
    try:
        from importlib.metadata import metadata

        meta = metadata(TOOL_NAME)
    except Exception:  # not installed: running from a source tree
        return DEFAULT_INFORMATION_URI
    for entry in meta.get_all("Project-URL") or ():
        label, _, url = entry.partition(",")
        if label.strip().lower() in {"homepage", "home", "documentation", "source"}:
            return url.strip()
    return meta.get("Home-page") or DEFAULT_INFORMATION_URI


def _semantic(version: str) -> str | None:
    return version if re.fullmatch(r"\d+\.\d+\.\d+([-+].*)?", version) else None


# -- rules -----------------------------------------------------------------


def rule_descriptor(
    rule: Rule, worst: Severity | None = None, override: Severity | None = None
) -> om.ReportingDescriptor:
    """The rule's descriptor. GitHub takes an alert's severity from the rule's
    `security-severity` only, never from the result; a graded rule (IAC001 is
    critical for SSH, medium for port 8080) therefore states the worst severity it
    reported in this run, so that no critical alert is shown as less. Each
    result's `level` still carries its own grade. A configured `override`
    (severity_overrides) replaces the rule's own severity, or code scanning would
    keep showing a rule the team lowered at its original grade."""
    title = rule.title.strip()
    base = override if override is not None else rule.severity
    shown = max(base, worst) if worst is not None else base
    description = " ".join(rule.description.split()) or title
    links = [link for link in rule.links if link]
    return om.ReportingDescriptor(
        id=rule.id,
        name=pascal_case(title) or rule.id,
        short_description=om.MultiformatMessageString(text=title),
        full_description=om.MultiformatMessageString(text=description),
        help=om.MultiformatMessageString(text=help_text(rule), markdown=help_markdown(rule)),
        help_uri=links[0] if links else None,
        default_configuration=om.ReportingConfiguration(level=LEVEL[base]),
        properties=property_bag(
            tags=_rule_tags(rule),
            category=rule.category,
            precision=str(getattr(rule, "precision", None) or "high"),
            **{"security-severity": SECURITY_SEVERITY[shown]},
        ),
    )


def _bare_descriptor(rule_id: str, items: list[Reported]) -> om.ReportingDescriptor:
    first = next(i.finding for i in items if i.finding.rule_id == rule_id)
    return om.ReportingDescriptor(
        id=rule_id,
        short_description=om.MultiformatMessageString(text=rule_id),
        default_configuration=om.ReportingConfiguration(level=LEVEL[first.severity]),
        properties=property_bag(
            tags=_dedup(["security", first.category]),
            category=first.category,
            **{"security-severity": SECURITY_SEVERITY[first.severity]},
        ),
    )


def _rule_tags(rule: Rule) -> list[str]:
    return _dedup(["security", rule.category, *rule.tags])


def _dedup(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def pascal_case(text: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.findall(r"[A-Za-z0-9]+", text))


def help_text(rule: Rule) -> str:
    sections = [" ".join(rule.description.split())]
    if rule.remediation:
        sections.append("Remediation:\n" + "\n".join(
            f"- {_language_name(lang)}: {' '.join(advice.split())}"
            for lang, advice in rule.remediation.items()
        ))
    sections += [f"{heading}:\n{code.rstrip()}" for heading, code in _examples(rule)]
    if rule.links:
        sections.append("References:\n" + "\n".join(f"- {link}" for link in rule.links))
    return "\n\n".join(sections)


def help_markdown(rule: Rule) -> str:
    parts = [f"**{rule.id}: {_md_escape(rule.title)}**", " ".join(rule.description.split())]
    if rule.remediation:
        parts.append("## Remediation")
        parts.append("\n".join(
            f"- **{_language_name(lang)}**: {advice.strip()}"
            for lang, advice in rule.remediation.items()
        ))
    examples = _examples(rule)
    if examples:
        parts.append("## Examples")
        for heading, code in examples:
            fence = "```" if "```" not in code else "~~~~"
            parts.append(f"{_md_escape(heading)}:\n\n{fence}{_fence_language(heading, code)}\n"
                         f"{code.rstrip()}\n{fence}")
    if rule.links:
        parts.append("## References")
        parts.append("\n".join(f"- <{link}>" for link in rule.links))
    return "\n\n".join(parts)


def _language_name(lang: str) -> str:
    return _LANGUAGE_NAMES.get(lang, lang)


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def _fence_language(heading: str, code: str) -> str:
    lower = heading.lower()
    if code.lstrip().startswith(("{", "[")):
        return "json"
    if "terraform" in lower:
        return "hcl"
    if "cloudformation" in lower:
        return "yaml"
    if "iam" in lower:
        return "json"
    return ""


def _examples(rule: Rule) -> list[tuple[str, str]]:
    """(heading, code) pairs from an optional `examples` attribute, whatever its shape.

    Accepted: a mapping heading -> code (or -> list of code), a sequence of code
    strings, of (heading, code) pairs, or of mappings/objects with a code field.
    """
    examples: Any = getattr(rule, "examples", None)
    if callable(examples):
        try:
            examples = examples()
        except Exception:  # documentation must never break a report
            return []
    if not examples:
        return []
    out: list[tuple[str, str]] = []
    if isinstance(examples, Mapping):
        for heading, code in examples.items():
            name = _language_name(str(heading))
            if isinstance(code, str):
                out.append((name, code))
            elif isinstance(code, Mapping):  # language -> {"bad": text, "good": text}
                out += [(f"{name}, {kind}", c) for kind, c in code.items() if isinstance(c, str)]
            elif isinstance(code, Iterable):
                out += [(name, c) for c in code if isinstance(c, str)]
        return [(heading, _cap(code)) for heading, code in out]
    if isinstance(examples, str):
        return [("Example", examples)]
    if not isinstance(examples, Iterable):
        return []
    for n, entry in enumerate(examples, 1):
        if isinstance(entry, str):
            out.append((f"Example {n}", entry))
        elif isinstance(entry, tuple) and len(entry) >= 2 and isinstance(entry[-1], str):
            out.append((" ".join(str(p) for p in entry[:-1]), entry[-1]))
        else:
            fields = entry if isinstance(entry, Mapping) else vars(entry) if hasattr(
                entry, "__dict__") else {}
            code = next((fields[k] for k in ("code", "source", "text", "content")
                         if isinstance(fields.get(k), str)), None)
            if code is None:
                continue
            label = " ".join(str(fields[k]) for k in ("language", "kind", "label", "title", "name")
                             if fields.get(k)) or f"Example {n}"
            out.append((label, code))
    return [(heading, _cap(code)) for heading, code in out]


def _cap(code: str) -> str:
    lines = code.rstrip().splitlines()
    if len(lines) <= EXAMPLE_MAX_LINES:
        return "\n".join(lines)
    return "\n".join([*lines[:EXAMPLE_MAX_LINES], "..."])


# -- results ---------------------------------------------------------------


def sarif_result(item: Reported, index: Mapping[str, int], root: str = "") -> om.Result:
    f = item.finding
    artifact = artifact_location(item.file)
    location = om.Location(
        physical_location=om.PhysicalLocation(
            artifact_location=artifact,
            region=om.Region(start_line=f.location.start_line, end_line=f.location.end_line),
        ),
        logical_locations=[
            om.LogicalLocation(fully_qualified_name=item.address or item.file, kind="resource")
        ],
    )
    return om.Result(
        rule_id=f.rule_id,
        rule_index=index[f.rule_id],
        level=LEVEL[f.severity],
        message=om.Message(text=_message(item)),
        locations=[location],
        partial_fingerprints={FINGERPRINT_KEY: item.fingerprint},
        suppressions=_suppressions(item, root),
        properties=property_bag(
            severity=f.severity.label, category=f.category,
            suppression=suppression_note(f, root) if f.suppression is not None and
            f.suppression.expired else None,
        ),
    )


def _suppressions(item: Reported, root: str) -> list[om.Suppression] | None:
    """SARIF `suppressions` for an accepted finding: viewers then hide or mark it.
    An expired suppression is not written (the finding counts again)."""
    s = item.finding.suppression
    if s is None or s.expired:
        return None
    justification = s.reason or ("in the baseline" if s.origin == "baseline" else None)
    if s.until is not None:
        justification = f"{justification or 'suppressed'} (until {s.until.isoformat()})"
    location = None
    if s.location is not None and s.origin != "baseline":
        location = om.Location(physical_location=om.PhysicalLocation(
            artifact_location=artifact_location(relpath(s.location.path, root or ".")),
            region=om.Region(start_line=s.location.start_line),
        ))
    return [om.Suppression(
        kind=s.kind, state="accepted", justification=justification, location=location,
        properties=property_bag(origin=s.origin),
    )]


def artifact_location(file: str) -> om.ArtifactLocation:
    """Relative to %SRCROOT% when inside the scan root, else an absolute file URI."""
    if Path(file).is_absolute():
        return om.ArtifactLocation(uri=Path(file).as_uri())
    return om.ArtifactLocation(uri=quote(file, safe="/"), uri_base_id=SRCROOT)


def _message(item: Reported) -> str:
    message = item.finding.message.strip() or item.title
    address = item.distinct_address
    if address and address not in message:
        message = f"{message} ({address})"
    return message


def _invocation(result: ScanResult, index: Mapping[str, int]) -> om.Invocation:
    notifications = []
    for e in sorted(result.errors, key=lambda e: (e.path, e.line, e.message)):
        rel = relpath(e.path, result.root)
        artifact = artifact_location(rel)
        region = om.Region(start_line=e.line) if e.line >= 1 else None
        if region is not None and e.column is not None and e.column >= 1:
            region.start_column = e.column
        notifications.append(om.Notification(
            message=om.Message(text=f"{rel}:{e.line}: {e.message}"),
            level="error",
            locations=[om.Location(physical_location=om.PhysicalLocation(
                artifact_location=artifact, region=region))],
            associated_rule=om.ReportingDescriptorReference(
                id="IAC000", index=index["IAC000"]) if "IAC000" in index else None,
        ))
    for rule_id, trace in result.rule_crashes:
        last = trace.strip().splitlines()[-1] if trace.strip() else "exception"
        notifications.append(om.Notification(
            message=om.Message(text=f"rule {rule_id} raised {last}; its findings are missing"),
            level="error",
            associated_rule=om.ReportingDescriptorReference(
                id=rule_id, index=index[rule_id]) if rule_id in index else None,
        ))
    return om.Invocation(
        execution_successful=True,
        tool_execution_notifications=notifications or None,
    )


# -- serialization ---------------------------------------------------------


def property_bag(*, tags: list[str] | None = None, **values: Any) -> om.PropertyBag:
    """A PropertyBag carrying `values` as extra properties (SARIF allows any key)."""
    bag = om.PropertyBag(tags=tags or None)
    for key, value in values.items():
        if value is not None:
            bag.__dict__[key] = value
    return bag


def to_json(obj: Any) -> Any:
    """sarif-om objects as SARIF JSON: camelCase names, unset defaults and Nones dropped."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        names = set()
        for field in attr.fields(type(obj)):
            names.add(field.name)
            value = getattr(obj, field.name)
            if _omit(field, value):
                continue
            out[field.metadata.get("schema_property_name", field.name)] = to_json(value)
        if isinstance(obj, om.PropertyBag):
            for key, value in vars(obj).items():
                if key not in names and value is not None:
                    out[key] = to_json(value)
            return out
        if isinstance(obj, om.Suppression) and "state" in out:
            # sarif-om predates the final 2.1.0 schema, which renamed `state` to `status`.
            out["status"] = out.pop("state")
        first = {key: out.pop(key) for key in _KEY_ORDER if key in out}
        return {**first, **out}
    if isinstance(obj, Mapping):
        return {str(k): to_json(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    return obj


def _omit(field: attr.Attribute, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, dict)) and not value:
        return field.name not in _KEEP_EMPTY
    default = field.default
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return default is not attr.NOTHING and value == default and field.name not in _ALWAYS_WRITE
