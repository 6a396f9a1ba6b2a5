"""The rule record: metadata a reviewer reads plus a check over the graph.

Rules follow tfsec's shape: a small declarative record (ID, title, category,
severity, description, remediation, links) with one `check` method. The docs,
the SARIF rule descriptors and `iaclint explain` are all generated from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from linter.limits import cap_message
from linter.model import Finding, InternalError, Location, Node, Related, Severity

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model import Graph

CATEGORIES = (
    "open-ingress",
    "public-subnet",
    "multi-az",
    "encryption",
    "iam-wildcard",
    "tagging",
)


class Rule:
    """Base class for every rule, built-in or third-party.

    Subclasses set the class attributes and implement `check`. `remediation`
    maps a language ("terraform", "cloudformation", "iam") to advice.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    category: ClassVar[str]
    severity: ClassVar[Severity]
    description: ClassVar[str]
    remediation: ClassVar[Mapping[str, str]] = {}
    links: ClassVar[tuple[str, ...]] = ()
    tags: ClassVar[tuple[str, ...]] = ()

    def check(self, graph: Graph, config: Config) -> Iterable[Finding]:
        raise NotImplementedError

    def finding(
        self,
        node: Node,
        message: str,
        location: Location | None = None,
        severity: Severity | None = None,
        evidence: str = "",
        related: Iterable[Related] = (),
    ) -> Finding:
        """A finding of this rule on `node`, at `location` or the node's own.

        `evidence` names what is wrong inside the resource in words that do not
        change with the message or the line (an attribute path, a statement key,
        a tag name); it is part of the finding's fingerprint. Leave it empty when
        the rule reports a resource at most once. `related` lists the other places
        on the path that cause it (a route table, a policy attachment), in path
        order; repeats are dropped. A message longer than limits.MAX_MESSAGE is cut:
        it may quote values the scanned code computed (quote them with
        `limits.quoted`, which keeps each short)."""
        return Finding(
            rule_id=self.id,
            severity=severity if severity is not None else self.severity,
            category=self.category,
            message=cap_message(message),
            location=location or node.location,
            address=node.address,
            native_type=node.native_type,
            source=node.source.value,
            evidence=evidence,
            node_id=node.id,
            related=tuple(dict.fromkeys((*related, *module_call(node)))),
            root_module=node.origin if node.module else "",
        )

    def __repr__(self) -> str:
        return f"<Rule {self.id}>"


class ParseErrorRule(Rule):
    """Reports files that could not be parsed; the runner feeds it, not the graph."""

    id = "IAC000"
    title = "File could not be parsed"
    category = "parse-error"
    severity = Severity.HIGH
    description = (
        "iaclint could not parse this file, so none of its resources were checked. "
        "A file that does not parse hides every defect inside it."
    )
    remediation = {
        "terraform": "Fix the syntax error; `terraform validate` shows the same problem.",
        "cloudformation": "Fix the syntax error; `cfn-lint` shows the same problem.",
        "iam": "Make the file valid JSON.",
    }

    def check(self, graph: Graph, config: Config) -> Iterable[Finding]:
        return ()

    def from_error(self, path: str, line: int, message: str) -> Finding:
        return Finding(
            rule_id=self.id,
            severity=self.severity,
            category=self.category,
            message=message,
            location=Location(path, max(line, 1), max(line, 1)),
            address=path,
        )


PARSE_ERROR_RULE = ParseErrorRule()


class InternalErrorRule(Rule):
    """Reports a file whose processing hit a bug in iaclint (an adapter or loader raised).

    Distinct from IAC000 because the file may be perfectly valid: the user cannot fix
    it, only report it. The runner feeds it; it cannot be selected, disabled,
    suppressed or re-graded, and any IAC999 makes the exit code 3."""

    id = "IAC999"
    title = "iaclint internal error"
    category = "internal-error"
    severity = Severity.HIGH
    description = (
        "iaclint raised an unexpected exception while reading this file, so some or all "
        "of its resources were not checked. The file itself may be valid: this is a bug "
        "in iaclint, and the scan exits with code 3 whatever the other findings."
    )
    remediation = {
        "terraform": "Report the bug with the traceback iaclint printed on stderr; "
                     "`exclude` the directory meanwhile if it blocks a pipeline.",
        "cloudformation": "Report the bug with the traceback iaclint printed on stderr; "
                          "`exclude` the template meanwhile if it blocks a pipeline.",
        "iam": "Report the bug with the traceback iaclint printed on stderr.",
    }

    def check(self, graph: Graph, config: Config) -> Iterable[Finding]:
        return ()

    def from_error(self, error: InternalError) -> Finding:
        path = error.path or ""
        return Finding(
            rule_id=self.id,
            severity=self.severity,
            category=self.category,
            message=error.message,
            location=Location(path, 1, 1),
            address=path,
            evidence=error.stage,
        )


INTERNAL_ERROR_RULE = InternalErrorRule()


def module_call(node: Node) -> tuple[Related, ...]:
    """The module call in the root module that created `node` ("via module.vpc
    (examples/complete/main.tf:12)"): which root's instance a finding is in."""
    if not node.module or not node.enclosing:
        return ()
    return (Related(node.enclosing[0], outermost_call(node.module), "module call"),)


def outermost_call(module: str) -> str:
    """`module.a["x.y"]` of `module.a["x.y"].module.b` (keys may hold dots)."""
    quoted = False
    for i, char in enumerate(module):
        if char == '"' and (i == 0 or module[i - 1] != "\\"):
            quoted = not quoted
        elif char == "." and not quoted and i > len("module") and module.startswith(
                ".module.", i):
            return module[:i]
    return module

