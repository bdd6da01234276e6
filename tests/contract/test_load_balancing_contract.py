"""The load balancing driver contract: what every registered load balancing driver must do.

Runs against each driver's own backend (see backends.LB_BACKENDS: the NITRO
simulator, the CloudStack simulator with seeded VMs), through the driver API
only, as the core calls it: ``check_*`` before anything is made, then the
mutation, then its jobs polled to the end.
"""

from __future__ import annotations

import dataclasses
import uuid
from importlib import metadata

import pytest

from contract import backends
from contract.test_compute_contract import collect, wait
from translator.api.v1 import load_balancing_pb2
from translator.drivers import base, exceptions, models

NAMESPACE = "translator.drivers.load_balancing"
KINDS = {
    "protocol": ("TCP", "HTTP", "HTTPS", "UDP"),
    "algorithm": ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP"),
    "monitor": ("PING", "TCP", "HTTP"),
    "persistence": ("SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE"),
}


def registered() -> dict[str, metadata.EntryPoint]:
    """Every entry point of the namespace, loadable or not (a broken one must fail)."""
    return {ep.name: ep for ep in metadata.entry_points(group=NAMESPACE)}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "lb_name" in metafunc.fixturenames:
        metafunc.parametrize("lb_name", sorted(registered()), scope="module")


@pytest.fixture(scope="module")
def lb_backend(lb_name: str):
    factory = backends.LB_BACKENDS.get(lb_name)
    if factory is None:
        pytest.fail(f"load balancing driver {lb_name!r} is registered in {NAMESPACE} but "
                    "tests/contract/backends.py has no backend for it")
    with factory() as backend:
        yield backend


@pytest.fixture(scope="module")
def lbd(lb_name: str, lb_backend):
    cls = registered()[lb_name].load()
    assert issubclass(cls, base.LoadBalancingDriver) and cls.name == lb_name
    cls.register_opts(lb_backend.conf)
    instance = cls(lb_backend.conf)
    instance.setup()
    yield instance
    instance.close()


@pytest.fixture(scope="module")
def supported(lbd) -> dict[str, bool]:
    """CreateLoadBalancer's options as the driver declares them: "kind:VALUE" → supported."""
    ops = {op.name: op for op in lbd.capabilities().operations}
    return {o.name: o.supported for o in ops["CreateLoadBalancer"].options}


def first_supported(supported: dict[str, bool], kind: str) -> str:
    return next(v for v in KINDS[kind] if supported.get(f"{kind}:{v}"))


def spec(lb_backend, supported, *, members: int = 2, port: int = 80,
         **pool_fields) -> models.LoadBalancerSpec:
    pool = models.Pool(algorithm=first_supported(supported, "algorithm"),
                       members=[dataclasses.replace(m) for m in lb_backend.members[:members]],
                       **pool_fields)
    listener = models.Listener(protocol=first_supported(supported, "protocol"), port=port,
                               pool=pool)
    return models.LoadBalancerSpec(name=f"lb-{uuid.uuid4().hex[:8]}", listeners=[listener],
                                   **lb_backend.vip)


def create(lbd, lb_spec: models.LoadBalancerSpec) -> models.LoadBalancer:
    lbd.check_load_balancer(lb_spec)
    task = lbd.create_load_balancer(lb_spec)
    assert task.resource_id
    wait(lbd, task)
    return lbd.get_load_balancer(task.resource_id)


def run(lbd, task: models.BackendTask) -> models.LoadBalancer:
    wait(lbd, task)
    return lbd.get_load_balancer(task.resource_id)


@pytest.fixture
def made(lbd, lb_backend, supported):
    """A load balancer with one listener and two members, deleted afterwards."""
    lb = create(lbd, spec(lb_backend, supported))
    yield lb
    try:
        wait(lbd, lbd.delete_load_balancer(lb.id))
    except exceptions.NotFound:
        pass


# -- the suite ------------------------------------------------------------------------


def test_every_registered_driver_has_a_backend():
    names = set(registered())
    assert names, f"no load balancing driver is registered in {NAMESPACE}"
    assert not sorted(names - set(backends.LB_BACKENDS))


def test_setup_check_passes(lbd):
    lbd.check_setup()


def test_capabilities_cover_every_rpc_and_every_kind(lbd, supported):
    caps = lbd.capabilities()
    assert (caps.api, caps.driver) == ("load_balancing", lbd.name)
    service = load_balancing_pb2.DESCRIPTOR.services_by_name["LoadBalancing"]
    assert {op.name for op in caps.operations} == {m.name for m in service.methods}
    for kind, values in KINDS.items():
        for value in values:
            assert f"{kind}:{value}" in supported, f"{kind}:{value} is not declared"
        assert any(supported[f"{kind}:{v}"] for v in values), f"no {kind} is supported"
    assert caps.notes


