"""The netscaler load balancing driver: Octavia-shaped load balancers on a Citrix NetScaler,
over NITRO REST.

Per listener an lb vserver on the VIP, a service group of members and at
most one lbmonitor (naming and the comment that stores the rest:
``lb_names``; the tables: ``lb_mapping``). Every change is synchronous, so
operations are done when submitted (BackendTask without jobs). The driver
keeps nothing but a short memory of load balancers it just made, answered
once through ``peek`` so finishing a create need not read them back.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from typing import Any

from oslo_config import cfg

from translator.drivers import base, models
from translator.drivers import exceptions as exc
from translator_drivers.netscaler import conf as ns_conf
from translator_drivers.netscaler import lb_build as build
from translator_drivers.netscaler import lb_checks as checks
from translator_drivers.netscaler import lb_pool as pool
from translator_drivers.netscaler import lb_read as read
from translator_drivers.netscaler.client import NitroClient
from translator_drivers.netscaler.lb_capabilities import capabilities
from translator_drivers.netscaler.lb_names import Names, new_lb_id, valid_lb_id
from translator_drivers.netscaler.nitro_errors import BACKEND

LOG = logging.getLogger(__name__)

#: Seconds a load balancer just made is answered from memory, once (see peek).
FRESH_SECONDS = 30.0


class NetScalerLoadBalancingDriver(base.LoadBalancingDriver):
    name = "netscaler"
    api = "load_balancing"

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        ns_conf.register_opts(conf)

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        ns_conf.register_opts(conf)
        self.client: NitroClient | None = None
        self._client_lock = threading.Lock()
        self._fresh: dict[str, tuple[float, models.LoadBalancer]] = {}
        self._fresh_lock = threading.Lock()

    @property
    def opts(self):
        return self.conf.netscaler

    # -- lifecycle ----------------------------------------------------------------------

    def setup(self) -> None:
        """Log in: the session is reused by every call until it expires."""
        self._api().login()

    def _api(self) -> NitroClient:
        with self._client_lock:
            if self.client is None:
                self.client = NitroClient(self.opts)
            return self.client

    def check_setup(self) -> None:
        """One real call (a count of lb vservers): the endpoint answers and the user may read."""
        try:
            self._api().call("GET", "lbvserver", params={"count": "yes"},
                             what="count lbvserver")
        except exc.TranslatorError as error:
            error.operator_message = (f"{error.operator_message} (NetScaler at "
                                      f"{self._api().endpoint}; check [netscaler] endpoint, "
                                      "username, password, verify_tls and ca_bundle)")
            raise

    def close(self) -> None:
        """Log out and close the connections."""
        with self._client_lock:
            client, self.client = self.client, None
        if client is not None:
            client.close()

    def capabilities(self) -> models.ApiCapabilities:
        return capabilities()

    def expected_seconds(self, verb: str) -> float:
        return 2.0

    def peek(self, method: str, *args: Any) -> Any | None:
        """A load balancer just made, without I/O: what finishing its create reads first."""
        if method == "get_load_balancer" and len(args) == 1:
            with self._fresh_lock:
                entry = self._fresh.pop(args[0], None)
            if entry is not None and entry[0] > time.monotonic():
                return entry[1]
        return None

    def _fresh_put(self, lb: models.LoadBalancer) -> None:
        now = time.monotonic()
        with self._fresh_lock:
            for key in [k for k, (until, _) in self._fresh.items() if until <= now]:
                del self._fresh[key]
            self._fresh[lb.id] = (now + FRESH_SECONDS, lb)

    def _changed(self, lb_id: str) -> Names:
        """Forget a remembered copy of a load balancer about to change; its names."""
        with self._fresh_lock:
            self._fresh.pop(lb_id, None)
        return self._names(lb_id)

    def _names(self, lb_id: str) -> Names:
        if not valid_lb_id(lb_id):
            raise read.not_found(lb_id)
        return Names(self.opts.name_prefix, lb_id)

    # -- checks (no I/O) --------------------------------------------------------------

    def check_load_balancer(self, spec: models.LoadBalancerSpec) -> None:
        checks.load_balancer(spec)

    def check_member(self, member: models.Member) -> None:
        checks.member(member)

    def check_health_monitor(self, monitor: models.HealthMonitor) -> None:
        checks.monitor(monitor)

    # -- load balancers ---------------------------------------------------------------

    def create_load_balancer(self, spec: models.LoadBalancerSpec) -> models.BackendTask:
        checks.load_balancer(spec)
        names = Names(self.opts.name_prefix, new_lb_id())
        now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
        lb = build.create(self._api(), names, spec, now=now,
                          persistence_timeout=self.opts.persistence_timeout)
        LOG.info("Load balancer %s made on NetScaler: %s", lb.id, lb.extra["lbvservers"])
        self._fresh_put(lb)
        return models.BackendTask(resource_id=lb.id)

    def get_load_balancer(self, lb_id: str) -> models.LoadBalancer:
        names = self._names(lb_id)
        found = read.vservers(self._api(), names.prefix).get(lb_id)
        if not found:
            raise read.not_found(lb_id)
        return read.load(self._api(), names, found)

    def list_load_balancers(self, page_size: int,
                            page_token: str) -> models.Page[models.LoadBalancer]:
        """Pages in lb id order; the token is the last id of the page before."""
        if page_token and not valid_lb_id(page_token):
            raise exc.InvalidInput("page_token is not one this driver gave",
                                   field="page_token", backend=BACKEND)
        prefix = self.opts.name_prefix
        found = read.vservers(self._api(), prefix)
        ids = sorted(i for i in found if i > page_token)
        page = ids[:page_size]
        items = [read.load(self._api(), Names(prefix, i), found[i]) for i in page]
        return models.Page(items=items, total=len(found),
                           next_token=page[-1] if len(ids) > len(page) else "")

    def delete_load_balancer(self, lb_id: str) -> models.BackendTask:
        build.delete(self._api(), self._changed(lb_id))
        LOG.info("Load balancer %s deleted from NetScaler", lb_id)
        return models.BackendTask(resource_id=lb_id)

    # -- pools ------------------------------------------------------------------------

    def add_member(self, lb_id: str, pool_id: str,
                   member: models.Member) -> models.BackendTask:
        checks.member(member)
        pool.add_member(self._api(), self._changed(lb_id), pool_id, member)
        return models.BackendTask(resource_id=lb_id)

    def remove_member(self, lb_id: str, pool_id: str, member_id: str) -> models.BackendTask:
        pool.remove_member(self._api(), self._changed(lb_id), pool_id, member_id)
        return models.BackendTask(resource_id=lb_id)

    def update_member(self, lb_id: str, pool_id: str, member_id: str,
                      weight: int) -> models.BackendTask:
        checks.weight(weight)
        pool.update_member(self._api(), self._changed(lb_id), pool_id, member_id, weight)
        return models.BackendTask(resource_id=lb_id)

    def set_health_monitor(self, lb_id: str, pool_id: str,
                           monitor: models.HealthMonitor) -> models.BackendTask:
        checks.monitor(monitor)
        pool.set_health_monitor(self._api(), self._changed(lb_id), pool_id, monitor)
        return models.BackendTask(resource_id=lb_id)

    def delete_health_monitor(self, lb_id: str, pool_id: str) -> models.BackendTask:
        pool.delete_health_monitor(self._api(), self._changed(lb_id), pool_id)
        return models.BackendTask(resource_id=lb_id)
