"""Finding identity: fingerprints follow the defect, not its wording or its line."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from linter.cli import main
from linter.identity import IdentityRoots, assign, base_hash
from linter.model import Finding, Location, Related, Severity

SG = """resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]%(ipv6)s
  }
  tags = { Owner = "me" }
}
%(sibling)s"""

SIBLING = """
resource "aws_security_group" "other" {
  name = "other"
  tags = { Owner = "me" }
}
"""

POLICY = """{
  "Version": "2012-10-17",
  "Statement": [%(before)s
    {"Effect": "Allow", "Action": "*", "Resource": "*"}
  ]
}
"""

UNRELATED = """
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},"""


def fingerprints(capsys: pytest.CaptureFixture[str], *paths: Path) -> dict[tuple[str, str], str]:
    main(["scan", *map(str, paths), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return {(f["rule_id"], f["address"]): f["fingerprint"] for f in report["findings"]}


def write_sg(path: Path, *, ipv6: bool = False, sibling: bool = False, pad: int = 0) -> None:
    text = SG % {
        "ipv6": '\n    ipv6_cidr_blocks = ["::/0"]' if ipv6 else "",
        "sibling": SIBLING if sibling else "",
    }
    path.write_text("\n" * pad + text, encoding="utf-8")


def test_survives_lines_moving_sibling_resources_and_a_second_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tf = tmp_path / "main.tf"
    write_sg(tf)
    before = fingerprints(capsys, tmp_path)
    key = ("IAC001", "aws_security_group.web")
    assert key in before
    write_sg(tf, pad=10)
    assert fingerprints(capsys, tmp_path)[key] == before[key]
    write_sg(tf, sibling=True)
    assert fingerprints(capsys, tmp_path)[key] == before[key]
    # The message now says "0.0.0.0/0 and ::/0": the same open port, the same alert.
    write_sg(tf, ipv6=True)
    assert fingerprints(capsys, tmp_path)[key] == before[key]


def test_changes_with_the_resource_or_the_port(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tf = tmp_path / "main.tf"
    write_sg(tf)
    before = fingerprints(capsys, tmp_path)[("IAC001", "aws_security_group.web")]
    tf.write_text(tf.read_text().replace('"web" {', '"web2" {'), encoding="utf-8")
    after = fingerprints(capsys, tmp_path)
    assert ("IAC001", "aws_security_group.web") not in after
    assert after[("IAC001", "aws_security_group.web2")] != before
    tf.write_text(tf.read_text().replace("= 22", "= 3389"), encoding="utf-8")
    assert fingerprints(capsys, tmp_path)[("IAC001", "aws_security_group.web2")] not in (
        before, after[("IAC001", "aws_security_group.web2")])


def test_survives_an_unrelated_statement_inserted_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text(POLICY % {"before": ""}, encoding="utf-8")
    before = fingerprints(capsys, tmp_path)
    assert ("IAC040", "policy.json") in before
    policy.write_text(POLICY % {"before": UNRELATED}, encoding="utf-8")
    after = fingerprints(capsys, tmp_path)
    assert after[("IAC040", "policy.json")] == before[("IAC040", "policy.json")]


def _finding(**changes: object) -> Finding:
    base = Finding(
        rule_id="IAC040", severity=Severity.CRITICAL, category="iam-wildcard",
        message="policy statement #1 allows '*'", location=Location("/r/p.json", 3, 3),
        address="/r/p.json", evidence="policy content=abc",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_ignores_message_and_line_but_not_rule_file_address_or_evidence() -> None:
    roots = IdentityRoots("/r")
    (ref,) = assign([_finding()], roots)
    same = [
        _finding(message="the policy's second statement allows every action"),
        _finding(location=Location("/r/p.json", 40, 42)),
        _finding(severity=Severity.LOW),
    ]
    for f in same:
        assert assign([f], roots)[0].fingerprint == ref.fingerprint
    different = [
        _finding(rule_id="IAC041"),
        _finding(location=Location("/r/q.json", 3, 3)),
        _finding(address="/r/q.json"),
        _finding(evidence="policy sid=Other"),
    ]
    for f in different:
        assert assign([f], roots)[0].fingerprint != ref.fingerprint


def test_related_places_are_not_part_of_the_identity() -> None:
    roots = IdentityRoots("/r")
    (ref,) = assign([_finding()], roots)
    attachment = Related(Location("/r/main.tf", 12, 15), "aws_iam_role_policy_attachment.a",
                         "policy attachment")
    for related in ((attachment,), (attachment, replace(attachment, role="role"))):
        assert assign([_finding(related=related)], roots)[0].fingerprint == ref.fingerprint


PUBLIC = """resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
resource "aws_internet_gateway" "%(gw)s" {
  vpc_id = aws_vpc.main.id
}
resource "aws_subnet" "public" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.0.0/24"
}
resource "aws_route_table" "public" {
  vpc_id = aws_vpc.main.id
%(inline)s}
%(separate)s
resource "aws_route_table_association" "public" {
  subnet_id      = aws_subnet.public.id
  route_table_id = aws_route_table.public.id
}
resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.public.id
}
"""


def test_a_finding_keeps_its_fingerprint_when_its_path_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Moving the route to its own resource and renaming the gateway change every related
    place of the public-subnet finding, never its identity."""
    tf = tmp_path / "main.tf"
    inline = ('  route {\n    cidr_block = "0.0.0.0/0"\n'
              "    gateway_id = aws_internet_gateway.gw.id\n  }\n")
    separate = ('resource "aws_route" "world" {\n  route_table_id = aws_route_table.public.id\n'
                '  destination_cidr_block = "0.0.0.0/0"\n'
                '  gateway_id = aws_internet_gateway.edge.id\n}\n')
    tf.write_text(PUBLIC % {"gw": "gw", "inline": inline, "separate": ""}, encoding="utf-8")
    main(["scan", str(tmp_path), "--format", "json"])
    before = json.loads(capsys.readouterr().out)["findings"]
    tf.write_text(PUBLIC % {"gw": "edge", "inline": "", "separate": separate}, encoding="utf-8")
    main(["scan", str(tmp_path), "--format", "json"])
    after = json.loads(capsys.readouterr().out)["findings"]
    (old,) = (f for f in before if f["rule_id"] == "IAC010")
    (new,) = (f for f in after if f["rule_id"] == "IAC010")
    assert old["related"] != new["related"]
    assert {r["address"] for r in new["related"]} >= {"aws_route.world",
                                                       "aws_internet_gateway.edge"}
    assert new["fingerprint"] == old["fingerprint"]


