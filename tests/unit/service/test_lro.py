"""Operations from start to finish, through the real CloudStack driver and simulator."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from google.rpc import code_pb2, status_pb2
from oslo_config import cfg

from translator import conf as translator_conf
from translator.api.v1 import compute_pb2
from translator.drivers import factory, models
from translator.operations import store as st
from translator.service import lro
from translator.service.runner import Runner
from translator_drivers.cloudstack.simulator import CloudStackSimulator


@pytest.fixture
def sim():
    with CloudStackSimulator(job_durations={"deployVirtualMachine": 0.1,
                                            "stopVirtualMachine": 0.1}) as simulator:
        yield simulator


def _conf(sim, tmp_path):
    conf = cfg.ConfigOpts()
    translator_conf.register_opts(conf)
    conf([], default_config_files=[])
    conf.set_override("state_dir", str(tmp_path))
    conf.set_override("poll_initial_interval", 0.02, group="operations")
    conf.set_override("poll_max_interval", 0.1, group="operations")
    return conf


@contextlib.asynccontextmanager
async def manager(sim, tmp_path):
    conf = _conf(sim, tmp_path)
    driver = factory.load_driver(conf, "compute", "cloudstack")
    for group, values in sim.config_overrides().items():
        for key, value in values.items():
            conf.set_override(key, value, group=group)
    driver.setup()
    backend, state = Runner(4, "backend"), Runner(2, "state")
    store = st.OperationStore(f"sqlite:///{tmp_path}/state.db")
    mgr = lro.OperationManager(conf=conf, store=store, drivers={"compute": driver},
                               run_backend=backend, run_store=state)

    async def finish(drv, op, result):
        return lro.pack(compute_pb2.Server(id=op.target))
    mgr.register("CreateServer", lro.Verb(finish))
    runner = asyncio.create_task(mgr.poller.run())
    try:
        yield mgr, driver
    finally:
        await mgr.poller.stop()
        runner.cancel()
        backend.shutdown()
        state.shutdown()
        store.close()


def _spec(name="vm"):
    return models.ServerSpec(name=name, image="Debian 12", flavor="Small Instance")


def _request(name="vm", request_id="r-1"):
    return compute_pb2.CreateServerRequest(request_id=request_id, name=name,
                                           flavor="Small Instance", image="Debian 12")


async def _until_done(mgr, name, timeout=10.0):
    async with asyncio.timeout(timeout):
        while True:
            op = await mgr.get(name)
            if op.done:
                return op
            await mgr.notifier.wait(op.id, 0.2)


def test_backoff_grows_to_the_cap(sim, tmp_path):
    async def main():
        async with manager(sim, tmp_path) as (mgr, _):
            return [round(mgr.poller.interval(n), 4) for n in range(6)]
    intervals = asyncio.run(main())
    assert intervals[0] == 0.02 and intervals[1] > intervals[0]
    assert intervals[-1] == 0.1 and sorted(intervals) == intervals


def test_transient_poll_errors_delay_but_do_not_fail(sim, tmp_path):
    async def main():
        async with manager(sim, tmp_path) as (mgr, driver):
            sim.fail_next("queryAsyncJobResult", 534, "management server busy")
            sim.fail_next("queryAsyncJobResult", 534, "management server busy")
            started = await mgr.start(api="compute", verb="CreateServer", request=_request(),
                                      submit=lambda: driver.create_server(_spec()))
            return await _until_done(mgr, started.name)
    op = asyncio.run(main())
    assert op.error is None and op.response is not None and op.poll_count >= 2


def test_permanent_poll_error_fails_the_operation(sim, tmp_path):
    async def main():
        async with manager(sim, tmp_path) as (mgr, driver):
            sim.set_job_duration("deployVirtualMachine", 1.0)
            started = await mgr.start(api="compute", verb="CreateServer", request=_request(),
                                      submit=lambda: driver.create_server(_spec()))
            sim.fail_next("queryAsyncJobResult", 530, "database exploded")
            return await _until_done(mgr, started.name)
    op = asyncio.run(main())
    status = status_pb2.Status.FromString(op.error)
    assert status.code == code_pb2.INTERNAL and "database exploded" in status.message


def test_replay_returns_the_same_operation_without_a_second_deploy(sim, tmp_path):
    async def main():
        async with manager(sim, tmp_path) as (mgr, driver):
            first = await mgr.start(api="compute", verb="CreateServer", request=_request(),
                                    submit=lambda: driver.create_server(_spec()))
            second = await mgr.start(api="compute", verb="CreateServer", request=_request(),
                                     submit=lambda: driver.create_server(_spec()))
            return first, second
    first, second = asyncio.run(main())
    assert first.name == second.name
    assert sim.request_counts["deployVirtualMachine"] == 1


def test_resume_finishes_running_and_fails_interrupted_submissions(sim, tmp_path):
    store = st.OperationStore(f"sqlite:///{tmp_path}/state.db")
    # An earlier process submitted one create (persisted its job) and died
    # while submitting another.
    conf = _conf(sim, tmp_path)
    driver = factory.load_driver(conf, "compute", "cloudstack")
    for key, value in sim.config_overrides()["cloudstack"].items():
        conf.set_override(key, value, group="cloudstack")
    driver.setup()
    task = driver.create_server(_spec("before-crash"))
    running = store.create(api="compute", verb="CreateServer", backend="cloudstack",
                           request_id="a", fingerprint="", request=b"")
    store.update(running.id, state=st.RUNNING, target=task.resource_id, jobs=task.jobs)
    interrupted = store.create(api="compute", verb="CreateServer", backend="cloudstack",
                               request_id="b", fingerprint="", request=b"")
    store.close()

    async def main():
        async with manager(sim, tmp_path) as (mgr, _):
            assert await mgr.poller.resume() == 2
            return (await _until_done(mgr, running.name),
                    await _until_done(mgr, interrupted.name))
    finished, failed = asyncio.run(main())
    assert finished.response is not None and finished.target == task.resource_id
    assert "stopped before the backend acknowledged" in status_pb2.Status.FromString(
        failed.error).message
    assert sim.request_counts["deployVirtualMachine"] == 1
