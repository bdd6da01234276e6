"""``translator container|object ...``: the Object Storage API (Swift's shape) from a shell.

Object RPCs are synchronous and names are the caller's, so there is no
request_id and no --wait: repeating a put replaces the object.

Transfers stream with bounded memory: ``object put`` reads the file in
1 MiB chunks into PutObject's client stream (after a first pass for the MD5,
unless --no-md5 or the input is a pipe), ``object get`` writes GetObject's
chunks as they arrive, into a temporary file beside the destination that is
renamed only once the data is complete and its MD5 checked, so an
interrupted download never leaves a partial file. --timeout bounds every
unary call; a transfer may take as long as its data needs, but is cancelled
when it makes no progress for --timeout seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import mimetypes
import os
import stat
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

import grpc

from translator.api.v1 import object_storage_pb2 as pb
from translator.cli import errors, output, transfer
from translator.cli.compute import key_value

if TYPE_CHECKING:
    from translator.cli.app import Client

CHUNK_BYTES = 1024 * 1024
MAX_PAGE_SIZE = 500
STDIO = "-"


# -- argument types and output -----------------------------------------------------------

def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must not be negative")
    return value


def _show(console: output.Console, msg) -> int:
    if console.json_mode:
        console.json(output.to_dict(msg))
    else:
        console.line(output.fields_table(output.message_fields(msg)))
    return errors.EXIT_OK


def _done(console: output.Console, text: str, doc: dict) -> int:
    if console.json_mode:
        console.json(doc)
    else:
        console.line(text)
    return errors.EXIT_OK


def _progress(args, console: output.Console, label: str, total: int | None
              ) -> transfer.TransferProgress:
    """A progress bar on stderr when it is a terminal and --quiet was not given."""
    enabled = not args.quiet and console.err.isatty()
    return transfer.TransferProgress(console.err, label, total, enabled=enabled)


def _local_error(text: str) -> errors.CliError:
    """A file of ours that cannot be read or written: exit 2, before any data moves."""
    return errors.usage_error(text)


CONTAINER_COLUMNS: list[output.Column] = [
    ("NAME", lambda c: c.name), ("OBJECTS", lambda c: c.object_count),
    ("BYTES", lambda c: c.bytes_used), ("METADATA", lambda c: output.key_values(c.metadata))]
OBJECT_COLUMNS: list[output.Column] = [
    ("NAME", lambda o: o.name), ("BYTES", lambda o: o.size_bytes),
    ("CONTENT_TYPE", lambda o: o.content_type),
    ("LAST_MODIFIED", lambda o: o.last_modified.ToJsonString()
     if o.last_modified.ByteSize() else ""),
    ("ETAG", lambda o: o.etag)]


# -- containers ---------------------------------------------------------------------------

def container_create(args, client: Client, console: output.Console) -> int:
    return _show(console, client.object_storage.CreateContainer(
        pb.CreateContainerRequest(name=args.name, metadata=dict(args.meta)),
        timeout=client.timeout))


def container_list(args, client: Client, console: output.Console) -> int:
    containers = client.list_all(
        client.object_storage.ListContainers,
        lambda **page: pb.ListContainersRequest(prefix=args.prefix, **page),
        "containers", args.limit)
    if console.json_mode:
        console.json([output.to_dict(c) for c in containers])
    else:
        console.line(output.columns_table(CONTAINER_COLUMNS, containers))
    return errors.EXIT_OK


def container_show(args, client: Client, console: output.Console) -> int:
    return _show(console, client.object_storage.GetContainer(
        pb.GetContainerRequest(name=args.name), timeout=client.timeout))


def container_delete(args, client: Client, console: output.Console) -> int:
    client.object_storage.DeleteContainer(pb.DeleteContainerRequest(name=args.name),
                                          timeout=client.timeout)
    return _done(console, f"container {args.name} deleted", {"deleted": args.name})


# -- object put -----------------------------------------------------------------------------

def guess_content_type(name: str) -> str:
    """From the object name's extension; empty (the server's octet-stream) when unsure,
    or when the name says compressed (``.tar.gz`` is not an ``application/x-tar``)."""
    kind, encoding = mimetypes.guess_type(name, strict=True)
    return kind if kind and not encoding else ""


def _open_input(path: str) -> tuple[BinaryIO, int | None]:
    """The input and its size: None for stdin and anything but a regular file."""
    if path == STDIO:
        return sys.stdin.buffer, None
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as error:
        raise _local_error(f"cannot read {path}: {error.strerror}") from None
    info = os.fstat(handle.fileno())
    if not stat.S_ISREG(info.st_mode):
        return handle, None
    return handle, info.st_size


def _md5_of(handle: BinaryIO, path: str, progress: transfer.TransferProgress) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    try:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            progress.advance(len(chunk))
        handle.seek(0)
    except OSError as error:
        raise _local_error(f"cannot read {path}: {error.strerror}") from None
    finally:
        progress.close()
    return digest.hexdigest()


class _Upload:
    """The PutObject request stream: the header, then the file's chunks.

    A read error cancels the call instead of ending the stream (which would
    store a truncated object), then waits for the call to end, so nothing is
    ever half-closed after it.
    """

    def __init__(self, header: pb.PutObjectHeader, handle: BinaryIO, path: str,
                 progress: transfer.TransferProgress, watchdog: transfer.Watchdog) -> None:
        self.header = header
        self.handle = handle
        self.path = path
        self.progress = progress
        self.watchdog = watchdog
        self.call: grpc.Future | None = None
        self.started = threading.Event()  # self.call is set (gRPC reads before that)
        self.read_error: OSError | None = None
        self.finished = threading.Event()

    def requests(self) -> Iterator[pb.PutObjectRequest]:
        yield pb.PutObjectRequest(header=self.header)
        while True:
            self.watchdog.kick()  # gRPC asks for more: the last chunk went out
            try:
                with self.watchdog.paused():
                    chunk = self.handle.read(CHUNK_BYTES)
            except OSError as error:
                self.read_error = error
                self.started.wait()
                self.call.cancel()
                self.finished.wait()
                return
            if not chunk:
                return
            self.progress.advance(len(chunk))
            yield pb.PutObjectRequest(data=chunk)


def object_put(args, client: Client, console: output.Console) -> int:
    handle, size = _open_input(args.file)
    try:
        md5 = ""
        if size is not None and not args.no_md5:
            md5 = _md5_of(handle, args.file, _progress(args, console, "md5", size))
        header = pb.PutObjectHeader(
            container=args.container, name=args.name, metadata=dict(args.meta), md5=md5,
            content_type=args.content_type or guess_content_type(args.name))
        if size is not None:
            header.size_bytes = size
        watchdog = transfer.Watchdog(client.timeout)
        upload = _Upload(header, handle, args.file, _progress(args, console, "put", size),
                         watchdog)
        stored = _send(client, upload, watchdog)
        upload.progress.finish()
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()
    return _show(console, stored)


def _send(client: Client, upload: _Upload, watchdog: transfer.Watchdog) -> pb.Object:
    with transfer.terminate_as_interrupt():
        upload.call = client.object_storage.PutObject.future(upload.requests())
        upload.started.set()
        watchdog.watch(upload.call)
        try:
            return upload.call.result()
        except (grpc.RpcError, grpc.FutureCancelledError) as error:
            upload.progress.close()
            if upload.read_error is not None:
                raise _local_error(f"cannot read {upload.path}: {upload.read_error.strerror}; "
                                   "the upload was cancelled, nothing was stored") from None
            if watchdog.expired:
                raise watchdog.failure(client.endpoint) from None
            if isinstance(error, grpc.RpcError):
                raise _broken(error, upload.progress.done > 0, client.endpoint,
                              "see object show for whether it was stored") from None
            if upload.call.cancelled():
                raise errors.CliError(errors.Failure(
                    "CANCELLED", "the upload was cancelled; nothing was stored")) from None
            raise
        finally:
            watchdog.stop()
            upload.call.cancel()  # a no-op once it ended; on Ctrl-C the server drops the upload
            upload.finished.set()


# -- object get -------------------------------------------------------------------------------

def _destination(args) -> str:
    """Where ``object get`` writes: -o, or the object's last name segment here;
    into a directory under that name."""
    base = args.name.rstrip("/").rsplit("/", 1)[-1]
    path = args.output or base
    if path != STDIO and os.path.isdir(path):
        path = os.path.join(path, base)
    if not path or path.endswith(os.sep):
        raise errors.usage_error(f"cannot name a file after {args.name!r}; give -o FILE")
    return path


def object_get(args, client: Client, console: output.Console) -> int:
    path = _destination(args)
    part = None if path == STDIO else transfer.PartFile(path)
    request = pb.GetObjectRequest(container=args.container, name=args.name,
                                  offset=args.offset)
    if args.length is not None:
        request.length = args.length
    got = _Download(sys.stdout.buffer if part is None else part.handle, path)
    watchdog = transfer.Watchdog(client.timeout)
    try:
        with transfer.terminate_as_interrupt():
            call = client.object_storage.GetObject(request)
            watchdog.watch(call)
            try:
                got.receive(args, console, call, watchdog)
            except grpc.RpcError as error:
                if watchdog.expired:
                    raise watchdog.failure(client.endpoint) from None
                raise _broken(error, got.info is not None, client.endpoint) from None
            finally:
                watchdog.stop()
                call.cancel()
        _check(args, got)
        if part is not None:
            part.commit()
        else:
            got.sink.flush()
    except BaseException:
        if part is not None:
            part.discard()
        raise
    if path == STDIO:
        return errors.EXIT_OK
    whole = bool(got.info.md5) and _is_whole(args, got.info)
    return _done(console, f"saved {args.container}/{args.name} to {path} ({got.received} "
                 f"bytes{', md5 verified' if whole else ''})",
                 {"object": output.to_dict(got.info), "file": path, "bytes": got.received,
                  "md5_verified": whole})


def _broken(error: grpc.RpcError, began: bool, endpoint: str,
            outcome: str = "nothing was saved") -> grpc.RpcError | errors.CliError:
    """A connection lost mid-transfer is no "cannot reach the server" (what a bare
    UNAVAILABLE means otherwise): exit 1, not 3."""
    if not began or error.code() != grpc.StatusCode.UNAVAILABLE:
        return error
    return errors.CliError(errors.Failure(
        "UNAVAILABLE", f"the connection to {endpoint} broke during the transfer "
        f"({error.details()}); {outcome}"))


class _Download:
    """GetObject's replies written to ``sink`` as they arrive, with their count and MD5."""

    def __init__(self, sink: BinaryIO, path: str) -> None:
        self.sink = sink
        self.path = path
        self.info: pb.Object | None = None
        self.received = 0
        self.digest = hashlib.md5(usedforsecurity=False)

    def receive(self, args, console: output.Console, call, watchdog: transfer.Watchdog) -> None:
        progress: transfer.TransferProgress | None = None
        try:
            for reply in call:
                watchdog.kick()
                if reply.WhichOneof("part") == "object":
                    self.info = reply.object
                    progress = _progress(args, console, "get", _expected(args, self.info))
                    continue
                try:
                    with watchdog.paused():
                        self.sink.write(reply.data)
                except OSError as error:
                    raise _local_error(f"cannot write {self.path}: {error.strerror}") from None
                self.digest.update(reply.data)
                self.received += len(reply.data)
                if progress is not None:
                    progress.advance(len(reply.data))
            if progress is not None:
                progress.finish()
        finally:
            if progress is not None:
                progress.close()
        if self.info is None:
            raise errors.CliError(errors.Failure(
                "DATA_LOSS", "the server ended GetObject without describing the object"))


