"""CreateLoadBalancer on NetScaler: every entity in as few NITRO calls as possible, and
nothing left behind when a step fails.

One call per kind of entity, whatever the number of listeners and members
(a list is a NITRO bulk call, which stops at its first error)::

    add lbmonitor                               (listeners with a monitor)
    add servicegroup
    add servicegroup_lbmonitor_binding          (listeners with a monitor)
    add servicegroup_servicegroupmember_binding (every member of every pool)
    add lbvserver
    add lbvserver_servicegroup_binding

So 1 listener with 100 members and no monitor is 4 calls, 6 with one.
Monitors come first and lb vservers last, so undoing in reverse is also the
order NetScaler accepts: an lb vserver goes with its binding, a service
group with its member, monitor and vserver bindings, and a monitor can go
once nothing binds it. Each entity is put on the undo list before its add
is sent (a bulk add may make some items before failing, an add whose answer
was lost may have made its entity); undoing what was never made is a 258,
which counts as done. The load balancer id is fresh, so no entity of that
name existed before.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.netscaler import lb_mapping as mapping
from translator_drivers.netscaler.client import NitroClient
from translator_drivers.netscaler.lb_names import Names, comment, member_id

LOG = logging.getLogger(__name__)


@dataclass
class Undo:
    """Deletes of what a create made so far, run newest first."""

    client: NitroClient
    steps: list[tuple[str, str, dict | None]] = field(default_factory=list)

    def push(self, resource: str, name: str, args: dict | None = None) -> None:
        self.steps.append((resource, name, args))

    def run(self, lb_id: str) -> None:
        """Delete everything pushed; what cannot be deleted is logged for the operator."""
        left = []
        for resource, name, args in reversed(self.steps):
            try:
                self.client.delete(resource, name, args=args)
            except exc.TranslatorError as error:
                LOG.error("Rollback of load balancer %s could not delete %s %s: %s", lb_id,
                          resource, name, error.operator_message)
                left.append(f"{resource} {name}")
        if left:
            LOG.error("Load balancer %s: remove by hand what its failed create left on the "
                      "NetScaler: %s", lb_id, ", ".join(left))
        else:
            LOG.info("Load balancer %s: its failed create was rolled back", lb_id)


def _one_or_many(objects: list[dict]) -> dict | list[dict]:
    return objects[0] if len(objects) == 1 else objects


def create(client: NitroClient, names: Names, spec: models.LoadBalancerSpec, *,
           persistence_timeout: int, now: datetime.datetime) -> models.LoadBalancer:
    """Make the load balancer; the model is built from what was sent (no read back)."""
    undo = Undo(client)
    listeners = spec.listeners
    monitored = [lis for lis in listeners if lis.pool.health_monitor is not None]
    text = comment(names.lb_id, spec.name, now)
    try:
        if monitored:
            monitors = [mapping.monitor(names.monitor(lis.port, lis.pool.health_monitor.type),
                                        lis.pool.health_monitor, secure=lis.protocol == "HTTPS")
                        for lis in monitored]
            for obj in monitors:
                undo.push("lbmonitor", obj["monitorname"], {"type": obj["type"]})
            client.add("lbmonitor", _one_or_many(monitors))
        groups = [mapping.servicegroup(names.servicegroup(lis.port), lis, names.lb_id)
                  for lis in listeners]
        for obj in groups:
            undo.push("servicegroup", obj["servicegroupname"])
        client.add("servicegroup", _one_or_many(groups))
        if monitored:
            client.add("servicegroup_lbmonitor_binding", _one_or_many([
                {"servicegroupname": names.servicegroup(lis.port),
                 "monitor_name": names.monitor(lis.port, lis.pool.health_monitor.type)}
                for lis in monitored]))
        bindings = [mapping.member_binding(names.servicegroup(lis.port), m)
                    for lis in listeners for m in lis.pool.members]
        if bindings:
            client.add("servicegroup_servicegroupmember_binding", _one_or_many(bindings))
        vservers = [mapping.vserver(names.vserver(lis.port), lis, spec.vip_address, text,
                                    persistence_timeout) for lis in listeners]
        for obj in vservers:
            undo.push("lbvserver", obj["name"])
        client.add("lbvserver", _one_or_many(vservers))
        client.add("lbvserver_servicegroup_binding", _one_or_many([
            {"name": names.vserver(lis.port), "servicegroupname": names.servicegroup(lis.port)}
            for lis in listeners]))
    except BaseException:
        undo.run(names.lb_id)
        raise
    return made(names, spec, now)


def made(names: Names, spec: models.LoadBalancerSpec,
         now: datetime.datetime) -> models.LoadBalancer:
    """The load balancer as ``create`` made it. Watched members are OFFLINE until
    NetScaler's first probes mark them UP."""
    listeners = []
    for lis in spec.listeners:
        pool = lis.pool
        status = "NO_MONITOR" if pool.health_monitor is None else "OFFLINE"
        members = [models.Member(address=mapping.normal_ip(m.address), port=m.port,
                                 weight=m.weight or 1, operating_status=status,
                                 id=member_id(mapping.normal_ip(m.address), m.port))
                   for m in pool.members]
        listeners.append(models.Listener(
            protocol=lis.protocol, port=lis.port, id=names.listener_id(lis.port),
            pool=models.Pool(algorithm=pool.algorithm, members=members,
                             health_monitor=mapping.with_defaults(pool.health_monitor),
                             session_persistence=pool.session_persistence,
                             id=names.pool_id(lis.port))))
    pools = [lis.pool for lis in listeners]
    return models.LoadBalancer(
        id=names.lb_id, name=spec.name, vip_address=spec.vip_address,
        operating_status=mapping.operating_status(pools), listeners=listeners,
        created_at=now.replace(microsecond=0), extra=extra(names, [lis.port for lis in listeners]))


def extra(names: Names, ports: list[int]) -> dict[str, str]:
    """The NetScaler entity names of a load balancer, for the caller to see."""
    return {"lbvservers": ",".join(names.vserver(p) for p in ports),
            "servicegroups": ",".join(names.servicegroup(p) for p in ports)}


def delete(client: NitroClient, names: Names) -> None:
    """Remove every entity of the load balancer, found by name; NotFound if there is none.

    Service groups go first (with their member, monitor and vserver bindings),
    then the monitors they freed, the lb vservers last: a delete that stops
    midway leaves the lb vservers, so the load balancer is still listed and a
    second delete finishes the job. Each entity already gone counts as done.
    """
    head = f"{names.prefix}{names.lb_id}-"
    vservers = [o["name"] for o in client.get("lbvserver", params={"attrs": "name"})
                if str(o.get("name", "")).startswith(head)]
    groups = [o["servicegroupname"]
              for o in client.get("servicegroup", params={"attrs": "servicegroupname"})
              if str(o.get("servicegroupname", "")).startswith(head)]
    monitors = [(o["monitorname"], o.get("type"))
                for o in client.get("lbmonitor", params={"attrs": "monitorname,type"})
                if str(o.get("monitorname", "")).startswith(head)]
    if not (vservers or groups or monitors):
        raise exc.NotFound(f"load balancer {names.lb_id!r} not found", backend="netscaler")
    for group in groups:
        client.delete("servicegroup", group)
    for monitor, kind in monitors:
        client.delete("lbmonitor", monitor, args={"type": kind} if kind else None)
    for vserver in vservers:
        client.delete("lbvserver", vserver)
