"""swiftclient Connections for one driver: authenticated once, pooled per thread of use.

A ``swiftclient.Connection`` is not thread-safe (it holds one HTTP session
and the response being read), so every call borrows one from the pool and
gives it back; the pool keeps at most ``MAX_IDLE`` idle ones, and never more
exist than threads use them at once (the service's pools and the large
object upload threads).

Auth v1: the first Connection authenticates; later ones start with its
storage URL and token (no extra auth round trip) and keep the credentials,
so swiftclient re-authenticates on a 401 by itself; a renewed token is
shared when its Connection comes back. Keystone v3: every Connection uses
one keystoneauth1 Session, which holds the token and the catalog and renews
the token when swiftclient invalidates it after a 401.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from translator_drivers.swift import conf as swift_conf

LOG = logging.getLogger(__name__)

#: Idle Connections kept for reuse; more are closed when given back.
MAX_IDLE = 32


def escape_dot_segments(url: str) -> str:
    """``url`` with its path's "." and ".." segments percent-encoded.

    requests resolves dot segments before sending (urllib3's parse_url), so an
    object named "a/../b" would silently be written as "b"; encoded, they reach
    the server as they are (requests re-decodes them after that step), and
    Swift and RGW keep such names verbatim. Names are quoted by swiftclient, so
    a literal dot segment in its URLs can only come from a name.
    """
    head, sep, query = url.partition("?")
    scheme, _, rest = head.partition("://")
    host, slash, path = rest.partition("/")
    if not slash or not any(s in (".", "..") for s in path.split("/")):
        return url
    path = "/".join(s.replace(".", "%2E") if s in (".", "..") else s
                    for s in path.split("/"))
    return f"{scheme}://{host}/{path}{sep}{query}"


@functools.cache
def _connection_class() -> type:
    """swiftclient's Connection whose HTTP requests keep dot segments (see above)."""
    from swiftclient.client import Connection

    class DotSafeConnection(Connection):
        def http_connection(self, url: str | None = None):
            parsed, http = super().http_connection(url)
            send = http._request  # swiftclient's last step before requests

            def request(method, url, *args, **kwargs):
                return send(method, escape_dot_segments(url), *args, **kwargs)
            http._request = request
            return parsed, http
    return DotSafeConnection


def _quiet_swiftclient_logs() -> None:
    """swiftclient logs up to 16 characters of tokens and keys on failed requests;
    it logs none with a revealed prefix of 0 (its own setting, process-wide)."""
    from swiftclient import client

    client.logger_settings["reveal_sensitive_prefix"] = 0


class ConnectionPool:
    """The Connections of one driver; ``opts`` is its [swift] option group."""

    def __init__(self, opts: Any) -> None:
        self.opts = opts
        self._lock = threading.Lock()
        self._idle: list[Any] = []
        self._session: Any = None
        self._url = ""
        self._token = ""
        self._closed = False
        _quiet_swiftclient_logs()

    # -- what the driver needs ----------------------------------------------------------

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """A Connection of the caller's own until the block ends."""
        conn = self.acquire()
        try:
            yield conn
        except BaseException:
            self.discard(conn)
            raise
        self.release(conn)

    def acquire(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self._new()

    def release(self, conn: Any) -> None:
        """Give ``conn`` back after a call that ended normally."""
        with self._lock:
            if conn.url and conn.token and conn.token != self._token and not self._session:
                self._url, self._token = conn.url, conn.token  # swiftclient re-authenticated
            if not self._closed and len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def discard(self, conn: Any) -> None:
        """Drop ``conn`` after a failed call: its HTTP session may be mid-request."""
        conn.close()
        self.release(conn)

    def storage_url(self) -> str:
        """The account's storage URL, authenticating first if no call has yet."""
        if not self._url:
            self.authenticate()
        return self._url

    def authenticate(self) -> str:
        """Authenticate now (a new token); returns the storage URL."""
        with self.connection() as conn:
            url, token = conn.get_auth()
        with self._lock:
            self._url = url
            if not self._session:
                self._token = token
        return url

    def secrets(self) -> tuple[str, ...]:
        """Every secret a message could carry, for errors.redact."""
        return (self.opts.key, self.opts.temp_url_key, self._token,
                *(conn.token or "" for conn in list(self._idle)))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
        if self._session is not None:
            self._session.session.close()

    # -- building Connections -----------------------------------------------------------

    def _new(self) -> Any:
        Connection = _connection_class()  # noqa: N806 - a class
        opts = self.opts
        tls = {"cacert": opts.ca_file or None, "insecure": not opts.verify_ssl}
        common = {"retries": opts.retries, "timeout": opts.timeout, **tls}
        if opts.auth_version == swift_conf.AUTH_V3:
            return Connection(session=self._keystone_session(), auth_version="3",
                              os_options=self._os_options(), **common)
        with self._lock:
            url, token = self._url, self._token
        return Connection(authurl=opts.auth_url, user=opts.user, key=opts.key,
                          auth_version="1", preauthurl=url or None,
                          preauthtoken=token or None, **common)

    def _os_options(self) -> dict[str, str]:
        opts = self.opts
        # swiftclient reads endpoint_type; keystoneauth calls it interface.
        options = {"service_type": opts.service_type, "endpoint_type": opts.interface,
                   "interface": opts.interface}
        if opts.region_name:
            options["region_name"] = opts.region_name
        return options

    def _keystone_session(self) -> Any:
        with self._lock:
            if self._session is None:
                from keystoneauth1 import session
                from keystoneauth1.identity import v3

                opts = self.opts
                auth = v3.Password(auth_url=keystone_v3_url(opts.auth_url),
                                   username=opts.user, password=opts.key,
                                   user_domain_name=opts.user_domain_name,
                                   project_name=opts.project_name,
                                   project_domain_name=opts.project_domain_name)
                verify: bool | str = opts.verify_ssl and (opts.ca_file or True)
                self._session = session.Session(auth=auth, verify=verify,
                                                timeout=opts.timeout)
            return self._session


def keystone_v3_url(auth_url: str) -> str:
    """``auth_url`` ending in /v3, as keystoneauth's v3 plugins need it."""
    url = auth_url.rstrip("/")
    if urlparse(url).path.rsplit("/", 1)[-1] != "v3":
        url += "/v3"
    return url
