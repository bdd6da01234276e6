"""The CloudStack simulator's block storage: disk offerings, primary pools, secondary stores,
volumes and snapshots, driven over HTTP with signed requests (and by libcloud)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from libcloud.compute.base import NodeLocation

GIB = 1 << 30
VOLUME_JOBS = ("createVolume", "attachVolume", "detachVolume", "resizeVolume",
               "createSnapshot", "deleteSnapshot")
UNKNOWN_ID = "due to invalid value. Invalid parameter {param} value={value}"


@pytest.fixture(autouse=True)
def fast_volume_jobs(cs_sim):
    for command in VOLUME_JOBS:
        cs_sim.set_job_duration(command, 0.02)


# --- helpers ----------------------------------------------------------------------------------

def zone_id(cs_api, name: str = "zone-basic") -> str:
    return cs_api.ids("zone", "listZones", "zone")[name]


def offering_id(cs_api, name: str) -> str:
    return cs_api.ids("diskoffering", "listDiskOfferings", "diskoffering")[name]


def job(cs_api, command: str, **params: Any) -> dict[str, Any]:
    """Submit an async command and wait for its job."""
    return cs_api.wait(cs_api.ok(command, **params)["jobid"])


def done(cs_api, command: str, **params: Any) -> dict[str, Any]:
    """The jobresult of a job that must succeed."""
    answer = job(cs_api, command, **params)
    assert answer["jobstatus"] == 1, answer
    return answer["jobresult"]


def refused(cs_api, command: str, **params: Any) -> dict[str, Any]:
    """The jobresult of a job that must fail (jobresultcode = the error's code)."""
    answer = job(cs_api, command, **params)
    assert answer["jobstatus"] == 2, answer
    assert answer["jobresultcode"] == answer["jobresult"]["errorcode"]
    return answer["jobresult"]


def create(cs_api, offering: str = "Small", zone: str = "zone-basic",
           **params: Any) -> dict[str, Any]:
    """A new volume of a disk offering (after its job)."""
    answer = cs_api.ok("createVolume", zoneid=zone_id(cs_api, zone),
                       diskofferingid=offering_id(cs_api, offering), **params)
    volume = cs_api.wait(answer["jobid"])["jobresult"]["volume"]
    assert volume["id"] == answer["id"]
    return volume


def volume(cs_api, volume_id: str) -> dict[str, Any]:
    return cs_api.ok("listVolumes", id=volume_id)["volume"][0]


def pool(cs_api, name: str) -> dict[str, Any]:
    return cs_api.ok("listStoragePools", name=name)["storagepool"][0]


def snapshot(cs_api, volume_id: str, **params: Any) -> dict[str, Any]:
    return done(cs_api, "createSnapshot", volumeid=volume_id, **params)["snapshot"]


# --- offerings, pools and stores ------------------------------------------------------------------

def test_disk_offerings_are_seeded_with_sizes_and_storage_tags(cs_api):
    offerings = {o["name"]: o for o in cs_api.ok("listDiskOfferings")["diskoffering"]}
    assert {name: (o["disksize"], o["iscustomized"], o.get("tags")) for name, o in
            offerings.items()} == {
        "Small": (5, False, None), "Medium": (20, False, None), "Large": (100, False, None),
        "Custom": (0, True, None), "SSD Small": (20, False, "ssd"),
        "SSD Custom": (0, True, "ssd"), "HDD Large": (500, False, "hdd"),
        "NVMe Small": (10, False, "nvme")}
    assert {(o["storagetype"], o["provisioningtype"]) for o in offerings.values()} == {
        ("shared", "thin")}
    assert [o["name"] for o in cs_api.ok("listDiskOfferings", keyword="ssd")["diskoffering"]] \
        == ["SSD Small", "SSD Custom"]
    one = cs_api.ok("listDiskOfferings", id=offerings["Large"]["id"])
    assert one == {"count": 1, "diskoffering": [offerings["Large"]]}
    assert cs_api.ok("listDiskOfferings", name="Medium")["diskoffering"][0]["disksize"] == 20
    second = cs_api.ok("listDiskOfferings", page=2, pagesize=3)
    assert second["count"] == 8 and [o["name"] for o in second["diskoffering"]] == [
        "Custom", "SSD Small", "SSD Custom"]


def test_each_zone_has_tagged_primary_pools_and_a_secondary_store(cs_api):
    pools = cs_api.ok("listStoragePools", zoneid=zone_id(cs_api))["storagepool"]
    assert [(p["name"], p["tags"], p["state"], p["disksizetotal"], p["disksizeallocated"])
            for p in pools] == [("ps-ssd-1", "ssd", "Up", 2 << 40, 0),
                                ("ps-hdd-1", "hdd", "Up", 50 << 40, 0)]
    assert cs_api.ok("listStoragePools")["count"] == 4
    assert cs_api.ok("listStoragePools", keyword="hdd")["count"] == 2
    stores = cs_api.ok("listImageStores", zoneid=zone_id(cs_api, "zone-advanced"))
    assert [(s["name"], s["protocol"], s["zonename"]) for s in stores["imagestore"]] == [
        ("sec-nfs-2", "nfs", "zone-advanced")]
    assert cs_api.ok("listImageStores", protocol="s3") == {}


# --- ROOT volumes and capacity -------------------------------------------------------------------

def test_every_vm_has_a_root_volume_on_primary_storage(cs_api, cs_sim):
    vm = cs_api.deploy(name="web-1")["id"]
    cs_sim.seed_virtual_machines(2)
    roots = cs_api.ok("listVolumes", type="ROOT")
    assert roots["count"] == 3
    root = cs_api.ok("listVolumes", virtualmachineid=vm)["volume"]
    assert len(root) == 1
    root = root[0]
    assert (root["type"], root["deviceid"], root["vmname"], root["vmstate"], root["state"],
            root["size"], root["storage"], root["serviceofferingname"]) == (
        "ROOT", 0, "web-1", "Running", "Ready", 2 * GIB, "ps-hdd-1", "Small Instance")
    assert "attached" not in root and "diskofferingid" not in root
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == 3 * 2 * GIB


def test_root_volume_follows_the_vm_to_destroy_and_expunge(cs_api):
    vm = cs_api.deploy()["id"]
    data = create(cs_api)["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    root = cs_api.ok("listVolumes", virtualmachineid=vm, type="ROOT")["volume"][0]
    cs_api.wait(cs_api.ok("destroyVirtualMachine", id=vm)["jobid"])
    assert (volume(cs_api, root["id"])["state"], volume(cs_api, root["id"])["destroyed"]) == (
        "Destroy", True)
    cs_api.wait(cs_api.ok("destroyVirtualMachine", id=vm, expunge="true")["jobid"])
    assert cs_api.ok("listVolumes", id=root["id"]) == {}
    assert cs_api.ok("listVolumes", virtualmachineid=vm) == {}
    left = volume(cs_api, data)
    assert "virtualmachineid" not in left and left["state"] == "Ready"  # detached, kept
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == 5 * GIB


def test_deploy_without_room_for_the_root_volume_is_533(cs_api, cs_sim):
    cs_sim.set_storage_pool("ps-hdd-1", capacity_gb=1)
    cs_sim.set_storage_pool("ps-ssd-1", state="Maintenance")
    status, body = cs_api("deployVirtualMachine", zoneid=zone_id(cs_api),
                          serviceofferingid=cs_api.ids("serviceoffering", "listServiceOfferings",
                                                       "serviceoffering")["Small Instance"],
                          templateid=cs_api.ids("template", "listTemplates", "template",
                                                templatefilter="featured")["Debian 12"])
    assert status == 533 and "insufficient storage capacity" in body["errortext"]
    assert cs_api.ok("listVirtualMachines") == {}
    with pytest.raises(ValueError):
        cs_sim.seed_virtual_machines(1)
    with pytest.raises(ValueError):
        cs_sim.set_storage_pool("nope", capacity_gb=1)


# --- createVolume ----------------------------------------------------------------------------

def test_a_volume_from_an_offering_is_allocated_on_no_pool(cs_api, cs_sim):
    cs_sim.set_job_duration("createVolume", 0.3)
    answer = cs_api.ok("createVolume", name="data-1", zoneid=zone_id(cs_api),
                       diskofferingid=offering_id(cs_api, "Small"))
    assert set(answer) == {"id", "jobid"}
    assert volume(cs_api, answer["id"])["state"] == "Allocated"  # the row exists at once
    pending = cs_api.ok("queryAsyncJobResult", jobid=answer["jobid"])
    assert pending["jobstatus"] == 0
    result = cs_api.wait(answer["jobid"])
    assert result["cmd"] == "org.apache.cloudstack.api.command.user.volume.CreateVolumeCmd"
    created = result["jobresult"]["volume"]
    assert (created["name"], created["type"], created["state"], created["size"],
            created["storage"], created["hypervisor"], created["diskofferingname"]) == (
        "data-1", "DATADISK", "Allocated", 5 * GIB, "none", "None", "Small")
    assert "storageid" not in created and "virtualmachineid" not in created
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == 0


def test_custom_offering_takes_the_size_and_names_default_to_uuids(cs_api):
    created = create(cs_api, "Custom", size=42)
    assert created["size"] == 42 * GIB and len(created["name"]) == 36


@pytest.mark.parametrize("offering,params,text", [
    ("Small", {"size": 10}, "This disk offering does not allow custom size"),
    ("Custom", {}, "This disk offering requires a custom size specified"),
    ("Custom", {"size": 0}, "Disk size must be larger than 0"),
    ("Custom", {"size": -3}, "Disk size must be larger than 0"),
    ("Custom", {"size": 1025}, "Volume size: 1025 GB is out of allowed range. Min: 1. Max: 1024"),
])
def test_size_errors_are_431_at_once(cs_api, offering, params, text):
    status, body = cs_api("createVolume", zoneid=zone_id(cs_api),
                          diskofferingid=offering_id(cs_api, offering), **params)
    assert (status, body["errorcode"], body["errortext"]) == (431, 431, text)
    assert cs_api.ok("listVolumes", type="DATADISK") == {}


def test_create_volume_parameter_errors(cs_api):
    status, body = cs_api("createVolume", zoneid=zone_id(cs_api))
    assert status == 431 and body["errortext"].startswith("At least one of disk Offering ID")
    status, body = cs_api("createVolume", diskofferingid=offering_id(cs_api, "Small"))
    assert (status, body["errortext"]) == (431, "Unable to find zone by id null")
    status, body = cs_api("createVolume", zoneid=zone_id(cs_api), diskofferingid="nope")
    assert status == 431 and UNKNOWN_ID.format(param="diskofferingid", value="nope") in \
        body["errortext"]
    status, body = cs_api("createVolume", snapshotid="nope")
    assert status == 431 and "snapshotid value=nope" in body["errortext"]


# --- attach and detach ---------------------------------------------------------------------------

def test_first_attach_places_the_volume_on_a_pool_with_the_offerings_tags(cs_api):
    vm = cs_api.deploy()["id"]
    hdd, ssd, any_pool = create(cs_api, "HDD Large"), create(cs_api, "SSD Small"), create(
        cs_api, "Small")
    attached = done(cs_api, "attachVolume", id=hdd["id"], virtualmachineid=vm)["volume"]
    assert (attached["virtualmachineid"], attached["deviceid"], attached["state"],
            attached["storage"], attached["vmstate"]) == (vm, 1, "Ready", "ps-hdd-1", "Running")
    assert attached["attached"] and attached["storageid"] == pool(cs_api, "ps-hdd-1")["id"]
    assert done(cs_api, "attachVolume", id=ssd["id"], virtualmachineid=vm)["volume"][
        "storage"] == "ps-ssd-1"
    # No tags: any pool; the VM's ROOT pool first.
    third = done(cs_api, "attachVolume", id=any_pool["id"], virtualmachineid=vm)["volume"]
    assert (third["storage"], third["deviceid"]) == ("ps-hdd-1", 4)  # 3 is the CD-ROM
    assert pool(cs_api, "ps-ssd-1")["disksizeallocated"] == 20 * GIB
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == (2 + 500 + 5) * GIB
    disks = cs_api.ok("listVolumes", virtualmachineid=vm)["volume"]
    assert [(d["type"], d["deviceid"]) for d in disks] == [
        ("ROOT", 0), ("DATADISK", 1), ("DATADISK", 2), ("DATADISK", 4)]


def test_detach_keeps_the_volume_on_its_pool_and_frees_the_device(cs_api, cs_sim):
    vm = cs_api.deploy()["id"]
    data = create(cs_api)["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    cs_sim.set_job_duration("detachVolume", 0.3)
    answer = cs_api.ok("detachVolume", id=data)
    assert set(answer) == {"jobid"}
    detached = cs_api.wait(answer["jobid"])["jobresult"]["volume"]
    cs_sim.set_job_duration("detachVolume", 0.02)
    assert (detached["state"], detached["storage"]) == ("Ready", "ps-hdd-1")
    assert not {"virtualmachineid", "deviceid", "attached", "vmname"} & set(detached)
    again = done(cs_api, "attachVolume", id=data, virtualmachineid=vm, deviceid=2)["volume"]
    assert again["deviceid"] == 2
    by_device = done(cs_api, "detachVolume", virtualmachineid=vm, deviceid=2)["volume"]
    assert by_device["id"] == data


def test_no_pool_with_the_tags_fails_the_attach_job_with_530(cs_api):
    vm = cs_api.deploy()["id"]
    nvme = create(cs_api, "NVMe Small")
    error = refused(cs_api, "attachVolume", id=nvme["id"], virtualmachineid=vm)
    assert error == {"errorcode": 530, "errortext": "Unable to find suitable primary storage "
                                                    f"when creating volume {nvme['name']}"}
    left = volume(cs_api, nvme["id"])
    assert (left["state"], left["storage"]) == ("Allocated", "none")
    assert "virtualmachineid" not in left


def test_a_full_or_down_pool_takes_no_volume(cs_api, cs_sim):
    vm = cs_api.deploy()["id"]
    ssd = create(cs_api, "SSD Small")["id"]
    cs_sim.set_storage_pool("ps-ssd-1", capacity_gb=19)
    assert refused(cs_api, "attachVolume", id=ssd, virtualmachineid=vm)["errorcode"] == 530
    cs_sim.set_storage_pool("ps-ssd-1", capacity_gb=20, state="Maintenance")
    assert refused(cs_api, "attachVolume", id=ssd, virtualmachineid=vm)["errorcode"] == 530
    view = cs_sim.set_storage_pool("ps-ssd-1", state="Up")
    assert (view["disksizetotal"], view["state"]) == (20 * GIB, "Up")
    done(cs_api, "attachVolume", id=ssd, virtualmachineid=vm)
    assert pool(cs_api, "ps-ssd-1")["disksizeallocated"] == 20 * GIB


def test_attach_refusals_fail_the_job_with_431(cs_api):
    vm = cs_api.deploy()["id"]
    other = cs_api.deploy(zone="zone-advanced")["id"]
    data = create(cs_api)["id"]
    assert refused(cs_api, "attachVolume", id=data, virtualmachineid=vm, deviceid=0) == {
        "errorcode": 431, "errortext": "Root volume detach can happen only when vm is in "
                                       "states: Stopped or Destroyed"}
    assert refused(cs_api, "attachVolume", id=data, virtualmachineid=other)["errortext"] == \
        "Please specify a VM that is in the same zone as the volume."
    assert refused(cs_api, "attachVolume", id=data, virtualmachineid=vm, deviceid=3) == {
        "errorcode": 530, "errortext": "deviceId should be 1,2,4-15"}
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    assert refused(cs_api, "attachVolume", id=data, virtualmachineid=vm) == {
        "errorcode": 431, "errortext": "Please specify a volume that is not attached to any VM."}
    second = create(cs_api)["id"]
    assert refused(cs_api, "attachVolume", id=second, virtualmachineid=vm, deviceid=1)[
        "errortext"].startswith("deviceId 1 is used by VM")
    cs_api.wait(cs_api.ok("destroyVirtualMachine", id=vm)["jobid"])
    assert refused(cs_api, "attachVolume", id=second, virtualmachineid=vm)["errortext"] == \
        "Please specify a VM that is either running or stopped."
    status, body = cs_api("attachVolume", id=second, virtualmachineid="nope")
    assert status == 431 and "virtualmachineid value=nope" in body["errortext"]


def test_a_vm_takes_thirteen_data_disks(cs_api):
    vm = cs_api.deploy()["id"]
    for _ in range(13):
        done(cs_api, "attachVolume", id=create(cs_api, "Small")["id"], virtualmachineid=vm)
    devices = [d["deviceid"] for d in cs_api.ok("listVolumes", virtualmachineid=vm)["volume"]]
    assert devices == [0, 1, 2, *range(4, 15)]
    error = refused(cs_api, "attachVolume", id=create(cs_api, "Small")["id"],
                    virtualmachineid=vm)
    assert error["errortext"].startswith("The specified VM already has the maximum number of "
                                         "data disks (13)")


def test_detach_refusals(cs_api):
    vm = cs_api.deploy()["id"]
    data = create(cs_api)["id"]
    root = cs_api.ok("listVolumes", virtualmachineid=vm, type="ROOT")["volume"][0]["id"]
    assert refused(cs_api, "detachVolume", id=data) == {
        "errorcode": 431, "errortext": "The specified volume is not attached to a VM."}
    assert refused(cs_api, "detachVolume", id=root)["errortext"].startswith(
        "Root volume detach can happen only when vm is in states")
    cs_api.wait(cs_api.ok("stopVirtualMachine", id=vm)["jobid"])
    assert refused(cs_api, "detachVolume", id=root)["errortext"] == \
        "Please specify a data volume."
    for params in ({}, {"id": data, "deviceid": 1}, {"virtualmachineid": vm}):
        assert refused(cs_api, "detachVolume", **params)["errortext"] == (
            "Please provide either a volume id, or a tuple(device id, instance id)")
    assert refused(cs_api, "detachVolume", virtualmachineid=vm, deviceid=5)["errorcode"] == 530


# --- deleteVolume ----------------------------------------------------------------------------

def test_delete_volume_is_synchronous_and_refuses_attached_volumes(cs_api):
    vm = cs_api.deploy()["id"]
    data = create(cs_api)["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    status, body = cs_api("deleteVolume", id=data)
    assert (status, body["errorcode"], body["cserrorcode"], body["errortext"]) == (
        431, 431, 4350, "Please specify a volume that is not attached to any VM.")
    done(cs_api, "detachVolume", id=data)
    assert cs_api.ok("deleteVolume", id=data) == {"success": "true"}
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == 2 * GIB  # the ROOT volume only
    assert cs_api.ok("listVolumes", id=data) == {}
    status, body = cs_api("deleteVolume", id=data)
    assert (status, body["errortext"]) == (431, f"Unable to find volume with ID: {data}")
    status, body = cs_api("deleteVolume", id="nope")
    assert status == 431 and "id value=nope" in body["errortext"]
    # A deleted volume's id is known: async commands fail in their job.
    assert refused(cs_api, "attachVolume", id=data, virtualmachineid=vm)["errorcode"] == 431
    assert refused(cs_api, "resizeVolume", id=data, size=10)["errortext"] == "No such volume"


def test_an_allocated_volume_is_deleted_without_touching_pools(cs_api):
    data = create(cs_api)["id"]
    assert cs_api.ok("deleteVolume", id=data) == {"success": "true"}
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == 0


# --- resizeVolume ----------------------------------------------------------------------------

def test_resize_a_custom_volume_on_a_stopped_vm(cs_api, cs_sim):
    vm = cs_api.deploy()["id"]
    data = create(cs_api, "Custom", size=10)["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    error = refused(cs_api, "resizeVolume", id=data, size=20)
    assert error == {"errorcode": 431, "errortext": "The VM must be stopped or the disk "
                                                    "detached in order to resize with the "
                                                    "XenServer Hypervisor."}
    cs_api.wait(cs_api.ok("stopVirtualMachine", id=vm)["jobid"])
    cs_sim.set_job_duration("resizeVolume", 0.3)
    answer = cs_api.ok("resizeVolume", id=data, size=20)
    assert set(answer) == {"jobid"} and volume(cs_api, data)["state"] == "Resizing"
    result = cs_api.wait(answer["jobid"])
    assert result["cmd"].endswith("volume.ResizeVolumeCmd")
    grown = result["jobresult"]["volume"]
    assert (grown["size"], grown["state"]) == (20 * GIB, "Ready")
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == (2 + 20) * GIB


def test_shrinking_needs_shrinkok(cs_api):
    data = create(cs_api, "Custom", size=10)["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=cs_api.deploy()["id"])
    done(cs_api, "detachVolume", id=data)
    error = refused(cs_api, "resizeVolume", id=data, size=5)
    assert error == {"errorcode": 431, "errortext": (
        f"Going from existing size of {10 * GIB} to size of {5 * GIB} would shrink the "
        "volume.Need to sign off by supplying the shrinkok parameter with value of true.")}
    shrunk = done(cs_api, "resizeVolume", id=data, size=5, shrinkok="true")["volume"]
    assert shrunk["size"] == 5 * GIB
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == (2 + 5) * GIB


def test_resize_through_a_disk_offering_with_the_same_tags(cs_api):
    data = create(cs_api, "Small")["id"]
    grown = done(cs_api, "resizeVolume", id=data,
                 diskofferingid=offering_id(cs_api, "Medium"))["volume"]
    # Allocated: CloudStack only updates the database.
    assert (grown["size"], grown["diskofferingname"], grown["state"]) == (
        20 * GIB, "Medium", "Allocated")
    assert refused(cs_api, "resizeVolume", id=data,
                   diskofferingid=offering_id(cs_api, "SSD Small"))["errortext"] == (
        "There are no tags on the current disk offering. The new disk offering needs to have "
        "no tags, as well.")
    fast = create(cs_api, "SSD Small")["id"]
    assert refused(cs_api, "resizeVolume", id=fast,
                   diskofferingid=offering_id(cs_api, "HDD Large"))["errortext"] == \
        "The tags on the new and old disk offerings must match."
    assert done(cs_api, "resizeVolume", id=fast, size=40,
                diskofferingid=offering_id(cs_api, "SSD Custom"))["volume"]["size"] == 40 * GIB
    assert refused(cs_api, "resizeVolume", id=data, size=30,
                   diskofferingid=offering_id(cs_api, "Large"))["errortext"] == \
        "You cannot pass in a custom disk size to a non-custom disk offering."
    assert refused(cs_api, "resizeVolume", id=data,
                   diskofferingid=offering_id(cs_api, "Custom"))["errortext"] == \
        "The new disk offering requires that a size be specified."
    custom = done(cs_api, "resizeVolume", id=data, size=64,
                  diskofferingid=offering_id(cs_api, "Custom"))["volume"]
    assert (custom["size"], custom["diskofferingname"]) == (64 * GIB, "Custom")
    assert refused(cs_api, "resizeVolume", id=data, size=2000)["errortext"].startswith(
        "Volume size: 2000 GB is out of allowed range")


def test_resize_beyond_the_pools_room_fails_with_530(cs_api, cs_sim):
    data = create(cs_api, "SSD Custom", size=100)
    done(cs_api, "attachVolume", id=data["id"], virtualmachineid=cs_api.deploy()["id"])
    done(cs_api, "detachVolume", id=data["id"])
    cs_sim.set_storage_pool("ps-ssd-1", capacity_gb=150)
    assert refused(cs_api, "resizeVolume", id=data["id"], size=200) == {
        "errorcode": 530, "errortext": f"Storage pool ps-ssd-1 does not have enough space to "
                                       f"resize volume {data['name']}"}
    left = volume(cs_api, data["id"])
    assert (left["size"], left["state"]) == (100 * GIB, "Ready")
    assert done(cs_api, "resizeVolume", id=data["id"], size=150)["volume"]["size"] == 150 * GIB
    assert pool(cs_api, "ps-ssd-1")["disksizeallocated"] == 150 * GIB


# --- snapshots ---------------------------------------------------------------------------------

def test_snapshot_lifecycle_and_a_volume_from_it(cs_api, cs_sim):
    vm = cs_api.deploy(name="db-1")["id"]
    data = create(cs_api, "SSD Custom", name="pgdata", size=30)["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    cs_sim.set_job_duration("createSnapshot", 0.4)
    answer = cs_api.ok("createSnapshot", volumeid=data)
    assert set(answer) == {"id", "jobid"}
    states = [cs_api.ok("listSnapshots", id=answer["id"])["snapshot"][0]["state"]]
    time.sleep(0.25)
    states.append(cs_api.ok("listSnapshots", id=answer["id"])["snapshot"][0]["state"])
    assert states == ["Creating", "BackingUp"]
    result = cs_api.wait(answer["jobid"])
    assert result["cmd"] == "org.apache.cloudstack.api.command.user.snapshot.CreateSnapshotCmd"
    snap = result["jobresult"]["snapshot"]
    assert (snap["state"], snap["volumeid"], snap["volumename"], snap["volumetype"],
            snap["snapshottype"], snap["intervaltype"], snap["virtualsize"]) == (
        "BackedUp", data, "pgdata", "DATADISK", "MANUAL", "MANUAL", 30 * GIB)
    assert snap["name"].startswith("db-1_pgdata_")
    assert cs_api.ok("listSnapshots", volumeid=data)["snapshot"] == [snap]
    copy = cs_api.ok("createVolume", snapshotid=snap["id"], name="pgdata-copy")
    made = cs_api.wait(copy["jobid"])["jobresult"]["volume"]
    assert (made["state"], made["size"], made["storage"], made["diskofferingname"],
            made["snapshotid"], made["zonename"]) == (
        "Ready", 30 * GIB, "ps-ssd-1", "SSD Custom", snap["id"], "zone-basic")
    assert pool(cs_api, "ps-ssd-1")["disksizeallocated"] == 60 * GIB
    deleted = cs_api.ok("deleteSnapshot", id=snap["id"])
    assert set(deleted) == {"jobid"}
    assert cs_api.wait(deleted["jobid"])["jobresult"] == {"success": True}
    assert cs_api.ok("listSnapshots", id=snap["id"]) == {}
    assert cs_api.ok("listSnapshots") == {}


def test_snapshots_outlive_their_volume(cs_api):
    vm = cs_api.deploy()["id"]
    data = create(cs_api, "Medium")["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    snap = snapshot(cs_api, data, name="keep-me")
    assert snap["name"] == "keep-me"
    done(cs_api, "detachVolume", id=data)
    assert cs_api.ok("deleteVolume", id=data) == {"success": "true"}
    assert cs_api.ok("listSnapshots", volumeid=data)["snapshot"][0]["id"] == snap["id"]
    made = cs_api.wait(cs_api.ok("createVolume", snapshotid=snap["id"],
                                 virtualmachineid=vm)["jobid"])["jobresult"]["volume"]
    assert (made["virtualmachineid"], made["deviceid"], made["size"]) == (vm, 1, 20 * GIB)


def test_snapshot_and_volume_from_snapshot_refusals(cs_api, cs_sim):
    data = create(cs_api)["id"]
    status, body = cs_api("createSnapshot", volumeid=data)
    assert (status, body["errortext"]) == (
        431, f"VolumeId: {data} is not in Ready state but Allocated. Cannot take snapshot.")
    done(cs_api, "attachVolume", id=data, virtualmachineid=cs_api.deploy()["id"])
    cs_sim.set_job_duration("createSnapshot", 30)
    pending = cs_api.ok("createSnapshot", volumeid=data)
    status, body = cs_api("createVolume", snapshotid=pending["id"])
    assert (status, body["errortext"]) == (
        431, f"Snapshot id={pending['id']} is not in BackedUp state yet and can't be used for "
             "volume creation")
    done(cs_api, "detachVolume", id=data)
    status, body = cs_api("deleteVolume", id=data)
    assert (status, body["errortext"]) == (
        431, "There are snapshot operations in progress on the volume, unable to delete it")
    assert refused(cs_api, "resizeVolume", id=data, diskofferingid=offering_id(
        cs_api, "Medium"))["errortext"].startswith("There is/are unbacked up snapshot(s)")
    assert refused(cs_api, "deleteSnapshot", id=pending["id"])["errortext"] == (
        f"Can't delete snapshot {pending['id']} due to it is in Creating Status")
    status, body = cs_api("createVolume", snapshotid=pending["id"],
                          diskofferingid=offering_id(cs_api, "Small"))
    assert status == 431 and body["errortext"].startswith("Disk Offering ID cannot be passed")


def test_a_volume_from_a_root_snapshot_takes_the_service_offering(cs_api):
    vm = cs_api.deploy()["id"]
    root = cs_api.ok("listVolumes", virtualmachineid=vm, type="ROOT")["volume"][0]
    snap = snapshot(cs_api, root["id"])
    assert snap["volumetype"] == "ROOT"
    made = cs_api.wait(cs_api.ok("createVolume", snapshotid=snap["id"])["jobid"])
    made = made["jobresult"]["volume"]
    assert (made["type"], made["size"], made["diskofferingname"]) == (
        "DATADISK", 2 * GIB, "Small Instance")
    status, body = cs_api("createVolume", snapshotid=snap["id"], size=1,
                          diskofferingid=offering_id(cs_api, "Custom"))
    assert (status, body["errortext"]) == (
        431, "Invalid size for volume creation: 1GB, snapshot size is: 2GB")
    bigger = cs_api.wait(cs_api.ok("createVolume", snapshotid=snap["id"],
                                   diskofferingid=offering_id(cs_api, "Small"))["jobid"])
    assert bigger["jobresult"]["volume"]["size"] == 5 * GIB


def test_a_snapshot_volume_without_a_fitting_pool_fails_and_stays_in_destroy(cs_api, cs_sim):
    data = create(cs_api, "SSD Small")["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=cs_api.deploy()["id"])
    snap = snapshot(cs_api, data)
    cs_sim.set_storage_pool("ps-ssd-1", capacity_gb=30)
    answer = cs_api.ok("createVolume", snapshotid=snap["id"])
    error = cs_api.wait(answer["jobid"])
    assert (error["jobstatus"], error["jobresult"]) == (
        2, {"errorcode": 530, "errortext": f"Failed to create volume: {answer['id']}"})
    left = volume(cs_api, answer["id"])
    assert (left["state"], left["destroyed"], left["storage"]) == ("Destroy", True, "none")
    assert cs_api.ok("deleteVolume", id=answer["id"]) == {"success": "true"}


# --- failure injection and hooks -----------------------------------------------------------------

def test_failed_jobs_revert_what_they_began(cs_api, cs_sim):
    vm = cs_api.deploy()["id"]
    cs_sim.fail_next_job("createVolume", "storage subsystem down")
    answer = cs_api.ok("createVolume", zoneid=zone_id(cs_api),
                       diskofferingid=offering_id(cs_api, "Small"))
    failed = cs_api.wait(answer["jobid"])
    assert (failed["jobstatus"], failed["jobresultcode"], failed["jobresult"]) == (
        2, 530, {"errorcode": 530, "errortext": "storage subsystem down"})
    assert volume(cs_api, answer["id"])["state"] == "Destroy"

    data = create(cs_api)["id"]
    cs_sim.fail_next_job("attachVolume", "host unreachable")
    assert refused(cs_api, "attachVolume", id=data, virtualmachineid=vm)["errortext"] == \
        "host unreachable"
    left = volume(cs_api, data)
    assert (left["state"], left["storage"], "virtualmachineid" in left) == (
        "Allocated", "none", False)

    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    done(cs_api, "detachVolume", id=data)
    before = pool(cs_api, "ps-hdd-1")["disksizeallocated"]
    cs_sim.fail_next_job("resizeVolume", "resize failed on the host", 530)
    assert refused(cs_api, "resizeVolume", id=data,
                   diskofferingid=offering_id(cs_api, "Large"))["errorcode"] == 530
    left = volume(cs_api, data)
    assert (left["size"], left["state"], left["diskofferingname"]) == (5 * GIB, "Ready", "Small")
    assert pool(cs_api, "ps-hdd-1")["disksizeallocated"] == before

    cs_sim.fail_next_job("createSnapshot", "secondary storage full")
    answer = cs_api.ok("createSnapshot", volumeid=data)
    assert cs_api.wait(answer["jobid"])["jobstatus"] == 2
    assert cs_api.ok("listSnapshots", id=answer["id"])["snapshot"][0]["state"] == "Error"
    assert done(cs_api, "deleteSnapshot", id=answer["id"]) == {"success": True}

    cs_sim.fail_next_job("detachVolume", "busy")
    done(cs_api, "attachVolume", id=data, virtualmachineid=vm)
    assert refused(cs_api, "detachVolume", id=data)["errortext"] == "busy"
    assert volume(cs_api, data)["virtualmachineid"] == vm


def test_fail_next_and_request_counts_cover_the_storage_commands(cs_api, cs_sim):
    cs_sim.fail_next("listVolumes", 534, "management server is starting")
    status, body = cs_api("listVolumes")
    assert (status, body["errortext"]) == (534, "management server is starting")
    cs_api.ok("listVolumes")
    assert cs_sim.request_counts["listVolumes"] == 2
    cs_sim.fail_next("deleteVolume", 536, "in use")
    assert cs_api("deleteVolume", id="whatever")[0] == 536
    cs_sim.fail_next_job("deleteSnapshot", "x")  # every new async command is a job command


def test_volume_listing_pages_and_filters(cs_api, cs_sim):
    cs_sim.seed_virtual_machines(25)
    for index in range(5):
        create(cs_api, "Small", name=f"data-{index}")
    everything = cs_api.ok("listVolumes", listall="true")
    assert everything["count"] == 30
    third = cs_api.ok("listVolumes", page=3, pagesize=12)
    assert third["count"] == 30 and [v["name"] for v in third["volume"]] == [
        "ROOT-25", "data-0", "data-1", "data-2", "data-3", "data-4"]
    pages = [cs_api.ok("listVolumes", page=n, pagesize=12)["volume"] for n in (1, 2, 3)]
    assert len({v["id"] for page in pages for v in page}) == 30
    assert cs_api.ok("listVolumes", type="DATADISK")["count"] == 5
    assert cs_api.ok("listVolumes", keyword="DATA-")["count"] == 5
    assert cs_api.ok("listVolumes", name="data-3")["volume"][0]["name"] == "data-3"
    assert cs_api.ok("listVolumes", storageid=pool(cs_api, "ps-hdd-1")["id"])["count"] == 25
    assert cs_api.ok("listVolumes", diskofferingid=offering_id(cs_api, "Small"))["count"] == 5
    assert cs_api.ok("listVolumes", zoneid=zone_id(cs_api, "zone-advanced")) == {}
    status, body = cs_api("listVolumes", id="nope")
    assert status == 431 and "id value=nope" in body["errortext"]


def test_tags_on_volumes_and_snapshots(cs_api):
    data = create(cs_api)["id"]
    done(cs_api, "attachVolume", id=data, virtualmachineid=cs_api.deploy()["id"])
    snap = snapshot(cs_api, data)
    for kind, ident in (("Volume", data), ("Snapshot", snap["id"])):
        cs_api.wait(cs_api.ok("createTags", resourceids=ident, resourcetype=kind,
                              **{"tags[0].key": "team", "tags[0].value": "paas"})["jobid"])
    assert volume(cs_api, data)["tags"] == [{"key": "team", "value": "paas"}]
    assert cs_api.ok("listSnapshots", id=snap["id"])["snapshot"][0]["tags"] == [
        {"key": "team", "value": "paas"}]
    status, _ = cs_api("createTags", resourceids=data, resourcetype="Snapshot",
                       **{"tags[0].key": "a", "tags[0].value": "b"})
    assert status == 431


# --- libcloud's own volume calls ---------------------------------------------------------------

def test_libcloud_volume_and_snapshot_calls(cs_driver, cs_api):
    zone = next(z for z in cs_api.ok("listZones")["zone"] if z["name"] == "zone-basic")
    location = NodeLocation(zone["id"], zone["name"], "", cs_driver)
    created = cs_driver.create_volume(20, "lc-vol", location=location)
    assert (created.name, created.size) == ("lc-vol", 20)
    vm = cs_api.deploy()["id"]
    node = next(n for n in cs_driver.list_nodes() if n.id == vm)
    assert cs_driver.attach_volume(node, created) is True
    assert {v.name for v in cs_driver.list_volumes()} >= {"lc-vol"}
    snap = cs_driver.create_volume_snapshot(created)
    assert snap.extra["volume_id"] == created.id
    assert [s.id for s in cs_driver.list_snapshots()] == [snap.id]
    assert cs_driver.destroy_volume_snapshot(snap) is True
    assert cs_driver.detach_volume(created) is True
    assert cs_driver.destroy_volume(created) is True
    assert "lc-vol" not in {v.name for v in cs_driver.list_volumes()}
