"""`translator-server` with no configuration file serves the embedded default."""

from __future__ import annotations

import os
import subprocess
import sys

from functional.helpers import compute, create_server, wait
from functional.server import ServerProcess, free_port
from translator.api.v1 import compute_pb2


class EmbeddedProcess(ServerProcess):
    def start(self, wait=True, timeout=30.0):
        # A fresh HOME and working directory: no configuration file is found anywhere.
        env = dict(os.environ, HOME=str(self.log_path.parent), PYTHONUNBUFFERED="1")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "translator.cmd.server", "--grpc-bind", self.address],
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.log_path.parent)
        if wait:
            self.wait_serving(timeout)


def test_embedded_default_serves_the_real_translation_path(tmp_path):
    port = free_port()
    server = EmbeddedProcess(tmp_path / "unused.conf", port, tmp_path / "server.log")
    server.start()
    try:
        import grpc
        with grpc.insecure_channel(server.address) as channel:
            flavors = compute(channel).ListFlavors(compute_pb2.ListFlavorsRequest())
            assert "Small Instance" in {f.name for f in flavors.flavors}
            assert create_server(channel, name="newcomer").status == compute_pb2.Server.ACTIVE
    finally:
        assert server.stop() == 0
    first_lines = "\n".join(server.log().splitlines()[:6])
    assert "EMBEDDED DEFAULT" in first_lines and "simulator" in first_lines
    state_dirs = [line for line in server.log().splitlines() if "state in" in line]
    assert state_dirs and not os.path.exists(state_dirs[0].split("state in ")[1].split(",")[0])


def test_embedded_default_balances_its_own_servers(tmp_path):
    """Off by default, the Load Balancing API is on in the embedded default (cloudstack)."""
    import grpc

    from translator.api.v1 import load_balancing_pb2 as lb_pb
    from translator.api.v1 import load_balancing_pb2_grpc

    server = EmbeddedProcess(tmp_path / "unused.conf", free_port(), tmp_path / "server.log")
    server.start()
    try:
        with grpc.insecure_channel(server.address) as channel:
            vm = create_server(channel, name="web-1")
            stub = load_balancing_pb2_grpc.LoadBalancingStub(channel)
            op = stub.CreateLoadBalancer(lb_pb.CreateLoadBalancerRequest(
                request_id="embedded-lb-1", name="web", listeners=[lb_pb.Listener(
                    protocol=lb_pb.Listener.TCP, port=80, default_pool=lb_pb.Pool(
                        members=[lb_pb.Member(server_id=vm.id, port=8080)]))]))
            op = wait(channel, op)
            assert not op.HasField("error"), op.error.message
            made = lb_pb.LoadBalancer()
            op.response.Unpack(made)
            assert made.provisioning_status == lb_pb.LoadBalancer.ACTIVE
            assert [m.server_id for m in made.listeners[0].default_pool.members] == [vm.id]
    finally:
        assert server.stop() == 0
