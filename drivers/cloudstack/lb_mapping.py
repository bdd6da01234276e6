"""Octavia-shaped load balancing ↔ CloudStack: providers, the checks made before anything
is made, and the models read back from rules, their VMs and policies.

A load balancer is a public IP (its id is the IP's id); each listener one load balancer
rule on it (the pool's id is the rule's id too); members are VMs (their ids are the VM
ids); a health monitor is the rule's health check policy, session persistence its
stickiness policy. What CloudStack has no field for travels in the rule's and the health
check policy's ``description`` (the load balancer's name, the listener's protocol, the
monitor's type), so a read gives back what was asked.
"""

from __future__ import annotations

import dataclasses
import json

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.cloudstack import mapping
from translator_drivers.cloudstack.errors import BACKEND

ALGORITHMS = {"ROUND_ROBIN": "roundrobin", "LEAST_CONNECTIONS": "leastconn",
              "SOURCE_IP": "source"}
_ALGORITHM_NAMES = {v: k for k, v in ALGORITHMS.items()}
PERSISTENCE = {"SOURCE_IP": "SourceBased", "HTTP_COOKIE": "LbCookie", "APP_COOKIE": "AppCookie"}
_PERSISTENCE_NAMES = {v.lower(): k for k, v in PERSISTENCE.items()}
#: Rule protocols CloudStack reports → the listener protocol, for rules we did not make.
_PROTOCOL_NAMES = {"udp": "UDP", "http": "HTTP", "ssl": "HTTPS"}
#: CloudStack's range for a health check's response timeout, in seconds.
TIMEOUT_RANGE = (2, 60)
#: Marks what the translator wrote into a description.
_META = "translator"


@dataclasses.dataclass(frozen=True)
class Provider:
    """What one CloudStack LB provider can do, as the driver maps onto it.

    ``protocols``: listener protocol → the rule's ``protocol`` parameter.
    ``cookie_param``: the AppCookie stickiness parameter naming the application's cookie.
    """

    name: str
    algorithms: frozenset[str]
    protocols: dict[str, str]
    health_checks: bool
    cookie_param: str
    why_not: dict[str, str]


PROVIDERS = {
    "Netscaler": Provider(
        "Netscaler", frozenset({"ROUND_ROBIN", "LEAST_CONNECTIONS"}),
        {"TCP": "tcp", "UDP": "udp", "HTTP": "http", "HTTPS": "tcp"}, True, "name",
        {"algorithm:SOURCE_IP": "CloudStack's NetScaler provider offers roundrobin and "
                                "leastconn only; persistence SOURCE_IP keeps a client on one "
                                "member"}),
    "VirtualRouter": Provider(
        "VirtualRouter", frozenset(ALGORITHMS), {"TCP": "tcp", "HTTP": "tcp", "HTTPS": "tcp"},
        False, "cookie-name",
        {"protocol:UDP": "the virtual router balances with HAProxy, which has no UDP",
         "monitor": "the virtual router has no health check policies (only a NetScaler "
                    "provider has them, [cloudstack] lb_provider)"}),
}


def provider(name: str) -> Provider:
    return PROVIDERS[name]


def _refuse(option: str, why: str, where: str = "") -> exc.UnsupportedOption:
    at = f" ({where})" if where else ""
    return exc.UnsupportedOption(f"{option}{at} is not supported by the cloudstack driver: "
                                 f"{why}", option=option, backend=BACKEND)


# -- checks, no I/O ----------------------------------------------------------------------------


def check_member(member: models.Member, field: str = "member") -> None:
    if member.address and not member.server_id:
        raise _refuse("member.address", "CloudStack balances only its own VMs; give server_id",
                      f"{field}.address")
    if member.weight not in (0, 1):
        raise _refuse("member.weight", "CloudStack has no member weights: every VM of a rule "
                                       "takes an equal share", f"{field}.weight")


def check_monitor(monitor: models.HealthMonitor, prov: Provider, protocol: str = "",
                  field: str = "health_monitor") -> None:
    """Refuse what a health check policy of ``prov`` cannot probe on a ``protocol`` listener
    (any listener when it is not known yet)."""
    option = f"monitor:{monitor.type}"
    if not prov.health_checks:
        raise _refuse(option, prov.why_not["monitor"], field)
    if monitor.type == "PING":
        raise _refuse(option, "CloudStack's health check policies probe a member's port "
                              "(TCP or HTTP); there is no ICMP probe", field)
    if protocol == "UDP":
        raise _refuse(option, "CloudStack has no health check policy for UDP rules", field)
    if monitor.type == "HTTP" and protocol and protocol != "HTTP":
        raise _refuse(option, "the NetScaler probes a TCP rule with a TCP connect, not HTTP; "
                              "an HTTP monitor needs an HTTP listener", field)
    if monitor.type == "TCP" and protocol == "HTTP":
        raise _refuse(option, "the NetScaler probes an HTTP rule with an HTTP request; ask "
                              "for an HTTP monitor", field)
    if monitor.expected_codes not in ("", "200"):
        raise _refuse("health_monitor.expected_codes", "CloudStack's health check policy has "
                      "no response codes: the NetScaler's HTTP monitor expects 200",
                      f"{field}.expected_codes")
    low, high = TIMEOUT_RANGE
    if not low <= monitor.timeout_seconds <= high:
        raise exc.InvalidInput(f"CloudStack takes a health check response timeout of "
                               f"{low}-{high} seconds", field=f"{field}.timeout_seconds",
                               backend=BACKEND)


