"""[netscaler] options: where the NetScaler's NITRO API is and how the driver uses it.

Importable without ``requests``, so ``oslo-config-generator`` runs anywhere.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = "netscaler"

_TITLE = "Citrix NetScaler"
_HELP = "How the netscaler load balancing driver reaches a NetScaler over its NITRO REST API."

#: What NetScaler accepts at the start of an entity name, kept short so that
#: ``<prefix><12-character id>-<port>-pool`` stays far below its 127 characters.
PREFIX_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$"

opts = [
    cfg.URIOpt("endpoint", default="https://127.0.0.1", schemes=["http", "https"],
               help="URL of the NetScaler management address (NSIP or SNIP with management "
                    "access), without a path: the driver adds /nitro/v1/config/."),
    cfg.StrOpt("username", default="nsroot",
               help="NetScaler system user the translator logs in as. It needs the right to "
                    "add, set and remove lb vservers, service groups, monitors and their "
                    "bindings."),
    cfg.StrOpt("password", default="", secret=True,
               help="Password of that NetScaler user."),
    cfg.BoolOpt("verify_tls", default=True,
                help="Verify the TLS certificate of an https endpoint. Turn off only for test "
                     "appliances with self-signed certificates."),
    cfg.StrOpt("ca_bundle", default="",
               help="File of CA certificates (PEM) that signed the NetScaler's management "
                    "certificate, when it is not signed by a CA the system trusts. Empty "
                    "uses the system's CAs."),
    cfg.FloatOpt("timeout", default=30.0, min=0.1,
                 help="Seconds to wait for the NetScaler to answer one HTTP request."),
    cfg.IntOpt("session_timeout", default=1800, min=60, max=86400,
               help="Idle timeout, in seconds, of the NITRO session the driver logs in for. "
                    "The driver logs in again when the session has expired."),
    cfg.StrOpt("name_prefix", default="tr-", regex=PREFIX_PATTERN,
               help="Start of the name of every NetScaler entity the driver makes (lb "
                    "vservers, service groups, monitors). The driver lists and changes only "
                    "entities whose names start with it, so give each translator deployment "
                    "sharing one NetScaler its own prefix."),
    cfg.IntOpt("persistence_timeout", default=2, min=0, max=1440,
               help="Minutes a persistence session (SOURCE_IP, APP_COOKIE) lives without "
                    "traffic, and the lifetime of an inserted HTTP_COOKIE (0: a session "
                    "cookie). NetScaler's default is 2."),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register the [netscaler] group on ``conf``; safe to call more than once.

    A fresh OptGroup each time (see translator_drivers.cloudstack.conf).
    """
    conf.register_group(cfg.OptGroup(GROUP, title=_TITLE, help=_HELP))
    conf.register_opts(opts, group=GROUP)


def list_opts() -> list:
    """The options of this module, for oslo-config-generator."""
    return [(GROUP, opts)]
