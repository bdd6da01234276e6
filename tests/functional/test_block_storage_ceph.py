"""Block storage through gRPC onto a real Ceph cluster (RBD), next to CloudStack compute."""

from __future__ import annotations

import uuid

import grpc
import pytest

from ceph_session import cluster
from functional.conftest import FAST_JOBS, start_deployment
from functional.helpers import create_server, details, rid
from functional.test_block_storage import act, block, code_of, create_volume, unpack
from translator.api.v1 import block_storage_pb2 as pb
from translator.api.v1 import capabilities_pb2, capabilities_pb2_grpc
from translator_drivers.cloudstack.simulator import CloudStackSimulator

MiB = 1024 ** 2
PATTERN = b"golden-image-" * 315


def _deployment(tmp_path, compute: str):
    ceph = cluster()
    sim = CloudStackSimulator(job_durations=FAST_JOBS)
    sim.start()
    options = {"block_storage": {"driver": "ceph"}, "compute": {"driver": compute},
               **ceph.config_overrides()}
    return ceph, sim, start_deployment(tmp_path, sim, options=options)


@pytest.fixture(scope="module")
def with_cloudstack_compute(tmp_path_factory):
    ceph, sim, deployment = _deployment(tmp_path_factory.mktemp("ceph-cs"), "cloudstack")
    yield ceph, deployment
    deployment.server.stop()
    sim.stop()


@pytest.fixture(scope="module")
def block_only(tmp_path_factory):
    ceph, sim, deployment = _deployment(tmp_path_factory.mktemp("ceph-only"), "")
    yield ceph, deployment
    deployment.server.stop()
    sim.stop()


