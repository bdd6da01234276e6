"""lb commands: the create syntax (pool options follow their --listener), member, monitor
and persistence specs, usage errors exit 2, and what goes on the wire and comes back,
against an in-process gRPC server whose LoadBalancing service is a recording fake."""

from __future__ import annotations

import argparse
import io
import json
from concurrent import futures

import grpc
import pytest
from google.longrunning import operations_pb2, operations_pb2_grpc
from google.protobuf import empty_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from translator.api.v1 import common_pb2, load_balancing_pb2_grpc
from translator.api.v1 import load_balancing_pb2 as pb
from translator.cli import app, load_balancing, operations, output

HM = pb.HealthMonitor
SP = pb.SessionPersistence


def _usage_error(argv, capsys) -> str:
    assert app.run(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def sample_lb() -> pb.LoadBalancer:
    return pb.LoadBalancer(
        id="lb-1", name="web", vip_address="192.0.2.10",
        provisioning_status=pb.LoadBalancer.ACTIVE, operating_status=pb.LoadBalancer.ONLINE,
        extra={"lbvserver": "web-80"},
        listeners=[pb.Listener(
            id="lis-1", protocol=pb.Listener.HTTP, port=80, default_pool=pb.Pool(
                id="pool-1", algorithm=pb.Pool.LEAST_CONNECTIONS,
                members=[pb.Member(id="m-1", address="10.0.0.5", port=8080, weight=2,
                                   operating_status=pb.LoadBalancer.ONLINE),
                         pb.Member(id="m-2", server_id="vm-9", address="10.1.1.9", port=8080,
                                   weight=1, operating_status=pb.LoadBalancer.OFFLINE)],
                health_monitor=HM(type=HM.HTTP, delay_seconds=5, timeout_seconds=3,
                                  max_retries=3, url_path="/healthz",
                                  expected_codes="200,202"),
                session_persistence=SP(type=SP.APP_COOKIE, cookie_name="sid"))),
            pb.Listener(id="lis-2", protocol=pb.Listener.TCP, port=443,
                        default_pool=pb.Pool(id="pool-2", algorithm=pb.Pool.ROUND_ROBIN))])


# -- parsing --------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, func", [
    (["lb", "create", "web", "--vip", "192.0.2.10", "--listener", "HTTP:80"],
     load_balancing.lb_create),
    (["lb", "list", "--limit", "2"], load_balancing.lb_list),
    (["lb", "show", "lb-1"], load_balancing.lb_show),
    (["lb", "delete", "lb-1", "--wait"], load_balancing.lb_delete),
    (["lb", "member", "add", "lb-1", "p-1", "10.0.0.5:80"], load_balancing.member_add),
    (["lb", "member", "remove", "lb-1", "p-1", "m-1"], load_balancing.member_remove),
    (["lb", "member", "update", "lb-1", "p-1", "m-1", "--weight", "3"],
     load_balancing.member_update),
    (["lb", "monitor", "set", "lb-1", "p-1", "TCP"], load_balancing.monitor_set),
    (["lb", "monitor", "delete", "lb-1", "p-1", "--wait"], load_balancing.monitor_delete),
])
def test_command_set(argv, func):
    assert app.parse_args(argv).func is func


