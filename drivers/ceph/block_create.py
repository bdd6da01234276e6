"""CreateVolume on Ceph RBD: a thin image, or a copy-on-write clone of a snapshot, a
volume or a Glance image.

Order of every path: read and check the source, write the volume's index
entry, make the image (and what a clone hangs from), then grow or flatten it
if needed. All of it runs under one Undo (rbd_images): a failure removes what
the earlier steps made, newest first, and the original error goes on. A clone
is flattened when ``[ceph] rbd_flatten_volume_from_snapshot`` asks (from a
snapshot) or when it would be deeper than ``rbd_max_clone_depth``, as Cinder's
RBD driver does.

A boot storm makes many volumes from one Glance image, so what that image's
snapshot is (size, protection, clone depth) is read once and kept for
GOLDEN_SECONDS: a Glance image never changes under its id. Creating the
volume is then one index write and one clone; the clone is not even opened
unless it must grow or be flattened.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
import threading
import time
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph import rbd_index
from translator_drivers.ceph import rbd_mapping as names
from translator_drivers.ceph.rbd_errors import BACKEND, mapped, not_found
from translator_drivers.ceph.rbd_images import Spec, Undo, describe, parent_of

LOG = logging.getLogger(__name__)

GiB = names.GiB
#: Seconds what a Glance image's snapshot is (size, depth) is remembered.
GOLDEN_SECONDS = 300.0


@dataclasses.dataclass
class _Target:
    """The volume a CreateVolume makes, and what it learns of it on the way."""

    volume_id: str
    ioctx: Any
    pool: str
    features: int
    record: names.VolumeRecord
    size: int = 0
    parent: Spec | None = None

    @property
    def image(self) -> str:
        return names.volume_image(self.volume_id)


@dataclasses.dataclass(frozen=True)
class _Golden:
    """A Glance image's snapshot ``snap``, as a clone needs to know it."""

    size: int
    depth: int  # ancestors of the snapshot (0 unless the image is itself a clone)


