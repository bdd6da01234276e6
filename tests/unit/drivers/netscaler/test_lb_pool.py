"""Members and health monitors of an existing load balancer, and health → operating status."""

from __future__ import annotations

import time

import pytest

from translator.drivers import exceptions as exc
from translator.drivers import models


@pytest.fixture
def made(driver, specs):
    """(lb id, pool id) of a load balancer with one HTTP listener and members 10.0.0.1-2."""
    lb_id = driver.create_load_balancer(specs.lb()).resource_id
    return lb_id, f"{lb_id}-80-pool"


def _members(driver, lb_id):
    return {m.id: m for m in driver.get_load_balancer(lb_id).listeners[0].pool.members}


def test_add_remove_member(ns_sim, driver, made):
    lb_id, pool_id = made
    assert driver.add_member(lb_id, pool_id, models.Member("10.0.0.9", 81, weight=5)).jobs == []
    assert _members(driver, lb_id)["10.0.0.9:81"].weight == 5
    driver.remove_member(lb_id, pool_id, "10.0.0.9:81")
    assert set(_members(driver, lb_id)) == {"10.0.0.1:8080", "10.0.0.2:8080"}
    with pytest.raises(exc.NotFound):  # gone already: Octavia's 404
        driver.remove_member(lb_id, pool_id, "10.0.0.9:81")


def test_adding_a_member_again_is_already_exists(ns_sim, driver, made):
    lb_id, pool_id = made
    with pytest.raises(exc.AlreadyExists):  # Octavia's 409, whatever the weight
        driver.add_member(lb_id, pool_id, models.Member("10.0.0.1", 8080, weight=1))
    with pytest.raises(exc.AlreadyExists) as raised:
        driver.add_member(lb_id, pool_id, models.Member("10.0.0.1", 8080, weight=3))
    assert "UpdateMember" in raised.value.user_message
    assert len(ns_sim.objects("servicegroup_servicegroupmember_binding")) == 2


def test_a_member_of_an_unknown_pool_is_not_found(driver, made):
    lb_id, _ = made
    with pytest.raises(exc.NotFound):
        driver.add_member(lb_id, f"{lb_id}-81-pool", models.Member("10.0.0.1", 80))
    with pytest.raises(exc.NotFound):
        driver.update_member(lb_id, f"{lb_id}-80-pool", "10.9.9.9:80", 5)


def test_update_member_weight(ns_sim, driver, made):
    lb_id, pool_id = made
    ns_sim.reset_counts()
    driver.update_member(lb_id, pool_id, "10.0.0.2:8080", 42)
    members = _members(driver, lb_id)
    assert (members["10.0.0.2:8080"].weight, members["10.0.0.1:8080"].weight) == (42, 1)
    changes = [(m, p) for m, p in ns_sim.requests if m != "GET"]
    assert changes == [("PUT", "/nitro/v1/config/servicegroup")]  # set serviceGroup -weight


def test_ipv6_member_ids(driver, made):
    lb_id, pool_id = made
    driver.add_member(lb_id, pool_id, models.Member("fd00:0::7", 80))
    assert "[fd00::7]:80" in _members(driver, lb_id)
    driver.update_member(lb_id, pool_id, "[fd00::7]:80", 9)
    assert _members(driver, lb_id)["[fd00::7]:80"].weight == 9
    driver.remove_member(lb_id, pool_id, "[fd00::7]:80")
    assert "[fd00::7]:80" not in _members(driver, lb_id)


