"""P3: a 1 GiB object through the translator ÷ direct boto3, on a real RGW (bluestore OSD).

A real throwaway Ceph cluster (drivers/ceph/cluster.py) with a bluestore OSD
on a sparse file (memstore would hold every byte twice in RAM) and a radosgw.
A translator-server serves ``[object_storage] driver = ceph`` on it, with its
default [object_storage] options. Per round (the order alternating by round):

- translator PUT: one ObjectStorage.PutObject client stream of 1 MiB data
  messages (size declared, no MD5: boto3 sends none for a multipart upload
  either); translator GET: one GetObject stream, every byte counted;
- direct PUT / GET: boto3's managed transfers (``upload_fileobj`` /
  ``download_fileobj``, default TransferConfig: 8 MiB parts, 10 threads), what
  a client talking to RGW itself would use, from this process;
- floor PUT / GET: the same gRPC calls to a bare ``grpc.aio`` relay in its own
  process (below): the least any server relaying objects between gRPC and RGW
  with boto3 does, so what no design of the translator can beat here.

P3-put and P3-get are direct seconds ÷ translator seconds (a throughput ratio:
1.0 means as fast as boto3); P3-put-floor and P3-get-floor the same for the
relay. The content is the same 1 MiB random block repeated (RGW neither
compresses nor deduplicates by default). CPU seconds per MiB of the server,
of this process (the client) and of the Ceph daemons are in the notes: on a
small machine where the client, the server and RGW share the CPUs the ratio
is bounded by the CPU each way spends per MiB.

P3-rss-*: the peak RSS (VmHWM) of a fresh translator-server, one per size and
round, over one PUT and one GET of 10 MiB, 100 MiB and 1 GiB (a server's RSS
does not shrink back after a big transfer: glibc keeps freed memory for reuse,
so sizes measured one after the other in one server would hide each other's
peaks); a ceiling, judged on the worst round. P3-rss-flat, the 1 GiB peak ÷
the 100 MiB peak of the same round: memory must not grow with the object once
it is stored in parts (both are past the large-object threshold; a 10 MiB
object is one PutObject, buffered whole, a different path). The fresh
server's idle RSS is in the notes.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import os
import queue
import threading
import time
from typing import Any

from common import PipeProcess, Settings, TranslatorProcess, kib, proc_status, ratios
from echo_server import serve_until_told
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
KINDS = ("t", "d", "f")  # translator, direct boto3, floor relay
WHO = {"t": "translator", "d": "boto3", "f": "floor relay", "m": "gRPC alone"}
#: The relay's GetObject of this container streams from memory: what gRPC alone costs.
MEMORY = "p3-memory"


def declare() -> list[Figure]:
    what = "a {size} object {verb}: direct boto3 seconds ÷ translator seconds"
    size = "1 GiB (256 MiB with --quick)"
    floor = ("the same for a bare grpc.aio relay (gRPC ↔ boto3 in a thread, MD5 on PUT): the "
             "best any server relaying through boto3 does here")
    return [Figure("P3-put", what.format(size=size, verb="PUT"), target=Target(">=", 0.9)),
            Figure("P3-get", what.format(size=size, verb="GET"), target=Target(">=", 0.9)),
            Figure("P3-put-floor", floor.replace("MD5 on PUT", "MD5") + " (PUT)"),
            Figure("P3-get-floor", floor.replace(", MD5 on PUT", "") + " (GET)"),
            *(Figure(f"P3-rss-{label}", f"peak RSS (VmHWM) of a fresh translator over one PUT "
                     f"and one GET of {label}iB", "MiB", target=Target("<=", 150, of="max"))
              for label in RSS_SIZES),
            Figure("P3-rss-flat", "peak RSS for 1 GiB ÷ for 100 MiB (flat: memory does not "
                   "grow with an object stored in parts)", target=Target("<=", 1.1))]


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


# -- the ways ----------------------------------------------------------------------------------


async def _grpc_put(address: str, content: Content, name: str) -> float:
    import grpc

    async with grpc.aio.insecure_channel(address) as channel:
        stub = object_storage_pb2_grpc.ObjectStorageStub(channel)
        await channel.channel_ready()
        start = time.perf_counter()
        stored = await stub.PutObject(content.messages(CONTAINER, name), timeout=CALL_TIMEOUT)
        seconds = time.perf_counter() - start
    if stored.size_bytes != content.size:
        raise RuntimeError(f"{address} stored {stored.size_bytes} bytes of {content.size}")
    return seconds


async def _grpc_get(address: str, name: str, size: int, container: str = CONTAINER) -> float:
    import grpc

    options = [("grpc.max_receive_message_length", 8 * MiB)]
    request = pb.GetObjectRequest(container=container, name=name)
    if container == MEMORY:
        request.length = size
    async with grpc.aio.insecure_channel(address, options=options) as channel:
        stub = object_storage_pb2_grpc.ObjectStorageStub(channel)
        await channel.channel_ready()
        count = 0
        start = time.perf_counter()
        async for message in stub.GetObject(request, timeout=CALL_TIMEOUT):
            count += len(message.data)
        seconds = time.perf_counter() - start
    if count != size:
        raise RuntimeError(f"{address} GET gave {count} bytes of {size}")
    return seconds


def _boto3_client(endpoint: str, access_key: str, secret_key: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=access_key,
                        aws_secret_access_key=secret_key, region_name="us-east-1",
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


# -- the floor: a bare relay -------------------------------------------------------------------
#
# PutObject: the data messages go through a bounded queue to boto3's own
# upload_fileobj in a thread, which reads them as a file (MD5 over every byte,
# as the API promises). GetObject: one get_object stream read in 1 MiB chunks in
# a thread, each handed to the event loop and sent. No validation, no options,
# no error mapping: only the work no relay can skip.

_QUEUED = 4  # chunks between the event loop and the thread, each way
_END = b""


class _StreamFile:
    """The relay's upload source: a file over chunks from a queue, hashing what it reads."""

    def __init__(self) -> None:
        self.chunks: queue.Queue = queue.Queue(maxsize=_QUEUED)
        self.md5 = hashlib.md5(usedforsecurity=False)
        self.size = 0
        self._pending = memoryview(b"")
        self._ended = False

    def read(self, n: int = -1) -> bytes:
        parts = []
        while n < 0 or n > 0:
            if not self._pending:
                if self._ended:
                    break
                chunk = self.chunks.get()
                if chunk is _END:
                    self._ended = True
                    break
                self.md5.update(chunk)
                self.size += len(chunk)
                self._pending = memoryview(chunk)
            piece = self._pending if n < 0 else self._pending[:n]
            self._pending = self._pending[len(piece):]
            parts.append(piece)
            n = n - len(piece) if n > 0 else n
        return b"".join(parts)


