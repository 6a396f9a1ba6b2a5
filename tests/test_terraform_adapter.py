"""Terraform adapter facts for each resource family, on small fixtures."""

from __future__ import annotations

from linter.facts import BlockDevice, IngressRule, PolicyDocument
from linter.model import Ref, Unknown, is_known
from tests.test_terraform_helpers import adapt_paths, fixture


def rules_of(node: object) -> list[IngressRule]:
    return node.facts["ingress"]  # type: ignore[attr-defined, no-any-return]


def test_node_identity_and_location() -> None:
    nodes, stats = adapt_paths(fixture("network"))
    sg = nodes["aws_security_group.web"]
    root = str(fixture("network"))
    assert sg.id == f"{root}::aws_security_group.web"
    assert sg.native_type == "aws_security_group"
    assert sg.kind == "ec2.security_group"
    assert sg.location.path.endswith("security.tf")
    assert (sg.location.start_line, sg.location.end_line) == (1, 19)
    assert stats["tf_resources"] == len(nodes)


def test_security_group_inline_ingress() -> None:
    nodes, _ = adapt_paths(fixture("network"))
    sg = nodes["aws_security_group.web"]
    ssh, sg_only = rules_of(sg)
    assert (ssh.protocol, ssh.from_port, ssh.to_port) == ("tcp", 22, 22)
    assert ssh.sources == ("0.0.0.0/0", "::/0")
    assert ssh.location.start_line == 9  # the cidr_blocks line
    assert sg_only.protocol == "-1" and sg_only.sources == ()
    assert sg.facts["vpc"] == Ref(f"{fixture('network')}::aws_vpc.main", "id")


def test_separate_ingress_rules() -> None:
    nodes, _ = adapt_paths(fixture("network"))
    (rdp,) = rules_of(nodes["aws_security_group_rule.rdp"])
    assert (rdp.protocol, rdp.from_port, rdp.sources) == ("tcp", 3389, ("0.0.0.0/0",))
    assert rdp.location.start_line == 26
    assert (
        nodes["aws_security_group_rule.rdp"]
        .facts["security_group"]
        .target.endswith("::aws_security_group.web")
    )
    assert rules_of(nodes["aws_security_group_rule.out"]) == []
    (pg,) = rules_of(nodes["aws_vpc_security_group_ingress_rule.pg"])
    assert (pg.protocol, pg.from_port, pg.to_port, pg.sources) == ("tcp", 5432, 5432, ("::/0",))
    (everything,) = rules_of(nodes["aws_vpc_security_group_ingress_rule.everything"])
    assert (everything.protocol, everything.from_port, everything.to_port) == ("-1", -1, -1)
    assert everything.location.start_line == 50


def test_subnets_routes_and_gateways() -> None:
    nodes, _ = adapt_paths(fixture("network"))
    root = str(fixture("network"))
    public = nodes["aws_subnet.public"]
    assert public.facts["availability_zone"] == "eu-west-1a"
    assert public.facts["map_public_ip"] is True
    assert public.fact_locs["map_public_ip"].start_line == 9
    assert not is_known(nodes["aws_subnet.private"].facts["availability_zone"])
    assert nodes["aws_internet_gateway.gw"].facts["vpc"].target == f"{root}::aws_vpc.main"
    assert nodes["aws_nat_gateway.nat"].facts["subnet"].target == f"{root}::aws_subnet.public"
    (route,) = nodes["aws_route_table.public"].facts["routes"]
    assert route.destination == "0.0.0.0/0" and route.target_type == "gateway"
    assert route.target == Ref(f"{root}::aws_internet_gateway.gw", "id")
    assert route.location.start_line == 29
    (nat_route,) = nodes["aws_route.private_nat"].facts["routes"]
    assert nat_route.target_type == "nat"
    assert (
        nodes["aws_route.private_nat"].facts["route_table"].target
        == f"{root}::aws_route_table.private"
    )
    assoc = nodes["aws_route_table_association.public"]
    assert assoc.facts["subnet"].target == f"{root}::aws_subnet.public"
    assert assoc.facts["route_table"].target == f"{root}::aws_route_table.public"
    main = nodes["aws_main_route_table_association.main"]
    assert main.kind == "ec2.main_route_table_association"
    assert main.facts["vpc"].target == f"{root}::aws_vpc.main"
    default = nodes["aws_default_route_table.default"]
    assert default.kind == "ec2.route_table"
    assert default.facts["main_for_vpc"].target == f"{root}::aws_vpc.main"


