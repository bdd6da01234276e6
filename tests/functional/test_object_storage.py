"""The ObjectStorage API through gRPC on a real translator-server, on every driver.

``object_deployment`` (conftest) is one object-storage-only server per driver:
``local`` (files under the server's state directory), ``ceph`` (the session's
real radosgw over S3) and ``swift`` (the same radosgw over its Swift API).
Parts start at 5 MiB there, so the ~11 MiB object here is stored in parts.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator

import grpc
import pytest

from functional.conftest import start_object_deployment
from functional.helpers import details, eventually
from functional.server import free_port
from functional.test_embedded import EmbeddedProcess
from translator.api.v1 import capabilities_pb2, capabilities_pb2_grpc, object_storage_pb2_grpc
from translator.api.v1 import object_storage_pb2 as pb

KiB, MiB = 1024, 1024 * 1024
LARGE_SIZE = 11 * MiB + 4321  # three 5 MiB parts, the last one short

def objects(channel) -> object_storage_pb2_grpc.ObjectStorageStub:
    return object_storage_pb2_grpc.ObjectStorageStub(channel)


def unique(prefix: str = "ft") -> str:
    """A container name every backend accepts (S3: lowercase, 3-63 characters)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def header(container: str, name: str, data: bytes | None = None, **fields
           ) -> pb.PutObjectHeader:
    """A PutObjectHeader; with ``data``, declaring its size and MD5 as the CLI does."""
    head = pb.PutObjectHeader(container=container, name=name, **fields)
    if data is not None:
        head.size_bytes = len(data)
        head.md5 = md5(data)
    return head


def stream(head: pb.PutObjectHeader, data: bytes, chunk: int = MiB
           ) -> Iterator[pb.PutObjectRequest]:
    yield pb.PutObjectRequest(header=head)
    for at in range(0, len(data), chunk):
        yield pb.PutObjectRequest(data=data[at:at + chunk])


def put(channel, container: str, name: str, data: bytes, **fields) -> pb.Object:
    return objects(channel).PutObject(stream(header(container, name, data, **fields), data),
                                      timeout=60)


def get(channel, container: str, name: str, offset: int = 0,
        length: int | None = None) -> tuple[pb.Object, bytes]:
    request = pb.GetObjectRequest(container=container, name=name, offset=offset)
    if length is not None:
        request.length = length
    replies = list(objects(channel).GetObject(request, timeout=60))
    assert replies[0].WhichOneof("part") == "object"
    assert all(r.WhichOneof("part") == "data" for r in replies[1:])
    return replies[0].object, b"".join(r.data for r in replies[1:])


def failure(call) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


def empty_out(channel, container: str) -> None:
    """Delete every object, then the container; what is already gone is no error."""
    stub = objects(channel)
    try:
        while True:
            page = stub.ListObjects(pb.ListObjectsRequest(container=container, page_size=500))
            for obj in page.objects:
                stub.DeleteObject(pb.DeleteObjectRequest(container=container, name=obj.name))
            if not page.next_page_token:
                break
        stub.DeleteContainer(pb.DeleteContainerRequest(name=container))
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.NOT_FOUND:
            raise


@pytest.fixture
def channel(object_deployment):
    with object_deployment.channel() as chan:
        yield chan


@pytest.fixture
def container(channel):
    name = unique()
    objects(channel).CreateContainer(pb.CreateContainerRequest(name=name))
    yield name
    empty_out(channel, name)


# -- what is left behind by a failed upload, backend side ------------------------------------

def leftovers(deployment, channel, container: str) -> list[str]:
    """Anything an upload that failed must not leave: S3 multipart uploads, Swift
    segments, local data files beyond the index."""
    if deployment.driver == "ceph":
        from ceph_session import cluster

        return [u["Key"] for u in _s3(cluster()).list_multipart_uploads(
            Bucket=container).get("Uploads", [])]
    if deployment.driver == "swift":
        try:
            listed = objects(channel).ListObjects(pb.ListObjectsRequest(
                container=container + "_segments"))
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.NOT_FOUND
            return []
        return [o.name for o in listed.objects]
    return _local_files(deployment)


