"""The CloudStack simulator driven by real clients: libcloud's CloudStack cs_driver and
signed raw requests over HTTP."""

from __future__ import annotations

import argparse
import base64
import datetime
import json
import logging
import os
import shutil
import stat
import subprocess
import time
from pathlib import Path

import libcloud
import pytest
from libcloud.common.types import InvalidCredsError, ProviderError

from translator_drivers.cloudstack import sim_keys
from translator_drivers.cloudstack.simulator import AUTH_ERROR, CloudStackSimulator

FIXTURES = Path(libcloud.__file__).parent / "test/compute/fixtures/cloudstack"
UNKNOWN_ID = ("Unable to execute API command {cmd} due to invalid value. Invalid parameter "
              "{param} value={value} due to incorrect long value format, or entity does not "
              "exist or due to incorrect parameter annotation for the field in api cmd class.")


# --- authentication ------------------------------------------------------------------------

def test_wrong_secret_is_invalid_creds_for_libcloud(cs_sim):
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider
    bad = get_driver(Provider.CLOUDSTACK)(cs_sim.api_key, "not-the-secret", url=cs_sim.endpoint,
                                           secure=False)
    with pytest.raises(InvalidCredsError):
        bad.list_locations()
    assert cs_sim.request_counts == {}  # unauthenticated requests are not counted


@pytest.mark.parametrize("kwargs", [{"secret": "wrong"}, {"api_key": "nobody"}])
def test_bad_credentials_answer_401_in_cloudstack_shape(cs_api, kwargs):
    status, answer = cs_api.raw("listZones", **kwargs)
    assert status == 401
    assert answer == {"listzonesresponse": {"uuidList": [], "errorcode": 401,
                                            "errortext": AUTH_ERROR}}


def test_tampered_parameter_breaks_the_signature(cs_api, cs_sim):
    status, _ = cs_api.raw("listZones", name="zone-basic")
    assert status == 200
    # Same signature, different value: sign one request, send another.
    params = {"command": "listZones", "apiKey": cs_sim.api_key, "response": "json",
              "name": "zone-basic"}
    from libcloud.common.cloudstack import CloudStackConnection
    params["signature"] = CloudStackConnection(user_id=cs_sim.api_key, key=cs_sim.secret_key) \
        ._make_signature(params).decode()
    params["name"] = "zone-advanced"
    assert cs_sim.handle(params)[0] == 401


def test_signature_version_3_honours_expires(cs_api):
    future = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5))
    past = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5))
    fmt = "%Y-%m-%dT%H:%M:%S+0000"
    assert cs_api.raw("listZones", signatureVersion=3, expires=future.strftime(fmt))[0] == 200
    assert cs_api.raw("listZones", signatureVersion=3, expires=past.strftime(fmt))[0] == 401
    assert cs_api.raw("listZones", signatureVersion=3)[0] == 401


def test_post_body_parameters_are_merged_and_must_be_signed(cs_api):
    userdata = base64.b64encode(b"#cloud-config\n").decode()
    status, body = cs_api("listZones", method="POST", body={"name": "zone-advanced"})
    assert status == 200 and [z["name"] for z in body["zone"]] == ["zone-advanced"]
    status, _ = cs_api("listZones", method="POST", body={"name": "x"}, sign_body=False)
    assert status == 401
    answer = cs_api.deploy(method="POST", body={"userdata": userdata})
    assert answer["id"]


def test_values_with_spaces_and_brackets_verify(cs_api):
    answer = cs_api.deploy(displayname="web server [blue] ~1")
    assert cs_api.vm(answer["id"])["displayname"] == "web server [blue] ~1"


# --- seeded inventory ------------------------------------------------------------------------

def test_libcloud_lists_the_seeded_zones_and_templates(cs_driver):
    assert [loc.name for loc in cs_driver.list_locations()] == ["zone-basic", "zone-advanced"]
    images = cs_driver.list_images()
    # One entry per template and zone, with the same id, as CloudStack lists them.
    assert sorted({i.name for i in images}) == ["CentOS 7", "Debian 12", "Ubuntu 22.04"]
    assert len(images) == 6 and images[0].extra["hypervisor"] == "XenServer"


