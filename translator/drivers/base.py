"""The driver interfaces, one per API.

A driver is loaded through stevedore, built with the parsed configuration
(cheap), then ``setup()`` connects and ``check_setup()`` proves the backend is
usable; the server reports SERVING only after every configured driver passed.

Required operations are abstract, so a misspelt override fails at load time.
Optional ones raise ``UnsupportedOperation`` unless a driver overrides them.
All methods are blocking; the service runs them in a bounded thread pool.
"""

from __future__ import annotations

import abc
from typing import Any

from oslo_config import cfg

from translator.drivers import exceptions as exc
from translator.drivers import models


class Driver(abc.ABC):
    """What every driver of every API has."""

    api: str = ""
    name: str = ""

    @classmethod
    def register_opts(cls, conf: cfg.ConfigOpts) -> None:
        """Register this driver's option group on ``conf``."""

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf

    def setup(self) -> None:
        """Connect to the backend; called once before serving."""

    def check_setup(self) -> None:
        """Raise a TranslatorError unless the backend answers and config is valid."""

    def close(self) -> None:
        """Release connections; called at shutdown."""

    @abc.abstractmethod
    def capabilities(self) -> models.ApiCapabilities:
        """What this driver supports, as data."""

    def peek(self, method: str, *args: Any) -> Any | None:
        """``method(*args)``'s answer when it needs no I/O (a warm cache), else None.

        Called on the event loop, so it must never block; the service falls
        back to calling ``method`` in the thread pool when this returns None.
        """
        return None

    def poll_jobs(self, jobs: list[str]) -> models.JobStatus:
        """Report on backend jobs returned in a BackendTask."""
        raise exc.UnsupportedOperation(f"{self.name} has no asynchronous jobs")

    def expected_seconds(self, verb: str) -> float:
        """A typical duration of ``verb``, to estimate progress the backend does not report."""
        return 30.0

    def unsupported(self, operation: str) -> exc.UnsupportedOperation:
        return exc.UnsupportedOperation(
            f"{operation} is not supported by the {self.name} {self.api} driver",
            backend=self.name)


class ComputeDriver(Driver):
    """Nova-shaped compute: flavors, images, keypairs, servers."""

    api = "compute"
    #: The BlockStorageDriver.connection_type values whose volumes this
    #: backend's servers can use; AttachVolume is refused for any other.
    volume_connections: frozenset[str] = frozenset()

    @abc.abstractmethod
    def list_flavors(self, page_size: int, page_token: str) -> models.Page[models.Flavor]: ...

    @abc.abstractmethod
    def get_flavor(self, flavor_id: str) -> models.Flavor: ...

    @abc.abstractmethod
    def list_images(self, page_size: int, page_token: str) -> models.Page[models.Image]: ...

    @abc.abstractmethod
    def get_image(self, image_id: str) -> models.Image: ...

    def create_keypair(self, name: str) -> models.Keypair:
        raise self.unsupported("CreateKeypair")

    def import_keypair(self, name: str, public_key: str) -> models.Keypair:
        raise self.unsupported("ImportKeypair")

    def list_keypairs(self, page_size: int, page_token: str) -> models.Page[models.Keypair]:
        raise self.unsupported("ListKeypairs")

    def delete_keypair(self, name: str) -> None:
        raise self.unsupported("DeleteKeypair")

    @abc.abstractmethod
    def create_server(self, spec: models.ServerSpec) -> models.BackendTask: ...

    @abc.abstractmethod
    def get_server(self, server_id: str) -> models.Server: ...

    @abc.abstractmethod
    def list_servers(self, page_size: int, page_token: str) -> models.Page[models.Server]: ...

    @abc.abstractmethod
    def delete_server(self, server_id: str) -> models.BackendTask: ...

    @abc.abstractmethod
    def start_server(self, server_id: str) -> models.BackendTask: ...

    @abc.abstractmethod
    def stop_server(self, server_id: str) -> models.BackendTask: ...

    @abc.abstractmethod
    def reboot_server(self, server_id: str, hard: bool = False) -> models.BackendTask: ...

    def resize_server(self, server_id: str, spec: models.ResizeSpec) -> models.BackendTask:
        raise self.unsupported("ResizeServer")


class BlockStorageDriver(Driver):
    """Cinder-shaped block storage: volume types, volumes, snapshots, attachments.

    Volume types are the operator's (``[block_storage] volume_types``); a
    driver maps each onto its backend (a disk offering, a pool) and receives
    only configured type names in a VolumeSpec. Mutations return a
    BackendTask whose ``resource_id`` is the volume's (the snapshot's for
    CreateSnapshot).
    """

    api = "block_storage"
    #: How this backend's volumes reach a hypervisor, e.g. "rbd"; compared with
    #: ComputeDriver.volume_connections before an attach.
    connection_type: str = ""

    @abc.abstractmethod
    def list_volume_types(self) -> list[models.VolumeType]: ...

    @abc.abstractmethod
    def create_volume(self, spec: models.VolumeSpec) -> models.BackendTask: ...

    @abc.abstractmethod
    def get_volume(self, volume_id: str) -> models.Volume: ...

    @abc.abstractmethod
    def list_volumes(self, page_size: int, page_token: str) -> models.Page[models.Volume]: ...

    @abc.abstractmethod
    def extend_volume(self, volume_id: str, new_size_gb: int) -> models.BackendTask: ...

    @abc.abstractmethod
    def delete_volume(self, volume_id: str) -> models.BackendTask: ...

    def attach_volume(self, volume_id: str, server_id: str) -> models.BackendTask:
        raise self.unsupported("AttachVolume")

    def detach_volume(self, volume_id: str, server_id: str) -> models.BackendTask:
        """Detach from ``server_id``, or from its only server when that is empty."""
        raise self.unsupported("DetachVolume")

    def create_snapshot(self, spec: models.SnapshotSpec) -> models.BackendTask:
        raise self.unsupported("CreateSnapshot")

    def get_snapshot(self, snapshot_id: str) -> models.Snapshot:
        raise self.unsupported("GetSnapshot")

    def list_snapshots(self, page_size: int, page_token: str,
                       volume_id: str = "") -> models.Page[models.Snapshot]:
        raise self.unsupported("ListSnapshots")

    def delete_snapshot(self, snapshot_id: str) -> models.BackendTask:
        raise self.unsupported("DeleteSnapshot")


