"""The radosgw user of a throwaway Ceph cluster: S3 keys and a Swift subuser.

radosgw-admin generates the keys and prints them as JSON, so no secret ever
appears on a command line (visible in /proc) or in a log line.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from translator_drivers.ceph import cluster_proc as proc

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class RgwUser:
    uid: str
    access_key: str
    secret_key: str
    swift_user: str
    swift_key: str

    def __repr__(self) -> str:  # never the keys
        return f"RgwUser(uid={self.uid!r}, swift_user={self.swift_user!r})"


def create_rgw_user(conf_path: str, uid: str, deadline: float) -> RgwUser:
    """Create ``uid`` with an S3 key pair and the Swift subuser ``uid:swift``
    (full access, generated key). Retried until ``deadline``: right after radosgw
    starts its zone may still be being written."""
    admin = ["radosgw-admin", "-c", conf_path]
    _admin(admin + ["user", "create", "--uid", uid, "--display-name", uid], deadline,
           ok_if_exists=True)
    info = _admin(admin + ["subuser", "create", "--uid", uid, "--subuser", f"{uid}:swift",
                           "--access", "full", "--key-type", "swift", "--gen-secret"], deadline)
    s3 = next(k for k in info["keys"] if k["user"] == uid)
    swift = next(k for k in info["swift_keys"] if k["user"] == f"{uid}:swift")
    return RgwUser(uid=uid, access_key=s3["access_key"], secret_key=s3["secret_key"],
                   swift_user=swift["user"], swift_key=swift["secret_key"])


def _admin(argv: list[str], deadline: float, *, ok_if_exists: bool = False) -> dict:
    while True:
        result = proc.run(argv, timeout=max(1.0, deadline - time.monotonic()))
        if result.returncode == 0:
            return json.loads(result.stdout)
        # stderr of a failed create carries no key (the keys are only in stdout).
        message = result.stderr.strip()[-1000:]
        if ok_if_exists and "exists" in message:
            return {}  # an earlier attempt got through before it failed
        if time.monotonic() >= deadline:
            raise RuntimeError(f"radosgw-admin {argv[3]} {argv[4]} exited "
                               f"{result.returncode}: {message}")
        LOG.debug("radosgw-admin %s %s exited %s, retrying", argv[3], argv[4],
                  result.returncode)
        time.sleep(0.1)
