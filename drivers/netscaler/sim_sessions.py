"""NITRO sessions of the NetScaler simulator (NITRO "Connecting to the NetScaler
Appliance", "Disconnecting from the NetScaler Appliance").

- ``POST /nitro/v1/config/login`` with ``{"login": {"username", "password", "timeout"}}``
  answers 201, ``Set-Cookie: NITRO_AUTH_TOKEN=<token>; path=/nitro/v1`` and ``{"errorcode":
  0, "message": "Done", "severity": "NONE", "sessionid": "<token>"}``. The token looks
  like a real one: "##" and 60 upper-case hex digits. Bad credentials: 401, 354 "Invalid
  username or password".
- Every other call needs the cookie, or ``X-NITRO-USER``/``X-NITRO-PASS`` headers
  (NITRO's per-request login; wrong ones answer 354). adc-nitro-go sends the cookie in a
  ``Set-Cookie`` request header; that is accepted too. An unknown, logged-out or expired
  token, or no credentials at all: 401, 444 "Session expired or killed. Please login
  again" (adc-nitro-go and the NITRO SDKs drop their session on 444 and log in again).
- A session expires after ``timeout`` idle seconds; the login's ``timeout`` wins over
  the simulator's default (NITRO's default is 30 minutes).
- ``POST /nitro/v1/config/logout`` with ``{"logout": {}}`` ends the session: 200, Done.
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse
from dataclasses import dataclass
from email.message import Message
from typing import Any

from translator_drivers.netscaler import sim_errors as err

COOKIE = "NITRO_AUTH_TOKEN"


@dataclass
class _Session:
    timeout: float
    last_used: float


def cookie_token(headers: Message) -> str | None:
    for header in ("Cookie", "Set-Cookie"):
        for value in headers.get_all(header) or []:
            for part in value.split(";"):
                name, _, token = part.strip().partition("=")
                if name == COOKIE and token:
                    return urllib.parse.unquote(token.strip('"'))
    return None


class Sessions:
    """Logged-in sessions by token, and the one user the appliance knows."""

    def __init__(self, username: str, password: str, default_timeout: float) -> None:
        self.username = username
        self.password = password
        self.default_timeout = default_timeout
        self._sessions: dict[str, _Session] = {}

    def clear(self) -> None:
        self._sessions.clear()

    def _credentials_ok(self, username: Any, password: Any) -> bool:
        return (isinstance(username, str) and isinstance(password, str)
                and hmac.compare_digest(username.encode(), self.username.encode())
                and hmac.compare_digest(password.encode(), self.password.encode()))

    def login(self, body: dict[str, Any], now: float,
              extra_headers: list[tuple[str, str]]) -> tuple[int, dict[str, Any]]:
        login = body.get("login")
        if not isinstance(login, dict) or not self._credentials_ok(login.get("username"),
                                                                   login.get("password")):
            raise err.NitroError(err.BAD_CREDENTIALS)
        try:
            timeout = float(login.get("timeout") or self.default_timeout)
        except (TypeError, ValueError):
            raise err.bad_value("timeout") from None
        token = "##" + secrets.token_hex(30).upper()
        self._sessions[token] = _Session(timeout=timeout, last_used=now)
        extra_headers.append(("Set-Cookie", f"{COOKIE}={token}; path=/nitro/v1"))
        return 201, {**err.done(), "sessionid": token}

    def logout(self, headers: Message) -> tuple[int, dict[str, Any]]:
        self._sessions.pop(cookie_token(headers) or "", None)
        return 200, err.done()

    def authenticate(self, headers: Message, now: float) -> None:
        """Return when the request carries a live session or good credentials."""
        token = cookie_token(headers)
        session = self._sessions.get(token or "")
        if session is not None:
            if now - session.last_used <= session.timeout:
                session.last_used = now
                return
            del self._sessions[token]
        user, password = headers.get("X-NITRO-USER"), headers.get("X-NITRO-PASS")
        if user is not None or password is not None:
            if self._credentials_ok(user, password):
                return
            raise err.NitroError(err.BAD_CREDENTIALS)
        raise err.NitroError(err.SESSION_EXPIRED)
