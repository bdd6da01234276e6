"""The NetScaler simulator's bulk requests (207 multi-status, X-NITRO-ONERROR) and
member, service group and vserver health from monitors and ``set_member_health``."""

from __future__ import annotations

import time

import pytest

MEMBERS = "servicegroup_servicegroupmember_binding"
DONE = {"errorcode": 0, "message": "Done", "severity": "NONE"}
EXISTS = {"errorcode": 273, "message": "Resource already exists [name, v1]",
          "severity": "ERROR"}
#: The ns_sim fixture's health_interval: a 5-second probe interval lasts 0.05 s.
TICK = 0.05


def _vservers(*names):
    return {"lbvserver": [{"name": n, "servicetype": "HTTP"} for n in names]}


def _names(nitro):
    return [v["name"] for v in nitro.get("lbvserver")]


# --- bulk -------------------------------------------------------------------------------

def test_bulk_add_all_good_answers_201_without_payload(nitro):
    answer = nitro.call("POST", "lbvserver", _vservers("v1", "v2", "v3"))
    assert (answer.status, answer.raw) == (201, b"")
    assert _names(nitro) == ["v1", "v2", "v3"]


def test_bulk_continue_applies_every_item_and_reports_each(nitro):
    nitro.add("lbvserver", {"name": "v1", "servicetype": "HTTP"})
    answer = nitro.call("POST", "lbvserver", _vservers("v0", "v1", "v2"),
                        headers={"X-NITRO-ONERROR": "continue"})
    assert (answer.status, answer.reason) == (207, "Multi Status")
    assert answer.body == {"errorcode": 1243, "message": "Bulk operation failed",
                           "severity": "ERROR", "response": [DONE, EXISTS, DONE]}
    assert _names(nitro) == ["v1", "v0", "v2"]


def test_bulk_exit_is_the_default_and_keeps_what_was_done(nitro):
    nitro.add("lbvserver", {"name": "v1", "servicetype": "HTTP"})
    answer = nitro.call("POST", "lbvserver", _vservers("v0", "v1", "v2"))
    assert answer.status == 207
    assert answer.body["response"] == [EXISTS]
    assert _names(nitro) == ["v1", "v0"]


def test_bulk_rollback_undoes_the_items_done(nitro):
    nitro.add("lbvserver", {"name": "v1", "servicetype": "HTTP"})
    body = {**_vservers("v0", "v1", "v2"), "params": {"onerror": "rollback"}}
    answer = nitro.call("POST", "lbvserver", body)
    assert (answer.status, answer.body["response"]) == (207, [EXISTS])
    assert _names(nitro) == ["v1"]


def test_bulk_update_and_bad_onerror(nitro):
    nitro.call("POST", "lbvserver", _vservers("v1", "v2"))
    answer = nitro.call("PUT", "lbvserver", {"lbvserver": [
        {"name": "v1", "comment": "a"}, {"name": "v2", "comment": "b"}]})
    assert answer.status == 200
    assert [v["comment"] for v in nitro.get("lbvserver")] == ["a", "b"]
    answer = nitro.call("POST", "lbvserver", _vservers("v3"), headers={"X-NITRO-ONERROR": "x"})
    assert (answer.status, answer.errorcode) == (400, 1097)


def test_one_listener_with_100_members_in_a_handful_of_requests(ns_sim, anonymous):
    """The P7 shape: login, vserver, group, 100 members in one bulk call, monitor, two
    bindings: every request counted, the whole load balancer in 7."""
    ns_sim.reset_counts()
    anonymous.login()
    anonymous.add("lbvserver", {"name": "lb", "servicetype": "HTTP", "ipv46": "10.0.0.1",
                                "port": 80})
    anonymous.add("servicegroup", {"servicegroupname": "pool", "servicetype": "HTTP"})
    anonymous.add(MEMBERS, [{"servicegroupname": "pool", "ip": f"10.2.{i // 250}.{i % 250}",
                             "port": 8080} for i in range(100)])
    anonymous.add("lbmonitor", {"monitorname": "hm", "type": "HTTP"})
    anonymous.add("servicegroup_lbmonitor_binding", {"servicegroupname": "pool",
                                                     "monitor_name": "hm"})
    anonymous.add("lbvserver_servicegroup_binding", {"name": "lb",
                                                     "servicegroupname": "pool"})
    assert ns_sim.request_count == 7
    assert len(ns_sim.objects(MEMBERS)) == 100
    time.sleep(TICK + 0.05)  # the monitor's first probes
    [vs] = anonymous.get("lbvserver/lb")
    assert (vs["curstate"], vs["health"], vs["activeservices"]) == ("UP", "100", "100")


# --- health -------------------------------------------------------------------------------

@pytest.fixture
def pool(nitro):
    """vs1 -> sg1 with members 10.1.0.1:80 and 10.1.0.2:80."""
    nitro.add("lbvserver", {"name": "vs1", "servicetype": "HTTP", "ipv46": "10.0.0.1",
                            "port": 80})
    nitro.add("servicegroup", {"servicegroupname": "sg1", "servicetype": "HTTP"})
    nitro.add(MEMBERS, [{"servicegroupname": "sg1", "ip": f"10.1.0.{i}", "port": 80}
                        for i in (1, 2)])
    nitro.add("lbvserver_servicegroup_binding", {"name": "vs1", "servicegroupname": "sg1"})
    return nitro


