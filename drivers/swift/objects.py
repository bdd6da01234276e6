"""The Swift object storage driver: any Swift API endpoint, auth v1 or Keystone v3.

Containers and objects map one to one onto Swift's; large objects are
static large objects (slo), writes are in uploads, reads in download.
Connections come from a small pool (connection), errors are mapped in one
place (errors). Ceph RGW serves the Swift API on the same account as its S3
API, so objects written over S3 are readable here and the other way round.
"""

from __future__ import annotations

import logging
from typing import Any

from oslo_config import cfg

from translator.conf import object_storage as object_conf
from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.swift import conf as swift_conf
from translator_drivers.swift import download, temp_urls
from translator_drivers.swift import mapping as m
from translator_drivers.swift.capabilities import capabilities
from translator_drivers.swift.connection import ConnectionPool
from translator_drivers.swift.errors import BACKEND, SwiftAuthFailed, SwiftMisconfigured, mapped
from translator_drivers.swift.slo import Segments
from translator_drivers.swift.uploads import Writer

LOG = logging.getLogger(__name__)


class SwiftObjectStorageDriver(base.ObjectStorageDriver):
    """Object storage on a Swift API (OpenStack Swift, Ceph RGW)."""

    name = "swift"

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        swift_conf.register_opts(conf)

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        object_conf.register_opts(conf)
        swift_conf.register_opts(conf)
        self.pool = ConnectionPool(conf.swift)
        self.segments = Segments(self.pool, conf.swift.segment_container_suffix,
                                 conf.object_storage.part_concurrency)
        self.writer = Writer(self.pool, self.segments, conf.object_storage)

    @property
    def opts(self) -> Any:
        return self.conf.swift

    def _mapped(self, action: str, **kwargs: Any):
        return mapped(action, secrets=self.pool.secrets, **kwargs)

    # -- lifecycle --------------------------------------------------------------------------

    def setup(self) -> None:
        """Authenticate; store [swift] temp_url_key on the account unless it holds it."""
        with self._mapped("authenticating to the Swift endpoint"):
            self.pool.authenticate()
        if self.opts.temp_url_key:
            with self.pool.connection() as conn, self._mapped("setting the temp URL key"):
                temp_urls.store_key(conn, self.opts.temp_url_key)

    def check_setup(self) -> None:
        """The account answers a HEAD with the configured credentials (and temp URL key)."""
        opts = self.opts
        if not opts.auth_url:
            raise SwiftMisconfigured("the Swift object storage backend is not configured",
                                     "[swift] auth_url is empty", backend=BACKEND)
        if opts.auth_version == swift_conf.AUTH_V3 and not opts.project_name:
            raise SwiftMisconfigured("the Swift object storage backend is misconfigured",
                                     "[swift] project_name is required with auth_version 3",
                                     backend=BACKEND)
        try:
            with self.pool.connection() as conn, self._mapped("HEAD of the Swift account"):
                account = conn.head_account()
        except exc.TranslatorError as error:
            if "[swift]" in error.user_message:  # it names the option already
                raise
            hint = ("[swift] user and key" if isinstance(error, SwiftAuthFailed) else
                    "[swift] auth_url (and verify_ssl, ca_file)")
            raise type(error)(f"the Swift object storage backend is not usable: check {hint}",
                              f"{error.operator_message}; check {hint}", backend=BACKEND,
                              backend_code=error.backend_code) from error
        if opts.temp_url_key and not temp_urls.holds(account, opts.temp_url_key):
            raise SwiftMisconfigured("the Swift object storage backend is misconfigured",
                                     "the account's temp URL key is not [swift] temp_url_key "
                                     "(changed since start?)", backend=BACKEND)

    def close(self) -> None:
        self.segments.close()
        self.pool.close()

    def capabilities(self) -> models.ApiCapabilities:
        opts, objects = self.opts, self.conf.object_storage
        return capabilities(temp_url_key=bool(opts.temp_url_key), digest=opts.temp_url_digest,
                            auth_version=opts.auth_version,
                            threshold=objects.large_object_threshold_bytes,
                            part_bytes=objects.part_bytes,
                            segments_suffix=opts.segment_container_suffix)

    # -- containers -------------------------------------------------------------------------

    def create_container(self, name: str, metadata: dict[str, str]) -> models.Container:
        m.check_metadata(metadata, m.HIDDEN_CONTAINER_KEYS)
        try:
            self.writer.require_container(name, "name")
        except exc.NotFound:
            pass
        else:
            raise exc.AlreadyExists(f"container {name!r} already exists", backend=BACKEND)
        with self.pool.connection() as conn, self._mapped(
                f"creating container {name!r}", invalid_field="name"):
            conn.put_container(name, headers=m.meta_headers(m.CONTAINER_META, metadata))
        return models.Container(name=name, metadata=dict(metadata),
                                extra={"segments_container": self.segments.container_for(name)})

    def get_container(self, name: str) -> models.Container:
        headers = self.writer.require_container(name, "name")
        segments = self.segments.container_for(name)
        extra = {"segments_container": segments}
        try:
            extra["segments_bytes_used"] = self.writer.require_container(segments).get(
                "x-container-bytes-used", "0")
        except exc.NotFound:
            pass
        return m.container_from_headers(name, headers, extra)

    def list_containers(self, page_size: int, page_token: str,
                        prefix: str = "") -> models.Page[models.Container]:
        marker = m.decode_token(page_token, "containers", prefix)
        with self.pool.connection() as conn, self._mapped("listing containers"):
            _, entries = conn.get_account(marker=marker or None, limit=page_size + 1,
                                          prefix=prefix or None)
        more = len(entries) > page_size
        entries = entries[:page_size]
        return models.Page(
            items=[models.Container(name=e["name"], object_count=int(e.get("count", 0)),
                                    bytes_used=int(e.get("bytes", 0))) for e in entries],
            next_token=m.encode_token(entries[-1]["name"], "containers", prefix)
            if more else "")

    def delete_container(self, name: str) -> None:
        """Also deletes the segments container, when it is empty (a non-empty one holds
        segments no object uses, e.g. of another tool's uploads: it stays, logged)."""
        try:
            with self.pool.connection() as conn, self._mapped(
                    f"deleting container {name!r}", not_found=f"container {name!r} not found"):
                conn.delete_container(name)
        except exc.Conflict as error:
            raise exc.Conflict(f"container {name!r} is not empty", error.operator_message,
                               backend=BACKEND, backend_code="409") from error
        if name.endswith(self.opts.segment_container_suffix):
            return
        segments = self.segments.container_for(name)
        try:
            with self.pool.connection() as conn, self._mapped(
                    f"deleting segments container {segments!r}"):
                conn.delete_container(segments)
        except exc.NotFound:
            pass
        except exc.TranslatorError as error:
            LOG.warning("Container %s is deleted but not its segments container %s: %s",
                        name, segments, error.operator_message)

    # -- objects ----------------------------------------------------------------------------

    def put_object(self, spec: models.ObjectSpec,
                   source: models.ByteSource) -> models.StoredObject:
        return self.writer.put(spec, source)

    def open_object(self, container: str, name: str, offset: int = 0,
                    length: int | None = None) -> models.ObjectDownload:
        return download.open_object(self.pool, container, name, offset, length,
                                    self.conf.object_storage.chunk_bytes, self.head_object)

    def head_object(self, container: str, name: str) -> models.StoredObject:
        return m.object_from_headers(container, name, self.writer.head(container, name))

    def list_objects(self, container: str, prefix: str, delimiter: str, page_size: int,
                     page_token: str) -> models.ObjectListing:
        marker = m.decode_token(page_token, "objects", container, prefix, delimiter)
        with self.pool.connection() as conn, self._mapped(
                f"listing container {container!r}",
                not_found=f"container {container!r} not found"):
            _, entries = conn.get_container(container, marker=marker or None,
                                            limit=page_size + 1, prefix=prefix or None,
                                            delimiter=delimiter or None)
        more = len(entries) > page_size
        entries = entries[:page_size]
        listing = models.ObjectListing(objects=[], next_token="")
        for entry in entries:
            if "subdir" in entry:
                listing.common_prefixes.append(entry["subdir"])
            elif m.looks_like_manifest(entry):  # RGW lists an SLO by its manifest's size
                try:
                    found = self.head_object(container, entry["name"])
                except exc.NotFound:
                    continue
                listing.objects.append(found)
                found.metadata = {}
            else:
                listing.objects.append(m.object_from_listing(container, entry))
        if more:
            last = entries[-1]
            listing.next_token = m.encode_token(last.get("subdir") or last["name"], "objects",
                                                container, prefix, delimiter)
        return listing

    def delete_object(self, container: str, name: str) -> None:
        headers = self.writer.head(container, name)
        what = f"object {container}/{name!r}"
        slo = m.is_slo(headers)
        with self.pool.connection() as conn, self._mapped(
                f"deleting {what}", not_found=f"{what} not found"):
            conn.delete_object(container, name,
                               query_string="multipart-manifest=delete" if slo else None)
        location = m.segments_of(container, name, headers)
        if location is not None:  # RGW's bulk delete answers 200 even when a delete failed
            self.segments.sweep(*location)

    def copy_object(self, spec: models.CopySpec) -> models.StoredObject:
        return self.writer.copy(spec, self.open_object)

    # -- temp URLs --------------------------------------------------------------------------

    def create_temp_url(self, container: str, name: str, method: str,
                        expires_in: int) -> models.TempUrl:
        with self._mapped("authenticating to the Swift endpoint"):
            storage_url = self.pool.storage_url()
        return temp_urls.sign(storage_url, container, name, method, expires_in,
                              key=self.opts.temp_url_key, digest=self.opts.temp_url_digest,
                              limit=self.conf.object_storage.max_temp_url_seconds)
