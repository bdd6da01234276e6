"""The Keystone v3 path end to end against the real radosgw.

No Keystone can run here, so keystone_standin.KeystoneStandIn stands in for it: it answers
POST /v3/auth/tokens as Keystone does, with a catalog whose object-store endpoint is RGW's
real storage URL and a token that is a real RGW token. The driver's keystoneauth1 session,
catalog lookup, token use and renewal after a 401 all meet the real RGW."""

from __future__ import annotations

import pytest
from unit.drivers.swift.conftest import read_all, source
from unit.drivers.swift.keystone_standin import REGION, KeystoneStandIn

from translator.drivers import exceptions as exc
from translator.drivers import models
from translator_drivers.swift.errors import SwiftAuthFailed, SwiftMisconfigured


@pytest.fixture
def keystone(ceph):
    with KeystoneStandIn(ceph.swift_auth_url, ceph.swift_user, ceph.swift_key,
                         username="paas", password="keystone-password",
                         project="tenant") as standin:
        yield standin


def keystone_driver(make_driver, keystone, **overrides):
    options = {"auth_version": "3", "auth_url": keystone.url, "user": "paas",
               "key": "keystone-password", "project_name": "tenant", "region_name": REGION,
               "interface": "internal", **overrides}
    return make_driver(**options)


def test_the_driver_works_through_keystone(make_driver, keystone, container):
    driver = keystone_driver(make_driver, keystone)
    driver.check_setup()
    assert keystone.requests[0] == {"methods": ["password"], "user": "paas",
                                    "user_domain": "Default", "project": "tenant",
                                    "project_domain": "Default"}
    driver.put_object(models.ObjectSpec(container, "via-keystone"), source(b"scoped"))
    assert read_all(driver.open_object(container, "via-keystone")) == b"scoped"
    assert container in [c.name for c in driver.list_containers(1000, "", "t-").items]
    signed = driver.create_temp_url(container, "via-keystone", models.TEMP_URL_GET, 30)
    assert signed.url.startswith(driver.pool.storage_url())
    assert len(keystone.requests) == 1  # one token for every Connection


def test_an_expired_token_is_renewed_after_a_401(make_driver, keystone):
    keystone.queued_tokens.append("AUTH_rgwtk_expired_long_ago")
    driver = keystone_driver(make_driver, keystone, temp_url_key="")
    driver.check_setup()  # RGW refuses the first token; swiftclient asks Keystone again
    assert len(keystone.requests) == 2


def test_a_wrong_password_is_an_auth_failure_without_the_password(make_driver, keystone):
    driver = keystone_driver(make_driver, keystone, key="not-the-password", setup=False)
    with pytest.raises(SwiftAuthFailed) as caught:
        driver.check_setup()
    error = caught.value
    assert "[swift] user and key" in error.user_message
    assert "not-the-password" not in error.user_message + error.operator_message


def test_a_region_without_an_endpoint_is_misconfigured(make_driver, keystone):
    driver = keystone_driver(make_driver, keystone, region_name="Elsewhere", setup=False)
    with pytest.raises(SwiftMisconfigured) as caught:
        driver.check_setup()
    assert "region_name" in caught.value.operator_message + caught.value.user_message


def test_keystone_without_a_project_is_misconfigured(make_driver, keystone):
    driver = keystone_driver(make_driver, keystone, project_name="", setup=False)
    with pytest.raises(exc.BackendUnavailable, match="not usable|misconfigured") as caught:
        driver.check_setup()
    assert "project_name" in caught.value.operator_message
