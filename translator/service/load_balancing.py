"""The LoadBalancing servicer: validate → driver check → operation → driver."""

from __future__ import annotations

import logging

from translator.api.v1 import load_balancing_pb2 as pb
from translator.api.v1 import load_balancing_pb2_grpc
from translator.drivers import base, models
from translator.operations import store as st
from translator.service import convert_lb as convert
from translator.service import lb_validation as check
from translator.service.errors import handle_errors
from translator.service.lro import OperationManager, Verb, finish_empty, pack, undo_by_deleting
from translator.service.validation import Validator, page_size, require_id, validate_target

LOG = logging.getLogger(__name__)

API = "load_balancing"
UPDATE_VERBS = ("AddMember", "RemoveMember", "UpdateMember", "SetHealthMonitor",
                "DeleteHealthMonitor")


class LoadBalancingServicer(load_balancing_pb2_grpc.LoadBalancingServicer):
    def __init__(self, driver: base.LoadBalancingDriver, operations: OperationManager, *,
                 conf) -> None:
        self.driver = driver
        self.ops = operations
        self.run = operations.run_backend
        self.opts = conf.load_balancing
        operations.register("CreateLoadBalancer", Verb(
            self._finish, undo_by_deleting(self.run, "delete_load_balancer")))
        for verb in UPDATE_VERBS:
            operations.register(verb, Verb(self._finish))
        operations.register("DeleteLoadBalancer", Verb(finish_empty))

    @handle_errors
    async def CreateLoadBalancer(self, request, context):
        check.create_request(request, self.opts.max_members)
        spec = convert.load_balancer_spec(request)
        self.driver.check_load_balancer(spec)  # no I/O: refuse before anything is made
        return await self.ops.start(api=API, verb="CreateLoadBalancer", request=request,
                                    submit=lambda: self.driver.create_load_balancer(spec))

    @handle_errors
    async def GetLoadBalancer(self, request, context):
        require_id(request.id)
        lb = await self.run(self.driver.get_load_balancer, request.id)
        return convert.load_balancer(lb, self._pending(lb.id))

    @handle_errors
    async def ListLoadBalancers(self, request, context):
        size = page_size(request)
        page = await self.run(self.driver.list_load_balancers, size, request.page_token)
        pending = self.ops.pending_verbs(API, [lb.id for lb in page.items])
        return pb.ListLoadBalancersResponse(
            load_balancers=[convert.load_balancer(lb, pending.get(lb.id, ""))
                            for lb in page.items],
            next_page_token=page.next_token)

    @handle_errors
    async def DeleteLoadBalancer(self, request, context):
        validate_target(request)
        return await self._verb("DeleteLoadBalancer", request, request.id,
                                lambda: self.driver.delete_load_balancer(request.id))

    @handle_errors
    async def AddMember(self, request, context):
        v = Validator()
        check.target(v, request)
        v.check(request.HasField("member"), "member", "member is required")
        check.member(v, request.member, "member")
        v.raise_if_invalid()
        member = convert.member_spec(request.member)
        self.driver.check_member(member)
        return await self._verb("AddMember", request, request.load_balancer_id,
                                lambda: self.driver.add_member(
                                    request.load_balancer_id, request.pool_id, member))

    @handle_errors
    async def RemoveMember(self, request, context):
        v = Validator()
        check.target(v, request, member_id=True)
        v.raise_if_invalid()
        return await self._verb("RemoveMember", request, request.load_balancer_id,
                                lambda: self.driver.remove_member(
                                    request.load_balancer_id, request.pool_id,
                                    request.member_id))

    @handle_errors
    async def UpdateMember(self, request, context):
        v = Validator()
        check.target(v, request, member_id=True)
        check.weight(v, request.weight)
        v.raise_if_invalid()
        return await self._verb("UpdateMember", request, request.load_balancer_id,
                                lambda: self.driver.update_member(
                                    request.load_balancer_id, request.pool_id,
                                    request.member_id, request.weight))

    @handle_errors
    async def SetHealthMonitor(self, request, context):
        v = Validator()
        check.target(v, request)
        v.check(request.HasField("health_monitor"), "health_monitor",
                "health_monitor is required")
        check.monitor(v, request.health_monitor, "health_monitor")
        v.raise_if_invalid()
        monitor = convert.monitor_spec(request.health_monitor)
        self.driver.check_health_monitor(monitor)
        return await self._verb("SetHealthMonitor", request, request.load_balancer_id,
                                lambda: self.driver.set_health_monitor(
                                    request.load_balancer_id, request.pool_id, monitor))

    @handle_errors
    async def DeleteHealthMonitor(self, request, context):
        v = Validator()
        check.target(v, request)
        v.raise_if_invalid()
        return await self._verb("DeleteHealthMonitor", request, request.load_balancer_id,
                                lambda: self.driver.delete_health_monitor(
                                    request.load_balancer_id, request.pool_id))

    async def _verb(self, verb: str, request, target: str, submit):
        return await self.ops.start(api=API, verb=verb, request=request, target=target,
                                    submit=submit)

    def _pending(self, target: str) -> str:
        return self.ops.pending_verbs(API, [target]).get(target, "")

    # -- how operations end -----------------------------------------------------------

    async def _finish(self, driver: base.LoadBalancingDriver, op: st.Operation,
                      result: object) -> bytes:
        if not (isinstance(result, models.LoadBalancer) and result.id == op.target):
            result = (driver.peek("get_load_balancer", op.target)
                      or await self.run(driver.get_load_balancer, op.target))
        return pack(convert.load_balancer(result))
