import pytest
from oslo_config import cfg

from translator import conf as translator_conf
from translator.drivers import base, factory


def _conf(**overrides):
    conf = cfg.ConfigOpts()
    translator_conf.register_opts(conf)
    conf([], default_config_files=[])
    for key, value in overrides.items():
        conf.set_override(key, value)
    return conf


def test_loads_an_installed_allowed_driver_and_registers_its_options():
    conf = _conf()
    driver = factory.load_driver(conf, "compute", "cloudstack")
    assert isinstance(driver, base.ComputeDriver) and driver.name == "cloudstack"
    assert conf.cloudstack.endpoint  # the driver's group is now registered


def test_driver_outside_the_allow_list_is_refused():
    with pytest.raises(factory.DriverLoadError, match="allowed_drivers"):
        factory.load_driver(_conf(allowed_drivers=["ceph"]), "compute", "cloudstack")


def test_unknown_driver_names_the_namespace():
    with pytest.raises(factory.DriverLoadError, match="translator.drivers.compute"):
        factory.load_driver(_conf(allowed_drivers=["nope"]), "compute", "nope")


def test_empty_driver_disables_the_api():
    conf = _conf()
    conf.set_override("driver", "", group="compute")
    assert set(factory.load_configured(conf)) == {"block_storage", "object_storage"}
    conf.set_override("driver", "", group="block_storage")
    assert set(factory.load_configured(conf)) == {"object_storage"}
    conf.set_override("driver", "", group="object_storage")
    assert factory.load_configured(conf) == {}


def test_block_storage_driver_registers_a_group_per_volume_type():
    conf = _conf()
    conf.set_override("volume_types", ["standard", "fast"], group="block_storage")
    driver = factory.load_driver(conf, "block_storage", "cloudstack")
    assert isinstance(driver, base.BlockStorageDriver)
    assert conf["volume_type:fast"].storage_tags == []
    assert conf["volume_type:standard"].description == ""
