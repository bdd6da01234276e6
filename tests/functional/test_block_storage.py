"""Cinder-shaped block storage through gRPC onto the CloudStack simulator, end to end."""

from __future__ import annotations

import grpc
import pytest

from functional import helpers
from functional.conftest import BLOCK_TYPES, FAST_JOBS, start_deployment
from functional.helpers import create_server, details, rid, wait
from translator.api.v1 import block_storage_pb2 as pb
from translator.api.v1 import block_storage_pb2_grpc, common_pb2
from translator_drivers.cloudstack.simulator import CloudStackSimulator

Location = pb.StorageLocation


def block(channel) -> block_storage_pb2_grpc.BlockStorageStub:
    return block_storage_pb2_grpc.BlockStorageStub(channel)


def unpack(op, cls):
    assert not op.HasField("error"), op.error
    message = cls()
    assert op.response.Unpack(message), op.response.type_url
    return message


def create_volume(channel, **fields) -> pb.Volume:
    fields.setdefault("name", "data")
    op = block(channel).CreateVolume(pb.CreateVolumeRequest(request_id=rid(), **fields))
    return unpack(wait(channel, op), pb.Volume)


def act(channel, method: str, **fields):
    request = getattr(pb, f"{method}Request")(request_id=rid(), **fields)
    return wait(channel, getattr(block(channel), method)(request))


def code_of(call) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value


def test_volume_types_show_their_disk_offerings(channel):
    types = {t.name: t for t in block(channel).ListVolumeTypes(
        pb.ListVolumeTypesRequest()).volume_types}
    assert list(types) == ["standard", "fast", "archive", "nvme"]
    assert types["archive"].size_gb == 500 and "HDD Large" in types["archive"].backend_mapping
    assert types["standard"].is_default and not types["fast"].is_default
    assert types["fast"].description == "SSD-backed volumes"
    assert "ssd" in types["fast"].backend_mapping
    assert types["fast"].location.tier == Location.PRIMARY
    assert not types["fast"].volume_from_image and types["fast"].snapshots


