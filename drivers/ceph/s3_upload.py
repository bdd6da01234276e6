"""PutObject on radosgw: one PutObject, or an S3 multipart upload for a large object.

The data is read in pieces of at most READ_BYTES and gathered into bodies of
``[object_storage] part_bytes``. While at most ``large_object_threshold_bytes``
have come and the source ends, the object is one PutObject with a Content-MD5,
sent only after the source returned its end (so the source's own size and MD5
checks ran first). Past the threshold (or at once when the declared size is
past it) it becomes a multipart upload: each body is a part, up to
``part_concurrency`` parts in flight on the driver's part pool, and the upload
is completed only after the source's end. Any error (the source's
InvalidInput, Aborted from a caller who left, a failed part) aborts the upload
after the parts in flight settle: no object, no parts remain.

Memory: a body is the pieces as read, never joined (botocore reads it as a
seekable file for its checksums and its signature, and sends it 128 KiB at a
time), so an upload holds at most ``part_bytes x (part_concurrency + 1)``, or
the threshold while it may still be one PutObject. A declared size past
10,000 parts of ``part_bytes`` gets larger parts (part_size), as boto3 does.

Parts rely on botocore's own transit checksum (a CRC32 header and the signed
payload's SHA-256 over http; TLS over https): no second MD5 per part.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import io
import logging
import threading
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph import s3_mapping as mapping
from translator_drivers.ceph.s3_errors import BACKEND, mapped

LOG = logging.getLogger(__name__)

#: Most parts of one S3 multipart upload, and the largest part.
MAX_PARTS = 10_000
MAX_PART_BYTES = 5 * 1024**3
MiB = 1024 * 1024
#: Size of the reads from the source. A PutObject's data messages are usually this size or
#: smaller, and a read of exactly one whole message gets that message without a copy.
READ_BYTES = 1024 * 1024


class Uploader:
    """Stores ByteSources through ``client``; ``opts`` is the [object_storage] group."""

    def __init__(self, client: Any, opts: Any, pool: concurrent.futures.Executor) -> None:
        self.client = client
        self.opts = opts
        self.pool = pool

    def put(self, spec: models.ObjectSpec, source: models.ByteSource) -> models.StoredObject:
        threshold = self.opts.large_object_threshold_bytes
        part = part_size(self.opts.part_bytes, spec.size_bytes)
        bodies: list[Body] = []
        if spec.size_bytes is None or spec.size_bytes <= threshold:
            total = 0
            while total <= threshold:
                body = Body.read_from(source, part)
                if body:
                    bodies.append(body)
                    total += len(body)
                if len(body) < part:  # the end, checked by the source: one PutObject
                    return self._single(spec, Body.joined(bodies), source.md5)
        return self._multipart(spec, source, bodies, part)

    # -- one PutObject ------------------------------------------------------------------

    def _single(self, spec: models.ObjectSpec, body: Body,
                digest: str) -> models.StoredObject:
        size = len(body)
        with mapped("store object", container=spec.container):
            response = self.client.put_object(
                Bucket=spec.container, Key=spec.name, Body=body.payload(),
                ContentType=spec.content_type, Metadata=dict(spec.metadata),
                ContentMD5=base64.b64encode(bytes.fromhex(digest)).decode("ascii"))
        return models.StoredObject(
            container=spec.container, name=spec.name, size_bytes=size,
            content_type=spec.content_type, etag=mapping.etag(response.get("ETag")),
            md5=digest, last_modified=mapping.answered_at(response),
            metadata=dict(spec.metadata))

    # -- multipart ------------------------------------------------------------------------

    def _multipart(self, spec: models.ObjectSpec, source: models.ByteSource,
                   bodies: list[Body], part: int) -> models.StoredObject:
        if part > MAX_PART_BYTES:
            raise _too_large(spec.size_bytes)
        metadata = dict(spec.metadata)
        if spec.md5:  # the ETag of a multipart object is no MD5: keep the caller's
            metadata[mapping.MD5_KEY] = spec.md5.lower()
        with mapped("start a multipart upload", container=spec.container):
            upload_id = self.client.create_multipart_upload(
                Bucket=spec.container, Key=spec.name, ContentType=spec.content_type,
                Metadata=metadata)["UploadId"]
        parts = _Parts(self.client, self.pool, spec, upload_id, self.opts.part_concurrency,
                       part)
        size = 0
        try:
            while bodies:
                size += parts.submit(bodies.pop(0))
            while body := Body.read_from(source, part):
                size += parts.submit(body)
            done = parts.finish()
            with mapped("complete a multipart upload", container=spec.container):
                response = self.client.complete_multipart_upload(
                    Bucket=spec.container, Key=spec.name, UploadId=upload_id,
                    MultipartUpload={"Parts": done})
        except BaseException:
            parts.abandon()
            raise
        # radosgw 16.2 answers CompleteMultipartUpload with an empty <ETag>: S3's
        # multipart ETag is the MD5 of the parts' MD5s, "-<parts>", known here.
        joined = b"".join(bytes.fromhex(mapping.etag(p["ETag"])) for p in done)
        tag = f"{hashlib.md5(joined, usedforsecurity=False).hexdigest()}-{len(done)}"
        return models.StoredObject(
            container=spec.container, name=spec.name, size_bytes=size,
            content_type=spec.content_type, etag=mapping.etag(response.get("ETag")) or tag,
            md5=source.md5, last_modified=mapping.answered_at(response),
            metadata=dict(spec.metadata), extra={"parts": str(len(done))})


class Body:
    """The body of one request: pieces of data as read, never joined, read back as a
    seekable binary file (what botocore needs for its checksums, its signature and a
    retry). ``read`` hands out views of the pieces, so nothing is copied."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces
        self._size = sum(len(p) for p in pieces)
        self._index = 0  # the piece holding the position, and the offset in it
        self._offset = 0
        self._position = 0

    @classmethod
    def read_from(cls, source: models.ByteSource, limit: int) -> Body:
        """``limit`` bytes of ``source``, fewer only where it ends."""
        pieces: list[bytes] = []
        left = limit
        while left > 0:
            piece = source.read(min(READ_BYTES, left))
            if not piece:
                break
            pieces.append(piece)
            left -= len(piece)
        return cls(pieces)

    @classmethod
    def joined(cls, bodies: list[Body]) -> Body:
        """One body of all of ``bodies`` (which are emptied)."""
        pieces = [piece for body in bodies for piece in body._pieces]
        bodies.clear()
        return cls(pieces)

    def payload(self) -> bytes | Body:
        """What to give botocore: no bytes, the one piece itself, or this body."""
        if len(self._pieces) < 2:
            return self._pieces[0] if self._pieces else b""
        return self

    def __len__(self) -> int:
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        target = min(max(0, base + offset), self._size)
        self._index, self._offset, self._position = 0, 0, 0
        while self._index < len(self._pieces) and \
                target - self._position >= len(self._pieces[self._index]):
            self._position += len(self._pieces[self._index])
            self._index += 1
        self._offset = target - self._position
        self._position = target
        return target

    def read(self, n: int = -1) -> bytes | memoryview:
        """Up to ``n`` bytes (to the end of the current piece): a view, no copy."""
        while self._index < len(self._pieces):
            piece = self._pieces[self._index]
            if self._offset < len(piece):
                break
            self._index, self._offset = self._index + 1, 0
        else:
            return b""
        if n is None or n < 0:
            n = len(piece) - self._offset
        start = self._offset
        end = min(len(piece), start + n)
        self._offset = end
        self._position += end - start
        if start == 0 and end == len(piece):
            return piece
        return memoryview(piece)[start:end]


