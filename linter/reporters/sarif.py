"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, built with sarif-om.

sarif-om gives the object model (snake_case attributes whose attrs metadata names
the JSON property); `to_json` walks it, uses those names and drops unset defaults,
since SARIF forbids nulls where the schema wants an object or string.

GitHub reads: rule `properties.security-severity` (a number in a string) and
`tags`; result `partialFingerprints` to track an alert across commits;
`help.markdown` to show on the alert page; `relatedLocations` linked from the
result message (`[aws_route_table.public](2)`, SARIF §3.11.6 embedded links) and
the same places as one `codeFlows` thread flow in path order ("Show paths"); and
`automationDetails.id`, whose part before the last slash is the code scanning
category, so that two uploads for one commit (a Terraform job, a CloudFormation
job) do not replace each other. Whatever would break GitHub's documented limits
is cut here, most severe results kept, with a warning on stderr and in the log.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attr
import sarif_om as om

from linter.model import Severity
from linter.reporters.common import (
    TOOL_NAME,
    Reported,
    ShownRelated,
    plural,
    relpath,
    reported,
    rules_by_id,
    suppression_note,
    tool_version,
)
from linter.rule import INTERNAL_ERROR_RULE, Rule

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
# GitHub code scanning's limits on an uploaded SARIF file, as documented in "SARIF support
# for code scanning" (https://docs.github.com/en/code-security/code-scanning/
# integrating-with-code-scanning/sarif-support-for-code-scanning: "Validating your SARIF
# file", the `reportingDescriptor` and `result` tables) and "SARIF results exceed one or
# more limits" (.../code-scanning/troubleshooting-sarif-uploads/results-exceed-limit).
# Over a MAX_ value GitHub rejects the whole file; over a SHOWN_ value it keeps only
# what it ranks first.
#: "For each gzip-compressed SARIF file, SARIF upload supports a maximum size of 10 MB."
MAX_GZIP_BYTES = 10 * 1000 * 1000
#: Runs per file (iaclint writes one).
MAX_RUNS = 20
#: Results per run; "only the top 5,000 results will be included, prioritized by severity".
MAX_RESULTS = 25_000
SHOWN_RESULTS = 5_000
#: Rules per run.
MAX_RULES = 25_000
#: Tool extensions per run (iaclint writes none).
MAX_TOOL_EXTENSIONS = 100
#: Thread flow locations per result (iaclint writes the finding plus its related places,
#: already fewer than SHOWN_LOCATIONS); only the top 1,000 are shown.
MAX_THREAD_FLOW_LOCATIONS = 10_000
SHOWN_THREAD_FLOW_LOCATIONS = 1_000
#: Locations per result; "only 100 locations will be included". Counted here as the
#: result's location plus its relatedLocations, so a related place is never dropped by
#: GitHub while the message still links to it.
MAX_LOCATIONS = 1_000
SHOWN_LOCATIONS = 100
#: `result.locations[]`: "up to a maximum of 10"; only the first is used (iaclint writes one).
MAX_RESULT_LOCATIONS = 10
#: Tags per rule; only 10 are shown.
MAX_TAGS = 20
SHOWN_TAGS = 10
#: `reportingDescriptor.name`, and `shortDescription.text` / `fullDescription.text`.
MAX_RULE_NAME = 255
MAX_DESCRIPTION = 1024
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
    """The log as JSON; what had to be cut to fit GitHub's limits is said on stderr.

    When the gzip-compressed file would exceed MAX_GZIP_BYTES, the least severe results
    are dropped (the same order as the result limit) until it fits."""
    limit = MAX_RESULTS
    while True:
        notes: list[str] = []
        log = sarif_log(result, notes, max_results=limit)
        text = json.dumps(to_json(log), indent=2) + "\n"
        size = gzip_size(text)
        count = len(log.runs[0].results)
        if size <= MAX_GZIP_BYTES or count == 0:
            break
        limit = min(count - 1, int(count * MAX_GZIP_BYTES * 0.9 / size))
    for note in notes:
        sys.stderr.write(f"iaclint: warning: SARIF: {note}\n")
    return text


