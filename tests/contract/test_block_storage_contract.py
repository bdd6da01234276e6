"""The block storage driver contract: what every registered block storage driver must do.

Runs against each driver's own backend (see backends.BLOCK_BACKENDS: the
CloudStack simulator, a real Ceph), through the driver API only.
"""

from __future__ import annotations

import uuid

import pytest
from stevedore import extension

from contract import backends
from contract.test_compute_contract import _norm, collect, unique, wait
from translator.drivers import base, exceptions, models

NAMESPACE = "translator.drivers.block_storage"


def registered() -> dict[str, type]:
    manager = extension.ExtensionManager(namespace=NAMESPACE, invoke_on_load=False)
    return {ext.name: ext.plugin for ext in manager}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "block_name" in metafunc.fixturenames:
        metafunc.parametrize("block_name", sorted(registered()), scope="module")


@pytest.fixture(scope="module")
def block_backend(block_name: str):
    factory = backends.BLOCK_BACKENDS.get(block_name)
    if factory is None:
        pytest.fail(f"block storage driver {block_name!r} is registered in {NAMESPACE} but "
                    "tests/contract/backends.py has no backend for it")
    with factory() as backend:
        yield backend


@pytest.fixture(scope="module")
def block(block_name: str, block_backend):
    cls = registered()[block_name]
    cls.register_opts(block_backend.conf)
    instance = cls(block_backend.conf)
    instance.setup()
    yield instance
    instance.close()


def make_volume(driver, size_gb: int = 1, **fields) -> models.Volume:
    spec = models.VolumeSpec(name=fields.pop("name", unique("vol")), size_gb=size_gb,
                             volume_type=fields.pop("volume_type", "standard"), **fields)
    task = driver.create_volume(spec)
    assert task.resource_id
    wait(driver, task)
    return driver.get_volume(task.resource_id)


def delete_volume(driver, volume_id: str) -> None:
    wait(driver, driver.delete_volume(volume_id))
    try:
        volume = driver.get_volume(volume_id)
    except exceptions.NotFound:
        return
    assert volume.status == "deleting"  # a backend may still be expunging it


def test_every_registered_driver_has_a_backend():
    names = set(registered())
    assert {"cloudstack", "ceph"} <= names
    missing = sorted(names - set(backends.BLOCK_BACKENDS))
    assert not missing, f"registered drivers without a contract backend: {missing}"


def test_setup_check_passes(block):
    block.check_setup()


def test_capabilities_list_every_operation(block, block_name):
    caps = block.capabilities()
    assert caps.api == "block_storage" and caps.driver == block_name == block.name
    declared = {name for name, value in vars(base.BlockStorageDriver).items()
                if callable(value) and not name.startswith("_")}
    listed = {_norm(op.name) for op in caps.operations}
    missing = {name for name in declared if _norm(name) not in listed}
    assert not missing, f"capabilities() does not mention {sorted(missing)}"
    assert block.connection_type


def test_volume_types_are_the_configured_ones(block):
    types = block.list_volume_types()
    assert [t.name for t in types] == ["standard", "fast"]
    assert [t.is_default for t in types] == [True, False]
    assert all(t.location.tier == models.PRIMARY and t.backend_mapping for t in types)


def test_volume_lifecycle(block):
    name = unique("vol")
    volume = make_volume(block, 2, name=name, metadata={"purpose": "contract"})
    assert volume.name == name and volume.size_gb == 2 and volume.status == "available"
    assert volume.volume_type == "standard"
    assert volume.metadata == {"purpose": "contract"}
    assert volume.location.tier == models.PRIMARY
    assert not volume.attachments

    wait(block, block.extend_volume(volume.id, 3))
    assert block.get_volume(volume.id).size_gb == 3
    with pytest.raises(exceptions.InvalidInput):
        block.extend_volume(volume.id, 2)
    delete_volume(block, volume.id)


def test_a_type_places_volumes_by_its_mapping(block):
    volume = make_volume(block, 1, volume_type="fast")
    assert volume.volume_type == "fast"
    delete_volume(block, volume.id)


def test_volumes_page_consistently(block):
    made = [make_volume(block, 1).id for _ in range(3)]
    everything = [v.id for v in collect(block.list_volumes, 500)]
    assert len(everything) == len(set(everything))
    assert set(made) <= set(everything)
    assert [v.id for v in collect(block.list_volumes, 2)] == everything
    for volume_id in made:
        delete_volume(block, volume_id)


def test_malformed_page_token_is_invalid_input(block):
    for list_page in (block.list_volumes, block.list_snapshots):
        with pytest.raises(exceptions.InvalidInput):
            list_page(10, "not a token!")


def test_unknown_ids_are_not_found(block):
    unknown = str(uuid.uuid4())
    for call in (block.get_volume, block.delete_volume, block.get_snapshot,
                 block.delete_snapshot):
        with pytest.raises(exceptions.NotFound):
            call(unknown)
    with pytest.raises(exceptions.NotFound):
        block.extend_volume(unknown, 10)


def test_attach_and_detach(block, block_backend):
    volume = make_volume(block, 1)
    server = block_backend.server_id
    wait(block, block.attach_volume(volume.id, server))
    attached = block.get_volume(volume.id)
    assert attached.status == "in-use"
    [attachment] = attached.attachments
    assert attachment.server_id == server
    assert attachment.connection.driver_volume_type == block.connection_type
    with pytest.raises(exceptions.Conflict):
        block.delete_volume(volume.id)  # attached: nothing is lost
    assert block.get_volume(volume.id).status == "in-use"

    wait(block, block.detach_volume(volume.id, server))
    detached = block.get_volume(volume.id)
    assert detached.status == "available" and not detached.attachments
    with pytest.raises(exceptions.Conflict):
        block.detach_volume(volume.id, "")
    delete_volume(block, volume.id)


def test_snapshots_and_volumes_from_them(block, block_backend):
    source = make_volume(block, 1)
    # CloudStack snapshots only volumes placed on primary storage (attached once).
    wait(block, block.attach_volume(source.id, block_backend.server_id))
    task = block.create_snapshot(models.SnapshotSpec(volume_id=source.id, name="snap-1"))
    wait(block, task)
    snapshot = block.get_snapshot(task.resource_id)
    assert snapshot.status == "available" and snapshot.volume_id == source.id
    assert snapshot.location.tier in (models.PRIMARY, models.SECONDARY)
    listed = collect(lambda size, token: block.list_snapshots(size, token, source.id), 10)
    assert [s.id for s in listed] == [snapshot.id]

    copy = make_volume(block, 0, snapshot_id=snapshot.id, volume_type="")
    assert copy.size_gb == source.size_gb and copy.status == "available"

    wait(block, block.delete_snapshot(snapshot.id))
    with pytest.raises(exceptions.NotFound):
        block.get_snapshot(snapshot.id)
    delete_volume(block, copy.id)
    wait(block, block.detach_volume(source.id, ""))
    delete_volume(block, source.id)
