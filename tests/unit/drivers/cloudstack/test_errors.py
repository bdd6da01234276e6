"""CloudStack/libcloud/requests errors → translator errors, never leaking a credential."""

from __future__ import annotations

import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading

import pytest
import requests
from libcloud.common.types import InvalidCredsError, MalformedResponseError, ProviderError
from oslo_config import cfg

from translator.drivers import exceptions as exc
from translator_drivers.cloudstack import conf as cs_conf
from translator_drivers.cloudstack import errors
from translator_drivers.cloudstack.client import CloudStackClient
from translator_drivers.cloudstack.simulator import CloudStackSimulator

API_KEY = "contract-api-key-AAAA"
SECRET = "contract-secret-key-BBBB"


def client_for(endpoint: str, api_key: str = API_KEY, secret: str = SECRET,
               timeout: float = 5.0, verify_ssl: bool = True) -> CloudStackClient:
    conf = cfg.ConfigOpts()
    cs_conf.register_opts(conf)
    conf([], project="translator", default_config_files=[])
    for name, value in {"endpoint": endpoint, "api_key": api_key, "secret_key": secret,
                        "timeout": timeout, "verify_ssl": verify_ssl}.items():
        conf.set_override(name, value, group="cloudstack")
    return CloudStackClient(conf.cloudstack)


def assert_no_secrets(error: exc.TranslatorError, *secrets: str) -> None:
    for text in (error.user_message, error.operator_message, str(error)):
        for secret in secrets:
            assert secret not in text
        assert "signature=" not in text.lower() or "signature=***" in text.lower()


@pytest.fixture(scope="module")
def sim():
    with CloudStackSimulator(host="127.0.0.1", port=0) as simulator:
        yield simulator


# -- the table ---------------------------------------------------------------------


@pytest.mark.parametrize("code, cls, retryable", [
    (431, exc.InvalidInput, False),
    (432, exc.UnsupportedOperation, False),
    (530, exc.BackendError, False),
    (532, exc.QuotaExceeded, False),
    (533, exc.CapacityExhausted, True),
    (534, exc.BackendUnavailable, True),
    (536, exc.Conflict, False),
    (537, exc.AlreadyExists, False),
])
def test_table(code, cls, retryable):
    assert errors.ERROR_CODE_MAP[code] is cls
    error = errors.from_code(code, "boom", "deployVirtualMachine")
    assert type(error) is cls and error.retryable is retryable
    assert error.backend == "cloudstack" and error.backend_code == str(code)
    assert "deployVirtualMachine" in error.user_message and "boom" in error.user_message


def test_unknown_codes():
    assert type(errors.from_code(999, "x", "c")) is exc.BackendError
    assert type(errors.from_code(503, "x", "c")) is exc.BackendUnavailable
    assert type(errors.from_code(None, "", "c")) is exc.BackendError
    assert errors.from_code("431", "x", "c").backend_code == "431"


# -- libcloud and requests exceptions --------------------------------------------------


def test_provider_error_uses_the_http_code():
    with pytest.raises(exc.QuotaExceeded) as info:
        with errors.translate_errors("deployVirtualMachine"):
            raise ProviderError("Maximum number of resources of type 'user_vm' exceeded", 532)
    assert info.value.backend_code == "532"
    assert isinstance(info.value.__cause__, ProviderError)


def test_invalid_creds_is_a_non_retryable_unavailable():
    with pytest.raises(errors.BackendAuthFailed) as info:
        with errors.translate_errors("listZones"):
            raise InvalidCredsError("Invalid provider credentials")
    error = info.value
    assert isinstance(error, exc.BackendUnavailable) and error.retryable is False
    assert error.code == "UNAVAILABLE"
    assert error.user_message == "the backend rejected the translator's credentials"
    assert error.backend == "cloudstack" and error.backend_code == "401"


def test_malformed_response_is_a_backend_error():
    with pytest.raises(exc.BackendError):
        with errors.translate_errors("listZones"):
            raise MalformedResponseError("Unknown response format", body="<html>")


def test_our_errors_pass_through():
    original = exc.NotFound("x")
    with pytest.raises(exc.NotFound) as info:
        with errors.translate_errors("c"):
            raise original
    assert info.value is original


def test_requests_messages_are_scrubbed():
    url = (f"http://h:1/client/api?apiKey={API_KEY}&command=listZones&response=json"
           f"&signature=c2lnbmF0dXJl")
    with pytest.raises(exc.BackendUnavailable) as info:
        with errors.translate_errors("listZones"):
            raise requests.exceptions.ConnectionError(f"Max retries exceeded with url: {url}")
    assert_no_secrets(info.value, API_KEY, "c2lnbmF0dXJl")
    assert info.value.retryable


def test_scrub():
    text = errors.scrub("GET /client/api?apiKey=KEY1&signature=SIG1 failed; "
                        "apikey=KEY2 signature=SIG2")
    for secret in ("KEY1", "SIG1", "KEY2", "SIG2"):
        assert secret not in text
    assert text.startswith("GET /client/api?")


