"""The CloudStack simulator's resources and how each renders as CloudStack JSON.

The shapes are those of real CloudStack responses, checked key by key and
type by type against libcloud's recorded fixtures by the unit tests. Seeded
resources get uuid5 ids of a fixed namespace, the same in every run.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

_NAMESPACE = uuid.UUID("5b0b6f1e-8a43-5d2c-9c1e-c0ffee5ca1ab")

#: ApiErrorCode → CSExceptionErrorCode of the exception CloudStack raises for it
#: (com.cloud.utils.exception.CSExceptionErrorCode).
CS_ERROR_CODES = {431: 4350, 432: 4555, 530: 4250, 532: 4370, 533: 4325, 534: 4380,
                  536: 4375, 537: 4360}
#: cserrorcode of a bare ServerApiException (parameter processing, unknown command).
SERVER_API_EXCEPTION = 9999

#: States in which a VM no longer counts against the account's limit.
GONE = frozenset({"Destroyed", "Expunging"})


def stable_id(kind: str, name: str) -> str:
    """A deterministic UUID for a seeded resource."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{name}"))


def timestamp(epoch: float | None = None) -> str:
    """CloudStack's date format, e.g. ``2024-05-01T12:00:00+0000``."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(epoch))


class ApiError(Exception):
    """A CloudStack error answer: ``errorcode`` (= HTTP status), ``cserrorcode``, text."""

    def __init__(self, errorcode: int, errortext: str, cserrorcode: int | None = None) -> None:
        super().__init__(errortext)
        self.errorcode = errorcode
        self.errortext = errortext
        self.cserrorcode = (cserrorcode if cserrorcode is not None
                            else CS_ERROR_CODES.get(errorcode, SERVER_API_EXCEPTION))


class Raw:
    """Already encoded JSON (a VM's cached rendering), spliced into an answer verbatim:
    re-encoding 500 unchanged VMs per page would dominate a listing's cost."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def encode(value: Any, depth: int = 0) -> str:
    """Compact JSON text of an answer. Raw items may sit in the lists of a list response
    (envelope → body → list → item), so only those three levels are walked here."""
    if isinstance(value, Raw):
        return value.text
    if depth < 3 and isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v, depth + 1)}"
                              for k, v in value.items()) + "}"
    if depth < 3 and isinstance(value, list):
        return "[" + ",".join(encode(v, depth + 1) for v in value) + "]"
    return json.dumps(value, separators=(",", ":"))


ACCOUNT = "admin"
DOMAIN = "ROOT"
DOMAIN_ID = stable_id("domain", DOMAIN)
ACCOUNT_ID = stable_id("account", ACCOUNT)
USER_ID = stable_id("user", ACCOUNT)
SEED_CREATED = "2024-01-15T09:30:00+0000"
OWNER = {"account": ACCOUNT, "domainid": DOMAIN_ID, "domain": DOMAIN}


@dataclasses.dataclass(eq=False)
class Zone:
    id: str
    name: str
    networktype: str
    view: dict[str, Any]

    @property
    def basic(self) -> bool:
        return self.networktype == "Basic"


@dataclasses.dataclass(eq=False)
class Offering:
    id: str
    name: str
    cpunumber: int | None
    cpuspeed: int | None
    memory: int | None
    view: dict[str, Any]

    @property
    def customized(self) -> bool:
        return self.cpunumber is None


@dataclasses.dataclass(eq=False)
class Template:
    id: str
    name: str
    ostypeid: str
    views: list[dict[str, Any]]  # one per zone, as CloudStack lists them


class IpPool:
    """Guest addresses of one network: .1 is the gateway, the rest are handed out."""

    def __init__(self, cidr: str) -> None:
        net = ipaddress.ip_network(cidr)
        self.gateway = str(net.network_address + 1)
        self.netmask = str(net.netmask)
        self._next = int(net.network_address) + 2
        self._last = int(net.broadcast_address) - 1
        self._free: list[int] = []

    def allocate(self) -> str | None:
        if self._free:
            return str(ipaddress.IPv4Address(self._free.pop()))
        if self._next > self._last:
            return None
        self._next += 1
        return str(ipaddress.IPv4Address(self._next - 1))

    def release(self, address: str) -> None:
        self._free.append(int(ipaddress.IPv4Address(address)))

    @property
    def available(self) -> int:
        return len(self._free) + max(0, self._last - self._next + 1)


@dataclasses.dataclass(eq=False)
class Network:
    id: str
    name: str
    zone: Zone
    type: str
    broadcasturi: str
    isolationuri: str
    pool: IpPool
    view: dict[str, Any]


@dataclasses.dataclass(eq=False)
class SecurityGroup:
    id: str
    name: str
    description: str
    view: dict[str, Any]


@dataclasses.dataclass(eq=False)
class KeyPair:
    name: str
    fingerprint: str
    publickey: str


