"""PutObject on radosgw: one PutObject, or an S3 multipart upload for a large object.

The data is read in pieces of ``[object_storage] part_bytes``. While at most
``large_object_threshold_bytes`` have come and the source ends, the object is
one PutObject with a Content-MD5, sent only after the source returned its end
(so the source's own size and MD5 checks ran first). Past the threshold (or at
once when the declared size is past it) it becomes a multipart upload: each
piece is a part, up to ``part_concurrency`` parts in flight on the driver's
part pool, and the upload is completed only after the source's end. Any error
(the source's InvalidInput, Aborted from a caller who left, a failed part)
aborts the upload after the parts in flight settle: no object, no parts remain.

Parts rely on botocore's own transit checksum (a CRC32 header and the signed
payload's SHA-256 over http; TLS over https): no second MD5 per part.
"""

from __future__ import annotations

import base64
import concurrent.futures
import hashlib
import logging
import threading
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph import s3_mapping as mapping
from translator_drivers.ceph.s3_errors import BACKEND, mapped

LOG = logging.getLogger(__name__)

#: Most parts of one S3 multipart upload.
MAX_PARTS = 10_000


class Uploader:
    """Stores ByteSources through ``client``; ``opts`` is the [object_storage] group."""

    def __init__(self, client: Any, opts: Any, pool: concurrent.futures.Executor) -> None:
        self.client = client
        self.opts = opts
        self.pool = pool

    def put(self, spec: models.ObjectSpec, source: models.ByteSource) -> models.StoredObject:
        threshold, part = self.opts.large_object_threshold_bytes, self.opts.part_bytes
        pieces: list[bytes] = []
        if spec.size_bytes is None or spec.size_bytes <= threshold:
            total = 0
            while total <= threshold:
                piece = source.read(part)
                if not piece:  # the end, checked by the source: one PutObject
                    return self._single(spec, pieces, source.md5)
                pieces.append(piece)
                total += len(piece)
        return self._multipart(spec, source, pieces)

    # -- one PutObject ------------------------------------------------------------------

    def _single(self, spec: models.ObjectSpec, pieces: list[bytes],
                digest: str) -> models.StoredObject:
        body = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        pieces.clear()
        with mapped("store object", container=spec.container):
            response = self.client.put_object(
                Bucket=spec.container, Key=spec.name, Body=body,
                ContentType=spec.content_type, Metadata=dict(spec.metadata),
                ContentMD5=base64.b64encode(bytes.fromhex(digest)).decode("ascii"))
        return models.StoredObject(
            container=spec.container, name=spec.name, size_bytes=len(body),
            content_type=spec.content_type, etag=mapping.etag(response.get("ETag")),
            md5=digest, last_modified=mapping.answered_at(response),
            metadata=dict(spec.metadata))

    # -- multipart ------------------------------------------------------------------------

    def _multipart(self, spec: models.ObjectSpec, source: models.ByteSource,
                   pieces: list[bytes]) -> models.StoredObject:
        if spec.size_bytes is not None and spec.size_bytes > MAX_PARTS * self.opts.part_bytes:
            raise _too_large(self.opts.part_bytes)
        metadata = dict(spec.metadata)
        if spec.md5:  # the ETag of a multipart object is no MD5: keep the caller's
            metadata[mapping.MD5_KEY] = spec.md5.lower()
        with mapped("start a multipart upload", container=spec.container):
            upload_id = self.client.create_multipart_upload(
                Bucket=spec.container, Key=spec.name, ContentType=spec.content_type,
                Metadata=metadata)["UploadId"]
        parts = _Parts(self.client, self.pool, spec, upload_id, self.opts.part_concurrency,
                       self.opts.part_bytes)
        size = 0
        try:
            while pieces:
                size += parts.submit(pieces.pop(0))
            while piece := source.read(self.opts.part_bytes):
                size += parts.submit(piece)
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

    def submit(self, data: bytes) -> int:
        """Queue ``data`` as the next part once a slot is free; its length."""
        number = len(self._futures) + 1
        if number > MAX_PARTS:
            raise _too_large(self.part_bytes)
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

    def _send(self, number: int, data: bytes) -> dict[str, Any]:
        response = self.client.upload_part(
            Bucket=self.spec.container, Key=self.spec.name, UploadId=self.upload_id,
            PartNumber=number, Body=data)
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


def _too_large(part_bytes: int) -> exc.QuotaExceeded:
    return exc.QuotaExceeded(
        f"the object is larger than this store accepts: {MAX_PARTS} parts of {part_bytes} "
        "bytes", f"an S3 multipart upload has at most {MAX_PARTS} parts of [object_storage] "
        "part_bytes; raise part_bytes for larger objects", backend=BACKEND,
        backend_code="TooManyParts")
