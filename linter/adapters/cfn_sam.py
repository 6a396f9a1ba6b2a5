"""SAM (`Transform: AWS::Serverless-2016-10-31`) resources, read without the transform.

SAM would expand a function's `Policies` into an execution role with inline
statements and attached managed policies. Rules only need what that role
would grant, so the function node itself carries the `policies` and the
`managed_policy_arns` (bare names such as `AdministratorAccess` become AWS
managed policy ARNs). SAM policy templates (`S3ReadPolicy: {...}`) are scoped
by construction and are not expanded.
"""

from __future__ import annotations

from typing import Any

from linter.adapters.cfn_kinds import ResourceView, add_policy
from linter.adapters.cfn_values import as_items
from linter.model import Location, Node, branches
from linter.policy import parse_policy


def managed_arn(name: str) -> str:
    """`AdministratorAccess` → its AWS managed policy ARN; ARNs are kept as written."""
    if name.startswith("arn:"):
        return name
    return f"arn:aws:iam::aws:policy/{name}"


def apply_sam(node: Node, view: ResourceView) -> None:
    """The policies SAM would give a function's or state machine's generated role
    (kinds and table facts such as `role` and `subnets` come from the fact spec)."""
    if node.native_type not in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
        return
    if view.has("Role"):
        return  # with an explicit role, SAM ignores Policies
    policies = view.get("Policies")
    if policies is None:
        return
    arns: list[tuple[Any, Location]] = []
    items = policies if isinstance(policies, list) else [policies]
    for i, entry in enumerate(items):
        path: tuple[Any, ...] = ("Policies", i) if isinstance(policies, list) else ("Policies",)
        for label, item in branches(entry):
            if isinstance(item, str):
                arns.append((managed_arn(item), view.loc(*path)))
            elif isinstance(item, dict) and "Statement" in item:
                def locate(sub: tuple[Any, ...], _p: tuple[Any, ...] = path) -> Location:
                    return view.loc(*_p, *sub)

                name = f"SAM inline policy #{i + 1}" + (f" ({label})" if label else "")
                add_policy(view, parse_policy(item, locate, policy_type="identity", name=name))
            elif not isinstance(item, dict):
                arns.append((item, view.loc(*path)))  # an unknown value (Ref, Sub, ...)
    if arns:
        node.facts["managed_policy_arns"] = arns
        node.fact_locs["managed_policy_arns"] = view.loc("Policies")


__all__ = ["apply_sam", "as_items", "managed_arn"]
