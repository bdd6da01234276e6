"""The CloudStack simulator's state: seeded inventory, VMs, IP pools and the job engine.

Nothing here knows HTTP; everything runs under the simulator's one lock.

Jobs are lazy: each has a due time, and every request first calls
``advance`` to finish the jobs that are due and apply their effects, so no
background thread is needed. Jobs on one VM run one after another, as
CloudStack's VM work queue runs them.
"""

from __future__ import annotations

import heapq
import itertools
import uuid
from typing import Any

from translator_drivers.cloudstack.sim_models import (
    DOMAIN,
    DOMAIN_ID,
    GONE,
    OWNER,
    SEED_CREATED,
    VM,
    ApiError,
    IpPool,
    Job,
    KeyPair,
    Network,
    Nic,
    Offering,
    SecurityGroup,
    Template,
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
        self.vm_limit = 20000
        self._due: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._macs = itertools.count(1)
        self._names = itertools.count(1)
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

    # --- virtual machines --------------------------------------------------------------

    def active_vm_count(self) -> int:
        return sum(1 for vm in self.vms.values() if vm.state not in GONE)

    def new_vm(self, *, zone: Zone, template: Template, offering: Offering, state: str,
               networks: list[Network], groups: list[SecurityGroup], name: str | None = None,
               displayname: str | None = None, keypair: str | None = None,
               sizing: tuple[int, int, int] | None = None) -> VM:
        """Allocate a VM with one NIC per network; ApiError 533 when a pool is empty."""
        vm_id = str(uuid.uuid4())
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
        return vm

    def expunge(self, vm: VM) -> None:
        """Remove a VM for good: it leaves every listing and frees its addresses."""
        vm.removed = True
        self.vms.pop(vm.id, None)
        self.expunged.add(vm.id)
        for nic in vm.nics:
            nic.network.pool.release(nic.ipaddress)

    def seed_vms(self, count: int, zone: Zone, state: str) -> list[str]:
        """Add ``count`` VMs directly, without jobs (bulk seeding for tests and benchmarks)."""
        networks = self.zone_networks(zone)[:1]
        if sum(n.pool.available for n in networks) < count:
            raise ValueError(f"zone {zone.name} has room for only "
                             f"{sum(n.pool.available for n in networks)} more VMs")
        offering = next(o for o in self.offerings.values() if not o.customized)
        template = next(iter(self.templates.values()))
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
            job.status, job.resultcode = 2, 530
            job.result = {"errorcode": error.errorcode, "errortext": error.errortext}
        if vm is not None:
            vm.touch()
            if vm.jobs:
                self._begin(vm.jobs[0], job.due or 0.0)
