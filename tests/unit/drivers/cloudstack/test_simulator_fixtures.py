"""The simulator's answers against the real CloudStack responses libcloud recorded.

For each command: every key the recorded resource objects all carry must be in
the simulator's (with the same JSON type, recursively into nic, securitygroup,
tags…), and every key the simulator sends must appear in at least one recording
of that command family, so the simulator invents nothing. Documented exceptions:

* ids: the older recordings (CloudStack 2.x) have numeric ids; since 3.0 ids are
  UUID strings, which the simulator sends. A str where a recording has an int is
  accepted for keys named ``id`` or ending in ``id``.
* ``EXTRA_KEYS``: real fields newer than every recording, each with its reason.
* the createTags recording carries an ``id`` copied from the createVolume one
  (same UUID); a BaseAsyncCmd answers only ``jobid``, so ``id`` is not required.
* ``count``: the list envelope is the same for every list command, and some
  recordings (listVirtualMachines, 2.x) predate ``count``; it is checked against
  the ``count`` of every recorded listing.
* queryAsyncJobResult has no ``_default`` recording; the required envelope keys
  come from ``queryAsyncJobResult_11115`` (a CloudStack 4.x deploy job).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import libcloud
import pytest

FIXTURES = Path(libcloud.__file__).parent / "test/compute/fixtures/cloudstack"

#: Keys the simulator sends though no recording has them.
EXTRA_KEYS = {
    "iscustomized": "ServiceOfferingResponse field of CloudStack 4.x (customizable "
                    "offerings); every recorded offering predates it",
    "cserrorcode": "ExceptionResponse field (CSExceptionErrorCode) since CloudStack 4.0; "
                   "libcloud's error recordings leave it out",
}


# --- the comparison helper ------------------------------------------------------------------

def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return {int: "int", float: "float", str: "str", list: "list", dict: "dict",
            type(None): "null"}[type(value)]


def _children(value: Any) -> list[dict]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _children_of(objects: Iterable[dict], key: str) -> list[dict]:
    return [child for obj in objects if key in obj for child in _children(obj[key])]


def compare(actual: list[dict], required_from: list[dict], allowed_from: list[dict],
            where: str, optional: Iterable[str] = (), shallow: Iterable[str] = ()) -> list[str]:
    """Problems of ``actual`` objects against recorded ones (empty list: conforming).

    ``required_from``: recordings whose common keys every object must have (minus
    ``optional``); ``allowed_from``: all recordings of the family, giving the allowed
    keys and their types. Nested objects are compared the same way, except under the
    ``shallow`` keys.
    """
    problems: list[str] = []
    required = (set.intersection(*(set(o) for o in required_from)) if required_from
                else set()) - set(optional)
    allowed: dict[str, set[str]] = {}
    for obj in [*required_from, *allowed_from]:
        for key, value in obj.items():
            allowed.setdefault(key, set()).add(json_type(value))
    for obj in actual:
        problems += [f"{where}: missing {key!r}" for key in sorted(required - set(obj))]
        for key, value in obj.items():
            if key not in allowed:
                if key not in EXTRA_KEYS:
                    problems.append(f"{where}: {key!r} appears in no recording")
                continue
            kind = json_type(value)
            id_like = key == "id" or key.endswith("id")
            if kind not in allowed[key] and not (id_like and kind == "str"
                                                 and "int" in allowed[key]):
                problems.append(f"{where}.{key}: {kind}, recorded as {sorted(allowed[key])}")
            nested = _children(value)
            if nested and key not in shallow:
                problems += compare(nested, _children_of(required_from, key),
                                    _children_of([*required_from, *allowed_from], key),
                                    f"{where}.{key}")
    return problems


def load(name: str) -> dict[str, Any]:
    """The ``<command>response`` object of a recording."""
    return next(iter(json.loads((FIXTURES / name).read_text()).values()))


def family(pattern: str) -> list[dict[str, Any]]:
    return [load(path.name) for path in sorted(FIXTURES.glob(pattern))]


def listed(pattern: str, key: str) -> list[dict]:
    return [obj for answer in family(pattern) for obj in answer.get(key, [])]


def envelopes(command: str) -> list[dict[str, Any]]:
    """Recorded list envelopes of ``command``, plus the ``count`` of every recorded listing."""
    counts = [{"count": answer["count"]} for answer in family("list*_*.json")
              if "count" in answer]
    return family(f"{command}_*.json") + counts


def recorded_vms() -> list[dict]:
    """Every recorded virtual machine: listings and job results."""
    return listed("listVirtualMachines_*.json", "virtualmachine") + [
        job["jobresult"]["virtualmachine"] for job in family("queryAsyncJobResult_*.json")
        if "virtualmachine" in job.get("jobresult", {})]


def test_compare_finds_missing_mistyped_and_invented_keys():
    recorded = [{"id": 1, "name": "a", "nic": [{"ipaddress": "10.0.0.1"}]}]
    assert compare([{"id": "uuid", "name": "b", "nic": [{"ipaddress": "10.0.0.2"}]}],
                   recorded, recorded, "vm") == []
    problems = compare([{"id": "x", "name": 5, "nic": [{}], "color": "red"}],
                       recorded, recorded, "vm")
    assert problems == ["vm.name: int, recorded as ['str']",
                        "vm.nic: missing 'ipaddress'",
                        "vm: 'color' appears in no recording"]
    assert compare([{"name": 1.5}], recorded, recorded, "vm", optional=["id", "nic"]) == [
        "vm.name: float, recorded as ['str']"]


# --- listings -----------------------------------------------------------------------------

@pytest.mark.parametrize("command,params,key", [
    ("listZones", {}, "zone"),
    ("listTemplates", {"templatefilter": "all"}, "template"),
    ("listNetworks", {}, "network"),
    ("listSecurityGroups", {}, "securitygroup"),
])
def test_listing_matches_recordings(cs_api, command, params, key):
    answer = cs_api.ok(command, **params)
    assert answer["count"] == len(answer[key]) > 0
    assert compare([answer], [], envelopes(command), command, shallow=[key]) == []
    assert compare(answer[key], load(f"{command}_default.json")[key],
                   listed(f"{command}_*.json", key), key) == []


def test_service_offerings_match_recordings(cs_api):
    offerings = cs_api.ok("listServiceOfferings")["serviceoffering"]
    required = load("listServiceOfferings_default.json")["serviceoffering"]
    allowed = listed("listServiceOfferings_*.json", "serviceoffering")
    fixed = [o for o in offerings if not o["iscustomized"]]
    custom = [o for o in offerings if o["iscustomized"]]
    assert len(fixed) == 4 and len(custom) == 1
    assert compare(fixed, required, allowed, "serviceoffering") == []
    # CloudStack leaves null fields out: a customized offering has no sizes.
    assert compare(custom, required, allowed, "serviceoffering",
                   optional=["cpunumber", "cpuspeed", "memory"]) == []


def test_key_pair_listing_matches_recordings(cs_api):
    public = (FIXTURES / "dummy_rsa.pub").read_text()
    cs_api.ok("registerSSHKeyPair", name="cs-keypair", publickey=public)
    answer = cs_api.ok("listSSHKeyPairs", name="cs-keypair")
    assert compare([answer], [load("listSSHKeyPairs_get_one.json")],
                   family("listSSHKeyPairs_*.json"), "listSSHKeyPairs") == []


@pytest.mark.parametrize("command,params,recording", [
    ("listSSHKeyPairs", {}, "listSSHKeyPairs_no_keys.json"),
    ("listSSHKeyPairs", {"name": "nope"}, "listSSHKeyPairs_get_one_doesnt_exist.json"),
    ("listTemplates", {"templatefilter": "self"}, "listTemplates_notemplates.json"),
    ("listSecurityGroups", {"securitygroupname": "nope"}, "listSecurityGroups_no_groups.json"),
])
def test_empty_listings_are_exactly_the_recorded_ones(cs_api, command, params, recording):
    assert cs_api.ok(command, **params) == load(recording) == {}


def test_virtual_machines_match_recordings(cs_api, cs_sim):
    cs_api.ok("registerSSHKeyPair", name="k", publickey=(FIXTURES / "dummy_rsa.pub").read_text())
    tagged = cs_api.deploy(keypair="k")["id"]
    cs_api.wait(cs_api.ok("createTags", resourceids=tagged, resourcetype="UserVm",
                          **{"tags[0].key": "a", "tags[0].value": "b"})["jobid"])
    cs_api.deploy(zone="zone-advanced")
    cs_sim.set_job_duration("deployVirtualMachine", 30)
    cs_api.deploy(wait=False)  # listed with its pending job
    answer = cs_api.ok("listVirtualMachines")
    vms = answer["virtualmachine"]
    assert len(vms) == 3 and vms[0]["tags"] and vms[0]["keypair"] and "jobid" in vms[2]
    assert compare([answer], [], envelopes("listVirtualMachines"), "listVirtualMachines",
                   shallow=["virtualmachine"]) == []
    assert compare(vms, load("listVirtualMachines_default.json")["virtualmachine"],
                   recorded_vms(), "virtualmachine") == []


# --- async commands and their jobs ----------------------------------------------------------

def _finished(cs_api, jobid: str) -> dict[str, Any]:
    job = cs_api.wait(jobid)
    assert job["jobstatus"] == 1, job
    return job


def _check_job(job: dict[str, Any], recording: str) -> None:
    """The job envelope against all job recordings; its result against ``recording``'s."""
    assert compare([job], [load("queryAsyncJobResult_11115.json")],
                   family("queryAsyncJobResult_*.json"), "job", shallow=["jobresult"]) == []
    recorded = load(recording)["jobresult"]
    assert set(job["jobresult"]) == set(recorded)
    if "virtualmachine" in recorded:
        assert compare([job["jobresult"]["virtualmachine"]],
                       load("listVirtualMachines_default.json")["virtualmachine"],
                       recorded_vms(), "jobresult.virtualmachine") == []
    else:
        assert compare([job["jobresult"]], [recorded], [recorded], "jobresult") == []


