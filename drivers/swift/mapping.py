"""Swift headers and listings ↔ the neutral models, and the names the driver keeps.

Metadata travels as ``X-Container-Meta-<key>`` / ``X-Object-Meta-<key>``
headers. The driver keeps a few keys of its own on a large object's
manifest, hidden from the caller's metadata:

- ``translator-md5``: the hex MD5 of the whole content (an SLO's ETag is the
  MD5 of its segments' ETags, not of the data);
- ``translator-segments``: ``<segments container suffix>/<upload id>``, so a
  replace, copy or delete finds its segments (RGW does not return SLO
  manifests: ``?multipart-manifest=get`` answers an empty body), even after
  ``[swift] segment_container_suffix`` changed;
- ``translator-parts``: how many segments it has.

RGW adds ``static-large-object`` to an SLO's metadata by itself; it is hidden
too. A container's ``temp-url-key`` metadata is a secret and never shown.

Page tokens are base64url JSON: the marker (the last name of the page) and a
digest of the listing's parameters, so a token from another listing (or none
of ours) is InvalidInput rather than a silently different page.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import email.utils
import hashlib
import json
import re
from collections.abc import Mapping
from urllib.parse import quote, unquote

from translator.drivers import exceptions as exc
from translator.drivers import models

MD5_KEY = models.RESERVED_METADATA_PREFIX + "md5"
SEGMENTS_KEY = models.RESERVED_METADATA_PREFIX + "segments"
PARTS_KEY = models.RESERVED_METADATA_PREFIX + "parts"
#: Object metadata keys the caller can neither set nor see.
HIDDEN_OBJECT_KEYS = frozenset({MD5_KEY, SEGMENTS_KEY, PARTS_KEY, "static-large-object"})
#: Container metadata keys the caller can neither set nor see (temp URL keys are secrets).
HIDDEN_CONTAINER_KEYS = frozenset({"temp-url-key", "temp-url-key-2"})

OBJECT_META = "x-object-meta-"
CONTAINER_META = "x-container-meta-"
#: The MD5 of no data: RGW lists an SLO manifest with this hash and the manifest's size.
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
_MD5 = re.compile(r"^[0-9a-f]{32}$")


def check_metadata(metadata: Mapping[str, str], hidden: frozenset[str],
                   field: str = "metadata") -> None:
    """InvalidInput for a key this driver keeps for itself."""
    for key in metadata:
        if key.lower() in hidden:
            raise exc.InvalidInput(f"the metadata key {key!r} is reserved by the swift "
                                   "driver", field=f"{field}[{key!r}]")


def meta_headers(prefix: str, metadata: Mapping[str, str]) -> dict[str, str]:
    return {f"{prefix}{key}": value for key, value in metadata.items()}


def metadata_of(headers: Mapping[str, str], prefix: str,
                hidden: frozenset[str]) -> dict[str, str]:
    """The caller's metadata in (lower-case) response headers."""
    return {key[len(prefix):]: value for key, value in headers.items()
            if key.startswith(prefix) and key[len(prefix):] not in hidden}


def container_from_headers(name: str, headers: Mapping[str, str],
                           extra: dict[str, str]) -> models.Container:
    policy = headers.get("x-storage-policy")
    return models.Container(
        name=name, object_count=int(headers.get("x-container-object-count", 0)),
        bytes_used=int(headers.get("x-container-bytes-used", 0)),
        metadata=metadata_of(headers, CONTAINER_META, HIDDEN_CONTAINER_KEYS),
        extra={**({"storage_policy": policy} if policy else {}), **extra})


def is_slo(headers: Mapping[str, str]) -> bool:
    return headers.get("x-static-large-object", "").lower() == "true"


def object_from_headers(container: str, name: str, headers: Mapping[str, str],
                        size: int | None = None) -> models.StoredObject:
    """A StoredObject from HEAD or GET headers; ``size`` overrides Content-Length
    (a ranged GET's Content-Length is the range's)."""
    etag = headers.get("etag", "").strip('"')
    slo = is_slo(headers)
    md5 = headers.get(OBJECT_META + MD5_KEY, "")
    if not md5 and not slo and _MD5.match(etag):
        md5 = etag
    extra = {}
    if slo:
        extra["large_object"] = "slo"
        if headers.get(OBJECT_META + PARTS_KEY):
            extra["parts"] = headers[OBJECT_META + PARTS_KEY]
    return models.StoredObject(
        container=container, name=name,
        size_bytes=int(headers.get("content-length", 0)) if size is None else size,
        content_type=headers.get("content-type", ""), etag=etag, md5=md5,
        last_modified=header_time(headers),
        metadata=metadata_of(headers, OBJECT_META, HIDDEN_OBJECT_KEYS), extra=extra)


