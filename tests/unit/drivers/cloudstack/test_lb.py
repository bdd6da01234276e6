"""The CloudStack load balancing driver against the real CloudStack simulator over loopback.

What reaches the backend for each Octavia option (protocols, algorithms, monitors,
persistence, VIPs, members), what is refused before any request, reads, paging,
member and monitor changes. Rollbacks, request counts and resumption are in
``test_lb_steps``.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from oslo_config import cfg
from unit.drivers.cloudstack.test_block import finish

from driver_maker import driver_maker
from translator.api.v1 import load_balancing_pb2
from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.cloudstack import conf as cs_conf
from translator_drivers.cloudstack.lb import CloudStackLoadBalancingDriver
from translator_drivers.cloudstack.sim_lb import LB_JOB_CLASSES
from translator_drivers.cloudstack.simulator import CloudStackSimulator

FAST = dict.fromkeys([*LB_JOB_CLASSES, "deployVirtualMachine", "destroyVirtualMachine"], 0.02)
KINDS = {"protocol": ("TCP", "UDP", "HTTP", "HTTPS"),
         "algorithm": ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP"),
         "monitor": ("PING", "TCP", "HTTP"),
         "persistence": ("SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE")}


@pytest.fixture
def sim():
    with CloudStackSimulator(host="127.0.0.1", port=0, job_durations=FAST) as simulator:
        yield simulator


def make_conf(sim: CloudStackSimulator, **overrides: Any) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    cs_conf.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    for name, value in {**sim.config_overrides()["cloudstack"], **overrides}.items():
        conf.set_override(name, value, group="cloudstack")
    return conf


@pytest.fixture
def make_driver(sim):
    with driver_maker(lambda **o: CloudStackLoadBalancingDriver(make_conf(sim, **o))) as make:
        yield make


@pytest.fixture
def driver(make_driver):
    return make_driver()


@pytest.fixture
def vms(sim) -> list[str]:
    """Running VMs of zone-basic, on its guest network (balanced by a NetScaler)."""
    return sim.seed_virtual_machines(8)


@pytest.fixture
def vr_vms(sim) -> list[str]:
    """Running VMs of zone-advanced, on admin-network (balanced by the virtual router)."""
    return sim.seed_virtual_machines(4, zone="zone-advanced")


def pool(members: list[str], port: int = 8080, algorithm: str = "ROUND_ROBIN",
         **fields: Any) -> models.Pool:
    return models.Pool(algorithm=algorithm,
                       members=[models.Member(server_id=m, port=port) for m in members],
                       **fields)


def spec(members: list[str], *, protocol: str = "TCP", port: int = 80, name: str = "web",
         **fields: Any) -> models.LoadBalancerSpec:
    vip = {k: fields.pop(k) for k in ("vip_address", "vip_network_id") if k in fields}
    return models.LoadBalancerSpec(name=name, listeners=[
        models.Listener(protocol=protocol, port=port, pool=pool(members, **fields))], **vip)


def create(driver, lb_spec: models.LoadBalancerSpec) -> models.LoadBalancer:
    driver.check_load_balancer(lb_spec)
    status = finish(driver, driver.create_load_balancer(lb_spec))
    assert status.error is None, status.error
    assert isinstance(status.result, models.LoadBalancer)
    return status.result


def run(driver, task: models.BackendTask) -> models.LoadBalancer:
    status = finish(driver, task)
    assert status.error is None, status.error
    return driver.get_load_balancer(task.resource_id)


def _params(command: str, params: dict[str, Any]):
    from translator_drivers.cloudstack.sim_params import Params
    return Params(command, {k: str(v) for k, v in params.items()})


def backend(sim: CloudStackSimulator, command: str, **params: Any) -> dict[str, Any]:
    """What the simulator's state answers to ``command`` (read-only listings), uncounted."""
    with sim._lock:
        sim._state.advance(time.monotonic())
        return sim._commands.execute(command, _params(command, params), time.monotonic())


# -- create, get, list, delete ---------------------------------------------------------------------


