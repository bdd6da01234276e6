"""Ceph object storage driver: ranges, listings, head, delete and server-side copy."""

from __future__ import annotations

import hashlib
import os

import pytest
from unit.drivers.ceph.conftest import MiB, byte_source

from translator.drivers import exceptions as exc
from translator.drivers import models

DATA = bytes(range(256)) * 1024  # 256 KiB: four chunks of OBJECT_OPTS' 64 KiB


def _put(objects, bucket, name, data=DATA, **fields):
    return objects.put_object(models.ObjectSpec(bucket, name, **fields), byte_source(data))


def _range(objects, bucket, name, offset=0, length=None):
    download = objects.open_object(bucket, name, offset, length)
    try:
        chunks = list(download.chunks)
    finally:
        download.close()
    return download.info, chunks


@pytest.mark.parametrize("offset,length", [(0, None), (0, 10), (1000, 5000),
                                           (len(DATA) - 1, None), (100, 10 * len(DATA)),
                                           (0, 0), (7, 0)])
def test_ranges_give_the_bytes_and_the_whole_objects_description(objects, bucket, offset,
                                                                length):
    _put(objects, bucket, "r", metadata={"m": "1"}, content_type="application/x-test")
    info, chunks = _range(objects, bucket, "r", offset, length)
    end = len(DATA) if length is None else min(len(DATA), offset + length)
    assert b"".join(chunks) == DATA[offset:end]
    assert all(0 < len(c) <= 64 * 1024 for c in chunks)
    assert (info.size_bytes, info.metadata, info.content_type) == (
        len(DATA), {"m": "1"}, "application/x-test")
    assert info.md5 == hashlib.md5(DATA).hexdigest()


@pytest.mark.parametrize("offset,length", [(len(DATA), None), (len(DATA) + 5, 3),
                                           (len(DATA), 0)])
def test_an_offset_past_the_end_is_out_of_range(objects, bucket, offset, length):
    _put(objects, bucket, "r")
    with pytest.raises(exc.OutOfRange) as caught:
        objects.open_object(bucket, "r", offset, length)
    assert str(len(DATA)) in caught.value.user_message


@pytest.mark.parametrize("offset,length", [(0, None), (0, 10), (0, 0)])
def test_an_empty_object_reads_as_nothing(objects, bucket, offset, length):
    _put(objects, bucket, "empty", b"")
    info, chunks = _range(objects, bucket, "empty", offset, length)
    assert (info.size_bytes, b"".join(chunks)) == (0, b"")


def test_a_range_of_a_large_object_crosses_parts(objects, bucket):
    data = os.urandom(11 * MiB)
    _put(objects, bucket, "big", data)
    info, chunks = _range(objects, bucket, "big", 5 * MiB - 10, 20)
    assert b"".join(chunks) == data[5 * MiB - 10:5 * MiB + 10]
    assert (info.size_bytes, info.extra) == (len(data), {"parts": "3"})


def test_closing_a_download_early_releases_it(objects, bucket):
    _put(objects, bucket, "r")
    download = objects.open_object(bucket, "r")
    assert len(next(download.chunks)) == 64 * 1024
    download.close()
    for _ in range(3):  # the pool still serves (no connection was left hanging)
        assert b"".join(_range(objects, bucket, "r")[1]) == DATA


def test_missing_objects_are_not_found_naming_what_is_missing(objects, bucket):
    for call in (lambda: objects.open_object(bucket, "nope"),
                 lambda: objects.head_object(bucket, "nope"),
                 lambda: objects.delete_object(bucket, "nope")):
        with pytest.raises(exc.NotFound) as caught:
            call()
        assert "'nope'" in caught.value.user_message
    with pytest.raises(exc.NotFound) as caught:
        objects.head_object("no-such-bucket-here", "x")
    assert "container 'no-such-bucket-here'" in caught.value.user_message


def test_delete_removes_the_object_and_its_parts(objects, bucket):
    _put(objects, bucket, "big", os.urandom(11 * MiB))
    objects.delete_object(bucket, "big")
    with pytest.raises(exc.NotFound):
        objects.head_object(bucket, "big")
    assert (objects.get_container(bucket).object_count,
            objects.get_container(bucket).bytes_used) == (0, 0)


