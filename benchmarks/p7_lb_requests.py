"""P7: backend requests for one load balancer with 1 listener and 100 members.

Counted by the simulators themselves, over a CreateLoadBalancer's whole life
(submit, every step, the finish) through a real translator-server:

- P7-netscaler: every HTTP request the NITRO simulator answers from before a
  fresh translator starts (its login and setup check are counted too) to the
  operation's end — target ≤ 10, which takes NITRO's bulk bindings (one POST
  for the 100 member bindings);
- P7-cloudstack: CloudStack API requests other than queryAsyncJobResult, the
  caches warmed by one load balancer before — target ≤ 5 (+ polls, reported
  in the notes). The 100 members are VMs of the simulator (CloudStack
  balances only its own VMs), given by server id.
"""

from __future__ import annotations

import collections
import time
import uuid
from typing import Any

import grpc
from common import Settings, SimulatorProcess, TranslatorProcess
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from results import Figure, Part, Target

from translator.api.v1 import load_balancing_pb2 as pb
from translator.api.v1 import load_balancing_pb2_grpc

MEMBERS = 100
POLL = "queryAsyncJobResult"
OPERATION_TIMEOUT = 60.0
LB_ASYNC = ("associateIpAddress", "createLoadBalancerRule", "assignToLoadBalancerRule",
            "createLBHealthCheckPolicy", "createLBStickinessPolicy")


def declare() -> list[Figure]:
    return [Figure("P7-netscaler", "NITRO requests for a load balancer with 1 listener and "
                   "100 members, a fresh translator's login and setup check included",
                   target=Target("<=", 10)),
            Figure("P7-cloudstack", "CloudStack requests, job polls excluded, for a load "
                   "balancer with 1 listener and 100 member VMs (warm caches)",
                   target=Target("<=", 5))]


def _create(address: str, members: list[pb.Member], vip: dict[str, str]) -> pb.LoadBalancer:
    request = pb.CreateLoadBalancerRequest(
        request_id=str(uuid.uuid4()), name=f"p7-{uuid.uuid4().hex[:6]}", **vip,
        listeners=[pb.Listener(protocol=pb.Listener.TCP, port=80, default_pool=pb.Pool(
            algorithm=pb.Pool.ROUND_ROBIN, members=members))])
    with grpc.insecure_channel(address) as channel:
        op = load_balancing_pb2_grpc.LoadBalancingStub(channel).CreateLoadBalancer(
            request, timeout=OPERATION_TIMEOUT)
        waiter = operations_pb2_grpc.OperationsStub(channel)
        deadline = time.monotonic() + OPERATION_TIMEOUT
        while not op.done:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{op.name} not done in {OPERATION_TIMEOUT:.0f}s")
            op = waiter.WaitOperation(operations_pb2.WaitOperationRequest(
                name=op.name, timeout=duration_pb2.Duration(seconds=5)), timeout=15)
    if op.HasField("error"):
        raise RuntimeError(f"{op.name} failed: {op.error.message}")
    lb = pb.LoadBalancer()
    op.response.Unpack(lb)
    if len(lb.listeners[0].default_pool.members) != len(members):
        raise RuntimeError(f"the load balancer has {len(lb.listeners[0].default_pool.members)} "
                           f"members, not {len(members)}")
    return lb


def _netscaler(settings: Settings, figure: Figure, rounds: int) -> None:
    from translator_drivers.netscaler.simulator import NetScalerSimulator

    members = [pb.Member(address=f"10.2.{i // 200}.{i % 200 + 1}", port=8080)
               for i in range(MEMBERS)]
    with NetScalerSimulator() as sim:
        for index in range(rounds):
            sim.reset_counts()  # counted from before start-up: its login and setup check too
            translator = TranslatorProcess(settings.workdir / f"p7-ns-{index}", {
                **sim.config_overrides(), "load_balancing": {"driver": "netscaler"},
                "compute": {"driver": ""}, "block_storage": {"driver": ""},
                "object_storage": {"driver": ""}})
            try:
                _create(translator.address, members, {"vip_address": f"192.0.2.{index + 10}"})
                figure.samples.append(sim.request_count)
                calls = collections.Counter(f"{m} {p.split('?')[0]}" for m, p in sim.requests)
            finally:
                translator.stop()
    figure.notes = [f"{rounds} fresh translators, one load balancer each; requests of the "
                    "last: " + ", ".join(f"{k} ×{v}" for k, v in sorted(calls.items()))]


def _cloudstack(settings: Settings, figure: Figure, rounds: int) -> None:
    durations = dict.fromkeys(LB_ASYNC, 0.05)
    sim = SimulatorProcess(durations)
    try:
        vms = sim.call("seed_virtual_machines", MEMBERS * (rounds + 1))
        translator = TranslatorProcess(settings.workdir / "p7-cs", {
            **sim.overrides, "load_balancing": {"driver": "cloudstack"},
            "block_storage": {"driver": ""}, "object_storage": {"driver": ""}})
        polls: list[int] = []
        try:
            for index in range(rounds + 1):  # the first warms the caches
                members = [pb.Member(server_id=vm, port=8080)
                           for vm in vms[index * MEMBERS:(index + 1) * MEMBERS]]
                sim.call("reset_counts")
                _create(translator.address, members, {})
                counts: dict[str, Any] = sim.call("request_counts")
                if index:
                    figure.samples.append(sum(n for c, n in counts.items() if c != POLL))
                    polls.append(counts.get(POLL, 0))
                    last = counts
        finally:
            translator.stop()
    finally:
        sim.stop()
    figure.notes = [f"{rounds} load balancers after one warm-up; job polls per create: "
                    + ", ".join(map(str, polls)),
                    "requests of the last: " + ", ".join(
                        f"{k} ×{v}" for k, v in sorted(last.items()) if k != POLL)]


def run(settings: Settings, figures: dict[str, Figure]) -> None:
    rounds = settings.pick(3, 1)
    _netscaler(settings, figures["P7-netscaler"], rounds)
    _cloudstack(settings, figures["P7-cloudstack"], rounds)


PARTS = [Part("P7", declare, run)]
