"""The Ceph RBD block storage driver: Cinder-shaped volumes as thin RBD images.

A volume type is an RBD pool and a set of image features
(``[volume_type:<name>] rbd_pool``, ``rbd_features``). Volumes from a
snapshot, a volume or a Glance image are copy-on-write clones (layering),
flattened when ``[ceph] rbd_flatten_volume_from_snapshot`` or
``rbd_max_clone_depth`` say so, as Cinder's RBD driver does. Every change is
synchronous (a BackendTask without jobs): RBD answers in milliseconds, except
a flatten, which copies the data.

CreateVolume's paths are in block_create, snapshots in block_snapshots; the
names, records and index the driver keeps in the cluster are described in
rbd_mapping and rbd_index; clone chains and their cleanup in rbd_images.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

from oslo_config import cfg

from translator.conf import block_storage as block_conf
from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.ceph import conf as ceph_conf
from translator_drivers.ceph import rbd_index
from translator_drivers.ceph import rbd_mapping as names
from translator_drivers.ceph.block_capabilities import capabilities
from translator_drivers.ceph.block_create import CreateMixin
from translator_drivers.ceph.block_snapshots import SnapshotsMixin
from translator_drivers.ceph.rbd_client import RadosConnection, bindings
from translator_drivers.ceph.rbd_errors import BACKEND, CephMisconfigured, mapped, not_found
from translator_drivers.ceph.rbd_images import Images, describe, parent_of

LOG = logging.getLogger(__name__)

GiB = names.GiB
#: Volume id → pool hints kept at most (a miss only costs a lookup in the other pools).
_WHERE_LIMIT = 100_000
#: Seconds a volume just made is answered from memory, once (see _fresh).
FRESH_SECONDS = 30.0
#: Stripes of the per-volume locks that serialise attach, detach and delete in this process.
_LOCK_STRIPES = 64


@dataclasses.dataclass
class Located:
    """A volume as its pool's index has it; ``ioctx`` and ``image`` while it is open."""

    volume_id: str
    pool: str
    record: names.VolumeRecord
    attachment: names.AttachmentRecord | None
    ioctx: Any = None
    image: Any = None

    @property
    def name(self) -> str:
        return names.volume_image(self.volume_id)


