"""Temp URLs checked by the real radosgw with plain urllib: GET, PUT, refusals.

Facts measured on RGW 16.2: it verifies HMAC-SHA1 signatures only (sha256 and sha512 get
403), over the decoded path; a bad signature is 403, an expired URL 401."""

from __future__ import annotations

import datetime
import urllib.error
import urllib.request

import pytest
from unit.drivers.swift.conftest import TEMP_URL_KEY, read_all, source

from translator.drivers import exceptions as exc
from translator.drivers import models


def fetch(url: str, method: str = "GET", data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_setup_stores_the_key_on_the_account(driver, raw):
    account = raw.head_account()
    assert TEMP_URL_KEY in (account["x-account-meta-temp-url-key"],
                            account.get("x-account-meta-temp-url-key-2"))
    driver.check_setup()


def test_a_get_url_reads_the_object(driver, container):
    name = "dir/a file ü.txt"  # signed decoded, sent quoted
    driver.put_object(models.ObjectSpec(container, name), source(b"shared bytes"))
    before = datetime.datetime.now(datetime.UTC)
    signed = driver.create_temp_url(container, name, models.TEMP_URL_GET, 60)
    assert signed.method == "GET" and "temp_url_sig=" in signed.url
    assert before + datetime.timedelta(seconds=58) <= signed.expires_at
    assert signed.expires_at <= before + datetime.timedelta(seconds=62)
    assert TEMP_URL_KEY not in signed.url
    assert fetch(signed.url) == (200, b"shared bytes")
    assert fetch(signed.url, "PUT", b"overwrite")[0] in (401, 403)  # signed for GET only


def test_a_put_url_stores_an_object(driver, container):
    signed = driver.create_temp_url(container, "uploaded", models.TEMP_URL_PUT, 60)
    assert fetch(signed.url, "PUT", b"via temp url")[0] == 201
    assert read_all(driver.open_object(container, "uploaded")) == b"via temp url"


def test_a_tampered_signature_is_refused(driver, container):
    driver.put_object(models.ObjectSpec(container, "secret"), source(b"private"))
    signed = driver.create_temp_url(container, "secret", models.TEMP_URL_GET, 60)
    sig = signed.url.split("temp_url_sig=")[1][:40]
    tampered = signed.url.replace(sig, ("0" if sig[0] != "0" else "1") + sig[1:])
    status, _ = fetch(tampered)
    assert status == 403  # RGW 16.2 answers 403 AccessDenied (Swift answers 401)
    other_object = signed.url.replace("/secret?", "/secret2?")
    assert fetch(other_object)[0] in (401, 403)


def test_without_a_key_temp_urls_are_unsupported(make_driver, container):
    keyless = make_driver(temp_url_key="", setup=False)
    with pytest.raises(exc.UnsupportedOperation, match=r"\[swift\] temp_url_key"):
        keyless.create_temp_url(container, "x", models.TEMP_URL_GET, 60)
    ops = {op.name: op for op in keyless.capabilities().operations}
    assert ops["CreateTempUrl"].supported is False


def test_expiry_and_method_are_checked(driver, container):
    limit = driver.conf.object_storage.max_temp_url_seconds
    for expires in (0, limit + 1):
        with pytest.raises(exc.InvalidInput) as caught:
            driver.create_temp_url(container, "x", models.TEMP_URL_GET, expires)
        assert caught.value.violations[0].field == "expires_in_seconds"
    with pytest.raises(exc.InvalidInput):
        driver.create_temp_url(container, "x", "DELETE", 60)


def test_a_url_for_a_name_with_dot_segments(driver, container):
    driver.put_object(models.ObjectSpec(container, "a/../b"), source(b"dotted"))
    signed = driver.create_temp_url(container, "a/../b", models.TEMP_URL_GET, 60)
    assert "/a/%2E%2E/b?" in signed.url  # a client must not resolve it to /b
    assert fetch(signed.url) == (200, b"dotted")
    driver.delete_object(container, "a/../b")  # the tests' own swiftclient cannot
