"""swiftclient, keystoneauth1 and HTTP transport errors → the translator's typed errors.

swiftclient raises ``ClientException`` with ``http_status``/``http_reason``
for an answer it did not like (``http_status`` None when there was no
answer), and lets requests/urllib3/socket errors through once its retries
are spent; keystoneauth1 has its own tree. One table maps the HTTP statuses;
``mapped`` wraps every call the driver makes.

No message built here contains a key or a token: the caller's message is
written here, and the operator's is built from the status, the reason, the
request path (never its query) and the transaction id, with every secret the
driver knows (``redact``) removed as a last line of defence.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Callable, Iterable, Iterator

from translator.drivers import exceptions as exc

LOG = logging.getLogger(__name__)

BACKEND = "swift"


class SwiftAuthFailed(exc.BackendError):
    """The endpoint refused the configured credentials (or lacks a permission)."""

    reason = "BACKEND_AUTH_FAILED"


class SwiftMisconfigured(exc.BackendUnavailable):
    """The endpoint cannot be used as configured; retrying cannot help."""

    reason = "BACKEND_MISCONFIGURED"
    retryable = False


#: HTTP status → (the error it becomes, what to tell the caller).
STATUS_MAP: dict[int, tuple[type[exc.TranslatorError], str]] = {
    400: (exc.InvalidInput, "the Swift endpoint rejected the request as invalid"),
    401: (SwiftAuthFailed, "the Swift endpoint refused the translator's credentials"),
    403: (SwiftAuthFailed, "the Swift endpoint refused the translator access"),
    404: (exc.NotFound, "not found"),
    409: (exc.Conflict, "the Swift endpoint reported a conflict"),
    411: (exc.BackendError, "the Swift endpoint wanted a length"),
    413: (exc.QuotaExceeded, "the object or the account's quota is too large for the backend"),
    416: (exc.OutOfRange, "the requested range is past the end of the object"),
    422: (exc.BackendError, "the data reached the Swift endpoint corrupted (MD5 mismatch)"),
    429: (exc.BackendUnavailable, "the Swift endpoint is rate limiting requests"),
    498: (exc.BackendUnavailable, "the Swift endpoint is rate limiting requests"),
    507: (exc.CapacityExhausted, "the Swift endpoint is out of space"),
}

_AUTH_HINT = ("check [swift] auth_url, user and key (and with Keystone project_name and the "
              "domains)")
#: Errors about the request, not the backend: logged at info level.
_CALLER_ERRORS = (exc.NotFound, exc.AlreadyExists, exc.Conflict, exc.InvalidInput,
                  exc.OutOfRange)


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every non-empty secret replaced by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def not_found(what: str) -> exc.NotFound:
    return exc.NotFound(f"{what} not found", backend=BACKEND, backend_code="404")


def translate(error: BaseException, action: str, *, not_found: str = "",
              invalid_field: str = "", secrets: Iterable[str] = ()) -> exc.TranslatorError:
    """The translator error for ``error`` raised while doing ``action``.

    ``not_found`` replaces the message of a 404 (the caller knows what it asked
    for); ``invalid_field`` names the request field a 400 is about.
    """
    from swiftclient.exceptions import ClientException

    if isinstance(error, ClientException):
        return _from_client_exception(error, action, not_found, invalid_field, secrets)
    operator = redact(f"{action}: {type(error).__module__}.{type(error).__name__}: {error}",
                      secrets)
    cls, message = _transport_error(error)
    return cls(f"{action} failed: {message}", operator, backend=BACKEND)


def _from_client_exception(error, action: str, not_found: str, invalid_field: str,
                           secrets: Iterable[str]) -> exc.TranslatorError:
    status = error.http_status
    content = error.http_response_content or b""
    if isinstance(content, bytes):
        content = content[:60].decode("utf-8", "replace")
    where = f" ({error.http_path})" if error.http_path else ""
    txn = f" txn {error.transaction_id}" if error.transaction_id else ""
    if status is None:  # swiftclient's own complaint, no answer behind it
        operator = redact(f"{action}: {error.msg}", secrets)
        return SwiftMisconfigured(f"{action} failed: the Swift client could not make the "
                                  "request", operator, backend=BACKEND)
    operator = redact(f"{action}: HTTP {status} {error.http_reason}{where}{txn} "
                      f"{content}".rstrip(), secrets)
    if status in (401, 403):
        operator = f"{operator}; {_AUTH_HINT}"
    default = ((exc.BackendUnavailable, "the Swift endpoint failed; try again")
               if 500 <= status <= 599 else
               (exc.BackendError, "the Swift endpoint reported an error"))
    cls, what = STATUS_MAP.get(status, default)
    message = not_found if cls is exc.NotFound and not_found else f"{action} failed: {what}"
    kwargs = {"backend": BACKEND, "backend_code": str(status)}
    if cls is exc.InvalidInput:
        return exc.InvalidInput(message, field=invalid_field or None,
                                operator_message=operator, **kwargs)
    return cls(message, operator, **kwargs)


def _transport_error(error: BaseException) -> tuple[type[exc.TranslatorError], str]:
    """The class and caller message for an error without an HTTP answer to go by."""
    try:
        from keystoneauth1 import exceptions as ks
    except ImportError:  # pragma: no cover - keystoneauth1 is a requirement
        ks = None
    if ks is not None and isinstance(error, ks.ClientException):
        if isinstance(error, ks.Unauthorized | ks.Forbidden):
            return SwiftAuthFailed, "Keystone refused the translator's credentials"
        if isinstance(error, ks.CatalogException):
            return SwiftMisconfigured, ("Keystone's catalog has no matching object-store "
                                        "endpoint (check [swift] region_name, interface and "
                                        "service_type)")
        if isinstance(error, ks.SSLError):
            return SwiftMisconfigured, "TLS verification of Keystone failed"
        if isinstance(error, ks.ConnectionError | ks.HttpServerError):
            return exc.BackendUnavailable, "Keystone is unreachable or failing; try again"
        return exc.BackendError, "Keystone reported an error"
    if "SSLError" in {cls.__name__ for cls in type(error).__mro__}:
        return SwiftMisconfigured, ("TLS verification of the Swift endpoint failed (check "
                                    "[swift] ca_file and verify_ssl)")
    return exc.BackendUnavailable, "the Swift endpoint is unreachable or failed; try again"


def is_backend_error(error: BaseException) -> bool:
    """Whether ``error`` comes from talking to the backend (and ``translate`` applies)."""
    from swiftclient.exceptions import ClientException

    if isinstance(error, ClientException | socket.error):
        return True
    module = type(error).__module__ or ""
    return module.split(".")[0] in ("requests", "urllib3", "keystoneauth1", "http")


@contextlib.contextmanager
def mapped(action: str, *, not_found: str = "", invalid_field: str = "",
           secrets: Callable[[], Iterable[str]] = tuple) -> Iterator[None]:
    """Raise any backend error from the block as the translator's (``raise … from``)."""
    try:
        yield
    except exc.TranslatorError:
        raise
    except Exception as error:
        if not is_backend_error(error):
            raise
        translated = translate(error, action, not_found=not_found,
                               invalid_field=invalid_field, secrets=secrets())
        log = LOG.info if isinstance(translated, _CALLER_ERRORS) else LOG.error
        log("Swift: %s", translated.operator_message)
        raise translated from error
