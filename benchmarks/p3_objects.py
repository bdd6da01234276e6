"""P3: a 1 GiB object through the translator ÷ direct boto3, on a real RGW (bluestore OSD).

A real throwaway Ceph cluster (drivers/ceph/cluster.py) with a bluestore OSD
on a sparse file (memstore would hold every byte twice in RAM) and a radosgw.
A translator-server serves ``[object_storage] driver = ceph`` on it. Per round
(the order alternating by round):

- translator PUT: one ObjectStorage.PutObject client stream of 1 MiB data
  messages (size declared, no MD5: boto3 sends none for a multipart upload
  either); translator GET: one GetObject stream, every byte counted;
- direct PUT / GET: boto3's managed transfers (``upload_fileobj`` /
  ``download_fileobj``, default TransferConfig: 8 MiB parts, 10 threads), what
  a client talking to RGW itself would use, from this process.

P3-put and P3-get are direct seconds ÷ translator seconds (a throughput ratio:
1.0 means as fast as boto3). The content is the same 1 MiB random block
repeated (RGW neither compresses nor deduplicates by default).

P3-rss-*: the server's peak RSS while it PUTs and GETs one object of 10 MiB,
100 MiB and 1 GiB (sampled every 50 ms from /proc), and P3-rss-flat, the
1 GiB peak ÷ the 10 MiB peak: memory must not grow with the object.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from typing import Any

from common import ProcSampler, Settings, TranslatorProcess, ratios
from results import Figure, Part, Target

from translator.api.v1 import object_storage_pb2 as pb
from translator.api.v1 import object_storage_pb2_grpc

MiB = 1024**2
GiB = 1024**3
CHUNK = MiB
CONTAINER = "p3-bench"
RSS_SIZES = {"10M": 10 * MiB, "100M": 100 * MiB, "1G": GiB}
#: Big enough for every copy a run writes plus RGW's garbage awaiting collection.
STORE_BYTES = 24 * GiB
CALL_TIMEOUT = 600.0


def declare() -> list[Figure]:
    what = "a {size} object {verb}: direct boto3 seconds ÷ translator seconds"
    return [Figure("P3-put", what.format(size="1 GiB (256 MiB with --quick)", verb="PUT"),
                   target=Target(">=", 0.9)),
            Figure("P3-get", what.format(size="1 GiB (256 MiB with --quick)", verb="GET"),
                   target=Target(">=", 0.9)),
            *(Figure(f"P3-rss-{label}", f"translator peak RSS over a PUT and a GET of "
                     f"{label}iB", "MiB", target=Target("<=", 150))
              for label in RSS_SIZES),
            Figure("P3-rss-flat", "peak RSS for 1 GiB ÷ for 10 MiB (flat: memory does not "
                   "grow with the object)", target=Target("<=", 1.2))]


class Content:
    """``size`` bytes of one random block repeated, as a file-like and as messages."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.block = os.urandom(CHUNK)
        self._offset = 0

    def read(self, n: int = -1) -> bytes:  # boto3's upload_fileobj reads this
        left = self.size - self._offset
        n = left if n is None or n < 0 else min(n, left)
        start = self._offset % CHUNK
        if start + n <= CHUNK:
            piece = self.block[start:start + n]
        else:
            piece = (self.block * (n // CHUNK + 2))[start:start + n]
        self._offset += n
        return piece

    def messages(self, container: str, name: str):
        yield pb.PutObjectRequest(header=pb.PutObjectHeader(
            container=container, name=name, size_bytes=self.size))
        full, rest = divmod(self.size, CHUNK)
        message = pb.PutObjectRequest(data=self.block)
        for _ in range(full):
            yield message
        if rest:
            yield pb.PutObjectRequest(data=self.block[:rest])


class Sink:
    """A write-only file that counts bytes (boto3's download_fileobj writes into it)."""

    def __init__(self) -> None:
        self.count = 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return len(data)


# -- the two ways ------------------------------------------------------------------------------


async def _translator_put(address: str, content: Content, name: str) -> float:
    import grpc

    async with grpc.aio.insecure_channel(address) as channel:
        stub = object_storage_pb2_grpc.ObjectStorageStub(channel)
        await channel.channel_ready()
        start = time.perf_counter()
        stored = await stub.PutObject(content.messages(CONTAINER, name), timeout=CALL_TIMEOUT)
        seconds = time.perf_counter() - start
    if stored.size_bytes != content.size:
        raise RuntimeError(f"translator stored {stored.size_bytes} bytes of {content.size}")
    return seconds


async def _translator_get(address: str, name: str, size: int) -> float:
    import grpc

    options = [("grpc.max_receive_message_length", 8 * MiB)]
    async with grpc.aio.insecure_channel(address, options=options) as channel:
        stub = object_storage_pb2_grpc.ObjectStorageStub(channel)
        await channel.channel_ready()
        count = 0
        start = time.perf_counter()
        async for message in stub.GetObject(pb.GetObjectRequest(container=CONTAINER, name=name),
                                            timeout=CALL_TIMEOUT):
            count += len(message.data)
        seconds = time.perf_counter() - start
    if count != size:
        raise RuntimeError(f"translator GET gave {count} bytes of {size}")
    return seconds


def _boto3_client(ceph: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=ceph.rgw_endpoint,
                        aws_access_key_id=ceph.s3_access_key,
                        aws_secret_access_key=ceph.s3_secret_key, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"},
                                      max_pool_connections=16))


def _direct_put(s3: Any, content: Content, name: str) -> float:
    start = time.perf_counter()
    s3.upload_fileobj(content, CONTAINER, name)
    return time.perf_counter() - start


def _direct_get(s3: Any, name: str, size: int) -> float:
    sink = Sink()
    start = time.perf_counter()
    s3.download_fileobj(CONTAINER, name, sink)
    seconds = time.perf_counter() - start
    if sink.count != size:
        raise RuntimeError(f"boto3 GET gave {sink.count} bytes of {size}")
    return seconds


# -- the part ----------------------------------------------------------------------------------


def run(settings: Settings, figures: dict[str, Figure]) -> None:
    from translator_drivers.ceph.cluster import CephCluster

    rounds, size = settings.pick((3, GiB), (1, 256 * MiB))
    times: dict[str, list[float]] = {k: [] for k in
                                     ("t-put", "d-put", "t-get", "d-get")}
    peaks: dict[str, float] = {}
    with contextlib.ExitStack() as stack:
        ceph = CephCluster(objectstore="bluestore", store_bytes=STORE_BYTES, rbd_pools=())
        ceph.start()
        stack.callback(ceph.stop)
        translator = TranslatorProcess(settings.workdir / "p3", {
            **ceph.config_overrides(), "object_storage": {"driver": "ceph"},
            "compute": {"driver": ""}, "block_storage": {"driver": ""}})
        stack.callback(translator.stop)
        s3 = _boto3_client(ceph)
        s3.create_bucket(Bucket=CONTAINER)
        address = translator.address
        # Warm-up: connections and the first multipart upload on both sides.
        asyncio.run(_translator_put(address, Content(64 * MiB), "warm-t"))
        _direct_put(s3, Content(64 * MiB), "warm-d")
        for index in range(rounds):
            kinds = ["t", "d"] if index % 2 == 0 else ["d", "t"]
            for kind in kinds:
                name = f"{kind}-{index}"
                content = Content(size)
                if kind == "t":
                    times["t-put"].append(asyncio.run(_translator_put(address, content, name)))
                    times["t-get"].append(asyncio.run(_translator_get(address, name, size)))
                else:
                    times["d-put"].append(_direct_put(s3, content, name))
                    times["d-get"].append(_direct_get(s3, name, size))
                s3.delete_object(Bucket=CONTAINER, Key=name)
        for label, rss_size in RSS_SIZES.items():
            name = f"rss-{label}"
            with ProcSampler(translator.proc.pid, interval=0.05) as sampler:
                asyncio.run(_translator_put(address, Content(rss_size), name))
                asyncio.run(_translator_get(address, name, rss_size))
            peaks[label] = sampler.peak_rss_kib / 1024
            s3.delete_object(Bucket=CONTAINER, Key=name)
    mib_s = [size / MiB / t for t in times["t-put"]]
    for verb in ("put", "get"):
        figure = figures[f"P3-{verb}"]
        figure.samples = ratios(times[f"d-{verb}"], times[f"t-{verb}"])
        figure.notes = [
            f"{rounds} rounds of one {size // MiB} MiB object each way, the order alternating",
            *(f"{who} {verb.upper()} MiB/s per round: " + ", ".join(
                f"{size / MiB / t:.0f}" for t in times[f"{k}-{verb}"])
              for who, k in (("translator", "t"), ("boto3", "d")))]
    figures["P3-put"].notes.append(
        "single-node bluestore cluster on a sparse file; translator [object_storage] defaults "
        f"(16 MiB parts, 4 at once); first translator PUT {mib_s[0]:.0f} MiB/s")
    for label, peak in peaks.items():
        figures[f"P3-rss-{label}"].samples = [peak]
    flat = figures["P3-rss-flat"]
    flat.samples = [peaks["1G"] / peaks["10M"]]
    flat.notes = ["peaks in MiB: " + ", ".join(f"{k} {v:.0f}" for k, v in peaks.items())]


PARTS = [Part("P3", declare, run)]
