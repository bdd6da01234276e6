"""Files of a throwaway Ceph cluster: ceph.conf, cephx keys and keyrings, the layout of DIR.

Everything a daemon or a client needs lives under one directory, so that two
clusters can run side by side and removing the directory removes the cluster.
"""

from __future__ import annotations

import base64
import os
import secrets
import struct
import time
from dataclasses import dataclass

#: The daemons of the cluster, by their Ceph entity names.
MON = "mon.a"
MGR = "mgr.x"
OSD = "osd.0"
RGW = "client.rgw.gw"
ADMIN = "client.admin"
#: Each daemon's data lives in DIR/<kind>/<entity name>.
DATA_DIRS = {MON: "mon", MGR: "mgr", OSD: "osd", RGW: "rgw"}

#: cephx capabilities of each entity we create (mon. is the monitors' shared secret).
CAPS: dict[str, dict[str, str]] = {
    "mon.": {"mon": "allow *"},
    ADMIN: {"mon": "allow *", "osd": "allow *", "mds": "allow *", "mgr": "allow *"},
    MGR: {"mon": "allow profile mgr", "osd": "allow *", "mds": "allow *"},
    OSD: {"mon": "allow profile osd", "mgr": "allow profile osd", "osd": "allow *"},
    RGW: {"mon": "allow rw", "osd": "allow rwx", "mgr": "allow rw"},
}

_CEPH_CRYPTO_AES = 1


def generate_key() -> str:
    """A new cephx secret, encoded as Ceph encodes a CryptoKey (what
    ``ceph-authtool --gen-print-key`` prints): u16 type, u32 sec, u32 nsec,
    u16 length, 16 random bytes; base64. Made here to save a process per key."""
    now = time.time()
    secret = secrets.token_bytes(16)
    raw = struct.pack("<HIIH", _CEPH_CRYPTO_AES, int(now), int(now % 1 * 1e9), len(secret))
    return base64.b64encode(raw + secret).decode("ascii")


def render_keyring(keys: dict[str, str]) -> str:
    """A keyring file holding ``keys`` (entity → secret) with the caps in CAPS."""
    out: list[str] = []
    for entity, key in keys.items():
        out.append(f"[{entity}]\n\tkey = {key}\n")
        for service, cap in CAPS[entity].items():
            out.append(f'\tcaps {service} = "{cap}"\n')
    return "".join(out)


def write_private(path: str, text: str) -> None:
    """Write ``text`` to a new file readable by its owner only (keys, credentials)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)


@dataclass(frozen=True)
class Layout:
    """Where everything lives under the cluster's directory."""

    root: str

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    @property
    def conf(self) -> str:
        return self.path("ceph.conf")

    @property
    def admin_keyring(self) -> str:
        return self.path("ceph.client.admin.keyring")

    @property
    def daemon_keyring(self) -> str:
        return self.path("daemons.keyring")

    @property
    def mon_keyring(self) -> str:
        """Every key, imported into the monitor by ``ceph-mon --mkfs``."""
        return self.path("mon-bootstrap.keyring")

    @property
    def monmap(self) -> str:
        return self.path("monmap")

    @property
    def log_dir(self) -> str:
        return self.path("log")

    def pid_file(self, entity: str) -> str:
        return self.path("run", f"{entity}.pid")

    def log_file(self, entity: str) -> str:
        return self.path("log", f"{entity}.log")

    def out_file(self, entity: str) -> str:
        """stdout and stderr of a daemon's start command (before it logs to its file)."""
        return self.path("log", f"{entity}.out")

    def make(self) -> None:
        for sub in ("run", "log", "crash"):
            os.makedirs(self.path(sub), exist_ok=True)
        for entity, kind in DATA_DIRS.items():
            os.makedirs(self.path(kind, entity), exist_ok=True)


#: The mgr loads every Python module it finds (~4 s for all of Debian's here) before it
#: becomes available; it gets a directory of links to these only: Pacific's always-on
#: modules (a missing one is a MGR_MODULE_ERROR) and iostat, the one initial module.
MGR_MODULES = ("mgr_module.py", "mgr_util.py", "balancer", "crash", "devicehealth",
               "orchestrator", "pg_autoscaler", "progress", "rbd_support", "status",
               "telemetry", "volumes", "iostat")
MGR_MODULE_PATH = "/usr/share/ceph/mgr"


def link_mgr_modules(layout: Layout) -> None:
    target = layout.path("mgr-modules")
    os.makedirs(target, exist_ok=True)
    for name in MGR_MODULES:
        source = os.path.join(MGR_MODULE_PATH, name)
        if os.path.exists(source):
            os.symlink(source, os.path.join(target, name))