def _expected(args, info: pb.Object) -> int:
    """How many bytes the asked range holds."""
    rest = max(0, info.size_bytes - args.offset)
    return rest if args.length is None else min(rest, args.length)


def _is_whole(args, info: pb.Object) -> bool:
    return args.offset == 0 and (args.length is None or args.length >= info.size_bytes)


def _check(args, got: _Download) -> None:
    """The range arrived whole; a whole object's MD5 matches the one it was stored with."""
    expected = _expected(args, got.info)
    if got.received != expected:
        raise errors.CliError(errors.Failure(
            "DATA_LOSS", f"received {got.received} bytes of {expected}; nothing was saved"))
    md5 = got.digest.hexdigest()
    if got.info.md5 and _is_whole(args, got.info) and md5 != got.info.md5:
        raise errors.CliError(errors.Failure(
            "DATA_LOSS", f"the data's MD5 is {md5}, the object's is {got.info.md5}; "
            "nothing was saved"))


# -- other object commands -------------------------------------------------------------------

def object_list(args, client: Client, console: output.Console) -> int:
    """Objects and (with --delimiter) the common prefixes, every page or the first --limit."""
    objects: list[pb.Object] = []
    prefixes: list[str] = []
    token, seen = "", set()
    while True:
        room = args.limit - len(objects) - len(prefixes) if args.limit else 0
        reply = client.object_storage.ListObjects(pb.ListObjectsRequest(
            container=args.container, prefix=args.prefix, delimiter=args.delimiter,
            page_size=min(room, MAX_PAGE_SIZE), page_token=token), timeout=client.timeout)
        objects.extend(reply.objects)
        prefixes.extend(reply.common_prefixes)
        token = reply.next_page_token
        if not token or token in seen or (args.limit and len(objects) + len(prefixes)
                                          >= args.limit):
            break
        seen.add(token)  # a server that repeats a token must not loop us forever
    if args.limit:
        objects, prefixes = _first(objects, prefixes, args.limit)
    if console.json_mode:
        console.json({"objects": [output.to_dict(o) for o in objects],
                      "common_prefixes": prefixes})
        return errors.EXIT_OK
    rows = [(o.name, [get(o) for _, get in OBJECT_COLUMNS]) for o in objects]
    rows += [(p, [p] + [""] * (len(OBJECT_COLUMNS) - 1)) for p in prefixes]
    console.line(output.table([name for name, _ in OBJECT_COLUMNS],
                              (cells for _, cells in sorted(rows, key=lambda r: r[0]))))
    return errors.EXIT_OK


