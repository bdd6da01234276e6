"""The local object store's data files, named by random ids, never by object names.

Layout under the objects directory::

    index.sqlite3        the index (see index)
    lock                 flock'd: shared while a driver uses the directory
    tmp/<id>             uploads and copies being written
    data/<id[:2]>/<id>   published objects' data, 256 subdirectories

A file is written in tmp/, fsync'd, then renamed into data/ (an atomic step on
one filesystem) just before its index row is committed. A crash can leave a
temp file, or a data file renamed but never committed: ``sweep`` removes
every file the index does not reference. It runs only while no other driver
uses the directory (an exclusive flock), so it never takes a live upload's file.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import secrets

LOG = logging.getLogger(__name__)

_ID = re.compile(r"^[0-9a-f]{32}$")


def new_id() -> str:
    return secrets.token_hex(16)


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Files:
    """The data and temp files under ``root``; ``open()`` before use."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.data_dir = os.path.join(root, "data")
        self.tmp_dir = os.path.join(root, "tmp")
        self._lock_fd: int | None = None

    def open(self) -> bool:
        """Create the directories and take the shared lock.

        True when no other driver had the directory open, so a sweep is safe
        (it must run before any upload of this driver starts).
        """
        for path in (self.root, self.data_dir, self.tmp_dir):
            os.makedirs(path, mode=0o700, exist_ok=True)
        self._lock_fd = os.open(os.path.join(self.root, "lock"),
                                os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fcntl.flock(self._lock_fd, fcntl.LOCK_SH)
            return False
        return True

    def share(self) -> None:
        """After the sweep: let other drivers open the directory too."""
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_SH)

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def data_path(self, file_id: str) -> str:
        return os.path.join(self.data_dir, file_id[:2], file_id)

    def temp_path(self, file_id: str) -> str:
        return os.path.join(self.tmp_dir, file_id)

    def create_temp(self) -> tuple[str, int]:
        """A new empty temp file: (its id, a write descriptor)."""
        file_id = new_id()
        fd = os.open(self.temp_path(file_id),
                     os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        return file_id, fd

    def publish(self, file_id: str) -> None:
        """Move a finished (fsync'd, closed) temp file into data/, durably."""
        target = self.data_path(file_id)
        parent = os.path.dirname(target)
        os.makedirs(parent, mode=0o700, exist_ok=True)
        os.rename(self.temp_path(file_id), target)
        _fsync_dir(parent)

    def open_data(self, file_id: str) -> int:
        """A read descriptor on a published file; FileNotFoundError once it is removed."""
        return os.open(self.data_path(file_id), os.O_RDONLY | os.O_CLOEXEC)

    def remove(self, file_id: str) -> None:
        """Remove a published file; an already absent one is no error."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.data_path(file_id))

    def discard(self, file_id: str) -> None:
        """Remove an unfinished upload's file, wherever it got to."""
        for path in (self.temp_path(file_id), self.data_path(file_id)):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)

    def sweep(self, referenced: set[str]) -> int:
        """Remove every temp file, and every data file not in ``referenced``; how many."""
        removed = 0
        for directory, names in self._ours():
            for name in names:
                if directory == self.tmp_dir or name not in referenced:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(os.path.join(directory, name))
                    removed += 1
        return removed

    def _ours(self):
        """(directory, file names) of every file this store could have written."""
        yield self.tmp_dir, [n for n in os.listdir(self.tmp_dir) if _ID.match(n)]
        for sub in sorted(os.listdir(self.data_dir)):
            directory = os.path.join(self.data_dir, sub)
            if len(sub) == 2 and os.path.isdir(directory):
                yield directory, [n for n in os.listdir(directory)
                                  if _ID.match(n) and n.startswith(sub)]


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
