"""The Ceph object storage driver: Swift-shaped containers and objects on radosgw's S3 API.

Containers are buckets of one radosgw user (``[ceph] rgw_access_key``), objects
are S3 objects; boto3 talks to ``[ceph] rgw_endpoint``. In CloudStack's terms
this is the secondary storage tier's object store (an S3 image store on RGW).

Containers are in s3_containers, uploads in s3_upload, copies and temp URLs in
s3_copy, names, metadata and page tokens in s3_mapping, errors in s3_errors,
the client in s3_client. Reads stream straight from GetObject (a Range, no HEAD).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import threading
from collections.abc import Iterator
from typing import Any

from oslo_config import cfg

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.ceph import conf as ceph_conf
from translator_drivers.ceph import s3_client, s3_copy
from translator_drivers.ceph import s3_mapping as mapping
from translator_drivers.ceph.s3_capabilities import MAX_PRESIGN_SECONDS, capabilities
from translator_drivers.ceph.s3_containers import STATS_CONCURRENCY, Buckets
from translator_drivers.ceph.s3_errors import BACKEND, mapped, no_container
from translator_drivers.ceph.s3_upload import Uploader

LOG = logging.getLogger(__name__)

#: Large uploads that get their full part_concurrency at once; the part pool has
#: part_concurrency times this many threads.
PARALLEL_LARGE_UPLOADS = 4


class CephObjectStorageDriver(base.ObjectStorageDriver):
    """Object storage on Ceph RGW over S3."""

    name = "ceph"

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        ceph_conf.register_opts(conf)

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        ceph_conf.register_opts(conf)
        self.client: Any = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._uploader: Uploader | None = None
        self.buckets = Buckets(self._s3)
        self._setup_lock = threading.Lock()

    @property
    def opts(self) -> Any:
        return self.conf.ceph

    @property
    def storage(self) -> Any:
        return self.conf.object_storage

    # -- lifecycle --------------------------------------------------------------------------

    def setup(self) -> None:
        """Build the S3 client and the part pool (no request is made)."""
        with self._setup_lock:
            if self.client is None:
                self._build()

    def _build(self) -> None:
        workers = self.storage.part_concurrency * PARALLEL_LARGE_UPLOADS
        # Every thread that may call the client at once: the core's pools and ours.
        callers = _core_threads(self.conf) + workers + STATS_CONCURRENCY
        self.client = s3_client.build(self.opts, pool_connections=callers)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="ceph-s3-parts")
        self._uploader = Uploader(self.client, self.storage, self._pool)

    def check_setup(self) -> None:
        """radosgw answers ListBuckets with these keys; the temp URL limit fits S3's."""
        s3_client.require_usable(self.opts)
        self.setup()
        try:
            with mapped("ListBuckets (the setup check)"):
                self.client.list_buckets()
        except exc.TranslatorError as error:
            if "[ceph]" not in error.operator_message:
                error.operator_message += ("; check [ceph] rgw_endpoint, rgw_access_key and "
                                           "rgw_secret_key")
            raise
        if self.storage.max_temp_url_seconds > MAX_PRESIGN_SECONDS:
            LOG.warning("[object_storage] max_temp_url_seconds is %d, but S3 presigned URLs "
                        "last at most %d s: CreateTempUrl refuses longer expiries",
                        self.storage.max_temp_url_seconds, MAX_PRESIGN_SECONDS)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self.client is not None:
            self.client.close()
            self.client = None

    def capabilities(self) -> models.ApiCapabilities:
        return capabilities(threshold=self.storage.large_object_threshold_bytes,
                            part_bytes=self.storage.part_bytes)

    def _s3(self) -> Any:
        if self.client is None:
            self.setup()
        return self.client

    # -- containers (s3_containers) --------------------------------------------------------

    def list_containers(self, page_size: int, page_token: str,
                        prefix: str = "") -> models.Page[models.Container]:
        return self.buckets.list(page_size, page_token, prefix)

    def create_container(self, name: str, metadata: dict[str, str]) -> models.Container:
        return self.buckets.create(name, metadata)

    def get_container(self, name: str) -> models.Container:
        return self.buckets.get(name)

    def delete_container(self, name: str) -> None:
        self.buckets.delete(name)

    # -- objects ----------------------------------------------------------------------------

    def put_object(self, spec: models.ObjectSpec,
                   source: models.ByteSource) -> models.StoredObject:
        if not mapping.sendable(spec.container):
            raise no_container(spec.container)
        if not spec.content_type:
            spec = dataclasses.replace(spec, content_type="application/octet-stream")
        self._s3()
        assert self._uploader is not None
        return self._uploader.put(spec, source)

    def open_object(self, container: str, name: str, offset: int = 0,
                    length: int | None = None) -> models.ObjectDownload:
        return self._open(container, name, offset, length, again=True)

    def _open(self, container: str, name: str, offset: int, length: int | None, *,
              again: bool) -> models.ObjectDownload:
        if length == 0:  # no S3 range means "no bytes": answer from a HEAD
            info = self.head_object(container, name)
            _check_offset(info, offset)
            return models.ObjectDownload(info, iter(()))
        if not mapping.sendable(container):
            raise no_container(container)
        params: dict[str, Any] = {"Bucket": container, "Key": name}
        if offset or length is not None:
            end = "" if length is None else str(offset + length - 1)
            params["Range"] = f"bytes={offset}-{end}"
        try:
            with mapped("read object", container=container, name=name):
                response = self._s3().get_object(**params)
        except exc.OutOfRange:
            # radosgw answers 416 for any range of an empty object too.
            info = self.head_object(container, name)
            _check_offset(info, offset)
            if info.size_bytes:  # replaced by a longer object meanwhile
                if again:
                    return self._open(container, name, offset, length, again=False)
                raise exc.Aborted(f"object {name!r} changed while it was opened; retry",
                                  backend=BACKEND) from None
            return models.ObjectDownload(info, iter(()))
        size = mapping.whole_size(response.get("ContentRange", ""))
        info = mapping.described(container, name, response, size=size)
        body = response["Body"]
        return models.ObjectDownload(info, _chunks(body, self.storage.chunk_bytes, container,
                                                   name), body.close)

    def head_object(self, container: str, name: str) -> models.StoredObject:
        return mapping.described(container, name, self._head(container, name))

    def _head(self, container: str, name: str) -> dict[str, Any]:
        """The HeadObject answer; NotFound naming the container or the object."""
        if not mapping.sendable(container):
            raise no_container(container)
        try:
            with mapped("head object", container=container, name=name):
                return self._s3().head_object(Bucket=container, Key=name)
        except exc.NotFound:
            self.buckets.stats(container)  # a HEAD's bare 404 does not say which is missing
            raise

    def list_objects(self, container: str, prefix: str, delimiter: str, page_size: int,
                     page_token: str) -> models.ObjectListing:
        if not mapping.sendable(container):
            raise no_container(container)
        params: dict[str, Any] = {"Bucket": container, "Prefix": prefix, "MaxKeys": page_size}
        if delimiter:
            params["Delimiter"] = delimiter
        position = mapping.decode_token(page_token, prefix, delimiter)
        if position:
            params["ContinuationToken"] = position
        with mapped("list objects", container=container):
            response = self._s3().list_objects_v2(**params)
        objects = [mapping.listed(container, entry) for entry in response.get("Contents", [])]
        prefixes = [p["Prefix"] for p in response.get("CommonPrefixes", [])]
        following = response.get("NextContinuationToken", "")
        token = (mapping.encode_token(following, prefix, delimiter)
                 if response.get("IsTruncated") and following else "")
        return models.ObjectListing(objects, prefixes, token)

    def delete_object(self, container: str, name: str) -> None:
        # S3 deletes silently whatever is there or not: a HEAD first says NotFound.
        self.head_object(container, name)
        with mapped("delete object", container=container, name=name):
            self._s3().delete_object(Bucket=container, Key=name)

    def copy_object(self, spec: models.CopySpec) -> models.StoredObject:
        source = self._head(spec.source_container, spec.source_name)
        if not mapping.sendable(spec.destination_container):
            raise no_container(spec.destination_container)
        s3_copy.copy(self._s3(), spec, source, self.storage)
        return self.head_object(spec.destination_container, spec.destination_name)

    def create_temp_url(self, container: str, name: str, method: str,
                        expires_in: int) -> models.TempUrl:
        return s3_copy.presign(self._s3(), container, name, method, expires_in)


def _check_offset(info: models.StoredObject, offset: int) -> None:
    if info.size_bytes and offset >= info.size_bytes:
        raise exc.OutOfRange(f"offset {offset} is past the end of object {info.name!r} "
                             f"({info.size_bytes} bytes)", backend=BACKEND,
                             backend_code="InvalidRange")


def _chunks(body: Any, chunk_bytes: int, container: str, name: str) -> Iterator[bytes]:
    with mapped("read object", container=container, name=name):
        yield from body.iter_chunks(chunk_bytes)


def _core_threads(conf: cfg.ConfigOpts) -> int:
    """Threads of the core that call drivers: [DEFAULT] executor_threads and
    [object_storage] transfer_threads (their defaults where a test registered neither)."""
    total = 0
    for group, name, default in ((None, "executor_threads", 32),
                                 ("object_storage", "transfer_threads", 16)):
        try:
            total += getattr(conf[group] if group else conf, name)
        except (cfg.NoSuchOptError, cfg.NoSuchGroupError):
            total += default
    return total
