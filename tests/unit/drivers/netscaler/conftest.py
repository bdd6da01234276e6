"""Fixtures for the NetScaler simulator tests: a running simulator and a plain-HTTP NITRO
caller (http.client, no NITRO library), so the wire format itself is what is tested."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

import pytest

from translator_drivers.netscaler.simulator import NetScalerSimulator

PASSWORD = "s3cret-pass"
CONFIG = "/nitro/v1/config/"


class Answer:
    """One NITRO answer: status, reason phrase, headers, JSON body (None when empty)."""

    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.reason = response.reason
        self.headers = response.headers
        raw = response.read()
        self.raw = raw
        self.body: dict[str, Any] | None = json.loads(raw) if raw else None

    @property
    def errorcode(self) -> int | None:
        return None if self.body is None else self.body.get("errorcode")

    def __repr__(self) -> str:
        return f"<Answer {self.status} {self.raw[:200]!r}>"


class Nitro:
    """Raw NITRO calls over one keep-alive connection; ``login()`` keeps the token and
    sends it back as the NITRO_AUTH_TOKEN cookie."""

    def __init__(self, port: int) -> None:
        self.token: str | None = None
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def close(self) -> None:
        self._conn.close()

    def call(self, method: str, path: str, body: Any = None, *,
             headers: dict[str, str] | None = None, cookie: bool = True,
             raw: bytes | None = None) -> Answer:
        sent = {"Content-Type": "application/json", **(headers or {})}
        if cookie and self.token:
            sent["Cookie"] = f"NITRO_AUTH_TOKEN={self.token}"
        data = raw if raw is not None else (None if body is None else json.dumps(body))
        url = path if path.startswith("/") else CONFIG + path
        self._conn.request(method, url, body=data, headers=sent)
        return Answer(self._conn.getresponse())

    def login(self, username: str = "nsroot", password: str = PASSWORD,
              **extra: Any) -> Answer:
        answer = self.call("POST", "login", {"login": {"username": username,
                                                       "password": password, **extra}},
                           cookie=False)
        if answer.status == 201:
            self.token = answer.body["sessionid"]
        return answer

    # shorthands for the common calls, each checked for NITRO success

    def add(self, resource: str, obj: Any, **kw: Any) -> Answer:
        answer = self.call("POST", resource, {resource: obj}, **kw)
        assert answer.status == 201, answer
        return answer

    def get(self, resource: str, query: str = "") -> list[dict[str, Any]]:
        answer = self.call("GET", resource + (f"?{query}" if query else ""))
        assert answer.status == 200, answer
        assert answer.body["errorcode"] == 0
        return answer.body.get(resource.split("/")[0], [])

    def delete(self, resource: str, **args: Any) -> Answer:
        query = ",".join(f"{k}:{urllib.parse.quote(str(v), safe='')}" for k, v in args.items())
        return self.call("DELETE", resource + (f"?args={query}" if query else ""))


@pytest.fixture
def ns_sim():
    with NetScalerSimulator(password=PASSWORD, health_interval=0.05) as sim:
        yield sim


@pytest.fixture
def nitro_for():
    """A factory of raw NITRO callers for a port (closed at teardown)."""
    callers: list[Nitro] = []

    def make(port: int) -> Nitro:
        callers.append(Nitro(port))
        return callers[-1]

    yield make
    for caller in callers:
        caller.close()


@pytest.fixture
def anonymous(ns_sim, nitro_for):
    return nitro_for(ns_sim.port)


@pytest.fixture
def nitro(anonymous):
    """A logged-in raw NITRO caller."""
    assert anonymous.login().status == 201
    return anonymous


# --- the netscaler driver's tests (test_lb*.py, test_client*.py) ----------------------------

#: Every entity type the driver makes, for orphan checks.
DRIVER_TYPES = ("lbvserver", "servicegroup", "lbmonitor",
                "servicegroup_servicegroupmember_binding", "servicegroup_lbmonitor_binding",
                "lbvserver_servicegroup_binding")


def driver_conf(sim: NetScalerSimulator, **overrides: Any):
    """A ConfigOpts with [netscaler] pointing at ``sim``; keywords override options."""
    from oslo_config import cfg

    from translator_drivers.netscaler import conf as ns_conf

    conf = cfg.ConfigOpts()
    ns_conf.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    for key, value in {**sim.config_overrides()["netscaler"], "timeout": 10.0,
                       **overrides}.items():
        conf.set_override(key, value, group="netscaler")
    return conf


@pytest.fixture
def make_driver(ns_sim):
    """``make(setup=True, **options)``: a NetScalerLoadBalancingDriver on ``ns_sim``."""
    from driver_maker import driver_maker
    from translator_drivers.netscaler.lb import NetScalerLoadBalancingDriver

    with driver_maker(lambda **kw: NetScalerLoadBalancingDriver(driver_conf(ns_sim, **kw))) \
            as make:
        yield make


@pytest.fixture
def driver(make_driver):
    return make_driver()


@pytest.fixture
def make_client(ns_sim):
    """``make(**options)``: a NitroClient on ``ns_sim``, not logged in; closed at the end."""
    from translator_drivers.netscaler.client import NitroClient

    made = []

    def make(**overrides: Any) -> NitroClient:
        made.append(NitroClient(driver_conf(ns_sim, **overrides).netscaler))
        return made[-1]

    yield make
    for client in made:
        client.close()


class Specs:
    """Load balancer specs: ``lb(*listeners, name=, vip_address=, vip_network_id=)`` (one
    HTTP listener on port 80 with two members by default), ``listener(...)``, ``members(n)``."""

    @staticmethod
    def members(count: int, *, port: int = 8080, net: str = "10.0.0") -> list:
        from translator.drivers import models

        return [models.Member(address=f"{net}.{i}", port=port) for i in range(1, count + 1)]

    def listener(self, protocol: str = "HTTP", port: int = 80, *,
                 algorithm: str = "ROUND_ROBIN", member_count: int = 2, monitor=None,
                 persistence=None, members: list | None = None):
        from translator.drivers import models

        return models.Listener(protocol=protocol, port=port, pool=models.Pool(
            algorithm=algorithm, members=self.members(member_count) if members is None
            else members, health_monitor=monitor, session_persistence=persistence))

    def lb(self, *listeners, name: str = "web", vip_address: str = "192.0.2.10",
           vip_network_id: str = ""):
        from translator.drivers import models

        return models.LoadBalancerSpec(name=name, listeners=list(listeners) or [self.listener()],
                                       vip_address=vip_address, vip_network_id=vip_network_id)


@pytest.fixture
def specs() -> Specs:
    return Specs()


@pytest.fixture
def orphans(ns_sim):
    """``orphans()``: what the driver's entity types still hold (an empty dict when clean)."""
    return lambda: {t: ns_sim.objects(t) for t in DRIVER_TYPES if ns_sim.objects(t)}
