"""A tiny Keystone v3 stand-in for the driver's Keystone path, because no Keystone can run here.

It answers only ``POST /v3/auth/tokens`` (password method, project scope), as
Keystone does: 201, the token in ``X-Subject-Token`` and a body whose catalog
has one object-store endpoint, the real RGW's storage URL. The token it hands
out is a real RGW token it obtained itself through RGW's auth v1, so what the
driver does with it afterwards is checked by the real RGW.
"""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import urllib.request
import uuid

REGION = "RegionOne"


class KeystoneStandIn:
    """Serves on 127.0.0.1 (any free port) while used as a context manager."""

    def __init__(self, rgw_auth_url: str, rgw_user: str, rgw_key: str, *, username: str,
                 password: str, project: str, domain: str = "Default") -> None:
        self.rgw = (rgw_auth_url, rgw_user, rgw_key)
        self.expected = {"user": username, "password": password, "project": project,
                         "domain": domain}
        #: Tokens to hand out before real ones (e.g. a stale one, to provoke a 401).
        self.queued_tokens: list[str] = []
        self.requests: list[dict] = []  # the auth bodies received, passwords removed
        self._server: http.server.ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v3"

    def __enter__(self) -> KeystoneStandIn:
        standin = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, headers, answer = standin.answer(self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                for key, value in {**headers, "Content-Type": "application/json",
                                   "Content-Length": str(len(data))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, body: dict) -> tuple[int, dict, dict]:
        if path != "/v3/auth/tokens":
            return 404, {}, {"error": {"code": 404, "title": "Not Found", "message": path}}
        identity = body["auth"]["identity"]
        user = identity["password"]["user"]
        project = body["auth"].get("scope", {}).get("project", {})
        self.requests.append({"methods": identity["methods"], "user": user.get("name"),
                              "user_domain": user.get("domain", {}).get("name"),
                              "project": project.get("name"),
                              "project_domain": project.get("domain", {}).get("name")})
        want = self.expected
        if (identity["methods"] != ["password"] or user.get("name") != want["user"]
                or user.get("password") != want["password"]
                or user.get("domain", {}).get("name") != want["domain"]
                or project.get("name") != want["project"]
                or project.get("domain", {}).get("name") != want["domain"]):
            return 401, {}, {"error": {"code": 401, "title": "Unauthorized",
                                       "message": "The request you have made requires "
                                                  "authentication."}}
        storage_url, token = self._rgw_token()
        if self.queued_tokens:
            token = self.queued_tokens.pop(0)
        return 201, {"X-Subject-Token": token}, self._token_body(storage_url)

    def _rgw_token(self) -> tuple[str, str]:
        auth_url, user, key = self.rgw
        request = urllib.request.Request(auth_url, headers={"X-Auth-User": user,
                                                            "X-Auth-Key": key})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.headers["X-Storage-Url"], response.headers["X-Auth-Token"]

    def _token_body(self, storage_url: str) -> dict:
        now = datetime.datetime.now(datetime.UTC)
        stamp = "%Y-%m-%dT%H:%M:%S.000000Z"
        domain = {"id": "default", "name": self.expected["domain"]}
        return {"token": {
            "methods": ["password"],
            "issued_at": now.strftime(stamp),
            "expires_at": (now + datetime.timedelta(hours=1)).strftime(stamp),
            "user": {"id": uuid.uuid4().hex, "name": self.expected["user"], "domain": domain},
            "project": {"id": uuid.uuid4().hex, "name": self.expected["project"],
                        "domain": domain},
            "roles": [{"id": uuid.uuid4().hex, "name": "member"}],
            "catalog": [{"type": "object-store", "name": "swift", "id": uuid.uuid4().hex,
                         "endpoints": [{"id": uuid.uuid4().hex, "interface": interface,
                                        "region": REGION, "region_id": REGION,
                                        "url": storage_url}
                                       for interface in ("public", "internal")]}],
        }}
