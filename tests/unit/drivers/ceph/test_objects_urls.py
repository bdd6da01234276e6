"""Ceph object storage driver: temp URLs are S3 presigned URLs, used over real HTTP."""

from __future__ import annotations

import datetime
import time
import urllib.error
import urllib.request

import pytest
from unit.drivers.ceph.conftest import byte_source

from translator.drivers import exceptions as exc
from translator.drivers import models

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _http(method: str, url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with _NO_PROXY.open(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_get_url_serves_the_object_to_anyone(objects, bucket):
    objects.put_object(models.ObjectSpec(bucket, "shared file"), byte_source(b"for anyone"))
    before = datetime.datetime.now(datetime.UTC)
    url = objects.create_temp_url(bucket, "shared file", models.TEMP_URL_GET, 300)
    assert url.method == "GET"
    assert url.url.startswith(objects.conf.ceph.rgw_endpoint + f"/{bucket}/shared%20file?")
    assert "X-Amz-Signature=" in url.url and "X-Amz-Expires=300" in url.url
    assert before + datetime.timedelta(seconds=299) <= url.expires_at <= \
        datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=300)
    assert _http("GET", url.url) == (200, b"for anyone")
    assert _http("PUT", url.url, b"overwrite")[0] == 403  # the method is signed too


def test_a_put_url_stores_an_object(objects, bucket):
    url = objects.create_temp_url(bucket, "uploaded", models.TEMP_URL_PUT, 300)
    assert url.method == "PUT"
    assert _http("PUT", url.url, b"sent by a browser")[0] == 200
    head = objects.head_object(bucket, "uploaded")
    assert head.size_bytes == len(b"sent by a browser")
    download = objects.open_object(bucket, "uploaded")
    assert b"".join(download.chunks) == b"sent by a browser"
    download.close()


def test_a_tampered_url_is_refused(objects, bucket):
    objects.put_object(models.ObjectSpec(bucket, "secret"), byte_source(b"private"))
    url = objects.create_temp_url(bucket, "secret", models.TEMP_URL_GET, 300).url
    signature = url.rsplit("=", 1)[1]
    flipped = url[:-1] + ("0" if signature[-1] != "0" else "1")
    assert _http("GET", flipped)[0] == 403
    other = url.replace("/secret?", "/other?")
    assert _http("GET", other)[0] == 403
    longer = url.replace("X-Amz-Expires=300", "X-Amz-Expires=600")
    assert _http("GET", longer)[0] == 403


def test_an_expired_url_is_refused(objects, bucket):
    objects.put_object(models.ObjectSpec(bucket, "brief"), byte_source(b"soon gone"))
    url = objects.create_temp_url(bucket, "brief", models.TEMP_URL_GET, 1).url
    time.sleep(2.1)
    assert _http("GET", url)[0] == 403


def test_longer_than_seven_days_is_invalid(objects, bucket):
    with pytest.raises(exc.InvalidInput) as caught:
        objects.create_temp_url(bucket, "x", models.TEMP_URL_GET, 7 * 24 * 3600 + 1)
    assert caught.value.violations[0].field == "expires_in_seconds"
    assert objects.create_temp_url(bucket, "x", models.TEMP_URL_GET, 7 * 24 * 3600).url
