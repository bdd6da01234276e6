"""Objects on the real radosgw: round trips (small, empty, static large objects), S3 interop,
ranges, HeadObject, listings with paging and a delimiter, deletes."""

from __future__ import annotations

import datetime
import os

import pytest
from unit.drivers.swift.conftest import MiB, md5, names, read_all, source

from translator.drivers import exceptions as exc
from translator.drivers import models

BIG = os.urandom(12 * MiB + 12345)  # above the 5 MiB threshold: three 5 MiB segments


def test_a_small_object_round_trips_with_its_metadata(driver, container, raw):
    data = b"hello swift"
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    stored = driver.put_object(
        models.ObjectSpec(container, "dir/hello.txt", content_type="text/plain",
                          metadata={"owner": "paas"}, size_bytes=len(data), md5=md5(data)),
        source(data, size=len(data), md5=md5(data)))
    assert (stored.size_bytes, stored.md5, stored.etag) == (len(data), md5(data), md5(data))
    assert stored.last_modified >= before and stored.extra == {}
    head = raw.head_object(container, "dir/hello.txt")
    assert head["x-object-meta-owner"] == "paas" and head["content-type"] == "text/plain"
    found = driver.head_object(container, "dir/hello.txt")
    assert (found.size_bytes, found.md5, found.content_type) == (len(data), md5(data),
                                                                 "text/plain")
    assert found.metadata == {"owner": "paas"}
    download = driver.open_object(container, "dir/hello.txt")
    assert download.info.size_bytes == len(data) and download.info.metadata == {"owner": "paas"}
    assert read_all(download) == data


def test_an_empty_object_round_trips_and_defaults_to_octet_stream(driver, container):
    stored = driver.put_object(models.ObjectSpec(container, "empty"), source(b""))
    assert (stored.size_bytes, stored.md5) == (0, md5(b""))
    found = driver.head_object(container, "empty")
    assert found.content_type == "application/octet-stream" and found.size_bytes == 0
    assert read_all(driver.open_object(container, "empty")) == b""
    # Swift answers 416 to any range of an empty object: reading it from 0 is still no error.
    assert read_all(driver.open_object(container, "empty", 0, 10)) == b""


def test_a_large_object_is_a_static_large_object_with_its_md5(driver, container, raw):
    stored = driver.put_object(models.ObjectSpec(container, "big", metadata={"k": "v"}),
                               source(BIG))
    assert stored.size_bytes == len(BIG) and stored.md5 == md5(BIG)
    assert stored.extra == {"large_object": "slo", "parts": "3"}
    assert stored.etag != md5(BIG)  # an SLO's ETag is the MD5 of its segments' ETags
    head = raw.head_object(container, "big")
    assert head["x-static-large-object"] == "True" and int(head["content-length"]) == len(BIG)
    segments = names(raw, f"{container}_segments")
    assert len(segments) == 3 and all(s.startswith("big/") for s in segments)
    found = driver.head_object(container, "big")
    assert (found.size_bytes, found.md5, found.metadata) == (len(BIG), md5(BIG), {"k": "v"})
    assert found.extra["parts"] == "3"  # the driver's own keys are hidden from metadata
    download = driver.open_object(container, "big")
    assert (download.info.size_bytes, download.info.md5) == (len(BIG), md5(BIG))
    assert read_all(download) == BIG


def test_an_object_written_over_s3_reads_through_the_swift_driver(driver, container, s3):
    # RGW serves one account over both APIs: a bucket is a container.
    data = os.urandom(300_000)
    s3.put_object(Bucket=container, Key="from/s3", Body=data, ContentType="image/png",
                  Metadata={"origin": "boto3"})
    found = driver.head_object(container, "from/s3")
    assert (found.size_bytes, found.md5, found.content_type) == (len(data), md5(data),
                                                                 "image/png")
    assert found.metadata == {"origin": "boto3"}
    assert read_all(driver.open_object(container, "from/s3")) == data
    listed = driver.list_objects(container, "from/", "", 10, "")
    assert [o.name for o in listed.objects] == ["from/s3"]


