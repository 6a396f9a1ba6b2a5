"""Value types the Terraform evaluator uses beyond plain Python values.

Resource and module references are lazy objects so `aws_subnet.a.id` becomes
a Ref while `aws_subnet.a.availability_zone` can still yield the configured
literal. Strings that came from a heredoc or a file remember where they were
written, and `jsonencode` results remember the structure they encode, so a
policy inside them can be located line by line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from linter.adapters.boundary import NOT_MINE
from linter.model import Location, Ref, Unknown


class Invalid(Unknown):
    """The result of an expression Terraform would reject (missing key, bad type).

    `try()` skips these; everything else treats them as unknown.
    """

    __slots__ = ()


INVALID = Invalid("invalid expression")


class ResourceObj(Ref):
    """A reference to one resource instance; attributes are resolved lazily."""

    __slots__ = ("getter",)

    def __init__(self, target: str, getter: Callable[[str], Any] | None) -> None:
        super().__init__(target, None)
        self.getter = getter

    def get_attr(self, name: str) -> Any:
        if self.getter is None:
            return Ref(self.target, name)
        return self.getter(name)

    def __repr__(self) -> str:
        return f"ResourceObj({self.target!r})"


class Namespace(Unknown):
    """A lazy lookup object (`var`, `local`, `module.x`, `aws_subnet`, `data.t`)."""

    __slots__ = ("getter", "indexer")

    def __init__(
        self,
        getter: Callable[[str], Any],
        reason: str = "namespace",
        indexer: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(reason)
        self.getter = getter
        self.indexer = indexer

    def get_attr(self, name: str) -> Any:
        return self.getter(name)

    def get_index(self, key: Any) -> Any:
        if self.indexer is None:
            return self.getter(str(key))
        return self.indexer(key)


class SymbolicList(Unknown):
    """An unknown list whose elements can still be told apart by position.

    `data.aws_availability_zones.x.names` is unknown, yet `names[0]` and
    `names[1]` are certainly different zones; rules compare zones only for
    equality, so element i is the symbolic string "<list>[i]".
    """

    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        super().__init__(f"elements of {prefix}")
        self.prefix = prefix

    def item(self, index: int) -> str:
        return f"{self.prefix}[{index}]"


class SourcedStr(str):
    """A string read from a heredoc or a file: `path`/`line` say where its text starts."""

    path: str
    line: int

    def __new__(cls, text: str, path: str, line: int) -> SourcedStr:
        obj = super().__new__(cls, text)
        obj.path = path
        obj.line = line
        return obj


HOLE_START = "\ue000"
HOLE_END = "\ue001"


class PartialText(Unknown):
    """A template whose text is known except for some interpolations.

    The text carries a private-use marker where each unknown value went, so a
    policy written as heredoc JSON can still be read statement by statement, and
    `arn:${partition}:iam::aws:policy/AdministratorAccess` still names its policy.
    Functions never pass one on as their result (see functions.first_unknown).
    """

    __slots__ = ("holes", "line", "path", "text")

    def __init__(self, text: str, holes: list[Unknown], path: str, line: int) -> None:
        super().__init__("text with unknown interpolations")
        self.text = text
        self.holes = holes
        self.path = path
        self.line = line


class InvalidPartialText(PartialText, Invalid):
    """A partial text one of whose interpolations Terraform would reject (e.g. a
    reference to a resource outside the scanned files). Its known text is still
    readable (a policy's other statements and values stay evidence), while `try()`
    and `can()` still see an invalid expression."""

    __slots__ = ()


def partial_text(text: str, holes: list[Unknown], path: str, line: int) -> PartialText:
    """The partial text for `holes`, invalid when any hole is."""
    if any(isinstance(h, Invalid) for h in holes):
        return InvalidPartialText(text, holes, path, line)
    return PartialText(text, holes, path, line)


def opaque(value: Unknown) -> Unknown:
    """`value` as the unknown result of an operation on it (a partial text's text is
    only the text itself, not what a function or traversal makes of it)."""
    if isinstance(value, InvalidPartialText):
        return INVALID
    return Unknown(value.reason) if isinstance(value, PartialText) else value


class JsonStr(str):
    """A `jsonencode` result that remembers the value it encodes."""

    source_value: Any

    def __new__(cls, text: str, source_value: Any) -> JsonStr:
        obj = super().__new__(cls, text)
        obj.source_value = source_value
        return obj


class UnknownJson(Unknown):
    """A `jsonencode` of a value with unknown parts: the text is unknown, the shape is not."""

    __slots__ = ("source_value",)

    def __init__(self, source_value: Any) -> None:
        super().__init__("jsonencode of unknown values")
        self.source_value = source_value


class LocMap:
    """Where the items of evaluated dicts/lists were written, keyed by object identity."""

    def __init__(self) -> None:
        self._maps: dict[int, tuple[Any, dict[Any, Location]]] = {}

    def add(self, obj: Any, locs: dict[Any, Location]) -> None:
        if locs:
            self._maps[id(obj)] = (obj, locs)

    def get(self, obj: Any) -> dict[Any, Location] | None:
        entry = self._maps.get(id(obj))
        if entry is None or entry[0] is not obj:
            return None
        return entry[1]

    def clear(self) -> None:
        self._maps.clear()


def plain(value: Any) -> Any:
    """Replace lazy objects by Refs/Unknowns so the value can leave the evaluator."""
    if isinstance(value, ResourceObj):
        return Ref(value.target, None)
    if isinstance(value, Namespace):
        return Unknown(value.reason)
    if isinstance(value, dict):
        if any(_needs_plain(v) for v in value.values()):
            return {k: plain(v) for k, v in value.items()}
        return value
    if isinstance(value, list):
        if any(_needs_plain(v) for v in value):
            return [plain(v) for v in value]
        return value
    return value


#: What INVALID becomes when it leaves the adapter: one object, as INVALID is.
_INVALID_EXPORTED = Unknown(INVALID.reason)


def export(value: Any) -> Any:
    """The project's own value for one of the types above (the `convert` hook of
    linter.adapters.boundary). Facts are filled before export, so what only the
    evaluator needs is gone by then: a heredoc's or file's lines (SourcedStr) are
    already in the policy facts, a `jsonencode` source value (JsonStr,
    UnknownJson) and a partial text are already parsed into statements."""
    if value is INVALID:
        return _INVALID_EXPORTED
    if isinstance(value, ResourceObj):
        return Ref(value.target, None)
    if isinstance(value, Unknown):  # Namespace, SymbolicList, PartialText, UnknownJson, Invalid
        return Unknown(value.reason)
    if isinstance(value, str):  # SourcedStr, JsonStr
        return str(value)
    return NOT_MINE


def _needs_plain(value: Any) -> bool:
    if isinstance(value, (ResourceObj, Namespace)):
        return True
    if isinstance(value, dict):
        return any(_needs_plain(v) for v in value.values())
    if isinstance(value, list):
        return any(_needs_plain(v) for v in value)
    return False
