"""The object storage driver contract: what every registered object storage driver must do.

Runs against each driver's own backend (see backends.OBJECT_BACKENDS: files in a
temporary directory, a real Ceph radosgw over S3 and over Swift), through the
driver API only, with ByteSources built as the service builds them. The
large-object threshold is 5 MiB there, so the ~11 MiB object is stored in parts.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterable
from importlib import metadata

import pytest

from contract import backends
from contract.test_compute_contract import _norm
from translator.api.v1 import object_storage_pb2
from translator.drivers import base, exceptions, models
from translator.service.streams import CheckedReader, UploadAborted

NAMESPACE = "translator.drivers.object_storage"
KiB, MiB = 1024, 1024 * 1024
LARGE_CHUNK = 64 * KiB
LARGE_SIZE = 11 * MiB + 12345  # three 5 MiB parts, the last one short


def registered() -> dict[str, metadata.EntryPoint]:
    """Every entry point of the namespace, loadable or not (a broken one must fail)."""
    return {ep.name: ep for ep in metadata.entry_points(group=NAMESPACE)}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "object_name" in metafunc.fixturenames:
        metafunc.parametrize("object_name", sorted(registered()), scope="module")


@pytest.fixture(scope="module")
def object_conf(object_name: str):
    factory = backends.OBJECT_BACKENDS.get(object_name)
    if factory is None:
        pytest.fail(f"object storage driver {object_name!r} is registered in {NAMESPACE} "
                    "but tests/contract/backends.py has no backend for it")
    with factory() as conf:
        yield conf


@pytest.fixture(scope="module")
def store(object_name: str, object_conf):
    """The driver, built as the core builds it, set up against its backend."""
    cls = registered()[object_name].load()
    assert issubclass(cls, base.ObjectStorageDriver) and cls.name == object_name
    cls.register_opts(object_conf)
    instance = cls(object_conf)
    instance.setup()
    yield instance
    instance.close()


def unique(prefix: str = "ct") -> str:
    """A container name every backend accepts (S3: lowercase, 3-63 characters)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def empty_out(driver, container: str) -> None:
    """Delete every object, then the container; what is already gone is no error."""
    try:
        while True:
            page = driver.list_objects(container, "", "", 1000, "")
            for obj in page.objects:
                driver.delete_object(container, obj.name)
            if not page.next_token:
                break
        driver.delete_container(container)
    except exceptions.NotFound:
        pass


@pytest.fixture
def container(store):
    name = unique()
    store.create_container(name, {})
    yield name
    empty_out(store, name)


def source(chunks: Iterable[bytes], *, size: int | None = None, md5: str = "") -> CheckedReader:
    it = iter(chunks)
    return CheckedReader(lambda: next(it, None), size=size, md5=md5)


def put(driver, container: str, name: str, data: bytes, *, chunk: int = 64 * KiB,
        **fields) -> models.StoredObject:
    size, md5 = fields.pop("size", None), fields.pop("md5", "")
    spec = models.ObjectSpec(container=container, name=name, size_bytes=size, md5=md5,
                             **fields)
    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)]
    return driver.put_object(spec, source(pieces, size=size, md5=md5))


def read(driver, container: str, name: str, offset: int = 0,
         length: int | None = None) -> bytes:
    download = driver.open_object(container, name, offset, length)
    try:
        return b"".join(download.chunks)
    finally:
        download.close()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def assert_absent(driver, container: str, name: str) -> None:
    with pytest.raises(exceptions.NotFound):
        driver.head_object(container, name)
    names = [o.name for o in driver.list_objects(container, name, "", 10, "").objects]
    assert name not in names


@pytest.fixture(scope="module")
def large(store):
    """One ~11 MiB object (stored in parts), uploaded once per driver in 64 KiB chunks."""
    name = unique("large")
    store.create_container(name, {})
    data = os.urandom(LARGE_SIZE)
    stored = put(store, name, "big.bin", data, chunk=LARGE_CHUNK)
    yield name, data, stored
    empty_out(store, name)


# -- the driver as a whole ----------------------------------------------------

def test_every_registered_driver_has_a_backend():
    names = set(registered())
    assert {"local", "ceph", "swift"} <= names
    missing = sorted(names - set(backends.OBJECT_BACKENDS))
    assert not missing, f"registered drivers without a contract backend: {missing}"


def test_setup_check_passes(store):
    store.check_setup()


def test_capabilities_list_every_rpc(store, object_name):
    caps = store.capabilities()
    assert caps.api == "object_storage" and caps.driver == object_name == store.name
    rpcs = object_storage_pb2.DESCRIPTOR.services_by_name["ObjectStorage"].methods_by_name
    listed = {_norm(op.name) for op in caps.operations}
    missing = sorted(rpc for rpc in rpcs if _norm(rpc) not in listed)
    assert not missing, f"capabilities() does not mention {missing}"
    assert caps.notes


