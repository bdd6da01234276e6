"""P4: a boot storm on Ceph RBD — 50 volumes from one golden image, through the translator.

A real throwaway Ceph cluster (drivers/ceph/cluster.py) holds two golden
images in the ``images`` pool, laid out as Glance's RBD store does: an RBD
image named by the image id with a protected snapshot ``snap``, thin, with a
few MiB written; one of 1 GiB and one of 10 GiB. Per round and image, two
batches run in turn (which one first alternates by round):

- translator: N concurrent BlockStorage.CreateVolume(image_id=…) to a real
  translator-server (``[block_storage] driver = ceph``, no compute API), each
  followed with WaitOperation until done and checked AVAILABLE;
- direct: N ``rbd.RBD().clone`` of the same snapshot into the ``volumes`` pool,
  made by this process with as many threads as the translator's executor: the
  same storm without the translator. (The same clones made one after another,
  as a plain script would, are timed too and reported in the notes only.)

The round's figure is t(translator) ÷ t(direct) per image; P4-size is the
translator's t(10 GiB) ÷ t(1 GiB) in the same round: a clone copies no data,
so a larger image must not take longer. Nothing is removed between batches:
removing a clone without the object-map feature tries every object its size
could hold (2,560 for 10 GiB), minutes for a round's clones, and the cluster
is thrown away at the end anyway; each batch's parent thus has more clones
than the one before, alike for both kinds, whose order alternates by round.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import time
import uuid
from typing import Any

from common import EXECUTOR_THREADS, Settings, TranslatorProcess, channel_pool, ratios
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import duration_pb2
from results import Figure, Part, Target

from translator.api.v1 import block_storage_pb2 as pb
from translator.api.v1 import block_storage_pb2_grpc

MiB = 1024**2
GiB = 1024**3
#: Golden image sizes: label → bytes.
IMAGES = {"1G": GiB, "10G": 10 * GiB}
#: Bytes written into each golden image (at its start and its end): "a few MiB".
WRITTEN = 4 * MiB
POOL = 8
CALL_TIMEOUT = 60.0


def declare() -> list[Figure]:
    return [*(Figure(f"P4-{label}", f"N concurrent volumes (50; 20 with --quick) from a "
                     f"{label}iB golden image: translator CreateVolume(image_id) to done ÷ "
                     "direct rbd clones", target=Target("<=", 1.5))
              for label in IMAGES),
            Figure("P4-size", "the translator's time for N volumes from the 10 GiB image ÷ "
                   "from the 1 GiB one (a clone copies no data)", target=Target("<=", 1.5))]


# -- the cluster and its golden images ------------------------------------------------------------


def make_golden(client: Any, size: int) -> str:
    """A Glance-style image: <uuid>@snap, protected, WRITTEN bytes at its start and end."""
    import rbd

    image_id = str(uuid.uuid4())
    with client.open_ioctx("images") as ioctx:
        rbd.RBD().create(ioctx, image_id, size, old_format=False,
                         features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(ioctx, image_id) as image:
            block = bytes(range(256)) * (MiB // 256)
            for offset in range(0, WRITTEN // 2, MiB):
                image.write(block, offset)
                image.write(block, size - WRITTEN // 2 + offset)
            image.create_snap("snap")
            image.protect_snap("snap")
    return image_id


class Direct:
    """rbd clones made by this process: what the translator's work is measured against."""

    def __init__(self, client: Any) -> None:
        import rbd

        self.rbd = rbd
        self.images = client.open_ioctx("images")
        self.volumes = client.open_ioctx("volumes")
        self.pool = concurrent.futures.ThreadPoolExecutor(EXECUTOR_THREADS,
                                                          thread_name_prefix="p4-direct")

    def close(self) -> None:
        self.pool.shutdown()
        self.images.close()
        self.volumes.close()

    def _clone(self, image_id: str, name: str) -> str:
        self.rbd.RBD().clone(self.images, image_id, "snap", self.volumes, name,
                             features=self.rbd.RBD_FEATURE_LAYERING)
        return name

    def batch(self, image_id: str, count: int) -> tuple[float, list[str]]:
        """Seconds for ``count`` concurrent clones, and their names."""
        names = [f"p4-direct-{uuid.uuid4()}" for _ in range(count)]
        start = time.perf_counter()
        made = list(self.pool.map(lambda name: self._clone(image_id, name), names))
        return time.perf_counter() - start, made

    def sequential(self, image_id: str, count: int) -> tuple[float, list[str]]:
        """Seconds for ``count`` clones one after another (a plain script's way), for reference."""
        names = [f"p4-direct-{uuid.uuid4()}" for _ in range(count)]
        start = time.perf_counter()
        for name in names:
            self._clone(image_id, name)
        return time.perf_counter() - start, names


# -- the translator ------------------------------------------------------------------------------


async def _wait(channel: Any, op: operations_pb2.Operation,
                deadline: float) -> operations_pb2.Operation:
    waiter = operations_pb2_grpc.OperationsStub(channel)
    while not op.done:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{op.name} not done in time")
        op = await waiter.WaitOperation(operations_pb2.WaitOperationRequest(
            name=op.name, timeout=duration_pb2.Duration(seconds=5)), timeout=15)
    if op.HasField("error"):
        raise RuntimeError(f"{op.name} failed: {op.error.message}")
    return op


