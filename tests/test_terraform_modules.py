"""Modules, count/for_each, variables and default_tags as Terraform evaluates them."""

from __future__ import annotations

import json
from pathlib import Path

from linter.config import Config
from linter.model import ParseError, Ref, Unknown, is_known
from linter.registry import load_rules
from linter.runner import ScanOptions, scan
from tests.test_terraform_helpers import adapt_paths, fixture


def test_called_directories_are_not_roots_and_addresses_follow_modules() -> None:
    nodes, stats = adapt_paths(fixture("modules"))
    assert "aws_s3_bucket.this" not in nodes  # modules/store is only a called module
    assert "aws_security_group.this" not in nodes
    assert {
        'module.store["data"].aws_s3_bucket.this',
        'module.store["logs"].aws_s3_bucket.this',
        'module.store["logs"].aws_s3_bucket_server_side_encryption_configuration.this[0]',
        "module.net.aws_security_group.this",
        "module.net.module.inner.aws_ebs_volume.this",
        "aws_security_group_rule.extra",
        "aws_s3_bucket.west",
    } == set(nodes)
    assert stats["tf_modules"] == 4  # store x2, net, net.inner; count = 0 makes none
    bucket = nodes['module.store["logs"].aws_s3_bucket.this']
    assert bucket.module == 'module.store["logs"]'
    assert bucket.id == f"{fixture('modules') / 'root'}::{bucket.address}"


def test_module_inputs_outputs_and_locations() -> None:
    nodes, _ = adapt_paths(fixture("modules"))
    logs = nodes['module.store["logs"].aws_s3_bucket.this']
    assert logs.attrs["bucket"] == "logs-bucket"
    assert logs.location.path.endswith("store/main.tf")
    assert logs.fact_locs["tags"].start_line == 12
    enc = nodes['module.store["logs"].aws_s3_bucket_server_side_encryption_configuration.this[0]']
    assert enc.facts["encryption"].algorithm == "AES256"
    assert enc.facts["bucket"] == Ref(logs.id, "id")
    sg = nodes["module.net.aws_security_group.this"]
    (rule,) = sg.facts["ingress"]
    assert rule.sources == ("0.0.0.0/0",)
    assert rule.location.path.endswith("net/main.tf") and rule.location.start_line == 12
    assert nodes["module.net.module.inner.aws_ebs_volume.this"].attrs["size"] == 20
    extra = nodes["aws_security_group_rule.extra"]
    assert extra.facts["security_group"] == Ref(sg.id, "id")  # an output flowing back
    assert extra.facts["ingress"][0].sources == ("0.0.0.0/0",)


def test_default_tags_merge_and_aliases() -> None:
    nodes, _ = adapt_paths(fixture("modules"))
    logs = nodes['module.store["logs"].aws_s3_bucket.this']
    assert logs.tags == {"Owner": "platform", "Team": "default", "Name": "logs-bucket"}
    # module.net gets aws = aws.west through `providers`
    assert nodes["module.net.aws_security_group.this"].tags == {"Owner": "west"}
    assert nodes["module.net.module.inner.aws_ebs_volume.this"].tags == {"Owner": "west"}
    assert nodes["aws_s3_bucket.west"].tags == {"Owner": "west", "Team": "storage"}
    assert nodes["aws_security_group_rule.extra"].tags == {"Owner": "platform", "Team": "default"}


def test_registry_module_from_modules_json(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  name = "x"\n}\n'
        'module "gone" {\n  source = "git::https://example.com/x.git"\n}\n'
    )
    downloaded = tmp_path / ".terraform" / "modules" / "vpc"
    downloaded.mkdir(parents=True)
    (downloaded / "main.tf").write_text(
        'variable "name" {}\nresource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n'
        "  tags = { Name = var.name }\n}\n"
    )
    (tmp_path / ".terraform" / "modules" / "modules.json").write_text(
        json.dumps(
            {
                "Modules": [
                    {"Key": "", "Source": "", "Dir": "."},
                    {
                        "Key": "vpc",
                        "Source": "registry.terraform.io/terraform-aws-modules/vpc/aws",
                        "Dir": ".terraform/modules/vpc",
                    },
                ]
            }
        )
    )
    nodes, _ = adapt_paths(tmp_path)
    assert set(nodes) == {"module.vpc.aws_vpc.this"}
    assert nodes["module.vpc.aws_vpc.this"].tags == {"Name": "x"}


def test_module_cycle_terminates() -> None:
    errors: list[ParseError] = []
    nodes, _ = adapt_paths(fixture("cycle"), errors=errors)
    assert set(nodes) == {"aws_ebs_volume.a", "module.b.aws_ebs_volume.b"}
    # the call that closes the cycle is a located problem of the input (IAC000)
    (error,) = errors
    assert (Path(error.path).parent.name, error.line) == ("b", 1)
    assert "cycle (a → b → a)" in error.message


def test_variable_precedence() -> None:
    var_file = str(fixture("variables") / "extra.tfvars.txt")
    nodes, _ = adapt_paths(
        fixture("variables"),
        env={
            "TF_VAR_env_only": "env",
            "TF_VAR_env_and_tfvars": "env",
            "TF_VAR_count_n": "41",
            "TF_VAR_names": '["a", "b"]',
        },
        tf_var_files=[var_file],
        tf_vars={"file_and_cli": "cli"},
    )
    tags = nodes["aws_s3_bucket.v"].tags
    assert tags == {
        "only_default": "default",
        "env_only": "env",
        "env_and_tfvars": "tfvars",
        "tfvars_and_json": "tfvars.json",
        "auto_order": "b.auto.json",
        "auto_and_file": "var-file",
        "file_and_cli": "cli",
        "count_plus_one": 42,
        "names": "a,b",
    }
    assert isinstance(nodes["aws_s3_bucket.unknown"].attrs["bucket"], Unknown)


