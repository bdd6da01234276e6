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

class HealthMonitor(_message.Message):
    __slots__ = ("type", "delay_seconds", "timeout_seconds", "max_retries", "url_path", "expected_codes")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[HealthMonitor.Type]
        PING: _ClassVar[HealthMonitor.Type]
        TCP: _ClassVar[HealthMonitor.Type]
        HTTP: _ClassVar[HealthMonitor.Type]
    TYPE_UNSPECIFIED: HealthMonitor.Type
    PING: HealthMonitor.Type
    TCP: HealthMonitor.Type
    HTTP: HealthMonitor.Type
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DELAY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_RETRIES_FIELD_NUMBER: _ClassVar[int]
    URL_PATH_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CODES_FIELD_NUMBER: _ClassVar[int]
    type: HealthMonitor.Type
    delay_seconds: int
    timeout_seconds: int
    max_retries: int
    url_path: str
    expected_codes: str
    def __init__(self, type: _Optional[_Union[HealthMonitor.Type, str]] = ..., delay_seconds: _Optional[int] = ..., timeout_seconds: _Optional[int] = ..., max_retries: _Optional[int] = ..., url_path: _Optional[str] = ..., expected_codes: _Optional[str] = ...) -> None: ...

class SessionPersistence(_message.Message):
    __slots__ = ("type", "cookie_name")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[SessionPersistence.Type]
        SOURCE_IP: _ClassVar[SessionPersistence.Type]
        HTTP_COOKIE: _ClassVar[SessionPersistence.Type]
        APP_COOKIE: _ClassVar[SessionPersistence.Type]
    TYPE_UNSPECIFIED: SessionPersistence.Type
    SOURCE_IP: SessionPersistence.Type
    HTTP_COOKIE: SessionPersistence.Type
    APP_COOKIE: SessionPersistence.Type
    TYPE_FIELD_NUMBER: _ClassVar[int]
    COOKIE_NAME_FIELD_NUMBER: _ClassVar[int]
    type: SessionPersistence.Type
    cookie_name: str
    def __init__(self, type: _Optional[_Union[SessionPersistence.Type, str]] = ..., cookie_name: _Optional[str] = ...) -> None: ...

class Member(_message.Message):
    __slots__ = ("id", "address", "port", "server_id", "weight", "operating_status")
    ID_FIELD_NUMBER: _ClassVar[int]
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    SERVER_ID_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    OPERATING_STATUS_FIELD_NUMBER: _ClassVar[int]
    id: str
    address: str
    port: int
    server_id: str
    weight: int
    operating_status: LoadBalancer.OperatingStatus
    def __init__(self, id: _Optional[str] = ..., address: _Optional[str] = ..., port: _Optional[int] = ..., server_id: _Optional[str] = ..., weight: _Optional[int] = ..., operating_status: _Optional[_Union[LoadBalancer.OperatingStatus, str]] = ...) -> None: ...

