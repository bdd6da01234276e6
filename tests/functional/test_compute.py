"""Nova-shaped compute through gRPC onto the CloudStack simulator, end to end."""

from __future__ import annotations

import grpc
import pytest
from google.longrunning import operations_pb2

from functional import helpers
from functional.helpers import compute, create_server, details, rid, server_of, wait
from translator.api.v1 import common_pb2, compute_pb2


def test_flavors_and_images_are_the_backend_offerings_and_templates(channel):
    flavors = compute(channel).ListFlavors(compute_pb2.ListFlavorsRequest())
    by_name = {f.name: f for f in flavors.flavors}
    assert by_name["Large Instance"].vcpus == 2 and by_name["Large Instance"].ram_mb == 4096
    assert by_name["Custom"].customizable
    got = compute(channel).GetFlavor(compute_pb2.GetFlavorRequest(id=by_name["Custom"].id))
    assert got.name == "Custom"
    images = compute(channel).ListImages(compute_pb2.ListImagesRequest())
    assert "Debian 12" in {i.name for i in images.images}


def test_server_lifecycle(channel):
    stub = compute(channel)
    server = create_server(channel, name="lifecycle", metadata={"team": "paas"})
    assert server.status == compute_pb2.Server.ACTIVE
    assert server.flavor_name == "Small Instance" and server.image_name == "Debian 12"
    assert server.metadata["team"] == "paas" and server.addresses

    def act(method, **kw):
        return server_of(wait(channel, getattr(stub, method)(
            getattr(compute_pb2, f"{method}Request")(request_id=rid(), id=server.id, **kw))))

    assert act("StopServer").status == compute_pb2.Server.SHUTOFF
    assert act("StartServer").status == compute_pb2.Server.ACTIVE
    assert act("RebootServer").status == compute_pb2.Server.ACTIVE
    resized = act("ResizeServer", flavor="Medium Instance")
    assert resized.flavor_name == "Medium Instance" and resized.ram_mb == 1024
    listed = stub.ListServers(compute_pb2.ListServersRequest(page_size=500))
    assert server.id in {s.id for s in listed.servers}
    done = wait(channel, stub.DeleteServer(compute_pb2.DeleteServerRequest(
        request_id=rid(), id=server.id)))
    assert not done.HasField("error")
    with pytest.raises(grpc.RpcError) as info:
        stub.GetServer(compute_pb2.GetServerRequest(id=server.id))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_create_returns_operation_at_once_with_metadata(channel):
    op = compute(channel).CreateServer(compute_pb2.CreateServerRequest(
        request_id=rid(), name="fast", flavor="Small Instance", image="Debian 12"))
    assert not op.done and op.name.startswith("operations/")
    meta = common_pb2.OperationMetadata()
    assert op.metadata.Unpack(meta)
    assert meta.verb == "CreateServer" and meta.backend == "cloudstack" and meta.target
    assert len(meta.backend_jobs) == 1  # the backend id and job were persisted before polling
    finished = wait(channel, op)
    finished_meta = common_pb2.OperationMetadata()
    finished.metadata.Unpack(finished_meta)
    assert finished_meta.progress_percent == 100 and server_of(finished).id == meta.target


def test_same_request_id_yields_one_server(translator_server, channel):
    sim = translator_server.sim
    request_id = rid()
    before = sim.request_counts["deployVirtualMachine"]
    request = compute_pb2.CreateServerRequest(request_id=request_id, name="idem",
                                              flavor="Small Instance", image="Debian 12")
    first = compute(channel).CreateServer(request)
    second = compute(channel).CreateServer(request)
    assert first.name == second.name
    wait(channel, first)
    third = compute(channel).CreateServer(request)
    assert third.name == first.name and third.done
    assert sim.request_counts["deployVirtualMachine"] - before == 1


