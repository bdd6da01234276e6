"""The CloudStack compute driver against the real CloudStack simulator over loopback.

No mocks: every test drives the driver, which signs real HTTP requests to the
simulator; ``sim.request_counts`` shows what reached the backend.
"""

from __future__ import annotations

import base64
import logging
import secrets
import threading
import time
import uuid

import pytest
from oslo_config import cfg

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.cloudstack import conf as cs_conf
from translator_drivers.cloudstack import errors
from translator_drivers.cloudstack.compute import CloudStackComputeDriver
from translator_drivers.cloudstack.simulator import CloudStackSimulator

FAST = dict.fromkeys(
    ("deployVirtualMachine", "startVirtualMachine", "stopVirtualMachine",
     "rebootVirtualMachine", "destroyVirtualMachine", "scaleVirtualMachine", "createTags"),
    0.05)


def make_conf(sim: CloudStackSimulator, **overrides) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    cs_conf.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    for name, value in {**sim.config_overrides()["cloudstack"], **overrides}.items():
        conf.set_override(name, value, group="cloudstack")
    return conf


@pytest.fixture(scope="module")
def sim():
    with CloudStackSimulator(host="127.0.0.1", port=0, job_durations=FAST) as simulator:
        yield simulator


@pytest.fixture
def own_sim():
    """A simulator of the test's own, for tests that change limits or seed many VMs."""
    with CloudStackSimulator(host="127.0.0.1", port=0, job_durations=FAST) as simulator:
        yield simulator


@pytest.fixture
def make_driver(sim):
    made = []

    def make(simulator: CloudStackSimulator = sim, **overrides) -> CloudStackComputeDriver:
        driver = CloudStackComputeDriver(make_conf(simulator, **overrides))
        driver.setup()
        made.append(driver)
        return driver
    yield make
    for driver in made:
        driver.close()


@pytest.fixture
def driver(make_driver):
    return make_driver()


def warm(driver: CloudStackComputeDriver) -> None:
    driver.check_setup()
    driver.list_flavors(0, "")
    driver.list_images(0, "")


def wait(driver, task: models.BackendTask, timeout: float = 10.0) -> models.JobStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = driver.poll_jobs(task.jobs)
        if status.done:
            return status
        assert time.monotonic() < deadline, status.message
        time.sleep(0.02)


def create(driver, **fields) -> models.Server:
    """Create a server, wait for its jobs to succeed, return it."""
    fields = {"name": f"t-{uuid.uuid4().hex[:8]}", "image": "Debian 12",
              "flavor": "Small Instance", **fields}
    task = driver.create_server(models.ServerSpec(**fields))
    status = wait(driver, task)
    assert status.error is None, status.error
    return driver.get_server(task.resource_id)


