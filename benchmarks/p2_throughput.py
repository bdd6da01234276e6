"""P2: throughput of a cached read (ListFlavors) relative to the bare echo server.

At each client concurrency (1, 16, 64) and in every round, the echo server
and the translator are each driven for the same fixed time by the same
``grpc.aio`` load generator, the order alternating between rounds. A round's
figure is requests/s(translator) ÷ requests/s(echo); ListFlavors is answered
from the driver's warm cache, so this measures the serving path itself.

P2-floor@c is the same ratio for a bare server that answers ListFlavors with
the translator's own response bytes, prebuilt (echo_server.CannedProcess),
called through the same typed stub: the cost of a real method returning that
payload with no work at all, i.e. the best any server can reach on P2.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from common import Settings, channel_pool, deployment, ratios
from echo_server import CannedProcess, EchoProcess, aio_echo
from results import Figure, Part, Target

from translator.api.v1 import compute_pb2, compute_pb2_grpc

ID = "P2"
FLOOR = "P2-floor"
CONCURRENCY = (1, 16, 64)
#: Channels (so TCP connections) the load is spread over, at most.
POOL = 4
CALL_TIMEOUT = 10.0

Call = Callable[[int], Awaitable[object]]


def declare() -> list[Figure]:
    return [Figure(f"{ID}@{c}", f"ListFlavors (cached) req/s ÷ echo req/s, {c} in flight",
                   target=Target(">=", 0.8)) for c in CONCURRENCY] + [
        Figure(f"{FLOOR}@{c}", f"the same for a bare server answering ListFlavors with the "
               f"translator's response bytes, prebuilt: the best any server can do, {c} in flight")
        for c in CONCURRENCY]


async def requests_per_second(call: Call, concurrency: int, duration: float,
                              warmup: float) -> float:
    """Calls completed per second by ``concurrency`` sequential callers over ``duration``
    seconds, after ``warmup`` seconds of the same load that are not counted."""
    begin = time.monotonic() + warmup
    end = begin + duration

    async def caller(index: int) -> int:
        done = 0
        while time.monotonic() < end:
            await call(index)
            if begin <= time.monotonic() <= end:
                done += 1
        return done

    counts = await asyncio.gather(*(caller(i) for i in range(concurrency)))
    return sum(counts) / duration


async def _measure(settings: Settings, translator_address: str, echo_address: str,
                   canned_address: str, figures: dict[str, Figure]) -> None:
    rounds, duration, warmup = settings.pick((3, 3.0, 0.5), (2, 1.0, 0.2))
    request = compute_pb2.ListFlavorsRequest(page_size=100)
    payload = request.SerializeToString()
    translator_pool = channel_pool(translator_address, POOL)
    echo_pool = channel_pool(echo_address, POOL)
    canned_pool = channel_pool(canned_address, POOL)
    try:
        list_flavors = [compute_pb2_grpc.ComputeStub(c).ListFlavors for c in translator_pool]
        canned = [compute_pb2_grpc.ComputeStub(c).ListFlavors for c in canned_pool]
        echo = [aio_echo(c) for c in echo_pool]
        warm = await list_flavors[0](request, timeout=CALL_TIMEOUT)
        if not warm.flavors or await echo[0](payload, timeout=CALL_TIMEOUT) != payload:
            raise RuntimeError("ListFlavors returned no flavors, or the echo did not echo")
        if await canned[0](request, timeout=CALL_TIMEOUT) != warm:
            raise RuntimeError("the canned server did not answer the translator's response")

        def spread(methods: list, message: object, concurrency: int) -> Call:
            width = min(concurrency, len(methods))
            return lambda i: methods[i % width](message, timeout=CALL_TIMEOUT)

        rates: dict[int, dict[str, list[float]]] = {
            c: {"echo": [], "translator": [], "floor": []} for c in CONCURRENCY}
        for index in range(rounds):
            for concurrency in CONCURRENCY:
                calls = {"echo": spread(echo, payload, concurrency),
                         "translator": spread(list_flavors, request, concurrency),
                         "floor": spread(canned, request, concurrency)}
                order = ["echo", "translator", "floor"]
                order = order[index % 3:] + order[:index % 3]
                for name in order:
                    rates[concurrency][name].append(await requests_per_second(
                        calls[name], concurrency, duration, warmup))
    finally:
        for channel in translator_pool + echo_pool + canned_pool:
            await channel.close()
    for concurrency in CONCURRENCY:
        figure = figures[f"{ID}@{concurrency}"]
        echo_rates = rates[concurrency]["echo"]
        translator_rates = rates[concurrency]["translator"]
        figure.samples = ratios(translator_rates, echo_rates)
        figures[f"{FLOOR}@{concurrency}"].samples = ratios(rates[concurrency]["floor"],
                                                           echo_rates)
        figure.notes = [
            f"{rounds} rounds of {duration:g} s (after {warmup:g} s warm-up), "
            f"{min(concurrency, POOL)} channel(s)",
            "echo req/s per round: " + ", ".join(f"{r:.0f}" for r in echo_rates),
            "translator req/s per round: " + ", ".join(f"{r:.0f}" for r in translator_rates),
            "canned ListFlavors req/s per round: "
            + ", ".join(f"{r:.0f}" for r in rates[concurrency]["floor"])]


def run(settings: Settings, figures: dict[str, Figure]) -> None:
    with contextlib.ExitStack() as stack:
        dep = stack.enter_context(deployment(settings.workdir / "p2"))
        echo = EchoProcess()
        stack.callback(echo.stop)
        canned = CannedProcess("translator.v1.Compute", "ListFlavors",
                               _translator_response(dep.translator.address))
        stack.callback(canned.stop)
        asyncio.run(_measure(settings, dep.translator.address, echo.address, canned.address,
                             figures))


def _translator_response(address: str) -> bytes:
    """The bytes of the translator's own ListFlavors answer, for the canned floor server."""
    import grpc  # noqa: PLC0415

    with grpc.insecure_channel(address) as channel:
        answer = compute_pb2_grpc.ComputeStub(channel).ListFlavors(
            compute_pb2.ListFlavorsRequest(page_size=100), timeout=CALL_TIMEOUT)
    return answer.SerializeToString()


PARTS = [Part(ID, declare, run)]
