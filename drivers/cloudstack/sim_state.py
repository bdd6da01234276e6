"""The CloudStack simulator's state: seeded inventory, VMs, IP pools, storage and the job
engine.

Nothing here knows HTTP; everything runs under the simulator's one lock.

Jobs are lazy: each has a due time, and every request first calls
``advance`` to finish the jobs that are due and apply their effects, so no
background thread is needed. Jobs on one VM run one after another, as
CloudStack's VM work queue runs them.

Storage: each zone has tagged primary pools and one secondary store; every
VM gets a ROOT volume on a pool at deploy (deploy fails with 533 when no pool
has room), which leaves with the VM at expunge. Data volumes are placed on a
pool lazily (``find_pool``/``place``), as CloudStack does.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from typing import Any

from translator_drivers.cloudstack.sim_lb_state import LbState
from translator_drivers.cloudstack.sim_models import (
    DOMAIN,
    DOMAIN_ID,
    GIB,
    GONE,
    OWNER,
    SEED_CREATED,
    VM,
    ApiError,
    DiskOffering,
    ImageStore,
    IpPool,
    Job,
    KeyPair,
    Network,
    Nic,
    Offering,
    SecurityGroup,
    Snapshot,
    StoragePool,
    Template,
    Volume,
    Zone,
    stable_id,
    timestamp,
)


class SimState:
    """The simulated cloud of one account (a root admin) and its job engine."""

    def __init__(self, seed: bool = True) -> None:
        self.zones: dict[str, Zone] = {}
        self.offerings: dict[str, Offering] = {}
        self.templates: dict[str, Template] = {}
        self.networks: dict[str, Network] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.keypairs: dict[str, KeyPair] = {}
        self.vms: dict[str, VM] = {}  # insertion-ordered: the listing order
        self.expunged: set[str] = set()
        self.jobs: dict[str, Job] = {}
        self.disk_offerings: dict[str, DiskOffering] = {}
        self.pools: dict[str, StoragePool] = {}
        self.image_stores: dict[str, ImageStore] = {}
        self.volumes: dict[str, Volume] = {}  # insertion-ordered, ROOT volumes included
        self.snapshots: dict[str, Snapshot] = {}
        #: Ids of deleted volumes and snapshots: still known to CloudStack's id lookup.
        self.removed: set[str] = set()
        #: VM id → its volumes, the ROOT volume first.
        self.vm_disks: dict[str, list[Volume]] = {}
        self._zone_pools: dict[str, list[StoragePool]] = {}
        self.lb = LbState()  # public IPs, load balancer rules and policies (sim_lb_state)
        self.vm_limit = 20000
        self._due: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._macs = itertools.count(1)
        self._names = itertools.count(1)
        self._roots = itertools.count(1)
        if seed:
            self._seed()

    # --- inventory -------------------------------------------------------------------

    def _seed(self) -> None:
        for name, kind, sg in (("zone-basic", "Basic", True),
                               ("zone-advanced", "Advanced", False)):
            zid = stable_id("zone", name)
            self.zones[zid] = Zone(zid, name, kind, {
                "id": zid, "name": name, "networktype": kind, "securitygroupsenabled": sg,
                "allocationstate": "Enabled", "zonetoken": stable_id("zonetoken", name),
                "dhcpprovider": "VirtualRouter"})
        for name, cpu, mem, speed in (("Small Instance", 1, 512, 500),
                                      ("Medium Instance", 1, 1024, 1000),
                                      ("Large Instance", 2, 4096, 2000),
                                      ("XLarge Instance", 4, 8192, 2000),
                                      ("Custom", None, None, None)):
            self.add_offering(name, cpu, mem, speed)
        for name, os_name, size in (("Debian 12", "Debian GNU/Linux 12 (64-bit)", 2147483648),
                                    ("Ubuntu 22.04", "Ubuntu 22.04 LTS", 3221225472),
                                    ("CentOS 7", "CentOS 7", 8589934592)):
            self.add_template(name, os_name, size)
        basic, advanced = list(self.zones.values())
        self.add_network("guestNetworkForBasicZone", basic, "Shared", "10.2.0.0/16",
                         ["SecurityGroup", "UserData", "Dhcp"])
        self.add_network("admin-network", advanced, "Isolated", "10.1.1.0/24",
                         ["UserData", "Dhcp", "Dns", "Gateway", "Firewall", "SourceNat"])
        gid = stable_id("securitygroup", "default")
        self.security_groups[gid] = SecurityGroup(gid, "default", "Default Security Group", {
            "id": gid, "name": "default", "description": "Default Security Group", **OWNER,
            "ingressrule": [], "egressrule": [], "tags": []})
        self._seed_storage(basic, advanced)
        self.lb.seed(list(self.zones.values()), list(self.networks.values()))

    def _seed_storage(self, basic: Zone, advanced: Zone) -> None:
        for name, size, tags, text in (
                ("Small", 5, [], "Small disk, 5 GB"),
                ("Medium", 20, [], "Medium disk, 20 GB"),
                ("Large", 100, [], "Large disk, 100 GB"),
                ("Custom", 0, [], "Custom disk size"),
                ("SSD Small", 20, ["ssd"], "Small disk, 20 GB (SSD)"),
                ("SSD Custom", 0, ["ssd"], "Custom disk size (SSD)"),
                ("HDD Large", 500, ["hdd"], "Large disk, 500 GB (HDD)"),
                # No pool carries "nvme": volumes of this offering can never be placed.
                ("NVMe Small", 10, ["nvme"], "Small disk, 10 GB (NVMe)")):
            self.add_disk_offering(name, size, tags, text)
        for number, zone in ((1, basic), (2, advanced)):
            self.add_pool(f"ps-ssd-{number}", zone, ["ssd"], 2 << 40)
            self.add_pool(f"ps-hdd-{number}", zone, ["hdd"], 50 << 40)
            self.add_image_store(f"sec-nfs-{number}", zone)

    def add_disk_offering(self, name: str, size_gb: int, tags: list[str],
                          displaytext: str) -> DiskOffering:
        oid = stable_id("diskoffering", name)
        view: dict[str, Any] = {"id": oid, "name": name, "displaytext": displaytext,
                                "disksize": size_gb, "created": SEED_CREATED,
                                "iscustomized": size_gb == 0, "storagetype": "shared",
                                "provisioningtype": "thin"}
        if tags:
            view["tags"] = ",".join(tags)
        self.disk_offerings[oid] = DiskOffering(oid, name, size_gb, tags, view)
        return self.disk_offerings[oid]

    def add_pool(self, name: str, zone: Zone, tags: list[str], total: int) -> StoragePool:
        pid = stable_id("storagepool", name)
        view = {"id": pid, "zoneid": zone.id, "zonename": zone.name, "name": name,
                "ipaddress": "10.0.0.10", "path": f"/export/primary/{name}",
                "created": SEED_CREATED, "type": "NetworkFilesystem", "tags": ",".join(tags),
                "scope": "ZONE", "hypervisor": "XenServer", "overprovisionfactor": "1.0",
                "provider": "DefaultPrimary"}
        pool = StoragePool(pid, name, zone, tags, total, view)
        self.pools[pid] = pool
        self._zone_pools.setdefault(zone.id, []).append(pool)
        return pool

    def add_image_store(self, name: str, zone: Zone) -> ImageStore:
        sid = stable_id("imagestore", name)
        self.image_stores[sid] = ImageStore(sid, name, zone, {
            "id": sid, "name": name, "zoneid": zone.id, "zonename": zone.name,
            "url": f"nfs://10.0.0.20/export/secondary/{name}", "protocol": "nfs",
            "providername": "NFS", "scope": "ZONE", "readonly": False})
        return self.image_stores[sid]

    def add_offering(self, name: str, cpu: int | None, memory: int | None,
                     speed: int | None) -> Offering:
        oid = stable_id("serviceoffering", name)
        view: dict[str, Any] = {"id": oid, "name": name}
        if cpu is None:
            view["displaytext"] = "Custom: choose vCPUs, CPU speed and memory at deploy time"
        else:
            view.update(displaytext=f"{name}, {cpu} vCPU, {memory} MB RAM",
                        cpunumber=cpu, cpuspeed=speed, memory=memory)
        view.update(created=SEED_CREATED, storagetype="shared", offerha=False,
                    limitcpuuse=False, issystem=False, defaultuse=False,
                    iscustomized=cpu is None, domainid=DOMAIN_ID, domain=DOMAIN)
        self.offerings[oid] = Offering(oid, name, cpu, speed, memory, view)
        return self.offerings[oid]

    def add_template(self, name: str, os_name: str, size: int) -> Template:
        tid = stable_id("template", name)
        ostypeid = stable_id("ostype", os_name)
        views = [{"id": tid, "name": name, "displaytext": name, "ispublic": True,
                  "created": SEED_CREATED, "isready": True, "passwordenabled": False,
                  "format": "VHD", "isfeatured": True, "crossZones": False,
                  "ostypeid": ostypeid, "ostypename": os_name, "account": "system",
                  "zoneid": zone.id, "zonename": zone.name, "status": "Download Complete",
                  "size": size, "templatetype": "USER", "hypervisor": "XenServer",
                  "domain": DOMAIN, "domainid": DOMAIN_ID, "isextractable": False}
                 for zone in self.zones.values()]
        self.templates[tid] = Template(tid, name, ostypeid, views)
        return self.templates[tid]

    def add_network(self, name: str, zone: Zone, kind: str, cidr: str,
                    services: list[str]) -> Network:
        nid = stable_id("network", name)
        pool = IpPool(cidr)
        vlan = "vlan://untagged" if kind == "Shared" else "vlan://1459"
        isolation = "ec2://untagged" if kind == "Shared" else vlan
        view = {"id": nid, "name": name, "displaytext": name, "broadcastdomaintype": "Vlan",
                "traffictype": "Guest", "gateway": pool.gateway, "netmask": pool.netmask,
                "zoneid": zone.id, "zonename": zone.name,
                "networkofferingid": stable_id("networkoffering", kind),
                "networkofferingname": f"Default{kind}NetworkOffering",
                "networkofferingdisplaytext": f"Default {kind} network offering",
                "networkofferingavailability": "Optional" if kind == "Shared" else "Required",
                "issystem": False, "state": "Setup" if kind == "Shared" else "Implemented",
                "related": nid, "broadcasturi": vlan, "dns1": "10.0.0.53", "dns2": "10.0.0.54",
                "type": kind, "acltype": "Domain" if kind == "Shared" else "Account",
                **OWNER, "isdefault": True, "service": [{"name": s} for s in services],
                "networkdomain": "cs.internal", "physicalnetworkid": stable_id("phys", zone.name),
                "restartrequired": False, "specifyipranges": kind == "Shared",
                "canusefordeploy": True, "subdomainaccess": kind == "Shared", "tags": []}
        self.networks[nid] = Network(nid, name, zone, kind, vlan, isolation, pool, view)
        return self.networks[nid]

    def zone_networks(self, zone: Zone) -> list[Network]:
        return [n for n in self.networks.values() if n.zone is zone]

    def default_group(self) -> SecurityGroup:
        return next(g for g in self.security_groups.values() if g.name == "default")

    # --- storage ------------------------------------------------------------------------

    def zone_store(self, zone: Zone) -> ImageStore | None:
        """The secondary storage a zone's snapshots go to."""
        return next((s for s in self.image_stores.values() if s.zone is zone), None)

    def find_pool(self, zone: Zone, tags: list[str], size: int,
                  prefer: StoragePool | None = None) -> StoragePool | None:
        """A pool of ``zone`` that fits; ``prefer`` when it does, else the emptiest."""
        if prefer is not None and prefer.zone is zone and prefer.fits(tags, size):
            return prefer
        fitting = [p for p in self._zone_pools.get(zone.id, ()) if p.fits(tags, size)]
        return max(fitting, key=lambda p: p.total - p.allocated, default=None)

    @staticmethod
    def place(volume: Volume, pool: StoragePool) -> None:
        volume.pool = pool
        pool.allocated += volume.size

    @staticmethod
    def release(volume: Volume) -> None:
        if volume.pool is not None:
            volume.pool.allocated -= volume.size
            volume.pool = None

    def remove_volume(self, volume: Volume) -> None:
        """Delete a volume for good: it frees its pool space and leaves the listings."""
        self.release(volume)
        volume.removed = True
        self.volumes.pop(volume.id, None)
        self.removed.add(volume.id)

    def attach(self, volume: Volume, vm: VM, deviceid: int) -> None:
        volume.vm, volume.deviceid, volume.attached = vm, deviceid, timestamp()
        self.vm_disks.setdefault(vm.id, []).append(volume)

    def detach(self, volume: Volume) -> None:
        if volume.vm is not None:
            disks = self.vm_disks.get(volume.vm.id, [])
            if volume in disks:
                disks.remove(volume)
        volume.vm = volume.deviceid = volume.attached = None

    # --- virtual machines --------------------------------------------------------------

    def active_vm_count(self) -> int:
        return sum(1 for vm in self.vms.values() if vm.state not in GONE)

    def new_vm(self, *, zone: Zone, template: Template, offering: Offering, state: str,
               networks: list[Network], groups: list[SecurityGroup], name: str | None = None,
               displayname: str | None = None, keypair: str | None = None,
               sizing: tuple[int, int, int] | None = None) -> VM:
        """Allocate a VM with one NIC per network and its ROOT volume; ApiError 533 when an
        address pool is empty or no primary pool has room for the ROOT volume."""
        vm_id = str(uuid.uuid4())
        root_size = template.views[0]["size"]
        pool = self.find_pool(zone, [], root_size)
        if pool is None:
            raise ApiError(533, "Unable to create a deployment for VM: insufficient storage "
                                f"capacity, no primary storage pool in zone {zone.name} has "
                                f"room for a {root_size // GIB} GB ROOT volume")
        nics: list[Nic] = []
        for index, net in enumerate(networks):
            address = net.pool.allocate()
            if address is None:
                for nic in nics:
                    nic.network.pool.release(nic.ipaddress)
                raise ApiError(533, "Unable to create a deployment for VM: insufficient "
                                    f"address capacity, no free guest IP in network {net.name}",
                               4320)
            mac = next(self._macs)
            nics.append(Nic(str(uuid.uuid4()), net, address,
                            f"02:00:{(mac >> 24) & 255:02x}:{(mac >> 16) & 255:02x}:"
                            f"{(mac >> 8) & 255:02x}:{mac & 255:02x}", index == 0))
        cpu, speed, memory = sizing or (offering.cpunumber, offering.cpuspeed, offering.memory)
        name = name or f"VM-{vm_id}"
        vm = VM(vm_id, name, displayname or name, timestamp(), state, zone, template, offering,
                cpu, speed, memory, nics, groups, keypair)
        self.vms[vm_id] = vm
        root = Volume(str(uuid.uuid4()), f"ROOT-{next(self._roots)}", zone, "ROOT", root_size,
                      vm.created, "Ready", offering, vm, 0)
        self.place(root, pool)
        self.volumes[root.id] = root
        self.vm_disks[vm_id] = [root]
        return vm

    def expunge(self, vm: VM) -> None:
        """Remove a VM for good: it leaves every listing and frees its addresses."""
        vm.removed = True
        self.vms.pop(vm.id, None)
        self.expunged.add(vm.id)
        for nic in vm.nics:
            nic.network.pool.release(nic.ipaddress)
        self.lb.forget_vm(vm.id)
        # The ROOT volume goes with the VM; data volumes are detached and stay.
        for disk in self.vm_disks.pop(vm.id, []):
            if disk.type == "ROOT":
                self.remove_volume(disk)
            else:
                disk.vm = disk.deviceid = disk.attached = None

    def seed_vms(self, count: int, zone: Zone, state: str) -> list[str]:
        """Add ``count`` VMs directly, without jobs (bulk seeding for tests and benchmarks)."""
        networks = self.zone_networks(zone)[:1]
        if sum(n.pool.available for n in networks) < count:
            raise ValueError(f"zone {zone.name} has room for only "
                             f"{sum(n.pool.available for n in networks)} more VMs")
        offering = next(o for o in self.offerings.values() if not o.customized)
        template = next(iter(self.templates.values()))
        room = sum(p.total - p.allocated for p in self._zone_pools.get(zone.id, ())
                   if p.state == "Up")
        if room < count * template.views[0]["size"]:
            raise ValueError(f"zone {zone.name} has primary storage for only "
                             f"{room // template.views[0]['size']} more ROOT volumes")
        groups = [self.default_group()] if zone.basic else []
        ids = []
        for _ in range(count):
            vm = self.new_vm(zone=zone, template=template, offering=offering, state=state,
                             networks=networks, groups=groups,
                             name=f"seed-vm-{next(self._names):05d}")
            ids.append(vm.id)
        return ids

    # --- jobs --------------------------------------------------------------------------

    def submit(self, job: Job, now: float) -> Job:
        """Register a job; it begins now unless its VM is busy with earlier jobs."""
        self.jobs[job.id] = job
        if job.vm is None:
            self._begin(job, now)
        else:
            job.vm.jobs.append(job)
            job.vm.touch()
            if len(job.vm.jobs) == 1:
                self._begin(job, now)
        return job

    def _begin(self, job: Job, start: float) -> None:
        job.due = start + job.duration
        if job.begin is not None and job.injected is None:
            job.begin(job)
        if job.vm is not None:
            job.vm.touch()
        heapq.heappush(self._due, (job.due, next(self._seq), job))

    def advance(self, now: float) -> None:
        """Finish every job due by ``now`` (and begin the jobs queued behind them)."""
        while self._due and self._due[0][0] <= now:
            _, _, job = heapq.heappop(self._due)
            self._finish(job)

    def _finish(self, job: Job) -> None:
        vm = job.vm
        if vm is not None and vm.jobs and vm.jobs[0] is job:
            vm.jobs.popleft()
            vm.touch()
        error = job.injected or job.problem
        if error is None:
            try:
                job.result = job.complete(job)
                job.status = 1
            except ApiError as exc:
                error = exc
        if error is not None:
            if job.revert is not None:
                job.revert(job)
            # As ApiAsyncJobDispatcher: jobresultcode is the error's code.
            job.status, job.resultcode = 2, error.errorcode
            job.result = {"errorcode": error.errorcode, "errortext": error.errortext}
        if vm is not None:
            vm.touch()
            if vm.jobs:
                self._begin(vm.jobs[0], job.due or 0.0)