def public_key() -> str:
    def field(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data
    blob = field(b"ssh-rsa") + field(b"\x01\x00\x01") + field(b"\x00" + secrets.token_bytes(256))
    return f"ssh-rsa {base64.b64encode(blob).decode()} test@example"


# -- setup ------------------------------------------------------------------------------


def test_check_setup_makes_one_listzones(sim, driver):
    sim.reset_counts()
    driver.check_setup()
    assert dict(sim.request_counts) == {"listZones": 1}


def test_check_setup_unknown_default_zone(make_driver):
    with pytest.raises(errors.BackendMisconfigured, match="default zone"):
        make_driver(default_zone="no-such-zone").check_setup()


def test_check_setup_wrong_credentials(make_driver):
    with pytest.raises(errors.BackendAuthFailed) as info:
        make_driver(secret_key="wrong").check_setup()
    assert not info.value.retryable


def test_check_setup_unreachable(make_driver):
    with pytest.raises(exc.BackendUnavailable):
        make_driver(endpoint="http://127.0.0.1:9/client/api", timeout=2.0).check_setup()


# -- create_server: request economy ------------------------------------------------------


def test_create_with_warm_cache_is_one_request(sim, driver):
    warm(driver)
    sim.reset_counts()
    task = driver.create_server(models.ServerSpec(
        name="Web Server #1", image="Debian 12", flavor="Small Instance",
        user_data=b"#!/bin/sh\necho hello\n"))
    assert dict(sim.request_counts) == {"deployVirtualMachine": 1}
    assert task.resource_id and len(task.jobs) == 1
    assert wait(driver, task).error is None
    server = driver.get_server(task.resource_id)
    assert server.status == "ACTIVE"
    assert server.name == "Web Server #1"
    assert server.extra["cloudstack_name"] == "web-server-1"
    assert server.flavor_name == "Small Instance" and server.image_name == "Debian 12"
    assert server.availability_zone == "zone-basic"
    assert server.security_groups == ["default"]
    assert server.addresses and server.addresses[0].ip


def test_naming_a_keypair_costs_one_lookup(sim, driver):
    name = f"kp-{uuid.uuid4().hex[:8]}"
    driver.create_keypair(name)
    warm(driver)
    sim.reset_counts()
    task = driver.create_server(models.ServerSpec(name="with-key", image="Debian 12",
                                                  flavor="Small Instance", keypair=name))
    assert dict(sim.request_counts) == {"listSSHKeyPairs": 1, "deployVirtualMachine": 1}
    wait(driver, task)
    assert driver.get_server(task.resource_id).keypair_name == name


def test_metadata_is_one_createtags(sim, driver):
    warm(driver)
    sim.reset_counts()
    task = driver.create_server(models.ServerSpec(
        name="tagged", image="Debian 12", flavor="Small Instance",
        metadata={"role": "web", "owner": "team-a"}))
    assert dict(sim.request_counts) == {"deployVirtualMachine": 1, "createTags": 1}
    assert len(task.jobs) == 2
    assert wait(driver, task).error is None
    assert driver.get_server(task.resource_id).metadata == {"role": "web", "owner": "team-a"}


def test_without_cache_every_create_lists_again(sim, make_driver):
    driver = make_driver(cache_ttl=0)
    warm(driver)
    sim.reset_counts()
    wait(driver, driver.create_server(models.ServerSpec(name="nocache", image="Debian 12",
                                                        flavor="Small Instance")))
    assert sim.request_counts["listZones"] >= 1
    assert sim.request_counts["listServiceOfferings"] >= 1
    assert sim.request_counts["listTemplates"] >= 1


def test_unsafe_names_let_cloudstack_choose_the_hostname(driver):
    server = create(driver, name="日本語")
    assert server.name == "日本語" and server.extra["cloudstack_name"]


# -- create_server: validation before any mutation ------------------------------------


def assert_nothing_deployed(sim):
    assert sim.request_counts["deployVirtualMachine"] == 0
    assert sim.request_counts["createTags"] == 0


def test_user_data_limit(sim, driver):
    sim.reset_counts()
    too_big = b"x" * (32768 // 4 * 3 + 1)  # base64: 32772 bytes
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_server(models.ServerSpec(name="ud", image="Debian 12",
                                               flavor="Small Instance", user_data=too_big))
    assert info.value.violations[0].field == "user_data"
    assert "32768" in info.value.user_message
    assert_nothing_deployed(sim)
    # Exactly at the limit passes, and travels in a POST body.
    server = create(driver, user_data=b"x" * (32768 // 4 * 3))
    assert server.status == "ACTIVE"


def test_user_data_limit_follows_config(sim, make_driver):
    driver = make_driver(user_data_max_bytes=8)
    sim.reset_counts()
    with pytest.raises(exc.InvalidInput, match="at most 8"):
        driver.create_server(models.ServerSpec(name="ud", image="Debian 12",
                                               flavor="Small Instance", user_data=b"123456789"))
    assert_nothing_deployed(sim)


def test_security_groups_in_advanced_zone_are_unsupported(sim, driver):
    sim.reset_counts()
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.create_server(models.ServerSpec(
            name="sg", image="Debian 12", flavor="Small Instance",
            availability_zone="zone-advanced", security_groups=["default"]))
    assert info.value.option == "security_groups"
    assert "zone-advanced" in info.value.user_message
    assert info.value.code == "UNIMPLEMENTED"
    assert_nothing_deployed(sim)


def test_security_groups_in_basic_zone(driver):
    assert create(driver, security_groups=["default"]).security_groups == ["default"]


def test_unknown_security_group_is_not_found(sim, driver):
    sim.reset_counts()
    with pytest.raises(exc.NotFound, match="no-such-group"):
        driver.create_server(models.ServerSpec(name="sg", image="Debian 12",
                                               flavor="Small Instance",
                                               security_groups=["no-such-group"]))
    assert_nothing_deployed(sim)


def test_unknown_keypair_is_not_found(sim, driver):
    sim.reset_counts()
    with pytest.raises(exc.NotFound, match="no-such-key"):
        driver.create_server(models.ServerSpec(name="kp", image="Debian 12",
                                               flavor="Small Instance", keypair="no-such-key"))
    assert_nothing_deployed(sim)


def test_empty_metadata_value_is_invalid(sim, driver):
    sim.reset_counts()
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_server(models.ServerSpec(name="md", image="Debian 12",
                                               flavor="Small Instance", metadata={"k": ""}))
    assert info.value.violations[0].field == "metadata['k']"
    assert_nothing_deployed(sim)


def test_unknown_image_and_zone(sim, driver):
    sim.reset_counts()
    with pytest.raises(exc.NotFound, match="Windows 95"):
        driver.create_server(models.ServerSpec(name="i", image="Windows 95",
                                               flavor="Small Instance"))
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_server(models.ServerSpec(name="z", image="Debian 12",
                                               flavor="Small Instance",
                                               availability_zone="zone-nowhere"))
    assert info.value.violations[0].field == "availability_zone"
    assert_nothing_deployed(sim)


def test_image_and_zone_by_id(driver):
    image = next(i for i in driver.list_images(0, "").items if i.name == "Ubuntu 22.04")
    zone_id = create(driver).extra["zone_id"]
    server = create(driver, image=image.id, availability_zone=zone_id)
    assert server.image_id == image.id and server.extra["zone_id"] == zone_id


# -- networks ------------------------------------------------------------------------------


def test_advanced_zone_networks(sim, driver, make_driver):
    server = create(driver, availability_zone="zone-advanced")
    assert server.addresses[0].network == "admin-network" and not server.security_groups
    named = create(driver, availability_zone="zone-advanced", networks=["admin-network"])
    assert named.addresses[0].network == "admin-network"
    configured = make_driver(default_networks=["admin-network"])
    assert create(configured, availability_zone="zone-advanced").addresses[0].network == \
        "admin-network"
    sim.reset_counts()
    with pytest.raises(exc.NotFound, match="no-such-net"):
        driver.create_server(models.ServerSpec(name="n", image="Debian 12",
                                               flavor="Small Instance",
                                               availability_zone="zone-advanced",
                                               networks=["no-such-net"]))
    with pytest.raises(exc.UnsupportedOption) as info:
        driver.create_server(models.ServerSpec(name="n", image="Debian 12",
                                               flavor="Small Instance",
                                               availability_zone="zone-basic",
                                               networks=["admin-network"]))
    assert info.value.option == "networks"
    assert_nothing_deployed(sim)


# -- flavor resolution ------------------------------------------------------------------------


def test_flavor_by_id_and_by_name(driver):
    medium = next(f for f in driver.list_flavors(0, "").items if f.name == "Medium Instance")
    assert create(driver, flavor=medium.id).flavor_id == medium.id
    assert create(driver, flavor="Medium Instance").flavor_id == medium.id


@pytest.mark.parametrize("vcpus, ram_mb, expected", [
    (1, 256, "Small Instance"),
    (1, 600, "Medium Instance"),
    (2, 2048, "Large Instance"),
    (3, 1024, "XLarge Instance"),
    (4, 8192, "XLarge Instance"),
])
def test_flavor_by_size_is_the_smallest_fit(driver, vcpus, ram_mb, expected):
    server = create(driver, flavor="", vcpus=vcpus, ram_mb=ram_mb)
    assert server.flavor_name == expected


def test_customizable_offering_details_reach_the_backend(driver):
    server = create(driver, flavor="", vcpus=16, ram_mb=32768)
    assert server.flavor_name == "Custom"
    assert (server.vcpus, server.ram_mb) == (16, 32768)
    assert server.extra["cpu_speed_mhz"] == "1000"
    custom = next(f for f in driver.list_flavors(0, "").items if f.name == "Custom")
    assert custom.customizable


def test_flavor_errors(sim, driver):
    sim.reset_counts()
    with pytest.raises(exc.NotFound, match="Huge Instance"):
        driver.create_server(models.ServerSpec(name="f", image="Debian 12",
                                               flavor="Huge Instance"))
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_server(models.ServerSpec(name="f", image="Debian 12"))
    assert info.value.violations[0].field == "flavor"
    with pytest.raises(exc.InvalidInput) as info:
        driver.create_server(models.ServerSpec(name="f", image="Debian 12", flavor="Custom"))
    assert info.value.violations[0].field == "flavor"
    assert_nothing_deployed(sim)


# -- flavors and images -----------------------------------------------------------------------


def test_flavor_and_image_listing(driver):
    flavors = driver.list_flavors(0, "")
    assert [f.name for f in flavors.items] == ["Small Instance", "Medium Instance",
                                               "Large Instance", "XLarge Instance", "Custom"]
    small = flavors.items[0]
    assert (small.vcpus, small.ram_mb) == (1, 512) and flavors.next_token == ""
    assert driver.get_flavor(small.id) == small
    images = driver.list_images(0, "").items
    assert {i.name for i in images} == {"Debian 12", "Ubuntu 22.04", "CentOS 7"}
    assert images[0].extra["zones"] == "zone-basic,zone-advanced"
    assert driver.get_image(images[0].id) == images[0]


def test_in_memory_paging(driver):
    first = driver.list_flavors(2, "")
    second = driver.list_flavors(2, first.next_token)
    third = driver.list_flavors(2, second.next_token)
    assert [len(p.items) for p in (first, second, third)] == [2, 2, 1]
    assert third.next_token == "" and first.total == 5


@pytest.mark.parametrize("token", ["garbage!", "eyJ4IjoxfQ", base64.b64encode(b"[]").decode()])
def test_malformed_page_token(driver, token):
    for call in (driver.list_flavors, driver.list_images, driver.list_servers,
                 driver.list_keypairs):
        with pytest.raises(exc.InvalidInput) as info:
            call(10, token)
        assert info.value.violations[0].field == "page_token"


def test_unknown_flavor_and_image_ids(driver):
    with pytest.raises(exc.NotFound, match="nope-flavor"):
        driver.get_flavor("nope-flavor")
    with pytest.raises(exc.NotFound, match="nope-image"):
        driver.get_image("nope-image")


# -- servers ------------------------------------------------------------------------------------


def test_list_servers_pages_past_500(own_sim, make_driver):
    seeded = set(own_sim.seed_virtual_machines(1200))
    driver = make_driver(own_sim)
    own_sim.reset_counts()
    pages, token = [], ""
    while True:
        page = driver.list_servers(500, token)
        pages.append(page)
        token = page.next_token
        if not token:
            break
    assert [len(p.items) for p in pages] == [500, 500, 200]
    assert own_sim.request_counts["listVirtualMachines"] == 3
    ids = [s.id for p in pages for s in p.items]
    assert len(set(ids)) == 1200 and set(ids) == seeded
    assert pages[0].total == 1200
    # 0 means the default page size; a token keeps the size the listing began with.
    default = driver.list_servers(0, "")
    assert len(default.items) == 100
    assert len(driver.list_servers(7, pages[0].next_token).items) == 500


def test_get_server_unknown(driver):
    for ident in (str(uuid.uuid4()), "not-a-uuid"):
        with pytest.raises(exc.NotFound, match=ident):
            driver.get_server(ident)


def test_lifecycle(driver):
    server = create(driver)
    assert wait(driver, driver.stop_server(server.id)).error is None
    assert driver.get_server(server.id).status == "SHUTOFF"
    assert wait(driver, driver.start_server(server.id)).error is None
    assert driver.get_server(server.id).status == "ACTIVE"
    assert wait(driver, driver.reboot_server(server.id)).error is None
    assert wait(driver, driver.reboot_server(server.id, hard=True)).error is None
    assert driver.get_server(server.id).status == "ACTIVE"
    task = driver.delete_server(server.id)
    assert task.resource_id == server.id
    assert wait(driver, task).error is None
    with pytest.raises(exc.NotFound):
        driver.get_server(server.id)


def test_intermediate_states(sim, driver):
    server = create(driver)
    sim.set_job_duration("stopVirtualMachine", 5.0)
    try:
        task = driver.stop_server(server.id)
        stopping = driver.get_server(server.id)
        assert (stopping.status, stopping.task_state) == ("ACTIVE", "powering-off")
        status = driver.poll_jobs(task.jobs)
        assert not status.done and status.progress is None
        assert status.message.startswith("CloudStack job") and "pending" in status.message
    finally:
        sim.set_job_duration("stopVirtualMachine", 0.05)


def test_delete_without_expunge_leaves_destroyed(make_driver):
    driver = make_driver(expunge_on_delete=False)
    server = create(driver)
    wait(driver, driver.delete_server(server.id))
    assert driver.get_server(server.id).status == "DELETED"
    with pytest.raises(exc.Conflict):
        driver.start_server(server.id)


def test_operations_on_unknown_servers(driver):
    ident = str(uuid.uuid4())
    for call in (driver.delete_server, driver.start_server, driver.stop_server,
                 driver.reboot_server):
        with pytest.raises(exc.NotFound, match=ident):
            call(ident)
    with pytest.raises(exc.NotFound, match=ident):
        driver.resize_server(ident, models.ResizeSpec(flavor="Large Instance"))


def test_resize(driver):
    server = create(driver)
    task = driver.resize_server(server.id, models.ResizeSpec(flavor="Large Instance"))
    assert wait(driver, task).error is None
    resized = driver.get_server(server.id)
    assert resized.flavor_name == "Large Instance" and resized.ram_mb == 4096
    # A customizable offering keeps the running server's CPU speed (2000 MHz here):
    # CloudStack refuses to lower any dimension of a running VM.
    task = driver.resize_server(server.id, models.ResizeSpec(vcpus=8, ram_mb=16384))
    assert wait(driver, task).error is None
    custom = driver.get_server(server.id)
    assert custom.flavor_name == "Custom" and (custom.vcpus, custom.ram_mb) == (8, 16384)
    assert custom.extra["cpu_speed_mhz"] == "2000"
    # CloudStack never shrinks a running VM: the job fails, and says why.
    status = wait(driver, driver.resize_server(server.id,
                                               models.ResizeSpec(flavor="Small Instance")))
    assert isinstance(status.error, exc.InvalidInput)
    assert "scaling up" in status.error.user_message
    with pytest.raises(exc.NotFound):
        driver.resize_server(server.id, models.ResizeSpec(flavor="Nonexistent"))


# -- jobs and errors ---------------------------------------------------------------------------


def test_failed_job_is_reported_with_its_code(sim, driver):
    sim.fail_next_job("deployVirtualMachine", "No suitable host found")
    task = driver.create_server(models.ServerSpec(name="doomed", image="Debian 12",
                                                  flavor="Small Instance"))
    status = wait(driver, task)
    assert status.done and isinstance(status.error, exc.BackendError)
    assert status.error.backend == "cloudstack" and status.error.backend_code == "530"
    assert "No suitable host found" in status.error.user_message
    # The VM id was returned at once, so it can still be cleaned up.
    assert driver.get_server(task.resource_id).status == "ERROR"


def test_finished_jobs_are_not_polled_again(sim, driver):
    task = driver.create_server(models.ServerSpec(name="once", image="Debian 12",
                                                  flavor="Small Instance"))
    wait(driver, task)
    sim.reset_counts()
    assert driver.poll_jobs(task.jobs).done
    assert sim.request_counts["queryAsyncJobResult"] == 0


@pytest.mark.parametrize("code, cls", [(533, exc.CapacityExhausted),
                                       (534, exc.BackendUnavailable),
                                       (530, exc.BackendError)])
def test_deploy_errors(sim, driver, code, cls):
    sim.fail_next("deployVirtualMachine", code, f"injected {code}")
    with pytest.raises(cls) as info:
        driver.create_server(models.ServerSpec(name="e", image="Debian 12",
                                               flavor="Small Instance"))
    assert info.value.backend_code == str(code)
    assert info.value.retryable == (code in (533, 534))


def test_vm_limit_is_quota_exceeded(own_sim, make_driver):
    driver = make_driver(own_sim)
    own_sim.set_vm_limit(0)
    with pytest.raises(exc.QuotaExceeded) as info:
        driver.create_server(models.ServerSpec(name="q", image="Debian 12",
                                               flavor="Small Instance"))
    assert info.value.backend_code == "532"


def test_refused_tags_fail_the_operation_but_keep_the_server(sim, driver):
    warm(driver)
    sim.fail_next("createTags", 534, "tags are broken")
    task = driver.create_server(models.ServerSpec(name="tagfail", image="Debian 12",
                                                  flavor="Small Instance", metadata={"a": "b"}))
    assert task.resource_id and len(task.jobs) == 2
    status = wait(driver, task)
    # Reported once the deployment is over, naming the server that now exists.
    assert isinstance(status.error, exc.BackendUnavailable)
    assert status.error.backend_code == "534"
    assert task.resource_id in status.error.user_message
    assert "tags are broken" in status.error.user_message
    server = driver.get_server(task.resource_id)
    assert server.status == "ACTIVE" and server.metadata == {}


def test_no_secret_in_logs(sim, driver, caplog):
    caplog.set_level(logging.DEBUG)
    create(driver, user_data=b"secret-free user data")
    sim.fail_next("listVirtualMachines", 530, "boom")
    with pytest.raises(exc.BackendError):
        driver.get_server(str(uuid.uuid4()))
    for record in caplog.records:
        message = record.getMessage()
        assert sim.api_key not in message and sim.secret_key not in message
        assert "signature=" not in message


def test_threads_get_their_own_connection(driver):
    server = create(driver)
    failures = []

    def work():
        try:
            for _ in range(5):
                assert driver.get_server(server.id).id == server.id
        except Exception as error:  # noqa: BLE001 - collected for the assertion below
            failures.append(error)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    assert len(driver.client._drivers) >= 8


# -- keypairs --------------------------------------------------------------------------------


def test_keypair_flows(sim, driver):
    name = f"kp-{uuid.uuid4().hex[:8]}"
    created = driver.create_keypair(name)
    assert created.name == name and created.fingerprint
    assert "PRIVATE KEY" in created.private_key
    with pytest.raises(exc.AlreadyExists, match=name):
        driver.create_keypair(name)

    imported_name = f"imp-{uuid.uuid4().hex[:8]}"
    key = public_key()
    imported = driver.import_keypair(imported_name, key)
    assert imported.name == imported_name and imported.fingerprint
    assert imported.public_key == key and imported.private_key == ""
    with pytest.raises(exc.AlreadyExists):
        driver.import_keypair(imported_name, public_key())
    with pytest.raises(exc.AlreadyExists, match="public key"):
        driver.import_keypair(f"again-{uuid.uuid4().hex[:8]}", key)
    with pytest.raises(exc.InvalidInput) as info:
        driver.import_keypair(f"bad-{uuid.uuid4().hex[:8]}", "not a key")
    assert info.value.violations[0].field == "public_key"

    listed, token = [], ""
    while True:
        page = driver.list_keypairs(1, token)
        assert len(page.items) <= 1
        listed.extend(page.items)
        token = page.next_token
        if not token:
            break
    names = [k.name for k in listed]
    assert {name, imported_name} <= set(names) and len(names) == len(set(names))
    assert all(k.private_key == "" for k in listed)

    driver.delete_keypair(name)
    driver.delete_keypair(imported_name)
    with pytest.raises(exc.NotFound, match=name):
        driver.delete_keypair(name)
    assert not {name, imported_name} & {k.name for k in driver.list_keypairs(500, "").items}


# -- capabilities --------------------------------------------------------------------------


def test_capabilities(make_driver):
    driver = make_driver(user_data_max_bytes=4096)
    caps = driver.capabilities()
    assert (caps.api, caps.driver) == ("compute", "cloudstack")
    declared = {n for n, v in vars(base.ComputeDriver).items()
                if callable(v) and not n.startswith("_")}
    assert {op.name for op in caps.operations} == declared
    assert all(op.supported for op in caps.operations)
    create_options = {o.name: o for o in
                      next(op for op in caps.operations if op.name == "create_server").options}
    assert "security groups" in create_options["security_groups"].note
    assert "4096" in create_options["user_data"].note
    assert "tags" in create_options["metadata"].note
    reboot = next(op for op in caps.operations if op.name == "reboot_server")
    assert "4.16" in reboot.options[0].note
    notes = " ".join(caps.notes)
    for phrase in ("service offerings", "templates", "expunge", "console", "estimated"):
        assert phrase in notes


def test_expected_seconds(driver):
    assert driver.expected_seconds("CreateServer") == 60
    assert driver.expected_seconds("StopServer") == 20


def test_peek_answers_catalog_reads_from_the_cache_without_io(sim, driver):
    assert driver.peek("list_flavors", 100, "") is None  # cold: the caller must block
    warm(driver)
    sim.reset_counts()
    flavors = driver.peek("list_flavors", 100, "")
    images = driver.peek("list_images", 100, "")
    assert {f.name for f in flavors.items} >= {"Small Instance", "Custom"}
    assert driver.peek("get_flavor", flavors.items[0].id).name == flavors.items[0].name
    assert driver.peek("get_image", images.items[0].id).name == images.items[0].name
    # A miss (perhaps a new offering) goes to the blocking path, which refreshes once.
    assert driver.peek("get_flavor", "no-such-id") is None
    assert driver.peek("list_servers", 100, "") is None  # never peeked: always live
    assert sum(sim.request_counts.values()) == 0


def test_catalog_models_follow_cache_refreshes(sim, make_driver):
    driver = make_driver(cache_ttl=1)
    first = driver.list_flavors(100, "").items
    assert driver.list_flavors(100, "").items[0] is first[0]  # mapped once per listing
    time.sleep(1.1)  # the listing expired: a refresh maps anew
    assert driver.list_flavors(100, "").items[0] is not first[0]
