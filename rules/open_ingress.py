"""open-ingress: ports reachable from the whole internet.

Security groups are the usual culprit; network ACLs are a second layer that is
reported only when it lets the internet reach an administrative or database port.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linter.facts import IngressRule, NaclEntry
from linter.model import Finding, Location, Node, Related, Severity, is_known
from linter.network import is_ipv6_world, vpc_may_have_ipv6, world_sources
from rules._base import BuiltinRule, when

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model import Graph

#: Remote administration and database ports: open to the world they are critical.
SENSITIVE_PORTS: dict[int, str] = {
    20: "FTP data",
    21: "FTP",
    22: "SSH",
    23: "Telnet",
    135: "MS RPC",
    139: "NetBIOS",
    445: "SMB",
    1433: "SQL Server",
    1521: "Oracle",
    2049: "NFS",
    2375: "Docker API",
    2376: "Docker API (TLS)",
    2379: "etcd",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5439: "Redshift",
    5900: "VNC",
    5984: "CouchDB",
    5985: "WinRM",
    5986: "WinRM (TLS)",
    6379: "Redis",
    7001: "Cassandra",
    8020: "HDFS",
    9042: "Cassandra",
    9092: "Kafka",
    9200: "Elasticsearch",
    9300: "Elasticsearch",
    11211: "Memcached",
    27017: "MongoDB",
    27018: "MongoDB",
}

_PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1"}


def _protocol(value: Any) -> str | None:
    if not isinstance(value, (str, int)) or not is_known(value):
        return None
    text = str(value).strip().lower()
    return _PROTOCOL_NAMES.get(text, text)


@dataclass(frozen=True)
class Exposure:
    """What an ingress permission exposes, graded."""

    severity: Severity
    what: str  # "SSH (22/tcp)", "all traffic", "ports 1000-2000/tcp"


def _port_text(lo: int, hi: int, proto: str) -> str:
    return f"{lo}/{proto}" if lo == hi else f"{lo}-{hi}/{proto}"


def grade(protocol: Any, from_port: Any, to_port: Any, allowed: Iterable[int]) -> Exposure | None:
    """How bad it is to open this protocol/port range to the world (None: fine or unknown)."""
    proto = _protocol(protocol)
    if proto is None:
        return None
    if proto == "-1":
        return Exposure(Severity.CRITICAL, "all traffic (every protocol and port)")
    if proto in ("icmp", "icmpv6"):
        return Exposure(Severity.LOW, proto.upper())
    if proto not in ("tcp", "udp"):
        return Exposure(Severity.MEDIUM, f"protocol {proto}")
    if not (isinstance(from_port, int) and isinstance(to_port, int)):
        return None
    lo, hi = (from_port, to_port) if from_port <= to_port else (to_port, from_port)
    if lo == -1 or hi == -1 or (lo <= 0 and hi >= 65535):
        return Exposure(Severity.CRITICAL, f"all ports (0-65535/{proto})")
    allowed_set = set(allowed)
    if all(p in allowed_set for p in range(lo, hi + 1)):
        return None
    sensitive = [p for p in sorted(SENSITIVE_PORTS) if lo <= p <= hi]
    if lo == hi and sensitive:
        return Exposure(Severity.CRITICAL, f"{SENSITIVE_PORTS[lo]} ({lo}/{proto})")
    if sensitive:
        names = ", ".join(f"{SENSITIVE_PORTS[p]} {p}" for p in sensitive[:4])
        more = ", …" if len(sensitive) > 4 else ""
        return Exposure(
            Severity.CRITICAL, f"ports {_port_text(lo, hi, proto)} (including {names}{more})"
        )
    label = "port" if lo == hi else "ports"
    return Exposure(Severity.MEDIUM, f"{label} {_port_text(lo, hi, proto)}")


def _inverted(protocol: Any, from_port: Any, to_port: Any) -> bool:
    """A TCP/UDP range written backwards (from 23 to 21): AWS rejects the rule, so it opens
    nothing; it is never read as the range between the two numbers. ICMP's "ports" are a
    type and a code, not a range, and -1 means every port."""
    return (
        _protocol(protocol) in ("tcp", "udp")
        and isinstance(from_port, int) and isinstance(to_port, int)
        and is_known(from_port) and is_known(to_port)
        and 0 <= to_port < from_port
    )


def _invalid_text(protocol: Any, from_port: Any, to_port: Any) -> str:
    return (
        f"invalid port range: from port {from_port} is greater than to port {to_port} "
        f"({_protocol(protocol)}); AWS rejects this rule, so it opens nothing, but the "
        "deployment fails"
    )


def _invalid_key(prefix: str, protocol: Any, lo: Any, hi: Any, label: str) -> str:
    """'invalid ingress tcp 23-21': as written, never the key of the real range 21-23."""
    return f"invalid {prefix} {_protocol(protocol) or '?'} {lo}-{hi}{_when_key(label)}"


def reachable(world: list[str], ipv6: bool) -> list[str]:
    """The whole-internet sources that can carry traffic: ::/0 only in a VPC that has,
    or may have, an IPv6 block (an IPv4-only VPC has no IPv6 address to reach)."""
    return world if ipv6 else [w for w in world if not is_ipv6_world(w)]


def _sources_text(sources: list[str]) -> str:
    """"0.0.0.0/0 and ::/0"; a /0 written another way is said to be the whole internet."""
    return " and ".join(
        s if s in ("0.0.0.0/0", "::/0") else f"{s} (a /0: the whole internet)" for s in sources
    )


def _defaults_text(rule: IngressRule, world: list[str]) -> str:
    """" (SSHLocation defaults to 0.0.0.0/0)" when a world source is a default: the
    value to change is the parameter's or variable's, not the rule's."""
    said = [f"{name} defaults to {value}"
            for name, value in rule.defaults if value.strip() in world]
    return f" ({'; '.join(dict.fromkeys(said))})" if said else ""


