"""[local] options: where the local object storage driver keeps its files.

Importable without anything but oslo.config, so ``oslo-config-generator`` runs anywhere.
"""

from __future__ import annotations

import os

from oslo_config import cfg

GROUP = "local"

_TITLE = "Local object storage"
_HELP = ("The local object storage driver: objects as files on this node's disk, for "
         "development and the embedded default.")

opts = [
    cfg.StrOpt("objects_dir", default="",
               help="Directory holding the objects' data files and their SQLite index. "
                    "Empty means <[DEFAULT] state_dir>/objects. One translator server owns "
                    "it: it is on one node's disk and is not shared between replicas."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the [local] group on ``conf``; safe to call more than once.

    A fresh OptGroup each time (see translator_drivers.cloudstack.conf).
    """
    conf.register_group(cfg.OptGroup(GROUP, title=_TITLE, help=_HELP))
    conf.register_opts(opts, group=GROUP)


def objects_dir(conf: cfg.ConfigOpts) -> str:
    """The configured objects directory, or the default under ``[DEFAULT] state_dir``."""
    return conf.local.objects_dir or os.path.join(conf.state_dir, "objects")


def list_opts() -> list:
    """The options of this module, for oslo-config-generator."""
    return [(GROUP, opts)]
