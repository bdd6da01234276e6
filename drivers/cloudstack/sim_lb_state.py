"""The CloudStack simulator's load balancing state: public IP ranges, rules, their VMs,
health check and stickiness policies, and the LB provider of each guest network.

The resources render as CloudStack 4.x responses (IPAddressResponse,
LoadBalancerResponse, LBHealthCheckPolicyResponse, LBStickinessPolicyResponse);
``sim_lb`` holds the commands. Everything runs under the simulator's one lock.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
from typing import Any

from translator_drivers.cloudstack.sim_models import OWNER, VM, Network, Zone, stable_id

#: Public IP ranges per zone name: addresses .10 to .250 are handed out.
PUBLIC_RANGES = {"zone-basic": "198.51.100.0/24", "zone-advanced": "203.0.113.0/24"}
_FIRST_HOST, _LAST_HOST = 10, 250

@dataclasses.dataclass(frozen=True)
class LbProvider:
    """What one LB provider of CloudStack offers (its Lb service capabilities).

    ``methods``: stickiness method → its parameters as (name, required).
    """

    name: str
    algorithms: tuple[str, ...]
    protocols: str
    health_checks: bool
    methods: dict[str, tuple[tuple[str, bool], ...]]
    udp: bool = True

    def capabilities(self) -> list[dict[str, str]]:
        """The ``capability`` list of the network's Lb service in listNetworks."""
        methods = [{"methodname": name, "paramlist": [
            {"paramname": param, "required": required, "isflag": False, "description": ""}
            for param, required in params], "description": ""}
            for name, params in self.methods.items()]
        caps = [{"name": "SupportedLbAlgorithms", "value": ",".join(self.algorithms)},
                {"name": "SupportedProtocols", "value": self.protocols},
                {"name": "SupportedStickinessMethods", "value": json.dumps(methods)}]
        if self.health_checks:
            caps.append({"name": "HealthCheckPolicy", "value": "true"})
        return caps


PROVIDERS = {
    # VirtualRouterElement: HAProxy; NetworkHelperImpl.validateHAProxyLBRule refuses UDP.
    "VirtualRouter": LbProvider(
        "VirtualRouter", ("roundrobin", "leastconn", "source"), "tcp, udp, tcp-proxy", False,
        {"LbCookie": (("cookie-name", False), ("mode", False), ("nocache", False),
                      ("indirect", False), ("postonly", False), ("domain", False)),
         "AppCookie": (("cookie-name", False), ("length", False), ("holdtime", False),
                       ("request-learn", False), ("prefix", False), ("mode", False)),
         "SourceBased": (("tablesize", False), ("expire", False))}, udp=False),
    # NetscalerElement: elastic LB in a basic zone, health checks through lbmonitors.
    "Netscaler": LbProvider(
        "Netscaler", ("roundrobin", "leastconn"), "tcp,udp", True,
        {"LbCookie": (("holdtime", False),), "AppCookie": (("name", True),),
         "SourceBased": (("holdtime", False),)}),
}


@dataclasses.dataclass(eq=False)
class PublicIp:
    id: str
    address: str
    zone: Zone
    vlan_id: str
    vlan_name: str
    public_network_id: str
    physical_network_id: str
    state: str = "Free"
    network: Network | None = None
    allocated: str | None = None

    def render(self) -> dict[str, Any]:
        """The listPublicIpAddresses / associateIpAddress job-result shape."""
        view: dict[str, Any] = {"id": self.id, "ipaddress": self.address}
        if self.allocated is not None:
            view["allocated"] = self.allocated
        view.update(zoneid=self.zone.id, zonename=self.zone.name, issourcenat=False)
        if self.allocated is not None:
            view.update(OWNER)
        view.update(forvirtualnetwork=True, vlanid=self.vlan_id, vlanname=self.vlan_name,
                    isstaticnat=False, issystem=False)
        if self.network is not None:
            view.update(associatednetworkid=self.network.id,
                        associatednetworkname=self.network.name)
        view.update(networkid=self.public_network_id, state=self.state,
                    physicalnetworkid=self.physical_network_id, tags=[])
        return view


@dataclasses.dataclass(eq=False)
class HealthPolicy:
    id: str
    rule: LbRule
    pingpath: str
    description: str | None
    responsetime: int
    interval: int
    healthy: int
    unhealthy: int
    revoked: bool = False

    def render(self) -> dict[str, Any]:
        view: dict[str, Any] = {"id": self.id, "pingpath": self.pingpath}
        if self.description is not None:
            view["description"] = self.description
        if self.revoked:
            view["state"] = "Revoked"
        view.update(responsetime=self.responsetime, healthcheckinterval=self.interval,
                    healthcheckthresshold=self.healthy, unhealthcheckthresshold=self.unhealthy,
                    fordisplay=True)
        return view


