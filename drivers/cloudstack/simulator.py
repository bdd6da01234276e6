"""A wire-faithful Apache CloudStack API simulator, for tests and the embedded default.

It serves ``/client/api`` over HTTP on loopback and answers the commands the
translator's CloudStack drivers use (compute; block storage on tagged primary
pools with snapshots on secondary storage; load balancing on public IPs, see
``sim_lb``) the way a CloudStack 4.x management
server does: HMAC-SHA1 request signatures (and ``signatureVersion=3`` with
``expires``), the ``<command>response`` JSON envelope, error codes with
cserrorcodes, async jobs polled through queryAsyncJobResult, paging capped at
``default.page.size`` (500) with ``count`` = the total. Real clients
(libcloud's CloudStack driver) talk to it unmodified.

Python's standard library only: one ThreadingHTTPServer in a daemon thread,
one lock around the state. Jobs finish lazily (see ``sim_state``).
"""

from __future__ import annotations

import argparse
import base64
import collections
import datetime
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
import urllib.parse
from typing import Any

from translator_drivers.cloudstack import sim_keys
from translator_drivers.cloudstack.sim_commands import JOB_CLASSES, Commands
from translator_drivers.cloudstack.sim_models import ApiError, encode
from translator_drivers.cloudstack.sim_params import Params
from translator_drivers.cloudstack.sim_state import SimState
from translator_drivers.sim_http import KeepAliveHandler, LoopbackSimulator

LOG = logging.getLogger(__name__)

API_PATH = "/client/api"
AUTH_ERROR = "unable to verify user credentials and/or request signature"
INTERNAL_ERROR = "Internal error executing command, please contact your system administrator"
_VM_STATES = ("Running", "Stopped", "Error", "Destroyed")


def _java_urlencode(value: str) -> str:
    """Java's URLEncoder.encode(value, "UTF-8") with "+" turned into "%20", as CloudStack
    encodes each value of the string it signs."""
    return urllib.parse.quote(value, safe="*").replace("~", "%7E")


def signed_strings(params: dict[str, str]) -> set[str]:
    """The strings a valid signature may cover: every parameter but ``signature``, sorted,
    ``name=value`` joined with ``&``, all lowercased.

    CloudStack sorts the names as sent and encodes values with Java's URLEncoder;
    libcloud (``_make_signature``) sorts lowercased names and leaves ``[]`` and ``~``
    unencoded. Where the two differ, CloudStack would refuse libcloud's request; the
    simulator accepts both, so only a genuinely wrong key or tampered request fails.
    """
    items = [(k, v) for k, v in params.items() if k.lower() != "signature"]
    strings = set()
    for ordered in (sorted(items), sorted(items, key=lambda kv: kv[0].lower())):
        strings.add("&".join(f"{k}={_java_urlencode(v)}" for k, v in ordered).lower())
        strings.add("&".join(f"{urllib.parse.quote(k.lower(), safe='[]')}="
                             f"{urllib.parse.quote(v, safe='[]*')}" for k, v in ordered)
                    .lower().replace("+", "%20"))
    return strings


