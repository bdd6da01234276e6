"""What the netscaler driver refuses, decided without I/O before anything is made.

Each refusal names the option (``UnsupportedOption``, with the ``kind:VALUE``
names of the capabilities) or the field (``InvalidInput``) and says why
NetScaler cannot honour it.
"""

from __future__ import annotations

import re

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.netscaler import lb_mapping as mapping
from translator_drivers.netscaler import lb_names as names
from translator_drivers.netscaler.nitro_errors import BACKEND

#: A cookie name token (RFC 6265), which also keeps the persistence rule's quoting intact.
_COOKIE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")


def _unsupported(option: str, why: str) -> exc.UnsupportedOption:
    return exc.UnsupportedOption(f"{option} is not supported by the netscaler driver: {why}",
                                 option=option, backend=BACKEND)


def _invalid(field: str, why: str) -> exc.InvalidInput:
    return exc.InvalidInput(why, field=field, backend=BACKEND)


def member(m: models.Member, field: str = "member") -> None:
    if m.server_id:
        raise _unsupported("member.server_id", "NetScaler knows no Compute servers; give the "
                                               "member's address and port")
    if not m.address:
        raise _invalid(f"{field}.address", "NetScaler needs the member's address")
    if not 1 <= (m.weight or 1) <= mapping.MAX_WEIGHT:
        raise _invalid(f"{field}.weight", f"NetScaler weights are 1-{mapping.MAX_WEIGHT}")


def weight(value: int, field: str = "weight") -> None:
    if not 1 <= value <= mapping.MAX_WEIGHT:
        raise _invalid(field, f"NetScaler weights are 1-{mapping.MAX_WEIGHT}")


def monitor(m: models.HealthMonitor, field: str = "health_monitor") -> None:
    if m.type not in mapping.MONITORS:
        raise _unsupported(f"monitor:{m.type}", "NetScaler monitors here are PING, TCP and HTTP")
    if m.timeout_seconds >= m.delay_seconds:
        raise _invalid(f"{field}.timeout_seconds",
                       "NetScaler needs the response timeout shorter than the interval "
                       "(timeout_seconds < delay_seconds)")


def _pool(listener: models.Listener, field: str) -> None:
    pool = listener.pool
    if pool.algorithm not in mapping.ALGORITHMS:
        raise _unsupported(f"algorithm:{pool.algorithm}", "no NetScaler lbmethod matches it")
    persistence = pool.session_persistence
    if persistence is not None:
        if persistence.type not in mapping.PERSISTENCE:
            raise _unsupported(f"persistence:{persistence.type}", "no NetScaler persistence "
                                                                   "type matches it")
        if persistence.type in mapping.COOKIE_PERSISTENCE and \
                listener.protocol not in mapping.COOKIE_PROTOCOLS:
            raise _unsupported(f"persistence:{persistence.type}",
                               "cookies are readable on HTTP listeners only, not on "
                               f"{listener.protocol} ones"
                               + (" (NetScaler forwards HTTPS without decrypting it)"
                                  if listener.protocol == "HTTPS" else ""))
        if persistence.type == "APP_COOKIE" and not _COOKIE.match(persistence.cookie_name):
            raise _invalid(f"{field}.session_persistence.cookie_name",
                           "APP_COOKIE needs cookie_name, a cookie name token")
    if pool.health_monitor is not None:
        monitor(pool.health_monitor, f"{field}.health_monitor")
    for i, m in enumerate(pool.members):
        member(m, f"{field}.members[{i}]")


def load_balancer(spec: models.LoadBalancerSpec) -> None:
    if spec.vip_network_id:
        raise _unsupported("vip_network_id", "NetScaler takes no address from a network; "
                                             "give vip_address")
    if not spec.vip_address:
        raise _invalid("vip_address", "NetScaler needs the VIP address (vip_address)")
    if not names.name_fits(spec.name):
        raise _invalid("name", f"NetScaler keeps the name in a comment: at most "
                               f"{names.comment_room()} characters once percent-encoded")
    for i, listener in enumerate(spec.listeners):
        if listener.protocol not in mapping.PROTOCOLS:
            raise _unsupported(f"protocol:{listener.protocol}", "no NetScaler service type "
                                                                "matches it")
        _pool(listener, f"listeners[{i}].default_pool")
