"""Fixtures for the Swift object storage driver tests: the session's real Ceph cluster
(tests/ceph_session.py) and its radosgw's Swift API, drivers configured against it, and a
swiftclient Connection and a boto3 client of the tests' own to look at what the driver did.

Large objects are made small: threshold and part size 5 MiB (the smallest allowed), so a
12 MiB object has three segments. Every test works in containers of its own."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from oslo_config import cfg

from ceph_session import cluster
from driver_maker import driver_maker
from translator.conf import object_storage
from translator.service.streams import CheckedReader
from translator_drivers.ceph.cluster import CephCluster
from translator_drivers.swift import conf as swift_conf

MiB = 1024**2
TEMP_URL_KEY = "temp-url-key-of-the-tests"


@pytest.fixture(scope="session")
def ceph() -> CephCluster:
    return cluster()


def build_conf(ceph: CephCluster, **overrides: Any) -> cfg.ConfigOpts:
    """A ConfigOpts as translator-server builds it for ``[object_storage] driver = swift``;
    keyword arguments override [swift] options, or [object_storage] ones given as
    ``object_storage={...}``."""
    conf = cfg.ConfigOpts()
    object_storage.register_opts(conf)
    swift_conf.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    objects = {"large_object_threshold_bytes": 5 * MiB, "part_bytes": 5 * MiB,
               **overrides.pop("object_storage", {})}
    for key, value in objects.items():
        conf.set_override(key, value, group="object_storage")
    swift = {"auth_url": ceph.swift_auth_url, "user": ceph.swift_user, "key": ceph.swift_key,
             "temp_url_key": TEMP_URL_KEY, "retries": 0, "timeout": 20.0, **overrides}
    for key, value in swift.items():
        conf.set_override(key, value, group="swift")
    return conf


@pytest.fixture(scope="session")
def make_driver(ceph: CephCluster) -> Iterator[Callable[..., Any]]:
    """A set-up SwiftObjectStorageDriver; keyword arguments as for build_conf."""
    from translator_drivers.swift.objects import SwiftObjectStorageDriver

    with driver_maker(lambda **kw: SwiftObjectStorageDriver(build_conf(ceph, **kw))) as make:
        yield make


@pytest.fixture(scope="session")
def driver(make_driver: Callable[..., Any]) -> Any:
    return make_driver()


@pytest.fixture(scope="session")
def raw(ceph: CephCluster) -> Any:
    """A swiftclient Connection of the tests' own (same account)."""
    from swiftclient.client import Connection

    conn = Connection(authurl=ceph.swift_auth_url, user=ceph.swift_user, key=ceph.swift_key,
                      retries=0)
    yield conn
    conn.close()


@pytest.fixture(scope="session")
def s3(ceph: CephCluster) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=ceph.rgw_endpoint,
                        aws_access_key_id=ceph.s3_access_key,
                        aws_secret_access_key=ceph.s3_secret_key, region_name="us-east-1")


@pytest.fixture
def container(raw: Any) -> Iterator[str]:
    """A new empty container; removed afterwards with its segments container."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    raw.put_container(name)
    yield name
    for each in (name + "_segments", name):
        try:
            _, listing = raw.get_container(each, full_listing=True)
        except Exception:  # noqa: BLE001 - already gone
            continue
        for entry in listing:
            raw.delete_object(each, entry["name"])
        raw.delete_container(each)


def source(data: bytes, *, chunk: int = MiB, size: int | None = None, md5: str = "",
           fail_after: int | None = None, error: Exception | None = None) -> CheckedReader:
    """The ByteSource the core hands drivers, over ``data`` in ``chunk``-sized messages.
    With ``fail_after``, the supplier raises ``error`` once that many bytes were handed
    over (an aborted upload)."""
    chunks = iter([data[i:i + chunk] for i in range(0, len(data), chunk)])
    given = 0

    def supply() -> bytes | None:
        nonlocal given
        if fail_after is not None and given >= fail_after:
            raise error
        piece = next(chunks, None)
        given += len(piece or b"")
        return piece
    return CheckedReader(supply, size=size, md5=md5)


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def names(raw: Any, container: str) -> list[str]:
    """Every object name in ``container`` ([] when it does not exist)."""
    from swiftclient.exceptions import ClientException

    try:
        _, listing = raw.get_container(container, full_listing=True)
    except ClientException as error:
        if error.http_status == 404:
            return []
        raise
    return [entry["name"] for entry in listing]


def read_all(download: Any) -> bytes:
    try:
        return b"".join(download.chunks)
    finally:
        download.close()
