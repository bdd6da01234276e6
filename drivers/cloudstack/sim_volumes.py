"""The CloudStack simulator's block storage commands: volumes and volume snapshots.

Modelled on current CloudStack (VolumeApiServiceImpl, SnapshotManagerImpl,
ApiAsyncJobDispatcher), with its error texts. Where each check happens
follows CloudStack:

* createVolume and createSnapshot are create-then-execute commands: their
  checks run before the answer (HTTP 431), the row exists at once (the answer
  carries ``id`` and ``jobid``), and the job does the work.
* attachVolume, detachVolume, resizeVolume and deleteSnapshot check inside the
  job: a refused operation is a failed job whose jobresult carries errorcode
  431 (InvalidParameterValueException) or 530 (CloudRuntimeException).
* deleteVolume is synchronous: ``{"success": "true"}``; an attached volume is
  refused with 431 "Please specify a volume that is not attached to any VM."
  (CloudStack answers 431 here, not 536).

Placement: a volume from a disk offering stays Allocated, with no pool
(storage "none"), until its first attach puts it on an Up pool of its zone
carrying all the offering's storage tags, with room (the VM's ROOT pool when
that fits). A volume from a snapshot is placed by its createVolume job. No
fitting pool fails the job with 530, as CloudStack's CloudRuntimeException
does: "Unable to find suitable primary storage when creating volume …" at
attach, "Failed to create volume: <id>" at createVolume (the cause goes to the
management server log only), and "Storage pool … does not have enough space to
resize volume …" at resize.

Failures revert: a failed attach leaves the volume detached (and unplaced when
it was Allocated); a failed resize restores the state, size and pool space; a
failed createVolume leaves the row behind in state Destroy (CloudStack's
createVolume moves it there with DestroyRequested), listed with ``destroyed``
true until deleteVolume removes it; a failed createSnapshot leaves the
snapshot in Error (listed, deletable).

Simplifications: ROOT volumes cannot be detached or attached (newer CloudStack
detaches a stopped VM's ROOT volume; the simulator refuses with the older text
"Please specify a data volume."); virtualmachineid of createVolume is honoured
only with snapshotid, as in CloudStack; the volume stays Ready while its
snapshot is taken (CloudStack shows Snapshotting for the first seconds).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from translator_drivers.cloudstack.sim_models import (
    GIB,
    VM,
    ApiError,
    DiskOffering,
    Job,
    Snapshot,
    Volume,
    timestamp,
)
from translator_drivers.cloudstack.sim_params import Params
from translator_drivers.cloudstack.sim_state import SimState

#: custom.diskoffering.size.min / .max and storage.max.volume.size, in GB (defaults).
CUSTOM_MIN_GB, CUSTOM_MAX_GB, MAX_VOLUME_GB = 1, 1024, 2000
#: XenServer's max_data_volumes_limit; device ids 1, 2, 4…15 (3 is the CD-ROM).
MAX_DATA_DISKS = 13
DEVICE_IDS = [1, 2, *range(4, 16)]
_VM_OK = ("Running", "Stopped")


def _bad(text: str) -> ApiError:
    """InvalidParameterValueException: 431."""
    return ApiError(431, text)


def _failed(text: str) -> ApiError:
    """CloudRuntimeException: 530."""
    return ApiError(530, text)


def _tags(offering: Any) -> list[str]:
    return offering.tags if isinstance(offering, DiskOffering) else []


def _customized(offering: Any) -> bool:
    return isinstance(offering, DiskOffering) and offering.customized


def _custom_range(size_gb: int) -> None:
    if not CUSTOM_MIN_GB <= size_gb <= CUSTOM_MAX_GB:
        raise _bad(f"Volume size: {size_gb} GB is out of allowed range. Min: {CUSTOM_MIN_GB}."
                   f" Max: {CUSTOM_MAX_GB}")


class VolumeCommands:
    """Volume and snapshot commands, mixed into Commands (which provides ``state``,
    ``now`` and ``_submit``)."""

    state: SimState
    now: float

    def _submit(self, command: str, vm: VM | None, complete: Callable[[Job], dict],
                begin: Callable[[Job], None] | None = None,
                revert: Callable[[Job], None] | None = None) -> Job:
        raise NotImplementedError

    # --- lookups ---------------------------------------------------------------------------

    def _volume(self, p: Params, gone: str, name: str = "id") -> Volume:
        """The volume an id names; a deleted one's id is refused with ``gone`` (431)."""
        volume = self._volume_or_none(p, name)
        if volume is None:
            raise _bad(gone.format(p.require(name).strip()))
        return volume

    def _volume_or_none(self, p: Params, name: str = "id") -> Volume | None:
        """The volume an id names, None for a deleted one (an async command finds that out
        in its job); a malformed or unknown id is 431 at once."""
        if p.require(name).strip() in self.state.removed:
            return None
        return p.lookup(name, self.state.volumes, required=True)

    def _snapshot_in_progress(self, volume: Volume) -> bool:
        return any(s.volume is volume and s.in_progress for s in self.state.snapshots.values())

    def _render(self, volume: Volume) -> dict[str, Any]:
        return {"volume": volume.render()}

    # --- volumes -----------------------------------------------------------------------------

    def do_createVolume(self, p: Params) -> dict[str, Any]:
        st = self.state
        zone = p.lookup("zoneid", st.zones)
        offering: Any = p.lookup("diskofferingid", st.disk_offerings)
        vm = p.lookup("virtualmachineid", st.vms)
        snap_id = (p.get("snapshotid") or "").strip() or None
        snapshot = None
        if snap_id is not None:
            if snap_id not in st.removed:
                snapshot = p.lookup("snapshotid", st.snapshots)
            if snapshot is None:
                raise _bad(f"unable to find a snapshot with id {snap_id}")
        size_gb = p.integer("size")
        if offering is None and snapshot is None:
            raise _bad("At least one of disk Offering ID or snapshot ID must be passed whilst "
                       "creating volume")
        if offering is not None and snapshot is not None and snapshot.volume.type != "ROOT":
            raise _bad("Disk Offering ID cannot be passed whilst creating volume from snapshot "
                       "other than ROOT disk snapshots")
        size = 0
        if offering is not None:
            if size_gb is not None and size_gb <= 0:
                raise _bad("Disk size must be larger than 0")
            if offering.customized:
                if size_gb is None:
                    raise _bad("This disk offering requires a custom size specified")
                _custom_range(size_gb)
            elif size_gb is not None:
                raise _bad("This disk offering does not allow custom size")
            size = (offering.disksize or size_gb or 0) * GIB
        if snapshot is not None:
            if snapshot.state != "BackedUp":
                raise _bad(f"Snapshot id={snapshot.id} is not in BackedUp state yet and can't "
                           "be used for volume creation")
            zone = zone or snapshot.volume.zone
            if zone is not snapshot.volume.zone:
                raise _bad(f"Snapshot id={snapshot.id} is not available in zone {zone.name}")
            if offering is None:
                offering, size = snapshot.offering, snapshot.size
            elif size < snapshot.size:
                raise _bad(f"Invalid size for volume creation: {size // GIB}GB, snapshot size "
                           f"is: {snapshot.size // GIB}GB")
            if vm is not None and vm.state not in _VM_OK:
                raise _bad("Please specify a VM that is either running or stopped.")
        else:
            vm = None  # CloudStack attaches at creation only a volume from a snapshot
        if zone is None:
            raise _bad("Unable to find zone by id null")
        name = (p.get("name") or "").strip() or str(uuid.uuid4())
        volume = Volume(str(uuid.uuid4()), name, zone, "DATADISK", size, timestamp(),
                        "Allocated", offering, snapshotid=snapshot.id if snapshot else None)
        st.volumes[volume.id] = volume

        def begin(job: Job) -> None:
            if snapshot is not None:
                volume.state = "Creating"

        def complete(job: Job) -> dict[str, Any]:
            if snapshot is not None:
                pool = st.find_pool(zone, _tags(offering), size)
                if pool is None or volume.removed:
                    raise _failed(f"Failed to create volume: {volume.id}")
                st.place(volume, pool)
                volume.state = "Ready"
                if vm is not None:
                    problem = self._attach_problem(volume, vm, None)
                    if problem is not None:
                        raise _failed(f"Failed to create volume: {volume.id}")
                    st.attach(volume, vm, self._device_id(vm, None))
            return self._render(volume)

        def revert(job: Job) -> None:
            st.detach(volume)
            st.release(volume)
            volume.state = "Destroy"

        job = self._submit("createVolume", None, complete, begin, revert)
        return {"id": volume.id, "jobid": job.id}

    def do_deleteVolume(self, p: Params) -> dict[str, Any]:
        volume = self._volume(p, "Unable to find volume with ID: {}")
        if self._snapshot_in_progress(volume):
            raise _bad("There are snapshot operations in progress on the volume, unable to "
                       "delete it")
        if volume.vm is not None:
            raise _bad("Please specify a volume that is not attached to any VM.")
        self.state.remove_volume(volume)
        return {"success": "true"}

    # --- attach and detach -------------------------------------------------------------------

    def _attach_problem(self, volume: Volume, vm: VM, deviceid: int | None) -> ApiError | None:
        if volume.removed:
            return _bad(f"Unable to find volume with ID: {volume.id}")
        if volume.vm is not None:
            return _bad("Please specify a volume that is not attached to any VM.")
        if volume.state == "Destroy":
            return _bad("Please specify a volume that is not destroyed.")
        if volume.state not in ("Allocated", "Ready"):
            return _bad("Volume state must be in Allocated, Ready or in Uploaded state")
        if vm.removed:
            return _bad("Please specify a valid User VM.")
        if vm.state not in _VM_OK:
            return _bad("Please specify a VM that is either running or stopped.")
        if vm.zone is not volume.zone:
            return _bad("Please specify a VM that is in the same zone as the volume.")
        if deviceid == 0:
            if vm.state != "Stopped":
                return _bad("Root volume detach can happen only when vm is in states: Stopped "
                            "or Destroyed")
            return _bad("Vm already has root volume attached to it")
        data = [d for d in self.state.vm_disks.get(vm.id, []) if d.type == "DATADISK"]
        if len(data) >= MAX_DATA_DISKS:
            return _bad(f"The specified VM already has the maximum number of data disks "
                        f"({MAX_DATA_DISKS}) attached. Please specify another VM.")
        return None

    def _device_id(self, vm: VM, wanted: int | None) -> int:
        used = {d.deviceid for d in self.state.vm_disks.get(vm.id, [])}
        if wanted is not None:
            if wanted not in DEVICE_IDS:
                raise _failed("deviceId should be 1,2,4-15")
            if wanted in used:
                raise _failed(f"deviceId {wanted} is used by VM {vm.name}")
            return wanted
        free = [d for d in DEVICE_IDS[:-1] if d not in used]
        if not free:
            raise _failed(f"No free device id on VM {vm.name}")
        return free[0]

    def do_attachVolume(self, p: Params) -> dict[str, Any]:
        st = self.state
        volume = self._volume_or_none(p)
        vm_id = p.require("virtualmachineid").strip()
        vm = st.vms.get(vm_id)
        if vm is None and vm_id not in st.expunged:
            p.lookup("virtualmachineid", st.vms, required=True)  # 431, unknown id
        deviceid = p.integer("deviceid")

        def begin(job: Job) -> None:
            if volume is None:
                job.problem = _bad("Please specify a volume with the valid type: ROOT or "
                                   "DATADISK")
            elif vm is None:
                job.problem = _bad("Please specify a valid User VM.")
            else:
                job.problem = self._attach_problem(volume, vm, deviceid)

        def complete(job: Job) -> dict[str, Any]:
            assert volume is not None and vm is not None
            if vm.removed or volume.removed:
                raise _bad("Please specify a valid User VM." if vm.removed else
                           f"Unable to find volume with ID: {volume.id}")
            if volume.vm is not None:
                raise _failed("This volume is already attached to a VM.")
            device = self._device_id(vm, deviceid)
            if volume.pool is None:
                root = st.vm_disks[vm.id][0].pool
                pool = st.find_pool(volume.zone, _tags(volume.offering), volume.size, root)
                if pool is None:
                    raise _failed("Unable to find suitable primary storage when creating "
                                  f"volume {volume.name}")
                st.place(volume, pool)
                volume.state = "Ready"
            st.attach(volume, vm, device)
            return self._render(volume)

        return {"jobid": self._submit("attachVolume", None, complete, begin).id}

    def do_detachVolume(self, p: Params) -> dict[str, Any]:
        st = self.state
        ident, vm_id, deviceid = p.get("id"), p.get("virtualmachineid"), p.integer("deviceid")
        volume: Volume | None = None
        problem: ApiError | None = None
        if (ident is None and (vm_id is None or deviceid is None)) or \
                (ident is not None and (vm_id is not None or deviceid is not None)):
            problem = _bad("Please provide either a volume id, or a tuple(device id, "
                           "instance id)")
        elif ident is not None:
            volume = self._volume_or_none(p)
            if volume is None:
                problem = _bad(f"Unable to find volume with ID: {ident.strip()}")
        else:
            vm = p.lookup("virtualmachineid", st.vms, required=True)
            volume = next((d for d in st.vm_disks.get(vm.id, []) if d.deviceid == deviceid),
                          None)
            if volume is None:  # CloudStack takes .get(0) of an empty list
                problem = _failed("Index 0 out of bounds for length 0")

        def begin(job: Job) -> None:
            if problem is not None or volume is None:
                job.problem = problem
            elif volume.vm is None:
                job.problem = _bad("The specified volume is not attached to a VM.")
            elif volume.vm.state not in (*_VM_OK, "Destroyed"):
                job.problem = _bad("Please specify a VM that is either running or stopped.")
            elif volume.type == "ROOT":
                job.problem = _bad(
                    "Please specify a data volume." if volume.vm.state == "Stopped" else
                    "Root volume detach can happen only when vm is in states: Stopped or "
                    "Destroyed")

        def complete(job: Job) -> dict[str, Any]:
            assert volume is not None
            if volume.vm is None or volume.removed:
                raise _bad("The specified volume is not attached to a VM.")
            st.detach(volume)
            return self._render(volume)

        return {"jobid": self._submit("detachVolume", None, complete, begin).id}

    # --- resize ------------------------------------------------------------------------------

    def _new_size(self, volume: Volume, offering: DiskOffering | None, size_gb: int | None,
                  shrinkok: bool) -> int:
        """The size resizeVolume asks for, with CloudStack's checks (ApiError 431)."""
        current = volume.offering
        if offering is None:
            if size_gb is None:
                return volume.size
            if _customized(current):
                _custom_range(size_gb)
            new = size_gb * GIB
        else:
            if set(_tags(current)) != set(offering.tags):
                raise _bad("The tags on the new and old disk offerings must match." if
                           _tags(current) else "There are no tags on the current disk "
                           "offering. The new disk offering needs to have no tags, as well.")
            if not offering.customized:
                if size_gb is not None:
                    raise _bad("You cannot pass in a custom disk size to a non-custom disk "
                               "offering.")
                new = offering.disksize * GIB
            else:
                if size_gb is None:
                    raise _bad("The new disk offering requires that a size be specified.")
                _custom_range(size_gb)
                new = size_gb * GIB
        if new != volume.size:
            if new < GIB:
                raise _bad("Please specify a size of at least 1 GB.")
            if new > MAX_VOLUME_GB * GIB:
                raise _bad(f"Requested volume size is {new // GIB} GB, but the maximum size "
                           f"allowed is {MAX_VOLUME_GB} GB.")
            if new < volume.size and not shrinkok:
                raise _bad(f"Going from existing size of {volume.size} to size of {new} would "
                           "shrink the volume.Need to sign off by supplying the shrinkok "
                           "parameter with value of true.")
        return new

    def do_resizeVolume(self, p: Params) -> dict[str, Any]:
        st = self.state
        found = self._volume_or_none(p)
        offering = p.lookup("diskofferingid", st.disk_offerings)
        size_gb, shrinkok = p.integer("size"), p.flag("shrinkok", False)
        plan: dict[str, Any] = {}
        if found is None:
            def refuse(job: Job) -> None:
                job.problem = _bad("No such volume")

            return {"jobid": self._submit("resizeVolume", None, lambda job: {}, refuse).id}
        volume = found

        def begin(job: Job) -> None:
            if self._snapshot_in_progress(volume):
                job.problem = _failed("There is/are unbacked up snapshot(s) on this volume, "
                                      "resize volume is not permitted, please try again later.")
                return
            if volume.current_state not in ("Ready", "Allocated"):
                job.problem = _bad("Volume should be in ready or allocated state before "
                                   f"attempting a resize. Volume {volume.id} is in state "
                                   f"{volume.current_state}.")
                return
            try:
                new = self._new_size(volume, offering, size_gb, shrinkok)
            except ApiError as error:
                job.problem = error
                return
            grow = max(0, new - volume.size)
            if volume.state == "Ready" and new != volume.size:
                pool = volume.pool
                if pool is not None and pool.allocated + grow > pool.total:
                    job.problem = _failed(f"Storage pool {pool.name} does not have enough "
                                          f"space to resize volume {volume.name}")
                    return
                if volume.vm is not None and volume.vm.state != "Stopped":
                    job.problem = _bad("The VM must be stopped or the disk detached in order "
                                       "to resize with the XenServer Hypervisor.")
                    return
                if pool is not None:
                    pool.allocated += grow  # reserved now, so no other job takes the room
                job.prev_state, volume.state = volume.state, "Resizing"
            plan.update(new=new, reserved=grow if volume.pool is not None else 0)

        def complete(job: Job) -> dict[str, Any]:
            if volume.removed:
                raise _failed(f"Failed to resize volume operation of volume UUID: "
                              f"[{volume.id}] due to - the volume was deleted")
            new, reserved = plan["new"], plan["reserved"]
            if volume.pool is not None:
                volume.pool.allocated += (new - volume.size) - reserved
            volume.size = new
            if offering is not None:
                volume.offering = offering
            if job.prev_state is not None:
                volume.state = job.prev_state
            return self._render(volume)

        def revert(job: Job) -> None:
            if plan.get("reserved") and volume.pool is not None:
                volume.pool.allocated -= plan["reserved"]
            if job.prev_state is not None:
                volume.state = job.prev_state

        return {"jobid": self._submit("resizeVolume", None, complete, begin, revert).id}

    # --- snapshots -----------------------------------------------------------------------------

    def do_createSnapshot(self, p: Params) -> dict[str, Any]:
        st = self.state
        volume = self._volume(p, "Creating snapshot failed due to volume:{} doesn't exist",
                              "volumeid")
        if volume.current_state != "Ready":
            raise _bad(f"VolumeId: {volume.id} is not in Ready state but "
                       f"{volume.current_state}. Cannot take snapshot.")
        vm = volume.vm
        name = (p.get("name") or "").strip() or "_".join((
            vm.name if vm is not None else "detached", volume.name,
            time.strftime("%Y%m%d%H%M%S", time.gmtime())))
        snapshot = Snapshot(str(uuid.uuid4()), name, volume, st.zone_store(volume.zone),
                            volume.size, volume.offering, timestamp(), "Allocated")
        st.snapshots[snapshot.id] = snapshot

        def begin(job: Job) -> None:
            busy = vm is not None and vm.state == "Running" and any(
                s.in_progress and s is not snapshot and s.volume.vm is vm
                for s in st.snapshots.values())
            if busy:
                job.problem = _bad("There is other active snapshot tasks on the instance to "
                                   "which the volume is attached, please try again later")
                return
            snapshot.state = "Creating"
            # First half on primary storage, then the copy to secondary storage.
            snapshot.backup_at = (job.due or 0.0) - job.duration / 2

        def complete(job: Job) -> dict[str, Any]:
            snapshot.state, snapshot.backup_at = "BackedUp", None
            return {"snapshot": snapshot.render(job.due or 0.0)}

        def revert(job: Job) -> None:
            snapshot.state, snapshot.backup_at = "Error", None

        job = self._submit("createSnapshot", None, complete, begin, revert)
        return {"id": snapshot.id, "jobid": job.id}

    def do_deleteSnapshot(self, p: Params) -> dict[str, Any]:
        st = self.state
        ident = p.require("id").strip()
        snapshot = None if ident in st.removed else p.lookup("id", st.snapshots, required=True)

        def begin(job: Job) -> None:
            if snapshot is None:
                job.problem = _bad(f"unable to find a snapshot with id {ident}")
            elif snapshot.state not in ("BackedUp", "Error"):
                job.problem = _bad(f"Can't delete snapshot {snapshot.id} due to it is in "
                                   f"{snapshot.current_state(self.now)} Status")
            else:
                job.prev_state, snapshot.state = snapshot.state, "Destroying"

        def complete(job: Job) -> dict[str, Any]:
            assert snapshot is not None
            snapshot.state = "Destroyed"
            st.snapshots.pop(snapshot.id, None)
            st.removed.add(snapshot.id)
            return {"success": True}

        def revert(job: Job) -> None:
            if snapshot is not None and job.prev_state is not None:
                snapshot.state = job.prev_state

        return {"jobid": self._submit("deleteSnapshot", None, complete, begin, revert).id}
