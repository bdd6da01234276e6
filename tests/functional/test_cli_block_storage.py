"""``translator volume|volume-type|snapshot`` as a user runs them, against a real server.

The server is the functional fixture's: the CloudStack simulator behind the real
CloudStack drivers, with the volume types of conftest.BLOCK_TYPES ("fast" maps
onto the simulator's ssd-tagged disk offerings).
"""

from __future__ import annotations

import json
import re
import signal
import uuid

import pytest

from functional.test_cli import Running, _fields, cli, cli_json

FAST = "fast"


def _name() -> str:
    return f"cli-{uuid.uuid4().hex[:8]}"


def _rows(text: str) -> list[dict[str, str]]:
    """A list command's table as dicts; cells are cut at the header's column starts,
    since values such as ``vm-1 (device 1)`` hold spaces."""
    header, *lines = text.splitlines()
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    ends = [*starts[1:], None]
    return [{name: line[start:end].strip()
             for name, start, end in zip(header.split(), starts, ends, strict=True)}
            for line in lines]


def _row(text: str, ident: str) -> dict[str, str]:
    return next(row for row in _rows(text) if row.get("ID") == ident)


def _server(deployment) -> str:
    doc = cli_json(deployment, "server", "create", _name(), "--flavor", "Small Instance",
                   "--image", "Debian 12", "--wait")
    return doc["server"]["id"]


def _volume(deployment, *args: str) -> dict:
    return cli_json(deployment, "volume", "create", _name(), *args, "--wait")["volume"]


def _attached_volume(deployment) -> tuple[str, str]:
    """(volume id, server id) of a new fast volume attached to a new server."""
    server_id = _server(deployment)
    volume_id = _volume(deployment, "--size", "10", "--type", FAST)["id"]
    cli(deployment, "volume", "attach", volume_id, "--server", server_id, "--wait")
    return volume_id, server_id


def test_volume_types_table_and_json(translator_server):
    types = {t["name"]: t for t in cli_json(translator_server, "volume-type", "list")}
    text = cli(translator_server, "volume-type", "list").stdout
    rows = {row["NAME"]: row for row in _rows(text)}
    assert text.splitlines()[0].split() == ["NAME", "DEFAULT", "LOCATION", "BACKEND",
                                            "CAPABILITIES", "SIZE_GB"]
    assert list(rows) == list(types) and FAST in rows
    assert [name for name, row in rows.items() if row["DEFAULT"] == "yes"] == \
        [name for name, t in types.items() if t.get("is_default")]
    assert rows[FAST]["LOCATION"].startswith("primary")
    assert "ssd" in rows[FAST]["BACKEND"]
    assert ("snapshots" in rows[FAST]["CAPABILITIES"]) == types[FAST].get("snapshots", False)


def _default_type(deployment) -> tuple[str, str]:
    """(name, a size it offers) of the server's default volume type."""
    default = next(t for t in cli_json(deployment, "volume-type", "list") if t.get("is_default"))
    return default["name"], str(default.get("size_gb") or 1)


def test_create_with_the_default_type(translator_server):
    name, size = _default_type(translator_server)
    volume = _volume(translator_server, "--size", size)
    assert volume["volume_type"] == name and volume["status"] == "AVAILABLE"
    cli(translator_server, "volume", "delete", volume["id"], "--wait")