def render_conf(*, layout: Layout, fsid: str, host: str, mon_port: int, mon_v1_port: int,
                rgw_port: int, objectstore: str, store_bytes: int) -> str:
    """ceph.conf for one mon, one mgr, one OSD and one radosgw on ``host``.

    The choices, measured (see CEPH-NOTES.md): pool size one and chooseleaf type 0
    for a single OSD; short paxos intervals (bootstrap ~14 s → ~4 s); every path
    in DIR; loopback only; RGW garbage collection after seconds, not hours.
    """
    root = layout.root
    if objectstore == "memstore":
        store = {"osd objectstore": "memstore", "memstore device bytes": store_bytes}
    elif objectstore == "bluestore":
        # A sparse file in the OSD's data directory (no "bluestore block path").
        store = {"osd objectstore": "bluestore", "bluestore block create": "true",
                 "bluestore block size": store_bytes, "bluestore block db create": "false",
                 "bluestore block wal create": "false", "bdev enable discard": "false",
                 # Closing the block device waits out one aio poll (250 ms), and mkfs
                 # and OSD start close it a dozen times; fsck of a new store finds nothing.
                 "bdev aio poll ms": 10, "bluestore fsck on mkfs": "false",
                 "osd memory target": 1024**3}
    else:
        raise ValueError(f"objectstore must be memstore or bluestore, not {objectstore!r}")
    daemon = {"log file": f"{root}/log/$name.log", "pid file": f"{root}/run/$name.pid",
              "log to stderr": "false", "err to stderr": "true",
              "keyring": layout.daemon_keyring}
    sections: dict[str, dict[str, object]] = {
        "global": {
            "fsid": fsid,
            "mon host": f"[v2:{host}:{mon_port},v1:{host}:{mon_v1_port}]",
            "public network": _network(host),
            "public addr": host,
            "cluster addr": host,
            "ms bind ipv4": "true",
            "ms bind ipv6": "false",
            # Our ports were free a moment ago; waiting 3 × 5 s for a taken one only
            # delays the error.
            "ms bind retry count": 1,
            "auth cluster required": "cephx",
            "auth service required": "cephx",
            "auth client required": "cephx",
            "auth allow insecure global id reclaim": "false",
            "run dir": f"{root}/run",
            "crash dir": f"{root}/crash",
            "log to syslog": "false",
            "err to syslog": "false",
            "clog to syslog": "false",
            "mon cluster log file": f"{root}/log/$cluster.$channel.log",
            "mon cluster log to syslog": "false",
            "osd pool default size": 1,
            "osd pool default min size": 1,
            "mon allow pool size one": "true",
            "mon allow pool delete": "true",
            "mon warn on pool no redundancy": "false",
            "osd crush chooseleaf type": 0,
            "osd pool default pg num": 8,
            "osd pool default pgp num": 8,
            "osd pool default pg autoscale mode": "off",
            "mon max pg per osd": 1000,
            # A monitor stops below 5 % free disk by default; a test machine's disk
            # may be that full (MON_DISK_LOW is tolerated).
            "mon data avail crit": 1,
            "paxos propose interval": 0.05,
            "paxos min wait": 0.01,
            # PG states reach the monitor through OSD → mgr → mon reports, each every
            # 5 s by default: a new pool's PGs would look "unknown" for seconds.
            "mgr stats period": 1,
            "mon mgr digest period": 1,
            "mgr tick period": 1,
            "osd mon report interval": 1,
        },
        "mon": {**daemon, "mon data": f"{root}/mon/$name",
                "keyring": f"{root}/mon/$name/keyring",
                "mgr initial modules": "iostat"},
        "mgr": {**daemon, "mgr data": f"{root}/mgr/$name",
                "mgr module path": f"{root}/mgr-modules"},
        "osd": {**daemon, "osd data": f"{root}/osd/$name", **store},
        "client": {"keyring": layout.admin_keyring, "log file": "",
                   "admin socket": ""},
        RGW: {**daemon, "rgw data": f"{root}/rgw/{RGW}",
              "admin socket": f"{root}/run/$name.asok",
              "rgw frontends": f"beast endpoint={host}:{rgw_port}",
              "rgw gc obj min wait": 10,
              "rgw gc processor period": 10,
              "rgw thread pool size": 64},
    }
    lines: list[str] = []
    for section, options in sections.items():
        lines.append(f"[{section}]")
        lines.extend(f"\t{key} = {value}" for key, value in options.items())
        lines.append("")
    return "\n".join(lines)


def _network(host: str) -> str:
    return "127.0.0.0/8" if host.startswith("127.") else f"{host}/32"
