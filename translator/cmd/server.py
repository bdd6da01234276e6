"""translator-server: serve the gRPC API on the configured drivers.

With no configuration file at all, serve the embedded default: each
configured API's backend simulator runs in-process on loopback and the real
drivers talk to it, with state in a temporary directory discarded at exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sys
import tempfile

from oslo_config import cfg
from stevedore import driver as stevedore_driver

from translator import conf as translator_conf
from translator import log
from translator.drivers import factory
from translator.memory import limit_malloc_arenas
from translator.service import app

LOG = logging.getLogger("translator.server")

SIMULATOR_NAMESPACE = "translator.simulators"


def parse_config(argv: list[str] | None) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    translator_conf.register_opts(conf)
    conf(argv if argv is not None else sys.argv[1:], project="translator",
         prog="translator-server")
    return conf


#: Drivers whose backend is this machine itself: nothing to simulate.
LOCAL_BACKENDS = frozenset({"local"})
#: APIs off by default that the embedded default turns on, to show every API at once.
EMBEDDED_DRIVERS = {"load_balancing": "cloudstack"}


@contextlib.contextmanager
def embedded_default(conf: cfg.ConfigOpts, drivers: dict):
    """Start each driver's simulator in-process and point the driver at it."""
    state_dir = tempfile.mkdtemp(prefix="translator-embedded-")
    simulators = []
    try:
        conf.set_override("state_dir", state_dir)
        started = {}
        for api, drv in drivers.items():
            simulator = started.get(drv.name)
            if simulator is None and drv.name in LOCAL_BACKENDS:
                LOG.warning("EMBEDDED DEFAULT: the %s API is served by the %s driver under "
                            "the state directory.", api, drv.name)
                continue
            if simulator is None:  # one simulator per backend, shared by its APIs
                manager = stevedore_driver.DriverManager(
                    namespace=SIMULATOR_NAMESPACE, name=drv.name, invoke_on_load=False)
                simulator = started[drv.name] = manager.driver()
                simulator.start()
                simulators.append(simulator)
                for group, values in simulator.config_overrides().items():
                    if group not in conf:  # for a driver of another API, not loaded
                        continue
                    for key, value in values.items():
                        conf.set_override(key, value, group=group)
            LOG.warning("EMBEDDED DEFAULT: no configuration file found. The %s API is served "
                        "by the real %s driver against an in-process %s simulator at %s. "
                        "Not for production: pass --config-file to use a real backend.",
                        api, drv.name, drv.name, simulator.endpoint)
        LOG.warning("EMBEDDED DEFAULT: state in %s, discarded at exit", state_dir)
        log.protect(conf)
        yield
    finally:
        for simulator in simulators:
            simulator.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    conf = parse_config(argv)
    log.setup(conf)
    limit_malloc_arenas(conf.malloc_arenas)  # before any thread starts
    embedded = not conf.config_file and not conf.config_dir
    if embedded:
        for api, name in EMBEDDED_DRIVERS.items():
            conf.set_override("driver", name, group=api)
    try:
        drivers = factory.load_configured(conf)
    except factory.DriverLoadError as error:
        LOG.error("%s", error)
        return 2
    log.protect(conf)  # drivers registered their (secret) options
    context = embedded_default(conf, drivers) if embedded else contextlib.nullcontext()
    try:
        with context:
            asyncio.run(app.serve(conf, drivers))
    except app.StartupError as error:
        LOG.error("Cannot start: %s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
