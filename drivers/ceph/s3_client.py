"""The boto3 S3 client of the object storage driver, built from the [ceph] rgw_* options.

One client per driver: botocore clients are thread-safe, and the client's
connection pool is shared by every call. Keys never appear in a message:
errors name the option to check, not its value.
"""

from __future__ import annotations

import logging
import urllib.parse
from typing import Any

from translator_drivers.ceph.rbd_errors import CephMisconfigured
from translator_drivers.ceph.s3_errors import BACKEND

LOG = logging.getLogger(__name__)


def problems(opts: Any) -> list[str]:
    """What makes the [ceph] rgw_* options unusable (empty when they are fine)."""
    found = []
    endpoint = urllib.parse.urlsplit(opts.rgw_endpoint or "")
    if not opts.rgw_endpoint:
        found.append("[ceph] rgw_endpoint is not set")
    elif endpoint.scheme not in ("http", "https") or not endpoint.hostname:
        found.append("[ceph] rgw_endpoint must be an http:// or https:// URL")
    if not opts.rgw_access_key or not opts.rgw_secret_key:
        # Never fall back on boto3's own search (environment, ~/.aws): set them here.
        found.append("[ceph] rgw_access_key and rgw_secret_key must both be set")
    return found


def require_usable(opts: Any) -> None:
    found = problems(opts)
    if found:
        raise CephMisconfigured("the Ceph object storage backend is misconfigured",
                                "; ".join(found), backend=BACKEND)


def checksum_calculation(opts: Any) -> str:
    """botocore's request_checksum_calculation for these options.

    Over https botocore sends an upload's checksum as an aws-chunked trailer
    (STREAMING-UNSIGNED-PAYLOAD-TRAILER); radosgw 16.2 answers that with
    MissingContentLength (measured through a TLS proxy), so "auto" keeps
    botocore's default (a CRC32 header on a signed payload) over http only.
    """
    if opts.rgw_request_checksums != "auto":
        return opts.rgw_request_checksums
    https = urllib.parse.urlsplit(opts.rgw_endpoint).scheme == "https"
    return "when_required" if https else "when_supported"


def verify(opts: Any) -> bool | str | None:
    """boto3's ``verify``: False, a CA bundle path, or None for boto3's default
    (AWS_CA_BUNDLE, else certifi's bundle)."""
    if not opts.rgw_verify_tls:
        return False
    return opts.rgw_ca_bundle or None


def build(opts: Any, *, pool_connections: int) -> Any:
    """A boto3 S3 client for radosgw at ``opts.rgw_endpoint`` (path-style, SigV4)."""
    import boto3
    from botocore.config import Config

    require_usable(opts)
    config = Config(
        region_name=opts.rgw_region,
        signature_version="s3v4",
        connect_timeout=opts.rgw_connect_timeout,
        read_timeout=opts.rgw_read_timeout,
        max_pool_connections=pool_connections,
        retries={"mode": "standard", "total_max_attempts": opts.rgw_max_attempts},
        s3={"addressing_style": "path"},
        request_checksum_calculation=checksum_calculation(opts),
        tcp_keepalive=True,
    )
    # A session of our own: nothing in the process-wide default session (its
    # profile, its credentials) leaks into this client.
    session = boto3.session.Session(aws_access_key_id=opts.rgw_access_key,
                                    aws_secret_access_key=opts.rgw_secret_key,
                                    region_name=opts.rgw_region)
    if not opts.rgw_verify_tls:
        LOG.warning("[ceph] rgw_verify_tls is false: radosgw's certificate is not checked")
    return session.client("s3", endpoint_url=opts.rgw_endpoint, config=config,
                          verify=verify(opts))
