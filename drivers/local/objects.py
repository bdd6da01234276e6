"""The local object storage driver: objects as files on this node's disk.

For development and the embedded default. libcloud's LocalStorageDriver maps
object names straight onto paths and keeps no content type or metadata, so
this is a small equivalent on the standard library: data files named by
random ids (files) and a SQLite index mapping names onto them (index).

An upload is written to a temp file and becomes visible only after its
source's end was read (which checks the declared size and MD5): the file is
renamed into place and its index row committed, then the file it replaced is
removed. Any failure before that removes the temp file, so an interrupted or
refused upload leaves nothing. Downloads read from a descriptor opened before
the first byte, so a concurrent replace or delete cannot tear them.
"""

from __future__ import annotations

import datetime
import logging
import os
import threading
import time
from collections.abc import Iterator

from oslo_config import cfg

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.local import conf as local_conf
from translator_drivers.local import errors, listing
from translator_drivers.local.capabilities import capabilities
from translator_drivers.local.files import Files, write_all
from translator_drivers.local.index import FILENAME, Index, ObjectRow

LOG = logging.getLogger(__name__)

#: Times an open retries when the file it found was replaced under it.
_OPEN_ATTEMPTS = 8


class LocalObjectStorageDriver(base.ObjectStorageDriver):
    """Object storage in files under ``[local] objects_dir``."""

    name = "local"

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        local_conf.register_opts(conf)

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.objects_dir = ""
        self.files: Files | None = None
        self.index: Index | None = None

    @property
    def chunk_bytes(self) -> int:
        return self.conf.object_storage.chunk_bytes

    def setup(self) -> None:
        """Open the directory and index; remove what a crash left, when no one else is in."""
        self.objects_dir = os.path.abspath(local_conf.objects_dir(self.conf))
        files = Files(self.objects_dir)
        index = Index(os.path.join(self.objects_dir, FILENAME))
        with errors.mapped(f"opening the objects directory {self.objects_dir}"):
            alone = files.open()
            try:
                index.open()
                if alone:
                    removed = files.sweep(index.file_ids())
                    if removed:
                        LOG.warning("Removed %d file(s) of unfinished uploads from %s",
                                    removed, self.objects_dir)
                    files.share()
                else:
                    LOG.info("%s is in use by another driver; leftovers are not swept",
                             self.objects_dir)
            except BaseException:
                index.close()
                files.close()
                raise
        self.files, self.index = files, index

    def check_setup(self) -> None:
        if self.index is None or self.files is None:
            raise exc.BackendUnavailable("the local object store is not set up",
                                         backend=errors.BACKEND)
        self.index.probe()
        if not os.access(self.files.tmp_dir, os.W_OK | os.X_OK):
            raise exc.BackendError(
                "the local object store cannot write its files",
                f"{self.files.tmp_dir} is not writable ([local] objects_dir)",
                backend=errors.BACKEND)

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
        if self.files is not None:
            self.files.close()

    def capabilities(self) -> models.ApiCapabilities:
        return capabilities()

    # -- containers ---------------------------------------------------------

    def list_containers(self, page_size: int, page_token: str,
                        prefix: str = "") -> models.Page[models.Container]:
        rows, token = listing.containers(self.index, prefix, page_size, page_token)
        return models.Page([listing.container_model(r) for r in rows], token)

    def create_container(self, name: str, metadata: dict[str, str]) -> models.Container:
        self.index.create_container(name, dict(metadata), time.time())
        return models.Container(name=name, metadata=dict(metadata))

    def get_container(self, name: str) -> models.Container:
        return listing.container_model(self.index.container(name))

    def delete_container(self, name: str) -> None:
        self.index.delete_container(name)

    # -- objects ------------------------------------------------------------

    def put_object(self, spec: models.ObjectSpec,
                   source: models.ByteSource) -> models.StoredObject:
        self.index.require_container(spec.container)  # before reading any data

        def write(fd: int) -> int:
            size = 0
            while chunk := source.read(self.chunk_bytes):
                write_all(fd, chunk)
                size += len(chunk)
            return size

        return self._store(spec.container, spec.name, write, lambda size: ObjectRow(
            spec.container, spec.name, "", size, source.md5,
            spec.content_type or "application/octet-stream", dict(spec.metadata), 0.0))

    def open_object(self, container: str, name: str, offset: int = 0,
                    length: int | None = None) -> models.ObjectDownload:
        if offset < 0:
            raise exc.InvalidInput("offset must not be negative", field="offset")
        if length is not None and length < 0:
            raise exc.InvalidInput("length must not be negative", field="length")
        row, fd = self._open(container, name)
        if row.size and offset >= row.size:
            os.close(fd)
            raise exc.OutOfRange(
                f"offset {offset} is past the end of object {name!r} ({row.size} bytes)",
                backend=errors.BACKEND)
        end = row.size if length is None else min(row.size, offset + length)
        reader = _RangeReader(fd, offset, max(offset, end), self.chunk_bytes, name)
        return models.ObjectDownload(self._model(row), reader.chunks(), reader.close)

    def head_object(self, container: str, name: str) -> models.StoredObject:
        return self._model(self.index.get(container, name))

    def list_objects(self, container: str, prefix: str, delimiter: str, page_size: int,
                     page_token: str) -> models.ObjectListing:
        rows, prefixes, token = listing.objects(self.index, container, prefix, delimiter,
                                                page_size, page_token)
        return models.ObjectListing([self._model(r, metadata=False) for r in rows],
                                    prefixes, token)

    def delete_object(self, container: str, name: str) -> None:
        file_id = self.index.delete(container, name)
        self._remove_replaced(file_id)

    def copy_object(self, spec: models.CopySpec) -> models.StoredObject:
        source, src_fd = self._open(spec.source_container, spec.source_name)
        try:
            self.index.require_container(spec.destination_container)
            metadata = dict(source.metadata if spec.metadata is None else spec.metadata)
            return self._store(
                spec.destination_container, spec.destination_name,
                lambda fd: _copy(src_fd, fd, source.size),
                lambda size: ObjectRow(spec.destination_container, spec.destination_name, "",
                                       size, source.md5, source.content_type, metadata, 0.0))
        finally:
            os.close(src_fd)

    # -- helpers ------------------------------------------------------------

    def _store(self, container: str, name: str, write, make_row) -> models.StoredObject:
        """Write a temp file with ``write(fd)`` (→ size), publish it, commit its row.

        Nothing remains of the file unless the commit happened.
        """
        action = f"storing object {name!r} in container {container!r}"
        with errors.mapped(action):
            file_id, fd = self.files.create_temp()
        committed = False
        try:
            with errors.mapped(action):
                try:
                    size = write(fd)
                    os.fsync(fd)
                finally:
                    os.close(fd)
                self.files.publish(file_id)
            row = make_row(size)
            row.file_id, row.mtime = file_id, time.time()
            replaced = self.index.commit(row)
            committed = True
        finally:
            if not committed:
                self.files.discard(file_id)
        if replaced:
            self._remove_replaced(replaced)
        return self._model(row)

    def _remove_replaced(self, file_id: str) -> None:
        try:
            self.files.remove(file_id)
        except OSError as error:  # the change is committed; the next setup sweeps the file
            LOG.warning("Could not remove the replaced data file %s: %s", file_id, error)

    def _open(self, container: str, name: str) -> tuple[ObjectRow, int]:
        """The object's row and a read descriptor on its file, consistent with each other."""
        with errors.mapped(f"opening object {name!r}"):
            for _ in range(_OPEN_ATTEMPTS):
                row = self.index.get(container, name)
                try:
                    return row, self.files.open_data(row.file_id)
                except FileNotFoundError:
                    continue  # replaced or deleted between the read and the open
        raise exc.Aborted(f"object {name!r} in container {container!r} changes too fast to "
                          "be read; retry", backend=errors.BACKEND)

    @staticmethod
    def _model(row: ObjectRow, *, metadata: bool = True) -> models.StoredObject:
        return models.StoredObject(
            container=row.container, name=row.name, size_bytes=row.size,
            content_type=row.content_type, etag=row.md5, md5=row.md5,
            last_modified=datetime.datetime.fromtimestamp(row.mtime, datetime.UTC),
            metadata=dict(row.metadata) if metadata else {})


