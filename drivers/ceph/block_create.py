"""CreateVolume on Ceph RBD: a thin image, or a copy-on-write clone of a snapshot, a
volume or a Glance image.

Each path runs under one Undo (rbd_images): a failure after the first change
removes the clone, the hidden snapshot or the protection it added, newest
first, and the original error goes on. A clone is flattened when
``[ceph] rbd_flatten_volume_from_snapshot`` asks (from a snapshot) or when it
would be deeper than ``rbd_max_clone_depth``, as Cinder's RBD driver does.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph import rbd_mapping as names
from translator_drivers.ceph.rbd_errors import BACKEND, mapped, not_found
from translator_drivers.ceph.rbd_images import Undo, parent_of

LOG = logging.getLogger(__name__)

GiB = names.GiB


class CreateMixin:
    """The CreateVolume half of CephBlockStorageDriver (which provides the helpers used here)."""

    conn: Any
    images: Any

    def create_volume(self, spec: models.VolumeSpec) -> models.BackendTask:
        if spec.availability_zone:
            raise exc.UnsupportedOption(
                f"Ceph RBD has no availability zones; availability_zone "
                f"{spec.availability_zone!r} cannot be honoured (leave it empty)",
                option="availability_zone", backend=BACKEND)
        type_name = self._type_name(spec.volume_type)
        pool, features = self._type_pool(type_name), self._type_features(type_name)
        volume_id = names.new_id()
        image_name = names.volume_image(volume_id)
        record = names.VolumeRecord(name=spec.name, volume_type=type_name,
                                    metadata=dict(spec.metadata))
        with mapped(f"creating volume {volume_id}"), \
                self._target_ioctx(pool, f"volume type {type_name!r}") as ioctx, Undo() as undo:
            target = _Target(ioctx, pool, image_name, features, record)
            if spec.snapshot_id:
                self._from_snapshot(undo, target, spec)
            elif spec.source_volume_id:
                self._from_volume(undo, target, spec)
            elif spec.image_id:
                self._from_image(undo, target, spec)
            else:
                self._plain(undo, target, spec)
        self._remember(volume_id, pool)
        LOG.info("Created volume %s as %s/%s (type %s)", volume_id, pool, image_name, type_name)
        return models.BackendTask(resource_id=volume_id)

    def _plain(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        if spec.size_gb <= 0:
            raise exc.InvalidInput("size_gb is required unless a source gives the size",
                                   field="size_gb", backend=BACKEND)
        self.rbd.RBD().create(target.ioctx, target.image, spec.size_gb * GiB, old_format=False,
                              features=target.features)
        undo.push(f"creating {target.pool}/{target.image}",
                  lambda: self.rbd.RBD().remove(target.ioctx, target.image))
        self.images.finish(target.ioctx, target.pool, target.image, target.record,
                           spec.size_gb * GiB, cloned=False)

    def _clone_of(self, undo: Undo, target: _Target, source: tuple[str, str, str],
                  source_parent: tuple[str, str, str] | None, size: int,
                  flatten: bool = False) -> None:
        """Clone ``source`` into the target, flattening when asked or when too deep."""
        depth = 1 + self.images.depth(source_parent)
        limit = self.opts.rbd_max_clone_depth
        if depth > limit:
            LOG.info("%s/%s would be clone level %d (rbd_max_clone_depth %d): flattening",
                     target.pool, target.image, depth, limit)
        self.images.clone(undo, source, target.ioctx, target.pool, target.image,
                          target.features)
        self.images.finish(target.ioctx, target.pool, target.image, target.record, size,
                           cloned=True, flatten=flatten or depth > limit)

    def _from_snapshot(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        pool, entry = self._find_snapshot(spec.snapshot_id)
        snap = names.snapshot_name(spec.snapshot_id)
        with mapped("reading the snapshot", not_found=f"snapshot {spec.snapshot_id!r} not found"), \
                self._open(entry["volume_id"], kind="snapshot's volume") as source:
            sizes = {s["name"]: s["size"] for s in source.image.list_snaps()}
            if snap not in sizes:
                raise not_found("snapshot", spec.snapshot_id)
            size = _size(spec, sizes[snap], "snapshot")
            self.images.protect(undo, source.pool, source.image, snap)
            source.image.set_snap(snap)
            parent = parent_of(source.image)
            source.image.set_snap(None)
            target.record.bootable = source.record.bootable
        target.record.source_snapshot_id = spec.snapshot_id
        self._clone_of(undo, target, (source.pool, source.name, snap), parent, size,
                       flatten=self.opts.rbd_flatten_volume_from_snapshot)

    def _from_volume(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        with mapped("reading the source volume",
                    not_found=f"volume {spec.source_volume_id!r} not found"), \
                self._open(spec.source_volume_id) as source:
            size = _size(spec, source.image.size(), "source volume")
            parent = parent_of(source.image)
            snap = self.images.snapshot_for_clone(undo, source.pool, source.image, target.image)
            target.record.bootable = source.record.bootable
        target.record.source_volume_id = source.volume_id
        self._clone_of(undo, target, (source.pool, source.name, snap), parent, size)

    def _from_image(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        """Clone Glance's ``<images pool>/<image id>@snap``."""
        pool, image_id, rbd = self.opts.rbd_images_pool, spec.image_id, self.rbd
        if not names.glance_image_ok(image_id):
            raise not_found("image", image_id)
        with self._pool_ioctx(pool) as ioctx:
            if ioctx is None:
                raise exc.Conflict(
                    f"volumes cannot be made from images: the images pool {pool!r} does not "
                    "exist ([ceph] rbd_images_pool)", backend=BACKEND)
            try:
                golden = rbd.Image(ioctx, image_id, snapshot=names.GLANCE_SNAP, read_only=True)
            except rbd.ImageNotFound:
                raise self._image_not_found(ioctx, pool, image_id) from None
            with golden:
                if not golden.is_protected_snap(names.GLANCE_SNAP):
                    raise exc.Conflict(
                        f"image {image_id!r}: snapshot {pool}/{image_id}@{names.GLANCE_SNAP} "
                        "is not protected (Glance's RBD store protects it; rbd snap protect)",
                        backend=BACKEND)
                size = _size(spec, golden.size(), "image")
                parent = parent_of(golden)
        target.record.source_image_id = image_id
        target.record.bootable = True
        self._clone_of(undo, target, (pool, image_id, names.GLANCE_SNAP), parent, size)

    def _image_not_found(self, ioctx: Any, pool: str, image_id: str) -> exc.NotFound:
        rbd = self.rbd
        try:
            with rbd.Image(ioctx, image_id, read_only=True):
                pass
        except rbd.ImageNotFound:
            return exc.NotFound(f"image {image_id!r} not found (no RBD image of that name in "
                                f"pool {pool!r})", backend=BACKEND)
        return exc.NotFound(f"image {image_id!r} has no snapshot {names.GLANCE_SNAP!r} to clone "
                            f"(Glance's RBD store makes one)", backend=BACKEND)


@dataclasses.dataclass
class _Target:
    """The image a CreateVolume makes."""

    ioctx: Any
    pool: str
    image: str
    features: int
    record: names.VolumeRecord


def _size(spec: models.VolumeSpec, source_bytes: int, what: str) -> int:
    """Bytes of a volume made from a source: the request's size, else the source's in whole GiB."""
    if not spec.size_gb:
        return names.gib(source_bytes) * GiB
    if spec.size_gb * GiB < source_bytes:
        raise exc.InvalidInput(
            f"size_gb must be at least the {what}'s {names.gib(source_bytes)} GiB",
            field="size_gb", backend=BACKEND)
    return spec.size_gb * GiB

