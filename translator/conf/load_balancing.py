"""[load_balancing] options: which driver serves the Load Balancing API."""

from oslo_config import cfg

GROUP = "load_balancing"
TITLE = "Load Balancing API"

opts = [
    cfg.StrOpt("driver", default="",
               help="Name of the load balancing driver (an entry point in the "
                    "translator.drivers.load_balancing namespace): cloudstack (public IP + "
                    "load balancer rules; members are CloudStack VMs) or netscaler (Citrix "
                    "NetScaler over NITRO). Empty (the default: a load balancer is a "
                    "separate appliance an operator chooses) disables the API; the embedded "
                    "default serves it on cloudstack."),
    cfg.IntOpt("max_members", default=1000, min=1, max=10000,
               help="Most members one pool may have in a CreateLoadBalancer request."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    # A fresh OptGroup per ConfigOpts (see translator.conf.compute).
    conf.register_group(cfg.OptGroup(GROUP, title=TITLE))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    return [(cfg.OptGroup(GROUP, title=TITLE), opts)]
