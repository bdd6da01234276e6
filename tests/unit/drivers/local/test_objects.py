"""The local driver's containers and objects: round trips, ranges, copies, errors."""

from __future__ import annotations

import hashlib
import os

import pytest
from unit.drivers.local.conftest import CHUNK, files_under, put, read

from translator.drivers import base, exceptions, models


def test_containers_have_metadata_and_counts(driver):
    made = driver.create_container("photos", {"owner": "ann"})
    assert (made.name, made.metadata, made.object_count) == ("photos", {"owner": "ann"}, 0)
    put(driver, "photos", "a", b"12345")
    put(driver, "photos", "b", b"678")
    got = driver.get_container("photos")
    assert (got.object_count, got.bytes_used, got.metadata) == (2, 8, {"owner": "ann"})


def test_container_errors_name_the_container(driver):
    driver.create_container("dup", {})
    with pytest.raises(exceptions.AlreadyExists, match="'dup'"):
        driver.create_container("dup", {"x": "y"})
    assert driver.get_container("dup").metadata == {}
    for call in (driver.get_container, driver.delete_container):
        with pytest.raises(exceptions.NotFound, match="container 'nope'"):
            call("nope")


def test_a_container_holding_objects_is_not_deleted(driver, bucket):
    put(driver, bucket, "x", b"x")
    with pytest.raises(exceptions.Conflict, match="1 object"):
        driver.delete_container(bucket)
    driver.delete_object(bucket, "x")
    driver.delete_container(bucket)
    with pytest.raises(exceptions.NotFound):
        driver.get_container(bucket)


@pytest.mark.parametrize("data", [b"", b"hello", os.urandom(3 * CHUNK + 17)],
                         ids=["empty", "small", "several-chunks"])
def test_put_and_get_round_trip(driver, bucket, data):
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)] or [b""]
    stored = put(driver, bucket, "obj", chunks)
    digest = hashlib.md5(data).hexdigest()
    assert (stored.size_bytes, stored.md5, stored.etag) == (len(data), digest, digest)
    assert stored.content_type == "application/octet-stream"
    assert stored.last_modified is not None and stored.last_modified.tzinfo is not None
    assert read(driver, bucket, "obj") == data
    download = driver.open_object(bucket, "obj")
    assert all(len(c) <= CHUNK for c in download.chunks)
    download.close()


def test_declared_size_and_md5_that_match_are_accepted(driver, bucket):
    data = b"checked data"
    stored = put(driver, bucket, "ok", data, size=len(data), md5=hashlib.md5(data).hexdigest())
    assert stored.size_bytes == len(data)


def test_head_has_type_and_metadata_listing_does_not(driver, bucket):
    put(driver, bucket, "doc", b"{}", content_type="application/json",
        metadata={"color": "blue"})
    head = driver.head_object(bucket, "doc")
    assert (head.content_type, head.metadata, head.size_bytes) == (
        "application/json", {"color": "blue"}, 2)
    [listed] = driver.list_objects(bucket, "", "", 10, "").objects
    assert listed.name == "doc" and listed.metadata == {} and listed.md5 == head.md5


def test_a_put_replaces_the_object_and_its_file(driver, bucket):
    put(driver, bucket, "k", b"old", metadata={"v": "1"})
    put(driver, bucket, "k", b"newer")
    head = driver.head_object(bucket, "k")
    assert (head.size_bytes, head.metadata) == (5, {})
    assert read(driver, bucket, "k") == b"newer"
    assert len([f for f in files_under(driver.objects_dir) if f.startswith("data")]) == 1


@pytest.mark.parametrize("name", ["a/b/c", "../../etc/passwd", "..", "/abs", "x" * 1024,
                                  "ünïcødé ☃", "sp ace"])
def test_names_are_never_paths(driver, bucket, name):
    put(driver, bucket, name, b"data")
    assert read(driver, bucket, name) == b"data"
    assert [o.name for o in driver.list_objects(bucket, "", "", 10, "").objects] == [name]
    for path in files_under(driver.objects_dir):
        assert path.startswith(("data/", "tmp/")) and ".." not in path
    assert not os.path.exists(os.path.join(driver.objects_dir, "..", "etc"))
    driver.delete_object(bucket, name)


def test_ranges(driver, bucket):
    data = bytes(range(256)) * 40  # 10240 bytes: three chunks
    put(driver, bucket, "r", data)
    assert read(driver, bucket, "r", 0, 10) == data[:10]
    assert read(driver, bucket, "r", 5000) == data[5000:]
    assert read(driver, bucket, "r", 4000, 5000) == data[4000:9000]
    assert read(driver, bucket, "r", 10000, 10**9) == data[10000:]  # stops at the end
    assert read(driver, bucket, "r", 10239) == data[-1:]
    assert read(driver, bucket, "r", 3, 0) == b""
    with pytest.raises(exceptions.OutOfRange, match="10240"):
        driver.open_object(bucket, "r", 10240)
    with pytest.raises(exceptions.InvalidInput):
        driver.open_object(bucket, "r", -1)
    with pytest.raises(exceptions.InvalidInput):
        driver.open_object(bucket, "r", 0, -1)


def test_an_empty_object_has_no_range_error(driver, bucket):
    put(driver, bucket, "empty", b"")
    assert read(driver, bucket, "empty") == b""
    assert read(driver, bucket, "empty", 7) == b""


