"""The compute driver contract: what every registered compute driver must do.

Runs against each driver's own backend (see backends.py), through the driver
API only: no backend-specific knowledge here.
"""

from __future__ import annotations

import base64
import secrets
import time
import uuid

import pytest

from contract import backends
from contract.conftest import NAMESPACE, registered
from translator.drivers import base, exceptions, models

POLL_TIMEOUT = 15.0


def operation_names() -> set[str]:
    """Every operation ComputeDriver declares (required or optional)."""
    return {name for name, value in vars(base.ComputeDriver).items()
            if callable(value) and not name.startswith("_")}


def _norm(name: str) -> str:
    return name.replace("_", "").lower()


def wait(driver: base.ComputeDriver, task: models.BackendTask) -> None:
    """Poll the task's jobs as the core's poller does, following a multi-step operation's
    next steps, until done; raise a job's error."""
    jobs = list(task.jobs)
    deadline = time.monotonic() + POLL_TIMEOUT
    while jobs:
        status = driver.poll_jobs(jobs)
        if status.done:
            if status.error is not None:
                raise status.error
            if status.next_jobs is not None:
                jobs = list(status.next_jobs)
                continue
            return
        assert status.progress is None or 0 <= status.progress <= 100
        assert time.monotonic() < deadline, f"jobs {task.jobs} not done: {status.message}"
        time.sleep(0.02)


def collect(list_page, page_size: int) -> list:
    """Every item of a paged list, following next_token."""
    items, token, seen = [], "", set()
    while True:
        page = list_page(page_size, token)
        assert len(page.items) <= max(page_size, 1)
        items.extend(page.items)
        if not page.next_token:
            return items
        assert page.next_token not in seen, "a page token repeated"
        seen.add(page.next_token)
        token = page.next_token


def public_key() -> str:
    """A syntactically valid OpenSSH RSA public key (random modulus)."""
    def field(data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + data
    blob = field(b"ssh-rsa") + field(b"\x01\x00\x01") + field(b"\x00" + secrets.token_bytes(256))
    return f"ssh-rsa {base64.b64encode(blob).decode()} contract@test"


def fixed_flavors(driver) -> list[models.Flavor]:
    flavors = [f for f in collect(driver.list_flavors, 100) if not f.customizable]
    assert flavors, "the contract needs at least one fixed flavor"
    return sorted(flavors, key=lambda f: (f.ram_mb, f.vcpus))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# -- the suite itself ---------------------------------------------------------------


def test_every_registered_driver_has_a_backend():
    names = set(registered())
    assert names, f"no compute driver is registered in {NAMESPACE}"
    missing = sorted(names - set(backends.BACKENDS))
    assert not missing, f"registered drivers without a contract backend: {missing}"


def test_setup_check_passes(driver):
    driver.check_setup()


def test_capabilities_list_every_operation(driver, driver_name):
    caps = driver.capabilities()
    assert caps.api == "compute" and caps.driver == driver_name == driver.name
    listed = {_norm(op.name) for op in caps.operations}
    missing = {name for name in operation_names() if _norm(name) not in listed}
    assert not missing, f"capabilities() does not mention {sorted(missing)}"


def test_flavors_listed_and_fetchable(driver):
    flavors = collect(driver.list_flavors, 100)
    assert flavors
    for flavor in flavors:
        assert flavor.id and flavor.name
        assert driver.get_flavor(flavor.id) == flavor


def test_images_listed_and_fetchable(driver):
    images = collect(driver.list_images, 100)
    assert images
    for image in images:
        assert image.id and image.name
        assert driver.get_image(image.id).id == image.id


@pytest.mark.parametrize("kind", ["flavors", "images"])
def test_paging_is_consistent(driver, kind):
    list_page = getattr(driver, f"list_{kind}")
    everything = collect(list_page, 500)
    for size in (1, 2, 3):
        pages = collect(list_page, size)
        assert [x.id for x in pages] == [x.id for x in everything]
    ids = [x.id for x in everything]
    assert len(ids) == len(set(ids)), "duplicates in a listing"


def test_default_page_size(driver):
    # The core passes 0 for "the default".
    assert driver.list_flavors(0, "").items


def test_malformed_page_token_is_invalid_input(driver):
    for list_page in (driver.list_flavors, driver.list_servers):
        with pytest.raises(exceptions.InvalidInput):
            list_page(10, "not a token!")


def test_unknown_ids_are_not_found(driver):
    unknown = str(uuid.uuid4())
    for call in (driver.get_flavor, driver.get_image, driver.get_server,
                 driver.delete_server, driver.start_server, driver.stop_server,
                 driver.reboot_server, driver.delete_keypair):
        with pytest.raises(exceptions.NotFound):
            call(unknown)


def test_server_lifecycle(driver):
    image = collect(driver.list_images, 100)[0]
    small, bigger = fixed_flavors(driver)[0], fixed_flavors(driver)[-1]
    assert small.id != bigger.id, "the contract needs two fixed flavors"
    name = unique("contract")

    task = driver.create_server(models.ServerSpec(name=name, image=image.id, flavor=small.id))
    assert task.resource_id
    wait(driver, task)
    server = driver.get_server(task.resource_id)
    assert server.status == "ACTIVE" and server.name == name
    assert server.flavor_id == small.id

    wait(driver, driver.reboot_server(server.id))
    assert driver.get_server(server.id).status == "ACTIVE"
    wait(driver, driver.reboot_server(server.id, hard=True))
    assert driver.get_server(server.id).status == "ACTIVE"

    wait(driver, driver.stop_server(server.id))
    assert driver.get_server(server.id).status == "SHUTOFF"

    wait(driver, driver.resize_server(server.id, models.ResizeSpec(flavor=bigger.id)))
    assert driver.get_server(server.id).flavor_id == bigger.id

    wait(driver, driver.start_server(server.id))
    assert driver.get_server(server.id).status == "ACTIVE"

    wait(driver, driver.delete_server(server.id))
    try:
        assert driver.get_server(server.id).status == "DELETED"
    except exceptions.NotFound:
        pass


def test_servers_page_consistently(driver):
    image = collect(driver.list_images, 100)[0]
    flavor = fixed_flavors(driver)[0]
    tasks = [driver.create_server(models.ServerSpec(name=unique("page"), image=image.id,
                                                    flavor=flavor.id)) for _ in range(3)]
    for task in tasks:
        wait(driver, task)
    everything = collect(driver.list_servers, 500)
    ids = [s.id for s in everything]
    assert len(ids) == len(set(ids))
    assert {t.resource_id for t in tasks} <= set(ids)
    assert [s.id for s in collect(driver.list_servers, 2)] == ids
    for task in tasks:
        wait(driver, driver.delete_server(task.resource_id))


def test_keypairs(driver):
    created_name, imported_name = unique("kp-new"), unique("kp-imp")
    created = driver.create_keypair(created_name)
    assert created.name == created_name and created.private_key
    with pytest.raises(exceptions.AlreadyExists):
        driver.create_keypair(created_name)

    key = public_key()
    imported = driver.import_keypair(imported_name, key)
    assert imported.name == imported_name and not imported.private_key

    names = [k.name for k in collect(driver.list_keypairs, 1)]
    assert {created_name, imported_name} <= set(names)
    assert len(names) == len(set(names))
    assert all(not k.private_key for k in collect(driver.list_keypairs, 100))

    driver.delete_keypair(created_name)
    driver.delete_keypair(imported_name)
    names = {k.name for k in collect(driver.list_keypairs, 100)}
    assert not {created_name, imported_name} & names
    with pytest.raises(exceptions.NotFound):
        driver.delete_keypair(created_name)
