"""P1: the translator's own overhead on GetServer, in units of a bare gRPC round trip.

Per round, three sequential latencies (one call in flight) are measured:
the echo server's round trip, the direct libcloud call the CloudStack driver
makes (listVirtualMachines by id, to the same simulator), and GetServer
through the translator. The round's figure is
(translator − direct) ÷ echo: how many bare round trips the translator adds
on top of the backend call it cannot avoid. The same blocking gRPC client
kind is used for the echo server and the translator.
"""

from __future__ import annotations

import contextlib
import statistics
import time
import urllib.parse
from collections.abc import Callable

import grpc
from common import Settings, deployment, ratios
from echo_server import EchoProcess, sync_echo
from floor_server import FloorProcess, sync_floor
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider
from results import Figure, Part, Target

from translator.api.v1 import compute_pb2, compute_pb2_grpc

ID = "P1"
FLOOR_ID = "P1-floor"
CALL_TIMEOUT = 10.0
#: Calls of one kind in a row before the next kind takes its turn.
BLOCK = 10


def declare() -> list[Figure]:
    return [Figure(ID, "GetServer overhead: (translator − direct libcloud) ÷ echo round trip",
                   target=Target("<=", 1.5)),
            Figure(FLOOR_ID, "the same for a bare grpc.aio server doing the direct call in a "
                   "thread pool: the least any server keeping libcloud off its event loop adds")]


def direct_call(overrides: dict[str, dict[str, object]], vm_id: str) -> Callable[[], dict]:
    """libcloud's CloudStack connection doing listVirtualMachines(id=…), as the driver does."""
    options = overrides["cloudstack"]
    url = urllib.parse.urlsplit(str(options["endpoint"]))
    driver = get_driver(Provider.CLOUDSTACK)(
        str(options["api_key"]), str(options["secret_key"]), host=url.hostname,
        port=url.port, path=url.path, secure=False)
    connection = driver.connection

    def call() -> dict:
        return connection._sync_request(command="listVirtualMachines", params={"id": vm_id},
                                        method="GET")
    return call


def interleaved_medians(calls: dict[str, Callable[[], object]], order: list[str], count: int,
                        warmup: int) -> dict[str, float]:
    """Median seconds of ``count`` sequential calls of each kind, after ``warmup`` unmeasured
    ones. The kinds take turns in blocks of BLOCK calls, so a change in the machine's speed
    during the round hits all three alike instead of skewing their differences."""
    for name in order:
        for _ in range(warmup):
            calls[name]()
    times: dict[str, list[float]] = {name: [] for name in order}
    for _ in range(count // BLOCK):
        for name in order:
            call, record = calls[name], times[name].append
            for _ in range(BLOCK):
                start = time.perf_counter()
                call()
                record(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def run(settings: Settings, figures: dict[str, Figure]) -> None:
    figure = figures[ID]
    rounds, count, warmup = settings.pick((5, 300, 50), (2, 100, 20))
    with contextlib.ExitStack() as stack:
        dep = stack.enter_context(deployment(settings.workdir / "p1"))
        echo = EchoProcess()
        stack.callback(echo.stop)
        vm_id = dep.sim.call("seed_virtual_machines", 1)[0]
        translator = stack.enter_context(grpc.insecure_channel(dep.translator.address))
        echo_channel = stack.enter_context(grpc.insecure_channel(echo.address))
        request = compute_pb2.GetServerRequest(id=vm_id)
        payload = request.SerializeToString()
        get_server = compute_pb2_grpc.ComputeStub(translator).GetServer
        echo_method = sync_echo(echo_channel)
        direct = direct_call(dep.sim.overrides, vm_id)
        floor = FloorProcess(dep.sim.overrides, vm_id)
        stack.callback(floor.stop)
        floor_method = sync_floor(stack.enter_context(grpc.insecure_channel(floor.address)))
        calls: dict[str, Callable[[], object]] = {
            "echo": lambda: echo_method(payload, timeout=CALL_TIMEOUT),
            "direct": direct,
            "translator": lambda: get_server(request, timeout=CALL_TIMEOUT),
            "floor": lambda: floor_method(payload, timeout=CALL_TIMEOUT),
        }
        _check(calls, vm_id, payload)
        medians: dict[str, list[float]] = {name: [] for name in calls}
        names = list(calls)
        for index in range(rounds):
            order = names[index % len(names):] + names[:index % len(names)]
            for name, median in interleaved_medians(calls, order, count, warmup).items():
                medians[name].append(median)
    figure.samples = ratios([t - d for t, d in zip(medians["translator"], medians["direct"],
                                                   strict=True)], medians["echo"])
    figures[FLOOR_ID].samples = ratios([f - d for f, d in zip(
        medians["floor"], medians["direct"], strict=True)], medians["echo"])
    figure.notes = [f"{rounds} rounds of {count} sequential calls of each kind after {warmup} "
                    f"warm-up, interleaved in blocks of {BLOCK} (blocking gRPC stubs)"] + [
        f"{name} median latency per round: "
        + ", ".join(f"{v * 1e6:.0f}" for v in values) + " µs"
        for name, values in medians.items()]


def _check(calls: dict[str, Callable[[], object]], vm_id: str, payload: bytes) -> None:
    """Each of the three calls answers what it should before any is timed."""
    if calls["echo"]() != payload:
        raise RuntimeError("the echo server did not echo")
    listed = calls["direct"]().get("virtualmachine") or []
    if [vm.get("id") for vm in listed] != [vm_id]:
        raise RuntimeError(f"the direct call did not find VM {vm_id}")
    if calls["translator"]().id != vm_id:
        raise RuntimeError(f"GetServer did not return server {vm_id}")


PARTS = [Part(ID, declare, run)]
