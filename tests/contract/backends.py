"""The backend each compute driver's contract tests run against.

``BACKENDS`` maps a driver name (its entry point in ``translator.drivers.compute``)
to a context manager that starts that driver's backend and yields a fresh
``ConfigOpts`` configured for it. A driver registered without an entry here
fails the contract suite: adding a driver means adding its backend.
``BLOCK_BACKENDS`` and ``OBJECT_BACKENDS`` do the same for block and object storage.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from oslo_config import cfg

#: Async job durations small enough for the whole contract to run in seconds.
FAST_JOB_SECONDS = 0.05
CLOUDSTACK_ASYNC_COMMANDS = (
    "deployVirtualMachine", "startVirtualMachine", "stopVirtualMachine",
    "rebootVirtualMachine", "destroyVirtualMachine", "scaleVirtualMachine", "createTags",
    "createVolume", "resizeVolume", "attachVolume", "detachVolume", "createSnapshot",
    "deleteSnapshot",
)


def fresh_conf(register: Callable[[cfg.ConfigOpts], None],
               overrides: dict[str, dict[str, object]]) -> cfg.ConfigOpts:
    """A new ConfigOpts with ``register``'s options, parsed from nothing, then overridden."""
    conf = cfg.ConfigOpts()
    register(conf)
    conf([], project="translator", default_config_files=[])
    for group, values in overrides.items():
        for name, value in values.items():
            conf.set_override(name, value, group=group)
    return conf


@contextlib.contextmanager
def cloudstack() -> Iterator[cfg.ConfigOpts]:
    """The CloudStack simulator on loopback, with fast async jobs."""
    from translator_drivers.cloudstack import conf as cs_conf
    from translator_drivers.cloudstack.simulator import CloudStackSimulator

    durations = dict.fromkeys(CLOUDSTACK_ASYNC_COMMANDS, FAST_JOB_SECONDS)
    with CloudStackSimulator(host="127.0.0.1", port=0, job_durations=durations) as sim:
        yield fresh_conf(cs_conf.register_opts, sim.config_overrides())


BACKENDS: dict[str, Callable[[], AbstractContextManager[cfg.ConfigOpts]]] = {
    "cloudstack": cloudstack,
}


@dataclasses.dataclass
class BlockBackend:
    """A block storage driver's backend: its configuration and a server to attach to."""

    conf: cfg.ConfigOpts
    server_id: str


def _block_conf(register: Callable[[cfg.ConfigOpts], None],
                overrides: dict[str, dict[str, object]]) -> cfg.ConfigOpts:
    from translator.conf import block_storage

    def both(conf: cfg.ConfigOpts) -> None:
        block_storage.register_opts(conf)
        register(conf)
    overrides = {"block_storage": {"volume_types": ["standard", "fast"]}, **overrides}
    return fresh_conf(both, overrides)


@contextlib.contextmanager
def cloudstack_block() -> Iterator[BlockBackend]:
    """The CloudStack simulator; the "fast" type picks the ssd-tagged disk offerings."""
    from translator_drivers.cloudstack import conf as cs_conf
    from translator_drivers.cloudstack.simulator import CloudStackSimulator

    durations = dict.fromkeys(CLOUDSTACK_ASYNC_COMMANDS, FAST_JOB_SECONDS)
    with CloudStackSimulator(host="127.0.0.1", port=0, job_durations=durations) as sim:
        conf = _block_conf(cs_conf.register_opts, {
            **sim.config_overrides(), "cloudstack": {
                **sim.config_overrides()["cloudstack"], "clone_volume_via_snapshot": True}})
        conf.register_group(cfg.OptGroup("volume_type:fast"))
        conf.register_opts(cs_conf.type_opts, group="volume_type:fast")
        conf.set_override("storage_tags", ["ssd"], group="volume_type:fast")
        [server_id] = sim.seed_virtual_machines(1)
        yield BlockBackend(conf, server_id)


@contextlib.contextmanager
def ceph_block() -> Iterator[BlockBackend]:
    """The session's real Ceph cluster; any server id (the caller maps the disk)."""
    from ceph_session import cluster
    from translator_drivers.ceph import conf as ceph_conf

    ceph = cluster()
    conf = _block_conf(ceph_conf.register_opts, {"ceph": ceph.config_overrides()["ceph"]})
    yield BlockBackend(conf, "hypervisor-host-1")


BLOCK_BACKENDS: dict[str, Callable[[], AbstractContextManager[BlockBackend]]] = {
    "cloudstack": cloudstack_block,
    "ceph": ceph_block,
}


# -- object storage -----------------------------------------------------------

#: Small enough that the contract's ~11 MiB object is stored in parts (S3's minimum).
OBJECT_THRESHOLDS = {"large_object_threshold_bytes": 5 * 1024 * 1024,
                     "part_bytes": 5 * 1024 * 1024}


#: The Swift account's temp URL key on the throwaway cluster (the driver sets it at setup).
SWIFT_TEMP_URL_KEY = "contract-temp-url-key"


def _object_driver(name: str) -> type:
    """The class behind ``name``'s entry point; an ImportError says what is missing."""
    from importlib import metadata

    [entry_point] = metadata.entry_points(group="translator.drivers.object_storage",
                                          name=name)
    return entry_point.load()


