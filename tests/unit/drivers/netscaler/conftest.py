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
