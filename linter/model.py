"""Core value types shared by every stage: locations, unknown values, nodes, findings.

Nothing here knows about HCL, YAML or cfn-lint. Loaders and adapters translate
their parser's shapes into these types, and rules and reporters see only these.
"""

from __future__ import annotations

import enum
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, order=True)
class Location:
    """A span of lines in one file. `path` is absolute; reporters relativize it."""

    path: str
    start_line: int
    end_line: int

    def __post_init__(self) -> None:
        if self.end_line < self.start_line:
            object.__setattr__(self, "end_line", self.start_line)


class Unknown:
    """A value the tool cannot know statically (a computed id, an unset variable).

    Rules must treat it as "no evidence": never a finding on its own. It refuses
    truthiness so that `if value:` on an unknown fails loudly in tests instead of
    silently choosing a branch.
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str = "") -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        raise TypeError("truth value of an Unknown is undefined; use is_known()")

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})" if self.reason else "Unknown()"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


UNKNOWN = Unknown()


class Ref(Unknown):
    """An unknown value that is known to come from another node (an edge).

    `aws_subnet.a.id` or `!Ref SubnetA` evaluate to Ref(target=<node id of the
    subnet>, attr="id"): the value is unknown, but which resource it names is not.
    """

    __slots__ = ("attr", "target")

    def __init__(self, target: str, attr: str | None = None) -> None:
        super().__init__(f"attribute of {target}")
        self.target = target
        self.attr = attr

    def __repr__(self) -> str:
        return f"Ref({self.target!r}, {self.attr!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Ref) and (other.target, other.attr) == (self.target, self.attr)

    def __hash__(self) -> int:
        return hash((self.target, self.attr))


class Choice(Unknown):
    """A value decided by a condition the tool cannot evaluate (CloudFormation
    `Fn::If` on an undecided condition): unknown as a whole, but each candidate
    is known. `options` holds (label, value) pairs, the label saying when the
    value applies ("when condition IsProd is true"). Rules that ignore it treat
    it as Unknown; rules that can name the insecure branch use `branches()`.
    """

    __slots__ = ("options",)

    def __init__(self, options: Iterable[tuple[str, Any]]) -> None:
        super().__init__("depends on an undecided condition")
        self.options = tuple(options)

    def __repr__(self) -> str:
        return f"Choice({self.options!r})"


def branches(value: Any) -> list[tuple[str, Any]]:
    """(label, value) for every candidate of `value`: [("", value)] for a plain
    value, one pair per branch (nested choices flattened, labels joined with
    " and ") for a Choice. The adapter made each nested choice only where both
    of its branches can happen inside the enclosing one."""
    if not isinstance(value, Choice):
        return [("", value)]
    out: list[tuple[str, Any]] = []
    for label, option in value.options:
        for inner, leaf in branches(option):
            out.append((f"{label} and {inner.removeprefix('when ')}" if inner else label, leaf))
    return out


def is_known(value: Any) -> bool:
    """True when `value` is not Unknown (containers may still hold unknowns)."""
    return not isinstance(value, Unknown)


def is_fully_known(value: Any) -> bool:
    """True when `value` and everything inside it is known."""
    if isinstance(value, Unknown):
        return False
    if isinstance(value, dict):
        return all(is_fully_known(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_fully_known(v) for v in value)
    return True


class Partial(Unknown):
    """An unknown list some of whose items are known.

    `concat(var.extra, ["0.0.0.0/0"])` has an unknown length and order, but it
    certainly holds "0.0.0.0/0": a rule may conclude that it contains a known-bad
    item, never that it lacks one. Code that does not look inside treats it as
    any other Unknown; `list_items()` yields the known items plus one Unknown
    standing for the rest.
    """

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__("a list with unknown items")
        self.items = tuple(items)

    def __repr__(self) -> str:
        return f"Partial({list(self.items)!r})"


def list_items(value: Any) -> list[Any]:
    """The items of a list-like value: a list's own, a Partial's known items plus
    one Unknown for the rest, an Unknown as itself, None as nothing."""
    if value is None:
        return []
    if isinstance(value, Partial):
        return [*value.items, Unknown("more items")]
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def refs_in(value: Any) -> Iterator[Ref]:
    """Every Ref inside a (possibly nested) value."""
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, Partial):
        for item in value.items:
            yield from refs_in(item)
    elif isinstance(value, Choice):
        for _label, option in value.options:
            yield from refs_in(option)
    elif isinstance(value, dict):
        for v in value.values():
            yield from refs_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from refs_in(v)


class Severity(enum.IntEnum):
    """Ordered so that `finding.severity >= config.fail_on` reads naturally."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.strip().upper()]

    @property
    def label(self) -> str:
        return self.name.lower()


class Source(str, enum.Enum):
    """Which input language a node came from."""

    TERRAFORM = "terraform"
    CLOUDFORMATION = "cloudformation"
    IAM = "iam"


