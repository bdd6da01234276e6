"""Processes of a throwaway Ceph cluster: commands with timeouts, daemons by pid file,
free ports, log tails. No shell anywhere."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Sequence

#: The OSD and the mgr bind ports in this range; nothing else of ours may use it.
OSD_PORT_RANGE = range(6800, 7301)

#: Variables that would make a Ceph tool read another cluster's configuration.
_CEPH_ENV = ("CEPH_ARGS", "CEPH_CONF", "CEPH_KEYRING")


def ceph_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _CEPH_ENV}
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def run(argv: Sequence[str], *, timeout: float,
        out_file: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` and wait for it. With ``out_file`` its output is appended there
    instead of captured: a daemon's children inherit the descriptors, and a pipe
    would keep us waiting until the daemon exits."""
    if out_file is None:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                              env=ceph_env(), stdin=subprocess.DEVNULL, check=False)
    with open(out_file, "a") as out:
        return subprocess.run(list(argv), stdout=out, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout, env=ceph_env(), stdin=subprocess.DEVNULL,
                              check=False)


def read_pid(pid_file: str) -> int | None:
    try:
        with open(pid_file) as f:
            text = f.read().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def alive(pid: int, marker: str) -> bool:
    """Whether ``pid`` runs and is ours: its command line mentions ``marker`` (our
    ceph.conf), so a recycled pid is never taken for a daemon. Zombies are dead."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().decode(errors="replace").split("\0")
    except OSError:
        return False
    state = stat[stat.rfind(b")") + 2:][:1]
    return state not in (b"Z", b"X") and marker in cmdline


def terminate(pids: Sequence[int], marker: str, *, timeout: float) -> list[int]:
    """SIGTERM ``pids`` (only those alive and ours), wait up to ``timeout``, then SIGKILL
    what is left and wait a little more. Returns the pids that still run."""
    pending = [pid for pid in pids if alive(pid, marker)]
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 2.0)):
        for pid in pending:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while pending and time.monotonic() < deadline:
            time.sleep(0.02)
            pending = [pid for pid in pending if alive(pid, marker)]
        if not pending:
            break
    return pending


def free_port(host: str, *, pair: bool = False, taken: Sequence[int] = ()) -> int:
    """A port free on ``host`` right now (and the next one too with ``pair``), from the
    kernel's ephemeral range, never in the OSD/mgr range nor in ``taken``."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
            if port in OSD_PORT_RANGE or port in taken or (pair and port + 1 in taken):
                continue
            if not pair:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as second:
                try:
                    second.bind((host, port + 1))
                except OSError:
                    continue
                if port + 1 not in OSD_PORT_RANGE:
                    return port
    raise OSError(f"no free port found on {host}")


def tail(path: str, lines: int = 30, max_bytes: int = 16384) -> str:
    """The last ``lines`` lines of ``path`` ('' when it does not exist)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - max_bytes))
            data = f.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])
