"""rbd and rados errors → the translator's typed errors, in one context manager.

The bindings raise parallel trees (``rbd.Error`` and ``rados.Error``, each an
errno-carrying OSError family). One table keyed on the class names maps both,
walking the class's ancestry, so this module imports neither binding and the
[ceph] options stay usable without them.

Ceph's messages name pools, images and snapshots, never a key; still, the
caller gets a message written here, and Ceph's own text goes only to the
operator log.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from translator.drivers import exceptions as exc

LOG = logging.getLogger(__name__)

BACKEND = "ceph"


class CephMisconfigured(exc.BackendUnavailable):
    """The cluster answers but cannot be used as configured (a missing pool, bad features)."""

    reason = "BACKEND_MISCONFIGURED"
    retryable = False


#: Class name in rbd/rados → (the error it becomes, what to tell the caller).
ERROR_MAP: dict[str, tuple[type[exc.TranslatorError], str]] = {
    "ImageNotFound": (exc.NotFound, "not found"),
    "ObjectNotFound": (exc.NotFound, "not found"),
    "ImageExists": (exc.AlreadyExists, "already exists"),
    "ObjectExists": (exc.AlreadyExists, "already exists"),
    "ImageBusy": (exc.Conflict, "the image is busy (in use by a client, or it has clones)"),
    "ObjectBusy": (exc.Conflict, "the object is busy"),
    "ImageHasSnapshots": (exc.Conflict, "the image has snapshots"),
    "ReadOnlyImage": (exc.Conflict, "the image is read-only"),
    "InvalidArgument": (exc.InvalidInput, "Ceph rejected an argument"),
    "InvalidArgumentError": (exc.InvalidInput, "Ceph rejected an argument"),
    "ArgumentOutOfRange": (exc.InvalidInput, "a value is out of Ceph's range"),
    "NoSpace": (exc.CapacityExhausted, "the Ceph cluster is out of space"),
    "DiskQuotaExceeded": (exc.QuotaExceeded, "the pool's quota is exhausted"),
    "PermissionError": (exc.BackendError, "the Ceph user lacks a permission"),
    "PermissionDeniedError": (exc.BackendError, "the Ceph user lacks a permission"),
    "TimedOut": (exc.BackendUnavailable, "the Ceph cluster did not answer in time"),
    "Timeout": (exc.BackendUnavailable, "the Ceph cluster did not answer in time"),
    "InterruptedOrTimeoutError": (exc.BackendUnavailable,
                                  "the Ceph cluster did not answer in time"),
    "ConnectionShutdown": (exc.BackendUnavailable, "the connection to Ceph was closed"),
    "NotConnected": (exc.BackendUnavailable, "not connected to the Ceph cluster"),
    "InProgress": (exc.Aborted, "another operation on it is in progress"),
    "FunctionNotSupported": (exc.UnsupportedOperation, "this Ceph cluster does not support it"),
    "OperationNotSupported": (exc.UnsupportedOperation,
                              "this Ceph cluster does not support it"),
}

#: Errors after which the cluster handle itself is suspect (the connection is redone).
CONNECTION_ERRORS = frozenset({"ConnectionShutdown", "NotConnected"})

#: Errors about the request, not the cluster: logged at info level.
_CALLER_ERRORS = (exc.NotFound, exc.AlreadyExists, exc.Conflict, exc.InvalidInput)

_PERMISSION_HINT = ("check the caps of the cephx user ([ceph] rbd_user), e.g. "
                    "\"mon 'profile rbd' osd 'profile rbd pool=<pool>'\"")


def not_found(kind: str, ident: str) -> exc.NotFound:
    return exc.NotFound(f"{kind} {ident!r} not found", backend=BACKEND)


def is_ceph_error(error: BaseException) -> bool:
    return any(cls.__module__ in ("rbd", "rados") and cls.__name__ == "Error"
               for cls in type(error).__mro__)


def kind(error: BaseException) -> str:
    """The name of the most specific mapped class ``error`` is an instance of ("" if none)."""
    for cls in type(error).__mro__:
        if cls.__name__ in ERROR_MAP:
            return cls.__name__
    return ""


def translate(error: BaseException, action: str, *, not_found: str = "",
              busy: type[exc.TranslatorError] | None = None) -> exc.TranslatorError:
    """The translator error for a Ceph ``error`` raised while doing ``action``.

    ``not_found`` replaces the message of a NotFound (the caller knows what it
    asked for); ``busy`` replaces the class of an ImageBusy (a delete retries).
    """
    name = kind(error)
    cls, what = ERROR_MAP.get(name, (exc.BackendError, "Ceph reported an error"))
    errno = getattr(error, "errno", None)
    operator = f"{action}: {type(error).__module__}.{type(error).__name__}: {error}"
    if name in ("PermissionError", "PermissionDeniedError"):
        operator = f"{operator}; {_PERMISSION_HINT}"
    if cls is exc.NotFound and not_found:
        message = not_found
    else:
        message = f"{action} failed: {what}"
    if name == "ImageBusy" and busy is not None:
        cls = busy
    kwargs = {"backend": BACKEND, "backend_code": str(errno) if errno else name}
    if cls is exc.InvalidInput:
        return exc.InvalidInput(message, operator_message=operator, **kwargs)
    return cls(message, operator, **kwargs)


@contextlib.contextmanager
def mapped(action: str, *, not_found: str = "",
           busy: type[exc.TranslatorError] | None = None) -> Iterator[None]:
    """Raise any rbd/rados error from the block as the translator's (``raise … from``)."""
    try:
        yield
    except exc.TranslatorError:
        raise
    except Exception as error:
        if not is_ceph_error(error):
            raise
        translated = translate(error, action, not_found=not_found, busy=busy)
        log = LOG.info if isinstance(translated, _CALLER_ERRORS) else LOG.error
        log("Ceph: %s", translated.operator_message)
        raise translated from error
