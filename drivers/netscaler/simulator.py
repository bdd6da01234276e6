"""A wire-faithful Citrix NetScaler NITRO v1 REST simulator, for tests and the embedded
default.

It serves ``/nitro/v1/config/...`` over HTTP on loopback with the load balancing
resources the translator's NetScaler driver uses: ``lbvserver``, ``servicegroup``,
``server``, ``lbmonitor`` and the bindings ``servicegroup_servicegroupmember_binding``,
``lbvserver_servicegroup_binding``, ``servicegroup_lbmonitor_binding``; other resource
types answer 404, 1232 "Invalid object name". Each part keeps NetScaler's behaviour and
says which in its docstring: sessions in ``sim_sessions``, URLs, GET options and bulk
requests in ``sim_http``, attributes and typing in ``sim_schema``, referential rules in
``sim_store`` and ``sim_bindings``, member and vserver states in ``sim_health``, error
codes and HTTP statuses in ``sim_errors``.

Where the facts come from (checked while writing it):

- NetScaler's NITRO documentation (12.0, mirrored in subbendumajumder/netscaler-nitro-api):
  login 201 + ``Set-Cookie: NITRO_AUTH_TOKEN=..; path=/nitro/v1``, logout 200, X-NITRO-USER
  and X-NITRO-PASS, 30-minute default session; add 201, update (PUT) and delete 200;
  ``?args=``, ``?filter=``, ``?attrs=``, ``?count=yes`` (``__count``), ``pagesize``;
  bulk with X-NITRO-ONERROR exit/continue/rollback, 207 and errorcode 1243 with a
  ``response`` list; the error listing (258, 273, 278, 354, 444, 1092-1097, 1232-1243,
  2131-2133); every attribute name and its Integer/Double/String type.
- Answers of real appliances quoted in public bug reports and clients: 409 ``{"errorcode":
  273, "message": "Resource already exists [name, 10.32.158.11]", "severity": "ERROR"}``
  (netscaler/ansible-collection-netscaleradc #492), 401 with 354 at login (VenafiPS),
  400 for 1093 and 1074 (ansible collection #313, terraform-provider-citrixadc #155), 599
  "Netscaler specific error" for 278 (terraform-provider-citrixadc #1447), 1092 "Arguments
  cannot both be specified [serverName, IP]" (ansible collection, common.py), a GET of no
  bindings answering Done without a list (ansible collection, common.py), 404 = not found
  and 401 + 444 = log in again (adc-nitro-go), ``"weight": "1"`` with ``"port": 80`` in
  member listings, session ids "##" + 60 hex digits (recorded answers in client tests).

Choices no source settled, so made here and worth checking on an appliance: 599 for
2131-2133 and 1240, 404 for 1232; 444 (not 354) for a request with no credentials at
all; empty bodies on successful add, update and delete; 1092/1093/1097 with the wording
used here for COOKIEINSERT on a non-HTTP vserver, a cookie name without COOKIEINSERT, an
address without a port, and a response timeout not below the interval; 278 for an
attribute NITRO does not have; removing a server removing the members that use it;
exact matching for ``filter`` (NITRO takes PCRE).

Python's standard library only: one ThreadingHTTPServer in a daemon thread, one lock
around the state; health is computed when it is read. The password and session tokens
never reach a log line.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import secrets
import threading
import time
import urllib.parse
from email.message import Message
from typing import Any

from translator_drivers.netscaler import sim_bindings, sim_http
from translator_drivers.netscaler import sim_errors as err
from translator_drivers.netscaler.sim_server import Handler
from translator_drivers.netscaler.sim_sessions import Sessions
from translator_drivers.netscaler.sim_store import ConfigStore
from translator_drivers.sim_http import LoopbackSimulator

LOG = logging.getLogger(__name__)


class NetScalerSimulator(LoopbackSimulator):
    """A Citrix NetScaler NITRO REST API on loopback, with test hooks: request counts,
    injected failures, session expiry, backend health."""

    name = "netscaler"
    handler_class = Handler

    def __init__(self, host: str = "127.0.0.1", port: int = 0, username: str = "nsroot",
                 password: str | None = None, session_timeout: float = 1800.0,
                 health_interval: float = 0.2) -> None:
        self.host = host
        self.port = port
        self._sessions = Sessions(username, password or secrets.token_urlsafe(24),
                                  float(session_timeout))
        #: Where start() writes {"endpoint", "username", "password"} (mode 0600), if set.
        self.credentials_file: str | None = None
        self._lock = threading.Lock()
        self._store = ConfigStore(health_interval)
        self._requests: list[tuple[str, str]] = []
        self._failures: dict[tuple[str, str], collections.deque[err.NitroError]] = \
            collections.defaultdict(collections.deque)

    @property
    def username(self) -> str:
        return self._sessions.username

    @property
    def password(self) -> str:
        return self._sessions.password

    @property
    def session_timeout(self) -> float:
        return self._sessions.default_timeout

    @property
    def endpoint(self) -> str:
        """``http://HOST:PORT`` (valid once started); clients add ``/nitro/v1/...``."""
        return self.base_url

    def config_overrides(self) -> dict[str, dict[str, object]]:
        """The [netscaler] options that point the translator at this simulator."""
        return {"netscaler": {"endpoint": self.endpoint, "username": self.username,
                              "password": self.password}}

    # --- test hooks ----------------------------------------------------------------------

    @property
    def request_count(self) -> int:
        """HTTP requests received since the start or reset_counts(), logins included."""
        with self._lock:
            return len(self._requests)

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path without the query) of each request, in arrival order."""
        with self._lock:
            return list(self._requests)

    def reset_counts(self) -> None:
        with self._lock:
            self._requests.clear()

    def fail_next(self, method: str, resource: str, errorcode: int, message: str,
                  http_status: int | None = None) -> None:
        """Make the next ``method`` call on ``resource`` (e.g. "POST", "lbvserver";
        "login" too) answer this NITRO error; the HTTP status defaults to the one NITRO
        uses for that errorcode (599 when unknown). Queued failures apply in order."""
        error = err.NitroError(errorcode, message=message, http_status=http_status)
        with self._lock:
            self._failures[(method.upper(), resource)].append(error)

    def expire_sessions(self) -> None:
        """Invalidate every session token: the next call with one answers 444."""
        with self._lock:
            self._sessions.clear()

    def objects(self, resource: str) -> list[dict]:
        """The configured objects of a resource or binding type, as GET renders them
        (built-in monitors left out), for orphan checks."""
        with self._lock:
            now = time.monotonic()
            if resource in sim_bindings.BINDING_TYPES:
                return sim_bindings.get(self._store, resource, None, now)
            if resource not in self._store.objects:
                raise ValueError(f"the simulator has no resource type {resource!r}")
            return self._store.user_objects(resource, now)

    def set_member_health(self, ip: str, port: int, up: bool) -> None:
        """What a monitor probe of backend ip:port finds from now on (default: up)."""
        with self._lock:
            self._store.book.set(ip, int(port), bool(up), time.monotonic())

    # --- requests ------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Message,
               raw_body: bytes) -> tuple[int, dict[str, Any] | None, list[tuple[str, str]]]:
        """Answer one HTTP request: (status, JSON body or None, extra headers)."""
        url = urllib.parse.urlsplit(target)
        with self._lock:
            self._requests.append((method, url.path))
            now = time.monotonic()
            extra: list[tuple[str, str]] = []
            try:
                status, body = self._answer(method, url, headers, raw_body, now, extra)
            except err.NitroError as error:
                status, body = error.http_status, error.body()
            except Exception:  # noqa: BLE001 - a simulator bug answers as NITRO would
                LOG.exception("NetScaler simulator failed on %s %s", method, url.path)
                error = err.NitroError(1239, message="NITRO command Execution failed")
                status, body = error.http_status, error.body()
        LOG.debug("NetScaler simulator: %s %s -> %s", method, url.path, status)
        return status, body, extra

    def _answer(self, method: str, url: urllib.parse.SplitResult, headers: Message,
                raw_body: bytes, now: float,
                extra: list[tuple[str, str]]) -> tuple[int, dict[str, Any] | None]:
        route = sim_http.split_path(url.path)
        if route is None:
            raise err.NitroError(err.INVALID_OBJECT_NAME, url.path)
        resource, name = route
        if method == "POST" and resource == "login":
            self._inject(method, resource)
            return self._sessions.login(sim_http.read_body(raw_body), now, extra)
        self._sessions.authenticate(headers, now)
        self._inject(method, resource)
        if method == "POST" and resource == "logout":
            return self._sessions.logout(headers)
        body = sim_http.read_body(raw_body) if method in ("POST", "PUT") else {}
        params = body.get("params") if isinstance(body.get("params"), dict) else {}
        onerror = headers.get("X-NITRO-ONERROR") or params.get("onerror")
        query = sim_http.parse_query(url.query)
        return sim_http.dispatch(self._store, method, resource, name, query, body, onerror,
                                 now)

    def _inject(self, method: str, resource: str) -> None:
        queued = self._failures.get((method, resource))
        if queued:
            raise queued.popleft()

    # --- translator-sim ------------------------------------------------------------------

    def _write_credentials(self, path: str) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"endpoint": self.endpoint, "username": self.username,
                       "password": self.password}, out)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Options of ``translator-sim netscaler``."""
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8082, help="port (0: any free port)")
        parser.add_argument("--username", default="nsroot", help="NITRO user to accept")
        parser.add_argument("--password", default=os.environ.get("TRANSLATOR_SIM_PASSWORD"),
                            help="password to accept (default: $TRANSLATOR_SIM_PASSWORD, "
                                 "else generated)")
        parser.add_argument("--credentials-file", metavar="PATH",
                            help="write the endpoint, user and password as JSON here (mode "
                                 "0600); the password is never printed")
        parser.add_argument("--session-timeout", type=float, default=1800.0, metavar="S",
                            help="idle seconds after which a session expires, unless the "
                                 "login asks for another timeout")
        parser.add_argument("--health-interval", type=float, default=0.2, metavar="S",
                            help="real seconds standing for a monitor's default 5-second "
                                 "probe interval")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> NetScalerSimulator:
        """A simulator configured from ``add_arguments``' options; the credentials file
        is written by start()."""
        sim = cls(host=args.host, port=args.port, username=args.username,
                  password=args.password, session_timeout=args.session_timeout,
                  health_interval=args.health_interval)
        sim.credentials_file = args.credentials_file
        if not args.credentials_file and not args.password:
            LOG.warning("NetScaler simulator password was generated and is not shown; pass "
                        "--credentials-file or set TRANSLATOR_SIM_PASSWORD")
        return sim
