"""The backend each compute driver's contract tests run against.

``BACKENDS`` maps a driver name (its entry point in ``translator.drivers.compute``)
to a context manager that starts that driver's backend and yields a fresh
``ConfigOpts`` configured for it. A driver registered without an entry here
fails the contract suite: adding a driver means adding its backend.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

from oslo_config import cfg

#: Async job durations small enough for the whole contract to run in seconds.
FAST_JOB_SECONDS = 0.05
CLOUDSTACK_ASYNC_COMMANDS = (
    "deployVirtualMachine", "startVirtualMachine", "stopVirtualMachine",
    "rebootVirtualMachine", "destroyVirtualMachine", "scaleVirtualMachine", "createTags",
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
