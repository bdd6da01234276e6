"""Ceph object storage driver: containers as radosgw buckets, on the session's real radosgw."""

from __future__ import annotations

import uuid

import pytest
from unit.drivers.ceph.conftest import byte_source, remove_bucket

from translator.drivers import exceptions as exc
from translator.drivers import models


def _name(prefix: str = "c") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def test_metadata_is_the_bucket_tag_set_and_round_trips(objects, s3):
    name = _name()
    try:
        made = objects.create_container(name, {"owner": "paas", "note": "a b, c!"})
        assert made.metadata == {"owner": "paas", "note": "a b, c!"}
        tags = s3.get_bucket_tagging(Bucket=name)["TagSet"]
        assert {t["Key"]: t["Value"] for t in tags} == {"owner": "paas", "note": "a b, c!"}
        got = objects.get_container(name)
        assert (got.name, got.metadata, got.object_count, got.bytes_used) == (
            name, {"owner": "paas", "note": "a b, c!"}, 0, 0)
    finally:
        remove_bucket(s3, name)


def test_a_container_without_metadata_has_none(objects, bucket):
    assert objects.get_container(bucket).metadata == {}


def test_more_metadata_than_bucket_tags_hold_is_refused_and_nothing_made(objects, s3):
    name = _name()
    with pytest.raises(exc.InvalidInput) as caught:
        objects.create_container(name, {f"k{i}": "v" for i in range(51)})
    assert caught.value.violations[0].field == "metadata"
    assert "50" in caught.value.user_message
    with pytest.raises(exc.NotFound):
        objects.get_container(name)


def test_an_existing_container_is_already_exists(objects, bucket):
    # radosgw itself answers 200 to the second CreateBucket (checked in the driver).
    with pytest.raises(exc.AlreadyExists) as caught:
        objects.create_container(bucket, {})
    assert bucket in caught.value.user_message


@pytest.mark.parametrize("name", ["ab", "x" * 64, "Upper-case", "under_score", "-dash",
                                  "dot.", "a..b", "192.168.1.10", "a b c", "é-accent"])
def test_names_s3_refuses_are_invalid_input_naming_the_field(objects, name):
    with pytest.raises(exc.InvalidInput) as caught:
        objects.create_container(name, {})
    assert caught.value.violations[0].field == "name"
    assert "S3 bucket names" in caught.value.user_message


def test_counts_come_from_radosgw_and_include_large_objects(objects, bucket):
    objects.put_object(models.ObjectSpec(bucket, "a"), byte_source(b"x" * 1000))
    objects.put_object(models.ObjectSpec(bucket, "b/c"), byte_source(b""))
    objects.put_object(models.ObjectSpec(bucket, "big"), byte_source(b"y" * (11 * 2**20)))
    got = objects.get_container(bucket)
    assert (got.object_count, got.bytes_used) == (3, 1000 + 11 * 2**20)


def test_missing_containers_are_not_found_naming_them(objects):
    for name in (_name("gone"), "Not_A_Bucket Name"):
        with pytest.raises(exc.NotFound) as caught:
            objects.get_container(name)
        assert repr(name) in caught.value.user_message
        with pytest.raises(exc.NotFound):
            objects.delete_container(name)
        with pytest.raises(exc.NotFound):
            objects.list_objects(name, "", "", 10, "")


def test_a_container_holding_objects_is_not_deleted(objects, bucket):
    objects.put_object(models.ObjectSpec(bucket, "keep"), byte_source(b"data"))
    with pytest.raises(exc.Conflict) as caught:
        objects.delete_container(bucket)
    assert caught.value.code == "FAILED_PRECONDITION"
    assert caught.value.backend_code == "BucketNotEmpty"
    objects.delete_object(bucket, "keep")
    objects.delete_container(bucket)
    with pytest.raises(exc.NotFound):
        objects.get_container(bucket)


def test_list_pages_in_name_order_with_a_prefix(objects, s3):
    prefix = _name("list")
    names = [f"{prefix}-{i}" for i in (3, 0, 4, 1, 2)]
    try:
        for name in names:
            objects.create_container(name, {})
        objects.put_object(models.ObjectSpec(names[0], "o"), byte_source(b"12345"))
        with pytest.raises(exc.InvalidInput):  # a token is for its own prefix only
            objects.list_containers(2, objects.list_containers(2, "", prefix).next_token, "")
        seen, token, pages = [], "", 0
        while True:
            page = objects.list_containers(2, token, prefix)
            seen += page.items
            pages += 1
            token = page.next_token
            if not token:
                break
        assert [c.name for c in seen] == sorted(names)
        assert pages == 3
        counted = {c.name: (c.object_count, c.bytes_used) for c in seen}
        assert counted[names[0]] == (1, 5)
        assert objects.list_containers(10, "", prefix + "-4").items[0].name == prefix + "-4"
        assert objects.list_containers(10, "", prefix + "-9").items == []
    finally:
        for name in names:
            remove_bucket(s3, name)


def test_a_page_token_not_from_a_listing_is_invalid_input(objects):
    with pytest.raises(exc.InvalidInput) as caught:
        objects.list_containers(10, "not-a-token!")
    assert caught.value.violations[0].field == "page_token"
