"""A small CloudStack API client on top of libcloud's own signed connection.

Why not libcloud's node driver methods: ``create_node``, ``reboot_node`` and
friends block while they poll the async job, and libcloud knows no paging.
The translator's poller polls through ``poll_jobs`` instead, so the driver
sends raw signed commands (``call``) and pages itself (``list_all``).

libcloud connection objects are not thread-safe, and the core runs drivers in
a thread pool: each thread gets its own libcloud driver (and so its own HTTP
session, which it keeps alive between calls).

Rarely changing listings (zones, offerings, disk offerings, templates,
networks, security groups, image stores) go through a TTL cache, so a
CreateServer with a warm cache costs one request: the deployVirtualMachine
itself (and a CreateVolume one createVolume).
"""

from __future__ import annotations

import collections
import logging
import threading
import time
import urllib.parse
from typing import Any

from libcloud.common.cloudstack import CloudStackConnection
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider
from oslo_config import cfg

from translator_drivers.cloudstack.errors import scrub, translate_errors

LOG = logging.getLogger(__name__)

#: Commands whose answers change rarely enough to cache.
CACHEABLE = frozenset({"listZones", "listServiceOfferings", "listTemplates", "listNetworks",
                       "listSecurityGroups", "listDiskOfferings", "listImageStores"})

#: Parameters sent in a POST body rather than the query string (URL length limits).
BODY_PARAMS = frozenset({"userdata", "publickey"})


class _ScrubSignedUrls(logging.Filter):
    """Removes query strings from urllib3's debug lines.

    urllib3 logs every request line at DEBUG, and a CloudStack request line
    carries the apiKey and signature in its query string.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = scrub(message), ()
        return True


def _install_log_filter() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, _ScrubSignedUrls) for f in logger.filters):
        logger.addFilter(_ScrubSignedUrls())


_install_log_filter()


class _SigningConnection(CloudStackConnection):
    """libcloud's CloudStack connection, also signing parameters sent in a POST body.

    CloudStack verifies the signature over every request parameter, wherever
    it travels; libcloud signs only the query string, which would make a
    POSTed ``userdata`` invalidate the signature.
    """

    def pre_connect_hook(self, params, headers):
        signed = dict(params)
        if isinstance(self.data, dict):
            signed.update(self.data)
        params["signature"] = self._make_signature(signed)
        return params, headers


class _NodeDriver(get_driver(Provider.CLOUDSTACK)):
    """libcloud's CloudStack driver with the connection above; used for its connection."""

    connectionCls = _SigningConnection


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cache_key(command: str, params: dict[str, Any]) -> tuple:
    return command, tuple(sorted((k, _param(v)) for k, v in params.items()))


class TTLCache:
    """A thread-safe map whose entries expire ``ttl`` seconds after they were stored."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._data: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> Any | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._data[key]
                return None
            return entry[1]

    def put(self, key: Any, value: Any) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._data[key] = (time.monotonic() + self.ttl, value)

    def clear(self, command: str | None = None) -> None:
        """Forget every entry, or only those of ``command``."""
        with self._lock:
            if command is None:
                self._data.clear()
            else:
                for key in [k for k in self._data if k[0] == command]:
                    del self._data[key]


class FinishedJobs:
    """Async job ids seen finished, so later polls skip them (bounded, thread-safe)."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._jobs: collections.OrderedDict[str, None] = collections.OrderedDict()

    def __contains__(self, job: str) -> bool:
        with self._lock:
            return job in self._jobs

    def add(self, job: str) -> None:
        with self._lock:
            self._jobs[job] = None
            while len(self._jobs) > self._size:
                self._jobs.popitem(last=False)


