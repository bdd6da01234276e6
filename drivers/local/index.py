"""The local object store's index: containers and objects in SQLite.

The data files are named by random ids (see files); this index is what maps
a container and an object name onto one, with everything else the API keeps
of an object: size, MD5, content type, metadata, modification time. Object
names are never paths, so '/', '..' or a 1024-byte name are only text here.

SQLite compares TEXT with memcmp on UTF-8, which is code point order: the
order Python sorts ``str`` in, and the bytewise order S3 and Swift list in.

The database runs in WAL mode, so readers never wait for the writer. Each
thread has its own connection; writes are serialised in this process by a
lock (and across processes by SQLite's own, with a busy timeout), each in one
``BEGIN IMMEDIATE`` transaction with ``synchronous=FULL``: once a commit
returns, it survives a crash, so the replaced file may be removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import threading
from collections.abc import Iterator

from translator.drivers import exceptions as exc
from translator_drivers.local import errors

FILENAME = "index.sqlite3"
#: Milliseconds a connection waits for another process's write lock.
BUSY_TIMEOUT_MS = 10_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS containers (
    name TEXT PRIMARY KEY,
    metadata TEXT NOT NULL,
    created REAL NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects (
    container TEXT NOT NULL REFERENCES containers (name),
    name TEXT NOT NULL,
    file_id TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    md5 TEXT NOT NULL,
    content_type TEXT NOT NULL,
    metadata TEXT NOT NULL,
    mtime REAL NOT NULL,
    PRIMARY KEY (container, name)
) WITHOUT ROWID;
"""

_OBJECT_COLUMNS = "container, name, file_id, size, md5, content_type, metadata, mtime"


@dataclasses.dataclass
class ContainerRow:
    name: str
    metadata: dict[str, str]
    object_count: int = 0
    bytes_used: int = 0


@dataclasses.dataclass
class ObjectRow:
    container: str
    name: str
    file_id: str
    size: int
    md5: str
    content_type: str
    metadata: dict[str, str]
    mtime: float


def _object(row: tuple) -> ObjectRow:
    return ObjectRow(row[0], row[1], row[2], row[3], row[4], row[5], json.loads(row[6]),
                     row[7])


def _dumps(metadata: dict[str, str]) -> str:
    return json.dumps(metadata, separators=(",", ":"), sort_keys=True)


