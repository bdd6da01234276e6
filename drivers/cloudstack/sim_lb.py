"""The CloudStack simulator's load balancing commands: public IPs, load balancer rules,
the VMs assigned to them, health check and stickiness policies (their state and
renderings live in ``sim_lb_state``).

Modelled on CloudStack 4.x (IpAddressManagerImpl, LoadBalancingRulesManagerImpl, the
Create*/Assign*/Remove* commands of ``api.command.user.loadbalancer``). Where each check
happens follows CloudStack:

* associateIpAddress, createLoadBalancerRule and the two create*Policy commands are
  create-then-execute: their checks answer the request (431, 537 for a rule on a public
  port the IP already balances, 533 when no public IP is free, 430 for a health check
  policy CloudStack's create() refuses), the row exists at once (``id`` and ``jobid``),
  the job applies it. A failed job removes what its create() made, as CloudStack does.
* assignToLoadBalancerRule and removeFromLoadBalancerRule resolve the VM ids at once
  (an unknown id is 431) and check the rest in the job (a destroyed VM, one outside the
  rule's network, one already assigned): a refused job carries errorcode 431.
* A rule is "Add" while a job changes it and "Active" after; a revoked rule or policy is
  listed as "Deleting" / "Revoked" until its job removes it. disassociateIpAddress
  removes the IP's rules (and their policies and VM mappings) with it.

Providers: each guest network balances through one provider, which decides what a rule
may ask for (its ``Lb`` service capabilities in listNetworks): the zone-basic shared
network through a NetScaler (elastic IPs and elastic load balancing, health checks,
roundrobin and leastconn), the zone-advanced isolated network through the virtual router
(HAProxy: all three algorithms, no UDP, no health check policy). ``set_lb_provider`` on
the simulator changes a network's provider.

Texts of failures found inside jobs follow CloudStack where its source was read, and are
close paraphrases otherwise (removeFromLoadBalancerRule of a VM that is not assigned).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from translator_drivers.cloudstack.sim_lb_state import (
    HealthPolicy,
    LbRule,
    LbState,
    PublicIp,
    StickyPolicy,
    nic_ip,
)
from translator_drivers.cloudstack.sim_models import VM, ApiError, Job, Zone, timestamp
from translator_drivers.cloudstack.sim_params import Params, page

if TYPE_CHECKING:
    from translator_drivers.cloudstack.sim_state import SimState

_ADDRESS_CMD = "org.apache.cloudstack.api.command.user.address."
_LB_CMD = "org.apache.cloudstack.api.command.user.loadbalancer."
#: The command class CloudStack reports in queryAsyncJobResult's ``cmd``.
LB_JOB_CLASSES = {
    "associateIpAddress": _ADDRESS_CMD + "AssociateIPAddrCmd",
    "disassociateIpAddress": _ADDRESS_CMD + "DisassociateIPAddrCmd",
    "createLoadBalancerRule": _LB_CMD + "CreateLoadBalancerRuleCmd",
    "deleteLoadBalancerRule": _LB_CMD + "DeleteLoadBalancerRuleCmd",
    "assignToLoadBalancerRule": _LB_CMD + "AssignToLoadBalancerRuleCmd",
    "removeFromLoadBalancerRule": _LB_CMD + "RemoveFromLoadBalancerRuleCmd",
    "createLBHealthCheckPolicy": _LB_CMD + "CreateLBHealthCheckPolicyCmd",
    "deleteLBHealthCheckPolicy": _LB_CMD + "DeleteLBHealthCheckPolicyCmd",
    "createLBStickinessPolicy": _LB_CMD + "CreateLBStickinessPolicyCmd",
    "deleteLBStickinessPolicy": _LB_CMD + "DeleteLBStickinessPolicyCmd",
}
LB_JOB_DURATIONS = {**dict.fromkeys(LB_JOB_CLASSES, 0.5), "associateIpAddress": 1.0}

#: Protocols CloudStack knows for a rule (NetUtils: tcp, udp, tcp-proxy, http, ssl).
_PROTOCOLS = {"tcp", "udp", "tcp-proxy", "http", "ssl"}
_ALGORITHMS = {"roundrobin", "leastconn", "source"}
#: The haproxy stats port of the virtual router: no rule may use it.
_HAPROXY_STATS_PORT = 8081


class LbCommands:
    """The load balancing commands, mixed into Commands (which provides ``state``, ``now``
    and ``_submit``)."""

    state: SimState
    now: float

    def _submit(self, command: str, vm: VM | None, complete: Callable[[Job], dict],
                begin: Callable[[Job], None] | None = None,
                revert: Callable[[Job], None] | None = None) -> Job:
        raise NotImplementedError

    @property
    def _lb(self) -> LbState:
        return self.state.lb

    # --- public IPs ------------------------------------------------------------------------

    def do_associateIpAddress(self, p: Params) -> dict[str, Any]:
        st = self.state
        network = p.lookup("networkid", st.networks)
        zone = p.lookup("zoneid", st.zones)
        if network is None and zone is None:
            raise ApiError(431, "One of the following parameters must be specified: zoneid, "
                                "networkid, vpcid")
        if network is not None:
            if zone is not None and network.zone is not zone:
                raise ApiError(431, f"Network {network.name} doesn't belong to zone "
                                    f"{zone.name}")
            zone = network.zone
            if network.type != "Isolated" and network.id not in self._lb.providers:
                raise ApiError(431, f"Can't associate ip address to network {network.name} "
                                    f"of type {network.type} without elastic IP service")
        elif zone.basic:
            # An elastic IP of a basic zone is associated with its guest network.
            network = next((n for n in st.zone_networks(zone) if n.id in self._lb.providers),
                           None)
            if network is None:
                raise ApiError(431, "Associating an IP address in a basic zone takes the "
                                    "elastic IP service")
        requested = p.get("ipaddress")
        ip = self._free_ip(zone, requested.strip() if requested is not None else None)
        ip.state, ip.network, ip.allocated = "Allocating", network, timestamp()

        def complete(job: Job) -> dict[str, Any]:
            ip.state = "Allocated"
            return {"ipaddress": ip.render()}

        def revert(job: Job) -> None:
            self._lb.release(ip)  # a failed association gives the address back

        job = self._submit("associateIpAddress", None, complete, revert=revert)
        return {"id": ip.id, "jobid": job.id}

    def _free_ip(self, zone: Zone, requested: str | None) -> PublicIp:
        for ip in self._lb.ips.values():
            if ip.zone is zone and ip.state == "Free" and requested in (None, ip.address):
                return ip
        detail = f": requested ip {requested} is not available" if requested else ""
        raise ApiError(533, f"Insufficient address capacity{detail}")

    def do_disassociateIpAddress(self, p: Params) -> dict[str, Any]:
        ip = p.lookup("id", self._lb.ips, required=True)
        if ip.state == "Free":
            raise ApiError(431, f"Unable to find ip address by id {ip.id}")

        def begin(job: Job) -> None:
            job.prev_state, ip.state = ip.state, "Releasing"

        def complete(job: Job) -> dict[str, Any]:
            self._lb.release(ip)
            return {"success": True}

        def revert(job: Job) -> None:
            if job.prev_state is not None and ip.state == "Releasing":
                ip.state = job.prev_state

        return {"jobid": self._submit("disassociateIpAddress", None, complete, begin,
                                      revert).id}

    def do_listPublicIpAddresses(self, p: Params) -> dict[str, Any]:
        st, lb = self.state, self._lb
        ips: Any = lb.ips.values()
        if (one := p.lookup("id", lb.ips)) is not None:
            ips = [one]
        zone = p.lookup("zoneid", st.zones)
        network = p.lookup("associatednetworkid", st.networks)
        address = p.get("ipaddress")
        allocated_only = p.flag("allocatedonly", True)
        p.flag("listall", False)
        balanced = {r.ip.id for r in lb.rules.values()} if p.flag("forloadbalancing", False) \
            else None
        if p.get("issourcenat") is not None and p.flag("issourcenat", False):
            ips = []  # no source NAT address is modelled
        if p.get("isstaticnat") is not None and p.flag("isstaticnat", False):
            ips = []
        return page(p, "publicipaddress", [
            ip.render() for ip in ips
            if (not allocated_only or ip.state != "Free")
            and (zone is None or ip.zone is zone)
            and (network is None or ip.network is network)
            and (address is None or ip.address == address.strip())
            and (balanced is None or ip.id in balanced)])

    # --- rules -----------------------------------------------------------------------------

    def do_createLoadBalancerRule(self, p: Params) -> dict[str, Any]:
        lb = self._lb
        name = p.require("name")
        algorithm = p.require("algorithm")
        private_port = self._port(p, "privateport", "privatePort is an invalid value: {}")
        public_port = self._port(p, "publicport", "publicPort is an invalid value: {}")
        p.lookup("networkid", self.state.networks)
        p.lookup("zoneid", self.state.zones)
        ip = p.lookup("publicipid", lb.ips)
        if ip is None:
            raise ApiError(431, "Either networkId or zoneId or publicIpId has to be specified")
        if ip.state != "Allocated":
            raise ApiError(431, f"Unable to create load balancer rule, invalid IP address ID "
                                f"{ip.id}")
        if algorithm.lower() not in _ALGORITHMS:
            raise ApiError(431, f"Invalid algorithm: {algorithm}")
        network = ip.network
        if network is None:
            raise ApiError(431, "Unable to create load balancer rule ; specified sourceip id "
                                "is not associated with any network")
        provider = lb.providers.get(network.id)
        if provider is None:
            raise ApiError(431, f"LB service is not supported in specified network id "
                                f"{network.id}")
        protocol = p.get("protocol")
        if protocol is not None and protocol.lower() not in _PROTOCOLS:
            raise ApiError(431, f"Unsupported protocol {protocol} for the load balancer rule")
        if (algorithm.lower() not in provider.algorithms
                or (protocol or "").lower() == "udp" and not provider.udp
                or provider.name == "VirtualRouter" and public_port == _HAPROXY_STATS_PORT):
            raise ApiError(431, "LB service provider cannot support this rule")
        for other in lb.rules.values():
            if other.ip is ip and other.public_port == public_port:
                raise ApiError(537, f"The range specified, {public_port}-{public_port}, "
                                    f"conflicts with rule {other.id} which has "
                                    f"{other.public_port}-{other.public_port}")
        description = p.get("description")
        if description is not None and len(description) > 4096:
            raise p.invalid_value("description", description[:32] + "…")
        rule = LbRule(str(uuid.uuid4()), name, description, ip, network, public_port,
                      private_port, algorithm.lower(), protocol.lower() if protocol else None)
        lb.rules[rule.id] = rule

        def complete(job: Job) -> dict[str, Any]:
            rule.state = "Active"
            return {"loadbalancer": rule.render()}

        def revert(job: Job) -> None:
            lb.remove_rule(rule)  # CreateLoadBalancerRuleCmd.execute deletes it on failure

        job = self._submit("createLoadBalancerRule", None, complete, revert=revert)
        return {"id": rule.id, "jobid": job.id}

    @staticmethod
    def _port(p: Params, name: str, text: str) -> int:
        value = p.integer(name)
        if value is None:
            p.require(name)
        if not 1 <= value <= 65535:
            raise ApiError(431, text.format(value))
        return value

    def _rule(self, p: Params, name: str = "id") -> LbRule:
        return p.lookup(name, self._lb.rules, required=True)

    def _changing(self, command: str, rule: LbRule, complete: Callable[[Job], dict],
                  revert: Callable[[Job], None] | None = None,
                  start: Callable[[], None] | None = None) -> Job:
        """A job that reapplies ``rule``: Add while it runs, Active (or as before) after;
        ``start`` runs when the job begins, ``revert`` when it fails."""

        def begin(job: Job) -> None:
            job.prev_state = rule.state
            if rule.state == "Active":
                rule.state = "Add"
            if start is not None:
                start()

        def done(job: Job) -> dict[str, Any]:
            if rule.id not in self._lb.rules:
                raise ApiError(431, f"Unable to find load balancer rule {rule.id}")
            result = complete(job)
            if rule.state == "Add":
                rule.state = "Active"
            return result

        def undo(job: Job) -> None:
            if job.prev_state is not None and rule.state == "Add":
                rule.state = job.prev_state
            if revert is not None:
                revert(job)

        return self._submit(command, None, done, begin, undo)

    def do_deleteLoadBalancerRule(self, p: Params) -> dict[str, Any]:
        rule = self._rule(p)

        def begin(job: Job) -> None:
            job.prev_state, rule.state = rule.state, "Revoke"

        def complete(job: Job) -> dict[str, Any]:
            self._lb.remove_rule(rule)
            return {"success": True}

        def revert(job: Job) -> None:
            if job.prev_state is not None and rule.id in self._lb.rules:
                rule.state = job.prev_state

        return {"jobid": self._submit("deleteLoadBalancerRule", None, complete, begin,
                                      revert).id}

    def do_listLoadBalancerRules(self, p: Params) -> dict[str, Any]:
        st, lb = self.state, self._lb
        rules: Any = lb.rules.values()
        if (one := p.lookup("id", lb.rules)) is not None:
            rules = [one]
        ip = p.lookup("publicipid", lb.ips)
        zone = p.lookup("zoneid", st.zones)
        network = p.lookup("networkid", st.networks)
        vm = p.lookup("virtualmachineid", st.vms)
        name, word = p.get("name"), (p.get("keyword") or "").lower() or None
        p.flag("listall", False)
        return page(p, "loadbalancerrule", [
            r.render() for r in rules
            if (ip is None or r.ip is ip) and (zone is None or r.ip.zone is zone)
            and (network is None or r.network is network)
            and (vm is None or vm.id in r.vms) and (name is None or r.name == name)
            and (word is None or word in r.name.lower())])

    # --- members ---------------------------------------------------------------------------

    def _vms(self, p: Params) -> list[VM]:
        if not p.get("virtualmachineids") and not p.map_param("vmidipmap"):
            raise ApiError(431, "Both instanceids and vmidipmap  can't be null")
        if p.map_param("vmidipmap"):
            raise ApiError(431, "vmidipmap (secondary IPs) is not modelled by the simulator")
        st = self.state
        for ident in p.names("virtualmachineids"):
            if ident in st.expunged:
                raise p.unknown_id("virtualmachineids", ident)
        return p.lookup_list("virtualmachineids", st.vms)

    def do_assignToLoadBalancerRule(self, p: Params) -> dict[str, Any]:
        rule, vms = self._rule(p), self._vms(p)

        def complete(job: Job) -> dict[str, Any]:
            for vm in vms:
                if vm.removed or vm.state in ("Destroyed", "Expunging"):
                    raise ApiError(431, "Invalid instance id specified")
                address = nic_ip(vm, rule.network)
                if address is None:
                    raise ApiError(431, "VM with id specified cannot be added because it "
                                        "doesn't belong in the same network.")
                if vm.id in rule.vms:
                    raise ApiError(431, f"VM {vm.id} with {address} is already mapped to load "
                                        "balancer.")
            for vm in vms:
                rule.vms[vm.id] = vm
            return {"success": True}

        return {"jobid": self._changing("assignToLoadBalancerRule", rule, complete).id}

    def do_removeFromLoadBalancerRule(self, p: Params) -> dict[str, Any]:
        rule, vms = self._rule(p), self._vms(p)

        def complete(job: Job) -> dict[str, Any]:
            for vm in vms:
                if vm.id not in rule.vms:
                    raise ApiError(431, f"Failed to remove vm {vm.id} from load balancer rule "
                                        f"{rule.id}: it is not assigned to the rule")
            for vm in vms:
                rule.vms.pop(vm.id, None)
            return {"success": True}

        return {"jobid": self._changing("removeFromLoadBalancerRule", rule, complete).id}

    def do_listLoadBalancerRuleInstances(self, p: Params) -> dict[str, Any]:
        rule = self._rule(p)
        if p.flag("applied", True):
            vms = rule.members()
        else:
            vms = [vm for vm in self.state.vms.values()
                   if vm.id not in rule.vms and vm.state not in ("Destroyed", "Expunging")
                   and nic_ip(vm, rule.network) is not None]
        if p.flag("lbvmips", False):
            return page(p, "lbrulevmidip", [
                {"lbvmipaddresses": [nic_ip(vm, rule.network)],
                 "loadbalancerruleinstance": vm.render()} for vm in vms])
        return page(p, "loadbalancerruleinstance", [vm.render() for vm in vms])

    # --- health check policies ---------------------------------------------------------------

    def do_createLBHealthCheckPolicy(self, p: Params) -> dict[str, Any]:
        rule = self._rule(p, "lbruleid")
        timeout, interval = p.integer("responsetimeout"), p.integer("intervaltime")
        healthy, unhealthy = p.integer("healthythreshold"), p.integer("unhealthythreshold")
        if timeout is not None and interval is not None and timeout > interval:
            raise ApiError(430, "Failed to create HealthCheck policy : Monitor interval must "
                                "be greater than response timeout")
        if rule.state == "Revoke":
            raise ApiError(430, f"Failed: LB rule: {rule.id} is in deleting state: ")
        provider = self._lb.providers.get(rule.network.id)
        if provider is None or not provider.health_checks:
            raise ApiError(430, "Failed to create HealthCheck policy: Validation Failed "
                                "(HealthCheck Policy is not supported by LB Provider for the "
                                f"LB rule:{rule.id})")
        if any(not h.revoked for h in rule.health):
            raise ApiError(430, "Failed to create HealthCheck policy: Already policy attached "
                                f" for the LB Rule:{rule.id}")
        # LBHealthCheckPolicyVO's defaults for what is not given.
        policy = HealthPolicy(str(uuid.uuid4()), rule, p.get("pingpath") or "/",
                              p.get("description"), timeout or 2, interval or 5, healthy or 2,
                              unhealthy or 1)
        rule.health.append(policy)
        self._lb.health[policy.id] = policy

        def complete(job: Job) -> dict[str, Any]:
            return {"healthcheckpolicies": {**rule.policy_owner(),
                                            "healthcheckpolicy": [policy.render()]}}

        def revert(job: Job) -> None:
            self._drop_health(policy)

        job = self._changing("createLBHealthCheckPolicy", rule, complete, revert)
        return {"id": policy.id, "jobid": job.id}

    def _drop_health(self, policy: HealthPolicy) -> None:
        self._lb.health.pop(policy.id, None)
        if policy in policy.rule.health:
            policy.rule.health.remove(policy)

    def do_deleteLBHealthCheckPolicy(self, p: Params) -> dict[str, Any]:
        policy = p.lookup("id", self._lb.health, required=True)

        def revoke() -> None:
            policy.revoked = True

        def complete(job: Job) -> dict[str, Any]:
            self._drop_health(policy)
            return {"success": True}

        def revert(job: Job) -> None:
            policy.revoked = False

        return {"jobid": self._changing("deleteLBHealthCheckPolicy", policy.rule, complete,
                                        revert, revoke).id}

    def do_listLBHealthCheckPolicies(self, p: Params) -> dict[str, Any]:
        rule, policies = self._policy_scope(p, self._lb.health, "health")
        return page(p, "healthcheckpolicies", [{**rule.policy_owner(), "healthcheckpolicy": [
            h.render() for h in policies]}])

    def _policy_scope(self, p: Params, table: dict, kind: str) -> tuple[LbRule, list]:
        one = p.lookup("id", table)
        if one is not None:
            return one.rule, [one]
        rule = p.lookup("lbruleid", self._lb.rules)
        if rule is None:
            raise ApiError(431, "Either LB Ruleid or HealthCheckpolicy Id should be specified"
                           if kind == "health" else
                           "Either LB Ruleid or Stickiness policy Id should be specified")
        return rule, list(getattr(rule, kind))

    # --- stickiness policies -------------------------------------------------------------------

    def do_createLBStickinessPolicy(self, p: Params) -> dict[str, Any]:
        rule = self._rule(p, "lbruleid")
        name, method = p.require("name"), p.require("methodname")
        if rule.state == "Revoke":
            raise ApiError(431, f"Failed: LB rule: {rule.id} is in deleting state: ")
        provider = self._lb.providers.get(rule.network.id)
        if provider is None or not provider.methods:
            raise ApiError(431, f"Failed:  No Stickiness method available for LB rule:{rule.id}")
        known = {m.lower(): m for m in provider.methods}
        if method.lower() not in known:
            raise ApiError(431, f"Failed to match Stickiness method name for LB rule:{rule.id}")
        allowed = dict(provider.methods[known[method.lower()]])
        params: dict[str, str] = {}
        for entry in p.map_param("param"):
            pname, value = entry.get("name", ""), entry.get("value")
            if not any(pname.lower() == a.lower() for a in allowed):
                raise ApiError(431, "Failed : Stickiness policy does not support param name "
                                    f":{pname}")
            if value is None:
                raise ApiError(431, f"Failed : Value expected for the Param :{pname}")
            params[pname] = value
        for pname, required in allowed.items():
            if required and pname not in params:
                raise ApiError(431, f"Failed : Missing Manadatory Param :{pname}")
        if len([s for s in rule.sticky if not s.revoked]) > 1:
            raise ApiError(431, "Failed to create Stickiness policy: Already two policies "
                                f"attached {rule.id}")
        policy = StickyPolicy(str(uuid.uuid4()), rule, name, known[method.lower()], params,
                              p.get("description"))
        rule.sticky.append(policy)
        self._lb.sticky[policy.id] = policy

        def complete(job: Job) -> dict[str, Any]:
            # applyLBStickinessPolicy revokes the rule's older policies.
            for old in [s for s in rule.sticky if s is not policy]:
                self._drop_sticky(old)
            return {"stickinesspolicies": {**rule.policy_owner(),
                                           "stickinesspolicy": [policy.render()]}}

        def revert(job: Job) -> None:
            self._drop_sticky(policy)

        job = self._changing("createLBStickinessPolicy", rule, complete, revert)
        return {"id": policy.id, "jobid": job.id}

    def _drop_sticky(self, policy: StickyPolicy) -> None:
        self._lb.sticky.pop(policy.id, None)
        if policy in policy.rule.sticky:
            policy.rule.sticky.remove(policy)

    def do_deleteLBStickinessPolicy(self, p: Params) -> dict[str, Any]:
        policy = p.lookup("id", self._lb.sticky, required=True)

        def revoke() -> None:
            policy.revoked = True

        def complete(job: Job) -> dict[str, Any]:
            self._drop_sticky(policy)
            return {"success": True}

        def revert(job: Job) -> None:
            policy.revoked = False

        return {"jobid": self._changing("deleteLBStickinessPolicy", policy.rule, complete,
                                        revert, revoke).id}

    def do_listLBStickinessPolicies(self, p: Params) -> dict[str, Any]:
        rule, policies = self._policy_scope(p, self._lb.sticky, "sticky")
        return page(p, "stickinesspolicies", [{**rule.policy_owner(), "stickinesspolicy": [
            s.render() for s in policies]}])
