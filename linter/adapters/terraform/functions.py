"""Terraform's built-in functions over evaluated values.

Every function returns an Unknown (Invalid for a call Terraform would reject)
instead of raising, so one odd expression never stops a scan. Arguments may be
Unknown at any depth; a function only computes when the parts it needs are known.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import math
import re
import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar, cast

from linter import limits as shared_limits
from linter.adapters.terraform.limits import (
    MAX_NUMBER_BITS,
    MAX_NUMBER_TEXT,
    MAX_RANGE,
    MAX_STRING,
    MAX_WEIGHT,
    TOO_LARGE,
)
from linter.adapters.terraform.values import (
    INVALID,
    Invalid,
    JsonStr,
    LocMap,
    PartialText,
    SymbolicList,
    UnknownJson,
    opaque,
    plain,
)
from linter.model import Partial, Unknown, is_fully_known

Func = Callable[..., Any]
F = TypeVar("F", bound=Func)
UNKNOWN_CALL = Unknown("function result")


#: Functions whose work does not grow with their arguments (a lookup in a big map is
#: not charged for the map's size).
_CONSTANT_WORK = frozenset({
    "lookup", "element", "length", "coalesce", "coalescelist", "tomap", "one", "sensitive",
    "nonsensitive", "tonumber", "tobool", "tostring", "abs", "ceil", "floor", "signum", "log",
    "pow", "min", "max", "cidrhost", "cidrnetmask", "cidrsubnet",
})


class FunctionError(Exception):
    """Raised inside a function for input Terraform would reject; becomes Invalid."""


class LimitError(Exception):
    """Raised inside a function whose result would pass an evaluation limit
    (linter/adapters/terraform/limits.py); becomes an Unknown with the reason."""


def _check_len(n: int, what: str = "string") -> None:
    """LimitError when a result of `n` characters/items would be too large, checked
    before it is built."""
    if n > MAX_STRING:
        raise LimitError(f"{what} result longer than {MAX_STRING}")


def first_unknown(*values: Any) -> Unknown | None:
    """The Unknown to propagate when any of `values` is unknown (Invalid wins)."""
    found: Unknown | None = None
    for v in values:
        if isinstance(v, Invalid):
            return opaque(v)
        if isinstance(v, Unknown) and found is None:
            # a partial text describes its own value only, never a function's result
            found = Unknown(v.reason) if isinstance(v, PartialText) else v
    return found


def known_args(fn: F) -> F:
    """A function that computes only on known arguments: when any argument is unknown,
    its result is that Unknown (first_unknown) and `fn` is not called. Works on methods
    too (`self` is never unknown)."""

    # not functools.wraps: the function table is built for every module instance,
    # and copying attributes was a tenth of the evaluation time on the corpus
    def wrapper(*args: Any) -> Any:
        u = first_unknown(*args)
        return u if u is not None else fn(*args)

    return cast(F, wrapper)


def to_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, (int, float, str)):
        return str(value)
    raise FunctionError(f"cannot convert {type(value).__name__} to string")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("bool is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                raise FunctionError(f"{value!r} is not a number") from None
    raise FunctionError("not a number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    raise FunctionError("not a bool")


def _int(value: Any) -> int:
    n = to_number(value)
    if isinstance(n, float):
        if not n.is_integer():
            raise FunctionError("not a whole number")
        return int(n)
    return n


def partial_union(lists: tuple[Any, ...]) -> Any:
    """concat/setunion over lists some of which are unknown: the known items are
    certainly in the result (a Partial), unless nothing at all is known."""
    u = first_unknown(*lists)
    if isinstance(u, Invalid) or any(
        not isinstance(x, (list, tuple, Partial, Unknown)) for x in lists
    ):
        return u if isinstance(u, Invalid) else INVALID
    known = [
        item
        for x in lists
        for item in (x.items if isinstance(x, Partial) else () if isinstance(x, Unknown) else x)
    ]
    return Partial(known) if known else u


def over_known(seq: Any, apply: Callable[[list[Any]], Any]) -> Any:
    """Apply a list function to the known items of a Partial, keeping it partial."""
    result = apply(list(seq.items))
    return Partial(result) if isinstance(result, list) else Unknown("a list with unknown items")


def _seq(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, tuple):
        return list(value)
    raise FunctionError("expected a list")


def _map(value: Any) -> dict[Any, Any]:
    if isinstance(value, dict):
        return value
    raise FunctionError("expected a map")


class Functions:
    """The function table, bound to the evaluator's location map."""

    def __init__(self, locmap: LocMap) -> None:
        self.locmap = locmap
        self.table: dict[str, Func] = {
            "merge": self.merge,
            "concat": self.concat,
            "lookup": self.lookup,
            "coalesce": self.coalesce,
            "coalescelist": self.coalescelist,
            "compact": self.compact,
            "flatten": self.flatten,
            "distinct": self.distinct,
            "contains": self.contains,
            "keys": self.keys,
            "values": self.values,
            "length": self.length,
            "element": self.element,
            "format": self.format,
            "formatlist": self.formatlist,
            "join": self.join,
            "split": self.split,
            "lower": _strfn(str.lower),
            "upper": _strfn(str.upper),
            "title": _strfn(str.title),
            "trimspace": _strfn(str.strip),
            "chomp": _strfn(lambda s: s.rstrip("\r\n")),
            "trim": self.trim,
            "trimprefix": self.trimprefix,
            "trimsuffix": self.trimsuffix,
            "replace": self.replace,
            "substr": self.substr,
            "startswith": self.startswith,
            "endswith": self.endswith,
            "strcontains": self.strcontains,
            "tomap": self.tomap,
            "tolist": self.tolist,
            "toset": self.toset,
            "tostring": self.tostring,
            "tonumber": self.tonumber,
            "tobool": self.tobool,
            "jsonencode": self.jsonencode,
            "jsondecode": self.jsondecode,
            "cidrsubnet": self.cidrsubnet,
            "cidrhost": self.cidrhost,
            "cidrnetmask": self.cidrnetmask,
            "zipmap": self.zipmap,
            "range": self.range,
            "min": self.min,
            "max": self.max,
            "abs": self.abs,
            "ceil": self.ceil,
            "floor": self.floor,
            "sort": self.sort,
            "reverse": self.reverse,
            "slice": self.slice,
            "index": self.index,
            "one": self.one,
            "sum": self.sum,
            "alltrue": self.alltrue,
            "anytrue": self.anytrue,
            "setunion": self.setunion,
            "setintersection": self.setintersection,
            "setsubtract": self.setsubtract,
            "chunklist": self.chunklist,
            "transpose": self.transpose,
            "sensitive": lambda v: v,
            "nonsensitive": lambda v: v,
            "regex": self.regex,
            "regexall": self.regexall,
            "matchkeys": self.matchkeys,
            "signum": known_args(lambda n: (to_number(n) > 0) - (to_number(n) < 0)),
            "pow": known_args(_pow),
            "parseint": known_args(_parseint),
            "basename": _strfn(lambda s: s.rstrip("/").rsplit("/", 1)[-1]),
            "dirname": _strfn(lambda s: s.rsplit("/", 1)[0] if "/" in s else "."),
            "abspath": _strfn(lambda s: s),
            "base64encode": _strfn(lambda s: base64.b64encode(_at_most(s, 2).encode()).decode()),
            "base64decode": _strfn(lambda s: base64.b64decode(s).decode()),
            "md5": _strfn(lambda s: hashlib.md5(s.encode()).hexdigest()),
            "sha1": _strfn(lambda s: hashlib.sha1(s.encode()).hexdigest()),
            "sha256": _strfn(lambda s: hashlib.sha256(s.encode()).hexdigest()),
            "strrev": _strfn(lambda s: s[::-1]),
            "urlencode": _strfn(lambda s: urllib.parse.quote(_at_most(s, 3), safe="")),
            "indent": self.indent,
            "cidrsubnets": self.cidrsubnets,
            "log": known_args(lambda n, b: math.log(to_number(n), to_number(b))),
        }

        #: The evaluator's step budget (Evaluator.charge); False: spent.
        self.charge: Callable[[int], bool] = lambda steps: True
        self._weights: dict[int, tuple[Any, int]] = {}

    def weight(self, value: Any) -> int:
        """`value`'s size as a tree (limits.MAX_WEIGHT), memoized per list and map so
        that values sharing parts are measured once; stops counting past the limit."""
        if isinstance(value, str):
            return len(value)
        if isinstance(value, PartialText):
            return len(value.text)
        if isinstance(value, UnknownJson):
            return self.weight(value.source_value)
        if not isinstance(value, (list, dict, tuple)):
            return 1
        entry = self._weights.get(id(value))
        if entry is not None and entry[0] is value:
            return entry[1]
        total = 1
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            total += self.weight(item) + (len(key) if isinstance(key, str) else 0)
            if total > MAX_WEIGHT:
                break
        self._weights[id(value)] = (value, total)
        return total

    def bounded(self, value: Any) -> Any:
        """`value`, or TOO_LARGE when it passes MAX_WEIGHT / MAX_STRING."""
        if isinstance(value, str):
            return value if len(value) <= MAX_STRING else TOO_LARGE
        if isinstance(value, (list, dict, PartialText, UnknownJson)):
            return value if self.weight(value) <= MAX_WEIGHT else TOO_LARGE
        return value

    def clear(self) -> None:
        self._weights.clear()

    def call(self, name: str, args: list[Any]) -> Any:
        fn = self.table.get(name)
        if fn is None:
            return UNKNOWN_CALL
        # the work a function does is about the size of its arguments: refuse what is
        # too large to start with, and charge the rest to the step budget
        size = sum(self.weight(a) for a in args)
        if size > 4 * MAX_WEIGHT:
            return Unknown(f"{name}(): arguments larger than the evaluation limit")
        if not self.charge(1 if name in _CONSTANT_WORK else size // 64):
            return Unknown("evaluation step limit reached")
        try:
            return self.bounded(fn(*args))
        except LimitError as exc:
            return Unknown(f"{name}(): {exc}")
        except shared_limits.RegexRefused as exc:
            return Unknown(f"{name}(): regular expression not run: {exc}")
        except (
            FunctionError,
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            ZeroDivisionError,
            OverflowError,
            re.error,
            RecursionError,
        ):
            return INVALID

    # collections --------------------------------------------------------

    @known_args
    def merge(self, *maps: Any) -> Any:
        out: dict[Any, Any] = {}
        locs: dict[Any, Any] = {}
        for m in maps:
            if m is None:
                continue
            out.update(_map(m))
            locs.update(self.locmap.get(m) or {})
        self.locmap.add(out, {k: v for k, v in locs.items() if k in out})
        return out

    def concat(self, *lists: Any) -> Any:
        u = first_unknown(*lists)
        if u is not None:
            return partial_union(lists)
        out: list[Any] = []
        locs: dict[Any, Any] = {}
        for seq in lists:
            items = _seq(seq)
            for i, loc in (self.locmap.get(seq) or {}).items():
                if isinstance(i, int):
                    locs[len(out) + i] = loc
            out.extend(items)
        self.locmap.add(out, locs)
        return out

    def lookup(self, m: Any, key: Any, *default: Any) -> Any:
        u = first_unknown(m, key)
        if u is not None:
            return u
        m = _map(m)
        key = to_str(key)
        if key in m:
            return m[key]
        if default:
            return default[0]
        raise FunctionError("key not found")

    def coalesce(self, *values: Any) -> Any:
        for v in values:
            if isinstance(v, Unknown):
                return v
            if v is not None and v != "":
                return v
        raise FunctionError("no non-null argument")

    def coalescelist(self, *values: Any) -> Any:
        for v in values:
            if isinstance(v, Unknown):
                return v
            if _seq(v):
                return v
        raise FunctionError("no non-empty list")

    def compact(self, seq: Any) -> Any:
        if isinstance(seq, Partial):
            return over_known(seq, self.compact)
        u = first_unknown(seq)
        if u is not None:
            return u
        out = []
        for v in _seq(seq):
            if isinstance(v, Unknown) or (v is not None and v != ""):
                out.append(v)
        return out

    def flatten(self, seq: Any) -> Any:
        if isinstance(seq, Partial):
            return over_known(seq, self.flatten)
        u = first_unknown(seq)
        if u is not None:
            return u
        out: list[Any] = []

        def walk(items: list[Any]) -> None:
            for v in items:
                if isinstance(v, (list, tuple)):
                    walk(list(v))
                else:
                    out.append(v)

        walk(_seq(seq))
        return out

    def distinct(self, seq: Any) -> Any:
        if isinstance(seq, Partial):
            return over_known(seq, self.distinct)
        u = first_unknown(seq)
        if u is not None:
            return u
        out: list[Any] = []
        seen: set[Any] = set()
        for v in _seq(seq):
            if isinstance(v, Unknown):
                out.append(v)
            elif isinstance(v, (str, int, float, type(None))):
                if v not in seen:  # hash and == agree for these: same as `v not in out`
                    seen.add(v)
                    out.append(v)
            elif v not in out:
                if len(out) > MAX_RANGE * 4:  # a comparison with every item: quadratic
                    raise LimitError("distinct over too many lists or maps")
                out.append(v)
        return out

    @known_args
    def contains(self, seq: Any, value: Any) -> Any:
        items = _seq(seq) if not isinstance(seq, dict) else list(seq.values())
        if value in [v for v in items if not isinstance(v, Unknown)]:
            return True
        if any(isinstance(v, Unknown) for v in items):
            return Unknown("contains over unknown items")
        return False

    @known_args
    def keys(self, m: Any) -> Any:
        return sorted(_map(m).keys())

    @known_args
    def values(self, m: Any) -> Any:
        mm = _map(m)
        return [mm[k] for k in sorted(mm)]

    @known_args
    def length(self, value: Any) -> Any:
        if isinstance(value, (str, list, dict, tuple)):
            return len(value)
        raise FunctionError("length of a scalar")

    def element(self, seq: Any, index: Any) -> Any:
        if isinstance(seq, SymbolicList) and isinstance(index, int) and index >= 0:
            return seq.item(index)
        u = first_unknown(seq, index)
        if u is not None:
            return u
        items = _seq(seq)
        if not items:
            raise FunctionError("empty list")
        return items[_int(index) % len(items)]

    @known_args
    def format(self, fmt: Any, *args: Any) -> Any:
        return _format(to_str(fmt), list(args))

    @known_args
    def formatlist(self, fmt: Any, *args: Any) -> Any:
        lengths = {len(a) for a in args if isinstance(a, list)}
        if len(lengths) > 1:
            raise FunctionError("lists of different lengths")
        n = lengths.pop() if lengths else 1
        out = []
        total = 0
        for i in range(n):
            row = [a[i] if isinstance(a, list) else a for a in args]
            u = first_unknown(*row)
            text = u if u is not None else _format(to_str(fmt), row)
            total += len(text) if isinstance(text, str) else 1
            _check_len(total, "formatlist")
            out.append(text)
        return out

    @known_args
    def join(self, sep: Any, *lists: Any) -> Any:
        items = [v for seq in lists for v in _seq(seq)]
        u = first_unknown(*items)
        if u is not None:
            return u
        texts = [to_str(v) for v in items]
        sep = to_str(sep)
        _check_len(len(sep) * len(texts) + sum(map(len, texts)), "join")
        return sep.join(texts)

    @known_args
    def split(self, sep: Any, text: Any) -> Any:
        text, sep = to_str(text), to_str(sep)
        return text.split(sep) if sep else list(text)

    @known_args
    def trim(self, s: Any, chars: Any) -> Any:
        return to_str(s).strip(to_str(chars))

    @known_args
    def trimprefix(self, s: Any, prefix: Any) -> Any:
        return to_str(s).removeprefix(to_str(prefix))

    @known_args
    def trimsuffix(self, s: Any, suffix: Any) -> Any:
        return to_str(s).removesuffix(to_str(suffix))

    @known_args
    def startswith(self, s: Any, prefix: Any) -> Any:
        return to_str(s).startswith(to_str(prefix))

    @known_args
    def endswith(self, s: Any, suffix: Any) -> Any:
        return to_str(s).endswith(to_str(suffix))

    @known_args
    def strcontains(self, s: Any, sub: Any) -> Any:
        return to_str(sub) in to_str(s)

    @known_args
    def replace(self, s: Any, old: Any, new: Any) -> Any:
        s, old, new = to_str(s), to_str(old), to_str(new)
        if len(old) > 1 and old.startswith("/") and old.endswith("/"):
            rx = shared_limits.compile_safe(old[1:-1])
            _check_len(len(s) + (len(s) + 1) * len(new), "replace")
            repl = re.sub(r"\$(\d+)", r"\\\1", new)
            try:
                return rx.sub(repl, shared_limits.check_input(s),
                              timeout=shared_limits.REGEX_TIMEOUT)
            except TimeoutError:
                raise shared_limits.RegexRefused("matching took too long") from None
        count = s.count(old) if old else len(s) + 1
        _check_len(len(s) + count * len(new), "replace")
        return s.replace(old, new)

    @known_args
    def substr(self, s: Any, offset: Any, length: Any) -> Any:
        s = to_str(s)
        start = _int(offset)
        if start < 0:
            start += len(s)
        n = _int(length)
        return s[start:] if n < 0 else s[start : start + n]

    @known_args
    def regex(self, pattern: Any, s: Any) -> Any:
        m = shared_limits.search_safe(shared_limits.compile_safe(to_str(pattern)), to_str(s))
        if m is None:
            raise FunctionError("no match")
        if m.re.groupindex:
            return m.groupdict()
        if m.groups():
            return list(m.groups())
        return m.group(0)

    @known_args
    def regexall(self, pattern: Any, s: Any) -> Any:
        rx = shared_limits.compile_safe(to_str(pattern))
        out: list[Any] = []
        try:
            matches = list(rx.finditer(shared_limits.check_input(to_str(s)),
                                       timeout=shared_limits.REGEX_TIMEOUT))
        except TimeoutError:
            raise shared_limits.RegexRefused("matching took too long") from None
        for m in matches:
            if rx.groupindex:
                out.append(m.groupdict())
            elif m.groups():
                out.append(list(m.groups()))
            else:
                out.append(m.group(0))
        return out

    # conversions --------------------------------------------------------

    @known_args
    def tomap(self, m: Any) -> Any:
        return _map(m)

    def tolist(self, seq: Any) -> Any:
        if isinstance(seq, Partial):
            return seq
        u = first_unknown(seq)
        return u if u is not None else list(_seq(seq))

    def toset(self, seq: Any) -> Any:
        if isinstance(seq, Partial):
            return over_known(seq, self.toset)
        u = first_unknown(seq)
        if u is not None:
            return u
        return _set_order(self.distinct(_seq(seq)))

    def tostring(self, v: Any) -> Any:
        if isinstance(v, Unknown) or v is None:
            return v
        return to_str(v)

    def tonumber(self, v: Any) -> Any:
        if isinstance(v, Unknown):
            return opaque(v)
        if v is None:
            return v
        return to_number(v)

    def tobool(self, v: Any) -> Any:
        if isinstance(v, Unknown):
            return opaque(v)
        if v is None:
            return v
        return to_bool(v)

    def jsonencode(self, value: Any) -> Any:
        if isinstance(value, Invalid):
            return opaque(value)
        if not is_fully_known(value):
            return UnknownJson(value)
        if self.weight(value) > MAX_WEIGHT // 2:  # escapes and quotes may double it
            raise LimitError("jsonencode of a value too large")
        return JsonStr(json.dumps(value, separators=(",", ":")), value)

    def jsondecode(self, text: Any) -> Any:
        if isinstance(text, UnknownJson):
            return text.source_value
        if isinstance(text, Unknown):
            return opaque(text)
        if isinstance(text, JsonStr):
            return text.source_value
        return json.loads(to_str(text))

    @known_args
    def indent(self, n: Any, s: Any) -> Any:
        text, width = to_str(s), max(_int(n), 0)
        _check_len(len(text) + text.count("\n") * width, "indent")
        return text.replace("\n", "\n" + " " * width)

    # networking ---------------------------------------------------------

    @known_args
    def cidrsubnets(self, prefix: Any, *bits: Any) -> Any:
        net = ipaddress.ip_network(to_str(prefix), strict=False)
        out = []
        cursor = int(net.network_address)
        if len(bits) > MAX_RANGE:
            raise LimitError(f"more than {MAX_RANGE} subnets")
        for b in bits:
            new_prefix = net.prefixlen + _int(b)
            if not net.prefixlen <= new_prefix <= net.max_prefixlen:
                raise FunctionError("prefix length out of range")
            size = 1 << (net.max_prefixlen - new_prefix)
            cursor = (cursor + size - 1) // size * size
            sub = ipaddress.ip_network((cursor, new_prefix))
            if not sub.subnet_of(net):  # type: ignore[arg-type]
                raise FunctionError("not enough address space")
            out.append(str(sub))
            cursor += size
        return out

    @known_args
    def cidrsubnet(self, prefix: Any, newbits: Any, netnum: Any) -> Any:
        net = ipaddress.ip_network(to_str(prefix), strict=False)
        new_prefix = net.prefixlen + _int(newbits)
        if new_prefix > net.max_prefixlen:
            raise FunctionError("too many bits")
        size = 1 << (net.max_prefixlen - new_prefix)
        n = _int(netnum)
        if n < 0 or n >= (1 << _int(newbits)):
            raise FunctionError("netnum out of range")
        addr = int(net.network_address) + n * size
        base = ipaddress.ip_address(addr) if net.version == 4 else ipaddress.IPv6Address(addr)
        return f"{base}/{new_prefix}"

    @known_args
    def cidrhost(self, prefix: Any, hostnum: Any) -> Any:
        net = ipaddress.ip_network(to_str(prefix), strict=False)
        n = _int(hostnum)
        base = int(net.network_address) + (n if n >= 0 else net.num_addresses + n)
        return str(ipaddress.ip_address(base) if net.version == 4 else ipaddress.IPv6Address(base))

    @known_args
    def cidrnetmask(self, prefix: Any) -> Any:
        return str(ipaddress.ip_network(to_str(prefix), strict=False).netmask)

    # misc ---------------------------------------------------------------

    @known_args
    def zipmap(self, ks: Any, vs: Any) -> Any:
        ks, vs = _seq(ks), _seq(vs)
        u = first_unknown(*ks)
        if u is not None:
            return u
        if len(ks) != len(vs):
            raise FunctionError("lists of different lengths")
        return {to_str(k): v for k, v in zip(ks, vs, strict=True)}

    @known_args
    def range(self, *args: Any) -> Any:
        nums = [to_number(a) for a in args]
        start: int | float = 0
        step: int | float = 1
        if len(nums) == 1:
            stop = nums[0]
        elif len(nums) == 2:
            start, stop = nums
            step = 1 if stop >= start else -1
        else:
            start, stop, step = nums
        if step == 0:
            raise FunctionError("step 0")
        out = []
        v = start
        while (step > 0 and v < stop) or (step < 0 and v > stop):
            out.append(v)
            v += step
            if len(out) > MAX_RANGE:
                raise FunctionError("range too long")  # Terraform's own limit
        return out

    @known_args
    def min(self, *nums: Any) -> Any:
        return min(to_number(n) for n in nums)

    @known_args
    def max(self, *nums: Any) -> Any:
        return max(to_number(n) for n in nums)

    @known_args
    def abs(self, n: Any) -> Any:
        return abs(to_number(n))

    @known_args
    def ceil(self, n: Any) -> Any:
        return math.ceil(to_number(n))

    @known_args
    def floor(self, n: Any) -> Any:
        return math.floor(to_number(n))

    @known_args
    def sum(self, seq: Any) -> Any:
        items = _seq(seq)
        u = first_unknown(*items)
        return u if u is not None else sum(to_number(v) for v in items)

    @known_args
    def sort(self, seq: Any) -> Any:
        items = _seq(seq)
        u = first_unknown(*items)
        return u if u is not None else sorted(to_str(v) for v in items)

    @known_args
    def reverse(self, seq: Any) -> Any:
        return list(reversed(_seq(seq)))

    def slice(self, seq: Any, start: Any, end: Any) -> Any:
        if isinstance(seq, SymbolicList) and first_unknown(start, end) is None:
            if _int(end) - _int(start) > MAX_RANGE:
                raise LimitError(f"slice of more than {MAX_RANGE} items")
            return [seq.item(i) for i in range(_int(start), _int(end))]
        u = first_unknown(seq, start, end)
        return u if u is not None else _seq(seq)[_int(start) : _int(end)]

    @known_args
    def index(self, seq: Any, value: Any) -> Any:
        return _seq(seq).index(value)

    @known_args
    def one(self, seq: Any) -> Any:
        items = _seq(seq)
        if len(items) > 1:
            raise FunctionError("more than one element")
        return items[0] if items else None

    @known_args
    def alltrue(self, seq: Any) -> Any:
        items = _seq(seq)
        if any(v is False or v == "false" for v in items):
            return False
        u = first_unknown(*items)
        return u if u is not None else all(to_bool(v) for v in items)

    @known_args
    def anytrue(self, seq: Any) -> Any:
        items = _seq(seq)
        if any(v is True or v == "true" for v in items):
            return True
        u = first_unknown(*items)
        return u if u is not None else False

    def setunion(self, *sets: Any) -> Any:
        if first_unknown(*sets) is not None:
            union = partial_union(sets)
            return over_known(union, self.toset) if isinstance(union, Partial) else union
        return self.toset([v for s in sets for v in _seq(s)])

    @known_args
    def setintersection(self, first: Any, *rest: Any) -> Any:
        others = [_lookup_set(r) for r in rest]
        return self.toset([v for v in _seq(first) if all(v in r for r in others)])

    @known_args
    def setsubtract(self, a: Any, b: Any) -> Any:
        other = _lookup_set(b)
        return self.toset([v for v in _seq(a) if v not in other])

    @known_args
    def chunklist(self, seq: Any, size: Any) -> Any:
        items, n = _seq(seq), _int(size)
        if n <= 0:
            return [items]
        return [items[i : i + n] for i in range(0, len(items), n)]

    @known_args
    def transpose(self, m: Any) -> Any:
        out: dict[str, list[str]] = {}
        for k, vs in _map(m).items():
            for v in _seq(vs):
                out.setdefault(to_str(v), []).append(k)
        return {k: sorted(v) for k, v in out.items()}

    @known_args
    def matchkeys(self, vals: Any, ks: Any, search: Any) -> Any:
        wanted = _lookup_set(search)
        return [v for v, k in zip(_seq(vals), _seq(ks), strict=False) if k in wanted]


def _lookup_set(value: Any) -> Any:
    """The items of a list for `in` tests: a set when every item is hashable (the same
    answers as the list for strings and numbers), else the list."""
    items = _seq(value)
    if all(isinstance(v, (str, int, float, type(None))) for v in items):
        return set(items)
    return items


def _at_most(text: str, factor: int) -> str:
    """`text`, when a function that grows it up to `factor` times stays under MAX_STRING."""
    _check_len(len(text) * factor)
    return text


def _pow(a: Any, b: Any) -> Any:
    """a ** b, refusing results past MAX_NUMBER_BITS (Python would compute them exactly,
    for minutes)."""
    x, y = to_number(a), to_number(b)
    if isinstance(x, int) and isinstance(y, int) and y > 0 and abs(x) > 1:
        if x.bit_length() * y > MAX_NUMBER_BITS:
            raise LimitError(f"result larger than {MAX_NUMBER_BITS} bits")
        return x**y
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        return x**y  # |x| <= 1 or y == 0: small
    return math.pow(x, y)


def _parseint(s: Any, base: Any) -> Any:
    text = to_str(s)
    if len(text) > MAX_NUMBER_TEXT:
        raise LimitError(f"more than {MAX_NUMBER_TEXT} digits")
    b = _int(base)
    if not 2 <= b <= 36:
        raise FunctionError("base out of range")
    return int(text, b)


def _strfn(fn: Callable[[str], str]) -> Func:
    @known_args
    def wrapped(s: Any) -> Any:
        return fn(to_str(s))

    return wrapped


def _set_order(items: list[Any]) -> list[Any]:
    """Terraform iterates sets of strings in lexical order."""
    if items and all(isinstance(v, str) for v in items):
        return sorted(items)
    return items


_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?([%a-zA-Z])")


def _format(fmt: str, args: list[Any]) -> str:
    # each verb writes one argument (or a width of at most 4096): bound the result first
    widest = max((len(a) if isinstance(a, str) else len(json.dumps(plain(a)))
                  if isinstance(a, (list, dict)) else 32 for a in args), default=0)
    _check_len(len(fmt) + fmt.count("%") * (widest + 4096), "format")
    pos = 0

    def repl(m: re.Match[str]) -> str:
        nonlocal pos
        verb = m.group(5)
        if verb == "%":
            return "%"
        if m.group(1):
            pos = int(m.group(1)) - 1
        if pos >= len(args):
            raise FunctionError("not enough arguments")
        arg = args[pos]
        pos += 1
        width = m.group(3) or ""
        if (width and int(width) > 4096) or (m.group(4) and int(m.group(4)) > 4096):
            raise FunctionError("format width or precision too large")
        flags = m.group(2) or ""
        prec = m.group(4)
        if verb in "dbox":
            spec = {"d": "d", "b": "b", "o": "o", "x": "x"}[verb]
            return format(_int(arg), f"{flags.replace('#', '')}{width}{spec}")
        if verb in "feg":
            p = f".{prec}" if prec is not None else ".6"
            return format(float(to_number(arg)), f"{flags}{width}{p}{verb}")
        if verb == "q":
            return json.dumps(to_str(arg))
        if verb == "v" or verb == "s":
            text = to_str(arg) if not isinstance(arg, (list, dict)) else json.dumps(plain(arg))
            return (
                text.rjust(int(width))
                if width and "-" not in flags
                else (text.ljust(int(width)) if width else text)
            )
        if verb == "t":
            return to_str(to_bool(arg))
        raise FunctionError(f"unsupported verb %{verb}")

    return _VERB.sub(repl, fmt)