def _floor_handler(s3: Any) -> Any:
    import grpc

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)

    async def put_object(requests, context):
        loop = asyncio.get_running_loop()
        header = (await anext(requests)).header
        source = _StreamFile()
        done = loop.run_in_executor(pool, s3.upload_fileobj, source, header.container,
                                    header.name)
        async for message in requests:
            data = message.data
            try:
                source.chunks.put_nowait(data)
            except queue.Full:
                await loop.run_in_executor(pool, source.chunks.put, data)
        await loop.run_in_executor(pool, source.chunks.put, _END)
        await done
        return pb.Object(container=header.container, name=header.name,
                         size_bytes=source.size, md5=source.md5.hexdigest())

    async def get_object(request, context):
        if request.container == MEMORY:  # gRPC alone: one prebuilt message, sent over
            message = pb.GetObjectResponse(data=os.urandom(CHUNK))
            for _ in range(request.length // CHUNK):
                yield message
            return
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue = asyncio.Queue()
        credits = threading.Semaphore(_QUEUED)
        stopped = threading.Event()

        def read() -> None:
            try:
                body = s3.get_object(Bucket=request.container, Key=request.name)["Body"]
                with contextlib.closing(body):
                    for chunk in body.iter_chunks(CHUNK):
                        credits.acquire()
                        if stopped.is_set():
                            return
                        loop.call_soon_threadsafe(chunks.put_nowait, chunk)
                loop.call_soon_threadsafe(chunks.put_nowait, _END)
            except Exception as error:  # noqa: BLE001 - handed to the RPC
                loop.call_soon_threadsafe(chunks.put_nowait, error)

        reading = loop.run_in_executor(pool, read)
        try:
            yield pb.GetObjectResponse(object=pb.Object(container=request.container,
                                                        name=request.name))
            while (chunk := await chunks.get()) is not _END:
                if isinstance(chunk, Exception):
                    raise chunk
                credits.release()
                yield pb.GetObjectResponse(data=chunk)
        finally:
            stopped.set()
            credits.release()
            await reading

    methods = {
        "PutObject": grpc.stream_unary_rpc_method_handler(
            put_object, request_deserializer=pb.PutObjectRequest.FromString,
            response_serializer=pb.Object.SerializeToString),
        "GetObject": grpc.unary_stream_rpc_method_handler(
            get_object, request_deserializer=pb.GetObjectRequest.FromString,
            response_serializer=pb.GetObjectResponse.SerializeToString),
    }
    name = pb.DESCRIPTOR.services_by_name["ObjectStorage"].full_name
    return grpc.method_handlers_generic_handler(name, methods)


def _floor_main(conn: Any, endpoint: str, access_key: str, secret_key: str) -> None:
    """Child process entry point: serve the relay until told to stop."""
    s3 = _boto3_client(endpoint, access_key, secret_key)
    asyncio.run(serve_until_told(conn, _floor_handler(s3)))


class FloorRelay(PipeProcess):
    """The bare relay in its own process, as the translator runs in its own."""

    def __init__(self, ceph: Any) -> None:
        super().__init__(_floor_main, ceph.rgw_endpoint, ceph.s3_access_key,
                         ceph.s3_secret_key)
        self.address = f"127.0.0.1:{self.hello}"


# -- CPU and memory ----------------------------------------------------------------------------


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    used = os.times()
    return used.user + used.system


class CpuMeter:
    """CPU seconds spent by the server, this process (the client) and the Ceph daemons over
    the transfers of each kind and verb, for the notes."""

    def __init__(self, ceph_pids: list[int]) -> None:
        self.ceph_pids = ceph_pids
        self.seconds: dict[tuple[str, str], list[float]] = {}
        self.mib: dict[tuple[str, str], float] = {}

    def _now(self, server: int | None) -> list[float]:
        return [_cpu(server) if server else 0.0, _own_cpu(),
                sum(_cpu(pid) for pid in self.ceph_pids)]

    @contextlib.contextmanager
    def measure(self, kind: str, verb: str, server: int | None, size: int):
        before = self._now(server)
        yield
        spent = [b - a for a, b in zip(before, self._now(server), strict=True)]
        total = self.seconds.setdefault((kind, verb), [0.0, 0.0, 0.0])
        for index, value in enumerate(spent):
            total[index] += value
        self.mib[(kind, verb)] = self.mib.get((kind, verb), 0.0) + size / MiB

    def per_mib(self, kind: str, verb: str) -> list[float]:
        """Milliseconds per MiB: server, client, Ceph."""
        return [1000 * s / self.mib[(kind, verb)] for s in self.seconds[(kind, verb)]]

    def note(self, verb: str) -> str:
        parts = []
        for kind in KINDS:
            server, client, ceph = self.per_mib(kind, verb)
            where = "" if kind == "d" else f"server {server:.2f} + "
            parts.append(f"{WHO[kind]} {where}client {client:.2f} + Ceph {ceph:.2f} = "
                         f"{server + client + ceph:.2f}")
        return f"CPU ms per MiB {verb.upper()}: " + "; ".join(parts)


def _hash_costs() -> dict[str, float]:
    """Milliseconds per MiB of the digests a PUT through the translator computes: MD5 (the
    API promises it), SHA-256 (botocore signs the payload over http) and CRC32 (botocore's
    transit checksum); the last two a direct boto3 PUT computes too."""
    import zlib

    block = os.urandom(CHUNK)
    costs = {}
    for name, update in (("MD5", hashlib.md5(usedforsecurity=False).update),
                         ("SHA-256", hashlib.sha256().update),
                         ("CRC32", zlib.crc32)):
        start = time.perf_counter()
        for _ in range(64):
            update(block)
        costs[name] = (time.perf_counter() - start) * 1000 / 64
    return costs


def _fresh_peak(settings: Settings, overrides: dict, label: str, size: int,
                s3: Any) -> tuple[float, float]:
    """(idle RSS, peak RSS) in MiB of a fresh translator over one PUT and one GET of size."""
    translator = TranslatorProcess(settings.workdir / f"p3-rss-{label}", overrides)
    try:
        pid = translator.proc.pid
        idle = kib(proc_status(pid)["VmRSS"]) / 1024
        name = f"rss-{label}"
        asyncio.run(_grpc_put(translator.address, Content(size), name))
        asyncio.run(_grpc_get(translator.address, name, size))
        peak = kib(proc_status(pid)["VmHWM"]) / 1024
        s3.delete_object(Bucket=CONTAINER, Key=name)
    finally:
        translator.stop()
    return idle, peak


# -- the part ----------------------------------------------------------------------------------


def run(settings: Settings, figures: dict[str, Figure]) -> None:
    from translator_drivers.ceph.cluster import CephCluster

    rounds, size = settings.pick((3, GiB), (1, 256 * MiB))
    times: dict[str, list[float]] = {f"{k}-{v}": [] for k in KINDS for v in ("put", "get")}
    peaks: dict[str, list[float]] = {label: [] for label in RSS_SIZES}
    idles: list[float] = []
    with contextlib.ExitStack() as stack:
        ceph = CephCluster(objectstore="bluestore", store_bytes=STORE_BYTES, rbd_pools=())
        ceph.start()
        stack.callback(ceph.stop)
        overrides = {**ceph.config_overrides(), "object_storage": {"driver": "ceph"},
                     "compute": {"driver": ""}, "block_storage": {"driver": ""}}
        translator = TranslatorProcess(settings.workdir / "p3", overrides)
        stack.callback(translator.stop)
        floor = FloorRelay(ceph)
        stack.callback(floor.stop)
        s3 = _boto3_client(ceph.rgw_endpoint, ceph.s3_access_key, ceph.s3_secret_key)
        s3.create_bucket(Bucket=CONTAINER)
        meter = CpuMeter(list(ceph.daemon_pids().values()))
        servers = {"t": (translator.address, translator.proc.pid),
                   "f": (floor.address, floor.pid)}
        # Warm-up: connections and the first multipart upload of each way.
        for address, _ in servers.values():
            asyncio.run(_grpc_put(address, Content(64 * MiB), "warm"))
            asyncio.run(_grpc_get(address, "warm", 64 * MiB))
        _direct_put(s3, Content(64 * MiB), "warm")
        for index in range(rounds):
            order = KINDS[index % len(KINDS):] + KINDS[:index % len(KINDS)]
            for kind in order:
                name = f"{kind}-{index}"
                address, pid = servers.get(kind, ("", None))
                with meter.measure(kind, "put", pid, size):
                    times[f"{kind}-put"].append(
                        asyncio.run(_grpc_put(address, Content(size), name)) if pid
                        else _direct_put(s3, Content(size), name))
                with meter.measure(kind, "get", pid, size):
                    times[f"{kind}-get"].append(
                        asyncio.run(_grpc_get(address, name, size)) if pid
                        else _direct_get(s3, name, size))
                s3.delete_object(Bucket=CONTAINER, Key=name)
        with meter.measure("m", "get", floor.pid, size):
            memory_seconds = asyncio.run(_grpc_get(floor.address, "m", size, MEMORY))
        hashes = _hash_costs()
        for index in range(rounds):
            for label, rss_size in RSS_SIZES.items():
                idle, peak = _fresh_peak(settings, overrides, f"{label}-{index}", rss_size, s3)
                peaks[label].append(peak)
                idles.append(idle)
    for verb in ("put", "get"):
        figure, floor_figure = figures[f"P3-{verb}"], figures[f"P3-{verb}-floor"]
        figure.samples = ratios(times[f"d-{verb}"], times[f"t-{verb}"])
        floor_figure.samples = ratios(times[f"d-{verb}"], times[f"f-{verb}"])
        figure.notes = [
            f"{rounds} rounds of one {size // MiB} MiB object each way, the order rotating",
            *(f"{WHO[k]} {verb.upper()} MiB/s per round: " + ", ".join(
                f"{size / MiB / t:.0f}" for t in times[f"{k}-{verb}"]) for k in KINDS),
            meter.note(verb)]
    figures["P3-put"].notes += [
        "digests in this process, ms per MiB: " + ", ".join(
            f"{name} {ms:.2f}" for name, ms in hashes.items()) + " (the translator and the "
        "relay compute all three, boto3 the last two)",
        "single-node bluestore cluster on a sparse file; translator [object_storage] defaults"]
    server, client, _ = meter.per_mib("m", "get")
    figures["P3-get"].notes.append(
        "gRPC alone (the relay streaming one prebuilt 1 MiB message): "
        f"{size / MiB / memory_seconds:.0f} MiB/s, server {server:.2f} + client {client:.2f} "
        "ms per MiB")
    for verb in ("put", "get"):
        direct = sum(meter.per_mib("d", verb))
        figures[f"P3-{verb}"].notes.append(
            f"CPU bound on a saturated machine: boto3's CPU per MiB ÷ the translator's "
            f"{direct / sum(meter.per_mib('t', verb)):.2f}, ÷ the relay's "
            f"{direct / sum(meter.per_mib('f', verb)):.2f}")
    for label, values in peaks.items():
        figures[f"P3-rss-{label}"].samples = values
    flat = figures["P3-rss-flat"]
    flat.samples = ratios(peaks["1G"], peaks["100M"])
    flat.notes = [f"{rounds} rounds, each size in a fresh server; peaks in MiB per round: "
                  + "; ".join(f"{k} " + ", ".join(f"{v:.0f}" for v in values)
                              for k, values in peaks.items()),
                  f"a fresh server's idle RSS: {min(idles):.0f}-{max(idles):.0f} MiB"]


PARTS = [Part("P3", declare, run)]
