"""The CloudStack compute driver: Nova-shaped requests onto CloudStack VMs.

Flavors are service offerings, images are executable templates, servers are
virtual machines, keypairs are SSH key pairs. Mutating calls send one async
CloudStack command and return at once with its job id; the core's poller
follows the jobs through ``poll_jobs`` (libcloud's ``create_node`` and
friends would block polling instead, so they are not used).

Everything a request asks for is validated before the first mutating call,
mostly against cached listings: with a warm cache and no metadata, a
CreateServer is exactly one HTTP request (deployVirtualMachine). Naming a
keypair costs one more (listSSHKeyPairs, never cached: a keypair deleted a
second ago must not pass), and metadata one more (createTags).
"""

from __future__ import annotations

import base64
import logging

from oslo_config import cfg

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.cloudstack import errors, mapping
from translator_drivers.cloudstack.client import cache_key
from translator_drivers.cloudstack.driver_base import CloudStackDriverMixin
from translator_drivers.cloudstack.errors import BACKEND

LOG = logging.getLogger(__name__)

_OFFERINGS = {"issystem": False}
_TEMPLATES = {"templatefilter": "executable"}
# Reads answered from the cache alone: method → the cache key of the listing it needs.
_PEEKABLE = {
    "list_flavors": cache_key("listServiceOfferings", _OFFERINGS),
    "get_flavor": cache_key("listServiceOfferings", _OFFERINGS),
    "list_images": cache_key("listTemplates", _TEMPLATES),
    "get_image": cache_key("listTemplates", _TEMPLATES),
}


