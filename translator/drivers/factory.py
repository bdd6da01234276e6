"""Loads drivers through stevedore, behind the allow-list in config."""

from __future__ import annotations

import logging

from oslo_config import cfg
from stevedore import driver as stevedore_driver
from stevedore import exception as stevedore_exc

from translator.drivers import base

LOG = logging.getLogger(__name__)

NAMESPACES = {
    "compute": "translator.drivers.compute",
    "block_storage": "translator.drivers.block_storage",
    "object_storage": "translator.drivers.object_storage",
    "load_balancing": "translator.drivers.load_balancing",
}


class DriverLoadError(Exception):
    """A configured driver is not allowed, not installed, or failed to load."""


def load_driver(conf: cfg.ConfigOpts, api: str, name: str) -> base.Driver:
    """Build the ``name`` driver of ``api``: register its options, instantiate it."""
    if name not in conf.allowed_drivers:
        raise DriverLoadError(
            f"driver {name!r} for the {api} API is not in [DEFAULT] allowed_drivers")
    try:
        manager = stevedore_driver.DriverManager(
            namespace=NAMESPACES[api], name=name, invoke_on_load=False)
    except stevedore_exc.NoMatches as exc:
        raise DriverLoadError(
            f"no {api} driver named {name!r} is installed "
            f"(entry point namespace {NAMESPACES[api]})") from exc
    cls = manager.driver
    if not (isinstance(cls, type) and issubclass(cls, base.Driver) and cls.api == api):
        raise DriverLoadError(f"{name!r} in {NAMESPACES[api]} is not a {api} driver")
    cls.register_opts(conf)
    LOG.info("Loaded %s driver %s (%s)", api, name, cls.__module__)
    return cls(conf)


def load_configured(conf: cfg.ConfigOpts) -> dict[str, base.Driver]:
    """Every API whose ``[<api>] driver`` is set, mapped to its driver."""
    drivers = {}
    for api in NAMESPACES:
        name = getattr(conf, api).driver
        if name:
            drivers[api] = load_driver(conf, api, name)
    return drivers