def test_offerings_include_a_customized_one_without_sizes(cs_api, cs_driver):
    offerings = {o["name"]: o for o in cs_api.ok("listServiceOfferings")["serviceoffering"]}
    assert (offerings["Large Instance"]["cpunumber"], offerings["Large Instance"]["memory"]) \
        == (2, 4096)
    assert offerings["Small Instance"]["cpuspeed"] == 500
    custom = offerings["Custom"]
    assert custom["iscustomized"] is True and "cpunumber" not in custom and "memory" not in custom
    # libcloud's list_sizes indexes cpunumber unconditionally, so it cannot read a real
    # CloudStack that has a customized offering; the translator lists offerings raw.
    with pytest.raises(KeyError):
        cs_driver.list_sizes()


def test_networks_and_security_groups(cs_api):
    zones = cs_api.ids("zone", "listZones", "zone")
    networks = cs_api.ok("listNetworks", zoneid=zones["zone-advanced"])["network"]
    assert [(n["type"], n["zonename"]) for n in networks] == [("Isolated", "zone-advanced")]
    groups = cs_api.ok("listSecurityGroups", securitygroupname="default")
    assert groups["count"] == 1 and groups["securitygroup"][0]["name"] == "default"
    assert cs_api.ok("listSecurityGroups", securitygroupname="nope") == {}


def test_seeded_ids_are_stable_across_instances(cs_api, cs_api_class):
    with CloudStackSimulator() as other:
        for listing, key, params in (("listZones", "zone", {}),
                                     ("listServiceOfferings", "serviceoffering", {}),
                                     ("listTemplates", "template", {"templatefilter": "all"}),
                                     ("listNetworks", "network", {})):
            assert cs_api.ids(key, listing, key, **params) == \
                cs_api_class(other).ids(key, listing, key, **params)


# --- async jobs and the VM state machine --------------------------------------------------------

def test_deploy_answers_at_once_and_runs_as_a_job(cs_api, cs_sim):
    cs_sim.set_job_duration("deployVirtualMachine", 0.3)
    answer = cs_api.deploy(wait=False, name="web-1")
    assert set(answer) == {"id", "jobid"}
    vm = cs_api.vm(answer["id"])
    assert vm["state"] == "Starting" and vm["jobid"] == answer["jobid"] and vm["jobstatus"] == 0
    pending = cs_api.ok("queryAsyncJobResult", jobid=answer["jobid"])
    assert pending["jobstatus"] == 0 and "jobresult" not in pending
    done = cs_api.wait(answer["jobid"])
    assert done["jobstatus"] == 1 and done["jobresultcode"] == 0
    assert done["jobresult"]["virtualmachine"]["state"] == "Running"
    assert done["jobresult"]["virtualmachine"]["id"] == answer["id"]
    assert "jobid" not in cs_api.vm(answer["id"]) and cs_api.vm(answer["id"])["state"] == "Running"


def test_zero_duration_job_completes_at_the_next_request(cs_api, cs_sim):
    cs_sim.set_job_duration("deployVirtualMachine", 0)
    answer = cs_api.deploy(wait=False)
    assert cs_api.ok("queryAsyncJobResult", jobid=answer["jobid"])["jobstatus"] == 1


def test_libcloud_node_lifecycle(cs_driver, cs_api):
    sizes = cs_api.ids("serviceoffering", "listServiceOfferings", "serviceoffering")
    from libcloud.compute.base import NodeSize
    small = NodeSize(sizes["Small Instance"], "Small Instance", 512, 0, 0, 0, cs_driver)
    medium = NodeSize(sizes["Medium Instance"], "Medium Instance", 1024, 0, 0, 0, cs_driver)
    image = next(i for i in cs_driver.list_images() if i.name == "Debian 12")
    node = cs_driver.create_node(name="life", size=small, image=image, ex_start_vm=True)
    assert node.state == "running" and node.private_ips[0].startswith("10.2.")
    assert cs_driver.ex_stop(node) == "Stopped"
    assert cs_driver.ex_start(node) == "Running"
    assert cs_driver.reboot_node(node) is True
    assert cs_driver.ex_change_node_size(node, medium) == sizes["Medium Instance"]
    assert cs_api.vm(node.id)["memory"] == 1024
    assert cs_driver.destroy_node(node) is True
    assert cs_api.vm(node.id)["state"] == "Destroyed"
    assert cs_driver.destroy_node(node, ex_expunge=True) is True
    assert cs_api.ok("listVirtualMachines", id=node.id) == {}
    assert [n.id for n in cs_driver.list_nodes()] == []


