"""Block storage tables: Cinder statuses, locations, attachments, volume types."""

from __future__ import annotations

import json

from google.longrunning import operations_pb2
from google.protobuf import timestamp_pb2

from translator.api.v1 import block_storage_pb2 as pb
from translator.cli import output

Location = pb.StorageLocation


def _volume() -> pb.Volume:
    return pb.Volume(
        id="vol-1", name="db", status=pb.Volume.IN_USE, size_gb=20, volume_type="fast",
        availability_zone="zone1", metadata={"app": "db"},
        location=Location(tier=Location.PRIMARY, pool="ps-ssd-1"),
        extra={"disk_offering_name": "Fast", "cloudstack_state": "Ready"},
        attachments=[pb.Attachment(
            server_id="vm-1", device="1",
            attach_time=timestamp_pb2.Timestamp(seconds=1_700_000_000),
            connection=pb.Connection(driver_volume_type="rbd",
                                     data={"pool": "volumes", "image": "volume-1",
                                           "auth_enabled": "true"}))])


def test_statuses_are_spelled_as_cinder_does():
    cases = {pb.Volume.AVAILABLE: "available", pb.Volume.IN_USE: "in-use",
             pb.Volume.ATTACHING: "attaching", pb.Volume.ERROR: "error",
             pb.Volume.STATUS_UNSPECIFIED: "unknown", 99: "unknown"}
    for status, text in cases.items():
        assert output.cinder_status(pb.Volume(status=status)) == text
    assert output.cinder_status(pb.Snapshot(status=pb.Snapshot.CREATING)) == "creating"


def test_locations():
    assert output.location(Location(tier=Location.PRIMARY, pool="ps-ssd-1")) == \
        "primary:ps-ssd-1"
    assert output.location(Location(tier=Location.PRIMARY)) == "primary"
    assert output.location(Location(tier=Location.SECONDARY)) == "secondary"
    assert output.location(Location()) == ""


def test_volume_list_columns():
    header, row = output.columns_table(output.VOLUME_COLUMNS, [_volume()]).splitlines()
    assert header.split() == ["ID", "NAME", "STATUS", "SIZE_GB", "TYPE", "LOCATION",
                              "ATTACHED_TO", "EXTRA"]
    assert row.split(None, 6) == ["vol-1", "db", "in-use", "20", "fast", "primary:ps-ssd-1",
                                  "vm-1 (device 1)  cloudstack_state=Ready, "
                                  "disk_offering_name=Fast"]


def test_volume_show_has_attachment_connection_rows():
    pairs = output.volume_fields(_volume())
    fields = dict(pairs)
    assert fields["status"] == "in-use"
    assert fields["location"] == "primary:ps-ssd-1"
    assert fields["attachments"] == "vm-1 (device 1)"
    assert fields["attachments[0].attach_time"] == "2023-11-14T22:13:20Z"
    assert fields["attachments[0].driver_volume_type"] == "rbd"
    assert fields["attachments[0].data"] == "auth_enabled=true, image=volume-1, pool=volumes"
    assert fields["extra"] == "cloudstack_state=Ready, disk_offering_name=Fast"
    names = [name for name, _ in pairs]
    # The connection rows follow their attachment; every contract field is shown.
    assert names.index("attachments[0].data") == names.index("attachments") + 3
    assert set(names) >= {f.name for f in pb.Volume.DESCRIPTOR.fields}


def test_detached_volume_has_no_attachment_rows():
    fields = dict(output.volume_fields(pb.Volume(id="vol-2", status=pb.Volume.AVAILABLE)))
    assert fields["attachments"] == ""
    assert not any(name.startswith("attachments[") for name in fields)


def test_attachment_without_connection_or_device():
    volume = pb.Volume(attachments=[pb.Attachment(server_id="vm-9")])
    fields = dict(output.volume_fields(volume))
    assert fields["attachments"] == "vm-9"
    assert "attachments[0].driver_volume_type" not in fields


def test_snapshot_list_and_show():
    snap = pb.Snapshot(id="snap-1", name="nightly", status=pb.Snapshot.AVAILABLE,
                       volume_id="vol-1", size_gb=20,
                       location=Location(tier=Location.SECONDARY, pool="nfs-1"))
    header, row = output.columns_table(output.SNAPSHOT_COLUMNS, [snap]).splitlines()
    assert header.split() == ["ID", "NAME", "STATUS", "VOLUME", "SIZE_GB", "LOCATION", "EXTRA"]
    assert row.split() == ["snap-1", "nightly", "available", "vol-1", "20", "secondary:nfs-1"]
    fields = dict(output.snapshot_fields(snap))
    assert (fields["status"], fields["location"]) == ("available", "secondary:nfs-1")


def test_volume_type_table():
    types = [
        pb.VolumeType(name="standard", is_default=True,
                      location=Location(tier=Location.PRIMARY),
                      backend_mapping="disk offerings Custom (any size)", max_size_gb=16384,
                      snapshots=True, online_extend=True),
        pb.VolumeType(name="fast", location=Location(tier=Location.PRIMARY, pool="ps-ssd-1"),
                      backend_mapping="disk offerings Fast (10 GiB, tags ssd)", size_gb=10,
                      thin_provisioned=True, snapshots=True, clone_from_volume=True,
                      volume_from_image=True, online_extend=True),
        pb.VolumeType(name="bare"),
    ]
    lines = output.columns_table(output.VOLUME_TYPE_COLUMNS, types).splitlines()
    assert lines[0].split() == ["NAME", "DEFAULT", "LOCATION", "BACKEND", "CAPABILITIES",
                                "SIZE_GB"]
    assert lines[1].split("  ")[0:2] == ["standard", "yes"]
    assert "snapshots, online-extend" in lines[1] and lines[1].endswith("1-16384")
    assert "thin, snapshots, clone, from-image, online-extend" in lines[2]
    assert lines[2].endswith("10 (fixed)")
    assert lines[3].split() == ["bare", "no", "any"]


def test_operation_result_names_the_volume():
    op = operations_pb2.Operation(name="operations/v", done=True)
    op.response.Pack(pb.Volume(id="vol-1", status=pb.Volume.AVAILABLE))
    assert output.result_text(op) == "volume vol-1 available"
    op.response.Pack(pb.Snapshot(id="snap-1", status=pb.Snapshot.AVAILABLE))
    assert output.result_text(op) == "snapshot snap-1 available"


def test_json_keeps_the_contract_names():
    doc = json.loads(json.dumps(output.to_dict(_volume())))
    assert doc["status"] == "IN_USE"
    assert doc["location"] == {"tier": "PRIMARY", "pool": "ps-ssd-1"}
    assert doc["attachments"][0]["connection"]["driver_volume_type"] == "rbd"
