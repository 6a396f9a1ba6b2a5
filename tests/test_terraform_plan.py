"""Terraform plan JSON (`terraform show -json`): detection, values, references, lines.

The plans here and in fixtures/rules/*/terraform-plan are written by hand after
HashiCorp's "JSON Output Format" (no terraform binary is available to the tests).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linter.discovery import Format, classify, discover
from linter.loaders.terraform_plan import PlanFile, load_terraform_plan
from linter.model import Ref, Unknown
from linter.runner import ScanOptions, ScanResult, scan
from rules import RULES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"

SG_VALUES = {
    "name": "web",
    "ingress": [{
        "cidr_blocks": ["0.0.0.0/0"], "description": "SSH", "from_port": 22,
        "ipv6_cidr_blocks": [], "prefix_list_ids": [], "protocol": "tcp",
        "security_groups": [], "self": False, "to_port": 22,
    }],
    "tags": None,
}


def plan(resources: list[dict[str, Any]], changes: list[dict[str, Any]] | None = None,
         config: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "format_version": "1.2",
        "terraform_version": "1.6.6",
        "planned_values": {"root_module": {"resources": resources}},
        "resource_changes": changes or [],
        "configuration": {"root_module": {"resources": config or []}},
    }


def sg(address: str = "aws_security_group.web", values: dict[str, Any] | None = None
       ) -> dict[str, Any]:
    type_, name = address.split(".")[-2:]
    return {"address": address, "mode": "managed", "type": type_, "name": name,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": values or SG_VALUES, "sensitive_values": {}}


def run(*paths: Path, root: Path) -> ScanResult:
    return scan(ScanOptions(paths=[str(p) for p in paths], root=str(root),
                            rules=[rule() for rule in RULES]))


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


# -- detection -------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    (json.dumps(plan([sg()]), indent=2), Format.TERRAFORM_PLAN),
    ('{"format_version": "1.0", "resource_changes": []}', Format.TERRAFORM_PLAN),
    ('{"format_version": "1.0", "configuration": {}}', Format.TERRAFORM_PLAN),
    ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}',
     Format.IAM_POLICY),
    ('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}', Format.CLOUDFORMATION),
    ('{"name": "x", "version": "1.0.0"}', None),
    ('{"format_version": "1.0", "values": {}}', None),  # a state, not a plan
    # a template or a policy that mentions the names is not a plan
    ('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"C": {"Type": '
     '"AWS::Config::ConfigRule", "Properties": {"format_version": 1, "configuration": 2}}}}',
     Format.CLOUDFORMATION),
    ('{"Statement": [{"Effect": "Allow", "Action": "*"}], "format_version": 1, '
     '"configuration": 2}', Format.IAM_POLICY),
])
def test_a_plan_is_recognised_by_its_content(text: str, expected: Format | None) -> None:
    verdict = classify(Path("x.json"), text.encode())
    assert (verdict if isinstance(verdict, Format) else None) == expected


def test_a_plan_holding_a_template_or_a_policy_is_still_a_plan(tmp_path: Path) -> None:
    stack = {"address": "aws_cloudformation_stack.s", "mode": "managed",
             "type": "aws_cloudformation_stack", "name": "s",
             "values": {"template_body": '{"AWSTemplateFormatVersion": "2010-09-09", '
                                         '"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}',
                        "policy_body": '{"Statement": [{"Effect": "Allow"}]}'}}
    write(tmp_path / "plan.json", plan([stack]))
    files, _skipped, _missing = discover([tmp_path])
    assert [f.format for f in files] == [Format.TERRAFORM_PLAN]


def test_a_state_file_or_other_json_is_not_loaded_as_a_plan() -> None:
    assert load_terraform_plan("s.json", b'{"format_version": "1.0", "values": {}}') is None
    assert load_terraform_plan("l.json", b'[1, 2]') is None
    loaded = load_terraform_plan("p.json", json.dumps(plan([sg()])).encode())
    assert isinstance(loaded, PlanFile)


# -- values ----------------------------------------------------------------------------


def test_fixture_plan_gives_the_same_kinds_and_facts_as_terraform() -> None:
    case = FIXTURES / "IAC001" / "terraform-plan" / "bad-module"
    result = run(case, root=case)
    nodes = {n.address: n for n in result.graph}
    assert set(nodes) == {
        "aws_vpc.main", "aws_security_group.web", 'module.admin.aws_security_group.rdp["ops"]',
        'module.admin.aws_security_group.rdp["office"]', "module.admin.aws_security_group.ssh[0]",
        "module.admin.aws_security_group.ssh[1]",
    }
    web = nodes["aws_security_group.web"]
    assert web.kind == "ec2.security_group" and web.module == ""
    assert "0.0.0.0/0" in list(web.facts["ingress"][0].sources)
    # vpc_id is known only after apply: a Ref to the VPC, through the configuration
    assert web.attrs["vpc_id"] == Ref(nodes["aws_vpc.main"].id, "id")
    # inside the module, `var.vpc_id` leads to the caller's argument
    ops = nodes['module.admin.aws_security_group.rdp["ops"]']
    assert ops.module == "module.admin"
    assert ops.attrs["vpc_id"] == Ref(nodes["aws_vpc.main"].id, "id")
    # computed by the provider and not written: unwritten, as in .tf (AWS defaults apply)
    assert nodes["aws_vpc.main"].attrs["arn"] is None


def test_references_follow_module_outputs_and_count_keys() -> None:
    case = FIXTURES / "IAC011" / "terraform-plan" / "bad-module-count"
    result = run(case, root=case)
    nodes = {n.address: n for n in result.graph}
    subnets = [nodes[f"module.net.aws_subnet.this[{i}]"].id for i in (0, 1)]
    group = nodes["aws_db_subnet_group.db"]
    assert group.attrs["subnet_ids"] == [Ref(subnets[0], None), Ref(subnets[1], None)]
    # `subnet_id = aws_subnet.this[count.index].id`: the association of the same index
    for i in (0, 1):
        assoc = nodes[f"module.net.aws_route_table_association.this[{i}]"]
        assert assoc.attrs["subnet_id"] == Ref(subnets[i], None)
    # a known value still names what its expression references
    db = nodes["aws_db_instance.db"]
    assert db.attrs["db_subnet_group_name"] == "db"
    assert db.fact("subnet_group") == Ref(group.id, "name")


def test_an_unknown_value_is_never_evidence() -> None:
    case = FIXTURES / "IAC001" / "terraform-plan" / "good-unknown"
    result = run(case, root=case)
    web = next(n for n in result.graph if n.address == "aws_security_group.web")
    cidrs = web.attrs["ingress"][0]["cidr_blocks"]
    assert len(cidrs) == 1 and isinstance(cidrs[0], Unknown)
    assert not [f for f in result.findings if f.rule_id == "IAC001"]


def test_deleted_resources_and_data_sources_are_not_reported() -> None:
    case = FIXTURES / "IAC030" / "terraform-plan" / "bad-count"
    text = (case / "plan.json").read_text(encoding="utf-8")
    assert '"aws_ebs_volume.old"' in text and '"delete"' in text
    result = run(case, root=case)
    addresses = {n.address for n in result.graph}
    assert addresses == {"aws_ebs_volume.data[0]", "aws_ebs_volume.data[1]"}


def test_a_deleted_resource_listed_in_planned_values_is_still_skipped(tmp_path: Path) -> None:
    data = plan([sg(), {**sg("data.aws_security_group.x"), "mode": "data"}],
                changes=[{"address": "aws_security_group.web", "mode": "managed",
                          "change": {"actions": ["delete"], "before": SG_VALUES,
                                     "after": None, "after_unknown": {}}}])
    path = write(tmp_path / "plan.json", data)
    result = run(path, root=tmp_path)
    assert len(result.graph) == 0 and not result.findings


# -- lines -----------------------------------------------------------------------------

MAIN_TF = """\
resource "aws_security_group" "web" {
  name = "web"

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.ssh_cidr]
  }
}