def _local_files(deployment) -> list[str]:
    found = []
    for root, _, files in os.walk(deployment.state_dir / "objects"):
        found += [os.path.join(root, f) for f in files if not f.startswith("index")]
    return sorted(found)


def _s3(ceph):
    import boto3

    return boto3.client("s3", endpoint_url=ceph.rgw_endpoint, region_name="us-east-1",
                        aws_access_key_id=ceph.s3_access_key,
                        aws_secret_access_key=ceph.s3_secret_key)


# -- capabilities ----------------------------------------------------------------------------

def test_capabilities_tell_the_drivers_apart(object_deployment, channel):
    reply = capabilities_pb2_grpc.CapabilitiesStub(channel).GetCapabilities(
        capabilities_pb2.GetCapabilitiesRequest(apis=["object_storage"]))
    [caps] = reply.apis
    assert caps.driver == object_deployment.driver
    ops = {op.name: op for op in caps.operations}
    assert {"PutObject", "GetObject", "CopyObject", "CreateTempUrl"} <= set(ops)
    assert ops["CreateTempUrl"].supported == (object_deployment.driver != "local")
    assert ops["PutObject"].supported and ops["CopyObject"].supported


# -- containers ------------------------------------------------------------------------------

def test_container_lifecycle(channel):
    stub = objects(channel)
    name = unique()
    made = stub.CreateContainer(pb.CreateContainerRequest(name=name, metadata={"Team": "paas"}))
    assert made.name == name and dict(made.metadata) == {"team": "paas"}
    again = failure(lambda: stub.CreateContainer(pb.CreateContainerRequest(name=name)))
    assert again.code() == grpc.StatusCode.ALREADY_EXISTS
    got = stub.GetContainer(pb.GetContainerRequest(name=name))
    assert (got.name, got.object_count, dict(got.metadata)) == (name, 0, {"team": "paas"})
    put(channel, name, "x", b"12345")
    busy = failure(lambda: stub.DeleteContainer(pb.DeleteContainerRequest(name=name)))
    assert busy.code() == grpc.StatusCode.FAILED_PRECONDITION
    stub.DeleteObject(pb.DeleteObjectRequest(container=name, name="x"))
    stub.DeleteContainer(pb.DeleteContainerRequest(name=name))
    gone = failure(lambda: stub.GetContainer(pb.GetContainerRequest(name=name)))
    assert gone.code() == grpc.StatusCode.NOT_FOUND
    bad = failure(lambda: stub.CreateContainer(pb.CreateContainerRequest(name="a/b")))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(bad)["BadRequest"].field_violations[0].field == "name"


def test_containers_list_by_prefix_in_pages(channel):
    stub = objects(channel)
    prefix = unique("pg")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        stub.CreateContainer(pb.CreateContainerRequest(name=name))
    try:
        seen, token = [], ""
        for _ in range(5):
            page = stub.ListContainers(pb.ListContainersRequest(
                prefix=prefix, page_size=2, page_token=token))
            assert len(page.containers) <= 2
            seen += [c.name for c in page.containers]
            token = page.next_page_token
            if not token:
                break
        assert seen == names
    finally:
        for name in names:
            stub.DeleteContainer(pb.DeleteContainerRequest(name=name))


# -- put, get, head --------------------------------------------------------------------------

def test_small_round_trip_with_metadata(channel, container):
    data = os.urandom(100 * KiB + 7)
    stored = put(channel, container, "docs/a b.txt", data, content_type="text/plain",
                 metadata={"Owner": "ops"})
    assert (stored.size_bytes, stored.md5, stored.content_type) == (
        len(data), md5(data), "text/plain")
    info, got = get(channel, container, "docs/a b.txt")
    assert got == data and info.size_bytes == len(data) and info.md5 == md5(data)
    head = objects(channel).HeadObject(pb.HeadObjectRequest(container=container,
                                                            name="docs/a b.txt"))
    assert dict(head.metadata) == {"owner": "ops"} and head.content_type == "text/plain"
    assert head.last_modified.seconds > 0
    empty = put(channel, container, "empty", b"")
    assert empty.size_bytes == 0 and get(channel, container, "empty")[1] == b""


