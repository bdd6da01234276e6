"""A server killed while operations are pending finishes them after a restart."""

from __future__ import annotations

from functional.helpers import compute, rid, server_of, wait
from translator.api.v1 import common_pb2, compute_pb2


def test_kill_9_during_create_then_restart_completes_once(private_deployment):
    sim, server = private_deployment.sim, private_deployment.server
    sim.set_job_duration("deployVirtualMachine", 3.0)
    with private_deployment.channel() as channel:
        ops = [compute(channel).CreateServer(compute_pb2.CreateServerRequest(
            request_id=rid(), name=f"survivor-{i}", flavor="Small Instance", image="Debian 12"))
            for i in range(5)]
    assert not any(op.done for op in ops)
    server.kill()
    server.start()
    with private_deployment.channel() as channel:
        finished = [wait(channel, op) for op in ops]
    servers = [server_of(op) for op in finished]
    assert all(s.status == compute_pb2.Server.ACTIVE for s in servers)
    assert sim.request_counts["deployVirtualMachine"] == 5  # nothing was deployed twice
    for op, created in zip(finished, servers, strict=True):
        meta = common_pb2.OperationMetadata()
        op.metadata.Unpack(meta)
        assert meta.target == created.id
    assert "Resuming 5 unfinished operation(s)" in server.log()