def test_create_reports_the_load_balancer_and_get_reads_the_same(driver, vms, sim):
    made = create(driver, spec(vms[:3]))
    assert made.provisioning_status == "ACTIVE" and made.operating_status == "NO_MONITOR"
    assert made.name == "web" and made.vip_address.startswith("198.51.100.")
    [listener] = made.listeners
    assert (listener.protocol, listener.port, listener.pool.algorithm) == ("TCP", 80,
                                                                           "ROUND_ROBIN")
    assert listener.id == listener.pool.id == made.extra["rule.80"]
    assert [(m.id, m.server_id, m.port, m.weight) for m in listener.pool.members] == [
        (vm, vm, 8080, 1) for vm in vms[:3]]
    assert {m.operating_status for m in listener.pool.members} == {"NO_MONITOR"}
    assert driver.get_load_balancer(made.id) == made
    ips = backend(sim, "listPublicIpAddresses")["publicipaddress"]
    assert [ip["id"] for ip in ips] == [made.id]
    rules = backend(sim, "listLoadBalancerRules")["loadbalancerrule"]
    assert [(r["name"], r["algorithm"], r["publicport"], r["privateport"], r["protocol"])
            for r in rules] == [("web-80", "roundrobin", "80", "8080", "tcp")]


def test_listeners_map_onto_one_rule_each_on_the_public_ip(driver, vms, sim):
    listeners = [
        models.Listener("HTTP", 80, pool(vms[:2], 8080, "LEAST_CONNECTIONS")),
        models.Listener("HTTPS", 443, pool(vms[:2], 8443)),
        models.Listener("UDP", 53, pool(vms[2:4], 5353)),
        models.Listener("TCP", 8000, pool([], 0)),
    ]
    made = create(driver, models.LoadBalancerSpec(name="multi", listeners=listeners))
    assert [(x.protocol, x.port) for x in made.listeners] == [
        ("UDP", 53), ("HTTP", 80), ("HTTPS", 443), ("TCP", 8000)]
    assert [made.extra[f"rule.{p}.protocol"] for p in (53, 80, 443, 8000)] == [
        "udp", "http", "tcp", "tcp"]
    empty = made.listeners[3].pool
    assert empty.members == [] and driver.get_load_balancer(made.id) == made
    rules = {r["publicport"]: r for r in backend(sim, "listLoadBalancerRules")[
        "loadbalancerrule"]}
    assert rules["8000"]["privateport"] == "8000"  # no member: the listener's own port
    assert rules["80"]["algorithm"] == "leastconn"


def test_list_pages_through_the_public_ips_carrying_rules(driver, vms, sim):
    made = [create(driver, spec(vms[:1], name=f"lb-{i}")).id for i in range(5)]
    # A public IP without rules is no load balancer of this driver.
    backend(sim, "associateIpAddress", zoneid=sim._state.zones[next(iter(sim._state.zones))].id)
    seen, token, pages = [], "", 0
    while True:
        page = driver.list_load_balancers(2, token)
        assert len(page.items) <= 2 and page.total == 5
        seen += [lb.id for lb in page.items]
        pages += 1
        token = page.next_token
        if not token:
            break
    assert seen == made and pages == 3
    assert [lb.name for lb in driver.list_load_balancers(50, "").items] == [
        f"lb-{i}" for i in range(5)]


def test_delete_removes_rules_then_the_public_ip(driver, vms, sim):
    made = create(driver, spec(vms[:2], health_monitor=models.HealthMonitor("TCP", 5, 2, 3)))
    task = driver.delete_load_balancer(made.id)
    assert task.resource_id == made.id and finish(driver, task).error is None
    assert backend(sim, "listLoadBalancerRules") == {}
    assert backend(sim, "listPublicIpAddresses") == {}
    with pytest.raises(exc.NotFound):
        driver.get_load_balancer(made.id)
    with pytest.raises(exc.NotFound):
        driver.delete_load_balancer(made.id)
    assert driver.list_load_balancers(10, "").items == []


@pytest.mark.parametrize("ident", ["no-such-load-balancer",
                                   "5b0b6f1e-0000-0000-0000-000000000000"])
def test_unknown_ids_are_not_found(driver, ident):
    with pytest.raises(exc.NotFound):
        driver.get_load_balancer(ident)
    with pytest.raises(exc.NotFound):
        driver.delete_load_balancer(ident)


def test_a_public_ip_without_rules_is_not_a_load_balancer(driver, sim):
    zone = next(iter(sim._state.zones))
    ip = backend(sim, "associateIpAddress", zoneid=zone)["id"]
    with pytest.raises(exc.NotFound):
        driver.get_load_balancer(ip)
    with pytest.raises(exc.NotFound):
        driver.delete_load_balancer(ip)
    assert backend(sim, "listPublicIpAddresses", id=ip)["count"] == 1  # left alone