AttrPath = tuple[Any, ...]


@dataclass(eq=False)
class Node:
    """One resource in the scan's graph, whatever language declared it.

    `attrs` are the evaluated native attributes (Terraform arguments and blocks,
    CloudFormation Properties), kept for rules that need something unusual.
    `facts` are the normalized values rules should use (see linter/facts.py for
    the vocabulary); `fact_locs` says where each fact was written.
    """

    id: str
    address: str
    native_type: str
    kind: str | None
    source: Source
    location: Location
    attrs: dict[str, Any] = field(default_factory=dict)
    attr_locs: dict[AttrPath, Location] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    fact_locs: dict[str, Location] = field(default_factory=dict)
    #: Effective tags (own tags merged with inherited defaults); None when the
    #: resource sets none, an Unknown when they cannot be resolved.
    tags: dict[str, Any] | Unknown | None = None
    taggable: bool = False
    #: Terraform module path ("module.a.module.b") or "" at the root.
    module: str = ""
    #: The group of nodes this one was declared with: a Terraform root module
    #: directory, a CloudFormation template file, an IAM policy file.
    origin: str = ""
    #: Headers of the declarations that created this node, outermost first (the
    #: Terraform module calls of its instance): suppressions written there apply.
    enclosing: tuple[Location, ...] = ()
    #: Suppressions declared on the resource itself in data rather than comments
    #: (CloudFormation `Metadata: iaclint: ignore`), as written.
    ignores: tuple[Any, ...] = ()

    def fact(self, name: str, default: Any = None) -> Any:
        return self.facts.get(name, default)

    def attr_loc(self, *path: Any) -> Location:
        """The most specific recorded location for an attribute path."""
        for end in range(len(path), 0, -1):
            loc = self.attr_locs.get(tuple(path[:end]))
            if loc is not None:
                return loc
        return self.location

    def fact_loc(self, name: str) -> Location:
        return self.fact_locs.get(name, self.location)


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not counted: an inline comment, CloudFormation Metadata, a
    config `ignore` entry or a baseline. Kept on the finding so that every report
    can show it (SARIF `suppressions`) instead of dropping the finding."""

    #: SARIF's suppression kind: "inSource" (comment, Metadata) or "external".
    kind: str
    #: "comment", "metadata", "config" or "baseline".
    origin: str
    reason: str = ""
    until: date | None = None
    #: Where the suppression is written (the comment's line, the config file).
    location: Location | None = None
    #: True when `until` has passed: the finding counts again and says so.
    expired: bool = False


@dataclass(frozen=True)
class Related:
    """A place on the path that causes a finding, elsewhere than the finding's own
    line: the route table and gateway that make a subnet public, the attachment
    that gives a policy its reach. The rule computes it once, while it has the
    graph, so reporters need not (SARIF `relatedLocations`, the JSON `related`,
    the text report's "via" lines). Never part of a finding's identity."""

    location: Location
    #: The resource written there (Terraform address, logical ID, policy file path).
    address: str
    #: What the place is on the path, in a few words ("route table", "internet gateway").
    role: str
    #: The graph node written there, so `iaclint graph --findings-only` draws the path the
    #: rule walked instead of guessing it; "" when the place is no node (a module call, a
    #: provider's default_tags). Not compared: two records of one place are one place.
    node_id: str = field(default="", compare=False)

    @classmethod
    def of(cls, node: Node, role: str, location: Location | None = None) -> Related:
        """`node` as a place on the path, at `location` (default: its own block)."""
        return cls(location or node.location, node.address, role, node.id)


@dataclass(frozen=True)
class Finding:
    """One problem found by one rule at one place."""

    rule_id: str
    severity: Severity
    category: str
    message: str
    location: Location
    address: str
    native_type: str = ""
    source: str = ""
    #: What identifies the defect inside its resource, independent of wording and
    #: lines: an attribute path ("ingress tcp 22-22"), a statement key, a tag name.
    #: Part of the fingerprint (see linter/identity.py).
    evidence: str = ""
    #: The graph node the finding is about ("" for IAC000): suppression comments on
    #: its block header or on the module call that created it apply.
    node_id: str = ""
    #: Stable identity, set by the runner (linter/identity.py).
    fingerprint: str = ""
    #: The suppression that matched, active or expired (see Suppression.expired).
    suppression: Suppression | None = None
    #: The other places that make this a finding, in path order (not in the fingerprint).
    related: tuple[Related, ...] = ()
    #: The Terraform root module directory whose module calls created the resource
    #: ("" when the resource is declared in its root module, and for other
    #: languages): several roots calling one module give one finding each.
    root_module: str = ""
    #: Fingerprints the same finding had under earlier schemes, matched against
    #: baselines written by an earlier iaclint (set by the runner).
    aliases: tuple[str, ...] = ()

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None and not self.suppression.expired

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.location.path, self.location.start_line, self.rule_id, self.address)


@dataclass(frozen=True)
class ParseError:
    """A file that could not be read as what it claimed to be."""

    path: str
    line: int
    message: str
    column: int | None = None


@dataclass(frozen=True)
class InternalError:
    """A bug in iaclint itself (a loader, an adapter or linking raised), caught where it
    happened so that the rest of the scan goes on. Reported as IAC999, never as a parse
    error (the file may be fine), and it makes the exit code 3."""

    #: The file whose resources were lost (a Terraform root module's first file), or
    #: None when no file is to blame (linking).
    path: str | None
    #: What failed, to finish "internal error in …": "the CloudFormation adapter".
    stage: str
    #: The exception in one line: "KeyError: 'Properties'".
    summary: str
    #: What the failure cost, to finish a sentence: "its resources were not checked".
    lost: str = "its resources were not checked"
    #: The full traceback, printed on stderr for a bug report.
    trace: str = ""

    @classmethod
    def capture(cls, path: str | None, stage: str, exc: BaseException,
                lost: str = "its resources were not checked") -> InternalError:
        """The error for `exc`, which is being handled."""
        summary = traceback.format_exception_only(type(exc), exc)[-1].strip()
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls(path, stage, summary, lost, trace)

    @property
    def message(self) -> str:
        return (f"iaclint internal error in {self.stage} ({self.summary}); {self.lost}. "
                "This is a bug in iaclint: please report it with the traceback printed "
                "on stderr.")


class Graph:
    """All nodes of one scan, indexed by id and kind, with reference edges."""

    def __init__(self) -> None:
        self._nodes: dict[str, Node] = {}
        self._by_kind: dict[str, list[Node]] = {}
        self._edges: dict[str, set[str]] = {}
        self._reverse: dict[str, set[str]] = {}
        #: Inside `recording()`: the ids of the nodes the queries returned.
        self._handed: set[str] | None = None

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Collect the id of every node a query hands out while the block runs
        (iteration, `get`, `resolve`, `of_kind`, `references`, `referrers`), so a test
        can tell a rule that found nothing wrong from one that was given nothing to
        look at. Off by default; then each query pays one attribute test."""
        previous, self._handed = self._handed, set()
        try:
            yield self._handed
        finally:
            self._handed = previous

    def _hand(self, nodes: list[Node]) -> list[Node]:
        if self._handed is not None:
            self._handed.update(n.id for n in nodes)
        return nodes

    def _hand_one(self, node: Node | None) -> Node | None:
        if self._handed is not None and node is not None:
            self._handed.add(node.id)
        return node

    def _handing(self, handed: set[str]) -> Iterator[Node]:
        for node in self._nodes.values():
            handed.add(node.id)
            yield node

    def add(self, node: Node) -> None:
        if node.id in self._nodes:
            raise ValueError(f"duplicate node id {node.id}")
        self._nodes[node.id] = node
        if node.kind:
            self._by_kind.setdefault(node.kind, []).append(node)

    def add_edge(self, source: str, target: str) -> None:
        if source == target:
            return
        self._edges.setdefault(source, set()).add(target)
        self._reverse.setdefault(target, set()).add(source)

    def connect_refs(self) -> None:
        """Add an edge for every Ref found in a node's attributes or facts."""
        for node in self._nodes.values():
            for ref in refs_in(node.attrs):
                if ref.target in self._nodes:
                    self.add_edge(node.id, ref.target)
            for ref in refs_in(list(node.facts.values())):
                if ref.target in self._nodes:
                    self.add_edge(node.id, ref.target)

    def edges(self) -> list[tuple[str, str]]:
        """Every (referrer id, referenced id) pair, sorted: what `iaclint graph` draws."""
        return sorted((s, t) for s, targets in self._edges.items() for t in targets)

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[Node]:
        if self._handed is not None:
            return self._handing(self._handed)
        return iter(self._nodes.values())

    def get(self, node_id: str) -> Node | None:
        return self._hand_one(self._nodes.get(node_id))

    def resolve(self, value: Any) -> Node | None:
        """The node a Ref points at, or None for anything else."""
        if isinstance(value, Ref):
            return self._hand_one(self._nodes.get(value.target))
        return None

    def of_kind(self, *kinds: str) -> list[Node]:
        out: list[Node] = []
        for kind in kinds:
            out.extend(self._by_kind.get(kind, ()))
        return self._hand(out)

    def references(self, node: Node) -> list[Node]:
        """Nodes that `node` refers to."""
        return self._hand([self._nodes[t] for t in sorted(self._edges.get(node.id, ()))])

    def referrers(self, node: Node, *kinds: str) -> list[Node]:
        """Nodes that refer to `node`, optionally only of some kinds."""
        out = [self._nodes[s] for s in sorted(self._reverse.get(node.id, ()))]
        if kinds:
            out = [n for n in out if n.kind in kinds]
        return self._hand(out)
