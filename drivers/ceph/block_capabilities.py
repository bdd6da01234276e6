"""What the Ceph block storage driver supports, and how RBD differs from Cinder's model."""

from __future__ import annotations

from translator.drivers import models

_OPERATIONS = {
    "ListVolumeTypes": "each type is an RBD pool and a set of image features",
    "CreateVolume": "a thin RBD image volume-<uuid> in the type's pool; clones are "
                    "copy-on-write (layering)",
    "GetVolume": "the image and the pool's index entry of the volume",
    "ListVolumes": "the volumes of every type's pool, from the pools' indexes, in pool then "
                   "id order",
    "ExtendVolume": "resize; online (an attached volume can grow)",
    "DeleteVolume": "refused while attached or while it has snapshots; a volume that clones "
                    "depend on is hidden and removed with its last clone",
    "AttachVolume": "records the server and returns rbd connection info (monitors, pool, "
                    "image, user; never a key); the compute backend must map RBD disks",
    "DetachVolume": "forgets the attachment (the hypervisor unmaps the disk)",
    "CreateSnapshot": "an RBD snapshot of the volume's image, in the volume's pool "
                      "(primary storage)",
    "GetSnapshot": "the RBD snapshot, found through the pool's index",
    "ListSnapshots": "from the pools' indexes, or one volume's snapshots",
    "DeleteSnapshot": "removes the RBD snapshot; one that volumes were cloned from is hidden "
                      "and removed with its last clone",
}


def capabilities(*, flatten_from_snapshot: bool, max_clone_depth: int,
                 images_pool: str) -> models.ApiCapabilities:
    if max_clone_depth > 0:
        depth = (f"a new clone deeper than {max_clone_depth} levels is flattened "
                 "([ceph] rbd_max_clone_depth)")
    else:
        depth = ("every new volume is flattened at once, a full copy "
                 "([ceph] rbd_max_clone_depth = 0)")
    from_snapshot = ("copy-on-write clone of the snapshot, then flattened (a full copy; "
                     "[ceph] rbd_flatten_volume_from_snapshot)" if flatten_from_snapshot else
                     "copy-on-write clone of the snapshot (layering)")
    options = {"CreateVolume": [
        models.OptionSupport("snapshot_id", True, from_snapshot),
        models.OptionSupport("source_volume_id", True,
                             "a hidden snapshot of the source, then a copy-on-write clone of "
                             "it; " + depth),
        models.OptionSupport("image_id", True,
                             f"copy-on-write clone of {images_pool}/<image_id>@snap (Glance's "
                             "RBD store layout; the snapshot must be protected): as fast for "
                             "a 10 GiB image as for a 1 GiB one"),
        models.OptionSupport("size_gb", True,
                             "any size up to [block_storage] max_volume_size_gb; from a "
                             "source, at least the source's size (the clone is grown)"),
        models.OptionSupport("availability_zone", False,
                             "RBD has no availability zones: only an empty value is accepted"),
        models.OptionSupport("metadata", True, "kept in the pool's index, not on the image"),
    ]}
    return models.ApiCapabilities(
        api="block_storage", driver="ceph",
        operations=[models.OperationSupport(name, True, note, options.get(name, []))
                    for name, note in _OPERATIONS.items()],
        notes=[
            "Volumes are thin-provisioned RBD images; space is used only where data is "
            "written.",
            "Clones (from a snapshot, a volume or an image) share their parent's data "
            "copy-on-write until flattened.",
            f"Volume from snapshot: {from_snapshot}. Volume from volume: {depth}.",
            "Snapshots are RBD snapshots in the volume's own pool: primary storage, not "
            "secondary; they go with the cluster, not a backup.",
            "Attach returns rbd connection info for the hypervisor to map the image itself "
            "(driver_volume_type \"rbd\"); only compute backends that map RBD disks can use it.",
            "A volume or snapshot deleted while clones depend on it disappears from the API at "
            "once; its data stays hidden in the pool until the last clone is deleted or "
            "flattened.",
        ])
