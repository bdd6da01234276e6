"""[object_storage] options: the driver and how objects are streamed and split."""

from oslo_config import cfg

GROUP = "object_storage"
TITLE = "Object Storage API"

MIB = 1024 * 1024

opts = [
    cfg.StrOpt("driver", default="local",
               help="Name of the object storage driver (an entry point in the "
                    "translator.drivers.object_storage namespace): ceph (RGW over S3), "
                    "swift (any Swift API) or local (files under [DEFAULT] state_dir). "
                    "Empty disables the Object Storage API."),
    cfg.IntOpt("chunk_bytes", default=MIB, min=4096, max=4 * MIB,
               help="Size of the data messages GetObject sends and of the reads from the "
                    "backend. At most 4 MiB, gRPC's default message limit for clients."),
    cfg.IntOpt("buffered_chunks", default=4, min=1, max=64,
               help="Chunks held in memory per transfer between gRPC and the backend "
                    "thread, in each direction; bounds a transfer's memory."),
    cfg.IntOpt("transfer_threads", default=16, min=1, max=256,
               help="Threads moving object data between gRPC and the backend, apart from "
                    "[DEFAULT] executor_threads so transfers never starve other calls. It "
                    "bounds the PutObject and GetObject calls moving data at once; further "
                    "ones wait (their callers held back by gRPC flow control)."),
    cfg.IntOpt("large_object_threshold_bytes", default=24 * MIB, min=5 * MIB,
               help="Objects larger than this are stored in parts (S3 multipart upload, "
                    "Swift static large object); the caller sees one object. A smaller "
                    "object is held whole in memory until its end is checked, so keep this "
                    "at most part_bytes x (part_concurrency + 1), what a large upload "
                    "holds."),
    cfg.IntOpt("part_bytes", default=8 * MIB, min=5 * MIB, max=5 * 1024 * MIB,
               help="Size of each part of a large object (S3 needs at least 5 MiB). S3 "
                    "allows 10,000 parts: the ceph driver gives a declared size_bytes larger "
                    "parts where it needs them; an undeclared size can reach 10,000 parts "
                    "of this."),
    cfg.IntOpt("part_concurrency", default=2, min=1, max=16,
               help="Parts of one large object uploaded at the same time. Memory per "
                    "upload is about part_bytes x (part_concurrency + 1): 24 MiB by "
                    "default. More parts in flight help where the backend's latency, not "
                    "the CPU, is the limit."),
    cfg.IntOpt("max_temp_url_seconds", default=7 * 24 * 3600, min=1,
               help="The longest expiry CreateTempUrl grants."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    # A fresh OptGroup per ConfigOpts (see translator.conf.compute).
    conf.register_group(cfg.OptGroup(GROUP, title=TITLE))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    return [(cfg.OptGroup(GROUP, title=TITLE), opts)]
