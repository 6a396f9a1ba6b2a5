"""The YAML reading `linter.loaders.cfn_yaml` replaced, kept as the reference of
tests/test_cfn_yaml_loader.py: cfn-lint's loader with the linear duplicate-key check
and the alias bound, then `marked.to_plain`. It imports cfn-lint; only tests use it."""

from __future__ import annotations

import functools
from typing import Any

from linter.loaders.cfn_yaml import MAX_ALIAS_EXPANSION, alias_growth
from linter.loaders.cloudformation import _from_yaml_error
from linter.loaders.marked import LineMap, to_plain
from linter.model import ParseError


def decode_yaml(path: str, text: str) -> tuple[Any, LineMap] | ParseError:
    """(plain value, line map) or the located error, as the loader gave them before."""
    from cfnlint.decode import cfn_json, cfn_yaml
    from yaml import MarkedYAMLError
    from yaml.scanner import ScannerError

    try:
        marked = _yaml_loads(text, path)
    except cfn_yaml.CfnParseError as err:
        return _from_matches(path, err.matches, "template could not be parsed")
    except ScannerError as err:
        problem = err.problem or ""
        if "'\\t'" in problem or problem.startswith("found unknown escape character"):
            try:
                marked = cfn_json.loads(text)
            except Exception:
                return _from_yaml_error(path, err)
        else:
            return _from_yaml_error(path, err)
    except MarkedYAMLError as err:
        return _from_yaml_error(path, err)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")
    except Exception as err:
        return ParseError(path, 1, f"template could not be parsed: {err}")
    try:
        return to_plain(marked, text, is_json=False)
    except RecursionError:
        return ParseError(path, 1, "template is nested too deeply")


def _yaml_loads(text: str, path: str) -> Any:
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
    if "&" in text and alias_growth(template) > MAX_ALIAS_EXPANSION:
        raise cfn_yaml.CfnParseError(path, [cfn_yaml.build_match(
            filename=path, line_number=0, column_number=0, key="",
            message=f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} values "
                    "(limit against alias amplification)")])
    return template


@functools.cache
def _loader_class() -> Any:
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


def _from_matches(path: str, matches: list[Any], default: str) -> ParseError:
    if not matches:
        return ParseError(path, 1, default)
    first = matches[0]
    line = int(getattr(first, "linenumber", 1) or 1)
    column = getattr(first, "columnnumber", None)
    return ParseError(path, max(line, 1), str(first.message), column)
