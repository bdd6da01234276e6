import datetime

from google.longrunning import operations_pb2 as _operations_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StorageLocation(_message.Message):
    __slots__ = ("tier", "pool")
    class Tier(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TIER_UNSPECIFIED: _ClassVar[StorageLocation.Tier]
        PRIMARY: _ClassVar[StorageLocation.Tier]
        SECONDARY: _ClassVar[StorageLocation.Tier]
    TIER_UNSPECIFIED: StorageLocation.Tier
    PRIMARY: StorageLocation.Tier
    SECONDARY: StorageLocation.Tier
    TIER_FIELD_NUMBER: _ClassVar[int]
    POOL_FIELD_NUMBER: _ClassVar[int]
    tier: StorageLocation.Tier
    pool: str
    def __init__(self, tier: _Optional[_Union[StorageLocation.Tier, str]] = ..., pool: _Optional[str] = ...) -> None: ...

class VolumeType(_message.Message):
    __slots__ = ("name", "description", "location", "backend_mapping", "size_gb", "max_size_gb", "thin_provisioned", "snapshots", "clone_from_volume", "volume_from_image", "online_extend", "is_default", "extra")
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    BACKEND_MAPPING_FIELD_NUMBER: _ClassVar[int]
    SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    MAX_SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    THIN_PROVISIONED_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    CLONE_FROM_VOLUME_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FROM_IMAGE_FIELD_NUMBER: _ClassVar[int]
    ONLINE_EXTEND_FIELD_NUMBER: _ClassVar[int]
    IS_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    location: StorageLocation
    backend_mapping: str
    size_gb: int
    max_size_gb: int
    thin_provisioned: bool
    snapshots: bool
    clone_from_volume: bool
    volume_from_image: bool
    online_extend: bool
    is_default: bool
    extra: _containers.ScalarMap[str, str]
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., location: _Optional[_Union[StorageLocation, _Mapping]] = ..., backend_mapping: _Optional[str] = ..., size_gb: _Optional[int] = ..., max_size_gb: _Optional[int] = ..., thin_provisioned: _Optional[bool] = ..., snapshots: _Optional[bool] = ..., clone_from_volume: _Optional[bool] = ..., volume_from_image: _Optional[bool] = ..., online_extend: _Optional[bool] = ..., is_default: _Optional[bool] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListVolumeTypesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListVolumeTypesResponse(_message.Message):
    __slots__ = ("volume_types",)
    VOLUME_TYPES_FIELD_NUMBER: _ClassVar[int]
    volume_types: _containers.RepeatedCompositeFieldContainer[VolumeType]
    def __init__(self, volume_types: _Optional[_Iterable[_Union[VolumeType, _Mapping]]] = ...) -> None: ...

class Connection(_message.Message):
    __slots__ = ("driver_volume_type", "data")
    class DataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DRIVER_VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    driver_volume_type: str
    data: _containers.ScalarMap[str, str]
    def __init__(self, driver_volume_type: _Optional[str] = ..., data: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Attachment(_message.Message):
    __slots__ = ("server_id", "device", "attach_time", "connection")
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    ATTACH_TIME_FIELD_NUMBER: _ClassVar[int]
    CONNECTION_FIELD_NUMBER: _ClassVar[int]
    server_id: str
    device: str
    attach_time: _timestamp_pb2.Timestamp
    connection: Connection
    def __init__(self, server_id: _Optional[str] = ..., device: _Optional[str] = ..., attach_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., connection: _Optional[_Union[Connection, _Mapping]] = ...) -> None: ...

class Volume(_message.Message):
    __slots__ = ("id", "name", "status", "size_gb", "volume_type", "availability_zone", "metadata", "source_snapshot_id", "source_volume_id", "source_image_id", "attachments", "location", "bootable", "create_time", "extra")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Volume.Status]
        CREATING: _ClassVar[Volume.Status]
        AVAILABLE: _ClassVar[Volume.Status]
        ATTACHING: _ClassVar[Volume.Status]
        IN_USE: _ClassVar[Volume.Status]
        DETACHING: _ClassVar[Volume.Status]
        EXTENDING: _ClassVar[Volume.Status]
        DELETING: _ClassVar[Volume.Status]
        ERROR: _ClassVar[Volume.Status]
    STATUS_UNSPECIFIED: Volume.Status
    CREATING: Volume.Status
    AVAILABLE: Volume.Status
    ATTACHING: Volume.Status
    IN_USE: Volume.Status
    DETACHING: Volume.Status
    EXTENDING: Volume.Status
    DELETING: Volume.Status
    ERROR: Volume.Status
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SOURCE_SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    BOOTABLE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    status: Volume.Status
    size_gb: int
    volume_type: str
    availability_zone: str
    metadata: _containers.ScalarMap[str, str]
    source_snapshot_id: str
    source_volume_id: str
    source_image_id: str
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    location: StorageLocation
    bootable: bool
    create_time: _timestamp_pb2.Timestamp
    extra: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[Volume.Status, str]] = ..., size_gb: _Optional[int] = ..., volume_type: _Optional[str] = ..., availability_zone: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., source_snapshot_id: _Optional[str] = ..., source_volume_id: _Optional[str] = ..., source_image_id: _Optional[str] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., location: _Optional[_Union[StorageLocation, _Mapping]] = ..., bootable: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateVolumeRequest(_message.Message):
    __slots__ = ("request_id", "name", "size_gb", "volume_type", "availability_zone", "metadata", "snapshot_id", "image_id", "source_volume_id")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    VOLUME_TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    size_gb: int
    volume_type: str
    availability_zone: str
    metadata: _containers.ScalarMap[str, str]
    snapshot_id: str
    image_id: str
    source_volume_id: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., size_gb: _Optional[int] = ..., volume_type: _Optional[str] = ..., availability_zone: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., snapshot_id: _Optional[str] = ..., image_id: _Optional[str] = ..., source_volume_id: _Optional[str] = ...) -> None: ...

class GetVolumeRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListVolumesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVolumesResponse(_message.Message):
    __slots__ = ("volumes", "next_page_token")
    VOLUMES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    volumes: _containers.RepeatedCompositeFieldContainer[Volume]
    next_page_token: str
    def __init__(self, volumes: _Optional[_Iterable[_Union[Volume, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ExtendVolumeRequest(_message.Message):
    __slots__ = ("request_id", "id", "new_size_gb")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    NEW_SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    new_size_gb: int
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ..., new_size_gb: _Optional[int] = ...) -> None: ...

class DeleteVolumeRequest(_message.Message):
    __slots__ = ("request_id", "id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class AttachVolumeRequest(_message.Message):
    __slots__ = ("request_id", "id", "server_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    server_id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ..., server_id: _Optional[str] = ...) -> None: ...

class DetachVolumeRequest(_message.Message):
    __slots__ = ("request_id", "id", "server_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    server_id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ..., server_id: _Optional[str] = ...) -> None: ...

class Snapshot(_message.Message):
    __slots__ = ("id", "name", "status", "volume_id", "size_gb", "location", "create_time", "metadata", "extra")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Snapshot.Status]
        CREATING: _ClassVar[Snapshot.Status]
        AVAILABLE: _ClassVar[Snapshot.Status]
        DELETING: _ClassVar[Snapshot.Status]
        ERROR: _ClassVar[Snapshot.Status]
    STATUS_UNSPECIFIED: Snapshot.Status
    CREATING: Snapshot.Status
    AVAILABLE: Snapshot.Status
    DELETING: Snapshot.Status
    ERROR: Snapshot.Status
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    SIZE_GB_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    status: Snapshot.Status
    volume_id: str
    size_gb: int
    location: StorageLocation
    create_time: _timestamp_pb2.Timestamp
    metadata: _containers.ScalarMap[str, str]
    extra: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[Snapshot.Status, str]] = ..., volume_id: _Optional[str] = ..., size_gb: _Optional[int] = ..., location: _Optional[_Union[StorageLocation, _Mapping]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., metadata: _Optional[_Mapping[str, str]] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateSnapshotRequest(_message.Message):
    __slots__ = ("request_id", "volume_id", "name", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    volume_id: str
    name: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, request_id: _Optional[str] = ..., volume_id: _Optional[str] = ..., name: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class GetSnapshotRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListSnapshotsRequest(_message.Message):
    __slots__ = ("page_size", "page_token", "volume_id")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    VOLUME_ID_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    volume_id: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., volume_id: _Optional[str] = ...) -> None: ...

class ListSnapshotsResponse(_message.Message):
    __slots__ = ("snapshots", "next_page_token")
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[Snapshot]
    next_page_token: str
    def __init__(self, snapshots: _Optional[_Iterable[_Union[Snapshot, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteSnapshotRequest(_message.Message):
    __slots__ = ("request_id", "id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...