def test_volume_and_snapshot_lifecycle(translator_server):
    name = _name()
    proc = cli(translator_server, "volume", "create", name, "--size", "10", "--type", FAST,
               "--property", "app=db", "--wait")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("CreateVolume operations/") and "request_id" in lines[0]
    assert any("%" in line for line in lines)  # progress, one plain line per change
    assert not any("\r" in line for line in lines)
    volume = _fields(proc.stdout)
    assert (volume["name"], volume["status"], volume["size_gb"]) == (name, "available", "10")
    assert (volume["volume_type"], volume["metadata"]) == (FAST, "app=db")
    assert volume["location"].startswith("primary")
    assert "disk_offering_id=" in volume["extra"]
    volume_id = volume["id"]

    listed = cli(translator_server, "volume", "list").stdout
    assert listed.splitlines()[0].split() == ["ID", "NAME", "STATUS", "SIZE_GB", "TYPE",
                                              "LOCATION", "ATTACHED_TO", "EXTRA"]
    row = _row(listed, volume_id)
    assert (row["STATUS"], row["SIZE_GB"], row["TYPE"]) == ("available", "10", FAST)
    assert cli_json(translator_server, "volume", "show", volume_id)["status"] == "AVAILABLE"

    server_id = _server(translator_server)
    attached = _fields(cli(translator_server, "volume", "attach", volume_id,
                           "--server", server_id, "--wait").stdout)
    assert attached["status"] == "in-use"
    assert attached["attachments"].startswith(server_id)
    assert attached["attachments[0].driver_volume_type"] == "cloudstack"
    assert f"virtualmachineid={server_id}" in attached["attachments[0].data"]
    assert re.fullmatch(r"primary:\S+", attached["location"]), "placed at its first attach"
    assert _row(cli(translator_server, "volume", "list").stdout,
                volume_id)["ATTACHED_TO"].startswith(server_id)
    shown = _fields(cli(translator_server, "volume", "show", volume_id).stdout)
    assert shown["attachments[0].driver_volume_type"] == "cloudstack"

    snap = _fields(cli(translator_server, "snapshot", "create", "--volume", volume_id,
                       "--name", "nightly", "--property", "keep=7", "--wait").stdout)
    assert (snap["name"], snap["status"], snap["volume_id"]) == ("nightly", "available",
                                                                volume_id)
    assert snap["location"].startswith("secondary") and snap["metadata"] == "keep=7"
    snapshot_id = snap["id"]
    assert [s["id"] for s in cli_json(translator_server, "snapshot", "list",
                                      "--volume", volume_id)] == [snapshot_id]
    snap_row = _row(cli(translator_server, "snapshot", "list").stdout, snapshot_id)
    assert (snap_row["STATUS"], snap_row["VOLUME"]) == ("available", volume_id)
    assert _fields(cli(translator_server, "snapshot", "show", snapshot_id).stdout)[
        "size_gb"] == "10"

    restored = _volume(translator_server, "--snapshot", snapshot_id, "--type", FAST)
    assert restored["source_snapshot_id"] == snapshot_id and restored["size_gb"] == 10

    detached = cli_json(translator_server, "volume", "detach", volume_id,
                        "--server", server_id, "--wait")["volume"]
    assert detached["status"] == "AVAILABLE" and "attachments" not in detached
    extended = cli_json(translator_server, "volume", "extend", volume_id, "--size", "20",
                        "--wait")["volume"]
    assert extended["size_gb"] == 20
    shrink = cli(translator_server, "volume", "extend", volume_id, "--size", "5", "--wait",
                 check=False)
    assert shrink.returncode == 1 and "field new_size_gb: " in shrink.stderr

    deleted = cli(translator_server, "snapshot", "delete", snapshot_id, "--wait")
    assert f"DeleteSnapshot {snapshot_id} done" in deleted.stdout
    gone = cli(translator_server, "snapshot", "show", snapshot_id, check=False)
    assert gone.returncode == 1 and "NOT_FOUND" in gone.stderr
    for vid in (volume_id, restored["id"]):
        cli(translator_server, "volume", "delete", vid, "--wait")
        gone = cli(translator_server, "volume", "show", vid, check=False)
        assert gone.returncode == 1 and "NOT_FOUND" in gone.stderr
    cli(translator_server, "server", "delete", server_id, "--wait")


def test_create_without_wait_replays_by_request_id(translator_server):
    request_id, name = str(uuid.uuid4()), _name()
    args = ("volume", "create", name, "--size", "5", "--type", FAST, "--request-id", request_id)
    doc = cli_json(translator_server, *args)
    assert doc["request_id"] == request_id
    op_name = doc["operation"]["name"]
    assert cli_json(translator_server, *args)["operation"]["name"] == op_name
    started = cli(translator_server, *args).stdout
    assert started == f"CreateVolume started: {op_name} (request_id {request_id})\n"

    watched = _fields(cli(translator_server, "operation", "watch", op_name).stdout)
    assert watched["name"] == name and watched["status"] == "available"  # the volume it made
    shown = _fields(cli(translator_server, "operation", "show", op_name).stdout)
    assert shown["verb"] == "CreateVolume" and shown["request_id"] == request_id
    volume_id = cli_json(translator_server, "operation", "show", op_name)["response"]["id"]
    assert shown["result"] == f"volume {volume_id} available"
    assert [v["name"] for v in cli_json(translator_server, "volume", "list")].count(name) == 1
    cli(translator_server, "volume", "delete", volume_id, "--wait")