def test_request_id_reuse_with_other_parameters_is_refused(channel):
    request_id = rid()
    compute(channel).CreateServer(compute_pb2.CreateServerRequest(
        request_id=request_id, name="a", flavor="Small Instance", image="Debian 12"))
    with pytest.raises(grpc.RpcError) as info:
        compute(channel).CreateServer(compute_pb2.CreateServerRequest(
            request_id=request_id, name="b", flavor="Small Instance", image="Debian 12"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = details(info.value)["BadRequest"].field_violations
    assert violations[0].field == "request_id"


@pytest.mark.parametrize("fields,field", [
    ({"name": "", "flavor": "Small Instance", "image": "Debian 12"}, "name"),
    ({"name": "x", "image": "Debian 12"}, "flavor"),
    ({"name": "x", "flavor": "Small Instance"}, "image"),
    ({"name": "x", "flavor": "Small Instance", "image": "Debian 12",
      "user_data": b"x" * (64 * 1024 + 1)}, "user_data"),
    ({"name": "x", "resources": {"vcpus": 0, "ram_mb": 512}, "image": "Debian 12"},
     "resources.vcpus"),
    ({"name": "x\n", "flavor": "Small Instance", "image": "Debian 12"}, "name"),
    ({"name": "x", "flavor": "Small Instance", "image": "Debian 12",
      "request_id": "has spaces"}, "request_id"),
])
def test_malformed_create_is_invalid_argument_with_field(channel, fields, field):
    with pytest.raises(grpc.RpcError) as info:
        compute(channel).CreateServer(compute_pb2.CreateServerRequest(**fields))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field in [v.field for v in details(info.value)["BadRequest"].field_violations]


def test_user_data_over_the_backend_limit_is_invalid_argument(channel):
    # Under the API's own cap, over CloudStack's 32 KiB of base64 text.
    with pytest.raises(grpc.RpcError) as info:
        compute(channel).CreateServer(compute_pb2.CreateServerRequest(
            request_id=rid(), name="big", flavor="Small Instance", image="Debian 12",
            user_data=b"#!/bin/sh\n" + b"x" * 30_000))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "user_data" in [v.field for v in details(info.value)["BadRequest"].field_violations]


@pytest.mark.parametrize("field,value", [("flavor", "Galactic Instance"), ("image", "Plan 9")])
def test_unknown_flavor_or_image_is_not_found_naming_it(channel, field, value):
    fields = {"flavor": "Small Instance", "image": "Debian 12", field: value}
    with pytest.raises(grpc.RpcError) as info:
        compute(channel).CreateServer(compute_pb2.CreateServerRequest(
            request_id=rid(), name="x", **fields))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    assert value in info.value.details()


def test_failed_submit_frees_the_request_id(channel):
    request_id = rid()
    request = compute_pb2.CreateServerRequest(request_id=request_id, name="x",
                                              flavor="Nope", image="Debian 12")
    with pytest.raises(grpc.RpcError):
        compute(channel).CreateServer(request)
    request.flavor = "Small Instance"
    assert server_of(wait(channel, compute(channel).CreateServer(request))).name == "x"


def test_backend_error_codes_map_to_grpc(translator_server, channel):
    sim = translator_server.sim
    sim.fail_next("deployVirtualMachine", 533, "Unable to create a deployment for VM")
    with pytest.raises(grpc.RpcError) as info:
        compute(channel).CreateServer(compute_pb2.CreateServerRequest(
            request_id=rid(), name="x", flavor="Small Instance", image="Debian 12"))
    assert info.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    found = details(info.value)
    assert found["ErrorInfo"].metadata["backend_code"] == "533" and "RetryInfo" in found


def test_failed_backend_job_fails_the_operation(translator_server, channel):
    translator_server.sim.fail_next_job("deployVirtualMachine", "host crashed")
    op = wait(channel, compute(channel).CreateServer(compute_pb2.CreateServerRequest(
        request_id=rid(), name="doomed", flavor="Small Instance", image="Debian 12")))
    assert op.HasField("error") and "host crashed" in op.error.message


def test_listing_pages_through_1200_servers(private_deployment):
    private_deployment.sim.seed_virtual_machines(1200)
    seen, token, pages = [], "", 0
    with private_deployment.channel() as channel:
        while True:
            page = compute(channel).ListServers(
                compute_pb2.ListServersRequest(page_size=500, page_token=token))
            seen.extend(s.id for s in page.servers)
            pages += 1
            token = page.next_page_token
            if not token:
                break
        with pytest.raises(grpc.RpcError) as info:
            compute(channel).ListServers(compute_pb2.ListServersRequest(page_token="garbage"))
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert len(seen) == len(set(seen)) == 1200 and pages == 3


def test_keypairs(channel):
    stub = compute(channel)
    request_id = rid()
    created = stub.CreateKeypair(compute_pb2.CreateKeypairRequest(request_id=request_id,
                                                                  name="kp-func"))
    assert "PRIVATE KEY" in created.private_key and created.fingerprint
    replay = stub.CreateKeypair(compute_pb2.CreateKeypairRequest(request_id=request_id,
                                                                 name="kp-func"))
    assert replay.fingerprint == created.fingerprint and not replay.private_key
    with pytest.raises(grpc.RpcError) as info:
        stub.CreateKeypair(compute_pb2.CreateKeypairRequest(request_id=rid(), name="kp-func"))
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    names = {k.name for k in stub.ListKeypairs(compute_pb2.ListKeypairsRequest()).keypairs}
    assert "kp-func" in names
    server = create_server(channel, name="with-key", keypair="kp-func")
    assert server.keypair_name == "kp-func"
    stub.DeleteKeypair(compute_pb2.DeleteKeypairRequest(request_id=rid(), name="kp-func"))
    with pytest.raises(grpc.RpcError) as info:
        stub.DeleteKeypair(compute_pb2.DeleteKeypairRequest(request_id=rid(), name="kp-func"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_operations_list_get_cancel(channel):
    ops = helpers.operations(channel)
    op = compute(channel).CreateServer(compute_pb2.CreateServerRequest(
        request_id=rid(), name="to-cancel", flavor="Small Instance", image="Debian 12"))
    ops.CancelOperation(operations_pb2.CancelOperationRequest(name=op.name))
    done = wait(channel, op)
    assert done.error.code == grpc.StatusCode.CANCELLED.value[0]
    meta = common_pb2.OperationMetadata()
    done.metadata.Unpack(meta)
    with pytest.raises(grpc.RpcError) as info:  # the server it made was deleted
        compute(channel).GetServer(compute_pb2.GetServerRequest(id=meta.target))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    listed = ops.ListOperations(operations_pb2.ListOperationsRequest(filter="done=true",
                                                                     page_size=1000))
    assert op.name in {o.name for o in listed.operations}
    with pytest.raises(grpc.RpcError) as info:
        ops.GetOperation(operations_pb2.GetOperationRequest(name="operations/nope"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as info:
        ops.ListOperations(operations_pb2.ListOperationsRequest(filter="verb=x"))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_reboot_and_resize_show_while_their_operation_runs(private_deployment):
    sim = private_deployment.sim
    with private_deployment.channel() as channel:
        server = create_server(channel, name="busy")
        stub = compute(channel)
        sim.set_job_duration("rebootVirtualMachine", 2.0)
        op = stub.RebootServer(compute_pb2.RebootServerRequest(request_id=rid(), id=server.id))
        during = stub.GetServer(compute_pb2.GetServerRequest(id=server.id))
        listed = {s.id: s for s in stub.ListServers(compute_pb2.ListServersRequest()).servers}
        assert during.status == listed[server.id].status == compute_pb2.Server.REBOOT
        assert server_of(wait(channel, op)).status == compute_pb2.Server.ACTIVE
        after = stub.GetServer(compute_pb2.GetServerRequest(id=server.id))
        assert after.status == compute_pb2.Server.ACTIVE
        sim.set_job_duration("scaleVirtualMachine", 2.0)
        op = stub.ResizeServer(compute_pb2.ResizeServerRequest(
            request_id=rid(), id=server.id, flavor="Medium Instance"))
        assert stub.GetServer(compute_pb2.GetServerRequest(
            id=server.id)).status == compute_pb2.Server.RESIZE
        wait(channel, op)


def test_warm_create_costs_one_backend_request_besides_job_polls(private_deployment):
    sim = private_deployment.sim
    with private_deployment.channel() as channel:
        create_server(channel, name="warm-up")
        sim.reset_counts()
        server = create_server(channel, name="counted")
    counts = {k: v for k, v in sim.request_counts.items() if k != "queryAsyncJobResult"}
    assert counts == {"deployVirtualMachine": 1}
    assert server.status == compute_pb2.Server.ACTIVE and server.name == "counted"