def _expired(expires: str | None) -> bool:
    """Whether a signatureVersion=3 ``expires`` is missing, unreadable or past."""
    if not expires:
        return True
    try:
        moment = datetime.datetime.strptime(expires.strip(), "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return True
    return moment <= datetime.datetime.now(datetime.UTC)


def _error_body(error: ApiError) -> dict[str, Any]:
    return {"uuidList": [], "errorcode": error.errorcode, "cserrorcode": error.cserrorcode,
            "errortext": error.errortext}


def _merge(*encoded: str) -> dict[str, str]:
    """Query string and form body as one map; the first value of a name wins, as in a
    servlet's getParameterMap()[0]."""
    params: dict[str, str] = {}
    for text in encoded:
        for name, value in urllib.parse.parse_qsl(text, keep_blank_values=True):
            params.setdefault(name, value)
    return params


class _Handler(KeepAliveHandler):
    server_version = "CloudStackSimulator/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve("")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        if "json" in (self.headers.get("Content-Type") or ""):
            body = ""  # CloudStack reads parameters from the query and form bodies only
        self._serve(body)

    def _serve(self, body: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path.rstrip("/") != API_PATH:
            self._send(404, b"Not Found", "text/plain")
            return
        status, answer = self.server.simulator.handle(_merge(url.query, body), self.command)
        self._send(status, encode(answer).encode("utf-8"), "application/json; charset=UTF-8")

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class CloudStackSimulator(LoopbackSimulator):
    """A CloudStack management server API on loopback, with admin hooks for tests."""

    name = "cloudstack"
    handler_class = _Handler

    def __init__(self, host: str = "127.0.0.1", port: int = 0, api_key: str | None = None,
                 secret_key: str | None = None, job_durations: dict[str, float] | None = None,
                 seed: bool = True) -> None:
        self.host = host
        self.port = port
        self.api_key = api_key or secrets.token_urlsafe(64)
        self.secret_key = secret_key or secrets.token_urlsafe(64)
        self.request_counts: collections.Counter[str] = collections.Counter()
        #: Where start() writes {"api_key", "secret_key", "endpoint"} (mode 0600), if set.
        self.credentials_file: str | None = None
        self._lock = threading.Lock()
        self._state = SimState(seed=seed)
        self._commands = Commands(self._state, job_durations)
        self._failures: dict[str, collections.deque[ApiError]] = \
            collections.defaultdict(collections.deque)

    @property
    def endpoint(self) -> str:
        """``http://HOST:PORT/client/api`` (valid once started)."""
        return self.base_url + API_PATH

    def config_overrides(self) -> dict[str, dict[str, object]]:
        """The [cloudstack] options that point the translator at this simulator."""
        return {"cloudstack": {"endpoint": self.endpoint, "api_key": self.api_key,
                               "secret_key": self.secret_key}}

    # --- admin hooks ---------------------------------------------------------------------

    def reset_counts(self) -> None:
        with self._lock:
            self.request_counts.clear()

    def set_job_duration(self, command: str, seconds: float) -> None:
        """How long ``command``'s jobs take from now on (0: done at the next request)."""
        if seconds < 0:
            raise ValueError("a job duration cannot be negative")
        with self._lock:
            self._commands.durations[command] = float(seconds)

    def set_vm_limit(self, n: int) -> None:
        """The account's VM limit; deployVirtualMachine beyond it answers 532."""
        with self._lock:
            self._state.vm_limit = n

    def seed_virtual_machines(self, count: int, zone: str | None = None,
                              state: str = "Running") -> list[str]:
        """Add ``count`` VMs at once, without jobs; ``zone`` is a name or id (default: the
        first zone). Returns their ids."""
        if state not in _VM_STATES:
            raise ValueError(f"state must be one of {', '.join(_VM_STATES)}")
        with self._lock:
            zones = list(self._state.zones.values())
            chosen = zones[0] if zone is None else next(
                (z for z in zones if zone in (z.id, z.name)), None)
            if chosen is None:
                raise ValueError(f"no zone {zone!r}")
            return self._state.seed_vms(count, chosen, state)

    def set_storage_pool(self, pool: str, *, capacity_gb: int | None = None,
                         state: str | None = None) -> dict:
        """Change a primary storage pool (name or id): its total capacity in GB (room runs
        out at ``disksizetotal``), or its state ("Up", "Maintenance", "Disabled": only Up
        pools take new volumes). Returns its listStoragePools view."""
        with self._lock:
            found = next((p for p in self._state.pools.values() if pool in (p.id, p.name)),
                         None)
            if found is None:
                raise ValueError(f"no storage pool {pool!r}")
            if capacity_gb is not None:
                found.total = capacity_gb << 30
            if state is not None:
                found.state = state
            return found.render()

    def set_lb_provider(self, network: str, provider: str | None) -> None:
        """Balance a guest network (name or id) through "Netscaler" or "VirtualRouter"
        (their capabilities in ``sim_lb_state.PROVIDERS``), or None for no Lb service."""
        with self._lock:
            found = next((n for n in self._state.networks.values()
                          if network in (n.id, n.name)), None)
            if found is None:
                raise ValueError(f"no network {network!r}")
            self._state.lb.set_provider(found, provider)

    def fail_next(self, command: str, errorcode: int, errortext: str) -> None:
        """Make the next call of ``command`` answer this error (HTTP status = errorcode)."""
        with self._lock:
            self._failures[command].append(ApiError(errorcode, errortext))

    def fail_next_job(self, command: str, errortext: str, errorcode: int = 530) -> None:
        """Make the next async job of ``command`` end with jobstatus 2 and this error."""
        if command not in JOB_CLASSES:
            raise ValueError(f"{command} is not an async command of the simulator")
        with self._lock:
            self._commands.job_failures[command].append(ApiError(errorcode, errortext))

    # --- requests ------------------------------------------------------------------------

    def _verify(self, params: dict[str, str]) -> bool:
        lowered = {k.lower(): v for k, v in params.items()}
        signature = lowered.get("signature")
        if lowered.get("apikey") != self.api_key or not signature:
            return False
        if lowered.get("signatureversion") == "3" and _expired(lowered.get("expires")):
            return False
        key = self.secret_key.encode("utf-8")
        for text in signed_strings(params):
            digest = hmac.new(key, text.encode("utf-8"), hashlib.sha1).digest()
            if hmac.compare_digest(base64.b64encode(digest).decode("ascii"), signature):
                return True
        return False

    def handle(self, params: dict[str, str], method: str = "GET") -> tuple[int, dict]:
        """Answer one API request: (HTTP status, answer); ``encode`` makes it JSON text
        (VM listings hold pre-encoded ``Raw`` items)."""
        command = params.get("command") or ""
        envelope = f"{command.lower() or 'error'}response"
        if not command or not self._verify(params):
            LOG.debug("CloudStack simulator: %s -> 401", command or "(no command)")
            return 401, {envelope: {"uuidList": [], "errorcode": 401, "errortext": AUTH_ERROR}}
        # Key generation is slow (ssh-keygen); do it outside the lock.
        material = sim_keys.generate_rsa_keypair() if command == "createSSHKeyPair" else None
        with self._lock:
            self.request_counts[command] += 1
            now = time.monotonic()
            self._state.advance(now)
            try:
                if self._failures.get(command):
                    raise self._failures[command].popleft()
                self._commands.keypair_material = material
                status, body = 200, self._commands.execute(
                    command, Params(command, params, method), now)
            except ApiError as error:
                status, body = error.errorcode, _error_body(error)
            except Exception:  # noqa: BLE001 - a simulator bug answers as CloudStack would
                LOG.exception("CloudStack simulator failed on %s", command)
                status, body = 530, _error_body(ApiError(530, INTERNAL_ERROR))
        LOG.debug("CloudStack simulator: %s -> %s", command, status)
        return status, {envelope: body}

    # --- translator-sim --------------------------------------------------------------------

    def _write_credentials(self, path: str) -> None:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"api_key": self.api_key, "secret_key": self.secret_key,
                       "endpoint": self.endpoint}, out)

    @classmethod
    def add_arguments(cls, parser: argparse.ArgumentParser) -> None:
        """Options of ``translator-sim cloudstack``."""
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8080, help="port (0: any free port)")
        parser.add_argument("--api-key", default=os.environ.get("TRANSLATOR_SIM_API_KEY"),
                            help="API key to accept (default: $TRANSLATOR_SIM_API_KEY, "
                                 "else generated)")
        parser.add_argument("--secret-key",
                            default=os.environ.get("TRANSLATOR_SIM_SECRET_KEY"),
                            help="secret key to verify signatures with (default: "
                                 "$TRANSLATOR_SIM_SECRET_KEY, else generated)")
        parser.add_argument("--credentials-file", metavar="PATH",
                            help="write the endpoint and keys as JSON here (mode 0600); the "
                                 "keys are never printed")
        parser.add_argument("--seed-vms", type=int, default=0, metavar="N",
                            help="start with N running virtual machines")
        parser.add_argument("--job-duration", action="append", default=[], type=_job_duration,
                            metavar="COMMAND=SECONDS",
                            help="how long a command's async jobs take (repeatable)")

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> CloudStackSimulator:
        """A simulator configured from ``add_arguments``' options; seeded VMs are added
        here (state needs no running server), the credentials file is written by start()."""
        sim = cls(host=args.host, port=args.port, api_key=args.api_key,
                  secret_key=args.secret_key, job_durations=dict(args.job_duration))
        sim.credentials_file = args.credentials_file
        if args.seed_vms:
            sim.seed_virtual_machines(args.seed_vms)
        if not args.credentials_file and not (args.api_key and args.secret_key):
            LOG.warning("CloudStack simulator keys were generated and are not shown; pass "
                        "--credentials-file or set TRANSLATOR_SIM_API_KEY and "
                        "TRANSLATOR_SIM_SECRET_KEY")
        return sim


def _job_duration(text: str) -> tuple[str, float]:
    command, sep, seconds = text.partition("=")
    try:
        value = float(seconds)
    except ValueError:
        value = -1.0
    if not sep or not command or value < 0:
        raise argparse.ArgumentTypeError(f"expected COMMAND=SECONDS, got {text!r}")
    return command, value
