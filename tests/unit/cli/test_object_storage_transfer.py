"""The transfer progress bar (fake clock, fake terminal), the stall watchdog, part files."""

from __future__ import annotations

import io
import os
import threading

import pytest

from translator.cli import errors, output, transfer

MiB = 1024 * 1024


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _progress(total, enabled=True, columns=200):
    stream, clock = io.StringIO(), _Clock()
    bar = transfer.TransferProgress(stream, "put", total, enabled=enabled, clock=clock,
                                    columns=columns)
    return bar, stream, clock


def _frames(stream: io.StringIO) -> list[str]:
    return [frame.rstrip() for frame in stream.getvalue().rstrip("\n").split("\r")[1:]]


@pytest.mark.parametrize("count, text", [
    (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
    (64 * MiB, "64.0 MiB"), (3 * 1024 * MiB, "3.0 GiB"), (2 * 1024 ** 4, "2.0 TiB"),
    (1024 ** 5, "1024.0 TiB")])
def test_human_bytes(count, text):
    assert output.human_bytes(count) == text


def test_bytes_total_rate_and_eta():
    bar, stream, clock = _progress(64 * MiB)
    clock.now += 2
    bar.advance(16 * MiB)
    assert _frames(stream) == [
        "put  16.0 MiB / 64.0 MiB   25% [#####---------------]  8.0 MiB/s  ETA 0:06"]


def test_redraws_are_throttled_and_the_finish_is_drawn():
    bar, stream, clock = _progress(10 * MiB)
    for _ in range(10):
        clock.now += 0.01
        bar.advance(MiB)
    assert len(_frames(stream)) == 1  # the first advance only: the rest came within 0.1 s
    bar.finish()
    frames = _frames(stream)
    assert len(frames) == 2 and stream.getvalue().endswith("\n")
    assert frames[-1].startswith("put  10.0 MiB / 10.0 MiB  100% [####################]")
    assert frames[-1].endswith("0:00")  # elapsed, once there is nothing left to wait for


def test_rate_follows_the_last_seconds_not_the_whole_transfer():
    bar, stream, clock = _progress(None)
    clock.now += 1
    bar.advance(100 * MiB)  # fast at first
    for _ in range(10):
        clock.now += 1
        bar.advance(MiB)  # then 1 MiB/s
    assert bar.rate() == pytest.approx(MiB, rel=0.3)


def test_unknown_total_shows_bytes_rate_and_elapsed():
    bar, stream, clock = _progress(None)
    clock.now += 65
    bar.advance(3 * MiB)
    [frame] = _frames(stream)
    assert frame.startswith("put  3.0 MiB  ") and frame.endswith("1:05")
    assert "%" not in frame and "ETA" not in frame


def test_stalled_shows_no_eta():
    bar, stream, clock = _progress(MiB)
    bar.advance(0)
    assert _frames(stream)[0].endswith("ETA --:--")


def test_an_empty_object_is_complete():
    bar, stream, _ = _progress(0)
    bar.finish()
    assert "100%" in _frames(stream)[0]


def test_a_shorter_line_blanks_the_longer_one_and_lines_fit_the_terminal():
    bar, stream, clock = _progress(None, columns=14)
    bar.advance(5)
    clock.now += 1
    bar.advance(MiB)
    first, second = stream.getvalue().split("\r")[1:]
    assert len(first) == 14 and len(second) == 14


def test_disabled_draws_nothing_but_counts():
    bar, stream, clock = _progress(MiB, enabled=False)
    bar.advance(MiB)
    bar.finish()
    bar.close()
    assert stream.getvalue() == "" and bar.done == MiB


def test_close_ends_the_line_once():
    bar, stream, _ = _progress(MiB)
    bar.advance(1)
    bar.close()
    bar.close()
    assert stream.getvalue().count("\n") == 1


@pytest.mark.parametrize("seconds, text", [(0, "0:00"), (59.9, "0:59"), (61, "1:01"),
                                           (3600 + 62, "1:01:02")])
def test_clock_text(seconds, text):
    assert transfer.clock_text(seconds) == text


class _Call:
    def __init__(self):
        self.cancelled = threading.Event()

    def cancel(self):
        self.cancelled.set()


def test_watchdog_cancels_a_call_without_progress():
    call = _Call()
    dog = transfer.Watchdog(0.2)
    dog.watch(call)
    assert call.cancelled.wait(2) and dog.expired
    failure = dog.failure("127.0.0.1:1").failure
    assert failure.code == "DEADLINE_EXCEEDED" and "0.2s" in failure.message


def test_watchdog_leaves_a_progressing_call_alone():
    call, clock = _Call(), _Clock()
    dog = transfer.Watchdog(0.2, clock=clock)
    dog.watch(call)
    for _ in range(8):
        clock.now += 0.1
        dog.kick()
        assert not call.cancelled.wait(0.06)
    dog.stop()
    assert not dog.expired


def test_watchdog_ignores_time_spent_paused_on_our_side():
    call, clock = _Call(), _Clock()
    dog = transfer.Watchdog(0.2, clock=clock)
    dog.watch(call)
    with dog.paused():  # e.g. a slow pipe into `object put -`
        clock.now += 10
        assert not call.cancelled.wait(0.3)
    assert not call.cancelled.wait(0.15)  # the clock restarts after the pause
    clock.now += 1
    assert call.cancelled.wait(2) and dog.expired


def test_part_file_commit_and_discard(tmp_path):
    target = tmp_path / "out.bin"
    part = transfer.PartFile(str(target))
    part.handle.write(b"data")
    assert not target.exists() and os.path.basename(part.temp).startswith(".out.bin.")
    part.commit()
    assert target.read_bytes() == b"data" and os.listdir(tmp_path) == ["out.bin"]
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(target).st_mode & 0o777 == 0o666 & ~umask
    other = transfer.PartFile(str(tmp_path / "other"))
    other.discard()
    assert os.listdir(tmp_path) == ["out.bin"]


def test_part_file_in_a_missing_directory_is_a_usage_error(tmp_path):
    with pytest.raises(errors.CliError) as raised:
        transfer.PartFile(str(tmp_path / "missing" / "f"))
    assert raised.value.failure.exit_code == errors.EXIT_USAGE
    assert "cannot write" in raised.value.failure.message
