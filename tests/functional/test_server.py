"""The server as an operator sees it: health, reflection, capabilities, shutdown, outages."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import descriptor_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from functional.conftest import start_deployment
from functional.server import free_port
from translator.api.v1 import capabilities_pb2, capabilities_pb2_grpc, compute_pb2, compute_pb2_grpc

EXPECTED_SERVICES = {
    "translator.v1.Compute", "translator.v1.Capabilities", "translator.v1.OperationWatcher",
    "google.longrunning.Operations", "grpc.health.v1.Health",
    "grpc.reflection.v1alpha.ServerReflection",
}


def test_health_serving_overall_and_per_service(channel):
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", "translator.v1.Compute"):
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def _reflect(channel, request):
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    return next(iter(stub.ServerReflectionInfo(iter([request]))))


def test_reflection_lists_and_describes_services(channel):
    """What `grpcurl -plaintext HOST:PORT list` and `describe` do, over the same protocol."""
    reply = _reflect(channel, reflection_pb2.ServerReflectionRequest(list_services=""))
    names = {s.name for s in reply.list_services_response.service}
    assert EXPECTED_SERVICES <= names
    reply = _reflect(channel, reflection_pb2.ServerReflectionRequest(
        file_containing_symbol="translator.v1.Compute"))
    files = [descriptor_pb2.FileDescriptorProto.FromString(raw)
             for raw in reply.file_descriptor_response.file_descriptor_proto]
    methods = {m.name for f in files for s in f.service if s.name == "Compute" for m in s.method}
    assert {"CreateServer", "ListServers", "ResizeServer"} <= methods


def test_capabilities_describe_the_cloudstack_driver(channel):
    reply = capabilities_pb2_grpc.CapabilitiesStub(channel).GetCapabilities(
        capabilities_pb2.GetCapabilitiesRequest())
    block, compute, objects = reply.apis  # sorted by API name
    assert (objects.api, objects.driver) == ("object_storage", "local")
    assert (compute.api, compute.driver) == ("compute", "cloudstack")
    assert (block.api, block.driver) == ("block_storage", "cloudstack")
    assert not {op.name: op for op in block.operations}["CreateVolume"].options[2].supported
    ops = {op.name: op for op in compute.operations}
    assert {"CreateServer", "ResizeServer", "CreateKeypair"} <= set(ops)
    assert ops["CreateServer"].supported and compute.notes
    with pytest.raises(grpc.RpcError) as info:
        capabilities_pb2_grpc.CapabilitiesStub(channel).GetCapabilities(
            capabilities_pb2.GetCapabilitiesRequest(apis=["teleport"]))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_unreachable_backend_is_unavailable_and_not_serving(tmp_path):
    class Gone:  # a CloudStack endpoint where nothing listens
        def config_overrides(self):
            return {"cloudstack": {"endpoint": f"http://127.0.0.1:{free_port()}/client/api",
                                   "api_key": "k" * 20, "secret_key": "s" * 20,
                                   "timeout": 2}}
    from functional.server import ServerProcess, write_config
    port = free_port()
    config = tmp_path / "translator.conf"
    write_config(config, tmp_path / "state", port, Gone().config_overrides())
    server = ServerProcess(config, port, tmp_path / "server.log")
    server.start(wait=False)
    try:
        with grpc.insecure_channel(server.address) as channel:
            grpc.channel_ready_future(channel).result(timeout=20)
            health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest())
            assert health.status == health_pb2.HealthCheckResponse.NOT_SERVING
            with pytest.raises(grpc.RpcError) as info:
                compute_pb2_grpc.ComputeStub(channel).ListFlavors(
                    compute_pb2.ListFlavorsRequest(), timeout=10)
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
    finally:
        server.stop()
    assert "not ready" in server.log()


def test_sigterm_shuts_down_gracefully(private_deployment):
    assert private_deployment.server.stop() == 0
    log = private_deployment.server.log()
    assert "Shutting down" in log and "Stopped" in log


def test_no_secret_in_any_log_line(tmp_path, translator_server):
    sim = translator_server.sim
    # Drive a few calls, including failing ones, then read the whole log.
    with translator_server.channel() as channel:
        stub = compute_pb2_grpc.ComputeStub(channel)
        stub.ListFlavors(compute_pb2.ListFlavorsRequest())
        with pytest.raises(grpc.RpcError):
            stub.GetServer(compute_pb2.GetServerRequest(id="no-such-server"))
    log = translator_server.server.log()
    assert log and sim.api_key not in log and sim.secret_key not in log


def test_second_server_on_same_state_and_backend_starts(tmp_path, translator_server):
    other = start_deployment(tmp_path, translator_server.sim)
    try:
        with other.channel() as channel:
            reply = compute_pb2_grpc.ComputeStub(channel).ListFlavors(
                compute_pb2.ListFlavorsRequest())
            assert reply.flavors
    finally:
        other.server.stop()


def test_start_up_failures_are_one_clear_line(tmp_path):
    import socket
    import subprocess
    import sys
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "translator.cmd.server", "--grpc-bind", f"127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=60, cwd=tmp_path,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert f"Cannot start: cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_unusable_state_directory_is_named(tmp_path):
    import subprocess
    import sys
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    config = tmp_path / "translator.conf"
    config.write_text(f"[DEFAULT]\nstate_dir = {blocker}/state\n"
                      f"[grpc]\nbind = 127.0.0.1:{free_port()}\n"
                      "[cloudstack]\nendpoint = http://127.0.0.1:1/client/api\n")
    result = subprocess.run(
        [sys.executable, "-m", "translator.cmd.server", "--config-file", str(config)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot create the state directory" in result.stderr
