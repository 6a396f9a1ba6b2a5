"""The one converter set and the shape helpers every adapter shares.

Facts must not depend on the language a value was written in: `"true"` and
`true`, `"6"` and `tcp`, a Terraform `gateway_id` and a CloudFormation
`GatewayId` normalize here, once. Every converter passes an Unknown through
unchanged and maps over the branches of a `Choice`, so an undecided
CloudFormation condition stays visible as candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from linter.facts import BlockDevice, IngressRule, NaclEntry, Route
from linter.model import Choice, Location, Ref, Unknown, list_items


class _NoValue:
    """Absent in one branch of a choice (CloudFormation `AWS::NoValue`): as if never written."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NoValue"


NOVALUE = _NoValue()


def lift(fn: Callable[[Any], Any], value: Any) -> Any:
    """`fn(value)`, applied per branch of a Choice and skipped for Unknowns and None
    (NOVALUE counts as None)."""
    if isinstance(value, Choice):
        return Choice(tuple((label, lift(fn, v)) for label, v in value.options))
    if value is NOVALUE:
        return None
    if value is None or isinstance(value, Unknown):
        return value
    return fn(value)


def _bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"not a boolean: {value!r}")


def _int(value: Any) -> Any:
    if isinstance(value, bool):
        return Unknown("not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else Unknown("not an integer")
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return Unknown(f"not a number: {value!r}")
        return int(number) if number.is_integer() else Unknown("not an integer")
    return Unknown("not a number")


def _str(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return Unknown("not a string")


def _lower(value: Any) -> Any:
    text = _str(value)
    return text.lower() if isinstance(text, str) else text


def to_bool(value: Any) -> Any:
    """True/False from a bool or "true"/"false" in any case; Unknown for anything else."""
    return lift(_bool, value)


def to_int(value: Any) -> Any:
    """An int from an int, an integral float or a numeric string; Unknown otherwise."""
    return lift(_int, value)


def to_str(value: Any) -> Any:
    return lift(_str, value)


def to_lower(value: Any) -> Any:
    return lift(_lower, value)


def to_list(value: Any) -> Any:
    """A list: a list's items, a Partial's known items plus one Unknown, a single
    value (a Ref included) as a one-item list, an Unknown as an unknown list; a
    Choice per branch."""
    if isinstance(value, Choice):
        return lift(to_list, value)
    if value is None or value is NOVALUE:
        return None
    if isinstance(value, Unknown) and not isinstance(value, Ref):
        return Unknown(value.reason)  # an unknown list (Fn::GetAZs), not one unknown item
    return list_items(value)


#: IP protocol numbers and spellings → the normalized name (see IngressRule.protocol).
PROTOCOLS = {"-1": "-1", "all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
#: Protocols whose rules carry ports; any other protocol means all of its traffic.
PORTED = ("tcp", "udp", "icmp", "icmpv6")


def protocol(value: Any) -> Any:
    """`-1`/`all` → "-1", 6 → "tcp", 17 → "udp", 1 → "icmp", 58 → "icmpv6"."""
    if isinstance(value, Choice):  # a branch may remove it (`AWS::NoValue`)
        return Choice(tuple((label, protocol(v)) for label, v in value.options))
    if value is None or value is NOVALUE:
        return Unknown("protocol not set")

    def norm(v: Any) -> Any:
        text = _lower(v)
        return PROTOCOLS.get(text.strip(), text.strip()) if isinstance(text, str) else text

    return lift(norm, value)


def ports(proto: Any, from_port: Any, to_port: Any) -> tuple[Any, Any]:
    """The port range a rule opens: -1/-1 for all traffic and for protocols without
    ports (AWS ignores any range given), one bound standing for both when only one
    is written, Unknown when neither is."""
    if proto == "-1" or (isinstance(proto, str) and proto not in PORTED):
        return -1, -1
    lo, hi = to_int(from_port), to_int(to_port)
    if lo is None and hi is None:
        return Unknown("ports not set"), Unknown("ports not set")
    return (hi if lo is None else lo), (lo if hi is None else hi)


def sources(*values: Any) -> tuple[Any, ...]:
    """CIDR sources from any number of list or single values (IPv4 and IPv6 together)."""
    return tuple(x for v in values for x in list_items(v) if x is not None)


class DefaultedStr(str):
    """A text an adapter took from a parameter's or variable's default; `origin`
    names it (`SSHLocation`, `var.admin_cidr`). Private to the adapters: shape
    helpers turn it into plain text plus the words of a message."""

    origin: str

    def __new__(cls, text: str, origin: str) -> DefaultedStr:
        obj = super().__new__(cls, text)
        obj.origin = origin
        return obj


def plain(value: Any) -> Any:
    """A DefaultedStr as plain text; anything else unchanged."""
    return str(value) if isinstance(value, DefaultedStr) else value


def ingress_rule(
    proto_value: Any, from_port: Any, to_port: Any, cidrs: Iterable[Any], location: Location,
    description: Any = None, when: str = "",
) -> IngressRule:
    """One inbound permission, whichever language wrote it."""
    proto = protocol(proto_value)
    lo, hi = ports(proto, from_port, to_port)
    desc = description if isinstance(description, (str, Unknown)) else None
    sources = tuple(cidrs)
    defaults = tuple((c.origin, str(c)) for c in sources if isinstance(c, DefaultedStr))
    return IngressRule(proto, lo, hi, tuple(plain(c) for c in sources), location, plain(desc),
                       when=when, defaults=defaults)


def unknown_ingress(value: Unknown, location: Location) -> IngressRule:
    """The rules of an ingress list that is unknown as a whole: there may be any."""
    return IngressRule(value, value, value, (value,), location)


def nacl_entry(
    rule_number: Any, action: Any, proto_value: Any, from_port: Any, to_port: Any,
    cidrs: Iterable[Any], location: Location, when: str = "",
) -> NaclEntry:
    """One inbound network ACL entry; a TCP/UDP entry without a range is every port."""
    proto = protocol(proto_value)
    lo, hi = ports(proto, from_port, to_port)
    if proto in ("tcp", "udp") and from_port is None and to_port is None:
        lo, hi = 0, 65535
    act = to_lower(action)
    return NaclEntry(
        rule_number=to_int(rule_number),
        action=act if act is not None else Unknown("no action"),
        protocol=proto, from_port=lo, to_port=hi, sources=tuple(cidrs), location=location,
        when=when,
    )


#: Route targets: (target_type, Terraform attribute, CloudFormation property), in the
#: order they are looked for. See Route.target_type.
ROUTE_TARGETS: tuple[tuple[str, str, str], ...] = (
    ("gateway", "gateway_id", "GatewayId"),
    ("nat", "nat_gateway_id", "NatGatewayId"),
    ("instance", "instance_id", "InstanceId"),
    ("transit", "transit_gateway_id", "TransitGatewayId"),
    ("peering", "vpc_peering_connection_id", "VpcPeeringConnectionId"),
    ("endpoint", "vpc_endpoint_id", "VpcEndpointId"),
    ("egress_only", "egress_only_gateway_id", "EgressOnlyInternetGatewayId"),
    ("other", "network_interface_id", "NetworkInterfaceId"),
    ("other", "carrier_gateway_id", "CarrierGatewayId"),
    ("other", "local_gateway_id", "LocalGatewayId"),
    ("other", "core_network_arn", "CoreNetworkArn"),
)


def route(
    fields: dict[str, Any], language: str, destinations: tuple[str, str], location: Location,
    when: str = "",
) -> Route:
    """A Route from the fields of one route (a `route` block, an `AWS::EC2::Route`):
    `destinations` names its IPv4 and IPv6 destination keys in `fields`."""
    column = 1 if language == "terraform" else 2
    dest = next((fields[k] for k in destinations if fields.get(k) is not None), None)
    if dest is None:
        dest = Unknown("destination prefix list")
    target: Any = Unknown("no target")
    target_type = "other"
    for row in ROUTE_TARGETS:
        value = fields.get(row[column])
        if value is not None and value != "":
            target, target_type = value, row[0]
            break
    return Route(dest, target, target_type, location, when=when)


def route_keys(language: str) -> tuple[str, ...]:
    """Every target key of `language` in ROUTE_TARGETS."""
    column = 1 if language == "terraform" else 2
    return tuple(str(row[column]) for row in ROUTE_TARGETS)


# --------------------------------------------------------------------------- block devices

#: Device names AMIs give their root volume (Amazon Linux `/dev/xvda`; Ubuntu, RHEL,
#: Windows and most others `/dev/sda1`).
ROOT_DEVICE_NAMES = frozenset({"/dev/xvda", "/dev/sda1", "/dev/sda", "xvda", "sda1"})


def undeclared_root(mappings: Any, device_names: Iterable[Any],
                    location: Location) -> list[BlockDevice]:
    """The root volume as a device no mapping declares, or nothing.

    `mappings` is the written list of mappings (None when not written);
    `device_names` the names its entries give. An unknown list, or an entry whose
    name is not known, may declare the root volume: nothing then.
    """
    if isinstance(mappings, Unknown):
        return []
    for name in device_names:
        if not isinstance(name, str) or name.strip().lower() in ROOT_DEVICE_NAMES:
            return []
    return [BlockDevice("root", None, location, declared=False)]
