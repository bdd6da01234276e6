"""Error mapping (one table, backend "swift", backend_code = the HTTP status), secrets kept
out of messages and logs, setup checks naming the option, auth v1 token renewal."""

from __future__ import annotations

import logging
import socket

import pytest
import requests
from swiftclient.exceptions import ClientException
from unit.drivers.swift.conftest import TEMP_URL_KEY, source

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.swift import errors
from translator_drivers.swift.errors import SwiftAuthFailed, SwiftMisconfigured


def client_error(status: int | None, content: bytes = b"") -> ClientException:
    return ClientException("Object GET failed", http_scheme="http", http_host="rgw",
                           http_port=7480, http_path="/swift/v1/c/o", http_query="x=1",
                           http_status=status, http_reason="Reason",
                           http_response_content=content,
                           http_response_headers={"X-Trans-Id": "tx-1"})


@pytest.mark.parametrize(("status", "cls", "retryable"), [
    (400, exc.InvalidInput, False),
    (401, SwiftAuthFailed, False),
    (403, SwiftAuthFailed, False),
    (404, exc.NotFound, False),
    (409, exc.Conflict, False),
    (413, exc.QuotaExceeded, False),
    (416, exc.OutOfRange, False),
    (422, exc.BackendError, False),
    (429, exc.BackendUnavailable, True),
    (500, exc.BackendUnavailable, True),
    (503, exc.BackendUnavailable, True),
    (507, exc.CapacityExhausted, True),
    (418, exc.BackendError, False),
])
def test_http_statuses_map_to_typed_errors(status, cls, retryable):
    error = errors.translate(client_error(status), "reading c/o")
    assert type(error) is cls and error.retryable is retryable
    assert (error.backend, error.backend_code) == ("swift", str(status))
    assert "tx-1" in error.operator_message and "x=1" not in error.operator_message


def test_a_401_is_a_backend_error_naming_the_options():
    error = errors.translate(client_error(401), "HEAD of the account")
    assert isinstance(error, exc.BackendError)
    assert "[swift] auth_url, user and key" in error.operator_message


def test_transport_errors_are_retryable_unavailability():
    for raised in (requests.exceptions.ConnectionError("refused"),
                   requests.exceptions.ReadTimeout("slow"), TimeoutError("slow")):
        error = errors.translate(raised, "listing")
        assert isinstance(error, exc.BackendUnavailable) and error.retryable
    assert isinstance(errors.translate(client_error(None), "x"), SwiftMisconfigured)


def test_messages_never_carry_secrets():
    token, key = "AUTH_tk_secret_token", "the-swift-key"
    raised = client_error(403, f"denied {token} {key}".encode())
    error = errors.translate(raised, "x", secrets=(token, key, ""))
    assert token not in error.operator_message and key not in error.operator_message
    assert "***" in error.operator_message


def test_not_found_names_what_was_asked_for():
    error = errors.translate(client_error(404), "x", not_found="container 'c' not found")
    assert error.user_message == "container 'c' not found"
    with pytest.raises(KeyError), errors.mapped("x"):  # not a backend error: untouched
        raise KeyError("k")


def test_a_wrong_key_fails_the_setup_check_naming_the_option(make_driver, ceph, caplog):
    driver = make_driver(key="wrong-key-123", setup=False)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SwiftAuthFailed) as caught:
        driver.check_setup()
    error = caught.value
    assert "[swift] user and key" in error.user_message and error.backend_code == "401"
    logged = caplog.text + error.user_message + error.operator_message
    assert "wrong-key-123" not in logged and ceph.swift_key not in logged


def test_an_unreachable_endpoint_fails_the_setup_check(make_driver):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    driver = make_driver(auth_url=f"http://127.0.0.1:{port}/auth/1.0", setup=False)
    with pytest.raises(exc.BackendUnavailable) as caught:
        driver.check_setup()
    assert caught.value.retryable and "[swift] auth_url" in caught.value.user_message
    empty = make_driver(auth_url="", setup=False)
    with pytest.raises(SwiftMisconfigured, match="not configured"):
        empty.check_setup()


def test_no_token_or_key_reaches_the_logs(driver, container, raw, caplog):
    caplog.set_level(logging.DEBUG)
    for call in (lambda: driver.head_object(container, "missing"),
                 lambda: driver.delete_object(container, "missing"),
                 lambda: driver.put_object(models.ObjectSpec("no-such-c", "x"), source(b"x"))):
        with pytest.raises(exc.NotFound):
            call()
    raw.get_auth()
    secrets = [driver.pool.storage_url() and driver.pool._token, raw.token, TEMP_URL_KEY,
               driver.opts.key]
    assert "404" in caplog.text  # swiftclient logged the failures, redacted
    for secret in secrets:  # swiftclient by itself would log the first 16 characters
        assert secret and secret[:16] not in caplog.text


def test_an_expired_auth_v1_token_is_renewed(make_driver, container):
    driver = make_driver()
    driver.pool._token = "AUTH_rgwtk_expired"  # what new Connections start with
    driver.pool._idle.clear()
    driver.put_object(models.ObjectSpec(container, "after-renewal"), source(b"ok"))
    assert driver.pool._token != "AUTH_rgwtk_expired"  # the renewed token is shared
    assert driver.head_object(container, "after-renewal").size_bytes == 2


def test_setup_rotates_the_account_key_to_the_configured_one(make_driver, raw):
    raw.post_account({"X-Account-Meta-Temp-URL-Key": "changed-by-someone",
                      "X-Account-Meta-Temp-URL-Key-2": ""})
    checked = make_driver(setup=False)
    with pytest.raises(SwiftMisconfigured) as caught:
        checked.check_setup()
    assert "temp_url_key" in caught.value.operator_message
    make_driver()  # setup() stores the configured key; the replaced one becomes key 2
    account = raw.head_account()
    assert account["x-account-meta-temp-url-key"] == TEMP_URL_KEY
    assert account["x-account-meta-temp-url-key-2"] == "changed-by-someone"
    checked.check_setup()
    other = make_driver(temp_url_key="key-of-another-translator")
    other.check_setup()
    checked.check_setup()  # both keys verify: two translators can share the account
    make_driver()  # neither is touched when the configured key is one of them
    assert raw.head_account()["x-account-meta-temp-url-key"] == "key-of-another-translator"
