"""A small NITRO REST client: login session, typed errors, bulk adds.

No maintained NITRO library exists for Python 3, and the driver needs only a
handful of calls: add (POST), update (PUT), delete (DELETE, with ``args``)
and get (GET) of config resources, under ``/nitro/v1/config/``.

One ``requests.Session`` keeps connections alive; it is shared by the
driver's threads (urllib3's pool is thread-safe) and stores no cookies: the
NITRO_AUTH_TOKEN lives here, under a lock, and travels in a Cookie header.
A call answered 401 or errorcode 444 (session expired or killed) logs in
again, once, and is sent again; a call NITRO refused that way was not
carried out, so sending it again is safe.
"""

from __future__ import annotations

import http.cookiejar
import json
import logging
import threading
import urllib.parse
from typing import Any

import requests
from oslo_config import cfg
from requests.adapters import HTTPAdapter

from translator.drivers import exceptions as exc
from translator_drivers.netscaler import nitro_errors as errors

LOG = logging.getLogger(__name__)

API_PATH = "/nitro/v1/config"
TOKEN_COOKIE = "NITRO_AUTH_TOKEN"
#: Connections kept per host: the service's executor runs a handful of calls at once.
POOL_SIZE = 16


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Refuse every cookie: the session token is kept by the client, not by requests."""

    def set_ok(self, cookie, request) -> bool:
        return False

    def return_ok(self, cookie, request) -> bool:
        return False


def query(args: dict[str, Any] | None = None, **params: str) -> str:
    """NITRO's query string: ``args=k:v,k:v`` (values escaped, so IPv6 colons survive)."""
    parts = []
    if args:
        parts.append("args=" + ",".join(
            f"{k}:{urllib.parse.quote(str(v), safe='')}" for k, v in args.items()))
    parts += [f"{k}={urllib.parse.quote(v, safe='')}" for k, v in params.items()]
    return "?" + "&".join(parts) if parts else ""


