"""`translator-server` with no configuration file serves the embedded default."""

from __future__ import annotations

import os
import subprocess
import sys

from functional.helpers import compute, create_server
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
