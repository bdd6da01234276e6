"""A change that fails midway leaves nothing behind and raises the original error."""

from __future__ import annotations

import pytest
from unit.drivers.ceph.conftest import create, images, open_image, open_volume, snaps, snapshot

from translator.drivers import exceptions as exc
from translator_drivers.ceph import rbd_index
from translator_drivers.ceph.rbd_images import Images

#: Journaling needs exclusive-lock: a valid feature list that RBD refuses at clone time.
BROKEN = {"broken": {"rbd_features": ["layering", "journaling"]}}


@pytest.fixture(scope="module")
def two_types(make_driver):
    return make_driver(types=("standard", "broken"), type_opts=BROKEN)


def test_a_failed_clone_from_a_volume_removes_its_clone_snapshot(two_types, client):
    source = create(two_types, 1)
    before = images(client, "volumes"), indexed(client)
    with pytest.raises(exc.InvalidInput) as failed:
        create(two_types, 0, source_volume_id=source, volume_type="broken")
    assert failed.value.backend == "ceph" and failed.value.backend_code == "22"
    assert (images(client, "volumes"), indexed(client)) == before
    assert snaps(client, "volumes", f"volume-{source}") == []


def test_a_failed_clone_from_a_snapshot_unprotects_it_again(two_types, client):
    source = create(two_types, 1)
    snapshot_id = snapshot(two_types, source)
    before = images(client, "volumes")
    with pytest.raises(exc.InvalidInput):
        create(two_types, 0, snapshot_id=snapshot_id, volume_type="broken")
    assert images(client, "volumes") == before
    with open_volume(client, two_types, source, read_only=True) as image:
        assert not image.is_protected_snap(f"snapshot-{snapshot_id}")


def test_a_failure_after_the_clone_removes_the_clone_and_the_snapshot(driver, client,
                                                                     monkeypatch):
    source = create(driver, 1)
    before = images(client, "volumes"), indexed(client)

    def broken_finish(self, *args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(Images, "finish", broken_finish)
    with pytest.raises(RuntimeError, match="disk on fire"):
        create(driver, 0, source_volume_id=source)
    assert (images(client, "volumes"), indexed(client)) == before  # made, then removed
    assert snaps(client, "volumes", f"volume-{source}") == []


def test_a_failed_plain_create_leaves_no_index_entry(two_types, client):
    before = images(client, "volumes"), indexed(client)
    with pytest.raises(exc.InvalidInput):
        create(two_types, 1, volume_type="broken")
    assert (images(client, "volumes"), indexed(client)) == before


def indexed(client, kind: str = rbd_index.VOLUME) -> list[str]:
    with client.open_ioctx("volumes") as ioctx:
        return [ident for ident, _ in rbd_index.scan(ioctx, kind)]


def test_a_failed_snapshot_leaves_no_index_entry(driver, client):
    volume_id = create(driver, 1)
    first = snapshot(driver, volume_id)
    with open_volume(client, driver, volume_id) as image:
        image.set_snap_limit(1)
    before = indexed(client, rbd_index.SNAPSHOT)
    with pytest.raises(exc.QuotaExceeded) as refused:
        snapshot(driver, volume_id)
    assert refused.value.backend_code == "122"
    assert indexed(client, rbd_index.SNAPSHOT) == before
    assert snaps(client, "volumes", f"volume-{volume_id}") == [f"snapshot-{first}"]
    with open_image(client, "volumes", f"volume-{volume_id}") as image:
        image.remove_snap_limit()
    snapshot(driver, volume_id)
