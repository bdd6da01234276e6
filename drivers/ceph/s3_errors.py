"""botocore errors from radosgw's S3 API → the translator's typed errors, in one place.

An S3 error answer (``ClientError``) is mapped by its S3 error code, then by its
HTTP status; errors that never reached radosgw (connection refused, timeouts, a
broken stream) are retryable BackendUnavailable. ``backend_code`` is the S3 error
code (or botocore's exception name).

No message here, for the caller or the operator, quotes the error body beyond its
code and message: an AWS-style body may echo the access key (``AWSAccessKeyId``)
or the string that was signed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from translator.drivers import exceptions as exc

LOG = logging.getLogger(__name__)

BACKEND = "ceph"

_CREDENTIALS_HINT = ("radosgw refused the credentials: check [ceph] rgw_access_key and "
                     "rgw_secret_key (a radosgw user's S3 keys) and the server's clock")

#: S3 error code → (the error it becomes, what to tell the caller).
ERROR_MAP: dict[str, tuple[type[exc.TranslatorError], str]] = {
    "NoSuchBucket": (exc.NotFound, "the container does not exist"),
    "NoSuchKey": (exc.NotFound, "the object does not exist"),
    "NotFound": (exc.NotFound, "not found"),
    "404": (exc.NotFound, "not found"),
    "NoSuchUpload": (exc.Aborted, "the multipart upload was aborted meanwhile"),
    "BucketNotEmpty": (exc.Conflict, "the container is not empty"),
    "BucketAlreadyExists": (exc.AlreadyExists, "the container already exists"),
    "BucketAlreadyOwnedByYou": (exc.AlreadyExists, "the container already exists"),
    "InvalidRange": (exc.OutOfRange, "the range starts past the end of the object"),
    "InvalidBucketName": (exc.InvalidInput, "the name is not a valid S3 bucket name"),
    "InvalidTag": (exc.InvalidInput, "the metadata does not fit S3 bucket tags"),
    "KeyTooLongError": (exc.InvalidInput, "the object name is too long for S3"),
    "MetadataTooLarge": (exc.InvalidInput, "the metadata is too large for S3"),
    "EntityTooLarge": (exc.QuotaExceeded, "the object is larger than radosgw accepts"),
    "QuotaExceeded": (exc.QuotaExceeded, "the radosgw user's or bucket's quota is exhausted"),
    "TooManyBuckets": (exc.QuotaExceeded, "the radosgw user has its maximum of buckets"),
    "BadDigest": (exc.BackendUnavailable, "the data was damaged on its way to radosgw"),
    "IncompleteBody": (exc.BackendUnavailable, "radosgw received less data than was sent"),
    "RequestTimeout": (exc.BackendUnavailable, "radosgw timed out reading the request"),
    "SlowDown": (exc.BackendUnavailable, "radosgw asks to slow down"),
    "ServiceUnavailable": (exc.BackendUnavailable, "radosgw is unavailable"),
    "InternalError": (exc.BackendUnavailable, "radosgw failed internally"),
    "AccessDenied": (exc.BackendError, "radosgw refused access"),
    "SignatureDoesNotMatch": (exc.BackendError, "radosgw refused the request signature"),
    "InvalidAccessKeyId": (exc.BackendError, "radosgw does not know the access key"),
    "RequestTimeTooSkewed": (exc.BackendError, "the server's clock differs from radosgw's"),
    "MethodNotAllowed": (exc.UnsupportedOperation, "radosgw does not allow this"),
    "NotImplemented": (exc.UnsupportedOperation, "radosgw does not implement this"),
}

#: HTTP status → error, for codes not in ERROR_MAP.
STATUS_MAP: dict[int, tuple[type[exc.TranslatorError], str]] = {
    404: (exc.NotFound, "not found"),
    409: (exc.Conflict, "radosgw reported a conflict"),
    416: (exc.OutOfRange, "the range starts past the end of the object"),
    403: (exc.BackendError, "radosgw refused access"),
}

#: Codes whose operator message gets the credentials hint.
_CREDENTIAL_CODES = frozenset({"AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId",
                               "RequestTimeTooSkewed", "403"})
#: Codes that a caller's request explains: logged at info level.
_CALLER_ERRORS = (exc.NotFound, exc.AlreadyExists, exc.Conflict, exc.InvalidInput,
                  exc.OutOfRange)
#: What the caller's field is for InvalidInput codes.
_FIELDS = {"InvalidBucketName": "name", "InvalidTag": "metadata", "KeyTooLongError": "name",
           "MetadataTooLarge": "metadata"}


def no_container(name: str) -> exc.NotFound:
    return exc.NotFound(f"container {name!r} does not exist", backend=BACKEND,
                        backend_code="NoSuchBucket")


def no_object(container: str, name: str) -> exc.NotFound:
    return exc.NotFound(f"object {name!r} does not exist in container {container!r}",
                        backend=BACKEND, backend_code="NoSuchKey")


def error_code(error: BaseException) -> str:
    """The S3 error code of a ClientError ("" for anything else)."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return ""
    return str(response.get("Error", {}).get("Code", "") or "")


