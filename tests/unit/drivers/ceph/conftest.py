"""Fixtures for the Ceph block and object storage driver tests: the session's real Ceph
cluster (tests/ceph_session.py, started once for every suite), drivers configured against
it, direct rados/rbd and boto3 access to check what the drivers did, and Glance-style
golden images.

Tests share the cluster, so none assumes a pool is empty unless it made the pool."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from oslo_config import cfg

from ceph_session import cluster
from driver_maker import driver_maker
from translator.conf import block_storage
from translator.drivers import models
from translator_drivers.ceph import conf as ceph_conf
from translator_drivers.ceph.cluster import CephCluster

MiB = 1024**2
GiB = 1024**3
PATTERN = b"translator-rbd-" * 273  # 4095 bytes that are easy to recognise


@pytest.fixture(scope="session")
def ceph() -> CephCluster:
    return cluster()


@pytest.fixture(scope="session")
def client(ceph: CephCluster) -> Iterator[Any]:
    """A rados client of the tests' own, to look at what the driver did."""
    import rados

    handle = rados.Rados(conffile=ceph.conf_path)
    handle.connect(timeout=30)
    yield handle
    handle.shutdown()


@pytest.fixture(scope="session")
def make_pool(client: Any) -> Callable[[str], str]:
    """Create an RBD pool of the tests' own (a unique name from a prefix)."""

    def make(prefix: str) -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:6]}"
        for command in ({"prefix": "osd pool create", "pool": name},
                        {"prefix": "osd pool application enable", "pool": name, "app": "rbd"}):
            ret, _, status = client.mon_command(json.dumps(command), b"")
            assert ret == 0, status
        return name
    return make


def build_conf(ceph: CephCluster, *, types: tuple[str, ...] = ("standard",),
               default: str = "standard", ceph_opts: dict[str, Any] | None = None,
               type_opts: dict[str, dict[str, Any]] | None = None) -> cfg.ConfigOpts:
    """A ConfigOpts as translator-server builds it for ``[block_storage] driver = ceph``."""
    from translator_drivers.ceph.block import CephBlockStorageDriver

    conf = cfg.ConfigOpts()
    block_storage.register_opts(conf)
    ceph_conf.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    conf.set_override("volume_types", list(types), group="block_storage")
    conf.set_override("default_volume_type", default, group="block_storage")
    for key, value in {**ceph.config_overrides()["ceph"], **(ceph_opts or {})}.items():
        conf.set_override(key, value, group="ceph")
    CephBlockStorageDriver.register_opts(conf)
    for type_name, values in (type_opts or {}).items():
        for key, value in values.items():
            conf.set_override(key, value, group=f"volume_type:{type_name}")
    return conf


@pytest.fixture(scope="session")
def make_driver(ceph: CephCluster) -> Iterator[Callable[..., Any]]:
    """A set-up CephBlockStorageDriver; keyword arguments as for build_conf."""
    from translator_drivers.ceph.block import CephBlockStorageDriver

    with driver_maker(lambda **kw: CephBlockStorageDriver(build_conf(ceph, **kw))) as make:
        yield make


@pytest.fixture(scope="session")
def driver(make_driver: Callable[..., Any]) -> Any:
    """A driver with the defaults: one type "standard" in the pool "volumes"."""
    return make_driver()


@pytest.fixture(scope="session")
def golden(client: Any, ceph: CephCluster) -> Callable[..., str]:
    """A Glance-style image in the images pool: <uuid>@snap, protected, PATTERN at 0."""
    import rbd

    def make(size: int = 64 * MiB, *, protect: bool = True, snap: bool = True) -> str:
        image_id = str(uuid.uuid4())
        with client.open_ioctx("images") as ioctx:
            rbd.RBD().create(ioctx, image_id, size, old_format=False,
                             features=rbd.RBD_FEATURE_LAYERING)
            with rbd.Image(ioctx, image_id) as image:
                image.write(PATTERN, 0)
                if snap:
                    image.create_snap("snap")
                if snap and protect:
                    image.protect_snap("snap")
        return image_id
    return make


# -- looking at the cluster directly ------------------------------------------------------


def create(driver: Any, size_gb: int = 1, **fields: Any) -> str:
    """A volume made through the driver; its id."""
    spec = models.VolumeSpec(name=fields.pop("name", f"vol-{uuid.uuid4().hex[:6]}"),
                             size_gb=size_gb, **fields)
    task = driver.create_volume(spec)
    assert task.jobs == [] and task.resource_id
    return task.resource_id


def snapshot(driver: Any, volume_id: str, name: str = "snap", **fields: Any) -> str:
    task = driver.create_snapshot(models.SnapshotSpec(volume_id=volume_id, name=name, **fields))
    assert task.jobs == [] and task.resource_id
    return task.resource_id


def images(client: Any, pool: str) -> set[str]:
    import rbd

    with client.open_ioctx(pool) as ioctx:
        return set(rbd.RBD().list(ioctx))


