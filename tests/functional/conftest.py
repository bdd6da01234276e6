"""Fixtures: a real CloudStack simulator (in this process) and a real translator-server."""

from __future__ import annotations

import dataclasses

import grpc
import pytest

from functional.server import ServerProcess, free_port, write_config
from translator_drivers.cloudstack.simulator import CloudStackSimulator

FAST_JOBS = {
    "deployVirtualMachine": 0.3, "startVirtualMachine": 0.2, "stopVirtualMachine": 0.2,
    "rebootVirtualMachine": 0.2, "destroyVirtualMachine": 0.2, "scaleVirtualMachine": 0.2,
    "createTags": 0.05, "createVolume": 0.1, "resizeVolume": 0.1, "attachVolume": 0.1,
    "detachVolume": 0.1, "createSnapshot": 0.2, "deleteSnapshot": 0.1,
}

#: Volume types over the simulator's disk offerings: "standard" (untagged), "fast" (ssd),
#: "archive" (hdd: one fixed 500 GB offering) and "nvme" (an offering no pool can hold).
BLOCK_TYPES = """
[block_storage]
volume_types = standard, fast, archive, nvme

[volume_type:fast]
description = SSD-backed volumes
storage_tags = ssd

[volume_type:archive]
disk_offering = HDD Large

[volume_type:nvme]
storage_tags = nvme
"""


@dataclasses.dataclass
class Deployment:
    sim: CloudStackSimulator
    server: ServerProcess

    @property
    def address(self) -> str:
        return self.server.address

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.address)


def start_deployment(tmp_path, sim: CloudStackSimulator, extra: str = "",
                     options: dict[str, dict[str, object]] | None = None) -> Deployment:
    """A translator-server on ``sim``; ``options`` add to its groups, ``extra`` is raw INI."""
    port = free_port()
    config = tmp_path / "translator.conf"
    overrides = sim.config_overrides()
    for group, values in (options or {}).items():
        overrides[group] = {**overrides.get(group, {}), **values}
    write_config(config, tmp_path / "state", port, overrides, extra)
    server = ServerProcess(config, port, tmp_path / "server.log")
    server.start()
    return Deployment(sim, server)


@pytest.fixture(scope="session")
def translator_server(tmp_path_factory):
    """One simulator + server shared by the read-mostly tests of a session."""
    sim = CloudStackSimulator(job_durations=FAST_JOBS)
    sim.start()
    deployment = start_deployment(tmp_path_factory.mktemp("translator"), sim, BLOCK_TYPES)
    yield deployment
    deployment.server.stop()
    sim.stop()


@pytest.fixture
def private_deployment(tmp_path):
    """A simulator + server of the test's own, for tests that kill or count things."""
    sim = CloudStackSimulator(job_durations=FAST_JOBS)
    sim.start()
    deployment = start_deployment(tmp_path, sim)
    yield deployment
    deployment.server.stop()
    sim.stop()


@pytest.fixture
def channel(translator_server):
    with translator_server.channel() as chan:
        yield chan
