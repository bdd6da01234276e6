"""CloudStack API objects → the translator's neutral models.

Module-level tables (as libcloud's ``NODE_STATE_MAP``) and pure functions over
the dicts CloudStack returns, so the mapping is testable without a backend.
CloudStack ids may be numbers (old releases) or UUIDs; every id becomes a str.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import logging
import math
import re
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models

LOG = logging.getLogger(__name__)

#: CloudStack VirtualMachine.State → (Nova-like status, task_state).
SERVER_STATUS_MAP: dict[str, tuple[str, str]] = {
    "Starting": ("BUILD", ""),
    "Creating": ("BUILD", ""),
    "Running": ("ACTIVE", ""),
    "Stopping": ("ACTIVE", "powering-off"),
    "Stopped": ("SHUTOFF", ""),
    "Shutdowned": ("SHUTOFF", ""),
    "Migrating": ("ACTIVE", "migrating"),
    "Destroyed": ("DELETED", ""),
    "Expunging": ("DELETED", ""),
    "Error": ("ERROR", ""),
}
UNKNOWN_STATUS = ("UNKNOWN", "")

GIB = 1024 ** 3

#: The page size the core means by 0, and CloudStack's ceiling.
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500

#: cpuSpeed (MHz) sent for a customizable offering that does not fix one.
DEFAULT_CPU_SPEED_MHZ = 1000

_HOSTNAME_BAD = re.compile(r"[^a-z0-9-]+")

# VM fields copied verbatim into Server.extra (CloudStack name → extra key).
_SERVER_EXTRA = {
    "state": "cloudstack_state",
    "name": "cloudstack_name",
    "hypervisor": "hypervisor",
    "zoneid": "zone_id",
    "hostid": "host_id",
    "hostname": "host_name",
    "account": "account",
    "domain": "domain",
    "cpuspeed": "cpu_speed_mhz",
    "haenable": "ha_enabled",
    "passwordenabled": "password_enabled",
    "group": "group",
}
_FLAVOR_EXTRA = {
    "displaytext": "display_text",
    "cpuspeed": "cpu_speed_mhz",
    "storagetype": "storage_type",
    "offerha": "offer_ha",
    "hosttags": "host_tags",
    "tags": "storage_tags",
    "limitcpuuse": "limit_cpu_use",
    "domain": "domain",
}
_IMAGE_EXTRA = {
    "displaytext": "display_text",
    "format": "format",
    "hypervisor": "hypervisor",
    "templatetype": "template_type",
    "ispublic": "is_public",
    "isfeatured": "is_featured",
    "passwordenabled": "password_enabled",
    "ostypeid": "os_type_id",
    "status": "cloudstack_status",
}


def text(value: Any) -> str:
    """A CloudStack scalar as the string our models carry (booleans lowercase)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def number(value: Any, default: int = 0) -> int:
    """A CloudStack number (sometimes sent as a string) as an int."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def flag(value: Any) -> bool:
    """A CloudStack boolean, which may arrive as a bool or as "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def timestamp(value: Any) -> datetime.datetime | None:
    """CloudStack's ``2011-06-23T05:06:42+0000`` as an aware datetime; None if absent."""
    if not value:
        return None
    for fmt in ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
        try:
            return datetime.datetime.strptime(str(value), fmt)
        except ValueError:
            continue
    LOG.debug("Unparseable CloudStack timestamp %r", value)
    return None


def extra_fields(obj: dict, fields: dict[str, str]) -> dict[str, str]:
    """The backend fields of ``obj`` named in ``fields`` (CloudStack name → extra key), as text."""
    return {key: text(obj[name]) for name, key in fields.items() if obj.get(name) is not None}


def server_status(state: str) -> tuple[str, str]:
    """(status, task_state) for a CloudStack VM state; unknown states → UNKNOWN."""
    return SERVER_STATUS_MAP.get(state, UNKNOWN_STATUS)


