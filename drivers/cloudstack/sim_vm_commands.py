"""The CloudStack simulator's virtual machine commands: deploy, start, stop, reboot,
destroy, scale.

Checks CloudStack makes before it accepts a command fail the request (unknown
ids, bad names or user data, limits, address capacity); what CloudStack finds
while running the job (a VM in the wrong state for the operation, shrinking a
running VM) fails the job. What CloudStack treats as already done succeeds:
starting a running VM, stopping a stopped one, destroying a destroyed one.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from translator_drivers.cloudstack.sim_models import (
    ACCOUNT,
    DOMAIN_ID,
    GONE,
    VM,
    ApiError,
    Job,
    Offering,
)
from translator_drivers.cloudstack.sim_params import Params
from translator_drivers.cloudstack.sim_state import SimState

#: vm.userdata.max.length: the longest base64 user data CloudStack accepts.
USERDATA_MAX = 32768
_BASE64 = re.compile(r"[A-Za-z0-9+/=_\-\s]*")
_HOSTNAME = re.compile(r"[A-Za-z]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_BAD_NAME = ("Invalid name. Vm name can contain ASCII letters 'a' through 'z', the digits '0' "
             "through '9', and the hyphen ('-'), must be between 1 and 63 characters long, "
             "and can't start or end with \"-\" and can't start with digit")


def _wrong_state(vm: VM) -> ApiError:
    return ApiError(431, f"VM is not in the correct state: VM {vm.name} is {vm.state}")


class VmCommands:
    """The VM commands, mixed into Commands (which provides ``state`` and ``_submit``)."""

    state: SimState

    def _submit(self, command: str, vm: VM | None, complete: Callable[[Job], dict],
                begin: Callable[[Job], None] | None = None,
                revert: Callable[[Job], None] | None = None) -> Job:
        raise NotImplementedError

    def _sizing(self, p: Params, offering: Offering) -> tuple[int, int, int] | None:
        """vCPUs, MHz and MB from ``details[0].*`` for a customized offering, else None."""
        if not offering.customized:
            return None
        details: dict[str, str] = {}
        for entry in p.map_param("details"):
            details.update(entry)
        values = []
        for key, low, high, what in (("cpunumber", 1, 64, "cpu cores"),
                                     ("cpuspeed", 1, 2147483647, "cpu speed"),
                                     ("memory", 32, 1048576, "memory")):
            text = details.get(key, "")
            value = int(text) if text.strip().isdigit() else 0
            if not low <= value <= high:
                unit = " MB" if key == "memory" else ""
                raise ApiError(431, f"Invalid {what} value, specify a value between {low} and "
                                    f"{high}{unit}")
            values.append(value)
        return values[0], values[1], values[2]

    def _check_userdata(self, p: Params) -> None:
        data = p.get("userdata")
        if data is None:
            return
        if not _BASE64.fullmatch(data):
            raise ApiError(431, "User data is not base64 encoded")
        if len(data) > USERDATA_MAX:
            raise ApiError(431, f"User data is too long for an http {p.method} request")
        compact = re.sub(r"\s", "", data).replace("-", "+").replace("_", "/").rstrip("=")
        try:
            decoded = base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(431, "User data is not base64 encoded") from None
        if not decoded:
            raise ApiError(431, "User data is too short")

    def do_deployVirtualMachine(self, p: Params) -> dict[str, Any]:
        st = self.state
        zone = p.lookup("zoneid", st.zones, required=True)
        offering = p.lookup("serviceofferingid", st.offerings, required=True)
        template = p.lookup("templateid", st.templates, required=True)
        name = p.get("name")
        if name is not None and not _HOSTNAME.fullmatch(name):
            raise ApiError(431, _BAD_NAME)
        self._check_userdata(p)
        keypair = p.get("keypair")
        if keypair is not None and keypair not in st.keypairs:
            raise ApiError(431, f"A key pair with name '{keypair}' was not found.")
        networks = p.lookup_list("networkids", st.networks)
        if networks and zone.basic:
            raise ApiError(431, "Can't specify network Ids in Basic zone")
        for net in networks:
            if net.zone is not zone:
                raise ApiError(431, f"Network {net.name} doesn't belong to zone {zone.name}")
        networks = networks or st.zone_networks(zone)[:1]
        groups = self._groups(p, zone)
        sizing = self._sizing(p, offering)
        if st.active_vm_count() >= st.vm_limit:
            raise ApiError(532, "Maximum number of resources of type 'user_vm' for account "
                                f"name={ACCOUNT} in domain id={DOMAIN_ID} has been exceeded.")
        start = p.flag("startvm", True)
        vm = st.new_vm(zone=zone, template=template, offering=offering,
                       state="Starting" if start else "Stopped", networks=networks,
                       groups=groups, name=name, displayname=p.get("displayname"),
                       keypair=keypair, sizing=sizing)

        def complete(job: Job) -> dict[str, Any]:
            if start:
                vm.state = "Running"
            vm.touch()
            return {"virtualmachine": vm.render()}

        def revert(job: Job) -> None:
            vm.state = "Error"  # a VM whose deployment failed stays behind in Error
            vm.touch()

        job = self._submit("deployVirtualMachine", vm, complete, revert=revert)
        return {"id": vm.id, "jobid": job.id}

    def _groups(self, p: Params, zone: Any) -> list:
        ids, names = p.get("securitygroupids"), p.names("securitygroupnames")
        if ids and names:
            raise ApiError(431, "securitygroupids parameter is mutually exclusive with "
                                "securitygroupnames parameter")
        groups = p.lookup_list("securitygroupids", self.state.security_groups)
        by_name = {g.name: g for g in self.state.security_groups.values()}
        for name in names:
            if name not in by_name:
                raise ApiError(431, f"Unable to find group by name {name}")
            groups.append(by_name[name])
        if groups and not zone.basic:
            raise ApiError(431, "Can't create vm with security groups; security group feature "
                                "is not enabled per zone")
        return groups or ([self.state.default_group()] if zone.basic else [])

    def _vm(self, p: Params, destroy_ok: bool = False) -> VM:
        ident = p.require("id").strip()
        if ident in self.state.expunged:
            raise ApiError(431, f"Unable to find a virtual machine with id {ident}")
        vm = p.lookup("id", self.state.vms, required=True)
        if vm.state in GONE and not destroy_ok:
            raise _wrong_state(vm)
        return vm

    def _transition(self, command: str, vm: VM, moves: dict[str, str | None],
                    final: dict[str, str], problem: Callable[[VM], ApiError] = _wrong_state,
                    check: Callable[[VM], ApiError | None] | None = None,
                    on_complete: Callable[[], None] | None = None) -> dict[str, Any]:
        """Submit a VM job: at its start the VM moves per ``moves`` (None: stays, already
        done) and any other state, or a ``check`` error, fails the job; when done, the
        VM moves per ``final``."""

        def begin(job: Job) -> None:
            if vm.removed or vm.state not in moves:
                job.problem = problem(vm)
                return
            if check is not None and (error := check(vm)) is not None:
                job.problem = error
                return
            target = moves[vm.state]
            if target is not None:
                job.prev_state, vm.state = vm.state, target

        def complete(job: Job) -> dict[str, Any]:
            vm.state = final.get(vm.state, vm.state)
            if on_complete is not None:
                on_complete()
            vm.touch()
            return {"virtualmachine": vm.render()}

        def revert(job: Job) -> None:
            if job.prev_state is not None:
                vm.state = job.prev_state

        return {"jobid": self._submit(command, vm, complete, begin, revert).id}

    def do_startVirtualMachine(self, p: Params) -> dict[str, Any]:
        return self._transition("startVirtualMachine", self._vm(p),
                                {"Stopped": "Starting", "Running": None},
                                {"Starting": "Running"})

    def do_stopVirtualMachine(self, p: Params) -> dict[str, Any]:
        p.flag("forced", False)
        return self._transition("stopVirtualMachine", self._vm(p),
                                {"Running": "Stopping", "Stopped": None},
                                {"Stopping": "Stopped"})

    def do_rebootVirtualMachine(self, p: Params) -> dict[str, Any]:
        return self._transition("rebootVirtualMachine", self._vm(p), {"Running": None}, {},
                                problem=lambda vm: ApiError(530, "Failed to reboot vm instance"))

    def do_destroyVirtualMachine(self, p: Params) -> dict[str, Any]:
        vm = self._vm(p, destroy_ok=True)
        if p.flag("expunge", False):
            return self._transition(
                "destroyVirtualMachine", vm,
                dict.fromkeys(("Running", "Stopped", "Error", "Destroyed"), "Expunging"), {},
                on_complete=lambda: self.state.expunge(vm))
        return self._transition("destroyVirtualMachine", vm,
                                {"Running": "Stopping", "Stopped": "Destroyed",
                                 "Error": "Destroyed", "Destroyed": None},
                                {"Stopping": "Destroyed"})

    def do_scaleVirtualMachine(self, p: Params) -> dict[str, Any]:
        vm = self._vm(p)
        offering = p.lookup("serviceofferingid", self.state.offerings, required=True)
        cpu, speed, memory = (self._sizing(p, offering)
                              or (offering.cpunumber, offering.cpuspeed, offering.memory))

        def only_up(vm: VM) -> ApiError | None:
            # CloudStack grows a running VM but never shrinks it.
            if vm.state == "Running" and (cpu < vm.cpunumber or speed < vm.cpuspeed
                                          or memory < vm.memory):
                return ApiError(431, "Only scaling up the vm is supported, new service "
                                     f"offering(speed={speed},cpu={cpu},memory={memory}) should"
                                     " have at least one value(cpu/ram) greater than old value "
                                     f"and no resource value less than older(speed="
                                     f"{vm.cpuspeed},cpu={vm.cpunumber},memory={vm.memory})")
            return None

        def apply() -> None:
            vm.offering, vm.cpunumber, vm.cpuspeed, vm.memory = offering, cpu, speed, memory

        return self._transition("scaleVirtualMachine", vm, {"Running": None, "Stopped": None},
                                {}, check=only_up, on_complete=apply)