def test_volume_lifecycle_on_primary_and_secondary_storage(channel):
    volume = create_volume(channel, name="db", size_gb=20, volume_type="fast",
                           metadata={"app": "db"})
    assert volume.status == pb.Volume.AVAILABLE and volume.size_gb == 20
    assert volume.volume_type == "fast" and volume.metadata["app"] == "db"
    # CloudStack places a volume on a primary pool at its first attach.
    assert volume.location.tier == Location.PRIMARY and volume.location.pool == ""

    server = create_server(channel, name="db-host")
    attached = unpack(act(channel, "AttachVolume", id=volume.id, server_id=server.id),
                      pb.Volume)
    assert attached.status == pb.Volume.IN_USE
    assert [a.server_id for a in attached.attachments] == [server.id]
    assert attached.attachments[0].connection.driver_volume_type == "cloudstack"
    assert attached.location.pool, "placed on a tagged primary pool"

    snapshot = unpack(act(channel, "CreateSnapshot", volume_id=volume.id, name="nightly"),
                      pb.Snapshot)
    assert snapshot.status == pb.Snapshot.AVAILABLE and snapshot.volume_id == volume.id
    assert snapshot.location.tier == Location.SECONDARY

    # The simulated hypervisor is XenServer: CloudStack resizes only offline there.
    error = code_of(lambda: block(channel).ExtendVolume(pb.ExtendVolumeRequest(
        request_id=rid(), id=volume.id, new_size_gb=30)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION

    restored = create_volume(channel, name="restored", snapshot_id=snapshot.id)
    assert restored.size_gb == 20 and restored.volume_type == "fast"
    assert restored.location.pool  # a volume from a snapshot is placed at once

    detached = unpack(act(channel, "DetachVolume", id=volume.id), pb.Volume)
    assert detached.status == pb.Volume.AVAILABLE and not detached.attachments
    extended = unpack(act(channel, "ExtendVolume", id=volume.id, new_size_gb=30), pb.Volume)
    assert extended.size_gb == 30 and extended.volume_type == "fast"
    for op in (act(channel, "DeleteSnapshot", id=snapshot.id),
               act(channel, "DeleteVolume", id=restored.id),
               act(channel, "DeleteVolume", id=volume.id)):
        assert not op.HasField("error"), op.error
    error = code_of(lambda: block(channel).GetVolume(pb.GetVolumeRequest(id=volume.id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_deleting_an_attached_volume_fails_the_operation_and_keeps_it(channel):
    volume = create_volume(channel, size_gb=5)
    server = create_server(channel, name="keeper")
    act(channel, "AttachVolume", id=volume.id, server_id=server.id)
    with pytest.raises(grpc.RpcError) as info:
        block(channel).DeleteVolume(pb.DeleteVolumeRequest(request_id=rid(), id=volume.id))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # Real CloudStack refuses with 431 "...not attached to any VM" (an
    # InvalidParameterValueException), not 536; both become FAILED_PRECONDITION.
    assert details(info.value)["ErrorInfo"].metadata["backend_code"] == "431"
    got = block(channel).GetVolume(pb.GetVolumeRequest(id=volume.id))
    assert got.status == pb.Volume.IN_USE


@pytest.mark.parametrize(("fields", "field"), [
    ({"size_gb": 0}, "size_gb"),
    ({"size_gb": -1}, "size_gb"),
    ({"size_gb": 5, "volume_type": "gold"}, "volume_type"),
    ({"size_gb": 5, "metadata": {"": "x"}}, "metadata['']"),
])
def test_bad_requests_name_the_field(channel, fields, field):
    error = code_of(lambda: block(channel).CreateVolume(pb.CreateVolumeRequest(
        request_id=rid(), name="bad", **fields)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = details(error)["BadRequest"].field_violations
    assert field in {v.field for v in violations}


def test_what_cloudstack_cannot_do_is_unimplemented_with_the_reason(channel):
    source = create_volume(channel, size_gb=5)
    for source_field in ({"image_id": "golden"}, {"source_volume_id": source.id}):
        error = code_of(lambda: block(channel).CreateVolume(pb.CreateVolumeRequest(
            request_id=rid(), name="copy", **source_field)))  # noqa: B023 - called at once
        assert error.code() == grpc.StatusCode.UNIMPLEMENTED
        assert "CloudStack" in error.details()


def test_a_size_no_offering_of_the_type_has_is_refused(channel):
    # "archive" is one fixed 500 GB offering, with no customizable sibling.
    error = code_of(lambda: block(channel).CreateVolume(pb.CreateVolumeRequest(
        request_id=rid(), name="odd", size_gb=7, volume_type="archive")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "size_gb" in {v.field for v in details(error)["BadRequest"].field_violations}
    assert create_volume(channel, size_gb=500, volume_type="archive").size_gb == 500


def test_no_pool_with_the_type_s_tags_fails_the_attach_and_keeps_the_volume(channel):
    volume = create_volume(channel, size_gb=10, volume_type="nvme")
    server = create_server(channel, name="nvme-host")
    op = act(channel, "AttachVolume", id=volume.id, server_id=server.id)
    assert op.error.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
    assert "primary storage" in op.error.message
    got = block(channel).GetVolume(pb.GetVolumeRequest(id=volume.id))
    assert got.status == pb.Volume.AVAILABLE and not got.attachments
    assert not act(channel, "DeleteVolume", id=volume.id).HasField("error")


def test_a_replayed_request_id_returns_the_same_operation(channel):
    request = pb.CreateVolumeRequest(request_id=rid(), name="once", size_gb=5)
    first = block(channel).CreateVolume(request)
    again = block(channel).CreateVolume(request)
    assert again.name == first.name
    volume = unpack(wait(channel, first), pb.Volume)
    names = [v.name for v in block(channel).ListVolumes(
        pb.ListVolumesRequest(page_size=500)).volumes]
    assert names.count("once") == 1 and volume.name == "once"


def test_status_shows_our_operation_while_it_runs(private_deployment):
    private_deployment.sim.set_job_duration("createVolume", 3.0)
    with private_deployment.channel() as channel:
        op = block(channel).CreateVolume(pb.CreateVolumeRequest(
            request_id=rid(), name="slow", size_gb=5))
        meta = common_pb2.OperationMetadata()
        op.metadata.Unpack(meta)
        got = block(channel).GetVolume(pb.GetVolumeRequest(id=meta.target))
        assert got.status == pb.Volume.CREATING
        assert unpack(wait(channel, op), pb.Volume).status == pb.Volume.AVAILABLE


def test_clone_through_a_snapshot_when_the_operator_allows_it(tmp_path):
    sim = CloudStackSimulator(job_durations=FAST_JOBS)
    sim.start()
    deployment = start_deployment(tmp_path, sim, BLOCK_TYPES,
                                  options={"cloudstack": {"clone_volume_via_snapshot": True}})
    try:
        with deployment.channel() as channel:
            source = create_volume(channel, name="golden", size_gb=20)
            server = create_server(channel, name="builder")
            act(channel, "AttachVolume", id=source.id, server_id=server.id)
            op = wait(channel, block(channel).CreateVolume(pb.CreateVolumeRequest(
                request_id=rid(), name="copy", source_volume_id=source.id)))
            copy = unpack(op, pb.Volume)
            meta = common_pb2.OperationMetadata()
            op.metadata.Unpack(meta)
            assert meta.target == copy.id and copy.name == "copy" and copy.size_gb == 20
            assert copy.id != source.id
            # The intermediate snapshot is deleted once the copy exists.
            helpers.eventually(lambda: not block(channel).ListSnapshots(
                pb.ListSnapshotsRequest(volume_id=source.id)).snapshots)
    finally:
        deployment.server.stop()
        sim.stop()
