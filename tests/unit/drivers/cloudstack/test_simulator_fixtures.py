"""The simulator's answers against the real CloudStack responses libcloud recorded.

For each command: every key the recorded resource objects all carry must be in
the simulator's (with the same JSON type, recursively into nic, securitygroup,
tags…), and every key the simulator sends must appear in at least one recording
of that command family, so the simulator invents nothing. Documented exceptions:

* ids: the older recordings (CloudStack 2.x) have numeric ids; since 3.0 ids are
  UUID strings, which the simulator sends. A str where a recording has an int is
  accepted for keys named ``id`` or ending in ``id``.
* ``EXTRA_KEYS``: real fields newer than every recording, each with its reason;
  ``VOLUME_EXTRA``, ``SNAPSHOT_EXTRA`` and ``DISK_OFFERING_EXTRA`` the same for
  one family only.
* listStoragePools and listImageStores have no recording: their fields are
  checked against the API reference's response tags instead.
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
VOLUME_EXTRA = {
    "storageid": "VolumeResponse: id of the primary storage pool (sent to admins)",
    "provisioningtype": "VolumeResponse since 4.6: thin, sparse or fat",
    "snapshotid": "VolumeResponse: the snapshot a volume was created from",
    "tags": "VolumeResponse: resource tags, as on every taggable resource",
}
SNAPSHOT_EXTRA = {
    "physicalsize": "SnapshotResponse since 4.6: bytes the snapshot takes",
    "virtualsize": "SnapshotResponse since 4.6: the volume's size at the snapshot",
    "zoneid": "SnapshotResponse since 4.3: the snapshot's zone",
    "tags": "SnapshotResponse: resource tags",
}
DISK_OFFERING_EXTRA = {
    "storagetype": "DiskOfferingResponse: shared or local",
    "tags": "DiskOfferingResponse: the storage tags, comma-separated, left out when none",
    "provisioningtype": "DiskOfferingResponse since 4.6",
}
#: StoragePoolResponse and ImageStoreResponse fields the simulator sends, all in the API
#: reference's response tags (listStoragePools, listImageStores).
STORAGE_POOL_FIELDS = {"id", "zoneid", "zonename", "name", "ipaddress", "path", "created",
                       "type", "tags", "scope", "hypervisor", "overprovisionfactor",
                       "provider", "disksizetotal", "disksizeallocated", "disksizeused",
                       "state"}
IMAGE_STORE_FIELDS = {"id", "name", "zoneid", "zonename", "url", "protocol", "providername",
                      "scope", "readonly"}


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
            where: str, optional: Iterable[str] = (), shallow: Iterable[str] = (),
            extra: Iterable[str] = ()) -> list[str]:
    """Problems of ``actual`` objects against recorded ones (empty list: conforming).

    ``required_from``: recordings whose common keys every object must have (minus
    ``optional``); ``allowed_from``: all recordings of the family, giving the allowed
    keys and their types. Nested objects are compared the same way, except under the
    ``shallow`` keys. ``extra``: keys allowed here though no recording has them.
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
                if key not in EXTRA_KEYS and key not in extra:
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
                                    f"{where}.{key}", extra=extra)
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


# --- block storage ---------------------------------------------------------------------------

def recorded_volumes() -> list[dict]:
    """Every recorded volume: listings and job results."""
    return listed("listVolumes_*.json", "volume") + [
        job["jobresult"]["volume"] for job in family("queryAsyncJobResult_*.json")
        if "volume" in job.get("jobresult", {})]


def recorded_snapshots() -> list[dict]:
    return listed("listSnapshots_*.json", "snapshot") + [
        job["jobresult"]["snapshot"] for job in family("queryAsyncJobResult_*.json")
        if "snapshot" in job.get("jobresult", {})]


def _answer(cs_api, command: str, recording: str, **params: Any) -> dict[str, Any]:
    """An async command's immediate answer, checked against its recording."""
    answer = cs_api.ok(command, **params)
    recorded = load(recording)
    assert compare([answer], [recorded], [recorded], command) == []
    return answer


def _volume_job(cs_api, jobid: str, recording: str) -> dict[str, Any]:
    """A volume job's envelope against all job recordings, its volume against
    ``recording``'s (required keys) and every recorded volume (allowed keys)."""
    job = _finished(cs_api, jobid)
    assert compare([job], [load("queryAsyncJobResult_11115.json")],
                   family("queryAsyncJobResult_*.json"), "job", shallow=["jobresult"]) == []
    assert set(job["jobresult"]) == {"volume"}
    assert compare([job["jobresult"]["volume"]], [load(recording)["jobresult"]["volume"]],
                   recorded_volumes(), "jobresult.volume", extra=VOLUME_EXTRA) == []
    return job["jobresult"]["volume"]


@pytest.fixture
def fast_storage_jobs(cs_sim):
    for command in ("createVolume", "attachVolume", "detachVolume", "resizeVolume",
                    "createSnapshot", "deleteSnapshot"):
        cs_sim.set_job_duration(command, 0.02)


def test_disk_offerings_match_recordings(cs_api):
    answer = cs_api.ok("listDiskOfferings")
    assert compare([answer], [], envelopes("listDiskOfferings"), "listDiskOfferings",
                   shallow=["diskoffering"]) == []
    assert compare(answer["diskoffering"], load("listDiskOfferings_default.json")["diskoffering"],
                   listed("listDiskOfferings_*.json", "diskoffering"), "diskoffering",
                   extra=DISK_OFFERING_EXTRA) == []


