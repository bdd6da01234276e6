"""Create, read, list and delete load balancers on the NITRO simulator, and how each
option lands on NetScaler entities."""

from __future__ import annotations

import pytest

from translator.drivers import exceptions as exc
from translator.drivers import models


def _by(objects: list[dict], key: str) -> dict[str, dict]:
    return {o[key]: o for o in objects}


def test_create_get_list_delete(ns_sim, driver, specs, orphans):
    spec = specs.lb(specs.listener("HTTP", 80, member_count=3),
                    specs.listener("TCP", 443, algorithm="LEAST_CONNECTIONS", member_count=1),
                    name="shop front/ü")
    task = driver.create_load_balancer(spec)
    assert task.jobs == [] and len(task.resource_id) == 12

    lb = driver.get_load_balancer(task.resource_id)
    assert (lb.id, lb.name, lb.vip_address) == (task.resource_id, "shop front/ü", "192.0.2.10")
    assert (lb.provisioning_status, lb.operating_status) == ("ACTIVE", "NO_MONITOR")
    assert lb.created_at is not None
    assert [(lis.protocol, lis.port, lis.id) for lis in lb.listeners] == [
        ("HTTP", 80, f"{lb.id}-80"), ("TCP", 443, f"{lb.id}-443")]
    web = lb.listeners[0].pool
    assert web.id == f"{lb.id}-80-pool" and web.algorithm == "ROUND_ROBIN"
    assert [(m.id, m.address, m.port, m.weight, m.operating_status) for m in web.members] == [
        (f"10.0.0.{i}:8080", f"10.0.0.{i}", 8080, 1, "NO_MONITOR") for i in (1, 2, 3)]
    assert lb.listeners[1].pool.algorithm == "LEAST_CONNECTIONS"
    assert lb.extra["lbvservers"] == f"tr-{lb.id}-80,tr-{lb.id}-443"

    page = driver.list_load_balancers(10, "")
    assert [x.id for x in page.items] == [lb.id] and page.next_token == "" and page.total == 1
    assert page.items[0] == lb

    assert driver.delete_load_balancer(lb.id).jobs == []
    assert orphans() == {}
    with pytest.raises(exc.NotFound):
        driver.get_load_balancer(lb.id)
    with pytest.raises(exc.NotFound):
        driver.delete_load_balancer(lb.id)


def test_entities_and_their_attributes(ns_sim, driver, specs):
    spec = specs.lb(specs.listener("HTTP", 80, algorithm="SOURCE_IP", persistence=models.
                                   SessionPersistence("HTTP_COOKIE"),
                                   monitor=models.HealthMonitor("HTTP", 10, 4, 5, "/health",
                                                                "200-204,301")))
    lb_id = driver.create_load_balancer(spec).resource_id
    name = f"tr-{lb_id}-80"
    vs = _by(ns_sim.objects("lbvserver"), "name")[name]
    assert (vs["servicetype"], vs["ipv46"], vs["port"], vs["lbmethod"]) == \
        ("HTTP", "192.0.2.10", 80, "SOURCEIPHASH")
    assert (vs["persistencetype"], vs["timeout"]) == ("COOKIEINSERT", "2")
    assert vs["comment"].startswith(f"translator lb={lb_id} t=")
    group = _by(ns_sim.objects("servicegroup"), "servicegroupname")[f"{name}-pool"]
    assert group["servicetype"] == "HTTP"
    monitor = _by(ns_sim.objects("lbmonitor"), "monitorname")[f"{name}-http"]
    assert (monitor["type"], monitor["httprequest"], monitor["respcode"]) == \
        ("HTTP", "GET /health", ["200-204", "301"])
    assert (monitor["interval"], monitor["resptimeout"], monitor["retries"]) == (10, 4, 5)
    assert ns_sim.objects("servicegroup_lbmonitor_binding")[0]["monitor_name"] == \
        f"{name}-http"
    assert ns_sim.objects("lbvserver_servicegroup_binding") == [
        {"name": name, "servicegroupname": f"{name}-pool"}]
    assert sorted((b["ip"], b["port"], b["weight"]) for b in
                  ns_sim.objects("servicegroup_servicegroupmember_binding")) == [
        ("10.0.0.1", 8080, "1"), ("10.0.0.2", 8080, "1")]

    pool = driver.get_load_balancer(lb_id).listeners[0].pool
    assert pool.algorithm == "SOURCE_IP"
    assert pool.session_persistence == models.SessionPersistence("HTTP_COOKIE")
    assert pool.health_monitor == models.HealthMonitor("HTTP", 10, 4, 5, "/health",
                                                       "200-204,301")


