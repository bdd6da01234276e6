"""gRPC errors → message and exit code, from real google.rpc.Status details."""

from __future__ import annotations

import json

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from translator.cli import errors


def _packed(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def _status() -> status_pb2.Status:
    return status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="bad server request",
                             details=[
        _packed(error_details_pb2.ErrorInfo(
            reason="INVALID_INPUT", domain="translator",
            metadata={"backend": "cloudstack", "backend_code": "431"})),
        _packed(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(
                field="user_data", description="larger than 32768 bytes"),
            error_details_pb2.BadRequest.FieldViolation(
                field="name", description="must not be empty")])),
        _packed(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=2))),
    ])


class FakeRpcError(grpc.RpcError, grpc.Call):
    """What a failed unary call raises: code, details and trailing metadata."""

    def __init__(self, code: grpc.StatusCode, details: str, trailers=()) -> None:
        self._code, self._details, self._trailers = code, details, tuple(trailers)

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailers

    # grpc.Call's other abstract methods, unused here
    def initial_metadata(self):
        return ()

    def is_active(self):
        return False

    def time_remaining(self):
        return None

    def cancel(self):
        return False

    def add_callback(self, callback):
        return False


def _rpc_error(status: status_pb2.Status) -> FakeRpcError:
    rich = rpc_status.to_status(status)
    return FakeRpcError(rich.code, rich.details, rich.trailing_metadata)


def test_text_has_code_message_and_every_detail():
    text = errors.format_text(errors.from_status(_status()))
    assert text.splitlines() == [
        "error: INVALID_ARGUMENT: bad server request",
        "  reason: INVALID_INPUT [backend=cloudstack, backend_code=431]",
        "  field user_data: larger than 32768 bytes",
        "  field name: must not be empty",
        "  retry after 2s",
    ]


def test_rpc_error_details_are_read_from_the_trailers():
    failure = errors.from_rpc_error(_rpc_error(_status()), "127.0.0.1:50051")
    assert failure.code == "INVALID_ARGUMENT"
    assert failure.exit_code == errors.EXIT_SERVER
    assert [type(d) for d in failure.details] == [
        error_details_pb2.ErrorInfo, error_details_pb2.BadRequest, error_details_pb2.RetryInfo]


def test_not_found_reads_like_a_sentence():
    status = status_pb2.Status(code=code_pb2.NOT_FOUND, message="flavor 'huge' not found")
    failure = errors.from_rpc_error(_rpc_error(status), "h:1")
    assert errors.format_text(failure) == "error: NOT_FOUND: flavor 'huge' not found"
    assert failure.exit_code == 1


def test_unavailable_without_details_is_an_unreachable_server():
    error = FakeRpcError(grpc.StatusCode.UNAVAILABLE, "failed to connect to all addresses")
    failure = errors.from_rpc_error(error, "127.0.0.1:1")
    assert failure.exit_code == errors.EXIT_UNREACHABLE
    assert "127.0.0.1:1" in failure.message


def test_unavailable_from_the_server_is_a_server_error():
    status = status_pb2.Status(code=code_pb2.UNAVAILABLE, message="CloudStack is down", details=[
        _packed(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(nanos=500_000_000)))])
    failure = errors.from_rpc_error(_rpc_error(status), "h:1")
    assert failure.exit_code == errors.EXIT_SERVER
    assert errors.format_text(failure).endswith("  retry after 0.5s")


def test_json_error_is_code_message_details():
    doc = json.loads(errors.format_json(errors.from_status(_status())))
    assert doc["code"] == "INVALID_ARGUMENT"
    assert doc["message"] == "bad server request"
    assert doc["details"][0] == {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "INVALID_INPUT",
        "domain": "translator", "metadata": {"backend": "cloudstack", "backend_code": "431"}}
    assert doc["details"][1]["field_violations"][0]["field"] == "user_data"
    assert doc["details"][2]["retry_delay"] == "2s"


def test_unknown_detail_types_are_named_not_dropped():
    unknown = any_pb2.Any(type_url="type.googleapis.com/acme.Mystery", value=b"\x08\x01")
    status = status_pb2.Status(code=code_pb2.INTERNAL, message="odd", details=[unknown])
    failure = errors.from_status(status)
    assert "  detail: type.googleapis.com/acme.Mystery" in errors.format_text(failure)
    assert errors.to_dict(failure)["details"] == [
        {"@type": "type.googleapis.com/acme.Mystery"}]


def test_mismatched_details_trailer_does_not_crash():
    status = status_pb2.Status(code=code_pb2.NOT_FOUND, message="gone")
    trailers = rpc_status.to_status(status).trailing_metadata
    error = FakeRpcError(grpc.StatusCode.INTERNAL, "something else", trailers)
    failure = errors.from_rpc_error(error, "h:1")
    assert (failure.code, failure.message) == ("INTERNAL", "something else")


def test_failed_mutating_call_shows_its_request_id():
    failure = errors.Failure("DEADLINE_EXCEEDED", "no answer", request_id="rid-7")
    assert errors.format_text(failure).splitlines()[-1] == (
        "  request_id: rid-7 (to retry without acting twice, pass --request-id rid-7)")
    assert errors.to_dict(failure)["request_id"] == "rid-7"
    assert "request_id" not in errors.to_dict(errors.Failure("NOT_FOUND", "x"))
