"""Load CloudFormation templates (YAML or JSON) with cfn-lint's decoders.

cfn-lint turns YAML short forms (`!Ref`, `!Sub`, `!GetAtt a.b`) into their long
forms and keeps a mark on every node; `marked.to_plain` copies that into plain
values and a line map so nothing downstream depends on cfn-lint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.loaders.marked import LineMap, Path, locate_in, to_plain
from linter.model import Location, ParseError

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


def decode_marked(path: str, text: str) -> tuple[Any, bool] | ParseError:
    """(cfn-lint's marked tree, is_json) or the located error it reported."""
    from cfnlint.decode import cfn_yaml
    from yaml import MarkedYAMLError
    from yaml.scanner import ScannerError

    if text.lstrip()[:1] in ("{", "["):
        # Valid JSON is checked with the standard parser (YAML would forgive
        # trailing commas); then, as cfn-lint does, it is read with the (C) YAML
        # parser, which is faster and marks every scalar. JSON that YAML cannot
        # read (tabs, "\/" escapes) goes to cfn-lint's JSON decoder.
        import json

        try:
            json.loads(text)
        except RecursionError:
            return ParseError(path, 1, "JSON is nested too deeply")
        except ValueError:
            return _decode_json(path, text)
        try:
            return cfn_yaml.loads(text, path), False
        except cfn_yaml.CfnParseError as err:
            return _from_matches(path, err.matches, "template could not be parsed")
        except Exception:
            return _decode_json(path, text)
    try:
        return cfn_yaml.loads(text, path), False
    except cfn_yaml.CfnParseError as err:
        cause = err.__cause__
        if isinstance(cause, MarkedYAMLError) and cause.problem_mark is not None:
            return _from_yaml_error(path, cause)  # e.g. a second document
        return _from_matches(path, err.matches, "template could not be parsed")
    except ScannerError as err:
        problem = err.problem or ""
        if "'\\t'" in problem or problem.startswith("found unknown escape character"):
            as_json = _decode_json(path, text)
            if not isinstance(as_json, ParseError):
                return as_json
        return _from_yaml_error(path, err)
    except MarkedYAMLError as err:
        return _from_yaml_error(path, err)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")
    except Exception as err:  # cfn-lint wraps most failures; be safe with the rest
        return ParseError(path, 1, f"template could not be parsed: {err}")


def _decode_json(path: str, text: str) -> tuple[Any, bool] | ParseError:
    import json

    from cfnlint.decode import cfn_json

    try:
        return cfn_json.loads(text), True
    except cfn_json.JSONDecodeError as err:
        fix = 1 if err.matches and str(err.matches[0].message).startswith("Duplicate") else 0
        return _from_matches(path, err.matches, "invalid JSON", fix)
    except json.JSONDecodeError as err:
        return ParseError(path, err.lineno, err.msg, err.colno)
    except RecursionError:
        return ParseError(path, 1, "JSON is nested too deeply")
    except Exception as err:
        return ParseError(path, 1, f"invalid JSON: {err}")


def _from_matches(path: str, matches: list[Any], default: str, fix: int = 0) -> ParseError:
    if not matches:
        return ParseError(path, 1, default)
    first = matches[0]
    line = int(getattr(first, "linenumber", 1) or 1) + fix
    column = getattr(first, "columnnumber", None)
    return ParseError(path, max(line, 1), str(first.message), column)


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
    decoded = decode_marked(path, text)
    if isinstance(decoded, ParseError):
        return clamp(decoded, text)
    marked, is_json = decoded
    if not isinstance(marked, dict):
        return None
    try:
        plain, locations = to_plain(marked, text, is_json=is_json)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")
    if not is_template(plain):
        return None
    return CfnTemplate(path=path, template=plain, locations=locations)
