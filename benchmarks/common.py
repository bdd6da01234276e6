"""What every benchmark shares: statistics, /proc sampling and the processes under test.

Layout, as users run it: the benchmark process is only the load generator;
the CloudStack simulator, the translator and the echo baseline each run in a
process of their own, so none of them shares a GIL with the load. Every wait
here is bounded in time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import pathlib
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

#: Seconds any child process gets to come up or to answer one control command.
START_TIMEOUT = 60.0
CALL_TIMEOUT = 120.0
#: [DEFAULT] executor_threads of every translator the benchmarks start.
EXECUTOR_THREADS = 32

# -- statistics ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Summary:
    """The three numbers every figure reports, and how many runs they summarise."""

    median: float
    min: float
    max: float
    n: int


def summarize(values: Sequence[float]) -> Summary:
    """Median, min and max of repeated runs (the median resists one noisy round)."""
    if not values:
        raise ValueError("no values to summarise")
    return Summary(statistics.median(values), min(values), max(values), len(values))


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Round-by-round ratios of two measurements taken in the same rounds."""
    if len(numerators) != len(denominators):
        raise ValueError("ratios need paired rounds")
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


# -- /proc sampling -----------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, str]:
    """``/proc/PID/status`` as a map (``Threads``, ``VmRSS``, ``VmHWM``, ...)."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    return fields


def kib(value: str) -> int:
    """``"123456 kB"`` → 123456."""
    return int(value.split()[0])


class ProcSampler:
    """Samples a process's thread count and RSS every ``interval`` in a daemon thread (not an
    asyncio task: the load generator's event loop is busy exactly when samples matter)."""

    def __init__(self, pid: int, interval: float = 0.05, limit: float = 900.0) -> None:
        self.pid = pid
        self.interval = interval
        self.limit = limit
        self.peak_threads = 0
        self.peak_rss_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="proc-sampler", daemon=True)

    def _run(self) -> None:
        deadline = time.monotonic() + self.limit
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                status = proc_status(self.pid)
            except OSError:
                return  # the process is gone
            self.peak_threads = max(self.peak_threads, int(status["Threads"]))
            self.peak_rss_kib = max(self.peak_rss_kib, kib(status["VmRSS"]))
            self.samples += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> ProcSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


# -- child processes over a Pipe ------------------------------------------------------------


class PipeProcess:
    """A ``spawn`` child controlled over a Pipe: it sends one hello, then answers commands."""

    def __init__(self, target: Callable[..., None], *args: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self.process = context.Process(target=target, args=(child, *args), daemon=True)
        self.process.start()
        self.pid: int = self.process.pid
        child.close()
        self.hello = self._receive(START_TIMEOUT)

    def _receive(self, timeout: float) -> Any:
        if not self._conn.poll(timeout):
            raise TimeoutError(f"child process {self.pid} did not answer in {timeout:.0f}s")
        status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"child process {self.pid}: {value}")
        return value

    def call(self, command: str, *args: Any, timeout: float = CALL_TIMEOUT) -> Any:
        self._conn.send((command, args))
        return self._receive(timeout)

    def stop(self) -> None:
        with contextlib.suppress(OSError, EOFError, TimeoutError, RuntimeError):
            self.call("stop", timeout=10)
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self._conn.close()


SIMULATOR_COMMANDS = ("config_overrides", "request_counts", "reset_counts", "set_job_duration",
                      "seed_virtual_machines")


def _simulator_main(conn: Any, job_durations: dict[str, float]) -> None:
    """Child: a CloudStack simulator obeying SIMULATOR_COMMANDS until "stop" or EOF."""
    from translator_drivers.cloudstack.simulator import CloudStackSimulator
    sim = CloudStackSimulator(job_durations=job_durations)
    sim.start()
    conn.send(("ok", sim.config_overrides()))
    try:
        while True:
            try:
                command, args = conn.recv()
            except EOFError:
                return
            if command == "stop":
                conn.send(("ok", None))
                return
            try:
                if command not in SIMULATOR_COMMANDS:
                    raise ValueError(f"unknown command {command!r}")
                # request_counts is a Counter attribute, copied (it is pickled anyway).
                value = getattr(sim, command)
                conn.send(("ok", dict(value) if command == "request_counts" else value(*args)))
            except Exception as error:  # noqa: BLE001 - report to the parent
                conn.send(("error", repr(error)))
    finally:
        sim.stop()