class ObjectStorageDriver(Driver):
    """Swift-shaped object storage: containers and objects.

    Names arrive validated (non-empty, bounded, no control characters;
    container names without '/'); a backend with stricter rules (S3 bucket
    names) raises InvalidInput naming the field. Metadata keys arrive
    lower-case. ``[object_storage]`` holds the chunk size, the large-object
    threshold and the part size every driver honours.
    """

    api = "object_storage"

    @abc.abstractmethod
    def list_containers(self, page_size: int, page_token: str,
                        prefix: str = "") -> models.Page[models.Container]: ...

    @abc.abstractmethod
    def create_container(self, name: str, metadata: dict[str, str]) -> models.Container:
        """AlreadyExists when ``name`` exists."""

    @abc.abstractmethod
    def get_container(self, name: str) -> models.Container: ...

    @abc.abstractmethod
    def delete_container(self, name: str) -> None:
        """Conflict while the container holds objects."""

    @abc.abstractmethod
    def put_object(self, spec: models.ObjectSpec,
                   source: models.ByteSource) -> models.StoredObject:
        """Store ``source``'s data; commit only after reading its end (see ByteSource).

        On any error (bad data, the caller gone, the backend failing) nothing
        of the upload may remain: no object, no parts, no segments.
        """

    @abc.abstractmethod
    def open_object(self, container: str, name: str, offset: int = 0,
                    length: int | None = None) -> models.ObjectDownload:
        """The object and an iterator over the bytes [offset, offset+length).

        OutOfRange when ``offset`` is past the end of a non-empty object; a
        length past the end stops at the end. The caller always calls close().
        """

    @abc.abstractmethod
    def head_object(self, container: str, name: str) -> models.StoredObject: ...

    @abc.abstractmethod
    def list_objects(self, container: str, prefix: str, delimiter: str, page_size: int,
                     page_token: str) -> models.ObjectListing: ...

    @abc.abstractmethod
    def delete_object(self, container: str, name: str) -> None:
        """Removes the object and, for one stored in parts, its parts."""

    @abc.abstractmethod
    def copy_object(self, spec: models.CopySpec) -> models.StoredObject: ...

    def create_temp_url(self, container: str, name: str, method: str,
                        expires_in: int) -> models.TempUrl:
        """A URL signed for ``method`` (models.TEMP_URL_GET or _PUT) for ``expires_in`` s."""
        raise self.unsupported("CreateTempUrl")


class LoadBalancingDriver(Driver):
    """Octavia-shaped load balancing: load balancers, listeners, pools, members, monitors.

    Requests arrive validated for shape (ports, weights, monitor timings); a
    driver refuses what its backend cannot honour in the ``check_*`` methods,
    which the service calls before any operation starts, so nothing is ever
    made for a request that names an unsupported option (UnsupportedOption
    naming it, or InvalidInput naming the field). Mutations return a
    BackendTask whose ``resource_id`` is the load balancer's id. A create that
    fails midway removes what it made.
    """

    api = "load_balancing"

    @abc.abstractmethod
    def check_load_balancer(self, spec: models.LoadBalancerSpec) -> None:
        """Refuse any option of ``spec`` the backend cannot honour; no I/O."""

    def check_member(self, member: models.Member) -> None:
        """Refuse a member the backend cannot use (e.g. one given only by address)."""

    def check_health_monitor(self, monitor: models.HealthMonitor) -> None:
        """Refuse a monitor type or setting the backend lacks."""

    @abc.abstractmethod
    def create_load_balancer(self, spec: models.LoadBalancerSpec) -> models.BackendTask: ...

    @abc.abstractmethod
    def get_load_balancer(self, lb_id: str) -> models.LoadBalancer: ...

    @abc.abstractmethod
    def list_load_balancers(self, page_size: int,
                            page_token: str) -> models.Page[models.LoadBalancer]: ...

    @abc.abstractmethod
    def delete_load_balancer(self, lb_id: str) -> models.BackendTask:
        """Everything of the load balancer goes: listeners, pools, members, monitors, VIP."""

    @abc.abstractmethod
    def add_member(self, lb_id: str, pool_id: str,
                   member: models.Member) -> models.BackendTask: ...

    @abc.abstractmethod
    def remove_member(self, lb_id: str, pool_id: str, member_id: str) -> models.BackendTask: ...

    def update_member(self, lb_id: str, pool_id: str, member_id: str,
                      weight: int) -> models.BackendTask:
        raise self.unsupported("UpdateMember")

    def set_health_monitor(self, lb_id: str, pool_id: str,
                           monitor: models.HealthMonitor) -> models.BackendTask:
        raise self.unsupported("SetHealthMonitor")

    def delete_health_monitor(self, lb_id: str, pool_id: str) -> models.BackendTask:
        raise self.unsupported("DeleteHealthMonitor")
