"""The steps of CloudStack load balancer operations: what a create costs (P7), how it
rolls back at every step, how a restart resumes it, and how deletes end."""

from __future__ import annotations

import time

import pytest
from unit.drivers.cloudstack import test_lb
from unit.drivers.cloudstack.test_lb import backend, create, finish, pool, spec

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.cloudstack import lb_steps

POLL = "queryAsyncJobResult"
# test_lb's fixtures, shared.
sim, make_driver, driver, vms = test_lb.sim, test_lb.make_driver, test_lb.driver, test_lb.vms


def requests(sim) -> dict[str, int]:
    """What the simulator counted, job polls left out."""
    return {c: n for c, n in sim.request_counts.items() if c != POLL}


def nothing_left(sim) -> None:
    assert backend(sim, "listLoadBalancerRules") == {}
    assert backend(sim, "listPublicIpAddresses") == {}


@pytest.fixture
def many(sim) -> list[str]:
    return sim.seed_virtual_machines(260)


# -- P7: requests for one listener with 100 members ------------------------------------------------


def test_p7_one_listener_with_100_members_is_three_requests_with_warm_caches(driver, many,
                                                                             sim):
    create(driver, spec(many[:1]))  # warms zones and networks
    sim.reset_counts()
    task = driver.create_load_balancer(spec(many[:100], port=81))
    assert requests(sim) == {"associateIpAddress": 1}  # the IP id is known at once
    assert task.resource_id and len(task.jobs) == 2 and lb_steps.is_handle(task.jobs[1])
    status = finish(driver, task)
    assert status.error is None and len(status.result.listeners[0].pool.members) == 100
    assert requests(sim) == {"associateIpAddress": 1, "createLoadBalancerRule": 1,
                             "assignToLoadBalancerRule": 1}
    # The result came from the jobs: no read-back, and it is what a read gives.
    assert driver.get_load_balancer(task.resource_id) == status.result


def test_p7_policies_asked_for_are_one_request_each(driver, many, sim):
    create(driver, spec(many[:1]))
    sim.reset_counts()
    create(driver, spec(many[:100], port=81, protocol="HTTP",
                        health_monitor=models.HealthMonitor("HTTP", 5, 2, 3, url_path="/"),
                        session_persistence=models.SessionPersistence("HTTP_COOKIE")))
    assert requests(sim) == {"associateIpAddress": 1, "createLoadBalancerRule": 1,
                             "assignToLoadBalancerRule": 1, "createLBHealthCheckPolicy": 1,
                             "createLBStickinessPolicy": 1}


def test_members_beyond_100_are_assigned_100_a_call(driver, many, sim):
    sim.reset_counts()
    made = create(driver, spec(many[:250]))
    assert requests(sim)["assignToLoadBalancerRule"] == 3
    assert [m.id for m in driver.get_load_balancer(made.id).listeners[0].pool.members] == \
        many[:250]


# -- a failed step undoes what was made ----------------------------------------------------------


def two_listeners(members: list[str], **pool_fields) -> models.LoadBalancerSpec:
    return models.LoadBalancerSpec(name="two", listeners=[
        models.Listener("HTTP", 80, pool(members, **pool_fields)),
        models.Listener("TCP", 443, pool(members))])


FULL = {"health_monitor": models.HealthMonitor("HTTP", 5, 2, 3, url_path="/"),
        "session_persistence": models.SessionPersistence("APP_COOKIE", "SID")}


@pytest.mark.parametrize("command,code,error", [
    ("associateIpAddress", 530, exc.BackendError),
    ("createLoadBalancerRule", 530, exc.BackendError),
    ("assignToLoadBalancerRule", 431, exc.InvalidInput),
    ("createLBHealthCheckPolicy", 530, exc.BackendError),
    ("createLBStickinessPolicy", 533, exc.CapacityExhausted),
])
def test_a_failed_job_at_any_step_removes_everything(driver, vms, sim, command, code, error):
    sim.fail_next_job(command, f"{command} went wrong", code)
    task = driver.create_load_balancer(two_listeners(vms[:3], **FULL))
    status = finish(driver, task)
    assert isinstance(status.error, error), status.error
    assert f"{command} went wrong" in status.error.user_message
    assert "public IP released" in status.error.user_message
    nothing_left(sim)
    assert sim.request_counts["disassociateIpAddress"] == 1


@pytest.mark.parametrize("command", ["createLoadBalancerRule", "assignToLoadBalancerRule",
                                     "createLBHealthCheckPolicy", "createLBStickinessPolicy"])
