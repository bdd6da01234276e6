"""Neutral resource models that drivers return and the service layer renders.

Plain dataclasses: no protobuf, no backend types. Backend-only fields go in
``extra`` (string values) so callers can see them without the core knowing them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    """One page of a list; ``next_token`` is empty on the last page."""

    items: list[T]
    next_token: str = ""
    total: int | None = None


@dataclass
class Flavor:
    id: str
    name: str
    vcpus: int = 0
    ram_mb: int = 0
    disk_gb: int = 0
    customizable: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Image:
    id: str
    name: str
    status: str = "ACTIVE"  # ACTIVE, QUEUED, SAVING, ERROR
    min_disk_gb: int = 0
    size_bytes: int = 0
    os_type: str = ""
    created_at: datetime.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Keypair:
    name: str
    fingerprint: str = ""
    public_key: str = ""
    private_key: str = ""  # only ever set on the response to a create
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Address:
    network: str
    ip: str
    version: int = 4
    mac: str = ""


@dataclass
class Server:
    id: str
    name: str
    status: str  # BUILD, ACTIVE, SHUTOFF, REBOOT, RESIZE, ERROR, DELETED, UNKNOWN
    task_state: str = ""
    flavor_id: str = ""
    flavor_name: str = ""
    image_id: str = ""
    image_name: str = ""
    keypair_name: str = ""
    security_groups: list[str] = field(default_factory=list)
    availability_zone: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    addresses: list[Address] = field(default_factory=list)
    vcpus: int = 0
    ram_mb: int = 0
    created_at: datetime.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ServerSpec:
    """What CreateServer asks for, after validation.

    ``flavor`` names a flavor by id or name; when it is empty, ``vcpus`` and
    ``ram_mb`` ask for the smallest flavor that fits (or a customizable one).
    """

    name: str
    image: str
    flavor: str = ""
    vcpus: int = 0
    ram_mb: int = 0
    keypair: str = ""
    user_data: bytes = b""
    security_groups: list[str] = field(default_factory=list)
    availability_zone: str = ""
    networks: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class ResizeSpec:
    flavor: str = ""
    vcpus: int = 0
    ram_mb: int = 0


@dataclass
class BackendTask:
    """Work the backend accepted and finishes later.

    ``resource_id`` is known at once (persisted before any polling), ``jobs``
    are opaque backend job handles; empty means the work is already done.
    """

    resource_id: str
    jobs: list[str] = field(default_factory=list)


@dataclass
class JobStatus:
    """The state of a set of backend jobs, as one poll saw it."""

    done: bool
    progress: int | None = None  # 0-100 when the backend reports it
    message: str = ""
    error: Exception | None = None  # a TranslatorError when a job failed
    # The resource as the finished job left it, when the backend reports it
    # with the job (a models.Server, ...): saves a read to render the result.
    result: object | None = None


@dataclass
class OptionSupport:
    name: str
    supported: bool
    note: str = ""


@dataclass
class OperationSupport:
    name: str
    supported: bool
    note: str = ""
    options: list[OptionSupport] = field(default_factory=list)


@dataclass
class ApiCapabilities:
    api: str
    driver: str
    operations: list[OperationSupport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
