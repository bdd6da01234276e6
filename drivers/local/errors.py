"""Typed errors of the local object storage driver, and the map from OSError and sqlite3."""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
from collections.abc import Iterator

from translator.drivers import exceptions as exc

LOG = logging.getLogger(__name__)

BACKEND = "local"

#: errno values that mean the disk is full: worth a retry once space is freed.
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def no_container(name: str) -> exc.NotFound:
    return exc.NotFound(f"container {name!r} does not exist", backend=BACKEND)


def no_object(container: str, name: str) -> exc.NotFound:
    return exc.NotFound(f"object {name!r} does not exist in container {container!r}",
                        backend=BACKEND)


def bad_token(detail: str) -> exc.InvalidInput:
    return exc.InvalidInput(f"page_token is not a token this listing returned ({detail})",
                            field="page_token", backend=BACKEND)


@contextlib.contextmanager
def mapped(action: str) -> Iterator[None]:
    """Turn the disk's and the index's failures during ``action`` into typed errors."""
    try:
        yield
    except exc.TranslatorError:
        raise
    except OSError as error:
        code = errno.errorcode.get(error.errno or 0, "")
        if error.errno in _NO_SPACE:
            raise exc.CapacityExhausted(
                f"{action} failed: the local object store's disk is full",
                f"{action}: {error}", backend=BACKEND, backend_code=code) from error
        raise exc.BackendError(
            f"{action} failed: the local object store could not use its files",
            f"{action}: {error}", backend=BACKEND, backend_code=code) from error
    except sqlite3.OperationalError as error:
        # "database is locked" (another process held it past the busy timeout), or I/O.
        raise exc.BackendUnavailable(
            f"{action} failed: the local object index is busy or unreadable; retry",
            f"{action}: sqlite: {error}", backend=BACKEND,
            backend_code=getattr(error, "sqlite_errorname", "")) from error
    except sqlite3.Error as error:
        raise exc.BackendError(
            f"{action} failed: the local object index is damaged",
            f"{action}: sqlite: {error}", backend=BACKEND,
            backend_code=getattr(error, "sqlite_errorname", "")) from error
