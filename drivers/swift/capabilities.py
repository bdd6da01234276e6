"""What the swift object storage driver supports, and how Swift (and RGW's Swift API) differ."""

from __future__ import annotations

from translator.drivers import models

_OPERATIONS = {
    "CreateContainer": "HEAD then PUT (Swift's PUT is idempotent, so an existing name is "
                       "found first); metadata as X-Container-Meta-*",
    "GetContainer": "HEAD: object count and bytes from X-Container-Object-Count and "
                    "X-Container-Bytes-Used; large objects' data is counted in the segments "
                    "container (extra segments_bytes_used)",
    "ListContainers": "the account listing with marker, limit and prefix; segments containers "
                      "are ordinary containers and are listed",
    "DeleteContainer": "refused while it holds objects; its segments container goes with it "
                       "when that is empty",
    "PutObject": "one PUT with the MD5 as ETag up to the threshold, else a static large "
                 "object; committed only after the data's end was read and checked",
    "GetObject": "a ranged GET streamed in [object_storage] chunk_bytes chunks",
    "HeadObject": "HEAD; a large object's size is the whole object's",
    "ListObjects": "the container listing with marker, limit, prefix and delimiter (subdir "
                   "entries become common prefixes)",
    "DeleteObject": "DELETE; a large object with ?multipart-manifest=delete, segments and all",
    "CopyObject": "server side: COPY (X-Fresh-Metadata when the metadata is replaced); a large "
                  "object written by this driver segment by segment",
    "CreateTempUrl": "Swift temp URLs signed with [swift] temp_url_key",
}


def capabilities(*, temp_url_key: bool, digest: str, auth_version: str, threshold: int,
                 part_bytes: int, segments_suffix: str) -> models.ApiCapabilities:
    operations = [models.OperationSupport(name, True, note)
                  for name, note in _OPERATIONS.items()]
    if not temp_url_key:
        operations[-1] = models.OperationSupport(
            "CreateTempUrl", False, "no [swift] temp_url_key is configured")
    auth = ("auth v1 (X-Auth-User/X-Auth-Key)" if auth_version == "1" else
            "Keystone v3 (password, project-scoped token; the storage URL from the catalog)")
    return models.ApiCapabilities(
        api="object_storage", driver="swift", operations=operations,
        notes=[
            f"Objects above {threshold} bytes are Swift static large objects: segments of "
            f"{part_bytes} bytes in the container <container>{segments_suffix} (the swift "
            "CLI's convention), named <object>/<upload id>/<index>, and a manifest.",
            "md5 is known for every object written through this API (for a large object it "
            "is kept in the manifest's metadata, since an SLO's ETag is the MD5 of its "
            "segments' ETags) and for single-part objects written directly; it is empty for "
            "large objects written by other tools.",
            "CopyObject is server side. A large object written by this driver is copied "
            "segment by segment (RGW's COPY of an SLO would share the source's segments); "
            "one written by another tool is read and written again.",
            "Replacing or deleting a large object written by this driver deletes its "
            "segments; a large object written by another tool keeps its segments when it is "
            "replaced (RGW does not return manifests).",
            f"Temp URLs need [swift] temp_url_key (set on the account at start) and are "
            f"signed with HMAC-{digest.upper()}; Ceph RGW 16.2 accepts only SHA1.",
            f"Authentication: {auth}; an expired token is renewed on a 401.",
        ])
