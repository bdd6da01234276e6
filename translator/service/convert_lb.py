"""Load balancing: translator.v1 messages ↔ neutral models (enum values by their names)."""

from __future__ import annotations

from translator.api.v1 import load_balancing_pb2 as pb
from translator.drivers import models
from translator.service.convert import timestamp


def _name(enum, value: int) -> str:
    return enum.Name(value) if value else ""


def _value(enum, name: str) -> int:
    return enum.Value(name) if name else 0


# -- requests → models ----------------------------------------------------------------


def monitor_spec(m: pb.HealthMonitor) -> models.HealthMonitor:
    return models.HealthMonitor(
        type=_name(pb.HealthMonitor.Type, m.type), delay_seconds=m.delay_seconds,
        timeout_seconds=m.timeout_seconds, max_retries=m.max_retries, url_path=m.url_path,
        expected_codes=m.expected_codes)


def member_spec(m: pb.Member) -> models.Member:
    return models.Member(address=m.address, port=m.port, server_id=m.server_id,
                         weight=m.weight or 1)


def load_balancer_spec(request: pb.CreateLoadBalancerRequest) -> models.LoadBalancerSpec:
    listeners = []
    for lis in request.listeners:
        pool = lis.default_pool
        persistence = None
        if pool.HasField("session_persistence"):
            persistence = models.SessionPersistence(
                type=_name(pb.SessionPersistence.Type, pool.session_persistence.type),
                cookie_name=pool.session_persistence.cookie_name)
        listeners.append(models.Listener(
            protocol=_name(pb.Listener.Protocol, lis.protocol), port=lis.port,
            pool=models.Pool(
                algorithm=_name(pb.Pool.Algorithm, pool.algorithm) or "ROUND_ROBIN",
                members=[member_spec(m) for m in pool.members],
                health_monitor=(monitor_spec(pool.health_monitor)
                                if pool.HasField("health_monitor") else None),
                session_persistence=persistence)))
    return models.LoadBalancerSpec(name=request.name, listeners=listeners,
                                   vip_address=request.vip_address,
                                   vip_network_id=request.vip_network_id)


# -- models → messages ----------------------------------------------------------------


def _monitor(m: models.HealthMonitor) -> pb.HealthMonitor:
    return pb.HealthMonitor(type=_value(pb.HealthMonitor.Type, m.type),
                            delay_seconds=m.delay_seconds, timeout_seconds=m.timeout_seconds,
                            max_retries=m.max_retries, url_path=m.url_path,
                            expected_codes=m.expected_codes)


def _member(m: models.Member) -> pb.Member:
    return pb.Member(id=m.id, address=m.address, port=m.port, server_id=m.server_id,
                     weight=m.weight,
                     operating_status=_value(pb.LoadBalancer.OperatingStatus,
                                             m.operating_status))


def _pool(p: models.Pool) -> pb.Pool:
    message = pb.Pool(id=p.id, algorithm=_value(pb.Pool.Algorithm, p.algorithm),
                      members=[_member(m) for m in p.members])
    if p.health_monitor is not None:
        message.health_monitor.CopyFrom(_monitor(p.health_monitor))
    if p.session_persistence is not None:
        message.session_persistence.CopyFrom(pb.SessionPersistence(
            type=_value(pb.SessionPersistence.Type, p.session_persistence.type),
            cookie_name=p.session_persistence.cookie_name))
    return message


# What a load balancer shows while one of our operations on it runs.
_PENDING = {"CreateLoadBalancer": "PENDING_CREATE", "DeleteLoadBalancer": "PENDING_DELETE"}


def load_balancer(lb: models.LoadBalancer, pending_verb: str = "") -> pb.LoadBalancer:
    status = lb.provisioning_status
    if pending_verb and status == "ACTIVE":
        status = _PENDING.get(pending_verb, "PENDING_UPDATE")
    return pb.LoadBalancer(
        id=lb.id, name=lb.name, vip_address=lb.vip_address, vip_network_id=lb.vip_network_id,
        provisioning_status=_value(pb.LoadBalancer.ProvisioningStatus, status),
        operating_status=_value(pb.LoadBalancer.OperatingStatus, lb.operating_status),
        listeners=[pb.Listener(id=x.id, protocol=_value(pb.Listener.Protocol, x.protocol),
                               port=x.port, default_pool=_pool(x.pool)) for x in lb.listeners],
        create_time=timestamp(lb.created_at), extra=lb.extra)