def test_libcloud_create_node_defaults_to_a_stopped_vm(cs_driver, cs_api):
    # libcloud 3.9 sends startvm=False unless told otherwise.
    image = cs_driver.list_images()[0]
    sizes = cs_api.ids("serviceoffering", "listServiceOfferings", "serviceoffering")
    from libcloud.compute.base import NodeSize
    node = cs_driver.create_node(name="cold", image=image, size=NodeSize(
        sizes["Small Instance"], "s", 512, 0, 0, 0, cs_driver))
    assert node.state == "stopped"


def test_operations_that_are_already_done_succeed(cs_api):
    vm = cs_api.deploy()["id"]
    assert cs_api.wait(cs_api.ok("startVirtualMachine", id=vm)["jobid"])["jobstatus"] == 1
    cs_api.wait(cs_api.ok("stopVirtualMachine", id=vm)["jobid"])
    job = cs_api.wait(cs_api.ok("stopVirtualMachine", id=vm, forced="true")["jobid"])
    assert job["jobstatus"] == 1 and job["jobresult"]["virtualmachine"]["state"] == "Stopped"


def test_rebooting_a_stopped_vm_fails_its_job(cs_api):
    vm = cs_api.deploy(startvm="false")["id"]
    job = cs_api.wait(cs_api.ok("rebootVirtualMachine", id=vm)["jobid"])
    assert job["jobstatus"] == 2 and job["jobresultcode"] == 530
    assert job["jobresult"] == {"errorcode": 530, "errortext": "Failed to reboot vm instance"}


def test_destroyed_vm_refuses_start(cs_api):
    vm = cs_api.deploy()["id"]
    cs_api.wait(cs_api.ok("destroyVirtualMachine", id=vm)["jobid"])
    status, body = cs_api("startVirtualMachine", id=vm)
    assert status == 431 and "VM is not in the correct state" in body["errortext"]


def test_jobs_on_one_vm_run_one_after_another(cs_api, cs_sim):
    vm = cs_api.deploy()["id"]
    cs_sim.set_job_duration("stopVirtualMachine", 0.2)
    stop = cs_api.ok("stopVirtualMachine", id=vm)["jobid"]
    start = cs_api.ok("startVirtualMachine", id=vm)["jobid"]
    assert cs_api.vm(vm)["state"] == "Stopping"
    assert cs_api.wait(stop)["jobresult"]["virtualmachine"]["state"] == "Stopped"
    assert cs_api.wait(start)["jobresult"]["virtualmachine"]["state"] == "Running"


def test_scaling_a_running_vm_down_fails_the_job(cs_api):
    offerings = cs_api.ids("serviceoffering", "listServiceOfferings", "serviceoffering")
    vm = cs_api.deploy(offering="Large Instance")["id"]
    job = cs_api.wait(cs_api.ok("scaleVirtualMachine", id=vm,
                          serviceofferingid=offerings["Small Instance"])["jobid"])
    assert job["jobstatus"] == 2 and "Only scaling up" in job["jobresult"]["errortext"]
    assert cs_api.vm(vm)["serviceofferingname"] == "Large Instance"


# --- paging and filters --------------------------------------------------------------------

def test_paging_1200_vms(cs_api, cs_sim):
    cs_sim.seed_virtual_machines(1200)
    first = cs_api.ok("listVirtualMachines")
    assert first["count"] == 1200 and len(first["virtualmachine"]) == 500
    third = cs_api.ok("listVirtualMachines", page=3, pagesize=500)
    assert third["count"] == 1200 and len(third["virtualmachine"]) == 200
    assert cs_api.ok("listVirtualMachines", page=4, pagesize=500) == {"count": 1200}
    assert len(cs_api.ok("listVirtualMachines", pagesize=-1)["virtualmachine"]) == 1200
    pages = [cs_api.ok("listVirtualMachines", page=n, pagesize=500)["virtualmachine"]
             for n in (1, 2, 3)]
    assert len({vm["id"] for page in pages for vm in page}) == 1200


@pytest.mark.parametrize("params,text", [
    ({"pagesize": 501, "page": 1}, "Page size can't exceed max allowed page size value: 500"),
    ({"page": 2}, '"pagesize" parameter is required when "page" is specified'),
    ({"pagesize": 20}, '"page" parameter is required when "pagesize" is specified'),
    ({"page": "x", "pagesize": 5}, "due to invalid value x for parameter page"),
])
def test_bad_paging_is_431(cs_api, params, text):
    status, body = cs_api("listVirtualMachines", **params)
    assert status == 431 and text in body["errortext"]


