"""The snapshot index: snapshot id → its volume, name and metadata, one omap per pool.

An RBD snapshot is known only through its image, but the API names a
snapshot by id alone. Each pool holding volumes has the object
``translator_index`` whose omap keys ``snapshot.<uuid>`` hold a JSON entry
``{"volume_id", "name", "metadata"}``. Omap keys come back sorted, so
paging through a pool's snapshots is a ranged read (``start_after``).

The entry is written before the RBD snapshot is made and removed after it
is gone; an entry whose snapshot does not exist (a crash in between) is
treated as absent by readers and removed by the next delete.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from translator_drivers.ceph.rbd_client import bindings

INDEX_OBJECT = "translator_index"
PREFIX = "snapshot."
#: Keys read per omap round trip while paging.
CHUNK = 256


def _key(snapshot_id: str) -> str:
    return PREFIX + snapshot_id


def _entry(value: bytes) -> dict[str, Any]:
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def put(ioctx: Any, snapshot_id: str, entry: dict[str, Any]) -> None:
    rados = bindings()[0]
    value = json.dumps(entry, separators=(",", ":"), sort_keys=True).encode()
    with rados.WriteOpCtx() as op:
        ioctx.set_omap(op, (_key(snapshot_id),), (value,))
        ioctx.operate_write_op(op, INDEX_OBJECT)


def remove(ioctx: Any, snapshot_id: str) -> None:
    rados = bindings()[0]
    with rados.WriteOpCtx() as op:
        ioctx.remove_omap_keys(op, (_key(snapshot_id),))
        try:
            ioctx.operate_write_op(op, INDEX_OBJECT)
        except rados.ObjectNotFound:
            pass


def get_many(ioctx: Any, snapshot_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The entries of those of ``snapshot_ids`` this pool's index has."""
    if not snapshot_ids:
        return {}
    rados = bindings()[0]
    with rados.ReadOpCtx() as op:
        found, _ = ioctx.get_omap_vals_by_keys(op, tuple(_key(i) for i in snapshot_ids))
        try:
            ioctx.operate_read_op(op, INDEX_OBJECT)
        except rados.ObjectNotFound:
            return {}
        return {key[len(PREFIX):]: _entry(value) for key, value in found}


def get(ioctx: Any, snapshot_id: str) -> dict[str, Any] | None:
    return get_many(ioctx, [snapshot_id]).get(snapshot_id)


def scan(ioctx: Any, after: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """(snapshot id, entry) in id order, starting after the id ``after``."""
    rados = bindings()[0]
    start = _key(after) if after else ""
    while True:
        with rados.ReadOpCtx() as op:
            values, _ = ioctx.get_omap_vals(op, start, PREFIX, CHUNK)
            try:
                ioctx.operate_read_op(op, INDEX_OBJECT)
            except rados.ObjectNotFound:
                return
            chunk = list(values)
        for key, value in chunk:
            yield key[len(PREFIX):], _entry(value)
        if len(chunk) < CHUNK:
            return
        start = chunk[-1][0]
