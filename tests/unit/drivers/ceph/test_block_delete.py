"""Deleting what clones depend on: the caller gets no error, the clones keep their data,
and the hidden parent goes with its last clone."""

from __future__ import annotations

import pytest
from unit.drivers.ceph.conftest import (
    PATTERN,
    create,
    images,
    open_volume,
    snaps,
    snapshot,
)

from translator.drivers import exceptions as exc


def _listed(driver) -> set[str]:
    ids, token = set(), ""
    while True:
        page = driver.list_volumes(500, token)
        ids |= {v.id for v in page.items}
        if not page.next_token:
            return ids
        token = page.next_token


def _with_data(driver, client) -> str:
    volume_id = create(driver, 1)
    with open_volume(client, driver, volume_id) as image:
        image.write(PATTERN, 0)
    return volume_id


def _reads(driver, client, volume_id: str) -> bool:
    with open_volume(client, driver, volume_id, read_only=True) as image:
        return image.read(0, len(PATTERN)) == PATTERN


def test_a_volume_with_clones_is_hidden_then_removed_with_its_last_clone(driver, client):
    source = _with_data(driver, client)
    first = create(driver, 0, source_volume_id=source)
    second = create(driver, 0, source_volume_id=source)

    task = driver.delete_volume(source)
    assert (task.resource_id, task.jobs) == (source, [])
    with pytest.raises(exc.NotFound):
        driver.get_volume(source)
    assert source not in _listed(driver)
    assert f"volume-{source}.deleted" in images(client, "volumes")
    assert _reads(driver, client, first) and _reads(driver, client, second)
    assert driver.get_volume(first).extra["rbd_parent"] == \
        f"volumes/volume-{source}.deleted@volume-{first}.clone_snap"

    driver.delete_volume(first)
    assert snaps(client, "volumes", f"volume-{source}.deleted") == \
        [f"volume-{second}.clone_snap"]
    assert _reads(driver, client, second)
    driver.delete_volume(second)
    assert not {f"volume-{source}.deleted", f"volume-{first}", f"volume-{second}"} & \
        images(client, "volumes")


def test_a_hidden_chain_is_removed_from_the_bottom_up(driver, client):
    grandparent = _with_data(driver, client)
    parent = create(driver, 0, source_volume_id=grandparent)
    child = create(driver, 0, source_volume_id=parent)
    driver.delete_volume(grandparent)
    driver.delete_volume(parent)
    assert {f"volume-{grandparent}.deleted", f"volume-{parent}.deleted"} <= \
        images(client, "volumes")
    assert _reads(driver, client, child)
    driver.delete_volume(child)
    assert not {f"volume-{grandparent}.deleted", f"volume-{parent}.deleted",
                f"volume-{child}"} & images(client, "volumes")


def test_a_volume_with_snapshots_is_refused(driver, client):
    volume_id = create(driver, 1)
    snapshot_id = snapshot(driver, volume_id)
    with pytest.raises(exc.Conflict) as refused:
        driver.delete_volume(volume_id)
    assert "snapshot" in refused.value.user_message
    assert driver.get_volume(volume_id).status == "available"
    driver.delete_snapshot(snapshot_id)
    driver.delete_volume(volume_id)
    assert f"volume-{volume_id}" not in images(client, "volumes")


def test_an_attached_volume_is_refused(driver):
    volume_id = create(driver, 1)
    driver.attach_volume(volume_id, "server-9")
    with pytest.raises(exc.Conflict) as refused:
        driver.delete_volume(volume_id)
    assert "server-9" in refused.value.user_message
    driver.detach_volume(volume_id, "server-9")
    driver.delete_volume(volume_id)


def test_a_snapshot_with_clones_is_hidden_then_removed_with_its_last_clone(driver, client):
    source = _with_data(driver, client)
    snapshot_id = snapshot(driver, source)
    copy = create(driver, 0, snapshot_id=snapshot_id)

    task = driver.delete_snapshot(snapshot_id)
    assert (task.resource_id, task.jobs) == (snapshot_id, [])
    with pytest.raises(exc.NotFound):
        driver.get_snapshot(snapshot_id)
    assert driver.list_snapshots(100, "", source).items == []
    assert snaps(client, "volumes", f"volume-{source}") == [f"snapshot-{snapshot_id}.deleted"]
    assert _reads(driver, client, copy)

    driver.delete_volume(source)  # only a hidden snapshot is left: hidden too, not refused
    assert _reads(driver, client, copy)
    driver.delete_volume(copy)
    assert not {f"volume-{source}", f"volume-{source}.deleted"} & images(client, "volumes")


def test_a_snapshot_without_clones_is_removed_and_unprotected_first(driver, client):
    source = create(driver, 1)
    snapshot_id = snapshot(driver, source)
    copy = create(driver, 0, snapshot_id=snapshot_id)
    assert driver.get_snapshot(snapshot_id).extra["rbd_protected"] == "true"
    driver.delete_volume(copy)  # the snapshot stays protected, without clones
    driver.delete_snapshot(snapshot_id)
    assert snaps(client, "volumes", f"volume-{source}") == []
    with pytest.raises(exc.NotFound):
        driver.delete_snapshot(snapshot_id)


def test_a_volume_still_open_by_a_client_is_retryable(driver, client):
    volume_id = create(driver, 1)
    with open_volume(client, driver, volume_id):  # a hypervisor still maps it (a watch)
        with pytest.raises(exc.Aborted) as busy:
            driver.delete_volume(volume_id)
    assert busy.value.retryable and busy.value.retry_after
    assert "still open" in busy.value.user_message
    assert driver.get_volume(volume_id).status == "available"
    driver.delete_volume(volume_id)  # once it is closed
    assert f"volume-{volume_id}" not in images(client, "volumes")
