"""Static large objects: segments uploaded (or copied) in parallel, a manifest, cleanup.

An object above ``[object_storage] large_object_threshold_bytes`` is stored
as a Swift static large object (SLO): segments of ``part_bytes`` in the
container ``<container><segment_container_suffix>`` (``<c>_segments`` by
default, the swift CLI's convention), named ``<object>/<upload id>/<index>``
(a random upload id, so concurrent uploads of one name never collide; the
object name's SHA-256 instead when it is too long to fit), then a manifest
PUT with ``?multipart-manifest=put``.

At most ``part_concurrency`` segments of one upload are in flight, on a
thread pool of the driver's own, so an upload holds about ``part_bytes x
(part_concurrency + 1)`` bytes. Whatever fails, ``sweep`` deletes the
upload's segments by listing its prefix (which also finds a segment whose
PUT reached the backend but whose answer was lost), in parallel on the
same threads.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from translator_drivers.swift import errors, mapping
from translator_drivers.swift.connection import ConnectionPool

LOG = logging.getLogger(__name__)

#: Large uploads that get ``part_concurrency`` threads each before they share the pool.
UPLOADS_AT_FULL_SPEED = 4


class Segments:
    """The segment side of one driver's large objects."""

    def __init__(self, pool: ConnectionPool, suffix: str, concurrency: int) -> None:
        self.pool = pool
        self.suffix = suffix
        self.concurrency = concurrency
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def container_for(self, container: str) -> str:
        return f"{container}{self.suffix}"

    def new_upload(self, container: str, name: str) -> tuple[tuple[str, str], str]:
        """Where a new upload of ``container/name`` puts its segments (segments container,
        prefix), and the manifest's translator-segments value that says so."""
        upload_id = uuid.uuid4().hex
        return ((self.container_for(container), mapping.segment_prefix(name, upload_id)),
                mapping.segments_value(self.suffix, upload_id))

    def ensure_container(self, container: str) -> None:
        """Create the segments container (PUT is idempotent in Swift)."""
        with self.pool.connection() as conn, self._mapped(
                f"creating the segments container {container!r}", invalid_field="container"):
            conn.put_container(container)

    # -- uploads and copies -----------------------------------------------------------------

    def upload(self, container: str, prefix: str, parts: Iterable[bytes]) -> list[dict]:
        """Upload every part of ``parts`` as a segment; the manifest entries, in order.

        Reading ``parts`` may raise (bad data, the caller gone): the error
        propagates once the segments in flight are done; the caller sweeps.
        """
        slots = threading.Semaphore(self.concurrency)
        futures: list[concurrent.futures.Future] = []
        try:
            for index, data in enumerate(parts):
                slots.acquire()
                _raise_first_failure(futures)
                future = self._submit(self._put_segment, container, f"{prefix}{index:08d}", data)
                future.add_done_callback(lambda _: slots.release())
                futures.append(future)
                del data  # the future holds it until it is sent, not longer
        except BaseException:
            _cancel(futures)
            raise
        finally:
            concurrent.futures.wait(futures)
        return [future.result() for future in futures]

    def copy(self, source: tuple[str, str], container: str, prefix: str) -> list[dict]:
        """Server-side copies of the segments under ``source`` (container, prefix) to
        ``prefix`` in ``container``; the manifest entries of the copies, in order."""
        src_container, src_prefix = source
        with self.pool.connection() as conn, self._mapped(
                "listing the segments of the source",
                not_found=f"the segments of the source ({src_container}) are missing"):
            _, listing = conn.get_container(src_container, prefix=src_prefix,
                                            full_listing=True)
        if not listing:
            raise errors.not_found(f"the segments of the source ({src_container}/"
                                   f"{src_prefix})")
        slots = threading.Semaphore(self.concurrency)
        futures = []
        try:
            for entry in listing:
                slots.acquire()
                _raise_first_failure(futures)
                target = prefix + entry["name"][len(src_prefix):]
                future = self._submit(self._copy_segment, src_container, entry, container,
                                      target)
                future.add_done_callback(lambda _: slots.release())
                futures.append(future)
        except BaseException:
            _cancel(futures)
            raise
        finally:
            concurrent.futures.wait(futures)
        return [future.result() for future in futures]

    def _put_segment(self, container: str, name: str, data: bytes) -> dict:
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        with self.pool.connection() as conn, self._mapped("uploading a segment"):
            etag = conn.put_object(container, name, io.BytesIO(data), content_length=len(data),
                                   etag=md5, content_type="application/octet-stream")
        return {"path": f"/{container}/{name}", "etag": etag or md5, "size_bytes": len(data)}

    def _copy_segment(self, src_container: str, entry: dict, container: str,
                      name: str) -> dict:
        with self.pool.connection() as conn, self._mapped("copying a segment"):
            conn.copy_object(src_container, entry["name"], f"/{container}/{name}")
        return {"path": f"/{container}/{name}", "etag": entry["hash"],
                "size_bytes": int(entry["bytes"])}

    def _submit(self, fn: Callable, *args: Any) -> concurrent.futures.Future:
        with self._lock:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self.concurrency * UPLOADS_AT_FULL_SPEED,
                    thread_name_prefix="swift-segments")
            return self._executor.submit(fn, *args)

    # -- cleanup ----------------------------------------------------------------------------

    def sweep(self, container: str, prefix: str) -> bool:
        """Delete every segment under ``prefix``; True when none is left.

        Never raises: it runs while another error is on its way to the caller,
        or after the object itself is already done; a failure is logged with
        the names to clean up by hand.
        """
        try:
            with self.pool.connection() as conn, self._mapped("listing segments"):
                try:
                    _, listing = conn.get_container(container, prefix=prefix,
                                                    full_listing=True)
                except _client_exception() as error:
                    if error.http_status == 404:
                        return True
                    raise
            futures = [self._submit(self._delete_segment, container, entry["name"])
                       for entry in listing]
            concurrent.futures.wait(futures)
            for future in futures:
                future.result()
            return True
        except Exception as error:  # noqa: BLE001 - logged; the caller has its own outcome
            LOG.error("Segments under %s/%s could not all be deleted; delete them by hand: %s",
                      container, prefix, getattr(error, "operator_message", repr(error)))
            return False

    def _delete_segment(self, container: str, name: str) -> None:
        with self.pool.connection() as conn, self._mapped("deleting a segment"):
            try:
                conn.delete_object(container, name)
            except _client_exception() as error:
                if error.http_status != 404:
                    raise

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def _mapped(self, action: str, **kwargs: Any):
        return errors.mapped(action, secrets=self.pool.secrets, **kwargs)


def _raise_first_failure(futures: list[concurrent.futures.Future]) -> None:
    """Stop feeding an upload as soon as one of its segments failed."""
    for future in futures:
        if future.done() and future.exception() is not None:
            raise future.exception()


def _cancel(futures: list[concurrent.futures.Future]) -> None:
    """Cancel the segments not started yet: the upload failed, they would only be swept."""
    for future in futures:
        future.cancel()


def _client_exception() -> type[Exception]:
    from swiftclient.exceptions import ClientException

    return ClientException


def manifest(entries: list[dict]) -> str:
    return json.dumps(entries)
