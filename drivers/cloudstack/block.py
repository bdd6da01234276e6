"""The CloudStack block storage driver: Cinder-shaped volumes on CloudStack primary storage.

A volume type maps to disk offerings (``[volume_type:<name>] disk_offering``
or ``storage_tags``); the offering's storage tags choose the primary pools
CloudStack may place the volume on, at its first attach. Snapshots are
CloudStack volume snapshots, backed up to secondary storage.

libcloud's ``create_volume`` ignores a snapshot and knows neither paging nor
resizeVolume, so every command is a signed raw call (see client.py), and the
async ones are followed by the core's poller through ``poll_jobs``.
"""

from __future__ import annotations

import logging

from oslo_config import cfg

from translator.conf import block_storage as block_conf
from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.cloudstack import block_mapping as bm
from translator_drivers.cloudstack import conf as cs_conf
from translator_drivers.cloudstack import errors, mapping
from translator_drivers.cloudstack.block_capabilities import capabilities
from translator_drivers.cloudstack.block_steps import DeferredSteps
from translator_drivers.cloudstack.driver_base import CloudStackDriverMixin
from translator_drivers.cloudstack.errors import BACKEND

LOG = logging.getLogger(__name__)


class CloudStackBlockStorageDriver(CloudStackDriverMixin, base.BlockStorageDriver):
    """Block storage on Apache CloudStack primary storage."""

    connection_type = "cloudstack"

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        super().register_opts(conf)
        block_conf.register_type_opts(conf, cs_conf.type_opts)

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.steps = DeferredSteps(self._api)

    # -- disk offerings and volume types ------------------------------------------------

    def _disk_offerings(self, refresh: bool = False) -> list[dict]:
        return self._api().cached_list("listDiskOfferings", "diskoffering", refresh=refresh)

    def _type_conf(self, name: str):
        return block_conf.type_conf(self.conf, name)

    def _candidates(self, type_name: str, refresh: bool = False) -> list[dict]:
        """The disk offerings volumes of a type may use, the named one first."""
        tc = self._type_conf(type_name)
        offerings = self._disk_offerings(refresh)
        if tc.disk_offering:
            named = self._lookup(self._disk_offerings, tc.disk_offering, "disk offering")
            tags = bm.offering_tags(named)
            same = [o for o in offerings if bm.offering_tags(o) == tags and o is not named
                    and mapping.flag(o.get("iscustomized"))]
            return [named, *same]
        wanted = frozenset(t.strip() for t in tc.storage_tags if t.strip())
        return [o for o in offerings if bm.offering_tags(o) == wanted]

    def _offering_for(self, type_name: str, size_gb: int) -> tuple[dict, int | None]:
        """(disk offering, size to send or None) for a new volume of ``size_gb`` GiB."""
        candidates = self._candidates(type_name)
        if not candidates:
            candidates = self._candidates(type_name, refresh=True)
        if not candidates:
            raise errors.BackendMisconfigured(
                f"volume type {type_name!r} matches no disk offering in the backend",
                operator_message=f"[volume_type:{type_name}] matches no CloudStack disk "
                                 "offering (check disk_offering / storage_tags)",
                backend=BACKEND)
        fixed = next((o for o in candidates if not mapping.flag(o.get("iscustomized"))
                      and mapping.number(o.get("disksize")) == size_gb), None)
        if fixed is not None:
            return fixed, None
        custom = next((o for o in candidates if mapping.flag(o.get("iscustomized"))), None)
        if custom is not None:
            return custom, size_gb
        sizes = sorted({mapping.number(o.get("disksize")) for o in candidates})
        raise exc.InvalidInput(
            f"volume type {type_name!r} offers only {', '.join(map(str, sizes))} GiB on this "
            "backend (no customizable disk offering)", field="size_gb", backend=BACKEND)

    def _type_of(self, offering_id: str) -> str:
        """The configured type a disk offering belongs to ("" when none does)."""
        if not offering_id:
            return ""
        for name in self.conf.block_storage.volume_types:
            try:
                if any(mapping.text(o.get("id")) == offering_id for o in self._candidates(name)):
                    return name
            except exc.TranslatorError:
                continue
        return ""

    def list_volume_types(self) -> list[models.VolumeType]:
        opts = self.conf.block_storage
        types = []
        for name in opts.volume_types:
            candidates = self._candidates(name)
            fixed = [o for o in candidates if not mapping.flag(o.get("iscustomized"))]
            custom = len(fixed) < len(candidates)
            tags = sorted(bm.offering_tags(candidates[0])) if candidates else []
            types.append(models.VolumeType(
                name=name, description=self._type_conf(name).description,
                location=models.StorageLocation(models.PRIMARY),
                backend_mapping=("disk offerings " + "; ".join(
                    bm.describe_offering(o) for o in candidates)) if candidates else
                "no matching disk offering",
                size_gb=(mapping.number(fixed[0].get("disksize"))
                         if len(fixed) == 1 and not custom else 0),
                max_size_gb=opts.max_volume_size_gb if custom else max(
                    [mapping.number(o.get("disksize")) for o in fixed] or [0]),
                thin_provisioned=bool(candidates) and all(
                    mapping.text(o.get("provisioningtype")) == "thin" for o in candidates),
                snapshots=True, clone_from_volume=self.opts.clone_volume_via_snapshot,
                volume_from_image=False, online_extend=False,
                is_default=name == opts.default_volume_type,
                extra={"storage_tags": ",".join(tags)} if tags else {}))
        return types

    # -- volumes --------------------------------------------------------------------------

    def _volume(self, data: dict) -> models.Volume:
        return bm.volume(data, self._type_of(mapping.text(data.get("diskofferingid"))))

    def _job_result(self, jobresult: dict) -> object | None:
        if jobresult.get("volume"):
            return self._volume(jobresult["volume"])
        if jobresult.get("snapshot"):
            return self._snapshot(jobresult["snapshot"])
        return None

    def create_volume(self, spec: models.VolumeSpec) -> models.BackendTask:
        self._check_tag_values(spec.metadata)
        if spec.image_id:
            raise exc.UnsupportedOption(
                "CloudStack cannot make a data volume from an image (template); deploy a "
                "server from the image instead, or use a backend with image clones",
                option="image_id", backend=BACKEND)
        if spec.source_volume_id:
            return self._clone(spec)
        if spec.snapshot_id:
            return self._from_snapshot(spec)
        zone = self._zone(spec.availability_zone)
        offering, size = self._offering_for(spec.volume_type, spec.size_gb)
        answer = self._api().call(
            "createVolume", name=spec.name or None, zoneid=mapping.text(zone.get("id")),
            diskofferingid=mapping.text(offering.get("id")), size=size)
        return self._created(answer, spec)

    def _created(self, answer: dict, spec: models.VolumeSpec) -> models.BackendTask:
        volume_id, job = mapping.text(answer.get("id")), mapping.text(answer.get("jobid"))
        LOG.info("CloudStack creating volume %s (%s), job %s", volume_id, spec.name, job)
        jobs = [job] if job else []
        if spec.metadata:
            jobs.append(self._tag(volume_id, "Volume", spec.metadata, "volume"))
        return models.BackendTask(resource_id=volume_id, jobs=jobs)

    def _source_snapshot(self, snapshot_id: str, spec: models.VolumeSpec) -> models.Snapshot:
        snapshot = self.get_snapshot(snapshot_id)
        if spec.size_gb and spec.size_gb != snapshot.size_gb:
            raise exc.UnsupportedOption(
                f"CloudStack makes a volume from a snapshot at the snapshot's size "
                f"({snapshot.size_gb} GiB); create it without size_gb, then extend it",
                option="size_gb", backend=BACKEND)
        return snapshot

    def _check_inherited_type(self, spec: models.VolumeSpec, source_offering: str) -> None:
        """A volume from a snapshot keeps its source's disk offering: refuse another type."""
        if spec.volume_type and spec.volume_type != self._type_of(source_offering):
            raise exc.UnsupportedOption(
                "CloudStack gives a volume made from a snapshot the disk offering of the "
                f"snapshot's volume; volume type {spec.volume_type!r} cannot be applied "
                "(leave volume_type empty)", option="volume_type", backend=BACKEND)

    def _from_snapshot(self, spec: models.VolumeSpec) -> models.BackendTask:
        # Reads only for what the request asks to check; createVolume checks the rest.
        if spec.size_gb or spec.volume_type:
            snapshot = self._source_snapshot(spec.snapshot_id, spec)
            if spec.volume_type:
                source = self._find_volume(snapshot.volume_id) or {}
                self._check_inherited_type(spec, mapping.text(source.get("diskofferingid")))
        zone = self._zone(spec.availability_zone) if spec.availability_zone else None
        with errors.asked_by_id("snapshot", spec.snapshot_id, param="snapshotid"):
            answer = self._api().call(
                "createVolume", name=spec.name or None, snapshotid=spec.snapshot_id,
                zoneid=mapping.text(zone.get("id")) if zone else None)
        return self._created(answer, spec)

    def _clone(self, spec: models.VolumeSpec) -> models.BackendTask:
        """Snapshot the source, make the volume from it, delete the snapshot (when allowed)."""
        if not self.opts.clone_volume_via_snapshot:
            raise exc.UnsupportedOption(
                "CloudStack has no volume clone; the operator can allow a copy through a "
                "snapshot on secondary storage ([cloudstack] clone_volume_via_snapshot)",
                option="source_volume_id", backend=BACKEND)
        source = self.get_volume(spec.source_volume_id)
        if spec.size_gb and spec.size_gb != source.size_gb:
            raise exc.UnsupportedOption(
                f"a copy of a CloudStack volume has the source's size ({source.size_gb} GiB); "
                "create it without size_gb, then extend it", option="size_gb", backend=BACKEND)
        self._check_inherited_type(spec, source.extra.get("disk_offering_id", ""))
        with errors.asked_by_id("volume", spec.source_volume_id, param="volumeid"):
            answer = self._api().call("createSnapshot", volumeid=spec.source_volume_id)
        snapshot_id, job = mapping.text(answer.get("id")), mapping.text(answer.get("jobid"))
        LOG.info("CloudStack cloning volume %s through snapshot %s, job %s",
                 spec.source_volume_id, snapshot_id, job)
        return models.BackendTask(resource_id="", jobs=[
            job,
            self.steps.then("createVolume", {"name": spec.name or None,
                                             "snapshotid": snapshot_id},
                            tags=spec.metadata),
            self.steps.always("deleteSnapshot", {"id": snapshot_id}),
        ])

    def _find_volume(self, volume_id: str) -> dict | None:
        if not volume_id:
            return None
        try:
            with errors.asked_by_id("volume", volume_id):
                answer = self._api().call("listVolumes", id=volume_id, listall=True)
        except exc.NotFound:
            return None
        return next((v for v in answer.get("volume") or []
                     if mapping.text(v.get("id")) == volume_id), None)

    def get_volume(self, volume_id: str) -> models.Volume:
        found = self._find_volume(volume_id)
        if found is None:
            raise exc.NotFound(f"volume {volume_id!r} not found", backend=BACKEND)
        return self._volume(found)

    def list_volumes(self, page_size: int, page_token: str) -> models.Page[models.Volume]:
        return self._backend_list("listVolumes", "volume", self._volume, page_size, page_token,
                                  listall=True)

    def extend_volume(self, volume_id: str, new_size_gb: int) -> models.BackendTask:
        data = self._find_volume(volume_id)
        if data is None:
            raise exc.NotFound(f"volume {volume_id!r} not found", backend=BACKEND)
        current = bm.gib(data.get("size"))
        if new_size_gb <= current:
            raise exc.InvalidInput(f"new_size_gb must be larger than the volume's {current} GiB",
                                   field="new_size_gb", backend=BACKEND)
        if (mapping.text(data.get("virtualmachineid"))
                and mapping.text(data.get("vmstate")) not in ("Stopped", "")
                and mapping.text(data.get("hypervisor")).lower() == "xenserver"):
            raise exc.Conflict(
                f"volume {volume_id!r} is attached to a running server on XenServer, which "
                "CloudStack resizes only offline: stop the server or detach the volume first",
                backend=BACKEND)
        params: dict[str, object] = {"id": volume_id}
        offering_id = mapping.text(data.get("diskofferingid"))
        offering = next((o for o in self._disk_offerings()
                         if mapping.text(o.get("id")) == offering_id), None)
        if offering is not None and mapping.flag(offering.get("iscustomized")):
            params["size"] = new_size_gb
        else:
            type_name = self._type_of(offering_id) or self.conf.block_storage.default_volume_type
            target, size = self._offering_for(type_name, new_size_gb)
            params.update(diskofferingid=mapping.text(target.get("id")), size=size)
        with errors.asked_by_id("volume", volume_id):
            answer = self._api().call("resizeVolume", **params)
        return self._job(answer, volume_id, "resizeVolume")

    def _job(self, answer: dict, resource_id: str, command: str) -> models.BackendTask:
        job = mapping.text(answer.get("jobid"))
        LOG.info("CloudStack %s %s: job %s", command, resource_id, job or "none")
        return models.BackendTask(resource_id=resource_id, jobs=[job] if job else [])

    def delete_volume(self, volume_id: str) -> models.BackendTask:
        """deleteVolume is synchronous; CloudStack refuses an attached volume.

        Depending on the version the refusal is a 536 (resource in use) or a
        431 saying "not attached to any VM"; both are a Conflict here.
        """
        try:
            with errors.asked_by_id("volume", volume_id):
                answer = self._api().call("deleteVolume", id=volume_id)
        except exc.InvalidInput as error:
            if "attached" not in error.operator_message.lower():
                raise
            raise exc.Conflict(f"volume {volume_id!r} is attached to a server; detach it first",
                               operator_message=error.operator_message, backend=BACKEND,
                               backend_code=error.backend_code) from error
        if not mapping.flag(answer.get("success", True)):
            raise exc.BackendError(f"CloudStack did not delete volume {volume_id!r}",
                                   backend=BACKEND)
        return models.BackendTask(resource_id=volume_id)

    def attach_volume(self, volume_id: str, server_id: str) -> models.BackendTask:
        with errors.asked_by_id("volume", volume_id):
            answer = self._api().call("attachVolume", id=volume_id, virtualmachineid=server_id)
        # An unknown server is refused inside the job (as CloudStack does).
        return self._job(answer, volume_id, "attachVolume")

    def detach_volume(self, volume_id: str, server_id: str) -> models.BackendTask:
        volume = self.get_volume(volume_id)
        attached = [a.server_id for a in volume.attachments]
        if not attached:
            raise exc.Conflict(f"volume {volume_id!r} is not attached", backend=BACKEND)
        if server_id and server_id not in attached:
            raise exc.Conflict(f"volume {volume_id!r} is attached to another server",
                               backend=BACKEND)
        with errors.asked_by_id("volume", volume_id):
            answer = self._api().call("detachVolume", id=volume_id)
        return self._job(answer, volume_id, "detachVolume")

    # -- snapshots ----------------------------------------------------------------------------

    def _image_store(self, zone_id: str) -> str:
        """The name of a zone's secondary storage, or "" when this account cannot list it."""
        try:
            stores = self._api().cached_list("listImageStores", "imagestore", zoneid=zone_id)
        except exc.TranslatorError:
            return ""
        return mapping.text(stores[0].get("name")) if stores else ""

    def _snapshot(self, data: dict) -> models.Snapshot:
        return bm.snapshot(data, self._image_store(mapping.text(data.get("zoneid"))))

    def create_snapshot(self, spec: models.SnapshotSpec) -> models.BackendTask:
        self._check_tag_values(spec.metadata)
        with errors.asked_by_id("volume", spec.volume_id, param="volumeid"):
            answer = self._api().call("createSnapshot", volumeid=spec.volume_id,
                                      name=spec.name or None)
        snapshot_id, job = mapping.text(answer.get("id")), mapping.text(answer.get("jobid"))
        LOG.info("CloudStack snapshotting volume %s as %s, job %s", spec.volume_id,
                 snapshot_id, job)
        jobs = [job] if job else []
        if spec.metadata:
            jobs.append(self._tag(snapshot_id, "Snapshot", spec.metadata, "snapshot"))
        return models.BackendTask(resource_id=snapshot_id, jobs=jobs)

    def get_snapshot(self, snapshot_id: str) -> models.Snapshot:
        with errors.asked_by_id("snapshot", snapshot_id):
            answer = self._api().call("listSnapshots", id=snapshot_id, listall=True)
        for data in answer.get("snapshot") or []:
            if mapping.text(data.get("id")) == snapshot_id:
                return self._snapshot(data)
        raise exc.NotFound(f"snapshot {snapshot_id!r} not found", backend=BACKEND)

    def list_snapshots(self, page_size: int, page_token: str,
                       volume_id: str = "") -> models.Page[models.Snapshot]:
        return self._backend_list("listSnapshots", "snapshot", self._snapshot, page_size,
                                  page_token, listall=True, volumeid=volume_id or None)

    def delete_snapshot(self, snapshot_id: str) -> models.BackendTask:
        with errors.asked_by_id("snapshot", snapshot_id):
            answer = self._api().call("deleteSnapshot", id=snapshot_id)
        return self._job(answer, snapshot_id, "deleteSnapshot")

    # -- jobs and capabilities ------------------------------------------------------------------

    def poll_jobs(self, jobs: list[str]) -> models.JobStatus:
        """Real jobs as the mixin polls them; deferred steps (a clone's) run in between."""
        real = [j for j in jobs if not self.steps.is_step(j)]
        status = super().poll_jobs(real) if real else models.JobStatus(done=True)
        if len(real) == len(jobs):
            return status
        return self.steps.advance(jobs, status, self._created_from_step)

    def _created_from_step(self, answer: dict, tags: dict[str, str]) -> models.BackendTask:
        return self._created(answer, models.VolumeSpec(name="", metadata=tags))

    def expected_seconds(self, verb: str) -> float:
        return {"CreateSnapshot": 60.0, "CreateVolume": 30.0}.get(verb, 20.0)

    def capabilities(self) -> models.ApiCapabilities:
        return capabilities(self.opts.clone_volume_via_snapshot)