def test_pool_options_belong_to_the_listener_before_them():
    args = app.parse_args([
        "lb", "create", "web", "--vip", "192.0.2.10", "--request-id", "rid-1",
        "--listener", "http:80", "--algorithm", "least_connections",
        "--member", "10.0.0.5:8080", "--member", "10.0.0.6:8080:5",
        "--monitor", "HTTP,path=/healthz,codes=200,202", "--persistence", "APP_COOKIE:sid",
        "--listener", "TCP:443", "--member", "server=vm-1:8443", "--wait"])
    request = load_balancing.create_request(args, "rid-1")
    assert request == pb.CreateLoadBalancerRequest(
        request_id="rid-1", name="web", vip_address="192.0.2.10", listeners=[
            pb.Listener(protocol=pb.Listener.HTTP, port=80, default_pool=pb.Pool(
                algorithm=pb.Pool.LEAST_CONNECTIONS,
                members=[pb.Member(address="10.0.0.5", port=8080),
                         pb.Member(address="10.0.0.6", port=8080, weight=5)],
                health_monitor=HM(type=HM.HTTP, delay_seconds=5, timeout_seconds=3,
                                  max_retries=3, url_path="/healthz",
                                  expected_codes="200,202"),
                session_persistence=SP(type=SP.APP_COOKIE, cookie_name="sid"))),
            pb.Listener(protocol=pb.Listener.TCP, port=443, default_pool=pb.Pool(
                members=[pb.Member(server_id="vm-1", port=8443)]))])
    assert (args.wait, args.request_id) == (True, "rid-1")


def test_an_address_of_a_vip_network():
    args = app.parse_args(["lb", "create", "web", "--vip-network", "net-1", "--vip",
                           "198.51.100.20", "--listener", "TCP:22"])
    request = load_balancing.create_request(args, "r")
    assert (request.vip_address, request.vip_network_id) == ("198.51.100.20", "net-1")


def test_vip_network_instead_of_an_address():
    args = app.parse_args(["lb", "create", "web", "--vip-network", "net-1",
                           "--listener", "TCP:22"])
    request = load_balancing.create_request(args, "r")
    assert (request.vip_address, request.vip_network_id) == ("", "net-1")
    assert not request.listeners[0].default_pool.HasField("health_monitor")


@pytest.mark.parametrize("text, expected", [
    ("10.0.0.5:80", pb.Member(address="10.0.0.5", port=80)),
    ("10.0.0.5:80:7", pb.Member(address="10.0.0.5", port=80, weight=7)),
    ("[2001:db8::5]:8080", pb.Member(address="2001:db8::5", port=8080)),
    ("[2001:DB8::5]:8080:256", pb.Member(address="2001:db8::5", port=8080, weight=256)),
    ("server=6f1c-aa:80", pb.Member(server_id="6f1c-aa", port=80)),
    ("server=vm-1:80:3", pb.Member(server_id="vm-1", port=80, weight=3)),
])
def test_member_syntax(text, expected):
    assert load_balancing.member(text) == expected


@pytest.mark.parametrize("text, words", [
    ("10.0.0.5", "ADDRESS:PORT"), ("10.0.0.5:", "ADDRESS:PORT"), ("10.0.0.5:http", "port"),
    ("10.0.0.5:0", "1-65535"), ("10.0.0.5:70000", "1-65535"),
    ("10.0.0.5:80:0", "weight"), ("10.0.0.5:80:257", "1-256"),
    ("10.0.0.5:80:1:2", "ADDRESS:PORT"), ("web.example.com:80", "not an IPv4 or IPv6"),
    ("2001:db8::5:80", "brackets"), ("[2001:db8::5]80", "ADDRESS:PORT"),
    ("[nope]:80", "not an IPv4"), ("server=:80", "server=ID"), ("server=vm-1", "ADDRESS:PORT"),
])
def test_bad_members_say_why(text, words):
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        load_balancing.member(text)
    assert words in str(caught.value)


@pytest.mark.parametrize("text, expected", [
    ("TCP", HM(type=HM.TCP, delay_seconds=5, timeout_seconds=3, max_retries=3)),
    ("ping,delay=10,timeout=4,retries=2",
     HM(type=HM.PING, delay_seconds=10, timeout_seconds=4, max_retries=2)),
    ("HTTP,delay=2", HM(type=HM.HTTP, delay_seconds=2, timeout_seconds=1, max_retries=3)),
    ("TCP,delay=1", HM(type=HM.TCP, delay_seconds=1, timeout_seconds=1, max_retries=3)),
    ("TCP,delay=3,timeout=3", HM(type=HM.TCP, delay_seconds=3, timeout_seconds=3,
                                 max_retries=3)),
    ("HTTP,codes=200-204,path=/status",
     HM(type=HM.HTTP, delay_seconds=5, timeout_seconds=3, max_retries=3,
        url_path="/status", expected_codes="200-204")),
    ("HTTP,codes=200,202,204", HM(type=HM.HTTP, delay_seconds=5, timeout_seconds=3,
                                  max_retries=3, expected_codes="200,202,204")),
])
def test_monitor_syntax(text, expected):
    assert load_balancing.monitor(text) == expected