def test_vm_filters(cs_api, cs_sim):
    zones = cs_api.ids("zone", "listZones", "zone")
    cs_sim.seed_virtual_machines(3, zone="zone-advanced", state="Stopped")
    cs_sim.seed_virtual_machines(2)
    assert cs_api.ok("listVirtualMachines", zoneid=zones["zone-advanced"])["count"] == 3
    assert cs_api.ok("listVirtualMachines", state="running")["count"] == 2
    assert cs_api.ok("listVirtualMachines", name="seed-vm-0000", listall="true")["count"] == 5
    assert cs_api.ok("listVirtualMachines", keyword="vm-00005")["count"] == 1


# --- error codes -------------------------------------------------------------------------------

def test_unknown_id_is_431_with_cloudstacks_text(cs_api):
    status, body = cs_api("startVirtualMachine", id="no-such-vm")
    assert status == 431 and body["cserrorcode"] == 9999 and body["uuidList"] == []
    assert body["errortext"] == UNKNOWN_ID.format(cmd="startvirtualmachine", param="id",
                                                  value="no-such-vm")
    status, body = cs_api("listTemplates", templatefilter="all", zoneid="nope")
    assert status == 431 and "parameter zoneid value=nope" in body["errortext"]


def test_missing_parameter_is_431(cs_api):
    status, body = cs_api("listTemplates")
    assert (status, body["errortext"]) == (
        431, "Unable to execute API command listtemplates due to missing parameter "
             "templatefilter")


def test_unknown_command_is_432(cs_api, cs_driver):
    status, body = cs_api("teleportVirtualMachine", id="x")
    assert status == 432 and body["errorcode"] == 432
    with pytest.raises(ProviderError) as info:
        cs_driver.connection._sync_request("teleportVirtualMachine")
    assert info.value.http_code == 432


def test_address_exhaustion_is_533(cs_api, cs_sim):
    cs_sim.seed_virtual_machines(253, zone="zone-advanced")  # a /24 minus gateway
    before = cs_api.ok("listVirtualMachines")["count"]
    status, body = cs_api.raw("deployVirtualMachine", **_deploy_params(cs_api, "zone-advanced"))
    inner = body["deployvirtualmachineresponse"]
    assert status == 533 and inner["errorcode"] == 533 and inner["cserrorcode"] == 4320
    assert "Unable to create a deployment for VM" in inner["errortext"]
    assert cs_api.ok("listVirtualMachines")["count"] == before
    victim = cs_api.ok("listVirtualMachines", pagesize=1, page=1)["virtualmachine"][0]["id"]
    cs_api.wait(cs_api.ok("destroyVirtualMachine", id=victim, expunge="true")["jobid"])
    cs_api.deploy(zone="zone-advanced")  # the expunged VM's address is free again


def test_vm_limit_is_532(cs_api, cs_sim):
    cs_sim.set_vm_limit(1)
    cs_api.deploy()
    status, body = cs_api("deployVirtualMachine", **_deploy_params(cs_api, "zone-basic"))
    assert status == 532 and body["cserrorcode"] == 4370
    assert "Maximum number of resources of type 'user_vm'" in body["errortext"]


def test_fail_next_answers_once(cs_api, cs_sim, cs_driver):
    cs_sim.fail_next("listZones", 534, "zone is being upgraded")
    with pytest.raises(ProviderError) as info:
        cs_driver.list_locations()
    assert info.value.http_code == 534 and "zone is being upgraded" in str(info.value)
    assert len(cs_driver.list_locations()) == 2


def test_fail_next_job_fails_the_job_and_leaves_the_vm_in_error(cs_api, cs_sim):
    cs_sim.fail_next_job("deployVirtualMachine", "host crashed")
    answer = cs_api.deploy(wait=False)
    job = cs_api.wait(answer["jobid"])
    assert (job["jobstatus"], job["jobresultcode"]) == (2, 530)
    assert job["jobresult"] == {"errorcode": 530, "errortext": "host crashed"}
    assert cs_api.vm(answer["id"])["state"] == "Error"
    with pytest.raises(ValueError):
        cs_sim.fail_next_job("listZones", "not a job")


# --- deploy parameters --------------------------------------------------------------------------

def _deploy_params(cs_api, zone: str, offering: str = "Small Instance") -> dict[str, str]:
    return {"zoneid": cs_api.ids("zone", "listZones", "zone")[zone],
            "serviceofferingid": cs_api.ids("serviceoffering", "listServiceOfferings",
                                         "serviceoffering")[offering],
            "templateid": cs_api.ids("template", "listTemplates", "template",
                                  templatefilter="featured")["Debian 12"]}


