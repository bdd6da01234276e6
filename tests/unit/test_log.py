import logging

from oslo_config import cfg

from translator import log


def _conf():
    conf = cfg.ConfigOpts()
    conf.register_opts([cfg.StrOpt("password", secret=True), cfg.StrOpt("user")], group="g")
    conf([], default_config_files=[])
    conf.set_override("password", "s3cr3t-value", group="g")
    conf.set_override("user", "alice", group="g")
    return conf


def test_secret_values_only_secret_options():
    assert log.secret_values(_conf()) == {"s3cr3t-value"}


def test_filter_masks_messages_args_and_tracebacks(caplog):
    logger = logging.getLogger("test.secret")
    handler = caplog.handler
    handler.addFilter(log.SecretFilter({"s3cr3t-value"}))
    try:
        logger.warning("key=%s", "s3cr3t-value")
        try:
            raise ValueError("boom s3cr3t-value")
        except ValueError:
            logger.exception("failed")
    finally:
        handler.filters.clear()
    text = caplog.text
    assert "s3cr3t-value" not in text
    assert "key=***" in text and "boom ***" in text
