"""``translator lb ...``: the LoadBalancing API (Octavia's shape) from a shell.

A load balancer is one VIP with listeners; each listener has a default pool
of members, an optional health monitor and session persistence. On ``lb
create`` the pool options belong to the ``--listener`` they follow, so one
command line describes several listeners::

    translator lb create web --vip 192.0.2.10 \\
        --listener HTTP:80 --algorithm LEAST_CONNECTIONS \\
            --member 10.0.0.5:8080 --member 10.0.0.6:8080:5 \\
            --monitor HTTP,delay=5,path=/healthz,codes=200-204 --persistence HTTP_COOKIE \\
        --listener TCP:443 --member 10.0.0.5:8443

Members are ``ADDRESS:PORT[:WEIGHT]`` (``[IPv6]:PORT[:WEIGHT]``) or
``server=ID:PORT[:WEIGHT]`` (a Compute API server); monitors are
``TYPE[,delay=S,timeout=S,retries=N,path=/p,codes=200,202]``. What is badly
written exits 2 before any call; what the configured backend cannot do the
server refuses (UNIMPLEMENTED or INVALID_ARGUMENT naming the option). Every
mutating command sends a request_id and starts an Operation that ``--wait``
follows to the load balancer as the change left it.
"""

from __future__ import annotations

import argparse
import ipaddress
from typing import TYPE_CHECKING

from translator.api.v1 import load_balancing_pb2 as pb
from translator.cli import errors, operations, output
from translator.cli.compute import request_id

if TYPE_CHECKING:
    from translator.cli.app import Client

MAX_WEIGHT = 256
MONITOR_DEFAULTS = {"delay": 5, "timeout": 3, "retries": 3}
# --monitor's keys → HealthMonitor fields.
MONITOR_KEYS = {"delay": "delay_seconds", "timeout": "timeout_seconds",
                "retries": "max_retries", "path": "url_path", "codes": "expected_codes"}
HTTP_ONLY_KEYS = ("path", "codes")


def _names(enum) -> list[str]:
    return [name for name in enum.keys() if not name.endswith("_UNSPECIFIED")]


PROTOCOLS = _names(pb.Listener.Protocol)
ALGORITHMS = _names(pb.Pool.Algorithm)
MONITOR_TYPES = _names(pb.HealthMonitor.Type)
PERSISTENCE_TYPES = _names(pb.SessionPersistence.Type)


# -- argument types (each raises ArgumentTypeError: argparse exits 2 with its message) --------

def _enum(enum, text: str, what: str) -> int:
    name = text.strip().upper().replace("-", "_")
    if name not in _names(enum):
        raise argparse.ArgumentTypeError(
            f"{what} {text!r} is none of {', '.join(_names(enum))}")
    return enum.Value(name)


def _number(text: str, what: str, low: int = 1, high: int | None = None) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} {text!r} is not a whole number") from None
    if value < low or (high is not None and value > high):
        span = f"{low}-{high}" if high is not None else f"at least {low}"
        raise argparse.ArgumentTypeError(f"{what} {text!r} must be {span}")
    return value


def port(text: str) -> int:
    return _number(text, "port", 1, 65535)


def weight(text: str) -> int:
    return _number(text, "weight", 1, MAX_WEIGHT)


def ip_address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IPv4 or IPv6 address") from None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def algorithm(text: str) -> int:
    return _enum(pb.Pool.Algorithm, text, "algorithm")


def listener(text: str) -> pb.Listener:
    """``PROTOCOL:PORT``, e.g. ``HTTP:80``."""
    protocol, sep, number = text.rpartition(":")
    if not sep or not protocol:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not PROTOCOL:PORT (e.g. HTTP:80; protocols {', '.join(PROTOCOLS)})")
    return pb.Listener(protocol=_enum(pb.Listener.Protocol, protocol, "protocol"),
                       port=port(number), default_pool=pb.Pool())


