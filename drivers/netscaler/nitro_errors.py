"""NITRO answers and transport failures → the translator's typed errors.

A failed NITRO call answers an HTTP status ≥ 400 and a body
``{"errorcode": N, "message": "...", "severity": "ERROR"}``; a bulk call
whose items failed adds ``"response": [{errorcode, message, severity}, ...]``,
one per item, and the first failed item is what we report. One table maps
the errorcodes callers act on; anything else is a BackendError carrying the
errorcode, except gateway and server failures without a NITRO body, which
are worth a retry. Status 599 is NITRO's own "NetScaler specific error" for
refused configuration, so it is not a server failure.

Tree of what this module raises::

    TranslatorError
    ├── NotFound                258 "No such resource" (callers deleting treat it as done)
    ├── AlreadyExists           273 "Resource already exists" (callers decide)
    ├── BackendUnavailable      connection failures, timeouts, 5xx without a NITRO body
    │   └── BackendMisconfigured    TLS verification failed (not retryable)
    └── BackendError            every other errorcode (backend_code = the errorcode)
        └── BackendAuthFailed       354 / 401 at login: the configured user or password

No message built here contains the password or the session token: the
password travels only in the login body, the token only in a Cookie header,
and neither appears in a URL.
"""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Iterator
from typing import Any

import requests

from translator.drivers import exceptions as exc

BACKEND = "netscaler"

NO_SUCH_RESOURCE = 258
RESOURCE_EXISTS = 273
BAD_CREDENTIALS = 354
SESSION_EXPIRED = 444
#: HTTP status NITRO uses for refused configuration ("NetScaler specific error").
NITRO_SPECIFIC = 599

ERROR_CODE_MAP: dict[int, type[exc.TranslatorError]] = {
    NO_SUCH_RESOURCE: exc.NotFound,
    RESOURCE_EXISTS: exc.AlreadyExists,
}


class BackendAuthFailed(exc.BackendError):
    """The NetScaler refused the configured user or password: retrying cannot help."""

    reason = "BACKEND_AUTH_FAILED"


class BackendMisconfigured(exc.BackendUnavailable):
    """The endpoint cannot be used as configured (TLS verification fails)."""

    reason = "BACKEND_MISCONFIGURED"
    retryable = False


def auth_failed(endpoint: str, username: str, code: int | str) -> BackendAuthFailed:
    return BackendAuthFailed(
        "the backend rejected the translator's credentials",
        operator_message=f"NetScaler at {endpoint} refused the login of user {username!r} "
                         f"(errorcode {code}); check [netscaler] username and password",
        backend=BACKEND, backend_code=str(code))


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def nitro_code(body: dict) -> int:
    """The errorcode of an answer; for a failed bulk call, that of its first failed item."""
    for item in body.get("response") or []:
        if isinstance(item, dict) and _number(item.get("errorcode")):
            return _number(item.get("errorcode"))
    return _number(body.get("errorcode"))


def failed(status: int, body: dict) -> bool:
    """Whether an answer reports a failure (a warning is not one)."""
    if status >= 400:
        return True
    return bool(_number(body.get("errorcode"))) and \
        str(body.get("severity", "ERROR")).upper() == "ERROR"


def from_answer(status: int, body: dict, what: str) -> exc.TranslatorError:
    """The error for a failed answer to ``what`` (e.g. "add lbvserver tr-…-80")."""
    code = nitro_code(body)
    message = str(body.get("message") or "").strip()
    for item in body.get("response") or []:
        if isinstance(item, dict) and _number(item.get("errorcode")) == code and \
                item.get("message"):
            message = str(item["message"]).strip()
            break
    message = message or f"HTTP {status}"
    operator = f"NetScaler {what} failed (HTTP {status}, errorcode {code or 'none'}): {message}"
    kwargs = {"operator_message": operator, "backend": BACKEND,
              "backend_code": str(code) if code else ""}
    cls = ERROR_CODE_MAP.get(code)
    if cls is None and not code:
        if status == 404:
            cls = exc.NotFound
        elif status >= 500 and status != NITRO_SPECIFIC:
            return exc.BackendUnavailable(f"the backend failed to answer {what} (HTTP {status})",
                                          **kwargs)
    cls = cls or exc.BackendError
    return cls(f"NetScaler {what} failed: {message}", **kwargs)


def _connection_error(what: str, endpoint: str, error: BaseException) -> exc.TranslatorError:
    if isinstance(error, requests.exceptions.SSLError | ssl.SSLError):
        return BackendMisconfigured(
            "the backend's TLS certificate could not be verified",
            operator_message=f"TLS error calling NetScaler {what} at {endpoint}: {error}; check "
                             "[netscaler] endpoint, verify_tls and ca_bundle",
            backend=BACKEND)
    if isinstance(error, requests.exceptions.Timeout | TimeoutError):
        why = "did not answer in time"
    else:
        why = "could not be reached"
    return exc.BackendUnavailable(
        f"the backend {why}",
        operator_message=f"NetScaler {what} at {endpoint}: {type(error).__name__}: {error}",
        backend=BACKEND)


@contextlib.contextmanager
def transport_errors(what: str, endpoint: str) -> Iterator[None]:
    """Turn requests' and the socket layer's exceptions into BackendUnavailable."""
    try:
        yield
    except exc.TranslatorError:
        raise
    except (requests.exceptions.RequestException, OSError) as error:
        raise _connection_error(what, endpoint, error) from error

