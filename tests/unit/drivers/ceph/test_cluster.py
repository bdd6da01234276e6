"""The throwaway Ceph cluster: a real one, started once for the module (a second one
only to show two run side by side). Skipped when Ceph is not installed, except in
CI (``CI`` set), where a missing Ceph fails loudly."""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import socket
import stat
import struct
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from ceph_session import require_ceph
from translator_drivers.ceph import cluster_conf, cluster_proc
from translator_drivers.ceph.cluster import CephCluster, CephClusterError
from translator_drivers.ceph.cluster_cli import parse_size

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (nothing reaps here)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return False
    return data[data.rfind(b")") + 2:][:1] not in (b"Z", b"X")


@pytest.fixture(scope="module")
def ceph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CephCluster]:
    require_ceph()
    cluster = CephCluster()
    cluster.credentials_file = str(tmp_path_factory.mktemp("ceph") / "credentials.json")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def _http(method: str, url: str, headers: dict[str, str] | None = None,
          data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _NO_PROXY.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


# --- a running cluster -------------------------------------------------------------------


def test_rados_connects_with_the_conffile_alone(ceph: CephCluster) -> None:
    import rados

    client = rados.Rados(conffile=ceph.conf_path)
    try:
        client.connect(timeout=10)
        assert client.get_fsid() == ceph.fsid
        pools = client.list_pools()
    finally:
        client.shutdown()
    assert {"volumes", "images"} <= set(pools)
    assert ceph.mon_addrs == [f"127.0.0.1:{ceph.ports['mon']}"]
    assert ceph.rbd_user == "admin"


def test_rbd_pools_are_ready_for_images_and_clones(ceph: CephCluster) -> None:
    import rados
    import rbd

    with rados.Rados(conffile=ceph.conf_path) as client, \
            client.open_ioctx("images") as images, client.open_ioctx("volumes") as volumes:
        assert images.application_list() == ["rbd"]
        rbd.RBD().create(images, "base", 64 * 1024**2, old_format=False,
                         features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(images, "base") as base:
            base.write(b"golden image", 0)
            base.create_snap("snap")
            base.protect_snap("snap")
            assert base.is_protected_snap("snap")
        rbd.RBD().clone(images, "base", "snap", volumes, "volume-1",
                        features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(volumes, "volume-1") as clone:
            spec = clone.get_parent_image_spec()
            assert (spec["pool_name"], spec["image_name"], spec["snap_name"]) == \
                ("images", "base", "snap")
            assert clone.read(0, 12) == b"golden image"
        assert "volume-1" in rbd.RBD().list(volumes)


def test_radosgw_answers_s3(ceph: CephCluster) -> None:
    assert ceph.endpoint == ceph.rgw_endpoint == f"http://127.0.0.1:{ceph.ports['rgw']}"
    status, _, body = _http("GET", ceph.rgw_endpoint + "/")
    root = ET.fromstring(body)
    if status == 200:
        assert root.tag == S3_NS + "ListAllMyBucketsResult"
    else:
        assert (status, root.tag, root.findtext("Code")) == (403, "Error", "AccessDenied")


def _sigv4_list_buckets(endpoint: str, access_key: str, secret_key: str) -> tuple[int, bytes]:
    """GET / signed with AWS Signature V4 (no boto3 here): proves the S3 key pair."""
    now = datetime.datetime.now(datetime.UTC)
    amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    host = urllib.parse.urlsplit(endpoint).netloc
    payload = hashlib.sha256(b"").hexdigest()
    signed = "host;x-amz-content-sha256;x-amz-date"
    canonical = (f"GET\n/\n\nhost:{host}\nx-amz-content-sha256:{payload}\n"
                 f"x-amz-date:{amz_date}\n\n{signed}\n{payload}")
    scope = f"{day}/us-east-1/s3/aws4_request"
    to_sign = (f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"
               + hashlib.sha256(canonical.encode()).hexdigest())
    key = ("AWS4" + secret_key).encode()
    for part in (day, "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {"x-amz-date": amz_date, "x-amz-content-sha256": payload,
               "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
                                f"SignedHeaders={signed}, Signature={signature}"}
    status, _, body = _http("GET", endpoint + "/", headers)
    return status, body


def test_s3_keys_sign_requests(ceph: CephCluster) -> None:
    status, body = _sigv4_list_buckets(ceph.rgw_endpoint, ceph.s3_access_key,
                                       ceph.s3_secret_key)
    assert status == 200, body
    assert ET.fromstring(body).findtext(f"{S3_NS}Owner/{S3_NS}ID") == "translator"
    status, _ = _sigv4_list_buckets(ceph.rgw_endpoint, ceph.s3_access_key, "wrong")
    assert status == 403


def test_swift_auth_v1_and_an_object_round_trip(ceph: CephCluster) -> None:
    status, headers, _ = _http("GET", ceph.swift_auth_url,
                               {"X-Auth-User": ceph.swift_user, "X-Auth-Key": ceph.swift_key})
    assert status == 204
    storage_url, token = headers["X-Storage-Url"], headers["X-Auth-Token"]
    assert storage_url.startswith(ceph.rgw_endpoint + "/swift/v1")
    auth = {"X-Auth-Token": token}
    assert _http("PUT", storage_url + "/bucket", auth)[0] in (201, 202)
    assert _http("PUT", storage_url + "/bucket/hello.txt", auth, b"hello ceph")[0] == 201
    status, _, body = _http("GET", storage_url + "/bucket/hello.txt", auth)
    assert (status, body) == (200, b"hello ceph")
    wrong = {"X-Auth-User": ceph.swift_user, "X-Auth-Key": "wrong"}
    assert _http("GET", ceph.swift_auth_url, wrong)[0] in (401, 403)


def test_config_overrides_and_credentials_file(ceph: CephCluster) -> None:
    options = ceph.config_overrides()["ceph"]
    assert options["rbd_ceph_conf"] == ceph.conf_path
    assert (options["rbd_pool"], options["rbd_user"]) == ("volumes", "admin")
    assert set(options) == {"rbd_ceph_conf", "rbd_pool", "rbd_user", "rgw_endpoint",
                            "rgw_access_key", "rgw_secret_key"}
    assert (options["rgw_endpoint"], options["rgw_access_key"]) == (ceph.rgw_endpoint,
                                                                    ceph.s3_access_key)
    assert ceph.config_overrides()["swift"] == {
        "auth_url": ceph.swift_auth_url, "user": ceph.swift_user, "key": ceph.swift_key}
    assert ceph.swift_auth_url == ceph.rgw_endpoint + "/auth/1.0"
    assert ceph.swift_user.endswith(":swift")
    assert all((ceph.s3_access_key, ceph.s3_secret_key, ceph.swift_key))
    assert ceph.credentials_file is not None
    assert stat.S_IMODE(os.stat(ceph.credentials_file).st_mode) == 0o600
    with open(ceph.credentials_file) as f:
        saved = json.load(f)
    assert saved["conf_path"] == ceph.conf_path
    assert saved["s3_access_key"] == ceph.s3_access_key
    assert saved["swift_key"] == ceph.swift_key
    for path in (ceph.admin_keyring, ceph.conf_path):
        assert os.path.isfile(path)


def test_second_cluster_runs_side_by_side_and_stop_cleans_up(ceph: CephCluster) -> None:
    import rados

    with CephCluster(rbd_pools=("volumes",), rgw=False) as other:
        assert other.fsid != ceph.fsid
        assert other.ports["mon"] != ceph.ports["mon"]
        assert other.endpoint == f"v2:127.0.0.1:{other.ports['mon']}"
        assert other.rgw_endpoint == ""
        for cluster in (ceph, other):
            with rados.Rados(conffile=cluster.conf_path) as client:
                assert client.get_fsid() == cluster.fsid
        pids = other.daemon_pids()
        assert set(pids) == {"mon.a", "mgr.x", "osd.0"}
        root = other.layout.root
    assert not [pid for pid in pids.values() if _running(pid)]
    assert not os.path.exists(root)
    assert set(ceph.daemon_pids()) == {"mon.a", "mgr.x", "osd.0", "client.rgw.gw"}


def test_failed_start_stops_what_it_started_and_names_the_logs(tmp_path) -> None:
    require_ceph()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cluster = CephCluster(str(tmp_path / "ceph"), ports={"mon": port}, rgw=False)
        with pytest.raises(CephClusterError) as failure:
            cluster.start(timeout=20)
    assert str(tmp_path / "ceph" / "log") in str(failure.value)
    assert not cluster.daemon_pids()
    cluster.stop()
    assert os.path.isdir(tmp_path / "ceph" / "log")  # a directory we were given is kept


# --- no cluster needed -------------------------------------------------------------------


def test_generated_keys_are_cephx_aes_keys() -> None:
    raw = base64.b64decode(cluster_conf.generate_key())
    kind, _, _, length = struct.unpack("<HIIH", raw[:12])
    assert (kind, length, len(raw)) == (1, 16, 28)


def test_free_ports_avoid_the_osd_range() -> None:
    port = cluster_proc.free_port("127.0.0.1", pair=True)
    assert port not in cluster_proc.OSD_PORT_RANGE
    assert port + 1 not in cluster_proc.OSD_PORT_RANGE


def test_from_args_reads_the_sim_options(tmp_path) -> None:
    parser = argparse.ArgumentParser()
    CephCluster.add_arguments(parser)
    creds = str(tmp_path / "creds.json")
    args = parser.parse_args(["--dir", str(tmp_path / "c"), "--objectstore", "bluestore",
                              "--store-bytes", "4G", "--rgw-port", "18080",
                              "--credentials-file", creds])
    cluster = CephCluster.from_args(args)
    assert (cluster.base_dir, cluster.objectstore, cluster.store_bytes) == \
        (str(tmp_path / "c"), "bluestore", 4 * 1024**3)
    assert cluster.ports == {"rgw": 18080}
    assert cluster.credentials_file == creds
    assert parse_size("512M") == 512 * 1024**2 and parse_size("1GiB") == 1024**3
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size("lots")


def test_unknown_options_are_rejected() -> None:
    with pytest.raises(ValueError):
        CephCluster(objectstore="filestore")
    with pytest.raises(ValueError):
        CephCluster(ports={"osd": 40000})
    with pytest.raises(ValueError):
        CephCluster(ports={"mon": 6799})  # its msgr1 port would be 6800
    with pytest.raises(CephClusterError):
        CephCluster().conf_path  # noqa: B018 - not started


def test_conf_keeps_everything_in_the_directory(tmp_path) -> None:
    layout = cluster_conf.Layout(str(tmp_path))
    text = cluster_conf.render_conf(layout=layout, fsid=str(uuid.uuid4()), host="127.0.0.1",
                                    mon_port=40000, mon_v1_port=40001, rgw_port=40002,
                                    objectstore="memstore", store_bytes=1024**3)
    assert "mon host = [v2:127.0.0.1:40000,v1:127.0.0.1:40001]" in text
    assert "beast endpoint=127.0.0.1:40002" in text
    assert "/var/" not in text
