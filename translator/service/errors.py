"""Driver and core errors → google.rpc.Status with details.

One table maps each error's code name to a gRPC status code; details carry
ErrorInfo (reason, domain, backend metadata), BadRequest field violations and
RetryInfo for retryable errors. Anything unexpected becomes a generic INTERNAL
whose text reveals nothing; the traceback goes to the log only.
"""

from __future__ import annotations

import functools
import inspect
import logging

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from translator.drivers import exceptions as exc

LOG = logging.getLogger(__name__)

DOMAIN = "translator"
DEFAULT_RETRY_SECONDS = 2.0


def _pack(message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def to_status(error: exc.TranslatorError) -> status_pb2.Status:
    """The google.rpc.Status for a TranslatorError."""
    code = code_pb2.Code.Value(error.code)
    details = [_pack(error_details_pb2.ErrorInfo(
        reason=error.reason, domain=DOMAIN, metadata=error.metadata()))]
    if isinstance(error, exc.InvalidInput) and error.violations:
        details.append(_pack(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in error.violations])))
    if error.retryable:
        delay = error.retry_after if error.retry_after is not None else DEFAULT_RETRY_SECONDS
        retry = error_details_pb2.RetryInfo(
            retry_delay=duration_pb2.Duration(seconds=int(delay), nanos=int(delay % 1 * 1e9)))
        details.append(_pack(retry))
    return status_pb2.Status(code=code, message=error.user_message, details=details)


def internal_status() -> status_pb2.Status:
    return status_pb2.Status(code=code_pb2.INTERNAL,
                             message="internal error; the server log has the details")


def log_error(method: str, error: BaseException) -> None:
    if isinstance(error, exc.TranslatorError):
        level = logging.WARNING if error.code in ("INTERNAL", "UNAVAILABLE") else logging.INFO
        LOG.log(level, "%s failed: %s: %s", method, error.code, error.operator_message)
    else:
        LOG.error("%s failed unexpectedly", method, exc_info=error)


async def abort(context: grpc.aio.ServicerContext, status: status_pb2.Status) -> None:
    await context.abort_with_status(rpc_status.to_status(status))


def handle_errors(method):
    """Decorate a servicer method: typed errors become rich statuses, others INTERNAL."""
    name = method.__name__

    if inspect.isasyncgenfunction(method):
        @functools.wraps(method)
        async def stream_wrapper(self, request, context):
            try:
                async for item in method(self, request, context):
                    yield item
            except Exception as error:  # noqa: BLE001 - the boundary of the service
                await _fail(name, error, context)
        return stream_wrapper

    @functools.wraps(method)
    async def wrapper(self, request, context):
        try:
            return await method(self, request, context)
        except Exception as error:  # noqa: BLE001 - the boundary of the service
            await _fail(name, error, context)
    return wrapper


async def _fail(method: str, error: Exception, context) -> None:
    if _is_abort(error):
        raise error
    log_error(method, error)
    status = to_status(error) if isinstance(error, exc.TranslatorError) else internal_status()
    await abort(context, status)


def _is_abort(error: BaseException) -> bool:
    # context.abort() raises grpc.aio.AbortError; it must pass through untouched.
    return isinstance(error, grpc.aio.AbortError)