def test_large_object_in_parts_and_ranges(object_deployment, channel, container):
    data = os.urandom(LARGE_SIZE)
    stored = put(channel, container, "big.bin", data)
    assert stored.size_bytes == len(data) and stored.md5 == md5(data)
    if object_deployment.driver != "local":
        assert stored.extra["parts"] == "3"
    info, got = get(channel, container, "big.bin")
    assert got == data and info.md5 == md5(data)  # declared at upload: known even in parts
    for offset, length in ((0, 10), (5 * MiB - 100, 300), (len(data) - 50, None),
                           (len(data) - 10, 10**9), (12345, 0)):
        end = len(data) if length is None else offset + length
        part, piece = get(channel, container, "big.bin", offset, length)
        assert piece == data[offset:end], (offset, length)
        assert part.size_bytes == len(data)  # the whole object's description
    past = failure(lambda: get(channel, container, "big.bin", len(data)))
    assert past.code() == grpc.StatusCode.OUT_OF_RANGE
    negative = failure(lambda: get(channel, container, "big.bin", -1))
    assert negative.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(negative)["BadRequest"].field_violations[0].field == "offset"


def test_a_put_replaces_and_missing_names_are_not_found(channel, container):
    put(channel, container, "k", b"first")
    put(channel, container, "k", b"second!")
    assert get(channel, container, "k")[1] == b"second!"
    for call in (lambda: get(channel, container, "nope"),
                 lambda: objects(channel).HeadObject(pb.HeadObjectRequest(
                     container=container, name="nope")),
                 lambda: put(channel, unique("none"), "k", b"x")):
        assert failure(call).code() == grpc.StatusCode.NOT_FOUND


# -- uploads that must store nothing -----------------------------------------------------------

@pytest.mark.parametrize("size", [10 * KiB, 7 * MiB], ids=["small", "in-parts"])
@pytest.mark.parametrize("field", ["md5", "size_bytes"])
def test_a_declared_mismatch_stores_nothing(object_deployment, channel, container, size,
                                            field):
    data = os.urandom(size)
    head = header(container, "bad", data)
    if field == "md5":
        head.md5 = md5(data + b"!")
    else:
        head.size_bytes = size + 1
    before = leftovers(object_deployment, channel, container)
    error = failure(lambda: objects(channel).PutObject(stream(head, data), timeout=60))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    [violation] = details(error)["BadRequest"].field_violations
    assert violation.field == field and "nothing was stored" in violation.description
    assert failure(lambda: get(channel, container, "bad")).code() == grpc.StatusCode.NOT_FOUND
    eventually(lambda: leftovers(object_deployment, channel, container) == before, 10)


def test_a_cancelled_upload_stores_nothing(object_deployment, channel, container):
    before = leftovers(object_deployment, channel, container)
    release = threading.Event()

    def requests():
        yield pb.PutObjectRequest(header=header(container, "cut"))
        for _ in range(12):  # two 5 MiB parts and more: the upload is in parts by now
            yield pb.PutObjectRequest(data=os.urandom(MiB))
        release.wait(30)

    call = objects(channel).PutObject.future(requests())
    try:
        # The backend holds some of it (a multipart upload, a segment, a temp file).
        eventually(lambda: leftovers(object_deployment, channel, container) != before, 10,
                   0.05)
        call.cancel()
    finally:
        release.set()
    assert call.cancelled()
    eventually(lambda: leftovers(object_deployment, channel, container) == before, 15)
    assert failure(lambda: get(channel, container, "cut")).code() == grpc.StatusCode.NOT_FOUND
    listed = objects(channel).ListObjects(pb.ListObjectsRequest(container=container))
    assert "cut" not in [o.name for o in listed.objects]