def test_ranges_describe_the_whole_object(driver, container):
    driver.put_object(models.ObjectSpec(container, "big"), source(BIG))
    start = 5 * MiB - 100  # across the first segment boundary
    download = driver.open_object(container, "big", start, 200)
    assert download.info.size_bytes == len(BIG)  # from Content-Range, not the range
    assert read_all(download) == BIG[start:start + 200]
    tail = driver.open_object(container, "big", len(BIG) - 10, 1000)  # stops at the end
    assert read_all(tail) == BIG[-10:]
    assert read_all(driver.open_object(container, "big", 7 * MiB)) == BIG[7 * MiB:]
    assert read_all(driver.open_object(container, "big", 3, 0)) == b""


def test_an_offset_past_the_end_is_out_of_range(driver, container):
    driver.put_object(models.ObjectSpec(container, "ten"), source(b"0123456789"))
    for offset, length in ((10, None), (11, 5), (10, 0)):
        with pytest.raises(exc.OutOfRange, match="past the end") as caught:
            driver.open_object(container, "ten", offset, length)
        assert "10 bytes" in caught.value.user_message


def test_a_download_stopped_early_releases_its_connection(driver, container):
    driver.put_object(models.ObjectSpec(container, "big"), source(BIG))
    idle_before = len(driver.pool._idle)
    for _ in range(3):
        download = driver.open_object(container, "big")
        assert len(next(download.chunks)) == driver.conf.object_storage.chunk_bytes
        download.close()
        download.close()  # twice is harmless
    assert len(driver.pool._idle) == max(idle_before, 1)  # one Connection, given back
    assert driver.head_object(container, "big").size_bytes == len(BIG)


def test_missing_objects_are_not_found(driver, container):
    for call in (lambda: driver.head_object(container, "nope"),
                 lambda: driver.open_object(container, "nope"),
                 lambda: driver.delete_object(container, "nope")):
        with pytest.raises(exc.NotFound, match="nope"):
            call()
    with pytest.raises(exc.NotFound, match="no-such-container"):
        driver.put_object(models.ObjectSpec("no-such-container", "x"), source(b"x"))
    with pytest.raises(exc.NotFound, match="no-such-container"):
        driver.put_object(models.ObjectSpec("no-such-container", "x"), source(BIG))


def test_listing_pages_with_a_delimiter(driver, container):
    for name in ("a/1", "a/2", "b/1", "c", "d", "e/x/y"):
        driver.put_object(models.ObjectSpec(container, name, metadata={"m": "1"}),
                          source(name.encode()))
    seen_objects, seen_prefixes, token, pages = [], [], "", 0
    while True:
        page = driver.list_objects(container, "", "/", 2, token)
        seen_objects += [o.name for o in page.objects]
        seen_prefixes += page.common_prefixes
        pages += 1
        token = page.next_token
        if not token:
            break
    assert seen_prefixes == ["a/", "b/", "e/"] and seen_objects == ["c", "d"]
    assert pages == 3
    inside = driver.list_objects(container, "a/", "/", 10, "")
    assert [o.name for o in inside.objects] == ["a/1", "a/2"] and inside.next_token == ""
    first = inside.objects[0]
    assert (first.size_bytes, first.md5, first.metadata) == (3, md5(b"a/1"), {})
    flat = driver.list_objects(container, "", "", 100, "")
    assert [o.name for o in flat.objects] == ["a/1", "a/2", "b/1", "c", "d", "e/x/y"]


def test_listing_shows_a_large_objects_real_size(driver, container):
    driver.put_object(models.ObjectSpec(container, "big"), source(BIG))
    driver.put_object(models.ObjectSpec(container, "small"), source(b"s"))
    listed = {o.name: o for o in driver.list_objects(container, "", "", 10, "").objects}
    # RGW lists the manifest (a few hundred bytes, the MD5 of nothing); the driver asks.
    assert listed["big"].size_bytes == len(BIG) and listed["big"].md5 == md5(BIG)
    assert listed["big"].metadata == {} and listed["small"].size_bytes == 1


def test_deleting_a_large_object_deletes_its_segments(driver, container, raw):
    driver.put_object(models.ObjectSpec(container, "big"), source(BIG))
    driver.put_object(models.ObjectSpec(container, "other"), source(BIG))
    driver.delete_object(container, "big")
    assert names(raw, container) == ["other"]
    assert all(s.startswith("other/") for s in names(raw, f"{container}_segments"))
    driver.delete_object(container, "other")
    assert names(raw, f"{container}_segments") == []


