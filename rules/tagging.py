"""tagging: resources that cannot be attributed to an owner, cost centre or environment.

Only taggable resources are checked (the adapter sets `node.taggable`), and only
their effective tags (`node.tags`: own tags merged with provider default_tags,
propagated auto scaling tags, …). A tag whose value is unknown counts as present.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from linter.limits import RegexRefused, compile_safe, quoted, search_safe
from linter.model import Finding, Location, Node, Related, Severity, is_known
from rules._base import BuiltinRule

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model import Graph

#: Characters AWS allows in a tag value: a longer value never matches a pattern.
MAX_TAG_VALUE = 256

_LINKS = (
    "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
    "https://docs.aws.amazon.com/whitepapers/latest/tagging-best-practices/tagging-best-practices.html",
)
_REMEDIATION = {
    "terraform": (
        "Add the keys to the resource's `tags`, or once for every resource in the provider's "
        "`default_tags { tags = { ... } }` block."
    ),
    "cloudformation": (
        "Add the keys to the resource's `Tags` (or pass stack-level tags with "
        "`aws cloudformation deploy --tags`, which the linter cannot see)."
    ),
}


def _tagged(graph: Graph) -> Iterator[tuple[Node, dict[str, object] | None]]:
    """Taggable nodes with known tags (None when the resource sets none)."""
    for node in graph:
        if not node.taggable:
            continue
        tags = node.tags
        if tags is not None and not isinstance(tags, dict):
            continue  # Unknown: cannot tell what is there
        yield node, tags


def _tags_loc(node: Node, key: str | None = None) -> Location:
    """Where the resource's own tags (or one tag) are written, else its header."""
    if key is not None and f"tags.{key}" in node.fact_locs:
        return node.fact_locs[f"tags.{key}"]
    return node.fact_locs.get("tags", node.location)


def _defaults(node: Node, key: str | None = None) -> list[Related]:
    """The provider `default_tags` the resource inherits, when the graph knows where they
    are written: for `key`, only when the value comes from there (not the own tags)."""
    provider = node.fact("default_tags_from")
    if not isinstance(provider, str) or "default_tags" not in node.fact_locs:
        return []
    if key is None:
        return [Related(node.fact_locs["default_tags"], provider, "provider default_tags")]
    if f"tags.{key}" in node.fact_locs or f"default_tags.{key}" not in node.fact_locs:
        return []
    return [Related(node.fact_locs[f"default_tags.{key}"], provider,
                    f"provider default_tags: {key}")]


class MissingRequiredTags(BuiltinRule):
    id = "IAC050"
    title = "Resource is missing a required tag"
    category = "tagging"
    severity = Severity.MEDIUM
    description = (
        "Tags are how costs, ownership, data classification and automation (backups, "
        "patching, access control by tag) find a resource. A resource without the tags your "
        "organisation requires (`required_tags` in .iaclint.yaml) is invisible to all of them."
    )
    remediation = _REMEDIATION
    links = _LINKS
    tags = ("tagging", "governance", "config")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        if not config.required_tags:
            return
        for node, tags in _tagged(graph):
            present = set(tags or {})
            for key in config.required_tags:
                if key not in present:
                    yield self.finding(
                        node,
                        f"{node.address} is missing required tag '{key}'",
                        _tags_loc(node) if tags else node.location,
                        evidence=f"tag {key}",
                        related=_defaults(node),
                    )


class UntaggedResource(BuiltinRule):
    id = "IAC051"
    title = "Taggable resource has no tags"
    category = "tagging"
    severity = Severity.LOW
    description = (
        "With no `required_tags` configured, iaclint reports a taggable resource that "
        "carries no tags only when another resource of the same kind in the same "
        "CloudFormation template or Terraform module instance is tagged: the tags were "
        "forgotten there, and nobody can tell who owns it or what it costs. Resources whose "
        "kind is tagged nowhere in the file are left alone, since stack-level or pipeline "
        "tags the linter cannot see usually tag them. Configure `required_tags` to check "
        "every taggable resource for specific keys instead (IAC050)."
    )
    remediation = _REMEDIATION
    links = _LINKS
    tags = ("tagging", "governance")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        if config.required_tags:
            return
        # Siblings: the same kind in the same template or module instance.
        groups: dict[tuple[str, str, str | None], list[tuple[Node, bool]]] = {}
        for node, tags in _tagged(graph):
            groups.setdefault((node.origin, node.module, node.kind), []).append((node, bool(tags)))
        for members in groups.values():
            if not any(tagged for _, tagged in members):
                continue  # tagged nowhere here: tags come from outside the file
            for node, tagged in members:
                if not tagged:
                    yield self.finding(node, f"{node.address} has no tags",
                                       related=_defaults(node))


class TagValuePattern(BuiltinRule):
    id = "IAC052"
    title = "Tag value does not match the configured pattern"
    category = "tagging"
    severity = Severity.LOW
    description = (
        "`tag_value_patterns` in .iaclint.yaml fixes the allowed values of a tag (for "
        "example `Environment: ^(dev|staging|prod)$`). A value outside the pattern breaks "
        "cost reports and tag-based automation just like a missing tag."
    )
    remediation = {
        "terraform": "Change the tag's value so that it matches the configured pattern.",
        "cloudformation": "Change the tag's value so that it matches the configured pattern.",
    }
    links = _LINKS
    tags = ("tagging", "governance", "config")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        if not config.tag_value_patterns:
            return
        # validated when the configuration is read; one set in code may still be refused
        patterns = {}
        for key, source in config.tag_value_patterns.items():
            with contextlib.suppress(RegexRefused):
                patterns[key] = compile_safe(source)
        for node, tags in _tagged(graph):
            for key, pattern in list(patterns.items()):
                value = (tags or {}).get(key)
                if value is None or not is_known(value):
                    continue
                text = str(value)
                if len(text) <= MAX_TAG_VALUE:  # AWS allows no longer value
                    try:
                        if search_safe(pattern, text) is not None:
                            continue
                    except RegexRefused:  # too slow: this pattern is not used any more
                        del patterns[key]
                        continue
                yield self.finding(
                    node,
                    f"{node.address} tag '{key}' has value {quoted(text)}, which does not "
                    f"match {quoted(pattern.pattern)}",
                    _tags_loc(node, key),
                    evidence=f"tag {key}",
                    related=_defaults(node, key),
                )


RULES = [MissingRequiredTags, UntaggedResource, TagValuePattern]
