"""The CloudStack load balancing driver: Octavia-shaped load balancers on CloudStack rules.

A load balancer is a public IP (associateIpAddress on the VIP network), each listener
a load balancer rule on it, the members CloudStack VMs assigned to the rule, a health
monitor the rule's health check policy and session persistence its stickiness policy
(see ``lb_mapping``). Every command is an async job: a create runs as steps carried in
the operation's job list (``lb_steps``), undone if a step fails.

libcloud's CloudStack load balancer driver knows two algorithms, no policies and no
paging, and blocks polling, so every command is a signed raw call (see client.py).
With warm caches (zones, networks), a create of one listener with 100 members costs
three requests besides job polls: associateIpAddress, createLoadBalancerRule and one
assignToLoadBalancerRule; a policy asked for adds its create command.
"""

from __future__ import annotations

import dataclasses
import logging

from oslo_config import cfg

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.cloudstack import errors, mapping
from translator_drivers.cloudstack import lb_mapping as lbm
from translator_drivers.cloudstack.driver_base import CloudStackDriverMixin
from translator_drivers.cloudstack.errors import BACKEND, BackendMisconfigured
from translator_drivers.cloudstack.lb_capabilities import capabilities
from translator_drivers.cloudstack.lb_steps import LbSteps, encode, is_handle, monitor_params

LOG = logging.getLogger(__name__)


