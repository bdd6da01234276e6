"""Listing containers and objects from the index: name order, prefixes, opaque page tokens.

As S3's ListObjectsV2 with MaxKeys: a page holds up to ``page_size`` entries,
objects and common prefixes counted together, in name order; a name holding
the delimiter after the prefix is rolled up into one common prefix, which the
listing then jumps past instead of reading every name under it.

A page token is base64url JSON of where the next page starts (a name, and
whether that name itself is included) and the prefix and delimiter it was made
for: it is refused with a listing of other parameters.
"""

from __future__ import annotations

import base64
import binascii
import json

from translator.drivers import models
from translator_drivers.local import errors
from translator_drivers.local.index import ContainerRow, Index, ObjectRow, prefix_end

#: Rows read per index query at most.
BATCH = 256
DEFAULT_PAGE_SIZE = 1000


def encode_token(after: str, inclusive: bool, **params: str) -> str:
    body = {"a": after, "i": inclusive, **params}
    return base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode()


def decode_token(token: str, **params: str) -> tuple[str, bool]:
    """(after, inclusive) of a token made with the same ``params``; InvalidInput otherwise."""
    if not token:
        return "", False
    try:
        body = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise errors.bad_token("not a token this driver made") from None
    if (not isinstance(body, dict) or not isinstance(body.get("a"), str)
            or not isinstance(body.get("i"), bool)):
        raise errors.bad_token("not a token this driver made")
    for key, value in params.items():
        if body.get(key) != value:
            raise errors.bad_token(f"it was made for another {key}")
    return body["a"], body["i"]


def containers(index: Index, prefix: str, page_size: int,
               token: str) -> tuple[list[ContainerRow], str]:
    """One page of containers and the next page's token ("" on the last page)."""
    page_size = page_size if page_size > 0 else DEFAULT_PAGE_SIZE
    after, _ = decode_token(token, prefix=prefix)
    rows = index.containers(prefix, after, page_size + 1)
    if len(rows) <= page_size:
        return rows, ""
    rows = rows[:page_size]
    return rows, encode_token(rows[-1].name, False, prefix=prefix)


def objects(index: Index, container: str, prefix: str, delimiter: str, page_size: int,
            token: str) -> tuple[list[ObjectRow], list[str], str]:
    """One page: (objects, common prefixes, next page's token or "")."""
    page_size = page_size if page_size > 0 else DEFAULT_PAGE_SIZE
    after, inclusive = decode_token(token, prefix=prefix, delimiter=delimiter)
    index.require_container(container)
    found: list[ObjectRow] = []
    prefixes: list[str] = []
    while True:
        wanted = page_size - len(found) - len(prefixes) + 1  # one more shows there is more
        rows = index.scan(container, prefix, after, inclusive, min(wanted, BATCH))
        for row in rows:
            if len(found) + len(prefixes) == page_size:
                token = encode_token(after, inclusive, prefix=prefix, delimiter=delimiter)
                return found, prefixes, token
            rolled = _rolled_up(row.name, prefix, delimiter)
            if rolled is None:
                found.append(row)
                after, inclusive = row.name, False
                continue
            prefixes.append(rolled)
            after, inclusive = prefix_end(rolled), True
            if not after:  # nothing sorts after this prefix's names
                return found, prefixes, ""
            break  # read on from after the rolled-up names
        else:
            if len(rows) < min(wanted, BATCH):
                return found, prefixes, ""


def _rolled_up(name: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    at = name.find(delimiter, len(prefix))
    return None if at < 0 else name[:at + len(delimiter)]


def container_model(row: ContainerRow) -> models.Container:
    return models.Container(name=row.name, object_count=row.object_count,
                            bytes_used=row.bytes_used, metadata=dict(row.metadata))