# -- what reaches CloudStack -----------------------------------------------------------------------


def test_health_monitors_become_health_check_policies(driver, vms, sim):
    http = models.HealthMonitor("HTTP", delay_seconds=10, timeout_seconds=4, max_retries=5,
                                url_path="/healthz", expected_codes="200")
    made = create(driver, models.LoadBalancerSpec(name="mon", listeners=[
        models.Listener("HTTP", 80, pool(vms[:2], health_monitor=http)),
        models.Listener("TCP", 81, pool(vms[:2], health_monitor=models.HealthMonitor(
            "TCP", 5, 2, 3)))]))
    assert made.operating_status == "ONLINE"
    assert {m.operating_status for x in made.listeners for m in x.pool.members} == {"ONLINE"}
    assert made.listeners[0].pool.health_monitor == http
    assert made.listeners[1].pool.health_monitor == models.HealthMonitor("TCP", 5, 2, 3)
    assert driver.get_load_balancer(made.id) == made
    policies = {}
    for listener in made.listeners:
        entry = backend(sim, "listLBHealthCheckPolicies", lbruleid=listener.id)
        policies[listener.port] = entry["healthcheckpolicies"][0]["healthcheckpolicy"][0]
    assert (policies[80]["pingpath"], policies[80]["healthcheckinterval"],
            policies[80]["responsetime"], policies[80]["unhealthcheckthresshold"]) == (
        "/healthz", 10, 4, 5)
    assert policies[81]["pingpath"] == "/"  # CloudStack's default: none was sent


@pytest.mark.parametrize("kind,method,params", [
    ("SOURCE_IP", "SourceBased", {}),
    ("HTTP_COOKIE", "LbCookie", {}),
    ("APP_COOKIE", "AppCookie", {"name": "JSESSIONID"}),
])
def test_persistence_becomes_a_stickiness_policy(driver, vms, sim, kind, method, params):
    persistence = models.SessionPersistence(kind, "JSESSIONID" if params else "")
    made = create(driver, spec(vms[:2], protocol="HTTP", session_persistence=persistence))
    assert made.listeners[0].pool.session_persistence == persistence
    [policy] = backend(sim, "listLBStickinessPolicies", lbruleid=made.listeners[0].id)[
        "stickinesspolicies"][0]["stickinesspolicy"]
    assert (policy["methodname"], policy["params"]) == (method, params)
    assert driver.get_load_balancer(made.id) == made


def test_the_virtual_router_provider(make_driver, vr_vms, sim):
    driver = make_driver(lb_provider="VirtualRouter", lb_network="admin-network")
    app = models.SessionPersistence("APP_COOKIE", "SID")
    made = create(driver, spec(vr_vms[:2], protocol="HTTP", algorithm="SOURCE_IP",
                               session_persistence=app))
    assert made.vip_address.startswith("203.0.113.")
    assert made.extra["rule.80.protocol"] == "tcp"  # HAProxy: HTTP over a tcp rule
    assert made.listeners[0].pool.algorithm == "SOURCE_IP"
    [policy] = backend(sim, "listLBStickinessPolicies", lbruleid=made.listeners[0].id)[
        "stickinesspolicies"][0]["stickinesspolicy"]
    assert policy["params"] == {"cookie-name": "SID"}
    assert driver.get_load_balancer(made.id).listeners[0].pool.session_persistence == app


def test_vip_address_takes_that_free_public_ip(driver, vms, sim):
    made = create(driver, spec(vms[:1], vip_address="198.51.100.99"))
    assert made.vip_address == "198.51.100.99"
    sim.reset_counts()
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_load_balancer(spec(vms[:1], vip_address="198.51.100.99", port=81))
    assert info.value.violations[0].field == "vip_address"
    assert backend(sim, "listPublicIpAddresses")["count"] == 1


def test_vip_network_by_name_or_id_and_networks_without_load_balancing(driver, vr_vms, sim):
    by_name = spec(vr_vms[:1], vip_network_id="admin-network")
    made = create(driver, by_name)
    assert made.vip_network_id == next(n.id for n in sim._state.networks.values()
                                       if n.name == "admin-network")
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_load_balancer(spec(vr_vms[:1], vip_network_id="nowhere"))
    assert info.value.violations[0].field == "vip_network_id"
    sim.set_lb_provider("admin-network", None)
    driver.client.cache.clear()
    sim.reset_counts()
    with pytest.raises(exc.InvalidInput, match="no load balancing"):
        driver.create_load_balancer(spec(vr_vms[:1], vip_network_id="admin-network"))
    assert "associateIpAddress" not in sim.request_counts