class _RangeReader:
    """Chunks of [offset, end) of an open file; close() may come from another thread."""

    def __init__(self, fd: int, offset: int, end: int, chunk_bytes: int, name: str) -> None:
        self._fd: int | None = fd
        self._offset, self._end, self._chunk = offset, end, chunk_bytes
        self._name = name
        self._lock = threading.Lock()  # a closed descriptor's number may be reused

    def chunks(self) -> Iterator[bytes]:
        position = self._offset
        try:
            while position < self._end:
                with self._lock, errors.mapped(f"reading object {self._name!r}"):
                    if self._fd is None:
                        return
                    data = os.pread(self._fd, min(self._chunk, self._end - position), position)
                if not data:
                    raise exc.BackendError(
                        f"object {self._name!r} is shorter than its index says",
                        backend=errors.BACKEND)
                position += len(data)
                yield data
        finally:
            self.close()

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _copy(src: int, dst: int, size: int) -> int:
    """Copy ``size`` bytes of ``src`` from its start into ``dst`` in the kernel where it can."""
    position = 0
    try:
        while position < size:
            copied = os.copy_file_range(src, dst, size - position, position)
            if not copied:
                break
            position += copied
    except OSError:  # not on this filesystem or kernel: copy through user space
        os.lseek(dst, 0, os.SEEK_SET)
        os.ftruncate(dst, 0)
        position = 0
        while position < size:
            data = os.pread(src, min(1 << 20, size - position), position)
            if not data:
                break
            write_all(dst, data)
            position += len(data)
    if position != size:
        raise exc.BackendError("the source object is shorter than its index says",
                               backend=errors.BACKEND)
    return size