@pytest.mark.parametrize("text, words", [
    ("HTTPS", "none of PING, TCP, HTTP"), ("TCP,delay=0", "delay"),
    ("TCP,delay=x", "not a whole number"), ("TCP,interval=5", "KEY=VALUE"),
    ("TCP,5", "KEY=VALUE"), ("TCP,delay=5,delay=6", "twice"),
    ("TCP,path=/", "HTTP monitors only"), ("PING,codes=200", "HTTP monitors only"),
])
def test_bad_monitors_say_why(text, words):
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        load_balancing.monitor(text)
    assert words in str(caught.value)


@pytest.mark.parametrize("text, expected", [
    ("SOURCE_IP", SP(type=SP.SOURCE_IP)), ("http_cookie", SP(type=SP.HTTP_COOKIE)),
    ("APP_COOKIE:JSESSIONID", SP(type=SP.APP_COOKIE, cookie_name="JSESSIONID"))])
def test_persistence_syntax(text, expected):
    assert load_balancing.persistence(text) == expected


@pytest.mark.parametrize("argv, words", [
    (["lb", "create", "web", "--vip", "192.0.2.10"], "--listener PROTOCOL:PORT"),
    (["lb", "create", "web", "--member", "10.0.0.5:80", "--listener", "HTTP:80"],
     "after the --listener"),
    (["lb", "create", "web", "--algorithm", "SOURCE_IP", "--listener", "HTTP:80"],
     "after the --listener"),
    (["lb", "create", "web", "--listener", "HTTP:80", "--listener", "TCP:80"],
     "port of its own"),
    (["lb", "create", "web", "--listener", "HTTP:80", "--algorithm", "SOURCE_IP",
      "--algorithm", "ROUND_ROBIN"], "twice for listener HTTP:80"),
    (["lb", "create", "web", "--listener", "HTTP:80", "--monitor", "TCP",
      "--monitor", "PING"], "twice"),
    (["lb", "create", "web", "--listener", "HTTP:80", "--persistence", "SOURCE_IP",
      "--persistence", "HTTP_COOKIE"], "twice"),
    (["lb", "create", "web", "--listener", "SCTP:80"], "protocol 'SCTP'"),
    (["lb", "create", "web", "--listener", "80"], "PROTOCOL:PORT"),
    (["lb", "create", "web", "--listener", "HTTP:80", "--algorithm", "RANDOM"],
     "ROUND_ROBIN, LEAST_CONNECTIONS, SOURCE_IP"),
    (["lb", "create", "web", "--listener", "HTTP:80", "--persistence", "APP_COOKIE"],
     "cookie name"),
    (["lb", "create", "web", "--listener", "HTTP:80", "--persistence", "SOURCE_IP:x"],
     "only APP_COOKIE"),
    (["lb", "create", "web", "--vip", "192.0.2.300", "--listener", "HTTP:80"], "address"),
    (["lb", "create", "--listener", "HTTP:80"], "NAME"),
    (["lb", "list", "--limit", "0"], "greater than 0"),
    (["lb", "show"], "ID"),
    (["lb", "member", "add", "lb-1", "p-1"], "MEMBER"),
    (["lb", "member", "add", "lb-1", "p-1", "10.0.0.5:80:2", "--weight", "3"],
     "weight is given twice"),
    (["lb", "member", "update", "lb-1", "p-1", "m-1"], "--weight"),
    (["lb", "member", "update", "lb-1", "p-1", "m-1", "--weight", "0"], "1-256"),
    (["lb", "member", "frob", "lb-1"], "invalid choice"),
    (["lb", "monitor", "set", "lb-1", "p-1"], "MONITOR"),
    (["lb", "monitor", "set", "lb-1", "p-1", "TCP,path=/x"], "HTTP monitors only"),
    (["lb"], "ACTION"),
])
def test_usage_errors_exit_2_with_a_clear_message(argv, words, capsys):
    assert words in _usage_error(argv, capsys)