def test_download_describes_the_object_and_closes_once(driver, bucket):
    put(driver, bucket, "d", b"abc", content_type="text/plain")
    download = driver.open_object(bucket, "d")
    assert (download.info.size_bytes, download.info.content_type) == (3, "text/plain")
    download.close()
    download.close()
    assert list(download.chunks) == []  # closed before reading: nothing, no error


def test_missing_objects_are_not_found(driver, bucket):
    for call in (driver.head_object, driver.open_object, driver.delete_object):
        with pytest.raises(exceptions.NotFound, match="object 'ghost'.*'bucket'"):
            call(bucket, "ghost")
        with pytest.raises(exceptions.NotFound, match="container 'nope'"):
            call("nope", "ghost")
    with pytest.raises(exceptions.NotFound, match="container 'nope'"):
        driver.list_objects("nope", "", "", 10, "")
    with pytest.raises(exceptions.NotFound, match="container 'nope'"):
        put(driver, "nope", "x", b"data")
    assert files_under(driver.objects_dir) == []


def test_delete_removes_row_and_file(driver, bucket):
    put(driver, bucket, "gone", b"bye")
    driver.delete_object(bucket, "gone")
    with pytest.raises(exceptions.NotFound):
        driver.head_object(bucket, "gone")
    assert files_under(driver.objects_dir) == []


def test_copy_keeps_or_replaces_metadata(driver, bucket):
    driver.create_container("other", {})
    data = os.urandom(2 * CHUNK + 5)
    source = put(driver, bucket, "src", data, content_type="image/png",
                 metadata={"a": "1"})
    kept = driver.copy_object(models.CopySpec(bucket, "src", "other", "kept"))
    assert (kept.container, kept.name, kept.metadata) == ("other", "kept", {"a": "1"})
    assert (kept.md5, kept.size_bytes, kept.content_type) == (
        source.md5, len(data), "image/png")
    assert read(driver, "other", "kept") == data
    replaced = driver.copy_object(models.CopySpec(bucket, "src", bucket, "new", {"b": "2"}))
    assert driver.head_object(bucket, "new").metadata == replaced.metadata == {"b": "2"}
    cleared = driver.copy_object(models.CopySpec(bucket, "src", bucket, "bare", {}))
    assert cleared.metadata == {}
    # Onto itself: a new file, the same content.
    driver.copy_object(models.CopySpec(bucket, "src", bucket, "src", {"c": "3"}))
    assert read(driver, bucket, "src") == data
    assert driver.head_object(bucket, "src").metadata == {"c": "3"}
    assert len([f for f in files_under(driver.objects_dir) if f.startswith("data")]) == 4


def test_copy_errors_leave_nothing(driver, bucket):
    put(driver, bucket, "src", b"data")
    with pytest.raises(exceptions.NotFound, match="container 'nowhere'"):
        driver.copy_object(models.CopySpec(bucket, "src", "nowhere", "x"))
    with pytest.raises(exceptions.NotFound, match="object 'ghost'"):
        driver.copy_object(models.CopySpec(bucket, "ghost", bucket, "x"))
    assert len(files_under(driver.objects_dir)) == 1


def test_copy_falls_back_to_user_space(driver, bucket, monkeypatch):
    data = os.urandom(3 * CHUNK)
    put(driver, bucket, "src", data)

    def unsupported(*args, **kwargs):
        raise OSError(18, "Invalid cross-device link")
    monkeypatch.setattr(os, "copy_file_range", unsupported)
    driver.copy_object(models.CopySpec(bucket, "src", bucket, "dst"))
    assert read(driver, bucket, "dst") == data


def test_temp_urls_are_unsupported_and_said_so(driver, bucket):
    with pytest.raises(exceptions.UnsupportedOperation, match="CreateTempUrl"):
        driver.create_temp_url(bucket, "x", models.TEMP_URL_GET, 60)
    caps = driver.capabilities()
    ops = {op.name: op for op in caps.operations}
    assert not ops["CreateTempUrl"].supported and ops["CreateTempUrl"].note
    assert any("temp URL" in note for note in caps.notes)


def test_capabilities_list_every_rpc(driver):
    from translator.api.v1 import object_storage_pb2

    rpcs = set(object_storage_pb2.DESCRIPTOR.services_by_name["ObjectStorage"].methods_by_name)
    caps = driver.capabilities()
    assert (caps.api, caps.driver) == ("object_storage", "local")
    assert {op.name for op in caps.operations} == rpcs
    assert all(op.supported for op in caps.operations if op.name != "CreateTempUrl")
    assert any("no parts" in op.note for op in caps.operations if op.name == "PutObject")
    assert any("single node" in note for note in caps.notes)
    assert "objects_dir" in caps.notes[0] and driver.objects_dir not in " ".join(caps.notes)


def test_the_driver_is_the_local_object_storage_entry_point():
    from stevedore import driver as stevedore_driver

    from translator_drivers.local.objects import LocalObjectStorageDriver

    manager = stevedore_driver.DriverManager(
        namespace="translator.drivers.object_storage", name="local", invoke_on_load=False)
    assert manager.driver is LocalObjectStorageDriver
    assert issubclass(LocalObjectStorageDriver, base.ObjectStorageDriver)
    assert (LocalObjectStorageDriver.name, LocalObjectStorageDriver.api) == (
        "local", "object_storage")
