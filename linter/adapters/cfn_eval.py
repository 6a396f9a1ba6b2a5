"""Evaluate a CloudFormation template's parameters, conditions and intrinsics.

The evaluator resolves what a deployment would resolve from the template and
the parameter values in force, and nothing more: a value that depends on the
account, the stack or another stack is Unknown, a reference to a resource is a
Ref naming that resource's node, and `AWS::NoValue` removes the property.
Locations follow values: `evaluate` records, for every evaluated path, the
line of the template path it came from (list indexes shift when NoValue drops
an item, and Fn::If replaces a value by one of its branches).
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from typing import Any

from linter.adapters.boundary import DROP, NOT_MINE
from linter.adapters.cfn_conditions import ConditionSolver, When
from linter.adapters.cfn_values import combine, expand
from linter.convert import NOVALUE, DefaultedStr
from linter.model import Choice, Location, Ref, Unknown, is_fully_known, is_known, refs_in

Path = tuple[Any, ...]

#: The longest string an intrinsic may produce (characters). Nested `Fn::Sub` or
#: `Fn::Join` can double a string at every level: 40 levels of a few bytes would
#: need terabytes. A longer result is Unknown, with this limit as its reason.
MAX_STRING = 1 << 20


def _too_long(name: str) -> Unknown:
    return Unknown(f"{name} would produce a string longer than {MAX_STRING:,} characters "
                   "(iaclint's limit)")


def _text_size(value: Any, limit: int) -> int:
    """Characters of the strings in `value`, counted until they pass `limit`."""
    total = 0
    stack = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += sum(len(str(k)) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            total += 8
    return total


#: Pseudo parameters with a value that is the same for nearly every deployment;
#: the rest (Region, AccountId, StackName, ...) are unknown unless passed in.
PSEUDO_DEFAULTS: dict[str, Any] = {
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
PSEUDO_UNKNOWN = (
    "AWS::Region",
    "AWS::AccountId",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::NotificationARNs",
)

_FUNCTIONS = frozenset(
    {
        "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split",
        "Fn::FindInMap", "Fn::If", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not",
        "Fn::Base64", "Fn::GetAZs", "Fn::ImportValue", "Fn::Cidr", "Fn::Transform",
        "Fn::ToJsonString", "Fn::Length", "Condition",
    }
)


def parameter_value(spec: Any, raw: Any) -> Any:
    """A parameter's value as Ref would return it (lists for list types)."""
    ptype = spec.get("Type", "String") if isinstance(spec, dict) else "String"
    ptype = ptype if isinstance(ptype, str) else "String"
    if ptype.startswith("AWS::SSM::Parameter::Value"):
        # The default names an SSM parameter; its value lives in the account.
        return Unknown(f"value of SSM parameter {raw!r}")
    if ptype.startswith("List<") or ptype == "CommaDelimitedList":
        if isinstance(raw, str):
            return [part.strip() for part in raw.split(",")] if raw else []
        if isinstance(raw, list):
            return raw
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return raw


