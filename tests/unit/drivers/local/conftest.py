"""Fixtures for the local object storage driver: a driver on a fresh directory, and
ByteSources built the way the service builds them (streams.CheckedReader)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

import pytest
from oslo_config import cfg

from translator.conf import default, object_storage
from translator.drivers import models
from translator.service.streams import CheckedReader
from translator_drivers.local.objects import LocalObjectStorageDriver

#: The smallest chunk [object_storage] allows: multi-chunk reads with small objects.
CHUNK = 4096


def make_conf(state_dir: str, objects_dir: str = "") -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    default.register_opts(conf)
    object_storage.register_opts(conf)
    LocalObjectStorageDriver.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    conf.set_override("state_dir", state_dir)
    conf.set_override("chunk_bytes", CHUNK, group="object_storage")
    if objects_dir:
        conf.set_override("objects_dir", objects_dir, group="local")
    return conf


@pytest.fixture
def conf(tmp_path) -> cfg.ConfigOpts:
    return make_conf(str(tmp_path / "state"))


@pytest.fixture
def open_driver(conf) -> Iterator[Callable[[], LocalObjectStorageDriver]]:
    """Build and set up drivers on ``conf``'s directory; each is closed at the end."""
    made = []

    def open_() -> LocalObjectStorageDriver:
        driver = LocalObjectStorageDriver(conf)
        driver.setup()
        made.append(driver)
        return driver

    yield open_
    for driver in made:
        driver.close()


@pytest.fixture
def driver(open_driver) -> LocalObjectStorageDriver:
    d = open_driver()
    d.check_setup()
    return d


@pytest.fixture
def bucket(driver) -> str:
    driver.create_container("bucket", {})
    return "bucket"


def source(chunks: Iterable[bytes] | bytes, *, size: int | None = None,
           md5: str = "") -> CheckedReader:
    if isinstance(chunks, bytes):
        chunks = [chunks]
    it = iter(list(chunks))
    return CheckedReader(lambda: next(it, None), size=size, md5=md5)


def put(driver, container: str, name: str, data: bytes | list[bytes], **fields):
    size, md5 = fields.pop("size", None), fields.pop("md5", "")
    spec = models.ObjectSpec(container=container, name=name, **fields)
    return driver.put_object(spec, source(data, size=size, md5=md5))


def read(driver, container: str, name: str, offset: int = 0,
         length: int | None = None) -> bytes:
    download = driver.open_object(container, name, offset, length)
    try:
        return b"".join(download.chunks)
    finally:
        download.close()


def files_under(path: str) -> list[str]:
    """Every file below ``path`` but the index's and the lock, relative to it."""
    found = []
    for root, _, names in os.walk(path):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), path)
            if not rel.startswith("index.sqlite3") and rel != "lock":
                found.append(rel)
    return sorted(found)
