"""The CloudStack simulator's commands: parameters in, the ``<command>response`` object out.

This module holds the dispatcher, the listings, SSH key pairs, tags and
queryAsyncJobResult; the VM commands live in ``sim_vm_commands``, the volume
and snapshot commands in ``sim_volumes``, public IPs and load balancing in
``sim_lb``.
"""

from __future__ import annotations

import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

from translator_drivers.cloudstack import sim_keys
from translator_drivers.cloudstack.sim_lb import LB_JOB_CLASSES, LB_JOB_DURATIONS, LbCommands
from translator_drivers.cloudstack.sim_models import (
    ACCOUNT,
    SERVER_API_EXCEPTION,
    VM,
    ApiError,
    Job,
    KeyPair,
    Volume,
    timestamp,
)
from translator_drivers.cloudstack.sim_params import Params, page, page_of_many
from translator_drivers.cloudstack.sim_state import SimState
from translator_drivers.cloudstack.sim_vm_commands import VmCommands
from translator_drivers.cloudstack.sim_volumes import VolumeCommands

#: Default job durations in seconds, per command.
DEFAULT_JOB_DURATIONS = {
    "deployVirtualMachine": 2.0, "startVirtualMachine": 1.0, "stopVirtualMachine": 1.0,
    "rebootVirtualMachine": 1.0, "destroyVirtualMachine": 1.0, "scaleVirtualMachine": 1.0,
    "createTags": 0.2,
    "createVolume": 0.5, "attachVolume": 0.5, "detachVolume": 0.5, "resizeVolume": 0.5,
    "createSnapshot": 1.0, "deleteSnapshot": 0.3, **LB_JOB_DURATIONS,
}

#: The command class CloudStack reports in queryAsyncJobResult's ``cmd``.
_VM_CMD = "org.apache.cloudstack.api.command.user.vm."
_VOLUME_CMD = "org.apache.cloudstack.api.command.user.volume."
_SNAPSHOT_CMD = "org.apache.cloudstack.api.command.user.snapshot."
JOB_CLASSES = {
    "deployVirtualMachine": _VM_CMD + "DeployVMCmd",
    "startVirtualMachine": _VM_CMD + "StartVMCmd",
    "stopVirtualMachine": _VM_CMD + "StopVMCmd",
    "rebootVirtualMachine": _VM_CMD + "RebootVMCmd",
    "destroyVirtualMachine": _VM_CMD + "DestroyVMCmd",
    "scaleVirtualMachine": _VM_CMD + "ScaleVMCmd",
    "createTags": "org.apache.cloudstack.api.command.user.tag.CreateTagsCmd",
    "createVolume": _VOLUME_CMD + "CreateVolumeCmd",
    "attachVolume": _VOLUME_CMD + "AttachVolumeCmd",
    "detachVolume": _VOLUME_CMD + "DetachVolumeCmd",
    "resizeVolume": _VOLUME_CMD + "ResizeVolumeCmd",
    "createSnapshot": _SNAPSHOT_CMD + "CreateSnapshotCmd",
    "deleteSnapshot": _SNAPSHOT_CMD + "DeleteSnapshotCmd",
    **LB_JOB_CLASSES,
}

#: The resource type CloudStack names in tag errors.
_TAG_TYPES = {"VM": "UserVm", "Volume": "Volume", "Snapshot": "Snapshot"}

_TEMPLATE_FILTERS = {"featured", "self", "selfexecutable", "sharedexecutable", "executable",
                     "community", "all"}