@dataclasses.dataclass(eq=False)
class StickyPolicy:
    id: str
    rule: LbRule
    name: str
    method: str
    params: dict[str, str]
    description: str | None
    revoked: bool = False

    def render(self) -> dict[str, Any]:
        view: dict[str, Any] = {"id": self.id, "name": self.name, "methodname": self.method}
        if self.description is not None:
            view["description"] = self.description
        if self.revoked:
            view["state"] = "Revoked"
        view.update(fordisplay=True, params=dict(self.params))
        return view


@dataclasses.dataclass(eq=False)
class LbRule:
    id: str
    name: str
    description: str | None
    ip: PublicIp
    network: Network
    public_port: int
    private_port: int
    algorithm: str
    protocol: str | None
    state: str = "Add"
    vms: dict[str, VM] = dataclasses.field(default_factory=dict)
    health: list[HealthPolicy] = dataclasses.field(default_factory=list)
    sticky: list[StickyPolicy] = dataclasses.field(default_factory=list)

    def members(self) -> list[VM]:
        return [vm for vm in self.vms.values() if not vm.removed]

    def render(self) -> dict[str, Any]:
        """The LoadBalancerResponse shape (listLoadBalancerRules, the create job result)."""
        view: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.description is not None:
            view["description"] = self.description
        view.update(publicipid=self.ip.id, publicip=self.ip.address,
                    publicport=str(self.public_port), privateport=str(self.private_port),
                    algorithm=self.algorithm, networkid=self.network.id, cidrlist="", **OWNER,
                    state="Deleting" if self.state == "Revoke" else self.state,
                    zoneid=self.ip.zone.id, zonename=self.ip.zone.name)
        if self.protocol is not None:
            view["protocol"] = self.protocol
        view.update(tags=[], fordisplay=True)
        return view

    def policy_owner(self) -> dict[str, Any]:
        return {"lbruleid": self.id, **OWNER}


def nic_ip(vm: VM, network: Network) -> str | None:
    return next((n.ipaddress for n in vm.nics if n.network is network), None)


class LbState:
    """Public IPs, rules and policies of the simulated cloud, and each network's provider."""

    def __init__(self) -> None:
        self.ips: dict[str, PublicIp] = {}  # every address of every range, Free ones too
        self.rules: dict[str, LbRule] = {}  # insertion-ordered: the listing order
        self.health: dict[str, HealthPolicy] = {}
        self.sticky: dict[str, StickyPolicy] = {}
        self.providers: dict[str, LbProvider] = {}  # network id → its LB provider

    def seed(self, zones: list[Zone], networks: list[Network]) -> None:
        for zone in zones:
            cidr = PUBLIC_RANGES.get(zone.name)
            if cidr is None:
                continue
            net = ipaddress.ip_network(cidr)
            vlan = "untagged" if zone.basic else "100"
            for host in range(_FIRST_HOST, _LAST_HOST + 1):
                address = str(net.network_address + host)
                ip = PublicIp(stable_id("publicip", address), address, zone,
                              stable_id("vlan", zone.name), vlan,
                              stable_id("publicnetwork", zone.name),
                              stable_id("phys", zone.name))
                self.ips[ip.id] = ip
        for network in networks:
            if network.zone.basic and network.type == "Shared":
                self.set_provider(network, "Netscaler")
            elif network.type == "Isolated":
                self.set_provider(network, "VirtualRouter")

    def set_provider(self, network: Network, provider: str | None) -> None:
        """Balance ``network`` through ``provider`` (None: it offers no Lb service)."""
        services = [s for s in network.view["service"] if s.get("name") != "Lb"]
        if provider is None:
            self.providers.pop(network.id, None)
        else:
            self.providers[network.id] = PROVIDERS[provider]
            services.append({"name": "Lb", "capability": PROVIDERS[provider].capabilities()})
        network.view["service"] = services

    def forget_vm(self, vm_id: str) -> None:
        """An expunged VM leaves every rule (CloudStack removes its lb_vm_map rows)."""
        for rule in self.rules.values():
            rule.vms.pop(vm_id, None)

    def remove_rule(self, rule: LbRule) -> None:
        self.rules.pop(rule.id, None)
        for policy in rule.health:
            self.health.pop(policy.id, None)
        for sticky in rule.sticky:
            self.sticky.pop(sticky.id, None)
        rule.vms.clear()

    def release(self, ip: PublicIp) -> None:
        for rule in [r for r in self.rules.values() if r.ip is ip]:
            self.remove_rule(rule)
        ip.state, ip.network, ip.allocated = "Free", None, None