variable "ssh_cidr" {
  type = string
}
"""


def test_findings_point_at_the_tf_declaration_when_it_is_scanned(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    config = [{"address": "aws_security_group.web", "mode": "managed",
               "type": "aws_security_group", "name": "web",
               "expressions": {"name": {"constant_value": "web"},
                               "ingress": {"references": ["var.ssh_cidr"]}}}]
    write(tmp_path / "plan.json", plan([sg()], config=config))
    # The .tf alone: var.ssh_cidr has no value, nothing is known to be open.
    alone = run(tmp_path / "main.tf", root=tmp_path)
    assert not [f for f in alone.findings if f.rule_id == "IAC001"]
    # Plan and configuration together: one finding, with the plan's value, at the .tf line.
    both = run(tmp_path, root=tmp_path)
    found = [f for f in both.findings if f.rule_id == "IAC001"]
    assert [(Path(f.location.path).name, f.location.start_line, f.address) for f in found] == [
        ("main.tf", 9, "aws_security_group.web")]
    assert len({f.fingerprint for f in both.findings}) == len(both.findings)
    web = [n for n in both.graph if n.address == "aws_security_group.web"]
    assert len(web) == 1 and web[0].origin.endswith("plan.json")
    # The plan named alone: its .tf files are not scanned, the finding is in the plan.
    named = run(tmp_path / "plan.json", root=tmp_path)
    found = [f for f in named.findings if f.rule_id == "IAC001"]
    assert [(Path(f.location.path).name, f.address) for f in found] == [
        ("plan.json", "aws_security_group.web")]
    line = (tmp_path / "plan.json").read_text().splitlines()[found[0].location.start_line - 1]
    assert '"cidr_blocks"' in line


def test_a_child_module_declaration_is_found_through_its_local_source(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'module "fw" {\n  source = "./modules/fw"\n}\n', encoding="utf-8")
    (tmp_path / "modules" / "fw").mkdir(parents=True)
    (tmp_path / "modules" / "fw" / "sg.tf").write_text(MAIN_TF, encoding="utf-8")
    data = plan([])
    data["planned_values"]["root_module"] = {"child_modules": [{
        "address": "module.fw", "resources": [sg("module.fw.aws_security_group.web")]}]}
    data["configuration"]["root_module"] = {"module_calls": {"fw": {
        "source": "./modules/fw", "module": {"resources": [{
            "address": "aws_security_group.web", "mode": "managed",
            "type": "aws_security_group", "name": "web", "expressions": {}}]}}}}
    write(tmp_path / "plan.json", data)
    result = run(tmp_path, root=tmp_path)
    found = [f for f in result.findings if f.rule_id == "IAC001"]
    assert [(Path(f.location.path).relative_to(tmp_path).as_posix(), f.location.start_line,
             f.address) for f in found] == [
        ("modules/fw/sg.tf", 9, "module.fw.aws_security_group.web")]


# -- malformed plans -------------------------------------------------------------------


@pytest.mark.parametrize(("mutate", "line_of"), [
    (lambda d: d["planned_values"]["root_module"].__setitem__("resources", "oops"),
     '"resources": "oops"'),
    (lambda d: d["planned_values"]["root_module"]["resources"][0].pop("address"), None),
    (lambda d: d["planned_values"]["root_module"]["resources"][0].__setitem__("values", [1]),
     '"values": ['),
    (lambda d: d["planned_values"]["root_module"]["resources"][0].__setitem__("index", [1]),
     '"index": ['),
    (lambda d: d.__setitem__("configuration", {"root_module": {"module_calls": {"m": 3}}}),
     '"m": 3'),
    (lambda d: d["planned_values"]["root_module"].__setitem__("child_modules", [7]), None),
])
def test_a_malformed_plan_is_a_located_parse_error(
        tmp_path: Path, mutate: Any, line_of: str | None) -> None:
    data = plan([sg()])
    mutate(data)
    path = write(tmp_path / "plan.json", data)
    result = run(path, root=tmp_path)
    assert not result.internal_errors and not result.rule_crashes
    errors = [f for f in result.findings if f.rule_id == "IAC000"]
    assert len(errors) == 1 and errors[0].location.path == str(path)
    if line_of is not None:
        line = path.read_text().splitlines()[errors[0].location.start_line - 1]
        assert line_of in line


def test_broken_json_and_odd_shapes_never_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": "1.2", "planned_values": {,}}\n', encoding="utf-8")
    result = run(broken, root=tmp_path)
    assert [f.rule_id for f in result.findings] == ["IAC000"]
    odd = plan([sg()])
    odd["resource_changes"] = [1, {"address": 3}, {"address": "x", "change": {"actions": 4}}]
    odd["configuration"] = {"root_module": {"resources": [
        {"address": 1},
        {"address": "aws_security_group.web", "expressions": {"vpc_id": {"references": 3}}},
    ]}}
    odd["resource_changes"].append({"address": "aws_security_group.web",
                                    "change": {"actions": ["create"], "after_unknown": True}})
    path = write(tmp_path / "odd.json", odd)
    result = run(path, root=tmp_path)
    assert not result.internal_errors
    assert [f.rule_id for f in result.findings] == ["IAC001"]


def test_child_modules_nested_without_end_are_bounded(tmp_path: Path) -> None:
    root: dict[str, Any] = {}
    module, address = root, ""
    for _ in range(100):
        address = f"{address}.module.m".lstrip(".")
        child = {"address": address, "resources": [sg(f"{address}.aws_security_group.web")]}
        module["child_modules"] = [child]
        module = child
    data = plan([])
    data["planned_values"]["root_module"] = root
    path = write(tmp_path / "plan.json", data)
    result = run(path, root=tmp_path)
    assert not result.internal_errors
    assert len([f for f in result.findings if f.rule_id == "IAC001"]) == 64
    errors = [f for f in result.findings if f.rule_id == "IAC000"]
    assert len(errors) == 1 and "nested more than 64 deep" in errors[0].message


# -- parity with .tf -------------------------------------------------------------------

PARITY = Path(__file__).resolve().parents[1] / "fixtures" / "terraform" / "plan_parity"
#: What a plan writes that the configuration leaves to AWS: the provider's own defaults,
#: which are what AWS does when nothing is written (the same findings follow).
PLAN_DEFAULTS = {
    ("app", "source_dest_check"): True,
    ("db", "publicly_accessible"): False,
}


def test_a_plan_resource_has_the_kind_and_facts_of_the_same_tf_resource() -> None:
    from tests.test_parity import META, name_of, normalize

    def nodes(path: Path) -> tuple[ScanResult, dict[str, Any]]:
        result = run(path, root=PARITY)
        names = {n.id: name_of(n) for n in result.graph}
        return result, {name_of(n): (n, names) for n in result.graph if n.kind}

    tf_result, tf = nodes(PARITY / "main.tf")
    plan_result, planned = nodes(PARITY / "plan" / "plan.json")
    assert sorted(tf) == sorted(planned)
    for name, (node, names) in tf.items():
        other, other_names = planned[name]
        assert node.kind == other.kind, name
        facts = {k: normalize(v, names) for k, v in node.facts.items() if k not in META}
        plan_facts = {k: normalize(v, other_names) for k, v in other.facts.items()
                      if k not in META}
        for (resource, fact), value in PLAN_DEFAULTS.items():
            if resource == name:
                assert facts.pop(fact, None) is None and plan_facts.pop(fact) == value
        if name == "web":  # a plan writes every argument: an unset description is ""
            for rule in facts["ingress"]:
                rule["description"] = ""
        assert facts == plan_facts, name
    assert sorted((f.rule_id, f.address, f.evidence) for f in tf_result.findings) == sorted(
        (f.rule_id, f.address, f.evidence) for f in plan_result.findings)
    assert {f.rule_id for f in plan_result.findings} >= {"IAC001", "IAC010", "IAC011", "IAC020",
                                                         "IAC030", "IAC040"}
