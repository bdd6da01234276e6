"""Names, records and page tokens of the Ceph block storage driver, and its neutral models.

Layout in the cluster (Cinder's naming, so an operator's ``rbd ls`` reads the same):

- a volume is the RBD image ``volume-<uuid>`` in its type's pool; what the API
  knows of it beyond size and parent (name, type, metadata, sources,
  attachment) is in the pool's index (rbd_index). An image without an index
  entry is not the translator's;
- a snapshot is the RBD snapshot ``snapshot-<uuid>`` of its volume's image,
  with its name and metadata in the same index;
- hidden, internal snapshots: ``volume-<new>.clone_snap`` (a volume cloned
  from another volume) and ``snapshot-<uuid>.deleted`` (a deleted snapshot
  that clones still depend on); a volume deleted while clones depend on it
  stays as the hidden image ``volume-<uuid>.deleted``. Each goes when its
  last clone goes.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph.rbd_errors import BACKEND

GiB = 1024**3

VOLUME_PREFIX = "volume-"
SNAPSHOT_PREFIX = "snapshot-"
CLONE_SNAP_SUFFIX = ".clone_snap"
DELETED_SUFFIX = ".deleted"
#: The snapshot Glance's RBD store makes (and protects) on every image.
GLANCE_SNAP = "snap"

_GLANCE_IMAGE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{4,2048}$")


# -- names ---------------------------------------------------------------------------------


def canonical_id(value: str) -> str | None:
    """``value`` if it is a UUID in its canonical (lowercase, hyphenated) form, else None."""
    try:
        parsed = uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None
    return value if str(parsed) == value else None


def new_id() -> str:
    return str(uuid.uuid4())


def volume_image(volume_id: str) -> str:
    return VOLUME_PREFIX + volume_id


def volume_id_of(image_name: str) -> str | None:
    """The volume id of an image named ``volume-<uuid>`` (a hidden one has none)."""
    if not image_name.startswith(VOLUME_PREFIX):
        return None
    return canonical_id(image_name[len(VOLUME_PREFIX):])


def snapshot_name(snapshot_id: str) -> str:
    return SNAPSHOT_PREFIX + snapshot_id


def snapshot_id_of(snap_name: str) -> str | None:
    if not snap_name.startswith(SNAPSHOT_PREFIX):
        return None
    return canonical_id(snap_name[len(SNAPSHOT_PREFIX):])


def clone_snap(child_image: str) -> str:
    """The internal snapshot of a source volume that the clone ``child_image`` hangs from."""
    if child_image.endswith(DELETED_SUFFIX):
        child_image = child_image[:-len(DELETED_SUFFIX)]
    return child_image + CLONE_SNAP_SUFFIX


def is_internal_snap(snap_name: str) -> bool:
    """A snapshot the translator keeps for clones only, invisible in the API."""
    return snap_name.endswith((CLONE_SNAP_SUFFIX, DELETED_SUFFIX))


def glance_image_ok(image_id: str) -> bool:
    """Whether ``image_id`` can name an RBD image (Glance ids are UUIDs)."""
    return bool(_GLANCE_IMAGE.match(image_id or ""))


def gib(size_bytes: int) -> int:
    """Bytes → whole GiB, rounded up (an image made from a source of any size)."""
    return max(1, math.ceil(size_bytes / GiB)) if size_bytes else 0


def utc(value: datetime.datetime | None) -> datetime.datetime | None:
    """librbd's timestamps are naive UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=datetime.UTC)


# -- page tokens -----------------------------------------------------------------------------


def encode_token(kind: str, pool: str, name: str) -> str:
    """An opaque token for the item after ``pool``/``name`` in a listing of ``kind``."""
    raw = json.dumps([kind, pool, name], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str, kind: str) -> tuple[str, str] | None:
    """(pool, name) of a token made by encode_token for ``kind``; None for ""."""
    if not token:
        return None
    bad = exc.InvalidInput("page_token is not a token this listing returned",
                           field="page_token", backend=BACKEND)
    if not _TOKEN.match(token):
        raise bad
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        got_kind, pool, name = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise bad from None
    if got_kind != kind or not isinstance(pool, str) or not isinstance(name, str):
        raise bad
    return pool, name


# -- what the index holds -----------------------------------------------------------------------


@dataclass
class VolumeRecord:
    """The API's view of a volume that RBD does not keep itself."""

    name: str = ""
    volume_type: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    source_snapshot_id: str = ""
    source_volume_id: str = ""
    source_image_id: str = ""
    bootable: bool = False

    def entry(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.volume_type, "metadata": self.metadata,
                "source_snapshot_id": self.source_snapshot_id,
                "source_volume_id": self.source_volume_id,
                "source_image_id": self.source_image_id, "bootable": self.bootable}

    @classmethod
    def from_entry(cls, data: dict[str, Any]) -> VolumeRecord:
        return cls(name=str(data.get("name", "")), volume_type=str(data.get("type", "")),
                   metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
                   source_snapshot_id=str(data.get("source_snapshot_id", "")),
                   source_volume_id=str(data.get("source_volume_id", "")),
                   source_image_id=str(data.get("source_image_id", "")),
                   bootable=bool(data.get("bootable", False)))