def test_same_key_twice_is_numbered_in_line_order() -> None:
    roots = IdentityRoots("/r")
    late, early = _finding(location=Location("/r/p.json", 9, 9)), _finding()
    out = assign([late, early], roots)
    assert out[0].fingerprint.endswith(":2") and out[1].fingerprint.endswith(":1")
    assert out[0].fingerprint.split(":")[0] == out[1].fingerprint.split(":")[0]


def test_paths_are_relative_to_the_git_work_tree(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Scanning the repository or one of its directories, from anywhere, gives the
    same fingerprints: code scanning tracks alerts per repository path."""
    repo = tmp_path / "repo"
    infra = repo / "infra"
    infra.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    write_sg(infra / "main.tf")
    whole = fingerprints(capsys, repo)
    part = fingerprints(capsys, infra)
    assert whole and whole == part


# ------------------------------------------------------------ one module, several roots

MODULE_SG = """variable "cidrs" { type = list(string) }
resource "aws_security_group" "this" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.cidrs
  }
}
"""

CALL = """module "sg" {
  source = "../../modules/sg"
  cidrs  = ["0.0.0.0/0"]
}
"""


def two_roots(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "modules" / "sg").mkdir(parents=True)
    (tmp_path / "modules" / "sg" / "main.tf").write_text(MODULE_SG)
    for name in ("complete", "simple"):
        (tmp_path / "examples" / name).mkdir(parents=True)
        (tmp_path / "examples" / name / "main.tf").write_text(CALL)
    return tmp_path


def test_one_module_in_two_roots_is_two_findings_each_with_its_call(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = two_roots(tmp_path)
    main(["scan", str(root), "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["file"], f["start_line"], f["address"]) for f in findings] == [
        ("modules/sg/main.tf", 7, "module.sg.aws_security_group.this")] * 2
    assert sorted((r["file"], r["start_line"], r["address"], r["role"])
                  for f in findings for r in f["related"]) == [
        ("examples/complete/main.tf", 1, "module.sg", "module call"),
        ("examples/simple/main.tf", 1, "module.sg", "module call"),
    ]
    # Each root's finding has its own identity, the same whatever else is scanned.
    prints = {f["related"][0]["file"]: f["fingerprint"] for f in findings}
    assert len(set(prints.values())) == 2 and all(p.endswith(":1") for p in prints.values())
    main(["scan", str(root / "examples" / "simple"), "--format", "json"])
    (alone,) = json.loads(capsys.readouterr().out)["findings"]
    assert alone["fingerprint"] == prints["examples/simple/main.tf"]
    main(["scan", str(root), "--format", "text"])
    assert "via module.sg (examples/complete/main.tf:1): module call" in capsys.readouterr().out


def test_a_scheme_2_baseline_still_matches_module_findings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Scheme 3 moved only the fingerprints of module-created resources; the scheme 2
    fingerprint stays an alias, so a baseline written before keeps working."""
    root = two_roots(tmp_path)
    shutil.rmtree(root / "examples" / "complete")
    main(["scan", str(root), "--format", "json"])
    (finding,) = json.loads(capsys.readouterr().out)["findings"]
    # What scheme 2 computed: the same inputs without the root module.
    old = base_hash("IAC001", "modules/sg/main.tf", "module.sg.aws_security_group.this",
                    finding["evidence"]) + ":1"
    assert finding["fingerprint"] != old
    baseline = root / "old-baseline.json"
    baseline.write_text(json.dumps({
        "iaclint_baseline": 1, "fingerprint_scheme": "iaclint/2",
        "findings": [{"fingerprint": old, "rule_id": "IAC001", "file": "modules/sg/main.tf",
                      "address": "module.sg.aws_security_group.this", "severity": "critical"}],
    }))
    code = main(["scan", str(root), "--baseline", str(baseline)])
    assert code == 0, capsys.readouterr().out


def test_resources_of_a_root_module_keep_their_scheme_2_fingerprint() -> None:
    finding = Finding("IAC001", Severity.CRITICAL, "network", "m",
                      Location("/r/main.tf", 3, 3), "aws_security_group.web", evidence="e")
    (done,) = assign([finding], IdentityRoots("/r"))
    assert done.fingerprint == base_hash("IAC001", "main.tf", "aws_security_group.web", "e") + ":1"
    assert done.aliases == ()
