"""What the netscaler load balancing driver supports, as data.

Option names follow the ``kind:VALUE`` scheme every load balancing driver
uses: ``protocol:``, ``algorithm:``, ``monitor:`` and ``persistence:`` with
the proto's value names, plus request fields such as ``member.server_id``.
"""

from __future__ import annotations

from translator.drivers import models
from translator_drivers.netscaler.lb_mapping import MAX_WEIGHT

_OPERATIONS = {
    "CreateLoadBalancer": "per listener an lb vserver on the VIP, a service group of "
                          "members (one bulk bind) and optionally an lbmonitor; synchronous, "
                          "and a failure removes what was made",
    "GetLoadBalancer": "read back from the lb vservers, service group bindings and monitors",
    "ListLoadBalancers": "the lb vservers whose names carry [netscaler] name_prefix",
    "DeleteLoadBalancer": "removes lb vservers, service groups (with their bindings) and "
                          "monitors; already gone counts as done",
    "AddMember": "binds ip:port to the pool's service group",
    "RemoveMember": "unbinds ip:port; the member id is ip:port ([ip]:port for IPv6)",
    "UpdateMember": f"sets the member's weight on its service group (1-{MAX_WEIGHT})",
    "SetHealthMonitor": "updates the pool's lbmonitor in place, or binds one of the new type "
                        "before removing the old one",
    "DeleteHealthMonitor": "unbinds and removes the pool's lbmonitor",
}

_MONITOR_OPTIONS = [
    models.OptionSupport("monitor:PING", True, "lbmonitor type PING"),
    models.OptionSupport("monitor:TCP", True, "lbmonitor type TCP"),
    models.OptionSupport("monitor:HTTP", True, "lbmonitor type HTTP: httprequest \"GET "
                                               "<url_path>\", respcode from expected_codes; "
                                               "over TLS on HTTPS pools"),
]

_MEMBER_OPTIONS = [
    models.OptionSupport("member.address", True, "service group member by IP and port"),
    models.OptionSupport("member.server_id", False, "NetScaler knows no Compute servers"),
    models.OptionSupport("member.weight", True, f"1-{MAX_WEIGHT} (NetScaler's range)"),
]

_CREATE_OPTIONS = [
    models.OptionSupport("protocol:TCP", True, "lb vserver type TCP"),
    models.OptionSupport("protocol:HTTP", True, "lb vserver type HTTP"),
    models.OptionSupport("protocol:HTTPS", True, "TLS pass-through: lb vserver type "
                                                 "SSL_BRIDGE, nothing decrypted (no "
                                                 "certificate needed)"),
    models.OptionSupport("protocol:UDP", True, "lb vserver type UDP"),
    models.OptionSupport("algorithm:ROUND_ROBIN", True, "lbmethod ROUNDROBIN"),
    models.OptionSupport("algorithm:LEAST_CONNECTIONS", True, "lbmethod LEASTCONNECTION"),
    models.OptionSupport("algorithm:SOURCE_IP", True, "lbmethod SOURCEIPHASH"),
    *_MONITOR_OPTIONS,
    models.OptionSupport("persistence:SOURCE_IP", True, "persistencetype SOURCEIP"),
    models.OptionSupport("persistence:HTTP_COOKIE", True, "persistencetype COOKIEINSERT; "
                                                          "HTTP listeners only"),
    models.OptionSupport("persistence:APP_COOKIE", True, "persistencetype RULE on the "
                                                         "application's cookie (request "
                                                         "cookie, Set-Cookie in responses); "
                                                         "HTTP listeners only"),
    models.OptionSupport("vip_address", True, "required: the lb vservers' ipv46"),
    models.OptionSupport("vip_network_id", False, "NetScaler takes no address from a "
                                                  "network; give vip_address"),
    *_MEMBER_OPTIONS,
]

_OPTIONS = {"CreateLoadBalancer": _CREATE_OPTIONS, "AddMember": _MEMBER_OPTIONS,
            "SetHealthMonitor": _MONITOR_OPTIONS}


def capabilities() -> models.ApiCapabilities:
    return models.ApiCapabilities(
        api="load_balancing", driver="netscaler",
        operations=[models.OperationSupport(name, True, note, list(_OPTIONS.get(name, [])))
                    for name, note in _OPERATIONS.items()],
        notes=[
            "Citrix NetScaler over NITRO REST: per listener one lb vserver, one service "
            "group and at most one lbmonitor, named <name_prefix><lb id>-<port>[-pool|-<type>].",
            "The driver keeps no state: the load balancer's name and creation time live in "
            "the lb vservers' comments.",
            "HTTPS listeners are TLS pass-through (SSL_BRIDGE), as Octavia's HTTPS; TLS "
            "termination (TERMINATED_HTTPS) would need a certificate and is not offered.",
            "Monitor timeout_seconds must be shorter than delay_seconds (NetScaler's rule).",
            "Members bound by IP make NetScaler create a server entity named after the IP; "
            "it may be shared with other service groups, so the driver leaves it in place.",
            "Operating status comes from the members' svrstate: ONLINE all up, DEGRADED some, "
            "OFFLINE none, NO_MONITOR where no monitor watches the pool.",
        ])
