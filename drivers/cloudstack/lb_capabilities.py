"""What the CloudStack load balancing driver supports, as data.

Option names follow the ``kind:VALUE`` scheme every load balancing driver uses
(``protocol:``, ``algorithm:``, ``monitor:``, ``persistence:`` with the proto's
value names) plus request fields such as ``member.server_id``. What is supported
depends on ``[cloudstack] lb_provider``.
"""

from __future__ import annotations

from translator.drivers import models
from translator_drivers.cloudstack.lb_mapping import ALGORITHMS, Provider

_OPERATIONS = {
    "CreateLoadBalancer": "associateIpAddress, then one createLoadBalancerRule per listener, "
                          "then per rule one assignToLoadBalancerRule (up to 100 VMs a call) "
                          "and the policies asked for; each step an async job, and a failed "
                          "step deletes the rules and releases the IP before the operation "
                          "fails",
    "GetLoadBalancer": "listPublicIpAddresses, listLoadBalancerRules, and per rule "
                       "listLoadBalancerRuleInstances, listLBHealthCheckPolicies and "
                       "listLBStickinessPolicies",
    "ListLoadBalancers": "the public IPs carrying load balancer rules "
                         "(listPublicIpAddresses forloadbalancing), paged by CloudStack",
    "DeleteLoadBalancer": "deleteLoadBalancerRule for every rule (its VMs and policies go "
                          "with it), then disassociateIpAddress",
    "AddMember": "assignToLoadBalancerRule of one VM, on the rule's private port",
    "RemoveMember": "removeFromLoadBalancerRule; the member id is the VM id",
    "UpdateMember": "only weight 1: CloudStack has no member weights, so any other weight is "
                    "refused and weight 1 changes nothing",
    "SetHealthMonitor": "deleteLBHealthCheckPolicy of the old policy, then "
                        "createLBHealthCheckPolicy",
    "DeleteHealthMonitor": "deleteLBHealthCheckPolicy",
}

_PROTOCOL_NOTES = {
    "TCP": "rule protocol tcp",
    "UDP": "rule protocol udp",
    "HTTP": "rule protocol {http}: HTTP passes through the rule unchanged (no "
            "X-Forwarded-For header is added)",
    "HTTPS": "TLS pass-through, as Octavia's HTTPS: rule protocol tcp, nothing decrypted "
             "(termination would need a certificate on the provider and is not offered)",
}


def _monitor_options(prov: Provider) -> list[models.OptionSupport]:
    if not prov.health_checks:
        why = prov.why_not["monitor"]
        return [models.OptionSupport(f"monitor:{kind}", False, why)
                for kind in ("PING", "TCP", "HTTP")]
    return [
        models.OptionSupport("monitor:PING", False, "CloudStack's health check policies have "
                                                    "no ICMP probe"),
        models.OptionSupport("monitor:TCP", True,
                             "createLBHealthCheckPolicy on a TCP or HTTPS listener: the "
                             "NetScaler connects to each member's port every delay_seconds "
                             "(intervaltime), waits timeout_seconds (responsetimeout, 2-60), "
                             "marks it down after max_retries failures "
                             "(unhealthythreshold)"),
        models.OptionSupport("monitor:HTTP", True,
                             "createLBHealthCheckPolicy with pingpath = url_path on an HTTP "
                             "listener; the NetScaler expects 200, so expected_codes is "
                             "empty or 200"),
    ]


_MEMBER_OPTIONS = [
    models.OptionSupport("member.address", False,
                         "CloudStack balances only its own VMs; give server_id"),
    models.OptionSupport("member.server_id", True,
                         "a CloudStack VM id (a server of the cloudstack compute driver) "
                         "with a NIC in the load balancer's network; every member of a pool "
                         "on the same port (the rule's one private port)"),
    models.OptionSupport("member.weight", False,
                         "CloudStack has no member weights; only weight 1 is accepted"),
]


def capabilities(prov: Provider) -> models.ApiCapabilities:
    protocols = [models.OptionSupport(
        f"protocol:{name}", name in prov.protocols,
        _PROTOCOL_NOTES[name].format(http=prov.protocols.get("HTTP", "tcp"))
        if name in prov.protocols else prov.why_not.get(f"protocol:{name}", ""))
        for name in ("TCP", "UDP", "HTTP", "HTTPS")]
    algorithms = [models.OptionSupport(
        f"algorithm:{name}", name in prov.algorithms,
        f"algorithm {value}" if name in prov.algorithms else prov.why_not.get(
            f"algorithm:{name}", ""))
        for name, value in ALGORITHMS.items()]
    cookie = f"AppCookie with param {prov.cookie_param} = cookie_name; HTTP listeners only"
    persistence = [
        models.OptionSupport("persistence:SOURCE_IP", True,
                             "createLBStickinessPolicy methodname SourceBased"),
        models.OptionSupport("persistence:HTTP_COOKIE", True,
                             "createLBStickinessPolicy methodname LbCookie; HTTP listeners "
                             "only"),
        models.OptionSupport("persistence:APP_COOKIE", True,
                             f"createLBStickinessPolicy methodname {cookie}"),
    ]
    vip = [
        models.OptionSupport("vip_address", True,
                             "a free public IP of the network's zone, taken with "
                             "associateIpAddress(ipaddress) (CloudStack 4.13 or later); an "
                             "address that is not free is refused"),
        models.OptionSupport("vip_network_id", True,
                             "the guest network (id or name) the public IP is associated "
                             "with; default [cloudstack] lb_network"),
    ]
    monitors = _monitor_options(prov)
    options = {
        "CreateLoadBalancer": [*protocols, *algorithms, *monitors, *persistence, *vip,
                               *_MEMBER_OPTIONS],
        "AddMember": list(_MEMBER_OPTIONS),
        "UpdateMember": [_MEMBER_OPTIONS[2]],
        "SetHealthMonitor": list(monitors),
    }
    return models.ApiCapabilities(
        api="load_balancing", driver="cloudstack",
        operations=[models.OperationSupport(
            name, name not in ("SetHealthMonitor", "DeleteHealthMonitor")
            or prov.health_checks, note if name not in ("SetHealthMonitor",
                                                        "DeleteHealthMonitor")
            or prov.health_checks else prov.why_not["monitor"], options.get(name, []))
            for name, note in _OPERATIONS.items()],
        notes=[
            f"Apache CloudStack load balancer rules balanced by its {prov.name} provider "
            "([cloudstack] lb_provider): a load balancer is a public IP (its id is the IP's "
            "id), each listener a rule on it (listener and pool ids are the rule id), each "
            "member a VM (member id = VM id).",
            "A CloudStack rule has one private port: all members of a pool share a port.",
            "CloudStack reports no member health: members are NO_MONITOR without a health "
            "check policy, and ONLINE while a policy watches an active rule.",
            "With the NetScaler provider CloudStack makes a rule an HTTP vserver when its "
            "protocol is http, its public port is 80 or it has cookie persistence; such a "
            "rule is probed with HTTP GET of the policy's path (/ for a TCP monitor), other "
            "TCP rules with a TCP connect.",
            "Before making anything the driver also checks the network's own Lb "
            "capabilities as CloudStack lists them (algorithms, health check policies).",
            "A load balancer is listed and found only once its rules exist: while its "
            "public IP is being associated, GetLoadBalancer answers NOT_FOUND.",
            "The load balancer's name and each listener's protocol are kept in the rules' "
            "descriptions, a monitor's type in its policy's description.",
        ])
