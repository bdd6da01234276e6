"""The [ceph] options and the per-type RBD keys: names, defaults, secrets, generator hook.
The module must import without the rados/rbd bindings."""

from __future__ import annotations

import subprocess
import sys

import pytest
from oslo_config import cfg

from translator.conf import block_storage
from translator_drivers.ceph import conf as ceph_conf


@pytest.fixture
def conf() -> cfg.ConfigOpts:
    c = cfg.ConfigOpts()
    block_storage.register_opts(c)
    ceph_conf.register_opts(c)
    c([], project="translator", default_config_files=[])
    return c


def test_defaults_are_cinders_where_cinder_has_the_option(conf):
    g = conf.ceph
    assert (g.rbd_ceph_conf, g.rbd_cluster_name, g.rbd_user) == ("", "ceph", "")
    assert (g.rbd_pool, g.rbd_images_pool) == ("volumes", "images")
    assert g.rbd_flatten_volume_from_snapshot is False
    assert g.rbd_max_clone_depth == 5
    assert g.rados_connect_timeout == 30
    assert g.rbd_secret_uuid == ""


def test_only_the_rgw_keys_are_secrets():
    # The cephx key stays in the keyring named by rbd_ceph_conf, never in our config.
    assert not any(o.secret for o in ceph_conf.rbd_opts)
    assert {o.name for o in ceph_conf.rgw_opts if o.secret} == {"rgw_access_key",
                                                                "rgw_secret_key"}


def test_the_cluster_harness_overrides_only_real_options(conf, ceph):
    overrides = ceph.config_overrides()["ceph"]
    assert set(overrides) <= {o.name for o in ceph_conf.opts}
    for key, value in overrides.items():
        conf.set_override(key, value, group="ceph")  # each is valid for its option
    assert conf.ceph.rbd_ceph_conf == ceph.conf_path


def test_type_keys_are_registered_on_every_type_group(conf):
    conf.set_override("volume_types", ["standard", "fast"], group="block_storage")
    block_storage.register_type_opts(conf, ceph_conf.type_opts)
    fast = block_storage.type_conf(conf, "fast")
    assert (fast.rbd_pool, fast.rbd_features, fast.description) == ("", ["layering"], "")


def test_list_opts_for_the_generator():
    [(group, opts), (type_group, type_opts)] = ceph_conf.list_opts()
    assert group == "ceph"
    assert {o.name for o in opts} == {
        "rbd_ceph_conf", "rbd_cluster_name", "rbd_user", "rbd_pool", "rbd_images_pool",
        "rbd_flatten_volume_from_snapshot", "rbd_max_clone_depth", "rados_connect_timeout",
        "rbd_secret_uuid", "rgw_endpoint", "rgw_access_key", "rgw_secret_key", "rgw_region",
        "rgw_verify_tls", "rgw_ca_bundle", "rgw_connect_timeout", "rgw_read_timeout",
        "rgw_max_attempts", "rgw_request_checksums"}
    assert type_group == "volume_type:standard"
    assert {o.name for o in type_opts} == {"rbd_pool", "rbd_features"}
    assert all(o.help.startswith("Ceph RBD:") for o in type_opts)


def test_help_strings_are_sentences():
    for opt in ceph_conf.opts + ceph_conf.type_opts:
        assert opt.help and opt.help.endswith("."), opt.name
        assert opt.help[0].isupper(), opt.name


def test_importable_without_the_ceph_bindings():
    code = ("import sys; sys.modules['rados'] = None; sys.modules['rbd'] = None; "
            "from translator_drivers.ceph import conf, block; print(len(conf.list_opts()))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"
