"""Durable state: long-running operations and request ids (SQLAlchemy).

SQLite in the state directory by default; any SQLAlchemy URL works. Records
cross thread boundaries as plain dataclasses, never as live ORM objects. All
methods block: the service calls them in its thread pool.
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid

import sqlalchemy as sa
from sqlalchemy import event, orm

# Operation states.
SUBMITTING = "submitting"  # row written, backend not yet asked (or no answer yet)
RUNNING = "running"        # backend accepted: resource id and jobs persisted
ROLLING_BACK = "rolling_back"  # cancelled create: undoing what the backend made
DONE = "done"


class Base(orm.DeclarativeBase):
    pass


class OperationRow(Base):
    __tablename__ = "operations"

    id: orm.Mapped[str] = orm.mapped_column(sa.String(32), primary_key=True)
    api: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    verb: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    target: orm.Mapped[str] = orm.mapped_column(sa.String(255), default="", index=True)
    request_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(128), unique=True)
    fingerprint: orm.Mapped[str] = orm.mapped_column(sa.String(64), default="")
    request: orm.Mapped[bytes] = orm.mapped_column(sa.LargeBinary, default=b"")
    state: orm.Mapped[str] = orm.mapped_column(sa.String(16), index=True)
    backend: orm.Mapped[str] = orm.mapped_column(sa.String(32), default="")
    jobs: orm.Mapped[str] = orm.mapped_column(sa.Text, default="[]")
    progress: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    progress_estimated: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=True)
    message: orm.Mapped[str] = orm.mapped_column(sa.Text, default="")
    cancel_requested: orm.Mapped[bool] = orm.mapped_column(sa.Boolean, default=False)
    error: orm.Mapped[bytes | None] = orm.mapped_column(sa.LargeBinary, nullable=True)
    response: orm.Mapped[bytes | None] = orm.mapped_column(sa.LargeBinary, nullable=True)
    poll_count: orm.Mapped[int] = orm.mapped_column(sa.Integer, default=0)
    created_at: orm.Mapped[float] = orm.mapped_column(sa.Float)
    updated_at: orm.Mapped[float] = orm.mapped_column(sa.Float)
    ended_at: orm.Mapped[float | None] = orm.mapped_column(sa.Float, nullable=True)


class RequestRow(Base):
    """request_id of a synchronous mutating RPC and its recorded response."""

    __tablename__ = "requests"

    request_id: orm.Mapped[str] = orm.mapped_column(sa.String(128), primary_key=True)
    method: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    fingerprint: orm.Mapped[str] = orm.mapped_column(sa.String(64))
    response: orm.Mapped[bytes | None] = orm.mapped_column(sa.LargeBinary, nullable=True)
    created_at: orm.Mapped[float] = orm.mapped_column(sa.Float, index=True)


@dataclasses.dataclass
class Operation:
    id: str
    api: str
    verb: str
    state: str
    created_at: float
    updated_at: float
    target: str = ""
    request_id: str | None = None
    fingerprint: str = ""
    request: bytes = b""
    backend: str = ""
    jobs: list[str] = dataclasses.field(default_factory=list)
    progress: int = 0
    progress_estimated: bool = True
    message: str = ""
    cancel_requested: bool = False
    error: bytes | None = None
    response: bytes | None = None
    poll_count: int = 0
    ended_at: float | None = None

    @property
    def name(self) -> str:
        return f"operations/{self.id}"

    @property
    def done(self) -> bool:
        return self.state == DONE


@dataclasses.dataclass
class RequestRecord:
    request_id: str
    method: str
    fingerprint: str
    response: bytes | None


class DuplicateRequest(Exception):
    """An operation with this request_id exists already."""

    def __init__(self, existing: Operation) -> None:
        super().__init__(existing.request_id)
        self.existing = existing


_FIELDS = [f.name for f in dataclasses.fields(Operation)]


def _to_record(row: OperationRow) -> Operation:
    values = {name: getattr(row, name) for name in _FIELDS}
    values["jobs"] = json.loads(row.jobs or "[]")
    return Operation(**values)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class OperationStore:
    def __init__(self, url: str) -> None:
        kwargs = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False}
        self.engine = sa.create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        self._session = orm.sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # -- operations ---------------------------------------------------------

    def create(self, *, api: str, verb: str, backend: str, request_id: str | None,
               fingerprint: str, request: bytes, target: str = "") -> Operation:
        """Insert a new operation in SUBMITTING; DuplicateRequest if request_id is taken."""
        now = time.time()
        row = OperationRow(
            id=uuid.uuid4().hex, api=api, verb=verb, target=target, backend=backend,
            request_id=request_id or None, fingerprint=fingerprint, request=request,
            state=SUBMITTING, jobs="[]", progress=0, progress_estimated=True, message="",
            cancel_requested=False, poll_count=0, created_at=now, updated_at=now)
        try:
            with self._session.begin() as session:
                session.add(row)
        except sa.exc.IntegrityError:
            existing = self.get_by_request(request_id) if request_id else None
            if existing is None:
                raise
            raise DuplicateRequest(existing) from None
        return _to_record(row)

    def get(self, op_id: str) -> Operation | None:
        with self._session() as session:
            row = session.get(OperationRow, op_id)
            return _to_record(row) if row else None

    def get_by_request(self, request_id: str) -> Operation | None:
        with self._session() as session:
            row = session.scalars(
                sa.select(OperationRow).where(OperationRow.request_id == request_id)).first()
            return _to_record(row) if row else None

    def update(self, op_id: str, **fields) -> Operation:
        if "jobs" in fields:
            fields["jobs"] = json.dumps(fields["jobs"])
        fields["updated_at"] = time.time()
        if fields.get("state") == DONE:
            fields["ended_at"] = fields["updated_at"]
        # One UPDATE ... RETURNING (SQLite 3.35+, PostgreSQL): no read first.
        statement = (sa.update(OperationRow).where(OperationRow.id == op_id).values(**fields)
                     .returning(*OperationRow.__table__.columns))
        with self.engine.begin() as connection:
            row = connection.execute(statement).first()
        if row is None:
            raise KeyError(op_id)
        return _to_record(row)

    def delete(self, op_id: str) -> None:
        with self._session.begin() as session:
            session.execute(sa.delete(OperationRow).where(OperationRow.id == op_id))

    def list(self, *, offset: int, limit: int, done: bool | None = None) -> list[Operation]:
        query = sa.select(OperationRow).order_by(OperationRow.created_at, OperationRow.id)
        if done is True:
            query = query.where(OperationRow.state == DONE)
        elif done is False:
            query = query.where(OperationRow.state != DONE)
        with self._session() as session:
            rows = session.scalars(query.offset(offset).limit(limit)).all()
            return [_to_record(row) for row in rows]

    def unfinished(self) -> list[Operation]:
        with self._session() as session:
            rows = session.scalars(
                sa.select(OperationRow).where(OperationRow.state != DONE)).all()
            return [_to_record(row) for row in rows]

    # -- request ids of synchronous RPCs -------------------------------------

    def claim_request(self, request_id: str, method: str,
                      fingerprint: str) -> RequestRecord | None:
        """Reserve ``request_id``; None when this call owns it, else the earlier record."""
        try:
            with self._session.begin() as session:
                session.add(RequestRow(request_id=request_id, method=method,
                                       fingerprint=fingerprint, created_at=time.time()))
            return None
        except sa.exc.IntegrityError:
            with self._session() as session:
                row = session.get(RequestRow, request_id)
                if row is None:  # released in between: try once more
                    return self.claim_request(request_id, method, fingerprint)
                return RequestRecord(row.request_id, row.method, row.fingerprint, row.response)

    def complete_request(self, request_id: str, response: bytes) -> None:
        with self._session.begin() as session:
            row = session.get(RequestRow, request_id)
            if row is not None:
                row.response = response

    def release_request(self, request_id: str) -> None:
        with self._session.begin() as session:
            session.execute(sa.delete(RequestRow).where(RequestRow.request_id == request_id))

    def purge(self, older_than: float) -> int:
        """Forget request ids and finished operations older than ``older_than`` (epoch)."""
        with self._session.begin() as session:
            count = session.execute(
                sa.delete(RequestRow).where(RequestRow.created_at < older_than)).rowcount
            count += session.execute(
                sa.delete(OperationRow).where(OperationRow.state == DONE,
                                              OperationRow.ended_at < older_than)).rowcount
        return count