@dataclasses.dataclass(eq=False, slots=True)
class Nic:
    id: str
    network: Network
    ipaddress: str
    macaddress: str
    isdefault: bool


@dataclasses.dataclass(eq=False, slots=True)
class VM:
    id: str
    name: str
    displayname: str
    created: str
    state: str
    zone: Zone
    template: Template
    offering: Offering
    cpunumber: int
    cpuspeed: int
    memory: int
    nics: list[Nic]
    securitygroups: list[SecurityGroup]
    keypair: str | None = None
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    jobs: deque = dataclasses.field(default_factory=deque)
    removed: bool = False
    cached: dict[str, Any] | None = None
    cached_json: Raw | None = None

    def touch(self) -> None:
        """Forget the rendered view after a change."""
        self.cached = None
        self.cached_json = None

    def raw(self) -> Raw:
        """The rendered view as encoded JSON (cached until the VM changes)."""
        if self.cached_json is None:
            self.cached_json = Raw(json.dumps(self.render(), separators=(",", ":")))
        return self.cached_json

    def render(self) -> dict[str, Any]:
        """The listVirtualMachines / job-result shape (cached until the VM changes)."""
        if self.cached is not None:
            return self.cached
        tpl = self.template.views[0]
        view: dict[str, Any] = {
            "id": self.id, "name": self.name, "displayname": self.displayname, **OWNER,
            "created": self.created, "state": self.state, "haenable": False,
            "zoneid": self.zone.id, "zonename": self.zone.name,
            "templateid": self.template.id, "templatename": self.template.name,
            "templatedisplaytext": tpl["displaytext"], "passwordenabled": False,
            "serviceofferingid": self.offering.id, "serviceofferingname": self.offering.name,
            "cpunumber": self.cpunumber, "cpuspeed": self.cpuspeed, "memory": self.memory,
            "guestosid": self.template.ostypeid, "rootdeviceid": 0, "rootdevicetype": "ROOT",
            "securitygroup": [{"id": g.id, "name": g.name, "description": g.description}
                              for g in self.securitygroups],
            "nic": [_render_nic(n) for n in self.nics],
            "hypervisor": tpl["hypervisor"],
            "tags": [{"key": k, "value": v} for k, v in self.tags.items()],
            "affinitygroup": [], "displayvm": True, "isdynamicallyscalable": True,
        }
        if self.keypair:
            view["keypair"] = self.keypair
        if self.jobs:  # CloudStack joins the VM's pending job into the listing
            view["jobid"] = self.jobs[0].id
            view["jobstatus"] = 0
        self.cached = view
        return view


# --- block storage ----------------------------------------------------------------------------

GIB = 1 << 30
#: Volume states that hold no data any more (listed with ``destroyed`` true).
DESTROYED = frozenset({"Destroy", "Expunging"})


@dataclasses.dataclass(eq=False)
class DiskOffering:
    """A disk offering; ``disksize`` in GB, 0 for a customizable one."""

    id: str
    name: str
    disksize: int
    tags: list[str]
    view: dict[str, Any]

    @property
    def customized(self) -> bool:
        return self.disksize == 0


@dataclasses.dataclass(eq=False)
class StoragePool:
    """A zone-wide primary storage pool. A volume fits when the pool is Up, carries every
    storage tag of the volume's offering and ``allocated + size <= total`` (overprovision
    factor 1, no disable threshold)."""

    id: str
    name: str
    zone: Zone
    tags: list[str]
    total: int
    view: dict[str, Any]
    allocated: int = 0
    state: str = "Up"

    def fits(self, tags: list[str], size: int) -> bool:
        return (self.state == "Up" and set(tags) <= set(self.tags)
                and self.allocated + size <= self.total)

    def render(self) -> dict[str, Any]:
        # The simulator writes no data: "used" is what is allocated.
        return dict(self.view, disksizetotal=self.total, disksizeallocated=self.allocated,
                    disksizeused=self.allocated, state=self.state)


@dataclasses.dataclass(eq=False)
class ImageStore:
    """Secondary storage of a zone: where snapshots are backed up."""

    id: str
    name: str
    zone: Zone
    view: dict[str, Any]


def _offering_fields(prefix: str, offering: Any) -> dict[str, Any]:
    return {f"{prefix}id": offering.id, f"{prefix}name": offering.name,
            f"{prefix}displaytext": offering.view["displaytext"]}


