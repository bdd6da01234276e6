"""P5: what one CreateServer costs the backend, counted by the simulator itself.

P5a: HTTP requests per CreateServer once the driver's caches are warm, over
the operation's whole life (submit, then finish) but without the job polls.
P5b: queryAsyncJobResult polls per operation for a deploy job that takes 10 s,
with the server's default backoff ([operations] is left at its defaults).
Operations run one at a time, so the simulator's counts belong to one each.
"""

from __future__ import annotations

import collections
import contextlib
import time
import uuid

import grpc
from common import Settings, SimulatorProcess, deployment
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from results import Figure, Part, Target

from translator.api.v1 import compute_pb2, compute_pb2_grpc

POLL = "queryAsyncJobResult"
DEPLOY = "deployVirtualMachine"
#: P5b's deploy job duration, seconds.
SLOW_DEPLOY = 10.0
#: P5a's (it does not change the count; it keeps the part short).
FAST_DEPLOY = 0.3
OPERATION_TIMEOUT = 60.0


def create_request(name: str) -> compute_pb2.CreateServerRequest:
    """A CreateServer with a flavor and an image only: no keypair, no metadata."""
    return compute_pb2.CreateServerRequest(request_id=str(uuid.uuid4()), name=name,
                                           flavor="Small Instance", image="Debian 12")


def wait_operation(channel: grpc.Channel, op: operations_pb2.Operation,
                   timeout: float = OPERATION_TIMEOUT) -> operations_pb2.Operation:
    """WaitOperation until done (each wait capped at 5 s); raise if not done in time."""
    stub = operations_pb2_grpc.OperationsStub(channel)
    deadline = time.monotonic() + timeout
    while not op.done:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{op.name} not done in {timeout:.0f}s")
        op = stub.WaitOperation(operations_pb2.WaitOperationRequest(
            name=op.name, timeout=duration_pb2.Duration(seconds=5)), timeout=15)
    return op


def active_server(op: operations_pb2.Operation) -> compute_pb2.Server:
    """The operation's Server, which must be ACTIVE; raise with the reason otherwise."""
    if op.HasField("error"):
        raise RuntimeError(f"{op.name} failed: {op.error.message}")
    server = compute_pb2.Server()
    if not op.response.Unpack(server) or server.status != compute_pb2.Server.ACTIVE:
        raise RuntimeError(f"{op.name} did not end with an ACTIVE server")
    return server


def create_and_count(sim: SimulatorProcess, channel: grpc.Channel,
                     name: str) -> tuple[dict[str, int], dict[str, int]]:
    """One CreateServer to completion: the simulator's counts at submit and at the end."""
    compute = compute_pb2_grpc.ComputeStub(channel)
    sim.call("reset_counts")
    op = compute.CreateServer(create_request(name), timeout=30)
    at_submit = sim.call("request_counts")
    active_server(wait_operation(channel, op))
    return at_submit, sim.call("request_counts")


def _breakdown(counts: dict[str, int]) -> str:
    return ", ".join(f"{command} {n}" for command, n in sorted(counts.items())) or "none"


def declare_a() -> list[Figure]:
    return [Figure("P5a", "backend HTTP requests per CreateServer, warm cache "
                   f"(whole operation, without {POLL})", "req", Target("==", 1))]


def run_a(settings: Settings, figures: dict[str, Figure]) -> None:
    figure = figures["P5a"]
    repeats = settings.pick(5, 2)
    with contextlib.ExitStack() as stack:
        dep = stack.enter_context(deployment(settings.workdir / "p5a", {DEPLOY: FAST_DEPLOY}))
        channel = stack.enter_context(grpc.insecure_channel(dep.translator.address))
        create_and_count(dep.sim, channel, "p5a-warm-up")  # fills the driver's caches
        submits: collections.Counter[str] = collections.Counter()
        totals: collections.Counter[str] = collections.Counter()
        for index in range(repeats):
            at_submit, at_end = create_and_count(dep.sim, channel, f"p5a-{index}")
            figure.samples.append(sum(n for c, n in at_end.items() if c != POLL))
            submits.update(at_submit)
            totals.update({c: n for c, n in at_end.items() if c != POLL})
    figure.notes = [
        f"{repeats} creates after one warm-up create",
        f"requests until CreateServer returned, all creates: {_breakdown(submits)}",
        f"until the operation was done (without polls), all creates: {_breakdown(totals)}"]


def declare_b() -> list[Figure]:
    return [Figure("P5b", f"{POLL} polls per CreateServer of a {SLOW_DEPLOY:g} s deploy job, "
                   "default backoff", "polls", Target("<=", 8))]


def run_b(settings: Settings, figures: dict[str, Figure]) -> None:
    figure = figures["P5b"]
    repeats = settings.pick(3, 1)
    seconds = []
    with contextlib.ExitStack() as stack:
        dep = stack.enter_context(deployment(settings.workdir / "p5b", {DEPLOY: FAST_DEPLOY}))
        channel = stack.enter_context(grpc.insecure_channel(dep.translator.address))
        create_and_count(dep.sim, channel, "p5b-warm-up")
        dep.sim.call("set_job_duration", DEPLOY, SLOW_DEPLOY)
        for index in range(repeats):
            start = time.monotonic()
            _, at_end = create_and_count(dep.sim, channel, f"p5b-{index}")
            seconds.append(time.monotonic() - start)
            figure.samples.append(at_end.get(POLL, 0))
    figure.notes = [f"{repeats} creates one after another; each took "
                    + ", ".join(f"{s:.1f}" for s in seconds) + " s from request to done"]


PARTS = [Part("P5a", declare_a, run_a), Part("P5b", declare_b, run_b)]
