"""[operations] options: polling of backend jobs and waiting on operations."""

from oslo_config import cfg

GROUP = "operations"
TITLE = "Long-running operations"

opts = [
    cfg.FloatOpt("poll_initial_interval", default=0.5, min=0.01,
                 help="Seconds before the first poll of a backend job."),
    cfg.FloatOpt("poll_max_interval", default=5.0, min=0.01,
                 help="Longest wait between two polls of one backend job."),
    cfg.FloatOpt("poll_backoff", default=1.6, min=1.0,
                 help="Factor by which the wait between polls grows."),
    cfg.IntOpt("max_concurrent_polls", default=16, min=1,
               help="How many backend polls may run at once."),
    cfg.FloatOpt("max_wait_timeout", default=300.0, min=1,
                 help="Longest time a WaitOperation call blocks, in seconds."),
    cfg.IntOpt("request_id_retention", default=86400, min=60,
               help="Seconds a request_id is remembered for idempotent replays."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    # A fresh OptGroup per ConfigOpts: register_group copies shallowly, so a
    # shared module-level group would share overrides between configurations.
    conf.register_group(cfg.OptGroup(GROUP, title=TITLE))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    return [(cfg.OptGroup(GROUP, title=TITLE), opts)]
