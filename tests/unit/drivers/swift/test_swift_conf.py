"""The [swift] options: names, defaults, secrets, every one read by the driver, the
generator hook, and importability without swiftclient or keystoneauth1; capabilities."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest
from oslo_config import cfg

from translator.drivers import models
from translator_drivers.swift import conf as swift_conf

PACKAGE = pathlib.Path(swift_conf.__file__).parent
RPCS = {"CreateContainer", "GetContainer", "ListContainers", "DeleteContainer", "PutObject",
        "GetObject", "HeadObject", "ListObjects", "DeleteObject", "CopyObject",
        "CreateTempUrl"}


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    c = cfg.ConfigOpts()
    swift_conf.register_opts(c)
    c([], project="translator", default_config_files=[])
    return c


def test_the_names_the_ceph_harness_sets_and_their_defaults(conf):
    g = conf.swift
    assert (g.auth_url, g.user, g.key, g.auth_version) == ("", "", "", "1")
    assert (g.project_domain_name, g.user_domain_name, g.interface) == ("Default", "Default",
                                                                        "public")
    assert (g.temp_url_key, g.temp_url_digest, g.segment_container_suffix) == ("", "sha1",
                                                                                "_segments")
    assert (g.verify_ssl, g.ca_file, g.retries) == (True, "", 2)


def test_the_cluster_harness_overrides_only_real_options(conf, ceph):
    overrides = ceph.config_overrides().get("swift", {"auth_url": ceph.swift_auth_url,
                                                      "user": ceph.swift_user,
                                                      "key": ceph.swift_key})
    assert set(overrides) >= {"auth_url", "user", "key"}
    for key, value in overrides.items():
        conf.set_override(key, value, group="swift")


def test_keys_and_passwords_are_secret():
    secret = {o.name for o in swift_conf.opts if o.secret}
    assert secret == {"key", "temp_url_key"}


def test_every_option_is_read_by_the_driver():
    code = "\n".join(p.read_text() for p in PACKAGE.glob("*.py") if p.name != "conf.py")
    for opt in swift_conf.opts:
        assert re.search(rf"opts\.{opt.name}\b", code), opt.name


def test_bad_choices_are_refused(conf):
    with pytest.raises(ValueError):
        conf.set_override("auth_version", "2", group="swift")
    with pytest.raises(ValueError):
        conf.set_override("temp_url_digest", "md5", group="swift")


def test_list_opts_for_the_generator():
    [(group, opts)] = swift_conf.list_opts()
    assert group == "swift" and opts is swift_conf.opts
    for opt in opts:
        assert opt.help.endswith(".") and opt.help[0].isupper(), opt.name


def test_importable_without_swiftclient_or_keystoneauth():
    code = ("import sys; sys.modules['swiftclient'] = None; sys.modules['keystoneauth1'] = None; "
            "from translator_drivers.swift import conf, objects; print(len(conf.list_opts()))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def test_keystone_urls_get_their_version():
    from translator_drivers.swift.connection import keystone_v3_url

    assert keystone_v3_url("https://ks:5000") == "https://ks:5000/v3"
    assert keystone_v3_url("https://ks:5000/v3/") == "https://ks:5000/v3"
    assert keystone_v3_url("https://ks/identity/v3") == "https://ks/identity/v3"


def test_capabilities_cover_every_rpc(make_driver):
    driver = make_driver(setup=False)
    caps = driver.capabilities()
    assert (caps.api, caps.driver) == ("object_storage", "swift")
    assert {op.name for op in caps.operations} == RPCS
    assert all(isinstance(op, models.OperationSupport) and op.supported
               for op in caps.operations)
    notes = " ".join(caps.notes)
    for fact in ("static large objects", "_segments", "md5", "server side",
                 "temp_url_key", "auth v1", "SHA1"):
        assert fact in notes, fact


def test_tls_timeout_and_retries_reach_swiftclient_and_keystoneauth(make_driver):
    v1 = make_driver(setup=False, verify_ssl=True, ca_file="/etc/ssl/our-ca.pem",
                     timeout=7.5, retries=4)
    conn = v1.pool.acquire()
    assert (conn.cacert, conn.insecure, conn.timeout, conn.retries) == (
        "/etc/ssl/our-ca.pem", False, 7.5, 4)
    v3 = make_driver(setup=False, auth_version="3", auth_url="https://ks.example:5000",
                     project_name="p", verify_ssl=False, region_name="R2",
                     interface="internal", service_type="object-store-2")
    conn = v3.pool.acquire()
    assert conn.insecure is True and conn.session.verify is False
    assert conn.session.auth.auth_url == "https://ks.example:5000/v3"
    assert conn.os_options == {"service_type": "object-store-2", "endpoint_type": "internal",
                               "interface": "internal", "region_name": "R2"}
