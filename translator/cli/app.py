"""The ``translator`` command line: argument parsing and dispatch.

``translator [--endpoint HOST:PORT] [--timeout S] [--json] COMMAND ACTION ...``.
The global options are accepted after the action too (``translator server list
--json``), since that is where people type them. Every RPC failure ends here
and becomes a message and an exit code (see errors.py), never a traceback.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import TextIO

import grpc
from google.longrunning import operations_pb2_grpc

from translator.api.v1 import (
    block_storage_pb2_grpc,
    capabilities_pb2,
    capabilities_pb2_grpc,
    compute_pb2_grpc,
    load_balancing_pb2_grpc,
    object_storage_pb2_grpc,
)
from translator.api.v1 import operations_pb2_grpc as watch_pb2_grpc
from translator.cli import (
    block_storage,
    compute,
    errors,
    load_balancing,
    object_storage,
    operations,
    output,
)

DEFAULT_ENDPOINT = "127.0.0.1:50051"
DEFAULT_TIMEOUT = 30.0
MAX_PAGE_SIZE = 500  # the API treats anything larger as 500


class Client:
    """One channel to the server and a stub per service; ``timeout`` bounds each unary RPC."""

    def __init__(self, endpoint: str, timeout: float, channel: grpc.Channel | None = None):
        self.endpoint = endpoint
        self.timeout = timeout
        self.channel = channel or grpc.insecure_channel(endpoint)
        self.compute = compute_pb2_grpc.ComputeStub(self.channel)
        self.block_storage = block_storage_pb2_grpc.BlockStorageStub(self.channel)
        self.object_storage = object_storage_pb2_grpc.ObjectStorageStub(self.channel)
        self.load_balancing = load_balancing_pb2_grpc.LoadBalancingStub(self.channel)
        self.capabilities = capabilities_pb2_grpc.CapabilitiesStub(self.channel)
        self.operations = operations_pb2_grpc.OperationsStub(self.channel)
        self.watcher = watch_pb2_grpc.OperationWatcherStub(self.channel)

    def list_all(self, method: Callable, make_request: Callable, field: str,
                 limit: int | None = None) -> list:
        """Every item of a paged list (AIP-158), or the first ``limit`` of them."""
        items: list = []
        token, seen = "", set()
        while True:
            size = min(limit - len(items), MAX_PAGE_SIZE) if limit else 0
            reply = method(make_request(page_size=size, page_token=token), timeout=self.timeout)
            items.extend(getattr(reply, field))
            token = reply.next_page_token
            if not token or token in seen or (limit and len(items) >= limit):
                return items[:limit] if limit else items
            seen.add(token)  # a server that repeats a token must not loop us forever

    def close(self) -> None:
        self.channel.close()


def capabilities(args, client: Client, console: output.Console) -> int:
    reply = client.capabilities.GetCapabilities(
        capabilities_pb2.GetCapabilitiesRequest(apis=args.apis), timeout=client.timeout)
    if console.json_mode:
        console.json([output.to_dict(api) for api in reply.apis])
    else:
        console.line(output.capabilities_text(reply))
    return errors.EXIT_OK


# -- the parser -------------------------------------------------------------------

def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    def default(value):
        return argparse.SUPPRESS if suppress else value
    parser.add_argument("--endpoint", metavar="HOST:PORT",
                        default=default(os.environ.get("TRANSLATOR_ENDPOINT") or DEFAULT_ENDPOINT),
                        help="the translator server (default: $TRANSLATOR_ENDPOINT or "
                        f"{DEFAULT_ENDPOINT})")
    parser.add_argument("--timeout", metavar="SECONDS", type=errors.positive_float,
                        default=default(DEFAULT_TIMEOUT),
                        help=f"deadline of each call (default {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--json", action="store_true", default=default(False),
                        help="machine-readable output")


def _group(commands, name: str, text: str):
    parser = commands.add_parser(name, help=text, description=text)
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def _action(actions, name: str, func, common, text: str, mutating: bool = False,
            wait: bool = False) -> argparse.ArgumentParser:
    sub = actions.add_parser(name, parents=[common], help=text, description=text)
    sub.set_defaults(func=func, subparser=sub)
    if mutating:
        sub.add_argument("--request-id", metavar="ID",
                         help="idempotency key: repeating it repeats nothing (default: new uuid4)")
    if wait:
        sub.add_argument("--wait", action="store_true",
                         help="follow the operation and show progress until it is done")
    return sub


def _sizing_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--flavor", metavar="FLAVOR", help="a flavor id or name")
    sub.add_argument("--vcpus", metavar="N", type=errors.positive_int,
                     help="with --ram instead of --flavor")
    sub.add_argument("--ram", metavar="MB", type=errors.positive_int, help="memory in MB")
    sub.set_defaults(check=compute.check_sizing)


def _limit(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--limit", metavar="N", type=errors.positive_int,
                     help="stop after N items (default: all pages)")


def _server_parsers(commands, common) -> None:
    actions = _group(commands, "server", "servers (Nova)")
    sub = _action(actions, "create", compute.server_create, common, "create a server",
                  mutating=True, wait=True)
    sub.add_argument("name", metavar="NAME")
    _sizing_options(sub)
    sub.add_argument("--image", required=True, help="an image id or name")
    sub.add_argument("--keypair", help="a keypair name")
    sub.add_argument("--user-data", metavar="FILE", type=compute.file_bytes)
    sub.add_argument("--security-group", metavar="SG", dest="security_groups",
                     action="append", default=[], help="repeatable")
    sub.add_argument("--availability-zone", metavar="AZ")
    sub.add_argument("--network", metavar="NETWORK", dest="networks", action="append",
                     default=[], help="a network id or name; repeatable")
    sub.add_argument("--property", metavar="KEY=VALUE", dest="properties", action="append",
                     type=compute.key_value, default=[], help="server metadata; repeatable")
    _limit(_action(actions, "list", compute.server_list, common, "list servers"))
    _action(actions, "show", compute.server_show, common, "show a server").add_argument("id")
    for name, (_, _, text) in compute.LIFECYCLE.items():
        sub = _action(actions, name, compute.server_lifecycle, common, text,
                      mutating=True, wait=True)
        sub.add_argument("id", metavar="ID")
        if name == "reboot":
            sub.add_argument("--hard", action="store_true", help="power-cycle, not ACPI")
    sub = _action(actions, "resize", compute.server_resize, common, "apply another flavor",
                  mutating=True, wait=True)
    sub.add_argument("id", metavar="ID")
    _sizing_options(sub)


def _catalog_parsers(commands, common) -> None:
    for group, text, list_func, show_func in (
            ("flavor", "flavors (CloudStack service offerings)", compute.flavor_list,
             compute.flavor_show),
            ("image", "images (Glance; CloudStack templates)", compute.image_list,
             compute.image_show)):
        actions = _group(commands, group, text)
        _limit(_action(actions, "list", list_func, common, f"list {group}s"))
        _action(actions, "show", show_func, common, f"show a {group}").add_argument("id")


def _keypair_parsers(commands, common) -> None:
    actions = _group(commands, "keypair", "SSH key pairs")
    sub = _action(actions, "create", compute.keypair_create, common,
                  "create a key pair; the private key is shown once", mutating=True)
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--private-key-file", metavar="PATH",
                     help="write the private key here (mode 0600) instead of printing it")
    sub = _action(actions, "import", compute.keypair_import, common,
                  "import a public key", mutating=True)
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--public-key-file", metavar="PATH", dest="public_key", required=True,
                     type=compute.file_text, help="an OpenSSH public key file")
    _limit(_action(actions, "list", compute.keypair_list, common, "list key pairs"))
    _action(actions, "delete", compute.keypair_delete, common, "delete a key pair",
            mutating=True).add_argument("name", metavar="NAME")


def _properties(sub: argparse.ArgumentParser, what: str) -> None:
    sub.add_argument("--property", metavar="KEY=VALUE", dest="properties", action="append",
                     type=compute.key_value, default=[], help=f"{what} metadata; repeatable")


def _volume_parsers(commands, common) -> None:
    actions = _group(commands, "volume-type",
                     "volume types (Cinder; the operator maps each onto the backend)")
    _action(actions, "list", block_storage.volume_type_list, common, "list volume types")

    actions = _group(commands, "volume", "volumes (Cinder)")
    sub = _action(actions, "create", block_storage.volume_create, common, "create a volume",
                  mutating=True, wait=True)
    sub.add_argument("name", metavar="NAME")
    sub.add_argument("--size", metavar="GIB", type=errors.positive_int,
                     help="size in GiB (required unless a source gives it)")
    sub.add_argument("--type", metavar="TYPE", dest="volume_type",
                     help="a volume type name (default: the server's default type)")
    sub.add_argument("--availability-zone", metavar="AZ")
    _properties(sub, "volume")
    source = sub.add_mutually_exclusive_group()
    source.add_argument("--snapshot", metavar="SNAPSHOT", help="a snapshot id to restore")
    source.add_argument("--image", metavar="IMAGE", help="an image id to copy")
    source.add_argument("--source-volume", metavar="VOLUME", help="a volume id to clone")
    sub.set_defaults(check=block_storage.check_volume_create)
    _limit(_action(actions, "list", block_storage.volume_list, common, "list volumes"))
    _action(actions, "show", block_storage.volume_show, common,
            "show a volume").add_argument("id", metavar="ID")
    for name, func, text in (
            ("extend", block_storage.volume_extend, "grow a volume"),
            ("attach", block_storage.volume_attach, "attach a volume to a server"),
            ("detach", block_storage.volume_detach, "detach a volume from its server"),
            ("delete", block_storage.volume_delete, "delete a volume")):
        sub = _action(actions, name, func, common, text, mutating=True, wait=True)
        sub.add_argument("id", metavar="ID")
        if name == "extend":
            sub.add_argument("--size", metavar="GIB", type=errors.positive_int, required=True,
                             help="the new size in GiB, larger than the current one")
        elif name == "attach":
            sub.add_argument("--server", metavar="SERVER", required=True, help="a server id")
        elif name == "detach":
            sub.add_argument("--server", metavar="SERVER",
                             help="the server it is attached to (checked when given)")


def _snapshot_parsers(commands, common) -> None:
    actions = _group(commands, "snapshot", "volume snapshots (Cinder)")
    sub = _action(actions, "create", block_storage.snapshot_create, common,
                  "snapshot a volume", mutating=True, wait=True)
    sub.add_argument("--volume", metavar="VOLUME", required=True, help="a volume id")
    sub.add_argument("--name", metavar="NAME")
    _properties(sub, "snapshot")
    sub = _action(actions, "list", block_storage.snapshot_list, common, "list snapshots")
    sub.add_argument("--volume", metavar="VOLUME", help="only the snapshots of this volume")
    _limit(sub)
    _action(actions, "show", block_storage.snapshot_show, common,
            "show a snapshot").add_argument("id", metavar="ID")
    _action(actions, "delete", block_storage.snapshot_delete, common, "delete a snapshot",
            mutating=True, wait=True).add_argument("id", metavar="ID")


def _operation_parsers(commands, common) -> None:
    actions = _group(commands, "operation", "long-running operations")
    for name, func, text in (("show", operations.show, "show an operation"),
                             ("watch", operations.watch, "follow an operation until done"),
                             ("cancel", operations.cancel, "ask to cancel an operation")):
        _action(actions, name, func, common, text).add_argument(
            "name", metavar="NAME", help="operations/<id>")
    sub = _action(actions, "list", operations.list_, common, "list operations")
    sub.add_argument("--filter", default="", help="'done=true' or 'done=false'")
    _limit(sub)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="translator", description="Client of the translator gRPC API.")
    _global_options(parser, suppress=False)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _server_parsers(commands, common)
    _catalog_parsers(commands, common)
    _keypair_parsers(commands, common)
    _volume_parsers(commands, common)
    _snapshot_parsers(commands, common)
    object_storage.add_parsers(commands, common)
    load_balancing.add_parsers(commands, common)
    _operation_parsers(commands, common)
    sub = commands.add_parser("capabilities", parents=[common],
                              help="what the configured drivers support")
    sub.add_argument("--api", dest="apis", action="append", default=[],
                     help="only this API, e.g. compute; repeatable")
    sub.set_defaults(func=capabilities, subparser=sub)
    return parser


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parsed arguments; a usage error exits 2 (SystemExit) as argparse does."""
    args = build_parser().parse_args(argv)
    check = getattr(args, "check", None)
    problem = check(args) if check else None
    if problem:
        args.subparser.error(problem)
    return args


def run(argv: Sequence[str] | None = None, out: TextIO | None = None,
        err: TextIO | None = None) -> int:
    """Parse, run one command, and turn every expected failure into an exit code."""
    try:
        args = parse_args(argv)
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else errors.EXIT_USAGE)
    console = output.Console(args.json, out, err)
    client = Client(args.endpoint, args.timeout)
    try:
        return args.func(args, client, console)
    except grpc.RpcError as error:
        failure = errors.from_rpc_error(error, client.endpoint)
        failure.request_id = getattr(args, "request_id", None)
        return console.failure(failure)
    except errors.CliError as error:
        return console.failure(error.failure)
    except KeyboardInterrupt:
        console.note("interrupted")
        return errors.EXIT_INTERRUPTED
    finally:
        client.close()