# -- output ---------------------------------------------------------------------------------

def test_show_flattens_listeners_pools_monitors_and_members():
    fields = dict(load_balancing.load_balancer_fields(sample_lb()))
    assert fields["provisioning_status"] == "ACTIVE" and fields["extra"] == "lbvserver=web-80"
    assert "listeners" not in fields
    assert fields["listeners[0]"] == "HTTP:80 id=lis-1"
    assert fields["listeners[0].pool"] == \
        "id=pool-1 algorithm=LEAST_CONNECTIONS persistence=APP_COOKIE:sid"
    assert fields["listeners[0].pool.monitor"] == \
        "HTTP,delay=5,timeout=3,retries=3,path=/healthz,codes=200,202"
    # The monitor is printed as --monitor takes it.
    assert load_balancing.monitor(fields["listeners[0].pool.monitor"]) == \
        sample_lb().listeners[0].default_pool.health_monitor
    assert fields["listeners[0].pool.members[0]"] == \
        "id=m-1 address=10.0.0.5 port=8080 weight=2 status=ONLINE"
    assert fields["listeners[0].pool.members[1]"] == \
        "id=m-2 server=vm-9 address=10.1.1.9 port=8080 weight=1 status=OFFLINE"
    assert fields["listeners[1].pool"] == "id=pool-2 algorithm=ROUND_ROBIN"
    assert fields["listeners[1].pool.monitor"] == "none"
    assert "listeners[1].pool.members[0]" not in fields


def test_list_columns():
    text = output.columns_table(load_balancing.LB_COLUMNS,
                                [sample_lb(), pb.LoadBalancer(id="lb-2",
                                                              vip_network_id="net-1")])
    header, first, second = text.splitlines()
    assert header.split() == ["ID", "NAME", "VIP", "PROVISIONING", "OPERATING", "LISTENERS",
                              "MEMBERS"]
    assert first.split() == ["lb-1", "web", "192.0.2.10", "ACTIVE", "ONLINE", "HTTP:80,",
                             "TCP:443", "2"]
    assert second.split() == ["lb-2", "network:net-1", "UNKNOWN", "UNKNOWN", "0"]


def test_operation_list_names_the_load_balancer():
    op = operations_pb2.Operation(name="operations/x", done=True)
    op.response.Pack(sample_lb())
    assert output.result_text(op) == "load balancer lb-1 ACTIVE"


# -- against a fake server ----------------------------------------------------------------

