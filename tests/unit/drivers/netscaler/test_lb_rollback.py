"""A create that fails at any step leaves nothing behind on the NetScaler."""

from __future__ import annotations

import logging

import pytest

from translator.drivers import exceptions as exc
from translator.drivers import models

#: The adds of a create, in order (bulk when several listeners or members).
STEPS = ("lbmonitor", "servicegroup", "servicegroup_lbmonitor_binding",
         "servicegroup_servicegroupmember_binding", "lbvserver",
         "lbvserver_servicegroup_binding")


def _full(specs):
    return specs.lb(
        specs.listener("HTTP", 80, member_count=3,
                       monitor=models.HealthMonitor("HTTP", 5, 2, 3, "/hz"),
                       persistence=models.SessionPersistence("APP_COOKIE", "sid")),
        specs.listener("TCP", 5432, member_count=2,
                       monitor=models.HealthMonitor("TCP", 5, 2, 3)))


@pytest.mark.parametrize("step", STEPS)
def test_a_failure_at_each_step_is_rolled_back(ns_sim, driver, specs, orphans, step):
    ns_sim.fail_next("POST", step, 278, "Invalid argument [injected]")
    with pytest.raises(exc.BackendError) as raised:
        driver.create_load_balancer(_full(specs))
    assert raised.value.backend_code == "278"
    assert orphans() == {}
    assert driver.list_load_balancers(10, "").items == []


def test_a_partly_made_bulk_add_is_rolled_back(ns_sim, driver, specs, orphans):
    """A duplicate member makes NITRO stop in the middle of the member bulk add."""
    spec = specs.lb(specs.listener(members=[models.Member("10.0.0.1", 80),
                                            models.Member("10.0.0.2", 80),
                                            models.Member("10.0.0.1", 80)]))
    with pytest.raises(exc.AlreadyExists):
        driver.create_load_balancer(spec)
    assert orphans() == {}


def test_entities_of_others_survive_a_rollback(ns_sim, make_client, driver, specs, orphans):
    client = make_client()
    client.add("servicegroup", {"servicegroupname": "theirs", "servicetype": "HTTP"})
    client.add("lbvserver", {"name": "theirs", "servicetype": "HTTP", "ipv46": "192.0.2.99",
                             "port": 80})
    ns_sim.fail_next("POST", "lbvserver_servicegroup_binding", 278, "Invalid argument")
    with pytest.raises(exc.BackendError):
        driver.create_load_balancer(_full(specs))
    assert [o["servicegroupname"] for o in ns_sim.objects("servicegroup")] == ["theirs"]
    assert [o["name"] for o in ns_sim.objects("lbvserver")] == ["theirs"]


def test_a_rollback_that_cannot_finish_names_the_leftovers(ns_sim, driver, specs, caplog):
    caplog.set_level(logging.ERROR)
    ns_sim.fail_next("POST", "lbvserver_servicegroup_binding", 278, "Invalid argument")
    ns_sim.fail_next("DELETE", "servicegroup", 599, "Internal error", 599)
    with pytest.raises(exc.BackendError) as raised:
        driver.create_load_balancer(_full(specs))
    assert raised.value.backend_code == "278"  # the create's error, not the rollback's
    assert "remove by hand" in caplog.text and "-5432-pool" in caplog.text


def test_a_lost_connection_midway_is_rolled_back(ns_sim, driver, specs, orphans):
    ns_sim.fail_next("POST", "lbvserver", 0, "Service Unavailable", 503)
    with pytest.raises(exc.BackendUnavailable):
        driver.create_load_balancer(_full(specs))
    assert orphans() == {}
