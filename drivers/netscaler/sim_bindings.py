"""Bindings of the simulated NetScaler: service group members, service groups on
vservers, monitors on service groups.

NITRO addresses a binding by the object it hangs on (``/config/<binding>/<name>``) and
picks one bound entity with ``?args=`` on DELETE:

- ``servicegroup_servicegroupmember_binding/<sg>?args=ip:10.0.0.1,port:80`` (or
  ``servername:<server>,port:80``); ``ip`` and ``servername`` together answer 1092
  "Arguments cannot both be specified [serverName, IP]" as the appliance does.
- ``lbvserver_servicegroup_binding/<vserver>?args=servicegroupname:<sg>``
- ``servicegroup_lbmonitor_binding/<sg>?args=monitor_name:<monitor>``

Binding what does not exist answers 258 naming the argument; binding twice answers 273
(2133 "The monitor is already bound to the service" for a monitor). A GET of the
bindings of an object that has none answers Done with no binding list at all, as NITRO
does; of an object that does not exist, 258.
"""

from __future__ import annotations

from typing import Any

from translator_drivers.netscaler import sim_errors as err
from translator_drivers.netscaler import sim_schema as schema
from translator_drivers.netscaler.sim_store import ConfigStore

MEMBERS = "servicegroup_servicegroupmember_binding"
VSERVER_GROUPS = "lbvserver_servicegroup_binding"
GROUP_MONITORS = "servicegroup_lbmonitor_binding"
BINDING_TYPES = (MEMBERS, VSERVER_GROUPS, GROUP_MONITORS)
#: The object type each binding hangs on.
OWNER = {MEMBERS: "servicegroup", VSERVER_GROUPS: "lbvserver", GROUP_MONITORS: "servicegroup"}


def bind(store: ConfigStore, resource: str, given: Any, now: float) -> None:
    if resource == VSERVER_GROUPS and isinstance(given, dict) and given.get("servicename"):
        if given.get("servicegroupname"):
            raise err.NitroError(err.ARGS_MUTEX, "serviceName, serviceGroupName")
        raise err.not_found("servicename", given["servicename"])  # services: not simulated
    if resource == MEMBERS and isinstance(given, dict) \
            and given.get("ip") and given.get("servername"):
        raise err.NitroError(err.ARGS_MUTEX, "serverName, IP")
    attrs = schema.validate(schema.SPECS[resource], given)
    if resource == MEMBERS:
        _bind_member(store, attrs, now)
    elif resource == VSERVER_GROUPS:
        store.require("lbvserver", attrs["name"])
        group = attrs["servicegroupname"]
        store.require("servicegroup", group, "servicegroupname")
        groups = store.vs_groups.setdefault(attrs["name"], [])
        if group in groups:
            raise err.exists("servicegroupname", group)
        groups.append(group)
    else:
        group = attrs["servicegroupname"]
        store.require("servicegroup", group)
        monitor = attrs["monitor_name"]
        store.require("lbmonitor", monitor, "monitor_name")
        bound = store.sg_monitors.setdefault(group, {})
        if monitor in bound:
            raise err.NitroError(err.MONITOR_BOUND)
        bound[monitor] = attrs


def _bind_member(store: ConfigStore, attrs: dict[str, Any], now: float) -> None:
    group = attrs["servicegroupname"]
    store.require("servicegroup", group)
    servers = store.objects["server"]
    if attrs.get("servername"):
        server = store.require("server", attrs["servername"], "serverName")
    elif attrs.get("ip"):
        server = next((s for s in servers.values() if s.get("ipaddress") == attrs["ip"]),
                      None)
        if server is None:  # NetScaler names the server it creates after the IP
            server = servers.setdefault(attrs["ip"], {"name": attrs["ip"],
                                                      "ipaddress": attrs["ip"]})
    else:
        raise err.missing("ip")
    key = (server["name"], attrs["port"])
    members = store.members.setdefault(group, {})
    if key in members:
        raise err.exists("servername", f"{server['name']}:{attrs['port']}")
    members[key] = {**attrs, "servername": server["name"],
                    "ip": server.get("ipaddress") or server.get("domain"), "bound_at": now}


def unbind(store: ConfigStore, resource: str, name: str, args: dict[str, str]) -> None:
    store.require(OWNER[resource], name)
    if resource == MEMBERS:
        if "port" not in args:
            raise err.missing("port")
        port = schema.validate(schema.MEMBER_BINDING, {"servicegroupname": name,
                                                       "port": args["port"]})["port"]
        members = store.members.get(name, {})
        if args.get("servername"):
            key = (args["servername"], port)
        elif args.get("ip"):
            key = next((k for k, m in members.items()
                        if m["ip"] == args["ip"] and m["port"] == port), None)
        else:
            raise err.missing("ip")
        if key not in members:
            raise err.not_found("servername" if args.get("servername") else "ip",
                                args.get("servername") or args.get("ip"))
        del members[key]
    elif resource == VSERVER_GROUPS:
        group = args.get("servicegroupname")
        if not group:
            raise err.missing("servicegroupname")
        groups = store.vs_groups.get(name, [])
        if group not in groups:
            raise err.not_found("servicegroupname", group)
        groups.remove(group)
    else:
        monitor = args.get("monitor_name")
        if not monitor:
            raise err.missing("monitor_name")
        if monitor not in store.sg_monitors.get(name, {}):
            raise err.not_found("monitor_name", monitor)
        del store.sg_monitors[name][monitor]


def _render(store: ConfigStore, resource: str, owner: str, now: float) -> list[dict]:
    if resource == MEMBERS:
        out = []
        for member, state in store.member_states(owner, now):
            row = schema.render(schema.MEMBER_BINDING,
                                {k: v for k, v in member.items() if k != "bound_at"})
            row.update(svrstate=state, graceful="NO", delay="0")
            out.append(row)
        return out
    if resource == VSERVER_GROUPS:
        return [{"name": owner, "servicegroupname": group}
                for group in store.vs_groups.get(owner, [])]
    return [schema.render(schema.GROUP_MONITOR_BINDING, attrs)
            for attrs in store.sg_monitors.get(owner, {}).values()]


def get(store: ConfigStore, resource: str, name: str | None, now: float) -> list[dict]:
    """Bindings of one object (258 when it does not exist), or of every object."""
    owner_type = OWNER[resource]
    if name is not None:
        store.require(owner_type, name)
        return _render(store, resource, name, now)
    return [row for owner in store.objects[owner_type]
            for row in _render(store, resource, owner, now)]
