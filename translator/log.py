"""Logging set-up, with every configured secret masked as a last line of defence.

Code never logs a secret on purpose; this filter also catches one that slips
into a message through a backend library's exception text.
"""

from __future__ import annotations

import logging

from oslo_config import cfg

MASK = "***"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SecretFilter(logging.Filter):
    def __init__(self, secrets: set[str]) -> None:
        super().__init__()
        # Very short values would mask ordinary words; such secrets are weak anyway.
        self.secrets = sorted((s for s in secrets if len(s) >= 6), key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        masked = message
        for secret in self.secrets:
            masked = masked.replace(secret, MASK)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self.secrets:
                record.exc_text = record.exc_text.replace(secret, MASK)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def secret_values(conf: cfg.ConfigOpts) -> set[str]:
    """The values of every option registered with secret=True."""
    values = set()
    groups = [(None, conf._opts)] + [(name, group._opts)  # noqa: SLF001 - no public iterator
                                     for name, group in conf._groups.items()]  # noqa: SLF001
    for group, opts in groups:
        for name, info in opts.items():
            if not info["opt"].secret:
                continue
            value = conf[group][name] if group else conf[name]
            if isinstance(value, str) and value:
                values.add(value)
    return values


def setup(conf: cfg.ConfigOpts) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if conf.debug else logging.INFO)
    protect(conf)


def protect(conf: cfg.ConfigOpts) -> None:
    """(Re)install the secret filter on every root handler; call after options change."""
    secret_filter = SecretFilter(secret_values(conf))
    for handler in logging.getLogger().handlers:
        for old in [f for f in handler.filters if isinstance(f, SecretFilter)]:
            handler.removeFilter(old)
        handler.addFilter(secret_filter)