class Evaluator:
    """Evaluation state for one template.

    `node_ids` maps each existing resource's logical ID to its node id;
    `params` holds parameter and pseudo-parameter values (Unknown when unset).
    """

    def __init__(
        self,
        template: Mapping[str, Any],
        template_path: str,
        overrides: Mapping[str, Any],
        locate: Callable[[Path], Location],
    ) -> None:
        self.template = template
        self.path = template_path
        self.locate = locate
        mappings = template.get("Mappings")
        self.mappings = mappings if isinstance(mappings, dict) else {}
        self.params: dict[str, Any] = dict(PSEUDO_DEFAULTS)
        for name in PSEUDO_UNKNOWN:
            self.params[name] = Unknown(f"pseudo parameter {name}")
        specs = template.get("Parameters")
        if isinstance(specs, dict):
            for name, spec in specs.items():
                if name in overrides:
                    self.params[name] = parameter_value(spec, overrides[name])
                elif isinstance(spec, dict) and "Default" in spec:
                    value = parameter_value(spec, spec["Default"])
                    if type(value) is str:
                        value = DefaultedStr(value, name)
                    self.params[name] = value
                elif isinstance(spec, dict) and _single(spec.get("AllowedValues")):
                    self.params[name] = parameter_value(spec, spec["AllowedValues"][0])
                else:
                    self.params[name] = Unknown(f"parameter {name} has no value")
        for name, value in overrides.items():
            if name.startswith("AWS::"):
                self.params[name] = value
        raw_conditions = template.get("Conditions")
        self.raw_conditions = raw_conditions if isinstance(raw_conditions, dict) else {}
        self.conditions: dict[str, bool | Unknown] = {}
        self._evaluating: set[str] = set()
        resources = template.get("Resources")
        self.resources: dict[str, Any] = resources if isinstance(resources, dict) else {}
        #: Resources that exist (a Condition may remove one: references to it
        #: are then unknown).
        self.node_ids: dict[str, str] = {}
        #: Refs met while evaluating the current value (also those that ended
        #: up inside a string), so every reference becomes an edge.
        self.seen_refs: list[Ref] = []
        #: How many undecided Fn::If were met (none: no Choice to distribute).
        self.undecided = 0
        #: Which reachable condition combinations exist (cfn-lint's solver, lazily).
        self.possible = ConditionSolver(template, self.conditions)
        #: Undecided conditions that hold where evaluation is now: the branch of
        #: an enclosing Fn::If, the resource's own Condition.
        self.context: dict[str, bool] = {}

    # ------------------------------------------------------------ conditions

    def condition(self, name: Any) -> bool | Unknown:
        """The value of a named condition: True, False or Unknown."""
        if not isinstance(name, str):
            return Unknown("condition name is not a string")
        if name in self.conditions:
            return self.conditions[name]
        if name not in self.raw_conditions or name in self._evaluating:
            return Unknown(f"condition {name} cannot be evaluated")
        self._evaluating.add(name)
        try:
            value = self._truth(self.evaluate(self.raw_conditions[name], ("Conditions", name)))
        finally:
            self._evaluating.discard(name)
        self.conditions[name] = value
        return value

    @staticmethod
    def _truth(value: Any) -> bool | Unknown:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        return value if isinstance(value, Unknown) and not isinstance(value, Choice) else Unknown(
            "condition value is not a boolean"
        )

    # ------------------------------------------------------------ evaluation

    def evaluate(
        self,
        value: Any,
        raw_path: Path,
        out_path: Path = (),
        locs: dict[Path, Location] | None = None,
    ) -> Any:
        """The evaluated value; NOVALUE when the value removes itself."""
        if isinstance(value, dict):
            if len(value) == 1:
                (key, arg), = value.items()
                if key in _FUNCTIONS and (key != "Condition" or (
                        isinstance(arg, str) and arg in self.raw_conditions)):
                    return self._function(key, arg, (*raw_path, key), out_path, locs)
            out: dict[str, Any] = {}
            for k, v in value.items():
                here = (*out_path, k)
                if locs is not None:
                    locs[here] = self.locate((*raw_path, k))
                result = self.evaluate(v, (*raw_path, k), here, locs)
                if result is NOVALUE:
                    if locs is not None:
                        locs.pop(here, None)
                    continue
                out[k] = result
            return out
        if isinstance(value, list):
            items: list[Any] = []
            for i, v in enumerate(value):
                here = (*out_path, len(items))
                if locs is not None:
                    locs[here] = self.locate((*raw_path, i))
                result = self.evaluate(v, (*raw_path, i), here, locs)
                if result is NOVALUE:
                    continue
                items.append(result)
            return items
        return value

    def _function(
        self, name: str, arg: Any, raw_path: Path, out_path: Path,
        locs: dict[Path, Location] | None,
    ) -> Any:
        if name == "Ref":
            return self.ref(arg)
        if name == "Fn::GetAtt":
            return self._getatt(arg, raw_path)
        if name == "Fn::If":
            return self._if(arg, raw_path, out_path, locs)
        if name == "Condition":
            return self.condition(arg)
        args = self.evaluate(arg, raw_path)
        handler = _HANDLERS.get(name)
        if handler is None:
            return Unknown(f"{name} is not evaluated")
        variants = expand(args) if self.undecided else ()
        if len(variants) > 1:  # an undecided Fn::If inside: evaluate each branch
            return combine([(label, self._call(name, handler, v)) for label, v in variants])
        return self._call(name, handler, args)

    def _call(self, name: str, handler: Callable[[Evaluator, Any], Any], args: Any) -> Any:
        try:
            return handler(self, args)
        except (TypeError, ValueError, IndexError, KeyError, AttributeError):
            return Unknown(f"{name} could not be evaluated")

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return Unknown("Ref to a non-string")
        if name == "AWS::NoValue":
            return NOVALUE
        if name in self.params:
            return self.params[name]
        if name in self.node_ids:
            ref = Ref(self.node_ids[name], None)
            self.seen_refs.append(ref)
            return ref
        return Unknown(f"Ref to {name}")

    def getatt(self, logical_id: Any, attr: Any) -> Any:
        if isinstance(logical_id, str) and logical_id in self.node_ids:
            ref = Ref(self.node_ids[logical_id], attr if isinstance(attr, str) else None)
            self.seen_refs.append(ref)
            return ref
        return Unknown(f"attribute of {logical_id}")

    def _getatt(self, arg: Any, raw_path: Path) -> Any:
        if isinstance(arg, str) and "." in arg:
            return self.getatt(*arg.split(".", 1))
        if isinstance(arg, list) and len(arg) == 2:
            attr = self.evaluate(arg[1], (*raw_path, 1))
            return self.getatt(arg[0], attr)
        return Unknown("malformed Fn::GetAtt")

    def _if(
        self, arg: Any, raw_path: Path, out_path: Path, locs: dict[Path, Location] | None
    ) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            return Unknown("malformed Fn::If")
        decided = self.condition(arg[0])
        if decided is True:
            return self.evaluate(arg[1], (*raw_path, 1), out_path, locs)
        if decided is False:
            return self.evaluate(arg[2], (*raw_path, 2), out_path, locs)
        name = arg[0] if isinstance(arg[0], str) else "?"
        if self.context and name not in self.context:
            if not self.possible({**self.context, name: True}):
                self.context[name] = False
            elif not self.possible({**self.context, name: False}):
                self.context[name] = True
        if name in self.context:  # decided by the enclosing branch or Condition
            branch = 1 if self.context[name] else 2
            return self.evaluate(arg[branch], (*raw_path, branch), out_path, locs)
        # Undecided: keep both candidates so a rule can say which one is insecure.
        self.undecided += 1
        yes = self.within(name, True, arg[1], (*raw_path, 1), out_path, locs)
        no = self.within(name, False, arg[2], (*raw_path, 2), out_path, locs)
        return combine([(When({name: True}, self.possible), yes),
                        (When({name: False}, self.possible), no)])

    def within(
        self, name: str, truth: bool, value: Any, raw_path: Path, out_path: Path,
        locs: dict[Path, Location] | None,
    ) -> Any:
        """`value` evaluated where condition `name` has the value `truth`."""
        saved = self.context
        self.context = {**saved, name: truth}
        try:
            return self.evaluate(value, raw_path, out_path, locs)
        finally:
            self.context = saved

    # ------------------------------------------------------------ Fn::Sub

    def sub(self, template: Any, variables: Mapping[str, Any]) -> Any:
        if not isinstance(template, str):
            return Unknown("Fn::Sub of a non-string")
        parts: list[str] = []
        unknown: Unknown | None = None
        size = len(template)  # at most the literal text plus every substituted value
        i = 0
        while i < len(template):
            start = template.find("${", i)
            if start < 0:
                parts.append(template[i:])
                break
            parts.append(template[i:start])
            end = template.find("}", start)
            if end < 0:
                parts.append(template[start:])
                break
            name = template[start + 2:end]
            i = end + 1
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            name = name.strip()
            if name in variables:
                value = variables[name]
            elif "." in name and name.split(".", 1)[0] in self.node_ids:
                value = self.getatt(*name.split(".", 1))
            else:
                value = self.ref(name)
            if isinstance(value, (bool, int, float)):
                value = _text(value)
            if isinstance(value, str):
                size += len(value)
                if size > MAX_STRING:
                    return _too_long("Fn::Sub")
                parts.append(value)
            else:
                parts.append(SUB_HOLE)
                if unknown is None:
                    whole = template.strip() == "${" + template[start + 2:end] + "}"
                    unknown = value if whole and isinstance(value, Unknown) else Unknown(
                        f"Fn::Sub uses {name}"
                    )
        if unknown is not None:
            text = "".join(parts)
            if type(unknown) is Unknown and text.replace(SUB_HOLE, "").strip():
                return SubText(unknown.reason, text)  # the known text stays readable
            return unknown
        return "".join(parts)