@pytest.mark.parametrize("protocol,servicetype", [
    ("TCP", "TCP"), ("HTTP", "HTTP"), ("HTTPS", "SSL_BRIDGE"), ("UDP", "UDP")])
def test_protocols(ns_sim, driver, specs, protocol, servicetype):
    lb_id = driver.create_load_balancer(specs.lb(specs.listener(protocol, 443))).resource_id
    assert ns_sim.objects("lbvserver")[0]["servicetype"] == servicetype
    assert ns_sim.objects("servicegroup")[0]["servicetype"] == servicetype
    assert driver.get_load_balancer(lb_id).listeners[0].protocol == protocol


@pytest.mark.parametrize("algorithm,lbmethod", [
    ("ROUND_ROBIN", "ROUNDROBIN"), ("LEAST_CONNECTIONS", "LEASTCONNECTION"),
    ("SOURCE_IP", "SOURCEIPHASH")])
def test_algorithms(ns_sim, driver, specs, algorithm, lbmethod):
    lb_id = driver.create_load_balancer(specs.lb(specs.listener(algorithm=algorithm))).resource_id
    assert ns_sim.objects("lbvserver")[0]["lbmethod"] == lbmethod
    assert driver.get_load_balancer(lb_id).listeners[0].pool.algorithm == algorithm


@pytest.mark.parametrize("protocol,persistence,expected", [
    ("TCP", models.SessionPersistence("SOURCE_IP"), {"persistencetype": "SOURCEIP"}),
    ("HTTPS", models.SessionPersistence("SOURCE_IP"), {"persistencetype": "SOURCEIP"}),
    ("HTTP", models.SessionPersistence("HTTP_COOKIE"), {"persistencetype": "COOKIEINSERT"}),
    ("HTTP", models.SessionPersistence("APP_COOKIE", "JSESSIONID"), {
        "persistencetype": "RULE", "rule": 'HTTP.REQ.COOKIE.VALUE("JSESSIONID")',
        "resrule": 'HTTP.RES.SET_COOKIE.COOKIE("JSESSIONID").VALUE("JSESSIONID")'}),
])
def test_persistence(ns_sim, driver, specs, protocol, persistence, expected):
    lb_id = driver.create_load_balancer(specs.lb(specs.listener(
        protocol, persistence=persistence))).resource_id
    vs = ns_sim.objects("lbvserver")[0]
    assert {k: vs[k] for k in expected} == expected
    assert driver.get_load_balancer(lb_id).listeners[0].pool.session_persistence == persistence


def test_persistence_timeout_option(ns_sim, make_driver, specs):
    driver = make_driver(persistence_timeout=30)
    driver.create_load_balancer(specs.lb(specs.listener(
        persistence=models.SessionPersistence("SOURCE_IP"))))
    assert ns_sim.objects("lbvserver")[0]["timeout"] == "30"


@pytest.mark.parametrize("protocol,monitor,expected", [
    ("TCP", models.HealthMonitor("PING", 5, 2, 3), {"type": "PING"}),
    ("TCP", models.HealthMonitor("TCP", 7, 3, 2), {"type": "TCP", "interval": 7,
                                                   "resptimeout": 3, "retries": 2}),
    ("HTTP", models.HealthMonitor("HTTP", 5, 2, 3), {
        "type": "HTTP", "httprequest": "GET /", "respcode": ["200"], "secure": "NO"}),
    ("HTTPS", models.HealthMonitor("HTTP", 5, 2, 3, "/hz", "200,202"), {
        "type": "HTTP", "httprequest": "GET /hz", "respcode": ["200", "202"], "secure": "YES"}),
])
def test_monitors(ns_sim, driver, specs, protocol, monitor, expected):
    lb_id = driver.create_load_balancer(specs.lb(specs.listener(
        protocol, monitor=monitor))).resource_id
    obj = ns_sim.objects("lbmonitor")[0]
    assert {k: obj[k] for k in expected} == expected
    read = driver.get_load_balancer(lb_id).listeners[0].pool.health_monitor
    assert (read.type, read.delay_seconds, read.timeout_seconds, read.max_retries) == \
        (monitor.type, monitor.delay_seconds, monitor.timeout_seconds, monitor.max_retries)
    if monitor.type == "HTTP":
        assert (read.url_path, read.expected_codes) == \
            (monitor.url_path or "/", monitor.expected_codes or "200")


def test_members_weights_and_ipv6(ns_sim, driver, specs):
    members = [models.Member(address="fd00::0:5", port=80, weight=100),
               models.Member(address="10.1.1.1", port=81, weight=7)]
    lb_id = driver.create_load_balancer(specs.lb(specs.listener(
        "TCP", members=members), vip_address="2001:db8::10")).resource_id
    lb = driver.get_load_balancer(lb_id)
    assert lb.vip_address == "2001:db8::10"
    assert sorted((m.id, m.weight) for m in lb.listeners[0].pool.members) == [
        ("10.1.1.1:81", 7), ("[fd00::5]:80", 100)]