def member(text: str) -> pb.Member:
    """``ADDRESS:PORT[:WEIGHT]``, ``[IPv6]:PORT[:WEIGHT]`` or ``server=ID:PORT[:WEIGHT]``."""
    usage = (f"{text!r} is not ADDRESS:PORT[:WEIGHT], [IPV6]:PORT[:WEIGHT] or "
             "server=ID:PORT[:WEIGHT]")
    if text.startswith("server="):
        ident, _, rest = text.removeprefix("server=").partition(":")
        if not ident.strip():
            raise argparse.ArgumentTypeError(usage)
        result = pb.Member(server_id=ident.strip())
    elif text.startswith("["):
        address, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise argparse.ArgumentTypeError(usage)
        result, rest = pb.Member(address=ip_address(address)), rest[1:]
    else:
        address, _, rest = text.partition(":")
        if text.count(":") > 2 and not _is_ip(address):
            raise argparse.ArgumentTypeError(
                f"{text!r}: write an IPv6 member in brackets, e.g. [2001:db8::5]:8080")
        result = pb.Member(address=ip_address(address))
    parts = rest.split(":") if rest else []
    if len(parts) not in (1, 2):
        raise argparse.ArgumentTypeError(usage)
    result.port = port(parts[0])
    if len(parts) == 2:
        result.weight = weight(parts[1])
    return result


def monitor(text: str) -> pb.HealthMonitor:
    """``TYPE[,delay=S,timeout=S,retries=N,path=/p,codes=C]``; delay 5, retries 3 and a
    timeout of 3 (less than the delay) unless given. ``codes`` may hold commas itself
    (``codes=200,202``): a bare item after it continues the list."""
    kind, *items = text.split(",")
    result = pb.HealthMonitor(type=_enum(pb.HealthMonitor.Type, kind, "monitor type"))
    given: dict[str, str] = {}
    last = ""
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep and last == "codes":
            given["codes"] += "," + item.strip()
            continue
        if not sep or key not in MONITOR_KEYS:
            raise argparse.ArgumentTypeError(
                f"monitor setting {item!r} is not KEY=VALUE with KEY one of "
                f"{', '.join(MONITOR_KEYS)}")
        if key in given:
            raise argparse.ArgumentTypeError(f"monitor setting {key!r} is given twice")
        given[key], last = value.strip(), key
    if result.type != pb.HealthMonitor.HTTP and any(k in given for k in HTTP_ONLY_KEYS):
        raise argparse.ArgumentTypeError(
            f"path and codes are for HTTP monitors only, not {kind.strip().upper()}")
    delay = _number(given.get("delay", str(MONITOR_DEFAULTS["delay"])), "monitor delay")
    # Below the delay, as NetScaler requires (and 1 when the delay is 1 second).
    timeout = given.get("timeout", str(min(MONITOR_DEFAULTS["timeout"], max(1, delay - 1))))
    result.delay_seconds = delay
    result.timeout_seconds = _number(timeout, "monitor timeout")
    result.max_retries = _number(given.get("retries", str(MONITOR_DEFAULTS["retries"])),
                                 "monitor retries")
    result.url_path = given.get("path", "")
    result.expected_codes = given.get("codes", "")
    return result


def persistence(text: str) -> pb.SessionPersistence:
    """``SOURCE_IP``, ``HTTP_COOKIE`` or ``APP_COOKIE:COOKIE_NAME``."""
    kind, sep, cookie = text.partition(":")
    result = pb.SessionPersistence(
        type=_enum(pb.SessionPersistence.Type, kind, "persistence"), cookie_name=cookie.strip())
    if result.type == pb.SessionPersistence.APP_COOKIE and not result.cookie_name:
        raise argparse.ArgumentTypeError("APP_COOKIE needs the application's cookie name: "
                                         "APP_COOKIE:NAME")
    if result.type != pb.SessionPersistence.APP_COOKIE and sep:
        raise argparse.ArgumentTypeError("only APP_COOKIE takes a cookie name")
    return result


# -- lb create: pool options belong to the --listener before them ------------------------

class _ListenerAction(argparse.Action):
    """``--listener PROTOCOL:PORT`` starts a listener; the pool options after it fill it."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), values])


class _PoolAction(argparse.Action):
    """``--algorithm/--member/--monitor/--persistence``: set on the last ``--listener``."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        listeners = getattr(namespace, "listeners", None)
        if not listeners:
            raise argparse.ArgumentError(
                self, "give it after the --listener PROTOCOL:PORT whose pool it configures")
        lis = listeners[-1]
        pool = lis.default_pool
        if self.dest == "members":
            pool.members.append(values)
            return
        field = {"algorithm": "algorithm", "monitor": "health_monitor",
                 "persistence": "session_persistence"}[self.dest]
        already = pool.algorithm if field == "algorithm" else pool.HasField(field)
        if already:
            raise argparse.ArgumentError(
                self, f"given twice for listener {listener_text(lis)}")
        if field == "algorithm":
            pool.algorithm = values
        else:
            getattr(pool, field).CopyFrom(values)