def _probed():
    time.sleep(TICK + 0.05)  # past the first probe of tcp-default


def _states(nitro):
    return {m["ip"]: m["svrstate"] for m in nitro.get(f"{MEMBERS}/sg1")}


def _vs(nitro):
    vs = nitro.get("lbvserver/vs1")[0]
    return vs["curstate"], vs["health"], vs["activeservices"]


def test_members_are_down_until_the_first_probe_then_up(pool):
    assert _states(pool) == {"10.1.0.1": "DOWN", "10.1.0.2": "DOWN"}
    assert _vs(pool) == ("DOWN", "0", "0")
    time.sleep(TICK + 0.05)  # tcp-default probes every 5 s: one TICK
    assert _states(pool) == {"10.1.0.1": "UP", "10.1.0.2": "UP"}
    assert _vs(pool) == ("UP", "100", "2")
    assert pool.get("servicegroup/sg1")[0]["servicegroupeffectivestate"] == "UP"


def test_monitor_sees_a_change_after_its_interval(ns_sim, pool):
    pool.add("lbmonitor", {"monitorname": "slow", "type": "HTTP", "interval": 20})
    pool.add("servicegroup_lbmonitor_binding", {"servicegroupname": "sg1",
                                                "monitor_name": "slow"})
    time.sleep(4 * TICK + 0.05)  # a 20 s interval: the first probe is 4 ticks after binding
    assert _states(pool) == {"10.1.0.1": "UP", "10.1.0.2": "UP"}
    ns_sim.set_member_health("10.1.0.1", 80, False)
    assert _states(pool)["10.1.0.1"] == "UP"  # until the next probe
    time.sleep(4 * TICK + 0.05)
    assert _states(pool) == {"10.1.0.1": "DOWN", "10.1.0.2": "UP"}
    assert _vs(pool) == ("UP", "50", "1")
    assert pool.get("servicegroup/sg1")[0]["servicegroupeffectivestate"] == "PARTIAL-UP"
    ns_sim.set_member_health("10.1.0.2", 80, False)
    time.sleep(4 * TICK + 0.05)
    assert _vs(pool) == ("DOWN", "0", "0")
    assert pool.get("servicegroup/sg1")[0]["servicegroupeffectivestate"] == "DOWN"
    ns_sim.set_member_health("10.1.0.1", 80, True)
    time.sleep(4 * TICK + 0.05)
    assert _states(pool)["10.1.0.1"] == "UP"


def test_default_tcp_probe_applies_without_a_monitor(ns_sim, pool):
    ns_sim.set_member_health("10.1.0.2", 80, False)
    time.sleep(TICK + 0.05)
    assert _states(pool)["10.1.0.2"] == "DOWN"
    pool.call("PUT", "servicegroup", {"servicegroup": {"servicegroupname": "sg1",
                                                       "healthmonitor": "NO"}})
    assert _states(pool)["10.1.0.2"] == "UP"


def test_a_member_bound_to_a_dead_backend_is_down_at_once(ns_sim, pool):
    _probed()
    ns_sim.set_member_health("10.1.0.3", 80, False)
    pool.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.3", "port": 80})
    assert _states(pool)["10.1.0.3"] == "DOWN"
    assert _vs(pool) == ("UP", "66", "2")


def test_disabled_members_and_monitors(ns_sim, pool):
    _probed()
    pool.add(MEMBERS, {"servicegroupname": "sg1", "ip": "10.1.0.3", "port": 80,
                       "state": "DISABLED"})
    assert _states(pool)["10.1.0.3"] == "OUT OF SERVICE"
    assert _vs(pool) == ("UP", "100", "2")  # out-of-service members do not count
    pool.add("lbmonitor", {"monitorname": "m", "type": "TCP"})
    pool.add("servicegroup_lbmonitor_binding", {"servicegroupname": "sg1",
                                                "monitor_name": "m", "monstate": "DISABLED"})
    ns_sim.set_member_health("10.1.0.1", 80, False)
    time.sleep(TICK + 0.05)
    assert _states(pool)["10.1.0.1"] == "UP"  # the only bound monitor is disabled
    pool.call("PUT", "servicegroup", {"servicegroup": {"servicegroupname": "sg1",
                                                       "state": "DISABLED"}})
    assert set(_states(pool).values()) == {"OUT OF SERVICE"}
    assert pool.get("servicegroup/sg1")[0]["servicegroupeffectivestate"] == "OUT OF SERVICE"


def test_reverse_monitor_and_disabled_vserver(ns_sim, pool):
    pool.add("lbmonitor", {"monitorname": "rev", "type": "TCP", "reverse": "YES"})
    pool.add("servicegroup_lbmonitor_binding", {"servicegroupname": "sg1",
                                                "monitor_name": "rev"})
    assert _states(pool) == {"10.1.0.1": "DOWN", "10.1.0.2": "DOWN"}
    pool.call("PUT", "lbvserver", {"lbvserver": {"name": "vs1", "state": "DISABLED"}})
    assert _vs(pool)[0] == "OUT OF SERVICE"
