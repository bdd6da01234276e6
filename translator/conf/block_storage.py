"""[block_storage] options: the driver and the operator's volume types.

Each name in ``volume_types`` has its own group ``[volume_type:<name>]``.
The core registers ``description`` there; the configured driver registers the
keys that map the type onto its backend (see ``register_type_opts``), e.g.::

    [block_storage]
    driver = cloudstack
    volume_types = standard, fast
    default_volume_type = standard

    [volume_type:fast]
    description = SSD-backed volumes
    storage_tags = ssd          # read by the cloudstack driver
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "block_storage"
TITLE = "Block Storage API"
TYPE_GROUP_PREFIX = "volume_type:"

opts = [
    cfg.StrOpt("driver", default="cloudstack",
               help="Name of the block storage driver (an entry point in the "
                    "translator.drivers.block_storage namespace). Empty disables the "
                    "Block Storage API."),
    cfg.ListOpt("volume_types", default=["standard"],
                help="The volume types callers may ask for. Each may have a "
                     "[volume_type:<name>] group mapping it onto the driver's backend; "
                     "a type without one gets the driver's defaults."),
    cfg.StrOpt("default_volume_type", default="standard",
               help="The type of a volume created without one; must be in volume_types."),
    cfg.IntOpt("max_volume_size_gb", default=16384, min=1,
               help="The largest volume size, in GiB, a request may ask for."),
]

type_opts = [
    cfg.StrOpt("description", default="",
               help="What the type is for, shown by ListVolumeTypes."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    # A fresh OptGroup per ConfigOpts (see translator.conf.compute).
    conf.register_group(cfg.OptGroup(GROUP, title=TITLE))
    conf.register_opts(opts, group=GROUP)


def type_group(name: str) -> str:
    return TYPE_GROUP_PREFIX + name


def register_type_opts(conf: cfg.ConfigOpts, driver_opts: list[cfg.Opt]) -> None:
    """Register ``description`` and a driver's mapping keys on every type's group.

    Call after the configuration is parsed (the type names come from it);
    oslo.config reads a group's values lazily, so registering then works.
    """
    for name in conf.block_storage.volume_types:
        group = type_group(name)
        conf.register_group(cfg.OptGroup(group, title=f"Volume type {name}"))
        conf.register_opts(type_opts + list(driver_opts), group=group)


def type_conf(conf: cfg.ConfigOpts, name: str):
    """The ``[volume_type:<name>]`` group of a registered type."""
    return conf[type_group(name)]


def list_opts() -> list:
    """Options for the generator; a type's keys are shown for the default type's group."""
    return [(cfg.OptGroup(GROUP, title=TITLE), opts),
            (cfg.OptGroup(type_group("standard"), title="Volume type standard"), type_opts)]