def _first(objects: list, prefixes: list[str], limit: int) -> tuple[list, list[str]]:
    """The first ``limit`` entries in name order, objects and prefixes together."""
    names = sorted([o.name for o in objects] + prefixes)[:limit]
    keep = set(names)
    return [o for o in objects if o.name in keep], [p for p in prefixes if p in keep]


def object_show(args, client: Client, console: output.Console) -> int:
    return _show(console, client.object_storage.HeadObject(
        pb.HeadObjectRequest(container=args.container, name=args.name), timeout=client.timeout))


def object_delete(args, client: Client, console: output.Console) -> int:
    client.object_storage.DeleteObject(
        pb.DeleteObjectRequest(container=args.container, name=args.name), timeout=client.timeout)
    target = f"{args.container}/{args.name}"
    return _done(console, f"object {target} deleted", {"deleted": target})


def object_copy(args, client: Client, console: output.Console) -> int:
    return _show(console, client.object_storage.CopyObject(pb.CopyObjectRequest(
        source_container=args.source_container, source_name=args.source_name,
        destination_container=args.destination_container,
        destination_name=args.destination_name,
        replace_metadata=bool(args.meta), metadata=dict(args.meta)), timeout=client.timeout))


def object_temp_url(args, client: Client, console: output.Console) -> int:
    """The URL alone on stdout (``curl "$(translator object temp-url c o)"``)."""
    reply = client.object_storage.CreateTempUrl(pb.CreateTempUrlRequest(
        container=args.container, name=args.name,
        method=pb.CreateTempUrlRequest.Method.Value(args.method),
        expires_in_seconds=args.expires), timeout=client.timeout)
    if console.json_mode:
        console.json(output.to_dict(reply))
    else:
        console.line(reply.url)
        console.note(f"{args.method} until {reply.expire_time.ToJsonString()}")
    return errors.EXIT_OK