@contextlib.contextmanager
def open_image(client: Any, pool: str, name: str, **kwargs: Any) -> Iterator[Any]:
    """An rbd.Image of the tests' own client."""
    import rbd

    with client.open_ioctx(pool) as ioctx, rbd.Image(ioctx, name, **kwargs) as image:
        yield image


def open_volume(client: Any, driver: Any, volume_id: str, **kwargs: Any):
    """The RBD image of a volume, as the driver reports where it is."""
    extra = driver.get_volume(volume_id).extra
    return open_image(client, extra["rbd_pool"], extra["rbd_image"], **kwargs)


def snaps(client: Any, pool: str, name: str) -> list[str]:
    with open_image(client, pool, name, read_only=True) as image:
        return [s["name"] for s in image.list_snaps()]


def allocated(image: Any) -> int:
    """Bytes of ``image`` that hold data of its own (what a thin image really uses)."""
    total = 0

    def count(offset: int, length: int, exists: bool) -> int:
        nonlocal total
        if exists:
            total += length
        return 0
    image.diff_iterate(0, image.size(), None, count, include_parent=False)
    return total


def has_parent(image: Any) -> bool:
    import rbd

    try:
        image.parent_info()
    except rbd.ImageNotFound:
        return False
    return True


# -- object storage (RGW over S3) ---------------------------------------------------------

#: The smallest sizes S3 allows, so large objects stay ~12 MiB in tests.
OBJECT_OPTS = {"large_object_threshold_bytes": 5 * MiB, "part_bytes": 5 * MiB,
               "part_concurrency": 2, "chunk_bytes": 64 * 1024}


def build_object_conf(ceph: CephCluster, *, ceph_opts: dict[str, Any] | None = None,
                      **object_opts: Any) -> cfg.ConfigOpts:
    """A ConfigOpts as translator-server builds it for ``[object_storage] driver = ceph``."""
    from translator.conf import object_storage
    from translator_drivers.ceph.objects import CephObjectStorageDriver

    conf = cfg.ConfigOpts()
    object_storage.register_opts(conf)
    CephObjectStorageDriver.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    for key, value in {**ceph.config_overrides()["ceph"], **(ceph_opts or {})}.items():
        conf.set_override(key, value, group="ceph")
    for key, value in {**OBJECT_OPTS, **object_opts}.items():
        conf.set_override(key, value, group="object_storage")
    return conf


@pytest.fixture(scope="session")
def make_objects(ceph: CephCluster) -> Iterator[Callable[..., Any]]:
    """A set-up CephObjectStorageDriver; keyword arguments as for build_object_conf."""
    from translator_drivers.ceph.objects import CephObjectStorageDriver

    with driver_maker(
            lambda **kw: CephObjectStorageDriver(build_object_conf(ceph, **kw))) as make:
        yield make


@pytest.fixture(scope="session")
def objects(make_objects: Callable[..., Any]) -> Any:
    """An object storage driver with OBJECT_OPTS."""
    return make_objects()


@pytest.fixture(scope="session")
def s3(ceph: CephCluster) -> Iterator[Any]:
    """A boto3 client of the tests' own, to look at what the driver did."""
    import boto3
    from botocore.config import Config

    client = boto3.session.Session().client(
        "s3", endpoint_url=ceph.rgw_endpoint, aws_access_key_id=ceph.s3_access_key,
        aws_secret_access_key=ceph.s3_secret_key, region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}))
    yield client
    client.close()


@pytest.fixture
def bucket(objects: Any, s3: Any) -> Iterator[str]:
    """A new empty container, removed with its objects after the test (the radosgw
    user has at most 1000 buckets, shared by every suite of the session)."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    objects.create_container(name, {})
    yield name
    remove_bucket(s3, name)


def remove_bucket(s3: Any, name: str) -> None:
    import botocore.exceptions

    try:
        for upload in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
            s3.abort_multipart_upload(Bucket=name, Key=upload["Key"],
                                      UploadId=upload["UploadId"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for entry in page.get("Contents", []):
                s3.delete_object(Bucket=name, Key=entry["Key"])
        s3.delete_bucket(Bucket=name)
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] != "NoSuchBucket":
            raise


def byte_source(data: bytes, *, chunk: int = 256 * 1024, size: int | None = None,
                md5: str = "", fail_after: int | None = None) -> Any:
    """A CheckedReader over ``data`` as the core builds one; ``fail_after`` bytes in, the
    caller goes away (the next read raises Aborted)."""
    from translator.service.streams import CheckedReader, UploadAborted

    pieces = iter([data[i:i + chunk] for i in range(0, len(data), chunk)])
    sent = 0

    def next_chunk() -> bytes | None:
        nonlocal sent
        if fail_after is not None and sent >= fail_after:
            raise UploadAborted("the caller went away")
        piece = next(pieces, None)
        sent += len(piece or b"")
        return piece
    return CheckedReader(next_chunk, size=size, md5=md5)


def uploads_in_progress(s3: Any, name: str) -> list[str]:
    return [u["Key"] for u in s3.list_multipart_uploads(Bucket=name).get("Uploads", [])]
