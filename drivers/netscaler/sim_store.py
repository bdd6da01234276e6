"""The configuration of the simulated NetScaler: lbvserver, servicegroup, server,
lbmonitor objects, their bindings (``sim_bindings``), and GET renderings with live states.

Referential rules kept from the appliance:

- Creating an object whose name exists: 273 "Resource already exists [name, x]".
- Removing an lbvserver unbinds its service groups; removing a service group unbinds it
  from vservers and drops its members and monitor bindings (both are allowed on a
  NetScaler: ``rm lb vserver`` / ``rm serviceGroup`` do not refuse bound entities).
- A monitor bound to a service group cannot be removed: 2131 "Monitor must be unbound
  before it can be deleted"; built-in monitors: 2132.
- Binding a member by IP creates a ``server`` object named after the IP when no server
  has that address, as NetScaler does; it stays after the member or group is removed
  (a real leftover: remove it with DELETE /config/server/<ip>). Removing a server removes
  the service group members that use it.

Not the caller's concern: all methods run under the simulator's lock.
"""

from __future__ import annotations

import copy
from typing import Any

from translator_drivers.netscaler import sim_errors as err
from translator_drivers.netscaler import sim_health as health
from translator_drivers.netscaler import sim_schema as schema

OBJECT_TYPES = ("lbvserver", "servicegroup", "server", "lbmonitor")
HTTP_MONITOR_TYPES = ("HTTP", "HTTP-ECV", "HTTP-INLINE")


