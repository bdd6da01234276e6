"""``translator container|object`` as a user runs them, on every object storage driver.

The server is conftest's ``object_deployment``: local files, then the session's
real radosgw over S3 (ceph) and over Swift (swift), with 5 MiB parts, so the
6 MiB file here is stored in parts on the last two.
"""

from __future__ import annotations

import hashlib
import os
import pty
import subprocess
import sys
import urllib.request
import uuid

from functional.test_cli import TIMEOUT, _fields, cli, cli_json

MiB = 1024 * 1024
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _unique() -> str:
    return f"cli-{uuid.uuid4().hex[:10]}"


def _run_binary(deployment, *args: str, stdin: bytes | None = None
                ) -> subprocess.CompletedProcess:
    """The CLI with bytes in and out (object data on stdin or stdout)."""
    proc = subprocess.run(
        [sys.executable, "-m", "translator.cmd.cli", "--endpoint", deployment.address, *args],
        input=stdin, capture_output=True, timeout=TIMEOUT)
    assert b"Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 0, proc.stderr.decode()
    return proc


def test_put_get_list_show_copy_delete(object_deployment, tmp_path):
    deployment = object_deployment
    name = _unique()
    made = _fields(cli(deployment, "container", "create", name, "--meta", "team=paas").stdout)
    assert made["name"] == name and made["metadata"] == "team=paas"
    assert name in cli(deployment, "container", "list", "--prefix", name).stdout

    data = os.urandom(6 * MiB + 123)
    source = tmp_path / "backup.tar"
    source.write_bytes(data)
    put = cli(deployment, "object", "put", name, "dumps/backup.tar", str(source),
              "--meta", "kind=dump")
    assert put.stderr == ""  # not a terminal: no progress bar
    stored = _fields(put.stdout)
    assert stored["size_bytes"] == str(len(data))
    assert stored["md5"] == hashlib.md5(data).hexdigest()
    assert stored["content_type"] == "application/x-tar"
    if deployment.driver != "local":
        assert "parts=2" in stored["extra"]

    target = tmp_path / "restored.tar"
    got = cli(deployment, "object", "get", name, "dumps/backup.tar", "-o", str(target),
              "--quiet")
    assert "md5 verified" in got.stdout and got.stderr == ""
    assert target.read_bytes() == data
    assert [p for p in os.listdir(tmp_path) if p.endswith(".part")] == []
    piece = _run_binary(deployment, "object", "get", name, "dumps/backup.tar", "-o", "-",
                        "--offset", str(5 * MiB - 10), "--length", "20")
    assert piece.stdout == data[5 * MiB - 10:5 * MiB + 10]

    _run_binary(deployment, "object", "put", name, "notes.txt", "-", stdin=b"from a pipe")
    listed = cli(deployment, "object", "list", name, "--delimiter", "/").stdout
    rows = [line.split()[0] for line in listed.splitlines()[1:]]
    assert rows == ["dumps/", "notes.txt"]
    doc = cli_json(deployment, "object", "list", name, "--prefix", "dumps/")
    assert [o["name"] for o in doc["objects"]] == ["dumps/backup.tar"]
    shown = _fields(cli(deployment, "object", "show", name, "notes.txt").stdout)
    assert shown["size_bytes"] == str(len(b"from a pipe"))
    assert shown["content_type"] == "text/plain"  # guessed from the name

    copied = cli_json(deployment, "object", "copy", name, "dumps/backup.tar", name, "copy.tar",
                      "--meta", "kind=copy")
    assert copied["name"] == "copy.tar"
    assert _fields(cli(deployment, "object", "show", name, "copy.tar").stdout)[
        "metadata"] == "kind=copy"
    kept = _fields(cli(deployment, "object", "show", name, "dumps/backup.tar").stdout)
    assert kept["metadata"] == "kind=dump"

    busy = cli(deployment, "container", "delete", name, check=False)
    assert busy.returncode == 1 and "FAILED_PRECONDITION" in busy.stderr
    for obj in ("dumps/backup.tar", "notes.txt", "copy.tar"):
        assert "deleted" in cli(deployment, "object", "delete", name, obj).stdout
    gone = cli(deployment, "object", "show", name, "copy.tar", check=False)
    assert gone.returncode == 1 and "NOT_FOUND" in gone.stderr
    missing = cli(deployment, "object", "get", name, "copy.tar", "-o", str(tmp_path / "x"),
                  check=False)
    assert missing.returncode == 1 and not (tmp_path / "x").exists()
    cli(deployment, "container", "delete", name)
    assert name not in cli(deployment, "container", "list", "--prefix", name).stdout


def test_temp_url(object_deployment, tmp_path):
    deployment = object_deployment
    name = _unique()
    cli(deployment, "container", "create", name)
    source = tmp_path / "shared.txt"
    source.write_bytes(b"shared with a temp URL")
    cli(deployment, "object", "put", name, "shared.txt", str(source))
    try:
        made = cli(deployment, "object", "temp-url", name, "shared.txt", "--expires", "120",
                   check=False)
        if deployment.driver == "local":
            assert made.returncode == 1 and "UNIMPLEMENTED" in made.stderr
            return
        assert made.returncode == 0 and made.stderr.startswith("GET until ")
        url = made.stdout.strip()
        with _NO_PROXY.open(url, timeout=10) as answer:
            assert answer.read() == b"shared with a temp URL"
    finally:
        cli(deployment, "object", "delete", name, "shared.txt")
        cli(deployment, "container", "delete", name)


def test_unreadable_and_unwritable_files_are_clear_errors(object_deployment, tmp_path):
    if object_deployment.driver != "local":
        return  # all client-side: once is enough
    missing = cli(object_deployment, "object", "put", "any", "x", str(tmp_path / "nope"),
                  check=False)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    nowhere = cli(object_deployment, "object", "get", "any", "x", "-o",
                  str(tmp_path / "no-dir" / "x"), check=False)
    assert nowhere.returncode == 2 and "cannot write" in nowhere.stderr


def test_a_progress_bar_on_a_terminal(object_deployment, tmp_path):
    """With stderr on a terminal, put and get draw bytes, rate and a bar there."""
    if object_deployment.driver != "local":
        return  # the bar is the client's: once is enough
    name = _unique()
    cli(object_deployment, "container", "create", name)
    source = tmp_path / "blob"
    source.write_bytes(os.urandom(3 * MiB))
    for args in (("object", "put", name, "blob", str(source)),
                 ("object", "get", name, "blob", "-o", str(tmp_path / "copy"))):
        controller, terminal = pty.openpty()
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "translator.cmd.cli", "--endpoint",
                 object_deployment.address, *args],
                stdout=subprocess.PIPE, stderr=terminal, timeout=TIMEOUT)
            os.close(terminal)
            drawn = _read_all(controller)
        finally:
            os.close(controller)
        assert proc.returncode == 0, drawn
        assert "\r" in drawn and "3.0 MiB / 3.0 MiB" in drawn and "100%" in drawn, drawn
        assert "/s" in drawn
    assert (tmp_path / "copy").read_bytes() == source.read_bytes()
    cli(object_deployment, "object", "delete", name, "blob")
    cli(object_deployment, "container", "delete", name)


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")
