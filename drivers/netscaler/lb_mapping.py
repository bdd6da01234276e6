"""Octavia-shaped models ↔ NITRO objects: the mapping tables and the payloads.

Tables are keyed on the proto's value names. HTTPS is TLS pass-through, as in
Octavia (TERMINATED_HTTPS would need a certificate): an SSL_BRIDGE lb
vserver, whose traffic NetScaler forwards without decrypting it.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re

from translator.drivers import models

PROTOCOLS = {"TCP": "TCP", "HTTP": "HTTP", "HTTPS": "SSL_BRIDGE", "UDP": "UDP"}
PROTOCOL_OF = {v: k for k, v in PROTOCOLS.items()}

ALGORITHMS = {"ROUND_ROBIN": "ROUNDROBIN", "LEAST_CONNECTIONS": "LEASTCONNECTION",
              "SOURCE_IP": "SOURCEIPHASH"}
ALGORITHM_OF = {v: k for k, v in ALGORITHMS.items()}

MONITORS = {"PING": "PING", "TCP": "TCP", "HTTP": "HTTP"}
MONITOR_OF = {v: k for k, v in MONITORS.items()}

#: APP_COOKIE is rule-based persistence on the application's cookie (see app_cookie_rules).
PERSISTENCE = {"SOURCE_IP": "SOURCEIP", "HTTP_COOKIE": "COOKIEINSERT", "APP_COOKIE": "RULE"}
#: Persistence kinds that read cookies: only where NetScaler sees HTTP in clear.
COOKIE_PERSISTENCE = frozenset({"HTTP_COOKIE", "APP_COOKIE"})
COOKIE_PROTOCOLS = frozenset({"HTTP"})

#: NetScaler's weights of service group members.
MAX_WEIGHT = 100

_APP_RULE = re.compile(r'^HTTP\.REQ\.COOKIE\.VALUE\("([^"]+)"\)$')

#: Member svrstate → operating status, for members a monitor watches.
UP = "UP"


def app_cookie_rules(cookie: str) -> tuple[str, str]:
    """(rule, resrule) persisting on ``cookie``: its value in requests and in Set-Cookie."""
    return (f'HTTP.REQ.COOKIE.VALUE("{cookie}")',
            f'HTTP.RES.SET_COOKIE.COOKIE("{cookie}").VALUE("{cookie}")')


def normal_ip(address: str) -> str:
    return str(ipaddress.ip_address(address))


# -- models → NITRO objects -------------------------------------------------------------


def vserver(name: str, listener: models.Listener, vip: str, comment: str,
            persistence_timeout: int) -> dict:
    obj = {"name": name, "servicetype": PROTOCOLS[listener.protocol], "ipv46": vip,
           "port": listener.port, "lbmethod": ALGORITHMS[listener.pool.algorithm],
           "comment": comment}
    persistence = listener.pool.session_persistence
    if persistence is not None:
        obj["persistencetype"] = PERSISTENCE[persistence.type]
        obj["timeout"] = persistence_timeout
        if persistence.type == "APP_COOKIE":
            obj["rule"], obj["resrule"] = app_cookie_rules(persistence.cookie_name)
    return obj


def servicegroup(name: str, listener: models.Listener, lb_id: str) -> dict:
    return {"servicegroupname": name, "servicetype": PROTOCOLS[listener.protocol],
            "comment": f"translator lb={lb_id}"}


def member_binding(servicegroup_name: str, member: models.Member) -> dict:
    return {"servicegroupname": servicegroup_name, "ip": normal_ip(member.address),
            "port": member.port, "weight": member.weight or 1}


def monitor(name: str, spec: models.HealthMonitor, *, secure: bool) -> dict:
    """An lbmonitor; ``secure`` probes HTTP over TLS (the pool is TLS pass-through)."""
    obj = {"monitorname": name, "type": MONITORS[spec.type], "interval": spec.delay_seconds,
           "resptimeout": spec.timeout_seconds, "retries": spec.max_retries}
    if spec.type == "HTTP":
        obj["httprequest"] = f"GET {spec.url_path or '/'}"
        obj["respcode"] = (spec.expected_codes or "200").split(",")
        obj["secure"] = "YES" if secure else "NO"
    return obj


def with_defaults(spec: models.HealthMonitor | None) -> models.HealthMonitor | None:
    """``spec`` with the HTTP defaults a read back shows: url_path "/", expected "200"."""
    if spec is None or spec.type != "HTTP":
        return spec
    return dataclasses.replace(spec, url_path=spec.url_path or "/",
                               expected_codes=spec.expected_codes or "200")


# -- NITRO objects → models -------------------------------------------------------------


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def health_monitor(obj: dict) -> models.HealthMonitor | None:
    kind = MONITOR_OF.get(str(obj.get("type", "")).upper())
    if kind is None:
        return None
    spec = models.HealthMonitor(type=kind, delay_seconds=_int(obj.get("interval"), 5),
                                timeout_seconds=_int(obj.get("resptimeout"), 2),
                                max_retries=_int(obj.get("retries"), 3))
    if kind == "HTTP":
        request = str(obj.get("httprequest") or "GET /")
        spec.url_path = request.split(" ", 1)[1] if " " in request else "/"
        codes = obj.get("respcode") or ["200"]
        spec.expected_codes = ",".join(codes if isinstance(codes, list) else [str(codes)])
    return spec


def session_persistence(obj: dict) -> models.SessionPersistence | None:
    kind = str(obj.get("persistencetype") or "NONE").upper()
    if kind == "SOURCEIP":
        return models.SessionPersistence("SOURCE_IP")
    if kind == "COOKIEINSERT":
        return models.SessionPersistence("HTTP_COOKIE")
    if kind == "RULE":
        match = _APP_RULE.match(str(obj.get("rule") or ""))
        if match:
            return models.SessionPersistence("APP_COOKIE", cookie_name=match.group(1))
    return None


def member(binding: dict, monitored: bool, member_id: str) -> models.Member:
    state = str(binding.get("svrstate") or "").upper()
    status = ("ONLINE" if state == UP else "OFFLINE") if monitored else "NO_MONITOR"
    return models.Member(address=str(binding.get("ip", "")), port=_int(binding.get("port")),
                         weight=_int(binding.get("weight"), 1), id=member_id,
                         operating_status=status)


def operating_status(pools: list[models.Pool]) -> str:
    """ONLINE when every watched member is up, DEGRADED when some, OFFLINE when none;
    NO_MONITOR when no monitor watches any member."""
    watched = [m for p in pools if p.health_monitor is not None for m in p.members]
    if not watched:
        return "NO_MONITOR"
    up = sum(m.operating_status == "ONLINE" for m in watched)
    return "ONLINE" if up == len(watched) else "DEGRADED" if up else "OFFLINE"
