"""The backend each compute driver's contract tests run against.

``BACKENDS`` maps a driver name (its entry point in ``translator.drivers.compute``)
to a context manager that starts that driver's backend and yields a fresh
``ConfigOpts`` configured for it. A driver registered without an entry here
fails the contract suite: adding a driver means adding its backend.
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
    conf = _block_conf(ceph_conf.register_opts, ceph.config_overrides())
    yield BlockBackend(conf, "hypervisor-host-1")


BLOCK_BACKENDS: dict[str, Callable[[], AbstractContextManager[BlockBackend]]] = {
    "cloudstack": cloudstack_block,
    "ceph": ceph_block,
}
