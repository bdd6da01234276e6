"""Ceph object storage driver: [ceph] rgw_* options, the setup check, error mapping and
capabilities."""

from __future__ import annotations

import logging
import socket

import botocore.exceptions
import pytest
from unit.drivers.ceph.conftest import build_object_conf

from translator.api.v1 import object_storage_pb2
from translator.drivers import exceptions as exc
from translator_drivers.ceph import conf as ceph_conf
from translator_drivers.ceph import s3_client
from translator_drivers.ceph.objects import CephObjectStorageDriver
from translator_drivers.ceph.s3_errors import translate

RGW_OPTIONS = {"rgw_endpoint", "rgw_access_key", "rgw_secret_key", "rgw_region",
               "rgw_verify_tls", "rgw_ca_bundle", "rgw_connect_timeout", "rgw_read_timeout",
               "rgw_max_attempts", "rgw_request_checksums"}


def _driver(ceph, **ceph_opts) -> CephObjectStorageDriver:
    return CephObjectStorageDriver(build_object_conf(ceph, ceph_opts=ceph_opts))


def _client_error(code: str, status: int) -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": "", "AWSAccessKeyId": "AKIDLEAKED"},
         "ResponseMetadata": {"HTTPStatusCode": status}}, "AnyOperation")


def test_the_rgw_options_are_in_the_ceph_group_and_the_keys_are_secret():
    rgw = {o.name: o for o in ceph_conf.opts if o.name.startswith("rgw_")}
    assert set(rgw) == RGW_OPTIONS
    assert {name for name, o in rgw.items() if o.secret} == {"rgw_access_key",
                                                             "rgw_secret_key"}
    assert all(o.help.endswith(".") and o.help[0].isupper() for o in rgw.values())


def test_the_client_follows_the_options(ceph):
    driver = _driver(ceph, rgw_connect_timeout=2.5, rgw_read_timeout=7.0, rgw_max_attempts=5,
                     rgw_region="default")
    driver.setup()
    try:
        config = driver.client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (2.5, 7.0)
        assert config.retries == {"mode": "standard", "total_max_attempts": 5}
        assert config.s3 == {"addressing_style": "path"}
        assert config.request_checksum_calculation == "when_supported"  # http
        assert driver.client.meta.region_name == "default"
        # The core's threads (32 + 16 by default) and the driver's own may all call at once.
        assert config.max_pool_connections >= 32 + 16 + 2 * 4
        driver.check_setup()  # any region name signs for radosgw
    finally:
        driver.close()


def test_checksums_and_tls_verification_choices(ceph):
    opts = build_object_conf(ceph).ceph
    assert s3_client.checksum_calculation(opts) == "when_supported"
    https = build_object_conf(ceph, ceph_opts={"rgw_endpoint": "https://rgw.example:443"})
    # radosgw 16.2 rejects boto3's aws-chunked checksum trailers, used only over https.
    assert s3_client.checksum_calculation(https.ceph) == "when_required"
    forced = build_object_conf(ceph, ceph_opts={"rgw_endpoint": "https://rgw.example:443",
                                                "rgw_request_checksums": "when_supported"})
    assert s3_client.checksum_calculation(forced.ceph) == "when_supported"
    assert s3_client.verify(opts) is None
    bundle = build_object_conf(ceph, ceph_opts={"rgw_ca_bundle": "/etc/rgw-ca.pem"})
    assert s3_client.verify(bundle.ceph) == "/etc/rgw-ca.pem"
    off = build_object_conf(ceph, ceph_opts={"rgw_verify_tls": False,
                                             "rgw_ca_bundle": "/etc/rgw-ca.pem"})
    assert s3_client.verify(off.ceph) is False


@pytest.mark.parametrize("options,named", [
    ({"rgw_endpoint": ""}, "rgw_endpoint"),
    ({"rgw_endpoint": "rgw.example:7480"}, "rgw_endpoint"),
    ({"rgw_secret_key": ""}, "rgw_secret_key"),
])
def test_unusable_options_are_refused_at_setup_naming_them(ceph, options, named):
    with pytest.raises(exc.BackendUnavailable) as caught:
        _driver(ceph, **options).setup()
    assert named in caught.value.operator_message
    assert not caught.value.retryable