def test_listing_pages_with_a_delimiter_and_a_prefix(objects, bucket):
    names = ["a/1", "a/2", "b", "c/x/1", "c/y", "d", "e/1"]
    for name in names:
        _put(objects, bucket, name, name.encode())
    seen, prefixes, token, pages = [], [], "", 0
    while True:
        listing = objects.list_objects(bucket, "", "/", 2, token)
        assert len(listing.objects) + len(listing.common_prefixes) <= 2
        seen += [o.name for o in listing.objects]
        prefixes += listing.common_prefixes
        pages += 1
        token = listing.next_token
        if not token:
            break
    assert (seen, prefixes, pages) == (["b", "d"], ["a/", "c/", "e/"], 3)
    under_c = objects.list_objects(bucket, "c/", "/", 10, "")
    assert ([o.name for o in under_c.objects], under_c.common_prefixes) == (["c/y"], ["c/x/"])
    flat = objects.list_objects(bucket, "", "", 100, "")
    assert [o.name for o in flat.objects] == sorted(names) and flat.next_token == ""
    entry = flat.objects[0]
    assert (entry.size_bytes, entry.md5, entry.metadata) == (3, hashlib.md5(b"a/1").hexdigest(),
                                                             {})
    with pytest.raises(exc.InvalidInput) as caught:  # a token is for its own listing
        objects.list_objects(bucket, "", "", 2, objects.list_objects(
            bucket, "", "/", 2, "").next_token)
    assert caught.value.violations[0].field == "page_token"


def test_copy_keeps_metadata_and_content_type(objects, bucket, s3):
    _put(objects, bucket, "src", metadata={"a": "1"}, content_type="text/x-src")
    copied = objects.copy_object(models.CopySpec(bucket, "src", bucket, "dst"))
    assert (copied.name, copied.size_bytes, copied.metadata, copied.content_type) == (
        "dst", len(DATA), {"a": "1"}, "text/x-src")
    assert copied.md5 == hashlib.md5(DATA).hexdigest()
    assert b"".join(_range(objects, bucket, "dst")[1]) == DATA


def test_copy_with_replaced_metadata_keeps_the_content_type_and_our_md5(objects, bucket):
    data = os.urandom(11 * MiB)
    digest = hashlib.md5(data).hexdigest()
    _put(objects, bucket, "src", data, metadata={"a": "1"}, content_type="text/x-src",
         md5=digest)
    other = f"{bucket}-other"
    objects.create_container(other, {})
    try:
        copied = objects.copy_object(models.CopySpec(bucket, "src", other, "dst",
                                                     metadata={"b": "2"}))
        assert (copied.metadata, copied.content_type, copied.md5) == (
            {"b": "2"}, "text/x-src", digest)
        assert objects.copy_object(models.CopySpec(other, "dst", other, "dst2",
                                                   metadata={})).metadata == {}
    finally:
        for name in ("dst", "dst2"):
            objects.delete_object(other, name)
        objects.delete_container(other)


def test_copy_onto_itself_and_in_parts(objects, bucket, monkeypatch):
    from translator_drivers.ceph import s3_copy

    data = os.urandom(11 * MiB)
    _put(objects, bucket, "src", data, metadata={"a": "1"}, md5=hashlib.md5(data).hexdigest())
    assert objects.copy_object(models.CopySpec(bucket, "src", bucket, "src")).metadata == {
        "a": "1"}
    monkeypatch.setattr(s3_copy, "MAX_SINGLE_COPY_BYTES", 5 * MiB)  # UploadPartCopy path
    part_copies = []
    real = objects.client.upload_part_copy
    monkeypatch.setattr(objects.client, "upload_part_copy",
                        lambda **kw: part_copies.append(kw["PartNumber"]) or real(**kw))
    for metadata in (None, {"b": "2"}):
        copied = objects.copy_object(models.CopySpec(bucket, "src", bucket, "parts",
                                                     metadata=metadata))
        assert copied.metadata == (metadata if metadata is not None else {"a": "1"})
        assert (copied.md5, copied.extra) == (hashlib.md5(data).hexdigest(), {"parts": "3"})
    assert sorted(part_copies) == [1, 1, 2, 2, 3, 3]
    assert b"".join(_range(objects, bucket, "parts")[1]) == data


def test_copy_from_or_to_what_is_missing_is_not_found(objects, bucket):
    _put(objects, bucket, "src")
    cases = [(bucket, "nope", bucket, "dst", "'nope'"),
             ("no-such-bucket-here", "x", bucket, "dst", "'no-such-bucket-here'"),
             (bucket, "src", "no-such-bucket-there", "dst", "'no-such-bucket-there'")]
    for src_bucket, src, dst_bucket, dst, named in cases:
        with pytest.raises(exc.NotFound) as caught:
            objects.copy_object(models.CopySpec(src_bucket, src, dst_bucket, dst))
        assert named in caught.value.user_message