def test_bad_requests_show_field_violations(translator_server):
    args = ("volume", "create", "huge", "--size", "999999", "--type", "no-such-type")
    proc = cli(translator_server, *args, check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("error: INVALID_ARGUMENT: ")
    assert any(line.startswith("  field size_gb: ") for line in lines)
    assert any(line.startswith("  field volume_type: ") for line in lines)
    assert lines[-1].startswith("  request_id: ")

    as_json = cli(translator_server, *args, "--json", check=False)
    error = json.loads(as_json.stderr)
    assert error["code"] == "INVALID_ARGUMENT" and error["request_id"]
    violations = next(d["field_violations"] for d in error["details"]
                      if d["@type"].endswith("google.rpc.BadRequest"))
    assert {v["field"] for v in violations} == {"size_gb", "volume_type"}


def test_refusals_and_unknown_ids_are_clear(translator_server):
    missing = str(uuid.uuid4())
    for args in (("volume", "show", missing), ("snapshot", "show", missing),
                 ("volume", "delete", missing, "--wait"),
                 ("volume", "detach", missing, "--wait"),
                 ("volume", "attach", missing, "--server", missing, "--wait")):
        proc = cli(translator_server, *args, check=False)
        assert proc.returncode == 1 and proc.stderr.startswith("error: NOT_FOUND: "), args
    image = cli(translator_server, "volume", "create", "img", "--image", "Debian 12",
                check=False)
    assert image.returncode == 1 and "option=image_id" in image.stderr
    usage = cli(translator_server, "volume", "create", "sizeless", check=False)
    assert usage.returncode == 2 and "--size" in usage.stderr


def test_list_pages_through_every_volume_or_stops_at_the_limit(private_deployment):
    # Every VM has a ROOT volume, which CloudStack lists among the volumes.
    private_deployment.sim.seed_virtual_machines(230)
    volumes = cli_json(private_deployment, "volume", "list")
    assert len(volumes) == len({v["id"] for v in volumes}) >= 230
    assert len(cli_json(private_deployment, "volume", "list", "--limit", "3")) == 3
    assert len(_rows(cli(private_deployment, "volume", "list", "--limit", "2").stdout)) == 2


def test_ctrl_c_stops_watching_not_the_volume(private_deployment):
    private_deployment.sim.set_job_duration("createVolume", 3.0)
    _, size = _default_type(private_deployment)  # this server has only the default type
    run = Running(private_deployment, "volume", "create", "patient", "--size", size, "--wait")
    op_name = run.wait_for("operations/").split()[1]
    run.wait_for("CloudStack job")
    run.proc.send_signal(signal.SIGINT)
    code, _, err = run.finish()
    assert code == 130 and op_name in err and "Traceback" not in err
    assert f"translator operation watch {op_name}" in err
    watched = _fields(cli(private_deployment, "operation", "watch", op_name).stdout)
    assert watched["name"] == "patient" and watched["status"] == "available"


@pytest.mark.parametrize("args", [
    pytest.param(("volume", "extend", "{}", "--size", "9", "--wait"), id="extend"),
    pytest.param(("snapshot", "create", "--volume", "{}", "--wait"), id="snapshot")])
def test_an_unknown_volume_is_not_found(translator_server, args):
    """README: CloudStack's 431 for an unknown id is NOT_FOUND, as for every other verb."""
    missing = str(uuid.uuid4())
    proc = cli(translator_server, *(a.format(missing) for a in args), check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: NOT_FOUND: "), proc.stderr


def test_a_new_volume_has_no_pool_until_attached(translator_server):
    """block_storage.proto: StorageLocation.pool is empty until the backend places the data."""
    volume = _fields(cli(translator_server, "volume", "create", _name(), "--size", "5",
                         "--type", FAST, "--wait").stdout)
    cli(translator_server, "volume", "delete", volume["id"], "--wait")
    assert volume["location"] == "primary"


def test_an_attached_volume_cannot_be_deleted(translator_server):
    """block_storage.proto: DeleteVolume is refused with FAILED_PRECONDITION while attached."""
    volume_id, server_id = _attached_volume(translator_server)
    proc = cli(translator_server, "volume", "delete", volume_id, "--wait", check=False)
    cli(translator_server, "volume", "detach", volume_id, "--wait")
    cli(translator_server, "volume", "delete", volume_id, "--wait")
    cli(translator_server, "server", "delete", server_id, "--wait")
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: FAILED_PRECONDITION: "), proc.stderr
    assert "  request_id: " in proc.stderr


def test_restore_a_snapshot_without_naming_a_type(translator_server):
    """A volume from a snapshot takes its source's type when --type is not given."""
    volume_id, server_id = _attached_volume(translator_server)
    snapshot = cli_json(translator_server, "snapshot", "create", "--volume", volume_id,
                        "--wait")["snapshot"]
    proc = cli(translator_server, "volume", "create", _name(), "--snapshot", snapshot["id"],
               "--wait", "--json", check=False)
    cli(translator_server, "snapshot", "delete", snapshot["id"], "--wait")
    if proc.returncode == 0:
        cli(translator_server, "volume", "delete", json.loads(proc.stdout)["volume"]["id"],
            "--wait")
    cli(translator_server, "volume", "detach", volume_id, "--wait")
    cli(translator_server, "volume", "delete", volume_id, "--wait")
    cli(translator_server, "server", "delete", server_id, "--wait")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["volume"]["volume_type"] == FAST


def test_extend_while_attached_follows_the_type(translator_server):
    """A type with online_extend grows an attached volume; one without refuses it clearly."""
    fast = next(t for t in cli_json(translator_server, "volume-type", "list")
                if t["name"] == FAST)
    volume_id, server_id = _attached_volume(translator_server)
    proc = cli(translator_server, "volume", "extend", volume_id, "--size", "15", "--wait",
               "--json", check=False)
    cli(translator_server, "volume", "detach", volume_id, "--wait")
    cli(translator_server, "volume", "delete", volume_id, "--wait")
    cli(translator_server, "server", "delete", server_id, "--wait")
    if fast.get("online_extend"):
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["volume"]["size_gb"] == 15
    else:
        assert proc.returncode == 1 and proc.stdout == ""
        assert json.loads(proc.stderr)["code"] == "FAILED_PRECONDITION"