def test_one_listener_and_100_members_take_at_most_10_requests(ns_sim, make_driver, specs):
    """P7: a fresh driver (its login counted), the create and the read that finishes it."""
    driver = make_driver(setup=False)
    spec = specs.lb(specs.listener("TCP", 80, members=specs.members(100, net="10.2.0")))
    lb_id = driver.create_load_balancer(spec).resource_id
    lb = driver.get_load_balancer(lb_id)
    assert len(lb.listeners[0].pool.members) == 100
    assert ns_sim.request_count <= 10, ns_sim.requests
    assert [m for m, p in ns_sim.requests if p.endswith("_servicegroupmember_binding")] == \
        ["POST"]
    # with a monitor too: the create adds the monitor and its binding, the read the monitor
    ns_sim.reset_counts()
    spec.listeners[0].pool.health_monitor = models.HealthMonitor("TCP", 5, 2, 3)
    driver.get_load_balancer(driver.create_load_balancer(spec).resource_id)
    assert ns_sim.request_count <= 10, ns_sim.requests


def test_the_create_is_answered_once_from_memory(ns_sim, driver, specs):
    spec = specs.lb(specs.listener(monitor=models.HealthMonitor("TCP", 5, 2, 3)))
    lb_id = driver.create_load_balancer(spec).resource_id
    count = ns_sim.request_count
    made = driver.peek("get_load_balancer", lb_id)
    assert ns_sim.request_count == count
    assert made.id == lb_id and made.name == "web"
    assert [m.operating_status for m in made.listeners[0].pool.members] == ["OFFLINE"] * 2
    assert driver.peek("get_load_balancer", lb_id) is None  # once only
    read = driver.get_load_balancer(lb_id)

    def shape(lb):
        return (lb.name, lb.vip_address, lb.created_at, lb.extra,
                [(lis.id, lis.protocol, lis.port, lis.pool.id, lis.pool.algorithm,
                  lis.pool.health_monitor, [(m.id, m.weight) for m in lis.pool.members])
                 for lis in lb.listeners])
    assert shape(made) == shape(read)


def test_list_pages_in_id_order_and_keeps_to_its_prefix(ns_sim, make_driver, specs):
    driver = make_driver()
    other = make_driver(name_prefix="other_")
    ids = sorted(driver.create_load_balancer(specs.lb(name=f"lb{i}")).resource_id
                 for i in range(3))
    other.create_load_balancer(specs.lb(name="not mine"))
    first = driver.list_load_balancers(2, "")
    assert [x.id for x in first.items] == ids[:2] and first.total == 3
    second = driver.list_load_balancers(2, first.next_token)
    assert [x.id for x in second.items] == ids[2:] and second.next_token == ""
    assert [x.name for x in other.list_load_balancers(10, "").items] == ["not mine"]
    with pytest.raises(exc.InvalidInput):
        driver.list_load_balancers(2, "not-a-token")


def test_unknown_ids_are_not_found_without_a_call(ns_sim, driver):
    count = ns_sim.request_count
    for bad in ("nope", "../lbvserver", "ABCDEF012345"):
        with pytest.raises(exc.NotFound):
            driver.get_load_balancer(bad)
        with pytest.raises(exc.NotFound):
            driver.delete_load_balancer(bad)
    assert ns_sim.request_count == count


def test_delete_finishes_a_delete_that_stopped_midway(ns_sim, driver, specs, orphans):
    spec = specs.lb(specs.listener(monitor=models.HealthMonitor("PING", 5, 2, 3)),
                    specs.listener("TCP", 22))
    lb_id = driver.create_load_balancer(spec).resource_id
    ns_sim.fail_next("DELETE", "lbmonitor", 599, "Internal error", 599)
    with pytest.raises(exc.BackendError):
        driver.delete_load_balancer(lb_id)
    assert driver.get_load_balancer(lb_id).id == lb_id  # still listed: its vservers remain
    driver.delete_load_balancer(lb_id)
    assert orphans() == {}


def test_a_258_while_deleting_counts_as_done(ns_sim, driver, specs, orphans):
    lb_id = driver.create_load_balancer(specs.lb()).resource_id
    ns_sim.fail_next("DELETE", "servicegroup", 258, "No such resource")
    driver.delete_load_balancer(lb_id)  # no error: gone is what a delete wants
    assert ns_sim.objects("lbvserver") == []
    # the injected 258 spared the real service group: a second delete finds and removes it
    driver.delete_load_balancer(lb_id)
    assert orphans() == {}
