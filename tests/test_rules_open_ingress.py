"""open-ingress rules over hand-built graphs."""

from __future__ import annotations

import pytest

from linter.config import Config
from linter.facts import IngressRule, NaclEntry
from linter.model import UNKNOWN, Severity
from rules.open_ingress import NetworkAclOpenAdminPorts, SecurityGroupOpenIngress, grade
from tests.test_rules_support import graph, loc, node, ref, run


def sg_with(*rules: IngressRule):
    return node("aws_security_group.web", "ec2.security_group", facts={"ingress": list(rules)})


def ingress(proto, lo, hi, *sources, line=5) -> IngressRule:
    return IngressRule(proto, lo, hi, tuple(sources), loc(line))


def test_ssh_from_world_is_critical_with_specific_message() -> None:
    g = graph(sg_with(ingress("tcp", 22, 22, "0.0.0.0/0", line=12)))
    [f] = run(SecurityGroupOpenIngress, g)
    assert f.message == "SSH (22/tcp) open to 0.0.0.0/0"
    assert f.severity is Severity.CRITICAL
    assert f.location.start_line == 12
    assert f.address == "aws_security_group.web"


def test_allowed_ports_are_not_reported_but_others_are_medium() -> None:
    g = graph(sg_with(ingress("tcp", 443, 443, "0.0.0.0/0"), ingress("tcp", 8080, 8080, "::/0")))
    [f] = run(SecurityGroupOpenIngress, g)
    assert f.message == "port 8080/tcp open to ::/0"
    assert f.severity is Severity.MEDIUM


def test_configured_allow_list_replaces_default() -> None:
    g = graph(
        sg_with(ingress("tcp", 8080, 8080, "0.0.0.0/0"), ingress("tcp", 443, 443, "0.0.0.0/0"))
    )
    [f] = run(SecurityGroupOpenIngress, g, Config(allowed_public_ports=[8080]))
    assert "443/tcp" in f.message


def test_all_protocols_and_full_range_are_critical() -> None:
    g = graph(sg_with(ingress("-1", 0, 0, "0.0.0.0/0"), ingress("tcp", 0, 65535, "0.0.0.0/0")))
    found = run(SecurityGroupOpenIngress, g)
    assert [f.severity for f in found] == [Severity.CRITICAL, Severity.CRITICAL]
    assert found[0].message.startswith("all traffic")
    assert found[1].message.startswith("all ports (0-65535/tcp)")


def test_range_containing_admin_port_is_critical() -> None:
    g = graph(sg_with(ingress("tcp", 3000, 3400, "0.0.0.0/0")))
    [f] = run(SecurityGroupOpenIngress, g)
    assert f.severity is Severity.CRITICAL
    assert "MySQL 3306" in f.message and "RDP 3389" in f.message


def test_private_unknown_and_whole_space_sources() -> None:
    g = graph(
        sg_with(
            ingress("tcp", 22, 22, "10.0.0.0/8"),
            ingress("tcp", 22, 22, UNKNOWN),
            ingress("tcp", UNKNOWN, UNKNOWN, "0.0.0.0/0"),
            ingress("tcp", 5432, 5432, UNKNOWN, "0::0/0", line=20),
        )
    )
    [f] = run(SecurityGroupOpenIngress, g)
    assert f.message == "PostgreSQL (5432/tcp) open to 0::0/0 (a /0: the whole internet)"
    assert f.location.start_line == 20


def test_both_families_in_one_message_and_rule_resource() -> None:
    rule_node = node(
        "aws_security_group_rule.ssh",
        "ec2.security_group_rule",
        facts={"ingress": [ingress("6", 22, 22, "0.0.0.0/0", "::/0", line=3)]},
    )
    [f] = run(SecurityGroupOpenIngress, graph(rule_node))
    assert f.message == "SSH (22/tcp) open to 0.0.0.0/0 and ::/0"
    assert f.address == "aws_security_group_rule.ssh"


@pytest.mark.parametrize(
    ("proto", "lo", "hi", "expected"),
    [
        ("tcp", 80, 80, None),
        ("tcp", 80, 443, Severity.CRITICAL),  # includes SMB 445
        ("tcp", 8443, 8444, Severity.MEDIUM),
        ("icmp", -1, -1, Severity.LOW),
        ("udp", 53, 53, Severity.MEDIUM),
        ("all", None, None, Severity.CRITICAL),
        (UNKNOWN, 22, 22, None),
    ],
)
def test_grade(proto, lo, hi, expected) -> None:
    exposure = grade(proto, lo, hi, [80, 443])
    assert (exposure.severity if exposure else None) == expected


def nacl_entry(number, action, proto, lo, hi, source="0.0.0.0/0", line=4) -> NaclEntry:
    return NaclEntry(number, action, proto, lo, hi, (source,), loc(line))


def test_nacl_allow_ssh_from_world() -> None:
    acl = node(
        "aws_network_acl.main",
        "ec2.network_acl",
        facts={"nacl_ingress": [nacl_entry(100, "allow", "tcp", 22, 22, line=9)]},
    )
    [f] = run(NetworkAclOpenAdminPorts, graph(acl))
    assert f.message == "network ACL rule 100 allows 22/tcp from 0.0.0.0/0, including SSH 22"
    assert f.location.start_line == 9


def test_nacl_lower_numbered_deny_wins_and_web_ports_fine() -> None:
    acl = node("aws_network_acl.main", "ec2.network_acl", facts={"nacl_ingress": [
        nacl_entry(90, "deny", "tcp", 22, 22),
        nacl_entry(100, "allow", "tcp", 22, 22),
        nacl_entry(110, "allow", "tcp", 443, 443),
        nacl_entry(120, "allow", "tcp", 1024, 65535),  # return traffic
        nacl_entry(130, "allow", "tcp", 1000, 2000, source="10.0.0.0/16"),
    ]})
    assert run(NetworkAclOpenAdminPorts, graph(acl)) == []


def test_nacl_rule_resources_grouped_by_acl() -> None:
    acl = node("aws_network_acl.main", "ec2.network_acl")
    deny = node("aws_network_acl_rule.deny", "ec2.network_acl_rule", facts={
        "network_acl": ref(acl), "nacl_ingress": [nacl_entry(50, "deny", "-1", 0, 0)]})
    allow = node("aws_network_acl_rule.all", "ec2.network_acl_rule", facts={
        "network_acl": ref(acl), "nacl_ingress": [nacl_entry(100, "allow", "-1", 0, 0)]})
    assert run(NetworkAclOpenAdminPorts, graph(acl, deny, allow)) == []
    [f] = run(NetworkAclOpenAdminPorts, graph(acl, allow))
    assert f.address == "aws_network_acl_rule.all"
    assert "all traffic" in f.message and "SSH 22" in f.message
    assert f.severity is Severity.MEDIUM  # allow-all is the AWS default: medium


def test_nacl_specific_admin_port_is_high() -> None:
    acl = node("aws_network_acl.main", "ec2.network_acl",
               facts={"nacl_ingress": [nacl_entry(100, "allow", "tcp", 3389, 3389)]})
    [f] = run(NetworkAclOpenAdminPorts, graph(acl))
    assert f.severity is Severity.HIGH and "RDP 3389" in f.message
