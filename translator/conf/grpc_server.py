"""[grpc] options: how the gRPC server listens."""

from oslo_config import cfg

group = cfg.OptGroup("grpc", title="gRPC server")

opts = [
    cfg.StrOpt("bind", default="127.0.0.1:50051",
               help="Address and port the gRPC server listens on. Loopback by default."),
    cfg.FloatOpt("shutdown_grace", default=10.0, min=0,
                 help="Seconds in-flight RPCs get to finish on SIGTERM or SIGINT."),
    cfg.IntOpt("max_message_bytes", default=4 * 1024 * 1024, min=1024,
               help="Largest request message accepted, in bytes."),
    cfg.BoolOpt("reflection", default=True,
                help="Serve gRPC server reflection, so grpcurl can list and call services."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(group)
    conf.register_opts(opts, group=group)


def list_opts() -> list:
    return [(group, opts)]
