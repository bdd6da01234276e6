"""GetObject: a ranged GET whose body is read in ``[object_storage] chunk_bytes`` chunks.

The download keeps its Connection until ``close()``: swiftclient reads the
body from the Connection's HTTP session, which must not serve another
request meanwhile. ``close()`` closes the response (dropping the socket when
the consumer stopped early) and gives the Connection back.

Swift answers 416 for any range of an empty object and for an offset at or
past the end; the driver tells the two apart with a HEAD, since an empty
object read from offset 0 is no error. The description is the whole
object's: the size comes from Content-Range, not the range's Content-Length.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.swift import errors, mapping
from translator_drivers.swift.connection import ConnectionPool


def range_header(offset: int, length: int | None) -> dict[str, str]:
    """The Range header for [offset, offset+length), or none for the whole object."""
    if length is None:
        return {"Range": f"bytes={offset}-"} if offset else {}
    return {"Range": f"bytes={offset}-{offset + length - 1}"}


def open_object(pool: ConnectionPool, container: str, name: str, offset: int,
                length: int | None, chunk_bytes: int,
                head: Callable[[str, str], models.StoredObject]) -> models.ObjectDownload:
    what = f"object {container}/{name!r}"
    if length == 0:
        info = head(container, name)
        _check_offset(info, offset)
        return models.ObjectDownload(info=info, chunks=iter(()))
    conn = pool.acquire()
    try:
        with errors.mapped(f"reading {what}", not_found=f"{what} not found",
                           secrets=pool.secrets):
            headers, body = conn.get_object(container, name, resp_chunk_size=chunk_bytes,
                                            headers=range_header(offset, length))
    except exc.OutOfRange:
        pool.release(conn)
        info = head(container, name)
        _check_offset(info, offset)
        if info.size_bytes:  # the object changed between the GET and the HEAD
            raise exc.Aborted(f"{what} changed while it was opened; try again",
                              backend=errors.BACKEND) from None
        return models.ObjectDownload(info=info, chunks=iter(()))
    except BaseException:
        pool.discard(conn)
        raise
    total = mapping.content_range_total(headers.get("content-range", ""))
    info = mapping.object_from_headers(container, name, headers, size=total)
    handle = _Body(pool, conn, body, what)
    return models.ObjectDownload(info=info, chunks=handle.chunks(), close=handle.close)


def _check_offset(info: models.StoredObject, offset: int) -> None:
    if info.size_bytes and offset >= info.size_bytes:
        raise exc.OutOfRange(
            f"offset {offset} is past the end of object {info.container}/{info.name!r} "
            f"({info.size_bytes} bytes)", backend=errors.BACKEND, backend_code="416")


class _Body:
    """An open response and the Connection it holds, released exactly once."""

    def __init__(self, pool: ConnectionPool, conn: Any, body: Any, what: str) -> None:
        self.pool = pool
        self.conn = conn
        self.body = body
        self.what = what
        self._lock = threading.Lock()
        self._closed = False
        self._complete = False

    def chunks(self) -> Iterator[bytes]:
        with errors.mapped(f"reading {self.what}", secrets=self.pool.secrets):
            yield from self.body
        self._complete = True

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        try:
            self.body.close()
        finally:
            if self._complete:
                self.pool.release(self.conn)
            else:  # the response was cut short: drop its socket with the Connection's
                self.pool.discard(self.conn)
