"""What the NetScaler simulator accepts and answers, per NITRO resource: attribute names,
NITRO data types, required and immutable attributes, allowed values, defaults.

Attribute names and types are the read-write properties of the NITRO API reference
(NetScaler 12.0 configuration reference: lbvserver, servicegroup, server, lbmonitor and
the three bindings). NITRO's JSON typing is kept: ``<Integer>`` attributes travel as JSON
numbers, ``<Double>`` ones are answered as strings (``"weight": "1"``, ``"timeout": "2"``)
and accepted as numbers or numeric strings, ``<String[]>`` as lists. Enumerations are
case-insensitive on input (the NITRO docs add ``"servicetype": "http"``) and answered in
NetScaler's spelling. An attribute NITRO does not have answers 278 "Invalid argument".
Only the attributes the simulator acts on are checked further; the others are stored and
echoed back as given.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from translator_drivers.netscaler import sim_errors as err

ENABLED_DISABLED = ("ENABLED", "DISABLED")
YES_NO = ("YES", "NO")
LB_SERVICETYPES = (
    "HTTP FTP TCP UDP SSL SSL_BRIDGE SSL_TCP DTLS NNTP DNS DHCPRA ANY SIP_UDP SIP_TCP SIP_SSL "
    "DNS_TCP RTSP PUSH SSL_PUSH RADIUS RDP MYSQL MSSQL DIAMETER SSL_DIAMETER TFTP ORACLE SMPP "
    "SYSLOGTCP SYSLOGUDP FIX SSL_FIX PROXY USER_TCP USER_SSL_TCP QUIC").split()
SG_SERVICETYPES = (
    "HTTP FTP TCP UDP SSL SSL_BRIDGE SSL_TCP DTLS NNTP RPCSVR DNS ADNS SNMP RTSP DHCPRA ANY "
    "SIP_UDP SIP_TCP SIP_SSL DNS_TCP ADNS_TCP MYSQL MSSQL ORACLE RADIUS RADIUSListener RDP "
    "DIAMETER SSL_DIAMETER TFTP SMPP PPTP GRE SYSLOGTCP SYSLOGUDP FIX SSL_FIX USER_TCP "
    "USER_SSL_TCP QUIC").split()
LB_METHODS = (
    "ROUNDROBIN LEASTCONNECTION LEASTRESPONSETIME URLHASH DOMAINHASH DESTINATIONIPHASH "
    "SOURCEIPHASH SRCIPDESTIPHASH LEASTBANDWIDTH LEASTPACKETS TOKEN SRCIPSRCPORTHASH LRTM "
    "CALLIDHASH CUSTOMLOAD LEASTREQUEST AUDITLOGHASH STATICPROXIMITY USER_TOKEN").split()
PERSISTENCE_TYPES = (
    "SOURCEIP COOKIEINSERT SSLSESSION RULE URLPASSIVE CUSTOMSERVERID DESTIP SRCIPDESTIP "
    "CALLID RTSPSID DIAMETER FIXSESSION USERSESSION NONE").split()
MONITOR_TYPES = (
    "PING TCP HTTP TCP-ECV HTTP-ECV UDP-ECV DNS FTP LDNS-PING LDNS-TCP LDNS-DNS RADIUS USER "
    "HTTP-INLINE SIP-UDP SIP-TCP LOAD FTP-EXTENDED SMTP SNMP NNTP MYSQL MYSQL-ECV MSSQL-ECV "
    "ORACLE-ECV LDAP POP3 CITRIX-XML-SERVICE CITRIX-WEB-INTERFACE DNS-TCP RTSP ARP CITRIX-AG "
    "CITRIX-AAC-LOGINPAGE CITRIX-AAC-LAS CITRIX-XD-DDC ND6 CITRIX-WI-EXTENDED DIAMETER "
    "RADIUS_ACCOUNTING STOREFRONT APPC SMPP CITRIX-XNC-ECV CITRIX-XDM CITRIX-STA-SERVICE "
    "CITRIX-STA-SERVICE-NHOP").split()
TIME_UNITS = ("SEC", "MSEC", "MIN")
#: Service group attributes that address one member (PUT only).
SERVICEGROUP_MEMBER_ATTRS = ("servername", "port", "weight", "customserverid", "serverid",
                             "hashid")
#: COOKIEINSERT needs HTTP headers to insert the cookie into.
COOKIE_SERVICETYPES = ("HTTP", "SSL")

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_#. :@=-]{0,126}")


def _attrs(text: str) -> dict[str, str]:
    """``"a b:i c:d"`` -> {a: "s", b: "i", c: "d"}: s String, i Integer, d Double,
    l String[], dl Double[], b Boolean."""
    out = {}
    for word in text.split():
        name, _, kind = word.partition(":")
        out[name] = kind or "s"
    return out


@dataclass(frozen=True)
class Spec:
    """One NITRO resource or binding type as the simulator knows it."""

    resource: str
    key: str
    attrs: dict[str, str]
    required: tuple[str, ...] = ()
    immutable: tuple[str, ...] = ()
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ips: tuple[str, ...] = ()
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    names: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)


LBVSERVER = Spec(
    "lbvserver", "name", _attrs(
        "name servicetype ipv46 ippattern ipmask port:i range:d persistencetype timeout:d "
        "persistencebackup backuppersistencetimeout:d lbmethod hashlength:d netmask "
        "v6netmasklen:d backuplbmethod cookiename rule listenpolicy listenpriority:d resrule "
        "persistmask v6persistmasklen:d pq sc rtspnat m tosid:d datalength:d dataoffset:d "
        "sessionless trofspersistence state connfailover redirurl cacheable clttimeout:d "
        "somethod sopersistence sopersistencetimeout:d healththreshold:d sothreshold:d "
        "sobackupaction redirectportrewrite downstateflush backupvserver disableprimaryondown "
        "insertvserveripport vipheader authenticationhost authentication authn401 authnvsname "
        "push pushvserver pushlabel pushmulticlients tcpprofilename httpprofilename "
        "dbprofilename comment l2conn appflowlog netprofile icmpvsrresponse rhistate "
        "newservicerequest:d newservicerequestunit newservicerequestincrementinterval:d "
        "minautoscalemembers:d maxautoscalemembers:d skippersistency td:d authnprofile "
        "macmoderetainvlan dbslb dns64 bypassaaaa recursionavailable processlocal "
        "dnsprofilename lbprofilename redirectfromport:i httpsredirecturl "
        "retainconnectionsoncluster"),
    required=("name", "servicetype"), immutable=("servicetype", "port", "td", "range"),
    enums={"servicetype": tuple(LB_SERVICETYPES), "lbmethod": tuple(LB_METHODS),
           "backuplbmethod": tuple(LB_METHODS), "persistencetype": tuple(PERSISTENCE_TYPES),
           "persistencebackup": ("SOURCEIP", "NONE"), "state": ENABLED_DISABLED},
    ips=("ipv46",), ranges={"port": (0, 65535), "timeout": (0, 1440)}, names=("name",),
    defaults={"ipv46": "0.0.0.0", "port": 0, "lbmethod": "LEASTCONNECTION",
              "persistencetype": "NONE", "timeout": 2, "state": "ENABLED", "td": 0,
              "clttimeout": 180})

SERVICEGROUP = Spec(
    "servicegroup", "servicegroupname", _attrs(
        "servicegroupname servicetype cachetype td:d maxclient:d maxreq:d cacheable cip "
        "cipheader usip pathmonitor pathmonitorindv useproxyport healthmonitor sc sp "
        "rtspsessionidremap clttimeout:d svrtimeout:d cka tcpb cmp maxbandwidth:d "
        "monthreshold:d state downstateflush tcpprofilename httpprofilename comment "
        "appflowlog netprofile autoscale memberport:i monconnectionclose "
        # update only: ``set serviceGroup <sg> <serverName> <port> -weight N`` on a member
        "servername port:i weight:d customserverid serverid:d hashid:d"),
    required=("servicegroupname", "servicetype"),
    immutable=("servicetype", "td", "cachetype", "memberport"),
    enums={"servicetype": tuple(SG_SERVICETYPES), "state": ENABLED_DISABLED,
           "healthmonitor": YES_NO, "usip": YES_NO, "cip": ENABLED_DISABLED},
    ranges={"port": (1, 65535), "weight": (1, 100)}, names=("servicegroupname",),
    defaults={"state": "ENABLED", "healthmonitor": "YES", "td": 0, "maxclient": 0,
              "maxreq": 0, "usip": "NO", "cip": "DISABLED", "autoscale": "DISABLED"})

SERVER = Spec(
    "server", "name", _attrs(
        "name ipaddress domain translationip translationmask domainresolveretry:i state "
        "ipv6address comment td:d"),
    required=("name",), immutable=("domain", "ipv6address", "td"),
    enums={"state": ENABLED_DISABLED}, ips=("ipaddress",), names=("name",),
    defaults={"state": "ENABLED", "td": 0})

LBMONITOR = Spec(
    "lbmonitor", "monitorname", _attrs(
        "monitorname type action respcode:l httprequest rtsprequest customheaders "
        "maxforwards:d sipmethod sipuri sipreguri send recv query querytype scriptname "
        "scriptargs dispatcherip dispatcherport:i username password secondarypassword lrtm "
        "deviation:d units1 interval:i units3 resptimeout:i units4 resptimeoutthresh:d "
        "retries:i failureretries:i alertretries:i successretries:i downtime:i units2 destip "
        "destport:i state reverse transparent iptunnel tos tosid:d secure validatecred "
        "domain ipaddress:l netprofile hostname sslprofile"),
    required=("monitorname", "type"),
    enums={"type": tuple(MONITOR_TYPES), "state": ENABLED_DISABLED, "units1": TIME_UNITS,
           "units2": TIME_UNITS, "units3": TIME_UNITS, "units4": TIME_UNITS,
           "reverse": YES_NO, "lrtm": ENABLED_DISABLED, "secure": YES_NO},
    ranges={"interval": (1, 20940), "resptimeout": (1, 20939), "retries": (1, 127),
            "downtime": (1, 20939), "destport": (0, 65535), "successretries": (1, 32),
            "failureretries": (0, 32)},
    names=("monitorname",),
    defaults={"interval": 5, "units3": "SEC", "resptimeout": 2, "units4": "SEC",
              "retries": 3, "downtime": 30, "units2": "SEC", "successretries": 1,
              "failureretries": 0, "alertretries": 0, "destport": 0, "state": "ENABLED",
              "reverse": "NO", "transparent": "NO", "secure": "NO", "lrtm": "DISABLED"})

MEMBER_BINDING = Spec(
    "servicegroup_servicegroupmember_binding", "servicegroupname", _attrs(
        "servicegroupname ip port:i state hashid:d serverid:d servername customserverid "
        "weight:d"),
    required=("servicegroupname", "port"),
    enums={"state": ENABLED_DISABLED}, ips=("ip",),
    ranges={"port": (1, 65535), "weight": (1, 100)},
    defaults={"state": "ENABLED", "weight": 1, "customserverid": "None", "serverid": 0,
              "hashid": 0})

VSERVER_GROUP_BINDING = Spec(
    "lbvserver_servicegroup_binding", "name",
    _attrs("name servicegroupname servicename weight:d"),
    required=("name", "servicegroupname"))

GROUP_MONITOR_BINDING = Spec(
    "servicegroup_lbmonitor_binding", "servicegroupname", _attrs(
        "servicegroupname port:i state hashid:d serverid:d customserverid weight:d "
        "monitor_name passive:b monstate"),
    required=("servicegroupname", "monitor_name"),
    enums={"monstate": ENABLED_DISABLED, "state": ENABLED_DISABLED},
    ranges={"weight": (1, 100)},
    defaults={"monstate": "ENABLED", "weight": 1, "passive": False})

SPECS: dict[str, Spec] = {s.resource: s for s in (
    LBVSERVER, SERVICEGROUP, SERVER, LBMONITOR, MEMBER_BINDING, VSERVER_GROUP_BINDING,
    GROUP_MONITOR_BINDING)}


def _number(spec: Spec, name: str, value: Any, kind: str) -> int | float:
    if isinstance(value, bool):
        raise err.bad_value(name, value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise err.bad_value(name, value) from None
    if kind == "i" and number != int(number):
        raise err.bad_value(name, value)
    low, high = spec.ranges.get(name, (float("-inf"), float("inf")))
    if not low <= number <= high:
        raise err.bad_value(name, value)
    return int(number) if number == int(number) else number


def _one(spec: Spec, name: str, value: Any) -> Any:
    kind = spec.attrs[name]
    if kind in ("i", "d"):
        if name == "port" and value == "*":
            value = 65535  # "* in CLI is represented as 65535 in NITRO API"
        return _number(spec, name, value, kind)
    if kind == "b":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise err.bad_value(name, value)
    if kind == "l":
        items = value if isinstance(value, list) else [value]
        return [str(item) for item in items]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise err.NitroError(err.INVALID_JSON, name)
    text = str(value)
    if name in spec.enums:
        canonical = {choice.upper(): choice for choice in spec.enums[name]}
        if text.upper() not in canonical:
            raise err.bad_value(name, text)
        return canonical[text.upper()]
    if name in spec.ips:
        try:
            return str(ipaddress.ip_address(text))
        except ValueError:
            raise err.bad_value(name, text) from None
    if name in spec.names and not _NAME.fullmatch(text):
        raise err.bad_value(name, text)
    return text


def validate(spec: Spec, given: Any, *, update: bool = False) -> dict[str, Any]:
    """One resource object as sent -> the normalized attributes to store.

    On update only the key may be required; immutable attributes answer 278.
    """
    if not isinstance(given, dict):
        raise err.NitroError(err.INVALID_JSON, spec.resource)
    out: dict[str, Any] = {}
    for name, value in given.items():
        if name not in spec.attrs:
            raise err.NitroError(err.INVALID_ARGUMENT, name)
        if update and name in spec.immutable:
            raise err.NitroError(err.INVALID_ARGUMENT, name)
        if value is None:
            continue
        out[name] = _one(spec, name, value)
    for name in (spec.key,) if update else spec.required:
        if out.get(name) in (None, ""):
            raise err.missing(name)
    return out


def render(spec: Spec, stored: dict[str, Any]) -> dict[str, Any]:
    """Stored attributes (with defaults) in NITRO's JSON typing, for a GET answer."""
    out: dict[str, Any] = {}
    merged = {**stored, **{k: v for k, v in spec.defaults.items() if k not in stored}}
    for name, value in merged.items():
        kind = spec.attrs.get(name, "s")
        if kind == "d":
            out[name] = format_double(value)
        elif kind == "i":
            out[name] = int(value)
        else:
            out[name] = list(value) if isinstance(value, list) else value
    return out


def format_double(value: int | float) -> str:
    """NITRO answers ``<Double>`` values as strings: 1 -> "1", 2.5 -> "2.5"."""
    return str(int(value)) if float(value) == int(value) else str(value)
