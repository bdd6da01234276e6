"""Containers on the real radosgw's Swift API: create, get, list with paging, delete."""

from __future__ import annotations

import uuid

import pytest
from unit.drivers.swift.conftest import MiB, names, source

from translator.drivers import exceptions as exc
from translator.drivers import models


def test_create_get_and_delete_a_container_with_metadata(driver, raw):
    name = f"c-{uuid.uuid4().hex[:8]}"
    made = driver.create_container(name, {"owner": "paas", "tier": "gold"})
    assert (made.name, made.metadata) == (name, {"owner": "paas", "tier": "gold"})
    assert raw.head_container(name)["x-container-meta-owner"] == "paas"
    found = driver.get_container(name)
    assert (found.object_count, found.bytes_used) == (0, 0)
    assert found.metadata == {"owner": "paas", "tier": "gold"}
    assert found.extra["segments_container"] == f"{name}_segments"
    driver.delete_container(name)
    with pytest.raises(exc.NotFound, match=name):
        driver.get_container(name)


def test_creating_an_existing_container_is_already_exists(driver, container):
    # Swift's container PUT is idempotent: the driver must look first.
    with pytest.raises(exc.AlreadyExists, match=container):
        driver.create_container(container, {})


def test_missing_containers_are_not_found_naming_the_container(driver):
    missing = f"missing-{uuid.uuid4().hex[:6]}"
    for call in (lambda: driver.get_container(missing),
                 lambda: driver.delete_container(missing),
                 lambda: driver.list_objects(missing, "", "", 10, "")):
        with pytest.raises(exc.NotFound, match=missing) as caught:
            call()
        assert caught.value.backend == "swift" and caught.value.backend_code == "404"


def test_counts_and_bytes_come_from_the_container(driver, container):
    for i, size in enumerate((10, 20, 30)):
        data = b"x" * size
        driver.put_object(models.ObjectSpec(container, f"o{i}"), source(data))
    found = driver.get_container(container)
    assert (found.object_count, found.bytes_used) == (3, 60)


def test_a_container_holding_objects_is_a_conflict(driver, container):
    driver.put_object(models.ObjectSpec(container, "keep"), source(b"data"))
    with pytest.raises(exc.Conflict, match="not empty"):
        driver.delete_container(container)
    assert driver.get_container(container).object_count == 1


def test_deleting_a_container_deletes_its_empty_segments_container(driver, raw):
    name = f"c-{uuid.uuid4().hex[:8]}"
    driver.create_container(name, {})
    driver.put_object(models.ObjectSpec(name, "big"), source(b"b" * (6 * MiB)))
    assert names(raw, f"{name}_segments")  # a static large object's segments
    assert driver.get_container(name).extra["segments_bytes_used"] == str(6 * MiB)
    driver.delete_object(name, "big")
    assert names(raw, f"{name}_segments") == []
    driver.delete_container(name)
    with pytest.raises(Exception, match="404"):
        raw.head_container(f"{name}_segments")


def test_a_segments_container_holding_strays_stays(driver, raw):
    name = f"c-{uuid.uuid4().hex[:8]}"
    driver.create_container(name, {})
    raw.put_container(f"{name}_segments")
    raw.put_object(f"{name}_segments", "stray/0", b"left by another tool")
    driver.delete_container(name)  # the main container goes all the same
    assert names(raw, f"{name}_segments") == ["stray/0"]
    raw.delete_object(f"{name}_segments", "stray/0")
    raw.delete_container(f"{name}_segments")


def test_list_containers_pages_by_name_with_a_prefix(driver):
    prefix = f"page-{uuid.uuid4().hex[:6]}-"
    wanted = [f"{prefix}{i:02d}" for i in range(5)]
    for name in reversed(wanted):
        driver.create_container(name, {})
    seen, token, pages = [], "", 0
    while True:
        page = driver.list_containers(2, token, prefix)
        seen += [c.name for c in page.items]
        pages += 1
        token = page.next_token
        if not token:
            break
    assert seen == wanted and pages == 3  # 2 + 2 + 1: no empty last page
    exact = driver.list_containers(5, "", prefix)
    assert len(exact.items) == 5 and exact.next_token == ""  # a full last page says so
    for name in wanted:
        driver.delete_container(name)
    assert driver.list_containers(10, "", prefix).items == []


def test_reserved_and_invalid_inputs_are_refused(driver, container):
    with pytest.raises(exc.InvalidInput) as caught:
        driver.create_container(f"c-{uuid.uuid4().hex[:6]}", {"temp-url-key": "x"})
    assert caught.value.violations[0].field == "metadata['temp-url-key']"
    # RGW applies bucket name rules to Swift containers: two letters are too few.
    with pytest.raises(exc.InvalidInput) as caught:
        driver.create_container("ab", {})
    assert caught.value.violations[0].field == "name"
    assert caught.value.backend_code == "400"
