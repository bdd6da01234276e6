"""The translator's index in each pool: what the API knows of volumes and snapshots.

RBD keeps sizes, parents and snapshots; it has no place for a volume's name,
type, metadata or attachment, nor a way to find a snapshot by id alone. Each
pool holding volumes has one object, ``translator_index``, whose omap maps:

- ``volume.<uuid>``     → {"name", "type", "metadata", "source_*", "bootable"}
- ``attachment.<uuid>`` → {"server_id", "attached_at"}
- ``snapshot.<uuid>``   → {"volume_id", "name", "metadata"}

One omap operation reads or writes any of them, without opening an image (an
open costs milliseconds, twice for a clone, which opens its parent too), and
omap keys come back sorted, so listings page with a ranged read.

An entry is written before its RBD image or snapshot is made and removed after
it is gone: an entry whose image or snapshot does not exist (a crash in
between, or a create still running) is treated as absent by readers and
removed by the next delete. An image without an entry is not the translator's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from translator_drivers.ceph.rbd_client import bindings

INDEX_OBJECT = "translator_index"
VOLUME = "volume"
ATTACHMENT = "attachment"
SNAPSHOT = "snapshot"
#: Keys read per omap round trip while paging.
CHUNK = 256


def key(kind: str, ident: str) -> str:
    return f"{kind}.{ident}"


def _entry(value: bytes) -> dict[str, Any]:
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _dumps(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, separators=(",", ":"), sort_keys=True).encode()


def put(ioctx: Any, kind: str, ident: str, entry: dict[str, Any]) -> None:
    rados = bindings()[0]
    with rados.WriteOpCtx() as op:
        ioctx.set_omap(op, (key(kind, ident),), (_dumps(entry),))
        ioctx.operate_write_op(op, INDEX_OBJECT)


def remove(ioctx: Any, *keys: tuple[str, str]) -> None:
    """Remove the (kind, id) entries; absent ones are no error."""
    rados = bindings()[0]
    with rados.WriteOpCtx() as op:
        ioctx.remove_omap_keys(op, tuple(key(kind, ident) for kind, ident in keys))
        try:
            ioctx.operate_write_op(op, INDEX_OBJECT)
        except rados.ObjectNotFound:
            pass


def read(ioctx: Any, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The entries of those (kind, id) keys this pool's index has, in one round trip."""
    if not keys:
        return {}
    rados = bindings()[0]
    wanted = {key(kind, ident): (kind, ident) for kind, ident in keys}
    with rados.ReadOpCtx() as op:
        found, _ = ioctx.get_omap_vals_by_keys(op, tuple(wanted))
        try:
            ioctx.operate_read_op(op, INDEX_OBJECT)
        except rados.ObjectNotFound:
            return {}
        return {wanted[k]: _entry(value) for k, value in found}


def get(ioctx: Any, kind: str, ident: str) -> dict[str, Any] | None:
    return read(ioctx, [(kind, ident)]).get((kind, ident))


def scan(ioctx: Any, kind: str, after: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(id, entry) of one kind in id order, starting after the id ``after``."""
    rados = bindings()[0]
    prefix = key(kind, "")
    start = key(kind, after) if after else ""
    while True:
        with rados.ReadOpCtx() as op:
            values, _ = ioctx.get_omap_vals(op, start, prefix, CHUNK)
            try:
                ioctx.operate_read_op(op, INDEX_OBJECT)
            except rados.ObjectNotFound:
                return
            chunk = list(values)
        for found, value in chunk:
            yield found[len(prefix):], _entry(value)
        if len(chunk) < CHUNK:
            return
        start = chunk[-1][0]