class CloudStackComputeDriver(CloudStackDriverMixin, base.ComputeDriver):
    """Compute on Apache CloudStack through its signed HTTP API."""

    # CloudStack attaches only its own volumes to its VMs.
    volume_connections = frozenset({"cloudstack"})

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self._catalogs: dict[str, tuple[list[dict], list]] = {}

    def _job_result(self, jobresult: dict) -> models.Server | None:
        vm = jobresult.get("virtualmachine")
        return mapping.server(vm) if vm else None

    def _offerings(self, refresh: bool = False) -> list[dict]:
        return self._api().cached_list("listServiceOfferings", "serviceoffering",
                                       refresh=refresh, **_OFFERINGS)

    def _templates(self, refresh: bool = False) -> list[dict]:
        return self._api().cached_list("listTemplates", "template", refresh=refresh,
                                       **_TEMPLATES)

    def peek(self, method: str, *args):
        """Flavor and image reads answered from the cache alone (no I/O), else None."""
        if self.client is None or method not in _PEEKABLE:
            return None
        items = self.client.cached(_PEEKABLE[method])
        if items is None:
            return None
        if method == "list_flavors":
            return mapping.page_slice(self._catalog("flavors", items), *args)
        if method == "list_images":
            return mapping.page_slice(self._catalog("images", items), *args)
        catalog = self._catalog("flavors" if method == "get_flavor" else "images", items)
        # A miss (perhaps something new) goes to the blocking path, which refreshes once.
        return next((entry for entry in catalog if entry.id == args[0]), None)

    def _catalog(self, kind: str, items: list[dict]) -> list:
        """Flavors or images mapped once per cached listing, not once per request.

        The memo keeps the listing it was made from and is reused only while
        the cache hands out that very list, so a refresh is seen at once.
        """
        memo = self._catalogs.get(kind)
        if memo is not None and memo[0] is items:
            return memo[1]
        mapped = ([mapping.flavor(o) for o in items] if kind == "flavors"
                  else mapping.images(items))
        self._catalogs[kind] = (items, mapped)
        return mapped

    def _flavor(self, ref: str, vcpus: int, ram_mb: int) -> tuple[dict, dict[str, str]]:
        """The offering a flavor reference or a size asks for, plus custom sizing details."""
        if ref:
            offering = self._lookup(self._offerings, ref, "flavor")
            if not mapping.flag(offering.get("iscustomized")):
                return offering, {}
            if vcpus <= 0 or ram_mb <= 0:
                raise exc.InvalidInput(
                    f"flavor {ref!r} is customizable: ask for vcpus and ram_mb instead",
                    field="flavor", backend=BACKEND)
            return offering, mapping.custom_details(offering, vcpus, ram_mb)
        if vcpus <= 0 and ram_mb <= 0:
            raise exc.InvalidInput("a flavor (id or name) or vcpus and ram_mb are required",
                                   field="flavor", backend=BACKEND)
        offerings = self._offerings()
        fit = mapping.smallest_fit(offerings, vcpus, ram_mb)
        if fit is not None:
            return fit, {}
        custom = next((o for o in offerings if mapping.flag(o.get("iscustomized"))), None)
        if custom is not None and vcpus > 0 and ram_mb > 0:
            return custom, mapping.custom_details(custom, vcpus, ram_mb)
        raise exc.NotFound(f"flavor not found: none has {vcpus} vCPUs and {ram_mb} MB of RAM "
                           "or more, and none can be sized", backend=BACKEND)

    def _template(self, ref: str, zone: dict) -> dict:
        """The template ``ref`` (id, else exact name) as listed in ``zone``."""
        entry = self._lookup(self._templates, ref, "image")
        ident, zone_id = mapping.text(entry.get("id")), mapping.text(zone.get("id"))
        entries = [t for t in self._templates() if mapping.text(t.get("id")) == ident]
        for template in entries or [entry]:
            if (mapping.text(template.get("zoneid")) in ("", zone_id)
                    or mapping.flag(template.get("crossZones"))):
                return template
        raise exc.InvalidInput(f"image {ref!r} is not available in zone {zone.get('name')!r}",
                               field="image", backend=BACKEND)

    # -- flavors and images ---------------------------------------------------------

    def list_flavors(self, page_size: int, page_token: str) -> models.Page[models.Flavor]:
        return mapping.page_slice(self._catalog("flavors", self._offerings()), page_size,
                                  page_token)

    def get_flavor(self, flavor_id: str) -> models.Flavor:
        return mapping.flavor(self._lookup(self._offerings, flavor_id, "flavor", by_name=False))

    def list_images(self, page_size: int, page_token: str) -> models.Page[models.Image]:
        return mapping.page_slice(self._catalog("images", self._templates()), page_size,
                                  page_token)

    def get_image(self, image_id: str) -> models.Image:
        self._lookup(self._templates, image_id, "image", by_name=False)
        return next(i for i in mapping.images(self._templates()) if i.id == image_id)

    # -- servers ----------------------------------------------------------------------

    def create_server(self, spec: models.ServerSpec) -> models.BackendTask:
        """Validate everything, then one deployVirtualMachine (and one createTags)."""
        userdata = self._user_data(spec.user_data)
        self._check_tag_values(spec.metadata)
        zone = self._zone(spec.availability_zone)
        offering, details = self._flavor(spec.flavor, spec.vcpus, spec.ram_mb)
        template = self._template(spec.image, zone)
        params: dict[str, str | None] = {
            "zoneid": mapping.text(zone["id"]), "serviceofferingid": mapping.text(offering["id"]),
            "templateid": mapping.text(template["id"]), "displayname": spec.name,
            "name": mapping.hostname(spec.name) or None, "userdata": userdata, **details}
        if spec.security_groups:
            groups = self._security_groups(zone, spec.security_groups)
            params["securitygroupnames"] = ",".join(groups)
        networks = self._networks(zone, spec.networks)
        if networks:
            params["networkids"] = ",".join(networks)
        if spec.keypair:
            self._require_keypair(spec.keypair)
            params["keypair"] = spec.keypair
        answer = self._api().call("deployVirtualMachine", **params)
        server_id, job = mapping.text(answer.get("id")), mapping.text(answer.get("jobid"))
        LOG.info("CloudStack deploying server %s (%s) in zone %s, job %s",
                 server_id, spec.name, zone.get("name"), job)
        jobs = [job] if job else []
        if spec.metadata:
            jobs.append(self._tag(server_id, "UserVm", spec.metadata, "server"))
        return models.BackendTask(resource_id=server_id, jobs=jobs)

    def _user_data(self, data: bytes) -> str | None:
        if not data:
            return None
        encoded = base64.b64encode(data).decode("ascii")
        limit = self.opts.user_data_max_bytes
        if len(encoded) > limit:
            raise exc.InvalidInput(
                f"user_data is {len(encoded)} bytes once base64-encoded; this CloudStack accepts "
                f"at most {limit} (vm.userdata.max.length)", field="user_data", backend=BACKEND)
        return encoded

    def _security_groups(self, zone: dict, refs: list[str]) -> list[str]:
        if not mapping.flag(zone.get("securitygroupsenabled")):
            raise exc.UnsupportedOption(
                f"zone {zone.get('name')!r} has no security groups (its guest networks are "
                "isolated networks); ask for none, or choose a zone with security groups",
                option="security_groups", backend=BACKEND)
        api = self._api()

        def fetch(refresh: bool) -> list[dict]:
            return api.cached_list("listSecurityGroups", "securitygroup", refresh=refresh)
        return [mapping.text(self._lookup(fetch, ref, "security group")["name"]) for ref in refs]

    def _networks(self, zone: dict, refs: list[str]) -> list[str]:
        advanced = mapping.text(zone.get("networktype")).lower() == "advanced"
        if refs and not advanced:
            raise exc.UnsupportedOption(
                f"zone {zone.get('name')!r} is a basic zone: CloudStack places servers on its "
                "single guest network and accepts no network choice", option="networks",
                backend=BACKEND)
        refs = list(refs) or (list(self.opts.default_networks) if advanced else [])
        api, zone_id = self._api(), mapping.text(zone.get("id"))

        def fetch(refresh: bool) -> list[dict]:
            return api.cached_list("listNetworks", "network", refresh=refresh, zoneid=zone_id)
        return [mapping.text(self._lookup(fetch, ref, "network")["id"]) for ref in refs]

    def _require_keypair(self, name: str) -> None:
        answer = self._api().call("listSSHKeyPairs", name=name)
        if not any(k.get("name") == name for k in answer.get("sshkeypair") or []):
            raise exc.NotFound(f"keypair {name!r} not found", backend=BACKEND)

    def get_server(self, server_id: str) -> models.Server:
        with errors.asked_by_id("server", server_id):
            answer = self._api().call("listVirtualMachines", id=server_id)
        for vm in answer.get("virtualmachine") or []:
            if mapping.text(vm.get("id")) == server_id:
                return mapping.server(vm)
        raise exc.NotFound(f"server {server_id!r} not found", backend=BACKEND)

    def list_servers(self, page_size: int, page_token: str) -> models.Page[models.Server]:
        return self._backend_list("listVirtualMachines", "virtualmachine", mapping.server,
                                  page_size, page_token)

    def _vm_job(self, command: str, server_id: str, **params) -> models.BackendTask:
        with errors.asked_by_id("server", server_id):
            answer = self._api().call(command, id=server_id, **params)
        LOG.info("CloudStack %s %s: job %s", command, server_id, answer.get("jobid"))
        job = mapping.text(answer.get("jobid"))
        return models.BackendTask(resource_id=server_id, jobs=[job] if job else [])

    def delete_server(self, server_id: str) -> models.BackendTask:
        return self._vm_job("destroyVirtualMachine", server_id,
                            expunge=self.opts.expunge_on_delete)

    def start_server(self, server_id: str) -> models.BackendTask:
        return self._vm_job("startVirtualMachine", server_id)

    def stop_server(self, server_id: str) -> models.BackendTask:
        return self._vm_job("stopVirtualMachine", server_id)

    def reboot_server(self, server_id: str, hard: bool = False) -> models.BackendTask:
        return self._vm_job("rebootVirtualMachine", server_id, forced=True if hard else None)

    def resize_server(self, server_id: str, spec: models.ResizeSpec) -> models.BackendTask:
        """scaleVirtualMachine; a customizable offering keeps the server's CPU speed.

        CloudStack never shrinks a running VM in any dimension, CPU speed
        included, so sizing a customizable offering costs one listVirtualMachines
        to learn the current speed.
        """
        offering, details = self._flavor(spec.flavor, spec.vcpus, spec.ram_mb)
        if details:
            current = mapping.number(self.get_server(server_id).extra.get("cpu_speed_mhz"))
            speed = max(current, mapping.number(details["details[0].cpuSpeed"]))
            details["details[0].cpuSpeed"] = str(speed)
        return self._vm_job("scaleVirtualMachine", server_id,
                            serviceofferingid=mapping.text(offering["id"]), **details)

    # -- jobs ----------------------------------------------------------------------------

    def expected_seconds(self, verb: str) -> float:
        return 60.0 if verb in ("CreateServer", "create_server") else 20.0

    # -- keypairs ----------------------------------------------------------------------

    def create_keypair(self, name: str) -> models.Keypair:
        with errors.keypair_errors(name):
            answer = self._api().call("createSSHKeyPair", name=name)
        return mapping.keypair(answer.get("keypair") or {"name": name})

    def import_keypair(self, name: str, public_key: str) -> models.Keypair:
        with errors.keypair_errors(name, field="public_key"):
            answer = self._api().call("registerSSHKeyPair", name=name, publickey=public_key)
        return mapping.keypair(answer.get("keypair") or {"name": name}, public_key=public_key)

    def list_keypairs(self, page_size: int, page_token: str) -> models.Page[models.Keypair]:
        return self._backend_list("listSSHKeyPairs", "sshkeypair", mapping.keypair,
                                  page_size, page_token)

    def delete_keypair(self, name: str) -> None:
        with errors.asked_by_id("keypair", name, strict=True):
            answer = self._api().call("deleteSSHKeyPair", name=name)
        if not mapping.flag(answer.get("success", True)):
            raise exc.NotFound(f"keypair {name!r} not found", backend=BACKEND)

    # -- capabilities ----------------------------------------------------------------------

    def capabilities(self) -> models.ApiCapabilities:
        return mapping.capabilities(self.opts.user_data_max_bytes, self.opts.expunge_on_delete)
