"""Work radosgw does without the data passing through the translator: copies, temp URLs."""

from __future__ import annotations

import datetime
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph import s3_mapping as mapping
from translator_drivers.ceph.s3_capabilities import MAX_PRESIGN_SECONDS
from translator_drivers.ceph.s3_errors import BACKEND, mapped

#: CopyObject copies in one request up to this size (S3's limit), in parts above.
MAX_SINGLE_COPY_BYTES = 5 * 1024**3

_PRESIGNED = {models.TEMP_URL_GET: "get_object", models.TEMP_URL_PUT: "put_object"}


def copy(client: Any, spec: models.CopySpec, source: dict[str, Any], opts: Any) -> None:
    """Copy the object ``source`` (its HeadObject answer) as ``spec`` says, server side.

    ``opts`` is the [object_storage] group: a copy in parts uses its part_bytes
    and part_concurrency.
    """
    raw = source.get("Metadata") or {}
    itself = ((spec.source_container, spec.source_name)
              == (spec.destination_container, spec.destination_name))
    args: dict[str, Any] = {}
    if spec.metadata is not None or itself:
        # REPLACE must restate the content type (S3 would reset it) and our MD5; a
        # copy onto itself needs it too (S3 refuses a copy that changes nothing).
        metadata = dict(raw if spec.metadata is None else spec.metadata)
        if mapping.MD5_KEY in raw:
            metadata[mapping.MD5_KEY] = raw[mapping.MD5_KEY]
        args = {"MetadataDirective": "REPLACE", "Metadata": metadata,
                "ContentType": source.get("ContentType") or "application/octet-stream"}
    copy_source = {"Bucket": spec.source_container, "Key": spec.source_name}
    with mapped("copy object", container=spec.destination_container):
        if source.get("ContentLength", 0) <= MAX_SINGLE_COPY_BYTES:
            client.copy_object(Bucket=spec.destination_container, Key=spec.destination_name,
                               CopySource=copy_source, **args)
        else:
            _copy_in_parts(client, copy_source, spec, args, opts)


def _copy_in_parts(client: Any, copy_source: dict[str, str], spec: models.CopySpec,
                   args: dict[str, Any], opts: Any) -> None:
    """boto3's managed copy: UploadPartCopy of part_bytes pieces, aborted on failure;
    without REPLACE it carries the source's metadata and content type itself."""
    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=MAX_SINGLE_COPY_BYTES,
                            multipart_chunksize=opts.part_bytes,
                            max_concurrency=opts.part_concurrency)
    client.copy(copy_source, spec.destination_container, spec.destination_name,
                ExtraArgs=args or None, Config=config)


def presign(client: Any, container: str, name: str, method: str,
            expires_in: int) -> models.TempUrl:
    """An S3 presigned URL (SigV4: the signature covers method, path, expiry and host)."""
    if expires_in > MAX_PRESIGN_SECONDS:
        raise exc.InvalidInput(
            f"S3 presigned URLs last at most {MAX_PRESIGN_SECONDS} seconds (7 days)",
            field="expires_in_seconds", backend=BACKEND)
    if method not in _PRESIGNED:
        raise exc.InvalidInput("method is GET or PUT", field="method", backend=BACKEND)
    now = datetime.datetime.now(datetime.UTC)
    with mapped("sign a temp URL", container=container, name=name):
        url = client.generate_presigned_url(
            _PRESIGNED[method], Params={"Bucket": container, "Key": name},
            ExpiresIn=expires_in, HttpMethod=method)
    return models.TempUrl(url=url, method=method,
                          expires_at=now + datetime.timedelta(seconds=expires_in))