def addresses(nics: list[dict]) -> list[models.Address]:
    """One Address per IPv4 and IPv6 address of each NIC, default NIC first."""
    result = []
    for nic in sorted(nics or [], key=lambda n: not flag(n.get("isdefault"))):
        network = text(nic.get("networkname") or nic.get("networkid"))
        mac = text(nic.get("macaddress"))
        if nic.get("ipaddress"):
            result.append(models.Address(network=network, ip=text(nic["ipaddress"]),
                                         version=4, mac=mac))
        if nic.get("ip6address"):
            result.append(models.Address(network=network, ip=text(nic["ip6address"]),
                                         version=6, mac=mac))
    return result


def tags(items: list[dict] | None) -> dict[str, str]:
    """CloudStack resource tags as a metadata dict."""
    return {text(t.get("key")): text(t.get("value")) for t in items or [] if t.get("key")}


def server(vm: dict) -> models.Server:
    """A CloudStack ``virtualmachine`` as a Server.

    The Nova name is CloudStack's ``displayname`` (free text, what the caller
    asked for); the hostname-safe ``name`` goes to ``extra``.
    """
    status, task_state = server_status(text(vm.get("state")))
    extra = extra_fields(vm, _SERVER_EXTRA)
    return models.Server(
        id=text(vm.get("id")),
        name=text(vm.get("displayname") or vm.get("name")),
        status=status,
        task_state=task_state,
        flavor_id=text(vm.get("serviceofferingid")),
        flavor_name=text(vm.get("serviceofferingname")),
        image_id=text(vm.get("templateid")),
        image_name=text(vm.get("templatename")),
        keypair_name=text(vm.get("keypair") or vm.get("keypairs")),
        security_groups=[text(g.get("name")) for g in vm.get("securitygroup") or []
                         if g.get("name")],
        availability_zone=text(vm.get("zonename") or vm.get("zoneid")),
        metadata=tags(vm.get("tags")),
        addresses=addresses(vm.get("nic") or []),
        vcpus=number(vm.get("cpunumber")),
        ram_mb=number(vm.get("memory")),
        created_at=timestamp(vm.get("created")),
        extra=extra,
    )


def flavor(offering: dict) -> models.Flavor:
    """A CloudStack ``serviceoffering`` as a Flavor; ``iscustomized`` → customizable."""
    extra = extra_fields(offering, _FLAVOR_EXTRA)
    return models.Flavor(
        id=text(offering.get("id")),
        name=text(offering.get("name")),
        vcpus=number(offering.get("cpunumber")),
        ram_mb=number(offering.get("memory")),
        disk_gb=number(offering.get("rootdisksize")),
        customizable=flag(offering.get("iscustomized")),
        extra=extra,
    )


def image_status(template: dict) -> str:
    """ACTIVE when CloudStack says the template is ready, ERROR on a failed download."""
    if flag(template.get("isready", True)):
        return "ACTIVE"
    status = text(template.get("status")).lower()
    if "error" in status or "fail" in status:
        return "ERROR"
    return "SAVING"


def image(template: dict) -> models.Image:
    """A CloudStack ``template`` as an Image; min disk is its virtual size in whole GiB."""
    size = number(template.get("size"))
    return models.Image(
        id=text(template.get("id")),
        name=text(template.get("name")),
        status=image_status(template),
        min_disk_gb=math.ceil(size / GIB) if size else 0,
        size_bytes=size,
        os_type=text(template.get("ostypename")),
        created_at=timestamp(template.get("created")),
        extra=extra_fields(template, _IMAGE_EXTRA),
    )


def keypair(data: dict, public_key: str = "") -> models.Keypair:
    """A CloudStack ``keypair``/``sshkeypair``; the private key only on a create."""
    return models.Keypair(
        name=text(data.get("name")),
        fingerprint=text(data.get("fingerprint")),
        public_key=public_key or text(data.get("publickey")),
        private_key=text(data.get("privatekey")),
        extra=extra_fields(data, {"account": "account", "domain": "domain", "id": "id"}),
    )