def check_create(args: argparse.Namespace) -> str | None:
    """Why ``lb create`` cannot work as given, or None."""
    if not args.listeners:
        return "give at least one --listener PROTOCOL:PORT (e.g. --listener HTTP:80)"
    ports = [lis.port for lis in args.listeners]
    if len(set(ports)) != len(ports):
        return "each --listener needs a port of its own"
    return None


def create_request(args: argparse.Namespace, rid: str) -> pb.CreateLoadBalancerRequest:
    return pb.CreateLoadBalancerRequest(
        request_id=rid, name=args.name, vip_address=args.vip or "",
        vip_network_id=args.vip_network or "", listeners=args.listeners)


def check_member_add(args: argparse.Namespace) -> str | None:
    if args.weight is not None and args.member.weight and args.weight != args.member.weight:
        return "the weight is given twice (MEMBER's :WEIGHT and --weight)"
    return None


# -- output -------------------------------------------------------------------------------

def _enum_name(enum, value: int) -> str:
    number = enum.DESCRIPTOR.values_by_number.get(value)
    return number.name if number and number.number else ""


def listener_text(lis: pb.Listener) -> str:
    return f"{_enum_name(pb.Listener.Protocol, lis.protocol) or '?'}:{lis.port}"


def monitor_text(m: pb.HealthMonitor) -> str:
    """A monitor written as ``--monitor`` takes it, so it can be copied back."""
    text = (f"{_enum_name(pb.HealthMonitor.Type, m.type)},delay={m.delay_seconds},"
            f"timeout={m.timeout_seconds},retries={m.max_retries}")
    if m.url_path:
        text += f",path={m.url_path}"
    if m.expected_codes:
        text += f",codes={m.expected_codes}"
    return text


def persistence_text(sp: pb.SessionPersistence) -> str:
    kind = _enum_name(pb.SessionPersistence.Type, sp.type)
    return f"{kind}:{sp.cookie_name}" if sp.cookie_name else kind


def member_text(m: pb.Member) -> str:
    parts = [f"id={m.id}"] if m.id else []
    if m.server_id:
        parts.append(f"server={m.server_id}")
    if m.address:
        parts.append(f"address={m.address}")
    parts += [f"port={m.port}", f"weight={m.weight}"]
    status = _enum_name(pb.LoadBalancer.OperatingStatus, m.operating_status)
    if status:
        parts.append(f"status={status}")
    return " ".join(parts)


def pool_text(p: pb.Pool) -> str:
    parts = [f"id={p.id}"] if p.id else []
    parts.append(f"algorithm={_enum_name(pb.Pool.Algorithm, p.algorithm) or 'default'}")
    if p.HasField("session_persistence"):
        parts.append(f"persistence={persistence_text(p.session_persistence)}")
    return " ".join(parts)


def load_balancer_fields(lb: pb.LoadBalancer) -> list[tuple[str, str]]:
    """The top-level fields, then a row per listener, pool, monitor and member."""
    pairs = output.message_fields(lb, skip=("listeners",))
    for i, lis in enumerate(lb.listeners):
        prefix = f"listeners[{i}]"
        pairs.append((prefix, f"{listener_text(lis)} id={lis.id}" if lis.id
                      else listener_text(lis)))
        pool = lis.default_pool
        pairs.append((f"{prefix}.pool", pool_text(pool)))
        pairs.append((f"{prefix}.pool.monitor", monitor_text(pool.health_monitor)
                      if pool.HasField("health_monitor") else "none"))
        pairs += [(f"{prefix}.pool.members[{j}]", member_text(m))
                  for j, m in enumerate(pool.members)]
    return pairs


def _status(enum, value: int) -> str:
    return _enum_name(enum, value) or "UNKNOWN"


LB_COLUMNS: list[output.Column] = [
    ("ID", lambda lb: lb.id), ("NAME", lambda lb: lb.name),
    ("VIP", lambda lb: lb.vip_address or (f"network:{lb.vip_network_id}"
                                          if lb.vip_network_id else "")),
    ("PROVISIONING", lambda lb: _status(pb.LoadBalancer.ProvisioningStatus,
                                        lb.provisioning_status)),
    ("OPERATING", lambda lb: _status(pb.LoadBalancer.OperatingStatus, lb.operating_status)),
    ("LISTENERS", lambda lb: ", ".join(listener_text(x) for x in lb.listeners)),
    ("MEMBERS", lambda lb: sum(len(x.default_pool.members) for x in lb.listeners))]