# -- the parsers ----------------------------------------------------------------------------
# app.py's _group/_action conventions (func and subparser defaults, common options).

def _group(commands, name: str, text: str):
    parser = commands.add_parser(name, help=text, description=text)
    return parser.add_subparsers(dest="action", metavar="ACTION", required=True)


def _action(actions, name: str, func, common, text: str) -> argparse.ArgumentParser:
    sub = actions.add_parser(name, parents=[common], help=text, description=text)
    sub.set_defaults(func=func, subparser=sub)
    return sub


def _meta(sub: argparse.ArgumentParser, text: str) -> None:
    sub.add_argument("--meta", metavar="KEY=VALUE", action="append", type=key_value,
                     default=[], help=f"{text}; repeatable")


def _limit(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--limit", metavar="N", type=errors.positive_int,
                     help="stop after N items (default: all pages)")


def _object(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("container", metavar="CONTAINER")
    sub.add_argument("name", metavar="NAME")


def _quiet(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--quiet", "-q", action="store_true",
                     help="no progress bar (there is none unless stderr is a terminal)")


def add_parsers(commands, common) -> None:
    actions = _group(commands, "container", "object containers (Swift; S3 buckets)")
    sub = _action(actions, "create", container_create, common, "create a container")
    sub.add_argument("name", metavar="NAME")
    _meta(sub, "container metadata")
    sub = _action(actions, "list", container_list, common, "list containers")
    sub.add_argument("--prefix", default="", help="only names starting with this")
    _limit(sub)
    for name, func, text in (("show", container_show, "show a container and its usage"),
                             ("delete", container_delete, "delete an empty container")):
        _action(actions, name, func, common, text).add_argument("name", metavar="NAME")

    actions = _group(commands, "object", "objects (Swift)")
    sub = _action(actions, "put", object_put, common,
                  "upload a file (or - for stdin) as an object, replacing any of that name")
    _object(sub)
    sub.add_argument("file", metavar="FILE|-")
    sub.add_argument("--content-type", metavar="TYPE",
                     help="a MIME type (default: guessed from NAME's extension, else "
                          "application/octet-stream)")
    _meta(sub, "object metadata")
    sub.add_argument("--no-md5", action="store_true",
                     help="skip the first pass over FILE that computes the MD5 the server "
                          "checks (stdin never has one)")
    _quiet(sub)
    sub = _action(actions, "get", object_get, common,
                  "download an object (or a byte range of it)")
    _object(sub)
    sub.add_argument("-o", "--output", metavar="FILE|-",
                     help="where to write: a file, a directory, or - for stdout (default: "
                          "the last '/'-segment of NAME, here)")
    sub.add_argument("--offset", metavar="BYTES", type=non_negative_int, default=0,
                     help="the first byte to fetch")
    sub.add_argument("--length", metavar="BYTES", type=non_negative_int,
                     help="how many bytes from --offset (default: to the end)")
    _quiet(sub)
    sub = _action(actions, "list", object_list, common, "list the objects of a container")
    sub.add_argument("container", metavar="CONTAINER")
    sub.add_argument("--prefix", default="", help="only names starting with this")
    sub.add_argument("--delimiter", default="", metavar="CHAR",
                     help="roll names holding CHAR after the prefix up into one prefix "
                          "row, like directories (e.g. /)")
    _limit(sub)
    _object(_action(actions, "show", object_show, common,
                    "show an object's size, type, checksums and metadata"))
    _object(_action(actions, "delete", object_delete, common, "delete an object"))
    sub = _action(actions, "copy", object_copy, common,
                  "copy an object (on the server where the backend can)")
    sub.add_argument("source_container", metavar="SRC_CONTAINER")
    sub.add_argument("source_name", metavar="SRC_NAME")
    sub.add_argument("destination_container", metavar="DST_CONTAINER")
    sub.add_argument("destination_name", metavar="DST_NAME")
    _meta(sub, "metadata of the copy, replacing the source's (default: keep the source's)")
    sub = _action(actions, "temp-url", object_temp_url, common,
                  "a URL that lets anyone GET (or PUT) the object until it expires")
    _object(sub)
    sub.add_argument("--method", choices=("GET", "PUT"), default="GET")
    sub.add_argument("--expires", metavar="SECONDS", type=errors.positive_int, default=3600,
                     help="how long the URL works (default 3600)")
