"""Health in the NetScaler simulator: what monitor probes find, and the states NITRO
reports from them.

There are no real probes. A test says what a probe of a backend (ip, port) would find
(``NetScalerSimulator.set_member_health``); a service group member shows that result
once a probe interval has passed since the change, the way a real member changes
state at its monitor's next probe. A newly bound member is DOWN until its first probe,
one probe interval after binding, as a new service on a NetScaler shows DOWN until a
probe succeeds; that probe finds what the backend was like at bind time.

NetScaler behaviour kept (NITRO reference, lbmonitor and servicegroup):

- With no monitor bound, a member is probed by the built-in default monitor
  (``tcp-default``; ``ping-default`` for UDP-like and ANY service types), so a dead
  backend goes DOWN even without a configured health monitor. ``healthmonitor NO`` on
  the service group shows every member UP.
- Several monitors bound: a member is UP only when every enabled one finds it up.
  A disabled monitor (or ``monstate DISABLED`` on its binding) is not considered.
- A disabled member or service group is OUT OF SERVICE.
- A vserver is UP when a member of a bound service group is UP, else DOWN; ``health``
  is the percentage of the weights of UP members over all members not out of service.
- A service group's effective state: UP, DOWN, OUT OF SERVICE when all members agree,
  PARTIAL-UP when some are UP, PARTIAL-DOWN when some are DOWN and the rest out of service.

Timing: ``health_interval`` real seconds stand for the default 5-second probe interval,
so a monitor probing every N seconds reflects a change after N/5 * health_interval.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

UP, DOWN, OUT_OF_SERVICE = "UP", "DOWN", "OUT OF SERVICE"
DEFAULT_INTERVAL = 5.0
_UNIT_SECONDS = {"SEC": 1.0, "MSEC": 0.001, "MIN": 60.0}
#: Service types whose default monitor is ping-default rather than tcp-default.
PING_DEFAULT_TYPES = frozenset({"UDP", "ANY", "DNS", "SIP_UDP", "RADIUS", "TFTP",
                                "SYSLOGUDP", "DHCPRA", "SNMP", "ADNS", "RADIUSListener"})

#: Built-in monitors present on every appliance (they cannot be deleted).
BUILTIN_MONITORS = {
    "ping-default": "PING", "tcp-default": "TCP", "arp": "ARP", "nd6": "ND6",
    "ping": "PING", "tcp": "TCP", "http": "HTTP", "tcp-ecv": "TCP-ECV",
    "http-ecv": "HTTP-ECV", "udp-ecv": "UDP-ECV", "dns": "DNS", "ftp": "FTP",
    "tcps": "TCP", "https": "HTTP", "tcps-ecv": "TCP-ECV", "https-ecv": "HTTP-ECV",
    "ldns-ping": "LDNS-PING", "ldns-tcp": "LDNS-TCP", "ldns-dns": "LDNS-DNS",
}


def default_monitor(servicetype: str) -> str:
    return "ping-default" if servicetype in PING_DEFAULT_TYPES else "tcp-default"


def probe_period(monitor: dict, health_interval: float) -> float:
    """Real seconds between two probes of this monitor in the simulator."""
    seconds = float(monitor.get("interval", DEFAULT_INTERVAL)) * \
        _UNIT_SECONDS.get(monitor.get("units3", "SEC"), 1.0)
    return seconds / DEFAULT_INTERVAL * health_interval


class HealthBook:
    """What a probe of each backend finds, as a history of changes (default: up)."""

    def __init__(self) -> None:
        self._times: dict[tuple[str, int], list[float]] = {}
        self._values: dict[tuple[str, int], list[bool]] = {}

    def set(self, ip: str, port: int, up: bool, now: float) -> None:
        key = (ip, int(port))
        times = self._times.setdefault(key, [])
        values = self._values.setdefault(key, [])
        if (values[-1] if values else True) != up:
            times.append(now)
            values.append(up)

    def at(self, ip: str, port: int, moment: float) -> bool:
        key = (ip, int(port))
        times = self._times.get(key)
        if not times:
            return True
        index = bisect.bisect_right(times, moment)
        return self._values[key][index - 1] if index else not self._values[key][0]


@dataclass
class Probe:
    """The monitors that decide one service group's members, resolved by the store."""

    monitors: list[dict]   # enabled monitors (with their attributes), never empty
    health_interval: float

    def member_up(self, book: HealthBook, ip: str, port: int, bound_at: float,
                  now: float) -> bool:
        up = True
        for monitor in self.monitors:
            period = probe_period(monitor, self.health_interval)
            if now < bound_at + period:
                return False  # not probed yet
            found = book.at(ip, port, max(now - period, bound_at))
            if monitor.get("reverse") == "YES":
                found = not found
            up = up and found
        return up


def member_state(group: dict, member: dict, probe: Probe | None, book: HealthBook,
                 now: float) -> str:
    """``svrstate`` of one member; ``probe`` None: no monitor is considered."""
    if group.get("state") == "DISABLED" or member.get("state") == "DISABLED":
        return OUT_OF_SERVICE
    if probe is None or group.get("healthmonitor") == "NO":
        return UP
    return UP if probe.member_up(book, member["ip"], member["port"], member["bound_at"],
                                 now) else DOWN


def group_effective_state(states: Iterable[str]) -> str:
    states = list(states)
    if not states:
        return DOWN
    kinds = set(states)
    if len(kinds) == 1:
        return states[0]
    if UP in kinds:
        return "PARTIAL-UP"
    return "PARTIAL-DOWN"


def vserver_health(members: Iterable[tuple[str, float]]) -> tuple[str, int, int, int]:
    """(curstate, health percent, total members, active members) from (svrstate, weight)."""
    members = list(members)
    active = [weight for state, weight in members if state == UP]
    counted = sum(weight for state, weight in members if state != OUT_OF_SERVICE)
    health = int(100 * sum(active) / counted) if counted else 0
    return (UP if active else DOWN), health, len(members), len(active)
