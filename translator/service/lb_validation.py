"""Shape checks of LoadBalancing requests, before any driver sees them.

What a backend cannot do is the driver's to refuse (its ``check_*``
methods); here only what no backend could accept: bad ports, weights,
timings, paths and codes.
"""

from __future__ import annotations

import ipaddress
import re

from translator.api.v1 import load_balancing_pb2 as pb
from translator.service.validation import MAX_ID, Validator

MAX_LISTENERS = 16
MAX_WEIGHT = 256
MAX_RETRIES = 10
MAX_DELAY = 3600
_CODES = re.compile(r"^[1-5][0-9]{2}(-[1-5][0-9]{2})?(,[1-5][0-9]{2}(-[1-5][0-9]{2})?)*$")
_PATH = re.compile(r"^/[\x21-\x7e]*$")
_COOKIE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")


def port(v: Validator, value: int, field: str) -> None:
    v.check(1 <= value <= 65535, field, f"{field} must be 1-65535")


def address(v: Validator, value: str, field: str) -> None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        v.add(field, f"{field} must be an IPv4 or IPv6 address")


def member(v: Validator, m: pb.Member, field: str) -> None:
    v.check(bool(m.address) != bool(m.server_id), field,
            f"{field} needs exactly one of address and server_id")
    if m.address:
        address(v, m.address, f"{field}.address")
    v.text(m.server_id, f"{field}.server_id", max_len=MAX_ID)
    port(v, m.port, f"{field}.port")
    v.check(0 <= m.weight <= MAX_WEIGHT, f"{field}.weight",
            f"weight must be 1-{MAX_WEIGHT} (0 means 1)")


def weight(v: Validator, value: int, field: str = "weight") -> None:
    v.check(1 <= value <= MAX_WEIGHT, field, f"{field} must be 1-{MAX_WEIGHT}")


def monitor(v: Validator, m: pb.HealthMonitor, field: str) -> None:
    v.check(m.type != pb.HealthMonitor.TYPE_UNSPECIFIED, f"{field}.type",
            "type is PING, TCP or HTTP")
    v.check(1 <= m.delay_seconds <= MAX_DELAY, f"{field}.delay_seconds",
            f"delay_seconds must be 1-{MAX_DELAY}")
    v.check(1 <= m.timeout_seconds <= max(m.delay_seconds, 1), f"{field}.timeout_seconds",
            "timeout_seconds must be at least 1 and at most delay_seconds")
    v.check(1 <= m.max_retries <= MAX_RETRIES, f"{field}.max_retries",
            f"max_retries must be 1-{MAX_RETRIES}")
    if m.type == pb.HealthMonitor.HTTP:
        v.check(not m.url_path or bool(_PATH.match(m.url_path)) and len(m.url_path) <= 1024,
                f"{field}.url_path", "url_path is an absolute path, e.g. /healthz")
        v.check(not m.expected_codes or bool(_CODES.match(m.expected_codes)),
                f"{field}.expected_codes",
                "expected_codes is a code, a list or a range: 200, 200,202 or 200-204")
    else:
        v.check(not m.url_path and not m.expected_codes, field,
                "url_path and expected_codes are for HTTP monitors only")


def pool(v: Validator, p: pb.Pool, field: str, max_members: int) -> None:
    v.check(len(p.members) <= max_members, f"{field}.members",
            f"at most {max_members} members ([load_balancing] max_members)")
    seen = set()
    for i, m in enumerate(p.members[:max_members]):
        member(v, m, f"{field}.members[{i}]")
        key = (m.address or m.server_id, m.port)
        v.check(key not in seen, f"{field}.members[{i}]", "the same member is given twice")
        seen.add(key)
    if p.HasField("health_monitor"):
        monitor(v, p.health_monitor, f"{field}.health_monitor")
    if p.HasField("session_persistence"):
        sp = p.session_persistence
        v.check(sp.type != pb.SessionPersistence.TYPE_UNSPECIFIED,
                f"{field}.session_persistence.type", "type is SOURCE_IP, HTTP_COOKIE or APP_COOKIE")
        if sp.type == pb.SessionPersistence.APP_COOKIE:
            v.check(bool(_COOKIE.match(sp.cookie_name)), f"{field}.session_persistence.cookie_name",
                    "APP_COOKIE needs cookie_name, a cookie name token")
        else:
            v.check(not sp.cookie_name, f"{field}.session_persistence.cookie_name",
                    "cookie_name is for APP_COOKIE only")


def create_request(request: pb.CreateLoadBalancerRequest, max_members: int) -> None:
    v = Validator()
    v.request_id(request.request_id)
    v.text(request.name, "name", required=True)
    if request.vip_address:
        address(v, request.vip_address, "vip_address")
    v.text(request.vip_network_id, "vip_network_id", max_len=MAX_ID)
    v.check(1 <= len(request.listeners) <= MAX_LISTENERS, "listeners",
            f"1-{MAX_LISTENERS} listeners are needed")
    ports = set()
    for i, lis in enumerate(request.listeners[:MAX_LISTENERS]):
        field = f"listeners[{i}]"
        v.check(lis.protocol != pb.Listener.PROTOCOL_UNSPECIFIED, f"{field}.protocol",
                "protocol is TCP, HTTP, HTTPS or UDP")
        port(v, lis.port, f"{field}.port")
        v.check(lis.port not in ports, f"{field}.port", "listener ports must be unique")
        ports.add(lis.port)
        pool(v, lis.default_pool, f"{field}.default_pool", max_members)
    v.raise_if_invalid()


def target(v: Validator, request, *, member_id: bool = False) -> None:
    v.request_id(request.request_id)
    v.text(request.load_balancer_id, "load_balancer_id", required=True, max_len=MAX_ID)
    v.text(request.pool_id, "pool_id", required=True, max_len=MAX_ID)
    if member_id:
        v.text(request.member_id, "member_id", required=True, max_len=MAX_ID)
