"""The bounded byte streams between gRPC (the event loop) and driver threads."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import threading

import pytest

from translator.drivers import exceptions as exc
from translator.service.streams import CheckedReader, DownloadPump, UploadAborted, UploadChannel


def in_loop(test):
    """Run an async test in a fresh event loop (no pytest-asyncio here)."""
    @functools.wraps(test)
    def run():
        asyncio.run(test())
    return run


def reader(chunks, **kwargs) -> CheckedReader:
    it = iter(chunks)
    return CheckedReader(lambda: next(it, None), **kwargs)


# -- CheckedReader ----------------------------------------------------------------

def test_reads_across_chunk_boundaries_and_hashes_everything():
    data = bytes(range(256)) * 40
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    source = reader(chunks, size=len(data), md5=hashlib.md5(data).hexdigest())
    parts = []
    while piece := source.read(777):
        parts.append(piece)
    assert {len(p) for p in parts[:-1]} == {777}  # full reads until the last
    assert b"".join(parts) == data
    assert source.md5 == hashlib.md5(data).hexdigest()
    assert source.bytes_read == len(data)
    assert source.read(10) == b""  # the end stays the end


def test_read_all():
    assert reader([b"ab", b"", b"cd"]).read() == b"abcd"


def test_md5_mismatch_raises_at_the_end_naming_md5():
    source = reader([b"hello ", b"world"], md5=hashlib.md5(b"other").hexdigest())
    assert source.read(6) == b"hello "
    with pytest.raises(exc.InvalidInput) as caught:
        source.read(100)
    assert [v.field for v in caught.value.violations] == ["md5"]
    assert hashlib.md5(b"hello world").hexdigest() in caught.value.user_message


def test_md5_is_case_insensitive():
    data = b"x" * 10
    assert reader([data], md5=hashlib.md5(data).hexdigest().upper()).read() == data


def test_short_data_raises_naming_size():
    source = reader([b"abc"], size=4)
    with pytest.raises(exc.InvalidInput) as caught:
        source.read(10)
    assert caught.value.violations[0].field == "size_bytes"


def test_long_data_raises_as_soon_as_it_passes_the_size():
    calls = []

    def next_chunk():
        calls.append(1)
        return b"abc"

    source = CheckedReader(next_chunk, size=4)
    with pytest.raises(exc.InvalidInput) as caught:
        source.read(100)
    assert caught.value.violations[0].field == "size_bytes"
    assert len(calls) == 2  # stopped at the chunk that passed the size


def test_empty_data_with_matching_declarations():
    source = reader([], size=0, md5=hashlib.md5(b"").hexdigest())
    assert source.read(5) == b""


# -- UploadChannel ----------------------------------------------------------------

@in_loop
async def test_upload_channel_holds_at_most_capacity_chunks():
    loop = asyncio.get_running_loop()
    channel = UploadChannel(loop, capacity=2)
    assert await channel.put(b"1")
    assert await channel.put(b"2")
    third = asyncio.ensure_future(channel.put(b"3"))
    await asyncio.sleep(0.05)
    assert not third.done()  # full: the caller waits (gRPC stops reading)
    got = await loop.run_in_executor(None, channel.next_chunk)
    assert got == b"1"
    assert await asyncio.wait_for(third, 2)
    channel.end()
    rest = await loop.run_in_executor(None, lambda: [channel.next_chunk() for _ in range(3)])
    assert rest == [b"2", b"3", None]


@in_loop
async def test_upload_channel_end_feeds_a_checked_reader_in_a_thread():
    loop = asyncio.get_running_loop()
    channel = UploadChannel(loop, capacity=1)
    source = CheckedReader(channel.next_chunk, size=6)
    result = loop.run_in_executor(None, source.read, -1)
    for chunk in (b"ab", b"cd", b"ef"):
        await channel.put(chunk)
    channel.end()
    assert await asyncio.wait_for(result, 2) == b"abcdef"


@in_loop
async def test_abort_makes_the_reader_raise_aborted():
    loop = asyncio.get_running_loop()
    channel = UploadChannel(loop, capacity=4)
    await channel.put(b"a")
    channel.abort()
    source = CheckedReader(channel.next_chunk)
    assert source.read(1) == b"a"
    with pytest.raises(UploadAborted) as caught:
        source.read(1)
    assert isinstance(caught.value, exc.Aborted)


@in_loop
async def test_a_stopped_reader_releases_a_waiting_put():
    channel = UploadChannel(asyncio.get_running_loop(), capacity=1)
    assert await channel.put(b"a")
    waiting = asyncio.ensure_future(channel.put(b"b"))
    await asyncio.sleep(0.01)
    channel.reader_stopped()
    assert await asyncio.wait_for(waiting, 2) is False
    assert await channel.put(b"c") is False


# -- DownloadPump -----------------------------------------------------------------

@in_loop
async def test_pump_moves_chunks_in_order_and_skips_empty_ones():
    loop = asyncio.get_running_loop()
    pump = DownloadPump(loop, capacity=2)
    moving = loop.run_in_executor(None, pump.run, iter([b"a", b"", b"b", b"c"]))
    assert [chunk async for chunk in pump] == [b"a", b"b", b"c"]
    await moving


@in_loop
async def test_pump_producer_waits_while_capacity_chunks_are_unconsumed():
    loop = asyncio.get_running_loop()
    produced = []

    def chunks():
        for i in range(10):
            produced.append(i)
            yield b"x"

    pump = DownloadPump(loop, capacity=3)
    moving = loop.run_in_executor(None, pump.run, chunks())
    await asyncio.sleep(0.1)
    assert len(produced) == 4  # 3 handed over, the 4th waits for a credit
    assert await pump.__anext__() == b"x"
    await asyncio.sleep(0.05)
    assert len(produced) == 5
    pump.stop()
    await asyncio.wait_for(moving, 2)


@in_loop
async def test_pump_hands_a_backend_error_to_the_consumer():
    loop = asyncio.get_running_loop()

    def chunks():
        yield b"a"
        raise exc.BackendUnavailable("rgw went away")

    pump = DownloadPump(loop, capacity=2)
    moving = loop.run_in_executor(None, pump.run, chunks())
    assert await pump.__anext__() == b"a"
    with pytest.raises(exc.BackendUnavailable):
        await pump.__anext__()
    await moving


@in_loop
async def test_stop_lets_a_blocked_producer_return():
    loop = asyncio.get_running_loop()
    done = threading.Event()

    def run():
        pump.run(iter([b"a"] * 100))
        done.set()

    pump = DownloadPump(loop, capacity=1)
    moving = loop.run_in_executor(None, run)
    await asyncio.sleep(0.05)
    assert not done.is_set()
    pump.stop()
    await asyncio.wait_for(moving, 2)
    assert done.is_set()
