"""Fixtures for the CloudStack simulator tests: a running simulator, libcloud's real
CloudStack cs_driver pointed at it, and a raw signed-request helper."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from libcloud.common.cloudstack import CloudStackConnection
from libcloud.compute.providers import get_driver
from libcloud.compute.types import Provider

from translator_drivers.cloudstack.simulator import CloudStackSimulator

#: Short jobs keep the suite fast; tests that watch a job in flight set their own.
FAST_JOBS = {
    "deployVirtualMachine": 0.02, "startVirtualMachine": 0.02, "stopVirtualMachine": 0.02,
    "rebootVirtualMachine": 0.02, "destroyVirtualMachine": 0.02, "scaleVirtualMachine": 0.02,
    "createTags": 0.02,
}


class Api:
    """Signed raw requests over HTTP, signed by libcloud's own algorithm (the client
    side), so the simulator's verification is checked against real client behaviour."""

    def __init__(self, sim: CloudStackSimulator) -> None:
        self.sim = sim

    def raw(self, command: str, *, method: str = "GET", body: dict[str, Any] | None = None,
            secret: str | None = None, api_key: str | None = None, sign_body: bool = True,
            **params: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, whole JSON answer)."""
        query = {"command": command, "apiKey": api_key or self.sim.api_key, "response": "json"}
        query.update({k: str(v) for k, v in params.items()})
        form = {k: str(v) for k, v in (body or {}).items()}
        signer = CloudStackConnection(user_id=query["apiKey"], key=secret or self.sim.secret_key)
        signed = dict(query, **form) if sign_body else dict(query)
        query["signature"] = signer._make_signature(signed).decode("ascii")
        url = f"{self.sim.endpoint}?{urllib.parse.urlencode(query)}"
        data = urllib.parse.urlencode(form).encode("ascii") if method == "POST" else None
        request = urllib.request.Request(url, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def __call__(self, command: str, **params: Any) -> tuple[int, dict[str, Any]]:
        """(HTTP status, the ``<command>response`` object)."""
        status, answer = self.raw(command, **params)
        return status, answer[f"{command.lower()}response"]

    def ok(self, command: str, **params: Any) -> dict[str, Any]:
        status, body = self(command, **params)
        assert status == 200, body
        return body

    def wait(self, jobid: str, timeout: float = 5.0) -> dict[str, Any]:
        """Poll queryAsyncJobResult until the job is done; its answer."""
        end = time.monotonic() + timeout
        while True:
            job = self.ok("queryAsyncJobResult", jobid=jobid)
            if job["jobstatus"] != 0 or time.monotonic() > end:
                return job
            time.sleep(0.01)

    def ids(self, kind: str, listing: str, key: str, **params: Any) -> dict[str, str]:
        """name → id of a listing."""
        return {item["name"]: item["id"] for item in self.ok(listing, **params)[key]}

    def deploy(self, zone: str = "zone-basic", offering: str = "Small Instance",
               template: str = "Debian 12", wait: bool = True, **params: Any) -> dict[str, Any]:
        """Deploy a VM by names; the deploy answer (after its job when ``wait``)."""
        zones = self.ids("zone", "listZones", "zone")
        offerings = self.ids("serviceoffering", "listServiceOfferings", "serviceoffering")
        templates = self.ids("template", "listTemplates", "template",
                             templatefilter="executable")
        answer = self.ok("deployVirtualMachine", zoneid=zones[zone],
                         serviceofferingid=offerings[offering], templateid=templates[template],
                         **params)
        if wait:
            job = self.wait(answer["jobid"])
            assert job["jobstatus"] == 1, job
        return answer

    def vm(self, vm_id: str) -> dict[str, Any]:
        return self.ok("listVirtualMachines", id=vm_id)["virtualmachine"][0]


@pytest.fixture
def cs_sim():
    """A running simulator with short jobs (names are prefixed: the lead's modules here
    define their own ``sim`` and ``driver``)."""
    with CloudStackSimulator(job_durations=FAST_JOBS) as simulator:
        yield simulator


@pytest.fixture
def cs_api(cs_sim) -> Api:
    return Api(cs_sim)


@pytest.fixture
def cs_api_class():
    """The Api class, for simulators a test starts itself."""
    return Api


@pytest.fixture
def cs_driver(cs_sim):
    """libcloud's CloudStack node driver, unmodified, against the simulator."""
    cls = get_driver(Provider.CLOUDSTACK)
    # With url=, libcloud takes host, port and path from the URL but not the scheme.
    node_driver = cls(cs_sim.api_key, cs_sim.secret_key, url=cs_sim.endpoint, secure=False)
    node_driver.connection.poll_interval = 0.01
    return node_driver
