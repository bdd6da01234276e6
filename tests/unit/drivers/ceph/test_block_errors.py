"""rbd/rados errors → translator errors, and the shared connection's reconnects."""

from __future__ import annotations

import errno
import importlib
import threading

import pytest
from unit.drivers.ceph.conftest import build_conf, create

from ceph_session import require_ceph
from translator.drivers import exceptions as exc
from translator_drivers.ceph import rbd_errors
from translator_drivers.ceph.rbd_client import RadosConnection, user_id

CASES = [  # (module, class, errno, what it becomes, retryable)
    ("rbd", "ImageNotFound", errno.ENOENT, exc.NotFound, False),
    ("rados", "ObjectNotFound", errno.ENOENT, exc.NotFound, False),
    ("rbd", "ImageExists", errno.EEXIST, exc.AlreadyExists, False),
    ("rbd", "ImageBusy", errno.EBUSY, exc.Conflict, False),
    ("rbd", "ImageHasSnapshots", errno.ENOTEMPTY, exc.Conflict, False),
    ("rbd", "InvalidArgument", errno.EINVAL, exc.InvalidInput, False),
    ("rbd", "NoSpace", errno.ENOSPC, exc.CapacityExhausted, True),
    ("rbd", "DiskQuotaExceeded", errno.EDQUOT, exc.QuotaExceeded, False),
    ("rados", "PermissionError", errno.EPERM, exc.BackendError, False),
    ("rbd", "PermissionError", errno.EPERM, exc.BackendError, False),
    ("rados", "TimedOut", errno.ETIMEDOUT, exc.BackendUnavailable, True),
    ("rbd", "Timeout", errno.ETIMEDOUT, exc.BackendUnavailable, True),
    ("rados", "ConnectionShutdown", None, exc.BackendUnavailable, True),
    ("rbd", "FunctionNotSupported", errno.ENOSYS, exc.UnsupportedOperation, False),
    ("rbd", "IOError", errno.EIO, exc.BackendError, False),
    ("rados", "Error", None, exc.BackendError, False),
]


@pytest.fixture(autouse=True)
def _bindings():
    """The real binding classes are needed (skipped without Ceph; a failure in CI)."""
    require_ceph()


def _error(module: str, name: str, code: int | None) -> Exception:
    cls = getattr(importlib.import_module(module), name)
    return cls("x", errno=code) if code is not None else cls("x")


@pytest.mark.parametrize(("module", "name", "code", "expected", "retryable"), CASES,
                         ids=[f"{c[0]}.{c[1]}" for c in CASES])
def test_every_ceph_error_becomes_a_typed_error(module, name, code, expected, retryable):
    error = _error(module, name, code)
    with pytest.raises(expected) as raised, rbd_errors.mapped("doing a thing"):
        raise error
    translated = raised.value
    assert type(translated) is expected and translated.retryable is retryable
    assert translated.__cause__ is error
    assert translated.backend == "ceph"
    assert translated.user_message.startswith("doing a thing failed")
    assert name in translated.operator_message
    if code:
        assert translated.backend_code == str(code)


def test_not_found_and_busy_can_be_said_by_the_caller():
    with pytest.raises(exc.NotFound) as missing, \
            rbd_errors.mapped("reading", not_found="volume 'v' not found"):
        raise _error("rbd", "ImageNotFound", errno.ENOENT)
    assert missing.value.user_message == "volume 'v' not found"
    with pytest.raises(exc.Aborted), rbd_errors.mapped("deleting", busy=exc.Aborted):
        raise _error("rbd", "ImageBusy", errno.EBUSY)


def test_permission_errors_tell_the_operator_what_to_check():
    with pytest.raises(exc.BackendError) as denied, rbd_errors.mapped("cloning"):
        raise _error("rados", "PermissionError", errno.EPERM)
    assert "caps" in denied.value.operator_message
    assert "caps" not in denied.value.user_message


def test_other_errors_pass_through():
    with pytest.raises(KeyError), rbd_errors.mapped("x"):
        raise KeyError("not Ceph's")
    original = exc.Conflict("already typed")
    with pytest.raises(exc.Conflict) as raised, rbd_errors.mapped("x"):
        raise original
    assert raised.value is original


def test_user_ids_drop_the_client_prefix():
    assert [user_id(n) for n in ("client.cinder", "cinder", "", " client.admin ")] == \
        ["cinder", "cinder", "", "admin"]


def test_a_dead_handle_is_replaced_and_shut_down_after_its_last_user(ceph):
    conn = RadosConnection(build_conf(ceph).ceph)
    conn.connect()
    holding, release = threading.Event(), threading.Event()
    seen = {}

    def long_user():
        with conn.cluster() as cluster:
            seen["long"] = cluster
            holding.set()
            release.wait(10)
            seen["state while held"] = cluster.state
    user = threading.Thread(target=long_user)
    user.start()
    assert holding.wait(10)
    with pytest.raises(Exception, match="the handle died"), conn.cluster() as dying:
        raise _error("rados", "ConnectionShutdown", None).__class__("the handle died")
    with conn.cluster() as fresh:
        assert fresh is not dying and fresh.state == "connected"
        assert fresh.get_fsid() == ceph.fsid
    release.set()
    user.join(10)
    assert seen["long"] is dying and seen["state while held"] == "connected"
    assert dying.state == "shutdown"  # once its last user was done
    conn.close()
    assert fresh.state == "shutdown"


def test_the_driver_reconnects_after_close(make_driver):
    driver = make_driver()
    volume_id = create(driver, 1)
    driver.close()
    assert driver.get_volume(volume_id).id == volume_id
