"""Plain volumes on the real cluster: thin images, what GetVolume shows, extend, refusals."""

from __future__ import annotations

import datetime
import uuid

import pytest
from unit.drivers.ceph.conftest import PATTERN, GiB, allocated, create, images, open_volume

from translator.drivers import exceptions as exc
from translator.drivers import models


def test_a_volume_is_a_thin_rbd_image_named_like_cinders(driver, client):
    volume_id = create(driver, 10, name="data", metadata={"purpose": "test"})
    assert f"volume-{volume_id}" in images(client, "volumes")
    with open_volume(client, driver, volume_id) as image:
        assert image.size() == 10 * GiB
        assert allocated(image) == 0  # thin: nothing is written yet
        image.write(PATTERN, 0)
        assert 0 < allocated(image) <= 4 * 1024**2  # one object, not 10 GiB
        assert image.features() == 1  # the type's features: layering


def test_get_volume_shows_what_was_asked_and_where_it_is(driver):
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    volume_id = create(driver, 2, name="shown", metadata={"a": "1", "b": "two"})
    volume = driver.get_volume(volume_id)
    assert uuid.UUID(volume.id) and volume.id == volume_id
    assert (volume.name, volume.status, volume.size_gb) == ("shown", "available", 2)
    assert volume.volume_type == "standard" and volume.metadata == {"a": "1", "b": "two"}
    assert volume.location == models.StorageLocation(models.PRIMARY, "volumes")
    assert not volume.attachments and not volume.bootable
    assert volume.availability_zone == ""
    assert volume.created_at is not None and volume.created_at >= before
    assert volume.extra == {"rbd_pool": "volumes", "rbd_image": f"volume-{volume_id}",
                            "rbd_features": "layering"}


def test_an_empty_type_means_the_default_one(driver):
    volume_id = create(driver, 1, volume_type="")
    assert driver.get_volume(volume_id).volume_type == "standard"


def test_extend_grows_the_image_even_while_attached(driver, client):
    volume_id = create(driver, 1)
    driver.attach_volume(volume_id, "server-1")
    with open_volume(client, driver, volume_id) as image:
        image.write(PATTERN, 0)
    task = driver.extend_volume(volume_id, 3)
    assert (task.resource_id, task.jobs) == (volume_id, [])
    assert driver.get_volume(volume_id).size_gb == 3
    with open_volume(client, driver, volume_id, read_only=True) as image:
        assert image.size() == 3 * GiB
        assert image.read(0, len(PATTERN)) == PATTERN


@pytest.mark.parametrize("size", [1, 2])
def test_extend_refuses_to_shrink_or_stay(driver, size):
    volume_id = create(driver, 2)
    with pytest.raises(exc.InvalidInput) as refused:
        driver.extend_volume(volume_id, size)
    assert refused.value.violations[0].field == "new_size_gb"
    assert driver.get_volume(volume_id).size_gb == 2


def test_unknown_or_malformed_ids_are_not_found(driver):
    for volume_id in (str(uuid.uuid4()), "not-a-uuid", "../volumes", str(uuid.uuid4()).upper()):
        for call in (driver.get_volume, driver.delete_volume):
            with pytest.raises(exc.NotFound) as missing:
                call(volume_id)
            assert volume_id in missing.value.user_message
        with pytest.raises(exc.NotFound):
            driver.extend_volume(volume_id, 5)
        with pytest.raises(exc.NotFound):
            driver.attach_volume(volume_id, "server-1")


def test_an_image_that_is_not_ours_is_not_a_volume(driver, client):
    import rbd

    foreign = str(uuid.uuid4())
    with client.open_ioctx("volumes") as ioctx:
        rbd.RBD().create(ioctx, f"volume-{foreign}", GiB, old_format=False, features=1)
    with pytest.raises(exc.NotFound):
        driver.get_volume(foreign)
    with pytest.raises(exc.NotFound):
        driver.delete_volume(foreign)
    assert f"volume-{foreign}" in images(client, "volumes")  # left alone


def test_an_availability_zone_is_refused_by_name(driver, client):
    before = images(client, "volumes")
    with pytest.raises(exc.UnsupportedOption) as refused:
        driver.create_volume(models.VolumeSpec(name="z", size_gb=1, availability_zone="nova"))
    assert refused.value.option == "availability_zone" and "nova" in refused.value.user_message
    assert images(client, "volumes") == before


def test_a_plain_volume_needs_a_size_and_a_known_type(driver):
    with pytest.raises(exc.InvalidInput) as no_size:
        driver.create_volume(models.VolumeSpec(name="s"))
    assert no_size.value.violations[0].field == "size_gb"
    with pytest.raises(exc.InvalidInput) as bad_type:
        driver.create_volume(models.VolumeSpec(name="t", size_gb=1, volume_type="gold"))
    assert bad_type.value.violations[0].field == "volume_type"


def test_delete_removes_the_image(driver, client):
    volume_id = create(driver, 1)
    task = driver.delete_volume(volume_id)
    assert (task.resource_id, task.jobs) == (volume_id, [])
    assert f"volume-{volume_id}" not in images(client, "volumes")
    with pytest.raises(exc.NotFound):
        driver.get_volume(volume_id)


def test_concurrent_creates_share_one_connection(driver, golden):
    import concurrent.futures

    image_id = golden()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        made = list(pool.map(lambda i: create(driver, 0, name=f"storm-{i}", image_id=image_id),
                             range(32)))
    assert len(set(made)) == 32
    volumes = [driver.get_volume(v) for v in made]
    assert {v.source_image_id for v in volumes} == {image_id}
    assert sorted(v.name for v in volumes) == sorted(f"storm-{i}" for i in range(32))
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(driver.delete_volume, made))