class CloudStackLoadBalancingDriver(CloudStackDriverMixin, base.LoadBalancingDriver):
    """Load balancing on Apache CloudStack public IPs and load balancer rules."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.steps = LbSteps(self._api, self._built)

    @property
    def provider(self) -> lbm.Provider:
        return lbm.provider(self.opts.lb_provider)

    def capabilities(self) -> models.ApiCapabilities:
        return capabilities(self.provider)

    def expected_seconds(self, verb: str) -> float:
        return {"CreateLoadBalancer": 20.0, "DeleteLoadBalancer": 10.0}.get(verb, 5.0)

    def check_setup(self) -> None:
        """The mixin's listZones, and the configured load balancer network exists."""
        super().check_setup()
        if self.opts.lb_network:
            try:
                self._lookup(self._networks, self.opts.lb_network, "network")
            except exc.NotFound as error:
                raise BackendMisconfigured(
                    "the configured load balancer network does not exist in the backend",
                    operator_message=f"[cloudstack] lb_network {self.opts.lb_network!r} is "
                                     "not a network CloudStack lists", backend=BACKEND) from error

    # -- checks, no I/O ------------------------------------------------------------------------

    def check_load_balancer(self, spec: models.LoadBalancerSpec) -> None:
        lbm.check_spec(spec, self.provider)

    def check_member(self, member: models.Member) -> None:
        lbm.check_member(member)

    def check_health_monitor(self, monitor: models.HealthMonitor) -> None:
        lbm.check_monitor(monitor, self.provider)

    # -- the VIP network -----------------------------------------------------------------------

    def _networks(self, refresh: bool = False) -> list[dict]:
        return self._api().cached_list("listNetworks", "network", refresh=refresh)

    def _vip_network(self, spec: models.LoadBalancerSpec) -> dict:
        """The network named by the request, else by configuration, else the first of the
        default zone that offers load balancing."""
        opts = self.opts
        ref = spec.vip_network_id or opts.lb_network or next(iter(opts.default_networks), "")
        if ref:
            try:
                return self._lookup(self._networks, ref, "network")
            except exc.NotFound as error:
                if spec.vip_network_id:
                    raise exc.InvalidInput(f"network {ref!r} does not exist",
                                           field="vip_network_id", backend=BACKEND) from error
                raise BackendMisconfigured(
                    "the configured load balancer network does not exist in the backend",
                    operator_message=f"[cloudstack] lb_network (or default_networks) names "
                                     f"network {ref!r}, which CloudStack does not list",
                    backend=BACKEND) from error
        zone = self._zone("")
        zone_id = mapping.text(zone.get("id"))
        for refresh in (False, True):
            found = [n for n in self._networks(refresh)
                     if mapping.text(n.get("zoneid")) == zone_id
                     and lbm.network_capabilities(n) is not None]
            if found:
                return found[0]
            if self.opts.cache_ttl == 0:
                break
        raise BackendMisconfigured(
            "no network of the default zone offers load balancing; give vip_network_id",
            operator_message=f"no network of zone {zone.get('name')!r} lists the Lb service; "
                             "set [cloudstack] lb_network", backend=BACKEND)

    # -- create --------------------------------------------------------------------------------

    def create_load_balancer(self, spec: models.LoadBalancerSpec) -> models.BackendTask:
        """Check everything, then associateIpAddress; the later steps follow its job."""
        prov = self.provider
        lbm.check_spec(spec, prov)
        network = self._vip_network(spec)
        try:
            lbm.check_network(spec, network)
        except exc.InvalidInput as error:
            if spec.vip_network_id:
                raise
            raise BackendMisconfigured(
                "the configured load balancer network offers no load balancing",
                operator_message=f"[cloudstack] lb_network (or default_networks): "
                                 f"{error.user_message}", backend=BACKEND) from error
        network_id = mapping.text(network.get("id"))
        try:
            answer = self._api().call("associateIpAddress", networkid=network_id,
                                      ipaddress=spec.vip_address or None)
        except exc.CapacityExhausted as error:
            if not spec.vip_address:
                raise
            raise exc.InvalidInput(
                f"vip_address {spec.vip_address} is not a free public IP of the zone of "
                f"network {mapping.text(network.get('name'))!r}", field="vip_address",
                operator_message=error.operator_message, backend=BACKEND,
                backend_code=error.backend_code) from error
        lb_id, job = mapping.text(answer.get("id")), mapping.text(answer.get("jobid"))
        LOG.info("CloudStack load balancer %s (%s): public IP on network %s, job %s", lb_id,
                 spec.name, network_id, job)
        listeners = [self._listener_state(spec, lis, lb_id, network_id, prov)
                     for lis in spec.listeners]
        state = LbSteps.create_state(lb_id, spec.name, network_id, spec.vip_address,
                                     lbm.cookie_param(network, prov), listeners)
        return models.BackendTask(resource_id=lb_id, jobs=[job, encode(state)])

    @staticmethod
    def _listener_state(spec: models.LoadBalancerSpec, lis: models.Listener, lb_id: str,
                        network_id: str, prov: lbm.Provider) -> dict:
        pool = lis.pool
        params = {"publicipid": lb_id, "networkid": network_id, "name": f"{spec.name}-{lis.port}",
                  "algorithm": lbm.ALGORITHMS[pool.algorithm], "publicport": lis.port,
                  "privateport": pool.members[0].port if pool.members else lis.port,
                  "protocol": prov.protocols[lis.protocol],
                  "description": lbm.describe(lb=spec.name, protocol=lis.protocol)}
        return {"port": lis.port, "protocol": lis.protocol, "params": params,
                "members": [m.server_id for m in pool.members],
                "monitor": dataclasses.asdict(pool.health_monitor)
                if pool.health_monitor is not None else None,
                "persistence": dataclasses.asdict(pool.session_persistence)
                if pool.session_persistence is not None else None,
                "rule_id": "", "rule": None, "health": None, "sticky": None}

    def _built(self, state: dict) -> models.LoadBalancer:
        return lbm.load_balancer(state["lb"], state["ip"], LbSteps.views(state))

    def poll_jobs(self, jobs: list[str]) -> models.JobStatus:
        """A step handle in the list: the operation's steps; else the mixin's polling."""
        if any(is_handle(j) for j in jobs):
            return self.steps.advance(jobs)
        return super().poll_jobs(jobs)

    # -- reads ---------------------------------------------------------------------------------

    def _rules(self, lb_id: str) -> list[dict]:
        with errors.asked_by_id("load balancer", lb_id, param="publicipid"):
            return self._api().list_all("listLoadBalancerRules", "loadbalancerrule",
                                        publicipid=lb_id, listall=True)

    def _policy(self, rule_id: str, command: str, key: str, item: str) -> dict | None:
        """The rule's one live health check or stickiness policy, or None."""
        for entry in self._api().list_all(command, key, lbruleid=rule_id):
            for policy in entry.get(item) or []:
                if mapping.text(policy.get("state")) != "Revoked":
                    return policy
        return None

    def _member_ids(self, rule_id: str) -> list[str]:
        return [mapping.text(vm.get("id")) for vm in self._api().list_all(
            "listLoadBalancerRuleInstances", "loadbalancerruleinstance", id=rule_id)]

    def _view(self, rule: dict) -> lbm.RuleView:
        rule_id = mapping.text(rule.get("id"))
        return lbm.RuleView(
            rule, self._member_ids(rule_id),
            self._policy(rule_id, "listLBHealthCheckPolicies", "healthcheckpolicies",
                         "healthcheckpolicy"),
            self._policy(rule_id, "listLBStickinessPolicies", "stickinesspolicies",
                         "stickinesspolicy"))

    def _read(self, lb_id: str, ip: dict) -> models.LoadBalancer | None:
        """The load balancer on public IP ``ip``, or None when it carries no rules."""
        rules = self._rules(lb_id)
        if not rules:
            return None
        return lbm.load_balancer(lb_id, ip, [self._view(r) for r in rules])

    def get_load_balancer(self, lb_id: str) -> models.LoadBalancer:
        with errors.asked_by_id("load balancer", lb_id):
            answer = self._api().call("listPublicIpAddresses", id=lb_id, listall=True)
        ip = next((i for i in answer.get("publicipaddress") or []
                   if mapping.text(i.get("id")) == lb_id), None)
        lb = self._read(lb_id, ip) if ip is not None else None
        if lb is None:
            raise exc.NotFound(f"load balancer {lb_id!r} not found", backend=BACKEND)
        return lb

    def list_load_balancers(self, page_size: int,
                            page_token: str) -> models.Page[models.LoadBalancer]:
        """Backend pages of the public IPs carrying rules; each read with its rules."""
        page, size = mapping.backend_page(page_token, page_size)
        ips, count = self._api().list_page("listPublicIpAddresses", "publicipaddress", page,
                                           size, forloadbalancing=True, listall=True)
        items, seen = [], set()
        for ip in ips:
            lb_id = mapping.text(ip.get("id"))
            if lb_id in seen:
                continue
            seen.add(lb_id)
            try:
                lb = self._read(lb_id, ip)
            except exc.NotFound:
                lb = None  # released since the page was read
            if lb is not None:
                items.append(lb)
        more = bool(ips) and page * size < count
        return models.Page(items=items, total=count,
                           next_token=mapping.encode_token({"p": page + 1, "s": size})
                           if more else "")

    # -- delete --------------------------------------------------------------------------------

    def delete_load_balancer(self, lb_id: str) -> models.BackendTask:
        """deleteLoadBalancerRule for every rule, then disassociateIpAddress.

        A public IP without load balancer rules is not a load balancer of this driver,
        so it is NotFound rather than released.
        """
        rules = self._rules(lb_id)
        if not rules:
            raise exc.NotFound(f"load balancer {lb_id!r} not found", backend=BACKEND)
        state = LbSteps.delete_state(lb_id, [mapping.text(r.get("id")) for r in rules])
        return models.BackendTask(resource_id=lb_id, jobs=self.steps.start_delete(state))

    # -- members -------------------------------------------------------------------------------

    def _rule(self, lb_id: str, pool_id: str) -> dict:
        with errors.asked_by_id("pool", pool_id):
            answer = self._api().call("listLoadBalancerRules", id=pool_id, listall=True)
        rule = next((r for r in answer.get("loadbalancerrule") or []
                     if mapping.text(r.get("id")) == pool_id), None)
        if rule is None or mapping.text(rule.get("publicipid")) != lb_id:
            raise exc.NotFound(f"pool {pool_id!r} of load balancer {lb_id!r} not found",
                               backend=BACKEND)
        return rule

    def _job(self, lb_id: str, command: str, **params) -> models.BackendTask:
        answer = self._api().call(command, **params)
        job = mapping.text(answer.get("jobid"))
        LOG.info("CloudStack %s for load balancer %s: job %s", command, lb_id, job)
        return models.BackendTask(resource_id=lb_id, jobs=[job] if job else [])

    def add_member(self, lb_id: str, pool_id: str,
                   member: models.Member) -> models.BackendTask:
        lbm.check_member(member)
        rule = self._rule(lb_id, pool_id)
        port = mapping.number(rule.get("privateport"))
        if member.port != port:
            raise exc.UnsupportedOption(
                f"member.port {member.port} is not supported by the cloudstack driver: the "
                f"pool's rule sends every member's traffic to port {port}",
                option="member.port", backend=BACKEND)
        if member.server_id in self._member_ids(pool_id):
            raise exc.AlreadyExists(f"server {member.server_id!r} is already a member of "
                                    f"pool {pool_id!r}", backend=BACKEND)
        try:
            with errors.asked_by_id("server", member.server_id, param="virtualmachineids"):
                return self._job(lb_id, "assignToLoadBalancerRule", id=pool_id,
                                 virtualmachineids=member.server_id)
        except exc.NotFound as error:
            raise exc.InvalidInput(f"server {member.server_id!r} does not exist",
                                   field="member.server_id", backend=BACKEND) from error

    def _require_member(self, pool_id: str, member_id: str) -> None:
        if member_id not in self._member_ids(pool_id):
            raise exc.NotFound(f"member {member_id!r} of pool {pool_id!r} not found",
                               backend=BACKEND)

    def remove_member(self, lb_id: str, pool_id: str, member_id: str) -> models.BackendTask:
        self._rule(lb_id, pool_id)
        self._require_member(pool_id, member_id)
        return self._job(lb_id, "removeFromLoadBalancerRule", id=pool_id,
                         virtualmachineids=member_id)

    def update_member(self, lb_id: str, pool_id: str, member_id: str,
                      weight: int) -> models.BackendTask:
        """Only weight 1, which every member of a CloudStack rule has: nothing to change."""
        if weight != 1:
            raise exc.UnsupportedOption(
                "member.weight is not supported by the cloudstack driver: CloudStack has no "
                "member weights, every VM of a rule takes an equal share",
                option="member.weight", backend=BACKEND)
        self._rule(lb_id, pool_id)
        self._require_member(pool_id, member_id)
        return models.BackendTask(resource_id=lb_id)

    # -- health monitors -----------------------------------------------------------------------

    def set_health_monitor(self, lb_id: str, pool_id: str,
                           monitor: models.HealthMonitor) -> models.BackendTask:
        """The old policy deleted (a rule takes one), then the new one created."""
        prov = self.provider
        lbm.check_monitor(monitor, prov)
        rule = self._rule(lb_id, pool_id)
        lbm.check_monitor(monitor, prov, lbm.listener_protocol(rule))
        params = monitor_params(pool_id, dataclasses.asdict(monitor))
        old = self._policy(pool_id, "listLBHealthCheckPolicies", "healthcheckpolicies",
                           "healthcheckpolicy")
        if old is not None:
            task = self._job(lb_id, "deleteLBHealthCheckPolicy",
                             id=mapping.text(old.get("id")))
            task.jobs.append(encode(LbSteps.monitor_state(lb_id, params)))
            return task
        try:
            return self._job(lb_id, "createLBHealthCheckPolicy", **params)
        except exc.BackendError as error:
            if "not supported by LB Provider" not in error.operator_message:
                raise
            raise exc.UnsupportedOption(
                f"monitor:{monitor.type} is not supported by the cloudstack driver on this "
                "pool: its network's LB provider has no health check policies",
                option=f"monitor:{monitor.type}", backend=BACKEND) from error

    def delete_health_monitor(self, lb_id: str, pool_id: str) -> models.BackendTask:
        self._rule(lb_id, pool_id)
        old = self._policy(pool_id, "listLBHealthCheckPolicies", "healthcheckpolicies",
                           "healthcheckpolicy")
        if old is None:
            raise exc.NotFound(f"pool {pool_id!r} has no health monitor", backend=BACKEND)
        return self._job(lb_id, "deleteLBHealthCheckPolicy", id=mapping.text(old.get("id")))
