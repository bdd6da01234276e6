"""Neutral resource models that drivers return and the service layer renders.

Plain dataclasses: no protobuf, no backend types. Backend-only fields go in
``extra`` (string values) so callers can see them without the core knowing them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

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
    # A multi-step operation whose step is done and whose next step was
    # submitted: the jobs to poll from now on (persisted before the next
    # poll), and the resource that step made, when it made one.
    next_jobs: list[str] | None = None
    resource_id: str = ""


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


# -- block storage ------------------------------------------------------------

PRIMARY = "primary"
SECONDARY = "secondary"


@dataclass
class StorageLocation:
    """Where data lives: ``tier`` is PRIMARY or SECONDARY, ``pool`` the backend's pool.

    ``pool`` is empty while the backend has not placed the data yet.
    """

    tier: str
    pool: str = ""


@dataclass
class VolumeType:
    """An operator-defined volume type as one backend realises it."""

    name: str
    description: str = ""
    location: StorageLocation = field(default_factory=lambda: StorageLocation(PRIMARY))
    backend_mapping: str = ""  # e.g. "disk offering Fast (tags ssd)"
    size_gb: int = 0  # a fixed size, or 0 for any size up to max_size_gb
    max_size_gb: int = 0
    thin_provisioned: bool = False
    snapshots: bool = True
    clone_from_volume: bool = False
    volume_from_image: bool = False
    online_extend: bool = False
    is_default: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Connection:
    """How a hypervisor reaches an attached volume (Cinder's connection_info); no secrets."""

    driver_volume_type: str
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class Attachment:
    server_id: str
    device: str = ""
    attached_at: datetime.datetime | None = None
    connection: Connection | None = None


@dataclass
class Volume:
    id: str
    name: str
    # creating, available, attaching, in-use, detaching, extending, deleting, error
    status: str
    size_gb: int = 0
    volume_type: str = ""
    availability_zone: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    source_snapshot_id: str = ""
    source_volume_id: str = ""
    source_image_id: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    location: StorageLocation = field(default_factory=lambda: StorageLocation(PRIMARY))
    bootable: bool = False
    created_at: datetime.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class VolumeSpec:
    """What CreateVolume asks for, after validation.

    ``volume_type`` is a configured type's name: the default when the request
    named none and has no source; empty when a source is given and no type
    was asked for (the new volume keeps the source's). ``size_gb`` is 0 when a
    source gives the size. At most one of the sources is set.
    """

    name: str
    size_gb: int = 0
    volume_type: str = ""
    availability_zone: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    snapshot_id: str = ""
    image_id: str = ""
    source_volume_id: str = ""


@dataclass
class Snapshot:
    id: str
    name: str
    status: str  # creating, available, deleting, error
    volume_id: str = ""
    size_gb: int = 0
    location: StorageLocation = field(default_factory=lambda: StorageLocation(SECONDARY))
    created_at: datetime.datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class SnapshotSpec:
    volume_id: str
    name: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


# -- object storage -----------------------------------------------------------

#: Object metadata keys starting with this are the drivers' own (e.g. the MD5 of an
#: object stored in parts); callers may not set them and drivers hide them.
RESERVED_METADATA_PREFIX = "translator-"


@dataclass
class Container:
    name: str
    object_count: int = 0
    bytes_used: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class StoredObject:
    """An object's description; ``md5`` is the hex MD5 of the content when known."""

    container: str
    name: str
    size_bytes: int = 0
    content_type: str = ""
    etag: str = ""
    md5: str = ""
    last_modified: datetime.datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ObjectListing:
    """One page of ListObjects: objects and, with a delimiter, the rolled-up prefixes."""

    objects: list[StoredObject]
    common_prefixes: list[str] = field(default_factory=list)
    next_token: str = ""


@dataclass
class ObjectSpec:
    """What PutObject asks for, after validation; metadata keys are lower-case.

    ``size_bytes`` is None when the caller did not say; ``md5`` is empty then too.
    """

    container: str
    name: str
    content_type: str = "application/octet-stream"
    metadata: dict[str, str] = field(default_factory=dict)
    size_bytes: int | None = None
    md5: str = ""


class ByteSource(Protocol):
    """The data of a PutObject, as a driver reads it (blocking, in the thread pool).

    ``read(n)`` returns up to ``n`` bytes (fewer only at the end) and ``b""``
    at the end. The source checks the caller's declared size and MD5 itself:
    when the data does not match, the read that would reach (or pass) the end
    raises InvalidInput instead, so a driver that commits an object only
    after reading ``b""`` never stores bad data. A caller who goes away makes
    ``read`` raise Aborted. ``md5`` is the hex MD5 of everything read so far.
    """

    def read(self, n: int) -> bytes: ...

    @property
    def md5(self) -> str: ...


@dataclass
class ObjectDownload:
    """An opened object: its description, the chunks of the asked range, and close()."""

    info: StoredObject
    chunks: Iterator[bytes]
    close: Callable[[], None] = lambda: None


@dataclass
class CopySpec:
    source_container: str
    source_name: str
    destination_container: str
    destination_name: str
    # None: keep the source's metadata; a dict (maybe empty): replace it.
    metadata: dict[str, str] | None = None


TEMP_URL_GET = "GET"
TEMP_URL_PUT = "PUT"


@dataclass
class TempUrl:
    url: str
    method: str
    expires_at: datetime.datetime


# -- load balancing -----------------------------------------------------------
# Enumerations are the proto's value names: protocols TCP/HTTP/HTTPS/UDP,
# algorithms ROUND_ROBIN/LEAST_CONNECTIONS/SOURCE_IP, monitor types
# PING/TCP/HTTP, persistence SOURCE_IP/HTTP_COOKIE/APP_COOKIE, provisioning
# ACTIVE/PENDING_CREATE/PENDING_UPDATE/PENDING_DELETE/ERROR, operating
# ONLINE/DEGRADED/OFFLINE/NO_MONITOR.


@dataclass
class HealthMonitor:
    type: str
    delay_seconds: int = 5
    timeout_seconds: int = 3
    max_retries: int = 3
    url_path: str = ""
    expected_codes: str = ""


@dataclass
class SessionPersistence:
    type: str
    cookie_name: str = ""


@dataclass
class Member:
    """A backend of a pool: ``address`` + ``port``, or ``server_id`` (+ ``port``)."""

    address: str = ""
    port: int = 0
    server_id: str = ""
    weight: int = 1
    id: str = ""
    operating_status: str = ""


@dataclass
class Pool:
    algorithm: str
    members: list[Member] = field(default_factory=list)
    health_monitor: HealthMonitor | None = None
    session_persistence: SessionPersistence | None = None
    id: str = ""


@dataclass
class Listener:
    protocol: str
    port: int
    pool: Pool
    id: str = ""


@dataclass
class LoadBalancer:
    id: str
    name: str = ""
    vip_address: str = ""
    vip_network_id: str = ""
    provisioning_status: str = "ACTIVE"
    operating_status: str = "NO_MONITOR"
    listeners: list[Listener] = field(default_factory=list)
    created_at: datetime.datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadBalancerSpec:
    """What CreateLoadBalancer asks for, after validation (no ids, no statuses)."""

    name: str
    listeners: list[Listener]
    vip_address: str = ""
    vip_network_id: str = ""
