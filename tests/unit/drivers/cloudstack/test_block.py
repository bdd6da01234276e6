"""The CloudStack block storage driver against the real CloudStack simulator over loopback.

What the shared contract suite does not reach: offering choice per type,
CloudStack's error texts, the deferred steps of a clone through a snapshot
(and its cleanup when a step fails), and what reaches the backend.
"""

from __future__ import annotations

import time

import pytest
from oslo_config import cfg

from translator.conf import block_storage as block_conf
from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.cloudstack import conf as cs_conf
from translator_drivers.cloudstack.block import CloudStackBlockStorageDriver
from translator_drivers.cloudstack.simulator import CloudStackSimulator

FAST = dict.fromkeys(("createVolume", "attachVolume", "detachVolume", "resizeVolume",
                      "createSnapshot", "deleteSnapshot", "createTags", "deployVirtualMachine"),
                     0.02)
TYPES = {"standard": {}, "fast": {"storage_tags": ["ssd"]},
         "archive": {"disk_offering": "HDD Large"}}


def make_conf(sim: CloudStackSimulator, **overrides) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    block_conf.register_opts(conf)
    cs_conf.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    conf.set_override("volume_types", list(TYPES), group="block_storage")
    for name, value in {**sim.config_overrides()["cloudstack"], **overrides}.items():
        conf.set_override(name, value, group="cloudstack")
    CloudStackBlockStorageDriver.register_opts(conf)
    for name, values in TYPES.items():
        for key, value in values.items():
            conf.set_override(key, value, group=block_conf.type_group(name))
    return conf


@pytest.fixture
def sim():
    with CloudStackSimulator(host="127.0.0.1", port=0, job_durations=FAST) as simulator:
        yield simulator


@pytest.fixture
def make_driver(sim):
    made = []

    def make(**overrides) -> CloudStackBlockStorageDriver:
        driver = CloudStackBlockStorageDriver(make_conf(sim, **overrides))
        driver.setup()
        made.append(driver)
        return driver
    yield make
    for driver in made:
        driver.close()


def finish(driver, task: models.BackendTask, timeout: float = 10.0) -> models.JobStatus:
    """Poll as the core's poller does, following next steps; the last status."""
    jobs, deadline = list(task.jobs), time.monotonic() + timeout
    while True:
        status = driver.poll_jobs(jobs) if jobs else models.JobStatus(done=True)
        if status.done and status.next_jobs is not None and status.error is None:
            jobs = status.next_jobs
            continue
        if status.done:
            return status
        assert time.monotonic() < deadline, status.message
        time.sleep(0.01)


def volume(driver, size_gb=5, volume_type="standard", **fields) -> models.Volume:
    task = driver.create_volume(models.VolumeSpec(name=fields.pop("name", "v"),
                                                  size_gb=size_gb, volume_type=volume_type,
                                                  **fields))
    assert finish(driver, task).error is None
    return driver.get_volume(task.resource_id)


def test_a_type_chooses_the_fixed_offering_of_that_size_else_the_customizable_one(make_driver):
    driver = make_driver()
    assert volume(driver, 20, "fast").extra["disk_offering_name"] == "SSD Small"
    assert volume(driver, 30, "fast").extra["disk_offering_name"] == "SSD Custom"
    assert volume(driver, 5).extra["disk_offering_name"] == "Small"
    assert volume(driver, 500, "archive").extra["disk_offering_name"] == "HDD Large"
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_volume(models.VolumeSpec(name="x", size_gb=7, volume_type="archive"))
    assert info.value.violations[0].field == "size_gb" and "500" in info.value.user_message


def test_volume_types_describe_their_offerings(make_driver):
    types = {t.name: t for t in make_driver().list_volume_types()}
    assert types["archive"].size_gb == 500 and types["archive"].max_size_gb == 500
    assert types["fast"].size_gb == 0 and types["fast"].extra == {"storage_tags": "ssd"}
    assert "SSD Custom" in types["fast"].backend_mapping
    assert types["standard"].is_default and types["standard"].thin_provisioned
    assert not any(t.volume_from_image or t.clone_from_volume for t in types.values())


def test_a_type_matching_no_offering_is_a_configuration_error(sim):
    conf = make_conf(sim)
    conf.set_override("storage_tags", ["gold"], group="volume_type:fast")
    driver = CloudStackBlockStorageDriver(conf)
    with pytest.raises(exc.BackendUnavailable, match="matches no disk offering"):
        driver.create_volume(models.VolumeSpec(name="x", size_gb=5, volume_type="fast"))


def test_a_new_volume_costs_one_request_with_a_warm_cache(make_driver, sim):
    driver = make_driver()
    volume(driver)  # warms zones and disk offerings
    sim.reset_counts()
    driver.create_volume(models.VolumeSpec(name="one", size_gb=5, volume_type="standard"))
    assert dict(sim.request_counts) == {"createVolume": 1}


def test_metadata_becomes_tags(make_driver):
    made = volume(make_driver(), metadata={"team": "db"})
    assert made.metadata == {"team": "db"}


@pytest.mark.parametrize("code", [431, 536])
def test_an_attached_volume_refused_for_delete_is_a_conflict(make_driver, sim, code):
    sim.fail_next("deleteVolume", code, "Please specify a volume that is not attached to any VM.")
    with pytest.raises(exc.Conflict):
        make_driver().delete_volume(volume(make_driver()).id)


