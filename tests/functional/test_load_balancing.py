"""Octavia-shaped load balancing through gRPC onto each driver's backend, end to end.

A real translator-server per driver (conftest.lb_deployment): ``netscaler`` on the
NITRO simulator, members by address; ``cloudstack`` on the CloudStack simulator,
members being servers made through the Compute API. Requests pick their protocol,
algorithm, monitor and persistence from what GetCapabilities declares, so one test
body serves both drivers; what a driver declares unsupported is asked for too, and
must be refused naming the option with nothing made on the backend.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import time
import urllib.parse
import urllib.request
import uuid

import grpc
import pytest
from google.rpc import error_details_pb2

from functional.helpers import details, rid, wait
from translator.api.v1 import capabilities_pb2, capabilities_pb2_grpc, load_balancing_pb2_grpc
from translator.api.v1 import load_balancing_pb2 as pb

HM = pb.HealthMonitor
SP = pb.SessionPersistence
#: Each kind of create option, with the values the contract knows, in preference order.
KINDS = {
    "protocol": ("HTTP", "TCP", "HTTPS", "UDP"),
    "algorithm": ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP"),
    "monitor": ("HTTP", "TCP", "PING"),
    "persistence": ("SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE"),
}
NETSCALER_RESOURCES = ("lbvserver", "servicegroup", "lbmonitor", "lbvserver_servicegroup_binding",
                       "servicegroup_servicegroupmember_binding",
                       "servicegroup_lbmonitor_binding")


def lbs(channel) -> load_balancing_pb2_grpc.LoadBalancingStub:
    return load_balancing_pb2_grpc.LoadBalancingStub(channel)


def unpack_lb(op) -> pb.LoadBalancer:
    assert not op.HasField("error"), op.error
    lb = pb.LoadBalancer()
    assert op.response.Unpack(lb), op.response.type_url
    return lb


def act(channel, method: str, **fields):
    """A mutating RPC with a fresh request_id, waited for; the finished Operation."""
    request = getattr(pb, f"{method}Request")(request_id=rid(), **fields)
    return wait(channel, getattr(lbs(channel), method)(request))


def names(error: grpc.RpcError, option: str) -> bool:
    """Whether a refusal names ``option``: in its message, its ErrorInfo's ``option``, or
    a BadRequest field violation on that field (``member.address``, ``vip_network_id``)."""
    found = details(error)
    info = found.get("ErrorInfo")
    bad = found.get("BadRequest", error_details_pb2.BadRequest())
    field = option.split(":")[0]
    return (option in error.details() or (info is not None and info.metadata.get("option")
                                          == option)
            or any(v.field.endswith(field) for v in bad.field_violations))


def rpc_error(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value


# -- what each backend holds -------------------------------------------------------------

def _cloudstack_call(sim, command: str, **params) -> dict:
    """One signed request to the CloudStack simulator, as any API client sends it."""
    query = {"command": command, "response": "json", "apiKey": sim.api_key, **params}
    text = "&".join(f"{k}={urllib.parse.quote(str(v), safe='*')}".lower()
                    for k, v in sorted(query.items(), key=lambda kv: kv[0].lower()))
    digest = hmac.new(sim.secret_key.encode(), text.encode(), hashlib.sha1).digest()
    query["signature"] = base64.b64encode(digest).decode()
    with urllib.request.urlopen(f"{sim.endpoint}?{urllib.parse.urlencode(query)}",
                                timeout=10) as reply:
        return json.load(reply)[f"{command.lower()}response"]


def backend_state(deployment) -> dict[str, list]:
    """What the backend holds of load balancing, to compare before and after a call."""
    sim = deployment.sim
    if deployment.driver == "netscaler":
        return {res: sorted(json.dumps(o, sort_keys=True) for o in sim.objects(res))
                for res in NETSCALER_RESOURCES}
    rules = _cloudstack_call(sim, "listLoadBalancerRules", listall="true")
    ips = _cloudstack_call(sim, "listPublicIpAddresses", listall="true")
    state = {"rules": sorted(r["id"] for r in rules.get("loadbalancerrule", [])),
             "ips": sorted(i["id"] for i in ips.get("publicipaddress", [])
                           if not i.get("issourcenat"))}
    for rule in state["rules"]:
        for command, key in (("listLBHealthCheckPolicies", "healthcheckpolicies"),
                             ("listLBStickinessPolicies", "stickinesspolicies")):
            found = _cloudstack_call(sim, command, lbruleid=rule).get(key, [])
            state[f"{key}:{rule}"] = sorted(json.dumps(p, sort_keys=True) for p in found)
        vms = _cloudstack_call(sim, "listLoadBalancerRuleInstances", id=rule)
        state[f"members:{rule}"] = sorted(v["id"] for v in vms.get("loadbalancerruleinstance",
                                                                   []))
    return state


# -- fixtures ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lb_channel(lb_deployment):
    with lb_deployment.channel() as chan:
        yield chan


@pytest.fixture(scope="module")
def lb_caps(lb_channel) -> capabilities_pb2.ApiCapabilities:
    reply = capabilities_pb2_grpc.CapabilitiesStub(lb_channel).GetCapabilities(
        capabilities_pb2.GetCapabilitiesRequest(apis=["load_balancing"]))
    [api] = reply.apis
    return api


@pytest.fixture(scope="module")
def options(lb_caps) -> dict[str, dict[str, bool]]:
    """Operation → {option name → supported}."""
    return {op.name: {o.name: o.supported for o in op.options} for op in lb_caps.operations}


@pytest.fixture
def members(lb_members) -> list[pb.Member]:
    return lb_members


def first(options: dict[str, bool], kind: str, exclude: tuple[str, ...] = ()) -> str:
    return next(v for v in KINDS[kind] if options.get(f"{kind}:{v}") and v not in exclude)


def vip(deployment) -> dict[str, str]:
    return {"vip_address": "192.0.2.10"} if deployment.driver == "netscaler" else {}


def monitor_of(kind: str) -> HM:
    monitor = HM(type=HM.Type.Value(kind), delay_seconds=5, timeout_seconds=2, max_retries=2)
    if kind == "HTTP":
        monitor.url_path, monitor.expected_codes = "/healthz", "200"
    return monitor


def persistence_of(kind: str) -> SP:
    return SP(type=SP.Type.Value(kind), cookie_name="sid" if kind == "APP_COOKIE" else "")


def listener_for(options: dict[str, bool], port: int, pool_members, **pool) -> pb.Listener:
    pool.setdefault("algorithm", pb.Pool.Algorithm.Value(first(options, "algorithm")))
    protocol = pool.pop("protocol", first(options, "protocol"))
    return pb.Listener(protocol=pb.Listener.Protocol.Value(protocol), port=port,
                       default_pool=pb.Pool(members=list(pool_members), **pool))


def create(channel, deployment, listeners, **fields) -> pb.LoadBalancer:
    request = pb.CreateLoadBalancerRequest(
        request_id=rid(), name=f"lb-{uuid.uuid4().hex[:6]}", listeners=listeners,
        **{**vip(deployment), **fields})
    return unpack_lb(wait(channel, lbs(channel).CreateLoadBalancer(request)))


def delete(channel, lb_id: str) -> None:
    op = act(channel, "DeleteLoadBalancer", id=lb_id)
    assert not op.HasField("error"), op.error


def _member_fields(member: pb.Member) -> dict:
    return {f.name: v for f, v in member.ListFields()}


def member_keys(pool: pb.Pool) -> set[tuple[str, int]]:
    return {(m.server_id or m.address, m.port) for m in pool.members}


def key(member: pb.Member) -> tuple[str, int]:
    return (member.server_id or member.address, member.port)


# -- capabilities ----------------------------------------------------------------------------

def test_capabilities_tell_the_drivers_apart(lb_deployment, lb_caps, options):
    assert lb_caps.driver == lb_deployment.driver and lb_caps.api == "load_balancing"
    create_options = options["CreateLoadBalancer"]
    for kind, values in KINDS.items():  # every value of every kind is declared, yes or no
        for value in values:
            assert f"{kind}:{value}" in create_options, (kind, value)
        assert any(create_options[f"{kind}:{v}"] for v in values), kind
    ops = {op.name: op.supported for op in lb_caps.operations}
    for name in ("CreateLoadBalancer", "GetLoadBalancer", "ListLoadBalancers",
                 "DeleteLoadBalancer", "AddMember", "RemoveMember"):
        assert ops[name], name
    if lb_deployment.driver == "netscaler":
        assert create_options["member.address"] and not create_options["member.server_id"]
        assert create_options["vip_address"] and not create_options["vip_network_id"]
        assert all(create_options[f"persistence:{v}"] for v in KINDS["persistence"])
    else:
        assert create_options["member.server_id"] and not create_options["member.address"]
        assert not all(create_options[f"{k}:{v}"] for k, vs in KINDS.items() for v in vs), \
            "CloudStack lacks some option NetScaler has"


# -- the whole life of a load balancer -----------------------------------------------------------

def test_lifecycle_create_get_list_members_monitor_delete(lb_deployment, lb_channel, options,
                                                          members):
    before = backend_state(lb_deployment)
    create_options = options["CreateLoadBalancer"]
    monitor = monitor_of(first(create_options, "monitor"))
    persistence = persistence_of(first(create_options, "persistence"))
    one = listener_for(create_options, 80, members[:2], health_monitor=monitor,
                       session_persistence=persistence)
    weights = create_options.get("member.weight", False)
    if weights:
        one.default_pool.members[1].weight = 3
    # The second listener: another algorithm and, where the driver has it, cookie
    # persistence on the application's cookie.
    cookie = create_options["persistence:APP_COOKIE"]
    two = listener_for(create_options, 8443, members[2:3], algorithm=pb.Pool.Algorithm.Value(
        first(create_options, "algorithm", exclude=(first(create_options, "algorithm"),))),
        **({"session_persistence": persistence_of("APP_COOKIE")} if cookie else {}))
    lb = create(lb_channel, lb_deployment, [one, two])

    assert lb.provisioning_status == pb.LoadBalancer.ACTIVE and lb.id
    assert lb.vip_address
    assert [(x.protocol, x.port) for x in lb.listeners] == [(one.protocol, 80),
                                                            (two.protocol, 8443)]
    pool, other = (x.default_pool for x in lb.listeners)
    assert pool.id and other.id and pool.id != other.id
    assert member_keys(pool) == {key(m) for m in members[:2]}
    assert {key(m): m.weight for m in pool.members}[key(members[1])] == (3 if weights else 1)
    assert pool.health_monitor.type == monitor.type
    assert pool.session_persistence.type == persistence.type
    assert not other.HasField("health_monitor")
    assert other.algorithm == two.default_pool.algorithm != pool.algorithm
    if cookie:
        assert other.session_persistence == persistence_of("APP_COOKIE")
    assert backend_state(lb_deployment) != before

    got = lbs(lb_channel).GetLoadBalancer(pb.GetLoadBalancerRequest(id=lb.id))
    assert got.id == lb.id and got.name == lb.name and got.vip_address == lb.vip_address
    assert [x.default_pool.id for x in got.listeners] == [pool.id, other.id]
    assert got.provisioning_status == pb.LoadBalancer.ACTIVE
    assert lb.id in _all_ids(lb_channel, page_size=1)  # one per page, through the tokens

    added = unpack_lb(act(lb_channel, "AddMember", load_balancer_id=lb.id, pool_id=pool.id,
                          member=members[3]))
    pool_now = added.listeners[0].default_pool
    assert member_keys(pool_now) == {key(m) for m in (*members[:2], members[3])}
    new_member = next(m for m in pool_now.members if key(m) == key(members[3]))
    assert new_member.id

    if weights:
        updated = unpack_lb(act(lb_channel, "UpdateMember", load_balancer_id=lb.id,
                                pool_id=pool.id, member_id=new_member.id, weight=7))
        assert {m.id: m.weight for m in updated.listeners[0].default_pool.members}[
            new_member.id] == 7
    else:  # weight 1 is all there is; another is refused by name
        same = unpack_lb(act(lb_channel, "UpdateMember", load_balancer_id=lb.id,
                             pool_id=pool.id, member_id=new_member.id, weight=1))
        assert member_keys(same.listeners[0].default_pool) == member_keys(pool_now)
        error = rpc_error(lambda: lbs(lb_channel).UpdateMember(pb.UpdateMemberRequest(
            request_id=rid(), load_balancer_id=lb.id, pool_id=pool.id,
            member_id=new_member.id, weight=7)))
        assert error.code() in (grpc.StatusCode.UNIMPLEMENTED,
                                grpc.StatusCode.INVALID_ARGUMENT)
        assert names(error, "member.weight"), error.details()

    removed = unpack_lb(act(lb_channel, "RemoveMember", load_balancer_id=lb.id,
                            pool_id=pool.id, member_id=new_member.id))
    assert member_keys(removed.listeners[0].default_pool) == {key(m) for m in members[:2]}

    if _supported(lb_channel, "SetHealthMonitor"):
        new_monitor = monitor_of(first(options["SetHealthMonitor"] or create_options,
                                       "monitor"))
        new_monitor.max_retries = 4
        changed = unpack_lb(act(lb_channel, "SetHealthMonitor", load_balancer_id=lb.id,
                                pool_id=other.id, health_monitor=new_monitor))
        watched = changed.listeners[1].default_pool
        assert watched.health_monitor.type == new_monitor.type
        assert watched.health_monitor.max_retries == 4
        gone = unpack_lb(act(lb_channel, "DeleteHealthMonitor", load_balancer_id=lb.id,
                             pool_id=other.id))
        assert not gone.listeners[1].default_pool.HasField("health_monitor")
        assert all(m.operating_status == pb.LoadBalancer.NO_MONITOR
                   for m in gone.listeners[1].default_pool.members)

    delete(lb_channel, lb.id)
    error = rpc_error(lambda: lbs(lb_channel).GetLoadBalancer(pb.GetLoadBalancerRequest(
        id=lb.id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert backend_state(lb_deployment) == before, "the delete cascades to everything"


def _all_ids(channel, page_size: int) -> list[str]:
    ids, token = [], ""
    while True:
        page = lbs(channel).ListLoadBalancers(pb.ListLoadBalancersRequest(
            page_size=page_size, page_token=token))
        assert len(page.load_balancers) <= page_size
        ids += [x.id for x in page.load_balancers]
        token = page.next_page_token
        if not token:
            return ids


def _supported(channel, operation: str) -> bool:
    reply = capabilities_pb2_grpc.CapabilitiesStub(channel).GetCapabilities(
        capabilities_pb2.GetCapabilitiesRequest(apis=["load_balancing"]))
    return next((op.supported for op in reply.apis[0].operations if op.name == operation),
                False)


@pytest.mark.parametrize("lb_deployment", ["netscaler"], indirect=True)
def test_member_health_follows_the_monitor(lb_deployment, lb_channel, options, members):
    create_options = options["CreateLoadBalancer"]
    lb = create(lb_channel, lb_deployment, [listener_for(
        create_options, 80, members[:2], health_monitor=monitor_of("TCP"))])
    try:
        lb_deployment.sim.set_member_health(members[0].address, members[0].port, False)
        # Members show what their monitor's probes find (the first probe comes one
        # interval after binding): one down and one up is DEGRADED.
        wanted = {members[0].address: pb.LoadBalancer.OFFLINE,
                  members[1].address: pb.LoadBalancer.ONLINE}
        deadline = time.monotonic() + 10
        while True:
            got = lbs(lb_channel).GetLoadBalancer(pb.GetLoadBalancerRequest(id=lb.id))
            states = {m.address: m.operating_status
                      for m in got.listeners[0].default_pool.members}
            if states == wanted:
                break
            assert time.monotonic() < deadline, states
            time.sleep(0.1)
        assert got.operating_status == pb.LoadBalancer.DEGRADED
    finally:
        lb_deployment.sim.set_member_health(members[0].address, members[0].port, True)
        delete(lb_channel, lb.id)


# -- refusals: the option named, nothing made ---------------------------------------------------

def _unsupported_requests(deployment, options, members):
    """(option, request) for each create option the driver declares unsupported."""
    create_options = options["CreateLoadBalancer"]
    cases = []
    for name, supported in sorted(create_options.items()):
        if supported:
            continue
        kind, _, value = name.partition(":")
        pool: dict = {}
        listener_protocol = None
        if kind == "protocol":
            listener_protocol = value
        elif kind == "algorithm":
            pool["algorithm"] = pb.Pool.Algorithm.Value(value)
        elif kind == "monitor":
            pool["health_monitor"] = monitor_of(value)
        elif kind == "persistence":
            pool["session_persistence"] = persistence_of(value)
        if listener_protocol:
            pool["protocol"] = listener_protocol
        pool_members = members[:1]
        fields = dict(vip(deployment))
        if name == "member.server_id":
            pool_members = [pb.Member(server_id="0d7c2f0e-0000-4000-8000-000000000001",
                                      port=8080)]
        elif name == "member.address":
            pool_members = [pb.Member(address="10.9.9.9", port=8080)]
        elif name == "member.weight":
            pool_members = [pb.Member(**{**_member_fields(members[0]), "weight": 3})]
        elif name == "vip_network_id":
            fields = {"vip_network_id": "any-network"}
        elif name == "vip_address":
            fields = {"vip_address": "192.0.2.99"}
        elif not value:
            continue  # another request field; not one this test knows how to ask for
        cases.append((name, listener_for(create_options, 80, pool_members, **pool), fields))
    return cases


def test_unsupported_options_are_refused_by_name_and_nothing_is_made(
        lb_deployment, lb_channel, options, members):
    cases = _unsupported_requests(lb_deployment, options, members)
    assert cases, "every driver lacks something"
    before = backend_state(lb_deployment)
    for name, listener, fields in cases:
        request = pb.CreateLoadBalancerRequest(request_id=rid(), name="refused",
                                               listeners=[listener], **fields)
        error = rpc_error(lambda r=request: lbs(lb_channel).CreateLoadBalancer(r))
        assert error.code() in (grpc.StatusCode.UNIMPLEMENTED,
                                grpc.StatusCode.INVALID_ARGUMENT), (name, error)
        assert names(error, name), (name, error.details(), details(error))
    assert backend_state(lb_deployment) == before


def test_an_unsupported_member_or_monitor_on_a_live_pool_is_refused(
        lb_deployment, lb_channel, options, members):
    create_options = options["CreateLoadBalancer"]
    lb = create(lb_channel, lb_deployment, [listener_for(create_options, 80, members[:1])])
    pool_id = lb.listeners[0].default_pool.id
    try:
        before = backend_state(lb_deployment)
        if lb_deployment.driver == "netscaler":
            bad = pb.Member(server_id="0d7c2f0e-0000-4000-8000-000000000001", port=80)
            option = "member.server_id"
        else:
            bad = pb.Member(address="10.9.9.9", port=80)
            option = "member.address"
        error = rpc_error(lambda: lbs(lb_channel).AddMember(pb.AddMemberRequest(
            request_id=rid(), load_balancer_id=lb.id, pool_id=pool_id, member=bad)))
        assert error.code() in (grpc.StatusCode.UNIMPLEMENTED, grpc.StatusCode.INVALID_ARGUMENT)
        assert names(error, option), error.details()
        missing = [k for k in KINDS["monitor"] if not create_options[f"monitor:{k}"]]
        if not _supported(lb_channel, "SetHealthMonitor"):
            error = rpc_error(lambda: lbs(lb_channel).SetHealthMonitor(
                pb.SetHealthMonitorRequest(request_id=rid(), load_balancer_id=lb.id,
                                           pool_id=pool_id, health_monitor=monitor_of("TCP"))))
            assert error.code() == grpc.StatusCode.UNIMPLEMENTED
            assert "SetHealthMonitor" in error.details()
        elif missing:
            error = rpc_error(lambda: lbs(lb_channel).SetHealthMonitor(
                pb.SetHealthMonitorRequest(request_id=rid(), load_balancer_id=lb.id,
                                           pool_id=pool_id,
                                           health_monitor=monitor_of(missing[0]))))
            assert error.code() in (grpc.StatusCode.UNIMPLEMENTED,
                                    grpc.StatusCode.INVALID_ARGUMENT)
            assert names(error, f"monitor:{missing[0]}"), error.details()
        assert backend_state(lb_deployment) == before
    finally:
        delete(lb_channel, lb.id)

@pytest.mark.parametrize("lb_deployment", ["netscaler"], indirect=True)
def test_cookie_persistence_on_a_tcp_listener_is_refused_on_netscaler(
        lb_deployment, lb_channel, options, members):
    before = backend_state(lb_deployment)
    listener = listener_for(options["CreateLoadBalancer"], 80, members[:1], protocol="TCP",
                            session_persistence=persistence_of("HTTP_COOKIE"))
    error = rpc_error(lambda: lbs(lb_channel).CreateLoadBalancer(pb.CreateLoadBalancerRequest(
        request_id=rid(), name="cookie-on-tcp", listeners=[listener], **vip(lb_deployment))))
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    assert names(error, "persistence:HTTP_COOKIE") and "TCP" in error.details()
    assert backend_state(lb_deployment) == before


# -- idempotency and faults ---------------------------------------------------------------------

def test_the_same_request_id_makes_one_load_balancer(lb_deployment, lb_channel, options,
                                                     members):
    request = pb.CreateLoadBalancerRequest(
        request_id=rid(), name=f"once-{uuid.uuid4().hex[:6]}", **vip(lb_deployment),
        listeners=[listener_for(options["CreateLoadBalancer"], 80, members[:1])])
    first_op = lbs(lb_channel).CreateLoadBalancer(request)
    again = lbs(lb_channel).CreateLoadBalancer(request)
    assert again.name == first_op.name
    lb = unpack_lb(wait(lb_channel, first_op))
    listed = lbs(lb_channel).ListLoadBalancers(pb.ListLoadBalancersRequest(page_size=500))
    assert [x.id for x in listed.load_balancers if x.name == request.name] == [lb.id]
    delete(lb_channel, lb.id)


def _nitro_calls(sim) -> list[tuple[str, str]]:
    """(method, resource) of each NITRO call recorded, sessions left out."""
    calls = []
    for method, path in sim.requests:
        resource = path.removeprefix("/nitro/v1/config/").split("/")[0]
        if resource not in ("login", "logout"):
            calls.append((method, resource))
    return calls


def _fault_listener(options, members) -> pb.Listener:
    create_options = options["CreateLoadBalancer"]
    return listener_for(create_options, 80, members[:2],
                        health_monitor=monitor_of(first(create_options, "monitor")),
                        session_persistence=persistence_of(first(create_options,
                                                                 "persistence")))


#: CloudStack commands that change nothing: left out of a create's call sequence.
CLOUDSTACK_READS = ("list", "query")


def _probe_calls(deployment, channel, options, members) -> list[tuple[str, str]]:
    """The backend calls that change something, in order, of a create like the faulty
    one: learnt from a probe create (then deleted), so the test follows the driver."""
    sim = deployment.sim
    if deployment.driver == "netscaler":
        sim.reset_counts()
        probe = create(channel, deployment, [_fault_listener(options, members)])
        calls = [call for call in _nitro_calls(sim) if call[0] != "GET"]
    else:
        # The simulator is in this process: record the commands it answers, in order.
        seen: list[str] = []
        original = sim.handle

        def recording(params, *args, **kwargs):
            seen.append(params.get("command") or "")
            return original(params, *args, **kwargs)

        sim.handle = recording
        try:
            probe = create(channel, deployment, [_fault_listener(options, members)])
        finally:
            del sim.handle  # the class's own method again
        calls = [("", command) for command in seen if not command.startswith(CLOUDSTACK_READS)]
    delete(channel, probe.id)
    return calls


def _inject_fault(deployment, channel, options, members, position: int) -> str:
    """Make the ``position``-th backend change of the next create fail; what failed.

    On netscaler the NITRO call answers an error; on cloudstack the third command
    answers an error at once and the last one's async job fails (both kinds of
    CloudStack failure)."""
    calls = _probe_calls(deployment, channel, options, members)
    assert len(calls) >= 4, calls
    method, resource = calls[position]
    assert calls.index((method, resource)) == position % len(calls), \
        f"{resource} is made earlier too: {calls}"
    sim = deployment.sim
    if deployment.driver == "netscaler":
        sim.fail_next(method, resource, 278, "Invalid argument [injected fault]", 599)
    elif position == -1:
        sim.fail_next_job(resource, "injected fault in the job")
    else:
        sim.fail_next(resource, 530, "injected fault")
    return f"{method} {resource}".strip()


@pytest.mark.parametrize("position", [2, -1], ids=["third-call", "last-call"])
def test_a_fault_midway_fails_the_create_and_leaves_no_orphans(
        lb_deployment, lb_channel, options, members, position):
    failing = _inject_fault(lb_deployment, lb_channel, options, members, position)
    before = backend_state(lb_deployment)
    name = f"faulty-{uuid.uuid4().hex[:6]}"
    request = pb.CreateLoadBalancerRequest(request_id=rid(), name=name, **vip(lb_deployment),
                                           listeners=[_fault_listener(options, members)])
    try:
        op = wait(lb_channel, lbs(lb_channel).CreateLoadBalancer(request))
    except grpc.RpcError as error:
        assert "injected" in error.details(), (failing, error.details())
    else:
        assert op.HasField("error"), (failing, op)
        assert "injected" in op.error.message or "injected" in str(op.error), op.error
    deadline = time.monotonic() + 10
    while backend_state(lb_deployment) != before:  # the undo may still be running
        assert time.monotonic() < deadline, f"orphans after a failed {failing}"
        time.sleep(0.1)
    listed = lbs(lb_channel).ListLoadBalancers(pb.ListLoadBalancersRequest(page_size=500))
    assert name not in {x.name for x in listed.load_balancers}


@pytest.mark.parametrize("lb_deployment", ["cloudstack"], indirect=True)
def test_a_chosen_address_of_a_chosen_network_on_cloudstack(lb_deployment, lb_channel,
                                                            options, members):
    create_options = options["CreateLoadBalancer"]
    probe = create(lb_channel, lb_deployment, [listener_for(create_options, 80, members[:1])])
    delete(lb_channel, probe.id)
    network, taken = probe.vip_network_id, probe.vip_address
    wanted = str(ipaddress.ip_address(taken) + 7)
    lb = create(lb_channel, lb_deployment, [listener_for(create_options, 80, members[:1])],
                vip_network_id=network, vip_address=wanted)
    try:
        assert (lb.vip_network_id, lb.vip_address) == (network, wanted)
        error = rpc_error(lambda: lbs(lb_channel).CreateLoadBalancer(pb.CreateLoadBalancerRequest(
            request_id=rid(), name="taken", vip_address=wanted,
            listeners=[listener_for(create_options, 81, members[:1])])))
        assert error.code() in (grpc.StatusCode.INVALID_ARGUMENT,
                                grpc.StatusCode.ALREADY_EXISTS,
                                grpc.StatusCode.FAILED_PRECONDITION), error
        assert "vip_address" in error.details() or names(error, "vip_address"), error.details()
    finally:
        delete(lb_channel, lb.id)
