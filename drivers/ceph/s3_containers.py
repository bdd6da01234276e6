"""Containers as the radosgw user's S3 buckets: list, create, get, delete.

Facts of radosgw 16.2 this relies on, each checked against the real gateway:
HeadBucket answers with ``X-RGW-Object-Count`` and ``X-RGW-Bytes-Used``
(no query flag needed), so counts need no listing; PutBucketTagging works, so
container metadata is the bucket's tag set; ListBuckets ignores Prefix,
MaxBuckets and ContinuationToken; a second CreateBucket by the same owner
answers 200, not BucketAlreadyOwnedByYou.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph import s3_mapping as mapping
from translator_drivers.ceph.s3_errors import BACKEND, error_code, mapped, no_container

LOG = logging.getLogger(__name__)

#: Buckets asked for their counts at once while filling a ListContainers page.
STATS_CONCURRENCY = 8


class Buckets:
    """The containers of one driver; ``s3()`` returns its boto3 client."""

    def __init__(self, s3: Callable[[], Any]) -> None:
        self.s3 = s3

    def list(self, page_size: int, page_token: str,
             prefix: str = "") -> models.Page[models.Container]:
        after = mapping.decode_token(page_token, prefix)
        # ListBuckets gives all the user's buckets (at most its max_buckets, 1000 by
        # default); the page is cut here, in name order.
        with mapped("list containers"):
            buckets = self.s3().list_buckets().get("Buckets", [])
        names = sorted(b["Name"] for b in buckets
                       if b["Name"].startswith(prefix) and b["Name"] > after)
        page, more = names[:page_size], len(names) > page_size
        found = self._stats_of(page)
        token = mapping.encode_token(page[-1], prefix) if more else ""
        return models.Page([found[name] for name in page if name in found], token)

    def _stats_of(self, names: list[str]) -> dict[str, models.Container]:
        """The counts of each bucket, a HeadBucket each (S3 lists none); gone ones left out."""
        def stats(name: str) -> models.Container | None:
            try:
                return self.stats(name)
            except exc.NotFound:  # deleted since the listing
                return None
        if len(names) <= 1:
            return {name: found for name in names if (found := stats(name))}
        with concurrent.futures.ThreadPoolExecutor(
                max_workers=min(STATS_CONCURRENCY, len(names))) as pool:
            found = dict(zip(names, pool.map(stats, names), strict=True))
        return {name: container for name, container in found.items() if container}

    def stats(self, name: str) -> models.Container:
        """The container's counts (no metadata); NotFound naming it."""
        if not mapping.sendable(name):
            raise no_container(name)
        with mapped("get container", container=name):
            headers = self.s3().head_bucket(Bucket=name)["ResponseMetadata"]["HTTPHeaders"]
        return models.Container(name=name,
                                object_count=int(headers.get("x-rgw-object-count", 0)),
                                bytes_used=int(headers.get("x-rgw-bytes-used", 0)))

    def create(self, name: str, metadata: dict[str, str]) -> models.Container:
        mapping.check_new_bucket(name)
        tags = mapping.tag_set(metadata)
        # CreateBucket cannot say "it exists" here (see above), so a HEAD asks first.
        # Two racing creates of one new name may both succeed: the bucket is the same.
        if self._ours(name):
            raise exc.AlreadyExists(f"container {name!r} already exists", backend=BACKEND,
                                    backend_code="BucketAlreadyOwnedByYou")
        with mapped("create container", container=name):
            self.s3().create_bucket(Bucket=name)
        if tags:
            try:
                with mapped("store container metadata", container=name):
                    self.s3().put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
            except BaseException:
                self._remove_quietly(name)
                raise
        return models.Container(name=name, metadata=dict(metadata))

    def _ours(self, name: str) -> bool:
        """Whether this user already has bucket ``name``. Another user's (a 403)
        is left to CreateBucket, whose BucketAlreadyExists is precise."""
        try:
            self.stats(name)
        except exc.NotFound:
            return False
        except exc.BackendError as error:
            if error.backend_code == "403":
                return False
            raise
        return True

    def _remove_quietly(self, name: str) -> None:
        try:
            self.s3().delete_bucket(Bucket=name)
        except Exception as error:  # noqa: BLE001 - the original error is the one to raise
            LOG.error("Ceph RGW: could not remove bucket %s after its metadata failed: %s",
                      name, type(error).__name__)

    def get(self, name: str) -> models.Container:
        container = self.stats(name)
        container.metadata = self._metadata(name)
        return container

    def _metadata(self, name: str) -> dict[str, str]:
        try:
            response = self.s3().get_bucket_tagging(Bucket=name)
        except Exception as error:
            if error_code(error) == "NoSuchTagSet":  # created without metadata
                return {}
            with mapped("get container metadata", container=name):
                raise
        return mapping.tags_metadata(response.get("TagSet", []))

    def delete(self, name: str) -> None:
        """NotFound, or Conflict (BucketNotEmpty) while objects remain."""
        if not mapping.sendable(name):
            raise no_container(name)
        with mapped("delete container", container=name):
            self.s3().delete_bucket(Bucket=name)
