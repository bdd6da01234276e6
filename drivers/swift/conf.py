"""[swift] options: how the Swift object storage driver reaches a Swift API endpoint.

Names an operator knows from the ``swift`` CLI and python-swiftclient
(``auth_url``, ``user``, ``key``, ``auth_version``) and from keystoneauth
(``project_name``, ``project_domain_name``, ``user_domain_name``,
``region_name``, ``interface``). Any Swift API serves: OpenStack Swift or
Ceph's RADOS Gateway (auth v1 at ``http://rgw:7480/auth/1.0``).

Importable without swiftclient or keystoneauth1, so ``oslo-config-generator``
runs anywhere.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "swift"

_TITLE = "Swift API object storage"
_HELP = ("How the swift object storage driver reaches a Swift API endpoint (OpenStack Swift, "
         "or Ceph RGW's Swift API), with auth v1 or Keystone v3.")

AUTH_V1 = "1"
AUTH_V3 = "3"

opts = [
    cfg.StrOpt("auth_url", default="",
               help="The authentication URL: with auth_version 1 the auth v1 URL "
                    "(e.g. http://rgw.example.com:7480/auth/1.0); with auth_version 3 "
                    "Keystone's URL (e.g. https://keystone.example.com:5000/v3; /v3 is "
                    "appended when the path does not end with it)."),
    cfg.StrOpt("auth_version", default=AUTH_V1, choices=[AUTH_V1, AUTH_V3],
               help="Which authentication the endpoint uses: 1 for auth v1 "
                    "(X-Auth-User/X-Auth-Key; Ceph RGW, Swift's tempauth), 3 for Keystone v3 "
                    "password authentication."),
    cfg.StrOpt("user", default="",
               help="The user name: with auth v1 as the auth system spells it (for RGW "
                    "\"<uid>:<subuser>\"), with Keystone the user's name."),
    cfg.StrOpt("key", default="", secret=True,
               help="The user's key (auth v1) or password (Keystone)."),
    cfg.StrOpt("project_name", default="",
               help="Keystone only: the project the token is scoped to."),
    cfg.StrOpt("project_domain_name", default="Default",
               help="Keystone only: the domain of project_name."),
    cfg.StrOpt("user_domain_name", default="Default",
               help="Keystone only: the domain of user."),
    cfg.StrOpt("region_name", default="",
               help="Keystone only: the region whose object-store endpoint is used. Empty "
                    "takes the catalog's only (or first) object-store endpoint."),
    cfg.StrOpt("interface", default="public", choices=["public", "internal", "admin"],
               help="Keystone only: which of the catalog's object-store endpoints is used "
                    "(swiftclient's endpoint type)."),
    cfg.StrOpt("service_type", default="object-store",
               help="Keystone only: the catalog service type of the Swift API."),
    cfg.StrOpt("temp_url_key", default="", secret=True,
               help="The account's temp URL key, used to sign CreateTempUrl URLs. When set "
                    "and the account holds it as neither of its two keys, the driver stores "
                    "it at start as X-Account-Meta-Temp-URL-Key and moves the key it "
                    "replaces to X-Account-Meta-Temp-URL-Key-2 (Swift's key rotation: URLs "
                    "signed before stay valid until they expire). Empty disables "
                    "CreateTempUrl."),
    cfg.StrOpt("temp_url_digest", default="sha1", choices=["sha1", "sha256", "sha512"],
               help="HMAC digest of temp URL signatures. Ceph RGW 16.2 verifies only sha1; "
                    "OpenStack Swift accepts all three (its default allowed digests are "
                    "sha256 and sha512 in recent releases)."),
    cfg.StrOpt("segment_container_suffix", default="_segments", regex=r"^[^/\s]+$",
               help="Large objects are stored as Swift static large objects whose segments "
                    "live in the container <container><suffix>, the swift CLI's convention, "
                    "so both tools can read each other's objects. Not empty: segments must "
                    "not mix with the objects. Each large object records the suffix it used."),
    cfg.BoolOpt("verify_ssl", default=True,
                help="Verify the TLS certificates of https auth and storage endpoints. Turn "
                     "off only for test installations with self-signed certificates."),
    cfg.StrOpt("ca_file", default="",
               help="A CA bundle to verify the endpoints' TLS certificates with. Empty uses "
                    "the system's bundle."),
    cfg.FloatOpt("timeout", default=60.0, min=0.1,
                 help="Seconds to wait for the Swift endpoint (or Keystone) to accept a "
                      "connection or to send the next bytes of an answer."),
    cfg.IntOpt("retries", default=2, min=0,
               help="Retries of a request that failed with a connection error or a 5xx "
                    "answer, after 1, 2, 4... seconds (swiftclient's backoff). An expired "
                    "token is renewed once whatever this says."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the [swift] group on ``conf``; safe to call more than once.

    A fresh OptGroup each time (see translator_drivers.cloudstack.conf).
    """
    conf.register_group(cfg.OptGroup(GROUP, title=_TITLE, help=_HELP))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    """The options of this module, for oslo-config-generator."""
    return [(GROUP, opts)]
