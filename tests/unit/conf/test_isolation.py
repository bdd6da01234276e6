from oslo_config import cfg

from translator import conf as translator_conf


def _conf():
    conf = cfg.ConfigOpts()
    translator_conf.register_opts(conf)
    conf([], default_config_files=[])
    return conf


def test_overrides_do_not_leak_between_configurations():
    first, second = _conf(), _conf()
    first.set_override("driver", "xenserver", group="compute")
    first.set_override("bind", "127.0.0.1:1", group="grpc")
    first.set_override("poll_max_interval", 9.0, group="operations")
    assert second.compute.driver == "cloudstack"
    assert second.grpc.bind == "127.0.0.1:50051"
    assert second.operations.poll_max_interval == 5.0
