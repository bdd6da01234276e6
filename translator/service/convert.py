"""Neutral driver models → translator.v1 messages."""

from __future__ import annotations

import datetime
import re

from google.protobuf import timestamp_pb2

from translator.api.v1 import capabilities_pb2, compute_pb2
from translator.drivers import models

_SERVER_STATUS = {
    name: compute_pb2.Server.Status.Value(name)
    for name in compute_pb2.Server.Status.keys() if name != "STATUS_UNSPECIFIED"
}


def timestamp(value: datetime.datetime | None) -> timestamp_pb2.Timestamp | None:
    if value is None:
        return None
    ts = timestamp_pb2.Timestamp()
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    ts.FromDatetime(value)
    return ts


def flavor(f: models.Flavor) -> compute_pb2.Flavor:
    return compute_pb2.Flavor(id=f.id, name=f.name, vcpus=f.vcpus, ram_mb=f.ram_mb,
                              disk_gb=f.disk_gb, customizable=f.customizable, extra=f.extra)


def image(i: models.Image) -> compute_pb2.Image:
    return compute_pb2.Image(id=i.id, name=i.name, status=i.status, min_disk_gb=i.min_disk_gb,
                             size_bytes=i.size_bytes, os_type=i.os_type,
                             create_time=timestamp(i.created_at), extra=i.extra)


def keypair(k: models.Keypair) -> compute_pb2.Keypair:
    return compute_pb2.Keypair(name=k.name, fingerprint=k.fingerprint,
                               public_key=k.public_key, private_key=k.private_key)


def server(s: models.Server, pending_verb: str = "") -> compute_pb2.Server:
    status = _SERVER_STATUS.get(s.status, compute_pb2.Server.UNKNOWN)
    # Backends without REBOOT/RESIZE states (CloudStack) show them while our
    # operation on the server runs, as Nova does.
    if status == compute_pb2.Server.ACTIVE and pending_verb == "RebootServer":
        status = compute_pb2.Server.REBOOT
    elif pending_verb == "ResizeServer" and status in (compute_pb2.Server.ACTIVE,
                                                        compute_pb2.Server.SHUTOFF):
        status = compute_pb2.Server.RESIZE
    return compute_pb2.Server(
        id=s.id, name=s.name, status=status, task_state=s.task_state,
        flavor_id=s.flavor_id, flavor_name=s.flavor_name, image_id=s.image_id,
        image_name=s.image_name, keypair_name=s.keypair_name,
        security_groups=s.security_groups, availability_zone=s.availability_zone,
        metadata=s.metadata,
        addresses=[compute_pb2.Address(network=a.network, ip=a.ip, version=a.version, mac=a.mac)
                   for a in s.addresses],
        vcpus=s.vcpus, ram_mb=s.ram_mb, create_time=timestamp(s.created_at), extra=s.extra)


def rpc_name(operation: str) -> str:
    """'create_server' → 'CreateServer'; names already in CamelCase pass through."""
    if re.fullmatch(r"[a-z0-9_]+", operation):
        return "".join(part.capitalize() for part in operation.split("_"))
    return operation


def capabilities(c: models.ApiCapabilities) -> capabilities_pb2.ApiCapabilities:
    return capabilities_pb2.ApiCapabilities(
        api=c.api, driver=c.driver, notes=c.notes,
        operations=[capabilities_pb2.OperationCapability(
            name=rpc_name(op.name), supported=op.supported, note=op.note,
            options=[capabilities_pb2.OptionCapability(
                name=o.name, supported=o.supported, note=o.note) for o in op.options])
            for op in c.operations])