def test_replacing_a_large_object_deletes_the_old_segments(driver, container, raw):
    driver.put_object(models.ObjectSpec(container, "big"), source(BIG))
    old = set(names(raw, f"{container}_segments"))
    replacement = os.urandom(11 * MiB)
    driver.put_object(models.ObjectSpec(container, "big"), source(replacement))
    new = set(names(raw, f"{container}_segments"))
    assert len(new) == 3 and not (new & old)
    assert read_all(driver.open_object(container, "big")) == replacement
    driver.put_object(models.ObjectSpec(container, "big"), source(b"small now"))
    assert names(raw, f"{container}_segments") == []
    assert read_all(driver.open_object(container, "big")) == b"small now"


def test_dot_segments_and_odd_names_are_kept_verbatim(driver, container, raw):
    # requests resolves "a/../b" to "b" before sending; the driver escapes dot segments.
    odd = ["a/../b", "./x", "../up", "q?x#y%20z&k=v+w", "\u00fcn\u00efc\u00f8d\u00e9 \u2603"]
    for name in odd:
        driver.put_object(models.ObjectSpec(container, name), source(name.encode()))
    driver.put_object(models.ObjectSpec(container, "big/../slo"), source(BIG))
    assert names(raw, container) == sorted(odd + ["big/../slo"], key=str.encode)
    for name in odd:
        assert read_all(driver.open_object(container, name)) == name.encode()
    assert read_all(driver.open_object(container, "big/../slo", 5 * MiB, 4)) == \
        BIG[5 * MiB:5 * MiB + 4]
    assert all(s.startswith("big/../slo/") for s in names(raw, f"{container}_segments"))
    for name in odd + ["big/../slo"]:
        driver.delete_object(container, name)
    assert names(raw, container) == [] and names(raw, f"{container}_segments") == []


def test_page_tokens_are_opaque_and_bound_to_their_listing(driver, container):
    for name in ("a", "b", "c"):
        driver.put_object(models.ObjectSpec(container, name), source(b"x"))
    token = driver.list_objects(container, "", "", 1, "").next_token
    assert token and "a" != token
    assert [o.name for o in driver.list_objects(container, "", "", 5, token).objects] == \
        ["b", "c"]
    for bad, prefix in (("not a token!", ""), (token, "b")):  # garbage, another listing
        with pytest.raises(exc.InvalidInput) as caught:
            driver.list_objects(container, prefix, "", 5, bad)
        assert caught.value.violations[0].field == "page_token"
    with pytest.raises(exc.InvalidInput):
        driver.list_containers(5, token)


def test_a_long_named_large_object_keeps_short_segment_names(driver, container, raw):
    name = "n" * 1000  # with "/<upload id>/<index>" it would pass Swift's 1024 bytes
    stored = driver.put_object(models.ObjectSpec(container, name), source(BIG))
    assert stored.extra["parts"] == "3"
    segments = names(raw, f"{container}_segments")
    assert len(segments) == 3 and all(s.startswith("sha256-") for s in segments)
    marker = raw.head_object(container, name)["x-object-meta-translator-segments"]
    assert len(marker) < 256  # Swift's limit on a metadata value
    assert read_all(driver.open_object(container, name, len(BIG) - 3)) == BIG[-3:]
    driver.delete_object(container, name)
    assert names(raw, container) == [] and names(raw, f"{container}_segments") == []


def test_segments_are_found_after_the_suffix_changed(make_driver, driver, container, raw):
    driver.put_object(models.ObjectSpec(container, "big"), source(BIG))
    renamed = make_driver(segment_container_suffix="-parts")
    renamed.put_object(models.ObjectSpec(container, "big"), source(BIG))
    assert names(raw, f"{container}_segments") == []  # the old upload's, swept
    assert len(names(raw, f"{container}-parts")) == 3
    renamed.delete_object(container, "big")
    renamed.delete_container(container)  # and its empty segments container
    assert names(raw, f"{container}-parts") == []
    raw.put_container(container)  # for the fixture's cleanup
