"""[compute] options: which driver serves the Compute API."""

from oslo_config import cfg

group = cfg.OptGroup("compute", title="Compute API")

opts = [
    cfg.StrOpt("driver", default="cloudstack",
               help="Name of the compute driver (an entry point in the "
                    "translator.drivers.compute namespace). Empty disables the Compute API."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list:
    return [(group, opts)]
