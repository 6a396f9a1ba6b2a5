"""Load CloudFormation templates (YAML or JSON) into plain values and a line map.

YAML goes through cfn-lint's loader, which turns short forms (`!Ref`, `!Sub`,
`!GetAtt a.b`) into their long forms and keeps a mark on every node;
`marked.to_plain` copies that into plain values and a line map so nothing
downstream depends on cfn-lint. JSON needs no short forms and is read by
`marked.json_to_plain`, linear however long its lines. Input is untrusted: the
bounds (alias expansion, nesting) give a located ParseError, never a hang.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

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


#: How many values YAML aliases may add to a template once expanded (a "billion
#: laughs" document of nested aliases is a few lines that expand to billions).
MAX_ALIAS_EXPANSION = 250_000


def decode_plain(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """(plain value, line map) of a JSON or YAML template, or the located error.

    Valid JSON is read by this project's line-keeping decoder (linear in the text,
    however long its lines); YAML by cfn-lint's loader with a linear duplicate-key
    check and a bound on alias expansion."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
        except RecursionError:
            return ParseError(path, 1, "JSON is nested too deeply")
        except json.JSONDecodeError as err:  # not cfn-lint's decoder: minutes on big files
            return ParseError(path, err.lineno, err.msg, err.colno)
        except ValueError as err:  # e.g. an integer too long to convert
            return ParseError(path, 1, f"invalid JSON: {err}")
        return _json_plain(path, text)
    marked = _decode_yaml(path, text)
    if isinstance(marked, ParseError):
        return marked
    return _plain(path, marked, text, is_json=False)


def decode_plain_guarded(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """`decode_plain`, with running out of memory a ParseError of this file (so the
    scan goes on with the others) rather than an internal error."""
    try:
        return decode_plain(path, text)
    except MemoryError:
        return ParseError(path, 1, "too large to read: ran out of memory")


def _json_plain(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
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


def _plain(path: str, marked: Any, text: str, *, is_json: bool) -> tuple[Any, LineMap] | ParseError:
    try:
        return to_plain(marked, text, is_json=is_json)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")


def _decode_yaml(path: str, text: str) -> Any:
    """cfn-lint's marked tree of a YAML template, or the located error."""
    from cfnlint.decode import cfn_yaml
    from yaml import MarkedYAMLError
    from yaml.scanner import ScannerError

    try:
        return _yaml_loads(text, path)
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
                return as_json[0]
        return _from_yaml_error(path, err)
    except MarkedYAMLError as err:
        return _from_yaml_error(path, err)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")
    except Exception as err:  # cfn-lint wraps most failures; be safe with the rest
        return ParseError(path, 1, f"template could not be parsed: {err}")


def _yaml_loads(text: str, path: str) -> Any:
    """cfn-lint's `cfn_yaml.loads` with a linear duplicate-key check and an alias
    bound, and without its alias-location scan (pairwise, and unused here)."""
    from cfnlint.decode import cfn_yaml
    from cfnlint.decode.mark import Mark
    from cfnlint.decode.node import dict_node
    from yaml import MarkedYAMLError

    try:
        template = _loader_class()(text, path).get_single_data()
    except (cfn_yaml.CfnParseError, MarkedYAMLError, RecursionError):
        raise
    except Exception as exc:
        raise cfn_yaml.CfnParseError(path, [cfn_yaml.build_match(
            filename=path, message=f"Template could not be parsed: {exc}",
            line_number=0, column_number=0, key="")]) from exc
    if template is None:
        template = dict_node({}, Mark(0, 0), Mark(0, 0))
    if "&" in text and _alias_growth(template) > MAX_ALIAS_EXPANSION:
        raise cfn_yaml.CfnParseError(path, [cfn_yaml.build_match(
            filename=path, line_number=0, column_number=0, key="",
            message=f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} values "
                    "(limit against alias amplification)")])
    return template


def _alias_growth(template: Any) -> int:
    """How many values aliases add: the expanded size minus the written size. An
    alias is the same Python object in two places, so sizes are memoized by identity
    (only containers: small ints and interned strings share identity anyway)."""
    sizes: dict[int, int] = {}
    written = 0
    stack: list[tuple[Any, bool]] = [(template, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes and not done:
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if done:
            sizes[id(node)] = 1 + sum(
                sizes.get(id(c), 1) if isinstance(c, (dict, list)) else 1 for c in children)
            written += 1 + len(children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, (dict, list))
                     and id(c) not in sizes)
    return sizes.get(id(template), 1) - written


@functools.cache
def _loader_class() -> Any:
    """cfn-lint's loader with a duplicate-key check by hashing (its own compares each
    key with every earlier one: minutes for a template of 10,000 resources)."""
    from cfnlint.decode import cfn_yaml
    from cfnlint.decode.node import dict_node
    from yaml.constructor import SafeConstructor

    class Loader(cfn_yaml.CfnFullLoader):  # type: ignore[misc]
        def construct_yaml_map(self, node: Any) -> Any:
            self.flatten_mapping(node)
            using_merge = bool(getattr(node, "using_merge", False))
            first: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.construct_object(key_node, False)
                self.construct_object(value_node, False)
                if key is None:
                    raise self._error(key_node, f"Null key {key_node.value!r} not supported "
                                                f"(line {key_node.start_mark.line + 1})")
                try:
                    seen = first.setdefault(key, key_node)
                except TypeError:
                    mark = key_node.start_mark
                    raise self._error(key_node, f'Unhashable type "{key}" '
                                                f"(line {mark.line + 1})") from None
                if seen is not key_node and not using_merge:
                    raise self._error(seen, f"Duplicate found {key!r} "
                                            f"(line {seen.start_mark.line + 1})")
            (obj,) = SafeConstructor.construct_yaml_map(self, node)
            return dict_node(obj, node.start_mark, node.end_mark, using_merge)

        def _error(self, key_node: Any, message: str) -> Any:
            return cfn_yaml.CfnParseError(self.filename, [cfn_yaml.build_match(
                filename=self.filename, message=message,
                line_number=key_node.start_mark.line, column_number=key_node.start_mark.column,
                key=str(getattr(key_node, "value", "")))])

    Loader.add_constructor("tag:yaml.org,2002:map", Loader.construct_yaml_map)
    Loader.add_multi_constructor("!", cfn_yaml.multi_constructor)
    return Loader


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
    decoded = decode_plain_guarded(path, text)
    if isinstance(decoded, ParseError):
        return clamp(decoded, text)
    plain, locations = decoded
    if not is_template(plain):
        return None
    return CfnTemplate(path=path, template=plain, locations=locations)
