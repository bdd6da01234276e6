"""What the Ceph object storage driver supports, and how radosgw's S3 differs from Swift."""

from __future__ import annotations

from translator.drivers import models

#: The longest a SigV4 presigned URL may be valid (S3's limit, 7 days).
MAX_PRESIGN_SECONDS = 7 * 24 * 3600

_OPERATIONS = {
    "CreateContainer": "CreateBucket; S3 bucket naming rules apply (3-63 characters: "
                       "lower-case letters, digits, '.' and '-')",
    "GetContainer": "HeadBucket: radosgw's X-RGW-Object-Count and X-RGW-Bytes-Used headers "
                    "give the counts; the metadata is the bucket's tag set",
    "ListContainers": "ListBuckets of the radosgw user, in name order, with a HeadBucket per "
                      "listed bucket for its counts; no metadata in a listing",
    "DeleteContainer": "DeleteBucket; refused (FAILED_PRECONDITION) while objects remain",
    "PutObject": "one PutObject with Content-MD5 up to the large-object threshold, an S3 "
                 "multipart upload above it; nothing is stored until the data ended and "
                 "matched, and a failed upload is aborted (no parts remain)",
    "GetObject": "GetObject with a Range header, streamed in [object_storage] chunk_bytes",
    "HeadObject": "HeadObject",
    "ListObjects": "ListObjectsV2 with prefix, delimiter and continuation tokens; "
                   "page_size counts objects and common prefixes together; no content type",
    "DeleteObject": "HeadObject (S3 deletes silently), then DeleteObject; the parts of a "
                    "large object go with it",
    "CopyObject": "server side: CopyObject, or UploadPartCopy in parts above 5 GiB; no data "
                  "passes through the translator",
    "CreateTempUrl": "an S3 presigned URL (SigV4) for GetObject or PutObject, valid at most "
                     "7 days",
}


def capabilities(*, threshold: int, part_bytes: int) -> models.ApiCapabilities:
    options = {
        "CreateContainer": [
            models.OptionSupport("metadata", True,
                                 "stored as the bucket's tags (PutBucketTagging): at most 50 "
                                 "items"),
        ],
        "PutObject": [
            models.OptionSupport("size_bytes", True, "checked before the object is committed"),
            models.OptionSupport("md5", True,
                                 "checked before the object is committed; kept with an "
                                 "object stored in parts, whose ETag is not an MD5"),
            models.OptionSupport("content_type", True),
            models.OptionSupport("metadata", True, "as x-amz-meta-* headers"),
        ],
        "GetObject": [models.OptionSupport("offset", True), models.OptionSupport("length", True)],
        "ListObjects": [models.OptionSupport("prefix", True),
                        models.OptionSupport("delimiter", True)],
        "CopyObject": [models.OptionSupport("replace_metadata", True,
                                            "MetadataDirective REPLACE; the content type is "
                                            "kept")],
        "CreateTempUrl": [models.OptionSupport("expires_in_seconds", True,
                                               f"at most {MAX_PRESIGN_SECONDS} (7 days)")],
    }
    return models.ApiCapabilities(
        api="object_storage", driver="ceph",
        operations=[models.OperationSupport(name, True, note, options.get(name, []))
                    for name, note in _OPERATIONS.items()],
        notes=[
            "Objects live on Ceph RGW (the RADOS Gateway) through its S3 API: in CloudStack's "
            "terms the secondary storage tier's object store; containers are the buckets of "
            "one radosgw user.",
            f"Objects larger than {threshold} bytes ([object_storage] "
            f"large_object_threshold_bytes) are stored as S3 multipart uploads of {part_bytes}"
            "-byte parts; the caller sees one object, whose ETag is \"<md5 of part md5s>-"
            "<parts>\" (extra \"parts\").",
            "md5: for single-part objects the ETag itself; for objects in parts the md5 the "
            "caller declared, kept as the user metadata translator-md5 (hidden); empty for an "
            "object stored in parts without a declared md5 (PutObject's answer still has it).",
            "Container metadata is stored as S3 bucket tags (at most 50); a listing of "
            "containers carries no metadata.",
            "CopyObject is server side (CopyObject, or UploadPartCopy above 5 GiB).",
            "Temp URLs are S3 presigned URLs (SigV4) of the configured rgw_endpoint, valid at "
            "most 7 days; anyone holding one can GET or PUT that object until it expires.",
        ])
