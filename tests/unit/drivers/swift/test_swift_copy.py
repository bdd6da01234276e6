"""CopyObject on the real radosgw: server side, metadata kept or replaced, large objects
copied segment by segment (RGW's own COPY of an SLO shares the source's segments)."""

from __future__ import annotations

import json
import os

import pytest
from unit.drivers.swift.conftest import MiB, md5, names, read_all, source

from translator.drivers import exceptions as exc
from translator.drivers import models

BIG = os.urandom(11 * MiB)


def test_a_copy_keeps_the_metadata_and_type(driver, container):
    driver.put_object(models.ObjectSpec(container, "src", content_type="text/csv",
                                        metadata={"a": "1"}), source(b"1,2,3"))
    copied = driver.copy_object(models.CopySpec(container, "src", container, "dst"))
    assert (copied.name, copied.size_bytes, copied.md5) == ("dst", 5, md5(b"1,2,3"))
    assert copied.metadata == {"a": "1"} and copied.content_type == "text/csv"
    assert read_all(driver.open_object(container, "dst")) == b"1,2,3"


def test_a_copy_with_new_metadata_replaces_it_and_keeps_the_type(driver, container):
    driver.put_object(models.ObjectSpec(container, "src", content_type="text/csv",
                                        metadata={"a": "1", "b": "2"}), source(b"x"))
    copied = driver.copy_object(models.CopySpec(container, "src", container, "dst",
                                                metadata={"c": "3"}))
    assert copied.metadata == {"c": "3"}
    # RGW drops the type with X-Fresh-Metadata: the driver sends the source's again.
    assert copied.content_type == "text/csv"
    emptied = driver.copy_object(models.CopySpec(container, "src", container, "bare",
                                                 metadata={}))
    assert emptied.metadata == {}
    assert driver.head_object(container, "src").metadata == {"a": "1", "b": "2"}


def test_a_copy_into_another_container(driver, container, raw):
    other = f"{container}-b"
    raw.put_container(other)
    try:
        driver.put_object(models.ObjectSpec(container, "src"), source(b"moved"))
        driver.copy_object(models.CopySpec(container, "src", other, "dst"))
        assert read_all(driver.open_object(other, "dst")) == b"moved"
    finally:
        raw.delete_object(other, "dst")
        raw.delete_container(other)


def test_missing_source_or_destination_container_is_not_found(driver, container):
    with pytest.raises(exc.NotFound, match="nope"):
        driver.copy_object(models.CopySpec(container, "nope", container, "dst"))
    driver.put_object(models.ObjectSpec(container, "src"), source(b"x"))
    with pytest.raises(exc.NotFound, match="no-such-container"):
        driver.copy_object(models.CopySpec(container, "src", "no-such-container", "dst"))
    driver.put_object(models.ObjectSpec(container, "big"), source(BIG))
    with pytest.raises(exc.NotFound, match="no-such-container"):
        driver.copy_object(models.CopySpec(container, "big", "no-such-container", "dst"))


def test_a_large_object_copy_owns_its_segments(driver, container, raw):
    driver.put_object(models.ObjectSpec(container, "big", metadata={"k": "v"}), source(BIG))
    copied = driver.copy_object(models.CopySpec(container, "big", container, "copy"))
    assert copied.size_bytes == len(BIG) and copied.md5 == md5(BIG)
    assert copied.metadata == {"k": "v"} and copied.extra["parts"] == "3"
    segments = names(raw, f"{container}_segments")
    assert len([s for s in segments if s.startswith("copy/")]) == 3
    driver.delete_object(container, "big")  # deletes the source's segments only
    assert read_all(driver.open_object(container, "copy")) == BIG
    assert driver.head_object(container, "copy").md5 == md5(BIG)


def test_rgw_copy_of_an_slo_shares_segments(raw, container):
    """The RGW fact behind the driver's segment-wise copy: a plain COPY of an SLO copies
    the manifest only, and the copy breaks once the source is deleted with its segments."""
    from swiftclient.exceptions import ClientException

    raw.put_container(f"{container}_segments")
    data = os.urandom(1 * MiB)
    etag = raw.put_object(f"{container}_segments", "m/0", data)
    raw.put_object(container, "slo", json.dumps([{"path": f"/{container}_segments/m/0",
                                                  "etag": etag, "size_bytes": len(data)}]),
                   query_string="multipart-manifest=put")
    raw.copy_object(container, "slo", f"/{container}/copy")
    assert raw.head_object(container, "copy")["x-static-large-object"] == "True"
    raw.delete_object(container, "slo", query_string="multipart-manifest=delete")
    with pytest.raises(ClientException) as caught:
        raw.get_object(container, "copy")
    assert caught.value.http_status == 404
    raw.delete_object(container, "copy")


def test_an_slo_of_another_tool_is_copied_through_the_driver(driver, container, raw):
    raw.put_container(f"{container}_segments")
    parts = [os.urandom(3 * MiB), os.urandom(3 * MiB)]
    manifest = []
    for i, part in enumerate(parts):
        etag = raw.put_object(f"{container}_segments", f"cli/{i}", part)
        manifest.append({"path": f"/{container}_segments/cli/{i}", "etag": etag,
                         "size_bytes": len(part)})
    raw.put_object(container, "cli", json.dumps(manifest), query_string="multipart-manifest=put",
                   headers={"X-Object-Meta-Tool": "swift-cli"})
    assert driver.head_object(container, "cli").md5 == ""  # not known for it
    copied = driver.copy_object(models.CopySpec(container, "cli", container, "mine"))
    whole = b"".join(parts)
    assert copied.md5 == md5(whole) and copied.metadata == {"tool": "swift-cli"}
    driver.delete_object(container, "cli")  # the other tool's segments go with it
    assert all(not s.startswith("cli/") for s in names(raw, f"{container}_segments"))
    assert read_all(driver.open_object(container, "mine")) == whole


def test_copying_a_large_object_onto_itself_replaces_its_segments(driver, container, raw):
    driver.put_object(models.ObjectSpec(container, "big", metadata={"k": "v"}), source(BIG))
    before = set(names(raw, f"{container}_segments"))
    copied = driver.copy_object(models.CopySpec(container, "big", container, "big",
                                                metadata={"k": "w"}))
    after = set(names(raw, f"{container}_segments"))
    assert copied.metadata == {"k": "w"} and len(after) == 3 and not (before & after)
    assert read_all(driver.open_object(container, "big")) == BIG
