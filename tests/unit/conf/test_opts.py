from stevedore import extension

SECRET_WORDS = ("key", "password", "secret", "token")


def _all_opts():
    manager = extension.ExtensionManager("oslo.config.opts", invoke_on_load=True)
    found = [ext for ext in manager if ext.name.startswith("translator")]
    assert {ext.name for ext in found} >= {"translator", "translator.cloudstack"}
    for ext in found:
        for group, opts in ext.obj:
            for opt in opts:
                yield ext.name, str(group), opt


def test_help_strings_are_sentences():
    for ns, group, opt in _all_opts():
        assert opt.help and opt.help.rstrip().endswith("."), (ns, group, opt.name)


def test_credentials_are_secret():
    for ns, group, opt in _all_opts():
        if opt.name.endswith(SECRET_WORDS) and opt.name != "api_key_file":
            assert opt.secret, (ns, group, opt.name)


def test_defaults_bind_loopback_only():
    binds = [opt.default for _, group, opt in _all_opts() if opt.name == "bind"]
    assert binds == ["127.0.0.1:50051"]