def http_status(error: BaseException) -> int:
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return 0
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


#: botocore exceptions that are not an S3 answer, by class name (the first match in
#: the error's ancestry wins) → (error, what to tell the caller, what to check).
CLIENT_MAP: dict[str, tuple[type[exc.TranslatorError], str, str]] = {
    "SSLError": (exc.BackendUnavailable, "radosgw's TLS certificate was not accepted",
                 "check [ceph] rgw_endpoint, rgw_verify_tls and rgw_ca_bundle"),
    "ConnectionError": (exc.BackendUnavailable, "radosgw did not answer",
                        "check [ceph] rgw_endpoint"),
    "HTTPClientError": (exc.BackendUnavailable, "the connection to radosgw failed", ""),
    "IncompleteReadError": (exc.BackendUnavailable, "the connection to radosgw broke", ""),
    "ProtocolError": (exc.BackendUnavailable, "the connection to radosgw broke", ""),
    "NoCredentialsError": (exc.BackendError, "no S3 credentials are configured",
                           "set [ceph] rgw_access_key and rgw_secret_key"),
    # A name boto3 refuses to send (e.g. a bucket name with characters S3 forbids).
    "ParamValidationError": (exc.InvalidInput, "the request does not fit S3's rules", ""),
}


def translate(error: BaseException, action: str, *, container: str = "",
              name: str = "") -> exc.TranslatorError:
    """The translator error for a botocore ``error`` raised while doing ``action``.

    ``container`` and ``name`` say what was asked for: a NoSuchBucket names the
    container, a NoSuchKey (or a bare 404 of a HEAD) the object.
    """
    code = error_code(error)
    if hasattr(error, "response") and (code or http_status(error)):
        cls, what, operator, backend_code = _answer(error, action)
    else:
        ancestry = [c.__name__ for c in type(error).__mro__]
        key = next((n for n in ancestry if n in CLIENT_MAP), "")
        cls, what, hint = CLIENT_MAP.get(key, (exc.BackendError, "the S3 client failed", ""))
        operator = f"{action}: {type(error).__name__}: {error}" + (f"; {hint}" if hint else "")
        backend_code = type(error).__name__
    if cls is exc.NotFound and name and backend_code in ("NoSuchKey", "404", "NotFound"):
        user = no_object(container, name).user_message
    elif cls is exc.NotFound and container and backend_code != "NoSuchKey":
        user = no_container(container).user_message
    else:
        user = f"{action} failed: {what}"
    if cls is exc.InvalidInput:
        return exc.InvalidInput(user, field=_FIELDS.get(backend_code), operator_message=operator,
                                backend=BACKEND, backend_code=backend_code)
    return cls(user, operator, backend=BACKEND, backend_code=backend_code)


def _answer(error: BaseException, action: str
            ) -> tuple[type[exc.TranslatorError], str, str, str]:
    """(error class, caller's text, operator's text, backend code) of an S3 error answer."""
    code, status = error_code(error), http_status(error)
    cls, what = ERROR_MAP.get(code) or STATUS_MAP.get(status) or (
        (exc.BackendUnavailable, "radosgw failed") if status >= 500 else
        (exc.BackendError, "radosgw refused the request"))
    message = getattr(error, "response", {}).get("Error", {}).get("Message") or ""
    operator = f"{action}: S3 {code or status} (HTTP {status})" + (
        f": {message}" if message else "")
    if code in _CREDENTIAL_CODES or (not code and status == 403):
        operator = f"{operator}; {_CREDENTIALS_HINT}"
    if code in ("MissingContentLength", "XAmzContentSHA256Mismatch"):
        operator = (f"{operator}; this radosgw may not accept boto3's checksum trailers: "
                    "set [ceph] rgw_request_checksums = when_required")
    return cls, what, operator, code or str(status)


def is_botocore_error(error: BaseException) -> bool:
    return type(error).__module__.startswith(("botocore", "urllib3", "s3transfer"))


@contextlib.contextmanager
def mapped(action: str, *, container: str = "", name: str = "") -> Iterator[None]:
    """Raise any botocore error from the block as the translator's (``raise … from``)."""
    try:
        yield
    except exc.TranslatorError:
        raise
    except Exception as error:
        if not is_botocore_error(error):
            raise
        translated = translate(error, action, container=container, name=name)
        log = LOG.info if isinstance(translated, _CALLER_ERRORS) else LOG.error
        log("Ceph RGW: %s", translated.operator_message)
        raise translated from error
