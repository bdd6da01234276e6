"""Names of the NetScaler entities of a load balancer, the ids derived from them, and the
comment that keeps what NetScaler has no field for.

The driver keeps no state of its own: a load balancer is the set of lb
vservers named ``<prefix><lb id>-<port>``. Per listener (port)::

    lbvserver     <prefix><lb>-<port>           listener id  <lb>-<port>
    servicegroup  <prefix><lb>-<port>-pool      pool id      <lb>-<port>-pool
    lbmonitor     <prefix><lb>-<port>-<type>    (type in lower case: ping, tcp, http)

Members are ``ip:port`` (``[ip]:port`` for IPv6). The load balancer's name
and creation time live in each lb vserver's ``comment``:
``translator lb=<id> t=<unix seconds> name=<percent-encoded name>``.
"""

from __future__ import annotations

import datetime
import ipaddress
import re
import secrets
import urllib.parse
from dataclasses import dataclass

#: NetScaler's longest comment.
MAX_COMMENT = 256
_COMMENT_HEAD = "translator lb="
_LB_ID = re.compile(r"^[0-9a-f]{12}$")
_COMMENT = re.compile(r"^translator lb=(?P<lb>[0-9a-f]{12}) t=(?P<t>\d+) name=(?P<name>\S*)$")


def new_lb_id() -> str:
    """A fresh load balancer id: 12 hex digits (48 random bits)."""
    return secrets.token_hex(6)


def valid_lb_id(lb_id: str) -> bool:
    return bool(_LB_ID.match(lb_id))


@dataclass(frozen=True)
class Names:
    """The entity names of one load balancer, under one prefix."""

    prefix: str
    lb_id: str

    def vserver(self, port: int) -> str:
        return f"{self.prefix}{self.lb_id}-{port}"

    def servicegroup(self, port: int) -> str:
        return f"{self.vserver(port)}-pool"

    def monitor(self, port: int, monitor_type: str) -> str:
        return f"{self.vserver(port)}-{monitor_type.lower()}"

    def listener_id(self, port: int) -> str:
        return f"{self.lb_id}-{port}"

    def pool_id(self, port: int) -> str:
        return f"{self.lb_id}-{port}-pool"

    def port_of_pool(self, pool_id: str) -> int | None:
        """The listener port a pool id of this load balancer names, or None."""
        match = re.match(rf"^{re.escape(self.lb_id)}-(\d{{1,5}})-pool$", pool_id)
        return int(match.group(1)) if match else None


def vserver_key(prefix: str, name: str) -> tuple[str, int] | None:
    """(lb id, port) of an lb vserver the driver made under ``prefix``, else None."""
    if not name.startswith(prefix):
        return None
    match = re.match(r"^([0-9a-f]{12})-(\d{1,5})$", name[len(prefix):])
    return (match.group(1), int(match.group(2))) if match else None


def comment(lb_id: str, name: str, created: datetime.datetime) -> str:
    return f"{_COMMENT_HEAD}{lb_id} t={int(created.timestamp())} " \
           f"name={urllib.parse.quote(name, safe='')}"


def comment_room(lb_id_length: int = 12) -> int:
    """How many characters the encoded name may take in the comment."""
    sample = comment("0" * lb_id_length, "", datetime.datetime.now(datetime.UTC))
    return MAX_COMMENT - len(sample)


def name_fits(name: str) -> bool:
    return len(urllib.parse.quote(name, safe="")) <= comment_room()


def parse_comment(text: str) -> tuple[str, datetime.datetime | None]:
    """(name, creation time) from an lb vserver comment; ("", None) if it is not ours."""
    match = _COMMENT.match(text or "")
    if not match:
        return "", None
    created = datetime.datetime.fromtimestamp(int(match.group("t")), datetime.UTC)
    return urllib.parse.unquote(match.group("name")), created


def member_id(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


def parse_member_id(member: str) -> tuple[str, int] | None:
    """(ip, port) of a member id, or None when it is not one."""
    host, sep, port = member.rpartition(":")
    if not sep or not port.isdigit() or not 1 <= int(port) <= 65535:
        return None
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    return str(ip), int(port)
