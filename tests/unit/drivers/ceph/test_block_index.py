"""The pool index and the answers kept in memory: a volume just made reads the same from
memory as from the cluster, and index entries without an image are not volumes."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from unit.drivers.ceph.conftest import create, images, open_volume, snapshot

from translator.drivers import exceptions as exc
from translator_drivers.ceph import rbd_index


def _without_time(volume):
    return dataclasses.replace(volume, created_at=None)


@pytest.mark.parametrize("source", ["plain", "image", "volume", "snapshot", "flattened",
                                    "grown"])
def test_a_volume_just_made_reads_the_same_from_memory_and_from_the_cluster(
        make_driver, golden, source):
    driver = make_driver(ceph_opts={"rbd_flatten_volume_from_snapshot": source == "flattened"})
    base = create(driver, 1, name="base", metadata={"k": "v"})
    kwargs = {"plain": {}, "image": {"image_id": golden()},
              "volume": {"source_volume_id": base},
              "snapshot": {"snapshot_id": snapshot(driver, base)},
              "flattened": {"snapshot_id": snapshot(driver, base)},
              "grown": {"image_id": golden()}}[source]
    size = {"plain": 2, "grown": 3}.get(source, 0)
    volume_id = create(driver, size, name="made", metadata={"m": "1"}, **kwargs)
    fresh = driver.peek("get_volume", volume_id)
    assert fresh is not None and fresh.id == volume_id
    assert driver.peek("get_volume", volume_id) is None  # answered once
    read = driver.get_volume(volume_id)  # from the cluster
    assert _without_time(fresh) == _without_time(read)
    assert abs((fresh.created_at - read.created_at).total_seconds()) <= 2


def test_get_volume_answers_from_memory_once_and_changes_drop_it(driver):
    volume_id = create(driver, 1)
    assert driver.get_volume(volume_id).size_gb == 1  # from memory
    assert driver.peek("get_volume", volume_id) is None
    other = create(driver, 1)
    driver.extend_volume(other, 2)
    assert driver.peek("get_volume", other) is None
    assert driver.get_volume(other).size_gb == 2
    assert driver.peek("list_volumes", 10, "") is None


def test_an_index_entry_without_an_image_is_not_a_volume(driver, client):
    orphan = str(uuid.uuid4())
    with client.open_ioctx("volumes") as ioctx:
        rbd_index.put(ioctx, rbd_index.VOLUME, orphan, {"name": "half-made", "type": "standard"})
    with pytest.raises(exc.NotFound):
        driver.get_volume(orphan)
    listed, token = [], ""
    while True:
        page = driver.list_volumes(500, token)
        listed += [v.id for v in page.items]
        if not (token := page.next_token):
            break
    assert orphan not in listed
    with pytest.raises(exc.NotFound):
        driver.delete_volume(orphan)  # ... which also removes the stale entry
    with client.open_ioctx("volumes") as ioctx:
        assert rbd_index.get(ioctx, rbd_index.VOLUME, orphan) is None


def test_the_index_holds_the_record_and_the_attachment(driver, client):
    volume_id = create(driver, 1, name="indexed", metadata={"a": "b"})
    driver.attach_volume(volume_id, "server-3")
    with client.open_ioctx("volumes") as ioctx:
        record = rbd_index.get(ioctx, rbd_index.VOLUME, volume_id)
        attachment = rbd_index.get(ioctx, rbd_index.ATTACHMENT, volume_id)
    assert (record["name"], record["type"], record["metadata"]) == \
        ("indexed", "standard", {"a": "b"})
    assert attachment["server_id"] == "server-3"
    with open_volume(client, driver, volume_id, read_only=True) as image:
        assert list(image.metadata_list()) == []  # nothing of ours on the image itself
    driver.detach_volume(volume_id, "")
    driver.delete_volume(volume_id)
    with client.open_ioctx("volumes") as ioctx:
        assert rbd_index.read(ioctx, [(rbd_index.VOLUME, volume_id),
                                      (rbd_index.ATTACHMENT, volume_id)]) == {}
    assert f"volume-{volume_id}" not in images(client, "volumes")