def golden_image(ceph, size: int = 1024 * MiB) -> str:
    """A Glance-style image: <images pool>/<uuid>@snap, protected, PATTERN at offset 0."""
    import rados
    import rbd

    image_id = str(uuid.uuid4())
    with rados.Rados(conffile=ceph.conf_path) as client, client.open_ioctx("images") as ioctx:
        rbd.RBD().create(ioctx, image_id, size, old_format=False,
                         features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(ioctx, image_id) as image:
            image.write(PATTERN, 0)
            image.create_snap("snap")
            image.protect_snap("snap")
    return image_id


def read_volume(ceph, volume: pb.Volume, length: int) -> bytes:
    import rados
    import rbd

    pool, name = volume.extra["rbd_pool"], volume.extra["rbd_image"]
    with rados.Rados(conffile=ceph.conf_path) as client, client.open_ioctx(pool) as ioctx, \
            rbd.Image(ioctx, name, read_only=True) as image:
        return image.read(0, length)


def test_capabilities_tell_the_two_backends_apart(with_cloudstack_compute):
    _, deployment = with_cloudstack_compute
    with deployment.channel() as channel:
        reply = capabilities_pb2_grpc.CapabilitiesStub(channel).GetCapabilities(
            capabilities_pb2.GetCapabilitiesRequest(apis=["block_storage"]))
    [caps] = reply.apis
    assert caps.driver == "ceph"
    options = {o.name: o for op in caps.operations if op.name == "CreateVolume"
               for o in op.options}
    assert options["image_id"].supported and options["source_volume_id"].supported


def test_volume_from_an_image_is_a_thin_clone_with_its_data(with_cloudstack_compute):
    ceph, deployment = with_cloudstack_compute
    image_id = golden_image(ceph)
    with deployment.channel() as channel:
        volume = create_volume(channel, name="boot", image_id=image_id)
        assert volume.size_gb == 1 and volume.source_image_id == image_id
        assert volume.extra["rbd_parent"] == f"images/{image_id}@snap"
        assert volume.location.tier == pb.StorageLocation.PRIMARY
        assert volume.location.pool == ceph.config_overrides()["ceph"]["rbd_pool"]
        assert read_volume(ceph, volume, len(PATTERN)) == PATTERN
        bigger = create_volume(channel, name="boot-10", image_id=image_id, size_gb=10)
        assert bigger.size_gb == 10
        for made in (volume, bigger):
            assert not act(channel, "DeleteVolume", id=made.id).HasField("error")


def test_a_cloudstack_vm_cannot_attach_an_rbd_volume(with_cloudstack_compute):
    _, deployment = with_cloudstack_compute
    with deployment.channel() as channel:
        volume = create_volume(channel, size_gb=1)
        server = create_server(channel, name="cs-vm")
        error = code_of(lambda: block(channel).AttachVolume(pb.AttachVolumeRequest(
            request_id=rid(), id=volume.id, server_id=server.id)))
        assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "rbd" in error.details() and "cloudstack" in error.details()
        assert details(error)["ErrorInfo"].metadata["backend"] == "ceph"
        got = block(channel).GetVolume(pb.GetVolumeRequest(id=volume.id))
        assert got.status == pb.Volume.AVAILABLE and not got.attachments


def test_without_a_compute_api_attach_returns_the_rbd_connection(block_only):
    ceph, deployment = block_only
    with deployment.channel() as channel:
        op = block(channel).CreateVolume(pb.CreateVolumeRequest(
            request_id=rid(), name="data", size_gb=2))
        assert op.done  # RBD finished in the submit call: recorded done at once
        volume = unpack(op, pb.Volume)
        assert volume.status == pb.Volume.AVAILABLE
        attached = unpack(act(channel, "AttachVolume", id=volume.id, server_id="kvm-host-7"),
                          pb.Volume)
        assert attached.status == pb.Volume.IN_USE
        [attachment] = attached.attachments
        connection = attachment.connection
        assert connection.driver_volume_type == "rbd"
        data = connection.data
        assert (data["pool"], data["image"]) == (attached.extra["rbd_pool"],
                                                 attached.extra["rbd_image"])
        assert data["hosts"] == "127.0.0.1" and data["monitors"].startswith("127.0.0.1:")
        assert data["user"] == ceph.rbd_user and data["auth_enabled"] == "true"
        admin_key = _keyring_secret(ceph)
        assert admin_key and not any(admin_key in value for value in data.values())
        detached = unpack(act(channel, "DetachVolume", id=volume.id), pb.Volume)
        assert detached.status == pb.Volume.AVAILABLE
        assert not act(channel, "DeleteVolume", id=volume.id).HasField("error")


def _keyring_secret(ceph) -> str:
    """The admin key of the cluster (what must never leave the translator)."""
    with open(ceph.layout.admin_keyring) as keyring:
        for line in keyring:
            if line.strip().startswith("key"):
                return line.split("=", 1)[1].strip()
    return ""


def test_the_cli_drives_ceph_volumes(block_only):
    """The same CLI on the ceph driver: a volume from an image, attach, snapshot, clone."""
    from functional.test_cli import _fields, cli, cli_json

    ceph, deployment = block_only
    image_id = golden_image(ceph, 64 * MiB)
    volume = cli_json(deployment, "volume", "create", "from-image", "--image", image_id,
                      "--wait")["volume"]
    assert volume["status"] == "AVAILABLE" and volume["source_image_id"] == image_id
    attached = cli_json(deployment, "volume", "attach", volume["id"], "--server", "kvm-1",
                        "--wait")["volume"]
    assert attached["status"] == "IN_USE"
    shown = _fields(cli(deployment, "volume", "show", volume["id"]).stdout)
    assert shown["status"] == "in-use" and shown["location"].startswith("primary:")
    assert shown["attachments[0].driver_volume_type"] == "rbd"
    snap = cli_json(deployment, "snapshot", "create", "--volume", volume["id"], "--name", "s1",
                    "--wait")["snapshot"]
    clone = cli_json(deployment, "volume", "create", "from-snap", "--snapshot", snap["id"],
                     "--wait")["volume"]
    assert clone["size_gb"] == volume["size_gb"]
    types = cli(deployment, "volume-type", "list").stdout
    assert "RBD pool" in types
    cli(deployment, "volume", "delete", clone["id"], "--wait")
    cli(deployment, "snapshot", "delete", snap["id"], "--wait")
    cli(deployment, "volume", "detach", volume["id"], "--wait")
    cli(deployment, "volume", "delete", volume["id"], "--wait")
    assert volume["id"] not in cli(deployment, "volume", "list").stdout
