"""A real translator-server process for the functional tests."""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(path: pathlib.Path, state_dir: pathlib.Path, port: int,
                 overrides: dict[str, dict[str, object]], extra: str = "") -> None:
    lines = ["[DEFAULT]", f"state_dir = {state_dir}", "",
             "[grpc]", f"bind = 127.0.0.1:{port}", "shutdown_grace = 2", "",
             "[operations]", "poll_initial_interval = 0.05", "poll_max_interval = 0.5", ""]
    for group, values in overrides.items():
        lines.append(f"[{group}]")
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    path.write_text("\n".join(lines) + extra)


class ServerProcess:
    """translator-server run as users run it: a subprocess with a config file."""

    def __init__(self, config: pathlib.Path, port: int, log: pathlib.Path) -> None:
        self.config = config
        self.port = port
        self.address = f"127.0.0.1:{port}"
        self.log_path = log
        self.proc: subprocess.Popen | None = None

    def start(self, wait: bool = True, timeout: float = 30.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "translator.cmd.server", "--config-file", str(self.config)],
            stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        if wait:
            self.wait_serving(timeout)

    def wait_serving(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"translator-server exited: {self.log()}")
                try:
                    reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"translator-server not SERVING in {timeout}s: {self.log()}")

    def kill(self) -> None:
        """kill -9: no chance to clean up."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode if self.proc else 0

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