#: Stands, in a SubText, where an unknown value went.
SUB_HOLE = "\ue000"


class SubText(Unknown):
    """An `Fn::Sub` result whose text is known except for some variables (a resource
    outside the template, a parameter without a value). It is unknown like any other;
    only a policy written as a JSON string reads its text (`document()`), so that an
    unknown ARN stays local to the value that holds it."""

    __slots__ = ("text",)

    def __init__(self, reason: str, text: str) -> None:
        super().__init__(reason)
        self.text = text

    def document(self) -> Any:
        """The JSON text as plain values, each string with a hole Unknown; the whole
        an Unknown when the text is no JSON."""
        try:
            parsed = json.loads(self.text)
        except ValueError:
            return Unknown(self.reason)
        return _fill_holes(parsed, Unknown(self.reason))


def _fill_holes(value: Any, hole: Unknown) -> Any:
    if isinstance(value, dict):
        return {k: _fill_holes(v, hole) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_holes(v, hole) for v in value]
    if isinstance(value, str) and SUB_HOLE in value:
        return hole
    return value


def _single(values: Any) -> bool:
    return isinstance(values, list) and len(values) == 1 and not isinstance(values[0], dict)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _fn_sub(ev: Evaluator, args: Any) -> Any:
    if isinstance(args, str):
        return ev.sub(args, {})
    if isinstance(args, list) and len(args) == 2 and isinstance(args[1], dict):
        return ev.sub(args[0], args[1])
    return Unknown("malformed Fn::Sub")


