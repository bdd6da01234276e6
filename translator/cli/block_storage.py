"""``translator volume|volume-type|snapshot ...``: the Block Storage API from a shell.

The conventions are the compute commands' (compute.py): every mutating command
sends a request_id (``--request-id`` or a fresh uuid4) and gets an Operation
back, which ``--wait`` follows with progress; lists page through every page or
stop at ``--limit``. Tables show statuses as Cinder does (``in-use``); --json
is the contract's messages.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from translator.api.v1 import block_storage_pb2 as pb
from translator.cli import errors, operations, output
from translator.cli.compute import request_id

if TYPE_CHECKING:
    from translator.cli.app import Client



def check_volume_create(args: argparse.Namespace) -> str | None:
    """Why ``volume create`` cannot work as given, or None (the size must come from somewhere)."""
    if args.size is None and not (args.snapshot or args.image or args.source_volume):
        return "give --size GIB, unless --snapshot, --image or --source-volume gives the size"
    return None


def create_volume_request(args: argparse.Namespace, rid: str) -> pb.CreateVolumeRequest:
    request = pb.CreateVolumeRequest(
        request_id=rid, name=args.name, size_gb=args.size or 0,
        volume_type=args.volume_type or "", availability_zone=args.availability_zone or "",
        metadata=dict(args.properties))
    if args.snapshot:
        request.snapshot_id = args.snapshot
    elif args.image:
        request.image_id = args.image
    elif args.source_volume:
        request.source_volume_id = args.source_volume
    return request


# -- output -----------------------------------------------------------------------

def _show(console: output.Console, msg) -> int:
    if console.json_mode:
        console.json(output.to_dict(msg))
    else:
        _, fields = operations.RESULT_VIEWS[type(msg)]
        console.line(output.fields_table(fields(msg)))
    return errors.EXIT_OK


def _list(console: output.Console, columns, items) -> int:
    if console.json_mode:
        console.json([output.to_dict(i) for i in items])
    else:
        console.line(output.columns_table(columns, items))
    return errors.EXIT_OK


def _verb(args, client: Client, console: output.Console, rpc: str, request_type,
          **fields) -> int:
    """Send one mutating request with a request_id and handle the Operation it starts."""
    rid = request_id(args)
    op = getattr(client.block_storage, rpc)(request_type(request_id=rid, **fields),
                                            timeout=client.timeout)
    return operations.started(client, console, op, rid, args.wait)


# -- volume types and volumes ----------------------------------------------------------

def volume_type_list(args, client: Client, console: output.Console) -> int:
    reply = client.block_storage.ListVolumeTypes(pb.ListVolumeTypesRequest(),
                                                 timeout=client.timeout)
    return _list(console, output.VOLUME_TYPE_COLUMNS, reply.volume_types)


def volume_create(args, client: Client, console: output.Console) -> int:
    rid = request_id(args)
    op = client.block_storage.CreateVolume(create_volume_request(args, rid),
                                           timeout=client.timeout)
    return operations.started(client, console, op, rid, args.wait)


def volume_list(args, client: Client, console: output.Console) -> int:
    volumes = client.list_all(client.block_storage.ListVolumes, pb.ListVolumesRequest,
                              "volumes", args.limit)
    return _list(console, output.VOLUME_COLUMNS, volumes)


def volume_show(args, client: Client, console: output.Console) -> int:
    return _show(console, client.block_storage.GetVolume(pb.GetVolumeRequest(id=args.id),
                                                         timeout=client.timeout))


def volume_extend(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "ExtendVolume", pb.ExtendVolumeRequest,
                 id=args.id, new_size_gb=args.size)


def volume_attach(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "AttachVolume", pb.AttachVolumeRequest,
                 id=args.id, server_id=args.server)


def volume_detach(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "DetachVolume", pb.DetachVolumeRequest,
                 id=args.id, server_id=args.server or "")


def volume_delete(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "DeleteVolume", pb.DeleteVolumeRequest, id=args.id)


# -- snapshots --------------------------------------------------------------------------

def snapshot_create(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "CreateSnapshot", pb.CreateSnapshotRequest,
                 volume_id=args.volume, name=args.name or "", metadata=dict(args.properties))


def snapshot_list(args, client: Client, console: output.Console) -> int:
    snapshots = client.list_all(
        client.block_storage.ListSnapshots,
        lambda **page: pb.ListSnapshotsRequest(volume_id=args.volume or "", **page),
        "snapshots", args.limit)
    return _list(console, output.SNAPSHOT_COLUMNS, snapshots)


def snapshot_show(args, client: Client, console: output.Console) -> int:
    return _show(console, client.block_storage.GetSnapshot(pb.GetSnapshotRequest(id=args.id),
                                                           timeout=client.timeout))


def snapshot_delete(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "DeleteSnapshot", pb.DeleteSnapshotRequest, id=args.id)
