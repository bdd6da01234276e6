"""[compute] options: which driver serves the Compute API."""

from oslo_config import cfg

GROUP = "compute"
TITLE = "Compute API"

opts = [
    cfg.StrOpt("driver", default="cloudstack",
               help="Name of the compute driver (an entry point in the "
                    "translator.drivers.compute namespace). Empty disables the Compute API."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    # A fresh OptGroup per ConfigOpts: register_group copies shallowly, so a
    # shared module-level group would share overrides between configurations.
    conf.register_group(cfg.OptGroup(GROUP, title=TITLE))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    return [(cfg.OptGroup(GROUP, title=TITLE), opts)]
