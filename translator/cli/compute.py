"""``translator server|flavor|image|keypair ...``: the Compute API from a shell.

Every mutating command sends a request_id (``--request-id`` or a fresh uuid4)
and prints it, so re-running a command with the same id after a lost reply is
safe: the server answers with the first call's result instead of acting twice.
"""

from __future__ import annotations

import argparse
import os
import uuid
from typing import TYPE_CHECKING

from translator.api.v1 import compute_pb2
from translator.cli import errors, operations, output

if TYPE_CHECKING:
    from translator.cli.app import Client


# -- argument types -----------------------------------------------------------

def key_value(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` (the value may be empty, the key may not)."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not KEY=VALUE")
    return key.strip(), value


def file_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {error.strerror}") from None


def file_text(path: str) -> str:
    try:
        return file_bytes(path).decode().strip()
    except UnicodeDecodeError:
        raise argparse.ArgumentTypeError(f"{path} is not a text file") from None


def check_sizing(args: argparse.Namespace) -> str | None:
    """Why ``--flavor`` / ``--vcpus --ram`` were misused, or None when they were not."""
    sizes = (args.vcpus, args.ram)
    if args.flavor is not None and any(s is not None for s in sizes):
        return "--flavor cannot be combined with --vcpus/--ram"
    if args.flavor is None and None in sizes:
        return "give either --flavor or both --vcpus and --ram"
    return None


def request_id(args: argparse.Namespace) -> str:
    """``--request-id`` or a fresh uuid4, kept on ``args`` so a failure can show it."""
    args.request_id = args.request_id or str(uuid.uuid4())
    return args.request_id


def _sizing(request, args: argparse.Namespace) -> None:
    if args.flavor is not None:
        request.flavor = args.flavor
    else:
        request.resources.CopyFrom(compute_pb2.ResourceRequest(vcpus=args.vcpus,
                                                               ram_mb=args.ram))


def _show(console: output.Console, msg) -> int:
    if console.json_mode:
        console.json(output.to_dict(msg))
    else:
        console.line(output.fields_table(output.message_fields(msg)))
    return errors.EXIT_OK


def _list(console: output.Console, columns, items) -> int:
    if console.json_mode:
        console.json([output.to_dict(i) for i in items])
    else:
        console.line(output.columns_table(columns, items))
    return errors.EXIT_OK


# -- servers -------------------------------------------------------------------

def server_create(args, client: Client, console: output.Console) -> int:
    rid = request_id(args)
    request = compute_pb2.CreateServerRequest(
        request_id=rid, name=args.name, image=args.image, keypair=args.keypair or "",
        user_data=args.user_data or b"", security_groups=args.security_groups,
        availability_zone=args.availability_zone or "", metadata=dict(args.properties),
        networks=args.networks)
    _sizing(request, args)
    op = client.compute.CreateServer(request, timeout=client.timeout)
    return operations.started(client, console, op, rid, args.wait)


def server_resize(args, client: Client, console: output.Console) -> int:
    rid = request_id(args)
    request = compute_pb2.ResizeServerRequest(request_id=rid, id=args.id)
    _sizing(request, args)
    op = client.compute.ResizeServer(request, timeout=client.timeout)
    return operations.started(client, console, op, rid, args.wait)


LIFECYCLE = {
    "start": ("StartServer", compute_pb2.StartServerRequest, "power a server on"),
    "stop": ("StopServer", compute_pb2.StopServerRequest, "power a server off"),
    "reboot": ("RebootServer", compute_pb2.RebootServerRequest, "reboot a server"),
    "delete": ("DeleteServer", compute_pb2.DeleteServerRequest, "delete a server"),
}


def server_lifecycle(args, client: Client, console: output.Console) -> int:
    rpc, request_type, _ = LIFECYCLE[args.action]
    rid = request_id(args)
    request = request_type(request_id=rid, id=args.id)
    if args.action == "reboot":
        request.type = (compute_pb2.RebootServerRequest.HARD if args.hard
                        else compute_pb2.RebootServerRequest.SOFT)
    op = getattr(client.compute, rpc)(request, timeout=client.timeout)
    return operations.started(client, console, op, rid, args.wait)


def server_show(args, client: Client, console: output.Console) -> int:
    return _show(console, client.compute.GetServer(compute_pb2.GetServerRequest(id=args.id),
                                                   timeout=client.timeout))


def server_list(args, client: Client, console: output.Console) -> int:
    servers = client.list_all(client.compute.ListServers, compute_pb2.ListServersRequest,
                              "servers", args.limit)
    return _list(console, output.SERVER_COLUMNS, servers)


# -- flavors and images ----------------------------------------------------------

def flavor_list(args, client: Client, console: output.Console) -> int:
    flavors = client.list_all(client.compute.ListFlavors, compute_pb2.ListFlavorsRequest,
                              "flavors", args.limit)
    return _list(console, output.FLAVOR_COLUMNS, flavors)


def flavor_show(args, client: Client, console: output.Console) -> int:
    return _show(console, client.compute.GetFlavor(compute_pb2.GetFlavorRequest(id=args.id),
                                                   timeout=client.timeout))


def image_list(args, client: Client, console: output.Console) -> int:
    images = client.list_all(client.compute.ListImages, compute_pb2.ListImagesRequest,
                             "images", args.limit)
    return _list(console, output.IMAGE_COLUMNS, images)


def image_show(args, client: Client, console: output.Console) -> int:
    return _show(console, client.compute.GetImage(compute_pb2.GetImageRequest(id=args.id),
                                                  timeout=client.timeout))


# -- keypairs ------------------------------------------------------------------

def _open_private_key(path: str) -> int:
    """Create the key file before the RPC: a key the server hands out once must have
    somewhere to go, so an existing file is a usage error, not overwritten."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise errors.usage_error(f"{path} exists; not overwriting it with a new key") from None
    except OSError as error:
        raise errors.usage_error(f"cannot create {path}: {error.strerror}") from None
    os.fchmod(fd, 0o600)  # whatever the umask said
    return fd


def keypair_create(args, client: Client, console: output.Console) -> int:
    rid = request_id(args)
    path = args.private_key_file
    fd = _open_private_key(path) if path else None
    try:
        keypair = client.compute.CreateKeypair(
            compute_pb2.CreateKeypairRequest(request_id=rid, name=args.name),
            timeout=client.timeout)
        if fd is not None and keypair.private_key:
            os.write(fd, keypair.private_key.encode())
    except BaseException:
        if fd is not None:
            os.close(fd)
            os.unlink(path)
        raise
    if fd is not None:
        os.close(fd)
        if not keypair.private_key:
            os.unlink(path)
    private = keypair.private_key
    if path:
        keypair.ClearField("private_key")
    if console.json_mode:
        doc = {"request_id": rid, "keypair": output.to_dict(keypair)}
        if path and private:
            doc["private_key_file"] = path
        console.json(doc)
    else:
        console.line(output.fields_table(output.message_fields(keypair, skip=("private_key",))))
        console.line(f"request_id: {rid}")
        if path and private:
            console.line(f"private key written to {path} (mode 0600)")
        elif private:
            console.line("private key (shown only this once):")
            console.line(private.rstrip("\n"))
    if not private:
        console.note("note: no private key in the reply: the server returns it only to the "
                     "first call with a request_id")
    return errors.EXIT_OK


def keypair_import(args, client: Client, console: output.Console) -> int:
    rid = request_id(args)
    keypair = client.compute.ImportKeypair(compute_pb2.ImportKeypairRequest(
        request_id=rid, name=args.name, public_key=args.public_key), timeout=client.timeout)
    if console.json_mode:
        console.json({"request_id": rid, "keypair": output.to_dict(keypair)})
        return errors.EXIT_OK
    console.line(output.fields_table(output.message_fields(keypair, skip=("private_key",))))
    console.line(f"request_id: {rid}")
    return errors.EXIT_OK


def keypair_list(args, client: Client, console: output.Console) -> int:
    keypairs = client.list_all(client.compute.ListKeypairs, compute_pb2.ListKeypairsRequest,
                               "keypairs", args.limit)
    return _list(console, output.KEYPAIR_COLUMNS, keypairs)


def keypair_delete(args, client: Client, console: output.Console) -> int:
    rid = request_id(args)
    client.compute.DeleteKeypair(compute_pb2.DeleteKeypairRequest(request_id=rid, name=args.name),
                                 timeout=client.timeout)
    if console.json_mode:
        console.json({"request_id": rid, "deleted": args.name})
    else:
        console.line(f"keypair {args.name} deleted (request_id {rid})")
    return errors.EXIT_OK
