"""container / object commands against an in-process gRPC server with a dict store.

The server is real gRPC (streams, cancellation, status codes); only the store
behind it is a fake, so these tests see what the CLI puts on the wire and how
it handles what comes back.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import time
from concurrent import futures

import grpc
import pytest
from google.protobuf import empty_pb2

from translator.api.v1 import object_storage_pb2 as pb
from translator.api.v1 import object_storage_pb2_grpc
from translator.cli import app, object_storage

MiB = 1024 * 1024


class FakeStore(object_storage_pb2_grpc.ObjectStorageServicer):
    """Objects in a dict; records what each call received."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[pb.Object, bytes]] = {}
        self.headers: list[pb.PutObjectHeader] = []
        self.chunk_sizes: list[int] = []
        self.put_outcomes: list[str] = []
        self.requests: list = []
        self.wrong_md5 = False
        self.stall_after_header = 0.0
        self.fail_after_bytes: int | None = None
        self.pages: dict[str, pb.ListObjectsResponse] = {}
        self.calls = 0

    def add(self, container: str, name: str, data: bytes, md5: str | None = None) -> None:
        obj = pb.Object(container=container, name=name, size_bytes=len(data),
                        md5=hashlib.md5(data).hexdigest() if md5 is None else md5)
        self.objects[(container, name)] = (obj, data)

    def PutObject(self, request_iterator, context):
        self.calls += 1
        header, data = None, bytearray()
        try:
            for message in request_iterator:
                if message.WhichOneof("part") == "header":
                    header = message.header
                    self.headers.append(header)
                else:
                    self.chunk_sizes.append(len(message.data))
                    data += message.data
        except Exception:
            self.put_outcomes.append("aborted")
            raise
        if not context.is_active():
            self.put_outcomes.append("aborted")
            return pb.Object()
        self.put_outcomes.append("stored")
        md5 = hashlib.md5(bytes(data)).hexdigest()
        if header.md5 and header.md5 != md5:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "md5 mismatch")
        obj = pb.Object(container=header.container, name=header.name, size_bytes=len(data),
                        content_type=header.content_type or "application/octet-stream",
                        md5=md5, etag=md5, metadata=header.metadata)
        self.objects[(header.container, header.name)] = (obj, bytes(data))
        return obj

    def GetObject(self, request, context):
        self.calls += 1
        self.requests.append(request)
        found = self.objects.get((request.container, request.name))
        if found is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"no object {request.name}")
        obj, data = found
        if self.wrong_md5:
            obj = pb.Object(name=obj.name, size_bytes=obj.size_bytes, md5="0" * 32)
        yield pb.GetObjectResponse(object=obj)
        if self.stall_after_header:
            time.sleep(self.stall_after_header)
        end = len(data) if not request.HasField("length") else request.offset + request.length
        sent = 0
        for start in range(request.offset, min(end, len(data)), 1000):
            if self.fail_after_bytes is not None and sent >= self.fail_after_bytes:
                context.abort(grpc.StatusCode.UNAVAILABLE, "backend went away")
            chunk = data[start:min(start + 1000, end)]
            sent += len(chunk)
            yield pb.GetObjectResponse(data=chunk)

    def HeadObject(self, request, context):
        self.requests.append(request)
        return self.objects[(request.container, request.name)][0]

    def ListObjects(self, request, context):
        self.requests.append(request)
        return self.pages[request.page_token]

    def ListContainers(self, request, context):
        self.requests.append(request)
        return pb.ListContainersResponse(containers=[
            pb.Container(name="photos", object_count=3, bytes_used=1234,
                         metadata={"team": "a"})])

    def CreateContainer(self, request, context):
        self.requests.append(request)
        return pb.Container(name=request.name, metadata=request.metadata)

    def DeleteContainer(self, request, context):
        self.requests.append(request)
        return empty_pb2.Empty()

    def CopyObject(self, request, context):
        self.requests.append(request)
        return pb.Object(container=request.destination_container,
                         name=request.destination_name)

    def CreateTempUrl(self, request, context):
        self.requests.append(request)
        reply = pb.TempUrl(url=f"http://rgw/{request.container}/{request.name}?sig=x",
                           method=request.method)
        reply.expire_time.FromSeconds(1_700_000_000 + request.expires_in_seconds)
        return reply