def test_deploy_and_its_job_match_recordings(cs_api):
    answer = cs_api.deploy(wait=False)
    recorded = [a for a in family("deployVirtualMachine_*.json") if "jobid" in a]
    assert compare([answer], [load("deployVirtualMachine_default.json")], recorded,
                   "deployVirtualMachine") == []
    _check_job(_finished(cs_api, answer["jobid"]), "queryAsyncJobResult_17164.json")


@pytest.mark.parametrize("command,extra,recording", [
    ("stopVirtualMachine", {}, "queryAsyncJobResult_17199.json"),
    ("startVirtualMachine", {}, "queryAsyncJobResult_17188.json"),
    ("rebootVirtualMachine", {}, "queryAsyncJobResult_17165.json"),
    ("scaleVirtualMachine", {"offering": "Medium Instance"}, "queryAsyncJobResult_88776.json"),
    ("destroyVirtualMachine", {}, "queryAsyncJobResult_17166.json"),
])
def test_vm_jobs_match_recordings(cs_api, command, extra, recording):
    vm = cs_api.deploy()["id"]
    params = {"id": vm}
    if "offering" in extra:
        params["serviceofferingid"] = cs_api.ids(
            "serviceoffering", "listServiceOfferings", "serviceoffering")[extra["offering"]]
    answer = cs_api.ok(command, **params)
    assert compare([answer], [load(f"{command}_default.json")], [load(f"{command}_default.json")],
                   command) == []
    _check_job(_finished(cs_api, answer["jobid"]), recording)


