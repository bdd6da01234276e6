"""Volumes from a snapshot, a volume and an image: copy-on-write clones of the data,
flattened when the configuration says so."""

from __future__ import annotations

import pytest
from unit.drivers.ceph.conftest import (
    PATTERN,
    GiB,
    allocated,
    create,
    has_parent,
    images,
    open_image,
    open_volume,
    snaps,
    snapshot,
)

from translator.drivers import exceptions as exc


def _with_data(driver, client, size_gb: int = 1, data: bytes = PATTERN) -> str:
    volume_id = create(driver, size_gb)
    with open_volume(client, driver, volume_id) as image:
        image.write(data, 0)
    return volume_id


def _reads(driver, client, volume_id: str, data: bytes = PATTERN) -> bool:
    with open_volume(client, driver, volume_id, read_only=True) as image:
        return image.read(0, len(data)) == data


def test_from_snapshot_is_a_cow_clone_with_the_snapshots_data(driver, client):
    source = _with_data(driver, client)
    snapshot_id = snapshot(driver, source)
    with open_volume(client, driver, source) as image:
        image.write(b"changed after the snapshot", 0)
    copy = create(driver, 0, snapshot_id=snapshot_id)
    volume = driver.get_volume(copy)
    assert volume.source_snapshot_id == snapshot_id and volume.size_gb == 1
    assert volume.extra["rbd_parent"] == f"volumes/volume-{source}@snapshot-{snapshot_id}"
    assert _reads(driver, client, copy)
    with open_volume(client, driver, copy, read_only=True) as image:
        assert has_parent(image) and allocated(image) == 0  # shares the parent's data


def test_from_snapshot_can_be_larger_but_not_smaller(driver, client):
    source = _with_data(driver, client, 2)
    snapshot_id = snapshot(driver, source)
    bigger = create(driver, 5, snapshot_id=snapshot_id)
    assert driver.get_volume(bigger).size_gb == 5
    assert _reads(driver, client, bigger)
    before = images(client, "volumes")
    with pytest.raises(exc.InvalidInput) as refused:
        create(driver, 1, snapshot_id=snapshot_id)
    assert refused.value.violations[0].field == "size_gb"
    assert images(client, "volumes") == before


def test_flatten_volume_from_snapshot_copies_the_data(make_driver, client):
    flattening = make_driver(ceph_opts={"rbd_flatten_volume_from_snapshot": True})
    source = _with_data(flattening, client)
    snapshot_id = snapshot(flattening, source)
    copy = create(flattening, 0, snapshot_id=snapshot_id)
    with open_volume(client, flattening, copy, read_only=True) as image:
        assert not has_parent(image)
        assert allocated(image) > 0
    assert "rbd_parent" not in flattening.get_volume(copy).extra
    assert _reads(flattening, client, copy)
    flattening.delete_snapshot(snapshot_id)  # no clone depends on it: really removed
    assert snaps(client, "volumes", f"volume-{source}") == []


def test_from_volume_clones_a_hidden_snapshot_of_the_source(driver, client):
    source = _with_data(driver, client)
    copy = create(driver, 0, source_volume_id=source)
    volume = driver.get_volume(copy)
    assert volume.source_volume_id == source and volume.size_gb == 1
    clone_snap = f"volume-{copy}.clone_snap"
    assert volume.extra["rbd_parent"] == f"volumes/volume-{source}@{clone_snap}"
    assert snaps(client, "volumes", f"volume-{source}") == [clone_snap]
    assert _reads(driver, client, copy)
    page = driver.list_snapshots(100, "", source)
    assert page.items == []  # internal, not the user's


def test_clone_depth_limit_flattens_the_deepest_clone(make_driver, client):
    shallow = make_driver(ceph_opts={"rbd_max_clone_depth": 2})
    chain = [_with_data(shallow, client)]
    for _ in range(3):
        chain.append(create(shallow, 0, source_volume_id=chain[-1]))
    depths = []
    for volume_id in chain:
        with open_volume(client, shallow, volume_id, read_only=True) as image:
            depths.append(has_parent(image))
    assert depths == [False, True, True, False]  # the third clone would be level 3 > 2
    assert _reads(shallow, client, chain[3])
    # Its clone snapshot went with the flatten: nothing hangs from it any more.
    assert snaps(client, "volumes", f"volume-{chain[2]}") == []


