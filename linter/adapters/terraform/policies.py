"""IAM policies in every Terraform shape, turned into PolicyDocument facts with lines.

A policy value may be a `jsonencode` result (which remembers its HCL objects and
their lines), a heredoc or `file()` string (parsed as JSON with line marks,
offset by where the text starts), a plain JSON string, or the `.json` of a
`data "aws_iam_policy_document"` (built here from its statement blocks).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linter.adapters.terraform.functions import FunctionError
from linter.adapters.terraform.values import (
    HOLE_START,
    JsonStr,
    LocMap,
    PartialText,
    SourcedStr,
    UnknownJson,
)
from linter.facts import PolicyDocument
from linter.loaders.marked import JArr, JObj, JsonSyntaxError, parse_json_lines
from linter.model import Location, Ref, Unknown, is_fully_known
from linter.policy import parse_policy

if TYPE_CHECKING:
    from linter.adapters.terraform.evaluator import Evaluator, Scope
    from linter.loaders.hcl_ast import Block

#: native type -> [(attribute, policy type, name)] for attributes holding a policy document
POLICY_ATTRS: dict[str, list[tuple[str, str, str]]] = {
    "aws_iam_policy": [("policy", "identity", "policy")],
    "aws_iam_role_policy": [("policy", "identity", "inline policy")],
    "aws_iam_user_policy": [("policy", "identity", "inline policy")],
    "aws_iam_group_policy": [("policy", "identity", "inline policy")],
    "aws_iam_role": [("assume_role_policy", "trust", "assume_role_policy")],
    "aws_s3_bucket_policy": [("policy", "resource", "bucket policy")],
    "aws_s3_bucket": [("policy", "resource", "bucket policy")],
    "aws_s3_access_point": [("policy", "resource", "access point policy")],
    "aws_sqs_queue_policy": [("policy", "resource", "queue policy")],
    "aws_sqs_queue": [("policy", "resource", "queue policy")],
    "aws_sns_topic_policy": [("policy", "resource", "topic policy")],
    "aws_sns_topic": [("policy", "resource", "topic policy")],
    "aws_kms_key": [("policy", "resource", "key policy")],
    "aws_kms_key_policy": [("policy", "resource", "key policy")],
    "aws_ecr_repository_policy": [("policy", "resource", "repository policy")],
    "aws_secretsmanager_secret_policy": [("policy", "resource", "secret policy")],
    "aws_secretsmanager_secret": [("policy", "resource", "secret policy")],
    "aws_efs_file_system_policy": [("policy", "resource", "file system policy")],
    "aws_backup_vault_policy": [("policy", "resource", "vault policy")],
    "aws_glacier_vault": [("access_policy", "resource", "vault policy")],
    "aws_elasticsearch_domain": [("access_policies", "resource", "access policy")],
    "aws_elasticsearch_domain_policy": [("access_policies", "resource", "access policy")],
    "aws_opensearch_domain": [("access_policies", "resource", "access policy")],
    "aws_opensearch_domain_policy": [("access_policies", "resource", "access policy")],
    "aws_cloudwatch_log_resource_policy": [("policy_document", "resource", "log policy")],
    "aws_api_gateway_rest_api": [("policy", "resource", "API policy")],
    "aws_api_gateway_rest_api_policy": [("policy", "resource", "API policy")],
    "aws_vpc_endpoint": [("policy", "endpoint", "endpoint policy")],
    "aws_vpc_endpoint_policy": [("policy", "endpoint", "endpoint policy")],
    "aws_lambda_layer_version_permission": [],
    "aws_ssoadmin_permission_set_inline_policy": [("inline_policy", "identity", "inline policy")],
    "aws_iam_user_policy_attachment": [],
    "aws_eks_access_policy_association": [],
}


def resolve_document(value: Any, locmap: LocMap) -> Any:
    """The policy as a dict (registering line maps where known), or an Unknown."""
    if isinstance(value, (JsonStr, UnknownJson)):
        return value.source_value
    if isinstance(value, PartialText):
        try:
            parsed = parse_json_lines(value.text)
        except JsonSyntaxError:
            return Unknown("policy text with unknown parts")
        return _located(parsed, value.path, value.line - 1, locmap)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = parse_json_lines(str(value))
        except JsonSyntaxError:
            return Unknown("policy is not JSON")
        if isinstance(value, SourcedStr):
            return _located(parsed, value.path, value.line - 1, locmap)
        return _located(parsed, None, 0, locmap)
    return Unknown("policy of unexpected type")


def _located(node: Any, path: str | None, offset: int, locmap: LocMap) -> Any:
    if isinstance(node, JObj):
        out = {k: _located(v, path, offset, locmap) for k, _, v in node.items}
        if path is not None:
            locmap.add(
                out, {k: Location(path, line + offset, line + offset) for k, line, _ in node.items}
            )
        return out
    if isinstance(node, JArr):
        items = [_located(v, path, offset, locmap) for v in node.items]
        if path is not None:
            locmap.add(
                items,
                {
                    i: Location(path, _line(v) + offset, _line(v) + offset)
                    for i, v in enumerate(node.items)
                },
            )
        return items
    if isinstance(node.value, str) and HOLE_START in node.value:
        return Unknown("interpolated value")
    return node.value


def _line(node: Any) -> int:
    return int(getattr(node, "line", 1))


def make_policy(
    value: Any, fallback: Location, locmap: LocMap, *, policy_type: str, name: str
) -> PolicyDocument:
    doc = resolve_document(value, locmap)

    def locate(path: tuple[Any, ...]) -> Location:
        obj = doc
        loc = fallback
        for key in path:
            m = locmap.get(obj)
            if m is not None and key in m:
                loc = m[key]
            try:
                obj = obj[key]
            except (KeyError, IndexError, TypeError):
                break
        return loc

    return parse_policy(doc, locate, policy_type=policy_type, name=name)


# --------------------------------------------------------------------------- policy documents

_STATEMENT_KEYS = (
    ("sid", "Sid"),
    ("effect", "Effect"),
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def policy_document(
    block: Block,
    scope: Scope,
    evaluator: Evaluator,
    expand_blocks: Any,
) -> Any:
    """The JSON a `data "aws_iam_policy_document"` renders (JsonStr or UnknownJson)."""
    locmap = evaluator.locmap
    statements: list[Any] = []
    stmt_locs: list[Location] = []

    def add_docs(attr_name: str, override: bool) -> None:
        attr = block.attributes.get(attr_name)
        if attr is None:
            return
        docs = evaluator.ev(attr.expr, scope)
        if not isinstance(docs, list):
            return
        for d in docs:
            resolved = resolve_document(d, locmap)
            if not isinstance(resolved, dict):
                continue
            raw = resolved.get("Statement")
            items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
            sub_locs = locmap.get(raw) or {}
            for i, st in enumerate(items):
                if not isinstance(st, dict):
                    continue
                loc = sub_locs.get(i, Location(scope.path, attr.line, attr.end_line))
                _merge_statement(statements, stmt_locs, st, loc, override)

    add_docs("source_policy_documents", False)
    add_docs("source_json", False)
    for st_block, st_scope in expand_blocks(block, "statement", scope):
        st, loc = _statement(st_block, st_scope, evaluator, expand_blocks)
        _merge_statement(statements, stmt_locs, st, loc, True)
    add_docs("override_policy_documents", True)
    add_docs("override_json", True)

    version_attr = block.attributes.get("version")
    version = evaluator.ev(version_attr.expr, scope) if version_attr else "2012-10-17"
    doc: dict[str, Any] = {"Version": version, "Statement": statements}
    if "policy_id" in block.attributes:
        doc["Id"] = evaluator.ev(block.attributes["policy_id"].expr, scope)
    locmap.add(statements, dict(enumerate(stmt_locs)))
    if is_fully_known(doc):
        try:
            return JsonStr(json.dumps(doc, separators=(",", ":")), doc)
        except (TypeError, ValueError, FunctionError):
            return UnknownJson(doc)
    return UnknownJson(doc)


def _merge_statement(
    statements: list[Any], locs: list[Location], st: dict[str, Any], loc: Location, replace: bool
) -> None:
    sid = st.get("Sid")
    if isinstance(sid, str) and sid:
        for i, existing in enumerate(statements):
            if isinstance(existing, dict) and existing.get("Sid") == sid:
                if replace:
                    statements[i] = st
                    locs[i] = loc
                return
    statements.append(st)
    locs.append(loc)


def _statement(
    block: Block, scope: Scope, evaluator: Evaluator, expand_blocks: Any
) -> tuple[dict[str, Any], Location]:
    out: dict[str, Any] = {}
    locs: dict[str, Location] = {}
    for attr_name, key in _STATEMENT_KEYS:
        attr = block.attributes.get(attr_name)
        if attr is None:
            continue
        value = evaluator.ev(attr.expr, scope)
        if value is None:
            continue
        if key.startswith("Not") and isinstance(value, Unknown) and not isinstance(value, Ref):
            continue  # often `try(x.not_actions, null)`: may well be absent, so not evidence
        out[key] = value
        locs[key] = Location(scope.path, attr.line, attr.end_line)
    out.setdefault("Effect", "Allow")
    for block_name, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        pairs = expand_blocks(block, block_name, scope)
        if not pairs:
            continue
        blocks = [b for b, _ in pairs]
        principal: dict[str, Any] = {}
        inner: dict[str, Location] = {}
        for b, bs in pairs:
            ptype = evaluator.ev(b.attributes["type"].expr, bs) if "type" in b.attributes else None
            ids_attr = b.attributes.get("identifiers")
            ids = evaluator.ev(ids_attr.expr, bs) if ids_attr else []
            if not isinstance(ptype, str):
                principal = Unknown("principal type")  # type: ignore[assignment]
                break
            current = principal.get(ptype, [])
            principal[ptype] = current + (ids if isinstance(ids, list) else [ids])
            inner[ptype] = Location(scope.path, (ids_attr or b).line, (ids_attr or b).end_line)
        if isinstance(principal, dict) and set(principal) == {"*"} and principal["*"] == ["*"]:
            principal_value: Any = "*"
        else:
            principal_value = principal
        out[key] = principal_value
        locs[key] = Location(scope.path, blocks[0].line, blocks[0].end_line)
        if isinstance(principal_value, dict):
            evaluator.locmap.add(principal_value, inner)
    conditions: dict[str, Any] = {}
    cond_pairs = expand_blocks(block, "condition", scope)
    cond_blocks = [b for b, _ in cond_pairs]
    for b, bs in cond_pairs:
        test = evaluator.ev(b.attributes["test"].expr, bs) if "test" in b.attributes else None
        var = (
            evaluator.ev(b.attributes["variable"].expr, bs) if "variable" in b.attributes else None
        )
        values = evaluator.ev(b.attributes["values"].expr, bs) if "values" in b.attributes else []
        if not isinstance(test, str) or not isinstance(var, str):
            conditions = Unknown("condition")  # type: ignore[assignment]
            break
        conditions.setdefault(test, {})[var] = values
    if cond_blocks:
        out["Condition"] = conditions
        locs["Condition"] = Location(scope.path, cond_blocks[0].line, cond_blocks[0].end_line)
    evaluator.locmap.add(out, locs)
    return out, Location(scope.path, block.line, block.end_line)
