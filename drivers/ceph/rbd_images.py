"""RBD image steps the block storage driver is built from: clone chains and their cleanup.

A clone hangs from a protected snapshot of its parent, so neither the
snapshot nor the parent can go while the clone lives. Like Cinder, the
driver then hides instead of failing: a deleted volume with clones becomes
``volume-<uuid>.deleted``, a deleted snapshot with clones
``snapshot-<uuid>.deleted``; when the last clone goes (deleted or
flattened), ``release_parent`` walks up the chain removing what is hidden
and no longer needed. Nothing a clone reads is ever removed.

Every multi-step change runs under an ``Undo``: if a step fails, what the
earlier steps made is removed, newest first, and the original error goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from translator.drivers import exceptions as exc
from translator_drivers.ceph import rbd_mapping as names
from translator_drivers.ceph.rbd_client import RadosConnection, bindings
from translator_drivers.ceph.rbd_errors import BACKEND

LOG = logging.getLogger(__name__)

#: Seconds after which the watch of a crashed client expires (librbd's default).
WATCH_EXPIRY = 30.0
#: The longest parent chain walked: far beyond any rbd_max_clone_depth in use.
MAX_CHAIN = 64

Spec = tuple[str, str, str]  # (pool, image, snapshot)


class Undo:
    """Steps reversing what a multi-step change made; run newest first if it fails."""

    def __init__(self) -> None:
        self._steps: list[tuple[str, Callable[[], object]]] = []

    def push(self, what: str, step: Callable[[], object]) -> None:
        self._steps.append((what, step))

    def __enter__(self) -> Undo:
        return self

    def __exit__(self, exc_type: object, error: object, tb: object) -> bool:
        if exc_type is None:
            return False
        for what, step in reversed(self._steps):
            try:
                step()
                LOG.info("Undid %s after a failure", what)
            except Exception:  # noqa: BLE001 - the original error is the one to raise
                LOG.warning("Could not undo %s after a failure; it may be left behind",
                            what, exc_info=True)
        return False


def parent_of(image: Any) -> Spec | None:
    """(pool, image, snapshot) an open image (at its current snapshot) is cloned from."""
    rbd = bindings()[1]
    try:
        spec = image.get_parent_image_spec()
    except rbd.ImageNotFound:
        return None
    return spec["pool_name"], spec["image_name"], spec["snap_name"]


def describe(spec: Spec | None) -> str:
    return f"{spec[0]}/{spec[1]}@{spec[2]}" if spec else ""


def children(image: Any, snap: str) -> list[str]:
    """"pool/image" of the clones of ``snap`` (the image is left at its head)."""
    image.set_snap(snap)
    try:
        return [f"{c['pool']}/{c['image']}" for c in image.list_children2()]
    finally:
        image.set_snap(None)


class Images:
    """Image-level steps over one connection."""

    def __init__(self, conn: RadosConnection) -> None:
        self.conn = conn

    @property
    def rbd(self) -> Any:
        return bindings()[1]

    # -- clone depth --------------------------------------------------------------------

    def depth(self, parent: Spec | None) -> int:
        """How many ancestors an image whose parent is ``parent`` has."""
        depth = 0
        while parent is not None and depth < MAX_CHAIN:
            depth += 1
            pool, image, snap = parent
            with self.conn.ioctx(pool) as ioctx, \
                    self.rbd.Image(ioctx, image, snapshot=snap, read_only=True) as opened:
                parent = parent_of(opened)
        return depth

    # -- making a clone -------------------------------------------------------------------

    def protect(self, undo: Undo, pool: str, image: Any, snap: str) -> None:
        """Protect ``snap`` of the open ``image`` (clone format 1 needs it) unless it is."""
        if image.is_protected_snap(snap):
            return
        image.protect_snap(snap)
        name = image.get_name()
        undo.push(f"protecting {pool}/{name}@{snap}",
                  lambda: self.unprotect_if_unused(pool, name, snap))

    def clone(self, undo: Undo, parent: Spec, ioctx: Any, pool: str, child: str,
              features: int) -> None:
        """Clone ``parent`` as ``pool``/``child`` (the parent may be in another pool)."""
        parent_pool, parent_image, snap = parent
        with self.conn.ioctx(parent_pool) as parent_ioctx:
            self.rbd.RBD().clone(parent_ioctx, parent_image, snap, ioctx, child,
                                 features=features)
        undo.push(f"cloning {pool}/{child}", lambda: self.rbd.RBD().remove(ioctx, child))

    def finish(self, ioctx: Any, pool: str, child: str, parent: Spec, *, current: int,
               size: int, flatten: bool) -> Spec | None:
        """Grow a new clone from ``current`` to ``size`` bytes, flatten it when asked.

        Opens the clone only when there is something to do (an open costs as
        much as half a clone). Returns its parent afterwards: None once
        flattened, and then an internal parent snapshot (a volume clone's
        ``.clone_snap``) is released at once.
        """
        if size <= current and not flatten:
            return parent
        with self.rbd.Image(ioctx, child) as image:
            if size > current:
                image.resize(size)
            if flatten:
                LOG.info("Flattening %s/%s (clone of %s)", pool, child, describe(parent))
                image.flatten()
        if not flatten:
            return parent
        self.release_parent(parent, child)
        return None

    def snapshot_for_clone(self, undo: Undo, pool: str, image: Any, child: str) -> str:
        """Make and protect the internal snapshot a volume's clone ``child`` hangs from."""
        snap = names.clone_snap(child)
        image.create_snap(snap)
        name = image.get_name()
        undo.push(f"snapshot {pool}/{name}@{snap}",
                  lambda: self.remove_snap_if_unused(pool, name, snap))
        image.protect_snap(snap)
        return snap

    # -- releasing what clones needed ----------------------------------------------------------

    def unprotect_if_unused(self, pool: str, image_name: str, snap: str) -> bool:
        """Unprotect ``snap`` unless clones hang from it; True when it is free."""
        with self.conn.ioctx(pool) as ioctx, self.rbd.Image(ioctx, image_name) as image:
            if children(image, snap):
                return False
            if image.is_protected_snap(snap):
                image.unprotect_snap(snap)
        return True

    def remove_snap_if_unused(self, pool: str, image_name: str, snap: str) -> bool:
        """Remove ``snap`` unless clones hang from it; True when it is gone."""
        with self.conn.ioctx(pool) as ioctx, self.rbd.Image(ioctx, image_name) as image:
            if children(image, snap):
                return False
            if image.is_protected_snap(snap):
                image.unprotect_snap(snap)
            image.remove_snap(snap)
        return True

    def release_parent(self, parent: Spec, child: str) -> None:
        """After ``child`` stopped depending on ``parent``: remove what only it kept.

        An internal snapshot without clones left is removed; a hidden
        (``.deleted``) image without snapshots left is removed, and the walk
        goes on with its own parent. A Glance image's ``snap`` and users'
        snapshots are never touched. Best effort: the child's own change is
        done, so a failure here is logged, not raised.
        """
        try:
            for _ in range(MAX_CHAIN):
                pool, image_name, snap = parent
                if not names.is_internal_snap(snap):
                    return
                with self.conn.ioctx(pool) as ioctx:
                    with self.rbd.Image(ioctx, image_name) as image:
                        if children(image, snap):
                            return
                        if image.is_protected_snap(snap):
                            image.unprotect_snap(snap)
                        image.remove_snap(snap)
                        LOG.info("Removed %s/%s@%s: no clone needs it any more", pool,
                                 image_name, snap)
                        left = list(image.list_snaps())
                        grandparent = parent_of(image)
                    if left or not image_name.endswith(names.DELETED_SUFFIX):
                        return
                    self.rbd.RBD().remove(ioctx, image_name)
                    LOG.info("Removed the hidden image %s/%s: its last clone is gone", pool,
                             image_name)
                if grandparent is None:
                    return
                parent, child = grandparent, image_name
        except self.rbd.ImageNotFound:
            return  # already gone: another cleanup got there first
        except Exception:  # noqa: BLE001 - the caller's change succeeded; leftovers are logged
            LOG.warning("Could not clean up %s after %s stopped depending on it; it stays "
                        "until its next clone goes", describe(parent), child, exc_info=True)

    # -- deleting --------------------------------------------------------------------------------

    def delete(self, ioctx: Any, pool: str, name: str) -> str:
        """Remove a volume's image, or hide it while clones depend on it.

        The caller has checked it has no users' snapshots. Returns "removed"
        or "hidden". An image still open by a client (a hypervisor) is
        refused with a retryable Aborted: a crashed client's watch expires
        within WATCH_EXPIRY seconds.
        """
        with self.rbd.Image(ioctx, name, read_only=True) as image:
            internal = [s["name"] for s in image.list_snaps()
                        if names.is_internal_snap(s["name"])]
            parent = parent_of(image)
        needed = [snap for snap in internal if not self.remove_snap_if_unused(pool, name, snap)]
        if needed:
            hidden = name + names.DELETED_SUFFIX
            self.rbd.RBD().rename(ioctx, name, hidden)
            LOG.info("Volume image %s/%s hidden as %s: clones depend on %s", pool, name,
                     hidden, ", ".join(needed))
            return "hidden"
        try:
            self.rbd.RBD().remove(ioctx, name)
        except self.rbd.ImageBusy as error:
            raise exc.Aborted(
                f"the volume's image {pool}/{name} is still open by a client (a hypervisor "
                "that maps it, or one that crashed: its hold expires within "
                f"{WATCH_EXPIRY:.0f} s); try again later",
                backend=BACKEND, backend_code=str(getattr(error, "errno", "")),
                retry_after=WATCH_EXPIRY) from error
        if parent is not None:
            self.release_parent(parent, name)
        return "removed"

    def hide_snapshot(self, image: Any, pool: str, snap: str) -> str:
        """Rename a snapshot clones still depend on, so the API no longer shows it."""
        hidden = snap + names.DELETED_SUFFIX
        image.rename_snap(snap, hidden)
        LOG.info("Snapshot %s/%s@%s hidden as %s: clones depend on it", pool,
                 image.get_name(), snap, hidden)
        return hidden
