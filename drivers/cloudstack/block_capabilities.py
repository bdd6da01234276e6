"""What the CloudStack block storage driver supports, and where CloudStack differs from Cinder."""

from __future__ import annotations

from translator.drivers import models

_OPERATIONS = {
    "ListVolumeTypes": (True, "volume types map to disk offerings by name or storage tags"),
    "CreateVolume": (True, "createVolume; the volume is placed on a primary pool at its "
                           "first attach"),
    "GetVolume": (True, "listVolumes"),
    "ListVolumes": (True, "listVolumes, paged by CloudStack"),
    "ExtendVolume": (True, "resizeVolume (size for customizable offerings, else a larger "
                           "offering of the same type); on XenServer only while detached or "
                           "the server is stopped"),
    "DeleteVolume": (True, "deleteVolume; refused while attached (CloudStack error 536)"),
    "AttachVolume": (True, "attachVolume to a CloudStack VM; only the cloudstack compute "
                           "driver's servers"),
    "DetachVolume": (True, "detachVolume; the root volume cannot be detached"),
    "CreateSnapshot": (True, "createSnapshot, backed up to secondary storage; only a volume "
                             "placed on primary storage (attached at least once)"),
    "GetSnapshot": (True, "listSnapshots"),
    "ListSnapshots": (True, "listSnapshots, paged by CloudStack"),
    "DeleteSnapshot": (True, "deleteSnapshot"),
}


def capabilities(clone_via_snapshot: bool) -> models.ApiCapabilities:
    clone = ("a snapshot of the source on secondary storage, a volume from it, then the "
             "snapshot is deleted (a full copy, not copy-on-write)" if clone_via_snapshot else
             "refused: CloudStack has no volume clone ([cloudstack] clone_volume_via_snapshot "
             "enables a copy through a snapshot)")
    options = {"CreateVolume": [
        models.OptionSupport("snapshot_id", True,
                             "createVolume(snapshotid): at the snapshot's size, with the "
                             "disk offering of the snapshot's volume"),
        models.OptionSupport("source_volume_id", clone_via_snapshot, clone),
        models.OptionSupport("image_id", False,
                             "CloudStack makes no data volume from a template"),
        models.OptionSupport("size_gb", True,
                             "a fixed-size offering of the type when one matches, else its "
                             "customizable offering"),
        models.OptionSupport("metadata", True, "CloudStack resource tags; values must not "
                                               "be empty"),
    ]}
    return models.ApiCapabilities(
        api="block_storage", driver="cloudstack",
        operations=[models.OperationSupport(name, supported, note, options.get(name, []))
                    for name, (supported, note) in _OPERATIONS.items()],
        notes=[
            "Volumes live on CloudStack primary storage; the disk offering's storage tags "
            "choose the pools.",
            "A new volume stays Allocated (no pool) until its first attach; then CloudStack "
            "places it, and fails the attach (error 533) when no tagged pool has room.",
            "Snapshots are backed up to secondary storage (NFS or an object store).",
            "Attachments: the connection is CloudStack's own (driver_volume_type "
            "\"cloudstack\"); only the cloudstack compute driver's servers can use them.",
            f"Volume from volume: {clone}.",
            "Progress is estimated: CloudStack jobs report none.",
        ])