def _fn_join(ev: Evaluator, args: Any) -> Any:
    delim, items = args
    if not isinstance(items, list) or not isinstance(delim, str):
        return Unknown("Fn::Join of an unknown list")
    if not is_fully_known(items):
        return Unknown("Fn::Join of unknown parts")
    flat: list[str] = []
    for item in items:
        if isinstance(item, (dict, list)):
            return Unknown("Fn::Join of a non-scalar")
        flat.append(_text(item))
    if sum(map(len, flat)) + len(delim) * max(len(flat) - 1, 0) > MAX_STRING:
        return _too_long("Fn::Join")
    return delim.join(flat)


def _fn_select(ev: Evaluator, args: Any) -> Any:
    index, items = args
    if isinstance(index, str) and index.strip().isdigit():
        index = int(index)
    if isinstance(items, _AzList) and isinstance(index, int):
        return items.zone(index)
    if not isinstance(index, int) or isinstance(index, bool) or not isinstance(items, list):
        return Unknown("Fn::Select from an unknown list")
    return items[index] if 0 <= index < len(items) else Unknown("Fn::Select index out of range")


def _fn_split(ev: Evaluator, args: Any) -> Any:
    delim, text = args
    if isinstance(delim, str) and isinstance(text, str) and delim:
        return text.split(delim)
    return Unknown("Fn::Split of an unknown string")


def _fn_find_in_map(ev: Evaluator, args: Any) -> Any:
    default = NOVALUE
    if len(args) == 4 and isinstance(args[3], dict) and "DefaultValue" in args[3]:
        default = args[3]["DefaultValue"]
    name, top, second = args[:3]
    if not isinstance(name, (str, int)) or not is_known(name):
        return Unknown("Fn::FindInMap of an unknown map")
    if not is_known(top) and isinstance(second, (str, int)) and is_known(second):
        # An unknown top-level key (often AWS::Region) still decides the value
        # when every entry agrees on it.
        table = ev.mappings.get(str(name))
        values = [v.get(_text(second)) for v in table.values() if isinstance(v, dict)] if (
            isinstance(table, dict)) else []
        if values and all(v is not None and v == values[0] for v in values):
            return values[0]
        return Unknown("Fn::FindInMap with an unknown key")
    if not all(isinstance(x, (str, int)) and is_known(x) for x in (top, second)):
        return Unknown("Fn::FindInMap with unknown keys")
    try:
        return ev.mappings[str(name)][_text(top)][_text(second)]
    except (KeyError, TypeError):
        return default if default is not NOVALUE else Unknown("Fn::FindInMap key not found")


def _fn_equals(ev: Evaluator, args: Any) -> Any:
    a, b = args
    if not (is_fully_known(a) and is_fully_known(b)):
        return Unknown("Fn::Equals of an unknown value")
    return _normal(a) == _normal(b)


