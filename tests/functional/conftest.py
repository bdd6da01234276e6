"""Fixtures: a real CloudStack simulator (in this process) and a real translator-server."""

from __future__ import annotations

import dataclasses
import pathlib

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


# -- object storage -------------------------------------------------------------------

#: Parts from 5 MiB (S3's minimum), so a test object of ~11 MiB is stored in parts.
OBJECT_THRESHOLDS = {"large_object_threshold_bytes": 5 * 1024 * 1024,
                     "part_bytes": 5 * 1024 * 1024}
OBJECT_DRIVERS = ("local", "ceph", "swift")
#: The swift driver signs temp URLs with the account key it sets at start.
SWIFT_TEMP_URL_KEY = "functional-temp-url-key"


@dataclasses.dataclass
class ObjectDeployment:
    """A translator-server serving only the Object Storage API, on ``driver``."""

    driver: str
    server: ServerProcess
    state_dir: pathlib.Path

    @property
    def address(self) -> str:
        return self.server.address

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.address)


def object_backend_options(driver: str) -> dict[str, dict[str, object]]:
    """The groups that point ``driver`` at its backend: for ceph (S3) and swift, the
    session's real radosgw (started on first use; skips the test without Ceph)."""
    if driver == "local":
        return {}
    from ceph_session import cluster

    ceph = cluster()
    overrides = {group: dict(values) for group, values in ceph.config_overrides().items()}
    if driver == "ceph":
        rgw = overrides.setdefault("ceph", {})
        rgw.setdefault("rgw_endpoint", ceph.rgw_endpoint)
        rgw.setdefault("rgw_access_key", ceph.s3_access_key)
        rgw.setdefault("rgw_secret_key", ceph.s3_secret_key)
        return {"ceph": rgw}
    swift = overrides.get("swift") or {"auth_url": ceph.swift_auth_url,
                                       "user": ceph.swift_user, "key": ceph.swift_key}
    return {"swift": {**swift, "temp_url_key": SWIFT_TEMP_URL_KEY}}


def start_object_deployment(tmp_path, driver: str,
                            options: dict[str, dict[str, object]] | None = None
                            ) -> ObjectDeployment:
    """A translator-server with only [object_storage] on ``driver`` (5 MiB parts), no
    simulator; ``options`` add to its groups."""
    overrides: dict[str, dict[str, object]] = {
        "compute": {"driver": ""}, "block_storage": {"driver": ""},
        "object_storage": {"driver": driver, **OBJECT_THRESHOLDS},
        **object_backend_options(driver)}
    for group, values in (options or {}).items():
        overrides[group] = {**overrides.get(group, {}), **values}
    port = free_port()
    config = tmp_path / "translator.conf"
    write_config(config, tmp_path / "state", port, overrides)
    server = ServerProcess(config, port, tmp_path / "server.log")
    server.start()
    return ObjectDeployment(driver, server, tmp_path / "state")


@pytest.fixture(scope="session", params=OBJECT_DRIVERS)
def object_deployment(request, tmp_path_factory):
    """One object-storage-only server per driver, shared by the session's tests."""
    deployment = start_object_deployment(tmp_path_factory.mktemp(f"objects-{request.param}"),
                                         request.param)
    yield deployment
    deployment.server.stop()


# -- load balancing -------------------------------------------------------------------

LB_DRIVERS = ("netscaler", "cloudstack")
#: CloudStack's asynchronous load balancer commands, fast like the others.
LB_FAST_JOBS = {**FAST_JOBS, **dict.fromkeys((
    "associateIpAddress", "disassociateIpAddress", "createLoadBalancerRule",
    "deleteLoadBalancerRule", "assignToLoadBalancerRule", "removeFromLoadBalancerRule",
    "createLBHealthCheckPolicy", "deleteLBHealthCheckPolicy", "createLBStickinessPolicy",
    "deleteLBStickinessPolicy", "updateLoadBalancerRule"), 0.05)}


@dataclasses.dataclass
class LbDeployment:
    """A translator-server whose LoadBalancing API runs on ``driver`` against ``sim``
    (in this process): the NITRO simulator, or the CloudStack simulator that also
    serves Compute (members there are its VMs)."""

    driver: str
    sim: object
    server: ServerProcess

    @property
    def address(self) -> str:
        return self.server.address

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.address)


def start_lb_simulator(driver: str):
    """The started simulator that stands in for ``driver``'s backend."""
    if driver == "netscaler":
        from translator_drivers.netscaler.simulator import NetScalerSimulator

        sim = NetScalerSimulator(host="127.0.0.1", port=0, health_interval=0.05)
    else:
        sim = CloudStackSimulator(job_durations=LB_FAST_JOBS)
    sim.start()
    return sim


def start_lb_deployment(tmp_path, driver: str, sim,
                        options: dict[str, dict[str, object]] | None = None) -> LbDeployment:
    """A translator-server with [load_balancing] driver = ``driver`` on ``sim``; on
    netscaler with no Compute or BlockStorage API (nothing else to reach)."""
    overrides: dict[str, dict[str, object]] = {**sim.config_overrides(),
                                               "load_balancing": {"driver": driver}}
    if driver == "netscaler":
        overrides.update({"compute": {"driver": ""}, "block_storage": {"driver": ""}})
    for group, values in (options or {}).items():
        overrides[group] = {**overrides.get(group, {}), **values}
    port = free_port()
    config = tmp_path / "translator.conf"
    write_config(config, tmp_path / "state", port, overrides)
    server = ServerProcess(config, port, tmp_path / "server.log")
    server.start()
    return LbDeployment(driver, sim, server)


@pytest.fixture(scope="session", params=LB_DRIVERS)
def lb_deployment(request, tmp_path_factory):
    """One simulator + server per load balancing driver, shared by the session's tests."""
    sim = start_lb_simulator(request.param)
    deployment = start_lb_deployment(tmp_path_factory.mktemp(f"lb-{request.param}"),
                                     request.param, sim)
    yield deployment
    deployment.server.stop()
    sim.stop()


@pytest.fixture(scope="session")
def lb_members(lb_deployment):
    """Four members the deployment's backend can balance, as translator.v1 Members:
    addresses on netscaler; on cloudstack servers made through the Compute API (in
    parallel), by server_id."""
    from concurrent import futures

    from functional.helpers import create_server
    from translator.api.v1 import load_balancing_pb2

    if lb_deployment.driver == "netscaler":
        return [load_balancing_pb2.Member(address=f"10.1.0.{i}", port=8080)
                for i in range(1, 5)]
    with lb_deployment.channel() as channel, futures.ThreadPoolExecutor(4) as pool:
        servers = list(pool.map(lambda i: create_server(channel, name=f"lb-member-{i}"),
                                range(4)))
    return [load_balancing_pb2.Member(server_id=s.id, port=8080) for s in servers]
