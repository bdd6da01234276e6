"""The HTTP side of the NetScaler simulator: a threading HTTP/1.1 server whose handler
hands each request to ``NetScalerSimulator.handle`` and writes NITRO's answer.

Answers carry ``Content-Type: application/json; charset=utf-8`` (what NetScaler sends)
and NITRO's own reason phrases for 207 and 599. Nothing is logged here: the access log
of http.server would print URLs, and headers carry the session cookie.
"""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from translator_drivers.netscaler.sim_errors import REASONS

if TYPE_CHECKING:
    from translator_drivers.netscaler.simulator import NetScalerSimulator

CONTENT_TYPE = "application/json; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests sessions expect
    server_version = "NetScalerSimulator/1.0"
    sys_version = ""
    timeout = 300
    server: Server

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without NODELAY, Nagle plus delayed ACKs
        # would stall each keep-alive answer by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

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

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence http.server's stderr access log."""


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: NetScalerSimulator) -> None:
        self.simulator = simulator
        self.connections: set[socket.socket] = set()
        super().__init__(address, _Handler)

    def close_connections(self) -> None:
        """Drop open keep-alive connections (after shutdown())."""
        for conn in list(self.connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