class ConfigStore:
    def __init__(self, health_interval: float) -> None:
        self.health_interval = health_interval
        self.book = health.HealthBook()
        self.objects: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in OBJECT_TYPES}
        #: servicegroup -> {(servername, port): member attributes}
        self.members: dict[str, dict[tuple[str, int], dict[str, Any]]] = {}
        #: lbvserver -> bound service group names, in binding order
        self.vs_groups: dict[str, list[str]] = {}
        #: servicegroup -> {monitor name: binding attributes}
        self.sg_monitors: dict[str, dict[str, dict[str, Any]]] = {}
        for name, kind in health.BUILTIN_MONITORS.items():
            self.objects["lbmonitor"][name] = {"monitorname": name, "type": kind,
                                               "builtin": True}

    # --- snapshots (bulk rollback) -------------------------------------------------------

    def snapshot(self) -> tuple:
        return copy.deepcopy((self.objects, self.members, self.vs_groups, self.sg_monitors))

    def restore(self, snap: tuple) -> None:
        self.objects, self.members, self.vs_groups, self.sg_monitors = snap

    # --- objects -------------------------------------------------------------------------

    def require(self, resource: str, name: Any, key: str | None = None) -> dict[str, Any]:
        found = self.objects[resource].get(str(name))
        if found is None:
            raise err.not_found(key or schema.SPECS[resource].key, name)
        return found

    def add(self, resource: str, given: Any) -> None:
        spec = schema.SPECS[resource]
        attrs = schema.validate(spec, given)
        name = attrs[spec.key]
        if resource == "servicegroup":
            for key in schema.SERVICEGROUP_MEMBER_ATTRS:
                if key in attrs:
                    raise err.NitroError(err.INVALID_ARGUMENT, key)
        if name in self.objects[resource]:
            raise err.exists(spec.key, name)
        self._check(resource, attrs)
        self.objects[resource][name] = attrs

    def upsert(self, resource: str, given: Any) -> None:
        """An add with NITRO's ``?idempotent=yes``: an existing object is updated instead;
        immutable attributes may be repeated with their current values."""
        spec = schema.SPECS[resource]
        attrs = schema.validate(spec, given)
        current = self.objects[resource].get(attrs[spec.key])
        if current is None:
            self.add(resource, attrs)
            return
        self.update(resource, {k: v for k, v in attrs.items() if k not in spec.immutable
                               or v != current.get(k, spec.defaults.get(k))}, None)

    def update(self, resource: str, given: Any, path_name: str | None) -> None:
        spec = schema.SPECS[resource]
        if isinstance(given, dict) and path_name and spec.key not in given:
            given = {**given, spec.key: path_name}
        attrs = schema.validate(spec, given, update=True)
        current = self.require(resource, attrs[spec.key])
        if resource == "lbmonitor":
            if "type" not in attrs:
                raise err.missing("type")
            if attrs["type"] != current["type"]:
                raise err.not_found("monitorname", attrs["monitorname"])
        if resource == "servicegroup":
            self._update_member(attrs)
        merged = {**current, **attrs}
        self._check(resource, merged)
        current.update(attrs)

    def _update_member(self, attrs: dict[str, Any]) -> None:
        """``set serviceGroup <sg> <serverName> <port> -weight N``: the member-level
        attributes of a servicegroup PUT change that member in place."""
        given = {k: attrs.pop(k) for k in schema.SERVICEGROUP_MEMBER_ATTRS if k in attrs}
        if not given:
            return
        if "servername" not in given or "port" not in given:
            raise err.NitroError(err.ARG_PREREQ, "serverName, port")
        members = self.members.get(attrs["servicegroupname"], {})
        server, port = given.pop("servername"), given.pop("port")
        member = members.get((server, port)) or next(
            (m for m in members.values() if m["ip"] == server and m["port"] == port), None)
        if member is None:
            raise err.not_found("serverName", server)
        member.update(given)

    def _check(self, resource: str, attrs: dict[str, Any]) -> None:
        """Rules between attributes of one object."""
        if resource == "lbvserver":
            persistence = attrs.get("persistencetype", "NONE")
            servicetype = attrs["servicetype"]
            if persistence == "COOKIEINSERT" and servicetype not in schema.COOKIE_SERVICETYPES:
                raise err.NitroError(err.ARGS_MUTEX,
                                     f"persistenceType, serviceType=={servicetype}")
            if attrs.get("cookiename") and persistence != "COOKIEINSERT":
                raise err.NitroError(err.ARG_PREREQ,
                                     "cookieName, persistenceType==COOKIEINSERT")
            if attrs.get("ipv46", "0.0.0.0") not in ("0.0.0.0", "::") and not attrs.get("port"):
                raise err.NitroError(err.ARG_PREREQ, "port, ipv46")
        elif resource == "lbmonitor":
            interval = health.probe_period(attrs, 1.0)
            timeout = health.probe_period({"interval": attrs.get("resptimeout", 2),
                                           "units3": attrs.get("units4", "SEC")}, 1.0)
            if timeout >= interval:
                raise err.bad_value("resptimeout", attrs.get("resptimeout", 2))
        elif resource == "server":
            if not attrs.get("ipaddress") and not attrs.get("domain"):
                raise err.missing("ipaddress")

    def delete(self, resource: str, name: str, args: dict[str, str]) -> None:
        self.require(resource, name)
        if resource == "lbvserver":
            self.vs_groups.pop(name, None)
        elif resource == "servicegroup":
            self.members.pop(name, None)
            self.sg_monitors.pop(name, None)
            for groups in self.vs_groups.values():
                if name in groups:
                    groups.remove(name)
        elif resource == "lbmonitor":
            monitor = self.objects["lbmonitor"][name]
            if args.get("type") and args["type"].upper() != monitor["type"]:
                raise err.not_found("monitorname", name)
            if monitor.get("builtin"):
                raise err.NitroError(err.MONITOR_BUILTIN)
            if any(name in bound for bound in self.sg_monitors.values()):
                raise err.NitroError(err.MONITOR_IN_USE)
        elif resource == "server":
            for members in self.members.values():
                for key in [k for k in members if k[0] == name]:
                    del members[key]
        del self.objects[resource][name]

    # --- renderings ----------------------------------------------------------------------

    def probe(self, group_name: str) -> health.Probe | None:
        group = self.objects["servicegroup"][group_name]
        bound = self.sg_monitors.get(group_name, {})
        if not bound:
            names = [health.default_monitor(group["servicetype"])]
        else:
            names = [n for n, b in bound.items() if b.get("monstate", "ENABLED") == "ENABLED"]
        monitors = [{**schema.LBMONITOR.defaults, **self.objects["lbmonitor"][n]}
                    for n in names]
        monitors = [m for m in monitors if m.get("state") == "ENABLED"]
        return health.Probe(monitors, self.health_interval) if monitors else None

    def member_states(self, group_name: str, now: float) -> list[tuple[dict, str]]:
        group = {**schema.SERVICEGROUP.defaults, **self.objects["servicegroup"][group_name]}
        probe = self.probe(group_name)
        return [(m, health.member_state(group, m, probe, self.book, now))
                for m in self.members.get(group_name, {}).values()]

    def render(self, resource: str, attrs: dict[str, Any], now: float) -> dict[str, Any]:
        spec = schema.SPECS[resource]
        out = schema.render(spec, {k: v for k, v in attrs.items() if k != "builtin"})
        if resource == "lbvserver":
            members = [(state, float(m.get("weight", 1)))
                       for group in self.vs_groups.get(attrs["name"], [])
                       for m, state in self.member_states(group, now)]
            state, percent, total, active = health.vserver_health(members)
            if attrs.get("state") == "DISABLED":
                state = health.OUT_OF_SERVICE
            out.update(curstate=state, effectivestate=state, health=str(percent),
                       totalservices=str(total), activeservices=str(active))
        elif resource == "servicegroup":
            states = [s for _, s in self.member_states(attrs["servicegroupname"], now)]
            out.update(servicegroupeffectivestate=health.group_effective_state(states),
                       numofconnections=0)
        elif resource == "lbmonitor" and attrs["type"] in HTTP_MONITOR_TYPES:
            out.setdefault("httprequest", "HEAD /")
            out.setdefault("respcode", ["200"])
        return out

    def get(self, resource: str, name: str | None, now: float) -> list[dict[str, Any]]:
        table = self.objects[resource]
        if name is not None:
            return [self.render(resource, self.require(resource, name), now)]
        return [self.render(resource, attrs, now) for attrs in table.values()]

    def user_objects(self, resource: str, now: float) -> list[dict[str, Any]]:
        """Objects a client created (built-in monitors left out)."""
        return [self.render(resource, attrs, now)
                for attrs in self.objects[resource].values() if not attrs.get("builtin")]
