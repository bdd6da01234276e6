"""[DEFAULT] options: state, executor, driver allow-list."""

from oslo_config import cfg

opts = [
    cfg.StrOpt("state_dir", default="/var/lib/translator",
               help="Directory for the translator's own state (the SQLite database by default)."),
    cfg.StrOpt("state_connection", default="",
               help="SQLAlchemy database URL of the operations store. Empty means "
                    "sqlite:///<state_dir>/state.db. Use postgresql://... for several replicas."),
    cfg.IntOpt("executor_threads", default=32, min=1, max=1024,
               help="Size of the thread pool running blocking backend calls. It bounds how many "
                    "backend calls run at once; further calls wait in line."),
    cfg.ListOpt("allowed_drivers",
                default=["cloudstack", "xenserver", "netscaler", "ceph", "swift", "openstack",
                         "local"],
                help="Driver names that may be loaded. A configured driver outside this list "
                     "is refused at start-up."),
    cfg.BoolOpt("debug", default=False, help="Log at DEBUG level."),
    cfg.IntOpt("malloc_arenas", default=2, min=0, max=1024,
               help="Most glibc malloc arenas the server keeps (mallopt M_ARENA_MAX). Few "
                    "arenas keep streamed object transfers from growing the RSS with the "
                    "thread count; 0 leaves glibc's default (8 per CPU)."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(opts)


def list_opts() -> list:
    return [("DEFAULT", opts)]