# -- over the wire ------------------------------------------------------------------------


def test_connection_refused_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = client_for(f"http://127.0.0.1:{port}/client/api")
    with pytest.raises(exc.BackendUnavailable) as info:
        client.call("listZones")
    assert info.value.retryable and "reached" in info.value.user_message
    assert_no_secrets(info.value, API_KEY, SECRET)


def test_timeout_is_unavailable():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    try:
        client = client_for(f"http://127.0.0.1:{server.getsockname()[1]}/client/api",
                            timeout=0.2)
        with pytest.raises(exc.BackendUnavailable) as info:
            client.call("listZones")
        assert info.value.retryable and "in time" in info.value.user_message
        assert_no_secrets(info.value, API_KEY, SECRET)
    finally:
        server.close()
        for conn, _ in accepted:
            conn.close()


def test_dns_failure_is_unavailable():
    client = client_for("http://no-such-host.invalid:8080/client/api")
    with pytest.raises(exc.BackendUnavailable):
        client.call("listZones")


def test_wrong_secret_is_auth_failed(sim):
    client = client_for(sim.endpoint, api_key=sim.api_key, secret="not-the-secret")
    with pytest.raises(errors.BackendAuthFailed) as info:
        client.call("listZones")
    assert not info.value.retryable
    assert_no_secrets(info.value, sim.api_key, sim.secret_key, "not-the-secret")


@pytest.mark.parametrize("code, cls", sorted(errors.ERROR_CODE_MAP.items()))
def test_simulator_error_codes(sim, code, cls):
    client = client_for(sim.endpoint, api_key=sim.api_key, secret=sim.secret_key)
    sim.fail_next("listZones", code, f"injected {code}")
    with pytest.raises(cls) as info:
        client.call("listZones")
    assert info.value.backend_code == str(code)
    assert f"injected {code}" in info.value.user_message
    assert_no_secrets(info.value, sim.api_key, sim.secret_key)
    assert client.call("listZones")["zone"]  # only the next call failed


@pytest.fixture
def tls_endpoint(tmp_path):
    """An HTTPS server with a self-signed certificate answering every request with zones."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            body = json.dumps({"listzonesresponse": {"count": 1, "zone": [
                {"id": "z", "name": "zone"}]}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"https://127.0.0.1:{server.server_address[1]}/client/api"
    server.shutdown()
    server.server_close()


def test_untrusted_certificate_is_a_configuration_error(tls_endpoint):
    with pytest.raises(errors.BackendMisconfigured) as info:
        client_for(tls_endpoint).call("listZones")
    assert not info.value.retryable and "TLS" in info.value.user_message


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_ssl_off_accepts_the_certificate(tls_endpoint):
    client = client_for(tls_endpoint, verify_ssl=False)
    assert client.call("listZones")["zone"][0]["name"] == "zone"


def test_failed_job_handles_round_trip():
    original = errors.from_code(532, "limit reached", "createTags")
    handle = errors.failed_job(original, "server s1 was created, but: limit reached")
    assert handle.startswith(errors.FAILED_JOB)
    again = errors.failure(handle)
    assert type(again) is exc.QuotaExceeded and again.backend_code == "532"
    assert again.user_message == "server s1 was created, but: limit reached"
    auth = errors.failure(errors.failed_job(errors.BackendAuthFailed("x"), "m"))
    assert type(auth) is errors.BackendAuthFailed
    assert type(errors.failure(errors.FAILED_JOB + "garbage")) is exc.BackendError


def _raise_431(text: str):
    raise errors.from_code(431, text, "scaleVirtualMachine")


@pytest.mark.parametrize("text, cls", [
    ("Unable to execute API command scalevirtualmachine due to invalid value. Invalid "
     "parameter id value=x due to incorrect long value format, or entity does not exist",
     exc.NotFound),
    ("Unable to execute API command scalevirtualmachine due to invalid value. Invalid "
     "parameter serviceofferingid value=y due to incorrect long value format, or entity does "
     "not exist", exc.InvalidInput),
    ("Unable to find a virtual machine with id x", exc.NotFound),
    ("VM is not in the correct state: VM web is Destroyed", exc.Conflict),
    ("Only scaling up the vm is supported", exc.InvalidInput),
])
def test_asked_by_id(text, cls):
    with pytest.raises(cls) as info:
        with errors.asked_by_id("server", "x"):
            _raise_431(text)
    assert type(info.value) is cls and info.value.backend_code == "431"


def test_asked_by_id_strict_and_keypair_duplicates():
    with pytest.raises(exc.NotFound, match="'kp'"):
        with errors.asked_by_id("keypair", "kp", strict=True):
            _raise_431("some other wording")
    with pytest.raises(exc.AlreadyExists, match="'kp' already exists"):
        with errors.keypair_errors("kp"):
            _raise_431("A key pair with name 'kp' already exists.")
    with pytest.raises(exc.InvalidInput) as info:
        with errors.keypair_errors("kp", field="public_key"):
            _raise_431("Public key is invalid")
    assert info.value.violations[0].field == "public_key"
