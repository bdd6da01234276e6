"""``translator operation ...`` and the ``--wait`` machinery of long-running commands.

Waiting follows translator.v1.OperationWatcher/WatchOperation (a stream that
sends the operation after each change). If that stream breaks - the server
restarted, a proxy dropped it, an older server lacks the service - the wait
carries on by polling GetOperation with a short backoff, because the operation
itself lives on server-side and does not care who watches.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

import grpc
from google.longrunning import operations_pb2

from translator.api.v1 import block_storage_pb2, compute_pb2
from translator.api.v1 import operations_pb2 as watch_pb2
from translator.cli import errors, output

if TYPE_CHECKING:
    from translator.cli.app import Client

# Stream failures after which polling can still succeed.
FALLBACK_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                            grpc.StatusCode.UNIMPLEMENTED})
POLL_INITIAL = 0.2
POLL_MAX = 2.0
BAR_WIDTH = 20

Update = Callable[[operations_pb2.Operation], None]


class Progress:
    """Shows an operation's progress: one self-rewriting line (``\\r``) on a TTY,
    otherwise one plain line per change, so logs and pipes stay readable."""

    def __init__(self, stream: TextIO, tty: bool | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.clock = clock
        self.start = clock()
        self._last_key: tuple | None = None
        self._width = 0  # of the line drawn last on a TTY, to blank its tail

    def text(self, op: operations_pb2.Operation) -> str:
        meta = output.metadata(op)
        elapsed = self.clock() - self.start
        status = meta.status_message or ("done" if op.done else "")
        if not self.tty:
            return " ".join(p for p in (output.percent(meta), status, f"({elapsed:.1f}s)") if p)
        filled = max(0, min(BAR_WIDTH, meta.progress_percent * BAR_WIDTH // 100))
        bar = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {output.percent(meta):>5}"
        return " ".join(p for p in (bar, status, f"{elapsed:.0f}s") if p)

    def update(self, op: operations_pb2.Operation) -> None:
        meta = output.metadata(op)
        key = (meta.progress_percent, meta.progress_estimated, meta.status_message, op.done)
        if not self.tty:
            if key != self._last_key:
                self.stream.write(self.text(op) + "\n")
                self.stream.flush()
            self._last_key = key
            return
        self._last_key = key
        columns = shutil.get_terminal_size((80, 24)).columns - 1
        line = self.text(op)[:columns]
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def close(self) -> None:
        """End the self-rewriting line, so what follows starts on a fresh one."""
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


def poll(client: Client, name: str, on_update: Update,
         sleep: Callable[[float], None] = time.sleep,
         reachable: bool = True) -> operations_pb2.Operation:
    """GetOperation until done. Once the server has answered (``reachable``), an
    UNAVAILABLE is a restart to ride out for up to --timeout seconds; before that it
    means a wrong endpoint, reported at once."""
    delay = POLL_INITIAL
    down_since: float | None = None
    request = operations_pb2.GetOperationRequest(name=name)
    while True:
        try:
            op = client.operations.GetOperation(request, timeout=client.timeout)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or not reachable:
                raise
            down_since = down_since if down_since is not None else time.monotonic()
            if time.monotonic() - down_since > client.timeout:
                raise
        else:
            down_since, reachable = None, True
            on_update(op)
            if op.done:
                return op
        sleep(delay)
        delay = min(delay * 1.5, POLL_MAX)


def follow(client: Client, name: str, on_update: Update,
           sleep: Callable[[float], None] = time.sleep,
           reachable: bool = False) -> operations_pb2.Operation:
    """The finished operation, following WatchOperation and falling back to polling."""
    stream = client.watcher.WatchOperation(watch_pb2.WatchOperationRequest(name=name))
    try:
        for op in stream:
            reachable = True
            on_update(op)
            if op.done:
                return op
    except grpc.RpcError as error:
        if error.code() not in FALLBACK_CODES:
            raise
        # Anything but UNAVAILABLE came from a server (e.g. one without the watcher).
        reachable = reachable or error.code() != grpc.StatusCode.UNAVAILABLE
    finally:
        stream.cancel()  # also on Ctrl-C: do not leave the stream open
    return poll(client, name, on_update, sleep, reachable)


#: A finished operation's response type → its key in --json output and its show view.
RESULT_VIEWS = {
    compute_pb2.Server: ("server", output.message_fields),
    block_storage_pb2.Volume: ("volume", output.volume_fields),
    block_storage_pb2.Snapshot: ("snapshot", output.snapshot_fields),
}


def report_done(console: output.Console, op: operations_pb2.Operation,
                request_id: str | None = None) -> int:
    """Print the outcome of a finished operation; the exit code says how it went."""
    if op.HasField("error"):
        return console.failure(errors.from_status(op.error))
    result = output.response(op)
    view = RESULT_VIEWS.get(type(result))
    if console.json_mode:
        doc: dict = {"request_id": request_id} if request_id else {}
        doc["operation"] = output.to_dict(op)
        if view is not None:
            doc[view[0]] = output.to_dict(result)
        console.json(doc)
    elif view is not None:
        console.line(output.fields_table(view[1](result)))
    else:
        meta = output.metadata(op)
        console.line(f"{meta.verb or op.name} {meta.target} done".replace("  ", " "))
    return errors.EXIT_OK


def wait(client: Client, console: output.Console, name: str,
         request_id: str | None = None, reachable: bool = False) -> int:
    """Follow ``name`` with a progress display, then report it; Ctrl-C only stops watching."""
    progress = Progress(console.progress_stream)
    try:
        op = follow(client, name, progress.update, reachable=reachable)
    except KeyboardInterrupt:
        progress.close()
        console.note(f"interrupted: stopped watching {name}; the operation goes on on the "
                     f"server (follow it again with: translator operation watch {name})")
        return errors.EXIT_INTERRUPTED
    progress.close()
    return report_done(console, op, request_id)


def started(client: Client, console: output.Console, op: operations_pb2.Operation,
            request_id: str, wait_for_it: bool) -> int:
    """What every long-running command does with the Operation it got back."""
    meta = output.metadata(op)
    if not wait_for_it:
        if console.json_mode:
            console.json({"request_id": request_id, "operation": output.to_dict(op)})
        else:
            console.line(f"{meta.verb or 'operation'} started: {op.name} "
                         f"(request_id {request_id})")
        return errors.EXIT_OK
    if not console.json_mode:
        console.line(f"{meta.verb or 'operation'} {op.name} (request_id {request_id}):")
    return wait(client, console, op.name, request_id, reachable=True)


# -- commands ------------------------------------------------------------------

def show(args: argparse.Namespace, client: Client, console: output.Console) -> int:
    op = client.operations.GetOperation(
        operations_pb2.GetOperationRequest(name=args.name), timeout=client.timeout)
    if console.json_mode:
        console.json(output.to_dict(op))
    else:
        console.line(output.fields_table(output.operation_fields(op)))
    return errors.EXIT_OK


def list_(args: argparse.Namespace, client: Client, console: output.Console) -> int:
    ops = client.list_all(client.operations.ListOperations,
                          lambda **page: operations_pb2.ListOperationsRequest(
                              filter=args.filter, **page),
                          "operations", args.limit)
    if console.json_mode:
        console.json([output.to_dict(o) for o in ops])
    else:
        console.line(output.columns_table(output.OPERATION_COLUMNS, ops))
    return errors.EXIT_OK


def watch(args: argparse.Namespace, client: Client, console: output.Console) -> int:
    return wait(client, console, args.name)


def cancel(args: argparse.Namespace, client: Client, console: output.Console) -> int:
    # CancelOperationRequest has no request_id: cancelling twice is harmless anyway.
    client.operations.CancelOperation(
        operations_pb2.CancelOperationRequest(name=args.name), timeout=client.timeout)
    if console.json_mode:
        console.json({"name": args.name, "cancel_requested": True})
    else:
        console.line(f"cancel requested for {args.name}; it stops once the backend allows")
    return errors.EXIT_OK