class CephBlockStorageDriver(CreateMixin, SnapshotsMixin, base.BlockStorageDriver):
    """Block storage on Ceph RBD."""

    name = "ceph"
    connection_type = "rbd"

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        ceph_conf.register_opts(conf)
        block_conf.register_type_opts(conf, ceph_conf.type_opts)

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        ceph_conf.register_opts(conf)
        self.conn = RadosConnection(conf.ceph)
        self.images = Images(self.conn)
        self._where: dict[str, str] = {}  # volume id → pool, a hint tried first
        self._features: dict[str, int] = {}
        self._identity: tuple[str, bool] | None = None
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self._fresh: dict[str, tuple[float, models.Volume]] = {}
        self._fresh_lock = threading.Lock()
        self._golden: dict[tuple[str, str], tuple[float, Any]] = {}
        self._golden_lock = threading.Lock()

    @property
    def opts(self):
        return self.conf.ceph

    @property
    def rbd(self) -> Any:
        return bindings()[1]

    # -- lifecycle --------------------------------------------------------------------------

    def setup(self) -> None:
        self.conn.connect()

    def check_setup(self) -> None:
        """The cluster answers; every type's pool exists and its features are valid."""
        self.conn.connect()
        problems = []
        for type_name in self.conf.block_storage.volume_types:
            pool = self._type_pool(type_name)
            if not self.conn.pool_exists(pool):
                problems.append(f"pool {pool!r} of volume type {type_name!r} does not exist")
            try:
                self._type_features(type_name)
            except CephMisconfigured as error:
                problems.append(error.operator_message)
        if problems:
            raise CephMisconfigured("the Ceph block storage backend is misconfigured",
                                    "; ".join(problems), backend=BACKEND)
        if not self.conn.pool_exists(self.opts.rbd_images_pool):
            LOG.warning("The images pool %r ([ceph] rbd_images_pool) does not exist: "
                        "CreateVolume from an image will fail", self.opts.rbd_images_pool)

    def close(self) -> None:
        self.conn.close()

    def capabilities(self) -> models.ApiCapabilities:
        return capabilities(flatten_from_snapshot=self.opts.rbd_flatten_volume_from_snapshot,
                            max_clone_depth=self.opts.rbd_max_clone_depth,
                            images_pool=self.opts.rbd_images_pool)

    def expected_seconds(self, verb: str) -> float:
        return 1.0

    def peek(self, method: str, *args: Any) -> Any | None:
        """A volume just made, without I/O: what finishing its CreateVolume reads first."""
        if method == "get_volume" and len(args) == 1:
            return self._fresh_take(args[0])
        return None

    # -- volume types -----------------------------------------------------------------------

    def _type_conf(self, type_name: str):
        try:
            return block_conf.type_conf(self.conf, type_name)
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
            self.register_opts(self.conf)
            return block_conf.type_conf(self.conf, type_name)

    def _type_name(self, requested: str) -> str:
        opts = self.conf.block_storage
        type_name = requested or opts.default_volume_type
        if type_name not in opts.volume_types:
            raise exc.InvalidInput(f"volume_type must be one of {', '.join(opts.volume_types)}",
                                   field="volume_type", backend=BACKEND)
        return type_name

    def _type_pool(self, type_name: str) -> str:
        return self._type_conf(type_name).rbd_pool or self.opts.rbd_pool

    def _type_feature_names(self, type_name: str) -> list[str]:
        return [f.strip() for f in self._type_conf(type_name).rbd_features if f.strip()]

    def _type_features(self, type_name: str) -> int:
        """The feature bits of a type's images; layering is required (clones need it)."""
        if type_name in self._features:
            return self._features[type_name]
        wanted = self._type_feature_names(type_name)
        rbd = self.rbd
        try:
            bits = rbd.RBD().features_from_string(",".join(wanted))
        except rbd.Error as error:
            raise CephMisconfigured(
                "the Ceph block storage backend is misconfigured",
                f"[volume_type:{type_name}] rbd_features {wanted} are not all RBD features: "
                f"{error}", backend=BACKEND) from error
        if not bits & rbd.RBD_FEATURE_LAYERING:
            raise CephMisconfigured(
                "the Ceph block storage backend is misconfigured",
                f"[volume_type:{type_name}] rbd_features must include layering (clones need "
                "it)", backend=BACKEND)
        self._features[type_name] = bits
        return bits

    def _pools(self) -> list[str]:
        """Every pool volumes may be in, in listing order."""
        types = self.conf.block_storage.volume_types
        return sorted({self.opts.rbd_pool, *(self._type_pool(t) for t in types)})

    def list_volume_types(self) -> list[models.VolumeType]:
        opts = self.conf.block_storage
        types = []
        for type_name in opts.volume_types:
            pool, features = self._type_pool(type_name), self._type_feature_names(type_name)
            types.append(models.VolumeType(
                name=type_name, description=self._type_conf(type_name).description,
                location=models.StorageLocation(models.PRIMARY, pool),
                backend_mapping=f"RBD pool {pool}, features {', '.join(features)}",
                max_size_gb=opts.max_volume_size_gb, thin_provisioned=True, snapshots=True,
                clone_from_volume=True, volume_from_image=True, online_extend=True,
                is_default=type_name == opts.default_volume_type,
                extra={"rbd_pool": pool, "rbd_features": ",".join(features)}))
        return types

    # -- finding volumes -----------------------------------------------------------------------

    def _check_id(self, volume_id: str, kind: str = "volume") -> str:
        checked = names.canonical_id(volume_id)
        if checked is None:
            raise not_found(kind, volume_id)
        return checked

    def _locate(self, volume_id: str, kind: str = "volume") -> Located:
        """The volume's index entries, from whichever pool has them; NotFound if none does."""
        volume_id = self._check_id(volume_id, kind)
        pools = self._pools()
        hint = self._where.get(volume_id)
        if hint in pools:
            pools.remove(hint)
            pools.insert(0, hint)
        keys = [(rbd_index.VOLUME, volume_id), (rbd_index.ATTACHMENT, volume_id)]
        for pool in pools:
            with self._pool_ioctx(pool) as ioctx:
                found = rbd_index.read(ioctx, keys) if ioctx is not None else {}
            if keys[0] in found:
                self._remember(volume_id, pool)
                return Located(volume_id, pool, names.VolumeRecord.from_entry(found[keys[0]]),
                               names.AttachmentRecord.from_entry(found.get(keys[1])))
        self._where.pop(volume_id, None)
        raise not_found(kind, volume_id)

    @contextlib.contextmanager
    def _open(self, volume_id: str, *, read_only: bool = False,
              kind: str = "volume") -> Iterator[Located]:
        """The volume, with its image open; NotFound without an entry or an image.

        An entry without an image is a create still running or one a crash
        interrupted: not a volume (yet).
        """
        located = self._locate(volume_id, kind)
        rbd = self.rbd
        with self.conn.ioctx(located.pool) as ioctx:
            try:
                image = rbd.Image(ioctx, located.name, read_only=read_only)
            except rbd.ImageNotFound:
                raise not_found(kind, volume_id) from None
            with image:
                yield dataclasses.replace(located, ioctx=ioctx, image=image)

    def _remember(self, volume_id: str, pool: str) -> None:
        if len(self._where) >= _WHERE_LIMIT:
            self._where.clear()
        self._where[volume_id] = pool

    def _fresh_put(self, volume: models.Volume) -> None:
        """Keep a volume just made for the read that finishes its operation.

        That read would open the image (twice the cost of the clone itself,
        as a clone's open opens its parent too) only to learn what the create
        just did. Answered once, within FRESH_SECONDS; any change to the
        volume in this process drops it.
        """
        now = time.monotonic()
        with self._fresh_lock:
            for stale in [k for k, (t, _) in self._fresh.items() if now - t > FRESH_SECONDS]:
                del self._fresh[stale]
            self._fresh[volume.id] = (now, volume)

    def _fresh_take(self, volume_id: str) -> models.Volume | None:
        with self._fresh_lock:
            kept = self._fresh.pop(volume_id, None)
        if kept is None or time.monotonic() - kept[0] > FRESH_SECONDS:
            return None
        return kept[1]

    def _changed(self, volume_id: str) -> None:
        with self._fresh_lock:
            self._fresh.pop(volume_id, None)

    @contextlib.contextmanager
    def _pool_ioctx(self, pool: str) -> Iterator[Any]:
        """An ioctx on ``pool``, or None when the pool does not exist (logged)."""
        rados = self.conn.rados
        with contextlib.ExitStack() as stack:
            try:
                ioctx = stack.enter_context(self.conn.ioctx(pool))
            except rados.ObjectNotFound:
                LOG.warning("Pool %r does not exist (see [ceph] rbd_pool and the volume "
                            "types' rbd_pool)", pool)
                ioctx = None
            yield ioctx

    @contextlib.contextmanager
    def _target_ioctx(self, pool: str, what: str) -> Iterator[Any]:
        with self._pool_ioctx(pool) as ioctx:
            if ioctx is None:
                raise CephMisconfigured(
                    f"the Ceph pool of {what} does not exist",
                    f"pool {pool!r} of {what} does not exist", backend=BACKEND)
            yield ioctx

    def _lock_for(self, volume_id: str) -> threading.Lock:
        return self._locks[zlib.crc32(volume_id.encode()) % _LOCK_STRIPES]

    # -- reading volumes ------------------------------------------------------------------------

    def _facts(self, located: Located) -> names.ImageFacts:
        image = located.image
        return names.ImageFacts(
            pool=located.pool, image=located.name, size=image.size(),
            features=self.rbd.RBD().features_to_string(image.features()),
            created_at=names.utc(image.create_timestamp()),
            parent=describe(parent_of(image)), record=located.record,
            attachment=located.attachment)

    def _volume(self, volume_id: str, facts: names.ImageFacts) -> models.Volume:
        connection = None
        if facts.attachment is not None:
            connection = self._connection(facts.pool, facts.image, volume_id)
        return names.volume(volume_id, facts, connection)

    def _connection(self, pool: str, image: str, volume_id: str) -> models.Connection:
        if self._identity is None:
            self._identity = self.conn.identity()
        user, auth_enabled = self._identity
        return names.connection(pool, image, volume_id, monitors=self.conn.monitors(),
                                user=user, auth_enabled=auth_enabled,
                                cluster_name=self.opts.rbd_cluster_name,
                                secret_uuid=self.opts.rbd_secret_uuid)

    def get_volume(self, volume_id: str) -> models.Volume:
        fresh = self._fresh_take(volume_id)
        if fresh is not None:
            return fresh
        with mapped(f"reading volume {volume_id}", not_found=f"volume {volume_id!r} not found"):
            with self._open(volume_id, read_only=True) as located:
                facts = self._facts(located)
            return self._volume(located.volume_id, facts)

    def list_volumes(self, page_size: int, page_token: str) -> models.Page[models.Volume]:
        """Pools in name order, then volumes in id order (the index's); the token names the
        last one returned."""
        after = names.decode_token(page_token, "volumes")
        page_size = page_size if page_size > 0 else 100
        items: list[models.Volume] = []
        last: tuple[str, str] | None = None
        more = False
        with mapped("listing volumes"):
            for pool in self._pools():
                if more or (after and pool < after[0]):
                    continue
                start = after[1] if after and pool == after[0] else ""
                with self._pool_ioctx(pool) as ioctx:
                    if ioctx is None:
                        continue
                    for volume_id, entry in rbd_index.scan(ioctx, rbd_index.VOLUME, start):
                        if len(items) == page_size:
                            more = True
                            break
                        volume = self._read_listed(ioctx, pool, volume_id, entry)
                        if volume is not None:
                            items.append(volume)
                            last = (pool, volume_id)
        token = names.encode_token("volumes", *last) if more and last else ""
        return models.Page(items=items, next_token=token)

    def _read_listed(self, ioctx: Any, pool: str, volume_id: str,
                     entry: dict[str, Any]) -> models.Volume | None:
        """An indexed volume as its image shows it; None while it has no image."""
        rbd = self.rbd
        if names.canonical_id(volume_id) is None:
            return None
        attachment = rbd_index.get(ioctx, rbd_index.ATTACHMENT, volume_id)
        located = Located(volume_id, pool, names.VolumeRecord.from_entry(entry),
                          names.AttachmentRecord.from_entry(attachment))
        try:
            with rbd.Image(ioctx, located.name, read_only=True) as image:
                facts = self._facts(dataclasses.replace(located, ioctx=ioctx, image=image))
        except rbd.ImageNotFound:
            return None
        return self._volume(volume_id, facts)

    # -- changing volumes -----------------------------------------------------------------------

    def extend_volume(self, volume_id: str, new_size_gb: int) -> models.BackendTask:
        with mapped(f"extending volume {volume_id}",
                    not_found=f"volume {volume_id!r} not found"), \
                self._open(volume_id) as located:
            self._changed(located.volume_id)
            current = located.image.size()
            if new_size_gb * GiB <= current:
                raise exc.InvalidInput(
                    f"new_size_gb must be larger than the volume's {names.gib(current)} GiB "
                    "(RBD volumes only grow)", field="new_size_gb", backend=BACKEND)
            located.image.resize(new_size_gb * GiB)
        LOG.info("Extended volume %s to %d GiB", volume_id, new_size_gb)
        return models.BackendTask(resource_id=located.volume_id)

    def delete_volume(self, volume_id: str) -> models.BackendTask:
        """Refused while attached or with snapshots (Cinder's rule); clones keep their data."""
        volume_id = self._check_id(volume_id)
        self._changed(volume_id)
        with self._lock_for(volume_id), mapped(f"deleting volume {volume_id}",
                                               not_found=f"volume {volume_id!r} not found"):
            located = self._locate(volume_id)
            entries = [(rbd_index.VOLUME, volume_id), (rbd_index.ATTACHMENT, volume_id)]
            with self.conn.ioctx(located.pool) as ioctx:
                try:
                    with self.rbd.Image(ioctx, located.name, read_only=True) as image:
                        snaps = [s["name"] for s in image.list_snaps()
                                 if not names.is_internal_snap(s["name"])]
                except self.rbd.ImageNotFound:
                    rbd_index.remove(ioctx, *entries)  # left by a create a crash interrupted
                    raise not_found("volume", volume_id) from None
                if located.attachment is not None:
                    raise exc.Conflict(f"volume {volume_id!r} is attached to server "
                                       f"{located.attachment.server_id!r}; detach it first",
                                       backend=BACKEND)
                if snaps:
                    raise exc.Conflict(f"volume {volume_id!r} has {len(snaps)} snapshot(s); "
                                       "delete them first", backend=BACKEND)
                outcome = self.images.delete(ioctx, located.pool, located.name)
                rbd_index.remove(ioctx, *entries)
        self._where.pop(volume_id, None)
        LOG.info("Deleted volume %s (%s/%s %s)", volume_id, located.pool, located.name, outcome)
        return models.BackendTask(resource_id=volume_id)

    def attach_volume(self, volume_id: str, server_id: str) -> models.BackendTask:
        """Record the server; a second server is refused (RBD volumes are not multi-attach)."""
        volume_id = self._check_id(volume_id)
        self._changed(volume_id)
        with self._lock_for(volume_id), mapped(f"attaching volume {volume_id}",
                                               not_found=f"volume {volume_id!r} not found"), \
                self._open(volume_id, read_only=True) as located:
            current = located.attachment
            if current is not None and current.server_id != server_id:
                raise exc.Conflict(f"volume {volume_id!r} is already attached to server "
                                   f"{current.server_id!r}", backend=BACKEND)
            if current is None:
                rbd_index.put(located.ioctx, rbd_index.ATTACHMENT, volume_id,
                              names.AttachmentRecord.now(server_id).entry())
                LOG.info("Attached volume %s to server %s", volume_id, server_id)
        return models.BackendTask(resource_id=volume_id)

    def detach_volume(self, volume_id: str, server_id: str) -> models.BackendTask:
        volume_id = self._check_id(volume_id)
        self._changed(volume_id)
        with self._lock_for(volume_id), mapped(f"detaching volume {volume_id}",
                                               not_found=f"volume {volume_id!r} not found"), \
                self._open(volume_id, read_only=True) as located:
            current = located.attachment
            if current is None:
                raise exc.Conflict(f"volume {volume_id!r} is not attached", backend=BACKEND)
            if server_id and server_id != current.server_id:
                raise exc.Conflict(f"volume {volume_id!r} is attached to server "
                                   f"{current.server_id!r}, not {server_id!r}", backend=BACKEND)
            rbd_index.remove(located.ioctx, (rbd_index.ATTACHMENT, volume_id))
        LOG.info("Detached volume %s from server %s", volume_id, current.server_id)
        return models.BackendTask(resource_id=volume_id)