class SimulatorProcess(PipeProcess):
    """The CloudStack simulator in its own process; ``hello`` is its config_overrides."""

    def __init__(self, job_durations: dict[str, float] | None = None) -> None:
        super().__init__(_simulator_main, dict(job_durations or {}))
        self.overrides: dict[str, dict[str, object]] = self.hello


# -- the translator ----------------------------------------------------------------------------


def write_config(path: pathlib.Path, state_dir: pathlib.Path, port: int,
                 overrides: dict[str, dict[str, object]]) -> None:
    """A translator.conf: default [operations] (P5 measures the real backoff), 32 threads."""
    lines = ["[DEFAULT]", f"state_dir = {state_dir}", f"executor_threads = {EXECUTOR_THREADS}", "",
             "[grpc]", f"bind = 127.0.0.1:{port}", "shutdown_grace = 2", ""]
    for group, values in overrides.items():
        lines.append(f"[{group}]")
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    path.write_text("\n".join(lines))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class TranslatorProcess:
    """A real ``translator-server`` subprocess with its own config file and state."""

    def __init__(self, workdir: pathlib.Path, overrides: dict[str, dict[str, object]]) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        self.address = f"127.0.0.1:{port}"
        self.config = workdir / "translator.conf"
        self.log_path = workdir / "server.log"
        write_config(self.config, workdir / "state", port, overrides)
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "translator.cmd.server", "--config-file",
                 str(self.config)],
                stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, PYTHONUNBUFFERED="1"))
        try:
            self._wait_serving(START_TIMEOUT)
        except BaseException:
            self.stop()
            raise

    def _wait_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(self.address) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"translator-server exited with status "
                                       f"{self.proc.returncode}: {self.log_tail()}")
                with contextlib.suppress(grpc.RpcError):
                    reply = stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                time.sleep(0.1)
        raise TimeoutError(f"translator-server not SERVING in {timeout:.0f}s: {self.log_tail()}")

    def log_tail(self, lines: int = 3) -> str:
        """The server log's last lines, last first: a traceback ends with its message."""
        tail = self.log_path.read_text(errors="replace").strip().splitlines()[-lines:]
        return " ← ".join(line.strip() for line in reversed(tail))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


@dataclasses.dataclass
class Deployment:
    """A simulator and a translator pointed at it."""

    sim: SimulatorProcess
    translator: TranslatorProcess


@contextlib.contextmanager
def deployment(workdir: pathlib.Path,
               job_durations: dict[str, float] | None = None) -> Iterator[Deployment]:
    """Start a simulator, then a translator on it; stop both however the block ends."""
    with contextlib.ExitStack() as stack:
        sim = SimulatorProcess(job_durations)
        stack.callback(sim.stop)
        translator = TranslatorProcess(workdir, sim.overrides)
        stack.callback(translator.stop)
        yield Deployment(sim, translator)


def channel_pool(address: str, size: int) -> list[grpc.aio.Channel]:
    """``size`` asyncio channels with their own subchannels, so each has its own connection
    (channels with equal arguments would otherwise share one)."""
    return [grpc.aio.insecure_channel(address, options=[("grpc.use_local_subchannel_pool", 1)])
            for _ in range(size)]


@dataclasses.dataclass
class Settings:
    """What a benchmark part needs to know about this run."""

    quick: bool
    workdir: pathlib.Path

    def pick(self, full: Any, quick: Any) -> Any:
        """The full-run or the quick-run value of a knob."""
        return quick if self.quick else full
