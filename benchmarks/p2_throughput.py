"""P2: throughput of a cached read (ListFlavors) relative to the bare echo server.

At each client concurrency (1, 16, 64) and in every round, the echo server
and the translator are each driven for the same fixed time by the same
``grpc.aio`` load generator, the order alternating between rounds. A round's
figure is requests/s(translator) ÷ requests/s(echo); ListFlavors is answered
from the driver's warm cache, so this measures the serving path itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

from common import Settings, channel_pool, deployment, ratios
from echo_server import EchoProcess, aio_echo
from results import Figure, Part, Target

from translator.api.v1 import compute_pb2, compute_pb2_grpc

ID = "P2"
CONCURRENCY = (1, 16, 64)
#: Channels (so TCP connections) the load is spread over, at most.
POOL = 4
CALL_TIMEOUT = 10.0

Call = Callable[[int], Awaitable[object]]


def declare() -> list[Figure]:
    return [Figure(f"{ID}@{c}", f"ListFlavors (cached) req/s ÷ echo req/s, {c} in flight",
                   target=Target(">=", 0.8)) for c in CONCURRENCY]


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
                   figures: dict[str, Figure]) -> None:
    rounds, duration, warmup = settings.pick((3, 3.0, 0.5), (2, 1.0, 0.2))
    request = compute_pb2.ListFlavorsRequest(page_size=100)
    payload = request.SerializeToString()
    translator_pool = channel_pool(translator_address, POOL)
    echo_pool = channel_pool(echo_address, POOL)
    try:
        list_flavors = [compute_pb2_grpc.ComputeStub(c).ListFlavors for c in translator_pool]
        echo = [aio_echo(c) for c in echo_pool]
        warm = await list_flavors[0](request, timeout=CALL_TIMEOUT)
        if not warm.flavors or await echo[0](payload, timeout=CALL_TIMEOUT) != payload:
            raise RuntimeError("ListFlavors returned no flavors, or the echo did not echo")

        def spread(methods: list, message: object, concurrency: int) -> Call:
            width = min(concurrency, len(methods))
            return lambda i: methods[i % width](message, timeout=CALL_TIMEOUT)

        rates: dict[int, dict[str, list[float]]] = {
            c: {"echo": [], "translator": []} for c in CONCURRENCY}
        for index in range(rounds):
            for concurrency in CONCURRENCY:
                calls = {"echo": spread(echo, payload, concurrency),
                         "translator": spread(list_flavors, request, concurrency)}
                order = ["echo", "translator"] if index % 2 == 0 else ["translator", "echo"]
                for name in order:
                    rates[concurrency][name].append(await requests_per_second(
                        calls[name], concurrency, duration, warmup))
    finally:
        for channel in translator_pool + echo_pool:
            await channel.close()
    for concurrency in CONCURRENCY:
        figure = figures[f"{ID}@{concurrency}"]
        echo_rates = rates[concurrency]["echo"]
        translator_rates = rates[concurrency]["translator"]
        figure.samples = ratios(translator_rates, echo_rates)
        figure.notes = [
            f"{rounds} rounds of {duration:g} s (after {warmup:g} s warm-up), "
            f"{min(concurrency, POOL)} channel(s)",
            "echo req/s per round: " + ", ".join(f"{r:.0f}" for r in echo_rates),
            "translator req/s per round: " + ", ".join(f"{r:.0f}" for r in translator_rates)]


def run(settings: Settings, figures: dict[str, Figure]) -> None:
    with contextlib.ExitStack() as stack:
        dep = stack.enter_context(deployment(settings.workdir / "p2"))
        echo = EchoProcess()
        stack.callback(echo.stop)
        asyncio.run(_measure(settings, dep.translator.address, echo.address, figures))


PARTS = [Part(ID, declare, run)]
