"""One real throwaway Ceph cluster per test process, shared by every suite that needs it.

Started on first use (a few seconds), stopped when the process exits. Skips
the calling test when Ceph is not installed, except in CI (``CI`` set), where
a missing Ceph fails loudly.
"""

from __future__ import annotations

import atexit
import os
import threading

import pytest

from translator_drivers.ceph.cluster import CephCluster, ceph_available

_lock = threading.Lock()
_cluster: CephCluster | None = None


def require_ceph() -> None:
    ok, missing = ceph_available()
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"Ceph is required in CI: {missing}", pytrace=False)
    pytest.skip(f"Ceph is not installed: {missing}")


def cluster() -> CephCluster:
    """The session's cluster, started on first use."""
    global _cluster
    require_ceph()
    with _lock:
        if _cluster is None:
            # Bluestore on a sparse file: large-object tests store tens of MiB, which
            # memstore would hold twice in RAM; it starts ~1.5 s slower (~3.5 s here).
            started = CephCluster(objectstore="bluestore")
            started.start()
            atexit.register(started.stop)
            _cluster = started
        return _cluster