def test_the_first_message_must_be_the_header(channel, container):
    error = failure(lambda: objects(channel).PutObject(iter([pb.PutObjectRequest(data=b"x")])))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(error)["BadRequest"].field_violations[0].field == "header"


# -- listing, copy, delete ---------------------------------------------------------------------

LIST_NAMES = ["a.txt", "dir/1", "dir/2", "dir/sub/3", "dirt", "z"]


def _all_pages(channel, container: str, **fields) -> tuple[list[str], list[str]]:
    names, prefixes, token = [], [], ""
    for _ in range(20):
        page = objects(channel).ListObjects(pb.ListObjectsRequest(
            container=container, page_token=token, **fields))
        assert len(page.objects) + len(page.common_prefixes) <= fields.get("page_size", 1000)
        names += [o.name for o in page.objects]
        prefixes += list(page.common_prefixes)
        token = page.next_page_token
        if not token:
            return names, prefixes
    raise AssertionError("more than 20 pages")


def test_list_in_pages_with_prefix_and_delimiter(channel, container):
    for name in LIST_NAMES:
        put(channel, container, name, name.encode())
    assert _all_pages(channel, container, page_size=2) == (LIST_NAMES, [])
    assert _all_pages(channel, container, delimiter="/", page_size=2) == (
        ["a.txt", "dirt", "z"], ["dir/"])
    assert _all_pages(channel, container, prefix="dir/", delimiter="/", page_size=1) == (
        ["dir/1", "dir/2"], ["dir/sub/"])
    listed = objects(channel).ListObjects(pb.ListObjectsRequest(container=container,
                                                                prefix="dir/sub/"))
    [obj] = listed.objects
    assert (obj.name, obj.size_bytes) == ("dir/sub/3", len("dir/sub/3"))
    got = objects(channel).GetContainer(pb.GetContainerRequest(name=container))
    assert got.object_count in (len(LIST_NAMES), 0)  # S3 keeps no count: 0 or the truth


def test_copy_keeps_or_replaces_metadata_and_delete(channel, container):
    stub = objects(channel)
    data = os.urandom(3000)
    put(channel, container, "src", data, metadata={"a": "1"}, content_type="image/png")
    other = unique()
    stub.CreateContainer(pb.CreateContainerRequest(name=other))
    try:
        kept = stub.CopyObject(pb.CopyObjectRequest(
            source_container=container, source_name="src",
            destination_container=other, destination_name="kept"))
        assert (kept.container, kept.name, kept.size_bytes) == (other, "kept", len(data))
        head = stub.HeadObject(pb.HeadObjectRequest(container=other, name="kept"))
        assert dict(head.metadata) == {"a": "1"} and head.content_type == "image/png"
        stub.CopyObject(pb.CopyObjectRequest(
            source_container=container, source_name="src", destination_container=container,
            destination_name="replaced", replace_metadata=True, metadata={"B": "2"}))
        head = stub.HeadObject(pb.HeadObjectRequest(container=container, name="replaced"))
        assert dict(head.metadata) == {"b": "2"}
        assert get(channel, other, "kept")[1] == data
        assert get(channel, container, "replaced")[1] == data
        stub.DeleteObject(pb.DeleteObjectRequest(container=container, name="src"))
        assert failure(lambda: stub.HeadObject(pb.HeadObjectRequest(
            container=container, name="src"))).code() == grpc.StatusCode.NOT_FOUND
        assert get(channel, other, "kept")[1] == data  # a copy outlives its source
        missing = failure(lambda: stub.CopyObject(pb.CopyObjectRequest(
            source_container=container, source_name="src", destination_container=other,
            destination_name="x")))
        assert missing.code() == grpc.StatusCode.NOT_FOUND
    finally:
        empty_out(channel, other)


