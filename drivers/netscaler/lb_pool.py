"""Changes to one pool of a load balancer: members (service group member bindings) and
its health monitor (an lbmonitor bound to the service group).

A pool id names its service group (``<lb>-<port>-pool``), a member id its
``ip:port``; an id that cannot be one is NotFound without any call.
"""

from __future__ import annotations

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.netscaler import lb_checks as checks
from translator_drivers.netscaler import lb_mapping as mapping
from translator_drivers.netscaler import lb_read as read
from translator_drivers.netscaler.client import NitroClient
from translator_drivers.netscaler.lb_names import Names, member_id, parse_member_id
from translator_drivers.netscaler.nitro_errors import BACKEND


def port_of(names: Names, pool_id: str) -> int:
    port = names.port_of_pool(pool_id)
    if port is None:
        raise exc.NotFound(f"pool {pool_id!r} not found in load balancer {names.lb_id!r}",
                           backend=BACKEND)
    return port


def _member_key(member: str) -> tuple[str, int]:
    key = parse_member_id(member)
    if key is None:
        raise exc.NotFound(f"member {member!r} not found (member ids are ip:port)",
                           backend=BACKEND)
    return key


def _find(client: NitroClient, names: Names, port: int, ip: str, member_port: int) -> dict:
    for row in read.pool_members(client, names, port):
        if str(row.get("ip")) == ip and int(row.get("port", 0)) == member_port:
            return row
    raise exc.NotFound(f"member {member_id(ip, member_port)!r} not found in pool "
                       f"{names.pool_id(port)!r}", backend=BACKEND)


def add_member(client: NitroClient, names: Names, pool_id: str, member: models.Member) -> None:
    """Bind ip:port; AlreadyExists when the pool has it (as Octavia's 409)."""
    port = port_of(names, pool_id)
    binding = mapping.member_binding(names.servicegroup(port), member)
    try:
        client.add(read.MEMBERS, binding)
    except exc.AlreadyExists as error:
        raise exc.AlreadyExists(
            f"member {member_id(binding['ip'], binding['port'])!r} is already in pool "
            f"{pool_id!r}; use UpdateMember to change its weight",
            operator_message=error.operator_message, backend=BACKEND,
            backend_code=error.backend_code) from error
    except exc.NotFound as error:
        raise exc.NotFound(f"pool {pool_id!r} not found in load balancer {names.lb_id!r}",
                           operator_message=error.operator_message, backend=BACKEND,
                           backend_code=error.backend_code) from error


def remove_member(client: NitroClient, names: Names, pool_id: str, member: str) -> None:
    """Unbind ip:port; NotFound when the pool does not have it (as Octavia's 404)."""
    port = port_of(names, pool_id)
    ip, member_port = _member_key(member)
    _find(client, names, port, ip, member_port)
    client.delete(read.MEMBERS, names.servicegroup(port), args={"ip": ip, "port": member_port})


def update_member(client: NitroClient, names: Names, pool_id: str, member: str,
                  weight: int) -> None:
    """``set serviceGroup <sg> <server> <port> -weight N``: NITRO's PUT servicegroup with
    the member's server name and port, which changes the weight in place."""
    checks.weight(weight)
    port = port_of(names, pool_id)
    ip, member_port = _member_key(member)
    row = _find(client, names, port, ip, member_port)
    group = names.servicegroup(port)
    client.update("servicegroup", {"servicegroupname": group,
                                   "servername": str(row.get("servername") or ip),
                                   "port": member_port, "weight": weight},
                  what=f"set servicegroup {group} member weight")


def _servicetype(client: NitroClient, names: Names, port: int, pool_id: str) -> str:
    try:
        found = client.get("servicegroup", names.servicegroup(port),
                           params={"attrs": "servicegroupname,servicetype"})
    except exc.NotFound:
        found = []
    if not found:
        raise exc.NotFound(f"pool {pool_id!r} not found in load balancer {names.lb_id!r}",
                           backend=BACKEND)
    return str(found[0].get("servicetype", "")).upper()


def _unbind_and_remove(client: NitroClient, names: Names, port: int, monitor: str) -> None:
    client.delete(read.MONITOR_BINDINGS, names.servicegroup(port),
                  args={"monitor_name": monitor})
    kind = monitor.rsplit("-", 1)[-1].upper()
    client.delete("lbmonitor", monitor, args={"type": kind} if kind in mapping.MONITORS
                  else None)


def set_health_monitor(client: NitroClient, names: Names, pool_id: str,
                       monitor: models.HealthMonitor) -> None:
    """The same type: the lbmonitor is updated in place. Another type: the new one is
    made and bound before the old one goes, so the pool is never unwatched."""
    port = port_of(names, pool_id)
    secure = _servicetype(client, names, port, pool_id) == mapping.PROTOCOLS["HTTPS"]
    new_name = names.monitor(port, monitor.type)
    obj = mapping.monitor(new_name, monitor, secure=secure)
    current = read.bound_monitors(client, names, port)
    if new_name in current:
        client.update("lbmonitor", obj, what=f"set lbmonitor {new_name}")
    else:
        try:
            client.add("lbmonitor", obj, what=f"add lbmonitor {new_name}")
        except exc.AlreadyExists:  # left unbound by an earlier call that failed midway
            client.update("lbmonitor", obj, what=f"set lbmonitor {new_name}")
        try:
            client.add(read.MONITOR_BINDINGS, {"servicegroupname": names.servicegroup(port),
                                               "monitor_name": new_name})
        except BaseException:
            client.delete("lbmonitor", new_name, args={"type": obj["type"]})
            raise
    for old in current:
        if old != new_name:
            _unbind_and_remove(client, names, port, old)


def delete_health_monitor(client: NitroClient, names: Names, pool_id: str) -> None:
    """Unbind and remove the pool's monitor; NotFound when it has none (as Octavia's 404)."""
    port = port_of(names, pool_id)
    monitors = read.bound_monitors(client, names, port, missing_ok=False)
    if not monitors:
        raise exc.NotFound(f"pool {pool_id!r} has no health monitor", backend=BACKEND)
    for old in monitors:
        _unbind_and_remove(client, names, port, old)