def test_a_misconfigured_default_network_is_an_operator_error(make_driver, vms, sim):
    make_driver(lb_network="admin-network").check_setup()
    driver = make_driver(lb_network="missing")
    with pytest.raises(exc.BackendUnavailable) as info:
        driver.check_setup()
    assert "lb_network" in info.value.operator_message and not info.value.retryable
    with pytest.raises(exc.BackendUnavailable, match="network"):
        driver.create_load_balancer(spec(vms[:1]))
    sim.set_lb_provider("admin-network", None)
    with pytest.raises(exc.BackendUnavailable, match="offers no load balancing"):
        make_driver(default_networks=["admin-network"]).create_load_balancer(spec(vms[:1]))
    sim.set_lb_provider("guestNetworkForBasicZone", None)
    with pytest.raises(exc.BackendUnavailable, match="load balancing"):
        make_driver().create_load_balancer(spec(vms[:1]))
    assert "associateIpAddress" not in sim.request_counts


# -- refused before anything is made ---------------------------------------------------------------


def _refused(vms: list[str]) -> list[tuple[str, models.LoadBalancerSpec, type, str]]:
    monitor = models.HealthMonitor

    def two_ports() -> models.LoadBalancerSpec:
        lb = spec(vms[:2])
        lb.listeners[0].pool.members[1].port = 9090
        return lb

    def with_member(**fields: Any) -> models.LoadBalancerSpec:
        lb = spec(vms[:1])
        lb.listeners[0].pool.members.append(models.Member(**{"port": 8080, **fields}))
        return lb
    return [
        ("by address", with_member(address="10.2.0.9"), exc.UnsupportedOption,
         "member.address"),
        ("weighted", with_member(server_id=vms[5], weight=5), exc.UnsupportedOption,
         "member.weight"),
        ("two ports", two_ports(), exc.UnsupportedOption,
         "listeners[0].default_pool.members[1].port"),
        ("source ip on a NetScaler", spec(vms[:1], algorithm="SOURCE_IP"),
         exc.UnsupportedOption, "algorithm:SOURCE_IP"),
        ("ping", spec(vms[:1], health_monitor=monitor("PING")), exc.UnsupportedOption,
         "monitor:PING"),
        ("udp monitor", spec(vms[:1], protocol="UDP", health_monitor=monitor("TCP")),
         exc.UnsupportedOption, "monitor:TCP"),
        ("http monitor on tcp", spec(vms[:1], health_monitor=monitor("HTTP", url_path="/")),
         exc.UnsupportedOption, "monitor:HTTP"),
        ("tcp monitor on http", spec(vms[:1], protocol="HTTP", health_monitor=monitor("TCP")),
         exc.UnsupportedOption, "monitor:TCP"),
        ("codes", spec(vms[:1], protocol="HTTP", health_monitor=monitor(
            "HTTP", url_path="/", expected_codes="200-204")), exc.UnsupportedOption,
         "health_monitor.expected_codes"),
        ("short timeout", spec(vms[:1], health_monitor=monitor("TCP", timeout_seconds=1)),
         exc.InvalidInput, ""),
        ("cookie on tcp", spec(vms[:1], session_persistence=models.SessionPersistence(
            "HTTP_COOKIE")), exc.UnsupportedOption, "persistence:HTTP_COOKIE"),
        ("https on 80", spec(vms[:1], protocol="HTTPS"), exc.UnsupportedOption,
         "protocol:HTTPS"),
    ]


@pytest.mark.parametrize("case", range(12))
def test_unsupported_options_are_refused_without_a_request(driver, vms, sim, case):
    name, lb_spec, error, option = _refused(vms)[case]
    sim.reset_counts()
    with pytest.raises(error) as info:
        driver.check_load_balancer(lb_spec)
    if option:
        assert info.value.option == option, name
    else:
        assert info.value.violations[0].field.endswith("timeout_seconds")
    with pytest.raises(error):
        driver.create_load_balancer(lb_spec)  # create checks again, before anything is made
    assert sim.request_counts == {}