@pytest.mark.parametrize("options,code,named", [
    ({"rgw_secret_key": "wrong-secret-key-0123456789"}, "SignatureDoesNotMatch",
     "rgw_secret_key"),
    ({"rgw_access_key": "WRONGACCESSKEY0123"}, "InvalidAccessKeyId", "rgw_access_key"),
])
def test_the_setup_check_refuses_bad_keys_without_showing_them(ceph, caplog, options, code,
                                                               named):
    driver = _driver(ceph, **options)
    caplog.set_level(logging.DEBUG, logger="translator_drivers")
    try:
        with pytest.raises(exc.BackendError) as caught:
            driver.check_setup()
    finally:
        driver.close()
    error = caught.value
    assert (error.backend, error.backend_code, error.retryable) == ("ceph", code, False)
    assert named in error.operator_message
    shown = " ".join([error.user_message, error.operator_message, caplog.text])
    for secret in (*options.values(), ceph.s3_secret_key, ceph.s3_access_key):
        assert secret not in shown


def test_the_setup_check_says_when_radosgw_does_not_answer(ceph):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    driver = _driver(ceph, rgw_endpoint=f"http://127.0.0.1:{port}", rgw_max_attempts=1,
                     rgw_connect_timeout=1.0)
    try:
        with pytest.raises(exc.BackendUnavailable) as caught:
            driver.check_setup()
    finally:
        driver.close()
    assert caught.value.retryable
    assert "rgw_endpoint" in caught.value.operator_message


@pytest.mark.parametrize("code,status,cls", [
    ("NoSuchBucket", 404, exc.NotFound), ("NoSuchKey", 404, exc.NotFound),
    ("BucketNotEmpty", 409, exc.Conflict), ("InvalidRange", 416, exc.OutOfRange),
    ("BucketAlreadyExists", 409, exc.AlreadyExists), ("AccessDenied", 403, exc.BackendError),
    ("SlowDown", 503, exc.BackendUnavailable), ("", 502, exc.BackendUnavailable),
    ("EntityTooLarge", 400, exc.QuotaExceeded), ("QuotaExceeded", 403, exc.QuotaExceeded),
    ("InvalidBucketName", 400, exc.InvalidInput), ("Whatever", 400, exc.BackendError),
])
def test_s3_error_codes_map_to_typed_errors(code, status, cls):
    error = translate(_client_error(code, status), "do it", container="bkt", name="obj")
    assert type(error) is cls
    assert (error.backend, error.backend_code) == ("ceph", code or str(status))
    assert "AKIDLEAKED" not in error.user_message + error.operator_message


def test_not_found_names_the_container_or_the_object():
    bucket = translate(_client_error("NoSuchBucket", 404), "x", container="bkt", name="obj")
    key = translate(_client_error("NoSuchKey", 404), "x", container="bkt", name="obj")
    assert "container 'bkt'" in bucket.user_message
    assert "object 'obj'" in key.user_message


def test_connection_failures_are_retryable_unavailable():
    error = translate(botocore.exceptions.EndpointConnectionError(endpoint_url="http://x"),
                      "read")
    assert (type(error), error.retryable) == (exc.BackendUnavailable, True)
    assert "rgw_endpoint" in error.operator_message


def test_capabilities_cover_every_rpc_and_say_how_rgw_does_it(objects):
    caps = objects.capabilities()
    service = object_storage_pb2.DESCRIPTOR.services_by_name["ObjectStorage"]
    assert (caps.api, caps.driver) == ("object_storage", "ceph")
    assert [o.name for o in caps.operations] == [m.name for m in service.methods]
    assert all(o.supported and o.note for o in caps.operations)
    notes = " ".join(caps.notes)
    for fact in ("Ceph RGW", "secondary storage", "multipart", str(5 * 1024**2), "md5",
                 "bucket tags", "server side", "presigned", "SigV4", "7 days"):
        assert fact in notes, fact


def test_the_cluster_points_both_object_drivers_at_its_radosgw(ceph):
    overrides = ceph.config_overrides()
    assert ceph.objectstore == "bluestore"  # the session's cluster, for large objects
    assert {k: overrides["ceph"][k] for k in ("rgw_endpoint", "rgw_access_key",
                                              "rgw_secret_key")} == {
        "rgw_endpoint": ceph.rgw_endpoint, "rgw_access_key": ceph.s3_access_key,
        "rgw_secret_key": ceph.s3_secret_key}
    assert overrides["swift"] == {"auth_url": ceph.swift_auth_url, "user": ceph.swift_user,
                                  "key": ceph.swift_key}
    assert set(overrides["ceph"]) <= {o.name for o in ceph_conf.opts}
