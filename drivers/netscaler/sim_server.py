"""The HTTP side of the NetScaler simulator: the handler that hands each request to
``NetScalerSimulator.handle`` and writes NITRO's answer (the server: sim_http).

Answers carry ``Content-Type: application/json; charset=utf-8`` (what NetScaler sends)
and NITRO's own reason phrases for 207 and 599. Nothing is logged here: the access log
of http.server would print URLs, and headers carry the session cookie.
"""

from __future__ import annotations

import json

from translator_drivers.netscaler.sim_errors import REASONS
from translator_drivers.sim_http import KeepAliveHandler

CONTENT_TYPE = "application/json; charset=utf-8"


class Handler(KeepAliveHandler):
    server_version = "NetScalerSimulator/1.0"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        status, body, extra = self.server.simulator.handle(self.command, self.path,
                                                           self.headers, raw)
        payload = json.dumps(body).encode("utf-8") if body is not None else b""
        self.send_response(status, REASONS.get(status))
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve  # noqa: N815