# -- temp URLs -------------------------------------------------------------------------------

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http_put(url: str, body: bytes) -> int:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("PUT", f"{parts.path}?{parts.query}", body=body)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def test_temp_urls(object_deployment, channel, container):
    stub = objects(channel)
    data = b"shared through a temp URL"
    put(channel, container, "shared", data)

    def temp_url(name: str, method, expires: int = 60):
        return stub.CreateTempUrl(pb.CreateTempUrlRequest(
            container=container, name=name, method=method, expires_in_seconds=expires))

    bad = failure(lambda: temp_url("shared", pb.CreateTempUrlRequest.GET, 0))
    assert bad.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert details(bad)["BadRequest"].field_violations[0].field == "expires_in_seconds"
    if object_deployment.driver == "local":
        refused = failure(lambda: temp_url("shared", pb.CreateTempUrlRequest.GET))
        assert refused.code() == grpc.StatusCode.UNIMPLEMENTED
        return
    url = temp_url("shared", pb.CreateTempUrlRequest.GET)
    assert url.method == pb.CreateTempUrlRequest.GET
    assert 0 < url.expire_time.seconds - time.time() <= 61
    with _NO_PROXY.open(url.url, timeout=10) as answer:
        assert answer.read() == data
    upload = temp_url("uploaded", pb.CreateTempUrlRequest.PUT)
    assert _http_put(upload.url, b"put through a temp URL") in (200, 201)
    assert get(channel, container, "uploaded")[1] == b"put through a temp URL"


# -- the embedded default and memory ----------------------------------------------------------

def test_the_embedded_default_serves_object_storage(tmp_path):
    server = EmbeddedProcess(tmp_path / "unused.conf", free_port(), tmp_path / "server.log")
    server.start()
    try:
        with grpc.insecure_channel(server.address) as chan:
            caps = capabilities_pb2_grpc.CapabilitiesStub(chan).GetCapabilities(
                capabilities_pb2.GetCapabilitiesRequest(apis=["object_storage"]))
            assert caps.apis[0].driver == "local"
            objects(chan).CreateContainer(pb.CreateContainerRequest(name="newcomer"))
            put(chan, "newcomer", "hello.txt", b"hello")
            assert get(chan, "newcomer", "hello.txt")[1] == b"hello"
    finally:
        assert server.stop() == 0


def _peak_rss(pid: int) -> int:
    """VmHWM: the process's peak resident set, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def test_a_64_mib_transfer_keeps_the_server_memory_bounded(tmp_path):
    """Flow control and the bounded channels: 64 MiB each way through the server
    raises its peak RSS by far less than the object's size."""
    deployment = start_object_deployment(tmp_path, "local")
    size, chunk = 64 * MiB, MiB
    block = os.urandom(chunk)
    try:
        with deployment.channel() as chan:
            objects(chan).CreateContainer(pb.CreateContainerRequest(name="mem"))
            put(chan, "mem", "warm-up", os.urandom(3 * MiB))  # imports, pools, first buffers
            get(chan, "mem", "warm-up")
            pid = deployment.server.proc.pid
            before = _peak_rss(pid)
            digest = hashlib.md5()

            def requests():
                yield pb.PutObjectRequest(header=pb.PutObjectHeader(
                    container="mem", name="big", size_bytes=size))
                for i in range(size // chunk):
                    data = i.to_bytes(8, "big") + block[8:]
                    digest.update(data)
                    yield pb.PutObjectRequest(data=data)

            stored = objects(chan).PutObject(requests(), timeout=120)
            assert stored.size_bytes == size and stored.md5 == digest.hexdigest()
            after_put = _peak_rss(pid)
            received, check = 0, hashlib.md5()
            for reply in objects(chan).GetObject(pb.GetObjectRequest(container="mem",
                                                                     name="big"), timeout=120):
                if reply.WhichOneof("part") == "data":
                    received += len(reply.data)
                    check.update(reply.data)
                    time.sleep(0.0005)  # a reader a little slower than the disk
            after_get = _peak_rss(pid)
    finally:
        deployment.server.stop()
    assert received == size and check.hexdigest() == digest.hexdigest()
    growth = max(after_put, after_get) - before
    assert growth < 64 * MiB, (before, after_put, after_get)
