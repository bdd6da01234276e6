"""What every HTTP simulator shares: a keep-alive loopback server in a daemon thread.

``LoopbackSimulator`` runs a ``LoopbackServer`` whose handler (a subclass of
``KeepAliveHandler``) hands requests to the simulator; start() binds (port 0:
an ephemeral port), stop() also drops open keep-alive connections, so a
stopped simulator never leaves a client hanging. Nothing is logged:
http.server's access log would print URLs and headers with credentials.
"""

from __future__ import annotations

import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOG = logging.getLogger(__name__)


class KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests sessions expect
    sys_version = ""
    timeout = 300
    server: LoopbackServer

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without NODELAY, Nagle plus delayed ACKs
        # would stall each keep-alive answer by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.connections.add(self.connection)

    def finish(self) -> None:
        self.server.connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence http.server's stderr access log (it would print URLs and secrets)."""


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], simulator: Any,
                 handler: type[KeepAliveHandler]) -> None:
        self.simulator = simulator
        self.connections: set[socket.socket] = set()
        super().__init__(address, handler)

    def close_connections(self) -> None:
        """Drop open keep-alive connections (after shutdown())."""
        for conn in list(self.connections):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class LoopbackSimulator:
    """start/stop/context manager around ``handler_class``; subclasses set ``host``/``port``."""

    name = ""
    handler_class: type[KeepAliveHandler] = KeepAliveHandler
    host = "127.0.0.1"
    port = 0
    credentials_file: str | None = None
    _server: LoopbackServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind (port 0: an ephemeral port) and serve in a daemon thread."""
        if self._server is not None:
            return
        self._server = LoopbackServer((self.host, self.port), self, self.handler_class)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"{self.name}-simulator", daemon=True)
        self._thread.start()
        if self.credentials_file:
            self._write_credentials(self.credentials_file)
        LOG.debug("%s simulator serving at %s", self.name, self.endpoint)

    def stop(self) -> None:
        """Stop serving and drop open keep-alive connections."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` (valid once started)."""
        if self._server is None:
            raise RuntimeError("the simulator is not running")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    @property
    def endpoint(self) -> str:
        return self.base_url

    def _write_credentials(self, path: str) -> None:
        raise NotImplementedError
