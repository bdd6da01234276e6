"""Load balancers read back from the NetScaler: nothing is stored anywhere else.

One GET of the lb vservers finds every load balancer (the names carry the
prefix, the id and the port; the comment the name and creation time); per
listener one GET of the service group's members (with their svrstate) and
one of its monitor bindings; one GET per bound monitor of ours. So a load
balancer with one listener costs 3 calls, 4 with a monitor.
"""

from __future__ import annotations

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.netscaler import lb_build
from translator_drivers.netscaler import lb_mapping as mapping
from translator_drivers.netscaler import lb_names as names_mod
from translator_drivers.netscaler.client import NitroClient
from translator_drivers.netscaler.lb_names import Names
from translator_drivers.netscaler.nitro_errors import BACKEND

#: The lb vserver attributes the driver reads (NITRO's ``attrs=`` keeps answers small).
VSERVER_ATTRS = ("name,servicetype,ipv46,port,lbmethod,persistencetype,rule,timeout,comment,"
                 "curstate")
MEMBERS = "servicegroup_servicegroupmember_binding"
MONITOR_BINDINGS = "servicegroup_lbmonitor_binding"


def vservers(client: NitroClient, prefix: str) -> dict[str, dict[int, dict]]:
    """lb id → {port: lb vserver} of every load balancer under ``prefix``."""
    found: dict[str, dict[int, dict]] = {}
    for obj in client.get("lbvserver", params={"attrs": VSERVER_ATTRS}):
        key = names_mod.vserver_key(prefix, str(obj.get("name", "")))
        if key is not None:
            found.setdefault(key[0], {})[key[1]] = obj
    return found


def not_found(lb_id: str) -> exc.NotFound:
    return exc.NotFound(f"load balancer {lb_id!r} not found", backend=BACKEND)


def bound_monitors(client: NitroClient, names: Names, port: int, *,
                   missing_ok: bool = True) -> list[str]:
    """Names of this pool's monitors (ours only) bound to its service group; with
    ``missing_ok`` False, a missing service group is NotFound."""
    try:
        rows = client.get(MONITOR_BINDINGS, names.servicegroup(port))
    except exc.NotFound:
        if not missing_ok:
            raise exc.NotFound(f"pool {names.pool_id(port)!r} not found in load balancer "
                               f"{names.lb_id!r}", backend=BACKEND) from None
        return []
    mine = f"{names.vserver(port)}-"
    return [str(r.get("monitor_name")) for r in rows
            if str(r.get("monitor_name", "")).startswith(mine)]


def pool_members(client: NitroClient, names: Names, port: int) -> list[dict]:
    try:
        return client.get(MEMBERS, names.servicegroup(port))
    except exc.NotFound:  # the service group is gone: a half-deleted load balancer
        return []


def _monitor(client: NitroClient, name: str) -> models.HealthMonitor | None:
    try:
        found = client.get("lbmonitor", name)
    except exc.NotFound:
        return None
    return mapping.health_monitor(found[0]) if found else None


def _listener(client: NitroClient, names: Names, port: int, vs: dict) -> models.Listener:
    monitor = None
    for name in bound_monitors(client, names, port)[:1]:
        monitor = _monitor(client, name)
    watched = monitor is not None
    members = [mapping.member(row, watched, names_mod.member_id(str(row.get("ip", "")),
                                                                int(row.get("port", 0))))
               for row in pool_members(client, names, port)]
    pool = models.Pool(algorithm=mapping.ALGORITHM_OF.get(str(vs.get("lbmethod", "")).upper(),
                                                          "ROUND_ROBIN"),
                       members=members, health_monitor=monitor,
                       session_persistence=mapping.session_persistence(vs),
                       id=names.pool_id(port))
    protocol = mapping.PROTOCOL_OF.get(str(vs.get("servicetype", "")).upper(), "TCP")
    return models.Listener(protocol=protocol, port=port, pool=pool, id=names.listener_id(port))


def load(client: NitroClient, names: Names, by_port: dict[int, dict]) -> models.LoadBalancer:
    """The load balancer whose lb vservers are ``by_port``."""
    ports = sorted(by_port)
    listeners = [_listener(client, names, port, by_port[port]) for port in ports]
    first = by_port[ports[0]]
    name, created = names_mod.parse_comment(str(first.get("comment", "")))
    return models.LoadBalancer(
        id=names.lb_id, name=name, vip_address=str(first.get("ipv46", "")),
        operating_status=mapping.operating_status([lis.pool for lis in listeners]),
        listeners=listeners, created_at=created, extra=lb_build.extra(names, ports))
