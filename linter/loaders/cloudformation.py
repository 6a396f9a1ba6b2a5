"""Load CloudFormation templates (YAML or JSON) into plain values and a line map.

YAML goes through `cfn_yaml` (cfn-lint's dialect on pyyaml alone: importing
cfn-lint costs 0.6 s), which turns short forms (`!Ref`, `!Sub`, `!GetAtt a.b`)
into their long forms and keeps a mark on every node; `marked.to_plain` copies
that into plain values and a line map (`cfn_plain` does both in one pass for most
templates). JSON needs no short forms and is read by `json_fast` (or by
`marked.json_to_plain`, which words the errors), linear however long its lines.
Input is untrusted: the bounds (alias expansion, nesting) give a located
ParseError, never a hang.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from linter.loaders import cfn_plain, cfn_yaml, json_fast
from linter.loaders.cfn_yaml import MAX_ALIAS_EXPANSION
from linter.loaders.marked import (
    DuplicateKey,
    JsonSyntaxError,
    LineMap,
    Path,
    json_to_plain,
    locate_in,
    to_plain,
)
from linter.model import Location, ParseError

__all__ = ["MAX_ALIAS_EXPANSION", "CfnTemplate", "load_cloudformation"]

_TYPE_PREFIXES = ("AWS::", "Alexa::", "Custom::")


@dataclass
class CfnTemplate:
    """One decoded template: plain values plus where each key path is written."""

    path: str
    template: dict[str, Any]
    locations: LineMap = field(default_factory=dict)
    language: str = "cloudformation"

    def location(self, path: Path) -> Location:
        start, end = locate_in(self.locations, path)
        return Location(self.path, start, end)


def decode_text(data: bytes) -> str | None:
    """The file's text, or None when it is not UTF-8 (a BOM is allowed)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def decode_plain(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """(plain value, line map) of a JSON or YAML template, or the located error.

    Valid JSON is read by this project's line-keeping decoder (linear in the text,
    however long its lines); YAML by `cfn_yaml`, with a linear duplicate-key check
    and a bound on alias expansion."""
    if text.lstrip()[:1] in ("{", "["):
        fast = json_fast.json_to_plain(text)  # valid JSON, decoded once in C
        if fast is not None:
            return fast
        try:
            json.loads(text)
        except RecursionError:
            return ParseError(path, 1, "JSON is nested too deeply")
        except json.JSONDecodeError as err:  # not cfn-lint's decoder: minutes on big files
            return ParseError(path, err.lineno, err.msg, err.colno)
        except ValueError as err:  # e.g. an integer too long to convert
            return ParseError(path, 1, f"invalid JSON: {err}")
        return _json_plain(path, text)
    return _decode_yaml(path, text)


def decode_plain_guarded(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """`decode_plain`, with running out of memory a ParseError of this file (so the
    scan goes on with the others) rather than an internal error."""
    try:
        return decode_plain(path, text)
    except MemoryError:
        return ParseError(path, 1, "too large to read: ran out of memory")


def _json_plain(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """What json_fast leaves: duplicate keys, NaN, deep nesting, worded here."""
    try:
        return json_to_plain(text)
    except DuplicateKey as err:
        line = text.split("\n")[err.first_line - 1] if err.first_line > 0 else ""
        column = line.find(json.dumps(err.key)) + 1 or None
        return ParseError(path, err.first_line, str(err), column)
    except JsonSyntaxError as err:
        return ParseError(path, err.line, err.message)
    except RecursionError:
        return ParseError(path, 1, "JSON is nested too deeply")


def _decode_yaml(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """(plain value, line map) of a YAML template, or the located error: in one
    pass when `cfn_plain` can, else through the marked tree."""
    fast = cfn_plain.decode(text)
    return fast if fast is not None else _decode_marked(path, text)


def _decode_marked(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """`_decode_yaml` through `cfn_yaml`'s marked tree and `to_plain`: every
    template, error and bound exactly as cfn-lint's loader read them."""
    from yaml import MarkedYAMLError
    from yaml.scanner import ScannerError

    try:
        marked = cfn_yaml.loads(text)
    except cfn_yaml.TemplateError as err:
        return ParseError(path, err.line + 1, err.message, err.column + 1)
    except ScannerError as err:
        problem = err.problem or ""
        if "'\\t'" in problem or problem.startswith("found unknown escape character"):
            as_json = _tabbed_json(text)
            if as_json is not None:
                return as_json
        return _from_yaml_error(path, err)
    except MarkedYAMLError as err:
        return _from_yaml_error(path, err)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")
    except Exception as err:  # be safe with anything the parser may raise
        return ParseError(path, 1, f"template could not be parsed: {err}")
    try:
        return to_plain(marked, text, is_json=False)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")


def _tabbed_json(text: str) -> tuple[Any, LineMap] | None:
    """A JSON value that YAML refused for its tabs or escapes, or None."""
    try:
        json.loads(text)
        return json_to_plain(text)
    except (ValueError, RecursionError, DuplicateKey, JsonSyntaxError):
        return None


def _from_yaml_error(path: str, err: Any) -> ParseError:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    column = mark.column + 1 if mark is not None else None
    message = err.problem or err.context or "invalid YAML"
    if err.context and err.problem:
        message = f"{err.problem} ({err.context})"
    return ParseError(path, line, str(message), column)


def clamp(error: ParseError, text: str) -> ParseError:
    """YAML reports an unexpected end of file on the line after the last one."""
    last = max(1, len(text.rstrip("\n").split("\n")))
    if error.line <= last:
        return error
    return ParseError(error.path, last, error.message, error.column)


def is_template(value: Any) -> bool:
    """A CloudFormation template: a format version, or Resources typed AWS::/Custom::."""
    if not isinstance(value, dict):
        return False
    if "AWSTemplateFormatVersion" in value:
        return True
    resources = value.get("Resources")
    if not isinstance(resources, dict):
        return False
    return any(
        isinstance(r, dict) and isinstance(r.get("Type"), str)
        and r["Type"].startswith(_TYPE_PREFIXES)
        for r in resources.values()
    )


def load_cloudformation(path: str, data: bytes) -> CfnTemplate | ParseError | None:
    """The template, a located ParseError, or None when the file is not a template."""
    text = decode_text(data)
    if text is None:
        return ParseError(path, 1, "file is not UTF-8 text")
    decoded = decode_plain_guarded(path, text)
    if isinstance(decoded, ParseError):
        return clamp(decoded, text)
    plain, locations = decoded
    if not is_template(plain):
        return None
    return CfnTemplate(path=path, template=plain, locations=locations)
