"""``translator lb ...`` as a user runs it, against a real server on each load balancing
driver (conftest.lb_deployment: netscaler on the NITRO simulator, cloudstack on the
CloudStack simulator with Compute API servers as members)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid

import pytest

from functional.conftest import start_lb_deployment
from functional.test_cli import _fields, cli, cli_json
from functional.test_cli_block_storage import _row

KINDS = {
    "protocol": ("HTTP", "TCP", "HTTPS", "UDP"),
    "algorithm": ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP"),
    "monitor": ("HTTP", "TCP", "PING"),
    "persistence": ("SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE"),
}


@pytest.fixture(scope="module")
def create_options(lb_deployment) -> dict[str, bool]:
    [api] = cli_json(lb_deployment, "capabilities", "--api", "load_balancing")
    ops = {op["name"]: op for op in api["operations"]}
    return {o["name"]: o.get("supported", False)
            for o in ops["CreateLoadBalancer"].get("options", [])}


def _first(options: dict[str, bool], kind: str) -> str:
    return next(v for v in KINDS[kind] if options.get(f"{kind}:{v}"))


def _member(member) -> str:
    """A translator.v1 Member as --member / MEMBER takes it."""
    if member.server_id:
        return f"server={member.server_id}:{member.port}"
    return f"{member.address}:{member.port}"


def _vip(deployment) -> list[str]:
    return ["--vip", "192.0.2.20"] if deployment.driver == "netscaler" else []


def _monitor(kind: str) -> str:
    return f"{kind},delay=5,timeout=2,retries=2" + (",path=/healthz,codes=200"
                                                      if kind == "HTTP" else "")


def _persistence(kind: str) -> str:
    return "APP_COOKIE:sid" if kind == "APP_COOKIE" else kind


def _pool_id(shown: dict[str, str], listener: int) -> str:
    return shown[f"listeners[{listener}].pool"].split()[0].removeprefix("id=")


def _member_id(shown: dict[str, str], listener: int, index: int) -> str:
    return shown[f"listeners[{listener}].pool.members[{index}]"].split()[0].removeprefix("id=")


def _members_of(shown: dict[str, str], listener: int) -> list[str]:
    prefix = f"listeners[{listener}].pool.members["
    return [value for name, value in shown.items() if name.startswith(prefix)]


def test_lb_lifecycle(lb_deployment, lb_members, create_options):
    name = f"cli-{uuid.uuid4().hex[:6]}"
    protocol = _first(create_options, "protocol")
    monitor = _first(create_options, "monitor")
    persistence = _first(create_options, "persistence")
    proc = cli(lb_deployment, "lb", "create", name, *_vip(lb_deployment),
               "--listener", f"{protocol}:80", "--algorithm", _first(create_options,
                                                                     "algorithm"),
               "--member", _member(lb_members[0]), "--member", _member(lb_members[1]),
               "--monitor", _monitor(monitor), "--persistence", _persistence(persistence),
               "--listener", f"{protocol}:8443", "--member", _member(lb_members[2]),
               "--wait")
    assert proc.stdout.startswith("CreateLoadBalancer operations/"), proc.stdout
    shown = _fields(proc.stdout)
    lb_id = shown["id"]
    assert (shown["name"], shown["provisioning_status"]) == (name, "ACTIVE")
    assert shown["listeners[0]"].startswith(f"{protocol}:80")
    assert shown["listeners[1]"].startswith(f"{protocol}:8443")
    assert shown["listeners[0].pool.monitor"].startswith(f"{monitor},delay=5,timeout=2")
    assert f"persistence={_persistence(persistence)}" in shown["listeners[0].pool"]
    assert shown["listeners[1].pool.monitor"] == "none"
    assert len(_members_of(shown, 0)) == 2 and len(_members_of(shown, 1)) == 1
    pool, other_pool = _pool_id(shown, 0), _pool_id(shown, 1)

    listed = cli(lb_deployment, "lb", "list").stdout
    assert listed.splitlines()[0].split() == ["ID", "NAME", "VIP", "PROVISIONING", "OPERATING",
                                              "LISTENERS", "MEMBERS"]
    row = _row(listed, lb_id)
    assert (row["NAME"], row["PROVISIONING"], row["MEMBERS"]) == (name, "ACTIVE", "3")
    assert row["LISTENERS"] == f"{protocol}:80, {protocol}:8443"
    assert lb_id in {lb["id"] for lb in cli_json(lb_deployment, "lb", "list")}
    doc = cli_json(lb_deployment, "lb", "show", lb_id)
    assert doc["listeners"][0]["default_pool"]["id"] == pool
    assert _fields(cli(lb_deployment, "lb", "show", lb_id).stdout)["id"] == lb_id

    weights = create_options.get("member.weight", False)
    added = _fields(cli(lb_deployment, "lb", "member", "add", lb_id, pool,
                        _member(lb_members[3]), *(["--weight", "2"] if weights else []),
                        "--wait").stdout)
    assert len(_members_of(added, 0)) == 3
    new = next(i for i, text in enumerate(_members_of(added, 0))
               if (lb_members[3].server_id or lb_members[3].address) in text)
    member_id = _member_id(added, 0, new)
    [api] = cli_json(lb_deployment, "capabilities", "--api", "load_balancing")
    supported = {op["name"]: op.get("supported", False) for op in api["operations"]}
    if weights and supported.get("UpdateMember"):
        doc = cli_json(lb_deployment, "lb", "member", "update", lb_id, pool, member_id,
                       "--weight", "7", "--wait")
        weights = {m["id"]: m.get("weight") for m in
                   doc["load_balancer"]["listeners"][0]["default_pool"]["members"]}
        assert weights[member_id] == 7
    removed = _fields(cli(lb_deployment, "lb", "member", "remove", lb_id, pool, member_id,
                          "--wait").stdout)
    assert len(_members_of(removed, 0)) == 2

    if supported.get("SetHealthMonitor"):
        watched = _fields(cli(lb_deployment, "lb", "monitor", "set", lb_id, other_pool,
                              f"{monitor},delay=4,retries=4", "--wait").stdout)
        assert watched["listeners[1].pool.monitor"].startswith(
            f"{monitor},delay=4,timeout=3,retries=4")
        unwatched = _fields(cli(lb_deployment, "lb", "monitor", "delete", lb_id, other_pool,
                                "--wait").stdout)
        assert unwatched["listeners[1].pool.monitor"] == "none"
        assert all("status=NO_MONITOR" in m for m in _members_of(unwatched, 1))

    started = cli(lb_deployment, "lb", "delete", lb_id).stdout
    assert started.startswith("DeleteLoadBalancer started: operations/")
    operation = started.split()[2]
    cli(lb_deployment, "operation", "watch", operation)
    gone = cli(lb_deployment, "lb", "show", lb_id, check=False)
    assert gone.returncode == 1 and gone.stderr.startswith("error: NOT_FOUND")


def test_an_unsupported_option_is_refused_by_name(lb_deployment, lb_members):
    if lb_deployment.driver == "netscaler":
        args, option = ["--vip-network", "guest-net", "--listener", "HTTP:80",
                        "--member", _member(lb_members[0])], "vip_network_id"
    else:
        args, option = ["--listener", "TCP:80", "--member", "10.9.9.9:80"], "member.address"
    before = {lb["id"] for lb in cli_json(lb_deployment, "lb", "list")}
    proc = cli(lb_deployment, "lb", "create", "refused", *args, "--request-id",
               "7f0c7a50-0000-4000-8000-000000000001", check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    first = proc.stderr.splitlines()[0]
    assert first.startswith(("error: UNIMPLEMENTED: ", "error: INVALID_ARGUMENT: ")), proc.stderr
    assert option in proc.stderr
    assert "--request-id 7f0c7a50-0000-4000-8000-000000000001" in proc.stderr
    assert {lb["id"] for lb in cli_json(lb_deployment, "lb", "list")} == before


def test_bad_syntax_exits_2_before_any_call(lb_deployment):
    proc = cli(lb_deployment, "lb", "create", "x", "--member", "10.0.0.5:80",
               "--listener", "HTTP:80", check=False)
    assert proc.returncode == 2
    assert "--member: give it after the --listener" in proc.stderr


def test_capabilities_show_the_driver_and_its_options(lb_deployment):
    out = cli(lb_deployment, "capabilities", "--api", "load_balancing").stdout
    assert out.startswith(f"API load_balancing (driver: {lb_deployment.driver})")
    assert "option protocol:HTTP" in out and "option persistence:APP_COOKIE" in out


def test_against_translator_sim_netscaler(tmp_path):
    """The NITRO simulator as an operator runs it (``translator-sim netscaler``), a server
    configured from its credentials file, and the CLI: create, show, delete."""
    credentials = tmp_path / "netscaler.json"
    sim = subprocess.Popen([sys.executable, "-m", "translator.cmd.sim", "netscaler", "--port",
                            "0", "--credentials-file", str(credentials)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not credentials.exists() or not credentials.read_text():
            assert sim.poll() is None, sim.stderr.read()
            assert time.monotonic() < deadline, "no credentials file from translator-sim"
            time.sleep(0.05)
        found = json.loads(credentials.read_text())

        class Remote:  # the simulator of another process: only its options are known here
            def config_overrides(self):
                return {"netscaler": {k: found[k] for k in ("endpoint", "username",
                                                             "password")}}

        deployment = start_lb_deployment(tmp_path, "netscaler", Remote())
        try:
            doc = cli_json(deployment, "lb", "create", "sim-web", "--vip", "192.0.2.30",
                           "--listener", "TCP:5432", "--member", "10.2.0.1:5432",
                           "--monitor", "TCP", "--wait")
            lb = doc["load_balancer"]
            assert lb["provisioning_status"] == "ACTIVE" and lb["vip_address"] == "192.0.2.30"
            shown = _fields(cli(deployment, "lb", "show", lb["id"]).stdout)
            assert shown["listeners[0].pool.monitor"].startswith("TCP,delay=5,timeout=3")
            cli(deployment, "lb", "delete", lb["id"], "--wait")
            assert cli_json(deployment, "lb", "list") == []
        finally:
            deployment.server.stop()
    finally:
        sim.terminate()
        sim.wait(10)
