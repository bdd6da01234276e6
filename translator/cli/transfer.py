"""Moving object data from a shell: a progress bar, a stall watchdog, safe files.

Nothing here knows the API: object_storage.py drives a transfer with these.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from typing import TextIO

import grpc

from translator.cli import errors, output


class TransferProgress:
    """``put  12.0 MiB / 64.0 MiB  18% [###-----]  5.2 MiB/s  ETA 0:10`` on one
    self-rewriting line, redrawn at most every ``interval`` seconds. Disabled, it
    draws nothing (the caller decides: a TTY and no --quiet)."""

    BAR = 20
    WINDOW = 5.0  # seconds of history behind the rate, so it follows changes of pace

    def __init__(self, stream: TextIO, label: str, total: int | None, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic, interval: float = 0.1,
                 columns: int | None = None) -> None:
        self.stream = stream
        self.label = label
        self.total = total
        self.enabled = enabled
        self.clock = clock
        self.interval = interval
        self.columns = columns or shutil.get_terminal_size((80, 24)).columns - 1
        self.done = 0
        self.start = clock()
        self._samples: collections.deque[tuple[float, int]] = collections.deque([(self.start, 0)])
        self._drawn_at: float | None = None
        self._width = 0

    def rate(self) -> float:
        """Bytes per second over the last WINDOW seconds."""
        now = self.clock()
        while len(self._samples) > 1 and now - self._samples[1][0] >= self.WINDOW:
            self._samples.popleft()
        since, then = self._samples[0]
        return (self.done - then) / (now - since) if now > since else 0.0

    def text(self) -> str:
        rate = self.rate()
        parts = [self.label, output.human_bytes(self.done)]
        if self.total is not None:
            parts[-1] += f" / {output.human_bytes(self.total)}"
            share = self.done / self.total if self.total else 1.0
            filled = int(min(1.0, share) * self.BAR)
            parts.append(f"{int(share * 100):3d}% [{'#' * filled}{'-' * (self.BAR - filled)}]")
        parts.append(f"{output.human_bytes(rate)}/s")
        if self.total is not None and self.done < self.total:
            parts.append("ETA " + (clock_text((self.total - self.done) / rate) if rate
                                   else "--:--"))
        else:
            parts.append(clock_text(self.clock() - self.start))
        return "  ".join(parts)

    def advance(self, count: int) -> None:
        self.done += count
        now = self.clock()
        self._samples.append((now, self.done))
        if self._drawn_at is None or now - self._drawn_at >= self.interval:
            self._draw(now)

    def _draw(self, now: float) -> None:
        if not self.enabled:
            return
        line = self.text()[:self.columns]
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)
        self._drawn_at = now

    def finish(self) -> None:
        """Draw the final state and end the line."""
        self._draw(self.clock())
        self.close()

    def close(self) -> None:
        """End the line (a failure message then starts on a fresh one)."""
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0


def clock_text(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else \
        f"{rest // 60}:{rest % 60:02d}"


class Watchdog:
    """Cancels a call that made no progress (no ``kick()``) for ``timeout`` seconds.

    Time spent ``paused()`` - reading our own input, writing to our own output -
    is not the server's: a slow pipe on our side never cancels a transfer.
    """

    def __init__(self, timeout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self.clock = clock
        self.last = clock()
        self.expired = False
        self._paused = False
        self._call: grpc.Future | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True, name="watchdog")

    def kick(self) -> None:
        self.last = self.clock()

    @contextlib.contextmanager
    def paused(self):
        self._paused = True
        try:
            yield
        finally:
            self._paused = False
            self.kick()

    def watch(self, call: grpc.Future) -> None:
        self._call = call
        self.kick()
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(min(0.5, self.timeout / 4)):
            if not self._paused and self.clock() - self.last > self.timeout:
                self.expired = True
                self._call.cancel()
                return

    def stop(self) -> None:
        self._stop.set()

    def failure(self, endpoint: str) -> errors.CliError:
        return errors.CliError(errors.Failure(
            "DEADLINE_EXCEEDED", f"the transfer made no progress for {self.timeout:g}s "
            f"with {endpoint}; cancelled it (raise --timeout?)"))


# -- files and signals ------------------------------------------------------------

@contextlib.contextmanager
def terminate_as_interrupt():
    """SIGTERM during a transfer unwinds like Ctrl-C, so the cleanup runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class PartFile:
    """A temporary file beside ``path``, renamed onto it by ``commit()``, else removed."""

    def __init__(self, path: str) -> None:
        directory = os.path.dirname(os.path.abspath(path))
        try:
            fd, self.temp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.",
                                             suffix=".part")
        except OSError as error:
            raise errors.usage_error(f"cannot write {path}: {error.strerror}") from None
        self.path = path
        self.handle = os.fdopen(fd, "wb")

    def commit(self) -> None:
        self.handle.close()
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.temp, 0o666 & ~umask)  # as open() would have made it, not mkstemp's 0600
        os.replace(self.temp, self.path)

    def discard(self) -> None:
        self.handle.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.temp)