class FakeLoadBalancing(load_balancing_pb2_grpc.LoadBalancingServicer,
                        operations_pb2_grpc.OperationsServicer):
    """Each mutating call finishes at once; GetOperation returns it. ``refuse`` makes the
    next create fail as a driver refuses an option."""

    def __init__(self) -> None:
        self.requests: list = []
        self.ops: dict[str, operations_pb2.Operation] = {}
        self.refuse: status_pb2.Status | None = None
        self.pages = [[sample_lb()], [pb.LoadBalancer(id="lb-2", name="api")]]

    def _operation(self, verb: str, target: str, response) -> operations_pb2.Operation:
        op = operations_pb2.Operation(name=f"operations/{len(self.ops) + 1}", done=False)
        op.metadata.Pack(common_pb2.OperationMetadata(verb=verb, target=target))
        done = operations_pb2.Operation()
        done.CopyFrom(op)
        done.done = True
        done.metadata.Pack(common_pb2.OperationMetadata(verb=verb, target=target,
                                                        progress_percent=100))
        done.response.Pack(response)
        self.ops[op.name] = done
        return op

    def CreateLoadBalancer(self, request, context):
        self.requests.append(request)
        if self.refuse is not None:
            context.abort_with_status(rpc_status.to_status(self.refuse))
        return self._operation("CreateLoadBalancer", "lb-1", sample_lb())

    def GetLoadBalancer(self, request, context):
        self.requests.append(request)
        if request.id != "lb-1":
            context.abort(grpc.StatusCode.NOT_FOUND, f"no load balancer {request.id}")
        return sample_lb()

    def ListLoadBalancers(self, request, context):
        self.requests.append(request)
        index = int(request.page_token or 0)
        return pb.ListLoadBalancersResponse(
            load_balancers=self.pages[index],
            next_page_token=str(index + 1) if index + 1 < len(self.pages) else "")

    def DeleteLoadBalancer(self, request, context):
        self.requests.append(request)
        return self._operation("DeleteLoadBalancer", request.id, empty_pb2.Empty())

    def _update(self, verb: str):
        def handler(request, context):
            self.requests.append(request)
            return self._operation(verb, request.load_balancer_id, sample_lb())
        return handler

    def __getattribute__(self, name):
        if name in ("AddMember", "RemoveMember", "UpdateMember", "SetHealthMonitor",
                    "DeleteHealthMonitor"):
            return self._update(name)
        return super().__getattribute__(name)

    def GetOperation(self, request, context):
        return self.ops[request.name]


@pytest.fixture
def fake():
    servicer = FakeLoadBalancing()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    load_balancing_pb2_grpc.add_LoadBalancingServicer_to_server(servicer, server)
    operations_pb2_grpc.add_OperationsServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    servicer.endpoint = f"127.0.0.1:{port}"
    yield servicer
    server.stop(None)