# -- containers ---------------------------------------------------------------

def option_supported(driver, operation: str, option: str) -> bool:
    """False only when capabilities() declares ``option`` of ``operation`` unsupported."""
    for op in driver.capabilities().operations:
        if _norm(op.name) == _norm(operation):
            return all(o.supported for o in op.options if o.name == option)
    return True


def test_container_lifecycle(store):
    name = unique()
    if not option_supported(store, "CreateContainer", "metadata"):
        # Refused out loud, never dropped (and then the lifecycle without metadata).
        with pytest.raises((exceptions.UnsupportedOption, exceptions.UnsupportedOperation)):
            store.create_container(name, {"purpose": "contract"})
        made = store.create_container(name, {})
    else:
        made = store.create_container(name, {"purpose": "contract"})
    assert made.name == name
    try:
        with pytest.raises(exceptions.AlreadyExists):
            store.create_container(name, {})
        got = store.get_container(name)
        assert (got.name, got.object_count, got.bytes_used) == (name, 0, 0)
        if option_supported(store, "CreateContainer", "metadata"):
            assert got.metadata == {"purpose": "contract"}

        put(store, name, "one", b"12345")
        put(store, name, "two", b"678")
        got = store.get_container(name)
        assert (got.object_count, got.bytes_used) == (2, 8)
        with pytest.raises(exceptions.Conflict):
            store.delete_container(name)
        assert store.get_container(name).object_count == 2  # nothing was lost

        store.delete_object(name, "one")
        store.delete_object(name, "two")
        store.delete_container(name)
        with pytest.raises(exceptions.NotFound):
            store.get_container(name)
        with pytest.raises(exceptions.NotFound):
            store.delete_container(name)
    finally:
        empty_out(store, name)


def test_containers_list_by_prefix_in_pages(store):
    prefix = unique("ls")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in reversed(names):
        store.create_container(name, {})
    try:
        put(store, names[1], "x", b"four")
        everything, token, pages = [], "", 0
        while True:
            page = store.list_containers(2, token, prefix)
            assert len(page.items) <= 2
            everything.extend(page.items)
            pages += 1
            if not page.next_token:
                break
            token = page.next_token
        assert [c.name for c in everything] == names
        assert pages >= 2
        counted = {c.name: (c.object_count, c.bytes_used) for c in everything}
        assert counted[names[1]] in ((1, 4), (0, 0))  # S3 does not list usage: 0 or true
        assert store.list_containers(10, "", unique("none")).items == []
    finally:
        for name in names:
            empty_out(store, name)


# -- put and get --------------------------------------------------------------

@pytest.mark.parametrize("size", [0, 1, 100 * KiB + 1], ids=["empty", "one-byte", "small"])
def test_round_trip(store, container, size):
    data = os.urandom(size)
    stored = put(store, container, "obj", data, content_type="text/plain",
                 metadata={"color": "blue"})
    assert (stored.container, stored.name, stored.size_bytes) == (container, "obj", size)
    assert stored.md5 == md5(data) and stored.etag
    assert read(store, container, "obj") == data
    head = store.head_object(container, "obj")
    assert (head.size_bytes, head.content_type, head.metadata) == (
        size, "text/plain", {"color": "blue"})
    assert head.md5 == md5(data) and head.etag == stored.etag
    assert head.last_modified is not None


def test_large_round_trip(store, large):
    name, data, stored = large
    assert stored.size_bytes == len(data) and stored.md5 == md5(data)
    head = store.head_object(name, "big.bin")
    assert head.size_bytes == len(data) and head.etag == stored.etag
    assert head.md5 in ("", md5(data))  # known where the backend can keep it
    download = store.open_object(name, "big.bin")
    try:
        digest, total = hashlib.md5(), 0
        for chunk in download.chunks:
            assert len(chunk) <= store.conf.object_storage.chunk_bytes
            digest.update(chunk)
            total += len(chunk)
    finally:
        download.close()
    assert (total, digest.hexdigest()) == (len(data), md5(data))


def test_a_put_replaces_the_object(store, container):
    put(store, container, "k", b"old", metadata={"v": "1"})
    put(store, container, "k", b"newer", metadata={"v": "2"})
    assert read(store, container, "k") == b"newer"
    assert store.head_object(container, "k").metadata == {"v": "2"}
    assert store.get_container(container).object_count == 1


@pytest.mark.parametrize("size", [10 * KiB, LARGE_SIZE], ids=["small", "large"])
@pytest.mark.parametrize("field", ["md5", "size_bytes"])
def test_a_declared_mismatch_stores_nothing(store, container, field, size):
    data = os.urandom(size)
    declared = {"md5": md5(data + b"!")} if field == "md5" else {"size": size + 1}
    with pytest.raises(exceptions.InvalidInput) as caught:
        put(store, container, "bad", data, chunk=LARGE_CHUNK, **declared)
    assert field in [v.field for v in caught.value.violations]
    assert_absent(store, container, "bad")