class CloudStackClient:
    """Signed raw CloudStack calls, paging and a TTL cache; one libcloud driver per thread."""

    def __init__(self, group: cfg.ConfigOpts.GroupAttr) -> None:
        url = urllib.parse.urlsplit(group.endpoint)
        self.secure = url.scheme == "https"
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or (443 if self.secure else 80)
        self.path = url.path or "/client/api"
        self.verify_ssl = group.verify_ssl
        self.timeout = group.timeout
        self.page_size = group.page_size
        self._api_key = group.api_key or ""
        self._secret_key = group.secret_key or ""
        self.cache = TTLCache(group.cache_ttl)
        if self.secure and not self.verify_ssl:
            LOG.warning("TLS certificate verification is off for CloudStack at %s "
                        "([cloudstack] verify_ssl = false)", self.endpoint)
        self._local = threading.local()
        self._drivers_lock = threading.Lock()
        self._drivers: list[Any] = []

    @property
    def endpoint(self) -> str:
        """The endpoint URL (no credentials), for messages."""
        scheme = "https" if self.secure else "http"
        return f"{scheme}://{self.host}:{self.port}{self.path}"

    def _driver(self):
        driver = getattr(self._local, "driver", None)
        if driver is None:
            driver = _NodeDriver(key=self._api_key, secret=self._secret_key,
                                 secure=self.secure, host=self.host, port=self.port,
                                 path=self.path)
            # libcloud's CloudStack driver drops a ``timeout`` argument (its
            # connection class defaults to 600 s), and HTTP connections read TLS
            # verification from a libcloud global: set both on this driver's
            # connection, so one endpoint's choice affects no other.
            driver.connection.timeout = self.timeout
            driver.connection.connect()
            driver.connection.connection.verify = self.verify_ssl
            if not self.verify_ssl:
                driver.connection.connection.ca_cert = None
            self._local.driver = driver
            with self._drivers_lock:
                self._drivers.append(driver)
        return driver

    def call(self, command: str, **params: Any) -> dict:
        """Send one signed command; the ``<command>response`` object of the answer.

        ``None`` values are left out. ``userdata`` and ``publickey`` travel in a
        POST body, since a GET URL has a length limit.
        """
        query = {k: _param(v) for k, v in params.items()
                 if v is not None and k not in BODY_PARAMS}
        body = {k: _param(v) for k, v in params.items() if v is not None and k in BODY_PARAMS}
        LOG.debug("CloudStack %s (%s)", command, ", ".join(sorted(query) + sorted(body)))
        kwargs: dict[str, Any] = {"command": command, "params": query, "method": "GET"}
        if body:
            kwargs.update(method="POST", data=body,
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        with translate_errors(command):
            return self._driver().connection._sync_request(**kwargs) or {}

    def list_page(self, command: str, key: str, page: int, page_size: int,
                  **params: Any) -> tuple[list[dict], int]:
        """One backend page: (items, total count CloudStack reports)."""
        answer = self.call(command, page=page, pagesize=page_size, **params)
        items = answer.get(key) or []
        return items, int(answer.get("count", len(items)) or 0)

    def list_all(self, command: str, key: str, **params: Any) -> list[dict]:
        """Every item of a listing, paging with page/pagesize until ``count`` is reached."""
        items: list[dict] = []
        page = 1
        while True:
            batch, count = self.list_page(command, key, page, self.page_size, **params)
            items.extend(batch)
            if not batch or len(items) >= count or len(batch) < self.page_size:
                return items
            page += 1

    def cached_list(self, command: str, key: str, *, refresh: bool = False,
                    **params: Any) -> list[dict]:
        """``list_all`` through the TTL cache; ``refresh`` skips a cached answer.

        Callers must not modify the returned dicts: they are shared.
        """
        entry = cache_key(command, params)
        if not refresh:
            cached = self.cache.get(entry)
            if cached is not None:
                return cached
        items = self.list_all(command, key, **params)
        if command in CACHEABLE:
            self.cache.put(entry, items)
        return items

    def cached(self, key: tuple) -> list[dict] | None:
        """The cached answer for a ``cache_key(command, params)``, or None; never does I/O."""
        return self.cache.get(key)

    def close(self) -> None:
        """Close every thread's HTTP session."""
        with self._drivers_lock:
            drivers, self._drivers = self._drivers, []
        for driver in drivers:
            conn = getattr(driver.connection, "connection", None)
            session = getattr(conn, "session", None)
            if session is not None:
                session.close()
        self._local = threading.local()
        self.cache.clear()

