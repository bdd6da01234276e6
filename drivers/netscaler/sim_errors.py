"""NITRO error answers of the NetScaler simulator: codes, messages, HTTP statuses.

A failed NITRO call answers ``{"errorcode": N, "message": "...", "severity": "ERROR"}``.
Codes and messages are NetScaler's own (the NITRO error listing, e.g. NSERR_NOENT 258
"No such resource", NSERR_EXIST 273 "Resource already exists"); a message names the
offending argument and value in brackets the way the appliance does:
``Resource already exists [name, 10.32.158.11]``.

HTTP statuses, from answers of real appliances recorded in public bug reports:
273 -> 409 Conflict, 354 -> 401 Unauthorized, 1093 and 1074 -> 400 Bad Request, 278 ->
599 "Netscaler specific error", a missing resource -> 404 (clients such as adc-nitro-go
treat a 404 on DELETE as "already gone"). Codes with no recorded status answer 599, the
status NITRO documents for NetScaler-specific errors.
"""

from __future__ import annotations

from typing import Any

NO_SUCH_RESOURCE = 258
RESOURCE_EXISTS = 273
INVALID_ARGUMENT = 278
BAD_CREDENTIALS = 354
SESSION_EXPIRED = 444
ARGS_MUTEX = 1092
ARG_PREREQ = 1093
ARG_MISSING = 1095
ARG_VALUE_BAD = 1097
INVALID_OBJECT_NAME = 1232
INVALID_JSON = 1233
INVALID_METHOD = 1237
INVALID_ACTION = 1240
BULK_FAILED = 1243
MONITOR_IN_USE = 2131
MONITOR_BUILTIN = 2132
MONITOR_BOUND = 2133

MESSAGES: dict[int, str] = {
    NO_SUCH_RESOURCE: "No such resource",
    RESOURCE_EXISTS: "Resource already exists",
    INVALID_ARGUMENT: "Invalid argument",
    BAD_CREDENTIALS: "Invalid username or password",
    SESSION_EXPIRED: "Session expired or killed. Please login again",
    ARGS_MUTEX: "Arguments cannot both be specified",
    ARG_PREREQ: "Argument pre-requisite missing",
    ARG_MISSING: "Required argument missing",
    ARG_VALUE_BAD: "Invalid argument value",
    INVALID_OBJECT_NAME: "Invalid object name",
    INVALID_JSON: "Invalid JSON input",
    INVALID_METHOD: "Invalid method name. It should be either post, put, get, stat or delete",
    INVALID_ACTION: "Invalid nitro action or operation",
    BULK_FAILED: "Bulk operation failed",
    MONITOR_IN_USE: "Monitor must be unbound before it can be deleted",
    MONITOR_BUILTIN: "Built-in monitors cannot be deleted",
    MONITOR_BOUND: "The monitor is already bound to the service",
}

#: HTTP status per errorcode; anything else answers 599.
HTTP_STATUS: dict[int, int] = {
    NO_SUCH_RESOURCE: 404,
    RESOURCE_EXISTS: 409,
    BAD_CREDENTIALS: 401,
    SESSION_EXPIRED: 401,
    ARGS_MUTEX: 400,
    ARG_PREREQ: 400,
    ARG_MISSING: 400,
    ARG_VALUE_BAD: 400,
    INVALID_OBJECT_NAME: 404,
    INVALID_JSON: 400,
    INVALID_METHOD: 405,
    INVALID_ACTION: 400,
}
NITRO_SPECIFIC = 599

#: Reason phrases NITRO sends that http.server does not know (clients match on them:
#: adc-nitro-go compares resp.Status with "599 Netscaler specific error").
REASONS: dict[int, str] = {207: "Multi Status", 599: "Netscaler specific error"}


def status_for(errorcode: int) -> int:
    """The HTTP status NITRO answers an error with."""
    return HTTP_STATUS.get(errorcode, NITRO_SPECIFIC)


class NitroError(Exception):
    """A NITRO error answer: errorcode, message and the HTTP status it travels with."""

    def __init__(self, errorcode: int, detail: str | None = None, *,
                 message: str | None = None, http_status: int | None = None) -> None:
        text = message if message is not None else MESSAGES.get(errorcode, "Error")
        if detail:
            text = f"{text} [{detail}]"
        super().__init__(text)
        self.errorcode = errorcode
        self.message = text
        self.http_status = http_status or status_for(errorcode)

    def body(self) -> dict[str, Any]:
        return {"errorcode": self.errorcode, "message": self.message, "severity": "ERROR"}


def done() -> dict[str, Any]:
    """The body of a successful NITRO answer, before any resource payload."""
    return {"errorcode": 0, "message": "Done", "severity": "NONE"}


def not_found(key: str, value: Any) -> NitroError:
    return NitroError(NO_SUCH_RESOURCE, f"{key}, {value}")


def exists(key: str, value: Any) -> NitroError:
    return NitroError(RESOURCE_EXISTS, f"{key}, {value}")


def bad_value(key: str, value: Any = None) -> NitroError:
    return NitroError(ARG_VALUE_BAD, key if value is None else f"{key}, {value}")


def missing(key: str) -> NitroError:
    return NitroError(ARG_MISSING, key)
