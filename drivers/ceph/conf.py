"""[ceph] options: how the Ceph drivers reach the cluster, and the per-type RBD keys.

Names an operator knows from Cinder's RBD driver (``rbd_pool``, ``rbd_user``,
``rbd_ceph_conf``, ``rbd_flatten_volume_from_snapshot``, ``rbd_max_clone_depth``,
``rados_connect_timeout``) and Glance's RBD store (``rbd_images_pool``).
The ``rgw_*`` keys tell the object storage driver how to reach the RADOS Gateway's S3
API: an endpoint and an S3 key pair of a radosgw user (``radosgw-admin user create``).

Importable without the rados/rbd modules, so ``oslo-config-generator`` runs anywhere.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "ceph"

_TITLE = "Ceph"
_HELP = "How the Ceph drivers reach a Ceph cluster: RBD for block storage, RGW for objects."

rbd_opts = [
    cfg.StrOpt("rbd_ceph_conf", default="",
               help="Path to the ceph.conf of the cluster. Empty lets librados look in its "
                    "default places (/etc/ceph/ceph.conf)."),
    cfg.StrOpt("rbd_cluster_name", default="ceph",
               help="Name of the Ceph cluster, as in /etc/ceph/<name>.conf; also passed to "
                    "hypervisors in the connection info of an attached volume."),
    cfg.StrOpt("rbd_user", default="",
               help="The cephx user the translator connects as, without the \"client.\" "
                    "prefix (e.g. cinder). Its key is read from the keyring ceph.conf "
                    "names. Empty means client.admin."),
    cfg.StrOpt("rbd_pool", default="volumes",
               help="The RADOS pool of volume images, for every volume type without an "
                    "rbd_pool of its own."),
    cfg.StrOpt("rbd_images_pool", default="images",
               help="The pool of Glance's RBD store: an image is an RBD image named by the "
                    "Glance image id with a protected snapshot \"snap\"; CreateVolume with "
                    "image_id clones that snapshot (copy-on-write)."),
    cfg.BoolOpt("rbd_flatten_volume_from_snapshot", default=False,
                help="Flatten a volume made from a snapshot, so it no longer depends on the "
                     "snapshot (a full copy of the data; the snapshot can then be deleted)."),
    cfg.IntOpt("rbd_max_clone_depth", default=5, min=0,
               help="Longest chain of nested clones; a new clone that would be deeper is "
                    "flattened. 0 disables cloning from a volume: CreateVolume with "
                    "source_volume_id then makes a full copy."),
    cfg.IntOpt("rados_connect_timeout", default=30,
               help="Seconds to wait for the cluster when connecting, and for any one "
                    "monitor or OSD operation after that. 0 or a negative value keeps "
                    "librados' defaults (an operation then waits for an OSD for ever)."),
    cfg.StrOpt("rbd_secret_uuid", default="",
               help="The uuid of the libvirt secret holding rbd_user's key on the "
                    "hypervisors; passed in the connection info of an attached volume (it "
                    "names the secret, it is not the key)."),
]

rgw_opts = [
    cfg.StrOpt("rgw_endpoint", default="",
               help="URL of the RADOS Gateway's S3 API, e.g. http://rgw.example.com:7480 or "
                    "https://rgw.example.com. Buckets are addressed path-style "
                    "(<endpoint>/<bucket>/<key>), so no wildcard DNS is needed. Required by "
                    "the object storage driver."),
    cfg.StrOpt("rgw_access_key", default="", secret=True,
               help="S3 access key of the radosgw user whose buckets are the containers."),
    cfg.StrOpt("rgw_secret_key", default="", secret=True,
               help="S3 secret key of that radosgw user."),
    cfg.StrOpt("rgw_region", default="us-east-1",
               help="Region name boto3 signs S3 requests (SigV4) with. radosgw accepts any "
                    "name here; its zonegroup decides where buckets live."),
    cfg.BoolOpt("rgw_verify_tls", default=True,
                help="Verify the TLS certificate of an https rgw_endpoint."),
    cfg.StrOpt("rgw_ca_bundle", default="",
               help="Path to a PEM file of CA certificates to verify rgw_endpoint with. "
                    "Empty uses boto3's default: the AWS_CA_BUNDLE environment variable, "
                    "else certifi's bundle. Ignored when rgw_verify_tls is false."),
    cfg.FloatOpt("rgw_connect_timeout", default=10.0, min=0.1,
                 help="Seconds to wait for a TCP (and TLS) connection to radosgw."),
    cfg.FloatOpt("rgw_read_timeout", default=60.0, min=0.1,
                 help="Seconds to wait for any one read from radosgw, e.g. the answer to a "
                      "request or the next bytes of an object."),
    cfg.IntOpt("rgw_max_attempts", default=3, min=1,
               help="Attempts of one S3 request (the first and its retries) on a "
                    "connection error, a 5xx answer or SlowDown, with backoff."),
    cfg.StrOpt("rgw_request_checksums", default="auto",
               choices=[("auto", "when_supported over http, when_required over https"),
                        ("when_supported", "botocore adds a CRC32 to every upload"),
                        ("when_required", "only where S3 demands one")],
               help="When boto3 adds a checksum to uploads. Over https boto3 sends it as an "
                    "aws-chunked trailer, which radosgw 16.2 (Pacific) rejects "
                    "(MissingContentLength): auto keeps boto3's default over http only. "
                    "Over https TLS guards the transfer, and objects stored in one piece "
                    "carry a Content-MD5 either way."),
]

opts = rbd_opts + rgw_opts

#: Keys of each [volume_type:<name>] group the Ceph block storage driver reads.
type_opts = [
    cfg.StrOpt("rbd_pool", default="",
               help="Ceph RBD: the pool volumes of this type are created in. Empty means "
                    "[ceph] rbd_pool."),
    cfg.ListOpt("rbd_features", default=["layering"],
                help="Ceph RBD: the image features of volumes of this type, by their rbd "
                     "names (layering, exclusive-lock, object-map, fast-diff, deep-flatten, "
                     "...). layering is required: clones need it."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the [ceph] group on ``conf``; safe to call more than once.

    A fresh OptGroup each time (see translator_drivers.cloudstack.conf).
    """
    conf.register_group(cfg.OptGroup(GROUP, title=_TITLE, help=_HELP))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    """The options of this module, for oslo-config-generator.

    The per-type keys are shown under ``volume_type:standard`` (the default
    type); one such group exists for each name in ``[block_storage] volume_types``.
    """
    return [(GROUP, opts), ("volume_type:standard", type_opts)]
