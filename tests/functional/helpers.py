"""Small client-side helpers shared by the functional tests."""

from __future__ import annotations

import time
import uuid

import grpc
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from translator.api.v1 import compute_pb2, compute_pb2_grpc


def compute(channel) -> compute_pb2_grpc.ComputeStub:
    return compute_pb2_grpc.ComputeStub(channel)


def operations(channel) -> operations_pb2_grpc.OperationsStub:
    return operations_pb2_grpc.OperationsStub(channel)


def rid() -> str:
    return str(uuid.uuid4())


def wait(channel, op: operations_pb2.Operation, timeout: float = 30.0):
    """WaitOperation until done (the server caps each wait); returns the finished Operation."""
    stub = operations(channel)
    deadline = time.monotonic() + timeout
    while not op.done:
        assert time.monotonic() < deadline, f"{op.name} not done in {timeout}s"
        op = stub.WaitOperation(operations_pb2.WaitOperationRequest(
            name=op.name, timeout=duration_pb2.Duration(seconds=5)), timeout=10)
    return op


def eventually(check, timeout: float = 10.0, interval: float = 0.1) -> None:
    """Wait until ``check()`` is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not true within {timeout}s: {check}"
        time.sleep(interval)


def server_of(op: operations_pb2.Operation) -> compute_pb2.Server:
    assert not op.HasField("error"), op.error
    server = compute_pb2.Server()
    assert op.response.Unpack(server), op.response.type_url
    return server


def create_server(channel, name="web", request_id=None, **fields) -> compute_pb2.Server:
    fields.setdefault("flavor", "Small Instance")
    fields.setdefault("image", "Debian 12")
    op = compute(channel).CreateServer(compute_pb2.CreateServerRequest(
        request_id=request_id or rid(), name=name, **fields))
    return server_of(wait(channel, op))


def details(error: grpc.RpcError) -> dict:
    """The google.rpc.Status details of a failed call, by type name."""
    status = rpc_status.from_call(error)
    found = {}
    for detail in status.details if status else []:
        for cls in (error_details_pb2.ErrorInfo, error_details_pb2.BadRequest,
                    error_details_pb2.RetryInfo):
            if detail.Is(cls.DESCRIPTOR):
                msg = cls()
                detail.Unpack(msg)
                found[cls.__name__] = msg
    return found
