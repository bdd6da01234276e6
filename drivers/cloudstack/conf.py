"""[cloudstack] options: where the CloudStack API is and how the driver uses it.

Importable without libcloud, so ``oslo-config-generator`` runs anywhere.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "cloudstack"

_TITLE = "Apache CloudStack"
_HELP = "How the CloudStack drivers reach and use a CloudStack management server."

#: CloudStack's own ceiling for ``pagesize`` (``default.page.size``).
MAX_PAGE_SIZE = 500

opts = [
    cfg.URIOpt("endpoint", default="http://127.0.0.1:8080/client/api",
               schemes=["http", "https"],
               help="URL of the CloudStack API, including its path (usually /client/api)."),
    cfg.StrOpt("api_key", default="", secret=True,
               help="API key of the CloudStack account the translator acts as."),
    cfg.StrOpt("secret_key", default="", secret=True,
               help="Secret key used to sign every request to CloudStack."),
    cfg.BoolOpt("verify_ssl", default=True,
                help="Verify the TLS certificate of an https endpoint. Turn off only for "
                     "test installations with self-signed certificates."),
    cfg.FloatOpt("timeout", default=30.0, min=0.1,
                 help="Seconds to wait for CloudStack to answer one HTTP request."),
    cfg.StrOpt("default_zone", default="",
               help="Zone (name or id) used when a request names no availability zone. "
                    "Empty means the first zone CloudStack lists as available."),
    cfg.ListOpt("default_networks", default=[],
                help="Networks (ids or names) a server is attached to in an advanced zone "
                     "when the request names none. Empty lets CloudStack choose."),
    cfg.BoolOpt("expunge_on_delete", default=True,
                help="Expunge a server when it is deleted, instead of leaving it in "
                     "CloudStack's Destroyed state where an administrator can recover it."),
    cfg.IntOpt("cache_ttl", default=300, min=0,
               help="Seconds to cache zones, service offerings, templates, networks and "
                    "security groups. 0 disables the cache."),
    cfg.IntOpt("user_data_max_bytes", default=32768, min=1,
               help="Largest user data accepted, measured on its base64 text as CloudStack's "
                    "vm.userdata.max.length setting is. Keep it equal to that setting."),
    cfg.IntOpt("page_size", default=MAX_PAGE_SIZE, min=1, max=MAX_PAGE_SIZE,
               help="Page size of the listings the driver makes for itself (offerings, "
                    "templates, zones). CloudStack caps it at 500."),
    cfg.BoolOpt("clone_volume_via_snapshot", default=False,
                help="CloudStack cannot clone a volume. When true, CreateVolume with a "
                     "source volume takes a snapshot of it (on secondary storage), makes the "
                     "new volume from that snapshot and then deletes the snapshot; this "
                     "copies the whole disk through secondary storage. When false, such a "
                     "request is refused as unimplemented."),
    cfg.StrOpt("lb_provider", default="Netscaler", choices=[
                   ("Netscaler", "A NetScaler in front of the guest networks (elastic load "
                                 "balancing in a basic zone): roundrobin and leastconn, "
                                 "health check policies, tcp, udp and http rules."),
                   ("VirtualRouter", "The virtual router's HAProxy: roundrobin, leastconn "
                                     "and source, no health check policies, no UDP.")],
               help="The CloudStack network service provider that balances the load "
                    "balancers' networks. The load balancing driver refuses, before making "
                    "anything, what this provider cannot do; it also checks each network's "
                    "own Lb capabilities as CloudStack lists them."),
    cfg.StrOpt("lb_network", default="",
               help="Guest network (id or name) a load balancer's public IP is taken for when "
                    "the request names no vip_network_id. Empty means the first of "
                    "default_networks, else the first network of the default zone that "
                    "offers load balancing."),
]

#: Keys of each [volume_type:<name>] group the CloudStack block storage driver reads.
type_opts = [
    cfg.StrOpt("disk_offering", default="",
               help="CloudStack: the disk offering (name or id) volumes of this type use. "
                    "When the requested size is not the offering's, a customizable offering "
                    "with the same storage tags is used instead."),
    cfg.ListOpt("storage_tags", default=[],
                help="CloudStack: pick the disk offering by its storage tags (all of them, "
                     "and no others), which in turn choose the tagged primary storage pools. "
                     "Used when disk_offering is empty; with neither, untagged offerings "
                     "are used."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the [cloudstack] group on ``conf``; safe to call more than once.

    A fresh OptGroup each time: ``register_group`` copies the group shallowly,
    so a shared module-level OptGroup would share its option state (overrides
    included) between every ConfigOpts it was registered on.
    """
    conf.register_group(cfg.OptGroup(GROUP, title=_TITLE, help=_HELP))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    """The options of this module, for oslo-config-generator.

    The per-type keys are shown under ``volume_type:standard`` (the default
    type); one such group exists for each name in ``[block_storage] volume_types``.
    """
    return [(GROUP, opts), ("volume_type:standard", type_opts)]