def test_instances_volumes_and_databases() -> None:
    nodes, _ = adapt_paths(fixture("compute"))
    root = str(fixture("compute"))
    app = nodes["aws_instance.app"]
    assert app.facts["subnets"] == [Ref(f"{root}::aws_subnet.private", "id")]
    assert app.facts["source_dest_check"] is False
    root_dev, sdb, sdc = app.facts["block_devices"]
    assert root_dev == BlockDevice("root", False, root_dev.location)
    assert root_dev.location.start_line == 7
    assert (sdb.name, sdb.encrypted) == ("/dev/sdb", True)
    assert (sdc.name, sdc.encrypted, sdc.location.start_line) == ("/dev/sdc", None, 15)
    # no root_block_device: the root volume follows the AMI (an undeclared device)
    (bare_root,) = nodes["aws_instance.bare"].facts["block_devices"]
    assert (bare_root.name, bare_root.encrypted, bare_root.declared) == ("root", None, False)
    assert nodes["aws_ebs_volume.data"].facts["encrypted"] is False
    assert nodes["aws_ebs_volume.data"].fact_locs["encrypted"].start_line == 32
    assert nodes["aws_ebs_volume.unset"].fact("encrypted") is None  # not written
    assert nodes["aws_ebs_encryption_by_default.on"].facts["enabled"] is True
    db = nodes["aws_db_instance.db"]
    assert db.kind == "rds.instance"
    assert (db.facts["engine"], db.facts["multi_az"]) == ("postgres", False)
    assert db.facts["publicly_accessible"] is True and db.facts["storage_encrypted"] is True
    assert db.facts["subnet_group"].target == f"{root}::aws_db_subnet_group.db"
    assert db.fact_locs["multi_az"].start_line == 48
    group = nodes["aws_db_subnet_group.db"]
    assert group.facts["subnets"] == [Ref(f"{root}::aws_subnet.private", "id"), "subnet-2"]
    assert nodes["aws_rds_cluster.aurora"].facts["storage_encrypted"] is False
    member = nodes["aws_rds_cluster_instance.member"]
    assert member.kind == "rds.instance"
    assert member.facts["cluster"].target == f"{root}::aws_rds_cluster.aurora"


def test_s3_encryption_inline_and_separate() -> None:
    nodes, _ = adapt_paths(fixture("storage"))
    root = str(fixture("storage"))
    inline = nodes["aws_s3_bucket.inline"].facts["encryption"]
    assert inline.algorithm == "aws:kms" and inline.location.start_line == 7
    assert nodes["aws_s3_bucket.plain"].facts["encryption"] is None
    cfg = nodes["aws_s3_bucket_server_side_encryption_configuration.separate"]
    assert cfg.kind == "s3.bucket_encryption"
    # `.bucket` is a configured literal, yet the fact still names the bucket node
    assert cfg.facts["bucket"] == Ref(f"{root}::aws_s3_bucket.separate", "bucket")
    assert cfg.facts["encryption"].algorithm == "AES256"


def test_tags_and_taggability() -> None:
    nodes, _ = adapt_paths(fixture("storage"))
    separate = nodes["aws_s3_bucket.separate"]
    assert separate.tags == {"Team": "data"}
    assert separate.fact_locs["tags"].start_line == 15
    assert separate.taggable is True
    assert nodes["aws_s3_bucket.plain"].tags is None
    assert nodes["aws_s3_bucket_server_side_encryption_configuration.separate"].taggable is False


def _policy(node: object, index: int = 0) -> PolicyDocument:
    return node.facts["policies"][index]  # type: ignore[attr-defined, no-any-return]


