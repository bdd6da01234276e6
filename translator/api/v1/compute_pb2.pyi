import datetime

from google.longrunning import operations_pb2 as _operations_pb2
from google.protobuf import empty_pb2 as _empty_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Flavor(_message.Message):
    __slots__ = ("id", "name", "vcpus", "ram_mb", "disk_gb", "customizable", "extra")
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VCPUS_FIELD_NUMBER: _ClassVar[int]
    RAM_MB_FIELD_NUMBER: _ClassVar[int]
    DISK_GB_FIELD_NUMBER: _ClassVar[int]
    CUSTOMIZABLE_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    vcpus: int
    ram_mb: int
    disk_gb: int
    customizable: bool
    extra: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., vcpus: _Optional[int] = ..., ram_mb: _Optional[int] = ..., disk_gb: _Optional[int] = ..., customizable: _Optional[bool] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListFlavorsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListFlavorsResponse(_message.Message):
    __slots__ = ("flavors", "next_page_token")
    FLAVORS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    flavors: _containers.RepeatedCompositeFieldContainer[Flavor]
    next_page_token: str
    def __init__(self, flavors: _Optional[_Iterable[_Union[Flavor, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetFlavorRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class Image(_message.Message):
    __slots__ = ("id", "name", "status", "min_disk_gb", "size_bytes", "os_type", "create_time", "extra")
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
    MIN_DISK_GB_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    OS_TYPE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    status: str
    min_disk_gb: int
    size_bytes: int
    os_type: str
    create_time: _timestamp_pb2.Timestamp
    extra: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[str] = ..., min_disk_gb: _Optional[int] = ..., size_bytes: _Optional[int] = ..., os_type: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ListImagesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListImagesResponse(_message.Message):
    __slots__ = ("images", "next_page_token")
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    images: _containers.RepeatedCompositeFieldContainer[Image]
    next_page_token: str
    def __init__(self, images: _Optional[_Iterable[_Union[Image, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetImageRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class Keypair(_message.Message):
    __slots__ = ("name", "fingerprint", "public_key", "private_key")
    NAME_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_KEY_FIELD_NUMBER: _ClassVar[int]
    name: str
    fingerprint: str
    public_key: str
    private_key: str
    def __init__(self, name: _Optional[str] = ..., fingerprint: _Optional[str] = ..., public_key: _Optional[str] = ..., private_key: _Optional[str] = ...) -> None: ...

class CreateKeypairRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class ImportKeypairRequest(_message.Message):
    __slots__ = ("request_id", "name", "public_key")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    public_key: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., public_key: _Optional[str] = ...) -> None: ...

class ListKeypairsRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListKeypairsResponse(_message.Message):
    __slots__ = ("keypairs", "next_page_token")
    KEYPAIRS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    keypairs: _containers.RepeatedCompositeFieldContainer[Keypair]
    next_page_token: str
    def __init__(self, keypairs: _Optional[_Iterable[_Union[Keypair, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteKeypairRequest(_message.Message):
    __slots__ = ("request_id", "name")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class Address(_message.Message):
    __slots__ = ("network", "ip", "version", "mac")
    NETWORK_FIELD_NUMBER: _ClassVar[int]
    IP_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    MAC_FIELD_NUMBER: _ClassVar[int]
    network: str
    ip: str
    version: int
    mac: str
    def __init__(self, network: _Optional[str] = ..., ip: _Optional[str] = ..., version: _Optional[int] = ..., mac: _Optional[str] = ...) -> None: ...

class Server(_message.Message):
    __slots__ = ("id", "name", "status", "task_state", "flavor_id", "flavor_name", "image_id", "image_name", "keypair_name", "security_groups", "availability_zone", "metadata", "addresses", "vcpus", "ram_mb", "create_time", "extra")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Server.Status]
        BUILD: _ClassVar[Server.Status]
        ACTIVE: _ClassVar[Server.Status]
        SHUTOFF: _ClassVar[Server.Status]
        REBOOT: _ClassVar[Server.Status]
        RESIZE: _ClassVar[Server.Status]
        ERROR: _ClassVar[Server.Status]
        DELETED: _ClassVar[Server.Status]
        UNKNOWN: _ClassVar[Server.Status]
    STATUS_UNSPECIFIED: Server.Status
    BUILD: Server.Status
    ACTIVE: Server.Status
    SHUTOFF: Server.Status
    REBOOT: Server.Status
    RESIZE: Server.Status
    ERROR: Server.Status
    DELETED: Server.Status
    UNKNOWN: Server.Status
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
    TASK_STATE_FIELD_NUMBER: _ClassVar[int]
    FLAVOR_ID_FIELD_NUMBER: _ClassVar[int]
    FLAVOR_NAME_FIELD_NUMBER: _ClassVar[int]
    IMAGE_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_NAME_FIELD_NUMBER: _ClassVar[int]
    KEYPAIR_NAME_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    VCPUS_FIELD_NUMBER: _ClassVar[int]
    RAM_MB_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    status: Server.Status
    task_state: str
    flavor_id: str
    flavor_name: str
    image_id: str
    image_name: str
    keypair_name: str
    security_groups: _containers.RepeatedScalarFieldContainer[str]
    availability_zone: str
    metadata: _containers.ScalarMap[str, str]
    addresses: _containers.RepeatedCompositeFieldContainer[Address]
    vcpus: int
    ram_mb: int
    create_time: _timestamp_pb2.Timestamp
    extra: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., status: _Optional[_Union[Server.Status, str]] = ..., task_state: _Optional[str] = ..., flavor_id: _Optional[str] = ..., flavor_name: _Optional[str] = ..., image_id: _Optional[str] = ..., image_name: _Optional[str] = ..., keypair_name: _Optional[str] = ..., security_groups: _Optional[_Iterable[str]] = ..., availability_zone: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., addresses: _Optional[_Iterable[_Union[Address, _Mapping]]] = ..., vcpus: _Optional[int] = ..., ram_mb: _Optional[int] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ResourceRequest(_message.Message):
    __slots__ = ("vcpus", "ram_mb")
    VCPUS_FIELD_NUMBER: _ClassVar[int]
    RAM_MB_FIELD_NUMBER: _ClassVar[int]
    vcpus: int
    ram_mb: int
    def __init__(self, vcpus: _Optional[int] = ..., ram_mb: _Optional[int] = ...) -> None: ...

class CreateServerRequest(_message.Message):
    __slots__ = ("request_id", "name", "flavor", "resources", "image", "keypair", "user_data", "security_groups", "availability_zone", "metadata", "networks")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FLAVOR_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    KEYPAIR_FIELD_NUMBER: _ClassVar[int]
    USER_DATA_FIELD_NUMBER: _ClassVar[int]
    SECURITY_GROUPS_FIELD_NUMBER: _ClassVar[int]
    AVAILABILITY_ZONE_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    NETWORKS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    flavor: str
    resources: ResourceRequest
    image: str
    keypair: str
    user_data: bytes
    security_groups: _containers.RepeatedScalarFieldContainer[str]
    availability_zone: str
    metadata: _containers.ScalarMap[str, str]
    networks: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., flavor: _Optional[str] = ..., resources: _Optional[_Union[ResourceRequest, _Mapping]] = ..., image: _Optional[str] = ..., keypair: _Optional[str] = ..., user_data: _Optional[bytes] = ..., security_groups: _Optional[_Iterable[str]] = ..., availability_zone: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., networks: _Optional[_Iterable[str]] = ...) -> None: ...

class GetServerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListServersRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListServersResponse(_message.Message):
    __slots__ = ("servers", "next_page_token")
    SERVERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    servers: _containers.RepeatedCompositeFieldContainer[Server]
    next_page_token: str
    def __init__(self, servers: _Optional[_Iterable[_Union[Server, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteServerRequest(_message.Message):
    __slots__ = ("request_id", "id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class StartServerRequest(_message.Message):
    __slots__ = ("request_id", "id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class StopServerRequest(_message.Message):
    __slots__ = ("request_id", "id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class RebootServerRequest(_message.Message):
    __slots__ = ("request_id", "id", "type")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[RebootServerRequest.Type]
        SOFT: _ClassVar[RebootServerRequest.Type]
        HARD: _ClassVar[RebootServerRequest.Type]
    TYPE_UNSPECIFIED: RebootServerRequest.Type
    SOFT: RebootServerRequest.Type
    HARD: RebootServerRequest.Type
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    type: RebootServerRequest.Type
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ..., type: _Optional[_Union[RebootServerRequest.Type, str]] = ...) -> None: ...

class ResizeServerRequest(_message.Message):
    __slots__ = ("request_id", "id", "flavor", "resources")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    FLAVOR_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    flavor: str
    resources: ResourceRequest
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ..., flavor: _Optional[str] = ..., resources: _Optional[_Union[ResourceRequest, _Mapping]] = ...) -> None: ...
