"""Volume types as the operator configured them, the setup check, and capabilities."""

from __future__ import annotations

import pytest
from unit.drivers.ceph.conftest import build_conf, create, open_volume, snapshot

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.ceph.block import CephBlockStorageDriver
from translator_drivers.ceph.rbd_errors import CephMisconfigured


def test_list_volume_types_reflects_the_configuration(make_driver, make_pool):
    pool = make_pool("ssd")
    driver = make_driver(
        types=("standard", "fast"), default="fast",
        type_opts={"fast": {"rbd_pool": pool, "description": "SSD-backed volumes",
                            "rbd_features": ["layering", "exclusive-lock"]}})
    standard, fast = driver.list_volume_types()
    assert standard == models.VolumeType(
        name="standard", description="", location=models.StorageLocation(models.PRIMARY,
                                                                          "volumes"),
        backend_mapping="RBD pool volumes, features layering", size_gb=0,
        max_size_gb=16384, thin_provisioned=True, snapshots=True, clone_from_volume=True,
        volume_from_image=True, online_extend=True, is_default=False,
        extra={"rbd_pool": "volumes", "rbd_features": "layering"})
    assert (fast.name, fast.description, fast.is_default) == ("fast", "SSD-backed volumes", True)
    assert fast.location == models.StorageLocation(models.PRIMARY, pool)
    assert fast.backend_mapping == f"RBD pool {pool}, features layering, exclusive-lock"
    assert fast.extra == {"rbd_pool": pool, "rbd_features": "layering,exclusive-lock"}


def test_a_type_places_volumes_in_its_pool_with_its_features(make_driver, make_pool, client):
    pool = make_pool("feat")
    driver = make_driver(types=("standard", "fast"), type_opts={
        "fast": {"rbd_pool": pool, "rbd_features": ["layering", "exclusive-lock"]}})
    volume_id = create(driver, 1, volume_type="fast")
    volume = driver.get_volume(volume_id)
    assert volume.volume_type == "fast" and volume.location.pool == pool
    assert volume.extra["rbd_features"] == "exclusive-lock,layering"
    with open_volume(client, driver, volume_id, read_only=True) as image:
        import rbd
        assert image.features() == rbd.RBD_FEATURE_LAYERING | rbd.RBD_FEATURE_EXCLUSIVE_LOCK


def test_check_setup_passes_and_names_what_is_wrong(make_driver, ceph):
    make_driver().check_setup()
    broken = CephBlockStorageDriver(build_conf(
        ceph, types=("standard", "gone", "odd"),
        type_opts={"gone": {"rbd_pool": "no-such-pool"},
                   "odd": {"rbd_features": ["striping-v3"]}}))
    try:
        with pytest.raises(CephMisconfigured) as failed:
            broken.check_setup()
    finally:
        broken.close()
    assert not failed.value.retryable
    assert "'no-such-pool' of volume type 'gone'" in failed.value.operator_message
    assert "striping-v3" in failed.value.operator_message


def test_check_setup_requires_layering(make_driver):
    driver = make_driver(types=("standard",),
                         type_opts={"standard": {"rbd_features": ["exclusive-lock"]}})
    with pytest.raises(CephMisconfigured) as failed:
        driver.check_setup()
    assert "layering" in failed.value.operator_message


def test_a_missing_images_pool_only_warns(make_driver, caplog):
    driver = make_driver(ceph_opts={"rbd_images_pool": "no-glance"})
    driver.check_setup()
    assert "no-glance" in caplog.text


def test_an_unreachable_cluster_is_unavailable(ceph, tmp_path):
    conf_file = tmp_path / "ceph.conf"
    conf_file.write_text("[global]\nmon host = 127.0.0.1:9\nauth supported = none\n")
    driver = CephBlockStorageDriver(build_conf(
        ceph, ceph_opts={"rbd_ceph_conf": str(conf_file), "rados_connect_timeout": 1}))
    with pytest.raises(exc.BackendUnavailable) as failed:
        driver.setup()
    assert failed.value.retryable and str(conf_file) in failed.value.operator_message
    with pytest.raises(exc.BackendUnavailable):  # remembered briefly: no second wait
        driver.get_volume("7e0b6a3c-0000-4000-8000-000000000000")
    driver.close()


def test_an_unreadable_conf_file_is_misconfigured(ceph, tmp_path):
    driver = CephBlockStorageDriver(build_conf(
        ceph, ceph_opts={"rbd_ceph_conf": str(tmp_path / "missing.conf")}))
    with pytest.raises(CephMisconfigured) as failed:
        driver.setup()
    assert "missing.conf" in failed.value.operator_message


def test_capabilities_name_every_operation_and_the_clone_settings(make_driver):
    driver = make_driver(ceph_opts={"rbd_max_clone_depth": 3})
    caps = driver.capabilities()
    assert (caps.api, caps.driver) == ("block_storage", "ceph")
    declared = {name.replace("_", "") for name, value in vars(base.BlockStorageDriver).items()
                if callable(value) and not name.startswith("_")}
    assert {op.name.lower() for op in caps.operations} == declared
    assert all(op.supported for op in caps.operations)
    [create_volume] = [op for op in caps.operations if op.name == "CreateVolume"]
    options = {o.name: o for o in create_volume.options}
    assert {"snapshot_id", "image_id", "source_volume_id", "availability_zone"} <= set(options)
    assert not options["availability_zone"].supported
    assert "3 levels" in options["source_volume_id"].note
    notes = " ".join(caps.notes)
    assert "thin" in notes and "primary storage" in notes and "copy-on-write" in notes


def test_changes_are_done_when_they_return(driver):
    task = driver.create_volume(models.VolumeSpec(name="sync", size_gb=1))
    assert task.jobs == []  # the core's poller finishes a task without jobs itself
    with pytest.raises(exc.UnsupportedOperation):
        driver.poll_jobs(["job-1"])


def test_a_copy_keeps_its_source_s_type_unless_asked(make_pool, make_driver):
    fast_pool = make_pool("fast")
    driver = make_driver(types=("standard", "fast"), type_opts={"fast": {"rbd_pool": fast_pool}})
    source = create(driver, volume_type="fast")
    snap = snapshot(driver, source)
    from_snapshot = create(driver, size_gb=0, snapshot_id=snap, volume_type="")
    from_volume = create(driver, size_gb=0, source_volume_id=source, volume_type="")
    for copy in (from_snapshot, from_volume):
        made = driver.get_volume(copy)
        assert made.volume_type == "fast" and made.location.pool == fast_pool
    asked = driver.get_volume(create(driver, size_gb=0, source_volume_id=source,
                                     volume_type="standard"))
    assert asked.volume_type == "standard" and asked.location.pool != fast_pool