def gzip_size(text: str) -> int:
    """The size GitHub's limit applies to: gzip at zlib's default level, as the upload
    action compresses. A file well under the limit is not compressed: its own size is
    then a safe upper bound."""
    data = text.encode("utf-8")
    if len(data) <= MAX_GZIP_BYTES // 2:
        return len(data)
    return len(gzip.compress(data, compresslevel=6))


def sarif_log(
    result: ScanResult, notes: list[str] | None = None, *, max_results: int = MAX_RESULTS
) -> om.SarifLog:
    """The log of one run. `notes` collects what was cut to stay within GitHub's limits
    (also written into the log as warning notifications)."""
    notes = [] if notes is None else notes
    rules = list(rules_by_id(result).values())
    items = _within_limit(reported(result, suppressed=True), max_results, notes)
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
    descriptors = _fit_rules(descriptors, {i.finding.rule_id for i in items}, notes)
    index = {d.id: n for n, d in enumerate(descriptors)}
    results = [sarif_result(i, index, result.root) for i in items]
    cut = sum(1 for i in items if len(i.related) > SHOWN_LOCATIONS - 1)
    if cut:
        notes.append(f"{plural(cut, 'result')} kept only the first {SHOWN_LOCATIONS - 1} related "
                     f"locations (GitHub shows {SHOWN_LOCATIONS} locations per result)")

    driver = om.ToolComponent(
        name=TOOL_NAME,
        version=tool_version(),
        semantic_version=_semantic(tool_version()),
        information_uri=information_uri(),
        rules=descriptors,
    )
    run = om.Run(
        tool=om.Tool(driver=driver),
        automation_details=om.RunAutomationDetails(id=automation_id(result)),
        original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=root_uri(result.root))},
        results=results,
        invocations=[_invocation(result, index, notes)],
    )
    return om.SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SARIF_SCHEMA_URI)


def automation_id(result: ScanResult) -> str:
    """`category/` with an empty run ID: `--sarif-category`, else iaclint plus the scanned
    paths relative to the root, sorted (`iaclint/infra/cfn,infra/tf/`; `iaclint/` for the
    whole root). GitHub reads everything up to the last slash as the category. The
    upload action's own `category` input is ignored when the file has an id."""
    category = (result.sarif_category or "").strip().rstrip("/")
    if not category:
        parts = sorted({_category_path(p, result.root) for p in result.paths} - {""})
        category = f"{TOOL_NAME}/{','.join(parts)}" if parts else TOOL_NAME
    return category + "/"