# A finished operation's LoadBalancer is reported as `lb show` prints it.
operations.RESULT_VIEWS[pb.LoadBalancer] = ("load_balancer", load_balancer_fields)


# -- commands -------------------------------------------------------------------------------

def _verb(args, client: Client, console: output.Console, rpc: str, request_type,
          **fields) -> int:
    """Send one mutating request with a request_id and handle the Operation it starts."""
    rid = request_id(args)
    op = getattr(client.load_balancing, rpc)(request_type(request_id=rid, **fields),
                                             timeout=client.timeout)
    return operations.started(client, console, op, rid, args.wait)


def lb_create(args, client: Client, console: output.Console) -> int:
    rid = request_id(args)
    op = client.load_balancing.CreateLoadBalancer(create_request(args, rid),
                                                  timeout=client.timeout)
    return operations.started(client, console, op, rid, args.wait)


def lb_list(args, client: Client, console: output.Console) -> int:
    items = client.list_all(client.load_balancing.ListLoadBalancers,
                            pb.ListLoadBalancersRequest, "load_balancers", args.limit)
    if console.json_mode:
        console.json([output.to_dict(lb) for lb in items])
    else:
        console.line(output.columns_table(LB_COLUMNS, items))
    return errors.EXIT_OK


def lb_show(args, client: Client, console: output.Console) -> int:
    lb = client.load_balancing.GetLoadBalancer(pb.GetLoadBalancerRequest(id=args.id),
                                               timeout=client.timeout)
    if console.json_mode:
        console.json(output.to_dict(lb))
    else:
        console.line(output.fields_table(load_balancer_fields(lb)))
    return errors.EXIT_OK


def lb_delete(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "DeleteLoadBalancer", pb.DeleteLoadBalancerRequest,
                 id=args.id)


def member_add(args, client: Client, console: output.Console) -> int:
    new = pb.Member()
    new.CopyFrom(args.member)
    if args.weight is not None:
        new.weight = args.weight
    return _verb(args, client, console, "AddMember", pb.AddMemberRequest,
                 load_balancer_id=args.lb, pool_id=args.pool, member=new)


def member_remove(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "RemoveMember", pb.RemoveMemberRequest,
                 load_balancer_id=args.lb, pool_id=args.pool, member_id=args.member)


def member_update(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "UpdateMember", pb.UpdateMemberRequest,
                 load_balancer_id=args.lb, pool_id=args.pool, member_id=args.member,
                 weight=args.weight)


def monitor_set(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "SetHealthMonitor", pb.SetHealthMonitorRequest,
                 load_balancer_id=args.lb, pool_id=args.pool, health_monitor=args.monitor)


def monitor_delete(args, client: Client, console: output.Console) -> int:
    return _verb(args, client, console, "DeleteHealthMonitor", pb.DeleteHealthMonitorRequest,
                 load_balancer_id=args.lb, pool_id=args.pool)


# -- the parsers ------------------------------------------------------------------------------
# app.py's conventions: func and subparser defaults, the common options, --request-id, --wait.

MEMBER_HELP = "ADDRESS:PORT[:WEIGHT], [IPV6]:PORT[:WEIGHT] or server=ID:PORT[:WEIGHT]"
MONITOR_HELP = ("TYPE[,delay=S,timeout=S,retries=N,path=/PATH,codes=CODES]; TYPE is "
                f"{', '.join(MONITOR_TYPES)}; delay 5, timeout 3 (below the delay), "
                "retries 3 unless given; path and codes (200, 200,202 or 200-204) for HTTP")


def _action(actions, name: str, func, common, text: str,
            mutating: bool = False) -> argparse.ArgumentParser:
    sub = actions.add_parser(name, parents=[common], help=text, description=text)
    sub.set_defaults(func=func, subparser=sub)
    if mutating:
        sub.add_argument("--request-id", metavar="ID",
                         help="idempotency key: repeating it repeats nothing (default: new uuid4)")
        sub.add_argument("--wait", action="store_true",
                         help="follow the operation and show progress until it is done")
    return sub


