"""What GitHub code scanning demands of a SARIF file beyond the 2.1.0 schema.

The official schema accepts logs that code scanning rejects, truncates or shows
badly: a result without `partialFingerprints`, a `security-severity` written as a
number, 21 tags on a rule, a message linking to a related location that is not
there. `github_problems(log)` lists every such problem in words; an empty list
means the log meets what GitHub's "SARIF support for code scanning" page
(docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/
sarif-support-for-code-scanning) and its "SARIF results exceed one or more limits"
page document.

The limits are written out here, not imported from the reporter, so that this
checker stays an independent reading of the documentation.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from typing import Any

#: GitHub's documented maxima (upload rejected above them) and field lengths.
LIMITS = {
    "gzip_bytes": 10_000_000,
    "runs": 20,
    "results": 25_000,
    "rules": 25_000,
    "tool_extensions": 100,
    "thread_flow_locations": 10_000,
    "locations": 1_000,
    "result_locations": 10,
    "tags": 20,
    "rule_name": 255,
    "description": 1024,
}
LEVELS = {"none", "note", "warning", "error"}
PRECISIONS = {"very-high", "high", "medium", "low"}
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def github_problems(log: dict[str, Any], text: str | None = None) -> list[str]:
    """Every way `log` (and its serialized `text`, for the size limit) falls short."""
    out: list[str] = []
    if log.get("version") != "2.1.0":
        out.append(f"version {log.get('version')!r} is not 2.1.0")
    if not log.get("$schema"):
        out.append("$schema is missing")
    runs = log.get("runs") or []
    if not 1 <= len(runs) <= LIMITS["runs"]:
        out.append(f"{len(runs)} runs (1 to {LIMITS['runs']} allowed)")
    if text is not None:
        size = len(gzip.compress(text.encode("utf-8")))
        if size > LIMITS["gzip_bytes"]:
            out.append(f"gzip-compressed size {size} over {LIMITS['gzip_bytes']}")
    for n, run in enumerate(runs):
        out += [f"run {n}: {p}" for p in _run_problems(run)]
    return out


def _run_problems(run: dict[str, Any]) -> Iterator[str]:
    tool = run.get("tool") or {}
    driver = tool.get("driver") or {}
    if not driver.get("name"):
        yield "tool.driver.name is missing"
    if len(tool.get("extensions") or ()) > LIMITS["tool_extensions"]:
        yield "too many tool extensions"
    rules = driver.get("rules") or []
    if len(rules) > LIMITS["rules"]:
        yield f"{len(rules)} rules over {LIMITS['rules']}"
    ids = [r.get("id") for r in rules]
    if len(set(ids)) != len(ids):
        yield "rule ids repeat"
    for rule in rules:
        yield from (f"rule {rule.get('id')}: {p}" for p in _rule_problems(rule))
    yield from _automation_problems(run)
    bases = run.get("originalUriBaseIds") or {}
    for name, base in bases.items():
        uri = (base or {}).get("uri", "")
        if not (uri.startswith("file:///") and uri.endswith("/")):
            yield f"originalUriBaseIds {name} is not an absolute file URI ending in '/': {uri!r}"
    results = run.get("results")
    if results is None:
        yield "results is missing"
        results = []
    if len(results) > LIMITS["results"]:
        yield f"{len(results)} results over {LIMITS['results']}"
    for n, result in enumerate(results):
        yield from (f"result {n}: {p}" for p in _result_problems(result, rules, bases))


def _rule_problems(rule: dict[str, Any]) -> Iterator[str]:
    if not rule.get("id"):
        yield "id is missing"
    if len(rule.get("name") or "") > LIMITS["rule_name"]:
        yield "name longer than 255 characters"
    for key in ("shortDescription", "fullDescription"):
        text = (rule.get(key) or {}).get("text") or ""
        if not text:
            yield f"{key}.text is missing"
        if len(text) > LIMITS["description"]:
            yield f"{key}.text longer than {LIMITS['description']} characters"
    help_ = rule.get("help") or {}
    if not help_.get("text"):
        yield "help.text is missing"
    if not help_.get("markdown"):
        yield "help.markdown is missing"
    level = (rule.get("defaultConfiguration") or {}).get("level", "warning")
    if level not in LEVELS - {"none"}:
        yield f"defaultConfiguration.level {level!r}"
    props = rule.get("properties") or {}
    tags = props.get("tags") or []
    if len(tags) > LIMITS["tags"]:
        yield f"{len(tags)} tags over {LIMITS['tags']}"
    if not all(isinstance(t, str) and t for t in tags):
        yield "a tag is not a non-empty string"
    severity = props.get("security-severity")
    if severity is not None:
        if not (isinstance(severity, str) and _NUMBER.match(severity)
                and 0.0 < float(severity) <= 10.0):
            yield f"security-severity {severity!r} is not a number in a string, 0 < x <= 10"
        if "security" not in tags:
            yield "security-severity without the 'security' tag"
    if "precision" in props and props["precision"] not in PRECISIONS:
        yield f"precision {props['precision']!r}"


def _automation_problems(run: dict[str, Any]) -> Iterator[str]:
    details = run.get("automationDetails")
    if details is None:
        return
    run_id = details.get("id")
    if not isinstance(run_id, str) or not run_id.strip():
        yield "automationDetails.id is empty"
        return
    category, slash, _run = run_id.rpartition("/")
    if not slash or not category:
        yield f"automationDetails.id {run_id!r} has no category (category/run-id)"


def _result_problems(
    result: dict[str, Any], rules: list[dict[str, Any]], bases: dict[str, Any]
) -> Iterator[str]:
    rule_id = result.get("ruleId")
    if not rule_id:
        yield "ruleId is missing"
    index = result.get("ruleIndex")
    if index is not None and (not 0 <= index < len(rules) or rules[index].get("id") != rule_id):
        yield f"ruleIndex {index} does not point at rule {rule_id}"
    if rule_id and all(r.get("id") != rule_id for r in rules):
        yield f"rule {rule_id} has no descriptor"
    if result.get("level", "warning") not in LEVELS:
        yield f"level {result.get('level')!r}"
    text = (result.get("message") or {}).get("text")
    if not text:
        yield "message.text is missing"
    prints = result.get("partialFingerprints")
    if not prints or not all(isinstance(v, str) and v for v in prints.values()):
        yield "partialFingerprints is missing or empty"
    locations = result.get("locations") or []
    if not 1 <= len(locations) <= LIMITS["result_locations"]:
        yield f"{len(locations)} locations (1 to {LIMITS['result_locations']})"
    related = result.get("relatedLocations") or []
    if len(locations) + len(related) > LIMITS["locations"]:
        yield f"{len(locations) + len(related)} locations over {LIMITS['locations']}"
    for n, loc in enumerate(locations):
        yield from (f"location {n}: {p}" for p in _location_problems(loc, bases))
    ids = [loc.get("id") for loc in related]
    if not all(isinstance(i, int) and i >= 0 for i in ids):
        yield "a related location has no non-negative integer id"
    if len(set(ids)) != len(ids):
        yield "related location ids repeat"
    for n, loc in enumerate(related):
        yield from (f"related location {n}: {p}" for p in _location_problems(loc, bases))
    for flow in result.get("codeFlows") or ():
        for thread in flow.get("threadFlows") or ():
            if len(thread.get("locations") or ()) > LIMITS["thread_flow_locations"]:
                yield "too many thread flow locations"
    if text:
        yield from _link_problems(text, set(ids))


def _location_problems(loc: dict[str, Any], bases: dict[str, Any]) -> Iterator[str]:
    physical = loc.get("physicalLocation")
    if not physical:
        yield "physicalLocation is missing"
        return
    artifact = physical.get("artifactLocation") or {}
    uri = artifact.get("uri") or ""
    if not uri:
        yield "artifactLocation.uri is missing"
    elif "\\" in uri:
        yield f"uri {uri!r} has a backslash"
    elif re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", uri):
        if not uri.startswith("file:///"):
            yield f"absolute uri {uri!r} is not a file URI"
        if "uriBaseId" in artifact:
            yield "an absolute uri with a uriBaseId"
    else:
        if uri.startswith("/"):
            yield f"relative uri {uri!r} starts with '/'"
        if artifact.get("uriBaseId") not in bases:
            yield f"relative uri {uri!r} without a uriBaseId defined in originalUriBaseIds"
    region = physical.get("region")
    if region is None:
        yield "region is missing"
        return
    start = region.get("startLine")
    if not isinstance(start, int) or start < 1:
        yield f"region.startLine {start!r} is not >= 1"
    end = region.get("endLine", start)
    if isinstance(start, int) and (not isinstance(end, int) or end < start):
        yield f"region.endLine {end!r} before startLine {start}"


def message_links(text: str) -> tuple[list[tuple[str, int]], list[str]]:
    """([(link text, target id)], problems) of a plain-text SARIF message, read as SARIF
    §3.11.6 says: `\\` escapes the next character; `[text](n)` is a link; any other
    unescaped bracket is a problem once the message has a link."""
    links: list[tuple[str, int]] = []
    stray: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            j, label = i + 1, []
            while j < len(text) and text[j] != "]":
                if text[j] == "[":
                    break
                label.append(text[j:j + 2] if text[j] == "\\" else text[j])
                j += 2 if text[j] == "\\" else 1
            target = re.match(r"\]\((\d+)\)", text[j:])
            if target is not None:
                links.append((re.sub(r"\\(.)", r"\1", "".join(label)), int(target.group(1))))
                i = j + target.end()
                continue
            stray.append(f"unescaped '[' at {i}")
        elif ch == "]":
            stray.append(f"unescaped ']' at {i}")
        i += 1
    return links, stray if links else []


def _link_problems(text: str, ids: set[Any]) -> Iterator[str]:
    links, stray = message_links(text)
    yield from (f"message: {p}" for p in stray)
    for label, target in links:
        if target not in ids:
            yield f"message links [{label}]({target}) to no related location"
        if not label:
            yield f"message link to ({target}) has no text"