def check_persistence(sp: models.SessionPersistence, protocol: str, field: str) -> None:
    if sp.type in ("HTTP_COOKIE", "APP_COOKIE") and protocol != "HTTP":
        raise _refuse(f"persistence:{sp.type}", "cookie persistence needs an HTTP listener",
                      field)


def check_spec(spec: models.LoadBalancerSpec, prov: Provider) -> None:
    for i, lis in enumerate(spec.listeners):
        field = f"listeners[{i}]"
        if lis.protocol not in prov.protocols:
            raise _refuse(f"protocol:{lis.protocol}", prov.why_not.get(
                f"protocol:{lis.protocol}", "not offered by this provider"), field)
        if prov.name == "Netscaler" and lis.protocol == "HTTPS" and lis.port == 80:
            raise _refuse("protocol:HTTPS", "CloudStack makes every port-80 NetScaler rule an "
                                            "HTTP vserver, which would break TLS pass-through",
                          f"{field}.port")
        pool = lis.pool
        if pool.algorithm not in prov.algorithms:
            raise _refuse(f"algorithm:{pool.algorithm}", prov.why_not.get(
                f"algorithm:{pool.algorithm}", "not offered by this provider"),
                f"{field}.default_pool.algorithm")
        for j, member in enumerate(pool.members):
            where = f"{field}.default_pool.members[{j}]"
            check_member(member, where)
            if member.port != pool.members[0].port:
                raise _refuse(f"{where}.port", "a CloudStack rule has one private port for "
                                               "all its VMs; give every member of a pool the "
                                               "same port")
        if pool.health_monitor is not None:
            check_monitor(pool.health_monitor, prov, lis.protocol,
                          f"{field}.default_pool.health_monitor")
        if pool.session_persistence is not None:
            check_persistence(pool.session_persistence, lis.protocol,
                              f"{field}.default_pool.session_persistence")


def network_capabilities(network: dict) -> dict[str, str] | None:
    """The network's Lb service capabilities as CloudStack lists them; None without Lb."""
    for service in network.get("service") or []:
        if mapping.text(service.get("name")).lower() == "lb":
            return {mapping.text(c.get("name")): mapping.text(c.get("value"))
                    for c in service.get("capability") or []}
    return None


def check_network(spec: models.LoadBalancerSpec, network: dict) -> None:
    """Refuse what the chosen network's own Lb capabilities rule out, when it lists them."""
    caps = network_capabilities(network)
    name = mapping.text(network.get("name"))
    if caps is None:
        raise exc.InvalidInput(f"network {name!r} offers no load balancing (no Lb service)",
                               field="vip_network_id", backend=BACKEND)
    algorithms = {a.strip() for a in caps.get("SupportedLbAlgorithms", "").split(",")
                  if a.strip()}
    for i, lis in enumerate(spec.listeners):
        pool = lis.pool
        if algorithms and ALGORITHMS[pool.algorithm] not in algorithms:
            raise _refuse(f"algorithm:{pool.algorithm}", f"network {name!r} balances with "
                          f"{', '.join(sorted(algorithms))}",
                          f"listeners[{i}].default_pool.algorithm")
        if pool.health_monitor is not None and caps.get("HealthCheckPolicy", "") != "true":
            raise _refuse(f"monitor:{pool.health_monitor.type}",
                          f"network {name!r} has no health check policies (its LB provider "
                          "lacks them)", f"listeners[{i}].default_pool.health_monitor")


def cookie_param(network: dict, prov: Provider) -> str:
    """The AppCookie parameter naming the cookie, as the network's provider lists it."""
    caps = network_capabilities(network) or {}
    try:
        methods = json.loads(caps.get("SupportedStickinessMethods") or "[]")
    except ValueError:
        methods = []
    for method in methods if isinstance(methods, list) else []:
        if isinstance(method, dict) and mapping.text(method.get("methodname")) == "AppCookie":
            names = [mapping.text(p.get("paramname")) for p in method.get("paramlist") or []
                     if isinstance(p, dict)]
            for name in ("name", "cookie-name", "cookiename"):
                if name in names:
                    return name
    return prov.cookie_param


# -- what CloudStack has no field for ------------------------------------------------------------


def describe(**fields: str) -> str:
    return json.dumps({_META: fields}, separators=(",", ":"), sort_keys=True)