def object_from_listing(container: str, entry: Mapping) -> models.StoredObject:
    etag = entry.get("hash", "")
    return models.StoredObject(
        container=container, name=entry["name"], size_bytes=int(entry.get("bytes", 0)),
        content_type=entry.get("content_type", ""), etag=etag,
        md5=etag if _MD5.match(etag) else "",
        last_modified=listing_time(entry.get("last_modified", "")))


def looks_like_manifest(entry: Mapping) -> bool:
    """RGW lists an SLO with the manifest's size and the MD5 of nothing: no real object
    has both (Swift lists an SLO with its total size and the SLO ETag, rightly)."""
    return entry.get("hash") == EMPTY_MD5 and int(entry.get("bytes", 0)) > 0


def header_time(headers: Mapping[str, str]) -> datetime.datetime | None:
    stamp = headers.get("x-timestamp")
    if stamp:
        try:
            return datetime.datetime.fromtimestamp(float(stamp), datetime.UTC)
        except ValueError:
            pass
    text = headers.get("last-modified")
    if text:
        try:
            return email.utils.parsedate_to_datetime(text).astimezone(datetime.UTC)
        except (TypeError, ValueError):
            return None
    return None


def listing_time(text: str) -> datetime.datetime | None:
    """Swift's listing time (2024-05-01T10:00:00.123456, UTC) or RGW's (…123Z)."""
    if not text:
        return None
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


def content_range_total(value: str) -> int | None:
    """The total of ``bytes a-b/total``, or None."""
    total = value.rpartition("/")[2]
    return int(total) if total.isdigit() else None


# -- where segments live ------------------------------------------------------------------

#: Longest object name used as is in its segments' names, leaving room for
#: "/<upload id>/<index>" within Swift's 1024 bytes; longer ones use their SHA-256.
MAX_SEGMENT_BASE = 1024 - len("/0123456789abcdef0123456789abcdef/00000000")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")


def segment_prefix(name: str, upload_id: str) -> str:
    """Where the segments of ``upload_id`` of object ``name`` are, in its segments container."""
    raw = name.encode()
    base = name if len(raw) <= MAX_SEGMENT_BASE else "sha256-" + hashlib.sha256(raw).hexdigest()
    return f"{base}/{upload_id}/"


def segments_value(suffix: str, upload_id: str) -> str:
    """The manifest's translator-segments value: short, whatever the names (Swift caps
    metadata values at 256 bytes)."""
    return f"{quote(suffix, safe='')}/{upload_id}"


def segments_of(container: str, name: str,
                headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(segments container, prefix) of object ``container/name`` if it is an SLO this
    driver wrote (its headers say so), else None."""
    if not is_slo(headers):
        return None
    suffix, sep, upload_id = headers.get(OBJECT_META + SEGMENTS_KEY, "").rpartition("/")
    if not sep or not suffix or not _UPLOAD_ID.match(upload_id):
        return None
    return container + unquote(suffix), segment_prefix(name, upload_id)


# -- page tokens --------------------------------------------------------------------------

def _digest(params: tuple[str, ...]) -> str:
    return hashlib.sha256("\0".join(params).encode()).hexdigest()[:16]


def encode_token(marker: str, *params: str) -> str:
    """An opaque token for the page after ``marker`` of the listing with ``params``."""
    body = json.dumps({"m": marker, "p": _digest(params)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_token(token: str, *params: str) -> str:
    """The marker of a token ``encode_token`` made for the same ``params``; "" for none."""
    if not token:
        return ""
    try:
        body = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if body["p"] != _digest(params) or not isinstance(body["m"], str) or not body["m"]:
            raise ValueError(token)
        return body["m"]
    except (ValueError, TypeError, KeyError, UnicodeError, binascii.Error) as error:
        raise exc.InvalidInput("page_token is not a token this listing returned",
                               field="page_token") from error
