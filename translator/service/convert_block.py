"""Neutral block storage models → translator.v1 messages."""

from __future__ import annotations

from translator.api.v1 import block_storage_pb2 as pb
from translator.drivers import models
from translator.service.convert import timestamp

_TIERS = {models.PRIMARY: pb.StorageLocation.PRIMARY,
          models.SECONDARY: pb.StorageLocation.SECONDARY}

_VOLUME_STATUS = {
    "creating": pb.Volume.CREATING, "available": pb.Volume.AVAILABLE,
    "attaching": pb.Volume.ATTACHING, "in-use": pb.Volume.IN_USE,
    "detaching": pb.Volume.DETACHING, "extending": pb.Volume.EXTENDING,
    "deleting": pb.Volume.DELETING, "error": pb.Volume.ERROR,
}
_SNAPSHOT_STATUS = {
    "creating": pb.Snapshot.CREATING, "available": pb.Snapshot.AVAILABLE,
    "deleting": pb.Snapshot.DELETING, "error": pb.Snapshot.ERROR,
}

# What a volume shows while one of our operations on it runs, as Cinder's
# statuses do, for backends that have no such state of their own.
_VOLUME_PENDING = {
    "CreateVolume": pb.Volume.CREATING, "ExtendVolume": pb.Volume.EXTENDING,
    "AttachVolume": pb.Volume.ATTACHING, "DetachVolume": pb.Volume.DETACHING,
    "DeleteVolume": pb.Volume.DELETING,
}
_SNAPSHOT_PENDING = {"CreateSnapshot": pb.Snapshot.CREATING,
                     "DeleteSnapshot": pb.Snapshot.DELETING}
# Only a settled status is overlaid: an error stays an error.
_SETTLED_VOLUME = (pb.Volume.AVAILABLE, pb.Volume.IN_USE)


def location(loc: models.StorageLocation) -> pb.StorageLocation:
    return pb.StorageLocation(tier=_TIERS.get(loc.tier, pb.StorageLocation.TIER_UNSPECIFIED),
                              pool=loc.pool)


def volume_type(t: models.VolumeType) -> pb.VolumeType:
    return pb.VolumeType(
        name=t.name, description=t.description, location=location(t.location),
        backend_mapping=t.backend_mapping, size_gb=t.size_gb, max_size_gb=t.max_size_gb,
        thin_provisioned=t.thin_provisioned, snapshots=t.snapshots,
        clone_from_volume=t.clone_from_volume, volume_from_image=t.volume_from_image,
        online_extend=t.online_extend, is_default=t.is_default, extra=t.extra)


def attachment(a: models.Attachment) -> pb.Attachment:
    connection = None
    if a.connection is not None:
        connection = pb.Connection(driver_volume_type=a.connection.driver_volume_type,
                                   data=a.connection.data)
    return pb.Attachment(server_id=a.server_id, device=a.device,
                         attach_time=timestamp(a.attached_at), connection=connection)


def volume(v: models.Volume, pending_verb: str = "") -> pb.Volume:
    status = _VOLUME_STATUS.get(v.status, pb.Volume.STATUS_UNSPECIFIED)
    if pending_verb in _VOLUME_PENDING and status in _SETTLED_VOLUME:
        status = _VOLUME_PENDING[pending_verb]
    return pb.Volume(
        id=v.id, name=v.name, status=status, size_gb=v.size_gb, volume_type=v.volume_type,
        availability_zone=v.availability_zone, metadata=v.metadata,
        source_snapshot_id=v.source_snapshot_id, source_volume_id=v.source_volume_id,
        source_image_id=v.source_image_id,
        attachments=[attachment(a) for a in v.attachments], location=location(v.location),
        bootable=v.bootable, create_time=timestamp(v.created_at), extra=v.extra)


def snapshot(s: models.Snapshot, pending_verb: str = "") -> pb.Snapshot:
    status = _SNAPSHOT_STATUS.get(s.status, pb.Snapshot.STATUS_UNSPECIFIED)
    if pending_verb in _SNAPSHOT_PENDING and status == pb.Snapshot.AVAILABLE:
        status = _SNAPSHOT_PENDING[pending_verb]
    return pb.Snapshot(
        id=s.id, name=s.name, status=status, volume_id=s.volume_id, size_gb=s.size_gb,
        location=location(s.location), create_time=timestamp(s.created_at),
        metadata=s.metadata, extra=s.extra)
