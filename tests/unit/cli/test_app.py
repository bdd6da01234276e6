"""Argument parsing: the command set, sizing rules, KEY=VALUE, usage errors exit 2."""

from __future__ import annotations

import json

import pytest

from translator.api.v1 import compute_pb2
from translator.cli import app, compute


def _usage_error(argv, capsys) -> str:
    assert app.run(argv) == 2
    return capsys.readouterr().err


def test_create_with_flavor_and_everything():
    args = app.parse_args([
        "server", "create", "web", "--flavor", "Small Instance", "--image", "Debian 12",
        "--property", "role=web", "--property", "empty=", "--property", "k=a=b",
        "--security-group", "default", "--security-group", "web", "--network", "n1",
        "--request-id", "rid-1", "--wait"])
    assert args.func is compute.server_create
    assert args.properties == [("role", "web"), ("empty", ""), ("k", "a=b")]
    assert args.security_groups == ["default", "web"]
    assert args.networks == ["n1"]
    assert (args.request_id, args.wait, args.json) == ("rid-1", True, False)


def test_create_with_vcpus_and_ram():
    args = app.parse_args(["server", "create", "w", "--vcpus", "2", "--ram", "2048",
                           "--image", "i"])
    request = compute_pb2.CreateServerRequest()
    compute._sizing(request, args)
    assert request.WhichOneof("flavor_ref") == "resources"
    assert (request.resources.vcpus, request.resources.ram_mb) == (2, 2048)


@pytest.mark.parametrize("sizing", [
    ["--flavor", "f", "--vcpus", "2", "--ram", "512"],
    ["--flavor", "f", "--ram", "512"],
    ["--vcpus", "2"],
    [],
])
def test_flavor_excludes_vcpus_and_ram(sizing, capsys):
    err = _usage_error(["server", "create", "w", "--image", "i", *sizing], capsys)
    assert "--flavor" in err


def test_resize_needs_sizing_too(capsys):
    assert "--flavor" in _usage_error(["server", "resize", "vm-1"], capsys)
    args = app.parse_args(["server", "resize", "vm-1", "--flavor", "Medium Instance"])
    assert args.func is compute.server_resize


@pytest.mark.parametrize("bad", ["novalue", "=value", " =x"])
def test_bad_property_is_a_usage_error(bad, capsys):
    err = _usage_error(["server", "create", "w", "--flavor", "f", "--image", "i",
                        "--property", bad], capsys)
    assert "KEY=VALUE" in err


@pytest.mark.parametrize("argv", [
    [], ["server"], ["server", "explode", "x"], ["server", "show"],
    ["server", "create", "w", "--flavor", "f"],  # --image is required
    ["server", "create", "w", "--vcpus", "0", "--ram", "1", "--image", "i"],
    ["--timeout", "0", "flavor", "list"], ["server", "list", "--limit", "-1"],
    ["keypair", "import", "k"],
])
def test_usage_errors_exit_2(argv, capsys):
    _usage_error(argv, capsys)


def test_missing_user_data_file_is_a_usage_error(tmp_path, capsys):
    err = _usage_error(["server", "create", "w", "--flavor", "f", "--image", "i",
                        "--user-data", str(tmp_path / "missing")], capsys)
    assert "cannot read" in err


def test_user_data_and_public_key_are_read(tmp_path):
    (tmp_path / "ud").write_bytes(b"#!/bin/sh\n\xff")
    (tmp_path / "key.pub").write_text("ssh-ed25519 AAAA me@host\n")
    args = app.parse_args(["server", "create", "w", "--flavor", "f", "--image", "i",
                           "--user-data", str(tmp_path / "ud")])
    assert args.user_data == b"#!/bin/sh\n\xff"
    args = app.parse_args(["keypair", "import", "k", "--public-key-file",
                           str(tmp_path / "key.pub")])
    assert args.public_key == "ssh-ed25519 AAAA me@host"


def test_global_options_before_or_after_the_command(monkeypatch):
    monkeypatch.setenv("TRANSLATOR_ENDPOINT", "example:1")
    args = app.parse_args(["flavor", "list"])
    assert (args.endpoint, args.timeout, args.json) == ("example:1", 30.0, False)
    args = app.parse_args(["--json", "--endpoint", "a:1", "--timeout", "5", "flavor", "list"])
    assert (args.endpoint, args.timeout, args.json) == ("a:1", 5.0, True)
    args = app.parse_args(["flavor", "list", "--json", "--endpoint", "b:2"])
    assert (args.endpoint, args.json) == ("b:2", True)


@pytest.mark.parametrize("argv, func", [
    (["server", "list", "--limit", "3"], compute.server_list),
    (["server", "show", "x"], compute.server_show),
    (["server", "start", "x", "--wait"], compute.server_lifecycle),
    (["server", "stop", "x"], compute.server_lifecycle),
    (["server", "reboot", "x", "--hard"], compute.server_lifecycle),
    (["server", "delete", "x", "--wait"], compute.server_lifecycle),
    (["flavor", "list"], compute.flavor_list), (["flavor", "show", "x"], compute.flavor_show),
    (["image", "list"], compute.image_list), (["image", "show", "x"], compute.image_show),
    (["keypair", "create", "k", "--private-key-file", "p"], compute.keypair_create),
    (["keypair", "list"], compute.keypair_list), (["keypair", "delete", "k"],
                                                  compute.keypair_delete),
    (["operation", "list", "--filter", "done=false"], app.operations.list_),
    (["operation", "show", "operations/1"], app.operations.show),
    (["operation", "watch", "operations/1"], app.operations.watch),
    (["operation", "cancel", "operations/1"], app.operations.cancel),
    (["capabilities", "--api", "compute"], app.capabilities),
])
def test_command_set(argv, func):
    assert app.parse_args(argv).func is func


def test_reboot_hard_flag():
    assert app.parse_args(["server", "reboot", "x", "--hard"]).hard is True
    assert app.parse_args(["server", "reboot", "x"]).hard is False


def test_help_exits_0(capsys):
    assert app.run(["server", "create", "--help"]) == 0
    assert "--flavor" in capsys.readouterr().out


def test_unreachable_server_exits_3_and_names_endpoint_and_request_id(capsys):
    # Port 1 on loopback refuses at once: no server is needed.
    code = app.run(["--endpoint", "127.0.0.1:1", "keypair", "delete", "k",
                    "--request-id", "rid-9", "--json"])
    assert code == 3
    error = json.loads(capsys.readouterr().err)
    assert error["code"] == "UNAVAILABLE" and "127.0.0.1:1" in error["message"]
    assert error["request_id"] == "rid-9"
