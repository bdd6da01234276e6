"""P6: how the translator scales with the size of the cloud and with a burst of work.

P6a: ListServers over all pages (page_size 500) with 1,000, 5,000 and 10,000
servers seeded in the simulator. Each size has its own simulator and
translator, and every round times all three sizes back to back, so the
round's ratio t(10k)/t(1k) is paired; linear scaling is 10.

P6b: N concurrent CreateServer (distinct request_ids) followed to completion,
on a fresh translator, sampling its thread count and RSS. The thread bound is
derived, not assumed: executor_threads + the state pool (4) + the peak thread
count of the bare echo server (main thread, gRPC's own threads) under a burst
of the same width.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import statistics
import time

import grpc
from common import (
    EXECUTOR_THREADS,
    ProcSampler,
    Settings,
    channel_pool,
    deployment,
    kib,
    proc_status,
    ratios,
)
from echo_server import EchoProcess, aio_echo
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from p5_requests import DEPLOY, active_server, create_request, wait_operation
from results import Figure, Part, Target

from translator.api.v1 import compute_pb2, compute_pb2_grpc

SIZES = {"1k": 1000, "5k": 5000, "10k": 10000}
PAGE_SIZE = 500
STATE_THREADS = 4  # translator/service/app.py: Runner(4, "state")
BURST_DEPLOY = 2.0
POOL = 8
WAIT_SLOTS = 100
#: Listings per size in each of a round's TURNS (more of the short, noisier ones); the sizes
#: take turns so a slow spell of the machine hits them alike. A round's time per size is the
#: median of its listings.
LISTINGS = {"1k": 3, "5k": 1, "10k": 1}
TURNS = 3


def list_all(stub: compute_pb2_grpc.ComputeStub, expected: int) -> float:
    """Seconds to page through every server; the listing must hold ``expected`` of them."""
    start = time.perf_counter()
    token, seen = "", 0
    for _ in range(expected // PAGE_SIZE + 3):
        reply = stub.ListServers(compute_pb2.ListServersRequest(
            page_size=PAGE_SIZE, page_token=token), timeout=120)
        seen += len(reply.servers)
        token = reply.next_page_token
        if not token:
            break
    elapsed = time.perf_counter() - start
    if token or seen != expected:
        raise RuntimeError(f"ListServers listed {seen} servers, expected {expected}")
    return elapsed


def declare_a() -> list[Figure]:
    return [*(Figure(f"P6a-{label}", f"ListServers, all pages of {PAGE_SIZE}, {n:,} servers",
                     "s") for label, n in SIZES.items()),
            Figure("P6a", "ListServers all pages: t(10k) ÷ t(1k)", target=Target("<=", 11))]


def run_a(settings: Settings, figures: dict[str, Figure]) -> None:
    rounds = settings.pick(5, 2)
    with contextlib.ExitStack() as stack:
        stubs = {}
        for label, count in SIZES.items():
            dep = stack.enter_context(deployment(settings.workdir / f"p6a-{label}"))
            dep.sim.call("seed_virtual_machines", count)
            channel = stack.enter_context(grpc.insecure_channel(dep.translator.address))
            stubs[label] = compute_pb2_grpc.ComputeStub(channel)
            list_all(stubs[label], count)  # warm-up: connections, caches
        times: dict[str, list[float]] = {label: [] for label in SIZES}
        for _ in range(rounds):
            listed: dict[str, list[float]] = {label: [] for label in SIZES}
            for turn in range(TURNS):
                for label in list(SIZES) if turn % 2 == 0 else list(reversed(SIZES)):
                    listed[label] += [list_all(stubs[label], SIZES[label])
                                      for _ in range(LISTINGS[label])]
            for label in SIZES:
                times[label].append(statistics.median(listed[label]))
    for label in SIZES:
        figures[f"P6a-{label}"].samples = times[label]
    figures["P6a"].samples = ratios(times["10k"], times["1k"])
    figures["P6a"].notes = [
        f"{rounds} paired rounds; a round's time is the median of "
        + ", ".join(f"{n * TURNS} listings of {label}" for label, n in LISTINGS.items())
        + f", in {TURNS} alternating turns; one simulator and translator per size"]


def declare_b() -> list[Figure]:
    return [Figure("P6b-time", "N concurrent CreateServer to ACTIVE (N = 1,000; 200 with "
                   f"--quick; {BURST_DEPLOY:g} s deploys)", "s"),
            Figure("P6b-rss", "translator peak RSS (VmHWM) over P6b", "MiB",
                   Target("<=", 300, of="max")),
            Figure("P6b-threads", "translator peak thread count over P6b ≤ derived bound",
                   "threads")]


async def _echo_burst(address: str, width: int, waves: int) -> None:
    """``waves`` bursts of ``width`` concurrent echo calls."""
    pool = channel_pool(address, POOL)
    try:
        methods = [aio_echo(c) for c in pool]
        for _ in range(waves):
            await asyncio.gather(*(methods[i % POOL](b"x" * 64, timeout=60)
                                   for i in range(width)))
    finally:
        for channel in pool:
            await channel.close()


def grpc_threads(width: int) -> tuple[int, int]:
    """Idle and peak thread counts of the bare echo server under ``width`` concurrent calls:
    what a grpc.aio server process needs for itself."""
    echo = EchoProcess()
    try:
        idle = int(proc_status(echo.pid)["Threads"])
        with ProcSampler(echo.pid) as sampler:
            asyncio.run(asyncio.wait_for(_echo_burst(echo.address, width, 5), 60))
        return idle, sampler.peak_threads
    finally:
        echo.stop()


async def _burst(address: str, count: int, limit: float) -> tuple[int, collections.Counter]:
    """``count`` CreateServer at once, each then followed (at most WAIT_SLOTS waits at a
    time) until done; returns how many ended ACTIVE, and why the others did not."""
    pool = channel_pool(address, POOL)
    slots = asyncio.Semaphore(WAIT_SLOTS)
    deadline = time.monotonic() + limit

    async def one(index: int) -> None:
        channel = pool[index % POOL]
        op = await compute_pb2_grpc.ComputeStub(channel).CreateServer(
            create_request(f"p6b-{index}"), timeout=limit)
        waiter = operations_pb2_grpc.OperationsStub(channel)
        async with slots:
            while not op.done and time.monotonic() < deadline:
                op = await waiter.WaitOperation(operations_pb2.WaitOperationRequest(
                    name=op.name, timeout=duration_pb2.Duration(seconds=5)), timeout=15)
        if not op.done:
            raise TimeoutError("not done in time")
        active_server(op)

    try:
        outcomes = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    finally:
        for channel in pool:
            await channel.close()
    problems = collections.Counter(_reason(o) for o in outcomes if isinstance(o, BaseException))
    return count - sum(problems.values()), problems


@dataclasses.dataclass
class _Round:
    seconds: float
    active: int
    problems: collections.Counter
    idle_threads: int
    peak_threads: int
    hwm_kib: int
    peak_rss_kib: int


def _burst_round(settings: Settings, index: int, count: int, limit: float) -> _Round:
    """One burst on a fresh translator (VmHWM is the peak over the process's life)."""
    workdir = settings.workdir / f"p6b-{index}"
    with deployment(workdir, {DEPLOY: BURST_DEPLOY}) as dep:
        with grpc.insecure_channel(dep.translator.address) as channel:
            # Warm the driver's caches, as P5a does, so the burst measures steady work.
            op = compute_pb2_grpc.ComputeStub(channel).CreateServer(
                create_request("p6b-warm-up"), timeout=30)
            active_server(wait_operation(channel, op))
        pid = dep.translator.proc.pid
        idle = int(proc_status(pid)["Threads"])
        start = time.monotonic()
        with ProcSampler(pid) as sampler:
            active, problems = asyncio.run(_burst(dep.translator.address, count, limit))
        elapsed = time.monotonic() - start
        hwm = kib(proc_status(pid)["VmHWM"])
    return _Round(elapsed, active, problems, idle, sampler.peak_threads, hwm,
                  sampler.peak_rss_kib)


def _reason(error: BaseException) -> str:
    """Why one create of the burst failed, short enough to count alike failures."""
    if isinstance(error, grpc.aio.AioRpcError):
        return f"{error.code().name}: {error.details()}"[:120]
    return f"{type(error).__name__}: {error}"[:120]


def run_b(settings: Settings, figures: dict[str, Figure]) -> None:
    count, limit, rounds = settings.pick((1000, 120.0, 3), (200, 40.0, 1))
    idle_echo, peak_echo = grpc_threads(count)
    bound = EXECUTOR_THREADS + STATE_THREADS + peak_echo
    done = [_burst_round(settings, index, count, limit) for index in range(rounds)]
    time_figure, rss, threads = (figures[k] for k in ("P6b-time", "P6b-rss", "P6b-threads"))
    time_figure.samples = [r.seconds for r in done if not r.problems]
    time_figure.notes = [f"{rounds} rounds, each on a fresh translator: "
                         + ", ".join(f"{r.active}/{count} ACTIVE in {r.seconds:.1f} s"
                                     for r in done)]
    problems = sum((r.problems for r in done), collections.Counter())
    if problems:
        time_figure.failed(f"{sum(problems.values())} of {count * rounds} creates not ACTIVE: "
                           + "; ".join(f"{n}× {why}" for why, n in problems.most_common(3)))
    rss.samples = [r.hwm_kib / 1024 for r in done]
    rss.notes = ["peak VmRSS sampled every 50 ms: "
                 + ", ".join(f"{r.peak_rss_kib / 1024:.0f}" for r in done) + " MiB"]
    threads.samples = [r.peak_threads for r in done]
    threads.target = Target("<=", bound, of="max")
    threads.notes = [
        "translator idle/peak threads per round: "
        + ", ".join(f"{r.idle_threads}/{r.peak_threads}" for r in done),
        f"bound {bound} = executor_threads {EXECUTOR_THREADS} + state pool {STATE_THREADS} + "
        f"the bare grpc.aio echo server's peak {peak_echo} threads (idle {idle_echo}; main "
        f"thread and gRPC's own) under {count} concurrent calls"]


PARTS = [Part("P6a", declare_a, run_a), Part("P6b", declare_b, run_b)]
