"""Entry point for oslo-config-generator (namespace ``translator``)."""

from translator import conf


def list_opts() -> list:
    return conf.list_opts()
