"""PutObject's guarantees on the real radosgw: bad data, an aborted upload or a failing
backend leave nothing behind (no object, no segments); segments upload in parallel within
[object_storage] part_concurrency; a declared size above the threshold streams at once."""

from __future__ import annotations

import os
import threading
import time

import pytest
from unit.drivers.swift.conftest import MiB, md5, names, read_all, source

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator.service.streams import UploadAborted
from translator_drivers.swift.slo import Segments

BIG = os.urandom(12 * MiB)


def nothing_left(raw, container: str) -> bool:
    return names(raw, container) == [] and names(raw, f"{container}_segments") == []


@pytest.mark.parametrize("data", [b"small data", BIG], ids=["single", "slo"])
def test_an_md5_mismatch_stores_nothing(driver, container, raw, data):
    wrong = md5(b"something else")
    with pytest.raises(exc.InvalidInput) as caught:
        driver.put_object(models.ObjectSpec(container, "obj", md5=wrong),
                          source(data, md5=wrong))
    assert caught.value.violations[0].field == "md5"
    assert nothing_left(raw, container)


@pytest.mark.parametrize("data", [b"small data", BIG], ids=["single", "slo"])
@pytest.mark.parametrize("declared", [-1, +1], ids=["shorter", "longer"])
def test_a_size_mismatch_stores_nothing(driver, container, raw, data, declared):
    size = len(data) + declared
    with pytest.raises(exc.InvalidInput) as caught:
        driver.put_object(models.ObjectSpec(container, "obj", size_bytes=size),
                          source(data, size=size))
    assert caught.value.violations[0].field == "size_bytes"
    assert nothing_left(raw, container)


@pytest.mark.parametrize("fail_after", [3, 5 * MiB + 3, 11 * MiB], ids=["first", "mid", "late"])
def test_an_aborted_upload_leaves_nothing(driver, container, raw, fail_after):
    gone = UploadAborted("the upload was interrupted before its end")
    with pytest.raises(exc.Aborted):
        driver.put_object(models.ObjectSpec(container, "obj"),
                          source(BIG, fail_after=fail_after, error=gone))
    assert nothing_left(raw, container)


def test_an_aborted_replacement_keeps_the_old_object(driver, container, raw):
    driver.put_object(models.ObjectSpec(container, "obj"), source(BIG))
    segments = names(raw, f"{container}_segments")
    gone = UploadAborted("gone")
    with pytest.raises(exc.Aborted):
        driver.put_object(models.ObjectSpec(container, "obj"),
                          source(os.urandom(11 * MiB), fail_after=8 * MiB, error=gone))
    assert names(raw, f"{container}_segments") == segments
    assert read_all(driver.open_object(container, "obj")) == BIG


def test_a_failing_segment_upload_stops_the_upload_and_leaves_nothing(
        driver, container, raw, monkeypatch):
    real = Segments._put_segment

    def flaky(self, segment_container, name, data):
        if name.endswith("00000001"):
            raise exc.BackendUnavailable("segment PUT failed", backend="swift")
        return real(self, segment_container, name, data)
    monkeypatch.setattr(Segments, "_put_segment", flaky)
    counted = source(os.urandom(40 * MiB))
    with pytest.raises(exc.BackendUnavailable):
        driver.put_object(models.ObjectSpec(container, "obj"), counted)
    assert nothing_left(raw, container)
    assert counted.bytes_read < 40 * MiB  # it stopped reading once a segment failed


def test_a_failing_manifest_leaves_no_segments(driver, container, raw, monkeypatch):
    from translator_drivers.swift import uploads

    def broken(self, *args, **kwargs):
        raise exc.BackendUnavailable("manifest PUT failed", backend="swift")
    monkeypatch.setattr(uploads.Writer, "put_manifest", broken)
    with pytest.raises(exc.BackendUnavailable):
        driver.put_object(models.ObjectSpec(container, "obj"), source(BIG))
    assert nothing_left(raw, container)


def test_segments_upload_in_parallel_within_part_concurrency(make_driver, container,
                                                             monkeypatch):
    driver = make_driver(object_storage={"part_concurrency": 2})
    real = Segments._put_segment
    lock, running, peak = threading.Lock(), [0], [0]

    def watched(self, *args):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.1)
        try:
            return real(self, *args)
        finally:
            with lock:
                running[0] -= 1
    monkeypatch.setattr(Segments, "_put_segment", watched)
    data = os.urandom(26 * MiB)  # six segments
    stored = driver.put_object(models.ObjectSpec(container, "obj"), source(data))
    assert stored.extra["parts"] == "6" and peak[0] == 2
    assert read_all(driver.open_object(container, "obj")) == data


def test_a_declared_size_above_the_threshold_goes_straight_to_segments(driver, container,
                                                                       raw):
    stored = driver.put_object(models.ObjectSpec(container, "obj", size_bytes=len(BIG)),
                               source(BIG, size=len(BIG), md5=md5(BIG)))
    assert stored.extra["parts"] == "3" and stored.md5 == md5(BIG)
    assert len(names(raw, f"{container}_segments")) == 3


def test_exactly_the_threshold_is_one_put(driver, container, raw):
    data = os.urandom(5 * MiB)
    stored = driver.put_object(models.ObjectSpec(container, "obj"), source(data))
    assert stored.extra == {} and stored.etag == md5(data)
    assert names(raw, f"{container}_segments") == []
    one_more = os.urandom(5 * MiB + 1)
    stored = driver.put_object(models.ObjectSpec(container, "obj2"), source(one_more))
    assert stored.extra["parts"] == "2"
    assert read_all(driver.open_object(container, "obj2")) == one_more


def test_concurrent_uploads_of_one_name_do_not_collide(driver, container, raw):
    datas = [os.urandom(6 * MiB) for _ in range(3)]
    results, errors = [], []

    def upload(data):
        try:
            results.append(driver.put_object(models.ObjectSpec(container, "same"),
                                             source(data)))
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)
    threads = [threading.Thread(target=upload, args=(d,)) for d in datas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(results) == 3
    content = read_all(driver.open_object(container, "same"))
    assert content in datas  # one whole upload won; none is a mix of segments
    assert driver.head_object(container, "same").md5 == md5(content)
