"""The [netscaler] option group: names, defaults, secrets, the generator hook, and that the
driver reads every option."""

from __future__ import annotations

import pathlib
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
from oslo_config import cfg

from translator_drivers.netscaler import conf as ns_conf

SOURCES = pathlib.Path(ns_conf.__file__).parent


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    c = cfg.ConfigOpts()
    ns_conf.register_opts(c)
    c([], project="translator", default_config_files=[])
    return c


def test_defaults(conf):
    g = conf.netscaler
    assert (g.endpoint, g.username, g.password) == ("https://127.0.0.1", "nsroot", "")
    assert (g.verify_tls, g.ca_bundle, g.timeout) == (True, "", 30.0)
    assert (g.session_timeout, g.name_prefix, g.persistence_timeout) == (1800, "tr-", 2)


def test_only_the_password_is_secret():
    assert [o.name for o in ns_conf.opts if o.secret] == ["password"]


def test_list_opts_is_the_generator_entry_point():
    [(group, opts)] = ns_conf.list_opts()
    assert group == "netscaler"
    assert {o.name for o in opts} == {
        "endpoint", "username", "password", "verify_tls", "ca_bundle", "timeout",
        "session_timeout", "name_prefix", "persistence_timeout"}
    [entry] = [e for e in entry_points(group="oslo.config.opts")
               if e.name == "translator.netscaler"]
    assert entry.load() is ns_conf.list_opts


def test_every_option_is_read_by_the_driver():
    code = "\n".join(p.read_text() for p in SOURCES.glob("*.py")
                     if p.name not in ("conf.py",) and not p.name.startswith("sim"))
    for opt in ns_conf.opts:
        assert f".{opt.name}" in code, opt.name


def test_help_strings_are_sentences():
    for opt in ns_conf.opts:
        assert opt.help and opt.help.endswith(".") and opt.help[0].isupper(), opt.name


@pytest.mark.parametrize("prefix", ["", "-lead", "has/slash", "x" * 33])
def test_name_prefix_must_be_a_netscaler_name_start(conf, prefix):
    with pytest.raises(ValueError):
        conf.set_override("name_prefix", prefix, group="netscaler")


def test_endpoint_is_http_or_https(conf):
    with pytest.raises(ValueError):
        conf.set_override("endpoint", "ftp://ns.example", group="netscaler")


def test_importable_without_requests():
    code = ("import sys; sys.modules['requests'] = None; "
            "from translator_drivers.netscaler import conf; print(conf.list_opts()[0][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "netscaler"


def test_the_driver_is_the_load_balancing_entry_point():
    from translator_drivers.netscaler.lb import NetScalerLoadBalancingDriver

    [entry] = [e for e in entry_points(group="translator.drivers.load_balancing")
               if e.name == "netscaler"]
    cls = entry.load()
    assert cls is NetScalerLoadBalancingDriver
    assert (cls.name, cls.api) == ("netscaler", "load_balancing")


def test_setup_logs_in_and_check_setup_asks_the_appliance(ns_sim, make_driver):
    driver = make_driver()
    assert ns_sim.requests == [("POST", "/nitro/v1/config/login")]
    driver.check_setup()
    assert ns_sim.requests[-1] == ("GET", "/nitro/v1/config/lbvserver")
    driver.close()
    assert ns_sim.requests[-1] == ("POST", "/nitro/v1/config/logout")


def test_check_setup_names_the_options_when_the_appliance_refuses(ns_sim, make_driver):
    from translator.drivers import exceptions as exc

    driver = make_driver(setup=False, password="not-it")
    with pytest.raises(exc.TranslatorError) as raised:
        driver.check_setup()
    message = raised.value.operator_message
    assert "[netscaler] endpoint, username, password" in message and "not-it" not in message
