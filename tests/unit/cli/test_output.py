"""Tables, field views, JSON and Any unpacking."""

from __future__ import annotations

import io
import json

from google.longrunning import operations_pb2
from google.protobuf import empty_pb2
from google.rpc import code_pb2, status_pb2

from translator.api.v1 import capabilities_pb2, common_pb2, compute_pb2
from translator.cli import errors, output


def _server() -> compute_pb2.Server:
    return compute_pb2.Server(
        id="vm-1", name="web", status=compute_pb2.Server.ACTIVE, flavor_name="Small Instance",
        image_id="img-1", metadata={"role": "web", "env": "test"},
        addresses=[compute_pb2.Address(network="default", ip="10.1.1.5"),
                   compute_pb2.Address(network="default", ip="fd00::5"),
                   compute_pb2.Address(network="dmz", ip="192.168.0.9")])


def _operation(response=None, error=None, **meta) -> operations_pb2.Operation:
    op = operations_pb2.Operation(name="operations/abc", done=response is not None or bool(error))
    op.metadata.Pack(common_pb2.OperationMetadata(**meta))
    if response is not None:
        op.response.Pack(response)
    if error is not None:
        op.error.CopyFrom(error)
    return op


def test_table_columns_align():
    text = output.table(("ID", "NAME"), [("1", "a-long-name"), ("22222", "b")])
    lines = text.splitlines()
    assert lines == ["ID     NAME", "1      a-long-name", "22222  b"]
    assert len({line.index(line.split()[1]) for line in lines}) == 1


def test_table_flattens_multiline_cells():
    assert output.table(("K",), [("a\nb",)]).splitlines() == ["K", "a b"]


def test_server_list_columns():
    text = output.columns_table(output.SERVER_COLUMNS, [_server()])
    header, row = text.splitlines()
    assert header.split() == ["ID", "NAME", "STATUS", "FLAVOR", "IMAGE", "ADDRESSES"]
    assert row.startswith("vm-1  web   ACTIVE  Small Instance  img-1  ")
    assert row.endswith("default=10.1.1.5, fd00::5; dmz=192.168.0.9")


def test_show_fields_follow_the_message():
    pairs = dict(output.message_fields(_server()))
    assert list(pairs)[:3] == ["id", "name", "status"]
    assert pairs["status"] == "ACTIVE"
    assert pairs["metadata"] == "env=test, role=web"
    assert pairs["addresses"] == "default=10.1.1.5, default=fd00::5, dmz=192.168.0.9"
    assert pairs["create_time"] == ""
    text = output.fields_table(output.message_fields(_server()))
    assert text.splitlines()[0].split() == ["FIELD", "VALUE"]


def test_json_keeps_proto_field_names():
    doc = json.loads(json.dumps(output.to_dict(_server())))
    assert doc["flavor_name"] == "Small Instance"
    assert doc["status"] == "ACTIVE"


def test_server_response_is_unpacked():
    op = _operation(_server(), verb="CreateServer", progress_percent=100)
    assert output.response(op) == _server()
    assert output.result_text(op) == "server vm-1 ACTIVE"
    doc = json.loads(json.dumps(output.to_dict(op)))
    assert doc["response"]["@type"] == "type.googleapis.com/translator.v1.Server"
    assert doc["metadata"]["verb"] == "CreateServer"


def test_empty_response_is_unpacked():
    op = _operation(empty_pb2.Empty(), verb="DeleteServer")
    assert isinstance(output.response(op), empty_pb2.Empty)
    assert output.result_text(op) == "done"


def test_running_operation_has_no_response():
    op = _operation(verb="CreateServer", progress_percent=40, progress_estimated=True)
    assert output.response(op) is None
    assert output.percent(output.metadata(op)) == "~40%"
    assert dict(output.operation_fields(op))["progress"] == "~40%"


def test_failed_operation_result():
    error = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message="no capacity")
    op = _operation(error=error, verb="CreateServer")
    assert output.result_text(op) == "RESOURCE_EXHAUSTED: no capacity"


def test_capabilities_text():
    reply = capabilities_pb2.GetCapabilitiesResponse(apis=[capabilities_pb2.ApiCapabilities(
        api="compute", driver="cloudstack", notes=["resize applies at once"],
        operations=[capabilities_pb2.OperationCapability(
            name="CreateServer", supported=True, options=[capabilities_pb2.OptionCapability(
                name="security_groups", supported=False, note="basic zones only")])])])
    lines = output.capabilities_text(reply).splitlines()
    assert lines[0] == "API compute (driver: cloudstack)"
    assert lines[2].split() == ["CreateServer", "yes"]
    assert lines[3].split()[:3] == ["option", "security_groups", "no"]
    assert lines[-1] == "  - resize applies at once"


def test_console_failure_goes_to_stderr():
    out, err = io.StringIO(), io.StringIO()
    failure = errors.Failure("NOT_FOUND", "no such server")
    assert output.Console(True, out, err).failure(failure) == 1
    assert out.getvalue() == ""
    assert json.loads(err.getvalue())["code"] == "NOT_FOUND"
