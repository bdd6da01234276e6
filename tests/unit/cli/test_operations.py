"""--wait: progress display, watch → poll fallback, Ctrl-C, outcome reporting."""

from __future__ import annotations

import io
import json

import grpc
from google.longrunning import operations_pb2
from google.protobuf import empty_pb2
from google.rpc import code_pb2, status_pb2

from translator.api.v1 import common_pb2, compute_pb2
from translator.cli import operations, output

NAME = "operations/abc"


def _op(percent: int, message: str = "", done: bool = False, estimated: bool = False,
        response=None, error=None) -> operations_pb2.Operation:
    op = operations_pb2.Operation(name=NAME, done=done)
    op.metadata.Pack(common_pb2.OperationMetadata(
        verb="CreateServer", target="web", progress_percent=percent,
        progress_estimated=estimated, status_message=message))
    if response is not None:
        op.response.Pack(response)
    if error is not None:
        op.error.CopyFrom(error)
    return op


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class _Broken(grpc.RpcError):
    def __init__(self, code):
        self._code = code

    def code(self):
        return self._code

    def details(self):
        return "stream broke"


class _Stream:
    """A WatchOperation call: yields ``ops``, then raises ``error`` if given."""

    def __init__(self, ops, error=None):
        self.ops, self.error, self.cancelled = ops, error, False

    def __iter__(self):
        yield from self.ops
        if self.error is not None:
            raise self.error

    def cancel(self):
        self.cancelled = True


class _Client:
    timeout = 5.0

    def __init__(self, stream, polled):
        self.stream = stream
        self.polled = list(polled)
        self.watcher = self
        self.operations = self

    def WatchOperation(self, request):
        assert request.name == NAME
        return self.stream

    def GetOperation(self, request, timeout):
        item = self.polled.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def test_plain_progress_is_one_line_per_change():
    stream, clock = io.StringIO(), _Clock()
    progress = operations.Progress(stream, tty=False, clock=clock)
    progress.update(_op(10, "job pending", estimated=True))
    clock.now += 1.5
    progress.update(_op(10, "job pending", estimated=True))  # no change: no line
    progress.update(_op(60, "job running"))
    progress.close()
    assert stream.getvalue().splitlines() == [
        "~10% job pending (0.0s)", "60% job running (1.5s)"]


def test_tty_progress_rewrites_one_line():
    stream = io.StringIO()
    progress = operations.Progress(stream, tty=True, clock=_Clock())
    progress.update(_op(50, "a long status message", estimated=True))
    progress.update(_op(100, "ok", done=True))
    progress.close()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    first, second = text.rstrip("\n").split("\r")[1:]
    assert first.startswith("[##########----------]  ~50% a long status message")
    assert second.startswith("[####################]  100% ok 0s")
    assert len(second) >= len(first)  # the tail of the longer line is blanked


def test_follow_watches_until_done():
    stream = _Stream([_op(0), _op(50), _op(100, done=True), _op(999)])
    seen = []
    final = operations.follow(_Client(stream, []), NAME, seen.append, sleep=lambda s: None)
    assert final.done and len(seen) == 3 and stream.cancelled


def test_broken_stream_falls_back_to_polling():
    stream = _Stream([_op(10)], _Broken(grpc.StatusCode.UNAVAILABLE))
    polled = [_Broken(grpc.StatusCode.UNAVAILABLE), _op(40), _op(100, done=True)]
    seen, sleeps = [], []
    final = operations.follow(_Client(stream, polled), NAME, seen.append, sleep=sleeps.append)
    assert final.done
    assert [output.metadata(o).progress_percent for o in seen] == [10, 40, 100]
    assert sleeps == sorted(sleeps) and max(sleeps) <= operations.POLL_MAX


def test_unreachable_server_is_not_polled_for_long():
    """Never answered at all: a wrong endpoint, reported at once instead of retried."""
    unavailable = _Broken(grpc.StatusCode.UNAVAILABLE)
    client = _Client(_Stream([], unavailable), [unavailable, _op(100, done=True)])
    try:
        operations.follow(client, NAME, lambda op: None, sleep=lambda s: None)
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.UNAVAILABLE
    else:
        raise AssertionError("an unreachable server must not be waited for")
    assert len(client.polled) == 1  # one GetOperation tried, no retry


def test_other_stream_errors_are_raised():
    stream = _Stream([], _Broken(grpc.StatusCode.NOT_FOUND))
    try:
        operations.follow(_Client(stream, []), NAME, lambda op: None)
    except grpc.RpcError as error:
        assert error.code() == grpc.StatusCode.NOT_FOUND
    else:
        raise AssertionError("NOT_FOUND must not be swallowed")


def test_ctrl_c_stops_watching_and_says_so():
    class Interrupted(_Stream):
        def __iter__(self):
            yield _op(10)
            raise KeyboardInterrupt

    out, err = io.StringIO(), io.StringIO()
    console = output.Console(False, out, err)
    code = operations.wait(_Client(Interrupted([]), []), console, NAME)
    assert code == 130
    assert NAME in err.getvalue() and "goes on" in err.getvalue()


def test_success_prints_the_server():
    out = io.StringIO()
    server = compute_pb2.Server(id="vm-1", name="web", status=compute_pb2.Server.ACTIVE)
    code = operations.report_done(output.Console(False, out, io.StringIO()),
                                  _op(100, done=True, response=server))
    assert code == 0
    assert dict(line.split(None, 1) for line in out.getvalue().splitlines()[1:4]) == {
        "id": "vm-1", "name": "web", "status": "ACTIVE"}


def test_success_json_has_request_id_operation_and_server():
    out = io.StringIO()
    server = compute_pb2.Server(id="vm-1")
    operations.report_done(output.Console(True, out, io.StringIO()),
                           _op(100, done=True, response=server), "rid-1")
    doc = json.loads(out.getvalue())
    assert doc["request_id"] == "rid-1"
    assert doc["server"]["id"] == "vm-1"
    assert doc["operation"]["done"] is True


def test_delete_success_prints_done():
    out = io.StringIO()
    operations.report_done(output.Console(False, out, io.StringIO()),
                           _op(100, done=True, response=empty_pb2.Empty()))
    assert out.getvalue() == "CreateServer web done\n"


def test_failed_operation_prints_the_error_and_exits_1():
    out, err = io.StringIO(), io.StringIO()
    error = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message="no capacity")
    code = operations.report_done(output.Console(False, out, err), _op(100, done=True,
                                                                      error=error))
    assert code == 1
    assert err.getvalue() == "error: RESOURCE_EXHAUSTED: no capacity\n"
    assert out.getvalue() == ""
