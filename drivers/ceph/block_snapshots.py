"""Snapshots of the Ceph block storage driver: RBD snapshots, found by id through the index.

A snapshot is the RBD snapshot ``snapshot-<uuid>`` of its volume's image, in
the volume's pool: primary storage, unlike CloudStack's snapshots on secondary
storage. Its name and metadata live in the pool's index (rbd_index).

Deleting a snapshot that volumes were cloned from neither fails (as Cinder's
SnapshotIsBusy does) nor flattens the clones (a full copy of each, inside one
request): the snapshot leaves the index and its RBD snapshot is renamed
``<name>.deleted``, removed with its last clone (rbd_images.release_parent).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph import rbd_index
from translator_drivers.ceph import rbd_mapping as names
from translator_drivers.ceph.rbd_errors import mapped, not_found
from translator_drivers.ceph.rbd_images import Undo, children

LOG = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 100


class SnapshotsMixin:
    """The snapshot half of CephBlockStorageDriver (which provides the helpers used here)."""

    conn: Any
    images: Any

    def _find_snapshot(self, snapshot_id: str) -> tuple[str, dict[str, Any]]:
        """(pool, index entry) of a snapshot; NotFound when no pool's index has it."""
        if names.canonical_id(snapshot_id) is None:
            raise not_found("snapshot", snapshot_id)
        with mapped("looking up the snapshot"):
            for pool in self._pools():
                with self._pool_ioctx(pool) as ioctx:
                    entry = (rbd_index.get(ioctx, rbd_index.SNAPSHOT, snapshot_id)
                             if ioctx is not None else None)
                if entry and names.canonical_id(str(entry.get("volume_id", ""))):
                    return pool, entry
        raise not_found("snapshot", snapshot_id)

    def create_snapshot(self, spec: models.SnapshotSpec) -> models.BackendTask:
        snapshot_id = names.new_id()
        snap = names.snapshot_name(snapshot_id)
        with mapped(f"snapshotting volume {spec.volume_id}",
                    not_found=f"volume {spec.volume_id!r} not found"), \
                self._open(spec.volume_id) as opened, Undo() as undo:
            entry = {"volume_id": opened.volume_id, "name": spec.name,
                     "metadata": dict(spec.metadata)}
            rbd_index.put(opened.ioctx, rbd_index.SNAPSHOT, snapshot_id, entry)
            undo.push(f"index entry of snapshot {snapshot_id}",
                      lambda: rbd_index.remove(opened.ioctx, (rbd_index.SNAPSHOT, snapshot_id)))
            opened.image.create_snap(snap)
        LOG.info("Created snapshot %s of volume %s (%s/%s@%s)", snapshot_id, opened.volume_id,
                 opened.pool, opened.name, snap)
        return models.BackendTask(resource_id=snapshot_id)

    def _snapshot_of(self, image: Any, pool: str, snapshot_id: str,
                     entry: dict[str, Any]) -> models.Snapshot | None:
        """The snapshot as the open volume ``image`` has it; None if the image has not."""
        snap = names.snapshot_name(snapshot_id)
        found = next((s for s in image.list_snaps() if s["name"] == snap), None)
        if found is None:
            return None
        return names.snapshot(snapshot_id, entry, pool, image.get_name(), found,
                              image.get_snap_timestamp(found["id"]),
                              image.is_protected_snap(snap))

    def _read_snapshot(self, pool: str, snapshot_id: str,
                       entry: dict[str, Any]) -> models.Snapshot | None:
        rbd = self.rbd
        with self.conn.ioctx(pool) as ioctx:
            try:
                with rbd.Image(ioctx, names.volume_image(entry["volume_id"]),
                               read_only=True) as image:
                    return self._snapshot_of(image, pool, snapshot_id, entry)
            except rbd.ImageNotFound:
                return None

    def get_snapshot(self, snapshot_id: str) -> models.Snapshot:
        pool, entry = self._find_snapshot(snapshot_id)
        with mapped(f"reading snapshot {snapshot_id}",
                    not_found=f"snapshot {snapshot_id!r} not found"):
            found = self._read_snapshot(pool, snapshot_id, entry)
        if found is None:
            raise not_found("snapshot", snapshot_id)
        return found

    def list_snapshots(self, page_size: int, page_token: str,
                       volume_id: str = "") -> models.Page[models.Snapshot]:
        """Snapshots in (pool, id) order; the token names the last one returned."""
        page_size = page_size if page_size > 0 else DEFAULT_PAGE_SIZE
        if volume_id:
            return self._volume_snapshots(volume_id, page_size, page_token)
        after = names.decode_token(page_token, "snapshots")
        items: list[models.Snapshot] = []
        last: tuple[str, str] | None = None
        more = False
        with mapped("listing snapshots"), contextlib.closing(self._scan(after)) as scan:
            for pool, snapshot_id, entry in scan:
                if len(items) == page_size:
                    more = True
                    break
                if not names.canonical_id(str(entry.get("volume_id", ""))):
                    continue
                found = self._read_snapshot(pool, snapshot_id, entry)
                if found is not None:
                    items.append(found)
                    last = (pool, snapshot_id)
        token = names.encode_token("snapshots", *last) if more and last else ""
        return models.Page(items=items, next_token=token)

    def _scan(self, after: tuple[str, str] | None) -> Iterator[tuple[str, str, dict]]:
        for pool in self._pools():
            if after and pool < after[0]:
                continue
            start = after[1] if after and pool == after[0] else ""
            with self._pool_ioctx(pool) as ioctx:
                if ioctx is None:
                    continue
                for snapshot_id, entry in rbd_index.scan(ioctx, rbd_index.SNAPSHOT, start):
                    yield pool, snapshot_id, entry

    def _volume_snapshots(self, volume_id: str, page_size: int,
                          page_token: str) -> models.Page[models.Snapshot]:
        after = names.decode_token(page_token, "volume-snapshots")
        with mapped(f"listing the snapshots of volume {volume_id}",
                    not_found=f"volume {volume_id!r} not found"), \
                self._open(volume_id, read_only=True) as opened:
            if after and after[0] != opened.volume_id:
                raise exc.InvalidInput("page_token belongs to another volume's listing",
                                       field="page_token")
            ids = sorted(i for s in opened.image.list_snaps()
                         if (i := names.snapshot_id_of(s["name"])))
            if after:
                ids = [i for i in ids if i > after[1]]
            found = rbd_index.read(opened.ioctx, [(rbd_index.SNAPSHOT, i) for i in ids[:page_size]])
            entries = {ident: entry for (_, ident), entry in found.items()}
            items = [snapshot for i in ids[:page_size] if i in entries
                     and (snapshot := self._snapshot_of(opened.image, opened.pool, i,
                                                        entries[i])) is not None]
        token = (names.encode_token("volume-snapshots", opened.volume_id, ids[page_size - 1])
                 if len(ids) > page_size else "")
        return models.Page(items=items, next_token=token)

    def delete_snapshot(self, snapshot_id: str) -> models.BackendTask:
        pool, entry = self._find_snapshot(snapshot_id)
        snap = names.snapshot_name(snapshot_id)
        image_name = names.volume_image(entry["volume_id"])
        rbd = self.rbd
        with mapped(f"deleting snapshot {snapshot_id}",
                    not_found=f"snapshot {snapshot_id!r} not found"), \
                self.conn.ioctx(pool) as ioctx:
            try:
                image = rbd.Image(ioctx, image_name)
            except rbd.ImageNotFound:
                image = None
            if image is None or not _has_snap(image, snap):
                if image is not None:
                    image.close()
                rbd_index.remove(ioctx, (rbd_index.SNAPSHOT, snapshot_id))  # left by a crash
                raise not_found("snapshot", snapshot_id)
            with image:
                clones = children(image, snap)
                if clones:
                    self.images.hide_snapshot(image, pool, snap)
                else:
                    if image.is_protected_snap(snap):
                        image.unprotect_snap(snap)
                    image.remove_snap(snap)
            rbd_index.remove(ioctx, (rbd_index.SNAPSHOT, snapshot_id))
        LOG.info("Deleted snapshot %s of volume %s%s", snapshot_id, entry["volume_id"],
                 f" (kept hidden for the clones {', '.join(clones)})" if clones else "")
        return models.BackendTask(resource_id=snapshot_id)


def _has_snap(image: Any, snap: str) -> bool:
    return any(s["name"] == snap for s in image.list_snaps())
