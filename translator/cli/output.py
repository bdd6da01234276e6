"""Tables and JSON for the terminal, with no dependency beyond protobuf.

Lists are plain aligned columns; a single resource is a two-column FIELD/VALUE
table built from the message's own fields in declaration order, so a field
added to the contract shows up without a change here. ``--json`` output is
``MessageToDict(..., preserving_proto_field_name=True)``: what a script would
get from the generated stubs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from google.longrunning import operations_pb2
from google.protobuf import descriptor, empty_pb2, json_format, message, timestamp_pb2

from translator.api.v1 import (
    block_storage_pb2,
    capabilities_pb2,
    common_pb2,
    compute_pb2,
    load_balancing_pb2,
)
from translator.cli import errors

Column = tuple[str, Callable[[Any], object]]


def to_dict(msg: message.Message) -> dict:
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Left-aligned columns two spaces apart; cells are flattened to one line."""
    cells = [[" ".join(str(c).splitlines()) for c in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in [list(headers), *cells]]
    return "\n".join(lines)


def fields_table(pairs: Iterable[tuple[str, object]]) -> str:
    return table(("FIELD", "VALUE"), pairs)


def human_bytes(count: float) -> str:
    """``512 B``, ``1.5 KiB``, ``64.0 MiB``: binary units, as transfer tools show them."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(count) < 1024 or unit == "TiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return ""  # unreachable: the loop returns at TiB


def _scalar(field: descriptor.FieldDescriptor, value: object) -> str:
    if field.type == descriptor.FieldDescriptor.TYPE_ENUM:
        number = field.enum_type.values_by_number.get(value)
        return number.name if number else str(value)
    if field.type == descriptor.FieldDescriptor.TYPE_BOOL:
        return "true" if value else "false"
    if field.type == descriptor.FieldDescriptor.TYPE_BYTES:
        return f"<{len(value)} bytes>" if value else ""
    if isinstance(value, timestamp_pb2.Timestamp):
        return value.ToJsonString() if value.ByteSize() else ""
    if isinstance(value, compute_pb2.Address):
        return f"{value.network}={value.ip}" if value.network else value.ip
    if isinstance(value, message.Message):
        return json.dumps(to_dict(value), separators=(",", ":")) if value.ByteSize() else ""
    return str(value)


def _is_repeated(field: descriptor.FieldDescriptor) -> bool:
    # protobuf 7 dropped FieldDescriptor.label; older 6.x releases lack is_repeated.
    if hasattr(field, "is_repeated"):
        return field.is_repeated
    return field.label == descriptor.FieldDescriptor.LABEL_REPEATED


def message_fields(msg: message.Message, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """(field, value) for every field of ``msg``, as a show command prints them."""
    pairs = []
    for field in msg.DESCRIPTOR.fields:
        if field.name in skip:
            continue
        value = getattr(msg, field.name)
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            text = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
        elif _is_repeated(field):
            text = ", ".join(_scalar(field, v) for v in value)
        else:
            text = _scalar(field, value)
        pairs.append((field.name, text))
    return pairs


# -- operations ----------------------------------------------------------------

def metadata(op: operations_pb2.Operation) -> common_pb2.OperationMetadata:
    """The OperationMetadata of ``op`` (empty when absent or of another type)."""
    meta = common_pb2.OperationMetadata()
    if op.HasField("metadata") and op.metadata.Is(meta.DESCRIPTOR):
        op.metadata.Unpack(meta)
    return meta


def response(op: operations_pb2.Operation) -> message.Message | None:
    """The unpacked Operation.response: a Server, an Empty, or None while running."""
    if not op.HasField("response"):
        return None
    return errors.unpack_any(op.response)


def percent(meta: common_pb2.OperationMetadata) -> str:
    """``45%``, or ``~45%`` when the backend reports no progress and it is estimated."""
    return f"{'~' if meta.progress_estimated else ''}{meta.progress_percent}%"


def result_text(op: operations_pb2.Operation) -> str:
    if not op.done:
        return ""
    if op.HasField("error"):
        return errors.format_text(errors.from_status(op.error)).removeprefix("error: ")
    result = response(op)
    if isinstance(result, compute_pb2.Server):
        return f"server {result.id} {compute_pb2.Server.Status.Name(result.status)}"
    if isinstance(result, block_storage_pb2.Volume | block_storage_pb2.Snapshot):
        return f"{result.DESCRIPTOR.name.lower()} {result.id} {cinder_status(result)}"
    if isinstance(result, load_balancing_pb2.LoadBalancer):
        status = load_balancing_pb2.LoadBalancer.ProvisioningStatus.Name(
            result.provisioning_status)
        return f"load balancer {result.id} {status}"
    if result is None or isinstance(result, empty_pb2.Empty):
        return "done"
    return result.DESCRIPTOR.full_name


def operation_fields(op: operations_pb2.Operation) -> list[tuple[str, str]]:
    meta = metadata(op)
    pairs = [("name", op.name), ("done", "true" if op.done else "false"),
             ("progress", percent(meta))]
    pairs += message_fields(meta, skip=("progress_percent", "progress_estimated"))
    pairs.append(("result", result_text(op)))
    return pairs


def _status_name(server: compute_pb2.Server) -> str:
    return compute_pb2.Server.Status.Name(server.status)


def addresses(server: compute_pb2.Server) -> str:
    """Nova style: ``net1=10.0.0.3, fd00::3; net2=192.168.1.4``."""
    by_network: dict[str, list[str]] = {}
    for address in server.addresses:
        by_network.setdefault(address.network, []).append(address.ip)
    return "; ".join(f"{net}={', '.join(ips)}" if net else ", ".join(ips)
                     for net, ips in by_network.items())


SERVER_COLUMNS: list[Column] = [
    ("ID", lambda s: s.id), ("NAME", lambda s: s.name), ("STATUS", _status_name),
    ("FLAVOR", lambda s: s.flavor_name or s.flavor_id),
    ("IMAGE", lambda s: s.image_name or s.image_id), ("ADDRESSES", addresses)]
FLAVOR_COLUMNS: list[Column] = [
    ("ID", lambda f: f.id), ("NAME", lambda f: f.name), ("VCPUS", lambda f: f.vcpus),
    ("RAM_MB", lambda f: f.ram_mb), ("DISK_GB", lambda f: f.disk_gb),
    ("CUSTOMIZABLE", lambda f: "yes" if f.customizable else "no")]
IMAGE_COLUMNS: list[Column] = [
    ("ID", lambda i: i.id), ("NAME", lambda i: i.name), ("STATUS", lambda i: i.status),
    ("OS_TYPE", lambda i: i.os_type), ("MIN_DISK_GB", lambda i: i.min_disk_gb),
    ("SIZE_BYTES", lambda i: i.size_bytes)]
KEYPAIR_COLUMNS: list[Column] = [("NAME", lambda k: k.name),
                                 ("FINGERPRINT", lambda k: k.fingerprint)]
OPERATION_COLUMNS: list[Column] = [
    ("NAME", lambda o: o.name), ("DONE", lambda o: "yes" if o.done else "no"),
    ("VERB", lambda o: metadata(o).verb), ("TARGET", lambda o: metadata(o).target),
    ("PROGRESS", lambda o: percent(metadata(o))),
    ("STATUS", lambda o: result_text(o) if o.done else metadata(o).status_message)]


# -- block storage -----------------------------------------------------------------
# Tables speak Cinder: lowercase statuses ("in-use"), "primary:<pool>" locations.
# --json keeps the contract's own enum names, like every other message.

def cinder_status(item: block_storage_pb2.Volume | block_storage_pb2.Snapshot) -> str:
    """``IN_USE`` → ``in-use``, as ``openstack volume list`` shows it."""
    number = type(item).Status.DESCRIPTOR.values_by_number.get(item.status)
    if number is None or number.number == 0:
        return "unknown"
    return number.name.lower().replace("_", "-")


def location(loc: block_storage_pb2.StorageLocation) -> str:
    """``primary:ps-ssd-1``; just the tier while the backend has not placed the data."""
    if loc.tier == block_storage_pb2.StorageLocation.TIER_UNSPECIFIED:
        return loc.pool
    tier = block_storage_pb2.StorageLocation.Tier.Name(loc.tier).lower()
    return f"{tier}:{loc.pool}" if loc.pool else tier


def key_values(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(values.items()))


def attachments(volume: block_storage_pb2.Volume) -> str:
    """``vm-1 (device 1), vm-2``: the servers a volume is attached to."""
    return ", ".join(f"{a.server_id} (device {a.device})" if a.device else a.server_id
                     for a in volume.attachments)


def _attachment_rows(volume: block_storage_pb2.Volume) -> list[tuple[str, str]]:
    """What a show adds per attachment: when, and how a hypervisor reaches it."""
    rows = []
    for i, att in enumerate(volume.attachments):
        prefix = f"attachments[{i}]"
        when = att.attach_time
        rows.append((f"{prefix}.attach_time", when.ToJsonString() if when.ByteSize() else ""))
        if att.HasField("connection"):
            rows.append((f"{prefix}.driver_volume_type", att.connection.driver_volume_type))
            rows.append((f"{prefix}.data", key_values(att.connection.data)))
    return rows


def _storage_fields(msg, extra_rows: Callable[[Any], list[tuple[str, str]]] | None = None
                    ) -> list[tuple[str, str]]:
    """message_fields with Cinder's status, readable locations and attachment details."""
    pairs = []
    for name, text in message_fields(msg):
        if name == "status":
            text = cinder_status(msg)
        elif name == "location":
            text = location(msg.location)
        elif name == "attachments":
            text = attachments(msg)
        pairs.append((name, text))
        if name == "attachments" and extra_rows:
            pairs += extra_rows(msg)
    return pairs


def volume_fields(volume: block_storage_pb2.Volume) -> list[tuple[str, str]]:
    return _storage_fields(volume, _attachment_rows)


def snapshot_fields(snapshot: block_storage_pb2.Snapshot) -> list[tuple[str, str]]:
    return _storage_fields(snapshot)


# VolumeType flags, in the order and words the volume-type table uses.
TYPE_CAPABILITIES = (("thin_provisioned", "thin"), ("snapshots", "snapshots"),
                     ("clone_from_volume", "clone"), ("volume_from_image", "from-image"),
                     ("online_extend", "online-extend"))


def type_capabilities(vtype: block_storage_pb2.VolumeType) -> str:
    return ", ".join(word for field, word in TYPE_CAPABILITIES if getattr(vtype, field))


def type_sizes(vtype: block_storage_pb2.VolumeType) -> str:
    """``10 (fixed)``, ``1-16384`` or ``any``."""
    if vtype.size_gb:
        return f"{vtype.size_gb} (fixed)"
    return f"1-{vtype.max_size_gb}" if vtype.max_size_gb else "any"


VOLUME_COLUMNS: list[Column] = [
    ("ID", lambda v: v.id), ("NAME", lambda v: v.name), ("STATUS", cinder_status),
    ("SIZE_GB", lambda v: v.size_gb), ("TYPE", lambda v: v.volume_type),
    ("LOCATION", lambda v: location(v.location)), ("ATTACHED_TO", attachments),
    ("EXTRA", lambda v: key_values(v.extra))]
SNAPSHOT_COLUMNS: list[Column] = [
    ("ID", lambda s: s.id), ("NAME", lambda s: s.name), ("STATUS", cinder_status),
    ("VOLUME", lambda s: s.volume_id), ("SIZE_GB", lambda s: s.size_gb),
    ("LOCATION", lambda s: location(s.location)), ("EXTRA", lambda s: key_values(s.extra))]
VOLUME_TYPE_COLUMNS: list[Column] = [
    ("NAME", lambda t: t.name), ("DEFAULT", lambda t: "yes" if t.is_default else "no"),
    ("LOCATION", lambda t: location(t.location)), ("BACKEND", lambda t: t.backend_mapping),
    ("CAPABILITIES", type_capabilities), ("SIZE_GB", type_sizes)]


def columns_table(columns: Sequence[Column], items: Iterable[Any]) -> str:
    return table([name for name, _ in columns], ([get(i) for _, get in columns] for i in items))


def capabilities_text(reply: capabilities_pb2.GetCapabilitiesResponse) -> str:
    """Per API: the driver, an operation table with option rows beneath, then the notes."""
    blocks = []
    for api in reply.apis:
        rows = []
        for op in api.operations:
            rows.append((op.name, "yes" if op.supported else "no", op.note))
            rows += [(f"  option {o.name}", "yes" if o.supported else "no", o.note)
                     for o in op.options]
        text = f"API {api.api} (driver: {api.driver})\n"
        text += table(("OPERATION", "SUPPORTED", "NOTE"), rows)
        if api.notes:
            text += "\nNotes:\n" + "\n".join(f"  - {note}" for note in api.notes)
        blocks.append(text)
    return "\n\n".join(blocks)


class Console:
    """Where a command writes: stdout for results, stderr for errors and, in --json
    mode, for progress too (so stdout stays one parseable JSON document)."""

    def __init__(self, json_mode: bool = False, out: TextIO | None = None,
                 err: TextIO | None = None) -> None:
        self.json_mode = json_mode
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def note(self, text: str) -> None:
        print(text, file=self.err, flush=True)

    def json(self, value: object) -> None:
        print(json.dumps(value, indent=2), file=self.out, flush=True)

    @property
    def progress_stream(self) -> TextIO:
        return self.err if self.json_mode else self.out

    def failure(self, failure: errors.Failure) -> int:
        """Print ``failure`` on stderr (as JSON in --json mode); return its exit code."""
        self.note(errors.format_json(failure) if self.json_mode else errors.format_text(failure))
        return failure.exit_code