class NitroClient:
    """NITRO config calls against one NetScaler, as one logged-in user."""

    def __init__(self, group: cfg.ConfigOpts.GroupAttr) -> None:
        self.endpoint = group.endpoint.rstrip("/")
        self.username = group.username
        self._password = group.password or ""
        self.timeout = group.timeout
        self.session_timeout = group.session_timeout
        self._session = requests.Session()
        self._session.cookies.set_policy(_NoCookies())
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=POOL_SIZE)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        if self.endpoint.startswith("https:"):
            if not group.verify_tls:
                LOG.warning("TLS certificate verification is off for NetScaler at %s "
                            "([netscaler] verify_tls = false)", self.endpoint)
            self._session.verify = (group.ca_bundle or True) if group.verify_tls else False
        self._lock = threading.Lock()  # guards _token
        self._login_lock = threading.Lock()  # one login at a time
        self._token: str | None = None

    # -- session ----------------------------------------------------------------

    def login(self) -> None:
        """Open a NITRO session (POST login); the token replaces any earlier one."""
        body = {"login": {"username": self.username, "password": self._password,
                          "timeout": self.session_timeout}}
        status, answer, response = self._send("POST", "login", "", body, token=None,
                                              what="login")
        if status == 401 or errors.nitro_code(answer) == errors.BAD_CREDENTIALS:
            raise errors.auth_failed(self.endpoint, self.username,
                                     errors.nitro_code(answer) or status)
        if errors.failed(status, answer):
            raise errors.from_answer(status, answer, "login")
        token = answer.get("sessionid") or _cookie(response, TOKEN_COOKIE)
        if not token:
            raise exc.BackendError("the backend's login answer carried no session",
                                   operator_message=f"NetScaler at {self.endpoint} answered "
                                                    "login without a NITRO_AUTH_TOKEN",
                                   backend=errors.BACKEND)
        with self._lock:
            self._token = str(token)
        LOG.info("Logged in to NetScaler at %s as %s", self.endpoint, self.username)

    def logout(self) -> None:
        """Close the NITRO session, if one is open; failures are only logged."""
        with self._lock:
            token, self._token = self._token, None
        if token is None:
            return
        try:
            self._send("POST", "logout", "", {"logout": {}}, token=token, what="logout")
        except exc.TranslatorError as error:
            LOG.info("NetScaler logout failed: %s", error.operator_message)

    def close(self) -> None:
        self.logout()
        self._session.close()

    def _current_token(self) -> str:
        with self._lock:
            if self._token is not None:
                return self._token
        with self._login_lock:
            with self._lock:
                if self._token is not None:
                    return self._token
            self.login()
            with self._lock:
                return self._token or ""

    def _relogin(self, expired: str) -> None:
        """Log in again, unless another thread already replaced the ``expired`` token."""
        with self._login_lock:
            with self._lock:
                if self._token is not None and self._token != expired:
                    return
                self._token = None
            LOG.info("NITRO session at %s expired; logging in again", self.endpoint)
            self.login()

    # -- calls --------------------------------------------------------------------

    def call(self, method: str, resource: str, name: str = "", *,
             args: dict[str, Any] | None = None, params: dict[str, str] | None = None,
             body: dict | None = None, what: str = "") -> dict:
        """One NITRO call; the answer's JSON object. Raises a TranslatorError on failure."""
        path = resource + (f"/{urllib.parse.quote(name, safe='')}" if name else "") + \
            query(args, **(params or {}))
        what = what or f"{method} {resource}" + (f" {name}" if name else "")
        for attempt in (1, 2):
            token = self._current_token()
            status, answer, _ = self._send(method, path, resource, body, token=token, what=what)
            code = errors.nitro_code(answer)
            if code == errors.BAD_CREDENTIALS:
                raise errors.auth_failed(self.endpoint, self.username, code)
            if status != 401 and code != errors.SESSION_EXPIRED:
                break
            if attempt == 2:
                raise errors.auth_failed(self.endpoint, self.username,
                                         errors.nitro_code(answer) or status)
            self._relogin(token)
        if errors.failed(status, answer):
            raise errors.from_answer(status, answer, what)
        return answer

    def get(self, resource: str, name: str = "", **kwargs: Any) -> list[dict]:
        """The objects a GET returns (none when NITRO answers without the resource key)."""
        found = self.call("GET", resource, name, **kwargs).get(resource) or []
        return [found] if isinstance(found, dict) else list(found)

    def add(self, resource: str, objects: dict | list[dict], *, what: str = "") -> None:
        """POST one object, or a list of them in one bulk call (stopping at the first error)."""
        self.call("POST", resource, body={resource: objects}, what=what or f"add {resource}")

    def update(self, resource: str, obj: dict, *, what: str = "") -> None:
        self.call("PUT", resource, body={resource: obj}, what=what or f"update {resource}")

    def delete(self, resource: str, name: str, *, args: dict[str, Any] | None = None,
               what: str = "") -> bool:
        """DELETE one object or binding; False when NITRO says it does not exist (258)."""
        try:
            self.call("DELETE", resource, name, args=args,
                      what=what or f"delete {resource} {name}")
        except exc.NotFound:
            return False
        return True

    def _send(self, method: str, path: str, resource: str, body: dict | None, *,
              token: str | None, what: str) -> tuple[int, dict, requests.Response]:
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body, separators=(",", ":"))
            if isinstance(body.get(resource), list):
                headers["X-NITRO-ONERROR"] = "exit"
        if token:
            headers["Cookie"] = f"{TOKEN_COOKIE}={token}"
        url = f"{self.endpoint}{API_PATH}/{path}"
        LOG.debug("NITRO %s %s", method, path)
        with errors.transport_errors(what, self.endpoint):
            response = self._session.request(method, url, data=data, headers=headers,
                                             timeout=self.timeout, allow_redirects=False)
        return response.status_code, _json(response), response


def _json(response: requests.Response) -> dict:
    if not response.content:
        return {}
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _cookie(response: requests.Response, name: str) -> str:
    """A cookie the answer sets (requests parses it per response; our jar keeps none)."""
    return response.cookies.get(name) or ""
