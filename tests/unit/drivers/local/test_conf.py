"""The [local] options: the objects directory and its default under the state directory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from unit.drivers.local.conftest import make_conf

from translator.drivers import exceptions
from translator_drivers.local import conf as local_conf
from translator_drivers.local.objects import LocalObjectStorageDriver


def test_objects_dir_defaults_under_the_state_dir(tmp_path):
    conf = make_conf(str(tmp_path))
    assert conf.local.objects_dir == ""
    assert local_conf.objects_dir(conf) == os.path.join(str(tmp_path), "objects")


def test_objects_dir_can_be_anywhere(tmp_path):
    conf = make_conf(str(tmp_path / "state"), str(tmp_path / "elsewhere"))
    assert local_conf.objects_dir(conf) == str(tmp_path / "elsewhere")


def test_the_driver_creates_its_directory_private(tmp_path):
    conf = make_conf(str(tmp_path / "state"), str(tmp_path / "deep" / "objects"))
    driver = LocalObjectStorageDriver(conf)
    driver.setup()
    try:
        driver.check_setup()
        assert os.stat(tmp_path / "deep" / "objects").st_mode & 0o777 == 0o700
        assert {"data", "tmp", "index.sqlite3", "lock"} <= set(
            os.listdir(tmp_path / "deep" / "objects"))
    finally:
        driver.close()


def test_list_opts_for_the_generator():
    [(group, opts)] = local_conf.list_opts()
    assert group == "local" and [o.name for o in opts] == ["objects_dir"]
    assert all(o.help.endswith(".") for o in opts)


def test_the_conf_module_needs_nothing_but_oslo_config():
    code = ("import sys; import translator_drivers.local.conf; "
            "assert 'sqlite3' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_check_setup_fails_before_setup(tmp_path):
    with pytest.raises(exceptions.BackendUnavailable):
        LocalObjectStorageDriver(make_conf(str(tmp_path / "never"))).check_setup()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_check_setup_fails_on_a_read_only_directory(open_driver):
    driver = open_driver()
    os.chmod(driver.files.tmp_dir, 0o500)
    try:
        with pytest.raises(exceptions.BackendError, match="cannot write"):
            driver.check_setup()
    finally:
        os.chmod(driver.files.tmp_dir, 0o700)
