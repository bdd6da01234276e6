"""Ceph object storage driver: PutObject in one piece and in parts, and nothing left on failure.

OBJECT_OPTS make objects over 5 MiB multipart uploads of 5 MiB parts, two at once."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import pytest
from unit.drivers.ceph.conftest import MiB, byte_source, uploads_in_progress

from translator.drivers import exceptions as exc
from translator.drivers import models

BIG = os.urandom(12 * MiB)  # three parts
BIG_MD5 = hashlib.md5(BIG).hexdigest()


def _read(objects, bucket: str, name: str) -> bytes:
    download = objects.open_object(bucket, name)
    try:
        return b"".join(download.chunks)
    finally:
        download.close()


def _nothing_stored(objects, s3, bucket: str, name: str) -> None:
    with pytest.raises(exc.NotFound):
        objects.head_object(bucket, name)
    assert uploads_in_progress(s3, bucket) == []


@pytest.mark.parametrize("data", [b"", b"hello ceph", os.urandom(5 * MiB)],
                         ids=["empty", "small", "at-threshold"])
def test_up_to_the_threshold_is_one_put_with_its_md5_as_etag(objects, bucket, data):
    digest = hashlib.md5(data).hexdigest()
    spec = models.ObjectSpec(bucket, "one", content_type="text/plain",
                             metadata={"colour": "blue"}, size_bytes=len(data), md5=digest)
    stored = objects.put_object(spec, byte_source(data))
    assert (stored.size_bytes, stored.md5, stored.etag, stored.extra) == (
        len(data), digest, digest, {})
    assert stored.last_modified is not None
    head = objects.head_object(bucket, "one")
    assert (head.size_bytes, head.md5, head.etag, head.content_type, head.metadata) == (
        len(data), digest, digest, "text/plain", {"colour": "blue"})
    assert _read(objects, bucket, "one") == data


def test_above_the_threshold_is_a_multipart_upload_keeping_the_declared_md5(objects, bucket,
                                                                             s3):
    spec = models.ObjectSpec(bucket, "big", metadata={"k": "v"}, md5=BIG_MD5)
    stored = objects.put_object(spec, byte_source(BIG))
    assert (stored.size_bytes, stored.md5, stored.extra) == (len(BIG), BIG_MD5, {"parts": "3"})
    assert stored.etag.endswith("-3")
    head = objects.head_object(bucket, "big")
    assert (head.etag, head.md5, head.metadata, head.extra) == (
        stored.etag, BIG_MD5, {"k": "v"}, {"parts": "3"})
    assert head.content_type == "application/octet-stream"
    raw = s3.head_object(Bucket=bucket, Key="big")
    assert raw["Metadata"]["translator-md5"] == BIG_MD5  # hidden from the caller's metadata
    assert _read(objects, bucket, "big") == BIG
    assert uploads_in_progress(s3, bucket) == []


def test_without_a_declared_md5_a_multipart_object_has_none_on_later_heads(objects, bucket):
    stored = objects.put_object(models.ObjectSpec(bucket, "big"), byte_source(BIG))
    assert stored.md5 == BIG_MD5  # the source computed it
    assert objects.head_object(bucket, "big").md5 == ""
    listed = objects.list_objects(bucket, "", "", 10, "").objects
    assert [(o.name, o.md5, o.extra) for o in listed] == [("big", "", {"parts": "3"})]


def test_a_declared_size_above_the_threshold_goes_to_parts_at_once(objects, bucket):
    spec = models.ObjectSpec(bucket, "sized", size_bytes=len(BIG), md5=BIG_MD5)
    stored = objects.put_object(spec, byte_source(BIG))
    assert stored.extra == {"parts": "3"}
    assert objects.head_object(bucket, "sized").md5 == BIG_MD5


@pytest.mark.parametrize("data", [b"small data", BIG], ids=["single", "multipart"])
def test_an_md5_mismatch_stores_nothing(objects, bucket, s3, data):
    spec = models.ObjectSpec(bucket, "bad", md5="0" * 32)
    with pytest.raises(exc.InvalidInput) as caught:
        objects.put_object(spec, byte_source(data, md5="0" * 32))
    assert caught.value.violations[0].field == "md5"
    _nothing_stored(objects, s3, bucket, "bad")


@pytest.mark.parametrize("data,declared", [(b"small data", 5), (b"small data", 50),
                                           (BIG, len(BIG) - 1), (BIG, len(BIG) + 1)],
                         ids=["single-long", "single-short", "multipart-long",
                              "multipart-short"])
def test_a_size_mismatch_stores_nothing(objects, bucket, s3, data, declared):
    spec = models.ObjectSpec(bucket, "bad", size_bytes=declared)
    with pytest.raises(exc.InvalidInput) as caught:
        objects.put_object(spec, byte_source(data, size=declared))
    assert caught.value.violations[0].field == "size_bytes"
    _nothing_stored(objects, s3, bucket, "bad")


@pytest.mark.parametrize("fail_after,started", [(1000, 0), (11 * MiB, 1)],
                         ids=["single", "multipart"])
def test_a_caller_who_goes_away_leaves_nothing(objects, bucket, s3, monkeypatch, fail_after,
                                               started):
    calls = []
    for method in ("create_multipart_upload", "abort_multipart_upload"):
        real = getattr(objects.client, method)
        monkeypatch.setattr(objects.client, method,
                            lambda real=real, method=method, **kw: calls.append(method)
                            or real(**kw))
    with pytest.raises(exc.Aborted):
        objects.put_object(models.ObjectSpec(bucket, "gone"),
                           byte_source(BIG, fail_after=fail_after))
    assert calls == ["create_multipart_upload", "abort_multipart_upload"] * started
    _nothing_stored(objects, s3, bucket, "gone")


def test_a_failing_part_aborts_the_upload_with_a_typed_error(objects, bucket, s3, monkeypatch):
    import botocore.exceptions

    real = objects.client.upload_part

    def flaky(**kwargs):
        if kwargs["PartNumber"] == 2:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "SlowDown", "Message": "slow down"},
                 "ResponseMetadata": {"HTTPStatusCode": 503}}, "UploadPart")
        return real(**kwargs)
    monkeypatch.setattr(objects.client, "upload_part", flaky)
    with pytest.raises(exc.BackendUnavailable) as caught:
        objects.put_object(models.ObjectSpec(bucket, "flaky"), byte_source(BIG))
    assert (caught.value.retryable, caught.value.backend_code) == (True, "SlowDown")
    _nothing_stored(objects, s3, bucket, "flaky")


def test_parts_in_flight_and_data_held_are_bounded(make_objects, bucket, monkeypatch):
    objects = make_objects(part_concurrency=2)
    real = objects.client.upload_part
    lock = threading.Lock()
    state = {"flying": 0, "most": 0, "done": 0, "ahead": 0}

    def slow(**kwargs):
        with lock:
            state["flying"] += 1
            state["most"] = max(state["most"], state["flying"])
        time.sleep(0.05)
        try:
            return real(**kwargs)
        finally:
            with lock:
                state["flying"] -= 1
                state["done"] += len(kwargs["Body"])
    monkeypatch.setattr(objects.client, "upload_part", slow)
    data = os.urandom(30 * MiB)
    source = byte_source(data)
    reading = source.read

    def read(n):
        with lock:  # bytes read but not yet stored: what the upload holds in memory
            state["ahead"] = max(state["ahead"], source.bytes_read - state["done"])
        return reading(n)
    source.read = read
    stored = objects.put_object(models.ObjectSpec(bucket, "bounded"), source)
    assert stored.extra == {"parts": "6"}
    assert state["most"] == 2
    assert state["ahead"] <= 5 * MiB * (2 + 1)
    assert objects.head_object(bucket, "bounded").size_bytes == len(data)


def test_into_a_missing_container_is_not_found(objects):
    for data in (b"small", BIG):
        with pytest.raises(exc.NotFound) as caught:
            objects.put_object(models.ObjectSpec("no-such-bucket-here", "x"),
                               byte_source(data))
        assert "no-such-bucket-here" in caught.value.user_message


def test_content_type_defaults_to_octet_stream(objects, bucket):
    stored = objects.put_object(models.ObjectSpec(bucket, "typed", content_type=""),
                                byte_source(b"abc"))
    assert stored.content_type == "application/octet-stream"
    assert objects.head_object(bucket, "typed").content_type == "application/octet-stream"


def test_a_put_replaces_the_object(objects, bucket):
    objects.put_object(models.ObjectSpec(bucket, "same"), byte_source(BIG))
    objects.put_object(models.ObjectSpec(bucket, "same"), byte_source(b"now small"))
    head = objects.head_object(bucket, "same")
    assert (head.size_bytes, head.extra) == (9, {})
    assert objects.get_container(bucket).object_count == 1
