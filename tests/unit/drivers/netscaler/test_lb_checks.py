"""What the netscaler driver refuses, before any NITRO request; and its capabilities."""

from __future__ import annotations

import pytest

from translator.drivers import exceptions as exc
from translator.drivers import models


@pytest.fixture
def quiet(ns_sim, driver):
    """Asserts at teardown that the test made no NITRO request after this point."""
    count = ns_sim.request_count
    yield driver
    assert ns_sim.request_count == count, ns_sim.requests[count:]


def _refused(driver, spec, error, name):
    with pytest.raises(error) as raised:
        driver.check_load_balancer(spec)
    with pytest.raises(error):  # create checks again: nothing made for a direct caller
        driver.create_load_balancer(spec)
    if error is exc.UnsupportedOption:
        assert raised.value.option == name
        assert raised.value.metadata()["option"] == name
    else:
        assert [v.field for v in raised.value.violations] == [name]
    return raised.value


def test_vip_network_id_is_refused(quiet, specs):
    error = _refused(quiet, specs.lb(vip_address="", vip_network_id="net-1"),
                     exc.UnsupportedOption, "vip_network_id")
    assert "vip_address" in error.user_message
    _refused(quiet, specs.lb(vip_network_id="net-1"), exc.UnsupportedOption, "vip_network_id")


def test_a_vip_address_is_required(quiet, specs):
    _refused(quiet, specs.lb(vip_address=""), exc.InvalidInput, "vip_address")


def test_members_by_server_id_are_refused(quiet, specs):
    spec = specs.lb(specs.listener(members=[models.Member(server_id="vm-1", port=80)]))
    error = _refused(quiet, spec, exc.UnsupportedOption, "member.server_id")
    assert "Compute" in error.user_message
    with pytest.raises(exc.UnsupportedOption):
        quiet.check_member(models.Member(server_id="vm-1", port=80))
    with pytest.raises(exc.UnsupportedOption):
        quiet.add_member("0123456789ab", "0123456789ab-80-pool",
                         models.Member(server_id="vm-1", port=80))


def test_weights_above_netscalers_100_are_refused(quiet, specs):
    spec = specs.lb(specs.listener(members=[models.Member(address="10.0.0.1", port=80,
                                                          weight=101)]))
    _refused(quiet, spec, exc.InvalidInput, "listeners[0].default_pool.members[0].weight")
    with pytest.raises(exc.InvalidInput):
        quiet.check_member(models.Member(address="10.0.0.1", port=80, weight=256))
    with pytest.raises(exc.InvalidInput):
        quiet.update_member("0123456789ab", "0123456789ab-80-pool", "10.0.0.1:80", 200)


@pytest.mark.parametrize("protocol", ["TCP", "HTTPS", "UDP"])
@pytest.mark.parametrize("persistence", [models.SessionPersistence("HTTP_COOKIE"),
                                         models.SessionPersistence("APP_COOKIE", "sid")])
def test_cookie_persistence_needs_an_http_listener(quiet, specs, protocol, persistence):
    spec = specs.lb(specs.listener(protocol, persistence=persistence))
    error = _refused(quiet, spec, exc.UnsupportedOption, f"persistence:{persistence.type}")
    assert protocol in error.user_message


@pytest.mark.parametrize("cookie", ["", 'a"b', "a b", "x" * 65])
def test_app_cookie_needs_a_cookie_name_token(quiet, specs, cookie):
    spec = specs.lb(specs.listener(persistence=models.SessionPersistence("APP_COOKIE", cookie)))
    _refused(quiet, spec, exc.InvalidInput,
             "listeners[0].default_pool.session_persistence.cookie_name")


def test_monitor_timeout_must_be_shorter_than_its_interval(quiet, specs):
    monitor = models.HealthMonitor("TCP", 5, 5, 3)
    _refused(quiet, specs.lb(specs.listener(monitor=monitor)), exc.InvalidInput,
             "listeners[0].default_pool.health_monitor.timeout_seconds")
    with pytest.raises(exc.InvalidInput):
        quiet.check_health_monitor(monitor)
    with pytest.raises(exc.InvalidInput):
        quiet.set_health_monitor("0123456789ab", "0123456789ab-80-pool", monitor)


@pytest.mark.parametrize("kind,value", [("protocol", "SCTP"), ("algorithm", "RANDOM"),
                                        ("monitor", "UDP-CONNECT"), ("persistence", "TOKEN")])
def test_values_no_netscaler_entity_takes_are_refused(quiet, specs, kind, value):
    listener = specs.listener()
    if kind == "protocol":
        listener.protocol = value
    elif kind == "algorithm":
        listener.pool.algorithm = value
    elif kind == "monitor":
        listener.pool.health_monitor = models.HealthMonitor(value, 5, 2, 3)
    else:
        listener.pool.session_persistence = models.SessionPersistence(value)
    _refused(quiet, specs.lb(listener), exc.UnsupportedOption, f"{kind}:{value}")


def test_a_name_too_long_for_the_comment_is_refused(quiet, specs):
    _refused(quiet, specs.lb(name="é" * 40), exc.InvalidInput, "name")
    quiet.check_load_balancer(specs.lb(name="n" * 180))


def test_pool_and_member_ids_that_cannot_be_ours_are_not_found_without_a_call(quiet):
    lb = "0123456789ab"
    for call in (lambda: quiet.add_member(lb, "other-80-pool", models.Member("10.0.0.1", 80)),
                 lambda: quiet.remove_member(lb, f"{lb}-80-pool", "not-a-member"),
                 lambda: quiet.remove_member(lb, "ffffffffffff-80-pool", "10.0.0.1:80"),
                 lambda: quiet.update_member(lb, f"{lb}-80-pool", "10.0.0.1", 5),
                 lambda: quiet.delete_health_monitor(lb, f"{lb}-pool")):
        with pytest.raises(exc.NotFound):
            call()


def test_capabilities_name_every_rpc_and_option(driver):
    caps = driver.capabilities()
    assert (caps.api, caps.driver) == ("load_balancing", "netscaler")
    ops = {op.name: op for op in caps.operations}
    assert set(ops) == {"CreateLoadBalancer", "GetLoadBalancer", "ListLoadBalancers",
                        "DeleteLoadBalancer", "AddMember", "RemoveMember", "UpdateMember",
                        "SetHealthMonitor", "DeleteHealthMonitor"}
    assert all(op.supported for op in ops.values())
    create = {o.name: o.supported for o in ops["CreateLoadBalancer"].options}
    assert create == {
        "protocol:TCP": True, "protocol:HTTP": True, "protocol:HTTPS": True,
        "protocol:UDP": True, "algorithm:ROUND_ROBIN": True,
        "algorithm:LEAST_CONNECTIONS": True, "algorithm:SOURCE_IP": True,
        "monitor:PING": True, "monitor:TCP": True, "monitor:HTTP": True,
        "persistence:SOURCE_IP": True, "persistence:HTTP_COOKIE": True,
        "persistence:APP_COOKIE": True, "vip_address": True, "vip_network_id": False,
        "member.address": True, "member.server_id": False, "member.weight": True}
    assert {o.name for o in ops["SetHealthMonitor"].options} == \
        {"monitor:PING", "monitor:TCP", "monitor:HTTP"}
    assert {o.name: o.supported for o in ops["AddMember"].options}["member.server_id"] is False
    assert any("SSL_BRIDGE" in note for note in caps.notes)
