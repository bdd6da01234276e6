"""[grpc] options: how the gRPC server listens."""

from oslo_config import cfg

GROUP = "grpc"
TITLE = "gRPC server"

# Also a command-line option (--grpc-bind), so the embedded default can be
# moved off the default port without writing a configuration file.
cli_opts = [
    cfg.StrOpt("bind", default="127.0.0.1:50051",
               help="Address and port the gRPC server listens on. Loopback by default."),
]

opts = [
    cfg.FloatOpt("shutdown_grace", default=10.0, min=0,
                 help="Seconds in-flight RPCs get to finish on SIGTERM or SIGINT."),
    cfg.IntOpt("max_message_bytes", default=4 * 1024 * 1024, min=1024,
               help="Largest request message accepted, in bytes."),
    cfg.BoolOpt("reflection", default=True,
                help="Serve gRPC server reflection, so grpcurl can list and call services."),
    cfg.BoolOpt("bdp_probe", default=False,
                help="Let gRPC grow each connection's receive window by itself (HTTP/2 BDP "
                     "probing). Off: streamed uploads hold a bounded window per connection; "
                     "measured on loopback it costs no throughput, while probing under CPU "
                     "load let a 1 GiB PutObject raise the server's RSS by 30-80 MiB. Turn "
                     "it on for clients far away (a high bandwidth-delay product)."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    # A fresh OptGroup per ConfigOpts: register_group copies shallowly, so a
    # shared module-level group would share overrides between configurations.
    conf.register_group(cfg.OptGroup(GROUP, title=TITLE))
    conf.register_cli_opts(cli_opts, group=GROUP)
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    return [(cfg.OptGroup(GROUP, title=TITLE), cli_opts + opts)]
