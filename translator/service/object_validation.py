"""Checks of ObjectStorage requests: names, metadata, ranges, expiries.

The limits are those every backend accepts: Swift's container names (256
bytes) and object names (1024 bytes), S3's 2 KiB of user metadata, header-safe
metadata keys and values (both backends carry metadata as HTTP headers).
"""

from __future__ import annotations

import re

from translator.drivers import models
from translator.service.validation import Validator

MAX_CONTAINER_NAME = 256
MAX_OBJECT_NAME = 1024
MAX_PREFIX = 1024
MAX_CONTENT_TYPE = 256
MAX_METADATA_ITEMS = 64
MAX_METADATA_KEY = 128
MAX_METADATA_VALUE = 256
MAX_METADATA_BYTES = 2048

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")
_VALUE = re.compile(r"^[\x20-\x7e]*$")
_MD5 = re.compile(r"^[0-9a-fA-F]{32}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def container_name(v: Validator, value: str, field: str) -> None:
    if not v.check(bool(value), field, f"{field} is required"):
        return
    v.check(len(value.encode()) <= MAX_CONTAINER_NAME, field,
            f"{field} is longer than {MAX_CONTAINER_NAME} bytes")
    v.check("/" not in value, field, f"{field} must not contain '/'")
    v.check(not _CONTROL.search(value), field, f"{field} contains control characters")


def object_name(v: Validator, value: str, field: str) -> None:
    if not v.check(bool(value), field, f"{field} is required"):
        return
    v.check(len(value.encode()) <= MAX_OBJECT_NAME, field,
            f"{field} is longer than {MAX_OBJECT_NAME} bytes")
    v.check(not _CONTROL.search(value), field, f"{field} contains control characters")


def metadata(v: Validator, values, field: str = "metadata") -> dict[str, str]:
    """The metadata with lower-case keys; violations for anything a backend would mangle."""
    result: dict[str, str] = {}
    if not v.check(len(values) <= MAX_METADATA_ITEMS, field,
                   f"at most {MAX_METADATA_ITEMS} metadata items are accepted"):
        return result
    for key, value in values.items():
        where = f"{field}[{key!r}]"
        lower = key.lower()
        if not _KEY.match(key) or len(key) > MAX_METADATA_KEY:
            v.add(where, f"metadata keys are 1-{MAX_METADATA_KEY} letters, digits and '-', "
                         "starting with a letter or digit")
        elif lower.startswith(models.RESERVED_METADATA_PREFIX):
            v.add(where, f"metadata keys starting with {models.RESERVED_METADATA_PREFIX!r} "
                         "are reserved for the drivers")
        elif lower in result:
            v.add(where, f"metadata keys are case-insensitive: {key!r} repeats a key")
        if not _VALUE.match(value) or len(value) > MAX_METADATA_VALUE:
            v.add(where, f"metadata values are at most {MAX_METADATA_VALUE} printable ASCII "
                         "characters")
        result[lower] = value
    total = sum(len(k) + len(val) for k, val in result.items())
    v.check(total <= MAX_METADATA_BYTES, field,
            f"metadata keys and values together exceed {MAX_METADATA_BYTES} bytes")
    return result


def listing(v: Validator, prefix: str, delimiter: str = "") -> None:
    v.check(len(prefix.encode()) <= MAX_PREFIX, "prefix",
            f"prefix is longer than {MAX_PREFIX} bytes")
    v.check(not _CONTROL.search(prefix), "prefix", "prefix contains control characters")
    v.check(len(delimiter) <= 1 and not _CONTROL.search(delimiter), "delimiter",
            "delimiter is one printable character (Swift's rule), or empty")


def object_spec(header) -> models.ObjectSpec:
    """The PutObjectHeader as an ObjectSpec; InvalidInput naming every bad field."""
    v = Validator()
    container_name(v, header.container, "header.container")
    object_name(v, header.name, "header.name")
    meta = metadata(v, header.metadata, "header.metadata")
    content_type = header.content_type or "application/octet-stream"
    v.check(len(content_type) <= MAX_CONTENT_TYPE and bool(_VALUE.match(content_type))
            and "/" in content_type, "header.content_type",
            "content_type is a MIME type (type/subtype) of printable ASCII")
    size = header.size_bytes if header.HasField("size_bytes") else None
    v.check(size is None or size >= 0, "header.size_bytes", "size_bytes must not be negative")
    v.check(not header.md5 or bool(_MD5.match(header.md5)), "header.md5",
            "md5 is 32 hexadecimal digits")
    v.raise_if_invalid()
    return models.ObjectSpec(container=header.container, name=header.name,
                             content_type=content_type, metadata=meta, size_bytes=size,
                             md5=header.md5.lower())


def object_ref(container: str, name: str, prefix: str = "") -> None:
    v = Validator()
    container_name(v, container, prefix + "container")
    object_name(v, name, prefix + "name")
    v.raise_if_invalid()
