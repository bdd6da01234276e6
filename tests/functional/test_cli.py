"""The ``translator`` CLI as a user runs it: a subprocess against a real translator-server."""

from __future__ import annotations

import json
import os
import queue
import signal
import stat
import subprocess
import sys
import threading
import uuid

import pytest

TIMEOUT = 60


def cli(server, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``translator --endpoint <server> ARGS`` and return the finished process."""
    endpoint = server if isinstance(server, str) else server.address
    proc = subprocess.run(
        [sys.executable, "-m", "translator.cmd.cli", "--endpoint", endpoint, *args],
        capture_output=True, text=True, timeout=TIMEOUT)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check:
        assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def cli_json(server, *args: str):
    return json.loads(cli(server, *args, "--json").stdout)


def _fields(text: str) -> dict[str, str]:
    """The FIELD/VALUE table a show command prints, as a dict."""
    rows = [line.split(None, 1) for line in text.splitlines()]
    start = next(i for i, row in enumerate(rows) if row == ["FIELD", "VALUE"])
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows[start + 1:] if row}


def test_flavor_and_image_lists(translator_server):
    out = cli(translator_server, "flavor", "list").stdout
    assert out.splitlines()[0].split()[:3] == ["ID", "NAME", "VCPUS"]
    assert "Small Instance" in out
    flavors = cli_json(translator_server, "flavor", "list")
    small = next(f for f in flavors if f["name"] == "Small Instance")
    shown = _fields(cli(translator_server, "flavor", "show", small["id"]).stdout)
    assert shown["name"] == "Small Instance"
    assert "Debian 12" in cli(translator_server, "image", "list").stdout
    images = cli_json(translator_server, "image", "list")
    assert "Debian 12" in {i["name"] for i in images}


def test_keypair_create_list_delete(translator_server, tmp_path):
    name = f"cli-{uuid.uuid4().hex[:8]}"
    out = cli(translator_server, "keypair", "create", name).stdout
    assert "PRIVATE KEY" in out and "request_id" in out
    assert name in cli(translator_server, "keypair", "list").stdout
    cli(translator_server, "keypair", "delete", name)
    assert name not in {k["name"] for k in cli_json(translator_server, "keypair", "list")}

    key_file = tmp_path / "id_test"
    doc = cli_json(translator_server, "keypair", "create", name + "-f",
                   "--private-key-file", str(key_file))
    assert doc["request_id"] and "private_key" not in doc["keypair"]
    assert "PRIVATE KEY" in key_file.read_text()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    again = cli(translator_server, "keypair", "create", name + "-g",
                "--private-key-file", str(key_file), check=False)
    assert again.returncode == 2 and "exists" in again.stderr
    cli(translator_server, "keypair", "delete", name + "-f")


def test_server_lifecycle_with_wait(translator_server):
    name = f"cli-{uuid.uuid4().hex[:8]}"
    proc = cli(translator_server, "server", "create", name, "--flavor", "Small Instance",
               "--image", "Debian 12", "--property", "team=paas", "--wait")
    lines = proc.stdout.splitlines()
    assert any("%" in line for line in lines), proc.stdout  # progress lines
    assert not any("\r" in line for line in lines)  # not a TTY: plain lines
    server = _fields(proc.stdout)
    assert server["status"] == "ACTIVE" and server["name"] == name
    assert server["metadata"] == "team=paas"
    server_id = server["id"]

    listed = cli(translator_server, "server", "list").stdout
    assert listed.splitlines()[0].split() == ["ID", "NAME", "STATUS", "FLAVOR", "IMAGE",
                                              "ADDRESSES"]
    assert any(line.startswith(server_id) and "ACTIVE" in line for line in listed.splitlines())
    assert server_id in {s["id"] for s in cli_json(translator_server, "server", "list")}

    def act(*args: str) -> dict:
        return cli_json(translator_server, "server", *args, server_id, "--wait")["server"]

    assert act("stop")["status"] == "SHUTOFF"
    assert act("start")["status"] == "ACTIVE"
    assert act("reboot")["status"] == "ACTIVE"
    resized = cli_json(translator_server, "server", "resize", server_id,
                       "--flavor", "Medium Instance", "--wait")["server"]
    assert resized["flavor_name"] == "Medium Instance"
    deleted = cli(translator_server, "server", "delete", server_id, "--wait")
    assert "done" in deleted.stdout
    gone = cli(translator_server, "server", "show", server_id, check=False)
    assert gone.returncode == 1 and "NOT_FOUND" in gone.stderr


def test_server_create_without_wait_then_operation_commands(translator_server):
    request_id = str(uuid.uuid4())
    name = f"cli-{uuid.uuid4().hex[:8]}"
    doc = cli_json(translator_server, "server", "create", name, "--flavor", "Small Instance",
                   "--image", "Debian 12", "--request-id", request_id)
    assert doc["request_id"] == request_id
    op_name = doc["operation"]["name"]
    assert op_name.startswith("operations/")
    replay = cli_json(translator_server, "server", "create", name, "--flavor",
                      "Small Instance", "--image", "Debian 12", "--request-id", request_id)
    assert replay["operation"]["name"] == op_name  # idempotent: no second server

    watched = cli(translator_server, "operation", "watch", op_name)
    assert _fields(watched.stdout)["status"] == "ACTIVE"
    shown = _fields(cli(translator_server, "operation", "show", op_name).stdout)
    assert shown["done"] == "true" and shown["verb"] == "CreateServer"
    assert shown["request_id"] == request_id
    listed = cli_json(translator_server, "operation", "list", "--filter", "done=true")
    assert op_name in {o["name"] for o in listed}
    cancel = cli(translator_server, "operation", "cancel", op_name, check=False)
    assert cancel.returncode == 1 and "already done" in cancel.stderr
    server_id = cli_json(translator_server, "operation", "show", op_name)["response"]["id"]
    cli(translator_server, "server", "delete", server_id, "--wait")


def test_not_found_flavor_is_a_clear_error(translator_server):
    proc = cli(translator_server, "server", "create", "nope", "--flavor", "huge",
               "--image", "Debian 12", "--wait", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: NOT_FOUND: ")
    assert "huge" in proc.stderr.splitlines()[0]
    as_json = cli(translator_server, "server", "create", "nope", "--flavor", "huge",
                  "--image", "Debian 12", "--json", check=False)
    assert as_json.returncode == 1 and as_json.stdout == ""
    error = json.loads(as_json.stderr)
    assert error["code"] == "NOT_FOUND" and isinstance(error["details"], list)


def test_unreachable_endpoint_exits_3():
    proc = cli("127.0.0.1:1", "flavor", "list", check=False)
    assert proc.returncode == 3
    assert "127.0.0.1:1" in proc.stderr


@pytest.mark.parametrize("json_mode", [False, True])
def test_capabilities_names_the_driver(translator_server, json_mode):
    if json_mode:
        apis = cli_json(translator_server, "capabilities", "--api", "compute")
        assert apis[0]["driver"] == "cloudstack"
        assert any(op["name"] == "CreateServer" for op in apis[0]["operations"])
    else:
        out = cli(translator_server, "capabilities").stdout
        assert "cloudstack" in out and "CreateServer" in out


class Running:
    """A CLI subprocess whose stdout lines can be awaited with a deadline."""

    def __init__(self, server, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "translator.cmd.cli", "--endpoint", server.address, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 30) -> str:
        while True:
            line = self.lines.get(timeout=timeout)
            self.seen.append(line)
            if text in line:
                return line

    def finish(self, timeout: float = TIMEOUT) -> tuple[int, str, str]:
        code = self.proc.wait(timeout)
        stderr = self.proc.stderr.read()
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return code, "".join(self.seen), stderr


def test_wait_survives_a_server_restart(private_deployment):
    """The watch stream breaks when the server dies; polling carries the wait through."""
    private_deployment.sim.set_job_duration("deployVirtualMachine", 3.0)
    run = Running(private_deployment, "server", "create", "phoenix", "--flavor",
                  "Small Instance", "--image", "Debian 12", "--wait")
    run.wait_for("CloudStack job")
    private_deployment.server.kill()
    private_deployment.server.start()
    code, out, err = run.finish()
    assert code == 0, out + err
    assert _fields(out)["status"] == "ACTIVE"
    assert "Traceback" not in err


def test_ctrl_c_stops_watching_not_the_operation(private_deployment):
    private_deployment.sim.set_job_duration("deployVirtualMachine", 3.0)
    run = Running(private_deployment, "server", "create", "patient", "--flavor",
                  "Small Instance", "--image", "Debian 12", "--wait")
    op_name = run.wait_for("operations/").split()[1]
    run.wait_for("CloudStack job")
    run.proc.send_signal(signal.SIGINT)
    code, out, err = run.finish()
    assert code == 130
    assert op_name in err and "Traceback" not in err
    watched = cli(private_deployment, "operation", "watch", op_name)
    assert _fields(watched.stdout)["status"] == "ACTIVE"


def test_output_into_a_closed_pipe_ends_quietly(translator_server):
    """`translator flavor list | head -1` prints no traceback."""
    import subprocess
    import sys
    proc = subprocess.Popen(
        [sys.executable, "-m", "translator.cmd.cli", "--endpoint", translator_server.address,
         "capabilities"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the first write, like `| head -0`
    stderr = proc.stderr.read().decode()
    assert proc.wait(30) in (0, 141)
    assert "Traceback" not in stderr


def test_list_pages_through_every_server_or_stops_at_the_limit(private_deployment):
    private_deployment.sim.seed_virtual_machines(1200)
    servers = cli_json(private_deployment, "server", "list")
    assert len(servers) == len({s["id"] for s in servers}) == 1200
    assert len(cli_json(private_deployment, "server", "list", "--limit", "3")) == 3


def test_watching_an_unknown_operation_is_a_clear_error(translator_server):
    proc = cli(translator_server, "operation", "watch", "operations/nosuchop", check=False)
    assert proc.returncode == 1 and "NOT_FOUND" in proc.stderr