class SecurityGroupOpenIngress(BuiltinRule):
    id = "IAC001"
    title = "Security group allows ingress from the whole internet"
    category = "open-ingress"
    severity = Severity.CRITICAL
    description = (
        "A security group rule that accepts traffic from 0.0.0.0/0 or ::/0 exposes the "
        "port to every host on the internet, where it is scanned within minutes. "
        "Administrative and database ports (SSH, RDP, MySQL, Redis, …) or all ports open "
        "to the world are the most common way instances are compromised."
    )
    remediation = {
        "terraform": (
            "Restrict `cidr_blocks`/`ipv6_cidr_blocks` (or `cidr_ipv4`/`cidr_ipv6` of "
            "`aws_vpc_security_group_ingress_rule`) to known networks, or reference a source "
            "security group; reach instances through SSM Session Manager instead of SSH."
        ),
        "cloudformation": (
            "Restrict `CidrIp`/`CidrIpv6` in `SecurityGroupIngress` or "
            "`AWS::EC2::SecurityGroupIngress` to known networks, or use "
            "`SourceSecurityGroupId`."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19",
    )
    tags = ("network", "security-group", "internet")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("ec2.security_group", "ec2.security_group_rule"):
            rules = node.fact("ingress")
            if not isinstance(rules, (list, tuple)):
                continue
            group = graph.resolve(node.fact("security_group")) or node
            ipv6 = vpc_may_have_ipv6(graph, group.fact("vpc"))
            # A separate rule resource: the group it opens is the next hop.
            related = [Related.of(group, "security group")] if group is not node else []
            for rule in rules:
                if isinstance(rule, IngressRule):
                    yield from self._check_rule(node, rule, config, ipv6, related)

    def _check_rule(
        self, node: Node, rule: IngressRule, config: Config, ipv6: bool,
        related: list[Related],
    ) -> Iterator[Finding]:
        world = reachable(world_sources(rule.sources), ipv6)
        if not world:
            return
        if _inverted(rule.protocol, rule.from_port, rule.to_port):
            return  # rejected by AWS, it opens nothing: IAC003 reports it
        exposure = grade(rule.protocol, rule.from_port, rule.to_port, config.allowed_public_ports)
        if exposure is None:
            return
        yield self.finding(
            node,
            f"{exposure.what} open to {_sources_text(world)}{_defaults_text(rule, world)}"
            f"{when(rule.when)}",
            rule.location,
            exposure.severity,
            evidence=_ports_key("ingress", rule.protocol, rule.from_port, rule.to_port, rule.when),
            related=related,
        )


def _covers(entry: NaclEntry, port: int) -> bool | None:
    proto = _protocol(entry.protocol)
    if proto is None:
        return None
    if proto == "-1":
        return True
    if proto not in ("tcp", "udp"):
        return False
    lo, hi = entry.from_port, entry.to_port
    if not (isinstance(lo, int) and isinstance(hi, int)):
        return None
    if _inverted(proto, lo, hi):
        return False  # rejected by AWS: an entry that does not exist covers nothing
    return lo <= port <= hi or lo == -1


def _number(entry: NaclEntry) -> int | None:
    n = entry.rule_number
    return n if isinstance(n, int) and is_known(n) else None


class NetworkAclOpenAdminPorts(BuiltinRule):
    id = "IAC002"
    title = "Network ACL allows inbound administrative ports from the whole internet"
    category = "open-ingress"
    severity = Severity.HIGH
    description = (
        "A network ACL entry that allows 0.0.0.0/0 or ::/0 to reach remote-administration "
        "or database ports removes the subnet-level safety net under every security group "
        "in the subnet. Entries are evaluated in rule-number order, so an allow that is not "
        "preceded by a deny is what takes effect. Allowing the ephemeral range (1024-65535) "
        "is needed for return traffic and is not reported; an allow-all entry (the AWS "
        "default) is medium, an entry that opens administrative ports specifically is high."
    )
    remediation = {
        "terraform": (
            "Narrow `cidr_block`/`ipv6_cidr_block` of the `ingress` block or "
            "`aws_network_acl_rule` (egress = false), or add a lower-numbered deny entry "
            "for the administrative ports."
        ),
        "cloudformation": (
            "Narrow `CidrBlock`/`Ipv6CidrBlock` of the `AWS::EC2::NetworkAclEntry` "
            "(Egress: false), or add a lower-numbered deny entry for the administrative ports."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-21",
    )
    tags = ("network", "network-acl", "internet")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        # Entries are grouped by their ACL so that a lower-numbered deny can cancel an allow.
        groups: dict[str, list[tuple[Node, NaclEntry]]] = {}
        for node in graph.of_kind("ec2.network_acl", "ec2.network_acl_rule"):
            acl = graph.resolve(node.fact("network_acl")) or node
            key = acl.id if acl is not None else node.id
            entries = node.fact("nacl_ingress")
            if isinstance(entries, (list, tuple)):
                groups.setdefault(key, []).extend(
                    (node, e) for e in entries if isinstance(e, NaclEntry)
                )
        for key, entries in groups.items():
            owner = graph.get(key)
            ipv6 = vpc_may_have_ipv6(graph, owner.fact("vpc") if owner is not None else None)
            yield from self._check_acl(entries, config, ipv6, owner)

    def _check_acl(
        self, entries: list[tuple[Node, NaclEntry]], config: Config, ipv6: bool,
        acl: Node | None = None,
    ) -> Iterator[Finding]:
        """`acl`: the network ACL the entries belong to, a hop for separate rule resources."""
        for node, entry in entries:
            if not (isinstance(entry.action, str) and entry.action.lower() == "allow"):
                continue
            world = reachable(world_sources(entry.sources), ipv6)
            if not world or _ephemeral(entry):
                continue
            if _inverted(entry.protocol, entry.from_port, entry.to_port):
                continue  # rejected by AWS, it allows nothing: IAC003 reports it
            exposed = [
                p for p in sorted(SENSITIVE_PORTS)
                if p not in config.allowed_public_ports
                and _covers(entry, p)
                and not self._denied_before(entries, entry, p)
            ]
            if not exposed:
                continue
            proto = _protocol(entry.protocol)
            names = ", ".join(f"{SENSITIVE_PORTS[p]} {p}" for p in exposed[:4])
            more = ", …" if len(exposed) > 4 else ""
            what = (
                "all traffic" if proto == "-1"
                else f"{_port_text(_int(entry.from_port), _int(entry.to_port), proto or '?')}"
            )
            number = _number(entry)
            label = _entry_label(entry)
            everything = proto == "-1" or _covers_all(entry)
            note = " (security groups are then the only filter)" if everything else ""
            yield self.finding(
                node,
                f"network ACL {label} allows {what} from {_sources_text(world)}, "
                f"including {names}{more}{note}{when(entry.when)}",
                entry.location,
                Severity.MEDIUM if everything else None,
                evidence=f"ingress rule {number}{_when_key(entry.when)}" if number is not None
                else _ports_key("ingress", entry.protocol, entry.from_port, entry.to_port,
                                entry.when),
                related=[Related.of(acl, "network ACL")] if acl is not None and acl is not node
                else [],
            )

    @staticmethod
    def _denied_before(
        entries: list[tuple[Node, NaclEntry]], allow: NaclEntry, port: int
    ) -> bool:
        number = _number(allow)
        if number is None:
            return False
        for _, other in entries:
            n = _number(other)
            if n is None or n >= number:
                continue
            if not (isinstance(other.action, str) and other.action.lower() == "deny"):
                continue
            if other.when and other.when != allow.when:
                continue  # a deny that exists only in some branch does not always cancel
            if _covers(other, port) and world_sources(other.sources):
                return True
        return False


def _entry_label(entry: NaclEntry) -> str:
    number = _number(entry)
    return f"rule {number}" if number is not None else "entry"


def _covers_all(entry: NaclEntry) -> bool:
    lo, hi = entry.from_port, entry.to_port
    return isinstance(lo, int) and isinstance(hi, int) and min(lo, hi) <= 0 and max(lo, hi) >= 65535


def _ephemeral(entry: NaclEntry) -> bool:
    """An allow for the ephemeral range (1024+ up to 65535): return traffic of a stateless
    ACL, which every ACL that allows outbound connections needs."""
    lo, hi = entry.from_port, entry.to_port
    return (
        _protocol(entry.protocol) in ("tcp", "udp")
        and isinstance(lo, int) and isinstance(hi, int)
        and min(lo, hi) >= 1024 and max(lo, hi) == 65535
    )


def _ports_key(prefix: str, protocol: Any, lo: Any, hi: Any, label: str) -> str:
    """'ingress tcp 22-22': which permission, not which sources or how it is worded,
    so that adding ::/0 next to 0.0.0.0/0 keeps the finding's identity."""
    lo, hi = _int(lo), _int(hi)
    if lo > hi:
        lo, hi = hi, lo
    return f"{prefix} {_protocol(protocol) or '?'} {lo}-{hi}{_when_key(label)}"


def _when_key(label: str) -> str:
    return f" [{label}]" if label else ""


def _int(value: Any) -> int:
    return value if isinstance(value, int) else -1


class InvalidPortRange(BuiltinRule):
    id = "IAC003"
    title = "Ingress rule has an invalid (inverted) port range"
    category = "open-ingress"
    severity = Severity.LOW
    description = (
        "A TCP or UDP security group rule or network ACL entry whose from port is greater "
        "than its to port (from 23 to 21) is rejected by AWS: the deployment fails and the "
        "rule opens nothing. It is reported here, at low severity, instead of being read as "
        "the range between the two numbers and reported as an exposure that is not in the "
        "code. Inverted ranges are reported whatever their sources."
    )
    remediation = {
        "terraform": "Write the lower port in `from_port` and the higher one in `to_port`.",
        "cloudformation": (
            "Write the lower port in `FromPort` (`PortRange.From`) and the higher one in "
            "`ToPort` (`PortRange.To`)."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpPermission.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_PortRange.html",
    )
    tags = ("network", "security-group", "network-acl")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("ec2.security_group", "ec2.security_group_rule"):
            rules = node.fact("ingress")
            for rule in rules if isinstance(rules, (list, tuple)) else ():
                if isinstance(rule, IngressRule):
                    yield from self._check(node, "", rule.protocol, rule.from_port,
                                           rule.to_port, rule.location, rule.when)
        for node in graph.of_kind("ec2.network_acl", "ec2.network_acl_rule"):
            entries = node.fact("nacl_ingress")
            for entry in entries if isinstance(entries, (list, tuple)) else ():
                if isinstance(entry, NaclEntry):
                    yield from self._check(node, f"network ACL {_entry_label(entry)}: ",
                                           entry.protocol, entry.from_port, entry.to_port,
                                           entry.location, entry.when)

    def _check(self, node: Node, prefix: str, protocol: Any, lo: Any, hi: Any,
               location: Location, label: str) -> Iterator[Finding]:
        if not _inverted(protocol, lo, hi):
            return
        yield self.finding(
            node,
            f"{prefix}{_invalid_text(protocol, lo, hi)}{when(label)}",
            location,
            evidence=_invalid_key("ingress", protocol, lo, hi, label),
        )


RULES = [SecurityGroupOpenIngress, NetworkAclOpenAdminPorts, InvalidPortRange]
