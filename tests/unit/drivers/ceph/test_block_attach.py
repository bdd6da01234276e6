"""Attach and detach: the recorded server, the states, and connection info a hypervisor
can really use (proved by connecting with nothing else but its own keyring)."""

from __future__ import annotations

import pytest
from unit.drivers.ceph.conftest import PATTERN, create, open_volume, snapshot

from translator.drivers import exceptions as exc


def test_attach_records_the_server_and_returns_rbd_connection_info(driver, ceph):
    volume_id = create(driver, 1)
    task = driver.attach_volume(volume_id, "server-1")
    assert (task.resource_id, task.jobs) == (volume_id, [])
    volume = driver.get_volume(volume_id)
    assert volume.status == "in-use"
    [attachment] = volume.attachments
    assert (attachment.server_id, attachment.device) == ("server-1", "")
    assert attachment.attached_at is not None
    connection = attachment.connection
    assert connection.driver_volume_type == driver.connection_type == "rbd"
    data = connection.data
    image = f"volume-{volume_id}"
    mon_port = ceph.ports["mon"]
    assert data == {
        "name": f"volumes/{image}", "pool": "volumes", "image": image, "volume_id": volume_id,
        "monitors": f"127.0.0.1:{mon_port + 1}", "hosts": "127.0.0.1",
        "ports": str(mon_port + 1),
        "mon_host": f"[v2:127.0.0.1:{mon_port},v1:127.0.0.1:{mon_port + 1}]",
        "cluster_name": "ceph", "auth_enabled": "true", "user": "admin",
        "auth_username": "admin", "secret_type": "ceph", "discard": "true"}
    assert all(isinstance(v, str) for v in data.values())


def test_connection_info_carries_no_key(driver, ceph):
    volume_id = create(driver, 1)
    driver.attach_volume(volume_id, "server-1")
    data = driver.get_volume(volume_id).attachments[0].connection.data
    with open(ceph.admin_keyring) as keyring:
        key = next(line.split("=", 1)[1].strip() for line in keyring
                   if line.strip().startswith("key"))
    assert not [k for k, v in data.items() if key in v or "key" in k.lower()]


@pytest.mark.parametrize("monitors", ["monitors", "mon_host"])
def test_a_client_with_only_the_connection_info_and_a_keyring_reads_the_volume(
        driver, client, ceph, monitors):
    import rados
    import rbd

    volume_id = create(driver, 1)
    with open_volume(client, driver, volume_id) as image:
        image.write(PATTERN, 0)
    driver.attach_volume(volume_id, "server-1")
    data = driver.get_volume(volume_id).attachments[0].connection.data
    hypervisor = rados.Rados(rados_id=data["user"], clustername=data["cluster_name"],
                             conffile=None,
                             conf={"mon_host": data[monitors], "keyring": ceph.admin_keyring})
    hypervisor.connect(timeout=30)
    try:
        with hypervisor.open_ioctx(data["pool"]) as ioctx, \
                rbd.Image(ioctx, data["image"], read_only=True) as image:
            assert image.read(0, len(PATTERN)) == PATTERN
    finally:
        hypervisor.shutdown()


def test_the_secret_uuid_is_passed_when_configured(make_driver):
    with_secret = make_driver(ceph_opts={"rbd_secret_uuid": "457eb676-33da-42ec-9a8c-9293d545c337"})
    volume_id = create(with_secret, 1)
    with_secret.attach_volume(volume_id, "server-1")
    data = with_secret.get_volume(volume_id).attachments[0].connection.data
    assert data["secret_uuid"] == "457eb676-33da-42ec-9a8c-9293d545c337"


def test_attach_is_idempotent_for_one_server_and_refused_for_another(driver):
    volume_id = create(driver, 1)
    driver.attach_volume(volume_id, "server-1")
    first = driver.get_volume(volume_id).attachments[0].attached_at
    driver.attach_volume(volume_id, "server-1")
    assert driver.get_volume(volume_id).attachments[0].attached_at == first
    with pytest.raises(exc.Conflict) as refused:
        driver.attach_volume(volume_id, "server-2")
    assert "server-1" in refused.value.user_message
    assert [a.server_id for a in driver.get_volume(volume_id).attachments] == ["server-1"]


def test_detach_checks_the_server_and_the_state(driver):
    volume_id = create(driver, 1)
    with pytest.raises(exc.Conflict) as not_attached:
        driver.detach_volume(volume_id, "")
    assert "not attached" in not_attached.value.user_message
    driver.attach_volume(volume_id, "server-1")
    with pytest.raises(exc.Conflict) as other:
        driver.detach_volume(volume_id, "server-2")
    assert "server-1" in other.value.user_message
    assert driver.get_volume(volume_id).status == "in-use"
    task = driver.detach_volume(volume_id, "")  # "" = whatever it is attached to
    assert (task.resource_id, task.jobs) == (volume_id, [])
    volume = driver.get_volume(volume_id)
    assert volume.status == "available" and volume.attachments == []
    driver.attach_volume(volume_id, "server-2")
    driver.detach_volume(volume_id, "server-2")


def test_listed_volumes_show_their_attachments(driver):
    volume_id = create(driver, 1)
    driver.attach_volume(volume_id, "server-7")
    found, token = None, ""
    while found is None:
        page = driver.list_volumes(500, token)
        found = next((v for v in page.items if v.id == volume_id), None)
        token = page.next_token
        assert found is not None or token
    assert found.status == "in-use" and found.attachments[0].server_id == "server-7"
    assert found.attachments[0].connection.data["image"] == f"volume-{volume_id}"


def test_clones_of_an_attached_volume_are_not_attached(driver):
    source = create(driver, 1)
    driver.attach_volume(source, "server-1")
    snapshot_id = snapshot(driver, source)
    for copy in (create(driver, 0, source_volume_id=source),
                 create(driver, 0, snapshot_id=snapshot_id)):
        volume = driver.get_volume(copy)
        assert volume.status == "available" and volume.attachments == []
        driver.attach_volume(copy, "server-2")  # free to attach elsewhere