def test_clone_depth_zero_makes_full_copies(make_driver, client):
    copying = make_driver(ceph_opts={"rbd_max_clone_depth": 0})
    source = _with_data(copying, client)
    copy = create(copying, 0, source_volume_id=source)
    with open_volume(client, copying, copy, read_only=True) as image:
        assert not has_parent(image)
    assert _reads(copying, client, copy)
    assert snaps(client, "volumes", f"volume-{source}") == []


def test_from_image_clones_the_glance_snapshot(driver, client, golden):
    image_id = golden(3 * GiB // 2)
    volume_id = create(driver, 0, image_id=image_id)
    volume = driver.get_volume(volume_id)
    assert volume.source_image_id == image_id and volume.bootable
    assert volume.size_gb == 2  # 1.5 GiB rounded up to whole GiB
    assert volume.extra["rbd_parent"] == f"images/{image_id}@snap"
    assert _reads(driver, client, volume_id)
    with open_volume(client, driver, volume_id, read_only=True) as image:
        assert image.size() == 2 * GiB and allocated(image) == 0


def test_from_image_into_another_pool_and_at_a_larger_size(make_driver, make_pool, client,
                                                           golden):
    pool = make_pool("fast")
    driver = make_driver(types=("standard", "fast"),
                         type_opts={"fast": {"rbd_pool": pool}})
    image_id = golden()
    volume_id = create(driver, 4, image_id=image_id, volume_type="fast")
    volume = driver.get_volume(volume_id)
    assert volume.location.pool == pool and volume.size_gb == 4
    assert images(client, pool) == {f"volume-{volume_id}"}
    assert _reads(driver, client, volume_id)


def test_a_volume_from_a_clone_of_an_image_keeps_reading_the_image(driver, client, golden):
    image_id = golden()
    first = create(driver, 0, image_id=image_id)
    second = create(driver, 0, source_volume_id=first)
    assert driver.get_volume(second).bootable
    assert _reads(driver, client, second)


def test_image_errors_name_the_image(driver, client, golden):
    before = images(client, "volumes")
    missing = "0d4f1bd0-2f5e-4d4e-9d49-000000000000"
    with pytest.raises(exc.NotFound) as not_there:
        create(driver, 0, image_id=missing)
    assert missing in not_there.value.user_message
    no_snap = golden(snap=False)
    with pytest.raises(exc.NotFound) as no_snapshot:
        create(driver, 0, image_id=no_snap)
    assert no_snap in no_snapshot.value.user_message and "snap" in no_snapshot.value.user_message
    unprotected = golden(protect=False)
    with pytest.raises(exc.Conflict) as not_protected:
        create(driver, 0, image_id=unprotected)
    assert "not protected" in not_protected.value.user_message
    with pytest.raises(exc.NotFound):
        create(driver, 0, image_id="bad/name@snap")
    assert images(client, "volumes") == before
    with open_image(client, "images", unprotected, read_only=True) as image:
        assert not image.is_protected_snap("snap")  # the driver does not touch images


def test_missing_images_pool_is_a_failed_precondition(make_driver, client):
    without = make_driver(ceph_opts={"rbd_images_pool": "no-such-pool"})
    with pytest.raises(exc.Conflict) as refused:
        create(without, 0, image_id="0d4f1bd0-2f5e-4d4e-9d49-000000000001")
    assert "no-such-pool" in refused.value.user_message


def test_unknown_sources_are_not_found(driver):
    unknown = "2c9a4d1e-5d55-4a55-8a55-000000000000"
    for field in ("snapshot_id", "source_volume_id"):
        with pytest.raises(exc.NotFound) as missing:
            create(driver, 0, **{field: unknown})
        assert unknown in missing.value.user_message


def test_a_glance_image_that_changed_since_it_was_read_is_reported(driver, client, golden):
    image_id = golden()
    first = create(driver, 0, image_id=image_id)  # what the image is, is now remembered
    driver.delete_volume(first)
    with open_image(client, "images", image_id) as image:
        image.unprotect_snap("snap")
    before = images(client, "volumes")
    with pytest.raises(exc.Conflict) as unprotected:
        create(driver, 0, image_id=image_id)
    assert "not protected" in unprotected.value.user_message
    import rbd

    with open_image(client, "images", image_id) as image:
        image.remove_snap("snap")
    with client.open_ioctx("images") as ioctx:
        rbd.RBD().remove(ioctx, image_id)
    with pytest.raises(exc.NotFound) as gone:
        create(driver, 0, image_id=image_id)
    assert image_id in gone.value.user_message
    assert images(client, "volumes") == before
