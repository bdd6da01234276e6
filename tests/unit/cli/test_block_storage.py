"""volume / volume-type / snapshot: argument parsing, requests, finished-operation reports."""

from __future__ import annotations

import io
import json

import pytest
from google.longrunning import operations_pb2
from google.protobuf import empty_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from translator.api.v1 import block_storage_pb2 as pb
from translator.api.v1 import common_pb2
from translator.cli import app, block_storage, operations, output


def _usage_error(argv, capsys) -> str:
    assert app.run(argv) == 2
    return capsys.readouterr().err


def _op(response=None, error=None, verb="CreateVolume") -> operations_pb2.Operation:
    op = operations_pb2.Operation(name="operations/v1", done=True)
    op.metadata.Pack(common_pb2.OperationMetadata(verb=verb, target="vol-1",
                                                  progress_percent=100))
    if response is not None:
        op.response.Pack(response)
    if error is not None:
        op.error.CopyFrom(error)
    return op


def _console(json_mode=False):
    out, err = io.StringIO(), io.StringIO()
    return output.Console(json_mode, out, err), out, err


@pytest.mark.parametrize("argv, func", [
    (["volume-type", "list"], block_storage.volume_type_list),
    (["volume", "create", "data", "--size", "10"], block_storage.volume_create),
    (["volume", "list", "--limit", "2"], block_storage.volume_list),
    (["volume", "show", "v"], block_storage.volume_show),
    (["volume", "extend", "v", "--size", "20", "--wait"], block_storage.volume_extend),
    (["volume", "attach", "v", "--server", "s"], block_storage.volume_attach),
    (["volume", "detach", "v"], block_storage.volume_detach),
    (["volume", "delete", "v", "--wait"], block_storage.volume_delete),
    (["snapshot", "create", "--volume", "v"], block_storage.snapshot_create),
    (["snapshot", "list", "--volume", "v", "--limit", "1"], block_storage.snapshot_list),
    (["snapshot", "show", "s"], block_storage.snapshot_show),
    (["snapshot", "delete", "s"], block_storage.snapshot_delete),
])
def test_command_set(argv, func):
    assert app.parse_args(argv).func is func


def test_create_request_carries_everything():
    args = app.parse_args([
        "volume", "create", "db", "--size", "20", "--type", "fast",
        "--availability-zone", "zone1", "--property", "app=db", "--property", "k=a=b",
        "--request-id", "rid-1", "--wait"])
    request = block_storage.create_volume_request(args, "rid-1")
    assert request == pb.CreateVolumeRequest(
        request_id="rid-1", name="db", size_gb=20, volume_type="fast",
        availability_zone="zone1", metadata={"app": "db", "k": "a=b"})
    assert request.WhichOneof("source") is None
    assert (args.wait, args.json) == (True, False)


@pytest.mark.parametrize("flag, field", [("--snapshot", "snapshot_id"),
                                         ("--image", "image_id"),
                                         ("--source-volume", "source_volume_id")])
def test_a_source_fills_the_oneof_and_makes_size_optional(flag, field):
    args = app.parse_args(["volume", "create", "copy", flag, "src-1"])
    request = block_storage.create_volume_request(args, "rid")
    assert request.WhichOneof("source") == field
    assert getattr(request, field) == "src-1" and request.size_gb == 0


def test_size_is_required_without_a_source(capsys):
    assert "--size" in _usage_error(["volume", "create", "data"], capsys)


@pytest.mark.parametrize("sources", [
    ["--snapshot", "s", "--image", "i"],
    ["--image", "i", "--source-volume", "v"],
    ["--snapshot", "s", "--source-volume", "v"],
])
def test_sources_are_mutually_exclusive(sources, capsys):
    assert "not allowed with" in _usage_error(["volume", "create", "x", *sources], capsys)


@pytest.mark.parametrize("argv", [
    ["volume"], ["volume", "create"], ["volume", "create", "x", "--size", "0"],
    ["volume", "create", "x", "--size", "big"], ["volume", "extend", "v"],
    ["volume", "extend", "v", "--size", "-1"], ["volume", "attach", "v"],
    ["volume", "show"], ["snapshot", "create"], ["snapshot", "create", "--volume", "v",
                                                 "--property", "novalue"],
    ["volume-type", "show", "x"], ["snapshot", "list", "--limit", "0"],
])
def test_usage_errors_exit_2(argv, capsys):
    _usage_error(argv, capsys)


def test_detach_server_is_optional():
    assert app.parse_args(["volume", "detach", "v"]).server is None
    assert app.parse_args(["volume", "detach", "v", "--server", "s"]).server == "s"


def test_snapshot_create_options():
    args = app.parse_args(["snapshot", "create", "--volume", "v", "--name", "nightly",
                           "--property", "keep=7"])
    assert (args.volume, args.name, args.properties) == ("v", "nightly", [("keep", "7")])
    assert args.request_id is None and args.wait is False


def test_volume_report_shows_the_volume():
    console, out, _ = _console()
    volume = pb.Volume(id="vol-1", name="db", status=pb.Volume.IN_USE, size_gb=20)
    assert operations.report_done(console, _op(volume), "rid-1") == 0
    fields = dict(line.split(None, 1) for line in out.getvalue().splitlines()[1:5])
    assert fields == {"id": "vol-1", "name": "db", "status": "in-use", "size_gb": "20"}


def test_snapshot_report_json_has_request_id_operation_and_snapshot():
    console, out, _ = _console(json_mode=True)
    snapshot = pb.Snapshot(id="snap-1", volume_id="vol-1", status=pb.Snapshot.AVAILABLE)
    operations.report_done(console, _op(snapshot, verb="CreateSnapshot"), "rid-2")
    doc = json.loads(out.getvalue())
    assert doc["request_id"] == "rid-2"
    assert doc["snapshot"] == {"id": "snap-1", "volume_id": "vol-1", "status": "AVAILABLE"}
    assert doc["operation"]["done"] is True


def test_delete_report_prints_done():
    console, out, _ = _console()
    operations.report_done(console, _op(empty_pb2.Empty(), verb="DeleteVolume"))
    assert out.getvalue() == "DeleteVolume vol-1 done\n"


def test_failed_operation_prints_field_violations_and_exits_1():
    console, out, err = _console()
    status = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="bad size")
    status.details.add().Pack(error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(
            field="new_size_gb", description="must be larger than 20")]))
    assert operations.report_done(console, _op(error=status)) == 1
    assert out.getvalue() == ""
    assert err.getvalue().splitlines() == ["error: INVALID_ARGUMENT: bad size",
                                           "  field new_size_gb: must be larger than 20"]


def test_show_views_differ_by_message():
    console, out, _ = _console()
    block_storage._show(console, pb.Snapshot(id="snap-1", status=pb.Snapshot.DELETING))
    assert "deleting" in out.getvalue()
    assert "attachments" not in out.getvalue()