@dataclasses.dataclass(eq=False, slots=True)
class Volume:
    """A ROOT or DATADISK volume. ``offering`` is a DiskOffering, or for a ROOT volume (and
    a volume made from a ROOT snapshot) the VM's service Offering. ``pool`` is None until
    CloudStack places the volume (first attach, or creation from a snapshot)."""

    id: str
    name: str
    zone: Zone
    type: str
    size: int
    created: str
    state: str
    offering: Any
    vm: VM | None = None
    deviceid: int | None = None
    attached: str | None = None
    pool: StoragePool | None = None
    snapshotid: str | None = None
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    removed: bool = False

    @property
    def current_state(self) -> str:
        """A destroyed (not yet expunged) VM's ROOT volume is in Destroy."""
        if self.type == "ROOT" and self.vm is not None and self.vm.state == "Destroyed":
            return "Destroy"
        return self.state

    def render(self) -> dict[str, Any]:
        """The listVolumes / job-result shape."""
        vm, pool, state = self.vm, self.pool, self.current_state
        view: dict[str, Any] = {"id": self.id, "name": self.name, "zoneid": self.zone.id,
                                "zonename": self.zone.name, "type": self.type}
        if vm is not None:
            view.update(deviceid=self.deviceid, virtualmachineid=vm.id, vmname=vm.name,
                        vmdisplayname=vm.displayname, vmstate=vm.state)
        view.update(provisioningtype="thin", size=self.size, created=self.created,
                    state=state, **OWNER, storagetype="shared",
                    hypervisor=vm.template.views[0]["hypervisor"] if vm is not None
                    else "XenServer" if pool is not None else "None")
        if self.type == "ROOT":
            view.update(_offering_fields("serviceoffering", self.offering))
        else:
            view.update(_offering_fields("diskoffering", self.offering))
        # A volume not yet on primary storage shows storage "none", as recorded.
        view["storage"] = pool.name if pool is not None else "none"
        if pool is not None:
            view["storageid"] = pool.id
        if self.attached is not None:
            view["attached"] = self.attached
        view.update(destroyed=state in DESTROYED, isextractable=False,
                    tags=[{"key": k, "value": v} for k, v in self.tags.items()])
        if self.snapshotid is not None:
            view["snapshotid"] = self.snapshotid
        return view


@dataclasses.dataclass(eq=False, slots=True)
class Snapshot:
    """A manual volume snapshot, backed up to the zone's secondary storage (``store``).
    While its job runs it is Creating on primary storage, then BackingUp from
    ``backup_at`` on. It keeps what a volume made from it needs (zone, size, offering),
    so it outlives its volume."""

    id: str
    name: str
    volume: Volume
    store: ImageStore | None
    size: int
    offering: Any
    created: str
    state: str
    backup_at: float | None = None
    tags: dict[str, str] = dataclasses.field(default_factory=dict)

    def current_state(self, now: float) -> str:
        if self.state == "Creating" and self.backup_at is not None and now >= self.backup_at:
            return "BackingUp"
        return self.state

    @property
    def in_progress(self) -> bool:
        return self.state in ("Allocated", "Creating", "BackingUp")

    def render(self, now: float) -> dict[str, Any]:
        """The listSnapshots / job-result shape (no storage field: real ones have none)."""
        volume = self.volume
        return {"id": self.id, **OWNER, "snapshottype": "MANUAL", "volumeid": volume.id,
                "volumename": volume.name, "volumetype": volume.type,
                "created": self.created, "name": self.name, "intervaltype": "MANUAL",
                "state": self.current_state(now), "physicalsize": self.size,
                "virtualsize": self.size, "zoneid": volume.zone.id,
                "tags": [{"key": k, "value": v} for k, v in self.tags.items()]}


def _render_nic(nic: Nic) -> dict[str, Any]:
    net = nic.network
    return {"id": nic.id, "networkid": net.id, "networkname": net.name,
            "netmask": net.pool.netmask, "gateway": net.pool.gateway,
            "ipaddress": nic.ipaddress, "isolationuri": net.isolationuri,
            "broadcasturi": net.broadcasturi, "traffictype": "Guest", "type": net.type,
            "isdefault": nic.isdefault, "macaddress": nic.macaddress}


@dataclasses.dataclass(eq=False)
class Job:
    """One async job. ``begin`` runs when the job reaches the head of its VM's queue,
    ``complete`` when it is due (returns the jobresult or raises ApiError), ``revert``
    undoes ``begin`` when the job fails."""

    id: str
    command: str
    cmd: str
    created: str
    vm: VM | None
    duration: float
    complete: Callable[[Job], dict[str, Any]]
    begin: Callable[[Job], None] | None = None
    revert: Callable[[Job], None] | None = None
    injected: ApiError | None = None
    problem: ApiError | None = None
    prev_state: str | None = None
    due: float | None = None
    status: int = 0
    resultcode: int = 0
    result: dict[str, Any] | None = None

    def render(self) -> dict[str, Any]:
        """The queryAsyncJobResult shape."""
        view: dict[str, Any] = {"accountid": ACCOUNT_ID, "userid": USER_ID, "cmd": self.cmd,
                                "jobstatus": self.status, "jobprocstatus": 0,
                                "jobresultcode": self.resultcode}
        if self.result is not None:
            view["jobresulttype"] = "object"
            view["jobresult"] = self.result
        view["created"] = self.created
        view["jobid"] = self.id
        return view
