"""Contract fixtures: every driver registered under ``translator.drivers.compute``.

The suite is parametrized over the installed entry points, so a new driver is
tested as soon as it is registered, and fails until ``backends.py`` knows how
to start its backend.
"""

from __future__ import annotations

import pytest
from stevedore import extension

from contract import backends

NAMESPACE = "translator.drivers.compute"


def registered() -> dict[str, type]:
    """Driver name → driver class, for every installed compute entry point."""
    manager = extension.ExtensionManager(namespace=NAMESPACE, invoke_on_load=False)
    return {ext.name: ext.plugin for ext in manager}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "driver_name" in metafunc.fixturenames:
        metafunc.parametrize("driver_name", sorted(registered()), scope="module")


@pytest.fixture(scope="module")
def backend_conf(driver_name: str):
    """The driver's backend, running for the module; yields its ConfigOpts."""
    factory = backends.BACKENDS.get(driver_name)
    if factory is None:
        pytest.fail(f"compute driver {driver_name!r} is registered in {NAMESPACE} but "
                    "tests/contract/backends.py has no backend for it")
    with factory() as conf:
        yield conf


@pytest.fixture(scope="module")
def driver(driver_name: str, backend_conf):
    """The driver, built as the core builds it, set up against its backend."""
    cls = registered()[driver_name]
    cls.register_opts(backend_conf)
    instance = cls(backend_conf)
    instance.setup()
    yield instance
    instance.close()
