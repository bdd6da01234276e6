"""Talking to the monitor of a throwaway Ceph cluster during bootstrap: commands
through librados (no ``ceph`` CLI process per command) and the readiness verdict."""

from __future__ import annotations

import errno
import json
import logging
import time
from typing import Any

LOG = logging.getLogger(__name__)

#: Health checks that do not keep a one-node test cluster from being ready.
TOLERATED_HEALTH = frozenset({"POOL_NO_REDUNDANCY", "MON_DISK_LOW"})
#: Command results worth a retry (-1: no connection yet).
_TRANSIENT = frozenset({-1, -errno.EAGAIN, -errno.ETIMEDOUT, -errno.EINTR, -errno.ENOTCONN})


class MonCommandError(Exception):
    pass


class MonClient:
    """A client.admin connection (through the cluster's ceph.conf), made on first use
    and remade after an error: right after ``ceph-mon`` returns the monitor does not
    serve cephx yet, so connecting is retried until the deadline."""

    def __init__(self, conf_path: str) -> None:
        self.conf_path = conf_path
        self._client: Any = None

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.shutdown()

    def _connect(self, deadline: float) -> Any:
        import rados

        while self._client is None:
            client = rados.Rados(conffile=self.conf_path,
                                 conf={"client_mount_timeout": "2", "rados_mon_op_timeout": "5"})
            try:
                client.connect(timeout=2)
            except rados.Error:
                client.shutdown()
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)
            else:
                self._client = client
        return self._client

    def command(self, cmd: dict[str, Any], deadline: float) -> Any:
        """Run a monitor command, retrying transient failures until ``deadline``;
        its JSON answer (None when it prints nothing)."""
        import rados

        cmd = {**cmd, "format": "json"}
        while True:
            try:
                ret, out, err = self._connect(deadline).mon_command(json.dumps(cmd), b"",
                                                                    timeout=5)
            except rados.Error as exc:
                ret, out, err = -1, b"", str(exc)
                self.close()
            if ret == 0:
                return json.loads(out) if out.strip() else None
            if ret not in _TRANSIENT or time.monotonic() >= deadline:
                raise MonCommandError(f"{cmd['prefix']!r} failed ({ret}): {err}")
            LOG.debug("%r failed (%s: %s), retrying", cmd["prefix"], ret, err)
            time.sleep(0.05)

    def readiness(self, deadline: float) -> tuple[bool, str]:
        """(ready, what the cluster looks like). ``status`` may say HEALTH_OK before the
        mgr reported any PG, so: mgr available, an OSD up, exactly every PG of every
        pool active+clean, and no health check but the tolerated ones."""
        status = self.command({"prefix": "status"}, deadline)
        pools = self.command({"prefix": "osd dump"}, deadline)["pools"]
        osdmap = status["osdmap"].get("osdmap", status["osdmap"])  # nested before Octopus
        pgs = {s["state_name"]: s["count"] for s in status["pgmap"]["pgs_by_state"]}
        expected = sum(pool["pg_num"] for pool in pools)
        checks = sorted(set(status["health"]["checks"]) - TOLERATED_HEALTH)
        mgr = bool(status["mgrmap"]["available"])
        ready = mgr and osdmap["num_up_osds"] >= 1 and pgs == {"active+clean": expected} \
            and not checks
        return ready, (f"mgr available: {mgr}, OSDs up: {osdmap['num_up_osds']}, PGs: {pgs} "
                       f"of {expected}, health checks: {checks}")
