"""Load standalone IAM policy JSON in the shapes people keep on disk.

Recognized: one policy document (`Statement`, usually `Version`), a list of
them (or of `{PolicyName, PolicyDocument}`), the CLI's wrappers
(`get-policy-version`, `get-role`, `get-role-policy`), and the
`aws iam get-account-authorization-details` export. Anything else that merely
mentions "Statement" (package.json, tsconfig, a Terraform plan) is not a
policy and loads as None, so it is skipped rather than reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.loaders.cloudformation import decode_text
from linter.loaders.marked import LineMap, Path, locate_in
from linter.model import Location, ParseError

_STATEMENT_KEYS = frozenset(
    {"Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal"}
)


@dataclass(frozen=True)
class PolicyEntry:
    """One policy document inside the file and who it belongs to.

    `owner` is "" for a file that is just policies; in an authorization-details
    export it is "role/Name", "user/Name", "group/Name" or "policy/Name".
    """

    owner: str
    name: str
    policy_type: str  # "identity" | "resource" | "trust"
    path: Path


@dataclass(frozen=True)
class ManagedAttachment:
    """A managed policy attached by ARN in an export (`AttachedManagedPolicies`)."""

    owner: str
    arn: str
    path: Path


@dataclass
class PolicyFile:
    path: str
    document: Any
    shape: str  # "policy" | "policy_list" | "wrapped" | "authorization_details"
    entries: list[PolicyEntry] = field(default_factory=list)
    attachments: list[ManagedAttachment] = field(default_factory=list)
    locations: LineMap = field(default_factory=dict)
    language: str = "iam"

    def location(self, path: Path) -> Location:
        start, end = locate_in(self.locations, path)
        return Location(self.path, start, end)


def is_policy(value: Any) -> bool:
    """A policy document: a Statement object or list of statement-shaped objects."""
    if not isinstance(value, dict):
        return False
    stmts = value.get("Statement")
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list) or not stmts:
        return False
    return all(isinstance(s, dict) and _STATEMENT_KEYS & s.keys() for s in stmts)


def policy_type_of(doc: Any) -> str:
    """trust when it grants sts:AssumeRole* to principals, resource when it names principals."""
    stmts = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(stmts, dict):
        stmts = [stmts]
    if not isinstance(stmts, list):
        return "identity"
    with_principal = [
        s for s in stmts if isinstance(s, dict) and ("Principal" in s or "NotPrincipal" in s)
    ]
    if not with_principal:
        return "identity"
    for s in with_principal:
        actions = s.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if any(isinstance(a, str) and a.lower().startswith("sts:assumerole") for a in actions):
            return "trust"
    return "resource"


def decode_embedded(value: Any) -> Any:
    """Exports and CLI output sometimes carry documents as (URL-encoded) JSON strings."""
    if isinstance(value, str):
        import json
        from urllib.parse import unquote

        text = unquote(value) if value.lstrip().startswith("%7B") else value
        try:
            return json.loads(text)
        except ValueError:
            return None
    return value


def _entries_for_list(value: list[Any]) -> list[PolicyEntry] | None:
    out: list[PolicyEntry] = []
    for i, item in enumerate(value):
        if is_policy(item):
            out.append(PolicyEntry("", f"policy #{i + 1}", policy_type_of(item), (i,)))
        elif isinstance(item, dict) and is_policy(decode_embedded(item.get("PolicyDocument"))):
            name = item.get("PolicyName")
            label = f"policy {name!r}" if isinstance(name, str) else f"policy #{i + 1}"
            doc = decode_embedded(item["PolicyDocument"])
            out.append(PolicyEntry("", label, policy_type_of(doc), (i, "PolicyDocument")))
        else:
            return None
    return out or None


def _wrapped(value: dict[str, Any]) -> list[PolicyEntry]:
    out: list[PolicyEntry] = []
    version = value.get("PolicyVersion")
    if isinstance(version, dict) and is_policy(decode_embedded(version.get("Document"))):
        doc = decode_embedded(version["Document"])
        out.append(PolicyEntry("", "policy", policy_type_of(doc), ("PolicyVersion", "Document")))
    role = value.get("Role")
    if isinstance(role, dict) and is_policy(decode_embedded(role.get("AssumeRolePolicyDocument"))):
        out.append(PolicyEntry("", "AssumeRolePolicyDocument", "trust",
                               ("Role", "AssumeRolePolicyDocument")))
    for key, ptype in (("PolicyDocument", None), ("AssumeRolePolicyDocument", "trust")):
        doc = decode_embedded(value.get(key))
        if is_policy(doc):
            name = value.get("PolicyName")
            label = f"policy {name!r}" if isinstance(name, str) else key
            out.append(PolicyEntry("", label, ptype or policy_type_of(doc), (key,)))
    return out


_DETAIL_LISTS = (
    ("UserDetailList", "user", "UserName", "UserPolicyList"),
    ("GroupDetailList", "group", "GroupName", "GroupPolicyList"),
    ("RoleDetailList", "role", "RoleName", "RolePolicyList"),
)


def _authorization_details(
    value: dict[str, Any],
) -> tuple[list[PolicyEntry], list[ManagedAttachment]]:
    entries: list[PolicyEntry] = []
    attachments: list[ManagedAttachment] = []
    for list_key, kind, name_key, inline_key in _DETAIL_LISTS:
        items = value.get(list_key)
        for i, item in enumerate(items if isinstance(items, list) else []):
            if not isinstance(item, dict):
                continue
            owner = f"{kind}/{item.get(name_key, i)}"
            base = (list_key, i)
            trust = decode_embedded(item.get("AssumeRolePolicyDocument"))
            if is_policy(trust):
                entries.append(PolicyEntry(owner, "AssumeRolePolicyDocument", "trust",
                                           (*base, "AssumeRolePolicyDocument")))
            inline = item.get(inline_key)
            for j, pol in enumerate(inline if isinstance(inline, list) else []):
                if isinstance(pol, dict) and is_policy(decode_embedded(pol.get("PolicyDocument"))):
                    entries.append(PolicyEntry(
                        owner, f"inline policy {pol.get('PolicyName', j)!r}", "identity",
                        (*base, inline_key, j, "PolicyDocument")))
            attached = item.get("AttachedManagedPolicies")
            for j, att in enumerate(attached if isinstance(attached, list) else []):
                if isinstance(att, dict) and isinstance(att.get("PolicyArn"), str):
                    attachments.append(ManagedAttachment(
                        owner, att["PolicyArn"], (*base, "AttachedManagedPolicies", j)))
    policies = value.get("Policies")
    for i, pol in enumerate(policies if isinstance(policies, list) else []):
        if not isinstance(pol, dict):
            continue
        owner = f"policy/{pol.get('PolicyName', i)}"
        versions = pol.get("PolicyVersionList")
        for j, ver in enumerate(versions if isinstance(versions, list) else []):
            # Only the default version is in force; older versions grant nothing.
            if (isinstance(ver, dict) and ver.get("IsDefaultVersion") is not False
                    and is_policy(decode_embedded(ver.get("Document")))):
                entries.append(PolicyEntry(owner, f"version {ver.get('VersionId', j)}",
                                           "identity", ("Policies", i, "PolicyVersionList",
                                                        j, "Document")))
    return entries, attachments


def find_policies(value: Any) -> tuple[str, list[PolicyEntry], list[ManagedAttachment]] | None:
    """(shape, entries, attachments) when `value` holds policies in a known shape."""
    if isinstance(value, list):
        entries = _entries_for_list(value)
        return ("policy_list", entries, []) if entries else None
    if not isinstance(value, dict):
        return None
    if is_policy(value):
        return "policy", [PolicyEntry("", "policy", policy_type_of(value), ())], []
    policies = value.get("Policies")
    managed_only = isinstance(policies, list) and any(
        isinstance(p, dict) and "PolicyVersionList" in p for p in policies
    )  # an export filtered to managed policies
    if managed_only or any(isinstance(value.get(k), list) for k, *_ in _DETAIL_LISTS):
        entries, attachments = _authorization_details(value)
        return "authorization_details", entries, attachments
    wrapped = _wrapped(value)
    return ("wrapped", wrapped, []) if wrapped else None


def load_iam_policy(path: str, data: bytes) -> PolicyFile | ParseError | None:
    """The policy file, a located ParseError for broken JSON, or None when not a policy."""
    import json

    text = decode_text(data)
    if text is None:
        return ParseError(path, 1, "file is not UTF-8 text")
    try:
        quick = json.loads(text)
    except RecursionError:
        return ParseError(path, 1, "JSON is nested too deeply")
    except ValueError as err:
        if '"Effect"' not in text:  # broken JSON that never looked like a policy
            return None
        if isinstance(err, json.JSONDecodeError):
            return ParseError(path, err.lineno, err.msg, err.colno)
        return ParseError(path, 1, str(err))
    found = find_policies(quick)  # cheap check before the marked decode
    if found is None:
        return None
    from linter.loaders.cloudformation import clamp, decode_plain_guarded

    decoded = decode_plain_guarded(path, text)
    if isinstance(decoded, ParseError):
        return clamp(decoded, text)
    document, locations = decoded
    shape, entries, attachments = found
    return PolicyFile(path, document, shape, entries, attachments, locations)
