"""--wait: progress display, watch → poll fallback, Ctrl-C, outcome reporting."""

from __future__ import annotations

import io
import json

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