def test_a_refused_submit_at_any_step_removes_everything(driver, vms, sim, command):
    sim.fail_next(command, 530, f"{command} refused")
    status = finish(driver, driver.create_load_balancer(two_listeners(vms[:3], **FULL)))
    assert isinstance(status.error, exc.BackendError)
    assert f"{command} refused" in status.error.user_message
    nothing_left(sim)


def test_jobs_still_running_when_a_submit_fails_are_awaited_first(driver, vms, sim):
    sim.set_job_duration("assignToLoadBalancerRule", 0.3)
    sim.fail_next("createLBHealthCheckPolicy", 530, "no monitor today")
    task = driver.create_load_balancer(spec(vms[:2], protocol="HTTP", **FULL))
    jobs, phases = task.jobs, []
    while True:
        status = driver.poll_jobs(jobs)
        if status.done and status.next_jobs is not None:
            phases.append(lb_steps.decode(status.next_jobs[-1])["phase"])
            jobs = status.next_jobs
            continue
        if status.done:
            break
        time.sleep(0.01)
    assert phases == ["rules", "settle", "drop-rules", "release"]
    assert "no monitor today" in status.error.user_message
    nothing_left(sim)


def test_a_cleanup_that_fails_says_what_to_remove_by_hand(driver, vms, sim):
    sim.fail_next_job("assignToLoadBalancerRule", "boom", 530)
    sim.fail_next("disassociateIpAddress", 530, "address busy")
    task = driver.create_load_balancer(spec(vms[:2]))
    status = finish(driver, task)
    assert "boom" in status.error.user_message
    assert "address busy" in status.error.user_message
    assert f"release public IP {task.resource_id} by hand" in status.error.user_message
    assert backend(sim, "listLoadBalancerRules") == {}


def test_an_ignored_vip_address_is_rolled_back(driver, vms, sim):
    # A CloudStack older than 4.13 ignores associateIpAddress(ipaddress): another address.
    task = driver.create_load_balancer(spec(vms[:1], vip_address="198.51.100.50"))
    state = lb_steps.decode(task.jobs[1])
    state["vip"] = "198.51.100.51"
    status = finish(driver, models.BackendTask(task.resource_id,
                                               [task.jobs[0], lb_steps.encode(state)]))
    assert isinstance(status.error, exc.BackendError)
    assert "instead of vip_address 198.51.100.51" in status.error.user_message
    nothing_left(sim)


# -- resuming and deleting ---------------------------------------------------------------------


def test_another_driver_resumes_from_the_persisted_job_list(make_driver, vms, sim):
    first = make_driver()
    lb_spec = spec(vms[:3], protocol="HTTP", **FULL)
    task = first.create_load_balancer(lb_spec)
    jobs = task.jobs
    while True:
        status = first.poll_jobs(jobs)
        if status.done:
            jobs = status.next_jobs
            break
        time.sleep(0.01)
    assert status.resource_id == task.resource_id
    second = make_driver()  # a restarted translator: cold caches, nothing in memory
    status = finish(second, models.BackendTask(task.resource_id, jobs))
    assert status.error is None
    assert [m.id for m in status.result.listeners[0].pool.members] == vms[:3]
    assert second.get_load_balancer(task.resource_id) == status.result


def test_delete_continues_to_the_address_when_a_rule_delete_fails(driver, vms, sim):
    made = create(driver, two_listeners(vms[:2]))
    sim.fail_next_job("deleteLoadBalancerRule", "stuck")
    assert finish(driver, driver.delete_load_balancer(made.id)).error is None
    nothing_left(sim)  # releasing the address removed the rule left behind


def test_delete_fails_when_the_address_cannot_be_released(driver, vms, sim):
    made = create(driver, spec(vms[:1]))
    sim.fail_next_job("disassociateIpAddress", "address busy")
    status = finish(driver, driver.delete_load_balancer(made.id))
    assert isinstance(status.error, exc.BackendError)
    assert "address busy" in status.error.user_message
    assert backend(sim, "listPublicIpAddresses")["count"] == 1


def test_a_replaced_monitor_whose_create_is_refused_reports_it(driver, vms, sim):
    made = create(driver, spec(vms[:1], protocol="HTTP", **FULL))
    pool_id = made.listeners[0].pool.id
    sim.fail_next("createLBHealthCheckPolicy", 530, "monitor refused")
    status = finish(driver, driver.set_health_monitor(
        made.id, pool_id, models.HealthMonitor("HTTP", 9, 3, 2, url_path="/x")))
    assert "old health monitor was removed" in status.error.user_message
    assert driver.get_load_balancer(made.id).listeners[0].pool.health_monitor is None
