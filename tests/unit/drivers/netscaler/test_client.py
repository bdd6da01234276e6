"""The NITRO client against the simulator: sessions, re-login, errors, no secrets."""

from __future__ import annotations

import json
import logging
import socket
import threading

import pytest

from translator.drivers import exceptions as exc
from translator_drivers.netscaler import nitro_errors
from translator_drivers.netscaler.client import NitroClient, query

PASSWORD = "s3cret-pass"  # the ns_sim fixture's


def test_login_once_then_the_session_is_reused(ns_sim, make_client):
    client = make_client()
    client.get("lbvserver")
    client.get("lbmonitor")
    assert ns_sim.requests == [("POST", "/nitro/v1/config/login"),
                               ("GET", "/nitro/v1/config/lbvserver"),
                               ("GET", "/nitro/v1/config/lbmonitor")]


def test_an_expired_session_logs_in_again_once_and_sends_the_call_again(ns_sim, make_client):
    client = make_client()
    client.login()
    ns_sim.expire_sessions()
    ns_sim.reset_counts()
    client.add("servicegroup", {"servicegroupname": "sg", "servicetype": "HTTP"})
    assert ns_sim.requests == [("POST", "/nitro/v1/config/servicegroup"),
                               ("POST", "/nitro/v1/config/login"),
                               ("POST", "/nitro/v1/config/servicegroup")]
    assert [o["servicegroupname"] for o in ns_sim.objects("servicegroup")] == ["sg"]


def test_threads_share_one_relogin(ns_sim, make_client):
    client = make_client()
    client.login()
    ns_sim.expire_sessions()
    ns_sim.reset_counts()
    errors = []

    def work():
        try:
            client.get("lbvserver")
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r for r in ns_sim.requests if r[1].endswith("/login")] == \
        [("POST", "/nitro/v1/config/login")]


def test_a_session_refused_twice_is_an_auth_error(ns_sim, make_client):
    client = make_client()
    client.login()
    ns_sim.fail_next("GET", "lbvserver", 444, "Session expired or killed. Please login again")
    ns_sim.fail_next("GET", "lbvserver", 444, "Session expired or killed. Please login again")
    with pytest.raises(nitro_errors.BackendAuthFailed):
        client.get("lbvserver")


def test_a_call_refused_for_its_credentials_is_an_auth_error(ns_sim, make_client):
    client = make_client()
    ns_sim.fail_next("GET", "lbvserver", 354, "Invalid username or password")
    with pytest.raises(nitro_errors.BackendAuthFailed):
        client.get("lbvserver")


def test_bad_credentials_name_the_options_never_the_password(ns_sim, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(password="wrong-" + PASSWORD)
    with pytest.raises(nitro_errors.BackendAuthFailed) as raised:
        client.get("lbvserver")
    error = raised.value
    assert isinstance(error, exc.BackendError) and not error.retryable
    assert "[netscaler] username and password" in error.operator_message
    assert error.backend == "netscaler" and error.backend_code == "354"
    assert PASSWORD not in caplog.text and PASSWORD not in error.operator_message


def test_neither_password_nor_token_reach_the_log(ns_sim, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client()
    client.get("lbvserver")
    assert client._token and client._token not in caplog.text
    assert PASSWORD not in caplog.text


def test_close_logs_out(ns_sim, make_client):
    client = make_client()
    client.login()
    client.close()
    assert ns_sim.requests[-1] == ("POST", "/nitro/v1/config/logout")
    client.close()  # a second close sends nothing
    assert ns_sim.requests[-1] == ("POST", "/nitro/v1/config/logout")
    assert len(ns_sim.requests) == 2


@pytest.mark.parametrize("code,status,error", [
    (258, None, exc.NotFound),
    (273, None, exc.AlreadyExists),
    (278, None, exc.BackendError),  # 599 "Netscaler specific error": refused, not unavailable
    (0, 503, exc.BackendUnavailable),
    (0, 502, exc.BackendUnavailable),
])
def test_errors_are_typed(ns_sim, make_client, code, status, error):
    client = make_client()
    ns_sim.fail_next("POST", "lbvserver", code, "refused", status)
    with pytest.raises(error) as raised:
        client.add("lbvserver", {"name": "vs", "servicetype": "HTTP"})
    assert raised.value.backend == "netscaler"
    assert raised.value.backend_code == (str(code) if code else "")
    assert raised.value.retryable == (error is exc.BackendUnavailable)
    assert type(raised.value) is error or error is exc.BackendError


def test_a_failed_bulk_call_reports_its_first_failed_item(ns_sim, make_client):
    client = make_client()
    client.add("servicegroup", {"servicegroupname": "sg", "servicetype": "HTTP"})
    member = {"servicegroupname": "sg", "ip": "10.0.0.1", "port": 80}
    with pytest.raises(exc.AlreadyExists) as raised:
        client.add("servicegroup_servicegroupmember_binding",
                   [member, {**member, "ip": "10.0.0.2"}, member])
    assert raised.value.backend_code == "273"
    assert "Resource already exists" in raised.value.user_message


def test_delete_of_what_is_gone_is_false(ns_sim, make_client):
    client = make_client()
    client.add("servicegroup", {"servicegroupname": "sg", "servicetype": "HTTP"})
    assert client.delete("servicegroup", "sg") is True
    assert client.delete("servicegroup", "sg") is False


def test_args_values_are_escaped_so_ipv6_survives(ns_sim, make_client):
    assert query({"ip": "fd00::1", "port": 80}) == "?args=ip:fd00%3A%3A1,port:80"
    client = make_client()
    client.add("servicegroup", {"servicegroupname": "sg", "servicetype": "TCP"})
    client.add("servicegroup_servicegroupmember_binding",
               {"servicegroupname": "sg", "ip": "fd00::1", "port": 80})
    assert client.delete("servicegroup_servicegroupmember_binding", "sg",
                         args={"ip": "fd00::1", "port": 80})
    assert ns_sim.objects("servicegroup_servicegroupmember_binding") == []


def test_a_refused_connection_is_unavailable_and_retryable(make_client):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = make_client(endpoint=f"http://127.0.0.1:{port}")
    with pytest.raises(exc.BackendUnavailable) as raised:
        client.get("lbvserver")
    assert raised.value.retryable
    assert PASSWORD not in raised.value.operator_message


def test_tls_options_reach_the_session(make_client, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not read until a TLS handshake")
    assert make_client(endpoint="https://ns.example", ca_bundle=str(bundle))._session.verify \
        == str(bundle)
    assert make_client(endpoint="https://ns.example")._session.verify is True
    assert make_client(endpoint="https://ns.example", verify_tls=False)._session.verify is False


def test_login_asks_for_the_configured_session_timeout(make_client):
    client = make_client(session_timeout=120)
    sent = []
    send = client._session.request
    client._session.request = lambda method, url, **kw: sent.append(kw["data"]) or \
        send(method, url, **kw)
    client.login()
    assert json.loads(sent[0])["login"]["timeout"] == 120


def test_client_is_built_from_the_options(make_client):
    client = make_client(timeout=3.5, username="api")
    assert isinstance(client, NitroClient)
    assert (client.timeout, client.username) == (3.5, "api")
