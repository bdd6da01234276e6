"""The [cloudstack] option group: names, defaults, secrets, generator hook."""

from __future__ import annotations

import subprocess
import sys

import pytest
from oslo_config import cfg

from translator_drivers.cloudstack import conf as cs_conf


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    c = cfg.ConfigOpts()
    cs_conf.register_opts(c)
    c([], project="translator", default_config_files=[])
    return c


def test_defaults(conf):
    g = conf.cloudstack
    assert g.endpoint == "http://127.0.0.1:8080/client/api"
    assert g.api_key == "" and g.secret_key == ""
    assert g.verify_ssl is True
    assert g.timeout == 30.0
    assert g.default_zone == ""
    assert g.default_networks == []
    assert g.expunge_on_delete is True
    assert g.cache_ttl == 300
    assert g.user_data_max_bytes == 32768
    assert g.page_size == 500
    assert g.lb_provider == "Netscaler" and g.lb_network == ""


def test_keys_are_secret():
    opts = {o.name: o for o in cs_conf.opts}
    assert opts["api_key"].secret and opts["secret_key"].secret
    assert not opts["endpoint"].secret


def test_list_opts_for_the_generator():
    [(group, opts), (type_group, type_opts)] = cs_conf.list_opts()
    assert group == "cloudstack"
    assert {o.name for o in opts} == {
        "endpoint", "api_key", "secret_key", "verify_ssl", "timeout", "default_zone",
        "default_networks", "expunge_on_delete", "cache_ttl", "user_data_max_bytes",
        "page_size", "clone_volume_via_snapshot", "lb_provider", "lb_network"}
    assert type_group == "volume_type:standard"
    assert {o.name for o in type_opts} == {"disk_offering", "storage_tags"}


def test_help_strings_are_sentences():
    for opt in cs_conf.opts + cs_conf.type_opts:
        assert opt.help and opt.help.endswith("."), opt.name
        assert opt.help[0].isupper(), opt.name


def test_page_size_capped_at_500(conf):
    conf.set_override("page_size", 500, group="cloudstack")
    assert conf.cloudstack.page_size == 500
    with pytest.raises(ValueError):
        conf.set_override("page_size", 501, group="cloudstack")


def test_default_networks_is_a_list(conf):
    conf.set_override("default_networks", ["net-a", "net-b"], group="cloudstack")
    assert conf.cloudstack.default_networks == ["net-a", "net-b"]


def test_register_twice_is_harmless(conf):
    cs_conf.register_opts(conf)
    assert conf.cloudstack.cache_ttl == 300


def test_importable_without_libcloud():
    # A None entry in sys.modules makes any import of libcloud fail.
    code = ("import sys; sys.modules['libcloud'] = None; "
            "from translator_drivers.cloudstack import conf; "
            "print(conf.list_opts()[0][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "cloudstack"


def test_overrides_do_not_leak_between_config_objects(conf):
    conf.set_override("default_zone", "zone-a", group="cloudstack")
    other = cfg.ConfigOpts()
    cs_conf.register_opts(other)
    other([], project="translator", default_config_files=[])
    assert other.cloudstack.default_zone == ""