@dataclass
class AttachmentRecord:
    server_id: str
    attached_at: str = ""  # ISO 8601, UTC

    def entry(self) -> dict[str, Any]:
        return {"server_id": self.server_id, "attached_at": self.attached_at}

    @classmethod
    def from_entry(cls, data: dict[str, Any] | None) -> AttachmentRecord | None:
        if not data or not data.get("server_id"):
            return None
        return cls(str(data["server_id"]), str(data.get("attached_at", "")))

    @classmethod
    def now(cls, server_id: str) -> AttachmentRecord:
        stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        return cls(server_id, stamp)

    def when(self) -> datetime.datetime | None:
        try:
            return utc(datetime.datetime.fromisoformat(self.attached_at))
        except ValueError:
            return None


# -- neutral models ------------------------------------------------------------------------------


@dataclass
class ImageFacts:
    """What the index and one read of a volume's RBD image say of it."""

    pool: str
    image: str
    size: int
    features: str
    created_at: datetime.datetime | None
    parent: str  # "pool/image@snap", or "" when not a clone
    record: VolumeRecord
    attachment: AttachmentRecord | None


def volume(volume_id: str, facts: ImageFacts,
           connection: models.Connection | None) -> models.Volume:
    record, attached = facts.record, facts.attachment
    attachments = [models.Attachment(server_id=attached.server_id, device="",
                                     attached_at=attached.when(), connection=connection)
                   ] if attached else []
    extra = {"rbd_pool": facts.pool, "rbd_image": facts.image,
             "rbd_features": facts.features}
    if facts.parent:
        extra["rbd_parent"] = facts.parent
    return models.Volume(
        id=volume_id, name=record.name, status="in-use" if attached else "available",
        size_gb=gib(facts.size), volume_type=record.volume_type, availability_zone="",
        metadata=dict(record.metadata), source_snapshot_id=record.source_snapshot_id,
        source_volume_id=record.source_volume_id, source_image_id=record.source_image_id,
        attachments=attachments, location=models.StorageLocation(models.PRIMARY, facts.pool),
        bootable=record.bootable, created_at=facts.created_at, extra=extra)


def snapshot(snapshot_id: str, entry: dict[str, Any], pool: str, image: str,
             snap: dict[str, Any], created_at: datetime.datetime | None,
             protected: bool) -> models.Snapshot:
    """``entry`` is the index's, ``snap`` one of librbd's list_snaps() dicts."""
    return models.Snapshot(
        id=snapshot_id, name=str(entry.get("name", "")), status="available",
        volume_id=str(entry.get("volume_id", "")), size_gb=gib(int(snap["size"])),
        location=models.StorageLocation(models.PRIMARY, pool), created_at=utc(created_at),
        metadata={str(k): str(v) for k, v in (entry.get("metadata") or {}).items()},
        extra={"rbd_pool": pool, "rbd_image": image, "rbd_snap": str(snap["name"]),
               "rbd_protected": "true" if protected else "false"})


def connection(pool: str, image: str, volume_id: str, *, monitors: list[dict[str, str]],
               user: str, auth_enabled: bool, cluster_name: str,
               secret_uuid: str) -> models.Connection:
    """Cinder's rbd connection info (what os-brick and Nova's libvirt driver read), as strings.

    ``hosts``/``ports``/``monitors`` give each monitor's msgr1 address, which
    any client understands without a protocol prefix; ``mon_host`` gives
    Ceph's own address vectors (msgr2 and msgr1). No key: the hypervisor has
    its own keyring or libvirt secret (``secret_uuid``).
    """
    legacy = [m["legacy"] for m in monitors if m.get("legacy")]
    hosts = [a.rsplit(":", 1)[0].strip("[]") for a in legacy]
    ports = [a.rsplit(":", 1)[1] for a in legacy]
    data = {
        "name": f"{pool}/{image}", "pool": pool, "image": image, "volume_id": volume_id,
        "monitors": ",".join(legacy), "hosts": ",".join(hosts), "ports": ",".join(ports),
        "mon_host": ",".join(m["addrvec"] for m in monitors if m.get("addrvec")),
        "cluster_name": cluster_name, "auth_enabled": "true" if auth_enabled else "false",
        "user": user, "auth_username": user, "secret_type": "ceph", "discard": "true",
    }
    if secret_uuid:
        data["secret_uuid"] = secret_uuid
    return models.Connection("rbd", data)