@pytest.mark.parametrize("sent", [3 * LARGE_CHUNK, 6 * MiB], ids=["small", "past-a-part"])
def test_an_aborted_upload_stores_nothing(store, container, sent):
    chunks = iter([os.urandom(LARGE_CHUNK)] * (sent // LARGE_CHUNK))

    def next_chunk():
        chunk = next(chunks, None)
        if chunk is None:
            raise UploadAborted("the caller went away")
        return chunk

    with pytest.raises(exceptions.Aborted):
        store.put_object(models.ObjectSpec(container, "cut"), CheckedReader(next_chunk))
    assert_absent(store, container, "cut")
    assert store.get_container(container).object_count == 0


# -- ranges and heads ---------------------------------------------------------

def test_ranges(store, container):
    data = os.urandom(100 * KiB)
    put(store, container, "r", data)
    assert read(store, container, "r", 0, 10) == data[:10]
    assert read(store, container, "r", 1000) == data[1000:]
    assert read(store, container, "r", 1000, 5000) == data[1000:6000]
    assert read(store, container, "r", len(data) - 1) == data[-1:]
    assert read(store, container, "r", len(data) - 10, 10**9) == data[-10:]
    with pytest.raises(exceptions.OutOfRange):
        store.open_object(container, "r", len(data))
    with pytest.raises(exceptions.OutOfRange):
        store.open_object(container, "r", len(data) + 100, 5)
    download = store.open_object(container, "r", 7, 3)
    assert download.info.size_bytes == len(data)  # the whole object's description
    assert b"".join(download.chunks) == data[7:10]
    download.close()


def test_an_empty_object_reads_empty_at_any_offset(store, container):
    put(store, container, "empty", b"")
    assert read(store, container, "empty") == b""
    assert read(store, container, "empty", 0, 10) == b""


def test_a_range_across_parts(store, large):
    name, data, _ = large
    at = 5 * MiB - 100
    assert read(store, name, "big.bin", at, 300) == data[at:at + 300]
    assert read(store, name, "big.bin", len(data) - 50) == data[-50:]


# -- listing ------------------------------------------------------------------

LIST_NAMES = ["a.txt", "dir/1", "dir/2", "dir/sub/3", "dirt", "z"]


@pytest.fixture
def listed(store, container):
    for name in reversed(LIST_NAMES):
        put(store, container, name, name.encode())
    return container


def pages_of(driver, container, page_size, prefix="", delimiter=""):
    names, prefixes, token, seen = [], [], "", set()
    while True:
        page = driver.list_objects(container, prefix, delimiter, page_size, token)
        assert len(page.objects) + len(page.common_prefixes) <= page_size
        names.extend(o.name for o in page.objects)
        prefixes.extend(page.common_prefixes)
        if not page.next_token:
            return names, prefixes
        assert page.next_token not in seen, "a page token repeated"
        seen.add(page.next_token)
        token = page.next_token


def test_list_objects_in_name_order(store, listed):
    page = store.list_objects(listed, "", "", 100, "")
    assert [o.name for o in page.objects] == LIST_NAMES and not page.next_token
    by_name = {o.name: o for o in page.objects}
    assert by_name["dir/sub/3"].size_bytes == len(b"dir/sub/3")
    assert by_name["z"].etag
    for size in (1, 2, 4):
        assert pages_of(store, listed, size) == (LIST_NAMES, [])


def test_list_objects_by_prefix_and_delimiter(store, listed):
    assert pages_of(store, listed, 100, prefix="dir/") == (["dir/1", "dir/2", "dir/sub/3"], [])
    assert pages_of(store, listed, 100, prefix="dir") == (
        ["dir/1", "dir/2", "dir/sub/3", "dirt"], [])
    assert pages_of(store, listed, 100, delimiter="/") == (["a.txt", "dirt", "z"], ["dir/"])
    assert pages_of(store, listed, 100, prefix="dir/", delimiter="/") == (
        ["dir/1", "dir/2"], ["dir/sub/"])
    assert pages_of(store, listed, 100, prefix="nothing") == ([], [])


#: Names the service accepts that a path- or URL-minded backend could mangle.
ODD_NAMES = ["a/../b", "./x", "dir//double", "sp ace", "q?x#y%20z&k=v+w", "trailing/",
             "\u00fcn\u00efc\u00f8d\u00e9 \u2603", "x" * 1024]


def test_odd_names_round_trip(store, container):
    for name in ODD_NAMES:
        put(store, container, name, name.encode())
    for name in ODD_NAMES:
        assert read(store, container, name) == name.encode()
        assert store.head_object(container, name).size_bytes == len(name.encode())
    listed = store.list_objects(container, "", "", 100, "").objects
    assert [o.name for o in listed] == sorted(ODD_NAMES, key=str.encode)
    for name in ODD_NAMES:
        store.delete_object(container, name)
    assert store.list_objects(container, "", "", 100, "").objects == []


def test_names_list_in_bytewise_order(store, container):
    names = ["B", "a", "a-", "a/", "a0", "z", "\u00e9", "\U0001F600"]
    for name in reversed(names):
        put(store, container, name, b"")
    assert pages_of(store, container, 3) == (sorted(names, key=str.encode), [])


def test_list_pages_count_objects_and_prefixes_together(store, listed):
    for size in (1, 2, 3):
        assert pages_of(store, listed, size, delimiter="/") == (
            ["a.txt", "dirt", "z"], ["dir/"])


def test_malformed_page_tokens_are_invalid_input(store, container):
    with pytest.raises(exceptions.InvalidInput):
        store.list_objects(container, "", "", 10, "not a token!")
    with pytest.raises(exceptions.InvalidInput):
        store.list_containers(10, "not a token!")


# -- delete and copy ----------------------------------------------------------

def test_delete_object(store, container):
    put(store, container, "gone", b"bye")
    store.delete_object(container, "gone")
    assert_absent(store, container, "gone")
    with pytest.raises(exceptions.NotFound):
        store.delete_object(container, "gone")


def test_unknown_names_are_not_found(store, container):
    missing = unique("missing")
    for call in (store.head_object, store.open_object, store.delete_object):
        with pytest.raises(exceptions.NotFound):
            call(container, "ghost")
        with pytest.raises(exceptions.NotFound):
            call(missing, "ghost")
    with pytest.raises(exceptions.NotFound):
        store.list_objects(missing, "", "", 10, "")
    with pytest.raises(exceptions.NotFound):
        put(store, missing, "x", b"data")
    with pytest.raises(exceptions.NotFound):
        store.copy_object(models.CopySpec(container, "ghost", container, "copy"))


def test_copy_keeps_or_replaces_metadata(store, container):
    other = unique()
    store.create_container(other, {})
    try:
        data = os.urandom(50 * KiB)
        put(store, container, "src", data, content_type="image/png", metadata={"a": "1"})
        kept = store.copy_object(models.CopySpec(container, "src", other, "kept"))
        assert (kept.container, kept.name, kept.size_bytes) == (other, "kept", len(data))
        head = store.head_object(other, "kept")
        assert (head.metadata, head.content_type) == ({"a": "1"}, "image/png")
        assert read(store, other, "kept") == data

        store.copy_object(models.CopySpec(container, "src", container, "new", {"b": "2"}))
        assert store.head_object(container, "new").metadata == {"b": "2"}
        assert read(store, container, "new") == data
        assert store.head_object(container, "src").metadata == {"a": "1"}
    finally:
        empty_out(store, other)


def test_copy_of_a_large_object(store, large):
    name, data, _ = large
    copied = store.copy_object(models.CopySpec(name, "big.bin", name, "copy.bin"))
    assert copied.size_bytes == len(data)
    try:
        assert md5(read(store, name, "copy.bin")) == md5(data)
    finally:
        store.delete_object(name, "copy.bin")


# -- temp URLs ----------------------------------------------------------------

def temp_url_supported(driver) -> bool:
    ops = {_norm(op.name): op for op in driver.capabilities().operations}
    return ops["createtempurl"].supported


def _no_proxy_get(url: str) -> bytes:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as answer:
        return answer.read()


def _put(url: str, body: bytes) -> int:
    """A bare HTTP PUT (no Content-Type added), as curl -T sends it."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("PUT", parts.path + (f"?{parts.query}" if parts.query else ""), body=body)
        answer = conn.getresponse()
        answer.read()
        return answer.status
    finally:
        conn.close()


def test_temp_urls_as_the_capabilities_say(store, container):
    data = b"shared through a temp URL"
    put(store, container, "shared", data)
    if not temp_url_supported(store):
        with pytest.raises(exceptions.UnsupportedOperation):
            store.create_temp_url(container, "shared", models.TEMP_URL_GET, 60)
        return
    url = store.create_temp_url(container, "shared", models.TEMP_URL_GET, 60)
    assert url.method == models.TEMP_URL_GET and url.expires_at is not None
    assert _no_proxy_get(url.url) == data

    upload = store.create_temp_url(container, "uploaded", models.TEMP_URL_PUT, 60)
    assert upload.method == models.TEMP_URL_PUT
    assert _put(upload.url, b"put through a temp URL") in (200, 201)
    assert read(store, container, "uploaded") == b"put through a temp URL"
