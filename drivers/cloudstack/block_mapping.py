"""CloudStack volumes, snapshots and disk offerings → neutral block storage models.

CloudStack places a new data disk lazily: createVolume leaves it ``Allocated``
with no primary pool, and the first attach puts it on a pool whose tags match
its disk offering's. Such a volume is ``available`` with an empty pool.
"""

from __future__ import annotations

from translator.drivers import models
from translator_drivers.cloudstack.mapping import (
    GIB,
    extra_fields,
    flag,
    number,
    tags,
    text,
    timestamp,
)

#: CloudStack volume state → Cinder-like status (attached volumes become in-use).
VOLUME_STATE_MAP = {
    "Allocated": "available",
    "Ready": "available",
    "Creating": "creating",
    "Copying": "creating",
    "UploadOp": "creating",
    "Uploaded": "creating",
    "Resizing": "extending",
    "Migrating": "available",
    "Snapshotting": "available",
    "RevertSnapshotting": "available",
    "Destroy": "deleting",
    "Expunging": "deleting",
    "Expunged": "deleting",
    "UploadError": "error",
    "UploadAbandoned": "error",
}

#: CloudStack snapshot state → Cinder-like status.
SNAPSHOT_STATE_MAP = {
    "Allocated": "creating",
    "Creating": "creating",
    "CreatedOnPrimary": "creating",
    "BackingUp": "creating",
    "Copying": "creating",
    "BackedUp": "available",
    "Destroying": "deleting",
    "Destroyed": "deleting",
    "Error": "error",
}

_VOLUME_EXTRA = {
    "state": "cloudstack_state",
    "type": "cloudstack_volume_type",
    "diskofferingid": "disk_offering_id",
    "diskofferingname": "disk_offering_name",
    "storageid": "storage_id",
    "storagetype": "storage_type",
    "provisioningtype": "provisioning_type",
    "hypervisor": "hypervisor",
    "zoneid": "zone_id",
}
_SNAPSHOT_EXTRA = {
    "state": "cloudstack_state",
    "snapshottype": "snapshot_type",
    "intervaltype": "interval_type",
    "volumename": "volume_name",
    "volumetype": "cloudstack_volume_type",
    "zoneid": "zone_id",
}


def offering_tags(offering: dict) -> frozenset[str]:
    """A disk offering's (or pool's) storage tags; CloudStack sends them comma-separated."""
    return frozenset(t.strip() for t in text(offering.get("tags")).split(",") if t.strip())


def gib(size_bytes: object) -> int:
    """Bytes → whole GiB, rounding up (a volume is never reported smaller than it is)."""
    return -(-number(size_bytes) // GIB)


def volume(data: dict, volume_type: str = "") -> models.Volume:
    state = text(data.get("state"))
    status = VOLUME_STATE_MAP.get(state, "error")
    server = text(data.get("virtualmachineid"))
    attachments = []
    if server:
        if status == "available":
            status = "in-use"
        device = text(data.get("deviceid"))
        attachments.append(models.Attachment(
            server_id=server, device=device, attached_at=timestamp(data.get("attached")),
            connection=models.Connection("cloudstack", {"virtualmachineid": server,
                                                        "deviceid": device})))
    # CloudStack names the pool of an unplaced (Allocated) volume "none".
    pool = text(data.get("storage"))
    if not data.get("storageid") and pool == "none":
        pool = ""
    fields = extra_fields(data, _VOLUME_EXTRA)
    if fields.get("hypervisor") == "None":  # an unplaced volume has no hypervisor yet
        del fields["hypervisor"]
    if state not in VOLUME_STATE_MAP:
        fields["unknown_state"] = state
    return models.Volume(
        id=text(data.get("id")), name=text(data.get("name")), status=status,
        size_gb=gib(data.get("size")), volume_type=volume_type,
        availability_zone=text(data.get("zonename")), metadata=tags(data.get("tags")),
        source_snapshot_id=text(data.get("snapshotid")), attachments=attachments,
        location=models.StorageLocation(models.PRIMARY, pool),
        bootable=text(data.get("type")) == "ROOT", created_at=timestamp(data.get("created")),
        extra=fields)


def snapshot(data: dict, store: str = "") -> models.Snapshot:
    """A snapshot; ``store`` is the secondary storage it was backed up to, when known."""
    state = text(data.get("state"))
    size = data.get("virtualsize") or data.get("physicalsize") or 0
    return models.Snapshot(
        id=text(data.get("id")), name=text(data.get("name")),
        status=SNAPSHOT_STATE_MAP.get(state, "error"), volume_id=text(data.get("volumeid")),
        size_gb=gib(size), location=models.StorageLocation(models.SECONDARY, store),
        created_at=timestamp(data.get("created")), metadata=tags(data.get("tags")),
        extra=extra_fields(data, _SNAPSHOT_EXTRA))


def describe_offering(offering: dict) -> str:
    size = number(offering.get("disksize"))
    sized = "any size" if flag(offering.get("iscustomized")) else f"{size} GiB"
    found = sorted(offering_tags(offering))
    tagged = f", tags {','.join(found)}" if found else ""
    return f"{text(offering.get('name'))} ({sized}{tagged})"