class CreateMixin:
    """The CreateVolume half of CephBlockStorageDriver (which provides the helpers used here)."""

    conn: Any
    images: Any
    _golden: dict[tuple[str, str], tuple[float, _Golden]]
    _golden_lock: threading.Lock

    def create_volume(self, spec: models.VolumeSpec) -> models.BackendTask:
        if spec.availability_zone:
            raise exc.UnsupportedOption(
                f"Ceph RBD has no availability zones; availability_zone "
                f"{spec.availability_zone!r} cannot be honoured (leave it empty)",
                option="availability_zone", backend=BACKEND)
        type_name = self._type_name(spec.volume_type or self._inherited_type(spec))
        pool, features = self._type_pool(type_name), self._type_features(type_name)
        volume_id = names.new_id()
        record = names.VolumeRecord(name=spec.name, volume_type=type_name,
                                    metadata=dict(spec.metadata))
        with mapped(f"creating volume {volume_id}"), \
                self._target_ioctx(pool, f"volume type {type_name!r}") as ioctx, Undo() as undo:
            target = _Target(volume_id, ioctx, pool, features, record)
            if spec.snapshot_id:
                self._from_snapshot(undo, target, spec)
            elif spec.source_volume_id:
                self._from_volume(undo, target, spec)
            elif spec.image_id:
                self._from_image(undo, target, spec)
            else:
                self._plain(undo, target, spec)
        self._remember(volume_id, pool)
        self._fresh_put(self._made(target))
        LOG.info("Created volume %s as %s/%s (type %s%s)", volume_id, pool, target.image,
                 type_name, f", clone of {describe(target.parent)}" if target.parent else "")
        return models.BackendTask(resource_id=volume_id)

    def _inherited_type(self, spec: models.VolumeSpec) -> str:
        """A copy of a volume or of its snapshot keeps its type unless one is asked for."""
        source = spec.source_volume_id
        if spec.snapshot_id:
            source = self.get_snapshot(spec.snapshot_id).volume_id
        if not source:
            return ""
        try:
            return self.get_volume(source).volume_type
        except exc.NotFound:
            return ""  # the create itself reports the missing source

    def _made(self, target: _Target) -> models.Volume:
        """The new volume as a read would show it (see _fresh_put)."""
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        facts = names.ImageFacts(
            pool=target.pool, image=target.image, size=target.size,
            features=self.rbd.RBD().features_to_string(target.features), created_at=now,
            parent=describe(target.parent), record=target.record, attachment=None)
        return names.volume(target.volume_id, facts, None)

    def _commit(self, undo: Undo, target: _Target) -> None:
        """Write the volume's index entry: from here on, its image is the translator's."""
        rbd_index.put(target.ioctx, rbd_index.VOLUME, target.volume_id, target.record.entry())
        undo.push(f"index entry of volume {target.volume_id}",
                  lambda: rbd_index.remove(target.ioctx, (rbd_index.VOLUME, target.volume_id)))

    def _plain(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        if spec.size_gb <= 0:
            raise exc.InvalidInput("size_gb is required unless a source gives the size",
                                   field="size_gb", backend=BACKEND)
        self._commit(undo, target)
        target.size = spec.size_gb * GiB
        self.rbd.RBD().create(target.ioctx, target.image, target.size, old_format=False,
                              features=target.features)
        undo.push(f"creating {target.pool}/{target.image}",
                  lambda: self.rbd.RBD().remove(target.ioctx, target.image))

    def _clone_of(self, undo: Undo, target: _Target, source: Spec, *, depth: int,
                  current: int, size: int, flatten: bool = False) -> None:
        """Clone ``source`` (``current`` bytes) as the target, grown to ``size`` bytes; flatten
        it when asked or when its ``depth`` (its ancestors) is over rbd_max_clone_depth."""
        limit = self.opts.rbd_max_clone_depth
        if depth > limit:
            LOG.info("%s/%s would be clone level %d (rbd_max_clone_depth %d): flattening",
                     target.pool, target.image, depth, limit)
        self.images.clone(undo, source, target.ioctx, target.pool, target.image,
                          target.features)
        target.parent = self.images.finish(target.ioctx, target.pool, target.image, source,
                                           current=current, size=size,
                                           flatten=flatten or depth > limit)
        target.size = max(size, current)

    def _from_snapshot(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        _, entry = self._find_snapshot(spec.snapshot_id)
        snap = names.snapshot_name(spec.snapshot_id)
        with mapped("reading the snapshot", not_found=f"snapshot {spec.snapshot_id!r} not found"), \
                self._open(entry["volume_id"], kind="snapshot's volume") as source:
            sizes = {s["name"]: s["size"] for s in source.image.list_snaps()}
            if snap not in sizes:
                raise not_found("snapshot", spec.snapshot_id)
            size = _size(spec, sizes[snap], "snapshot")
            source.image.set_snap(snap)
            depth = 1 + self.images.depth(parent_of(source.image))
            source.image.set_snap(None)
            target.record.bootable = source.record.bootable
            target.record.source_snapshot_id = spec.snapshot_id
            self._commit(undo, target)
            self.images.protect(undo, source.pool, source.image, snap)
        self._clone_of(undo, target, (source.pool, source.name, snap), depth=depth,
                       current=sizes[snap], size=size,
                       flatten=self.opts.rbd_flatten_volume_from_snapshot)

    def _from_volume(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        with mapped("reading the source volume",
                    not_found=f"volume {spec.source_volume_id!r} not found"), \
                self._open(spec.source_volume_id) as source:
            current = source.image.size()
            size = _size(spec, current, "source volume")
            depth = 1 + self.images.depth(parent_of(source.image))
            target.record.bootable = source.record.bootable
            target.record.source_volume_id = source.volume_id
            self._commit(undo, target)
            snap = self.images.snapshot_for_clone(undo, source.pool, source.image, target.image)
        self._clone_of(undo, target, (source.pool, source.name, snap), depth=depth,
                       current=current, size=size)

    def _from_image(self, undo: Undo, target: _Target, spec: models.VolumeSpec) -> None:
        """Clone Glance's ``<images pool>/<image id>@snap``."""
        pool, image_id = self.opts.rbd_images_pool, spec.image_id
        if not names.glance_image_ok(image_id):
            raise not_found("image", image_id)
        golden = self._golden_facts(pool, image_id)
        size = _size(spec, golden.size, "image")
        target.record.source_image_id = image_id
        target.record.bootable = True
        self._commit(undo, target)
        try:
            self._clone_of(undo, target, (pool, image_id, names.GLANCE_SNAP),
                           depth=1 + golden.depth, current=golden.size, size=size)
        except self.rbd.Error:
            # The image changed since it was read (removed, unprotected): say which.
            with self._golden_lock:
                self._golden.pop((pool, image_id), None)
            self._golden_facts(pool, image_id)
            raise

    def _golden_facts(self, pool: str, image_id: str) -> _Golden:
        """What ``pool/image_id@snap`` is, from memory when read in the last GOLDEN_SECONDS."""
        with self._golden_lock:
            kept = self._golden.get((pool, image_id))
        if kept is not None and time.monotonic() - kept[0] < GOLDEN_SECONDS:
            return kept[1]
        rbd = self.rbd
        with mapped(f"reading image {image_id}"), self._pool_ioctx(pool) as ioctx:
            if ioctx is None:
                raise exc.Conflict(
                    f"volumes cannot be made from images: the images pool {pool!r} does not "
                    "exist ([ceph] rbd_images_pool)", backend=BACKEND)
            try:
                image = rbd.Image(ioctx, image_id, snapshot=names.GLANCE_SNAP, read_only=True)
            except rbd.ImageNotFound:
                raise self._image_not_found(ioctx, pool, image_id) from None
            with image:
                if not image.is_protected_snap(names.GLANCE_SNAP):
                    raise exc.Conflict(
                        f"image {image_id!r}: snapshot {pool}/{image_id}@{names.GLANCE_SNAP} "
                        "is not protected (Glance's RBD store protects it; rbd snap protect)",
                        backend=BACKEND)
                facts = _Golden(size=image.size(), depth=self.images.depth(parent_of(image)))
        with self._golden_lock:
            if len(self._golden) > 1000:
                self._golden.clear()
            self._golden[(pool, image_id)] = (time.monotonic(), facts)
        return facts

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


def _size(spec: models.VolumeSpec, source_bytes: int, what: str) -> int:
    """Bytes of a volume made from a source: the request's size, else the source's in whole GiB."""
    if not spec.size_gb:
        return names.gib(source_bytes) * GiB
    if spec.size_gb * GiB < source_bytes:
        raise exc.InvalidInput(
            f"size_gb must be at least the {what}'s {names.gib(source_bytes)} GiB",
            field="size_gb", backend=BACKEND)
    return spec.size_gb * GiB