def _normal(value: Any) -> Any:
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return _text(value) if value is not None else None


def _fn_and(ev: Evaluator, args: Any) -> Any:
    values = [Evaluator._truth(a) for a in args]
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return Unknown("Fn::And of an undecided condition")


def _fn_or(ev: Evaluator, args: Any) -> Any:
    values = [Evaluator._truth(a) for a in args]
    if any(v is True for v in values):
        return True
    if all(v is False for v in values):
        return False
    return Unknown("Fn::Or of an undecided condition")


def _fn_not(ev: Evaluator, args: Any) -> Any:
    value = Evaluator._truth(args[0] if isinstance(args, list) else args)
    return (not value) if isinstance(value, bool) else value


def _fn_base64(ev: Evaluator, args: Any) -> Any:
    # Kept as the readable text: rules read what is encoded, not the encoding.
    return args


class _AzList(Unknown):
    """Fn::GetAZs: the list is unknown, but its items are distinct zones. An item
    picked by Fn::Select is named symbolically ("Fn::GetAZs[0]", or
    "Fn::GetAZs(eu-west-1)[0]" for a literal region) so that rules comparing zones
    see that two subnets on index 0 share a zone and index 0 and 1 do not."""

    __slots__ = ("region",)

    def __init__(self, region: str | None) -> None:
        super().__init__("availability zones of the region")
        self.region = region

    def zone(self, index: int) -> Any:
        if index < 0:
            return Unknown("Fn::Select index out of range")
        where = f"({self.region})" if self.region else ""
        return f"Fn::GetAZs{where}[{index}]"


def _fn_getazs(ev: Evaluator, args: Any) -> Any:
    stack_region = ev.params.get("AWS::Region")
    if args == "" or args is None or args is stack_region or (
            isinstance(args, str) and args == stack_region):
        return _AzList(None)  # the stack's own region
    if isinstance(args, str):
        return _AzList(args)
    return Unknown("Fn::GetAZs of an unknown region")


def _fn_import(ev: Evaluator, args: Any) -> Any:
    return Unknown("Fn::ImportValue: exported by another stack")


def _fn_cidr(ev: Evaluator, args: Any) -> Any:
    block, count, bits = args
    if not (isinstance(block, str) and is_known(block)):
        return Unknown("Fn::Cidr of an unknown block")
    network = ipaddress.ip_network(block.strip(), strict=False)
    count, bits = int(count), int(bits)
    prefix = network.max_prefixlen - bits
    if prefix < network.prefixlen or not 1 <= count <= 256:
        return Unknown("Fn::Cidr out of range")
    out: list[str] = []
    for subnet in network.subnets(new_prefix=prefix):
        out.append(str(subnet))
        if len(out) == count:
            break
    return out


def _fn_to_json(ev: Evaluator, args: Any) -> Any:
    if not is_fully_known(args):
        return Unknown("Fn::ToJsonString of an unknown value")
    if _text_size(args, MAX_STRING) > MAX_STRING:
        return _too_long("Fn::ToJsonString")
    return json.dumps(args, separators=(",", ":"))


def _fn_length(ev: Evaluator, args: Any) -> Any:
    return len(args) if isinstance(args, list) else Unknown("Fn::Length of an unknown list")


_HANDLERS: dict[str, Callable[[Evaluator, Any], Any]] = {
    "Fn::Sub": _fn_sub,
    "Fn::Join": _fn_join,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Equals": _fn_equals,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Fn::Not": _fn_not,
    "Fn::Base64": _fn_base64,
    "Fn::GetAZs": _fn_getazs,
    "Fn::ImportValue": _fn_import,
    "Fn::Cidr": _fn_cidr,
    "Fn::ToJsonString": _fn_to_json,
    "Fn::Length": _fn_length,
}

def export(value: Any) -> Any:
    """The project's own value for the evaluator's private types (the `convert` hook
    of linter.adapters.boundary): a NoValue left over removes itself; a GetAZs list
    is an unknown list (the items Fn::Select took from it are already strings)."""
    if value is NOVALUE:
        return DROP
    if isinstance(value, Unknown):
        return Unknown(value.reason)
    if isinstance(value, (DefaultedStr, When)):
        return str(value)
    return NOT_MINE


__all__ = ["NOVALUE", "Evaluator", "SubText", "export", "parameter_value", "refs_in"]
