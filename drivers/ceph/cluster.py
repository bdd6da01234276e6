"""A real, throwaway, single-node Ceph cluster for tests, benchmarks and ``translator-sim ceph``.

One monitor, one mgr, one OSD (memstore, or bluestore on a sparse file) and one
radosgw (S3 and Swift), all on loopback with every file under one directory,
from Debian's Ceph 16.2 packages (``tools/install-ceph``; the Python bindings
reach a venv through ``tools/link-ceph-bindings``). Ready in about two seconds::

    with CephCluster() as ceph:
        client = rados.Rados(conffile=ceph.conf_path)

cephx stays on; the admin keyring is named in ceph.conf's [client] section, so
``conffile`` alone connects, as ``client.admin`` (``rbd_user`` is "admin"). The
daemons fork away; they are known only by the pid files in the directory, and
stop() signals exactly those.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable

from translator_drivers.ceph import cluster_cli as cli
from translator_drivers.ceph import cluster_conf as conf
from translator_drivers.ceph import cluster_proc as proc
from translator_drivers.ceph.cluster_daemons import Daemons
from translator_drivers.ceph.cluster_mon import MonClient
from translator_drivers.ceph.cluster_rgw import create_rgw_user

LOG = logging.getLogger(__name__)

#: Loopback needs no proxy, whatever http_proxy says.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: Commands the cluster runs; all must be installed (``tools/install-ceph``).
COMMANDS = ("monmaptool", "ceph-mon", "ceph-mgr", "ceph-osd", "radosgw", "radosgw-admin")


class CephClusterError(Exception):
    """The cluster could not start (the message names the logs directory and quotes
    the relevant log), or was used before start()."""


def ceph_available() -> tuple[bool, str]:
    """(True, "") when the daemons and the rados/rbd bindings are installed, else
    (False, what is missing)."""
    missing = [cmd for cmd in COMMANDS if shutil.which(cmd) is None
               and not os.access(f"/usr/bin/{cmd}", os.X_OK)]
    try:
        import rados  # noqa: F401
        import rbd  # noqa: F401
    except ImportError:
        missing.append("the rados/rbd Python modules (tools/link-ceph-bindings for a venv)")
    if not missing:
        return True, ""
    return False, "missing " + ", ".join(missing) + "; install with tools/install-ceph"


class CephCluster:
    """A single-node Ceph cluster in ``base_dir``: a new temporary directory (removed
    by stop()) if None, else that directory (created if missing, must be empty, kept).

    ``ports``: ``{"mon": P, "rgw": R}``, the monitor's msgr2 port (msgr1 listens on
    P+1) and radosgw's; any not given is picked free at start(), outside 6800-7300
    where the OSD and the mgr bind. ``rgw=False`` starts no radosgw (the rgw and
    swift attributes are then empty).
    """

    name = "ceph"

    def __init__(self, base_dir: str | None = None, *, objectstore: str = "memstore",
                 store_bytes: int = 2 * 1024**3,
                 rbd_pools: tuple[str, ...] | list[str] = ("volumes", "images"),
                 rgw: bool = True, host: str = "127.0.0.1",
                 ports: dict[str, int] | None = None) -> None:
        if objectstore not in ("memstore", "bluestore"):
            raise ValueError(f"objectstore must be memstore or bluestore, not {objectstore!r}")
        unknown = set(ports or {}) - {"mon", "rgw"}
        if unknown:
            raise ValueError(f"unknown ports {sorted(unknown)}: only 'mon' and 'rgw'")
        clash = {k: v for k, v in (ports or {}).items()
                 if {v, v + (k == "mon")} & set(proc.OSD_PORT_RANGE)}
        if clash:
            raise ValueError(f"ports {clash} fall in 6800-7300, where the OSD and mgr bind")
        self.base_dir = base_dir
        self.objectstore = objectstore
        self.store_bytes = int(store_bytes)
        self.rbd_pools = tuple(rbd_pools)
        self.rgw = rgw
        self.host = host
        self._given_ports = dict(ports or {})
        self.ports: dict[str, int] = dict(self._given_ports)
        #: Where start() writes the endpoints and keys as JSON (mode 0600), if set.
        self.credentials_file: str | None = None
        self.fsid = str(uuid.uuid4())
        #: The cephx user clients connect as (client.admin): fine for a test cluster.
        self.rbd_user = "admin"
        self.s3_access_key = ""
        self.s3_secret_key = ""
        self.swift_user = ""
        self.swift_key = ""
        self._layout: conf.Layout | None = None
        self._created_dir = False
        self._daemons: Daemons | None = None
        self._mon: MonClient | None = None
        self._osd_uuid = ""
        self._waiting_on = ""

    # --- what clients need -----------------------------------------------------------------

    @property
    def layout(self) -> conf.Layout:
        if self._layout is None:
            raise CephClusterError("the Ceph cluster has not been started")
        return self._layout

    @property
    def conf_path(self) -> str:
        return self.layout.conf

    @property
    def admin_keyring(self) -> str:
        return self.layout.admin_keyring

    @property
    def mon_addrs(self) -> list[str]:
        """The monitor's msgr2 address, as RBD connection info lists monitors."""
        return [f"{self.host}:{self._port('mon')}"]

    @property
    def rgw_endpoint(self) -> str:
        return f"http://{self.host}:{self._port('rgw')}" if self.rgw else ""

    @property
    def endpoint(self) -> str:
        """The main endpoint: radosgw's (the monitor's address when rgw is off)."""
        return self.rgw_endpoint or f"v2:{self.mon_addrs[0]}"

    @property
    def swift_auth_url(self) -> str:
        return f"{self.rgw_endpoint}/auth/1.0" if self.rgw else ""

    def _port(self, name: str) -> int:
        self.layout  # noqa: B018 - raises before start()
        return self.ports[name]

    def config_overrides(self) -> dict[str, dict[str, object]]:
        """The options that point the translator's drivers at this cluster.

        [ceph]: the RBD driver's conf, pool and user, and with radosgw running the
        object storage driver's rgw_endpoint, rgw_access_key and rgw_secret_key.
        [swift] (radosgw only): the swift driver's auth_url (Swift auth v1), user
        and key, of the same radosgw user, so both drivers see the same containers.
        """
        ceph: dict[str, object] = {"rbd_ceph_conf": self.conf_path,
                                   "rbd_pool": self.rbd_pools[0] if self.rbd_pools else "",
                                   "rbd_user": self.rbd_user}
        if not self.rgw:
            return {"ceph": ceph}
        ceph.update(rgw_endpoint=self.rgw_endpoint, rgw_access_key=self.s3_access_key,
                    rgw_secret_key=self.s3_secret_key)
        return {"ceph": ceph, "swift": {"auth_url": self.swift_auth_url,
                                        "user": self.swift_user, "key": self.swift_key}}

    def daemon_pids(self) -> dict[str, int]:
        """The running daemons' pids by entity name (mon.a, mgr.x, osd.0, client.rgw.gw)."""
        self.layout  # noqa: B018 - raises before start()
        return Daemons(self.layout).running()

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> CephCluster:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self, timeout: float = 60.0) -> None:
        """Bootstrap until ready: mgr available, the OSD up, every PG active+clean and
        radosgw answering HTTP. On failure stop what was started, keep the directory
        and raise CephClusterError with the tail of the log of the step that failed."""
        if self._daemons is not None:
            return
        ok, missing = ceph_available()
        if not ok:
            raise CephClusterError(f"Ceph is not installed: {missing}")
        began = time.monotonic()
        deadline = began + timeout
        self._prepare()
        atexit.register(self.stop)  # no daemons left behind by an interpreter that exits
        self._mon = MonClient(self.layout.conf)
        self._daemons = daemons = Daemons(self.layout)
        step = conf.MON
        try:
            self._bootstrap_mon(daemons, self._mon, deadline)
            step = conf.MGR
            # Device health scraping would add a pool (one more PG to wait for) and
            # probe devices a throwaway cluster does not have.
            self._mon.command({"prefix": "config set", "who": "mgr", "force": True,
                               "name": "mgr/devicehealth/enable_monitoring",
                               "value": "false"}, deadline)
            daemons.launch(conf.MGR, ["ceph-mgr", "-i", "x"], deadline)
            step = conf.OSD
            daemons.run_until_ok(conf.OSD, ["ceph-osd", "-c", self.layout.conf, "-i", "0",
                                            "--mkfs", "--osd-uuid", self._osd_uuid], deadline)
            daemons.launch(conf.OSD, ["ceph-osd", "-i", "0"], deadline)
            step = "pools"
            for pool in self.rbd_pools:
                self._mon.command({"prefix": "osd pool create", "pool": pool}, deadline)
                self._mon.command({"prefix": "osd pool application enable", "pool": pool,
                                   "app": "rbd"}, deadline)
            if self.rgw:
                step = conf.RGW
                daemons.launch(conf.RGW, ["radosgw", "-n", conf.RGW], deadline)
                self._wait(self._rgw_answers, deadline, "radosgw to answer HTTP")
                user = create_rgw_user(self.layout.conf, "translator", deadline)
                self.s3_access_key, self.s3_secret_key = user.access_key, user.secret_key
                self.swift_user, self.swift_key = user.swift_user, user.swift_key
            step = "health"
            self._wait(self._ready, deadline, "every PG active+clean")
        except BaseException as exc:  # KeyboardInterrupt too: leave no daemon behind
            detail = self._failure_detail(step)
            self._mon.close()
            daemons.stop_all()
            self._daemons = None
            atexit.unregister(self.stop)
            self._created_dir = False  # the logs stay for the reader of the error
            if not isinstance(exc, Exception):
                raise
            raise CephClusterError(
                f"Ceph cluster did not start ({step}): {exc}; logs in "
                f"{self.layout.log_dir}\n{detail}") from exc
        self._mon.close()
        if self.credentials_file:
            self._write_credentials(self.credentials_file)
        LOG.info("Ceph cluster %s ready in %.1f s (mon %s, radosgw %s, dir %s)", self.fsid,
                 time.monotonic() - began, self.mon_addrs[0], self.rgw_endpoint or "off",
                 self.layout.root)

    def stop(self) -> None:
        """Stop radosgw, then the OSD (while the monitor is up), then mgr and monitor,
        by the pids in our pid files. Remove the directory if start() created it."""
        if self._layout is None:
            return
        atexit.unregister(self.stop)
        if self._mon is not None:
            self._mon.close()
        if self._daemons is not None:
            self._daemons.stop_all()
            self._daemons = None
        if self._created_dir:
            shutil.rmtree(self._layout.root, ignore_errors=True)
            self._created_dir = False
            self.base_dir = None  # a restart gets a new one
            self.ports = dict(self._given_ports)
        LOG.debug("Ceph cluster %s stopped", self.fsid)

    # --- bootstrap steps -------------------------------------------------------------------

    def _prepare(self) -> None:
        if self.base_dir is None:
            self.base_dir = tempfile.mkdtemp(prefix="ceph-")
            self._created_dir = True
        elif os.path.isdir(self.base_dir) and os.listdir(self.base_dir):
            raise CephClusterError(f"{self.base_dir} is not empty")
        layout = conf.Layout(os.path.abspath(self.base_dir))
        layout.make()
        conf.link_mgr_modules(layout)
        self._layout = layout
        taken = list(self.ports.values())
        if "mon" not in self.ports:
            self.ports["mon"] = proc.free_port(self.host, pair=True, taken=taken)
            taken += [self.ports["mon"], self.ports["mon"] + 1]
        if "rgw" not in self.ports:
            self.ports["rgw"] = proc.free_port(self.host, taken=taken)
        # Every key goes into the monitor at mkfs: no `ceph auth add` round trips.
        keys = {entity: conf.generate_key() for entity in conf.CAPS}
        conf.write_private(layout.mon_keyring, conf.render_keyring(keys))
        conf.write_private(layout.admin_keyring,
                           conf.render_keyring({conf.ADMIN: keys[conf.ADMIN]}))
        conf.write_private(layout.daemon_keyring, conf.render_keyring(
            {e: keys[e] for e in (conf.MGR, conf.OSD, conf.RGW)}))
        with open(layout.conf, "w") as out:
            out.write(conf.render_conf(
                layout=layout, fsid=self.fsid, host=self.host, mon_port=self.ports["mon"],
                mon_v1_port=self.ports["mon"] + 1, rgw_port=self.ports["rgw"],
                objectstore=self.objectstore, store_bytes=self.store_bytes))

    def _bootstrap_mon(self, daemons: Daemons, mon: MonClient, deadline: float) -> None:
        """mkfs and start the monitor, then probe it: it does not serve cephx for a
        moment after ceph-mon returns. ``osd new`` (idempotent) retried is the probe,
        and creates osd.0."""
        v2, v1 = self.ports["mon"], self.ports["mon"] + 1
        daemons.check(["monmaptool", "--create", "--fsid", self.fsid, "--addv", "a",
                       f"[v2:{self.host}:{v2},v1:{self.host}:{v1}]", "--enable-all-features",
                       "--clobber", self.layout.monmap], deadline)
        daemons.check(["ceph-mon", "-c", self.layout.conf, "--mkfs", "-i", "a", "--monmap",
                       self.layout.monmap, "--keyring", self.layout.mon_keyring], deadline)
        daemons.launch(conf.MON, ["ceph-mon", "-i", "a"], deadline, retry=False)
        self._osd_uuid = str(uuid.uuid4())
        mon.command({"prefix": "osd new", "uuid": self._osd_uuid, "id": 0}, deadline)

    def _wait(self, condition: Callable[[float], bool], deadline: float, what: str) -> None:
        assert self._daemons is not None
        while True:
            dead = self._daemons.dead()
            if dead:
                raise CephClusterError(f"{', '.join(dead)} exited while waiting for {what}")
            if condition(deadline):
                return
            if time.monotonic() >= deadline:
                raise CephClusterError(f"timed out waiting for {what} ({self._waiting_on})")
            time.sleep(0.05)

    def _rgw_answers(self, deadline: float) -> bool:
        self._waiting_on = f"no HTTP answer from {self.rgw_endpoint}"
        try:
            with _NO_PROXY.open(self.rgw_endpoint + "/", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer (403 to an anonymous request) will do
        except OSError:
            return False

    def _ready(self, deadline: float) -> bool:
        assert self._mon is not None
        ready, self._waiting_on = self._mon.readiness(deadline)
        return ready

    # --- reporting ---------------------------------------------------------------------------

    def _failure_detail(self, step: str) -> str:
        if step in conf.DATA_DIRS:
            paths = [self.layout.out_file(step), self.layout.log_file(step)]
        else:  # the cluster log tells of health checks and pools
            paths = [self.layout.path("log", "ceph.cluster.log")]
        return "\n".join(f"--- {path}\n{text}" for path in paths if (text := proc.tail(path)))

    def _write_credentials(self, path: str) -> None:
        cli.write_credentials(path, {
            "fsid": self.fsid, "conf_path": self.conf_path, "admin_keyring": self.admin_keyring,
            "mon_addrs": self.mon_addrs, "rbd_user": self.rbd_user,
            "rbd_pools": list(self.rbd_pools), "rgw_endpoint": self.rgw_endpoint,
            "s3_access_key": self.s3_access_key, "s3_secret_key": self.s3_secret_key,
            "swift_auth_url": self.swift_auth_url, "swift_user": self.swift_user,
            "swift_key": self.swift_key})

    # --- translator-sim ceph ---------------------------------------------------------------

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Options of ``translator-sim ceph``."""
        cli.add_arguments(parser)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CephCluster:
        """A cluster configured from ``add_arguments``' options."""
        cluster = cls(args.dir, objectstore=args.objectstore, store_bytes=args.store_bytes,
                      ports={"rgw": args.rgw_port} if args.rgw_port else None)
        cluster.credentials_file = args.credentials_file
        if not args.credentials_file:
            LOG.warning("the radosgw keys are generated and not shown; pass "
                        "--credentials-file to get them")
        return cluster
