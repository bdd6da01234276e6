"""The Compute servicer: validate → translate → driver (in the thread pool)."""

from __future__ import annotations

import logging

from google.protobuf import empty_pb2

from translator.api.v1 import compute_pb2, compute_pb2_grpc
from translator.drivers import base, models
from translator.operations import store as st
from translator.service import convert, idempotency
from translator.service.errors import handle_errors
from translator.service.lro import OperationManager, Verb, finish_empty, pack, undo_by_deleting
from translator.service.validation import (
    MAX_ID,
    MAX_PUBLIC_KEY,
    MAX_USER_DATA,
    Validator,
    page_size,
    require_id,
    validate_target,
)

LOG = logging.getLogger(__name__)

API = "compute"


class ComputeServicer(compute_pb2_grpc.ComputeServicer):
    def __init__(self, driver: base.ComputeDriver, operations: OperationManager) -> None:
        self.driver = driver
        self.ops = operations
        self.run = operations.run_backend
        self._catalog = ResponseMemo()
        finish_server = Verb(self._finish_server)
        for verb in ("StartServer", "StopServer", "RebootServer", "ResizeServer"):
            operations.register(verb, finish_server)
        operations.register("CreateServer", Verb(self._finish_server,
                                                 undo_by_deleting(self.run, "delete_server")))
        operations.register("DeleteServer", Verb(finish_empty))

    async def _read(self, method: str, *args):
        """A read the driver can answer from its cache stays on the event loop."""
        hit = self.driver.peek(method, *args)
        if hit is not None:
            return hit
        return await self.run(getattr(self.driver, method), *args)

    # -- flavors and images -----------------------------------------------------

    @handle_errors
    async def ListFlavors(self, request, context):
        size = page_size(request)
        page = await self._read("list_flavors", size, request.page_token)
        return self._catalog.get(("flavors", size, request.page_token), page.items, lambda: (
            compute_pb2.ListFlavorsResponse(flavors=[convert.flavor(f) for f in page.items],
                                            next_page_token=page.next_token)))

    @handle_errors
    async def GetFlavor(self, request, context):
        require_id(request.id)
        flavor = await self._read("get_flavor", request.id)
        return self._catalog.get(("flavor", request.id), [flavor],
                                 lambda: convert.flavor(flavor))

    @handle_errors
    async def ListImages(self, request, context):
        size = page_size(request)
        page = await self._read("list_images", size, request.page_token)
        return self._catalog.get(("images", size, request.page_token), page.items, lambda: (
            compute_pb2.ListImagesResponse(images=[convert.image(i) for i in page.items],
                                           next_page_token=page.next_token)))

    @handle_errors
    async def GetImage(self, request, context):
        require_id(request.id)
        image = await self._read("get_image", request.id)
        return self._catalog.get(("image", request.id), [image], lambda: convert.image(image))

    # -- keypairs -------------------------------------------------------------

    @handle_errors
    async def CreateKeypair(self, request, context):
        _validate_keypair_name(request)
        return await idempotency.call(
            self.ops, "CreateKeypair", request, compute_pb2.Keypair,
            lambda: self._keypair(self.driver.create_keypair, request.name),
            # The private key is never stored: a replay returns the key pair without it.
            redact=lambda kp: compute_pb2.Keypair(name=kp.name, fingerprint=kp.fingerprint,
                                                  public_key=kp.public_key))

    @handle_errors
    async def ImportKeypair(self, request, context):
        v = Validator()
        v.request_id(request.request_id)
        v.text(request.name, "name", required=True)
        v.text(request.public_key.strip(), "public_key", required=True, max_len=MAX_PUBLIC_KEY)
        v.raise_if_invalid()
        return await idempotency.call(
            self.ops, "ImportKeypair", request, compute_pb2.Keypair,
            lambda: self._keypair(self.driver.import_keypair, request.name,
                                  request.public_key.strip()))

    async def _keypair(self, method, *args) -> compute_pb2.Keypair:
        return convert.keypair(await self.run(method, *args))

    @handle_errors
    async def ListKeypairs(self, request, context):
        size = page_size(request)
        page = await self.run(self.driver.list_keypairs, size, request.page_token)
        return compute_pb2.ListKeypairsResponse(
            keypairs=[convert.keypair(k) for k in page.items], next_page_token=page.next_token)

    @handle_errors
    async def DeleteKeypair(self, request, context):
        _validate_keypair_name(request)

        async def delete():
            await self.run(self.driver.delete_keypair, request.name)
            return empty_pb2.Empty()
        return await idempotency.call(self.ops, "DeleteKeypair", request, empty_pb2.Empty, delete)

    # -- servers --------------------------------------------------------------

    @handle_errors
    async def CreateServer(self, request, context):
        spec = _server_spec(request)
        return await self.ops.start(api=API, verb="CreateServer", request=request,
                                    submit=lambda: self.driver.create_server(spec))

    @handle_errors
    async def GetServer(self, request, context):
        require_id(request.id)
        server = await self.run(self.driver.get_server, request.id)
        pending = self.ops.pending_verbs(API, [server.id])
        return convert.server(server, pending.get(server.id, ""))

    @handle_errors
    async def ListServers(self, request, context):
        size = page_size(request)
        page = await self.run(self.driver.list_servers, size, request.page_token)
        pending = self.ops.pending_verbs(API, [s.id for s in page.items])
        return compute_pb2.ListServersResponse(
            servers=[convert.server(s, pending.get(s.id, "")) for s in page.items],
            next_page_token=page.next_token)

    @handle_errors
    async def DeleteServer(self, request, context):
        return await self._server_verb("DeleteServer", request, self.driver.delete_server)

    @handle_errors
    async def StartServer(self, request, context):
        return await self._server_verb("StartServer", request, self.driver.start_server)

    @handle_errors
    async def StopServer(self, request, context):
        return await self._server_verb("StopServer", request, self.driver.stop_server)

    @handle_errors
    async def RebootServer(self, request, context):
        hard = request.type == compute_pb2.RebootServerRequest.HARD
        return await self._server_verb("RebootServer", request, self.driver.reboot_server, hard)

    async def _server_verb(self, verb: str, request, method, *args):
        """An operation on one existing server: validate, then start it."""
        validate_target(request)
        return await self.ops.start(api=API, verb=verb, request=request, target=request.id,
                                    submit=lambda: method(request.id, *args))

    @handle_errors
    async def ResizeServer(self, request, context):
        v = Validator()
        v.request_id(request.request_id)
        v.text(request.id, "id", required=True, max_len=MAX_ID)
        flavor, vcpus, ram_mb = _flavor_ref(v, request)
        v.raise_if_invalid()
        spec = models.ResizeSpec(flavor=flavor, vcpus=vcpus, ram_mb=ram_mb)
        return await self.ops.start(api=API, verb="ResizeServer", request=request,
                                    target=request.id,
                                    submit=lambda: self.driver.resize_server(request.id, spec))

    # -- how operations end ----------------------------------------------------

    async def _finish_server(self, driver: base.ComputeDriver, op: st.Operation,
                             result: object) -> bytes:
        if not (isinstance(result, models.Server) and result.id == op.target):
            result = await self.run(driver.get_server, op.target)
        return pack(convert.server(result))