def _category_path(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive
        rel = path
    text = Path(rel).as_posix().strip("/")
    return "" if text == "." else text


def _within_limit(items: list[Reported], limit: int, notes: list[str]) -> list[Reported]:
    """At most `limit` results, the most severe kept (counted findings before accepted
    ones, then report order), still in report order."""
    if len(items) <= limit:
        if len(items) > SHOWN_RESULTS:
            notes.append(f"{len(items):,} results: GitHub shows only the {SHOWN_RESULTS:,} most "
                         "severe of a run")
        return items
    ranked = sorted(range(len(items)), key=lambda n: (
        items[n].finding.suppressed, -items[n].finding.severity, n))
    keep = set(ranked[:limit])
    dropped = [items[n].finding for n in ranked[limit:]]
    worst = max(f.severity for f in dropped).label
    why = (f"GitHub rejects runs of more than {MAX_RESULTS:,}" if limit == MAX_RESULTS
           else f"GitHub rejects files over {MAX_GZIP_BYTES // 1_000_000} MB gzip-compressed")
    notes.append(f"kept the {limit:,} most severe of {len(items):,} results and dropped "
                 f"{len(dropped):,} (the most severe of them {worst}): {why}")
    return [item for n, item in enumerate(items) if n in keep]


def _fit_rules(descriptors: list[om.ReportingDescriptor], used: set[str],
               notes: list[str]) -> list[om.ReportingDescriptor]:
    """Descriptors within GitHub's limits: rules without results dropped past MAX_RULES,
    names, descriptions and tag lists shortened."""
    if len(descriptors) > MAX_RULES:
        spare = MAX_RULES - sum(1 for d in descriptors if d.id in used)
        kept = []
        for d in descriptors:
            if d.id in used or spare > 0:
                spare -= d.id not in used
                kept.append(d)
        notes.append(f"described {len(kept):,} of {len(descriptors):,} rules, every rule with "
                     f"results among them: GitHub rejects more than {MAX_RULES:,} rules per run")
        descriptors = kept
    shortened: list[str] = []
    for d in descriptors:
        tags = d.properties.tags if d.properties is not None else None
        if tags and len(tags) > MAX_TAGS:
            d.properties.tags = tags[:MAX_TAGS]
            shortened.append(f"{d.id} tags {len(tags)} → {MAX_TAGS}")
        if d.name and len(d.name) > MAX_RULE_NAME:
            d.name = d.name[:MAX_RULE_NAME]
            shortened.append(f"{d.id} name")
        for label, text in (("short description", d.short_description),
                            ("full description", d.full_description)):
            if text is not None and len(text.text) > MAX_DESCRIPTION:
                text.text = text.text[:MAX_DESCRIPTION - 1] + "…"
                shortened.append(f"{d.id} {label}")
    if shortened:
        notes.append(f"shortened to GitHub's limits ({MAX_TAGS} tags, {MAX_RULE_NAME}-character "
                     f"names, {MAX_DESCRIPTION}-character descriptions): "
                     + ", ".join(shortened))
    return descriptors


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
        label, _, url = str(entry).partition(",")
        if label.strip().lower() in {"homepage", "home", "documentation", "source"}:
            return url.strip()
    home = meta.get_all("Home-page") or ()
    return str(home[0]) if home and home[0] else DEFAULT_INFORMATION_URI


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
    related = item.related[:SHOWN_LOCATIONS - 1]
    text = _message(item)
    return om.Result(
        rule_id=f.rule_id,
        rule_index=index[f.rule_id],
        level=LEVEL[f.severity],
        message=om.Message(text=linked_message(text, related) if related else text),
        locations=[location],
        related_locations=[related_location(n, r) for n, r in enumerate(related, 1)] or None,
        code_flows=code_flows(item, related),
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


def related_location(n: int, related: ShownRelated) -> om.Location:
    """Related place `n` (the id the message links to), with its role and resource."""
    return om.Location(
        id=n,
        physical_location=om.PhysicalLocation(
            artifact_location=artifact_location(related.file),
            region=om.Region(start_line=related.start_line, end_line=related.end_line),
        ),
        message=om.Message(text=f"{related.role}: {related.address}"),
        logical_locations=[
            om.LogicalLocation(fully_qualified_name=related.address, kind="resource")
        ],
    )


def code_flows(item: Reported, related: Sequence[ShownRelated]) -> list[om.CodeFlow] | None:
    """The path the rule walked as one thread flow (GitHub's "Show paths"): the finding's
    resource, then each related place in the rule's order. None without related places:
    a one-step path says nothing the result's location does not."""
    if not related:
        return None
    f = item.finding
    steps = [_flow_step(item.file, f.location.start_line, f.location.end_line,
                        f"{f.rule_id}: {item.address or item.file}")]
    steps += [_flow_step(r.file, r.start_line, r.end_line, f"{r.role}: {r.address}")
              for r in related[:SHOWN_THREAD_FLOW_LOCATIONS - 1]]
    return [om.CodeFlow(thread_flows=[om.ThreadFlow(locations=steps)])]


def _flow_step(file: str, start: int, end: int, text: str) -> om.ThreadFlowLocation:
    return om.ThreadFlowLocation(location=om.Location(
        physical_location=om.PhysicalLocation(
            artifact_location=artifact_location(file),
            region=om.Region(start_line=start, end_line=end),
        ),
        message=om.Message(text=text),
    ))


def sarif_escape(text: str) -> str:
    """Plain text inside a message with embedded links: `\\`, `[` and `]` escaped (SARIF
    §3.11.6), so `this[0]` is not read as the start of a link."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def linked_message(text: str, related: Sequence[ShownRelated]) -> str:
    """`text` with each related resource linked where the message names it
    (`through [aws_route_table.public](3)`); when some place is not named, a closing
    sentence links them all: `Path: subnet [aws_subnet.a](1) → …` for the hops of a
    chain (each role once), `Related: private subnet [a](1), private subnet [b](2).`
    for several places of one kind."""
    spans: list[tuple[int, int, int]] = []
    linked: set[str] = set()
    for n, r in enumerate(related, 1):
        if r.address in linked:
            continue  # a second place in the same resource (a route in its table)
        for match in re.finditer(_name_pattern(r.address), text):
            if all(match.end() <= a or match.start() >= b for a, b, _ in spans):
                spans.append((match.start(), match.end(), n))
                linked.add(r.address)
                break
    out, pos = [], 0
    for start, end, n in sorted(spans):
        out.append(f"{sarif_escape(text[pos:start])}[{sarif_escape(text[start:end])}]({n})")
        pos = end
    body = "".join(out) + sarif_escape(text[pos:])
    if len(spans) == len(related):
        return body
    steps = [f"{sarif_escape(r.role)} [{sarif_escape(r.address)}]({n})"
             for n, r in enumerate(related, 1)]
    stop = "" if body.endswith((".", "!", "?")) else "."
    if len(steps) > 1 and len({r.role for r in related}) == len(related):
        return f"{body}{stop} Path: {' → '.join(steps)}."  # hops of one chain
    return f"{body}{stop} Related: {', '.join(steps)}."  # places of one kind


def _name_pattern(address: str) -> str:
    """`address` as a whole name: not inside a longer address or index expression."""
    return rf"(?<![\w.\-\]\[\"]){re.escape(address)}(?![\w\[\-]|\.\w)"


def _message(item: Reported) -> str:
    message = item.finding.message.strip() or item.title
    address = item.distinct_address
    if address and address not in message:
        message = f"{message} ({address})"
    return message


def _invocation(result: ScanResult, index: Mapping[str, int],
                notes: Sequence[str] = ()) -> om.Invocation:
    notifications = [
        om.Notification(message=om.Message(text=note), level="warning") for note in notes
    ]
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
    for skipped in result.skipped:  # too large, or named and not read: a gap in coverage
        if skipped.notice:
            rel = relpath(skipped.path, result.root)
            notifications.append(om.Notification(
                message=om.Message(text=f"{rel}: not scanned: {skipped.reason}"),
                level="warning",
                locations=[om.Location(physical_location=om.PhysicalLocation(
                    artifact_location=artifact_location(rel)))],
            ))
    for rule_id, trace in result.rule_crashes:
        last = trace.strip().splitlines()[-1] if trace.strip() else "exception"
        notifications.append(om.Notification(
            message=om.Message(text=f"rule {rule_id} raised {last}; its findings may be "
                                    "missing"),
            level="error",
            associated_rule=om.ReportingDescriptorReference(
                id=rule_id, index=index[rule_id]) if rule_id in index else None,
        ))
    for error in result.internal_errors:  # those with a file are IAC999 results as well
        locations = None
        if error.path:
            locations = [om.Location(physical_location=om.PhysicalLocation(
                artifact_location=artifact_location(relpath(error.path, result.root)),
                region=om.Region(start_line=1)))]
        notifications.append(om.Notification(
            message=om.Message(text=f"internal error in {error.stage} ({error.summary}); "
                                    f"{error.lost}"),
            level="error",
            locations=locations,
            associated_rule=om.ReportingDescriptorReference(
                id=INTERNAL_ERROR_RULE.id, index=index[INTERNAL_ERROR_RULE.id])
            if error.path and INTERNAL_ERROR_RULE.id in index else None,
        ))
    # SARIF §3.20.14: false when the tool failed to complete its analysis; the results
    # it did produce are all there.
    return om.Invocation(
        execution_successful=not result.incomplete,
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


def _omit(field: attr.Attribute[Any], value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (list, dict)) and not value:
        return field.name not in _KEEP_EMPTY
    default: Any = field.default
    if isinstance(default, attr.Factory):  # type: ignore[arg-type]
        default = default.factory()
    return default is not attr.NOTHING and value == default and field.name not in _ALWAYS_WRITE
