"""The steps of a load balancer operation, carried in its job list.

Every CloudStack load balancer command is an async job, and each step needs the
one before it done: a rule needs its public IP associated, a VM assignment or a
policy needs its rule. So an operation's job list holds the jobs of its current
step plus one handle (``lbstep:`` + base64 JSON) with everything the next steps
need and what the finished steps reported. ``advance`` polls the step's jobs and,
once they are done, submits the next step and hands back the new job list as
``JobStatus.next_jobs``; the core persists it before polling again, so a restart
resumes at the right step. The public IP's id is known from the first answer.

Create: ``ip`` (associateIpAddress) → ``rules`` (one createLoadBalancerRule per
listener) → ``extras`` (assignToLoadBalancerRule, 100 VMs a call, and the policies
asked for) → the load balancer, built from what the jobs reported (no read-back).
A failed step rolls back: ``settle`` (wait for jobs still running), ``drop-rules``
(deleteLoadBalancerRule for every rule made; VMs and policies go with them),
``release`` (disassociateIpAddress), then the operation fails with the step's
error. Delete runs ``drop-rules`` and ``release`` without an error. SetHealthMonitor
replacing a policy runs ``hc-create`` after deleting the old one.
"""

from __future__ import annotations

import base64
import collections
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.cloudstack import errors, mapping
from translator_drivers.cloudstack.errors import BACKEND
from translator_drivers.cloudstack.lb_mapping import PERSISTENCE, RuleView, describe

LOG = logging.getLogger(__name__)

PREFIX = "lbstep:"
#: VM ids per assignToLoadBalancerRule: 100 UUIDs keep a signed GET URL under 4 KB.
ASSIGN_BATCH = 100
_PENDING, _DONE, _FAILED = 0, 1, 2


def is_handle(job: str) -> bool:
    return job.startswith(PREFIX)


def encode(state: dict) -> str:
    raw = json.dumps(state, separators=(",", ":"), sort_keys=True).encode()
    return PREFIX + base64.urlsafe_b64encode(raw).decode()


def decode(handle: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(handle[len(PREFIX):]))


def monitor_params(rule_id: str, monitor: dict) -> dict[str, Any]:
    """createLBHealthCheckPolicy's parameters for a monitor (a models.HealthMonitor dict)."""
    params: dict[str, Any] = {
        "lbruleid": rule_id, "intervaltime": monitor["delay_seconds"],
        "responsetimeout": monitor["timeout_seconds"],
        "unhealthythreshold": monitor["max_retries"],
        "description": describe(type=monitor["type"],
                                **({"expected_codes": monitor["expected_codes"] or "200"}
                                   if monitor["type"] == "HTTP" else {}))}
    if monitor["type"] == "HTTP":
        params["pingpath"] = monitor["url_path"] or "/"
    return params


class _Failure(Exception):
    """A step's submit failed after some of its jobs were accepted."""

    def __init__(self, error: exc.TranslatorError, submitted: list[str]) -> None:
        super().__init__(error.user_message)
        self.error, self.submitted = error, submitted


