"""The Capabilities servicer: what each configured driver supports, as data."""

from __future__ import annotations

from translator.api.v1 import capabilities_pb2, capabilities_pb2_grpc
from translator.drivers import base
from translator.drivers import exceptions as exc
from translator.service import convert
from translator.service.errors import handle_errors


class CapabilitiesServicer(capabilities_pb2_grpc.CapabilitiesServicer):
    def __init__(self, drivers: dict[str, base.Driver]) -> None:
        self.drivers = drivers

    @handle_errors
    async def GetCapabilities(self, request, context):
        unknown = [api for api in request.apis if api not in self.drivers]
        if unknown:
            raise exc.InvalidInput(
                f"no configured API named {', '.join(map(repr, unknown))}; configured: "
                f"{', '.join(sorted(self.drivers)) or 'none'}", field="apis")
        apis = request.apis or sorted(self.drivers)
        return capabilities_pb2.GetCapabilitiesResponse(
            apis=[convert.capabilities(self.drivers[api].capabilities()) for api in apis])