@pytest.fixture
def store():
    fake = FakeStore()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    object_storage_pb2_grpc.add_ObjectStorageServicer_to_server(fake, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    fake.endpoint = f"127.0.0.1:{port}"
    yield fake
    server.stop(None)


def run(store, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = app.run(["--endpoint", store.endpoint, *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def _fields(text: str) -> dict[str, str]:
    rows = [line.split(None, 1) for line in text.splitlines()[1:]]
    return {row[0]: row[1] if len(row) > 1 else "" for row in rows}


# -- parsing ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, func", [
    (["container", "create", "c", "--meta", "a=b"], object_storage.container_create),
    (["container", "list", "--prefix", "p", "--limit", "3"], object_storage.container_list),
    (["container", "show", "c"], object_storage.container_show),
    (["container", "delete", "c"], object_storage.container_delete),
    (["object", "put", "c", "o", "-"], object_storage.object_put),
    (["object", "get", "c", "o", "-o", "-", "--offset", "0", "--length", "0"],
     object_storage.object_get),
    (["object", "list", "c", "--delimiter", "/"], object_storage.object_list),
    (["object", "show", "c", "o"], object_storage.object_show),
    (["object", "delete", "c", "o"], object_storage.object_delete),
    (["object", "copy", "c", "o", "d", "p"], object_storage.object_copy),
    (["object", "temp-url", "c", "o", "--method", "PUT", "--expires", "60"],
     object_storage.object_temp_url),
])
def test_command_set(argv, func):
    assert app.parse_args(argv).func is func


@pytest.mark.parametrize("argv", [
    ["object", "put", "c", "o"], ["object", "get", "c", "o", "--offset", "-1"],
    ["object", "get", "c", "o", "--length", "x"], ["object", "list"],
    ["object", "temp-url", "c", "o", "--method", "POST"],
    ["object", "temp-url", "c", "o", "--expires", "0"],
    ["container", "create", "c", "--meta", "novalue"], ["container", "list", "--limit", "0"],
])
def test_usage_errors_exit_2(argv, capsys):
    assert app.run(argv) == 2
    assert capsys.readouterr().err


@pytest.mark.parametrize("name, kind", [
    ("index.html", "text/html"), ("a/b/report.json", "application/json"),
    ("backup.tar.gz", ""), ("README", "")])
def test_content_type_is_guessed_from_the_name(name, kind):
    assert object_storage.guess_content_type(name) == kind


# -- put ----------------------------------------------------------------------------------

def test_put_sends_size_md5_and_1mib_chunks(store, tmp_path):
    data = os.urandom(2 * MiB + 5)
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    code, out, err = run(store, "object", "put", "c", "dir/blob.json", str(path),
                         "--meta", "owner=me")
    assert (code, err) == (0, "")
    [header] = store.headers
    assert header.size_bytes == len(data) and header.HasField("size_bytes")
    assert header.md5 == hashlib.md5(data).hexdigest()
    assert header.content_type == "application/json" and dict(header.metadata) == {
        "owner": "me"}
    assert store.chunk_sizes == [MiB, MiB, 5]
    assert store.objects[("c", "dir/blob.json")][1] == data
    shown = _fields(out)
    assert shown["name"] == "dir/blob.json" and shown["size_bytes"] == str(len(data))


def test_put_no_md5_still_sends_the_size(store, tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert run(store, "object", "put", "c", "o", str(path), "--no-md5",
               "--content-type", "text/plain")[0] == 0
    [header] = store.headers
    assert (header.md5, header.size_bytes, header.content_type) == ("", 3, "text/plain")


def test_put_from_stdin_sends_neither_size_nor_md5(store, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x" * (MiB + 1))))
    code, out, _ = run(store, "object", "put", "c", "o", "-", "--json")
    assert code == 0 and json.loads(out)["size_bytes"] == str(MiB + 1)
    [header] = store.headers
    assert not header.HasField("size_bytes") and header.md5 == ""


def test_put_of_an_unreadable_file_is_a_clear_error(store, tmp_path):
    code, _, err = run(store, "object", "put", "c", "o", str(tmp_path / "missing"))
    assert code == 2 and "cannot read" in err and "missing" in err
    assert store.calls == 0


class _FailingFile(io.BytesIO):
    """Reads one chunk, then fails as a disk would."""

    def read(self, n=-1):
        if self.tell() >= MiB:
            raise OSError(5, "Input/output error")
        return super().read(n)


def test_a_read_error_mid_upload_cancels_instead_of_storing(store, monkeypatch):
    monkeypatch.setattr(object_storage, "_open_input",
                        lambda path: (_FailingFile(b"z" * 3 * MiB), None))
    code, _, err = run(store, "object", "put", "c", "o", "some-file")
    assert code == 2 and "Input/output error" in err and "nothing was stored" in err
    assert ("c", "o") not in store.objects
    deadline = time.monotonic() + 5
    while not store.put_outcomes and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.put_outcomes == ["aborted"]


class _SlowPipe(io.BytesIO):
    """A producer that pauses longer than --timeout between chunks."""

    def read(self, n=-1):
        time.sleep(0.5)
        return super().read(n)


def test_a_slow_input_is_no_stall(store, monkeypatch):
    monkeypatch.setattr(object_storage, "_open_input",
                        lambda path: (_SlowPipe(b"s" * (MiB + 10)), None))
    code, _, err = run(store, "object", "put", "c", "o", "-", "--timeout", "0.2")
    assert (code, err) == (0, "")
    assert store.objects[("c", "o")][1] == b"s" * (MiB + 10)


def test_server_md5_mismatch_is_reported_with_exit_1(store, tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    monkeypatch.setattr(object_storage, "_md5_of", lambda *a: "0" * 32)
    code, _, err = run(store, "object", "put", "c", "o", str(path))
    assert code == 1 and "INVALID_ARGUMENT" in err


# -- get ----------------------------------------------------------------------------------

def _no_leftovers(directory) -> None:
    assert not [p for p in os.listdir(directory) if p.endswith(".part")]


def test_get_writes_the_file_and_verifies_the_md5(store, tmp_path, monkeypatch):
    data = os.urandom(10_000)
    store.add("c", "a/b/photo.jpg", data)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(store, "object", "get", "c", "a/b/photo.jpg")
    assert (code, err) == (0, "")
    assert (tmp_path / "photo.jpg").read_bytes() == data
    assert "md5 verified" in out and "10000 bytes" in out
    _no_leftovers(tmp_path)


def test_get_into_a_directory_and_json(store, tmp_path):
    store.add("c", "x.bin", b"hello")
    code, out, _ = run(store, "object", "get", "c", "x.bin", "-o", str(tmp_path), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["file"] == str(tmp_path / "x.bin") and doc["md5_verified"]
    assert (tmp_path / "x.bin").read_bytes() == b"hello"


def test_get_a_range_skips_the_md5_check(store, tmp_path):
    data = bytes(range(256)) * 20
    store.add("c", "o", data, md5="f" * 32)  # a wrong MD5 does not matter for a range
    target = tmp_path / "part"
    code, out, _ = run(store, "object", "get", "c", "o", "-o", str(target),
                       "--offset", "100", "--length", "2500")
    assert code == 0 and target.read_bytes() == data[100:2600]
    assert "md5 verified" not in out
    assert store.requests[-1].length == 2500 and store.requests[-1].offset == 100


def test_get_with_a_wrong_md5_saves_nothing(store, tmp_path):
    store.add("c", "o", b"payload")
    (tmp_path / "o").write_bytes(b"old")
    store.wrong_md5 = True
    code, _, err = run(store, "object", "get", "c", "o", "-o", str(tmp_path / "o"))
    assert code == 1 and "DATA_LOSS" in err and "nothing was saved" in err
    assert (tmp_path / "o").read_bytes() == b"old"  # the old file is untouched
    _no_leftovers(tmp_path)


def test_a_broken_download_leaves_no_file(store, tmp_path):
    store.add("c", "o", os.urandom(50_000))
    store.fail_after_bytes = 20_000
    code, _, err = run(store, "object", "get", "c", "o", "-o", str(tmp_path / "o"))
    assert code == 1 and "UNAVAILABLE" in err
    assert os.listdir(tmp_path) == []


def test_get_of_a_missing_object(store, tmp_path):
    code, _, err = run(store, "object", "get", "c", "nope", "-o", str(tmp_path / "x"))
    assert code == 1 and "NOT_FOUND" in err
    assert os.listdir(tmp_path) == []


def test_get_into_an_unwritable_place_fails_before_any_call(store, tmp_path):
    code, _, err = run(store, "object", "get", "c", "o", "-o",
                       str(tmp_path / "no-such-dir" / "f"))
    assert code == 2 and "cannot write" in err
    assert store.calls == 0


def test_get_to_stdout(store, monkeypatch):
    store.add("c", "o", b"x" * 3000)
    sink = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(sink))
    code, out, _ = run(store, "object", "get", "c", "o", "-o", "-")
    assert code == 0 and out == "" and sink.getvalue() == b"x" * 3000


def test_a_stalled_download_is_cancelled_after_the_timeout(store, tmp_path):
    store.add("c", "o", b"data")
    store.stall_after_header = 3
    began = time.monotonic()
    code, _, err = run(store, "object", "get", "c", "o", "-o", str(tmp_path / "o"),
                       "--timeout", "0.4")
    assert code == 1 and "no progress for 0.4s" in err
    assert time.monotonic() - began < 2.5
    assert os.listdir(tmp_path) == []


# -- the other commands ---------------------------------------------------------------------

def test_object_list_pages_and_rolls_up_prefixes(store):
    store.pages = {
        "": pb.ListObjectsResponse(objects=[pb.Object(name="a.txt", size_bytes=3)],
                                   common_prefixes=["logs/"], next_page_token="t1"),
        "t1": pb.ListObjectsResponse(objects=[pb.Object(name="z.txt", size_bytes=4)]),
    }
    code, out, _ = run(store, "object", "list", "c", "--delimiter", "/", "--prefix", "")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["NAME", "BYTES", "CONTENT_TYPE",
                                              "LAST_MODIFIED", "ETAG"]
    assert [line.split()[0] for line in lines[1:]] == ["a.txt", "logs/", "z.txt"]
    assert store.requests[0].delimiter == "/" and store.requests[1].page_token == "t1"
    _, out, _ = run(store, "object", "list", "c", "--json", "--limit", "2")
    doc = json.loads(out)
    assert [o["name"] for o in doc["objects"]] == ["a.txt"]
    assert doc["common_prefixes"] == ["logs/"]
    assert store.requests[-1].page_size == 2 and len(store.requests) == 3  # one page


def test_container_commands(store):
    code, out, _ = run(store, "container", "create", "photos", "--meta", "Team=a")
    assert code == 0 and _fields(out)["metadata"] == "Team=a"
    assert store.requests[-1].metadata == {"Team": "a"}
    _, out, _ = run(store, "container", "list", "--prefix", "ph")
    assert out.splitlines()[0].split() == ["NAME", "OBJECTS", "BYTES", "METADATA"]
    assert out.splitlines()[1].split() == ["photos", "3", "1234", "team=a"]
    assert store.requests[-1].prefix == "ph"
    _, out, _ = run(store, "container", "delete", "photos", "--json")
    assert json.loads(out) == {"deleted": "photos"}


def test_copy_with_meta_replaces_the_metadata(store):
    run(store, "object", "copy", "a", "x", "b", "y")
    assert store.requests[-1].replace_metadata is False
    code, out, _ = run(store, "object", "copy", "a", "x", "b", "y", "--meta", "k=v")
    assert code == 0 and _fields(out)["container"] == "b"
    request = store.requests[-1]
    assert request.replace_metadata and dict(request.metadata) == {"k": "v"}


def test_temp_url_prints_the_url_alone(store):
    code, out, err = run(store, "object", "temp-url", "c", "o", "--expires", "60")
    assert code == 0 and out == "http://rgw/c/o?sig=x\n"
    assert err.startswith("GET until ")
    assert store.requests[-1].method == pb.CreateTempUrlRequest.GET
    _, out, _ = run(store, "object", "temp-url", "c", "o", "--method", "PUT", "--json")
    assert json.loads(out)["method"] == "PUT"


def test_an_unreachable_server_exits_3(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    out, err = io.StringIO(), io.StringIO()
    code = app.run(["--endpoint", "127.0.0.1:1", "object", "put", "c", "o", str(path)],
                   out, err)
    assert code == 3 and "cannot reach" in err.getvalue()


def test_ctrl_c_during_a_download_leaves_no_file(store, tmp_path, monkeypatch):
    store.add("c", "o", os.urandom(30_000))

    def interrupted(self, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(object_storage._Download, "receive", interrupted)
    code, _, err = run(store, "object", "get", "c", "o", "-o", str(tmp_path / "o"))
    assert code == 130 and "interrupted" in err
    assert os.listdir(tmp_path) == []
