"""The CloudStack simulator's load balancing: public IPs, rules, members and policies,
driven by signed raw requests and by libcloud's own CloudStack load balancer driver, and
checked against the responses libcloud recorded from real CloudStack servers
(``libcloud/test/loadbalancer/fixtures/cloudstack`` and the compute ones)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import libcloud
import pytest
from unit.drivers.cloudstack.test_simulator_fixtures import compare, family, recorded_vms
from unit.drivers.cloudstack.test_simulator_fixtures import load as load_compute

from translator_drivers.cloudstack.sim_lb import LB_JOB_CLASSES

LB_FIXTURES = Path(libcloud.__file__).parent / "test/loadbalancer/fixtures/cloudstack"

#: LoadBalancerResponse fields of CloudStack 4.x newer than the 2011 recording.
RULE_EXTRA = {
    "description": "LoadBalancerResponse: the rule's description (left out when none)",
    "networkid": "LoadBalancerResponse since 3.0: the guest network of the rule",
    "cidrlist": "LoadBalancerResponse: the source CIDRs, empty when all",
    "zoneid": "LoadBalancerResponse since 3.0", "zonename": "LoadBalancerResponse since 4.x",
    "protocol": "LoadBalancerResponse since 4.4: tcp, udp, tcp-proxy (left out when none)",
    "tags": "LoadBalancerResponse: resource tags", "fordisplay": "LoadBalancerResponse 4.4",
}
#: IPAddressResponse fields of a recent CloudStack that no recording has.
IP_EXTRA = {"vlanid": "IPAddressResponse", "vlanname": "IPAddressResponse",
            "issystem": "IPAddressResponse", "associatednetworkname": "IPAddressResponse",
            "physicalnetworkid": "IPAddressResponse", "tags": "IPAddressResponse"}


def load_lb(name: str) -> dict[str, Any]:
    return next(iter(json.loads((LB_FIXTURES / name).read_text()).values()))


@pytest.fixture
def api(cs_api, cs_sim):
    for command in LB_JOB_CLASSES:
        cs_sim.set_job_duration(command, 0.02)
    return cs_api


def zone_id(api, name: str = "zone-basic") -> str:
    return api.ids("zone", "listZones", "zone")[name]


def network_id(api, name: str) -> str:
    return api.ids("network", "listNetworks", "network")[name]


def done(api, answer: dict[str, Any]) -> dict[str, Any]:
    job = api.wait(answer["jobid"])
    assert job["jobstatus"] == 1, job
    return job


def failed(api, answer: dict[str, Any]) -> dict[str, Any]:
    job = api.wait(answer["jobid"])
    assert job["jobstatus"] == 2, job
    return job["jobresult"]


def public_ip(api, **params: Any) -> dict[str, Any]:
    params = params or {"zoneid": zone_id(api)}
    return done(api, api.ok("associateIpAddress", **params))["jobresult"]["ipaddress"]


def rule(api, ip: dict[str, Any], wait: bool = True, **params: Any) -> dict[str, Any]:
    params = {"name": "web", "algorithm": "roundrobin", "publicport": 80, "privateport": 8080,
              **params}
    answer = api.ok("createLoadBalancerRule", publicipid=ip["id"], **params)
    if wait:
        return done(api, answer)["jobresult"]["loadbalancer"]
    return answer


def vms(api, count: int = 2, zone: str = "zone-basic") -> list[str]:
    return [api.deploy(zone=zone)["id"] for _ in range(count)]


# --- public IPs ---------------------------------------------------------------------------------

def test_associate_answers_id_and_job_and_matches_recordings(api, cs_sim):
    cs_sim.set_job_duration("associateIpAddress", 1.0)  # the in-between state, even under load
    answer = api.ok("associateIpAddress", zoneid=zone_id(api))
    recorded = [load_lb("associateIpAddress_default.json"),
                load_compute("associateIpAddress_default.json")]
    assert compare([answer], recorded, recorded, "associateIpAddress") == []
    listed = api.ok("listPublicIpAddresses", id=answer["id"])["publicipaddress"][0]
    assert listed["state"] == "Allocating"
    job = done(api, answer)
    assert job["cmd"].endswith("AssociateIPAddrCmd")
    assert compare([job], [load_compute("queryAsyncJobResult_11111.json")],
                   family("queryAsyncJobResult_*.json"), "job", shallow=["jobresult"]) == []
    ip = job["jobresult"]["ipaddress"]
    required = [load_compute("queryAsyncJobResult_11111.json")["jobresult"]["ipaddress"]]
    allowed = required + [load_lb("queryAsyncJobResult_17346.json")["jobresult"]["ipaddress"]]
    assert compare([ip], required, allowed, "ipaddress") == []
    assert ip["state"] == "Allocated" and ip["ipaddress"].startswith("198.51.100.")
    assert ip["associatednetworkname"] == "guestNetworkForBasicZone"


def test_public_ip_listing_matches_recordings_and_filters(api):
    basic = public_ip(api)
    advanced = public_ip(api, networkid=network_id(api, "admin-network"))
    answer = api.ok("listPublicIpAddresses")
    assert answer["count"] == 2
    recorded = load_compute("listPublicIpAddresses_default.json")["publicipaddress"]
    assert compare(answer["publicipaddress"], recorded, recorded, "publicipaddress",
                   optional=["virtualmachineid"], extra=IP_EXTRA) == []
    assert [i["id"] for i in api.ok("listPublicIpAddresses", zoneid=zone_id(
        api, "zone-advanced"))["publicipaddress"]] == [advanced["id"]]
    assert api.ok("listPublicIpAddresses", ipaddress=basic["ipaddress"])["count"] == 1
    assert api.ok("listPublicIpAddresses", allocatedonly="false")["count"] == 2 * 241
    assert api.ok("listPublicIpAddresses", forloadbalancing="true") == {}
    rule(api, basic)
    balanced = api.ok("listPublicIpAddresses", forloadbalancing="true")["publicipaddress"]
    assert [i["id"] for i in balanced] == [basic["id"]]


def test_a_requested_address_is_taken_when_free_else_533(api):
    ip = public_ip(api, zoneid=zone_id(api), ipaddress="198.51.100.77")
    assert ip["ipaddress"] == "198.51.100.77"
    status, body = api("associateIpAddress", zoneid=zone_id(api), ipaddress="198.51.100.77")
    assert status == 533 and "198.51.100.77 is not available" in body["errortext"]
    status, _ = api("associateIpAddress", zoneid=zone_id(api), ipaddress="192.0.2.1")
    assert status == 533


def test_associate_needs_a_zone_or_network_that_can_take_it(api, cs_sim):
    assert api("associateIpAddress")[0] == 431
    cs_sim.set_lb_provider("guestNetworkForBasicZone", None)
    status, body = api("associateIpAddress", zoneid=zone_id(api))
    assert status == 431 and "elastic IP" in body["errortext"]


def test_disassociate_releases_the_address_and_its_rules(api):
    ip = public_ip(api)
    made = rule(api, ip)
    done(api, api.ok("disassociateIpAddress", id=ip["id"]))
    assert api.ok("listPublicIpAddresses", id=ip["id"]) == {}
    assert api.ok("listLoadBalancerRules") == {}
    status, _ = api("deleteLoadBalancerRule", id=made["id"])
    assert status == 431
    status, body = api("disassociateIpAddress", id=ip["id"])
    assert status == 431 and "Unable to find ip address" in body["errortext"]


# --- rules ----------------------------------------------------------------------------------------

def test_rule_create_answers_at_once_then_goes_active(api, cs_sim):
    ip = public_ip(api)
    cs_sim.set_job_duration("createLoadBalancerRule", 1.0)  # "Add" is seen, even under load
    answer = rule(api, ip, wait=False, protocol="tcp", description="for web")
    recorded = load_lb("createLoadBalancerRule_default.json")
    assert compare([answer], [recorded], [recorded], "createLoadBalancerRule") == []
    listed = api.ok("listLoadBalancerRules", id=answer["id"])["loadbalancerrule"][0]
    assert listed["state"] == "Add"
    job = done(api, answer)
    assert job["cmd"].endswith("CreateLoadBalancerRuleCmd") and set(job["jobresult"]) == {
        "loadbalancer"}
    made = job["jobresult"]["loadbalancer"]
    assert (made["state"], made["publicport"], made["privateport"], made["protocol"]) == (
        "Active", "80", "8080", "tcp")
    assert made["description"] == "for web" and made["publicip"] == ip["ipaddress"]
    answer = api.ok("listLoadBalancerRules", publicipid=ip["id"])
    recorded = load_lb("listLoadBalancerRules_default.json")
    # The 2011 recording predates ``count``; every list envelope carries it since 3.0.
    assert compare([answer], [], [recorded, {"count": 1}], "listLoadBalancerRules",
                   shallow=["loadbalancerrule"]) == []
    assert compare(answer["loadbalancerrule"], recorded["loadbalancerrule"],
                   recorded["loadbalancerrule"], "loadbalancerrule", extra=RULE_EXTRA) == []


def test_a_second_rule_on_the_same_public_port_is_a_rule_conflict(api):
    ip = public_ip(api)
    first = rule(api, ip)
    status, body = api("createLoadBalancerRule", publicipid=ip["id"], name="again",
                       algorithm="leastconn", publicport=80, privateport=9000, protocol="udp")
    assert status == 537 and body["cserrorcode"] == 4360
    assert first["id"] in body["errortext"] and "80-80" in body["errortext"]
    assert rule(api, ip, publicport=443)["state"] == "Active"


@pytest.mark.parametrize("params,text", [
    ({"algorithm": "random"}, "Invalid algorithm: random"),
    ({"privateport": 0}, "privatePort is an invalid value: 0"),
    ({"publicport": 70000}, "publicPort is an invalid value: 70000"),
    ({"protocol": "sctp"}, "Unsupported protocol sctp"),
    ({"algorithm": "source"}, "LB service provider cannot support this rule"),
])
def test_bad_rule_parameters_are_431(api, params, text):
    status, body = api("createLoadBalancerRule", publicipid=public_ip(api)["id"],
                       **{"name": "x", "algorithm": "roundrobin", "publicport": 80,
                          "privateport": 80, **params})
    assert status == 431 and text in body["errortext"]


def test_missing_parameters_and_addresses_not_ready_are_431(api, cs_sim):
    status, body = api("createLoadBalancerRule", name="x", algorithm="roundrobin",
                       publicport=80)
    assert status == 431 and "missing parameter privateport" in body["errortext"]
    cs_sim.set_job_duration("associateIpAddress", 30)
    pending = api.ok("associateIpAddress", zoneid=zone_id(api))
    status, body = api("createLoadBalancerRule", publicipid=pending["id"], name="x",
                       algorithm="roundrobin", publicport=80, privateport=80)
    assert status == 431 and "invalid IP address ID" in body["errortext"]


def test_the_virtual_router_refuses_udp_and_its_stats_port(api):
    ip = public_ip(api, networkid=network_id(api, "admin-network"))
    for params in ({"protocol": "udp"}, {"publicport": 8081}):
        status, body = api("createLoadBalancerRule", publicipid=ip["id"], name="x",
                           algorithm="source", privateport=80,
                           **{"publicport": 53, **params})
        assert status == 431 and "cannot support this rule" in body["errortext"]
    assert rule(api, ip, algorithm="source")["algorithm"] == "source"


def test_rule_listing_pages_with_count(api):
    ip = public_ip(api)
    for port in range(81, 86):
        rule(api, ip, publicport=port)
    first = api.ok("listLoadBalancerRules", page=1, pagesize=2)
    last = api.ok("listLoadBalancerRules", page=3, pagesize=2)
    assert first["count"] == last["count"] == 5
    assert [r["publicport"] for r in first["loadbalancerrule"]] == ["81", "82"]
    assert [r["publicport"] for r in last["loadbalancerrule"]] == ["85"]
    assert api.ok("listLoadBalancerRules", keyword="WEB")["count"] == 5


def test_deleting_a_rule_shows_it_deleting_then_removes_it(api, cs_sim):
    made = rule(api, public_ip(api))
    cs_sim.set_job_duration("deleteLoadBalancerRule", 30)
    answer = api.ok("deleteLoadBalancerRule", id=made["id"])
    recorded = load_lb("deleteLoadBalancerRule_default.json")
    assert compare([answer], [recorded], [recorded], "deleteLoadBalancerRule") == []
    assert api.ok("listLoadBalancerRules", id=made["id"])["loadbalancerrule"][0]["state"] == \
        "Deleting"
    cs_sim.set_job_duration("deleteLoadBalancerRule", 0)
    done(api, api.ok("deleteLoadBalancerRule", id=made["id"]))
    assert api.ok("listLoadBalancerRules") == {}


# --- members --------------------------------------------------------------------------------------

def test_assign_and_list_members_match_recordings(api):
    made = rule(api, public_ip(api))
    members = vms(api)
    answer = api.ok("assignToLoadBalancerRule", id=made["id"],
                    virtualmachineids=",".join(members))
    recorded = load_lb("assignToLoadBalancerRule_default.json")
    assert compare([answer], [recorded], [recorded], "assignToLoadBalancerRule") == []
    job = done(api, answer)
    assert job["jobresult"] == load_lb("queryAsyncJobResult_17341.json")["jobresult"]
    listed = api.ok("listLoadBalancerRuleInstances", id=made["id"])
    assert [vm["id"] for vm in listed["loadbalancerruleinstance"]] == members
    # UserVmResponses, as listVirtualMachines sends them (the 2011 recording here also
    # carries usage statistics that later versions list only on request).
    recorded = load_lb("listLoadBalancerRuleInstances_default.json")["loadbalancerruleinstance"]
    assert compare(listed["loadbalancerruleinstance"],
                   load_compute("listVirtualMachines_default.json")["virtualmachine"],
                   recorded_vms() + recorded, "loadbalancerruleinstance") == []
    ips = api.ok("listLoadBalancerRuleInstances", id=made["id"], lbvmips="true")
    assert [e["lbvmipaddresses"][0] for e in ips["lbrulevmidip"]] == [
        api.vm(vm)["nic"][0]["ipaddress"] for vm in members]
    assert api.ok("listLoadBalancerRules", virtualmachineid=members[0])["count"] == 1
    other = vms(api, 1)
    candidates = api.ok("listLoadBalancerRuleInstances", id=made["id"], applied="false")
    assert [vm["id"] for vm in candidates["loadbalancerruleinstance"]] == other


def test_assign_checks_ids_at_once_and_the_rest_in_the_job(api):
    made = rule(api, public_ip(api))
    member, = vms(api, 1)
    status, body = api("assignToLoadBalancerRule", id=made["id"],
                       virtualmachineids="5b0b6f1e-0000-0000-0000-000000000000")
    assert status == 431 and "Invalid parameter virtualmachineids" in body["errortext"]
    assert api("assignToLoadBalancerRule", id=made["id"])[0] == 431
    done(api, api.ok("assignToLoadBalancerRule", id=made["id"], virtualmachineids=member))
    again = failed(api, api.ok("assignToLoadBalancerRule", id=made["id"],
                               virtualmachineids=member))
    assert again["errorcode"] == 431 and "already mapped" in again["errortext"]
    elsewhere, = vms(api, 1, zone="zone-advanced")
    wrong = failed(api, api.ok("assignToLoadBalancerRule", id=made["id"],
                               virtualmachineids=elsewhere))
    assert "doesn't belong in the same network" in wrong["errortext"]
    assert api.ok("listLoadBalancerRules", id=made["id"])["loadbalancerrule"][0]["state"] == \
        "Active"


def test_remove_members_and_expunged_vms_leave_the_rule(api):
    made = rule(api, public_ip(api))
    first, second = vms(api)
    done(api, api.ok("assignToLoadBalancerRule", id=made["id"],
                     virtualmachineids=f"{first},{second}"))
    answer = api.ok("removeFromLoadBalancerRule", id=made["id"], virtualmachineids=first)
    recorded = load_lb("removeFromLoadBalancerRule_default.json")
    assert compare([answer], [recorded], [recorded], "removeFromLoadBalancerRule") == []
    assert done(api, answer)["jobresult"] == {"success": True}
    not_there = failed(api, api.ok("removeFromLoadBalancerRule", id=made["id"],
                                   virtualmachineids=first))
    assert not_there["errorcode"] == 431
    done(api, api.ok("destroyVirtualMachine", id=second, expunge="true"))
    assert api.ok("listLoadBalancerRuleInstances", id=made["id"]) == {}


# --- policies -------------------------------------------------------------------------------------

def test_health_check_policy_on_a_netscaler_network(api):
    made = rule(api, public_ip(api))
    answer = api.ok("createLBHealthCheckPolicy", lbruleid=made["id"], pingpath="/health",
                    intervaltime=10, responsetimeout=3, unhealthythreshold=4,
                    description="probe")
    assert set(answer) == {"id", "jobid"}
    job = done(api, answer)
    assert job["cmd"].endswith("CreateLBHealthCheckPolicyCmd")
    container = job["jobresult"]["healthcheckpolicies"]
    assert container["lbruleid"] == made["id"]
    [policy] = container["healthcheckpolicy"]
    assert policy == {"id": answer["id"], "pingpath": "/health", "description": "probe",
                      "responsetime": 3, "healthcheckinterval": 10, "healthcheckthresshold": 2,
                      "unhealthcheckthresshold": 4, "fordisplay": True}
    listed = api.ok("listLBHealthCheckPolicies", lbruleid=made["id"])
    assert listed["count"] == 1 and listed["healthcheckpolicies"][0]["healthcheckpolicy"] == [
        policy]
    status, body = api("createLBHealthCheckPolicy", lbruleid=made["id"])
    assert status == 430 and "Already policy attached" in body["errortext"]
    done(api, api.ok("deleteLBHealthCheckPolicy", id=answer["id"]))
    assert api.ok("listLBHealthCheckPolicies", lbruleid=made["id"])[
        "healthcheckpolicies"][0]["healthcheckpolicy"] == []
    defaults = done(api, api.ok("createLBHealthCheckPolicy", lbruleid=made["id"]))
    assert defaults["jobresult"]["healthcheckpolicies"]["healthcheckpolicy"][0]["pingpath"] == "/"


def test_health_check_policies_the_virtual_router_lacks_and_bad_timings_are_430(api):
    vr = rule(api, public_ip(api, networkid=network_id(api, "admin-network")))
    status, body = api("createLBHealthCheckPolicy", lbruleid=vr["id"])
    assert status == 430 and "not supported by LB Provider" in body["errortext"]
    ns = rule(api, public_ip(api))
    status, body = api("createLBHealthCheckPolicy", lbruleid=ns["id"], intervaltime=2,
                       responsetimeout=5)
    assert status == 430 and "greater than response timeout" in body["errortext"]
    assert api("listLBHealthCheckPolicies")[0] == 431


def test_stickiness_methods_and_params_follow_the_provider(api):
    ns = rule(api, public_ip(api))
    status, body = api("createLBStickinessPolicy", lbruleid=ns["id"], name="s",
                       methodname="AppCookie")
    assert status == 431 and "Missing Manadatory Param :name" in body["errortext"]
    status, body = api("createLBStickinessPolicy", lbruleid=ns["id"], name="s",
                       methodname="AppCookie", **{"param[0].name": "cookie-name",
                                                  "param[0].value": "JSESSIONID"})
    assert status == 431 and "does not support param name" in body["errortext"]
    status, body = api("createLBStickinessPolicy", lbruleid=ns["id"], name="s",
                       methodname="Magic")
    assert status == 431 and "Failed to match Stickiness method" in body["errortext"]
    answer = api.ok("createLBStickinessPolicy", lbruleid=ns["id"], name="s",
                    methodname="appcookie", **{"param[0].name": "name",
                                               "param[0].value": "JSESSIONID"})
    container = done(api, answer)["jobresult"]["stickinesspolicies"]
    assert container["stickinesspolicy"] == [{
        "id": answer["id"], "name": "s", "methodname": "AppCookie", "fordisplay": True,
        "params": {"name": "JSESSIONID"}}]
    # A new policy replaces the rule's older one when its job applies it.
    done(api, api.ok("createLBStickinessPolicy", lbruleid=ns["id"], name="t",
                     methodname="SourceBased"))
    listed = api.ok("listLBStickinessPolicies", lbruleid=ns["id"])["stickinesspolicies"][0]
    assert [s["methodname"] for s in listed["stickinesspolicy"]] == ["SourceBased"]
    done(api, api.ok("deleteLBStickinessPolicy", id=listed["stickinesspolicy"][0]["id"]))
    assert api.ok("listLBStickinessPolicies", lbruleid=ns["id"])["stickinesspolicies"][0][
        "stickinesspolicy"] == []
    vr = rule(api, public_ip(api, networkid=network_id(api, "admin-network")))
    done(api, api.ok("createLBStickinessPolicy", lbruleid=vr["id"], name="c",
                     methodname="AppCookie", **{"param[0].name": "cookie-name",
                                                "param[0].value": "SID"}))


def test_networks_advertise_their_lb_capabilities(api, cs_sim):
    networks = {n["name"]: n for n in api.ok("listNetworks")["network"]}

    def caps(name: str) -> dict[str, str]:
        lb = next(s for s in networks[name]["service"] if s["name"] == "Lb")
        return {c["name"]: c["value"] for c in lb["capability"]}
    assert caps("guestNetworkForBasicZone")["HealthCheckPolicy"] == "true"
    assert caps("guestNetworkForBasicZone")["SupportedLbAlgorithms"] == "roundrobin,leastconn"
    assert "HealthCheckPolicy" not in caps("admin-network")
    methods = json.loads(caps("admin-network")["SupportedStickinessMethods"])
    assert {m["methodname"] for m in methods} == {"LbCookie", "AppCookie", "SourceBased"}
    cs_sim.set_lb_provider("admin-network", "Netscaler")
    networks = {n["name"]: n for n in api.ok("listNetworks")["network"]}
    assert caps("admin-network")["HealthCheckPolicy"] == "true"


# --- failed jobs undo their create ------------------------------------------------------------

def test_failed_jobs_undo_what_their_create_made(api, cs_sim):
    cs_sim.fail_next_job("associateIpAddress", "no route")
    answer = api.ok("associateIpAddress", zoneid=zone_id(api))
    assert failed(api, answer) == {"errorcode": 530, "errortext": "no route"}
    assert api.ok("listPublicIpAddresses") == {}
    ip = public_ip(api)
    cs_sim.fail_next_job("createLoadBalancerRule", "Failed to create load balancer rule")
    assert failed(api, rule(api, ip, wait=False))["errorcode"] == 530
    assert api.ok("listLoadBalancerRules") == {}
    made = rule(api, ip)
    cs_sim.fail_next_job("createLBHealthCheckPolicy", "Failed to create health check policy")
    failed(api, api.ok("createLBHealthCheckPolicy", lbruleid=made["id"]))
    assert api.ok("listLBHealthCheckPolicies", lbruleid=made["id"])["healthcheckpolicies"][
        0]["healthcheckpolicy"] == []
    cs_sim.fail_next_job("assignToLoadBalancerRule", "boom")
    failed(api, api.ok("assignToLoadBalancerRule", id=made["id"],
                       virtualmachineids=vms(api, 1)[0]))
    assert api.ok("listLoadBalancerRuleInstances", id=made["id"]) == {}
    cs_sim.fail_next_job("disassociateIpAddress", "busy")
    failed(api, api.ok("disassociateIpAddress", id=ip["id"]))
    assert api.ok("listPublicIpAddresses", id=ip["id"])["publicipaddress"][0]["state"] == \
        "Allocated"
    counts = cs_sim.request_counts
    assert counts["associateIpAddress"] == 2 and counts["createLoadBalancerRule"] == 2


def test_error_answers_have_cloudstack_shape(api, cs_sim):
    cs_sim.fail_next("createLoadBalancerRule", 530, "Internal error")
    status, body = api("createLoadBalancerRule", publicipid=public_ip(api)["id"], name="x",
                       algorithm="roundrobin", publicport=80, privateport=80)
    assert status == 530 and body["errortext"] == "Internal error"


# --- libcloud's own CloudStack load balancer driver -----------------------------------------------

def test_libcloud_load_balancer_driver_runs_unmodified(cs_sim, api):
    from libcloud.loadbalancer.base import Algorithm, Member
    from libcloud.loadbalancer.providers import get_driver
    from libcloud.loadbalancer.types import Provider

    cls = get_driver(Provider.CLOUDSTACK)
    driver = cls(cs_sim.api_key, cs_sim.secret_key, host="127.0.0.1", port=cs_sim.port,
                 path="/client/api", secure=False)
    driver.connection.poll_interval = 0.01
    members = vms(api)
    # libcloud sends a missing network_id as the text "None", which CloudStack refuses
    # as an unknown id (431): name the network.
    balancer = driver.create_balancer("libcloud-lb", [Member(m, None, None) for m in members],
                                      port=80, algorithm=Algorithm.LEAST_CONNECTIONS,
                                      network_id=network_id(api, "guestNetworkForBasicZone"))
    assert balancer.ip.startswith("198.51.100.")
    assert sorted(m.id for m in driver.balancer_list_members(balancer)) == sorted(members)
    assert [b.id for b in driver.list_balancers()] == [balancer.id]
    assert driver.get_balancer(balancer.id).state == 0  # State.RUNNING: the rule is Active
    driver.balancer_detach_member(balancer, Member(members[0], None, None))
    assert [m.id for m in driver.balancer_list_members(balancer)] == [members[1]]
    driver.destroy_balancer(balancer)
    assert driver.list_balancers() == []
    assert api.ok("listPublicIpAddresses") == {}
