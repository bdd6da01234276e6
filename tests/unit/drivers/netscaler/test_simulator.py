"""The NetScaler NITRO simulator over plain HTTP: sessions, envelopes, fault injection,
request counting, logging and the ``translator-sim netscaler`` command."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from translator_drivers.netscaler.simulator import NetScalerSimulator

VS = {"name": "vs1", "servicetype": "HTTP", "ipv46": "10.0.0.10", "port": 80}
EXPIRED = {"errorcode": 444, "message": "Session expired or killed. Please login again",
           "severity": "ERROR"}
PASSWORD = "s3cret-pass"  # the ns_sim fixture's
BAD_LOGIN = {"errorcode": 354, "message": "Invalid username or password", "severity": "ERROR"}


# --- sessions -------------------------------------------------------------------------------

def test_login_answers_201_a_cookie_and_the_session_id(anonymous):
    answer = anonymous.login()
    assert answer.status == 201
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    token = answer.body["sessionid"]
    assert re.fullmatch(r"##[0-9A-F]{60}", token)
    assert answer.body == {"errorcode": 0, "message": "Done", "severity": "NONE",
                           "sessionid": token}
    assert answer.headers["Set-Cookie"] == f"NITRO_AUTH_TOKEN={token}; path=/nitro/v1"
    assert anonymous.get("lbvserver") == []


@pytest.mark.parametrize("body", [
    {"login": {"username": "nsroot", "password": "wrong"}},
    {"login": {"username": "admin", "password": PASSWORD}},
    {"login": {"username": "nsroot"}},
    {"nothing": {}},
])
def test_bad_credentials_answer_401_errorcode_354(anonymous, body):
    answer = anonymous.call("POST", "login", body, cookie=False)
    assert (answer.status, answer.body) == (401, BAD_LOGIN)


def test_calls_without_a_valid_session_answer_444(anonymous):
    assert (anonymous.call("GET", "lbvserver").status, anonymous.call("GET", "lbvserver").body) \
        == (401, EXPIRED)
    anonymous.token = "##" + "0" * 60
    answer = anonymous.call("GET", "lbvserver")
    assert (answer.status, answer.body) == (401, EXPIRED)


def test_per_request_credentials_in_nitro_headers(anonymous):
    good = {"X-NITRO-USER": "nsroot", "X-NITRO-PASS": PASSWORD}
    assert anonymous.call("POST", "lbvserver", {"lbvserver": VS}, headers=good).status == 201
    answer = anonymous.call("GET", "lbvserver/vs1", headers={**good, "X-NITRO-PASS": "no"})
    assert (answer.status, answer.body) == (401, BAD_LOGIN)


def test_token_in_a_set_cookie_request_header_is_accepted(anonymous, nitro):
    """adc-nitro-go sends the token as a Set-Cookie request header."""
    answer = anonymous.call("GET", "lbvserver",
                            headers={"Set-Cookie": f"NITRO_AUTH_TOKEN={nitro.token}"})
    assert answer.status == 200


def test_logout_ends_the_session(nitro):
    answer = nitro.call("POST", "logout", {"logout": {}})
    assert (answer.status, answer.body) == (200, {"errorcode": 0, "message": "Done",
                                                  "severity": "NONE"})
    assert nitro.call("GET", "lbvserver").body == EXPIRED


def test_session_expires_after_idle_timeout_and_activity_extends_it(anonymous):
    caller = anonymous
    caller.login(timeout=0.4)
    for _ in range(3):  # 0.6 s in total, but never 0.4 s idle
        time.sleep(0.2)
        assert caller.call("GET", "lbvserver").status == 200
    time.sleep(0.5)
    assert caller.call("GET", "lbvserver").body == EXPIRED
    assert caller.login().status == 201
    assert caller.call("GET", "lbvserver").status == 200


def test_default_idle_timeout_is_the_simulators(nitro_for):
    with NetScalerSimulator(password=PASSWORD, session_timeout=0.2) as short:
        caller = nitro_for(short.port)
        caller.login()
        time.sleep(0.3)
        assert caller.call("GET", "lbvserver").body == EXPIRED


def test_expire_sessions_forces_a_new_login(ns_sim, nitro):
    ns_sim.expire_sessions()
    assert nitro.call("GET", "lbvserver").body == EXPIRED
    assert nitro.login().status == 201
    assert nitro.call("GET", "lbvserver").status == 200


# --- envelopes and routing ---------------------------------------------------------------------

def test_unknown_resource_type_and_path(nitro):
    answer = nitro.call("GET", "nsfeature")
    assert (answer.status, answer.errorcode) == (404, 1232)
    assert nitro.call("GET", "/somewhere/else").status == 404


def test_invalid_json_answers_1233(nitro):
    answer = nitro.call("POST", "lbvserver", raw=b"{not json")
    assert (answer.status, answer.errorcode) == (400, 1233)
    answer = nitro.call("POST", "lbvserver", {"servicegroup": {}})
    assert (answer.status, answer.errorcode) == (400, 1233)


def test_legacy_form_body_object_is_accepted(nitro):
    body = "object=" + json.dumps({"lbvserver": VS})
    answer = nitro.call("POST", "lbvserver", raw=body.encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 201


def test_actions_are_not_simulated(nitro):
    nitro.add("lbvserver", VS)
    answer = nitro.call("POST", "lbvserver?action=disable", {"lbvserver": {"name": "vs1"}})
    assert (answer.status, answer.errorcode) == (400, 1240)


# --- fault injection -----------------------------------------------------------------------------

def test_fail_next_fails_exactly_the_next_matching_call(ns_sim, nitro):
    ns_sim.fail_next("POST", "lbvserver", 273, "Resource already exists [name, vs1]")
    assert nitro.call("GET", "lbvserver").status == 200  # other method: untouched
    answer = nitro.call("POST", "lbvserver", {"lbvserver": VS})
    assert answer.status == 409
    assert answer.body == {"errorcode": 273, "message": "Resource already exists [name, vs1]",
                           "severity": "ERROR"}
    assert nitro.get("lbvserver") == []  # the failed call changed nothing
    nitro.add("lbvserver", VS)


def test_fail_next_defaults_to_599_with_nitros_reason_phrase(ns_sim, nitro):
    ns_sim.fail_next("DELETE", "lbvserver", 1067, "Feature(s) not enabled [LB]")
    answer = nitro.call("DELETE", "lbvserver/x")
    assert (answer.status, answer.reason, answer.errorcode) == \
        (599, "Netscaler specific error", 1067)
    ns_sim.fail_next("GET", "lbvserver", 9999, "boom", http_status=503)
    assert nitro.call("GET", "lbvserver").status == 503


def test_fail_next_on_login(ns_sim, anonymous):
    ns_sim.fail_next("POST", "login", 354, "Invalid username or password")
    assert anonymous.login().status == 401
    assert anonymous.login().status == 201


# --- counting and logging --------------------------------------------------------------------

def test_every_request_is_counted_logins_and_failures_included(ns_sim, anonymous):
    anonymous.call("GET", "lbvserver")          # 444
    anonymous.login()
    anonymous.call("GET", "lbvserver/missing")  # 258
    anonymous.call("DELETE", "lbvserver/missing?args=x:y")
    assert ns_sim.request_count == 4
    assert ns_sim.requests == [("GET", "/nitro/v1/config/lbvserver"),
                               ("POST", "/nitro/v1/config/login"),
                               ("GET", "/nitro/v1/config/lbvserver/missing"),
                               ("DELETE", "/nitro/v1/config/lbvserver/missing")]
    ns_sim.reset_counts()
    assert ns_sim.request_count == 0 and ns_sim.requests == []


def test_password_and_token_never_reach_the_log(ns_sim, anonymous, caplog):
    caplog.set_level(logging.DEBUG, logger="translator_drivers.netscaler")
    anonymous.login(password="wrong-password")
    anonymous.login()
    anonymous.add("lbvserver", VS)
    assert "POST /nitro/v1/config/login -> 201" in caplog.text
    assert "POST /nitro/v1/config/login -> 401" in caplog.text
    for secret in (PASSWORD, "wrong-password", anonymous.token):
        assert secret not in caplog.text


def test_stop_drops_keep_alive_connections(ns_sim, nitro):
    assert nitro.call("GET", "lbvserver").status == 200
    ns_sim.stop()
    with pytest.raises(OSError):
        nitro.call("GET", "lbvserver")


def test_endpoint_and_config_overrides(ns_sim):
    assert ns_sim.endpoint == f"http://127.0.0.1:{ns_sim.port}"
    assert ns_sim.config_overrides() == {"netscaler": {
        "endpoint": ns_sim.endpoint, "username": "nsroot", "password": PASSWORD}}
    generated = NetScalerSimulator()
    assert len(generated.password) >= 24
    with pytest.raises(RuntimeError):
        generated.endpoint  # noqa: B018 - not started


# --- translator-sim netscaler --------------------------------------------------------------------

def test_command_line_options(tmp_path, monkeypatch, nitro_for):
    monkeypatch.setenv("TRANSLATOR_SIM_PASSWORD", "from-env")
    parser = argparse.ArgumentParser()
    NetScalerSimulator.add_arguments(parser)
    creds = tmp_path / "creds.json"
    args = parser.parse_args(["--port", "0", "--credentials-file", str(creds),
                              "--username", "admin", "--session-timeout", "60"])
    sim = NetScalerSimulator.from_args(args)
    assert (sim.username, sim.password, sim.session_timeout) == ("admin", "from-env", 60.0)
    with sim:
        assert json.loads(creds.read_text()) == {"endpoint": sim.endpoint,
                                                 "username": "admin", "password": "from-env"}
        assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
        assert nitro_for(sim.port).login("admin", "from-env").status == 201


def _translator_sim() -> list[str]:
    script = Path(sys.executable).with_name("translator-sim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "translator.cmd.sim"]


def test_translator_sim_help_lists_netscaler():
    out = subprocess.run([*_translator_sim(), "--help"], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert "netscaler" in out and "Citrix NetScaler NITRO REST API on loopback" in out
    out = subprocess.run([*_translator_sim(), "netscaler", "--help"], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    assert "--credentials-file" in out and "--health-interval" in out


def test_translator_sim_netscaler_listens(tmp_path, nitro_for):
    creds = tmp_path / "creds.json"
    proc = subprocess.Popen([*_translator_sim(), "netscaler", "--port", "0",
                             "--credentials-file", str(creds)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not creds.exists() or not creds.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        written = json.loads(creds.read_text())
        port = int(written["endpoint"].rsplit(":", 1)[1])
        caller = nitro_for(port)
        assert caller.login(written["username"], written["password"]).status == 201
        assert caller.call("GET", "lbvserver").status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "netscaler simulator listening at http://127.0.0.1:" in err
    assert written["password"] not in err


def test_concurrent_clients_are_served_consistently(ns_sim, nitro_for):
    def work(i: int) -> None:
        caller = nitro_for(ns_sim.port)
        caller.login()
        for j in range(5):
            caller.add("lbvserver", {"name": f"v{i}-{j}", "servicetype": "TCP"})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ns_sim.objects("lbvserver")) == 40
    assert ns_sim.request_count == 8 * 6