class Index:
    """The SQLite index at ``path``; ``open()`` before use, ``close()`` after."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()

    def open(self) -> None:
        with errors.mapped("opening the object index"):
            conn = self._conn()
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, []
        for conn in connections:
            conn.close()
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: no implicit transactions; this module says BEGIN itself.
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_TIMEOUT_MS / 1000)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._connections_lock:
                self._connections.append(conn)
        return conn

    @contextlib.contextmanager
    def _transaction(self, action: str, *, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction: IMMEDIATE (and this process's write lock) for a write."""
        with errors.mapped(action), (self._write_lock if write else contextlib.nullcontext()):
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    # -- containers ---------------------------------------------------------

    def create_container(self, name: str, metadata: dict[str, str], now: float) -> None:
        with self._transaction(f"creating container {name!r}", write=True) as conn:
            try:
                conn.execute("INSERT INTO containers (name, metadata, created) VALUES (?, ?, ?)",
                             (name, _dumps(metadata), now))
            except sqlite3.IntegrityError:
                raise exc.AlreadyExists(f"container {name!r} already exists",
                                        backend=errors.BACKEND) from None

    def container(self, name: str) -> ContainerRow:
        with self._transaction(f"reading container {name!r}", write=False) as conn:
            row = conn.execute("SELECT metadata FROM containers WHERE name = ?",
                               (name,)).fetchone()
            if row is None:
                raise errors.no_container(name)
            count, used = conn.execute(
                "SELECT count(*), coalesce(sum(size), 0) FROM objects WHERE container = ?",
                (name,)).fetchone()
        return ContainerRow(name, json.loads(row[0]), count, used)

    def containers(self, prefix: str, after: str, limit: int) -> list[ContainerRow]:
        """Up to ``limit`` containers named ``prefix``..., after ``after``, in name order."""
        lower, upper = _range(prefix, after)
        sql = ("SELECT c.name, c.metadata, count(o.name), coalesce(sum(o.size), 0) "
               "FROM containers c LEFT JOIN objects o ON o.container = c.name "
               f"WHERE c.name {lower[0]} ?" + (" AND c.name < ?" if upper else "") +
               " GROUP BY c.name ORDER BY c.name LIMIT ?")
        args = (lower[1], *((upper,) if upper else ()), limit)
        with self._transaction("listing containers", write=False) as conn:
            rows = conn.execute(sql, args).fetchall()
        return [ContainerRow(r[0], json.loads(r[1]), r[2], r[3]) for r in rows]

    def delete_container(self, name: str) -> None:
        with self._transaction(f"deleting container {name!r}", write=True) as conn:
            if conn.execute("SELECT 1 FROM containers WHERE name = ?", (name,)).fetchone() is None:
                raise errors.no_container(name)
            count = conn.execute("SELECT count(*) FROM objects WHERE container = ?",
                                 (name,)).fetchone()[0]
            if count:
                raise exc.Conflict(
                    f"container {name!r} holds {count} object(s); delete them first",
                    backend=errors.BACKEND)
            conn.execute("DELETE FROM containers WHERE name = ?", (name,))

    def require_container(self, name: str) -> None:
        with self._transaction(f"reading container {name!r}", write=False) as conn:
            if conn.execute("SELECT 1 FROM containers WHERE name = ?", (name,)).fetchone() is None:
                raise errors.no_container(name)

    # -- objects ------------------------------------------------------------

    def get(self, container: str, name: str) -> ObjectRow:
        """The object's row; NotFound naming the container or the object."""
        with self._transaction(f"reading object {name!r}", write=False) as conn:
            row = conn.execute(f"SELECT {_OBJECT_COLUMNS} FROM objects "
                               "WHERE container = ? AND name = ?", (container, name)).fetchone()
            if row is not None:
                return _object(row)
            if conn.execute("SELECT 1 FROM containers WHERE name = ?",
                            (container,)).fetchone() is None:
                raise errors.no_container(container)
            raise errors.no_object(container, name)

    def commit(self, row: ObjectRow) -> str | None:
        """Insert or replace the object; the file id it replaced, if any."""
        with self._transaction(f"storing object {row.name!r}", write=True) as conn:
            if conn.execute("SELECT 1 FROM containers WHERE name = ?",
                            (row.container,)).fetchone() is None:
                raise errors.no_container(row.container)
            old = conn.execute("SELECT file_id FROM objects WHERE container = ? AND name = ?",
                               (row.container, row.name)).fetchone()
            conn.execute(
                f"INSERT OR REPLACE INTO objects ({_OBJECT_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (row.container, row.name, row.file_id, row.size, row.md5, row.content_type,
                 _dumps(row.metadata), row.mtime))
        return old[0] if old else None

    def delete(self, container: str, name: str) -> str:
        """Remove the object's row; the file id it had."""
        with self._transaction(f"deleting object {name!r}", write=True) as conn:
            row = conn.execute("SELECT file_id FROM objects WHERE container = ? AND name = ?",
                               (container, name)).fetchone()
            if row is None:
                if conn.execute("SELECT 1 FROM containers WHERE name = ?",
                                (container,)).fetchone() is None:
                    raise errors.no_container(container)
                raise errors.no_object(container, name)
            conn.execute("DELETE FROM objects WHERE container = ? AND name = ?",
                         (container, name))
        return row[0]

    def scan(self, container: str, prefix: str, after: str, inclusive: bool,
             limit: int) -> list[ObjectRow]:
        """Up to ``limit`` objects named ``prefix``..., from ``after``, in name order.

        ``after`` itself is included when ``inclusive``.
        """
        lower, upper = _range(prefix, after, inclusive)
        sql = (f"SELECT {_OBJECT_COLUMNS} FROM objects WHERE container = ? "
               f"AND name {lower[0]} ?" + (" AND name < ?" if upper else "") +
               " ORDER BY name LIMIT ?")
        args = (container, lower[1], *((upper,) if upper else ()), limit)
        with self._transaction(f"listing container {container!r}", write=False) as conn:
            return [_object(r) for r in conn.execute(sql, args).fetchall()]

    def probe(self) -> None:
        """One cheap read: the index opens and answers."""
        with self._transaction("reading the object index", write=False) as conn:
            conn.execute("SELECT 1 FROM containers LIMIT 1").fetchall()

    def file_ids(self) -> set[str]:
        with self._transaction("reading the object index", write=False) as conn:
            return {r[0] for r in conn.execute("SELECT file_id FROM objects")}


def _range(prefix: str, after: str, inclusive: bool = False) -> tuple[tuple[str, str], str]:
    """((operator, lower bound), upper bound or "") of names starting with ``prefix``
    that sort after ``after`` (or at it, when ``inclusive``)."""
    if after and after >= prefix:
        lower = (">=" if inclusive else ">", after)
    else:
        lower = (">=", prefix)
    return lower, prefix_end(prefix)


def prefix_end(prefix: str) -> str:
    """The least string above every string starting with ``prefix``; "" when none is.

    The last character that is not the greatest code point is incremented
    (stepping over the surrogates, which UTF-8 cannot hold), the rest dropped.
    """
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < 0x10FFFF:
            nxt = last + 1
            if 0xD800 <= nxt <= 0xDFFF:
                nxt = 0xE000
            return "".join(chars) + chr(nxt)
    return ""