class LbSteps:
    def __init__(self, api: Callable, build: Callable[[dict], models.LoadBalancer]) -> None:
        self._api = api
        self._build = build
        self._lock = threading.Lock()
        self._seen: collections.OrderedDict[str, tuple[int, dict, str]] = \
            collections.OrderedDict()

    # -- jobs ---------------------------------------------------------------------------------

    def _query(self, job: str) -> tuple[int, dict, str]:
        """(jobstatus, jobresult, command) of a job; finished ones are remembered."""
        with self._lock:
            if job in self._seen:
                return self._seen[job]
        try:
            answer = self._api().call("queryAsyncJobResult", jobid=job)
        except exc.InvalidInput as error:
            raise exc.BackendError(f"CloudStack does not know job {job}",
                                   operator_message=error.operator_message, backend=BACKEND,
                                   backend_code=error.backend_code) from error
        status = mapping.number(answer.get("jobstatus"))
        command = mapping.text(answer.get("cmd")).rsplit(".", 1)[-1] or f"job {job}"
        seen = (status, answer.get("jobresult") or {}, command)
        if status != _PENDING:
            with self._lock:
                self._seen[job] = seen
                while len(self._seen) > 4096:
                    self._seen.popitem(last=False)
        return seen

    def advance(self, jobs: list[str]) -> models.JobStatus:
        handle = next(j for j in jobs if is_handle(j))
        state = decode(handle)
        polled = {job: self._query(job) for job in jobs if not is_handle(job)}
        pending = [command for status, _, command in polled.values() if status == _PENDING]
        if pending:
            return models.JobStatus(done=False, message=f"CloudStack {pending[0]} pending")
        results = {job: result for job, (status, result, _) in polled.items()
                   if status == _DONE}
        failures = {job: errors.from_code(result.get("errorcode"), result.get("errortext"),
                                          command)
                    for job, (status, result, command) in polled.items()
                    if status == _FAILED}
        step = getattr(self, "_after_" + state["phase"].replace("-", "_"))
        return step(state, results, failures)

    def _next(self, state: dict, phase: str, jobs: list[str], message: str) -> models.JobStatus:
        state["phase"] = phase
        return models.JobStatus(done=True, next_jobs=[*jobs, encode(state)],
                                resource_id=state["lb"], message=message)

    # -- create ---------------------------------------------------------------------------------

    @staticmethod
    def create_state(lb_id: str, name: str, network_id: str, vip: str, cookie_param: str,
                     listeners: list[dict]) -> dict:
        """The handle of a create whose associateIpAddress was just accepted."""
        return {"op": "create", "phase": "ip", "lb": lb_id, "name": name,
                "network": network_id, "vip": vip, "cookie": cookie_param, "ip": None,
                "listeners": listeners, "extras": {}, "error": "", "cleanup": []}

    def _after_ip(self, state: dict, results: dict, failures: dict) -> models.JobStatus:
        if failures:
            # CloudStack gives a failed association's address back; release it anyway, so
            # nothing is left whatever the version did.
            return self._rollback(state, next(iter(failures.values())), [])
        state["ip"] = next(iter(results.values()), {}).get("ipaddress") or {}
        got = mapping.text(state["ip"].get("ipaddress"))
        if state["vip"] and got != state["vip"]:
            return self._rollback(state, exc.BackendError(
                f"CloudStack associated {got} instead of vip_address {state['vip']} (a "
                "CloudStack older than 4.13 ignores the requested address)", backend=BACKEND),
                [])
        calls = [("createLoadBalancerRule", lis["params"]) for lis in state["listeners"]]
        submitted: list[str] = []
        try:
            for lis, (command, params) in zip(state["listeners"], calls, strict=True):
                answer = self._call(command, params, submitted)
                lis["rule_id"] = mapping.text(answer.get("id"))
        except _Failure as failure:
            return self._rollback(state, failure.error, failure.submitted)
        return self._next(state, "rules", submitted, "CloudStack createLoadBalancerRule "
                                                      "submitted")

    def _call(self, command: str, params: dict, submitted: list[str]) -> dict:
        try:
            answer = self._api().call(command, **params)
        except exc.TranslatorError as error:
            raise _Failure(error, list(submitted)) from error
        submitted.append(mapping.text(answer.get("jobid")))
        return answer

    def _after_rules(self, state: dict, results: dict, failures: dict) -> models.JobStatus:
        if failures:
            return self._rollback(state, next(iter(failures.values())), [])
        by_rule = {mapping.text(r.get("loadbalancer", {}).get("id")): r.get("loadbalancer")
                   for r in results.values()}
        calls: list[tuple[str, dict, int, str]] = []
        for index, lis in enumerate(state["listeners"]):
            lis["rule"] = by_rule.get(lis["rule_id"]) or {"id": lis["rule_id"]}
            rule_id = lis["rule_id"]
            for start in range(0, len(lis["members"]), ASSIGN_BATCH):
                batch = lis["members"][start:start + ASSIGN_BATCH]
                calls.append(("assignToLoadBalancerRule",
                              {"id": rule_id, "virtualmachineids": ",".join(batch)},
                              index, "members"))
            if lis["monitor"]:
                calls.append(("createLBHealthCheckPolicy",
                              monitor_params(rule_id, lis["monitor"]), index, "health"))
            if lis["persistence"]:
                calls.append(("createLBStickinessPolicy",
                              self._sticky_params(state, lis), index, "sticky"))
        if not calls:
            return models.JobStatus(done=True, result=self._build(state))
        submitted: list[str] = []
        try:
            for command, params, index, kind in calls:
                self._call(command, params, submitted)
                state["extras"][submitted[-1]] = [index, kind]
        except _Failure as failure:
            return self._rollback(state, failure.error, failure.submitted)
        return self._next(state, "extras", submitted, "CloudStack assignToLoadBalancerRule "
                                                      "and policies submitted")

    @staticmethod
    def _sticky_params(state: dict, lis: dict) -> dict[str, Any]:
        kind = lis["persistence"]["type"]
        params: dict[str, Any] = {"lbruleid": lis["rule_id"], "methodname": PERSISTENCE[kind],
                                  "name": f"{kind.lower().replace('_', '-')}-{lis['port']}"}
        if kind == "APP_COOKIE":
            params["param[0].name"] = state["cookie"]
            params["param[0].value"] = lis["persistence"]["cookie_name"]
        return params

    def _after_extras(self, state: dict, results: dict, failures: dict) -> models.JobStatus:
        if failures:
            return self._rollback(state, next(iter(failures.values())), [])
        for job, result in results.items():
            index, kind = state["extras"].get(job, [None, ""])
            if index is None:
                continue
            lis = state["listeners"][index]
            if kind == "health":
                lis["health"] = (result.get("healthcheckpolicies", {})
                                 .get("healthcheckpolicy") or [None])[0]
            elif kind == "sticky":
                lis["sticky"] = (result.get("stickinesspolicies", {})
                                 .get("stickinesspolicy") or [None])[0]
        return models.JobStatus(done=True, result=self._build(state))

    @staticmethod
    def views(state: dict) -> list[RuleView]:
        """The rules of a finished create, as their jobs reported them."""
        return [RuleView(lis["rule"], list(lis["members"]), lis.get("health"),
                         lis.get("sticky")) for lis in state["listeners"]]

    # -- rollback and delete ----------------------------------------------------------------------

    def _rollback(self, state: dict, error: exc.TranslatorError,
                  running: list[str]) -> models.JobStatus:
        LOG.warning("CloudStack load balancer %s: %s; removing what was made", state["lb"],
                    error.operator_message)
        state["error"] = errors.failed_job(error, error.user_message)
        state["rules"] = [lis["rule_id"] for lis in state.get("listeners", [])
                          if lis.get("rule_id")]
        if running:
            return self._next(state, "settle", running, "waiting for CloudStack jobs before "
                                                        "removing what was made")
        return self._after_settle(state, {}, {})

    @staticmethod
    def delete_state(lb_id: str, rule_ids: list[str]) -> dict:
        return {"op": "delete", "phase": "drop-rules", "lb": lb_id, "rules": rule_ids,
                "error": "", "cleanup": []}

    def _after_settle(self, state: dict, results: dict, failures: dict) -> models.JobStatus:
        submitted: list[str] = []
        for rule_id in state["rules"]:
            try:
                self._call("deleteLoadBalancerRule", {"id": rule_id}, submitted)
            except _Failure as failure:
                if not self._gone(failure.error):
                    state["cleanup"].append(f"rule {rule_id}: {failure.error.user_message}")
        if not submitted:
            return self._after_drop_rules(state, {}, {})
        return self._next(state, "drop-rules", submitted, "CloudStack deleteLoadBalancerRule "
                                                          "submitted")

    def start_delete(self, state: dict) -> list[str]:
        """The first job list of a delete (rules first, or the IP when it has none)."""
        status = self._after_settle(state, {}, {})
        if status.error is not None:
            raise status.error
        return status.next_jobs or []

    @staticmethod
    def _gone(error: exc.TranslatorError) -> bool:
        """A 431 answered for an id: the rule or address is already gone."""
        return isinstance(error, exc.InvalidInput)

    def _after_drop_rules(self, state: dict, results: dict, failures: dict) -> models.JobStatus:
        for error in failures.values():
            # disassociateIpAddress removes what is left of the rules with the address.
            LOG.warning("CloudStack load balancer %s: deleting a rule failed (%s); releasing "
                        "the address removes it", state["lb"], error.operator_message)
        submitted: list[str] = []
        try:
            self._call("disassociateIpAddress", {"id": state["lb"]}, submitted)
        except _Failure as failure:
            if not self._gone(failure.error):
                state["cleanup"].append(f"public IP {state['lb']}: "
                                        f"{failure.error.user_message}")
            return self._end(state)
        return self._next(state, "release", submitted, "CloudStack disassociateIpAddress "
                                                       "submitted")

    def _after_release(self, state: dict, results: dict, failures: dict) -> models.JobStatus:
        for error in failures.values():
            state["cleanup"].append(f"public IP {state['lb']}: {error.user_message}")
        return self._end(state)

    @staticmethod
    def _end(state: dict) -> models.JobStatus:
        cleanup = "; ".join(state["cleanup"])
        if state["error"]:
            original = errors.failure(state["error"])
            message = original.user_message + (
                f"; removing what was made failed ({cleanup}): release public IP "
                f"{state['lb']} by hand" if cleanup else
                "; the rules made were deleted and the public IP released")
            return models.JobStatus(done=True, error=errors.failure(
                errors.failed_job(original, message)))
        if cleanup:
            return models.JobStatus(done=True, error=exc.BackendError(
                f"CloudStack could not remove load balancer {state['lb']}: {cleanup}",
                backend=BACKEND))
        return models.JobStatus(done=True)

    # -- a health monitor replaced ---------------------------------------------------------------

    @staticmethod
    def monitor_state(lb_id: str, params: dict) -> dict:
        return {"op": "monitor", "phase": "hc-create", "lb": lb_id, "params": params}

    def _after_hc_create(self, state: dict, results: dict, failures: dict) -> models.JobStatus:
        if failures:
            return models.JobStatus(done=True, error=next(iter(failures.values())))
        try:
            answer = self._api().call("createLBHealthCheckPolicy", **state["params"])
        except exc.TranslatorError as error:
            return models.JobStatus(done=True, error=exc.BackendError(
                f"the old health monitor was removed, but CloudStack refused the new one: "
                f"{error.user_message}", backend=BACKEND, backend_code=error.backend_code))
        return models.JobStatus(done=True, next_jobs=[mapping.text(answer.get("jobid"))],
                                resource_id=state["lb"],
                                message="CloudStack createLBHealthCheckPolicy submitted")