def test_the_virtual_router_refuses_udp_and_monitors_without_a_request(make_driver, vms, sim):
    driver = make_driver(lb_provider="VirtualRouter")
    for lb_spec, option in ((spec(vms[:1], protocol="UDP"), "protocol:UDP"),
                            (spec(vms[:1], health_monitor=models.HealthMonitor("TCP")),
                             "monitor:TCP")):
        with pytest.raises(exc.UnsupportedOption) as info:
            driver.check_load_balancer(lb_spec)
        assert info.value.option == option
    with pytest.raises(exc.UnsupportedOption):
        driver.check_health_monitor(models.HealthMonitor("HTTP", url_path="/"))
    assert sim.request_counts == {}


def test_the_networks_own_capabilities_are_checked_before_anything_is_made(driver, vr_vms,
                                                                           sim):
    # The driver thinks NetScaler; admin-network's virtual router has no health checks.
    lb_spec = spec(vr_vms[:1], vip_network_id="admin-network",
                   health_monitor=models.HealthMonitor("TCP", 5, 2, 3))
    driver.check_load_balancer(lb_spec)
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.create_load_balancer(lb_spec)
    assert info.value.option == "monitor:TCP" and "admin-network" in info.value.user_message
    assert "associateIpAddress" not in sim.request_counts


def test_members_and_monitors_checked_alone(driver, sim):
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.check_member(models.Member(address="10.0.0.1", port=80))
    assert info.value.option == "member.address"
    driver.check_member(models.Member(server_id="vm", port=80, weight=1))
    with pytest.raises(exc.UnsupportedOption):
        driver.check_health_monitor(models.HealthMonitor("PING"))
    driver.check_health_monitor(models.HealthMonitor("HTTP", url_path="/x"))
    assert sim.request_counts == {}


# -- members ---------------------------------------------------------------------------------------


def test_members_are_added_and_removed(driver, vms, sim):
    made = create(driver, spec(vms[:2]))
    pool_id = made.listeners[0].pool.id
    after = run(driver, driver.add_member(made.id, pool_id,
                                          models.Member(server_id=vms[2], port=8080)))
    assert [m.id for m in after.listeners[0].pool.members] == vms[:3]
    after = run(driver, driver.remove_member(made.id, pool_id, vms[0]))
    assert [m.id for m in after.listeners[0].pool.members] == vms[1:3]
    with pytest.raises(exc.NotFound):
        driver.remove_member(made.id, pool_id, vms[0])
    with pytest.raises(exc.NotFound):
        driver.remove_member(made.id, "no-such-pool", vms[1])


def test_add_member_refusals(driver, vms, sim):
    made = create(driver, spec(vms[:1]))
    pool_id = made.listeners[0].pool.id
    sim.reset_counts()
    with pytest.raises(exc.UnsupportedOption):
        driver.add_member(made.id, pool_id, models.Member(address="10.2.0.9", port=8080))
    assert sim.request_counts == {}
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.add_member(made.id, pool_id, models.Member(server_id=vms[1], port=9090))
    assert info.value.option == "member.port"
    with pytest.raises(exc.AlreadyExists):
        driver.add_member(made.id, pool_id, models.Member(server_id=vms[0], port=8080))
    with pytest.raises(exc.InvalidInput) as info:
        driver.add_member(made.id, pool_id, models.Member(server_id="5b0b6f1e-0000-0000-0000-"
                                                                   "000000000001", port=8080))
    assert info.value.violations[0].field == "member.server_id"
    with pytest.raises(exc.NotFound):
        driver.add_member(made.id, "5b0b6f1e-0000-0000-0000-000000000002",
                          models.Member(server_id=vms[1], port=8080))
    instances = backend(sim, "listLoadBalancerRuleInstances", id=pool_id)
    assert [vm["id"] for vm in instances["loadbalancerruleinstance"]] == vms[:1]


def test_update_member_takes_only_weight_one(driver, vms, sim):
    made = create(driver, spec(vms[:1]))
    pool_id = made.listeners[0].pool.id
    sim.reset_counts()
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.update_member(made.id, pool_id, vms[0], 5)
    assert info.value.option == "member.weight" and sim.request_counts == {}
    task = driver.update_member(made.id, pool_id, vms[0], 1)
    assert task.resource_id == made.id and task.jobs == []
    with pytest.raises(exc.NotFound):
        driver.update_member(made.id, pool_id, vms[1], 1)


# -- health monitors -------------------------------------------------------------------------------


