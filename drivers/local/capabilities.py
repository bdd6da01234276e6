"""What the local object storage driver supports, as data."""

from __future__ import annotations

from translator.drivers import models

_OPERATIONS = {
    "CreateContainer": "a row in the index; metadata kept as given",
    "GetContainer": "object count and bytes used are summed from the index",
    "ListContainers": "in bytewise name order, with prefix",
    "DeleteContainer": "refused while the container holds objects",
    "PutObject": "streamed into a temp file, fsync'd, then renamed into place and indexed "
                 "in one step after the last byte; a large object is still one file (no "
                 "parts); the data's MD5 is always recorded",
    "GetObject": "read from an open file, so a concurrent replace or delete cannot tear a "
                 "download",
    "HeadObject": "from the index",
    "ListObjects": "in bytewise name order (as S3 and Swift), with prefix and delimiter; "
                   "a page's page_size counts objects and common prefixes together",
    "DeleteObject": "removes the index row, then the file",
    "CopyObject": "server side: the file is copied on disk, no data passes the caller",
}

_OPTIONS = {
    "PutObject": [
        models.OptionSupport("size_bytes", True, "checked before anything is stored"),
        models.OptionSupport("md5", True, "checked before anything is stored"),
        models.OptionSupport("content_type", True),
        models.OptionSupport("metadata", True),
    ],
    "GetObject": [
        models.OptionSupport("offset", True),
        models.OptionSupport("length", True),
    ],
    "ListObjects": [
        models.OptionSupport("prefix", True),
        models.OptionSupport("delimiter", True, "any string, rolled up as S3 does"),
    ],
    "CopyObject": [
        models.OptionSupport("replace_metadata", True),
    ],
}


def capabilities() -> models.ApiCapabilities:
    operations = [models.OperationSupport(name, True, note, _OPTIONS.get(name, []))
                  for name, note in _OPERATIONS.items()]
    operations.append(models.OperationSupport(
        "CreateTempUrl", False,
        "no temp URLs: the local store has no HTTP server to serve them"))
    return models.ApiCapabilities(
        api="object_storage", driver="local", operations=operations,
        notes=[
            "Objects are files under [local] objects_dir (by default <[DEFAULT] "
            "state_dir>/objects), named by random ids and indexed in SQLite; object names "
            "are never used as paths.",
            "A single node's disk, for development and the embedded default: no "
            "replication, not shared between servers.",
            "Large objects are single files: there are no parts, and the ETag is the MD5 of "
            "the whole content.",
            "No temp URLs (CreateTempUrl is unimplemented).",
        ])
