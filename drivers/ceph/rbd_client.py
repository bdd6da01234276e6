"""One connection to the Ceph cluster, shared by every call and redone when it breaks.

A ``rados.Rados`` handle is thread-safe and costly to set up (monitor
session, maps, cephx), so the driver keeps one; each call opens its own
``Ioctx`` on it (a local lookup in the OSD map). When the handle turns out
dead (ConnectionShutdown, NotConnected) it is retired: new calls get a new
handle, and the old one is shut down once the calls still using it are done,
never under their feet.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

from translator.drivers import exceptions as exc
from translator_drivers.ceph import rbd_errors
from translator_drivers.ceph.rbd_errors import BACKEND, CephMisconfigured

LOG = logging.getLogger(__name__)

#: Seconds a failed connect is remembered: callers in between fail at once
#: instead of each waiting for the cluster's timeout in turn.
RECONNECT_AFTER = 2.0
#: Seconds the monitor addresses (for connection info) are cached.
MONITORS_TTL = 300.0


def bindings() -> tuple[Any, Any]:
    """The (rados, rbd) modules, or a clear error when they are not installed."""
    try:
        import rados
        import rbd
    except ImportError as error:
        raise CephMisconfigured(
            "the Ceph block storage backend is not usable on this server",
            "the rados/rbd Python modules are not importable (install python3-rados and "
            "python3-rbd; in a venv, tools/link-ceph-bindings)", backend=BACKEND) from error
    return rados, rbd


class _Handle:
    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self.users = 0
        self.retired = False


class RadosConnection:
    """The cluster handle of one driver; ``opts`` is its [ceph] option group."""

    def __init__(self, opts: Any, rados_module: Any = None) -> None:
        self.opts = opts
        self._rados = rados_module
        self._lock = threading.Lock()
        self._handle: _Handle | None = None
        self._failed: tuple[float, exc.TranslatorError] | None = None
        self._monitors: tuple[float, list[dict[str, str]]] | None = None

    @property
    def rados(self) -> Any:
        if self._rados is None:
            self._rados = bindings()[0]
        return self._rados

    # -- the handle ---------------------------------------------------------------------

    def _connect(self) -> Any:
        """A new connected handle, or the translator error saying why not."""
        opts = self.opts
        user = user_id(opts.rbd_user)
        kwargs: dict[str, Any] = {"clustername": opts.rbd_cluster_name or "ceph"}
        if user:
            kwargs["rados_id"] = user
        if opts.rbd_ceph_conf:
            kwargs["conffile"] = opts.rbd_ceph_conf
        where = opts.rbd_ceph_conf or "librados' default ceph.conf"
        try:
            cluster = self.rados.Rados(**kwargs)
        except self.rados.Error as error:
            raise CephMisconfigured(
                "the Ceph block storage backend is misconfigured",
                f"cannot read the Ceph configuration ({where}): {error}",
                backend=BACKEND) from error
        timeout = opts.rados_connect_timeout
        try:
            if timeout > 0:
                # Rados.connect(timeout=) is ignored by the binding: set librados' own.
                for name in ("client_mount_timeout", "rados_osd_op_timeout",
                             "rados_mon_op_timeout"):
                    cluster.conf_set(name, str(timeout))
            cluster.connect()
        except self.rados.Error as error:
            cluster.shutdown()
            name = rbd_errors.kind(error)
            if name in ("PermissionError", "PermissionDeniedError"):
                raise CephMisconfigured(
                    "the Ceph cluster refused the translator's credentials",
                    f"cephx authentication as {user or 'admin'} failed ({where}): {error}",
                    backend=BACKEND) from error
            raise exc.BackendUnavailable(
                "cannot connect to the Ceph cluster",
                f"connecting to Ceph ({where}, user {user or 'admin'}) failed: {error}",
                backend=BACKEND, retry_after=RECONNECT_AFTER) from error
        LOG.info("Connected to Ceph cluster %s as %s (%s)", cluster.get_fsid(),
                 user or "admin", where)
        return cluster

    def _acquire(self) -> _Handle:
        with self._lock:
            if self._handle is None:
                if self._failed and time.monotonic() - self._failed[0] < RECONNECT_AFTER:
                    raise self._failed[1]
                try:
                    self._handle = _Handle(self._connect())
                except exc.TranslatorError as error:
                    self._failed = (time.monotonic(), error)
                    raise
                self._failed = None
            self._handle.users += 1
            return self._handle

    def _release(self, handle: _Handle) -> None:
        with self._lock:
            handle.users -= 1
            done = handle.retired and handle.users == 0
        if done:
            handle.cluster.shutdown()

    def _retire(self, handle: _Handle) -> None:
        with self._lock:
            if self._handle is handle:
                self._handle = None
                handle.retired = True
                LOG.warning("Ceph connection lost; the next call reconnects")

    def connect(self) -> None:
        """Connect now (setup); later calls reuse the handle."""
        handle = self._acquire()
        self._release(handle)

    def close(self) -> None:
        with self._lock:
            handle, self._handle = self._handle, None
            if handle is None:
                return
            handle.retired = True
            idle = handle.users == 0
        if idle:
            handle.cluster.shutdown()

    @contextlib.contextmanager
    def cluster(self) -> Iterator[Any]:
        """The shared ``rados.Rados``, held for the block."""
        handle = self._acquire()
        try:
            yield handle.cluster
        except Exception as error:
            if rbd_errors.kind(error) in rbd_errors.CONNECTION_ERRORS:
                self._retire(handle)
            raise
        finally:
            self._release(handle)

    @contextlib.contextmanager
    def ioctx(self, pool: str) -> Iterator[Any]:
        """An ``Ioctx`` on ``pool`` for the block (rados.ObjectNotFound if there is none)."""
        with self.cluster() as cluster:
            ioctx = cluster.open_ioctx(pool)
            try:
                yield ioctx
            finally:
                ioctx.close()

    # -- cluster facts ------------------------------------------------------------------------

    def pool_exists(self, pool: str) -> bool:
        with self.cluster() as cluster:
            return bool(cluster.pool_exists(pool))

    def mon_command(self, command: dict[str, Any]) -> Any:
        """A monitor command's JSON answer."""
        with self.cluster() as cluster:
            ret, out, status = cluster.mon_command(json.dumps(command), b"")
        if ret != 0:
            raise exc.BackendError(
                f"the Ceph monitors refused {command['prefix']!r}",
                f"mon command {command!r} failed ({ret}): {status}", backend=BACKEND,
                backend_code=str(-ret))
        return json.loads(out)

    def monitors(self) -> list[dict[str, str]]:
        """Each monitor's addresses: {"name", "legacy" (host:port of msgr1), "addrvec"}.

        Cached: a hypervisor needs them for every attached volume's connection
        info, and monitors move rarely.
        """
        cached = self._monitors
        if cached and time.monotonic() - cached[0] < MONITORS_TTL:
            return cached[1]
        monmap = self.mon_command({"prefix": "mon dump", "format": "json"})
        found = []
        for mon in monmap.get("mons", []):
            addrs = (mon.get("public_addrs") or {}).get("addrvec") or []
            legacy = next((a["addr"] for a in addrs if a.get("type") == "v1"), "")
            if not legacy and mon.get("addr"):
                legacy = mon["addr"].rsplit("/", 1)[0]
            vec = ",".join(f"{a['type']}:{a['addr']}" for a in addrs)
            found.append({"name": mon.get("name", ""), "legacy": legacy,
                          "addrvec": f"[{vec}]" if vec else legacy})
        self._monitors = (time.monotonic(), found)
        return found

    def identity(self) -> tuple[str, bool]:
        """(the cephx user's id without "client.", whether cephx is on) as connected."""
        with self.cluster() as cluster:
            name = cluster.conf_get("name") or ""
            auth = cluster.conf_get("auth_client_required") or ""
        return user_id(name) or "admin", "cephx" in auth


def user_id(name: str) -> str:
    """``client.cinder`` → ``cinder``: rados_id and connection info take the bare id."""
    name = (name or "").strip()
    return name[len("client."):] if name.startswith("client.") else name
