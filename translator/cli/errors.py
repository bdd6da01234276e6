"""gRPC errors → one clear message and an exit code.

The server sends google.rpc.Status with details (ErrorInfo, BadRequest,
RetryInfo); those are read with grpc_status and printed as indented lines under
``error: CODE: message``. An UNAVAILABLE without any details never reached a
translator server (connection refused, DNS, TLS), so it says which endpoint
could not be reached and exits 3, distinct from errors the server reported (1).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable

import grpc
from google.protobuf import any_pb2, descriptor_pool, json_format, message, message_factory
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

EXIT_OK = 0
EXIT_SERVER = 1  # the server (or the operation) reported an error
EXIT_USAGE = 2  # argparse's own exit code for bad command lines
EXIT_UNREACHABLE = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


@dataclasses.dataclass
class Failure:
    """An error ready to print: code name, message and the unpacked status details."""

    code: str
    message: str
    details: list[message.Message] = dataclasses.field(default_factory=list)
    exit_code: int = EXIT_SERVER
    # The request_id of the mutating call that failed: retrying with it is safe
    # even when the failure (a timeout, a lost connection) hides whether it acted.
    request_id: str | None = None


class CliError(Exception):
    """A failure found by the client itself (bad local file, failed operation)."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def usage_error(text: str) -> CliError:
    """A problem with what the user asked for, found before any RPC (exit 2)."""
    return CliError(Failure("INVALID_ARGUMENT", text, exit_code=EXIT_USAGE))


def positive_int(text: str) -> int:
    """An argparse type: a whole number above zero (else a usage error, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be greater than 0")
    return value


def unpack_any(packed: any_pb2.Any) -> message.Message | None:
    """The message inside an Any, or None when its type is not linked into this client."""
    try:
        descriptor = descriptor_pool.Default().FindMessageTypeByName(packed.TypeName())
    except KeyError:
        return None
    unpacked = message_factory.GetMessageClass(descriptor)()
    return unpacked if packed.Unpack(unpacked) else None


def from_status(status: status_pb2.Status) -> Failure:
    """A Failure from a google.rpc.Status (an RPC's or a finished Operation.error)."""
    details = [unpack_any(d) or d for d in status.details]
    try:
        code = code_pb2.Code.Name(status.code)
    except ValueError:
        code = str(status.code)
    return Failure(code, status.message, details, EXIT_SERVER)


def from_rpc_error(error: grpc.RpcError, endpoint: str) -> Failure:
    """A Failure from a failed call, telling an unreachable server from a server error."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    text = error.details() if hasattr(error, "details") else str(error)
    try:
        status = rpc_status.from_call(error)
    except (ValueError, AttributeError):  # a details trailer that contradicts the call
        status = None
    if status is not None:
        return from_status(status)
    if code == grpc.StatusCode.UNAVAILABLE:
        return Failure("UNAVAILABLE", f"cannot reach the translator server at {endpoint}: {text}",
                       exit_code=EXIT_UNREACHABLE)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        text = f"no answer from {endpoint} in time ({text}); raise --timeout?"
    return Failure(code.name, text or "", exit_code=EXIT_SERVER)


def _seconds(duration) -> str:
    total = duration.seconds + duration.nanos / 1e9
    return f"{total:g}s"


def _error_info(info: error_details_pb2.ErrorInfo) -> list[str]:
    line = f"reason: {info.reason}"
    if info.domain and info.domain != "translator":
        line += f" ({info.domain})"
    extra = ", ".join(f"{k}={v}" for k, v in sorted(info.metadata.items()))
    return [f"{line} [{extra}]" if extra else line]


def _bad_request(bad: error_details_pb2.BadRequest) -> list[str]:
    return [f"field {v.field}: {v.description}" for v in bad.field_violations]


def _precondition(pre: error_details_pb2.PreconditionFailure) -> list[str]:
    return [f"precondition {v.type} {v.subject}: {v.description}" for v in pre.violations]


def _quota(quota: error_details_pb2.QuotaFailure) -> list[str]:
    return [f"quota {v.subject}: {v.description}" for v in quota.violations]


def _resource(res: error_details_pb2.ResourceInfo) -> list[str]:
    return [f"resource {res.resource_type} {res.resource_name}: {res.description}".rstrip(": ")]


def _help(help_: error_details_pb2.Help) -> list[str]:
    return [f"see {link.url} ({link.description})" for link in help_.links]


# One formatter per detail type (a table, not an if/elif chain).
_FORMATTERS: dict[type, Callable[[message.Message], list[str]]] = {
    error_details_pb2.ErrorInfo: _error_info,
    error_details_pb2.BadRequest: _bad_request,
    error_details_pb2.RetryInfo: lambda r: [f"retry after {_seconds(r.retry_delay)}"],
    error_details_pb2.PreconditionFailure: _precondition,
    error_details_pb2.QuotaFailure: _quota,
    error_details_pb2.ResourceInfo: _resource,
    error_details_pb2.Help: _help,
    error_details_pb2.LocalizedMessage: lambda m: [m.message],
    error_details_pb2.DebugInfo: lambda d: [f"debug: {d.detail}"] if d.detail else [],
}


def detail_lines(detail: message.Message) -> list[str]:
    """Human lines for one status detail; unknown types are named, not dropped."""
    formatter = _FORMATTERS.get(type(detail))
    if formatter is not None:
        return formatter(detail)
    if isinstance(detail, any_pb2.Any):
        return [f"detail: {detail.type_url}"]
    return [f"detail {detail.DESCRIPTOR.full_name}: {json_format.MessageToJson(detail)}"]


def format_text(failure: Failure) -> str:
    """``error: CODE: message`` then one indented line per detail."""
    lines = [f"error: {failure.code}: {failure.message}" if failure.message
             else f"error: {failure.code}"]
    for detail in failure.details:
        lines.extend(f"  {line}" for line in detail_lines(detail))
    if failure.request_id:
        lines.append(f"  request_id: {failure.request_id} (to retry without acting twice, "
                     f"pass --request-id {failure.request_id})")
    return "\n".join(lines)


def _detail_dict(detail: message.Message) -> dict:
    if isinstance(detail, any_pb2.Any):
        return {"@type": detail.type_url}
    packed = any_pb2.Any()
    packed.Pack(detail)
    return json_format.MessageToDict(packed, preserving_proto_field_name=True)


def to_dict(failure: Failure) -> dict:
    """The ``--json`` shape of an error: {code, message, details}."""
    doc = {"code": failure.code, "message": failure.message,
           "details": [_detail_dict(d) for d in failure.details]}
    if failure.request_id:
        doc["request_id"] = failure.request_id
    return doc


def format_json(failure: Failure) -> str:
    return json.dumps(to_dict(failure), indent=2)