def test_storage_pools_and_image_stores_send_documented_fields(cs_api):
    pools = cs_api.ok("listStoragePools")["storagepool"]
    assert {frozenset(p) for p in pools} == {frozenset(STORAGE_POOL_FIELDS)}
    assert all(isinstance(p["disksizetotal"], int) and isinstance(p["tags"], str)
               for p in pools)
    stores = cs_api.ok("listImageStores")["imagestore"]
    assert {frozenset(s) for s in stores} == {frozenset(IMAGE_STORE_FIELDS)}


def test_volume_commands_and_jobs_match_recordings(cs_api, fast_storage_jobs):
    zone = cs_api.ids("zone", "listZones", "zone")["zone-basic"]
    offering = cs_api.ids("diskoffering", "listDiskOfferings", "diskoffering")["Small"]
    vm = cs_api.deploy()["id"]
    created = _answer(cs_api, "createVolume", "createVolume_default.json", name="vol-0",
                      zoneid=zone, diskofferingid=offering)
    allocated = _volume_job(cs_api, created["jobid"], "queryAsyncJobResult_createvolumejob.json")
    assert (allocated["state"], allocated["storage"], allocated["hypervisor"]) == (
        "Allocated", "none", "None")  # as recorded
    attach = _answer(cs_api, "attachVolume", "attachVolume_default.json", id=created["id"],
                     virtualmachineid=vm)
    _volume_job(cs_api, attach["jobid"], "queryAsyncJobResult_attachvolumejob.json")
    detach = _answer(cs_api, "detachVolume", "detachVolume_default.json", id=created["id"])
    _volume_job(cs_api, detach["jobid"], "queryAsyncJobResult_detachvolumejob.json")
    # resizeVolume has no recording: a BaseAsyncCmd answers {"jobid"}, and its result is a
    # VolumeResponse, here of a Ready detached volume like the recorded detach result.
    resize = cs_api.ok("resizeVolume", id=created["id"], diskofferingid=cs_api.ids(
        "diskoffering", "listDiskOfferings", "diskoffering")["Medium"])
    assert set(resize) == {"jobid"}
    _volume_job(cs_api, resize["jobid"], "queryAsyncJobResult_detachvolumejob.json")
    answer = cs_api.ok("listVolumes")
    assert compare([answer], [], envelopes("listVolumes"), "listVolumes",
                   shallow=["volume"]) == []
    root, data = answer["volume"]
    assert compare([root], load("listVolumes_default.json")["volume"], recorded_volumes(),
                   "volume", extra=VOLUME_EXTRA) == []
    assert compare([data], [load("queryAsyncJobResult_detachvolumejob.json")["jobresult"][
        "volume"]], recorded_volumes(), "volume", extra=VOLUME_EXTRA) == []
    assert cs_api.ok("deleteVolume", id=created["id"]) == load("deleteVolume_default.json")


def test_snapshot_commands_and_jobs_match_recordings(cs_api, fast_storage_jobs):
    vm = cs_api.deploy()["id"]
    root = cs_api.ok("listVolumes", virtualmachineid=vm)["volume"][0]["id"]
    created = _answer(cs_api, "createSnapshot", "createSnapshot_default.json", volumeid=root)
    job = _finished(cs_api, created["jobid"])
    assert compare([job], [load("queryAsyncJobResult_11115.json")],
                   family("queryAsyncJobResult_*.json"), "job", shallow=["jobresult"]) == []
    assert compare([job["jobresult"]["snapshot"]],
                   [load("queryAsyncJobResult_1300001.json")["jobresult"]["snapshot"]],
                   recorded_snapshots(), "jobresult.snapshot", extra=SNAPSHOT_EXTRA) == []
    answer = cs_api.ok("listSnapshots")
    assert compare([answer], [], envelopes("listSnapshots"), "listSnapshots",
                   shallow=["snapshot"]) == []
    assert compare(answer["snapshot"], load("listSnapshots_default.json")["snapshot"],
                   recorded_snapshots(), "snapshot", extra=SNAPSHOT_EXTRA) == []
    made = cs_api.ok("createVolume", snapshotid=created["id"])
    _volume_job(cs_api, made["jobid"], "queryAsyncJobResult_detachvolumejob.json")
    deleted = _answer(cs_api, "deleteSnapshot", "deleteSnapshot_default.json", id=created["id"])
    job = _finished(cs_api, deleted["jobid"])
    assert job["jobresult"] == load("queryAsyncJobResult_1300002.json")["jobresult"]


def test_failed_volume_job_matches_recorded_error_shapes(cs_api, fast_storage_jobs):
    vm = cs_api.deploy()["id"]
    data = cs_api.ok("listVolumes", virtualmachineid=vm)["volume"][0]["id"]
    job = cs_api.wait(cs_api.ok("detachVolume", id=data)["jobid"])  # a ROOT volume
    assert job["jobstatus"] == 2 and job["jobresultcode"] == 431
    errors = [load("deployVirtualMachine_deployfail.json"), load("registerSSHKeyPair_error.json")]
    assert compare([job["jobresult"]], [errors[0]], errors, "jobresult") == []
