"""PutObject and CopyObject: one PUT, or a static large object (see slo), committed last.

PutObject reads up to ``large_object_threshold_bytes + 1`` bytes (or trusts
a declared size) to choose: an object that ends within the threshold is one
PUT with ``ETag: <md5>`` sent only after the source returned its end (the
source raises there when the caller's size or MD5 does not match), so it is
held whole in memory, at most the threshold; a longer one becomes an SLO
whose manifest is written only after that end too.

Replacing an object: the target is looked at (HEAD) first; when it was an
SLO this driver wrote, its segments are deleted once the new object is in.
An SLO written by another tool does not say where its segments are (RGW
returns no manifest), so they stay; that is logged. Two concurrent replaces
of one large object can leave the losing upload's segments behind.

CopyObject is server side: a COPY for an ordinary object; for an SLO this
driver wrote, a COPY of each segment and a new manifest, because RGW's COPY
of an SLO copies only the manifest, sharing the source's segments, and the
copy breaks when the source is deleted. An SLO of another tool is copied
through the driver (read and written again).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.swift import errors
from translator_drivers.swift import mapping as m
from translator_drivers.swift.connection import ConnectionPool
from translator_drivers.swift.slo import Segments, manifest

LOG = logging.getLogger(__name__)


class Writer:
    """The writing half of the driver."""

    def __init__(self, pool: ConnectionPool, segments: Segments, object_opts: Any) -> None:
        self.pool = pool
        self.segments = segments
        self.opts = object_opts

    # -- PutObject --------------------------------------------------------------------------

    def put(self, spec: models.ObjectSpec, source: models.ByteSource) -> models.StoredObject:
        m.check_metadata(spec.metadata, m.HIDDEN_OBJECT_KEYS, "header.metadata")
        old = self.old_segments(spec.container, spec.name)
        threshold, part = self.opts.large_object_threshold_bytes, self.opts.part_bytes
        pieces: list[bytes] = []
        if spec.size_bytes is None or spec.size_bytes <= threshold:
            total, limit = 0, threshold + 1
            while total < limit:
                piece = source.read(min(part, limit - total))
                if not piece:  # the end, within the threshold: the source checked it
                    data = b"".join(pieces)
                    pieces.clear()
                    stored = self._put_small(spec, data, source.md5)
                    self.drop(old, None)
                    return stored
                pieces.append(piece)
                total += len(piece)
        stored, location = self._put_large(spec, source, pieces)
        self.drop(old, location)
        return stored

    def _put_small(self, spec: models.ObjectSpec, data: bytes, md5: str) -> models.StoredObject:
        response: dict = {}
        with self.pool.connection() as conn, self._mapped(
                f"storing object {spec.container}/{spec.name!r}",
                not_found=f"container {spec.container!r} not found", invalid_field="name"):
            etag = conn.put_object(spec.container, spec.name, io.BytesIO(data),
                                   content_length=len(data), etag=md5,
                                   content_type=spec.content_type,
                                   headers=m.meta_headers(m.OBJECT_META, spec.metadata),
                                   response_dict=response)
        return models.StoredObject(
            container=spec.container, name=spec.name, size_bytes=len(data),
            content_type=spec.content_type, etag=etag or md5, md5=md5,
            last_modified=m.header_time(response.get("headers", {})),
            metadata=dict(spec.metadata))

    def _put_large(self, spec: models.ObjectSpec, source: models.ByteSource,
                   pieces: list[bytes]) -> tuple[models.StoredObject, tuple[str, str]]:
        self.require_container(spec.container)
        location, marker = self.segments.new_upload(spec.container, spec.name)
        self.segments.ensure_container(location[0])
        try:
            entries = self.segments.upload(*location,
                                           _parts(pieces, source, self.opts.part_bytes))
            stored = self.put_manifest(spec, entries, source.md5, marker)
        except BaseException:
            self.segments.sweep(*location)
            raise
        return stored, location

    def put_manifest(self, spec: models.ObjectSpec, entries: list[dict], md5: str,
                     marker: str) -> models.StoredObject:
        headers = {**m.meta_headers(m.OBJECT_META, spec.metadata),
                   m.OBJECT_META + m.MD5_KEY: md5,
                   m.OBJECT_META + m.SEGMENTS_KEY: marker,
                   m.OBJECT_META + m.PARTS_KEY: str(len(entries))}
        response: dict = {}
        with self.pool.connection() as conn, self._mapped(
                f"storing the manifest of object {spec.container}/{spec.name!r}",
                not_found=f"container {spec.container!r} not found", invalid_field="name"):
            etag = conn.put_object(spec.container, spec.name, manifest(entries),
                                   content_type=spec.content_type, headers=headers,
                                   query_string="multipart-manifest=put",
                                   response_dict=response)
        return models.StoredObject(
            container=spec.container, name=spec.name,
            size_bytes=sum(entry["size_bytes"] for entry in entries),
            content_type=spec.content_type, etag=(etag or "").strip('"'), md5=md5,
            last_modified=m.header_time(response.get("headers", {})),
            metadata=dict(spec.metadata),
            extra={"large_object": "slo", "parts": str(len(entries))})

    # -- CopyObject -------------------------------------------------------------------------

    def copy(self, spec: models.CopySpec, open_source) -> models.StoredObject:
        if spec.metadata is not None:
            m.check_metadata(spec.metadata, m.HIDDEN_OBJECT_KEYS)
        source = self.head(spec.source_container, spec.source_name)
        same = (spec.source_container, spec.source_name) == (spec.destination_container,
                                                              spec.destination_name)
        old = (m.segments_of(spec.source_container, spec.source_name, source) if same else
               self.old_segments(spec.destination_container, spec.destination_name))
        metadata = (m.metadata_of(source, m.OBJECT_META, m.HIDDEN_OBJECT_KEYS)
                    if spec.metadata is None else spec.metadata)
        target = models.ObjectSpec(
            container=spec.destination_container, name=spec.destination_name,
            content_type=source.get("content-type") or "application/octet-stream",
            metadata=metadata, size_bytes=int(source.get("content-length", 0)))
        if not m.is_slo(source):
            return self._copy_plain(spec, target, old)
        location = m.segments_of(spec.source_container, spec.source_name, source)
        if location is None:  # another tool's SLO: read it and write it again
            download = open_source(spec.source_container, spec.source_name)
            try:
                return self.put(target, _Stream(download.chunks, target.size_bytes))
            finally:
                download.close()
        self.require_container(target.container)
        new, marker = self.segments.new_upload(target.container, target.name)
        self.segments.ensure_container(new[0])
        try:
            entries = self.segments.copy(location, *new)
            stored = self.put_manifest(target, entries,
                                       source.get(m.OBJECT_META + m.MD5_KEY, ""), marker)
        except BaseException:
            self.segments.sweep(*new)
            raise
        self.drop(old, new)
        return stored

    def _copy_plain(self, spec: models.CopySpec, target: models.ObjectSpec,
                    old: tuple[str, str] | None) -> models.StoredObject:
        headers, fresh = {}, None
        if spec.metadata is not None:  # X-Fresh-Metadata drops the type too: send it again
            headers = {**m.meta_headers(m.OBJECT_META, spec.metadata),
                       "Content-Type": target.content_type}
            fresh = True
        where = f"/{target.container}/{target.name}"
        with self.pool.connection() as conn, self._mapped(
                f"copying object {spec.source_container}/{spec.source_name!r}",
                not_found=f"container {target.container!r} not found",
                invalid_field="destination_name"):
            conn.copy_object(spec.source_container, spec.source_name, where,
                             headers=headers, fresh_metadata=fresh)
        self.drop(old, None)
        return m.object_from_headers(target.container, target.name,
                                     self.head(target.container, target.name))

    # -- helpers shared with the driver -----------------------------------------------------

    def head(self, container: str, name: str) -> dict:
        what = f"object {container}/{name!r}"
        with self.pool.connection() as conn, self._mapped(
                f"looking up {what}", not_found=f"{what} not found"):
            return conn.head_object(container, name)

    def require_container(self, container: str, field: str = "container") -> dict:
        """The container's headers; NotFound naming it, InvalidInput naming ``field``."""
        with self.pool.connection() as conn, self._mapped(
                f"looking up container {container!r}",
                not_found=f"container {container!r} not found", invalid_field=field):
            return conn.head_container(container)

    def old_segments(self, container: str, name: str) -> tuple[str, str] | None:
        """Where the segments of the object now at ``name`` are, if it is an SLO we wrote."""
        try:
            headers = self.head(container, name)
        except exc.NotFound:
            return None
        location = m.segments_of(container, name, headers)
        if m.is_slo(headers) and location is None:
            LOG.warning("Object %s/%s is a static large object written by another tool: "
                        "when it is replaced, its segments stay where that tool put them",
                        container, name)
        return location

    def drop(self, old: tuple[str, str] | None, new: tuple[str, str] | None) -> None:
        """Delete a replaced SLO's segments (never the new object's)."""
        if old is not None and old != new:
            self.segments.sweep(*old)

    def _mapped(self, action: str, **kwargs: Any):
        return errors.mapped(action, secrets=self.pool.secrets, **kwargs)


def _parts(pieces: list[bytes], source: models.ByteSource, size: int) -> Iterator[bytes]:
    """Parts of ``size`` bytes (the last shorter): ``pieces`` first (full-sized but the
    last), then the source until it returns its end."""
    while pieces:
        piece = pieces.pop(0)
        if not pieces and len(piece) < size:
            piece += source.read(size - len(piece))
        yield piece
    while piece := source.read(size):
        yield piece


class _Stream:
    """A ByteSource over a download's chunks, for copying an SLO through the driver."""

    def __init__(self, chunks: Iterator[bytes], size: int) -> None:
        self._chunks = chunks
        self._size = size
        self._buffer = bytearray()
        self._hash = hashlib.md5(usedforsecurity=False)
        self._count = 0

    @property
    def md5(self) -> str:
        return self._hash.hexdigest()

    def read(self, n: int) -> bytes:
        while len(self._buffer) < n:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer.extend(chunk)
        out = bytes(self._buffer[:n])
        del self._buffer[:n]
        self._hash.update(out)
        self._count += len(out)
        if not out and self._count != self._size:
            raise exc.BackendError("the source object ended early while it was copied",
                                   backend=errors.BACKEND)
        return out
