"""IAM policy JSON adapter: nodes for standalone policy files.

A file that is only policies (one document, a list, a CLI wrapper) is one node,
`iam.policy_document`, addressed by its path. An authorization-details export
describes many principals, so each user, group, role and managed policy in it
is its own node (`<file>:role/Name`), carrying its trust and inline policies
and its attached managed policy ARNs. A bug while adapting one file is an internal
error at that file (IAC999); the other files are still adapted.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable
from typing import Any

from linter.adapters import AdaptContext, AdaptResult, guarded
from linter.loaders.iam_json import PolicyFile, decode_embedded
from linter.model import Location, Node, Source
from linter.policy import parse_policy

_OWNER_KINDS = {
    "role": ("iam.role", "iam_role_detail"),
    "user": ("iam.user", "iam_user_detail"),
    "group": ("iam.group", "iam_group_detail"),
    "policy": ("iam.managed_policy", "iam_managed_policy_detail"),
}


def adapt(documents: Iterable[PolicyFile], ctx: AdaptContext) -> AdaptResult:
    result = AdaptResult()
    for doc in documents:
        if isinstance(doc, PolicyFile):
            nodes = guarded(result, doc.path, "the IAM policy adapter",
                            functools.partial(nodes_for, doc, ctx.root))
            result.nodes.extend(nodes or ())
    return result


def _relative(path: str, root: str) -> str:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")


def _value_at(document: Any, path: tuple[Any, ...]) -> Any:
    value = document
    for key in path:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and key < len(value) else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
    return value


def nodes_for(doc: PolicyFile, root: str) -> list[Node]:
    address = _relative(doc.path, root)
    owners: dict[str, Node] = {}

    def owner_node(owner: str, at: tuple[Any, ...]) -> Node:
        if owner in owners:
            return owners[owner]
        if owner:
            kind, native = _OWNER_KINDS.get(owner.split("/", 1)[0], ("iam.policy_document",
                                                                   "iam_policy_document"))
            node_address, node_id = f"{address}:{owner}", f"{doc.path}::{owner}"
            location = doc.location(at)
        else:
            kind, native = "iam.policy_document", "iam_policy_document"
            node_address, node_id = address, f"{doc.path}::policy"
            location = doc.location(())
        node = Node(
            id=node_id,
            address=node_address,
            native_type=native,
            kind=kind,
            source=Source.IAM,
            location=location,
            origin=doc.path,
        )
        node.facts["policies"] = []
        node.fact_locs["policies"] = location
        owners[owner] = node
        return node

    for entry in doc.entries:
        owner_path = entry.path[:2] if entry.owner else ()
        node = owner_node(entry.owner, owner_path)
        value = decode_embedded(_value_at(doc.document, entry.path))

        def locate(sub: tuple[Any, ...], _base: tuple[Any, ...] = entry.path) -> Location:
            return doc.location((*_base, *sub))

        node.facts["policies"].append(
            parse_policy(value, locate, policy_type=entry.policy_type, name=entry.name)
        )
    for att in doc.attachments:
        node = owner_node(att.owner, att.path[:2])
        node.facts.setdefault("managed_policy_arns", []).append(
            (att.arn, doc.location(att.path))
        )
        node.fact_locs.setdefault("managed_policy_arns", doc.location(att.path))
    return list(owners.values())
