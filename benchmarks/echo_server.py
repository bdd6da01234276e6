"""The bare baseline: a ``grpc.aio`` server whose one method returns the request bytes.

It runs in its own process, as the translator does, with the same server
options; a figure divided by the echo server's, measured in the same run,
isolates the translator's own work from gRPC, Python and the machine.
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
from common import PipeProcess

SERVICE = "bench.Echo"
METHOD = f"/{SERVICE}/Echo"
#: The translator's own server options (translator/service/app.py).
SERVER_OPTIONS = [("grpc.max_receive_message_length", 4 * 1024 * 1024),
                  ("grpc.so_reuseport", 0)]


def _identity(data: bytes) -> bytes:
    return data


async def _echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
    return request


def handler() -> grpc.GenericRpcHandler:
    """ONE generic unary-unary method with identity (de)serializers."""
    method = grpc.unary_unary_rpc_method_handler(
        _echo, request_deserializer=_identity, response_serializer=_identity)
    return grpc.method_handlers_generic_handler(SERVICE, {"Echo": method})


async def serve_until_told(conn: Any, generic_handler: grpc.GenericRpcHandler) -> None:
    """Serve ``generic_handler`` on an ephemeral loopback port, send the port to the parent,
    and stop at the parent's next message (or when it goes away); no extra thread."""
    server = grpc.aio.server(options=SERVER_OPTIONS)
    server.add_generic_rpc_handlers((generic_handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_reader(conn.fileno(), stop.set)
    conn.send(("ok", port))
    await stop.wait()
    await server.stop(1)
    if conn.poll():
        try:
            conn.recv()
            conn.send(("ok", None))
        except (EOFError, OSError):
            pass


async def _serve(conn: Any) -> None:
    await serve_until_told(conn, handler())


def _main(conn: Any) -> None:
    """Child process entry point."""
    asyncio.run(_serve(conn))


class EchoProcess(PipeProcess):
    """The echo server in its own process; stop() ends it."""

    def __init__(self) -> None:
        super().__init__(_main)
        self.address = f"127.0.0.1:{self.hello}"


def sync_echo(channel: grpc.Channel) -> grpc.UnaryUnaryMultiCallable:
    """The echo method on a blocking channel: bytes in, the same bytes out."""
    return channel.unary_unary(METHOD)


def aio_echo(channel: grpc.aio.Channel) -> grpc.aio.UnaryUnaryMultiCallable:
    """The echo method on an asyncio channel."""
    return channel.unary_unary(METHOD)


def canned_handler(service: str, method: str, response: bytes) -> grpc.GenericRpcHandler:
    """ONE method of ``service`` that answers every call with the same serialized bytes."""
    async def answer(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        return response

    handler_ = grpc.unary_unary_rpc_method_handler(
        answer, request_deserializer=_identity, response_serializer=_identity)
    return grpc.method_handlers_generic_handler(service, {method: handler_})


def _main_canned(conn: Any, service: str, method: str, response: bytes) -> None:
    """Child process entry point of a CannedProcess."""
    asyncio.run(serve_until_told(conn, canned_handler(service, method, response)))


class CannedProcess(PipeProcess):
    """A bare server answering one real method (e.g. translator.v1.Compute/ListFlavors) with
    a fixed response: real stubs can call it, and it does no work of its own."""

    def __init__(self, service: str, method: str, response: bytes) -> None:
        super().__init__(_main_canned, service, method, response)
        self.address = f"127.0.0.1:{self.hello}"