def test_userdata_limits(cs_api):
    params = _deploy_params(cs_api, "zone-basic")
    status, body = cs_api("deployVirtualMachine", userdata="A" * 32772, **params)
    assert status == 431 and "User data is too long" in body["errortext"]
    status, body = cs_api("deployVirtualMachine", userdata="not base64!", **params)
    assert status == 431 and body["errortext"] == "User data is not base64 encoded"
    assert cs_api.deploy(userdata=base64.b64encode(b"x" * 24573).decode())["id"]  # 32764 chars


def test_customized_offering_needs_details(cs_api):
    params = _deploy_params(cs_api, "zone-basic", "Custom")
    status, body = cs_api("deployVirtualMachine", **params)
    assert status == 431 and "Invalid cpu cores value" in body["errortext"]
    answer = cs_api.deploy(offering="Custom", **{"details[0].cpuNumber": 3,
                                              "details[0].memory": 3072,
                                              "details[0].cpuSpeed": 1500})
    vm = cs_api.vm(answer["id"])
    assert (vm["cpunumber"], vm["memory"], vm["cpuspeed"]) == (3, 3072, 1500)


def test_zone_rules_for_networks_and_security_groups(cs_api):
    networks = {n["zonename"]: n["id"] for n in cs_api.ok("listNetworks")["network"]}
    status, body = cs_api("deployVirtualMachine", networkids=networks["zone-advanced"],
                       **_deploy_params(cs_api, "zone-basic"))
    assert status == 431 and "Basic zone" in body["errortext"]
    status, body = cs_api("deployVirtualMachine", securitygroupnames="default",
                       **_deploy_params(cs_api, "zone-advanced"))
    assert status == 431 and "security group" in body["errortext"]
    vm = cs_api.vm(cs_api.deploy(zone="zone-advanced", name="adv")["id"])
    assert vm["securitygroup"] == [] and vm["nic"][0]["ipaddress"].startswith("10.1.1.")
    assert cs_api.vm(cs_api.deploy()["id"])["securitygroup"][0]["name"] == "default"


def test_invalid_hostname_is_431(cs_api):
    status, body = cs_api("deployVirtualMachine", name="1st_vm",
                          **_deploy_params(cs_api, "zone-basic"))
    assert status == 431 and body["errortext"].startswith("Invalid name.")


# --- key pairs and tags --------------------------------------------------------------------------

@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="needs ssh-keygen to check keys")
def test_created_key_pair_is_a_real_rsa_key_with_cloudstacks_fingerprint(cs_driver, tmp_path):
    pair = cs_driver.create_key_pair("kp1")
    assert pair.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    key_file = tmp_path / "kp1"
    key_file.write_text(pair.private_key)
    key_file.chmod(0o600)
    public = subprocess.run(["ssh-keygen", "-y", "-f", str(key_file)], check=True,
                            capture_output=True, text=True).stdout
    assert sim_keys.fingerprint(public) == pair.fingerprint
    assert cs_driver.get_key_pair("kp1").fingerprint == pair.fingerprint


@pytest.mark.skipif(not shutil.which("ssh-keygen"), reason="needs ssh-keygen to check keys")
def test_registered_key_fingerprint_matches_ssh_keygen(cs_driver, cs_api):
    public = (FIXTURES / "dummy_rsa.pub").read_text()
    expected = subprocess.run(["ssh-keygen", "-l", "-E", "md5", "-f", str(FIXTURES /
                                                                         "dummy_rsa.pub")],
                              check=True, capture_output=True, text=True).stdout.split()[1]
    pair = cs_driver.import_key_pair_from_string("imported", public)
    assert "MD5:" + pair.fingerprint == expected
    status, body = cs_api("registerSSHKeyPair", name="imported", publickey=public)
    assert (status, body["errortext"]) == (
        431, "A key pair with name 'imported' already exists for this account.")
    status, body = cs_api("registerSSHKeyPair", name="other", publickey="ssh-rsa !!!")
    assert (status, body["errortext"]) == (431, "Public key is invalid")


def test_key_pair_list_and_delete(cs_driver, cs_api):
    public = (FIXTURES / "dummy_rsa.pub").read_text()
    cs_driver.import_key_pair_from_string("a", public)
    assert [k.name for k in cs_driver.list_key_pairs()] == ["a"]
    assert cs_api.ok("listSSHKeyPairs", name="b") == {}
    status, body = cs_api("createSSHKeyPair", name="a")
    assert (status, body["errortext"]) == (431, "A key pair with name 'a' already exists.")
    assert cs_driver.delete_key_pair(cs_driver.get_key_pair("a")) is True
    assert cs_driver.list_key_pairs() == []
    status, body = cs_api("deleteSSHKeyPair", name="a")
    assert status == 431 and "does not exist" in body["errortext"]


