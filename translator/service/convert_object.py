"""Neutral object storage models → translator.v1 messages."""

from __future__ import annotations

from translator.api.v1 import object_storage_pb2 as pb
from translator.drivers import models
from translator.service.convert import timestamp

METHODS = {pb.CreateTempUrlRequest.GET: models.TEMP_URL_GET,
           pb.CreateTempUrlRequest.PUT: models.TEMP_URL_PUT}
_METHOD_ENUM = {name: value for value, name in METHODS.items()}


def container(c: models.Container) -> pb.Container:
    return pb.Container(name=c.name, object_count=c.object_count, bytes_used=c.bytes_used,
                        metadata=c.metadata, extra=c.extra)


def stored_object(o: models.StoredObject) -> pb.Object:
    return pb.Object(container=o.container, name=o.name, size_bytes=o.size_bytes,
                     content_type=o.content_type, etag=o.etag, md5=o.md5,
                     last_modified=timestamp(o.last_modified), metadata=o.metadata,
                     extra=o.extra)


def temp_url(t: models.TempUrl) -> pb.TempUrl:
    return pb.TempUrl(url=t.url, method=_METHOD_ENUM[t.method], expire_time=timestamp(t.expires_at))