async def _create_batch(address: str, image_id: str, count: int) -> tuple[float, list[str]]:
    """Seconds for ``count`` concurrent CreateVolume(image_id) to be done, and the volume ids."""
    pool = channel_pool(address, POOL)
    deadline = time.monotonic() + CALL_TIMEOUT

    async def one(index: int) -> str:
        channel = pool[index % POOL]
        op = await block_storage_pb2_grpc.BlockStorageStub(channel).CreateVolume(
            pb.CreateVolumeRequest(request_id=str(uuid.uuid4()), name=f"p4-{index}",
                                   image_id=image_id), timeout=CALL_TIMEOUT)
        op = await _wait(channel, op, deadline)
        volume = pb.Volume()
        if not op.response.Unpack(volume) or volume.status != pb.Volume.AVAILABLE:
            raise RuntimeError(f"{op.name} did not end with an AVAILABLE volume")
        if volume.source_image_id != image_id:
            raise RuntimeError(f"volume {volume.id} is not made from image {image_id}")
        return volume.id

    try:
        # Connected before the clock starts: the direct clones reuse a connected client too.
        await asyncio.gather(*(asyncio.wait_for(c.channel_ready(), CALL_TIMEOUT) for c in pool))
        start = time.perf_counter()
        ids = await asyncio.gather(*(one(i) for i in range(count)))
        return time.perf_counter() - start, list(ids)
    finally:
        for channel in pool:
            await channel.close()


def _check_clone(address: str, volume_id: str, image_id: str) -> None:
    """The translator's volume is a copy-on-write clone of the golden snapshot."""
    import grpc

    with grpc.insecure_channel(address) as channel:
        volume = block_storage_pb2_grpc.BlockStorageStub(channel).GetVolume(
            pb.GetVolumeRequest(id=volume_id), timeout=CALL_TIMEOUT)
    if volume.extra.get("rbd_parent") != f"images/{image_id}@snap":
        raise RuntimeError(f"volume {volume_id} is not a clone of images/{image_id}@snap: "
                           f"{dict(volume.extra)}")


# -- the part ------------------------------------------------------------------------------------


def run(settings: Settings, figures: dict[str, Figure]) -> None:
    import rados

    from translator_drivers.ceph.cluster import CephCluster

    rounds, count = settings.pick((5, 50), (2, 20))
    times: dict[str, dict[str, list[float]]] = {
        label: {"translator": [], "direct": [], "sequential": []} for label in IMAGES}
    with contextlib.ExitStack() as stack:
        ceph = CephCluster(rgw=False, rbd_pools=("volumes", "images"))
        ceph.start()
        stack.callback(ceph.stop)
        client = rados.Rados(conffile=ceph.conf_path)
        client.connect()
        stack.callback(client.shutdown)
        golden = {label: make_golden(client, size) for label, size in IMAGES.items()}
        translator = TranslatorProcess(settings.workdir / "p4", {
            **ceph.config_overrides(), "block_storage": {"driver": "ceph"},
            "compute": {"driver": ""}})
        stack.callback(translator.stop)
        direct = Direct(client)
        stack.callback(direct.close)
        address = translator.address
        for image_id in golden.values():  # warm-up: connections, first opens
            _, ids = asyncio.run(_create_batch(address, image_id, 2))
            _check_clone(address, ids[0], image_id)
            direct.batch(image_id, 2)
        for index in range(rounds):
            kinds = ["translator", "direct"] if index % 2 == 0 else ["direct", "translator"]
            for label, image_id in golden.items():
                for kind in kinds:
                    if kind == "translator":
                        seconds, _ = asyncio.run(_create_batch(address, image_id, count))
                    else:
                        seconds, _ = direct.batch(image_id, count)
                    times[label][kind].append(seconds)
                times[label]["sequential"].append(direct.sequential(image_id, count)[0])
    for label in IMAGES:
        figure = figures[f"P4-{label}"]
        figure.samples = ratios(times[label]["translator"], times[label]["direct"])
        figure.notes = [
            f"{rounds} rounds of {count} concurrent creates each way, the order alternating",
            *(f"{kind} seconds per round: " + ", ".join(f"{s:.3f}" for s in values)
              for kind, values in times[label].items()),
            "for reference, translator ÷ the same clones made one after another: " + ", ".join(
                f"{r:.2f}" for r in ratios(times[label]["translator"],
                                          times[label]["sequential"]))]
    size = figures["P4-size"]
    size.samples = ratios(times["10G"]["translator"], times["1G"]["translator"])
    size.notes = ["direct rbd clones, t(10 GiB) ÷ t(1 GiB) per round: " + ", ".join(
        f"{r:.2f}" for r in ratios(times["10G"]["direct"], times["1G"]["direct"])),
        f"golden images thin, {WRITTEN // MiB} MiB written; a single-node memstore cluster; "
        f"direct clones on {EXECUTOR_THREADS} threads, the translator's executor width"]


PARTS = [Part("P4", declare, run)]