class ResponseMemo:
    """Built responses for catalog reads, reused while the driver returns the same models.

    A driver that answers from its cache returns the very same model objects
    until the cache refreshes; then the identities differ and the response is
    built again. Drivers that build new models per call simply never hit.
    """

    MAX_ENTRIES = 256

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple[list, object]] = {}

    def get(self, key: tuple, models_: list, build):
        entry = self._entries.get(key)
        if (entry is not None and len(entry[0]) == len(models_)
                and all(a is b for a, b in zip(entry[0], models_, strict=True))):
            return entry[1]
        response = build()
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = (list(models_), response)
        return response


def _validate_keypair_name(request) -> None:
    v = Validator()
    v.request_id(request.request_id)
    v.text(request.name, "name", required=True)
    v.raise_if_invalid()


def _flavor_ref(v: Validator, request) -> tuple[str, int, int]:
    which = request.WhichOneof("flavor_ref")
    if which == "flavor":
        v.text(request.flavor, "flavor", required=True)
        return request.flavor, 0, 0
    if which == "resources":
        res = request.resources
        v.check(res.vcpus > 0, "resources.vcpus", "resources.vcpus must be positive")
        v.check(res.ram_mb > 0, "resources.ram_mb", "resources.ram_mb must be positive")
        return "", res.vcpus, res.ram_mb
    v.add("flavor", "a flavor (id or name) or resources (vcpus and ram_mb) is required")
    return "", 0, 0


def _server_spec(request) -> models.ServerSpec:
    v = Validator()
    v.request_id(request.request_id)
    v.text(request.name, "name", required=True)
    flavor, vcpus, ram_mb = _flavor_ref(v, request)
    v.text(request.image, "image", required=True)
    v.text(request.keypair, "keypair")
    v.check(len(request.user_data) <= MAX_USER_DATA, "user_data",
            f"user_data is larger than {MAX_USER_DATA} bytes")
    v.names(request.security_groups, "security_groups")
    v.text(request.availability_zone, "availability_zone")
    v.names(request.networks, "networks")
    v.metadata(request.metadata)
    v.raise_if_invalid()
    return models.ServerSpec(
        name=request.name, image=request.image, flavor=flavor, vcpus=vcpus, ram_mb=ram_mb,
        keypair=request.keypair, user_data=request.user_data,
        security_groups=list(request.security_groups),
        availability_zone=request.availability_zone, networks=list(request.networks),
        metadata=dict(request.metadata))