def test_deploy_with_keypair(cs_api, cs_driver):
    cs_driver.import_key_pair_from_string("k", (FIXTURES / "dummy_rsa.pub").read_text())
    assert cs_api.vm(cs_api.deploy(keypair="k")["id"])["keypair"] == "k"
    status, body = cs_api("deployVirtualMachine", keypair="missing",
                       **_deploy_params(cs_api, "zone-basic"))
    assert (status, body["errortext"]) == (431, "A key pair with name 'missing' was not found.")


def test_tags_appear_in_the_vm_listing(cs_driver, cs_api):
    vm = cs_api.deploy()["id"]
    assert cs_driver.ex_create_tags([vm], "UserVm", {"team": "paas", "tier": "web"}) is True
    assert cs_api.vm(vm)["tags"] == [{"key": "team", "value": "paas"},
                                  {"key": "tier", "value": "web"}]
    again = cs_api.ok("createTags", resourceids=vm, resourcetype="UserVm",
                   **{"tags[0].key": "team", "tags[0].value": "x"})
    assert cs_api.wait(again["jobid"])["jobstatus"] == 2
    status, _ = cs_api("createTags", resourceids="nope", resourcetype="UserVm",
                    **{"tags[0].key": "a", "tags[0].value": "b"})
    assert status == 431


# --- counts, speed, logging, command line -------------------------------------------------

def test_request_counts_count_every_authenticated_request(cs_api, cs_sim):
    answer = cs_api.deploy()
    cs_api.wait(answer["jobid"])
    assert cs_sim.request_counts["deployVirtualMachine"] == 1
    assert cs_sim.request_counts["queryAsyncJobResult"] >= 2
    assert cs_sim.request_counts["listZones"] == 1
    cs_sim.reset_counts()
    assert cs_sim.request_counts == {}


def test_ten_thousand_vms_seed_and_page_fast(cs_api, cs_sim):
    started = time.perf_counter()
    cs_sim.seed_virtual_machines(10_000)
    assert time.perf_counter() - started < 1.0
    cs_api.ok("listVirtualMachines", page=1, pagesize=500)  # warm the rendered views
    started = time.perf_counter()
    page = cs_api.ok("listVirtualMachines", page=20, pagesize=500)
    assert len(page["virtualmachine"]) == 500 and page["count"] == 10_000
    assert time.perf_counter() - started < 0.5


def test_secrets_never_reach_the_log(cs_api, cs_sim, caplog):
    caplog.set_level(logging.DEBUG, logger="translator_drivers.cloudstack")
    cs_api.deploy()
    cs_api.raw("listZones", secret="wrong")
    assert "deployVirtualMachine -> 200" in caplog.text and "listZones -> 401" in caplog.text
    assert cs_sim.api_key not in caplog.text and cs_sim.secret_key not in caplog.text


def test_stop_drops_keep_alive_connections(cs_driver, cs_sim):
    assert cs_driver.list_locations()
    cs_sim.stop()
    with pytest.raises(Exception):  # noqa: B017 - any connection error will do
        cs_driver.list_locations()


def test_command_line_options(tmp_path, monkeypatch, cs_api_class):
    monkeypatch.setenv("TRANSLATOR_SIM_API_KEY", "env-key")
    monkeypatch.delenv("TRANSLATOR_SIM_SECRET_KEY", raising=False)
    parser = argparse.ArgumentParser()
    CloudStackSimulator.add_arguments(parser)
    creds = tmp_path / "creds.json"
    args = parser.parse_args(["--port", "0", "--credentials-file", str(creds), "--seed-vms",
                              "3", "--job-duration", "deployVirtualMachine=0.5"])
    cs_sim = CloudStackSimulator.from_args(args)
    assert cs_sim.api_key == "env-key" and len(cs_sim.secret_key) > 40
    with cs_sim:
        written = json.loads(creds.read_text())
        assert written == {"api_key": "env-key", "secret_key": cs_sim.secret_key,
                           "endpoint": cs_sim.endpoint}
        assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
        assert cs_api_class(cs_sim).ok("listVirtualMachines")["count"] == 3
    assert cs_sim._commands.durations["deployVirtualMachine"] == 0.5
    with pytest.raises(SystemExit):
        parser.parse_args(["--job-duration", "deployVirtualMachine"])
