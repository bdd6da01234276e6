"""The floor under P1: a bare ``grpc.aio`` server that makes the backend call in a thread pool.

Its one method runs the very libcloud call the CloudStack driver makes
(listVirtualMachines by id) with ``run_in_executor`` and returns the raw JSON.
That is the least any design can cost that keeps a blocking backend client
off the event loop (DESIGN.md requires it): one gRPC round trip plus one
hand-off to a worker thread and back. (floor − direct) ÷ echo is therefore the
best P1 any such server can reach on this machine, measured in the same run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from typing import Any

import grpc
from common import PipeProcess
from echo_server import serve_until_told

SERVICE = "bench.Floor"
METHOD = f"/{SERVICE}/GetServer"


def _identity(data: bytes) -> bytes:
    return data


async def _serve(conn: Any, overrides: dict, vm_id: str) -> None:
    from p1_overhead import direct_call  # noqa: PLC0415 - only in the child process

    call = direct_call(overrides, vm_id)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=4)

    async def get_server(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        answer = await asyncio.get_running_loop().run_in_executor(pool, call)
        return json.dumps(answer).encode()

    method = grpc.unary_unary_rpc_method_handler(
        get_server, request_deserializer=_identity, response_serializer=_identity)
    try:
        await serve_until_told(
            conn, grpc.method_handlers_generic_handler(SERVICE, {"GetServer": method}))
    finally:
        pool.shutdown(wait=False)


def _main(conn: Any, overrides: dict, vm_id: str) -> None:
    """Child process entry point."""
    asyncio.run(_serve(conn, overrides, vm_id))


class FloorProcess(PipeProcess):
    """The floor server in its own process; stop() ends it."""

    def __init__(self, overrides: dict, vm_id: str) -> None:
        super().__init__(_main, overrides, vm_id)
        self.address = f"127.0.0.1:{self.hello}"


def sync_floor(channel: grpc.Channel) -> grpc.UnaryUnaryMultiCallable:
    return channel.unary_unary(METHOD)
