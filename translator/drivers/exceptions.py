"""Typed errors crossing the driver boundary.

Drivers raise these; the service layer turns each into a gRPC status through a
table keyed on ``code`` (the name of a ``google.rpc.Code``), so this module
imports neither grpc nor protobuf.

Each error carries two messages: ``user_message`` is safe to return to the
caller, ``operator_message`` goes only to the server log. Neither may contain
a credential.

Exception tree::

    TranslatorError                 INTERNAL
    ├── NotFound                    NOT_FOUND
    ├── AlreadyExists               ALREADY_EXISTS
    ├── InvalidInput                INVALID_ARGUMENT   (field violations)
    ├── UnsupportedOperation        UNIMPLEMENTED
    ├── UnsupportedOption           UNIMPLEMENTED      (names the option)
    ├── BackendUnavailable          UNAVAILABLE        (retryable)
    ├── QuotaExceeded               RESOURCE_EXHAUSTED
    ├── CapacityExhausted           RESOURCE_EXHAUSTED (retryable)
    ├── Conflict                    FAILED_PRECONDITION
    ├── Aborted                     ABORTED            (retryable)
    ├── OutOfRange                  OUT_OF_RANGE
    └── BackendError                INTERNAL
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldViolation:
    """One bad field of a request: ``field`` is a dotted path."""

    field: str
    description: str


class TranslatorError(Exception):
    """Base of every error a driver or the core raises on purpose."""

    code = "INTERNAL"
    reason = "BACKEND_ERROR"
    retryable = False

    def __init__(
        self,
        user_message: str,
        operator_message: str | None = None,
        *,
        backend: str = "",
        backend_code: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.operator_message = operator_message or user_message
        self.backend = backend
        self.backend_code = str(backend_code) if backend_code else ""
        self.retry_after = retry_after

    def metadata(self) -> dict[str, str]:
        """Key/values for google.rpc.ErrorInfo.metadata."""
        meta = {}
        if self.backend:
            meta["backend"] = self.backend
        if self.backend_code:
            meta["backend_code"] = self.backend_code
        return meta


class NotFound(TranslatorError):
    code = "NOT_FOUND"
    reason = "NOT_FOUND"


class AlreadyExists(TranslatorError):
    code = "ALREADY_EXISTS"
    reason = "ALREADY_EXISTS"


class InvalidInput(TranslatorError):
    """The request cannot be honoured as given; names the offending fields."""

    code = "INVALID_ARGUMENT"
    reason = "INVALID_ARGUMENT"

    def __init__(self, user_message: str, *, field: str | None = None,
                 violations: list[FieldViolation] | None = None, **kwargs) -> None:
        super().__init__(user_message, **kwargs)
        self.violations = list(violations or [])
        if field:
            self.violations.append(FieldViolation(field, user_message))


class UnsupportedOperation(TranslatorError):
    """The configured backend has no way to do this operation at all."""

    code = "UNIMPLEMENTED"
    reason = "UNSUPPORTED_OPERATION"


class UnsupportedOption(TranslatorError):
    """The operation exists but one of the options given cannot be honoured."""

    code = "UNIMPLEMENTED"
    reason = "UNSUPPORTED_OPTION"

    def __init__(self, user_message: str, *, option: str, **kwargs) -> None:
        super().__init__(user_message, **kwargs)
        self.option = option

    def metadata(self) -> dict[str, str]:
        return {**super().metadata(), "option": self.option}


class BackendUnavailable(TranslatorError):
    code = "UNAVAILABLE"
    reason = "BACKEND_UNAVAILABLE"
    retryable = True


class QuotaExceeded(TranslatorError):
    code = "RESOURCE_EXHAUSTED"
    reason = "QUOTA_EXCEEDED"


class CapacityExhausted(TranslatorError):
    code = "RESOURCE_EXHAUSTED"
    reason = "CAPACITY_EXHAUSTED"
    retryable = True


class Conflict(TranslatorError):
    """The resource is in a state (in use, busy, wrong power state) that forbids this."""

    code = "FAILED_PRECONDITION"
    reason = "CONFLICT"


class Aborted(TranslatorError):
    """A concurrent request got in the way; the same call can be retried."""

    code = "ABORTED"
    reason = "ABORTED"
    retryable = True


class OutOfRange(TranslatorError):
    """A position past the end of the data, e.g. a read offset beyond an object."""

    code = "OUT_OF_RANGE"
    reason = "OUT_OF_RANGE"


class BackendError(TranslatorError):
    code = "INTERNAL"
    reason = "BACKEND_ERROR"