class _Parts:
    """The parts of one multipart upload, at most ``concurrency`` in flight."""

    def __init__(self, client: Any, pool: concurrent.futures.Executor,
                 spec: models.ObjectSpec, upload_id: str, concurrency: int,
                 part_bytes: int) -> None:
        self.client = client
        self.pool = pool
        self.spec = spec
        self.upload_id = upload_id
        self.part_bytes = part_bytes
        self._slots = threading.Semaphore(concurrency)
        self._futures: list[concurrent.futures.Future] = []

    def submit(self, data: Body) -> int:
        """Queue ``data`` as the next part once a slot is free; its length."""
        number = len(self._futures) + 1
        if number > MAX_PARTS:
            raise _too_large(None, self.part_bytes)
        self._slots.acquire()  # memory: the parts in flight and this one
        try:
            self._raise_failure()
            future = self.pool.submit(self._send, number, data)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())
        self._futures.append(future)
        return len(data)

    def _send(self, number: int, data: Body) -> dict[str, Any]:
        response = self.client.upload_part(
            Bucket=self.spec.container, Key=self.spec.name, UploadId=self.upload_id,
            PartNumber=number, Body=data.payload())
        return {"PartNumber": number, "ETag": response["ETag"]}

    def _raise_failure(self) -> None:
        for future in self._futures:
            if future.done() and future.exception() is not None:
                self._result(future)

    def _result(self, future: concurrent.futures.Future) -> dict[str, Any]:
        with mapped("store a part of a large object", container=self.spec.container):
            return future.result()

    def finish(self) -> list[dict[str, Any]]:
        """Every part's number and ETag, once all are stored."""
        return [self._result(future) for future in self._futures]

    def abandon(self) -> None:
        """Cancel queued parts, let those in flight settle, abort the upload."""
        for future in self._futures:
            future.cancel()
        concurrent.futures.wait(self._futures)
        try:
            self.client.abort_multipart_upload(Bucket=self.spec.container, Key=self.spec.name,
                                               UploadId=self.upload_id)
        except Exception as error:  # noqa: BLE001 - the original error is the one to raise
            LOG.error("Ceph RGW: could not abort multipart upload %s of %s/%s, its parts "
                      "stay until a lifecycle rule or an operator removes them: %s",
                      self.upload_id, self.spec.container, self.spec.name,
                      type(error).__name__)


def part_size(part_bytes: int, size: int | None) -> int:
    """``part_bytes``; for a declared size that needs more than MAX_PARTS of them, the least
    whole MiB that fits it in MAX_PARTS parts (as boto3 does), so only such an object takes
    more memory."""
    if size is None or size <= MAX_PARTS * part_bytes:
        return part_bytes
    return -(-size // (MAX_PARTS * MiB)) * MiB


def _too_large(size: int | None, part_bytes: int = MAX_PART_BYTES) -> exc.QuotaExceeded:
    if size is not None:  # declared: past S3's limit whatever the part size
        return exc.QuotaExceeded(
            f"the object is larger than this store accepts ({MAX_PARTS} parts of "
            f"{MAX_PART_BYTES} bytes)", f"size_bytes {size} is past S3's largest multipart "
            "upload", backend=BACKEND, backend_code="TooManyParts")
    return exc.QuotaExceeded(
        f"the object is larger than this store accepts: {MAX_PARTS} parts of {part_bytes} "
        "bytes when its size is not declared", f"an S3 multipart upload has at most "
        f"{MAX_PARTS} parts of [object_storage] part_bytes when the caller does not declare "
        "size_bytes; declare it, or raise part_bytes for larger objects", backend=BACKEND,
        backend_code="TooManyParts")