def test_create_get_and_list(lbd, made, lb_backend, supported):
    assert made.provisioning_status == "ACTIVE"
    [listener] = made.listeners
    assert (listener.protocol, listener.port) == (first_supported(supported, "protocol"), 80)
    assert listener.id and listener.pool.id
    assert listener.pool.algorithm == first_supported(supported, "algorithm")
    members = listener.pool.members
    assert len(members) == 2 and all(m.id for m in members)
    assert {(m.address or m.server_id, m.port) for m in members} == {
        (m.address or m.server_id, m.port) for m in lb_backend.members[:2]}
    assert made.vip_address
    listed = collect(lbd.list_load_balancers, 1)
    assert made.id in {lb.id for lb in listed}


def test_members_are_added_and_removed(lbd, made, lb_backend):
    pool = made.listeners[0].pool
    extra = lb_backend.members[2]
    after = run(lbd, lbd.add_member(made.id, pool.id, dataclasses.replace(extra)))
    members = after.listeners[0].pool.members
    assert len(members) == 3
    added = next(m for m in members if (m.address or m.server_id) == (extra.address
                                                                      or extra.server_id))
    after = run(lbd, lbd.remove_member(made.id, pool.id, added.id))
    assert {m.id for m in after.listeners[0].pool.members} == {m.id for m in pool.members}
    with pytest.raises(exceptions.NotFound):
        lbd.remove_member(made.id, pool.id, "no-such-member")
    with pytest.raises(exceptions.NotFound):  # Octavia's 404: not there (any more)
        lbd.remove_member(made.id, pool.id, added.id)
    with pytest.raises(exceptions.AlreadyExists):  # Octavia's 409: one member, once
        lbd.add_member(made.id, pool.id, dataclasses.replace(lb_backend.members[0]))


def test_health_monitor_is_set_and_deleted(lbd, made, supported):
    pool = made.listeners[0].pool
    kind = first_supported(supported, "monitor")
    monitor = models.HealthMonitor(type=kind, delay_seconds=5, timeout_seconds=2,
                                   max_retries=3, url_path="/healthz" if kind == "HTTP" else "",
                                   expected_codes="200" if kind == "HTTP" else "")
    lbd.check_health_monitor(monitor)
    after = run(lbd, lbd.set_health_monitor(made.id, pool.id, monitor))
    got = after.listeners[0].pool.health_monitor
    assert got is not None and got.type == kind
    after = run(lbd, lbd.delete_health_monitor(made.id, pool.id))
    assert after.listeners[0].pool.health_monitor is None
    assert after.operating_status == "NO_MONITOR"
    with pytest.raises(exceptions.NotFound):  # Octavia's 404: no monitor to delete
        lbd.delete_health_monitor(made.id, pool.id)


def test_every_declared_unsupported_option_is_refused_before_anything_is_made(
        lbd, lb_backend, supported):
    unsupported = [name for name, ok in supported.items() if not ok and ":" in name]
    for name in unsupported:
        kind, value = name.split(":")
        lb_spec = spec(lb_backend, supported)
        pool = lb_spec.listeners[0].pool
        if kind == "protocol":
            lb_spec.listeners[0].protocol = value
        elif kind == "algorithm":
            pool.algorithm = value
        elif kind == "monitor":
            pool.health_monitor = models.HealthMonitor(
                type=value, url_path="/" if value == "HTTP" else "")
        elif kind == "persistence":
            pool.session_persistence = models.SessionPersistence(
                type=value, cookie_name="c" if value == "APP_COOKIE" else "")
        with pytest.raises((exceptions.UnsupportedOption, exceptions.InvalidInput)):
            lbd.check_load_balancer(lb_spec)


def test_delete_cascades_and_unknown_ids_are_not_found(lbd, lb_backend, supported):
    lb = create(lbd, spec(lb_backend, supported, members=2, port=81))
    wait(lbd, lbd.delete_load_balancer(lb.id))
    with pytest.raises(exceptions.NotFound):
        lbd.get_load_balancer(lb.id)
    assert lb.id not in {x.id for x in collect(lbd.list_load_balancers, 50)}
    with pytest.raises(exceptions.NotFound):
        lbd.get_load_balancer("no-such-load-balancer")
