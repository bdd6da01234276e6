"""Bounded byte streams between the event loop (gRPC) and a driver thread.

An upload flows loop → thread: the servicer feeds the data messages of a
PutObject into an ``UploadChannel`` and the driver, in the thread pool,
reads them through a ``CheckedReader`` (the ``models.ByteSource`` drivers
see), which also checks the caller's declared size and MD5.

A download flows thread → loop: ``DownloadPump.run`` iterates a driver's
chunks in the thread pool and hands them to the servicer's async iterator.

Both directions hold at most ``capacity`` chunks, so a transfer's memory is
bounded whatever the speeds of the two sides; the slow side's pace reaches
the other through gRPC flow control.
"""

from __future__ import annotations

import asyncio
import hashlib
import queue
import threading
from collections.abc import Callable, Iterator

from translator.drivers import exceptions as exc

_END = object()


class UploadAborted(exc.Aborted):
    """The caller went away (or the RPC failed) before the upload ended."""


class UploadChannel:
    """Chunks from the event loop to one reader thread, at most ``capacity`` at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int) -> None:
        self._loop = loop
        self._credits = asyncio.Semaphore(capacity)
        self._chunks: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False

    # -- event-loop side ----------------------------------------------------

    async def put(self, chunk: bytes) -> bool:
        """Queue ``chunk``, waiting while the buffer is full; False once the reader stopped."""
        if self._closed:
            return False
        await self._credits.acquire()
        if self._closed:
            return False
        self._chunks.put(chunk)
        return True

    def end(self) -> None:
        """The caller sent everything."""
        self._chunks.put(_END)

    def abort(self, reason: str = "the upload was interrupted before its end") -> None:
        """The caller went away: the reader's next read raises UploadAborted."""
        self._chunks.put(UploadAborted(reason))

    def reader_stopped(self) -> None:
        """The driver finished (or failed) without reading on: release any waiting put()."""
        self._closed = True
        self._credits.release()

    # -- reader-thread side -------------------------------------------------

    def next_chunk(self) -> bytes | None:
        """The next chunk (blocking); None at the end."""
        item = self._chunks.get()
        if item is _END:
            self._chunks.put(_END)  # later calls see the end too
            return None
        if isinstance(item, Exception):
            self._chunks.put(item)
            raise item
        self._loop.call_soon_threadsafe(self._credits.release)
        return item


class CheckedReader:
    """A ``models.ByteSource`` over a chunk supplier, checking declared size and MD5.

    ``next_chunk()`` returns bytes, or None at the end. When ``size`` is given
    the data must be exactly that long; when ``md5`` (hex) is given it must
    match. A mismatch raises InvalidInput from the read that reaches the end
    (or, for too much data, from the read that passes the size), so a driver
    that commits only after reading ``b""`` never stores bad data.
    """

    def __init__(self, next_chunk: Callable[[], bytes | None], *, size: int | None = None,
                 md5: str = "") -> None:
        self._next_chunk = next_chunk
        self._size = size
        self._expected_md5 = md5.lower()
        self._hash = hashlib.md5(usedforsecurity=False)
        self._chunk = b""  # the chunk being read, from self._offset on
        self._offset = 0
        self._count = 0
        self._ended = False

    @property
    def md5(self) -> str:
        return self._hash.hexdigest()

    @property
    def bytes_read(self) -> int:
        return self._count

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes, fewer only at the end. A read of exactly one whole chunk
        (the caller's data message as it came) returns that chunk itself, no copy."""
        if n is None or n < 0:
            return b"".join(iter(lambda: self.read(1 << 20), b""))
        if n and self._offset >= len(self._chunk) and not self._fill():
            return b""
        if self._offset == 0 and len(self._chunk) == n and type(self._chunk) is bytes:
            self._offset = n
            return self._chunk
        parts = []
        wanted = n
        while wanted > 0:
            if self._offset >= len(self._chunk) and not self._fill():
                break
            start = self._offset
            end = min(len(self._chunk), start + wanted)
            parts.append(memoryview(self._chunk)[start:end])
            self._offset = end
            wanted -= end - start
        return b"".join(parts)

    def _fill(self) -> bool:
        if self._ended:
            return False
        chunk = self._next_chunk()
        if chunk is None:
            self._ended = True
            self._chunk, self._offset = b"", 0
            self._check_end()
            return False
        self._count += len(chunk)
        if self._size is not None and self._count > self._size:
            raise exc.InvalidInput(
                f"the data is longer than the declared size_bytes {self._size}; "
                "nothing was stored", field="size_bytes")
        self._hash.update(chunk)
        self._chunk, self._offset = chunk, 0
        return True

    def _check_end(self) -> None:
        if self._size is not None and self._count != self._size:
            raise exc.InvalidInput(
                f"the data is {self._count} bytes, the declared size_bytes is {self._size}; "
                "nothing was stored", field="size_bytes")
        if self._expected_md5 and self.md5 != self._expected_md5:
            raise exc.InvalidInput(
                f"the data's MD5 is {self.md5}, the declared md5 is {self._expected_md5}; "
                "nothing was stored", field="md5")


class DownloadPump:
    """Chunks from a driver's iterator (run in a thread) to an async consumer."""

    def __init__(self, loop: asyncio.AbstractEventLoop, capacity: int) -> None:
        self._loop = loop
        self._credits = threading.Semaphore(capacity)
        self._chunks: asyncio.Queue = asyncio.Queue()
        self._stopped = False

    def run(self, chunks: Iterator[bytes]) -> None:
        """In the thread pool: move every chunk across, then the end (or the error)."""
        try:
            for chunk in chunks:
                if not chunk:
                    continue
                self._credits.acquire()
                if self._stopped:
                    return
                self._loop.call_soon_threadsafe(self._chunks.put_nowait, chunk)
            self._loop.call_soon_threadsafe(self._chunks.put_nowait, _END)
        except BaseException as error:  # noqa: BLE001 - handed to the consumer
            self._loop.call_soon_threadsafe(self._chunks.put_nowait, error)

    def stop(self) -> None:
        """The consumer is gone: let run() return at its next chunk."""
        self._stopped = True
        self._credits.release()

    def __aiter__(self):
        return self

    async def __anext__(self) -> bytes:
        item = await self._chunks.get()
        if item is _END:
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        self._credits.release()
        return item