def test_an_image_source_is_refused_before_any_backend_call(make_driver, sim):
    driver = make_driver()
    sim.reset_counts()
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.create_volume(models.VolumeSpec(name="x", image_id="golden"))
    assert info.value.option == "image_id" and not sim.request_counts


def test_clone_is_refused_unless_allowed(make_driver):
    driver = make_driver()
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.create_volume(models.VolumeSpec(name="x", source_volume_id=volume(driver).id))
    assert "clone_volume_via_snapshot" in info.value.user_message


def _attached(driver, sim, **fields) -> models.Volume:
    [server] = sim.seed_virtual_machines(1)
    made = volume(driver, **fields)
    assert finish(driver, driver.attach_volume(made.id, server)).error is None
    return driver.get_volume(made.id)


def test_clone_runs_snapshot_then_volume_then_deletes_the_snapshot(make_driver, sim):
    driver = make_driver(clone_volume_via_snapshot=True)
    source = _attached(driver, sim, size_gb=20, volume_type="fast")
    task = driver.create_volume(models.VolumeSpec(name="copy", source_volume_id=source.id,
                                                  metadata={"copy": "yes"}))
    assert task.resource_id == "" and len(task.jobs) == 3  # the volume does not exist yet
    first = driver.poll_jobs(task.jobs)
    while not first.done:
        time.sleep(0.01)
        first = driver.poll_jobs(task.jobs)
    assert first.next_jobs and first.resource_id  # createVolume was sent
    final = finish(driver, models.BackendTask(first.resource_id, first.next_jobs))
    assert final.error is None
    copy = driver.get_volume(first.resource_id)
    assert copy.name == "copy" and copy.size_gb == 20 and copy.volume_type == "fast"
    assert copy.metadata == {"copy": "yes"}
    _no_snapshots_left(driver, source.id)


def _no_snapshots_left(driver, volume_id: str) -> None:
    deadline = time.monotonic() + 5
    while driver.list_snapshots(10, "", volume_id).items:
        assert time.monotonic() < deadline, "the clone's snapshot was left behind"
        time.sleep(0.05)


def test_a_failed_clone_step_still_deletes_its_snapshot(make_driver, sim):
    driver = make_driver(clone_volume_via_snapshot=True)
    source = _attached(driver, sim)
    sim.fail_next_job("createVolume", "Failed to create volume: boom")
    status = finish(driver, driver.create_volume(
        models.VolumeSpec(name="copy", source_volume_id=source.id)))
    assert isinstance(status.error, exc.BackendError)
    _no_snapshots_left(driver, source.id)


def test_no_pool_for_the_tags_is_capacity_exhausted(make_driver, sim):
    driver = make_driver()
    sim.set_storage_pool("ps-ssd-1", capacity_gb=1)
    made = volume(driver, 20, "fast")
    [server] = sim.seed_virtual_machines(1)
    status = finish(driver, driver.attach_volume(made.id, server))
    assert isinstance(status.error, exc.CapacityExhausted) and status.error.retryable
    assert driver.get_volume(made.id).status == "available"


def test_detach_checks_the_server(make_driver, sim):
    driver = make_driver()
    made = _attached(driver, sim)
    with pytest.raises(exc.Conflict, match="another server"):
        driver.detach_volume(made.id, "some-other-server")
    assert finish(driver, driver.detach_volume(made.id, made.attachments[0].server_id)).error \
        is None
    with pytest.raises(exc.Conflict, match="not attached"):
        driver.detach_volume(made.id, "")


def test_snapshots_say_which_secondary_store_holds_them(make_driver, sim):
    driver = make_driver()
    made = _attached(driver, sim)
    task = driver.create_snapshot(models.SnapshotSpec(volume_id=made.id, name="s"))
    status = finish(driver, task)
    assert status.error is None and status.result.id == task.resource_id
    snapshot = driver.get_snapshot(task.resource_id)
    assert snapshot.location == models.StorageLocation(models.SECONDARY, "sec-nfs-1")
    assert snapshot.status == "available" and snapshot.size_gb == made.size_gb


def test_a_never_attached_volume_cannot_be_snapshotted_yet(make_driver):
    driver = make_driver()
    made = volume(driver)
    assert "hypervisor" not in made.extra  # CloudStack says "None" until it is placed
    with pytest.raises(exc.Conflict, match="not in a state"):
        driver.create_snapshot(models.SnapshotSpec(volume_id=made.id))


def test_a_volume_from_a_snapshot_reads_nothing_it_need_not(make_driver, sim):
    driver = make_driver()
    made = _attached(driver, sim)
    snap = driver.create_snapshot(models.SnapshotSpec(volume_id=made.id))
    assert finish(driver, snap).error is None
    sim.reset_counts()
    task = driver.create_volume(models.VolumeSpec(name="r", snapshot_id=snap.resource_id))
    assert dict(sim.request_counts) == {"createVolume": 1}
    assert finish(driver, task).error is None
    with pytest.raises(exc.NotFound):
        driver.create_volume(models.VolumeSpec(name="r", snapshot_id="no-such-snapshot"))