def _pool_target(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("lb", metavar="LB", help="a load balancer id")
    sub.add_argument("pool", metavar="POOL", help="a pool id, as `lb show` prints it")


def _create_parser(actions, common) -> None:
    sub = _action(actions, "create", lb_create, common,
                  "create a load balancer; --algorithm, --member, --monitor and --persistence\n"
                  "configure the pool of the --listener they follow", mutating=True)
    sub.formatter_class = argparse.RawDescriptionHelpFormatter
    sub.epilog = ("example:\n  translator lb create web --vip 192.0.2.10 \\\n"
                  "    --listener HTTP:80 --member 10.0.0.5:8080 --member 10.0.0.6:8080:5 \\\n"
                  "      --monitor HTTP,path=/healthz --persistence HTTP_COOKIE \\\n"
                  "    --listener TCP:443 --algorithm SOURCE_IP --member 10.0.0.5:8443 --wait")
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--vip", metavar="ADDRESS", type=ip_address,
                     help="the virtual IP (with --vip-network: that address of the network)")
    sub.add_argument("--vip-network", metavar="NETWORK",
                     help="a network to take the virtual IP from")
    sub.add_argument("--listener", metavar="PROTOCOL:PORT", dest="listeners",
                     action=_ListenerAction, type=listener, default=[],
                     help=f"a listener ({', '.join(PROTOCOLS)}); repeatable")
    sub.add_argument("--algorithm", action=_PoolAction, type=algorithm,
                     metavar="|".join(ALGORITHMS), help="default ROUND_ROBIN")
    sub.add_argument("--member", metavar="MEMBER", dest="members", action=_PoolAction,
                     type=member, help=f"{MEMBER_HELP}; repeatable")
    sub.add_argument("--monitor", metavar="MONITOR", action=_PoolAction, type=monitor,
                     help=MONITOR_HELP)
    sub.add_argument("--persistence", metavar="SOURCE_IP|HTTP_COOKIE|APP_COOKIE:NAME",
                     action=_PoolAction, type=persistence, help="session persistence")
    sub.set_defaults(check=check_create)


def add_parsers(commands, common) -> None:
    text = "load balancers (Octavia): listeners, pools, members, health monitors"
    parser = commands.add_parser("lb", help=text, description=text)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    _create_parser(actions, common)
    _action(actions, "list", lb_list, common, "list load balancers").add_argument(
        "--limit", metavar="N", type=errors.positive_int,
        help="stop after N items (default: all pages)")
    _action(actions, "show", lb_show, common,
            "show a load balancer: listeners, pools, members and their health, monitors"
            ).add_argument("id", metavar="ID")
    _action(actions, "delete", lb_delete, common,
            "delete a load balancer with its listeners, pools, members and monitors",
            mutating=True).add_argument("id", metavar="ID")

    text = "the members of a pool"
    members = actions.add_parser("member", help=text, description=text).add_subparsers(
        dest="member_action", metavar="ACTION", required=True)
    sub = _action(members, "add", member_add, common, "add a member to a pool", mutating=True)
    _pool_target(sub)
    sub.add_argument("member", metavar="MEMBER", type=member, help=MEMBER_HELP)
    sub.add_argument("--weight", metavar="N", type=weight, help=f"1-{MAX_WEIGHT} (default 1)")
    sub.set_defaults(check=check_member_add)
    sub = _action(members, "remove", member_remove, common, "remove a member from a pool",
                  mutating=True)
    _pool_target(sub)
    sub.add_argument("member", metavar="MEMBER", help="a member id, as `lb show` prints it")
    sub = _action(members, "update", member_update, common, "change a member's weight",
                  mutating=True)
    _pool_target(sub)
    sub.add_argument("member", metavar="MEMBER", help="a member id, as `lb show` prints it")
    sub.add_argument("--weight", metavar="N", type=weight, required=True,
                     help=f"1-{MAX_WEIGHT}")

    text = "the health monitor of a pool"
    monitors = actions.add_parser("monitor", help=text, description=text).add_subparsers(
        dest="monitor_action", metavar="ACTION", required=True)
    sub = _action(monitors, "set", monitor_set, common,
                  "create or replace a pool's health monitor", mutating=True)
    _pool_target(sub)
    sub.add_argument("monitor", metavar="MONITOR", type=monitor, help=MONITOR_HELP)
    _pool_target(_action(monitors, "delete", monitor_delete, common,
                         "remove a pool's health monitor", mutating=True))
