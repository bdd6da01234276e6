"""What failures, crashes and concurrent callers leave behind in the local store: nothing
of an upload that did not finish, one consistent object when uploads race, whole
downloads while the object changes."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from unit.drivers.local.conftest import CHUNK, files_under, put, read

from translator.drivers import exceptions, models
from translator.service.streams import CheckedReader, UploadAborted
from translator_drivers.local import files as files_module
from translator_drivers.local import objects as objects_module


def only_data(driver) -> list[str]:
    return [f for f in files_under(driver.objects_dir) if f.startswith("data/")]


@pytest.mark.parametrize(("fields", "field"), [
    ({"size": 5}, "size_bytes"),  # shorter than declared
    ({"size": 100}, "size_bytes"),  # longer than declared
    ({"md5": "0" * 32}, "md5"),
], ids=["too-long", "too-short", "md5"])
def test_a_mismatch_stores_nothing(driver, bucket, fields, field):
    put(driver, bucket, "keep", b"original")
    before = files_under(driver.objects_dir)
    with pytest.raises(exceptions.InvalidInput) as caught:
        put(driver, bucket, "keep", [b"x" * 30, b"y" * 30], **fields)
    assert [v.field for v in caught.value.violations] == [field]
    assert read(driver, bucket, "keep") == b"original"
    assert files_under(driver.objects_dir) == before


def test_an_aborted_upload_leaves_nothing(driver, bucket):
    sent = iter([b"a" * CHUNK, b"b" * CHUNK])

    def next_chunk():
        chunk = next(sent, None)
        if chunk is None:
            raise UploadAborted("the caller went away")
        return chunk

    with pytest.raises(exceptions.Aborted):
        driver.put_object(models.ObjectSpec(bucket, "half"), CheckedReader(next_chunk))
    with pytest.raises(exceptions.NotFound):
        driver.head_object(bucket, "half")
    assert files_under(driver.objects_dir) == []
    assert driver.get_container(bucket).object_count == 0


def test_any_error_while_writing_leaves_nothing(driver, bucket, monkeypatch):
    writes = []

    def failing_write(fd, data):
        writes.append(len(data))
        if len(writes) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        files_module.write_all(fd, data)
    monkeypatch.setattr(objects_module, "write_all", failing_write)
    with pytest.raises(exceptions.CapacityExhausted, match="disk is full"):
        put(driver, bucket, "big", [b"1" * CHUNK, b"2" * CHUNK, b"3" * CHUNK])
    assert len(writes) == 2
    assert files_under(driver.objects_dir) == []


def test_a_failed_commit_leaves_nothing(driver, bucket):
    def delete_container_meanwhile():
        driver.delete_container(bucket)  # the container goes while the data streams
        return None

    chunks = iter([b"data"])
    reader = CheckedReader(lambda: next(chunks, None) or delete_container_meanwhile())
    with pytest.raises(exceptions.NotFound, match="container 'bucket'"):
        driver.put_object(models.ObjectSpec(bucket, "late"), reader)
    assert files_under(driver.objects_dir) == []


def test_setup_sweeps_what_a_crash_left(conf, open_driver):
    first = open_driver()
    first.create_container("c", {})
    put(first, "c", "kept", b"kept data")
    [kept_file] = only_data(first)
    # A crash mid-upload leaves a temp file; one between rename and commit, a data file.
    orphan_id = files_module.new_id()
    with open(first.files.temp_path(files_module.new_id()), "wb") as f:
        f.write(b"half an upload")
    os.makedirs(os.path.dirname(first.files.data_path(orphan_id)), exist_ok=True)
    with open(first.files.data_path(orphan_id), "wb") as f:
        f.write(b"renamed, never committed")
    unrelated = os.path.join(first.objects_dir, "data", "README")
    with open(unrelated, "w") as f:
        f.write("not ours")
    first.close()

    second = open_driver()
    assert only_data(second) == sorted([kept_file, "data/README"])
    assert os.listdir(second.files.tmp_dir) == []
    assert read(second, "c", "kept") == b"kept data"


def test_no_sweep_while_another_driver_uses_the_directory(conf, open_driver):
    first = open_driver()
    in_flight = first.files.temp_path(files_module.new_id())
    with open(in_flight, "wb") as f:
        f.write(b"another driver's upload")
    second = open_driver()  # first still open: its temp file must survive
    assert os.path.exists(in_flight)
    first.close()
    second.close()
    open_driver()
    assert not os.path.exists(in_flight)


def test_concurrent_puts_of_one_name_leave_one_whole_object(driver, bucket):
    bodies = {i: bytes([65 + i]) * (CHUNK * 3 + i) for i in range(12)}

    def upload(i):
        chunks = [bodies[i][j:j + 1000] for j in range(0, len(bodies[i]), 1000)]
        return put(driver, bucket, "contested", chunks, metadata={"writer": str(i)})

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(upload, bodies))
    head = driver.head_object(bucket, "contested")
    winner = int(head.metadata["writer"])
    assert read(driver, bucket, "contested") == bodies[winner]
    assert head.md5 == hashlib.md5(bodies[winner]).hexdigest()
    assert len(only_data(driver)) == 1 and os.listdir(driver.files.tmp_dir) == []
    assert driver.get_container(bucket).object_count == 1


def test_concurrent_puts_of_many_names(driver, bucket):
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: put(driver, bucket, f"n{i:02}", str(i).encode()), range(40)))
    page = driver.list_objects(bucket, "", "", 100, "")
    assert [o.name for o in page.objects] == [f"n{i:02}" for i in range(40)]
    assert len(only_data(driver)) == 40


def test_a_download_survives_a_replace_and_a_delete(driver, bucket):
    old = os.urandom(CHUNK * 4)
    put(driver, bucket, "moving", old)
    download = driver.open_object(bucket, "moving")
    first = next(download.chunks)
    put(driver, bucket, "moving", b"new content")
    driver.delete_object(bucket, "moving")
    assert first + b"".join(download.chunks) == old
    download.close()
    assert files_under(driver.objects_dir) == []


def test_an_open_racing_a_replace_reads_the_new_object(driver, bucket, monkeypatch):
    put(driver, bucket, "raced", b"old")
    real_open = driver.files.open_data
    raced = []

    def open_after_a_replace(file_id):
        if not raced:
            raced.append(file_id)
            put(driver, bucket, "raced", b"new")  # the file just read from the index goes
        return real_open(file_id)
    monkeypatch.setattr(driver.files, "open_data", open_after_a_replace)
    assert read(driver, bucket, "raced") == b"new"
    assert driver.open_object(bucket, "raced").info.size_bytes == 3


def test_a_close_from_another_thread_stops_the_download(driver, bucket):
    put(driver, bucket, "long", os.urandom(CHUNK * 8))
    download = driver.open_object(bucket, "long")
    got = [next(download.chunks)]
    closer = threading.Thread(target=download.close)
    closer.start()
    closer.join()
    got.extend(download.chunks)  # ends without error, without reading a reused fd
    assert len(got) == 1


def test_reads_run_while_a_write_is_committing(driver, bucket, monkeypatch):
    put(driver, bucket, "r", b"readable")
    started, release = threading.Event(), threading.Event()

    def slow_source():
        started.set()
        release.wait(5)
        return None

    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(driver.put_object, models.ObjectSpec(bucket, "w"),
                              CheckedReader(slow_source))
        assert started.wait(5)
        assert read(driver, bucket, "r") == b"readable"  # not blocked by the upload
        assert [o.name for o in driver.list_objects(bucket, "", "", 10, "").objects] == ["r"]
        release.set()
        writing.result(5)
    assert driver.head_object(bucket, "w").size_bytes == 0
