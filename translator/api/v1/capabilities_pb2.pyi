from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetCapabilitiesRequest(_message.Message):
    __slots__ = ("apis",)
    APIS_FIELD_NUMBER: _ClassVar[int]
    apis: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, apis: _Optional[_Iterable[str]] = ...) -> None: ...

class GetCapabilitiesResponse(_message.Message):
    __slots__ = ("apis",)
    APIS_FIELD_NUMBER: _ClassVar[int]
    apis: _containers.RepeatedCompositeFieldContainer[ApiCapabilities]
    def __init__(self, apis: _Optional[_Iterable[_Union[ApiCapabilities, _Mapping]]] = ...) -> None: ...

class ApiCapabilities(_message.Message):
    __slots__ = ("api", "driver", "operations", "notes")
    API_FIELD_NUMBER: _ClassVar[int]
    DRIVER_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    api: str
    driver: str
    operations: _containers.RepeatedCompositeFieldContainer[OperationCapability]
    notes: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, api: _Optional[str] = ..., driver: _Optional[str] = ..., operations: _Optional[_Iterable[_Union[OperationCapability, _Mapping]]] = ..., notes: _Optional[_Iterable[str]] = ...) -> None: ...

class OperationCapability(_message.Message):
    __slots__ = ("name", "supported", "note", "options")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    name: str
    supported: bool
    note: str
    options: _containers.RepeatedCompositeFieldContainer[OptionCapability]
    def __init__(self, name: _Optional[str] = ..., supported: _Optional[bool] = ..., note: _Optional[str] = ..., options: _Optional[_Iterable[_Union[OptionCapability, _Mapping]]] = ...) -> None: ...

class OptionCapability(_message.Message):
    __slots__ = ("name", "supported", "note")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SUPPORTED_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    name: str
    supported: bool
    note: str
    def __init__(self, name: _Optional[str] = ..., supported: _Optional[bool] = ..., note: _Optional[str] = ...) -> None: ...