class Commands(VmCommands, VolumeCommands, LbCommands):
    """Runs commands against a SimState; call only under the simulator's lock."""

    def __init__(self, state: SimState, durations: dict[str, float] | None = None) -> None:
        self.state = state
        self.durations = dict(DEFAULT_JOB_DURATIONS, **(durations or {}))
        self.job_failures: dict[str, deque[ApiError]] = defaultdict(deque)
        self.now = 0.0
        self.keypair_material: tuple[str, str] | None = None
        self.handlers: dict[str, Callable[[Params], dict[str, Any]]] = {
            name[3:]: getattr(self, name) for name in dir(self) if name.startswith("do_")}

    def execute(self, command: str, params: Params, now: float) -> dict[str, Any]:
        """Run one command (jobs due by ``now`` must already be finished)."""
        handler = self.handlers.get(command)
        if handler is None:
            raise ApiError(432, "The given command does not exist or it is not available "
                                "for user", SERVER_API_EXCEPTION)
        self.now = now
        return handler(params)

    def _submit(self, command: str, vm: VM | None, complete: Callable[[Job], dict],
                begin: Callable[[Job], None] | None = None,
                revert: Callable[[Job], None] | None = None) -> Job:
        failures = self.job_failures.get(command)
        job = Job(str(uuid.uuid4()), command, JOB_CLASSES[command], timestamp(), vm,
                  self.durations.get(command, 1.0), complete, begin, revert,
                  injected=failures.popleft() if failures else None)
        return self.state.submit(job, self.now)

    # --- listings ------------------------------------------------------------------------

    def do_listZones(self, p: Params) -> dict[str, Any]:
        zones = list(self.state.zones.values())
        if (one := p.lookup("id", self.state.zones)) is not None:
            zones = [one]
        if (name := p.get("name")) is not None:
            zones = [z for z in zones if z.name == name]
        return page(p, "zone", [z.view for z in zones])

    def do_listServiceOfferings(self, p: Params) -> dict[str, Any]:
        offerings = list(self.state.offerings.values())
        if (one := p.lookup("id", self.state.offerings)) is not None:
            offerings = [one]
        if (name := p.get("name")) is not None:
            offerings = [o for o in offerings if o.name == name]
        if p.flag("issystem", False):
            offerings = []  # the simulator has no system offerings
        if (word := p.get("keyword")) is not None:
            offerings = [o for o in offerings if word.lower() in o.name.lower()]
        return page(p, "serviceoffering", [o.view for o in offerings])

    def do_listDiskOfferings(self, p: Params) -> dict[str, Any]:
        offerings = list(self.state.disk_offerings.values())
        if (one := p.lookup("id", self.state.disk_offerings)) is not None:
            offerings = [one]
        p.lookup("zoneid", self.state.zones)  # every seeded offering is public, all zones
        if (name := p.get("name")) is not None:
            offerings = [o for o in offerings if o.name == name]
        if (word := p.get("keyword")) is not None:
            offerings = [o for o in offerings if word.lower() in o.name.lower()]
        return page(p, "diskoffering", [o.view for o in offerings])

    def do_listStoragePools(self, p: Params) -> dict[str, Any]:
        pools = list(self.state.pools.values())
        if (one := p.lookup("id", self.state.pools)) is not None:
            pools = [one]
        if (zone := p.lookup("zoneid", self.state.zones)) is not None:
            pools = [s for s in pools if s.zone is zone]
        if (name := p.get("name")) is not None:
            pools = [s for s in pools if s.name == name]
        if (word := p.get("keyword")) is not None:
            pools = [s for s in pools if word.lower() in s.name.lower()]
        return page(p, "storagepool", [s.render() for s in pools])

    def do_listImageStores(self, p: Params) -> dict[str, Any]:
        stores = list(self.state.image_stores.values())
        if (one := p.lookup("id", self.state.image_stores)) is not None:
            stores = [one]
        if (zone := p.lookup("zoneid", self.state.zones)) is not None:
            stores = [s for s in stores if s.zone is zone]
        for param, key in (("name", "name"), ("protocol", "protocol"),
                           ("provider", "providername")):
            if (value := p.get(param)) is not None:
                stores = [s for s in stores if s.view[key].lower() == value.lower()]
        if (word := p.get("keyword")) is not None:
            stores = [s for s in stores if word.lower() in s.name.lower()]
        return page(p, "imagestore", [s.view for s in stores])

    def do_listTemplates(self, p: Params) -> dict[str, Any]:
        kind = p.require("templatefilter")
        if kind not in _TEMPLATE_FILTERS:
            raise p.invalid_value("templatefilter", kind)
        # Seeded templates are featured, public and owned by "system", not by the caller.
        if kind in {"self", "selfexecutable", "sharedexecutable", "community"}:
            return page(p, "template", [])
        templates = list(self.state.templates.values())
        if (one := p.lookup("id", self.state.templates)) is not None:
            templates = [one]
        zone = p.lookup("zoneid", self.state.zones)
        name, word = p.get("name"), p.get("keyword")
        return page(p, "template", [
            view for t in templates for view in t.views
            if (zone is None or view["zoneid"] == zone.id) and (name is None or t.name == name)
            and (word is None or word.lower() in t.name.lower())])

    def do_listNetworks(self, p: Params) -> dict[str, Any]:
        networks = list(self.state.networks.values())
        if (one := p.lookup("id", self.state.networks)) is not None:
            networks = [one]
        if (zone := p.lookup("zoneid", self.state.zones)) is not None:
            networks = [n for n in networks if n.zone is zone]
        if (word := p.get("keyword")) is not None:
            networks = [n for n in networks if word.lower() in n.name.lower()]
        return page(p, "network", [n.view for n in networks])

    def do_listSecurityGroups(self, p: Params) -> dict[str, Any]:
        groups = list(self.state.security_groups.values())
        if (one := p.lookup("id", self.state.security_groups)) is not None:
            groups = [one]
        if (name := p.get("securitygroupname")) is not None:
            groups = [g for g in groups if g.name == name]
        if (word := p.get("keyword")) is not None:
            groups = [g for g in groups if word.lower() in g.name.lower()]
        return page(p, "securitygroup", [g.view for g in groups])

    def do_listSSHKeyPairs(self, p: Params) -> dict[str, Any]:
        pairs = list(self.state.keypairs.values())
        for param in ("name", "fingerprint"):
            if (value := p.get(param)) is not None:
                pairs = [k for k in pairs if getattr(k, param) == value]
        if (word := p.get("keyword")) is not None:
            pairs = [k for k in pairs if word in k.name or word in k.fingerprint]
        return page(p, "sshkeypair", [{"name": k.name, "fingerprint": k.fingerprint}
                                      for k in pairs])

    # libcloud's list_nodes also asks for these; the simulator has no forwarding rules.
    def do_listPortForwardingRules(self, p: Params) -> dict[str, Any]:
        return page(p, "portforwardingrule", [])

    def do_listIpForwardingRules(self, p: Params) -> dict[str, Any]:
        return page(p, "ipforwardingrule", [])

    def do_listVirtualMachines(self, p: Params) -> dict[str, Any]:
        vms = self.state.vms
        ident = p.get("id")
        if ident is not None and ident.strip() in self.state.expunged:
            return page(p, "virtualmachine", [])  # the id is known; the VM is gone
        one = p.lookup("id", vms)
        pool = [one] if one is not None else vms.values()
        zone = p.lookup("zoneid", self.state.zones)
        state = (p.get("state") or "").lower() or None
        name = (p.get("name") or "").lower() or None  # CloudStack matches name with LIKE %…%
        word = (p.get("keyword") or "").lower() or None
        if zone is None and state is None and name is None and word is None:
            return page_of_many(p, "virtualmachine", pool, len(pool), VM.raw)
        chosen = [vm for vm in pool
                  if (zone is None or vm.zone is zone)
                  and (state is None or vm.state.lower() == state)
                  and (name is None or name in vm.name.lower())
                  and (word is None or word in vm.name.lower() or word in vm.displayname.lower())]
        return page_of_many(p, "virtualmachine", chosen, len(chosen), VM.raw)

    def do_listVolumes(self, p: Params) -> dict[str, Any]:
        st = self.state
        ident, vm_id = (p.get("id") or "").strip(), (p.get("virtualmachineid") or "").strip()
        if ident in st.removed or vm_id in st.expunged:
            return page(p, "volume", [])  # known ids of things that are gone
        p.flag("listall", False)
        volumes: Any = st.volumes.values()
        if (vm := p.lookup("virtualmachineid", st.vms)) is not None:
            volumes = st.vm_disks.get(vm.id, [])
        if (one := p.lookup("id", st.volumes)) is not None:
            volumes = [v for v in volumes if v is one] if vm is not None else [one]
        zone = p.lookup("zoneid", st.zones)
        pool = p.lookup("storageid", st.pools)
        offering = p.lookup("diskofferingid", st.disk_offerings)
        kind = (p.get("type") or "").upper() or None
        name, word = p.get("name"), (p.get("keyword") or "").lower() or None
        chosen = [v for v in volumes
                  if (zone is None or v.zone is zone) and (pool is None or v.pool is pool)
                  and (offering is None or v.offering is offering)
                  and (kind is None or v.type == kind) and (name is None or v.name == name)
                  and (word is None or word in v.name.lower())]
        return page_of_many(p, "volume", chosen, len(chosen), Volume.render)

    def do_listSnapshots(self, p: Params) -> dict[str, Any]:
        st = self.state
        if (p.get("id") or "").strip() in st.removed:
            return page(p, "snapshot", [])
        p.flag("listall", False)
        snapshots: Any = st.snapshots.values()
        if (one := p.lookup("id", st.snapshots)) is not None:
            snapshots = [one]
        volume_id = (p.get("volumeid") or "").strip() or None
        if volume_id is not None and volume_id not in st.removed:
            p.lookup("volumeid", st.volumes)  # an unknown id is 431
        zone = p.lookup("zoneid", st.zones)
        name, word = p.get("name"), (p.get("keyword") or "").lower() or None
        kind = (p.get("snapshottype") or "").upper() or None
        return page(p, "snapshot", [
            s.render(self.now) for s in snapshots
            if (volume_id is None or s.volume.id == volume_id)
            and (zone is None or s.volume.zone is zone) and (name is None or s.name == name)
            and (word is None or word in s.name.lower())
            and (kind is None or kind == "MANUAL")])

    def do_queryAsyncJobResult(self, p: Params) -> dict[str, Any]:
        return p.lookup("jobid", self.state.jobs, required=True).render()

    # --- SSH key pairs ---------------------------------------------------------------------

    def do_createSSHKeyPair(self, p: Params) -> dict[str, Any]:
        name = p.require("name")
        if not name.strip():
            raise ApiError(431, "Please specify a valid name for the key pair. The key name "
                                "can't be empty")
        if name in self.state.keypairs:
            raise ApiError(431, f"A key pair with name '{name}' already exists.")
        private, public = self.keypair_material or sim_keys.generate_rsa_keypair()
        pair = KeyPair(name, sim_keys.fingerprint(public), public)
        self.state.keypairs[name] = pair
        return {"keypair": {"name": name, "fingerprint": pair.fingerprint,
                            "privatekey": private}}

    def do_registerSSHKeyPair(self, p: Params) -> dict[str, Any]:
        name, material = p.require("name"), p.require("publickey")
        if name in self.state.keypairs:
            raise ApiError(431, f"A key pair with name '{name}' already exists for this "
                                "account.")
        public = sim_keys.normalise_public_key(material)
        if public is None:
            raise ApiError(431, "Public key is invalid")
        if any(k.publickey == public for k in self.state.keypairs.values()):
            raise ApiError(431, f"A key pair with key '{public}' already exists for this "
                                "account.")
        pair = KeyPair(name, sim_keys.fingerprint(public), public)
        self.state.keypairs[name] = pair
        return {"keypair": {"name": name, "fingerprint": pair.fingerprint}}

    def do_deleteSSHKeyPair(self, p: Params) -> dict[str, Any]:
        name = p.require("name")
        if self.state.keypairs.pop(name, None) is None:
            raise ApiError(431, f"A key pair with name '{name}' does not exist for account "
                                f"{ACCOUNT} in specified domain id")
        return {"success": "true"}  # a string, as CloudStack's SuccessResponse sends it here

    # --- tags ----------------------------------------------------------------------------------

    def do_createTags(self, p: Params) -> dict[str, Any]:
        ids = [i.strip() for i in p.require("resourceids").split(",") if i.strip()]
        kind = p.require("resourcetype")
        entries = p.map_param("tags")
        if not entries:
            p.require("tags")  # CloudStack: missing parameter tags
        tags = []
        for entry in entries:
            key, value = entry.get("key"), entry.get("value")
            if not key:
                raise ApiError(431, "Tag key can't be null or empty")
            if not value:
                raise ApiError(431, f"Value for the key {key} is either null or empty")
            tags.append((key, value))
        tables: dict[str, dict[str, Any]] = {
            "uservm": self.state.vms, "volume": self.state.volumes,
            "snapshot": self.state.snapshots}
        table = tables.get(kind.lower(), {})
        resources = []
        for ident in ids:
            resource = table.get(ident)
            if resource is None:
                raise ApiError(431, f"Unable to find resource by id {ident} and type {kind}")
            resources.append(resource)

        def complete(job: Job) -> dict[str, Any]:
            for resource in resources:
                for key, _ in tags:
                    if key in resource.tags:
                        kind_name = _TAG_TYPES[type(resource).__name__]
                        raise ApiError(530, f"tag {key} already on {kind_name} with id "
                                            f"{resource.id}")
            for resource in resources:
                resource.tags.update(tags)
                if isinstance(resource, VM):
                    resource.touch()  # its rendering is cached
            return {"success": True}

        return {"jobid": self._submit("createTags", None, complete).id}