def run(fake, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = app.run(["--endpoint", fake.endpoint, *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def _fields(text: str) -> dict[str, str]:
    rows = [line.split(None, 1) for line in text.splitlines()]
    start = rows.index(["FIELD", "VALUE"])
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows[start + 1:] if row}


def test_create_wait_prints_the_load_balancer(fake):
    code, out, err = run(fake, "lb", "create", "web", "--vip", "192.0.2.10",
                         "--listener", "HTTP:80", "--member", "10.0.0.5:8080", "--wait")
    assert code == 0, err
    [request] = fake.requests
    assert request.request_id and request.listeners[0].default_pool.members[0].port == 8080
    assert out.splitlines()[0].startswith(
        f"CreateLoadBalancer operations/1 (request_id {request.request_id})")
    fields = _fields(out)
    assert fields["id"] == "lb-1" and fields["provisioning_status"] == "ACTIVE"
    assert fields["listeners[0].pool.members[0]"].startswith("id=m-1 ")


def test_create_without_wait_prints_the_operation_and_request_id(fake):
    code, out, _ = run(fake, "lb", "create", "web", "--listener", "TCP:22",
                       "--request-id", "rid-7")
    assert code == 0
    assert out == "CreateLoadBalancer started: operations/1 (request_id rid-7)\n"
    assert fake.requests[0].request_id == "rid-7"


def test_create_wait_json_has_the_load_balancer(fake):
    code, out, _ = run(fake, "lb", "create", "web", "--listener", "TCP:22", "--wait",
                       "--json")
    doc = json.loads(out)
    assert code == 0 and doc["request_id"] == fake.requests[0].request_id
    assert doc["load_balancer"]["id"] == "lb-1" and doc["operation"]["done"] is True


def test_an_unsupported_option_is_printed_with_the_option_and_exits_1(fake):
    status = status_pb2.Status(
        code=code_pb2.UNIMPLEMENTED,
        message="session persistence APP_COOKIE is not supported by the cloudstack driver")
    status.details.add().Pack(error_details_pb2.ErrorInfo(
        reason="UNSUPPORTED_OPTION", domain="translator",
        metadata={"option": "persistence:APP_COOKIE", "backend": "cloudstack"}))
    fake.refuse = status
    code, out, err = run(fake, "lb", "create", "web", "--listener", "HTTP:80",
                         "--persistence", "APP_COOKIE:sid", "--request-id", "rid-9")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == ("error: UNIMPLEMENTED: session persistence APP_COOKIE is not "
                        "supported by the cloudstack driver")
    assert "option=persistence:APP_COOKIE" in lines[1]
    assert "--request-id rid-9" in lines[-1]


def test_list_pages_and_limit(fake):
    code, out, _ = run(fake, "lb", "list")
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == ["lb-1", "lb-2"]
    code, out, _ = run(fake, "lb", "list", "--limit", "1", "--json")
    assert [lb["id"] for lb in json.loads(out)] == ["lb-1"]
    assert fake.requests[-1].page_size == 1


def test_show_table_json_and_not_found(fake):
    code, out, _ = run(fake, "lb", "show", "lb-1")
    assert code == 0 and _fields(out)["listeners[1]"] == "TCP:443 id=lis-2"
    code, out, _ = run(fake, "lb", "show", "lb-1", "--json")
    doc = json.loads(out)
    assert doc["listeners"][0]["default_pool"]["session_persistence"] == {
        "type": "APP_COOKIE", "cookie_name": "sid"}
    code, out, err = run(fake, "lb", "show", "nope")
    assert code == 1 and err.startswith("error: NOT_FOUND: no load balancer nope")


def test_delete_wait_reports_done(fake):
    code, out, _ = run(fake, "lb", "delete", "lb-1", "--wait")
    assert code == 0 and out.splitlines()[-1] == "DeleteLoadBalancer lb-1 done"
    assert fake.requests[0] == pb.DeleteLoadBalancerRequest(
        request_id=fake.requests[0].request_id, id="lb-1")


@pytest.mark.parametrize("argv, expected", [
    (["member", "add", "lb-1", "pool-1", "10.0.0.7:80", "--weight", "4"],
     pb.AddMemberRequest(load_balancer_id="lb-1", pool_id="pool-1",
                         member=pb.Member(address="10.0.0.7", port=80, weight=4))),
    (["member", "add", "lb-1", "pool-1", "server=vm-3:80:2"],
     pb.AddMemberRequest(load_balancer_id="lb-1", pool_id="pool-1",
                         member=pb.Member(server_id="vm-3", port=80, weight=2))),
    (["member", "remove", "lb-1", "pool-1", "m-1"],
     pb.RemoveMemberRequest(load_balancer_id="lb-1", pool_id="pool-1", member_id="m-1")),
    (["member", "update", "lb-1", "pool-1", "m-1", "--weight", "9"],
     pb.UpdateMemberRequest(load_balancer_id="lb-1", pool_id="pool-1", member_id="m-1",
                            weight=9)),
    (["monitor", "set", "lb-1", "pool-1", "HTTP,path=/up,retries=5"],
     pb.SetHealthMonitorRequest(load_balancer_id="lb-1", pool_id="pool-1",
                                health_monitor=HM(type=HM.HTTP, delay_seconds=5,
                                                  timeout_seconds=3, max_retries=5,
                                                  url_path="/up"))),
    (["monitor", "delete", "lb-1", "pool-1"],
     pb.DeleteHealthMonitorRequest(load_balancer_id="lb-1", pool_id="pool-1")),
])
def test_pool_commands_send_their_request_and_wait(fake, argv, expected):
    code, out, err = run(fake, "lb", *argv, "--wait", "--request-id", "rid-3")
    assert code == 0, err
    expected.request_id = "rid-3"
    assert fake.requests == [expected]
    assert _fields(out)["id"] == "lb-1"


def test_finished_load_balancer_is_reported_like_show():
    out, err = io.StringIO(), io.StringIO()
    op = operations_pb2.Operation(name="operations/1", done=True)
    op.response.Pack(sample_lb())
    assert operations.report_done(output.Console(False, out, err), op) == 0
    assert _fields(out.getvalue())["listeners[0].pool.monitor"].startswith("HTTP,delay=5")