def test_create_tags_and_its_job_match_recordings(cs_api):
    vm = cs_api.deploy()["id"]
    answer = cs_api.ok("createTags", resourceids=vm, resourcetype="UserVm",
                       **{"tags[0].key": "k", "tags[0].value": "v"})
    recorded = load("createTags_default.json")
    assert compare([answer], [recorded], [recorded], "createTags", optional=["id"]) == []
    _check_job(_finished(cs_api, answer["jobid"]), "queryAsyncJobResult_createtagsjob.json")


def test_failed_job_matches_recorded_error_shapes(cs_api, cs_sim):
    cs_sim.fail_next_job("deployVirtualMachine", "boom")
    job = cs_api.wait(cs_api.deploy(wait=False)["jobid"])
    assert job["jobstatus"] == 2
    errors = [load("deployVirtualMachine_deployfail.json"), load("registerSSHKeyPair_error.json")]
    assert compare([job["jobresult"]], [errors[0]], errors, "jobresult") == []
    assert compare([job], [], family("queryAsyncJobResult_*.json"), "job",
                   shallow=["jobresult"]) == []


# --- key pairs and errors ------------------------------------------------------------------

def test_key_pair_commands_match_recordings(cs_api):
    created = cs_api.ok("createSSHKeyPair", name="test-keypair")
    assert compare([created], [load("createSSHKeyPair_default.json")],
                   [load("createSSHKeyPair_default.json")], "createSSHKeyPair") == []
    public = (FIXTURES / "dummy_rsa.pub").read_text()
    registered = cs_api.ok("registerSSHKeyPair", name="foobar", publickey=public)
    assert compare([registered], [load("registerSSHKeyPair_default.json")],
                   [load("registerSSHKeyPair_default.json")], "registerSSHKeyPair") == []
    assert cs_api.ok("deleteSSHKeyPair", name="foobar") == load("deleteSSHKeyPair_default.json")


def test_error_answers_match_recorded_error_shapes(cs_api):
    status, body = cs_api("registerSSHKeyPair", name="x", publickey="not a key")
    recorded = load("registerSSHKeyPair_error.json")
    assert status == 431 and body["errortext"] == recorded["errortext"]
    errors = [recorded, load("deployVirtualMachine_deployfail.json")]
    assert compare([body], [recorded], errors, "error") == []
    status, body = cs_api("listZones", secret="wrong")
    assert status == 401 and compare([body], [recorded], errors, "error") == []