def hostname(name: str) -> str:
    """A form of ``name`` CloudStack accepts as a VM (host) name, or "" if none.

    RFC 1123 label: ASCII letters, digits and hyphens, starting with a letter,
    at most 63 characters. "" lets CloudStack generate the name itself.
    """
    label = _HOSTNAME_BAD.sub("-", name.lower())
    label = re.sub(r"-{2,}", "-", label).lstrip("-0123456789")
    return label[:63].rstrip("-")


def encode_token(data: dict) -> str:
    """An opaque page token: base64url of compact JSON."""
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, *keys: str) -> dict[str, int]:
    """The integers ``keys`` of a token ``encode_token`` made; InvalidInput otherwise."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        values = {key: data[key] for key in keys}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                   for v in values.values()):
            raise ValueError(token)
        return values
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error) as error:
        raise exc.InvalidInput("page_token is not a token this server issued",
                               field="page_token") from error



def page_size_of(page_size: int) -> int:
    """The page size to use: 0 (or less) means the default; at most CloudStack's 500."""
    return min(page_size if page_size > 0 else DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def page_slice(items: list, page_size: int, page_token: str) -> models.Page:
    """One page of an in-memory list; the token is the next offset."""
    size = page_size_of(page_size)
    offset = decode_token(page_token, "o")["o"] if page_token else 0
    end = offset + size
    return models.Page(items=items[offset:end], total=len(items),
                       next_token=encode_token({"o": end}) if end < len(items) else "")


def backend_page(token: str, page_size: int) -> tuple[int, int]:
    """(page number, page size) of a backend list; a token keeps the size it began with."""
    size = page_size_of(page_size)
    if not token:
        return 1, size
    data = decode_token(token, "p", "s")
    if data["p"] < 1 or not 1 <= data["s"] <= MAX_PAGE_SIZE:
        raise exc.InvalidInput("page_token is not a token this server issued", field="page_token")
    return data["p"], data["s"]


def fits(offering: dict, vcpus: int, ram_mb: int) -> bool:
    """Whether a fixed offering has at least ``vcpus`` CPUs and ``ram_mb`` MB."""
    return (number(offering.get("cpunumber")) >= vcpus
            and number(offering.get("memory")) >= ram_mb)


def smallest_fit(offerings: list[dict], vcpus: int, ram_mb: int) -> dict | None:
    """The smallest fixed offering that fits (by memory, then CPUs); None if none does."""
    fixed = [o for o in offerings if not flag(o.get("iscustomized")) and fits(o, vcpus, ram_mb)]
    fixed.sort(key=lambda o: (number(o.get("memory")), number(o.get("cpunumber"))))
    return fixed[0] if fixed else None


def custom_details(offering: dict, vcpus: int, ram_mb: int) -> dict[str, str]:
    """The ``details[0].*`` parameters sizing a customizable offering.

    Checks the offering's min/max bounds when CloudStack reports them.
    """
    bounds = offering.get("serviceofferingdetails") or {}
    problems = []
    for what, value, low, high in (("vcpus", vcpus, "mincpunumber", "maxcpunumber"),
                                   ("ram_mb", ram_mb, "minmemory", "maxmemory")):
        if bounds.get(low) is not None and value < number(bounds[low]):
            problems.append(f"{what} {value} is below the minimum {bounds[low]}")
        if bounds.get(high) is not None and value > number(bounds[high]):
            problems.append(f"{what} {value} is above the maximum {bounds[high]}")
    if problems:
        raise exc.InvalidInput(
            f"flavor {offering.get('name')!r} cannot be sized so: {'; '.join(problems)}",
            field="flavor")
    speed = number(offering.get("cpuspeed")) or DEFAULT_CPU_SPEED_MHZ
    return {"details[0].cpuNumber": str(vcpus), "details[0].memory": str(ram_mb),
            "details[0].cpuSpeed": str(speed)}


def images(templates: list[dict]) -> list[models.Image]:
    """Images from templates: CloudStack lists a template once per zone, so merge by id."""
    merged: dict[str, models.Image] = {}
    zones: dict[str, list[str]] = {}
    for template in templates:
        ident = text(template.get("id"))
        if ident not in merged:
            merged[ident] = image(template)
            zones[ident] = []
        zone = text(template.get("zonename") or template.get("zoneid"))
        if zone and zone not in zones[ident]:
            zones[ident].append(zone)
    for ident, img in merged.items():
        if zones[ident]:
            img.extra["zones"] = ",".join(zones[ident])
    return list(merged.values())


#: Every ComputeDriver operation → (supported, note).
OPERATIONS: dict[str, tuple[bool, str]] = {
    "list_flavors": (True, "service offerings (issystem=false), paged in memory over a cached "
                           "listing"),
    "get_flavor": (True, "by service offering id"),
    "list_images": (True, "executable templates, one image per template id across zones"),
    "get_image": (True, "by template id"),
    "create_keypair": (True, "createSSHKeyPair; the private key is returned once"),
    "import_keypair": (True, "registerSSHKeyPair"),
    "list_keypairs": (True, "listSSHKeyPairs, paged by CloudStack"),
    "delete_keypair": (True, "deleteSSHKeyPair"),
    "create_server": (True, "one deployVirtualMachine after every option is validated"),
    "get_server": (True, "listVirtualMachines by id"),
    "list_servers": (True, "listVirtualMachines, paged by CloudStack (page/pagesize)"),
    "delete_server": (True, "destroyVirtualMachine"),
    "start_server": (True, "startVirtualMachine"),
    "stop_server": (True, "stopVirtualMachine"),
    "reboot_server": (True, "rebootVirtualMachine"),
    "resize_server": (True, "scaleVirtualMachine, applied at once: no confirm or revert step"),
}


def capabilities(user_data_max_bytes: int, expunge: bool) -> models.ApiCapabilities:
    """What the CloudStack compute driver supports, and where CloudStack differs from Nova."""
    options = {
        "create_server": [
            models.OptionSupport("security_groups", True,
                                 "only in zones with security groups enabled (basic zones, or "
                                 "advanced zones with security groups); elsewhere the request "
                                 "is refused"),
            models.OptionSupport("networks", True,
                                 "advanced zones only; a basic zone has a single guest network"),
            models.OptionSupport("user_data", True,
                                 f"base64-encoded, at most {user_data_max_bytes} bytes of "
                                 "base64 text (vm.userdata.max.length)"),
            models.OptionSupport("metadata", True,
                                 "stored as CloudStack resource tags (one extra async call); "
                                 "values must not be empty"),
            models.OptionSupport("keypair", True, "checked with listSSHKeyPairs before deploying"),
            models.OptionSupport("resources", True,
                                 "the smallest fixed service offering that fits, else a "
                                 "customizable one sized with details"),
        ],
        "reboot_server": [
            models.OptionSupport("hard", True, "a forced reboot (CloudStack 4.16 or later)"),
        ],
        "resize_server": [
            models.OptionSupport("confirm", False,
                                 "applied at once with scaleVirtualMachine; there is no "
                                 "confirm or revert step"),
        ],
    }
    delete = ("delete expunges the VM at once" if expunge else
              "delete leaves the VM Destroyed (recoverable by an administrator) until "
              "CloudStack expunges it")
    return models.ApiCapabilities(
        api="compute", driver="cloudstack",
        operations=[models.OperationSupport(name, supported, note, options.get(name, []))
                    for name, (supported, note) in OPERATIONS.items()],
        notes=[
            "Flavors are CloudStack service offerings; a customizable offering is sized per "
            "server (vCPUs, RAM, CPU speed).",
            "Images are CloudStack templates; a template is usable only in the zones it was "
            "copied to.",
            f"Server delete: {delete}.",
            "No console, no rescue, no server snapshots through this API.",
            "Resize changes the service offering at once (scaleVirtualMachine); a running VM "
            "needs dynamic scaling enabled, and there is no confirm or revert step.",
            "Progress is estimated: CloudStack jobs report none.",
            "Server names become the CloudStack display name; the VM's host name is a "
            "hostname-safe form of it, which must be unique within its network.",
        ])