class Pool(_message.Message):
    __slots__ = ("id", "algorithm", "members", "health_monitor", "session_persistence")
    class Algorithm(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ALGORITHM_UNSPECIFIED: _ClassVar[Pool.Algorithm]
        ROUND_ROBIN: _ClassVar[Pool.Algorithm]
        LEAST_CONNECTIONS: _ClassVar[Pool.Algorithm]
        SOURCE_IP: _ClassVar[Pool.Algorithm]
    ALGORITHM_UNSPECIFIED: Pool.Algorithm
    ROUND_ROBIN: Pool.Algorithm
    LEAST_CONNECTIONS: Pool.Algorithm
    SOURCE_IP: Pool.Algorithm
    ID_FIELD_NUMBER: _ClassVar[int]
    ALGORITHM_FIELD_NUMBER: _ClassVar[int]
    MEMBERS_FIELD_NUMBER: _ClassVar[int]
    HEALTH_MONITOR_FIELD_NUMBER: _ClassVar[int]
    SESSION_PERSISTENCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    algorithm: Pool.Algorithm
    members: _containers.RepeatedCompositeFieldContainer[Member]
    health_monitor: HealthMonitor
    session_persistence: SessionPersistence
    def __init__(self, id: _Optional[str] = ..., algorithm: _Optional[_Union[Pool.Algorithm, str]] = ..., members: _Optional[_Iterable[_Union[Member, _Mapping]]] = ..., health_monitor: _Optional[_Union[HealthMonitor, _Mapping]] = ..., session_persistence: _Optional[_Union[SessionPersistence, _Mapping]] = ...) -> None: ...

class Listener(_message.Message):
    __slots__ = ("id", "protocol", "port", "default_pool")
    class Protocol(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        PROTOCOL_UNSPECIFIED: _ClassVar[Listener.Protocol]
        TCP: _ClassVar[Listener.Protocol]
        HTTP: _ClassVar[Listener.Protocol]
        HTTPS: _ClassVar[Listener.Protocol]
        UDP: _ClassVar[Listener.Protocol]
    PROTOCOL_UNSPECIFIED: Listener.Protocol
    TCP: Listener.Protocol
    HTTP: Listener.Protocol
    HTTPS: Listener.Protocol
    UDP: Listener.Protocol
    ID_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_POOL_FIELD_NUMBER: _ClassVar[int]
    id: str
    protocol: Listener.Protocol
    port: int
    default_pool: Pool
    def __init__(self, id: _Optional[str] = ..., protocol: _Optional[_Union[Listener.Protocol, str]] = ..., port: _Optional[int] = ..., default_pool: _Optional[_Union[Pool, _Mapping]] = ...) -> None: ...

class LoadBalancer(_message.Message):
    __slots__ = ("id", "name", "vip_address", "vip_network_id", "provisioning_status", "operating_status", "listeners", "create_time", "extra")
    class ProvisioningStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        PROVISIONING_STATUS_UNSPECIFIED: _ClassVar[LoadBalancer.ProvisioningStatus]
        ACTIVE: _ClassVar[LoadBalancer.ProvisioningStatus]
        PENDING_CREATE: _ClassVar[LoadBalancer.ProvisioningStatus]
        PENDING_UPDATE: _ClassVar[LoadBalancer.ProvisioningStatus]
        PENDING_DELETE: _ClassVar[LoadBalancer.ProvisioningStatus]
        ERROR: _ClassVar[LoadBalancer.ProvisioningStatus]
    PROVISIONING_STATUS_UNSPECIFIED: LoadBalancer.ProvisioningStatus
    ACTIVE: LoadBalancer.ProvisioningStatus
    PENDING_CREATE: LoadBalancer.ProvisioningStatus
    PENDING_UPDATE: LoadBalancer.ProvisioningStatus
    PENDING_DELETE: LoadBalancer.ProvisioningStatus
    ERROR: LoadBalancer.ProvisioningStatus
    class OperatingStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        OPERATING_STATUS_UNSPECIFIED: _ClassVar[LoadBalancer.OperatingStatus]
        ONLINE: _ClassVar[LoadBalancer.OperatingStatus]
        DEGRADED: _ClassVar[LoadBalancer.OperatingStatus]
        OFFLINE: _ClassVar[LoadBalancer.OperatingStatus]
        NO_MONITOR: _ClassVar[LoadBalancer.OperatingStatus]
    OPERATING_STATUS_UNSPECIFIED: LoadBalancer.OperatingStatus
    ONLINE: LoadBalancer.OperatingStatus
    DEGRADED: LoadBalancer.OperatingStatus
    OFFLINE: LoadBalancer.OperatingStatus
    NO_MONITOR: LoadBalancer.OperatingStatus
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    VIP_NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    PROVISIONING_STATUS_FIELD_NUMBER: _ClassVar[int]
    OPERATING_STATUS_FIELD_NUMBER: _ClassVar[int]
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    vip_address: str
    vip_network_id: str
    provisioning_status: LoadBalancer.ProvisioningStatus
    operating_status: LoadBalancer.OperatingStatus
    listeners: _containers.RepeatedCompositeFieldContainer[Listener]
    create_time: _timestamp_pb2.Timestamp
    extra: _containers.ScalarMap[str, str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., vip_address: _Optional[str] = ..., vip_network_id: _Optional[str] = ..., provisioning_status: _Optional[_Union[LoadBalancer.ProvisioningStatus, str]] = ..., operating_status: _Optional[_Union[LoadBalancer.OperatingStatus, str]] = ..., listeners: _Optional[_Iterable[_Union[Listener, _Mapping]]] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., extra: _Optional[_Mapping[str, str]] = ...) -> None: ...

class CreateLoadBalancerRequest(_message.Message):
    __slots__ = ("request_id", "name", "vip_address", "vip_network_id", "listeners")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    VIP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    VIP_NETWORK_ID_FIELD_NUMBER: _ClassVar[int]
    LISTENERS_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    name: str
    vip_address: str
    vip_network_id: str
    listeners: _containers.RepeatedCompositeFieldContainer[Listener]
    def __init__(self, request_id: _Optional[str] = ..., name: _Optional[str] = ..., vip_address: _Optional[str] = ..., vip_network_id: _Optional[str] = ..., listeners: _Optional[_Iterable[_Union[Listener, _Mapping]]] = ...) -> None: ...

class GetLoadBalancerRequest(_message.Message):
    __slots__ = ("id",)
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class ListLoadBalancersRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListLoadBalancersResponse(_message.Message):
    __slots__ = ("load_balancers", "next_page_token")
    LOAD_BALANCERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    load_balancers: _containers.RepeatedCompositeFieldContainer[LoadBalancer]
    next_page_token: str
    def __init__(self, load_balancers: _Optional[_Iterable[_Union[LoadBalancer, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DeleteLoadBalancerRequest(_message.Message):
    __slots__ = ("request_id", "id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    id: str
    def __init__(self, request_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class AddMemberRequest(_message.Message):
    __slots__ = ("request_id", "load_balancer_id", "pool_id", "member")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    load_balancer_id: str
    pool_id: str
    member: Member
    def __init__(self, request_id: _Optional[str] = ..., load_balancer_id: _Optional[str] = ..., pool_id: _Optional[str] = ..., member: _Optional[_Union[Member, _Mapping]] = ...) -> None: ...

class RemoveMemberRequest(_message.Message):
    __slots__ = ("request_id", "load_balancer_id", "pool_id", "member_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    load_balancer_id: str
    pool_id: str
    member_id: str
    def __init__(self, request_id: _Optional[str] = ..., load_balancer_id: _Optional[str] = ..., pool_id: _Optional[str] = ..., member_id: _Optional[str] = ...) -> None: ...

class UpdateMemberRequest(_message.Message):
    __slots__ = ("request_id", "load_balancer_id", "pool_id", "member_id", "weight")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    MEMBER_ID_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    load_balancer_id: str
    pool_id: str
    member_id: str
    weight: int
    def __init__(self, request_id: _Optional[str] = ..., load_balancer_id: _Optional[str] = ..., pool_id: _Optional[str] = ..., member_id: _Optional[str] = ..., weight: _Optional[int] = ...) -> None: ...

class SetHealthMonitorRequest(_message.Message):
    __slots__ = ("request_id", "load_balancer_id", "pool_id", "health_monitor")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    HEALTH_MONITOR_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    load_balancer_id: str
    pool_id: str
    health_monitor: HealthMonitor
    def __init__(self, request_id: _Optional[str] = ..., load_balancer_id: _Optional[str] = ..., pool_id: _Optional[str] = ..., health_monitor: _Optional[_Union[HealthMonitor, _Mapping]] = ...) -> None: ...

class DeleteHealthMonitorRequest(_message.Message):
    __slots__ = ("request_id", "load_balancer_id", "pool_id")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    LOAD_BALANCER_ID_FIELD_NUMBER: _ClassVar[int]
    POOL_ID_FIELD_NUMBER: _ClassVar[int]
    request_id: str
    load_balancer_id: str
    pool_id: str
    def __init__(self, request_id: _Optional[str] = ..., load_balancer_id: _Optional[str] = ..., pool_id: _Optional[str] = ...) -> None: ...