def test_health_monitor_set_replaced_and_deleted(driver, vms, sim):
    made = create(driver, spec(vms[:2], protocol="HTTP"))
    pool_id = made.listeners[0].pool.id
    first = models.HealthMonitor("HTTP", 5, 2, 3, url_path="/a")
    after = run(driver, driver.set_health_monitor(made.id, pool_id, first))
    assert after.listeners[0].pool.health_monitor == dataclasses.replace(
        first, expected_codes="200")
    assert after.operating_status == "ONLINE"
    second = models.HealthMonitor("HTTP", 30, 10, 2, url_path="/b", expected_codes="200")
    task = driver.set_health_monitor(made.id, pool_id, second)
    assert len(task.jobs) == 2  # deleteLBHealthCheckPolicy, then the create step
    after = run(driver, task)
    assert after.listeners[0].pool.health_monitor == second
    entries = backend(sim, "listLBHealthCheckPolicies", lbruleid=pool_id)
    assert len(entries["healthcheckpolicies"][0]["healthcheckpolicy"]) == 1
    after = run(driver, driver.delete_health_monitor(made.id, pool_id))
    assert after.listeners[0].pool.health_monitor is None
    assert after.operating_status == "NO_MONITOR"
    with pytest.raises(exc.NotFound):
        driver.delete_health_monitor(made.id, pool_id)


def test_set_health_monitor_refusals(driver, vms, vr_vms, sim):
    made = create(driver, spec(vms[:1]))
    pool_id = made.listeners[0].pool.id
    with pytest.raises(exc.UnsupportedOption):
        driver.set_health_monitor(made.id, pool_id, models.HealthMonitor("HTTP", url_path="/"))
    vr = create(driver, spec(vr_vms[:1], vip_network_id="admin-network"))
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.set_health_monitor(vr.id, vr.listeners[0].pool.id,
                                  models.HealthMonitor("TCP", 5, 2, 3))
    assert info.value.option == "monitor:TCP"
    assert backend(sim, "listLBHealthCheckPolicies", lbruleid=vr.listeners[0].pool.id)[
        "healthcheckpolicies"][0]["healthcheckpolicy"] == []


# -- capabilities ----------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["Netscaler", "VirtualRouter"])
def test_capabilities_cover_every_rpc_and_every_option(make_driver, provider):
    caps = make_driver(setup=False, lb_provider=provider).capabilities()
    assert (caps.api, caps.driver) == ("load_balancing", "cloudstack") and caps.notes
    service = load_balancing_pb2.DESCRIPTOR.services_by_name["LoadBalancing"]
    assert {op.name for op in caps.operations} == {m.name for m in service.methods}
    options = {o.name: o for o in next(op for op in caps.operations
                                       if op.name == "CreateLoadBalancer").options}
    names = {f"{k}:{v}" for k, values in KINDS.items() for v in values} | {
        "member.address", "member.server_id", "member.weight", "vip_address", "vip_network_id"}
    assert set(options) == names
    assert all(o.note for o in options.values())
    assert not options["member.address"].supported and not options["member.weight"].supported
    assert options["member.server_id"].supported
    ns = provider == "Netscaler"
    assert options["algorithm:SOURCE_IP"].supported is not ns
    assert options["protocol:UDP"].supported is ns
    assert options["monitor:TCP"].supported is ns and not options["monitor:PING"].supported
    ops = {op.name: op for op in caps.operations}
    assert ops["SetHealthMonitor"].supported is ns


def test_every_declared_unsupported_option_is_refused(make_driver, vms):
    for provider in ("Netscaler", "VirtualRouter"):
        driver = make_driver(setup=False, lb_provider=provider)
        options = next(op for op in driver.capabilities().operations
                       if op.name == "CreateLoadBalancer").options
        for option in [o.name for o in options if not o.supported and ":" in o.name]:
            kind, value = option.split(":")
            protocol = "HTTP" if kind in ("persistence", "monitor") else "TCP"
            lb_spec = spec(vms[:1], protocol=protocol, port=8080)
            listener = lb_spec.listeners[0]
            if kind == "protocol":
                listener.protocol = value
            elif kind == "algorithm":
                listener.pool.algorithm = value
            elif kind == "monitor":
                listener.pool.health_monitor = models.HealthMonitor(value, url_path="/")
            with pytest.raises(exc.UnsupportedOption) as info:
                driver.check_load_balancer(lb_spec)
            assert info.value.option == option
