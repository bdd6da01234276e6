"""CloudStack and libcloud errors → the translator's typed errors.

CloudStack answers a failed command with HTTP status = its ``errorcode`` and a
body carrying ``errorcode``/``errortext``; libcloud turns that into a
``ProviderError`` whose ``http_code`` is the errorcode (``InvalidCredsError``
for 401). Failed async jobs carry the same codes in ``jobresult``. One table
maps the codes; ``translate_errors`` wraps every call the driver makes.
``asked_by_id`` and ``keypair_errors`` refine a 431 where the driver knows
what it asked for (an unknown id is NotFound, a taken name AlreadyExists).

No message built here may contain the API key, the secret or a signed URL:
requests' exception texts quote the request URL (apiKey and signature in its
query string), so they are scrubbed before reaching even the operator log.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
import ssl
from collections.abc import Iterator

import requests
from libcloud.common.types import InvalidCredsError, LibcloudError, ProviderError

from translator.drivers import exceptions as exc

BACKEND = "cloudstack"


class BackendAuthFailed(exc.BackendUnavailable):
    """CloudStack refused the configured API key or signature: retrying cannot help."""

    reason = "BACKEND_AUTH_FAILED"
    retryable = False


class BackendMisconfigured(exc.BackendUnavailable):
    """The endpoint cannot be used as configured (e.g. TLS verification fails)."""

    reason = "BACKEND_MISCONFIGURED"
    retryable = False


#: CloudStack ``errorcode`` (ApiErrorCode) → the error it becomes.
ERROR_CODE_MAP: dict[int, type[exc.TranslatorError]] = {
    431: exc.InvalidInput,          # PARAM_ERROR
    432: exc.UnsupportedOperation,  # UNSUPPORTED_ACTION_ERROR
    530: exc.BackendError,          # INTERNAL_ERROR
    532: exc.QuotaExceeded,         # ACCOUNT_RESOURCE_LIMIT_ERROR
    533: exc.CapacityExhausted,     # INSUFFICIENT_CAPACITY_ERROR (retryable)
    534: exc.BackendUnavailable,    # RESOURCE_UNAVAILABLE_ERROR (retryable)
    536: exc.Conflict,              # RESOURCE_IN_USE_ERROR
    537: exc.AlreadyExists,         # NETWORK_RULE_CONFLICT_ERROR
}

# CloudStack's texts for a 431 about an entity that does not exist, for a
# parameter CloudStack could not resolve, and for a VM in the wrong state.
_UNKNOWN_ENTITY = re.compile(r"unable to find|does not exist|not found|no such", re.IGNORECASE)
_BAD_PARAMETER = re.compile(r"invalid parameter (\w+) value", re.IGNORECASE)
_WRONG_STATE = re.compile(r"not in (the )?(correct|right|proper|ready|running|stopped) state",
                          re.IGNORECASE)
_ALREADY_EXISTS = re.compile(r"already exist", re.IGNORECASE)
# CloudStack reports running out of primary storage as a CloudRuntimeException
# (530), not as 533, when it places or grows a volume.
_NO_STORAGE = re.compile(r"unable to find suitable primary storage|"
                         r"does not have enough space", re.IGNORECASE)

#: Prefix of a job handle that stands for a call which failed after its resource existed.
FAILED_JOB = "failed:"

#: HTTP statuses a proxy in front of CloudStack may answer with; worth a retry.
_GATEWAY_CODES = frozenset({502, 503, 504})

_AUTH_MESSAGE = "the backend rejected the translator's credentials"
# A URL's query string, wherever it appears in a library's message.
_QUERY = re.compile(r"\?[^\s'\"()<>]*")
_SECRET_PARAM = re.compile(r"(apikey|signature|secretkey)=[^&\s'\"]*", re.IGNORECASE)


def scrub(text: str) -> str:
    """``text`` with query strings and key/signature parameters removed."""
    return _SECRET_PARAM.sub(r"\1=***", _QUERY.sub("?…", text))


def from_code(code: int | str | None, text: str, command: str) -> exc.TranslatorError:
    """The error for a CloudStack ``errorcode`` and ``errortext`` answered to ``command``."""
    try:
        number = int(code) if code not in (None, "") else 0
    except (TypeError, ValueError):
        number = 0
    text = scrub(str(text or "no error text")).strip()
    cls = ERROR_CODE_MAP.get(number)
    if number == 530 and _NO_STORAGE.search(text):
        cls = exc.CapacityExhausted
    if cls is None:
        cls = exc.BackendUnavailable if number in _GATEWAY_CODES else exc.BackendError
    user = f"CloudStack {command} failed: {text}"
    operator = f"CloudStack {command} failed with errorcode {number or 'none'}: {text}"
    return cls(user, operator_message=operator, backend=BACKEND,
               backend_code=str(number) if number else "")


def _connection_error(command: str, error: BaseException) -> exc.TranslatorError:
    if isinstance(error, requests.exceptions.SSLError | ssl.SSLError):
        return BackendMisconfigured(
            "the backend's TLS certificate could not be verified",
            operator_message=f"TLS error calling CloudStack {command}: {scrub(str(error))}",
            backend=BACKEND)
    if isinstance(error, requests.exceptions.Timeout | TimeoutError):
        what = "did not answer in time"
    else:
        what = "could not be reached"
    return exc.BackendUnavailable(
        f"the backend {what}",
        operator_message=f"CloudStack {command}: {type(error).__name__}: {scrub(str(error))}",
        backend=BACKEND)


@contextlib.contextmanager
def translate_errors(command: str) -> Iterator[None]:
    """Run the body, turning libcloud and requests exceptions into TranslatorErrors.

    Our own TranslatorErrors pass through untouched.
    """
    try:
        yield
    except exc.TranslatorError:
        raise
    except InvalidCredsError as error:
        raise BackendAuthFailed(
            _AUTH_MESSAGE,
            operator_message=f"CloudStack refused the API key or signature for {command} "
                             "(HTTP 401); check [cloudstack] api_key and secret_key",
            backend=BACKEND,
            backend_code="401") from error
    except ProviderError as error:
        raise from_code(error.http_code, str(error.value), command) from error
    except LibcloudError as error:
        raise exc.BackendError(
            f"CloudStack {command} returned an answer the translator cannot read",
            operator_message=f"CloudStack {command}: {type(error).__name__}: "
                             f"{scrub(str(error.value))}",
            backend=BACKEND) from error
    except (requests.exceptions.RequestException, OSError) as error:
        # Refused connections, DNS failures, timeouts, TLS failures.
        raise _connection_error(command, error) from error


def failed_job(error: exc.TranslatorError, message: str) -> str:
    """A job handle that ``failure`` turns back into ``error``'s kind, with ``message``.

    For a call that failed after the resource was created: raising would lose
    the resource's id, so the failure travels with the operation's jobs.
    """
    data = {"class": type(error).__name__, "code": error.backend_code, "message": message}
    raw = json.dumps(data, separators=(",", ":")).encode()
    return FAILED_JOB + base64.urlsafe_b64encode(raw).decode()


def failure(handle: str) -> exc.TranslatorError:
    """The error a ``failed_job`` handle stands for."""
    try:
        data = json.loads(base64.urlsafe_b64decode(handle[len(FAILED_JOB):]))
        message, code = str(data["message"]), str(data.get("code") or "")
        name = str(data.get("class"))
    except (ValueError, KeyError, TypeError, binascii.Error):
        return exc.BackendError("a backend call failed", backend=BACKEND)
    cls = getattr(exc, name, None) or globals().get(name)
    if not (isinstance(cls, type) and issubclass(cls, exc.TranslatorError)) or \
            issubclass(cls, exc.UnsupportedOption):
        cls = exc.BackendError
    return cls(message, backend=BACKEND, backend_code=code)


@contextlib.contextmanager
def asked_by_id(what: str, ident: str, *, strict: bool = False,
                param: str = "id") -> Iterator[None]:
    """Refine the 431s of a command the driver knows names one entity by id (or name).

    Not part of ``ERROR_CODE_MAP``: only the caller knows it asked by id.

    A 431 saying the ``param`` (``id`` unless told) names nothing (or, with
    ``strict``, any 431 but a wrong state) becomes NotFound; "not in the
    correct state" becomes Conflict.
    """
    try:
        yield
    except exc.InvalidInput as error:
        text = error.operator_message
        kwargs = {"operator_message": text, "backend": BACKEND,
                  "backend_code": error.backend_code}
        if _WRONG_STATE.search(text):
            raise exc.Conflict(f"{what} {ident!r} is not in a state that allows this: "
                               f"{error.user_message}", **kwargs) from error
        bad = _BAD_PARAMETER.search(text)
        if (bad.group(1).lower() == param if bad else strict or _UNKNOWN_ENTITY.search(text)):
            raise exc.NotFound(f"{what} {ident!r} not found", **kwargs) from error
        raise


@contextlib.contextmanager
def keypair_errors(name: str, field: str = "") -> Iterator[None]:
    """CloudStack says a duplicate keypair name with a 431 (or 537): AlreadyExists."""
    try:
        yield
    except (exc.InvalidInput, exc.AlreadyExists) as error:
        if isinstance(error, exc.AlreadyExists) or _ALREADY_EXISTS.search(error.operator_message):
            same_key = "with key" in error.operator_message.lower()
            raise exc.AlreadyExists("this public key is already registered under another name"
                                    if same_key else f"keypair {name!r} already exists",
                                    operator_message=error.operator_message, backend=BACKEND,
                                    backend_code=error.backend_code) from error
        if field:
            raise exc.InvalidInput(error.user_message, field=field,
                                   operator_message=error.operator_message, backend=BACKEND,
                                   backend_code=error.backend_code) from error
        raise