def test_policy_document_data_source_and_trust() -> None:
    nodes, _ = adapt_paths(fixture("iam"))
    role = nodes["aws_iam_role.app"]
    trust, inline = role.facts["policies"]
    assert trust.policy_type == "trust"
    (st,) = trust.statements
    assert st.actions == ("sts:AssumeRole",) and st.principals == {
        "Service": ("ec2.amazonaws.com",)
    }
    assert inline.policy_type == "identity" and inline.name == "inline policy 'inline'"
    (admin,) = inline.statements
    assert admin.sid == "Admin" and admin.actions == ("*",)
    assert admin.loc("Action").start_line == 15  # the actions line in the data source
    (arn, loc) = role.facts["managed_policy_arns"][0]
    assert arn.endswith("AdministratorAccess") and loc.start_line == 29


def test_policy_jsonencode_heredoc_file_template() -> None:
    nodes, _ = adapt_paths(fixture("iam"))
    (st,) = _policy(nodes["aws_iam_policy.json"]).statements
    assert st.sid == "S3All" and st.actions == ("s3:*",)
    assert st.loc("Action").start_line == 39
    (st,) = _policy(nodes["aws_iam_user_policy.heredoc"]).statements
    assert st.not_actions == ("iam:*",) and st.actions is None
    assert st.loc("NotAction").start_line == 53
    group = _policy(nodes["aws_iam_group_policy.file"])
    (st,) = group.statements
    assert st.actions == ("*",)
    assert st.loc("Action").path.endswith("policy.txt") and st.loc("Action").start_line == 6
    (st,) = _policy(nodes["aws_iam_role_policy.template"]).statements
    assert st.sid == "FromTemplate" and st.actions == ("ec2:*",)
    bucket = _policy(nodes["aws_s3_bucket_policy.b"])
    assert bucket.policy_type == "resource" and bucket.statements[0].actions == ("*",)
    attach = nodes["aws_iam_role_policy_attachment.admin"]
    assert attach.facts["managed_policy_arns"][0][0].endswith("AdministratorAccess")


def test_unknown_policy_is_marked_unknown(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "main.tf").write_text(
        'variable "p" {}\nresource "aws_iam_policy" "p" {\n  policy = var.p\n}\n'
    )
    nodes, stats = adapt_paths(tmp_path)
    doc = _policy(nodes["aws_iam_policy.p"])
    assert doc.unknown and doc.statements == ()
    assert isinstance(nodes["aws_iam_policy.p"].attrs["policy"], Unknown)
    assert stats["tf_unknown_values"] == 1


def test_capitalised_literals_are_located_errors_and_stay_unknown() -> None:
    """`True`/`FALSE` are references Terraform rejects: an IAC000 where they are
    written, and the value stays unknown (so no finding claims it)."""
    from linter.runner import ScanOptions, scan
    from rules import RULES

    result = scan(ScanOptions(paths=[str(fixture("capital_literals"))],
                              rules=[r() for r in RULES]))
    located = sorted((e.line, e.message) for e in result.errors)
    assert located == [
        (9, "`True` is not an HCL boolean; write `true`"),
        (15, "`FALSE` is not an HCL boolean; write `false`"),
    ]  # an object key and a for-expression variable named `True` are not values
    iac000 = [f for f in result.findings if f.rule_id == "IAC000"]
    assert {f.location.start_line for f in iac000} == {9, 15}
    on_volume = {f.rule_id for f in result.findings if f.address == "aws_ebs_volume.data"}
    # Its encryption is unknown, so not reported (nor is it a forgotten tag: no other
    # volume in the module is tagged, see IAC051).
    assert not on_volume & {"IAC030", "IAC031"}, on_volume
    assert not result.internal_errors


def test_capitalised_literal_value_is_unknown() -> None:
    from linter.adapters import AdaptContext
    from linter.adapters.terraform import adapt
    from linter.config import Config
    from linter.discovery import discover
    from linter.loaders import load

    files, _, _ = discover([str(fixture("capital_literals"))])
    result = adapt([load(f) for f in files],
                   AdaptContext(config=Config(), root=".", tf_vars={}, tf_var_files=[], env={}))
    assert len(result.errors) == 2
    volume = {n.address: n for n in result.nodes}["aws_ebs_volume.data"]
    assert not is_known(volume.fact("encrypted"))