def test_count_and_for_each_expansion() -> None:
    nodes, _ = adapt_paths(fixture("expansion"))
    root = fixture("expansion")
    assert not any(a.startswith("aws_ebs_volume.never") for a in nodes)
    assert nodes["aws_subnet.az[1]"].facts["availability_zone"] == "eu-west-1b"
    assert nodes["aws_subnet.az[1]"].attrs["cidr_block"] == "10.0.1.0/24"
    inst = nodes['aws_instance.per_subnet["eu-west-1b"]']
    assert inst.facts["subnets"] == [Ref(f"{root}::aws_subnet.az[1]", "id")]
    assert inst.tags == {"Name": "app-eu-west-1b"}
    assert nodes['aws_ebs_volume.set["a"]'].tags == {"Name": "a"}
    assert 'aws_ebs_volume.set["b"]' in nodes
    maybe = nodes["aws_ebs_volume.maybe"]  # unknown count: one instance, no index
    assert maybe.facts["count_unknown"] is True
    group = nodes["aws_db_subnet_group.g"]
    assert group.facts["subnets"] == [
        Ref(f"{root}::aws_subnet.az[0]", "id"),
        Ref(f"{root}::aws_subnet.az[1]", "id"),
    ]
    assert not is_known(group.attrs["name"])  # a local cycle is unknown, not a crash


def test_count_zero_through_a_variable_via_cli() -> None:
    nodes, _ = adapt_paths(fixture("expansion"), tf_vars={"create": "true", "unknown_count": "2"})
    assert "aws_ebs_volume.never[0]" in nodes
    assert {"aws_ebs_volume.maybe[0]", "aws_ebs_volume.maybe[1]"} <= set(nodes)


def test_tf_json_module() -> None:
    nodes, _ = adapt_paths(fixture("json_syntax"))
    (rule,) = nodes["aws_security_group.web"].facts["ingress"]
    assert (rule.from_port, rule.sources) == (22, ("0.0.0.0/0",))
    assert rule.location.start_line == 15
    vol = nodes["aws_ebs_volume.v[1]"]
    assert vol.facts["encrypted"] is False and vol.fact_locs["encrypted"].start_line == 25
    assert vol.tags == {"Name": "vol-1"}


def test_a_named_file_is_evaluated_with_its_whole_directory() -> None:
    named = fixture("network") / "security.tf"
    result = scan(ScanOptions(paths=[str(named)], config=Config(), rules=load_rules()))
    nodes = {n.address: n for n in result.graph}
    sg = nodes["aws_security_group.web"]
    # main.tf is read to resolve aws_vpc.main (a node, so graph queries can follow it),
    # but only the named file's findings are reported
    assert result.graph.resolve(sg.facts["vpc"]) is nodes["aws_vpc.main"]
    assert result.findings
    assert {f.location.path for f in result.findings} == {str(named.resolve())}


def test_unknown_for_each_on_a_module_keeps_one_instance(tmp_path: Path) -> None:
    (tmp_path / "mod").mkdir()
    (tmp_path / "mod" / "main.tf").write_text(
        'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n  size = 1\n}\n'
    )
    (tmp_path / "main.tf").write_text(
        'variable "names" {}\nmodule "m" {\n  source = "./mod"\n  for_each = var.names\n}\n'
    )
    nodes, _ = adapt_paths(tmp_path)
    assert set(nodes) == {"module.m.aws_ebs_volume.v"}


def test_runaway_count_is_one_unknown_instance(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  default = 100000000\n}\n'
        'resource "aws_ebs_volume" "v" {\n  count = var.n\n  availability_zone = "a"\n}\n'
    )
    nodes, _ = adapt_paths(tmp_path)
    assert set(nodes) == {"aws_ebs_volume.v"}
    assert nodes["aws_ebs_volume.v"].facts["count_unknown"] is True


def test_override_files_merge_into_their_blocks(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_ebs_volume" "v" {\n  availability_zone = "a"\n  encrypted = true\n}\n'
    )
    (tmp_path / "main_override.tf").write_text(
        'resource "aws_ebs_volume" "v" {\n  encrypted = false\n}\n'
    )
    nodes, _ = adapt_paths(tmp_path)
    vol = nodes["aws_ebs_volume.v"]
    assert vol.facts["encrypted"] is False
    assert vol.fact_locs["encrypted"].path.endswith("main_override.tf")
    assert vol.fact_locs["encrypted"].start_line == 2
    assert vol.location.path.endswith("main.tf")


def test_auto_scaling_group_tags_come_from_tag_blocks_not_default_tags(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'provider "aws" {\n  default_tags {\n    tags = { Owner = "p" }\n  }\n}\n'
        'resource "aws_autoscaling_group" "g" {\n  max_size = 1\n  min_size = 1\n'
        '  tag {\n    key = "Team"\n    value = "x"\n    propagate_at_launch = true\n  }\n}\n'
        'resource "aws_autoscaling_group" "bare" {\n  max_size = 1\n  min_size = 1\n}\n'
    )
    nodes, _ = adapt_paths(tmp_path)
    assert nodes["aws_autoscaling_group.g"].taggable is True
    assert nodes["aws_autoscaling_group.g"].tags == {"Team": "x"}
    assert nodes["aws_autoscaling_group.bare"].tags is None