def test_set_replace_and_delete_health_monitor(ns_sim, driver, made):
    lb_id, pool_id = made
    driver.set_health_monitor(lb_id, pool_id, models.HealthMonitor("HTTP", 10, 3, 2, "/a"))
    pool = driver.get_load_balancer(lb_id).listeners[0].pool
    assert pool.health_monitor == models.HealthMonitor("HTTP", 10, 3, 2, "/a", "200")

    ns_sim.reset_counts()  # the same type: updated in place
    driver.set_health_monitor(lb_id, pool_id, models.HealthMonitor("HTTP", 6, 2, 4, "/b", "204"))
    assert ("PUT", "/nitro/v1/config/lbmonitor") in ns_sim.requests
    assert driver.get_load_balancer(lb_id).listeners[0].pool.health_monitor == \
        models.HealthMonitor("HTTP", 6, 2, 4, "/b", "204")

    driver.set_health_monitor(lb_id, pool_id, models.HealthMonitor("PING", 5, 2, 3))
    assert [m["monitorname"] for m in ns_sim.objects("lbmonitor")] == [f"tr-{lb_id}-80-ping"]
    assert [b["monitor_name"] for b in ns_sim.objects("servicegroup_lbmonitor_binding")] == \
        [f"tr-{lb_id}-80-ping"]

    driver.delete_health_monitor(lb_id, pool_id)
    assert ns_sim.objects("lbmonitor") == []
    assert driver.get_load_balancer(lb_id).listeners[0].pool.health_monitor is None
    with pytest.raises(exc.NotFound):  # none there: Octavia's 404
        driver.delete_health_monitor(lb_id, pool_id)


def test_a_monitor_whose_binding_fails_is_removed(ns_sim, driver, made):
    lb_id, pool_id = made
    ns_sim.fail_next("POST", "servicegroup_lbmonitor_binding", 278, "Invalid argument")
    with pytest.raises(exc.BackendError):
        driver.set_health_monitor(lb_id, pool_id, models.HealthMonitor("TCP", 5, 2, 3))
    assert ns_sim.objects("lbmonitor") == []


def test_a_monitor_on_an_https_pool_probes_over_tls(ns_sim, driver, specs):
    lb_id = driver.create_load_balancer(specs.lb(specs.listener("HTTPS", 443))).resource_id
    driver.set_health_monitor(lb_id, f"{lb_id}-443-pool", models.HealthMonitor("HTTP", 5, 2, 3))
    assert ns_sim.objects("lbmonitor")[0]["secure"] == "YES"


def test_monitor_calls_on_an_unknown_pool_are_not_found(driver, made):
    lb_id, _ = made
    with pytest.raises(exc.NotFound):
        driver.set_health_monitor(lb_id, f"{lb_id}-81-pool", models.HealthMonitor("TCP", 5, 2, 3))
    with pytest.raises(exc.NotFound):
        driver.delete_health_monitor(lb_id, f"{lb_id}-81-pool")


def _status_until(driver, lb_id, wanted, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        lb = driver.get_load_balancer(lb_id)
        if lb.operating_status == wanted or time.monotonic() > deadline:
            return lb
        time.sleep(0.02)


def test_operating_status_follows_member_health(ns_sim, driver, specs):
    monitor = models.HealthMonitor("TCP", 2, 1, 3)
    lb_id = driver.create_load_balancer(specs.lb(specs.listener(monitor=monitor))).resource_id
    lb = _status_until(driver, lb_id, "ONLINE")
    assert lb.operating_status == "ONLINE"
    assert {m.operating_status for m in lb.listeners[0].pool.members} == {"ONLINE"}

    ns_sim.set_member_health("10.0.0.1", 8080, False)
    lb = _status_until(driver, lb_id, "DEGRADED")
    assert lb.operating_status == "DEGRADED"
    assert {m.id: m.operating_status for m in lb.listeners[0].pool.members} == {
        "10.0.0.1:8080": "OFFLINE", "10.0.0.2:8080": "ONLINE"}

    ns_sim.set_member_health("10.0.0.2", 8080, False)
    assert _status_until(driver, lb_id, "OFFLINE").operating_status == "OFFLINE"

    driver.delete_health_monitor(lb_id, f"{lb_id}-80-pool")
    lb = driver.get_load_balancer(lb_id)
    assert lb.operating_status == "NO_MONITOR"
    assert {m.operating_status for m in lb.listeners[0].pool.members} == {"NO_MONITOR"}


def test_unwatched_pools_do_not_count(ns_sim, driver, specs):
    lb_id = driver.create_load_balancer(specs.lb(
        specs.listener(monitor=models.HealthMonitor("TCP", 2, 1, 3)),
        specs.listener("TCP", 22, members=specs.members(1, net="10.9.9")))).resource_id
    ns_sim.set_member_health("10.9.9.1", 8080, False)  # in the pool no monitor watches
    assert _status_until(driver, lb_id, "ONLINE").operating_status == "ONLINE"