def meta(description: object) -> dict[str, str]:
    """What ``describe`` wrote, or {} for a description someone else wrote."""
    try:
        data = json.loads(mapping.text(description))
    except ValueError:
        return {}
    found = data.get(_META) if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


# -- backend objects → models ----------------------------------------------------------------


@dataclasses.dataclass
class RuleView:
    """A rule as read (or as its jobs reported it), with its VMs and policies."""

    rule: dict
    vm_ids: list[str]
    health: dict | None = None
    sticky: dict | None = None


def monitor(policy: dict) -> models.HealthMonitor:
    info = meta(policy.get("description"))
    path = mapping.text(policy.get("pingpath"))
    kind = info.get("type") or ("HTTP" if path not in ("", "/") else "TCP")
    return models.HealthMonitor(
        type=kind, delay_seconds=mapping.number(policy.get("healthcheckinterval")),
        timeout_seconds=mapping.number(policy.get("responsetime")),
        max_retries=mapping.number(policy.get("unhealthcheckthresshold")),
        url_path=path if kind == "HTTP" else "",
        expected_codes=info.get("expected_codes", "200") if kind == "HTTP" else "")


def persistence(policy: dict) -> models.SessionPersistence | None:
    kind = _PERSISTENCE_NAMES.get(mapping.text(policy.get("methodname")).lower())
    if kind is None:
        return None
    params = policy.get("params") or {}
    cookie = mapping.text(params.get("name") or params.get("cookie-name")) \
        if kind == "APP_COOKIE" else ""
    return models.SessionPersistence(type=kind, cookie_name=cookie)


def listener_protocol(rule: dict) -> str:
    """The listener protocol a rule stands for: as asked, else as CloudStack names it."""
    return meta(rule.get("description")).get("protocol") or _PROTOCOL_NAMES.get(
        mapping.text(rule.get("protocol")).lower(), "TCP")


def _listener(view: RuleView) -> tuple[models.Listener, bool]:
    """The listener of a rule, and whether a health check policy watches it (Active)."""
    rule = view.rule
    rule_id = mapping.text(rule.get("id"))
    monitored = view.health is not None and mapping.text(rule.get("state")) == "Active"
    status = "ONLINE" if monitored else "NO_MONITOR"
    port = mapping.number(rule.get("privateport"))
    members = [models.Member(server_id=vm, port=port, weight=1, id=vm,
                             operating_status=status) for vm in view.vm_ids]
    pool = models.Pool(
        algorithm=_ALGORITHM_NAMES.get(mapping.text(rule.get("algorithm")).lower(), ""),
        members=members, id=rule_id,
        health_monitor=monitor(view.health) if view.health is not None else None,
        session_persistence=persistence(view.sticky) if view.sticky is not None else None)
    return models.Listener(protocol=listener_protocol(rule),
                           port=mapping.number(rule.get("publicport")), pool=pool,
                           id=rule_id), monitored


def _provisioning(ip: dict | None, rules: list[dict]) -> str:
    states = {mapping.text(r.get("state")) for r in rules}
    ip_state = mapping.text((ip or {}).get("state"))
    if ip_state == "Releasing" or states & {"Deleting", "Revoke"}:
        return "PENDING_DELETE"
    if ip_state == "Allocating" or states - {"Active"}:
        return "PENDING_UPDATE"
    return "ACTIVE"


def load_balancer(lb_id: str, ip: dict | None, views: list[RuleView]) -> models.LoadBalancer:
    """The load balancer of public IP ``lb_id`` (listed as ``ip`` when read) and its rules."""
    views = sorted(views, key=lambda v: mapping.number(v.rule.get("publicport")))
    rules = [v.rule for v in views]
    first = rules[0] if rules else {}
    info = meta(first.get("description"))
    ip = ip or {}
    listeners, monitored = [], False
    extra = {"public_ip_id": lb_id}
    for view in views:
        listener, watched = _listener(view)
        listeners.append(listener)
        monitored = monitored or watched
        extra[f"rule.{listener.port}"] = listener.id
        extra[f"rule.{listener.port}.protocol"] = mapping.text(
            view.rule.get("protocol")) or "tcp"
    network = mapping.text(first.get("networkid") or ip.get("associatednetworkid"))
    zone = mapping.text(first.get("zoneid") or ip.get("zoneid"))
    if zone:
        extra["zone_id"] = zone
    if network:
        extra["network_id"] = network
    return models.LoadBalancer(
        id=lb_id, name=info.get("lb") or mapping.text(first.get("name")),
        vip_address=mapping.text(first.get("publicip") or ip.get("ipaddress")),
        vip_network_id=network, provisioning_status=_provisioning(ip or None, rules),
        operating_status="ONLINE" if monitored else "NO_MONITOR", listeners=listeners,
        created_at=mapping.timestamp(ip.get("allocated")), extra=extra)
