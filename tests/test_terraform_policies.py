"""Every Terraform shape of an IAM policy reaches the node that uses it, with lines."""

from __future__ import annotations

from linter.facts import PolicyDocument
from tests.test_terraform_helpers import adapt_paths, fixture


def _doc(node: object) -> PolicyDocument:
    (doc,) = node.facts["policies"]  # type: ignore[attr-defined]
    return doc  # type: ignore[no-any-return]


def test_source_override_dynamic_and_conditions() -> None:
    nodes, _ = adapt_paths(fixture("policy_shapes"))
    doc = _doc(nodes["aws_iam_policy.combined"])
    by_sid = {s.sid: s for s in doc.statements}
    assert [s.sid for s in doc.statements] == ["Keep", "Replace", "Own", "Dyn0", "Dyn1"]
    assert by_sid["Keep"].actions == ("s3:GetObject",)
    replaced = by_sid["Replace"]
    assert replaced.not_actions == ("iam:*",) and replaced.actions is None
    assert replaced.loc("NotAction").start_line == 18  # written in the override document
    own = by_sid["Own"]
    assert own.effect == "Deny"
    assert own.conditions == {"StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}
    assert by_sid["Dyn1"].actions == ("sns:*",)
    assert by_sid["Dyn1"].loc("Action").start_line == 43


def test_policy_document_in_a_module_reaches_both_users() -> None:
    nodes, _ = adapt_paths(fixture("policy_shapes"))
    inside = _doc(nodes["module.perm.aws_iam_role_policy.this"])
    (st,) = inside.statements
    assert st.actions == ("*",)
    assert st.loc("Action").path.endswith("perm/main.tf") and st.loc("Action").start_line == 7
    outside = _doc(nodes["aws_iam_policy.from_module"])
    assert outside.statements[0].actions == ("*",)
    assert "module.perm.data.aws_iam_policy_document.this" in nodes
    assert "policies" not in nodes["module.perm.data.aws_iam_policy_document.this"].facts


def test_resource_policy_with_principal() -> None:
    nodes, _ = adapt_paths(fixture("policy_shapes"))
    key = nodes["aws_kms_key.k"]
    assert key.kind == "kms.key"
    doc = _doc(key)
    assert doc.policy_type == "resource"
    (st,) = doc.statements
    assert st.principals == {"AWS": ("*",)}
    assert st.loc("Principal").start_line == 67


def test_heredoc_policy_with_unknown_interpolations_keeps_its_statements(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'
        'resource "aws_iam_policy" "p" {\n'
        "  policy = <<EOF\n"
        "{\n"
        '  "Statement": [{\n'
        '    "Effect": "Allow",\n'
        '    "Action": "*",\n'
        '    "Resource": "${aws_s3_bucket.b.arn}/*"\n'
        "  }]\n"
        "}\n"
        "EOF\n"
        "}\n"
    )
    nodes, _ = adapt_paths(tmp_path)
    doc = _doc(nodes["aws_iam_policy.p"])
    (st,) = doc.statements
    assert st.actions == ("*",)
    assert st.loc("Action").start_line == 9
    (resource,) = st.resources or ()
    assert not isinstance(resource, str)  # the interpolated ARN stays unknown


def test_managed_policy_arn_with_an_unknown_partition(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text(
        'data "aws_partition" "current" {}\n'
        "locals {\n"
        "  partition = data.aws_partition.current.partition\n"
        '  policies  = { admin = "arn:${local.partition}:iam::aws:policy/AdministratorAccess" }\n'
        "}\n"
        'resource "aws_iam_role_policy_attachment" "a" {\n'
        "  for_each   = local.policies\n"
        '  role       = "r"\n'
        "  policy_arn = each.value\n"
        "}\n"
        'resource "aws_iam_role_policy_attachment" "b" {\n'
        '  role       = "r"\n'
        '  policy_arn = "arn:${local.partition}:iam::${local.partition}:policy/Mine"\n'
        "}\n"
    )
    nodes, _ = adapt_paths(tmp_path)
    ((arn, loc),) = nodes['aws_iam_role_policy_attachment.a["admin"]'].facts["managed_policy_arns"]
    assert arn == "arn:aws:iam::aws:policy/AdministratorAccess"
    assert loc.start_line == 9
    ((other, _),) = nodes["aws_iam_role_policy_attachment.b"].facts["managed_policy_arns"]
    assert not isinstance(other, str)  # not an AWS managed policy: stays unknown
