"""Shape checks of LoadBalancing requests and their conversion to neutral models."""

from __future__ import annotations

import pytest

from translator.api.v1 import load_balancing_pb2 as pb
from translator.drivers import exceptions as exc
from translator.drivers import models
from translator.service import convert_lb as convert
from translator.service import lb_validation as check


def listener(port: int = 80, **pool) -> pb.Listener:
    pool.setdefault("members", [pb.Member(address="10.0.0.5", port=8080)])
    return pb.Listener(protocol=pb.Listener.HTTP, port=port, default_pool=pb.Pool(**pool))


def request(*listeners, **kwargs) -> pb.CreateLoadBalancerRequest:
    values = {"name": "web", "vip_address": "192.0.2.10",
              "listeners": list(listeners) or [listener()]}
    values.update(kwargs)
    return pb.CreateLoadBalancerRequest(**values)


def fields(req: pb.CreateLoadBalancerRequest) -> list[str]:
    with pytest.raises(exc.InvalidInput) as caught:
        check.create_request(req, max_members=100)
    return [v.field for v in caught.value.violations]


def test_a_good_request_passes_and_converts():
    monitor = pb.HealthMonitor(type=pb.HealthMonitor.HTTP, delay_seconds=5, timeout_seconds=2,
                               max_retries=3, url_path="/healthz", expected_codes="200-204")
    req = request(listener(
        algorithm=pb.Pool.LEAST_CONNECTIONS, health_monitor=monitor,
        session_persistence=pb.SessionPersistence(type=pb.SessionPersistence.APP_COOKIE,
                                                  cookie_name="JSESSIONID"),
        members=[pb.Member(address="10.0.0.5", port=8080, weight=0),
                 pb.Member(server_id="vm-1", port=8080, weight=7)]))
    check.create_request(req, max_members=100)
    spec = convert.load_balancer_spec(req)
    [lis] = spec.listeners
    assert (lis.protocol, lis.port, lis.pool.algorithm) == ("HTTP", 80, "LEAST_CONNECTIONS")
    assert [(m.address, m.server_id, m.weight) for m in lis.pool.members] == [
        ("10.0.0.5", "", 1), ("", "vm-1", 7)]  # weight 0 means 1
    assert lis.pool.health_monitor == models.HealthMonitor(
        "HTTP", 5, 2, 3, "/healthz", "200-204")
    assert lis.pool.session_persistence == models.SessionPersistence("APP_COOKIE", "JSESSIONID")


def test_an_unset_algorithm_is_round_robin_and_no_monitor_is_none():
    spec = convert.load_balancer_spec(request())
    assert spec.listeners[0].pool.algorithm == "ROUND_ROBIN"
    assert spec.listeners[0].pool.health_monitor is None


@pytest.mark.parametrize("req, expected", [
    (request(name=""), ["name"]),
    (request(vip_address="not-an-ip"), ["vip_address"]),
    (pb.CreateLoadBalancerRequest(name="x"), ["listeners"]),
    (request(listener(80), listener(80)), ["listeners[1].port"]),
    (request(listener(0)), ["listeners[0].port"]),
    (request(pb.Listener(port=80, default_pool=pb.Pool())), ["listeners[0].protocol"]),
    (request(listener(members=[pb.Member(port=80)])),
     ["listeners[0].default_pool.members[0]"]),
    (request(listener(members=[pb.Member(address="10.0.0.1", server_id="vm", port=80)])),
     ["listeners[0].default_pool.members[0]"]),
    (request(listener(members=[pb.Member(address="10.0.0.1", port=80, weight=300)])),
     ["listeners[0].default_pool.members[0].weight"]),
    (request(listener(members=[pb.Member(address="10.0.0.1", port=80)] * 2)),
     ["listeners[0].default_pool.members[1]"]),
    (request(listener(health_monitor=pb.HealthMonitor(
        type=pb.HealthMonitor.TCP, delay_seconds=2, timeout_seconds=5, max_retries=3))),
     ["listeners[0].default_pool.health_monitor.timeout_seconds"]),
    (request(listener(health_monitor=pb.HealthMonitor(
        type=pb.HealthMonitor.PING, delay_seconds=5, timeout_seconds=2, max_retries=3,
        url_path="/x"))), ["listeners[0].default_pool.health_monitor"]),
    (request(listener(health_monitor=pb.HealthMonitor(
        type=pb.HealthMonitor.HTTP, delay_seconds=5, timeout_seconds=2, max_retries=3,
        expected_codes="ok"))), ["listeners[0].default_pool.health_monitor.expected_codes"]),
    (request(listener(session_persistence=pb.SessionPersistence(
        type=pb.SessionPersistence.APP_COOKIE))),
     ["listeners[0].default_pool.session_persistence.cookie_name"]),
])
def test_bad_requests_name_every_bad_field(req, expected):
    assert fields(req) == expected


def test_too_many_members():
    members = [pb.Member(address=f"10.0.{i // 250}.{i % 250 + 1}", port=80) for i in range(3)]
    with pytest.raises(exc.InvalidInput) as caught:
        check.create_request(request(listener(members=members)), max_members=2)
    assert "max_members" in caught.value.violations[0].description


def test_a_pending_operation_shows_in_the_provisioning_status():
    lb = models.LoadBalancer(id="lb-1", provisioning_status="ACTIVE")
    assert convert.load_balancer(lb, "AddMember").provisioning_status == \
        pb.LoadBalancer.PENDING_UPDATE
    assert convert.load_balancer(lb, "DeleteLoadBalancer").provisioning_status == \
        pb.LoadBalancer.PENDING_DELETE
    failed = models.LoadBalancer(id="lb-1", provisioning_status="ERROR")
    assert convert.load_balancer(failed, "AddMember").provisioning_status == \
        pb.LoadBalancer.ERROR
