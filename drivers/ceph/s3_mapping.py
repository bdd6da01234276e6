"""How containers and objects are S3 buckets and keys: names, metadata, tags, tokens.

- A container is a bucket of the radosgw user; S3's bucket naming rules apply
  to new containers (radosgw enforces them too, with a less helpful answer).
- Container metadata is the bucket's tag set (PutBucketTagging, supported by
  radosgw 16.2: at most 50 tags, keys up to 128 and values up to 256
  characters, any printable value, all checked against the real gateway).
- Object metadata is ``x-amz-meta-*``. The key ``translator-md5`` is ours: the
  hex MD5 of an object stored in parts, whose ETag is not an MD5; it is never
  shown as metadata.
- Page tokens are base64url JSON: where the next page starts, and a digest of
  the listing's prefix (and delimiter), so a token is refused by a different
  listing instead of silently answering it.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import ipaddress
import json
import re
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.ceph.s3_errors import BACKEND

MD5_KEY = models.RESERVED_METADATA_PREFIX + "md5"
#: Most tags a bucket holds (S3's and radosgw's limit).
MAX_TAGS = 50

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]*[a-z0-9]$")
#: What botocore itself lets through as a bucket name; anything else cannot be sent.
_SENDABLE = re.compile(r"^[A-Za-z0-9._-]{1,255}$")


def bucket_name_problem(name: str) -> str:
    """Why ``name`` cannot be a new S3 bucket ("" when it can)."""
    if not 3 <= len(name) <= 63:
        return "S3 bucket names are 3 to 63 characters long"
    if not _BUCKET.match(name):
        return ("S3 bucket names hold only lower-case letters, digits, '.' and '-', and "
                "start and end with a letter or digit")
    if ".." in name or ".-" in name or "-." in name:
        return "S3 bucket names have no '..', '.-' or '-.'"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        return ""
    return "S3 bucket names must not look like an IP address"


def check_new_bucket(name: str) -> None:
    problem = bucket_name_problem(name)
    if problem:
        raise exc.InvalidInput(f"container name {name!r} is not valid here: {problem}",
                               field="name", backend=BACKEND)


def sendable(name: str) -> bool:
    """Whether boto3 can ask for bucket ``name`` at all (if not, no such bucket exists)."""
    return bool(_SENDABLE.match(name))


# -- container metadata as bucket tags ---------------------------------------------------

def tag_set(metadata: Mapping[str, str]) -> list[dict[str, str]]:
    if len(metadata) > MAX_TAGS:
        raise exc.InvalidInput(
            f"at most {MAX_TAGS} container metadata items are stored here (they are S3 "
            f"bucket tags); {len(metadata)} were given", field="metadata", backend=BACKEND)
    return [{"Key": key, "Value": value} for key, value in sorted(metadata.items())]


def tags_metadata(tags: list[dict[str, str]]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags}


# -- objects -------------------------------------------------------------------------------

def etag(raw: str | None) -> str:
    return (raw or "").strip('"')


def parts(tag: str) -> int:
    """Parts of an object stored in parts, from its S3 ETag ("<md5>-<parts>"); else 0."""
    _, dash, count = tag.rpartition("-")
    return int(count) if dash and count.isdigit() else 0


def md5(tag: str, user_metadata: Mapping[str, str]) -> str:
    """The content MD5: the ETag of a single-part object, ours for one in parts."""
    if parts(tag):
        return user_metadata.get(MD5_KEY, "")
    return tag if len(tag) == 32 else ""


def extra(tag: str) -> dict[str, str]:
    count = parts(tag)
    return {"parts": str(count)} if count else {}


def user_metadata(raw: Mapping[str, str]) -> dict[str, str]:
    """The caller's metadata: x-amz-meta-* without ours."""
    return {key.lower(): value for key, value in raw.items() if key.lower() != MD5_KEY}


def described(container: str, name: str, response: Mapping[str, Any], *,
              size: int | None = None) -> models.StoredObject:
    """A StoredObject from a HeadObject or GetObject answer (``size``: the whole object's)."""
    raw = response.get("Metadata") or {}
    tag = etag(response.get("ETag"))
    return models.StoredObject(
        container=container, name=name,
        size_bytes=response.get("ContentLength", 0) if size is None else size,
        content_type=response.get("ContentType", ""), etag=tag, md5=md5(tag, raw),
        last_modified=response.get("LastModified"), metadata=user_metadata(raw),
        extra=extra(tag))


def listed(container: str, entry: Mapping[str, Any]) -> models.StoredObject:
    """A StoredObject from a ListObjectsV2 entry (no metadata, no content type in S3's)."""
    tag = etag(entry.get("ETag"))
    return models.StoredObject(container=container, name=entry["Key"],
                               size_bytes=entry.get("Size", 0), etag=tag, md5=md5(tag, {}),
                               last_modified=entry.get("LastModified"), extra=extra(tag))


def whole_size(content_range: str) -> int | None:
    """The object size in a Content-Range ("bytes 3-10/11" → 11)."""
    _, slash, total = (content_range or "").rpartition("/")
    return int(total) if slash and total.isdigit() else None


def answered_at(response: Mapping[str, Any]) -> datetime.datetime | None:
    """When radosgw answered (its Date header): a PutObject answer has no Last-Modified."""
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    try:
        return parsedate_to_datetime(date) if date else None
    except (TypeError, ValueError):
        return None


# -- page tokens -------------------------------------------------------------------------

def _scope(*params: str) -> str:
    return hashlib.sha256(json.dumps(params).encode()).hexdigest()[:16]


def encode_token(position: str, *params: str) -> str:
    body = json.dumps({"at": position, "for": _scope(*params)}, ensure_ascii=False,
                      separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode("ascii")


def decode_token(token: str, *params: str) -> str:
    """The position in a token made for the same ``params``; "" for no token."""
    if not token:
        return ""
    try:
        body = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("at"), str):
        raise exc.InvalidInput("page_token is not a token this listing returned",
                               field="page_token", backend=BACKEND)
    if body.get("for") != _scope(*params):
        raise exc.InvalidInput("page_token was returned by a listing with another prefix "
                               "or delimiter", field="page_token", backend=BACKEND)
    return body["at"]
