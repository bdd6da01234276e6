"""The daemons of a throwaway Ceph cluster: launched by their own command (which forks
the daemon away and exits), known afterwards only by the pid files in the cluster's
directory, stopped in the order Ceph needs."""

from __future__ import annotations

import logging
import time

from translator_drivers.ceph import cluster_conf as conf
from translator_drivers.ceph import cluster_proc as proc

LOG = logging.getLogger(__name__)

#: Seconds a daemon may take to stop on SIGTERM before SIGKILL.
STOP_TIMEOUT = 10.0
#: Seconds a daemon may take to write its pid file after its start command returned.
PID_FILE_GRACE = 3.0
#: radosgw, then the OSD while the monitor is still up, then mgr and monitor: another
#: order hangs for seconds.
STOP_ORDER = ((conf.RGW,), (conf.OSD,), (conf.MGR, conf.MON))


class DaemonError(Exception):
    pass


class Daemons:
    def __init__(self, layout: conf.Layout) -> None:
        self.layout = layout
        #: Daemons launched, with when (monotonic): a pid file may lag the launch.
        self._started: dict[str, float] = {}
        #: The pids last read from the pid files: a daemon removes its file as it exits.
        self._pids: dict[str, int] = {}

    def launch(self, entity: str, argv: list[str], deadline: float, *,
               retry: bool = True) -> None:
        """Start a daemon with ``argv`` plus our ceph.conf; with ``retry`` until its
        command exits 0 (a daemon that starts in the monitor's first moments may fail
        to authenticate)."""
        self._started[entity] = time.monotonic()
        try:
            self.run_until_ok(entity, [argv[0], "-c", self.layout.conf, *argv[1:]], deadline,
                              attempts=None if retry else 1)
        except DaemonError:
            del self._started[entity]  # it exited non-zero: nothing of it runs
            raise
        self._started[entity] = time.monotonic()

    def run_until_ok(self, entity: str, argv: list[str], deadline: float, *,
                     attempts: int | None = None) -> None:
        """Run ``argv`` until it exits 0, its output appended to the entity's .out file."""
        tries = 0
        while True:
            tries += 1
            LOG.debug("%s: running %s", entity, argv[0])
            result = proc.run(argv, timeout=max(1.0, deadline - time.monotonic()),
                              out_file=self.layout.out_file(entity))
            if result.returncode == 0:
                return
            if (attempts is not None and tries >= attempts) or time.monotonic() >= deadline:
                raise DaemonError(f"{argv[0]} exited {result.returncode} "
                                  f"after {tries} attempt(s)")
            LOG.debug("%s exited %s, retrying", argv[0], result.returncode)
            time.sleep(0.1)

    @staticmethod
    def check(argv: list[str], deadline: float) -> None:
        """Run a one-shot tool; its stderr goes into the error when it fails."""
        result = proc.run(argv, timeout=max(1.0, deadline - time.monotonic()))
        if result.returncode != 0:
            raise DaemonError(f"{argv[0]} exited {result.returncode}: "
                              f"{result.stderr.strip()[-2000:]}")

    def running(self) -> dict[str, int]:
        """The running daemons' pids by entity name, from the pid files."""
        pids: dict[str, int] = {}
        for entity in conf.DATA_DIRS:
            pid = proc.read_pid(self.layout.pid_file(entity))
            if pid is not None and proc.alive(pid, self.layout.conf):
                pids[entity] = pid
        return pids

    def dead(self) -> list[str]:
        """Daemons launched that do not run: their pid names no live process of ours, or
        there is no pid in time (none written yet, half written, or removed at exit)."""
        dead = []
        for entity, launched in self._started.items():
            pid = self._read_pid(entity)
            if pid is None:
                if time.monotonic() - launched > PID_FILE_GRACE:
                    dead.append(entity)
            elif not proc.alive(pid, self.layout.conf):
                dead.append(entity)
        return dead

    def stop_all(self) -> None:
        """Stop every daemon with a pid file, in STOP_ORDER; only pids of processes
        whose command line names our ceph.conf are signalled."""
        for group in STOP_ORDER:
            pids = [pid for pid in map(self._pid_of, group) if pid is not None]
            left = proc.terminate(pids, self.layout.conf, timeout=STOP_TIMEOUT)
            if left:
                LOG.warning("Ceph daemons %s (pids %s) did not stop", group, left)
        self._started.clear()
        self._pids.clear()

    def _pid_of(self, entity: str) -> int | None:
        """The pid of ``entity``, waiting a moment for the pid file of one just launched."""
        end = self._started.get(entity, 0.0) + PID_FILE_GRACE
        while True:
            pid = self._read_pid(entity)
            if pid is not None or time.monotonic() >= end:
                return pid
            time.sleep(0.05)

    def _read_pid(self, entity: str) -> int | None:
        pid = proc.read_pid(self.layout.pid_file(entity))
        if pid is not None:
            self._pids[entity] = pid
        return self._pids.get(entity)