def _object_conf(cls: type, overrides: dict[str, dict[str, object]]) -> cfg.ConfigOpts:
    """A ConfigOpts with [DEFAULT], [object_storage] and the driver's own options."""
    from translator.conf import default, object_storage

    def register(conf: cfg.ConfigOpts) -> None:
        default.register_opts(conf)
        object_storage.register_opts(conf)
        cls.register_opts(conf)
    overrides = {"object_storage": dict(OBJECT_THRESHOLDS), **overrides}
    defaults = overrides.pop("DEFAULT", {})
    conf = fresh_conf(register, overrides)
    for name, value in defaults.items():
        conf.set_override(name, value)
    return conf


@contextlib.contextmanager
def local_objects() -> Iterator[cfg.ConfigOpts]:
    """Files under a temporary state directory."""
    import tempfile

    cls = _object_driver("local")
    with tempfile.TemporaryDirectory(prefix="translator-contract-objects-") as state_dir:
        yield _object_conf(cls, {"DEFAULT": {"state_dir": state_dir}})


def _rgw(ceph) -> dict[str, dict[str, object]]:
    """The session cluster's overrides, with its radosgw's S3 and Swift credentials."""
    overrides = {group: dict(values) for group, values in ceph.config_overrides().items()}
    overrides.setdefault("ceph", {}).setdefault("rgw_endpoint", ceph.rgw_endpoint)
    overrides["ceph"].setdefault("rgw_access_key", ceph.s3_access_key)
    overrides["ceph"].setdefault("rgw_secret_key", ceph.s3_secret_key)
    overrides.setdefault("swift", {"auth_url": ceph.swift_auth_url, "user": ceph.swift_user,
                                   "key": ceph.swift_key})
    return overrides


@contextlib.contextmanager
def ceph_objects() -> Iterator[cfg.ConfigOpts]:
    """The session's real Ceph cluster: radosgw's S3 API."""
    from ceph_session import cluster

    cls = _object_driver("ceph")
    yield _object_conf(cls, {"ceph": _rgw(cluster())["ceph"]})


@contextlib.contextmanager
def swift_objects() -> Iterator[cfg.ConfigOpts]:
    """The session's real Ceph cluster: radosgw's Swift API (TempAuth at /auth/1.0)."""
    from ceph_session import cluster

    cls = _object_driver("swift")
    conf = _object_conf(cls, {"swift": _rgw(cluster())["swift"]})
    if "temp_url_key" in conf.swift:  # the account's key, so temp URLs are tested too
        conf.set_override("temp_url_key", SWIFT_TEMP_URL_KEY, group="swift")
    yield conf


OBJECT_BACKENDS: dict[str, Callable[[], AbstractContextManager[cfg.ConfigOpts]]] = {
    "local": local_objects,
    "ceph": ceph_objects,
    "swift": swift_objects,
}


# -- load balancing -----------------------------------------------------------

#: CloudStack's asynchronous load balancer commands, made fast like the others.
CLOUDSTACK_LB_ASYNC_COMMANDS = (
    "associateIpAddress", "disassociateIpAddress", "createLoadBalancerRule",
    "deleteLoadBalancerRule", "assignToLoadBalancerRule", "removeFromLoadBalancerRule",
    "createLBHealthCheckPolicy", "deleteLBHealthCheckPolicy", "createLBStickinessPolicy",
    "deleteLBStickinessPolicy",
)


@dataclasses.dataclass
class LbBackend:
    """A load balancing driver's backend: its configuration, members it can balance and
    the VIP fields a create needs there."""

    conf: cfg.ConfigOpts
    members: list  # models.Member, as many as the contract needs (4)
    vip: dict[str, str]


def _lb_conf(register: Callable[[cfg.ConfigOpts], None],
             overrides: dict[str, dict[str, object]]) -> cfg.ConfigOpts:
    from translator.conf import load_balancing

    def both(conf: cfg.ConfigOpts) -> None:
        load_balancing.register_opts(conf)
        register(conf)
    return fresh_conf(both, overrides)


@contextlib.contextmanager
def netscaler_lb() -> Iterator[LbBackend]:
    """The NITRO simulator; members by address and port."""
    from translator.drivers import models
    from translator_drivers.netscaler import conf as ns_conf
    from translator_drivers.netscaler.simulator import NetScalerSimulator

    with NetScalerSimulator(host="127.0.0.1", port=0) as sim:
        members = [models.Member(address=f"10.1.0.{i}", port=8080) for i in range(1, 5)]
        yield LbBackend(_lb_conf(ns_conf.register_opts, sim.config_overrides()), members,
                        {"vip_address": "192.0.2.10"})


@contextlib.contextmanager
def cloudstack_lb() -> Iterator[LbBackend]:
    """The CloudStack simulator; members are its VMs, by server id."""
    from translator.drivers import models
    from translator_drivers.cloudstack import conf as cs_conf
    from translator_drivers.cloudstack.simulator import CloudStackSimulator

    durations = dict.fromkeys(CLOUDSTACK_ASYNC_COMMANDS + CLOUDSTACK_LB_ASYNC_COMMANDS,
                              FAST_JOB_SECONDS)
    with CloudStackSimulator(host="127.0.0.1", port=0, job_durations=durations) as sim:
        members = [models.Member(server_id=vm, port=8080)
                   for vm in sim.seed_virtual_machines(4)]
        yield LbBackend(_lb_conf(cs_conf.register_opts, sim.config_overrides()), members, {})


LB_BACKENDS: dict[str, Callable[[], AbstractContextManager[LbBackend]]] = {
    "netscaler": netscaler_lb,
    "cloudstack": cloudstack_lb,
}
