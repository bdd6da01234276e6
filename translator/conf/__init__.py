"""Configuration: one module per option group, no options registered at import time."""

from oslo_config import cfg

from translator.conf import (
    block_storage,
    compute,
    default,
    grpc_server,
    load_balancing,
    object_storage,
    operations,
)

_MODULES = (default, grpc_server, compute, block_storage, object_storage, load_balancing,
            operations)


def register_opts(conf: cfg.ConfigOpts) -> None:
    for module in _MODULES:
        module.register_opts(conf)


def list_opts() -> list:
    result = []
    for module in _MODULES:
        result.extend(module.list_opts())
    return result
